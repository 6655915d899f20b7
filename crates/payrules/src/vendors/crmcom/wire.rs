//! CRM.COM on the wire: the envelope every answer shares, the refusal, and the payment, payment
//! cancellation and related objects, typed in the document's key order (an absent record is
//! `null`; keys left out while empty are skipped), and the `fields_set` projection.
#![allow(clippy::struct_field_names)] // the vendor's own key names (`payment_amount`, …)

use std::collections::BTreeMap;

use serde::Serialize;
use serde_json::{Map, Value};

use super::records::{
    AccountsReceivable, Card, Category, Contact, Document, Log, Payment, PaymentCancellation, PaymentMethod,
    RejectionReason, State, TransactionType, UDFS, Unit, User,
};
use crate::Violation;
use crate::ledger::table::Table;
use crate::ledger::{Call, Timestamp, money_plain};
use crate::lifecycle::State as _;
use crate::money::Amount;
use crate::request::Response;

/// `status` of every answer: `{"message", "description", "code"}`.
#[derive(Serialize)]
struct Status<'a> {
    message: Option<&'a str>,
    description: Option<&'a str>,
    code: &'a str,
}

/// The answer to a request that succeeded: `{"status": {…, "code": "OK"}, "data": …}`.
#[derive(Serialize)]
struct Answer<'a, T> {
    status: Status<'a>,
    data: &'a T,
}

/// The answer to a refused request: `{"status", "data": null, "errors"}`.
#[derive(Serialize)]
struct Failure<'a> {
    status: Status<'a>,
    data: (),
    errors: &'a [Violation],
}

/// HTTP 200 with `data` in the OK envelope.
pub(super) fn ok<T: Serialize>(data: &T) -> Response {
    Response::of(200, &Answer { status: Status { message: None, description: None, code: "OK" }, data })
}

/// A refused request: HTTP status, CRM.COM code, message and description.
#[derive(Debug)]
pub(super) struct Refusal {
    status: u16,
    code: &'static str,
    message: String,
    description: String,
}

impl Refusal {
    pub(super) fn new(
        status: u16,
        code: &'static str,
        message: impl Into<String>,
        description: impl Into<String>,
    ) -> Refusal {
        Refusal { status, code, message: message.into(), description: description.into() }
    }

    /// 400 `INVALID_PARAMETER`.
    pub(super) fn invalid(message: impl Into<String>, description: impl Into<String>) -> Refusal {
        Refusal::new(400, "INVALID_PARAMETER", message, description)
    }

    /// The refusal in the envelope, with the validation report's violations.
    pub(super) fn response(self, call: &Call<'_>) -> Response {
        let status = Status { message: Some(&self.message), description: Some(&self.description), code: self.code };
        Response::of(self.status, &Failure { status, data: (), errors: &call.report.errors })
    }
}

/// A time as CRM.COM writes it: UTC, without offset.
fn time(t: Timestamp) -> String {
    t.local_seconds(0)
}

/// A user.
#[derive(Serialize)]
struct UserObject<'a> {
    person_name: &'a str,
    username: &'a str,
    id: &'a str,
    email: Option<&'a str>,
}

/// A unit.
#[derive(Serialize)]
struct UnitObject<'a> {
    community_name: &'a str,
    group_name: &'a str,
    name: &'a str,
    id: &'a str,
    description: Option<&'a str>,
    alternative_code: &'a str,
}

/// The owner of an accounts receivable.
#[derive(Serialize)]
struct OwnerObject<'a> {
    last_name: Option<&'a str>,
    middle_name: Option<&'a str>,
    company_profile: &'a Value,
    #[serde(rename = "type")]
    kind: &'a str,
    first_name: Option<&'a str>,
    name: &'a str,
    id: &'a str,
    company_name: Option<&'a str>,
    demographics: &'a Value,
}

/// An accounts receivable.
#[derive(Serialize)]
struct AccountObject<'a> {
    account_owner: Option<OwnerObject<'a>>,
    life_cycle_state: &'a str,
    number: &'a str,
    name: &'a str,
    id: &'a str,
}

/// A financial transaction type.
#[derive(Serialize)]
struct TypeObject<'a> {
    classification: &'a str,
    name: &'a str,
    id: &'a str,
    description: Option<&'a str>,
    alternative_code: &'a str,
}

/// A financial transaction category.
#[derive(Serialize)]
struct CategoryObject<'a> {
    name: &'a str,
    id: &'a str,
    code: &'a str,
    description: Option<&'a str>,
}

/// A payment method (`payment_gateway` only when it is linked with one).
#[derive(Serialize)]
struct MethodObject<'a> {
    name: &'a str,
    id: &'a str,
    description: Option<&'a str>,
    alternative_code: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    payment_gateway: Option<&'a str>,
}

/// A payment gateway card.
#[derive(Serialize)]
struct CardObject<'a> {
    id: &'a str,
    number: &'a str,
    payment_gateway_reference_number: &'a str,
}

/// The card of a payment that has one.
#[derive(Serialize)]
#[serde(untagged)]
enum CardEntry<'a> {
    /// The card is not on record: `null`.
    Unknown,
    /// The card.
    Known(CardObject<'a>),
}

/// A payment rejection reason.
#[derive(Serialize)]
struct ReasonObject<'a> {
    name: &'a str,
    id: &'a str,
    alternative_code: &'a str,
    description: Option<&'a str>,
}

/// An invoice or a bill a payment pays.
#[derive(Serialize)]
struct DocumentObject<'a> {
    total_amount: Value,
    issued_on: String,
    life_cycle_state: &'a str,
    number: &'a str,
    due_on: String,
    id: &'a str,
    outstanding_amount: Value,
    reference_number: &'a str,
    posted_on: String,
}

/// Who created and last changed a transaction, and when.
#[derive(Serialize)]
struct LogObject<'a> {
    updated_date: String,
    created_by_unit: Option<UnitObject<'a>>,
    created_date: String,
    updated_by_unit: Option<UnitObject<'a>>,
    created_by_user: Option<UserObject<'a>>,
    updated_by_user: Option<UserObject<'a>>,
}

/// The user defined fields, every one of them, `null` where none was sent.
struct Udfs<'a>(&'a BTreeMap<String, Value>);

impl Serialize for Udfs<'_> {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeMap;
        let mut map = serializer.serialize_map(Some(UDFS.len()))?;
        for name in UDFS {
            map.serialize_entry(name, self.0.get(*name).unwrap_or(&Value::Null))?;
        }
        map.end()
    }
}

/// The full payment object (`payments/show`, and what `fields_set` picks from). `card`,
/// `description`, `notes` and the gateway fields are left out while the payment has none.
#[derive(Serialize)]
struct PaymentObject<'a> {
    id: &'a str,
    number: Option<&'a str>,
    reference_number: &'a str,
    life_cycle_state: &'static str,
    payment_amount: Value,
    issued_on: String,
    posted_on: Option<String>,
    received_on: String,
    accounts_receivable: Option<AccountObject<'a>>,
    #[serde(rename = "type")]
    kind: Option<TypeObject<'a>>,
    category: Option<CategoryObject<'a>>,
    payment_method: Option<MethodObject<'a>>,
    /// Left out without a card; `null` when the card is not on record.
    #[serde(skip_serializing_if = "Option::is_none")]
    card: Option<CardEntry<'a>>,
    received_by_user: Option<UserObject<'a>>,
    received_by_unit: Option<UnitObject<'a>>,
    rejection_reason: Option<ReasonObject<'a>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    description: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    notes: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    payment_gateway_reference_number: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    processed_by_payment_gateway: Option<&'a str>,
    invoices_to_pay_set: Vec<DocumentObject<'a>>,
    bills_to_pay_set: Vec<DocumentObject<'a>>,
    log_information: LogObject<'a>,
    #[serde(flatten)]
    udfs: Udfs<'a>,
}

/// The short payment object of create, pay, post, reject and cancel (the gateway fields only once
/// the card is charged).
#[derive(Serialize)]
pub(super) struct PaymentShort<'a> {
    #[serde(skip_serializing_if = "Option::is_none")]
    payment_gateway_reference_number: Option<&'a str>,
    payment_amount: Value,
    issued_on: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    processed_by_payment_gateway: Option<&'a str>,
    life_cycle_state: &'static str,
    number: Option<&'a str>,
    id: &'a str,
    reference_number: &'a str,
    posted_on: Option<String>,
}

impl<'a> PaymentShort<'a> {
    pub(super) fn of(id: &'a str, p: &'a Payment) -> PaymentShort<'a> {
        PaymentShort {
            payment_gateway_reference_number: p.payment_gateway_reference_number.as_deref(),
            payment_amount: money_plain(p.payment_amount),
            issued_on: time(p.issued_on),
            processed_by_payment_gateway: p.processed_by_payment_gateway.as_deref(),
            life_cycle_state: p.life_cycle_state.name(),
            number: p.number.as_deref(),
            id,
            reference_number: &p.reference_number,
            posted_on: p.posted_on.map(time),
        }
    }
}

/// The short payment cancellation object.
#[derive(Serialize)]
struct CancellationShort<'a> {
    payment_amount: Value,
    issued_on: String,
    life_cycle_state: &'static str,
    number: &'a str,
    id: &'a str,
    reference_number: &'a str,
    posted_on: String,
}

/// The answer to `payments/cancel`: the payment and its payment cancellation.
#[derive(Serialize)]
pub(super) struct Cancelled<'a> {
    payment: PaymentShort<'a>,
    payment_cancellation: CancellationShort<'a>,
}

impl<'a> Cancelled<'a> {
    pub(super) fn of(
        id: &'a str,
        payment: &'a Payment,
        cancellation_id: &'a str,
        c: &'a PaymentCancellation,
    ) -> Cancelled<'a> {
        Cancelled {
            payment: PaymentShort::of(id, payment),
            payment_cancellation: CancellationShort {
                payment_amount: money_plain(c.payment_amount),
                issued_on: time(c.issued_on),
                life_cycle_state: c.life_cycle_state.name(),
                number: &c.number,
                id: cancellation_id,
                reference_number: &c.reference_number,
                posted_on: time(c.posted_on),
            },
        }
    }
}

fn user<'a>(id: &'a str, u: &'a User) -> UserObject<'a> {
    UserObject { person_name: &u.person_name, username: &u.username, id, email: u.email.as_deref() }
}

fn unit<'a>(id: &'a str, u: &'a Unit) -> UnitObject<'a> {
    UnitObject {
        community_name: &u.community_name,
        group_name: &u.group_name,
        name: &u.name,
        id,
        description: u.description.as_deref(),
        alternative_code: &u.alternative_code,
    }
}

fn owner<'a>(id: &'a str, c: &'a Contact) -> OwnerObject<'a> {
    OwnerObject {
        last_name: c.last_name.as_deref(),
        middle_name: c.middle_name.as_deref(),
        company_profile: &c.company_profile,
        kind: &c.kind,
        first_name: c.first_name.as_deref(),
        name: &c.name,
        id,
        company_name: c.company_name.as_deref(),
        demographics: &c.demographics,
    }
}

fn kind<'a>(id: &'a str, t: &'a TransactionType) -> TypeObject<'a> {
    TypeObject {
        classification: &t.classification,
        name: &t.name,
        id,
        description: t.description.as_deref(),
        alternative_code: &t.alternative_code,
    }
}

fn category<'a>(id: &'a str, c: &'a Category) -> CategoryObject<'a> {
    CategoryObject { name: &c.name, id, code: &c.code, description: c.description.as_deref() }
}

fn method<'a>(id: &'a str, m: &'a PaymentMethod) -> MethodObject<'a> {
    MethodObject {
        name: &m.name,
        id,
        description: m.description.as_deref(),
        alternative_code: &m.alternative_code,
        payment_gateway: m.payment_gateway.as_deref(),
    }
}

fn card<'a>(id: &'a str, c: &'a Card) -> CardObject<'a> {
    CardObject { id, number: &c.number, payment_gateway_reference_number: &c.payment_gateway_reference_number }
}

fn reason<'a>(id: &'a str, r: &'a RejectionReason) -> ReasonObject<'a> {
    ReasonObject { name: &r.name, id, alternative_code: &r.alternative_code, description: r.description.as_deref() }
}

fn document<'a>(id: &'a str, d: &'a Document) -> DocumentObject<'a> {
    DocumentObject {
        total_amount: money_plain(d.total_amount),
        issued_on: time(d.issued_on),
        life_cycle_state: &d.life_cycle_state,
        number: &d.number,
        due_on: time(d.due_on),
        id,
        outstanding_amount: money_plain(d.outstanding_amount),
        reference_number: &d.reference_number,
        posted_on: time(d.posted_on),
    }
}

/// The record `id` of `map`, as its object.
fn named<'a, T: Clone + 'static, O>(
    map: &'a Table<String, T>,
    id: &'a str,
    object: fn(&'a str, &'a T) -> O,
) -> Option<O> {
    map.get(id).map(|record| object(id, record))
}

impl State {
    fn account(&self, id: &str) -> Option<AccountObject<'_>> {
        let (id, a): (&String, &AccountsReceivable) = self.accounts_receivable.get_key_value(id)?;
        Some(AccountObject {
            account_owner: named(&self.contacts, &a.owner, owner),
            life_cycle_state: &a.life_cycle_state,
            number: &a.number,
            name: &a.name,
            id,
        })
    }

    /// The documents a payment pays, in id order (those on record).
    fn documents<'a>(
        documents: &'a Table<String, Document>,
        allocations: &'a BTreeMap<String, Amount>,
    ) -> Vec<DocumentObject<'a>> {
        allocations.keys().filter_map(|id| named(documents, id, document)).collect()
    }

    fn log<'a>(&'a self, log: &'a Log) -> LogObject<'a> {
        LogObject {
            updated_date: time(log.updated_date),
            created_by_unit: named(&self.units, &log.created_by_unit, unit),
            created_date: time(log.created_date),
            updated_by_unit: named(&self.units, &log.updated_by_unit, unit),
            created_by_user: named(&self.users, &log.created_by_user, user),
            updated_by_user: named(&self.users, &log.updated_by_user, user),
        }
    }

    /// The full payment object, as a map for `fields_set` to pick from.
    pub(super) fn payment_full(&self, id: &str, p: &Payment) -> Map<String, Value> {
        let object = PaymentObject {
            id,
            number: p.number.as_deref(),
            reference_number: &p.reference_number,
            life_cycle_state: p.life_cycle_state.name(),
            payment_amount: money_plain(p.payment_amount),
            issued_on: time(p.issued_on),
            posted_on: p.posted_on.map(time),
            received_on: time(p.received_on),
            accounts_receivable: self.account(&p.accounts_receivable),
            kind: named(&self.types, &p.kind, kind),
            category: p.category.as_deref().and_then(|c| named(&self.categories, c, category)),
            payment_method: named(&self.payment_methods, &p.payment_method, method),
            card: p.card.as_deref().map(|c| named(&self.cards, c, card).map_or(CardEntry::Unknown, CardEntry::Known)),
            received_by_user: named(&self.users, &p.received_by_user, user),
            received_by_unit: named(&self.units, &p.received_by_unit, unit),
            rejection_reason: p.rejection_reason.as_deref().and_then(|r| named(&self.rejection_reasons, r, reason)),
            description: p.description.as_deref(),
            notes: p.notes.as_deref(),
            payment_gateway_reference_number: p.payment_gateway_reference_number.as_deref(),
            processed_by_payment_gateway: p.processed_by_payment_gateway.as_deref(),
            invoices_to_pay_set: State::documents(&self.invoices, &p.invoices),
            bills_to_pay_set: State::documents(&self.bills, &p.bills),
            log_information: self.log(&p.log),
            udfs: Udfs(&p.udfs),
        };
        match serde_json::to_value(object) {
            Ok(Value::Object(map)) => map,
            _ => Map::new(),
        }
    }
}

/// The named fields of a full object, in the order named (a field left out while empty is `null`).
/// It picks keys by name at run time, so it works on the object's map.
pub(super) fn project(full: &Map<String, Value>, fields: &str) -> Value {
    let mut m = Map::new();
    for name in fields.split(',').map(str::trim).filter(|n| !n.is_empty()) {
        m.insert(name.to_owned(), full.get(name).cloned().unwrap_or(Value::Null));
    }
    Value::Object(m)
}
