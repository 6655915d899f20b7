//! CRM.COM's records (`State`), the numbers it hands out, and their invariants (`check`).
#![allow(clippy::struct_field_names)] // records keep the vendor's own field names (`payment_amount`, `payment_type_id`)

use crate::ledger::table::Table;
use crate::ledger::vendor::Records;
use std::collections::{BTreeMap, BTreeSet};

use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::lifecycle::CrmcomState;
use super::operations::PAYMENT_FIELD_NAMES;
use crate::ledger::Timestamp;
use crate::ledger::time::hex32;
use crate::lifecycle::State as _;
use crate::money::Amount;

/// CRM.COM's records. Every map is keyed by the record's `id`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
#[serde(deny_unknown_fields)]
pub struct State {
    /// Tokens from the login method, each with the user and unit it acts as.
    pub(crate) tokens: Table<String, Session>,
    /// Contacts (the owners of accounts receivable and of cards).
    pub(crate) contacts: Table<String, Contact>,
    /// Accounts receivable.
    pub(crate) accounts_receivable: Table<String, AccountsReceivable>,
    /// Payment methods.
    pub(crate) payment_methods: Table<String, PaymentMethod>,
    /// Financial transaction types.
    pub(crate) types: Table<String, TransactionType>,
    /// Financial transaction categories.
    pub(crate) categories: Table<String, Category>,
    /// Users.
    pub(crate) users: Table<String, User>,
    /// Units.
    pub(crate) units: Table<String, Unit>,
    /// Payment rejection reasons.
    pub(crate) rejection_reasons: Table<String, RejectionReason>,
    /// Payment gateway cards.
    pub(crate) cards: Table<String, Card>,
    /// Invoices.
    pub(crate) invoices: Table<String, Document>,
    /// Bills.
    pub(crate) bills: Table<String, Document>,
    /// Payments.
    pub(crate) payments: Table<String, Payment>,
    /// Payment cancellations.
    pub(crate) payment_cancellations: Table<String, PaymentCancellation>,
    /// The next numbers to hand out.
    pub(crate) counters: Counters,
}

crate::ledger::de::read_struct!(State {
    tokens: "tokens",
    contacts: "contacts",
    accounts_receivable: "accounts_receivable",
    payment_methods: "payment_methods",
    types: "types",
    categories: "categories",
    users: "users",
    units: "units",
    rejection_reasons: "rejection_reasons",
    cards: "cards",
    invoices: "invoices",
    bills: "bills",
    payments: "payments",
    payment_cancellations: "payment_cancellations",
    counters: "counters",
});

/// Who a token acts as.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Session {
    /// The user's id.
    pub(crate) user: String,
    /// The unit's id.
    pub(crate) unit: String,
}

/// A contact: a person or a company.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Contact {
    /// The full name.
    pub(crate) name: String,
    /// `PERSON` or `COMPANY`.
    #[serde(rename = "type")]
    pub(crate) kind: String,
    /// First name (persons).
    pub(crate) first_name: Option<String>,
    /// Middle name (persons).
    pub(crate) middle_name: Option<String>,
    /// Last name (persons).
    pub(crate) last_name: Option<String>,
    /// Company name (companies).
    pub(crate) company_name: Option<String>,
    /// The company profile, as the vendor returns it.
    #[serde(default)]
    pub(crate) company_profile: Value,
    /// Demographics, as the vendor returns them.
    #[serde(default)]
    pub(crate) demographics: Value,
}

crate::ledger::de::read_struct!(Contact {
    name: "name",
    kind: "type",
    first_name: "first_name",
    middle_name: "middle_name",
    last_name: "last_name",
    company_name: "company_name",
    company_profile: "company_profile"(default),
    demographics: "demographics"(default),
});

/// An accounts receivable.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AccountsReceivable {
    /// Its number.
    pub(crate) number: String,
    /// Its name.
    pub(crate) name: String,
    /// Its life cycle state (`ACTIVE`, …).
    pub(crate) life_cycle_state: String,
    /// The owner's contact id.
    pub(crate) owner: String,
}

/// A payment method.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PaymentMethod {
    /// Its name.
    pub(crate) name: String,
    /// Its alternative code.
    pub(crate) alternative_code: String,
    /// Its description.
    pub(crate) description: Option<String>,
    /// The payment gateway it is linked with (`STRIPE`), if any: then a card is required.
    pub(crate) payment_gateway: Option<String>,
}

/// A financial transaction type.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TransactionType {
    /// Its name.
    pub(crate) name: String,
    /// Its alternative code.
    pub(crate) alternative_code: String,
    /// `PAYMENT` or `PAYMENT_CANCELLATION` (others exist in CRM.COM).
    pub(crate) classification: String,
    /// Its description.
    pub(crate) description: Option<String>,
}

/// A financial transaction category.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Category {
    /// Its name.
    pub(crate) name: String,
    /// Its code.
    pub(crate) code: String,
    /// Its description.
    pub(crate) description: Option<String>,
}

/// A user.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct User {
    /// The login name.
    pub(crate) username: String,
    /// The person's name.
    pub(crate) person_name: String,
    /// The e-mail address.
    pub(crate) email: Option<String>,
}

/// A unit of the organisation.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Unit {
    /// Its name.
    pub(crate) name: String,
    /// Its alternative code.
    pub(crate) alternative_code: String,
    /// Its description.
    pub(crate) description: Option<String>,
    /// The community it belongs to.
    pub(crate) community_name: String,
    /// The group it belongs to.
    pub(crate) group_name: String,
}

/// A payment rejection reason.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RejectionReason {
    /// Its name.
    pub(crate) name: String,
    /// Its alternative code.
    pub(crate) alternative_code: String,
    /// Its description.
    pub(crate) description: Option<String>,
}

/// A card kept by a payment gateway.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Card {
    /// Its number (masked).
    pub(crate) number: String,
    /// The gateway's reference for it (`card_15S0w0E0IcJRGs11e6ffmDXK`).
    pub(crate) payment_gateway_reference_number: String,
    /// The owner's contact id.
    pub(crate) owner: String,
}

/// An invoice or a bill.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Document {
    /// Its number (`I00000294`).
    pub(crate) number: String,
    /// Its reference number.
    pub(crate) reference_number: String,
    /// The accounts receivable it is billed to.
    pub(crate) accounts_receivable: String,
    /// Its life cycle state (`POSTED`).
    pub(crate) life_cycle_state: String,
    /// The total.
    pub(crate) total_amount: Amount,
    /// What is still to pay: the total less every allocation to it.
    pub(crate) outstanding_amount: Amount,
    /// When it was issued.
    pub(crate) issued_on: Timestamp,
    /// When it is due.
    pub(crate) due_on: Timestamp,
    /// When it was posted.
    pub(crate) posted_on: Timestamp,
}

crate::ledger::de::read_struct!(Document {
    number: "number",
    reference_number: "reference_number",
    accounts_receivable: "accounts_receivable",
    life_cycle_state: "life_cycle_state",
    total_amount: "total_amount",
    outstanding_amount: "outstanding_amount",
    issued_on: "issued_on",
    due_on: "due_on",
    posted_on: "posted_on",
});

/// Who created and last changed a transaction, and when.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Log {
    /// Created on.
    pub(crate) created_date: Timestamp,
    /// Last changed on.
    pub(crate) updated_date: Timestamp,
    /// Created by (user id).
    pub(crate) created_by_user: String,
    /// Created by (unit id).
    pub(crate) created_by_unit: String,
    /// Last changed by (user id).
    pub(crate) updated_by_user: String,
    /// Last changed by (unit id).
    pub(crate) updated_by_unit: String,
}

/// A payment.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Payment {
    /// Its number, assigned when it is posted.
    pub(crate) number: Option<String>,
    /// Its reference number, assigned when it is created.
    pub(crate) reference_number: String,
    /// Its state.
    pub(crate) life_cycle_state: CrmcomState,
    /// The amount, above zero.
    pub(crate) payment_amount: Amount,
    /// The accounts receivable (id).
    pub(crate) accounts_receivable: String,
    /// The financial transaction type (id).
    #[serde(rename = "type")]
    pub(crate) kind: String,
    /// The payment method (id).
    pub(crate) payment_method: String,
    /// The financial transaction category (id).
    pub(crate) category: Option<String>,
    /// The card charged (id), exactly when the payment method is linked with a gateway.
    pub(crate) card: Option<String>,
    /// When it was received.
    pub(crate) received_on: Timestamp,
    /// When it was issued (created).
    pub(crate) issued_on: Timestamp,
    /// When it was posted.
    pub(crate) posted_on: Option<Timestamp>,
    /// The user who received it (id).
    pub(crate) received_by_user: String,
    /// The unit that received it (id).
    pub(crate) received_by_unit: String,
    /// Why it was rejected (id), once rejected.
    pub(crate) rejection_reason: Option<String>,
    /// A description.
    pub(crate) description: Option<String>,
    /// Notes.
    pub(crate) notes: Option<String>,
    /// The user defined fields sent (`udf_string_1` …), as sent.
    #[serde(default)]
    pub(crate) udfs: BTreeMap<String, Value>,
    /// Amounts allocated to invoices, by invoice id.
    #[serde(default)]
    pub(crate) invoices: BTreeMap<String, Amount>,
    /// Amounts allocated to bills, by bill id.
    #[serde(default)]
    pub(crate) bills: BTreeMap<String, Amount>,
    /// The payment cancellation (id), once cancelled.
    pub(crate) cancellation: Option<String>,
    /// The gateway's reference of the charge, once charged.
    pub(crate) payment_gateway_reference_number: Option<String>,
    /// The gateway that charged the card (`STRIPE`), once charged.
    pub(crate) processed_by_payment_gateway: Option<String>,
    /// Who created and last changed it.
    pub(crate) log: Log,
}

crate::ledger::de::read_struct!(Payment {
    number: "number",
    reference_number: "reference_number",
    life_cycle_state: "life_cycle_state",
    payment_amount: "payment_amount",
    accounts_receivable: "accounts_receivable",
    kind: "type",
    payment_method: "payment_method",
    category: "category",
    card: "card",
    received_on: "received_on",
    issued_on: "issued_on",
    posted_on: "posted_on",
    received_by_user: "received_by_user",
    received_by_unit: "received_by_unit",
    rejection_reason: "rejection_reason",
    description: "description",
    notes: "notes",
    udfs: "udfs"(default),
    invoices: "invoices"(default),
    bills: "bills"(default),
    cancellation: "cancellation",
    payment_gateway_reference_number: "payment_gateway_reference_number",
    processed_by_payment_gateway: "processed_by_payment_gateway",
    log: "log",
});

/// A payment cancellation: the transaction that cancels a posted payment.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(deny_unknown_fields)]
pub struct PaymentCancellation {
    /// Its number.
    pub(crate) number: String,
    /// Its reference number.
    pub(crate) reference_number: String,
    /// Its state (always POSTED).
    pub(crate) life_cycle_state: CrmcomState,
    /// The amount: the cancelled payment's.
    pub(crate) payment_amount: Amount,
    /// The cancelled payment (id).
    pub(crate) payment: String,
    /// The financial transaction type (id).
    #[serde(rename = "type")]
    pub(crate) kind: String,
    /// The financial transaction category (id).
    pub(crate) category: Option<String>,
    /// When it was issued.
    pub(crate) issued_on: Timestamp,
    /// When it was posted.
    pub(crate) posted_on: Timestamp,
    /// Notes.
    pub(crate) notes: Option<String>,
    /// Why it was issued.
    pub(crate) issue_reason: Option<String>,
    /// The user defined fields sent, as sent.
    #[serde(default)]
    pub(crate) udfs: BTreeMap<String, Value>,
    /// Who created it.
    pub(crate) log: Log,
}

crate::ledger::de::read_struct!(PaymentCancellation {
    number: "number",
    reference_number: "reference_number",
    life_cycle_state: "life_cycle_state",
    payment_amount: "payment_amount",
    payment: "payment",
    kind: "type",
    category: "category",
    issued_on: "issued_on",
    posted_on: "posted_on",
    notes: "notes",
    issue_reason: "issue_reason",
    udfs: "udfs"(default),
    log: "log",
});

/// The next numbers to hand out (a number already taken is skipped).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Counters {
    /// The next payment number.
    pub(crate) payment_number: u64,
    /// The next payment reference number.
    pub(crate) payment_reference_number: u64,
    /// The next payment cancellation number.
    pub(crate) cancellation_number: u64,
    /// The next payment cancellation reference number.
    pub(crate) cancellation_reference_number: u64,
    /// The seed of the next 32-hex id.
    pub(crate) id_seed: u64,
    /// The seed of the next gateway charge reference.
    pub(crate) charge_seed: u64,
}

/// The user defined fields a payment or a payment cancellation may carry: the last 16 names
/// `fields_set` may list (`tests.rs` checks they are the bodies' `udf_` fields, in order).
pub(super) const UDFS: &[&str] = PAYMENT_FIELD_NAMES.split_at(PAYMENT_FIELD_NAMES.len() - 16).1;

fn sum<'a>(amounts: impl IntoIterator<Item = &'a Amount>) -> Option<Amount> {
    amounts.into_iter().try_fold(Amount::ZERO, |acc, a| acc.checked_add(*a))
}

impl State {
    fn check_documents(
        &self,
        what: &str,
        documents: &Table<String, Document>,
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

    pub(super) fn next_id(&mut self) -> String {
        loop {
            let seed = self.counters.id_seed;
            self.counters.id_seed = seed.wrapping_add(1);
            let id = hex32(seed);
            if !self.payments.contains_key(&id) && !self.payment_cancellations.contains_key(&id) {
                return id;
            }
        }
    }

    pub(super) fn next_payment_number(&mut self) -> String {
        loop {
            let n = self.counters.payment_number;
            self.counters.payment_number = n.wrapping_add(1);
            let text = n.to_string();
            if !self.payments.values().any(|p| p.number.as_deref() == Some(text.as_str())) {
                return text;
            }
        }
    }

    pub(super) fn next_payment_reference(&mut self) -> String {
        loop {
            let n = self.counters.payment_reference_number;
            self.counters.payment_reference_number = n.wrapping_add(1);
            let text = n.to_string();
            if !self.payments.values().any(|p| p.reference_number == text) {
                return text;
            }
        }
    }

    pub(super) fn next_cancellation_numbers(&mut self) -> (String, String) {
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

    pub(super) fn next_charge(&mut self) -> String {
        let seed = self.counters.charge_seed;
        self.counters.charge_seed = seed.wrapping_add(1);
        let hex = hex32(seed ^ 0x00C4_A26E).to_ascii_lowercase();
        format!("ch_{}", hex.get(..24).unwrap_or_default())
    }
}

impl Records for State {
    /// The invariants: every reference resolves; card ownership holds; for every invoice and bill
    /// `outstanding = total − allocations` and `0 ≤ outstanding ≤ total`; a payment allocates at
    /// most its amount, to documents of its own accounts receivable; a REJECTED or CANCELLED payment
    /// allocates nothing; a CANCELLED payment has exactly one cancellation for the same amount;
    /// numbers and reference numbers are unique.
    fn check(&self) -> Result<(), String> {
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
}
