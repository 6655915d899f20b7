//! CRM.COM's records, invariants, request reading, response shapes and handlers (to be split by concern).
#![allow(clippy::struct_field_names)] // records keep the vendor's own field names (`payment_amount`, `payment_type_id`)

use std::collections::{BTreeMap, BTreeSet};

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value, json};

use crate::ledger::time::hex32;
use crate::ledger::shape::{self as view, PaymentView, RelationView};
use crate::ledger::{Call, Outcome, Timestamp, money_plain, value_text};
use crate::lifecycle::State as _;
use crate::money::Amount;
use crate::profiles::Profile;
use super::lifecycle::{CrmcomState, LIFECYCLE};
use super::operations::Op;
use crate::request::{Request, Response};

/// CRM.COM's records. Every map is keyed by the record's `id`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct State {
    /// Tokens from the login method, each with the user and unit it acts as.
    pub tokens: BTreeMap<String, Session>,
    /// Contacts (the owners of accounts receivable and of cards).
    pub contacts: BTreeMap<String, Contact>,
    /// Accounts receivable.
    pub accounts_receivable: BTreeMap<String, AccountsReceivable>,
    /// Payment methods.
    pub payment_methods: BTreeMap<String, PaymentMethod>,
    /// Financial transaction types.
    pub types: BTreeMap<String, TransactionType>,
    /// Financial transaction categories.
    pub categories: BTreeMap<String, Category>,
    /// Users.
    pub users: BTreeMap<String, User>,
    /// Units.
    pub units: BTreeMap<String, Unit>,
    /// Payment rejection reasons.
    pub rejection_reasons: BTreeMap<String, RejectionReason>,
    /// Payment gateway cards.
    pub cards: BTreeMap<String, Card>,
    /// Invoices.
    pub invoices: BTreeMap<String, Document>,
    /// Bills.
    pub bills: BTreeMap<String, Document>,
    /// Payments.
    pub payments: BTreeMap<String, Payment>,
    /// Payment cancellations.
    pub payment_cancellations: BTreeMap<String, PaymentCancellation>,
    /// The next numbers to hand out.
    pub counters: Counters,
}

/// Who a token acts as.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Session {
    /// The user's id.
    pub user: String,
    /// The unit's id.
    pub unit: String,
}

/// A contact: a person or a company.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Contact {
    /// The full name.
    pub name: String,
    /// `PERSON` or `COMPANY`.
    #[serde(rename = "type")]
    pub kind: String,
    /// First name (persons).
    pub first_name: Option<String>,
    /// Middle name (persons).
    pub middle_name: Option<String>,
    /// Last name (persons).
    pub last_name: Option<String>,
    /// Company name (companies).
    pub company_name: Option<String>,
    /// The company profile, as the vendor returns it.
    #[serde(default)]
    pub company_profile: Value,
    /// Demographics, as the vendor returns them.
    #[serde(default)]
    pub demographics: Value,
}

/// An accounts receivable.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AccountsReceivable {
    /// Its number.
    pub number: String,
    /// Its name.
    pub name: String,
    /// Its life cycle state (`ACTIVE`, …).
    pub life_cycle_state: String,
    /// The owner's contact id.
    pub owner: String,
}

/// A payment method.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PaymentMethod {
    /// Its name.
    pub name: String,
    /// Its alternative code.
    pub alternative_code: String,
    /// Its description.
    pub description: Option<String>,
    /// The payment gateway it is linked with (`STRIPE`), if any: then a card is required.
    pub payment_gateway: Option<String>,
}

/// A financial transaction type.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TransactionType {
    /// Its name.
    pub name: String,
    /// Its alternative code.
    pub alternative_code: String,
    /// `PAYMENT` or `PAYMENT_CANCELLATION` (others exist in CRM.COM).
    pub classification: String,
    /// Its description.
    pub description: Option<String>,
}

/// A financial transaction category.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Category {
    /// Its name.
    pub name: String,
    /// Its code.
    pub code: String,
    /// Its description.
    pub description: Option<String>,
}

/// A user.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct User {
    /// The login name.
    pub username: String,
    /// The person's name.
    pub person_name: String,
    /// The e-mail address.
    pub email: Option<String>,
}

/// A unit of the organisation.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Unit {
    /// Its name.
    pub name: String,
    /// Its alternative code.
    pub alternative_code: String,
    /// Its description.
    pub description: Option<String>,
    /// The community it belongs to.
    pub community_name: String,
    /// The group it belongs to.
    pub group_name: String,
}

/// A payment rejection reason.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RejectionReason {
    /// Its name.
    pub name: String,
    /// Its alternative code.
    pub alternative_code: String,
    /// Its description.
    pub description: Option<String>,
}

/// A card kept by a payment gateway.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Card {
    /// Its number (masked).
    pub number: String,
    /// The gateway's reference for it (`card_15S0w0E0IcJRGs11e6ffmDXK`).
    pub payment_gateway_reference_number: String,
    /// The owner's contact id.
    pub owner: String,
}

/// An invoice or a bill.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Document {
    /// Its number (`I00000294`).
    pub number: String,
    /// Its reference number.
    pub reference_number: String,
    /// The accounts receivable it is billed to.
    pub accounts_receivable: String,
    /// Its life cycle state (`POSTED`).
    pub life_cycle_state: String,
    /// The total.
    pub total_amount: Amount,
    /// What is still to pay: the total less every allocation to it.
    pub outstanding_amount: Amount,
    /// When it was issued.
    pub issued_on: Timestamp,
    /// When it is due.
    pub due_on: Timestamp,
    /// When it was posted.
    pub posted_on: Timestamp,
}

/// Who created and last changed a transaction, and when.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Log {
    /// Created on.
    pub created_date: Timestamp,
    /// Last changed on.
    pub updated_date: Timestamp,
    /// Created by (user id).
    pub created_by_user: String,
    /// Created by (unit id).
    pub created_by_unit: String,
    /// Last changed by (user id).
    pub updated_by_user: String,
    /// Last changed by (unit id).
    pub updated_by_unit: String,
}

/// A payment.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Payment {
    /// Its number, assigned when it is posted.
    pub number: Option<String>,
    /// Its reference number, assigned when it is created.
    pub reference_number: String,
    /// Its state.
    pub life_cycle_state: CrmcomState,
    /// The amount, above zero.
    pub payment_amount: Amount,
    /// The accounts receivable (id).
    pub accounts_receivable: String,
    /// The financial transaction type (id).
    #[serde(rename = "type")]
    pub kind: String,
    /// The payment method (id).
    pub payment_method: String,
    /// The financial transaction category (id).
    pub category: Option<String>,
    /// The card charged (id), exactly when the payment method is linked with a gateway.
    pub card: Option<String>,
    /// When it was received.
    pub received_on: Timestamp,
    /// When it was issued (created).
    pub issued_on: Timestamp,
    /// When it was posted.
    pub posted_on: Option<Timestamp>,
    /// The user who received it (id).
    pub received_by_user: String,
    /// The unit that received it (id).
    pub received_by_unit: String,
    /// Why it was rejected (id), once rejected.
    pub rejection_reason: Option<String>,
    /// A description.
    pub description: Option<String>,
    /// Notes.
    pub notes: Option<String>,
    /// The user defined fields sent (`udf_string_1` …), as sent.
    #[serde(default)]
    pub udfs: BTreeMap<String, Value>,
    /// Amounts allocated to invoices, by invoice id.
    #[serde(default)]
    pub invoices: BTreeMap<String, Amount>,
    /// Amounts allocated to bills, by bill id.
    #[serde(default)]
    pub bills: BTreeMap<String, Amount>,
    /// The payment cancellation (id), once cancelled.
    pub cancellation: Option<String>,
    /// The gateway's reference of the charge, once charged.
    pub payment_gateway_reference_number: Option<String>,
    /// The gateway that charged the card (`STRIPE`), once charged.
    pub processed_by_payment_gateway: Option<String>,
    /// Who created and last changed it.
    pub log: Log,
}

/// A payment cancellation: the transaction that cancels a posted payment.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PaymentCancellation {
    /// Its number.
    pub number: String,
    /// Its reference number.
    pub reference_number: String,
    /// Its state (always POSTED).
    pub life_cycle_state: CrmcomState,
    /// The amount: the cancelled payment's.
    pub payment_amount: Amount,
    /// The cancelled payment (id).
    pub payment: String,
    /// The financial transaction type (id).
    #[serde(rename = "type")]
    pub kind: String,
    /// The financial transaction category (id).
    pub category: Option<String>,
    /// When it was issued.
    pub issued_on: Timestamp,
    /// When it was posted.
    pub posted_on: Timestamp,
    /// Notes.
    pub notes: Option<String>,
    /// Why it was issued.
    pub issue_reason: Option<String>,
    /// The user defined fields sent, as sent.
    #[serde(default)]
    pub udfs: BTreeMap<String, Value>,
    /// Who created it.
    pub log: Log,
}

/// The next numbers to hand out (a number already taken is skipped).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Counters {
    /// The next payment number.
    pub payment_number: u64,
    /// The next payment reference number.
    pub payment_reference_number: u64,
    /// The next payment cancellation number.
    pub cancellation_number: u64,
    /// The next payment cancellation reference number.
    pub cancellation_reference_number: u64,
    /// The seed of the next 32-hex id.
    pub id_seed: u64,
    /// The seed of the next gateway charge reference.
    pub charge_seed: u64,
}

/// The user defined fields a payment or a payment cancellation may carry.
const UDFS: [&str; 16] = [
    "udf_string_1",
    "udf_string_2",
    "udf_string_3",
    "udf_string_4",
    "udf_string_5",
    "udf_string_6",
    "udf_string_7",
    "udf_string_8",
    "udf_float_1",
    "udf_float_2",
    "udf_float_3",
    "udf_float_4",
    "udf_date_1",
    "udf_date_2",
    "udf_date_3",
    "udf_date_4",
];

fn sum<'a>(amounts: impl IntoIterator<Item = &'a Amount>) -> Option<Amount> {
    amounts.into_iter().try_fold(Amount::ZERO, |acc, a| acc.checked_add(*a))
}

impl State {
    /// The invariants: every reference resolves; card ownership holds; for every invoice and bill
    /// `outstanding = total − allocations` and `0 ≤ outstanding ≤ total`; a payment allocates at
    /// most its amount, to documents of its own accounts receivable; a REJECTED or CANCELLED payment
    /// allocates nothing; a CANCELLED payment has exactly one cancellation for the same amount;
    /// numbers and reference numbers are unique.
    pub fn check(&self) -> Result<(), String> {
        for s in self.tokens.values() {
            if !self.users.contains_key(&s.user) || !self.units.contains_key(&s.unit) {
                return Err(format!("a token acts as user {} / unit {}, which do not both exist", s.user, s.unit));
            }
        }
        for (id, a) in &self.accounts_receivable {
            if !self.contacts.contains_key(&a.owner) {
                return Err(format!("accounts receivable {id} is owned by contact {}, which does not exist", a.owner));
            }
        }
        for (id, c) in &self.cards {
            if !self.contacts.contains_key(&c.owner) {
                return Err(format!("card {id} is owned by contact {}, which does not exist", c.owner));
            }
        }
        self.check_documents("invoice", &self.invoices, |p| &p.invoices)?;
        self.check_documents("bill", &self.bills, |p| &p.bills)?;
        let mut numbers = BTreeSet::new();
        let mut references = BTreeSet::new();
        for (id, p) in &self.payments {
            self.check_payment(id, p)?;
            if let Some(n) = &p.number
                && !numbers.insert(n.as_str())
            {
                return Err(format!("payment number {n} is used twice"));
            }
            if !references.insert(p.reference_number.as_str()) {
                return Err(format!("payment reference number {} is used twice", p.reference_number));
            }
        }
        let mut numbers = BTreeSet::new();
        let mut references = BTreeSet::new();
        for (id, c) in &self.payment_cancellations {
            let Some(p) = self.payments.get(&c.payment) else {
                return Err(format!("payment cancellation {id} cancels payment {}, which does not exist", c.payment));
            };
            if p.cancellation.as_deref() != Some(id.as_str()) || c.payment_amount != p.payment_amount {
                return Err(format!("payment cancellation {id} and payment {} do not match", c.payment));
            }
            if c.life_cycle_state != CrmcomState::Posted {
                return Err(format!("payment cancellation {id} is not POSTED"));
            }
            if !self.types.contains_key(&c.kind)
                || c.category.as_ref().is_some_and(|k| !self.categories.contains_key(k))
            {
                return Err(format!("payment cancellation {id} names a type or category that does not exist"));
            }
            if !numbers.insert(c.number.as_str()) || !references.insert(c.reference_number.as_str()) {
                return Err(format!("payment cancellation {id}'s number or reference number is used twice"));
            }
        }
        Ok(())
    }

    fn check_documents(
        &self,
        what: &str,
        documents: &BTreeMap<String, Document>,
        allocations: fn(&Payment) -> &BTreeMap<String, Amount>,
    ) -> Result<(), String> {
        for (id, d) in documents {
            if !self.accounts_receivable.contains_key(&d.accounts_receivable) {
                return Err(format!(
                    "{what} {id} names accounts receivable {}, which does not exist",
                    d.accounts_receivable
                ));
            }
            let paid = sum(self.payments.values().filter_map(|p| allocations(p).get(id)))
                .ok_or_else(|| format!("the allocations to {what} {id} overflow"))?;
            let expected = d.total_amount.checked_sub(paid).ok_or_else(|| format!("{what} {id}: overflow"))?;
            if d.outstanding_amount != expected {
                return Err(format!(
                    "{what} {id}: outstanding {} is not total {} less allocations {paid}",
                    d.outstanding_amount, d.total_amount
                ));
            }
            if d.outstanding_amount.is_negative() || d.outstanding_amount > d.total_amount {
                return Err(format!(
                    "{what} {id}: outstanding {} is not within 0..={}",
                    d.outstanding_amount, d.total_amount
                ));
            }
        }
        Ok(())
    }

    fn check_payment(&self, id: &str, p: &Payment) -> Result<(), String> {
        let Some(account) = self.accounts_receivable.get(&p.accounts_receivable) else {
            return Err(format!(
                "payment {id} names accounts receivable {}, which does not exist",
                p.accounts_receivable
            ));
        };
        let Some(method) = self.payment_methods.get(&p.payment_method) else {
            return Err(format!("payment {id} names payment method {}, which does not exist", p.payment_method));
        };
        let refs_exist = self.types.contains_key(&p.kind)
            && p.category.as_ref().is_none_or(|c| self.categories.contains_key(c))
            && self.users.contains_key(&p.received_by_user)
            && self.units.contains_key(&p.received_by_unit)
            && p.rejection_reason.as_ref().is_none_or(|r| self.rejection_reasons.contains_key(r));
        if !refs_exist {
            return Err(format!(
                "payment {id} names a type, category, user, unit or rejection reason that does not exist"
            ));
        }
        match (&p.card, &method.payment_gateway) {
            (Some(card), Some(_)) => match self.cards.get(card) {
                Some(c) if c.owner == account.owner => {}
                Some(_) => return Err(format!("payment {id} charges card {card}, not of its account's owner")),
                None => return Err(format!("payment {id} names card {card}, which does not exist")),
            },
            (None, None) => {}
            _ => return Err(format!("payment {id}: a card is needed exactly when the method has a gateway")),
        }
        if !p.payment_amount.is_positive() {
            return Err(format!("payment {id}: the amount is not above zero"));
        }
        for (allocations, documents) in [(&p.invoices, &self.invoices), (&p.bills, &self.bills)] {
            for (doc, amount) in allocations {
                if !amount.is_positive() {
                    return Err(format!("payment {id} allocates a non-positive amount to {doc}"));
                }
                match documents.get(doc) {
                    Some(d) if d.accounts_receivable == p.accounts_receivable => {}
                    _ => return Err(format!("payment {id} allocates to {doc}, not a document of its account")),
                }
            }
        }
        let allocated = sum(p.invoices.values().chain(p.bills.values()))
            .ok_or_else(|| format!("payment {id}: the allocations overflow"))?;
        if allocated > p.payment_amount {
            return Err(format!("payment {id} allocates {allocated}, more than its amount {}", p.payment_amount));
        }
        let state = p.life_cycle_state;
        let holds_allocations =
            matches!(state, CrmcomState::Draft | CrmcomState::Posted | CrmcomState::PendingVerification);
        if !holds_allocations && allocated != Amount::ZERO {
            return Err(format!("payment {id} is {} and still allocates {allocated}", state.name()));
        }
        let posted = matches!(state, CrmcomState::Posted | CrmcomState::Cancelled);
        if posted != (p.number.is_some() && p.posted_on.is_some()) {
            return Err(format!(
                "payment {id} is {}: it must have a number and posted_on exactly when posted",
                state.name()
            ));
        }
        if (state == CrmcomState::Rejected) != p.rejection_reason.is_some() {
            return Err(format!("payment {id}: a rejection reason belongs exactly to a REJECTED payment"));
        }
        match (&p.cancellation, state) {
            (Some(c), CrmcomState::Cancelled) => match self.payment_cancellations.get(c) {
                Some(pc) if pc.payment == id && pc.payment_amount == p.payment_amount => {}
                _ => return Err(format!("payment {id}: its cancellation {c} does not exist or does not match")),
            },
            (None, s) if s != CrmcomState::Cancelled => {}
            _ => return Err(format!("payment {id}: exactly a CANCELLED payment has a cancellation")),
        }
        if self.payment_cancellations.values().filter(|c| c.payment == id).count() > 1 {
            return Err(format!("payment {id} is cancelled more than once"));
        }
        Ok(())
    }

    fn next_id(&mut self) -> String {
        loop {
            let seed = self.counters.id_seed;
            self.counters.id_seed = seed.wrapping_add(1);
            let id = hex32(seed);
            if !self.payments.contains_key(&id) && !self.payment_cancellations.contains_key(&id) {
                return id;
            }
        }
    }

    fn next_payment_number(&mut self) -> String {
        loop {
            let n = self.counters.payment_number;
            self.counters.payment_number = n.wrapping_add(1);
            let text = n.to_string();
            if !self.payments.values().any(|p| p.number.as_deref() == Some(text.as_str())) {
                return text;
            }
        }
    }

    fn next_payment_reference(&mut self) -> String {
        loop {
            let n = self.counters.payment_reference_number;
            self.counters.payment_reference_number = n.wrapping_add(1);
            let text = n.to_string();
            if !self.payments.values().any(|p| p.reference_number == text) {
                return text;
            }
        }
    }

    fn next_cancellation_numbers(&mut self) -> (String, String) {
        let number = loop {
            let n = self.counters.cancellation_number;
            self.counters.cancellation_number = n.wrapping_add(1);
            let text = n.to_string();
            if !self.payment_cancellations.values().any(|c| c.number == text) {
                break text;
            }
        };
        let reference = loop {
            let n = self.counters.cancellation_reference_number;
            self.counters.cancellation_reference_number = n.wrapping_add(1);
            let text = n.to_string();
            if !self.payment_cancellations.values().any(|c| c.reference_number == text) {
                break text;
            }
        };
        (number, reference)
    }

    fn next_charge(&mut self) -> String {
        let seed = self.counters.charge_seed;
        self.counters.charge_seed = seed.wrapping_add(1);
        let hex = hex32(seed ^ 0x00C4_A26E).to_ascii_lowercase();
        format!("ch_{}", hex.get(..24).unwrap_or_default())
    }
}

// ---------------------------------------------------------------------------------------------
// Refusals and the envelope.

/// A refused request: HTTP status, CRM.COM code, message and description.
struct Refusal {
    status: u16,
    code: &'static str,
    message: String,
    description: String,
}

impl Refusal {
    fn new(status: u16, code: &'static str, message: impl Into<String>, description: impl Into<String>) -> Refusal {
        Refusal { status, code, message: message.into(), description: description.into() }
    }

    fn invalid(message: impl Into<String>, description: impl Into<String>) -> Refusal {
        Refusal::new(400, "INVALID_PARAMETER", message, description)
    }

    fn response(self, call: &Call<'_>) -> Response {
        Response {
            status: self.status,
            body: json!({
                "status": { "message": self.message, "description": self.description, "code": self.code },
                "data": null,
                "errors": call.report.errors,
            }),
        }
    }
}

fn ok(data: Value) -> Response {
    let mut body = Map::new();
    body.insert("status".to_owned(), json!({ "message": null, "description": null, "code": "OK" }));
    body.insert("data".to_owned(), data);
    Response { status: 200, body: Value::Object(body) }
}

// ---------------------------------------------------------------------------------------------
// Reading the request.

/// A parameter: from the JSON body (POST), else from the query (GET).
fn input(call: &Call<'_>, name: &str) -> Option<Value> {
    if let Some(v) = call.field(name) {
        return Some(v.clone());
    }
    call.query(name).map(|s| Value::String(s.to_owned()))
}

fn input_text(call: &Call<'_>, name: &str) -> Option<String> {
    input(call, name).as_ref().and_then(value_text).map(|t| t.trim().to_owned()).filter(|t| !t.is_empty())
}

/// An identifier parameter: the one field that names the record, and its value.
struct Ident {
    param: String,
    field: String,
    value: String,
}

impl Ident {
    fn of(param: &str, value: &Value) -> Option<Ident> {
        // The same reading of `field=value` and JSON text as the validator's.
        let (field, text) = match value {
            Value::Object(map) => {
                let mut entries = map.iter();
                let (field, v) = entries.next()?;
                if entries.next().is_some() {
                    return None;
                }
                (field.clone(), value_text(v)?.into_owned())
            }
            Value::String(text) => {
                let members = crate::rules::parse_identifier_text(text)?;
                let [(field, v)] = members.as_slice() else { return None };
                (field.to_string(), crate::ledger::value_text(&v.to_value())?.into_owned())
            }
            _ => return None,
        };
        Some(Ident { param: param.to_owned(), field: field.trim().to_owned(), value: text.trim().to_owned() })
    }

    fn from_call(call: &Call<'_>, param: &str) -> Option<Ident> {
        Ident::of(param, &input(call, param)?)
    }

    fn required(call: &Call<'_>, param: &str) -> Result<Ident, Refusal> {
        Ident::from_call(call, param).ok_or_else(|| {
            Refusal::invalid(
                format!("{param} is required"),
                format!("{param} must name one record by exactly one field"),
            )
        })
    }
}

/// Records named by an identifier.
trait Named {
    /// The value of an identifying field other than `id`.
    fn key(&self, field: &str) -> Option<&str>;
}

impl Named for AccountsReceivable {
    fn key(&self, field: &str) -> Option<&str> {
        match field {
            "number" => Some(&self.number),
            "name" => Some(&self.name),
            _ => None,
        }
    }
}

impl Named for PaymentMethod {
    fn key(&self, field: &str) -> Option<&str> {
        match field {
            "name" => Some(&self.name),
            "alternative_code" => Some(&self.alternative_code),
            _ => None,
        }
    }
}

impl Named for TransactionType {
    fn key(&self, field: &str) -> Option<&str> {
        match field {
            "name" => Some(&self.name),
            "alternative_code" => Some(&self.alternative_code),
            _ => None,
        }
    }
}

impl Named for Category {
    fn key(&self, field: &str) -> Option<&str> {
        match field {
            "name" => Some(&self.name),
            "code" => Some(&self.code),
            _ => None,
        }
    }
}

impl Named for User {
    fn key(&self, field: &str) -> Option<&str> {
        (field == "username").then_some(self.username.as_str())
    }
}

impl Named for Unit {
    fn key(&self, field: &str) -> Option<&str> {
        match field {
            "name" => Some(&self.name),
            "alternative_code" => Some(&self.alternative_code),
            _ => None,
        }
    }
}

impl Named for RejectionReason {
    fn key(&self, field: &str) -> Option<&str> {
        match field {
            "name" => Some(&self.name),
            "alternative_code" => Some(&self.alternative_code),
            _ => None,
        }
    }
}

impl Named for Card {
    fn key(&self, field: &str) -> Option<&str> {
        match field {
            "number" => Some(&self.number),
            "payment_gateway_reference_number" => Some(&self.payment_gateway_reference_number),
            _ => None,
        }
    }
}

impl Named for Document {
    fn key(&self, field: &str) -> Option<&str> {
        match field {
            "number" => Some(&self.number),
            "reference_number" => Some(&self.reference_number),
            _ => None,
        }
    }
}

impl Named for Payment {
    fn key(&self, field: &str) -> Option<&str> {
        match field {
            "number" => self.number.as_deref(),
            "reference_number" => Some(&self.reference_number),
            _ => None,
        }
    }
}

/// The record an identifier names, with its id; 404 naming the parameter, field and value if none.
fn find<'s, T: Named>(map: &'s BTreeMap<String, T>, ident: &Ident, what: &str) -> Result<(String, &'s T), Refusal> {
    let found = if ident.field == "id" {
        map.get_key_value(&ident.value)
    } else {
        map.iter().find(|(_, r)| r.key(&ident.field) == Some(ident.value.as_str()))
    };
    found.map(|(k, r)| (k.clone(), r)).ok_or_else(|| {
        Refusal::new(
            404,
            "NOT_FOUND",
            format!("{}: there is no {what} with {} \"{}\"", ident.param, ident.field, ident.value),
            format!("The {what} named by {}.{} does not exist; name an existing {what}", ident.param, ident.field),
        )
    })
}

fn find_optional<'s, T: Named>(
    call: &Call<'_>,
    param: &str,
    map: &'s BTreeMap<String, T>,
    what: &str,
) -> Result<Option<(String, &'s T)>, Refusal> {
    Ident::from_call(call, param).map(|ident| find(map, &ident, what)).transpose()
}

// ---------------------------------------------------------------------------------------------
// The response objects.

fn time(t: Timestamp) -> Value {
    Value::String(t.local_seconds(0))
}

fn opt_time(t: Option<Timestamp>) -> Value {
    t.map_or(Value::Null, time)
}

impl State {
    fn user_json(&self, id: &str) -> Value {
        self.users.get(id).map_or(
            Value::Null,
            |u| json!({ "person_name": u.person_name, "username": u.username, "id": id, "email": u.email }),
        )
    }

    fn unit_json(&self, id: &str) -> Value {
        self.units.get(id).map_or(Value::Null, |u| {
            json!({
                "community_name": u.community_name,
                "group_name": u.group_name,
                "name": u.name,
                "id": id,
                "description": u.description,
                "alternative_code": u.alternative_code,
            })
        })
    }

    fn account_json(&self, id: &str) -> Value {
        let Some(a) = self.accounts_receivable.get(id) else {
            return Value::Null;
        };
        let owner = self.contacts.get(&a.owner).map_or(Value::Null, |c| {
            json!({
                "last_name": c.last_name,
                "middle_name": c.middle_name,
                "company_profile": c.company_profile,
                "type": c.kind,
                "first_name": c.first_name,
                "name": c.name,
                "id": a.owner,
                "company_name": c.company_name,
                "demographics": c.demographics,
            })
        });
        json!({
            "account_owner": owner,
            "life_cycle_state": a.life_cycle_state,
            "number": a.number,
            "name": a.name,
            "id": id,
        })
    }

    fn type_json(&self, id: &str) -> Value {
        self.types.get(id).map_or(Value::Null, |t| {
            json!({
                "classification": t.classification,
                "name": t.name,
                "id": id,
                "description": t.description,
                "alternative_code": t.alternative_code,
            })
        })
    }

    fn category_json(&self, id: Option<&String>) -> Value {
        id.and_then(|id| self.categories.get(id).map(|c| (id, c))).map_or(
            Value::Null,
            |(id, c)| json!({ "name": c.name, "id": id, "code": c.code, "description": c.description }),
        )
    }

    fn method_json(&self, id: &str) -> Value {
        self.payment_methods.get(id).map_or(Value::Null, |m| {
            let mut v = json!({
                "name": m.name,
                "id": id,
                "description": m.description,
                "alternative_code": m.alternative_code,
            });
            if let (Some(g), Value::Object(map)) = (&m.payment_gateway, &mut v) {
                map.insert("payment_gateway".to_owned(), Value::String(g.clone()));
            }
            v
        })
    }

    fn documents_json(documents: &BTreeMap<String, Document>, allocations: &BTreeMap<String, Amount>) -> Value {
        let items = allocations.keys().filter_map(|id| documents.get(id).map(|d| (id, d)));
        Value::Array(
            items
                .map(|(id, d)| {
                    json!({
                        "total_amount": money_plain(d.total_amount),
                        "issued_on": time(d.issued_on),
                        "life_cycle_state": d.life_cycle_state,
                        "number": d.number,
                        "due_on": time(d.due_on),
                        "id": id,
                        "outstanding_amount": money_plain(d.outstanding_amount),
                        "reference_number": d.reference_number,
                        "posted_on": time(d.posted_on),
                    })
                })
                .collect(),
        )
    }

    fn log_json(&self, log: &Log) -> Value {
        json!({
            "updated_date": time(log.updated_date),
            "created_by_unit": self.unit_json(&log.created_by_unit),
            "created_date": time(log.created_date),
            "updated_by_unit": self.unit_json(&log.updated_by_unit),
            "created_by_user": self.user_json(&log.created_by_user),
            "updated_by_user": self.user_json(&log.updated_by_user),
        })
    }

    /// The full payment object (`payments/show`, and what `fields_set` picks from).
    fn payment_full(&self, id: &str, p: &Payment) -> Map<String, Value> {
        let mut m = Map::new();
        let mut put = |k: &str, v: Value| {
            m.insert(k.to_owned(), v);
        };
        put("id", Value::String(id.to_owned()));
        put("number", json!(p.number));
        put("reference_number", Value::String(p.reference_number.clone()));
        put("life_cycle_state", Value::String(p.life_cycle_state.name().to_owned()));
        put("payment_amount", money_plain(p.payment_amount));
        put("issued_on", time(p.issued_on));
        put("posted_on", opt_time(p.posted_on));
        put("received_on", time(p.received_on));
        put("accounts_receivable", self.account_json(&p.accounts_receivable));
        put("type", self.type_json(&p.kind));
        put("category", self.category_json(p.category.as_ref()));
        put("payment_method", self.method_json(&p.payment_method));
        if let Some(card) = &p.card {
            put(
                "card",
                self.cards.get(card).map_or(Value::Null, |c| {
                    json!({ "id": card, "number": c.number, "payment_gateway_reference_number": c.payment_gateway_reference_number })
                }),
            );
        }
        put("received_by_user", self.user_json(&p.received_by_user));
        put("received_by_unit", self.unit_json(&p.received_by_unit));
        put(
            "rejection_reason",
            p.rejection_reason.as_ref().and_then(|r| self.rejection_reasons.get(r).map(|x| (r, x))).map_or(
                Value::Null,
                |(id, r)| json!({ "name": r.name, "id": id, "alternative_code": r.alternative_code, "description": r.description }),
            ),
        );
        for (k, v) in [
            ("description", &p.description),
            ("notes", &p.notes),
            ("payment_gateway_reference_number", &p.payment_gateway_reference_number),
            ("processed_by_payment_gateway", &p.processed_by_payment_gateway),
        ] {
            if let Some(v) = v {
                put(k, Value::String(v.clone()));
            }
        }
        put("invoices_to_pay_set", State::documents_json(&self.invoices, &p.invoices));
        put("bills_to_pay_set", State::documents_json(&self.bills, &p.bills));
        put("log_information", self.log_json(&p.log));
        for name in UDFS {
            put(name, p.udfs.get(name).cloned().unwrap_or(Value::Null));
        }
        m
    }
}

/// The short payment object of create, pay, post, reject and cancel.
fn payment_short(id: &str, p: &Payment) -> Value {
    let mut m = Map::new();
    if let Some(r) = &p.payment_gateway_reference_number {
        m.insert("payment_gateway_reference_number".to_owned(), Value::String(r.clone()));
    }
    m.insert("payment_amount".to_owned(), money_plain(p.payment_amount));
    m.insert("issued_on".to_owned(), time(p.issued_on));
    if let Some(g) = &p.processed_by_payment_gateway {
        m.insert("processed_by_payment_gateway".to_owned(), Value::String(g.clone()));
    }
    m.insert("life_cycle_state".to_owned(), Value::String(p.life_cycle_state.name().to_owned()));
    m.insert("number".to_owned(), json!(p.number));
    m.insert("id".to_owned(), Value::String(id.to_owned()));
    m.insert("reference_number".to_owned(), Value::String(p.reference_number.clone()));
    m.insert("posted_on".to_owned(), opt_time(p.posted_on));
    Value::Object(m)
}

fn cancellation_short(id: &str, c: &PaymentCancellation) -> Value {
    json!({
        "payment_amount": money_plain(c.payment_amount),
        "issued_on": time(c.issued_on),
        "life_cycle_state": c.life_cycle_state.name(),
        "number": c.number,
        "id": id,
        "reference_number": c.reference_number,
        "posted_on": time(c.posted_on),
    })
}

/// The named fields of a full object, in the order named (a field left out while empty is `null`).
fn project(full: &Map<String, Value>, fields: &str) -> Value {
    let mut m = Map::new();
    for name in fields.split(',').map(str::trim).filter(|n| !n.is_empty()) {
        m.insert(name.to_owned(), full.get(name).cloned().unwrap_or(Value::Null));
    }
    Value::Object(m)
}

// ---------------------------------------------------------------------------------------------
// The operations.

/// No operation has this method and path.
pub(super) fn unknown_route(call: &Call<'_>) -> Response {
    Refusal::new(
        404,
        "UNKNOWN_METHOD",
        format!("There is no API method {} {}", call.method(), call.path()),
        "The payment methods are GET payments/show, payments/list, payments/get_latest and POST payments/create, \
         payments/pay_invoice, payments/pay_bill, payments/post, payments/reject, payments/cancel",
    )
    .response(call)
}

/// The request failed validation: the first error's message, and every error listed.
pub(super) fn invalid(call: &Call<'_>) -> Response {
    let errors: Vec<_> = call.report.errors.iter().filter(|v| v.severity == crate::Severity::Error).collect();
    let first = errors.first().map_or_else(|| "Invalid request".to_owned(), |v| v.message.clone());
    Refusal::invalid(first, format!("The request has {} problem(s); every one is listed in errors", errors.len()))
        .response(call)
}

/// The session of the request's token (matched without regard to case).
pub(super) fn authenticate(state: &State, call: &Call<'_>) -> Result<Session, Response> {
    let token = input_text(call, "token").unwrap_or_default();
    state.tokens.iter().find(|(t, _)| t.eq_ignore_ascii_case(&token)).map(|(_, s)| s.clone()).ok_or_else(|| {
        Refusal::new(
            401,
            "INVALID_TOKEN",
            "token: the token is not valid",
            "Use a token returned by the login method that has not expired (the token is not shown here)",
        )
        .response(call)
    })
}

/// Answers a valid request of a logged-in session.
pub(super) fn handle(state: &mut State, session: &Session, op: Op, call: &Call<'_>) -> Outcome {
    let data = match op {
        Op::Show => show(state, call),
        Op::List => list(state, call, false),
        Op::GetLatest => list(state, call, true),
        Op::Create => create(state, call, session),
        Op::PayInvoice => pay_whole(state, call, session, Kind::Invoice),
        Op::PayBill => pay_whole(state, call, session, Kind::Bill),
        Op::Post => post(state, call, session),
        Op::Reject => reject(state, call, session),
        Op::Cancel => cancel(state, call, session),
    };
    data.map(ok).map_err(|refusal| refusal.response(call))
}

fn show(state: &State, call: &Call<'_>) -> Result<Value, Refusal> {
    let ident = Ident::required(call, "payment_identifier")?;
    let (id, p) = find(&state.payments, &ident, "payment")?;
    let full = state.payment_full(&id, p);
    Ok(match input_text(call, "fields_set") {
        Some(fields) => project(&full, &fields),
        None => Value::Object(full),
    })
}

/// `payments/list` (every payment of the accounts receivable, oldest first) and
/// `payments/get_latest` (the latest `number` of them, newest first).
fn list(state: &State, call: &Call<'_>, latest: bool) -> Result<Value, Refusal> {
    let ident = Ident::required(call, "accounts_receivable_identifier")?;
    let (account, _) = find(&state.accounts_receivable, &ident, "accounts receivable")?;
    let kind = find_optional(call, "type_identifier", &state.types, "financial transaction type")?.map(|x| x.0);
    let category =
        find_optional(call, "category_identifier", &state.categories, "financial transaction category")?.map(|x| x.0);
    let method =
        find_optional(call, "payment_method_identifier", &state.payment_methods, "payment method")?.map(|x| x.0);
    let mut payments: Vec<(&String, &Payment)> = state
        .payments
        .iter()
        .filter(|(_, p)| p.accounts_receivable == account)
        .filter(|(_, p)| kind.as_ref().is_none_or(|k| *k == p.kind))
        .filter(|(_, p)| category.is_none() || category == p.category)
        .filter(|(_, p)| method.as_ref().is_none_or(|m| *m == p.payment_method))
        .collect();
    payments.sort_by(|a, b| (a.1.issued_on, &a.1.reference_number).cmp(&(b.1.issued_on, &b.1.reference_number)));
    if latest {
        payments.reverse();
        let count = input_text(call, "number").and_then(|n| n.parse::<usize>().ok()).unwrap_or(1);
        payments.truncate(count);
    }
    let fields = input_text(call, "fields_set");
    let default = if latest { "number,id,reference_number" } else { "life_cycle_state,id,reference_number" };
    let fields = fields.as_deref().unwrap_or(default);
    Ok(Value::Array(payments.into_iter().map(|(id, p)| project(&state.payment_full(id, p), fields)).collect()))
}

/// Invoice or bill.
#[derive(Clone, Copy)]
enum Kind {
    Invoice,
    Bill,
}

impl Kind {
    fn what(self) -> &'static str {
        match self {
            Kind::Invoice => "invoice",
            Kind::Bill => "bill",
        }
    }

    fn documents(self, state: &State) -> &BTreeMap<String, Document> {
        match self {
            Kind::Invoice => &state.invoices,
            Kind::Bill => &state.bills,
        }
    }

    fn documents_mut(self, state: &mut State) -> &mut BTreeMap<String, Document> {
        match self {
            Kind::Invoice => &mut state.invoices,
            Kind::Bill => &mut state.bills,
        }
    }

    fn allocations_mut(self, payment: &mut Payment) -> &mut BTreeMap<String, Amount> {
        match self {
            Kind::Invoice => &mut payment.invoices,
            Kind::Bill => &mut payment.bills,
        }
    }
}

/// A financial transaction type by identifier, of the given classification.
fn find_type(state: &State, call: &Call<'_>, classification: &str) -> Result<String, Refusal> {
    let ident = Ident::required(call, "type_identifier")?;
    let (id, t) = find(&state.types, &ident, "financial transaction type")?;
    if t.classification != classification {
        return Err(Refusal::invalid(
            format!(
                "type_identifier: the financial transaction type \"{}\" is classified {}, not {classification}",
                t.name, t.classification
            ),
            format!("Name a financial transaction type of classification {classification}"),
        ));
    }
    Ok(id)
}

/// A new payment from the fields create, `pay_invoice` and `pay_bill` share: every reference
/// resolved, the card rule applied. Its amount, state, numbers and allocations are set by the caller.
fn new_payment(state: &State, call: &Call<'_>, session: &Session) -> Result<Payment, Refusal> {
    let ident = Ident::required(call, "accounts_receivable_identifier")?;
    let (account_id, account) = find(&state.accounts_receivable, &ident, "accounts receivable")?;
    let kind = find_type(state, call, "PAYMENT")?;
    let ident = Ident::required(call, "payment_method_identifier")?;
    let (method_id, method) = find(&state.payment_methods, &ident, "payment method")?;
    let category = find_optional(call, "category_identifier", &state.categories, "financial transaction category")?;
    let user = find_optional(call, "received_by_user_identifier", &state.users, "user")?;
    let unit = find_optional(call, "received_by_unit_identifier", &state.units, "unit")?;
    let card = find_optional(call, "card_identifier", &state.cards, "card")?;
    let card = match (&method.payment_gateway, card) {
        (Some(gateway), None) => {
            return Err(Refusal::invalid(
                format!(
                    "card_identifier is required: the payment method \"{}\" is linked with the payment gateway {gateway}",
                    method.name
                ),
                "Name one of the cards of the accounts receivable owner, which the gateway will charge",
            ));
        }
        (None, Some(_)) => {
            return Err(Refusal::invalid(
                format!(
                    "card_identifier applies only to a payment method linked with a payment gateway; \"{}\" is not",
                    method.name
                ),
                "Leave card_identifier out, or choose a payment method linked with a payment gateway",
            ));
        }
        (Some(_), Some((card_id, card))) => {
            if card.owner != account.owner {
                return Err(Refusal::invalid(
                    format!(
                        "card_identifier: the card {} is not one of the cards of the owner of accounts receivable {}",
                        card.payment_gateway_reference_number, account.number
                    ),
                    "Only the cards owned by the accounts receivable owner can be charged",
                ));
            }
            Some(card_id)
        }
        (None, None) => None,
    };
    let received_on = match input_text(call, "received_on") {
        Some(text) => Timestamp::parse(&text)
            .ok_or_else(|| Refusal::invalid("received_on is not a date and time", "Write it as 2014-07-14T09:12:54"))?,
        None => call.now,
    };
    Ok(Payment {
        number: None,
        reference_number: String::new(),
        life_cycle_state: CrmcomState::Draft,
        payment_amount: Amount::ZERO,
        accounts_receivable: account_id,
        kind,
        payment_method: method_id,
        category: category.map(|c| c.0),
        card,
        received_on,
        issued_on: call.now,
        posted_on: None,
        received_by_user: user.map_or_else(|| session.user.clone(), |u| u.0),
        received_by_unit: unit.map_or_else(|| session.unit.clone(), |u| u.0),
        rejection_reason: None,
        description: input_text(call, "description"),
        notes: input_text(call, "notes"),
        udfs: udfs(call),
        invoices: BTreeMap::new(),
        bills: BTreeMap::new(),
        cancellation: None,
        payment_gateway_reference_number: None,
        processed_by_payment_gateway: None,
        log: new_log(session, call.now),
    })
}

fn new_log(session: &Session, now: Timestamp) -> Log {
    Log {
        created_date: now,
        updated_date: now,
        created_by_user: session.user.clone(),
        created_by_unit: session.unit.clone(),
        updated_by_user: session.user.clone(),
        updated_by_unit: session.unit.clone(),
    }
}

/// The user defined fields sent.
fn udfs(call: &Call<'_>) -> BTreeMap<String, Value> {
    UDFS.iter().filter_map(|name| call.field(name).map(|v| ((*name).to_owned(), v.clone()))).collect()
}

/// Allocates up to `limit` to the document `ident` names: checks it is the payment's accounts
/// receivable's and has something outstanding; returns the amount allocated.
fn allocate(
    state: &mut State,
    payment: &mut Payment,
    kind: Kind,
    ident: &Ident,
    limit: Option<Amount>,
) -> Result<Amount, Refusal> {
    let what = kind.what();
    let (id, doc) = find(kind.documents(state), ident, what)?;
    if doc.accounts_receivable != payment.accounts_receivable {
        let owner = state.accounts_receivable.get(&doc.accounts_receivable).map_or("?", |a| a.number.as_str());
        let payer = state.accounts_receivable.get(&payment.accounts_receivable).map_or("?", |a| a.number.as_str());
        return Err(Refusal::invalid(
            format!(
                "{}: the {what} {} belongs to accounts receivable {owner}, not to accounts receivable {payer}",
                ident.param, doc.number
            ),
            format!("A payment pays only the {what}s of its own accounts receivable"),
        ));
    }
    if kind.allocations_mut(payment).contains_key(&id) {
        return Err(Refusal::invalid(
            format!("{}: the {what} {} is named twice", ident.param, doc.number),
            format!("A payment pays each {what} once"),
        ));
    }
    if !doc.outstanding_amount.is_positive() {
        return Err(Refusal::new(
            409,
            "INVALID_STATE",
            format!("{}: the {what} {} has nothing outstanding", ident.param, doc.number),
            format!("The {what} is paid in full (outstanding amount 0); there is nothing to pay"),
        ));
    }
    let part = match limit {
        Some(limit) if limit < doc.outstanding_amount => limit,
        _ => doc.outstanding_amount,
    };
    if !part.is_positive() {
        return Err(Refusal::invalid(
            format!(
                "{}: the payment_amount {} is used up before the {what} {}",
                ident.param,
                money_plain(payment.payment_amount),
                doc.number
            ),
            "The sets are paid in order, each up to its outstanding amount; remove the items the amount does not reach",
        ));
    }
    let overflow = || Refusal::invalid("the amounts overflow", "Amounts must stay within 28 digits");
    let doc = kind.documents_mut(state).get_mut(&id).ok_or_else(overflow)?;
    doc.outstanding_amount = doc.outstanding_amount.checked_sub(part).ok_or_else(overflow)?;
    kind.allocations_mut(payment).insert(id, part);
    Ok(part)
}

/// Gives back every allocation of a payment to its invoices and bills.
fn release(state: &mut State, payment: &mut Payment) -> Result<(), Refusal> {
    let overflow = || Refusal::invalid("the amounts overflow", "Amounts must stay within 28 digits");
    for kind in [Kind::Invoice, Kind::Bill] {
        let allocations = std::mem::take(kind.allocations_mut(payment));
        for (id, amount) in allocations {
            let doc = kind.documents_mut(state).get_mut(&id).ok_or_else(overflow)?;
            doc.outstanding_amount = doc.outstanding_amount.checked_add(amount).ok_or_else(overflow)?;
        }
    }
    Ok(())
}

/// Posting's effects: the number, `posted_on`, and the gateway's charge of the card.
fn mark_posted(state: &mut State, payment: &mut Payment, now: Timestamp) {
    payment.number = Some(state.next_payment_number());
    payment.posted_on = Some(now);
    if payment.card.is_some() {
        payment.payment_gateway_reference_number = Some(state.next_charge());
        payment.processed_by_payment_gateway =
            state.payment_methods.get(&payment.payment_method).and_then(|m| m.payment_gateway.clone());
    }
}

/// Stores a new payment created in `initial` (an initial state of the lifecycle).
fn insert(state: &mut State, mut payment: Payment, initial: CrmcomState, now: Timestamp) -> Result<Value, Refusal> {
    if !LIFECYCLE.initial.contains(&initial) {
        return Err(Refusal::invalid(
            format!("life_cycle_state: a payment cannot be created {}", initial.name()),
            "A payment is created DRAFT or POSTED",
        ));
    }
    payment.life_cycle_state = initial;
    payment.reference_number = state.next_payment_reference();
    if initial == CrmcomState::Posted {
        mark_posted(state, &mut payment, now);
    }
    let id = state.next_id();
    let data = payment_short(&id, &payment);
    state.payments.insert(id, payment);
    Ok(data)
}

fn create(state: &mut State, call: &Call<'_>, session: &Session) -> Result<Value, Refusal> {
    let mut payment = new_payment(state, call, session)?;
    let initial_text = input_text(call, "life_cycle_state").unwrap_or_default();
    let Some(initial) = CrmcomState::from_name(&initial_text) else {
        return Err(Refusal::invalid(
            "life_cycle_state must be DRAFT or POSTED",
            "A payment is created DRAFT or POSTED",
        ));
    };
    let Some(amount) = input_text(call, "payment_amount").and_then(|t| t.parse::<Amount>().ok()) else {
        return Err(Refusal::invalid("payment_amount is required", "The amount of the payment, above zero"));
    };
    payment.payment_amount = amount;
    let mut remaining = amount;
    for (kind, set, key) in [
        (Kind::Invoice, "invoices_to_pay_set", "invoice_identifier"),
        (Kind::Bill, "bills_to_pay_set", "bill_identifier"),
    ] {
        let items = call.field(set).and_then(Value::as_array).cloned().unwrap_or_default();
        for (i, item) in items.iter().enumerate() {
            let param = format!("{set}[{i}].{key}");
            let Some(ident) = item.get(key).and_then(|v| Ident::of(&param, v)) else {
                return Err(Refusal::invalid(format!("{param} is required"), "Each item names the document to pay"));
            };
            let part = allocate(state, &mut payment, kind, &ident, Some(remaining))?;
            remaining = remaining
                .checked_sub(part)
                .ok_or_else(|| Refusal::invalid("the amounts overflow", "Amounts must stay within 28 digits"))?;
        }
    }
    insert(state, payment, initial, call.now)
}

fn pay_whole(state: &mut State, call: &Call<'_>, session: &Session, kind: Kind) -> Result<Value, Refusal> {
    let mut payment = new_payment(state, call, session)?;
    let param = match kind {
        Kind::Invoice => "invoice_identifier",
        Kind::Bill => "bill_identifier",
    };
    let ident = Ident::required(call, param)?;
    payment.payment_amount = allocate(state, &mut payment, kind, &ident, None)?;
    insert(state, payment, CrmcomState::Posted, call.now)
}

/// The payment `payment_identifier` names, taken out of the state for changing (put it back after).
fn take_payment(state: &mut State, call: &Call<'_>) -> Result<(String, Payment), Refusal> {
    let ident = Ident::required(call, "payment_identifier")?;
    let (id, _) = find(&state.payments, &ident, "payment")?;
    let payment = state.payments.remove(&id).ok_or_else(|| Refusal::invalid("payment vanished", ""))?;
    Ok((id, payment))
}

/// Moves a payment by `action` through the lifecycle; 409 naming its state and what is allowed.
fn transition(payment: &mut Payment, action: &str, only: &str) -> Result<(), Refusal> {
    match LIFECYCLE.apply(payment.life_cycle_state, action) {
        Ok(to) => {
            payment.life_cycle_state = to;
            Ok(())
        }
        Err(e) => Err(Refusal::new(
            409,
            "INVALID_STATE",
            format!(
                "payment_identifier: the payment with reference_number \"{}\" is {}; only a {only} payment can be {}",
                payment.reference_number,
                payment.life_cycle_state.name(),
                match action {
                    "post" => "posted",
                    "reject" => "rejected",
                    "cancel" => "cancelled",
                    other => other,
                }
            ),
            e.to_string(),
        )),
    }
}

fn touch(log: &mut Log, session: &Session, now: Timestamp) {
    log.updated_date = now;
    log.updated_by_user.clone_from(&session.user);
    log.updated_by_unit.clone_from(&session.unit);
}

fn post(state: &mut State, call: &Call<'_>, session: &Session) -> Result<Value, Refusal> {
    let (id, mut payment) = take_payment(state, call)?;
    transition(&mut payment, "post", "DRAFT")?;
    mark_posted(state, &mut payment, call.now);
    touch(&mut payment.log, session, call.now);
    let data = payment_short(&id, &payment);
    state.payments.insert(id, payment);
    Ok(data)
}

fn reject(state: &mut State, call: &Call<'_>, session: &Session) -> Result<Value, Refusal> {
    let ident = Ident::required(call, "rejection_reason_identifier")?;
    let (reason, _) = find(&state.rejection_reasons, &ident, "rejection reason")?;
    let (id, mut payment) = take_payment(state, call)?;
    transition(&mut payment, "reject", "DRAFT")?;
    release(state, &mut payment)?;
    payment.rejection_reason = Some(reason);
    touch(&mut payment.log, session, call.now);
    let data = payment_short(&id, &payment);
    state.payments.insert(id, payment);
    Ok(data)
}

fn cancel(state: &mut State, call: &Call<'_>, session: &Session) -> Result<Value, Refusal> {
    let kind = find_type(state, call, "PAYMENT_CANCELLATION")?;
    let category =
        find_optional(call, "category_identifier", &state.categories, "financial transaction category")?.map(|c| c.0);
    let (id, mut payment) = take_payment(state, call)?;
    transition(&mut payment, "cancel", "POSTED")?;
    if payment.cancellation.is_some() {
        return Err(Refusal::new(
            409,
            "INVALID_STATE",
            format!(
                "payment_identifier: the payment with reference_number \"{}\" is already cancelled",
                payment.reference_number
            ),
            "A payment is cancelled at most once",
        ));
    }
    if !LIFECYCLE.initial.contains(&CrmcomState::Posted) {
        return Err(Refusal::invalid("a payment cancellation cannot be created POSTED", ""));
    }
    release(state, &mut payment)?;
    touch(&mut payment.log, session, call.now);
    state.payments.insert(id.clone(), payment);
    let (number, reference_number) = state.next_cancellation_numbers();
    let cancellation_id = state.next_id();
    let Some(payment) = state.payments.get_mut(&id) else {
        return Err(Refusal::invalid("payment_identifier: the payment vanished", ""));
    };
    payment.cancellation = Some(cancellation_id.clone());
    let cancellation = PaymentCancellation {
        number,
        reference_number,
        life_cycle_state: CrmcomState::Posted,
        payment_amount: payment.payment_amount,
        payment: id.clone(),
        kind,
        category,
        issued_on: call.now,
        posted_on: call.now,
        notes: input_text(call, "notes"),
        issue_reason: input_text(call, "issue_reason"),
        udfs: udfs(call),
        log: new_log(session, call.now),
    };
    let data = json!({
        "payment": payment_short(&id, payment),
        "payment_cancellation": cancellation_short(&cancellation_id, &cancellation),
    });
    state.payment_cancellations.insert(cancellation_id, cancellation);
    Ok(data)
}

// ---------------------------------------------------------------------------------------------
// What people see: the payments as CRM.COM shows them, the request of a lifecycle action, and the
// state without credentials.

/// How many characters of a gateway's card reference a view shows.
const CARD_TAIL_SHOWN: usize = 3;
/// How many characters of a gateway's card reference a redacted state keeps.
const CARD_TAIL_KEPT: usize = 4;

/// The last `n` characters of `text`, only when they are less than half of it (so a short
/// reference is never shown whole); `None` otherwise.
fn tail(text: &str, n: usize) -> Option<String> {
    let count = text.chars().count();
    (count > n.saturating_mul(2)).then(|| text.chars().skip(count - n).collect())
}

impl State {
    /// The payments as CRM.COM shows them, oldest issued first (then by reference number, the
    /// order of `payments/list`). Payment cancellations are not listed on their own: each shows as
    /// the `cancellation` relation of the payment it cancels. CRM.COM records no currency on a
    /// payment or an accounts receivable, so `currency` is `None`. A card shows masked
    /// (`Card •••• DXK`), never with its full gateway reference.
    pub fn payments(&self) -> Vec<PaymentView> {
        let mut payments: Vec<(&String, &Payment)> = self.payments.iter().collect();
        payments.sort_by(|a, b| {
            (a.1.issued_on, &a.1.reference_number, a.0).cmp(&(b.1.issued_on, &b.1.reference_number, b.0))
        });
        payments.into_iter().map(|(id, p)| self.payment_view(id, p)).collect()
    }

    fn account_label(&self, id: &str) -> String {
        self.accounts_receivable.get(id).map_or_else(|| id.to_owned(), |a| format!("{} · {}", a.number, a.name))
    }

    fn payment_view(&self, id: &str, p: &Payment) -> PaymentView {
        let text = |s: &str| s.to_owned();
        let method = self.payment_methods.get(&p.payment_method).map_or(p.payment_method.as_str(), |m| &m.name);
        let kind = self.types.get(&p.kind).map_or(p.kind.as_str(), |t| &t.name);
        let account = self.account_label(&p.accounts_receivable);
        let mut fields = vec![
            (text("accounts receivable"), account.clone()),
            (text("payment method"), text(method)),
            (text("type"), text(kind)),
            (text("received on"), p.received_on.local_seconds(0)),
        ];
        if let Some(posted) = p.posted_on {
            fields.push((text("posted on"), posted.local_seconds(0)));
        }
        if let Some(reason) = &p.rejection_reason {
            let name = self.rejection_reasons.get(reason).map_or(reason.as_str(), |r| &r.name);
            fields.push((text("rejection reason"), text(name)));
        }
        let number = self.accounts_receivable.get(&p.accounts_receivable).map_or(&p.accounts_receivable, |a| &a.number);
        let mut facets = vec![(text("accounts receivable"), number.clone()), (text("type"), text(kind))];
        if let Some(category) = p.category.as_ref().and_then(|c| self.categories.get(c)) {
            facets.push((text("category"), category.name.clone()));
        }
        facets.push((text("payment method"), text(method)));
        let relation = |kind: &str, label: String| RelationView { kind: text(kind), label, payment: None };
        let mut relations = Vec::new();
        for (kind, documents, allocations, what) in
            [("invoice", &self.invoices, &p.invoices, "Invoice"), ("bill", &self.bills, &p.bills, "Bill")]
        {
            for (doc, amount) in allocations {
                let name = documents.get(doc).map_or(doc.as_str(), |d| &d.reference_number);
                relations.push(relation(kind, format!("{what} {name} · {amount} paid")));
            }
        }
        if let Some(c) = p.cancellation.as_ref().and_then(|c| self.payment_cancellations.get(c)) {
            relations.push(relation("cancellation", format!("Cancellation {} · No {}", c.reference_number, c.number)));
        }
        if let Some(card) = &p.card {
            let shown = self.cards.get(card).and_then(|c| tail(&c.payment_gateway_reference_number, CARD_TAIL_SHOWN));
            relations.push(relation("card", shown.map_or_else(|| text("Card ••••"), |t| format!("Card •••• {t}"))));
        }
        relations.push(relation("account", format!("Accounts receivable {account}")));
        PaymentView {
            key: id.to_owned(),
            label: match &p.number {
                Some(n) => format!("Payment {} · No {n}", p.reference_number),
                None => format!("Payment {}", p.reference_number),
            },
            amount: Some(p.payment_amount.to_string()),
            currency: None,
            status: p.life_cycle_state.name().to_owned(),
            fields,
            facets,
            relations,
        }
    }

    /// The CRM.COM request that performs `action` on payment `key` (its id), with the first token
    /// filled in and the payment named by its reference number: `post` is `payments/post`,
    /// `reject` is `payments/reject` with the first rejection reason, `cancel` is
    /// `payments/cancel` with the first type classified `PAYMENT_CANCELLATION` (and no category).
    /// `verify` has no request: PENDING_VERIFICATION is modelled but never entered by these
    /// operations (SEEDS.md). Whether the payment's state allows the action is left to the API,
    /// which answers 409 naming the state and the allowed actions.
    pub fn action_request(&self, key: &str, action: &str) -> Result<Request, String> {
        let Some(payment) = self.payments.get(key) else {
            return Err(format!("there is no CRM.COM payment with id {key}"));
        };
        let token = self.tokens.keys().next().cloned().unwrap_or_default();
        let identifier = json!({ "reference_number": payment.reference_number });
        let (path, body) = match action {
            "post" => ("/payments/post", json!({ "token": token, "payment_identifier": identifier })),
            "reject" => {
                let Some(reason) = self.rejection_reasons.values().next() else {
                    return Err("CRM.COM has no payment rejection reason to reject the payment with".to_owned());
                };
                let body = json!({
                    "token": token,
                    "payment_identifier": identifier,
                    "rejection_reason_identifier": { "name": reason.name },
                });
                ("/payments/reject", body)
            }
            "cancel" => {
                let Some(kind) = self.types.values().find(|t| t.classification == "PAYMENT_CANCELLATION") else {
                    return Err("CRM.COM has no financial transaction type classified PAYMENT_CANCELLATION".to_owned());
                };
                let body = json!({
                    "token": token,
                    "payment_identifier": identifier,
                    "type_identifier": { "name": kind.name },
                });
                ("/payments/cancel", body)
            }
            "verify" => {
                return Err("CRM.COM's API as emulated has no verify request: PENDING_VERIFICATION is modelled but \
                            never entered by these operations (SEEDS.md), so no payment awaits verification"
                    .to_owned());
            }
            other => {
                return Err(format!(
                    "CRM.COM's payment API has no request for `{other}`; its actions are post, reject and cancel"
                ));
            }
        };
        Ok(view::request(Profile::Crmcom, "POST", path.to_owned(), body))
    }

    /// Takes the credentials out (for exports and the HTTP world view): every token of the login
    /// method, and every card's full payment gateway reference. The gateway reference is treated
    /// as a credential because, with a token, naming it (`card_identifier`) charges the card again;
    /// it is cut to its prefix and last four characters (`card_…mDXK`), so the card stays
    /// recognisable and the views read the same. The charge references of payments
    /// (`payment_gateway_reference_number`, `ch_…`) name past charges and cannot charge anything:
    /// they are kept. Contacts' personal data is not a credential and is kept too. Nothing
    /// `check` relies on changes, so a redacted state still passes it.
    pub fn redact_tokens(&mut self) {
        self.tokens.clear();
        for card in self.cards.values_mut() {
            let reference = &card.payment_gateway_reference_number;
            // The kind prefix (`card_`) says what the reference is; it is kept when it is short and
            // plainly a word.
            let prefix = reference
                .split_once('_')
                .map(|(p, _)| p)
                .filter(|p| !p.is_empty() && p.len() <= 5 && p.chars().all(|c| c.is_ascii_alphabetic()))
                .map_or_else(String::new, |p| format!("{p}_"));
            let kept = tail(reference, CARD_TAIL_KEPT).unwrap_or_default();
            card.payment_gateway_reference_number = format!("{prefix}…{kept}");
        }
    }
}

#[cfg(test)]
mod tests {
    use super::State;
    use crate::Request;
    use crate::ledger::{Ledger, SteppingClock};

    #[test]
    fn every_scenario_step_keeps_the_invariants() {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("data/crmcom/scenarios");
        let mut steps = 0;
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            if !path.to_string_lossy().ends_with(".in.jsonl") {
                continue;
            }
            let mut ledger = Ledger::sample(Box::new(SteppingClock::default()));
            for line in std::fs::read_to_string(&path).unwrap().lines().filter(|l| !l.trim().is_empty()) {
                let before = ledger.world().crmcom.clone();
                let response = ledger.handle(&Request::from_json(line).unwrap());
                let after = &ledger.world().crmcom;
                if let Err(e) = after.check() {
                    panic!("{}: {line}: {e}", path.display());
                }
                // A refusal changes nothing; financial transactions are never deleted.
                if response.status != 200 {
                    assert_eq!(&before, after, "{line}");
                }
                assert!(before.payments.keys().all(|id| after.payments.contains_key(id)), "{line}");
                assert!(before.payment_cancellations.keys().all(|id| after.payment_cancellations.contains_key(id)));
                steps += 1;
            }
        }
        assert!(steps > 50, "only {steps} scenario steps");
    }

    #[test]
    fn the_sample_part_reads_and_holds_its_invariants() {
        let state: State = serde_json::from_str(include_str!("../../../data/crmcom/sample.json")).unwrap();
        state.check().unwrap();
        assert!(state.payments.len() >= 6);
    }

    #[test]
    fn check_catches_an_outstanding_amount_that_does_not_add_up() {
        let mut state: State = serde_json::from_str(include_str!("../../../data/crmcom/sample.json")).unwrap();
        let invoice = state.invoices.values_mut().find(|d| d.reference_number == "322").unwrap();
        invoice.outstanding_amount = "1".parse().unwrap();
        assert!(state.check().unwrap_err().contains("outstanding"));
    }

    use crate::ledger::World;
    use crate::lifecycle::State as _;
    use crate::vendors::crmcom::LIFECYCLE;

    fn sample() -> State {
        serde_json::from_str(include_str!("../../../data/crmcom/sample.json")).unwrap()
    }

    #[test]
    fn every_allowed_action_request_is_valid_and_moves_the_payment() {
        let state = sample();
        let mut done = 0;
        for view in state.payments() {
            let from = crate::vendors::crmcom::CrmcomState::from_name(&view.status).unwrap();
            for t in LIFECYCLE.transitions.iter().filter(|t| t.from == from) {
                let request = state.action_request(&view.key, t.action).unwrap();
                let report = crate::validate(&request);
                assert!(report.valid, "{} {}: {:?}", view.label, t.action, report.errors);
                let mut ledger = Ledger::with_world(World::sample(), Box::new(SteppingClock::default()));
                let response = ledger.handle(&request);
                assert_eq!(response.status, 200, "{} {}: {}", view.label, t.action, response.body);
                let after = ledger.world().crmcom.payments();
                let moved = after.iter().find(|p| p.key == view.key).unwrap();
                assert_eq!(moved.status, t.to.name(), "{} {}", view.label, t.action);
                ledger.world().crmcom.check().unwrap();
                done += 1;
            }
        }
        // Two drafts (post, reject) and four posted payments (cancel).
        assert_eq!(done, 8);
    }

    #[test]
    fn verify_unknown_actions_and_unknown_keys_have_no_request() {
        let state = sample();
        let key = state.payments.keys().next().unwrap().clone();
        assert!(state.action_request(&key, "verify").unwrap_err().contains("SEEDS.md"));
        assert!(state.action_request(&key, "refund").unwrap_err().contains("refund"));
        assert!(state.action_request("NOPE", "post").unwrap_err().contains("NOPE"));
        let request = state.action_request(&key, "cancel").unwrap();
        assert!(request.body.get("category_identifier").is_none());
        assert_eq!(request.body["token"], state.tokens.keys().next().unwrap().as_str());
    }

    #[test]
    fn the_views_show_payments_as_crmcom_does() {
        let views = sample().payments();
        let labels: Vec<&str> = views.iter().map(|v| v.label.as_str()).collect();
        assert_eq!(
            labels,
            [
                "Payment 110 · No 95",
                "Payment 111 · No 96",
                "Payment 112 · No 97",
                "Payment 113 · No 98",
                "Payment 117",
                "Payment 118",
            ]
        );
        let first = &views[0];
        assert_eq!(first.key, "1F4A7D0C3B6E9A2D5C8F1B4E7A0D3C6F");
        assert_eq!(first.amount.as_deref(), Some("78"));
        assert_eq!(first.currency, None);
        assert_eq!(first.status, "POSTED");
        let names: Vec<&str> = first.fields.iter().map(|f| f.0.as_str()).collect();
        assert_eq!(names, ["accounts receivable", "payment method", "type", "received on", "posted on"]);
        assert_eq!(first.fields[0].1, "192 · Peter Johnson Premium");
        let facets: Vec<&str> = first.facets.iter().map(|f| f.0.as_str()).collect();
        assert_eq!(facets, ["accounts receivable", "type", "category", "payment method"]);
        assert_eq!(first.facets[0].1, "192");
        let second = &views[1];
        assert_eq!(second.relations[0].kind, "invoice");
        assert_eq!(second.relations[0].label, "Invoice 322 · 60 paid");
        assert_eq!(second.relations[1].kind, "account");
        assert_eq!(views[4].status, "DRAFT");
        assert!(views[4].fields.iter().all(|f| f.0 != "posted on"));
    }

    #[test]
    fn cancellations_rejections_and_cards_show_as_relations_and_fields() {
        let mut ledger = Ledger::sample(Box::new(SteppingClock::default()));
        let state = ledger.world().crmcom.clone();
        let key = |r: &str| state.payments.iter().find(|(_, p)| p.reference_number == r).unwrap().0.clone();
        for (reference, action) in [("111", "cancel"), ("117", "reject")] {
            let request = state.action_request(&key(reference), action).unwrap();
            assert_eq!(ledger.handle(&request).status, 200);
        }
        let create = r#"{"profile":"crmcom","method":"POST","path":"/payments/create","body":{"token":"825D7B5BB7F62E043A7C73B0FFBF124F","accounts_receivable_identifier":{"number":"200"},"type_identifier":{"name":"Payment 1"},"life_cycle_state":"POSTED","payment_method_identifier":{"name":"Stripe Payment Gateway"},"card_identifier":{"payment_gateway_reference_number":"card_15S0w0E0IcJRGs11e6ffmDXK"},"payment_amount":"50","bills_to_pay_set":[{"bill_identifier":{"number":"163"}}]}}"#;
        assert_eq!(ledger.handle_json(create).status, 200);
        let views = ledger.world().crmcom.payments();
        let cancelled = views.iter().find(|v| v.key == key("111")).unwrap();
        assert_eq!(cancelled.status, "CANCELLED");
        let relation = cancelled.relations.iter().find(|r| r.kind == "cancellation").unwrap();
        assert!(relation.label.starts_with("Cancellation ") && relation.label.contains(" · No "), "{}", relation.label);
        assert!(cancelled.relations.iter().all(|r| r.kind != "invoice"));
        let rejected = views.iter().find(|v| v.key == key("117")).unwrap();
        assert_eq!(
            rejected.fields.last().unwrap(),
            &("rejection reason".to_owned(), "Reject Due to Business Request".to_owned())
        );
        let carded = views.last().unwrap();
        let kinds: Vec<&str> = carded.relations.iter().map(|r| r.kind.as_str()).collect();
        assert_eq!(kinds, ["bill", "card", "account"]);
        assert_eq!(carded.relations[0].label, "Bill B163 · 50 paid");
        assert_eq!(carded.relations[1].label, "Card •••• DXK");
        let text = serde_json::to_string(&views).unwrap();
        assert!(!text.contains("card_15S0w0E0IcJRGs11e6ffmDXK"));
        // Cancellations are relations, not payments of their own.
        assert_eq!(views.len(), state.payments.len() + 1);
    }

    #[test]
    fn a_redacted_state_has_no_credentials_and_keeps_its_invariants() {
        let mut ledger = Ledger::sample(Box::new(SteppingClock::default()));
        let create = r#"{"profile":"crmcom","method":"POST","path":"/payments/create","body":{"token":"825D7B5BB7F62E043A7C73B0FFBF124F","accounts_receivable_identifier":{"number":"200"},"type_identifier":{"name":"Payment 1"},"life_cycle_state":"POSTED","payment_method_identifier":{"name":"Stripe Payment Gateway"},"card_identifier":{"payment_gateway_reference_number":"card_15S0w0E0IcJRGs11e6ffmDXK"},"payment_amount":"50"}}"#;
        assert_eq!(ledger.handle_json(create).status, 200);
        let state = ledger.world().crmcom.clone();
        let mut redacted = state.clone();
        redacted.redact_tokens();
        redacted.check().unwrap();
        assert!(redacted.tokens.is_empty());
        let text = serde_json::to_string(&redacted).unwrap();
        for token in state.tokens.keys() {
            assert!(!text.to_ascii_uppercase().contains(token.as_str()), "token {token} survives");
        }
        for card in state.cards.values() {
            assert!(!text.contains(&card.payment_gateway_reference_number));
        }
        let card = redacted.cards.values().find(|c| c.number.ends_with("4242")).unwrap();
        assert_eq!(card.payment_gateway_reference_number, "card_…mDXK");
        // The views read the same, and an action request carries no credential.
        assert_eq!(redacted.payments(), state.payments());
        let key = state.payments.keys().next().unwrap();
        assert_eq!(redacted.action_request(key, "post").unwrap().body["token"], "");
        // Redacting twice changes nothing more.
        let mut twice = redacted.clone();
        twice.redact_tokens();
        assert_eq!(twice, redacted);
    }
}
