//! plentymarkets' records, invariants, request reading, response shapes and handlers (to be split by concern).

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;

use rust_decimal::RoundingStrategy;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value, json};

use crate::ledger::time::hex32;
use crate::ledger::shape::{self as view, PaymentView, RelationView};
use crate::ledger::{Call, Outcome, Timestamp, money};
use crate::lifecycle::State as _;
use crate::money::{Amount, Currency};
use crate::profiles::Profile;
use super::lifecycle::{LIFECYCLE, PlentyState, action_to};
use super::operations::{Op, TRANSACTION_TYPE};
use crate::report::{Code, Severity, Violation};
use crate::request::{Request, Response};

/// The decimals every amount and exchange ratio has.
const DECIMALS: u32 = 4;
/// `itemsPerPage` when none is given.
const ITEMS_PER_PAGE: u64 = 50;

/// plentymarkets' records.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct State {
    /// Valid OAuth access tokens (`Authorization: Bearer …`).
    pub access_tokens: BTreeSet<String>,
    /// The system (standard) currency, ISO 4217.
    pub system_currency: String,
    /// Offset of the store's local time from UTC, in minutes (timestamps are written in it).
    pub utc_offset_minutes: i32,
    /// Payment methods by `mopId`: their names.
    pub payment_methods: BTreeMap<u64, String>,
    /// Payment property types by id: their names.
    pub property_types: BTreeMap<u64, String>,
    /// Ids of the orders that exist.
    pub orders: BTreeSet<u64>,
    /// Ids of the contacts that exist.
    pub contacts: BTreeSet<u64>,
    /// Payments by id.
    pub payments: BTreeMap<u64, Payment>,
    /// Payment–order relations, by payment id (at most one per payment).
    pub order_relations: BTreeMap<u64, Relation>,
    /// Payment–contact relations, by payment id (at most one per payment).
    pub contact_relations: BTreeMap<u64, Relation>,
    /// The id the next payment gets.
    pub next_payment_id: u64,
    /// The id the next payment–order relation gets.
    pub next_order_relation_id: u64,
    /// The id the next payment–contact relation gets.
    pub next_contact_relation_id: u64,
    /// The seed of the next generated hash.
    pub next_hash_seed: u64,
}

/// A plentymarkets payment.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Payment {
    /// The amount, 4 decimals, in `currency` (converted when `is_system_currency` is false).
    pub amount: Amount,
    /// The exchange ratio to the system currency, 4 decimals.
    pub exchange_ratio: Amount,
    /// The payment method.
    pub mop_id: u64,
    /// The parent payment of a split part.
    pub parent_id: Option<u64>,
    /// Deleted payments are not listed.
    pub deleted: bool,
    /// An unassigned payment.
    pub unaccountable: bool,
    /// ISO 4217 code.
    pub currency: String,
    /// `debit` or `credit`.
    #[serde(rename = "type")]
    pub kind: String,
    /// 32 characters.
    pub hash: String,
    /// 0 undefined, 1 system, 2 manually, 3 SOAP, 4 import, 5 split payment, 6 plugin.
    pub origin: u8,
    /// When the payment was received (the entry date).
    pub received_at: Timestamp,
    /// When the payment was imported (entered the ledger).
    pub imported_at: Timestamp,
    /// The payment status, written as its number.
    #[serde(with = "status_number")]
    pub status: PlentyState,
    /// 1 interim transaction report, 2 booked payment, 3 split payment.
    pub transaction_type: u8,
    /// The `isSystemCurrency` flag as sent.
    pub is_system_currency: bool,
    /// The amount as sent, when it was converted to the system currency.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub original_amount: Option<Amount>,
    /// The currency as sent, when the amount was converted to the system currency.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub original_currency: Option<String>,
    /// Properties by property type id: their values.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub properties: BTreeMap<u64, String>,
}

/// A relation of a payment to an order or a contact.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Relation {
    /// The relation's id.
    pub id: u64,
    /// The order's (or contact's) id.
    pub target: u64,
    /// When it was assigned.
    pub assigned_at: Timestamp,
}

/// A status as its number (`2`), as the API writes it.
mod status_number {
    use serde::{Deserialize, Deserializer, Serializer};

    use crate::lifecycle::State as _;
    use crate::vendors::plentymarkets::PlentyState;

    #[allow(clippy::trivially_copy_pass_by_ref)] // serde's `with` hands the field by reference
    pub(super) fn serialize<S: Serializer>(status: &PlentyState, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_u8(status.name().parse().unwrap_or_default())
    }

    pub(super) fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<PlentyState, D::Error> {
        let n = u8::deserialize(d)?;
        PlentyState::from_name(&n.to_string())
            .ok_or_else(|| serde::de::Error::custom(format!("{n} is not a plentymarkets payment status (1–10)")))
    }
}

/// Whether an amount keeps the 4-decimal rule: not negative, 1–9 integer digits, exactly 4 decimals.
fn is_four_decimals(a: Amount) -> bool {
    !a.is_negative() && a.scale() == DECIMALS && a.integer_digits() <= 9
}

/// A problem with a split family, with the field it is reported on.
struct SplitProblem {
    field: &'static str,
    message: String,
}

impl SplitProblem {
    fn new(field: &'static str, message: String) -> Self {
        SplitProblem { field, message }
    }
}

impl State {
    /// The invariants: relations point at existing payments, orders and contacts, one of each per
    /// payment, relation ids unique; split parts name an existing parent that is not a part, are in
    /// its currency and sum to at most its amount; amounts and ratios have exactly 4 decimals; hashes
    /// have 32 characters; every payment method, property type and currency exists; counters are
    /// ahead of every id.
    pub fn check(&self) -> Result<(), String> {
        if self.system_currency.parse::<Currency>().is_err() {
            return Err(format!("the system currency `{}` is not an ISO 4217 code", self.system_currency));
        }
        for (&id, p) in &self.payments {
            self.check_payment(id, p)?;
        }
        let parents: BTreeSet<u64> = self.payments.values().filter_map(|p| p.parent_id).collect();
        for parent in parents {
            if let Some(problem) = self.split_problem(parent, None, None) {
                return Err(problem.message);
            }
        }
        check_relations("order", &self.order_relations, &self.payments, &self.orders, self.next_order_relation_id)?;
        check_relations(
            "contact",
            &self.contact_relations,
            &self.payments,
            &self.contacts,
            self.next_contact_relation_id,
        )
    }

    fn check_payment(&self, id: u64, p: &Payment) -> Result<(), String> {
        if id >= self.next_payment_id {
            return Err(format!("payment {id} is not below next_payment_id {}", self.next_payment_id));
        }
        if !is_four_decimals(p.amount) {
            return Err(format!("payment {id}: amount {} is not 1–9 digits with exactly 4 decimals", p.amount));
        }
        if !is_four_decimals(p.exchange_ratio) {
            return Err(format!(
                "payment {id}: exchange ratio {} is not 1–9 digits with exactly 4 decimals",
                p.exchange_ratio
            ));
        }
        if p.hash.chars().count() != 32 {
            return Err(format!("payment {id}: hash `{}` does not have 32 characters", p.hash));
        }
        if !self.payment_methods.contains_key(&p.mop_id) {
            return Err(format!("payment {id}: payment method {} does not exist", p.mop_id));
        }
        if p.currency.parse::<Currency>().is_err() {
            return Err(format!("payment {id}: currency `{}` is not an ISO 4217 code", p.currency));
        }
        if p.kind != "debit" && p.kind != "credit" {
            return Err(format!("payment {id}: type `{}` is neither debit nor credit", p.kind));
        }
        if p.origin > 6 || !(1..=3).contains(&p.transaction_type) {
            return Err(format!(
                "payment {id}: origin {} or transaction type {} unknown",
                p.origin, p.transaction_type
            ));
        }
        if p.parent_id.is_some() != (p.transaction_type == 3) {
            return Err(format!("payment {id}: only a split part (transaction type 3) has a parent, and it must"));
        }
        match (&p.original_amount, &p.original_currency) {
            (Some(a), Some(_)) if is_four_decimals(*a) && !p.is_system_currency => {}
            (None, None) => {}
            _ => return Err(format!("payment {id}: original amount and currency go together, only when converted")),
        }
        if let Some(t) = p.properties.keys().find(|t| !self.property_types.contains_key(t)) {
            return Err(format!("payment {id}: property type {t} does not exist"));
        }
        Ok(())
    }

    /// What is wrong with the split family of `parent`, if anything. `focus` is the payment being
    /// written, to say how much is left for it; `new` is the id of a payment being created, which
    /// messages call "the new part" (the id is not given out when the request is refused).
    fn split_problem(&self, parent_id: u64, focus: Option<u64>, new: Option<u64>) -> Option<SplitProblem> {
        let parts: Vec<(u64, &Payment)> =
            self.payments.iter().filter(|(_, p)| p.parent_id == Some(parent_id)).map(|(&i, p)| (i, p)).collect();
        if parts.is_empty() {
            return None;
        }
        let name = |i: u64| if Some(i) == new { "the new part".to_owned() } else { format!("part {i}") };
        let ids = parts.iter().map(|(i, _)| name(*i)).collect::<Vec<_>>().join(", ");
        let Some(parent) = self.payments.get(&parent_id) else {
            return Some(SplitProblem::new(
                "parentId",
                format!(
                    "`parentId` {parent_id} names no payment; a split part (transactionType 3) needs an existing parent payment"
                ),
            ));
        };
        if let Some(grand) = parent.parent_id {
            let message = if parts.iter().all(|(i, _)| Some(*i) == new) {
                format!(
                    "`parentId` {parent_id} is itself a split part of payment {grand}; a split goes one level deep: split payment {grand} instead"
                )
            } else {
                format!(
                    "payment {parent_id} has split parts ({ids}) and would itself be a split part of payment {grand}; a split goes one level deep"
                )
            };
            return Some(SplitProblem::new("parentId", message));
        }
        if let Some((i, p)) = parts.iter().find(|(_, p)| p.currency != parent.currency) {
            return Some(SplitProblem::new(
                "currency",
                format!(
                    "{} is in {} but its parent payment {parent_id} is in {}; the parts of a split are in the parent's currency",
                    name(*i),
                    p.currency,
                    parent.currency
                ),
            ));
        }
        let mut sum = Amount::ZERO;
        for (_, p) in parts.iter().filter(|(_, p)| !p.deleted) {
            sum = sum.checked_add(p.amount)?;
        }
        if sum > parent.amount {
            let cur = &parent.currency;
            let mut message = format!(
                "the split parts of payment {parent_id} ({ids}) would sum to {sum} {cur}, above the parent's amount {} {cur}; the parts sum to at most the parent's amount",
                parent.amount
            );
            if let Some(f) = focus.filter(|f| *f != parent_id)
                && let Some(part) = self.payments.get(&f)
                && let Some(others) = sum.checked_sub(part.amount)
                && let Some(left) = parent.amount.checked_sub(others)
            {
                let _ = write!(message, ": {left} {cur} remain for {}", name(f));
            }
            return Some(SplitProblem::new("amount", message));
        }
        None
    }

    fn time(&self, t: Timestamp) -> String {
        t.with_offset_seconds(self.utc_offset_minutes)
    }

    /// The response model of a payment (the document's Success 200 fields).
    fn payment_json(&self, id: u64, p: &Payment, flags: Flags) -> Value {
        json!({
            "id": id,
            "amount": money(p.amount),
            "exchangeRatio": money(p.exchange_ratio),
            "parentId": p.parent_id,
            "deleted": u8::from(p.deleted),
            "unaccountable": u8::from(p.unaccountable),
            "currency": p.currency,
            "type": p.kind,
            "hash": p.hash,
            "origin": p.origin,
            "receivedAt": self.time(p.received_at),
            "importedAt": self.time(p.imported_at),
            "status": status_value(p.status),
            "transactionType": p.transaction_type,
            "mopId": p.mop_id,
            "regenerateHash": flags.regenerate_hash,
            "updateOrderPaymentStatus": flags.update_order_payment_status,
            "isSystemCurrency": p.is_system_currency,
        })
    }

    fn new_hash(&mut self) -> String {
        let seed = self.next_hash_seed;
        self.next_hash_seed = seed.saturating_add(1);
        hex32(seed).to_ascii_lowercase()
    }

    /// An instant from a request's date or date-time; without an offset it is the store's local time.
    fn instant(&self, text: &str) -> Option<Timestamp> {
        let utc = Timestamp::parse(text)?;
        let has_offset = text.get(10..).is_some_and(|t| t.contains(['Z', 'z', '+', '-']));
        if has_offset { Some(utc) } else { Some(utc.plus_millis(-i64::from(self.utc_offset_minutes) * 60_000)) }
    }
}

fn check_relations(
    kind: &str,
    relations: &BTreeMap<u64, Relation>,
    payments: &BTreeMap<u64, Payment>,
    targets: &BTreeSet<u64>,
    next_id: u64,
) -> Result<(), String> {
    let mut ids = BTreeSet::new();
    for (payment, r) in relations {
        if !payments.contains_key(payment) {
            return Err(format!("{kind} relation {} names payment {payment}, which does not exist", r.id));
        }
        if !targets.contains(&r.target) {
            return Err(format!("{kind} relation {} names {kind} {}, which does not exist", r.id, r.target));
        }
        if !ids.insert(r.id) || r.id >= next_id {
            return Err(format!("{kind} relation id {} is repeated or not below the next id {next_id}", r.id));
        }
    }
    Ok(())
}

fn status_value(s: PlentyState) -> Value {
    s.name().parse::<u64>().map_or(Value::Null, Value::from)
}

/// The request flags echoed in a create or update response.
#[derive(Clone, Copy, Default)]
struct Flags {
    regenerate_hash: bool,
    update_order_payment_status: bool,
}

// ---------------------------------------------------------------------------------------------
// Failures

const INVALID_REQUEST: &str = "League\\OAuth2\\Server\\Exception\\InvalidRequestException";
const INVALID_REQUEST_MESSAGE: &str = "The request is missing a required parameter, includes an invalid parameter value, includes a parameter more than once, or is otherwise malformed. Check the \"access token\" parameter.";
const ACCESS_DENIED: &str = "League\\OAuth2\\Server\\Exception\\AccessDeniedException";
const ACCESS_DENIED_MESSAGE: &str = "The resource owner or authorization server denied the request.";
const MODEL_NOT_FOUND: &str = "Illuminate\\Database\\Eloquent\\ModelNotFoundException";
const ROUTE_NOT_FOUND: &str = "Symfony\\Component\\HttpKernel\\Exception\\NotFoundHttpException";
const METHOD_NOT_ALLOWED: &str = "Symfony\\Component\\HttpKernel\\Exception\\MethodNotAllowedHttpException";
const CONFLICT: &str = "Symfony\\Component\\HttpKernel\\Exception\\ConflictHttpException";

fn unauthorized(class: &str, message: &str) -> Response {
    Response { status: 401, body: json!({ "error": { "class": class, "message": message } }) }
}

fn not_found(message: &str) -> Response {
    Response { status: 404, body: json!({ "error": { "class": MODEL_NOT_FOUND, "message": message, "code": 404 } }) }
}

fn conflict(message: &str) -> Response {
    Response { status: 409, body: json!({ "error": { "class": CONFLICT, "message": message, "code": 409 } }) }
}

/// 422 with the report's violations and the ledger's own.
fn invalid(call: &Call<'_>, extra: Vec<Violation>) -> Response {
    let mut all: Vec<Violation> = call.report.errors.clone();
    all.extend(extra);
    let mut by_field: Map<String, Value> = Map::new();
    for v in all.iter().filter(|v| v.severity == Severity::Error) {
        let field = v.path.rsplit('/').next().filter(|f| !f.is_empty()).unwrap_or("request");
        let entry = by_field.entry(field.to_owned()).or_insert_with(|| Value::Array(Vec::new()));
        if let Value::Array(list) = entry {
            list.push(Value::String(v.message.clone()));
        }
    }
    Response {
        status: 422,
        body: json!({
            "error": { "message": "The given data was invalid.", "code": 422 },
            "validation_errors": by_field,
            "errors": all,
        }),
    }
}

fn refuse(call: &Call<'_>, field: &str, code: Code, message: String) -> Response {
    invalid(call, vec![Violation::error(format!("/body/{field}"), code, message)])
}

// ---------------------------------------------------------------------------------------------
// Handling

/// No operation has this method and path: 405 where the path answers other methods (as Laravel's
/// router says), 404 where no operation has the path.
pub(super) fn unknown_route(call: &Call<'_>) -> Response {
    let wrong_method = call.report.errors.iter().any(|v| v.code == Code::UnknownRoute && v.path == "/method");
    let (status, class) = if wrong_method { (405, METHOD_NOT_ALLOWED) } else { (404, ROUTE_NOT_FOUND) };
    let message = format!("No route for {} {}", call.method().to_ascii_uppercase(), call.path());
    Response {
        status,
        body: json!({
            "error": { "class": class, "message": message, "code": status },
            "errors": call.report.errors,
        }),
    }
}

/// The OAuth access token: missing or malformed, or not one of the store's.
pub(super) fn authenticate(state: &State, call: &Call<'_>) -> Result<(), Response> {
    let Some(token) = call.bearer() else {
        return Err(unauthorized(INVALID_REQUEST, INVALID_REQUEST_MESSAGE));
    };
    if !state.access_tokens.contains(token) {
        return Err(unauthorized(ACCESS_DENIED, ACCESS_DENIED_MESSAGE));
    }
    Ok(())
}

/// The request failed validation.
pub(super) fn invalid_request(call: &Call<'_>) -> Response {
    invalid(call, Vec::new())
}

/// Answers a valid, authenticated request.
pub(super) fn handle(state: &mut State, op: Op, call: &Call<'_>) -> Outcome {
    match op {
        Op::Create => create(state, call),
        Op::Update => update(state, call),
        Op::Get => get(state, call),
        Op::CreateOrderRelation => relate(state, call, Kind::Order),
        Op::DeleteOrderRelation => unrelate(state, call, Kind::Order),
        Op::CreateContactRelation => relate(state, call, Kind::Contact),
        Op::DeleteContactRelation => unrelate(state, call, Kind::Contact),
        Op::List => list_payments(state, call, Listing::All),
        Op::ListByMethod => list_payments(state, call, Listing::ByMethod),
        Op::ListByStatus => list_payments(state, call, Listing::ByStatus),
        Op::ListByTransactionType => list_payments(state, call, Listing::ByTransactionType),
        Op::ListByOrder => list_payments(state, call, Listing::ByOrder),
        Op::ListByEntryDate => list_payments(state, call, Listing::ByEntryDate),
        Op::ListByImportDate => list_payments(state, call, Listing::ByImportDate),
        Op::ListByProperty => list_payments(state, call, Listing::ByProperty),
    }
}

fn param(call: &Call<'_>, name: &str) -> Option<u64> {
    call.param(name).and_then(|t| t.parse().ok())
}

fn flag(call: &Call<'_>, name: &str, default: bool) -> bool {
    match call.field(name) {
        Some(Value::Bool(b)) => *b,
        Some(Value::String(s)) => matches!(s.as_str(), "true" | "1"),
        Some(Value::Number(n)) => n.as_str() == "1",
        _ => default,
    }
}

fn required<T>(call: &Call<'_>, field: &str, value: Option<T>) -> Result<T, Response> {
    value.ok_or_else(|| refuse(call, field, Code::Required, format!("`{field}` is required")))
}

fn small(call: &Call<'_>, field: &str) -> Option<u8> {
    call.text(field)?.parse().ok()
}

/// A payment as a create or update request describes it. `current` is the payment being updated.
fn describe(
    state: &mut State,
    call: &Call<'_>,
    current: Option<&Payment>,
    id: u64,
) -> Result<(Payment, PlentyState), Response> {
    let amount = required(call, "amount", call.amount("amount"))?;
    let ratio = required(call, "exchangeRatio", call.amount("exchangeRatio"))?;
    let mop_id = required(call, "mopId", call.integer("mopId"))?;
    let currency = required(call, "currency", call.text("currency"))?.into_owned();
    let kind = required(call, "type", call.text("type"))?.into_owned();
    let status_text = required(call, "status", call.text("status"))?;
    let status = required(call, "status", PlentyState::from_name(&status_text))?;
    let transaction_type = required(call, "transactionType", small(call, "transactionType"))?;

    if !state.payment_methods.contains_key(&mop_id) {
        let known: Vec<String> = state.payment_methods.iter().map(|(k, v)| format!("{k} {v}")).collect();
        let message = format!("`mopId` {mop_id} names no payment method; the methods are {}", known.join(", "));
        return Err(refuse(call, "mopId", Code::Enum, message));
    }
    // Not sent: a part stays a part of its parent; a payment that is no longer a split part leaves it.
    let parent_id = match call.field("parentId") {
        Some(_) => call.integer("parentId"),
        None if transaction_type == 3 => current.and_then(|c| c.parent_id),
        None => None,
    };
    if let Some(parent) = parent_id {
        if transaction_type != 3 {
            let message = format!(
                "`parentId` {parent} is only for split payments (transactionType 3); this payment has transactionType {transaction_type}"
            );
            return Err(refuse(call, "parentId", Code::Enum, message));
        }
        if parent == id {
            return Err(refuse(call, "parentId", Code::Enum, format!("payment {id} cannot be its own parent")));
        }
        if let Some(p) = state.payments.get(&parent)
            && p.deleted
            && current.and_then(|c| c.parent_id) != Some(parent)
        {
            let message = format!("`parentId` {parent} names a deleted payment; a new split part needs a live parent");
            return Err(refuse(call, "parentId", Code::Enum, message));
        }
    }

    let is_system_currency = flag(call, "isSystemCurrency", true);
    let (amount, currency, original_amount, original_currency) = if is_system_currency {
        (amount, currency, None, None)
    } else if currency == state.system_currency {
        if ratio.value() != rust_decimal::Decimal::ONE {
            let message = format!(
                "`exchangeRatio` is {ratio}, but {currency} is already the system currency; with isSystemCurrency false it must be 1.0000"
            );
            return Err(refuse(call, "exchangeRatio", Code::Range, message));
        }
        (amount, currency, Some(amount), Some(state.system_currency.clone()))
    } else {
        let converted = amount
            .value()
            .checked_mul(ratio.value())
            .map(|v| {
                let mut v = v.round_dp_with_strategy(DECIMALS, RoundingStrategy::MidpointAwayFromZero);
                v.rescale(DECIMALS);
                Amount::from_decimal(v)
            })
            .filter(|a| is_four_decimals(*a));
        let Some(converted) = converted else {
            let message = format!(
                "`amount` {amount} {currency} × exchangeRatio {ratio} does not fit 9 digits with 4 decimals in {}",
                state.system_currency
            );
            return Err(refuse(call, "amount", Code::Range, message));
        };
        (converted, state.system_currency.clone(), Some(amount), Some(currency))
    };

    let default_origin = if transaction_type == 3 { 5 } else { 2 };
    let origin = small(call, "origin").or(current.map(|c| c.origin)).unwrap_or(default_origin);
    let received_at = match call.text("receivedAt") {
        Some(t) => required(call, "receivedAt", state.instant(&t))?,
        None => current.map_or(call.now, |c| c.received_at),
    };
    let zero_one = |name: &str, old: Option<bool>| match call.text(name) {
        Some(t) => t == "1",
        None => old.unwrap_or(false),
    };
    let hash = match current {
        Some(c) if !flag(call, "regenerateHash", false) => c.hash.clone(),
        _ => state.new_hash(),
    };
    let payment = Payment {
        amount,
        exchange_ratio: ratio,
        mop_id,
        parent_id,
        deleted: zero_one("deleted", current.map(|c| c.deleted)),
        unaccountable: zero_one("unaccountable", current.map(|c| c.unaccountable)),
        currency,
        kind,
        hash,
        origin,
        received_at,
        imported_at: current.map_or(call.now, |c| c.imported_at),
        status: current.map_or(status, |c| c.status),
        transaction_type,
        is_system_currency,
        original_amount,
        original_currency,
        properties: current.map(|c| c.properties.clone()).unwrap_or_default(),
    };
    Ok((payment, status))
}

/// Stores `payment` under `id` and checks the split families it belongs to (its own first, then its
/// parent's). `created` says the payment is new.
fn store(state: &mut State, call: &Call<'_>, id: u64, payment: Payment, created: bool) -> Result<(), Response> {
    let parent = payment.parent_id;
    state.payments.insert(id, payment);
    let new = created.then_some(id);
    for family in std::iter::once(id).chain(parent) {
        if let Some(problem) = state.split_problem(family, Some(id), new) {
            let code = if problem.field == "amount" { Code::Range } else { Code::Enum };
            return Err(refuse(call, problem.field, code, problem.message));
        }
    }
    Ok(())
}

fn flags(call: &Call<'_>) -> Flags {
    Flags {
        regenerate_hash: flag(call, "regenerateHash", false),
        update_order_payment_status: flag(call, "updateOrderPaymentStatus", false),
    }
}

fn create(state: &mut State, call: &Call<'_>) -> Outcome {
    let id = state.next_payment_id;
    let (payment, status) = describe(state, call, None, id)?;
    if !LIFECYCLE.initial.contains(&status) {
        let initial: Vec<&str> = LIFECYCLE.initial.iter().map(|s| s.label()).collect();
        let message = format!(
            "`status` is {}: a payment is created in status {}; other statuses are reached by updating it",
            status.label(),
            initial.join(", ")
        );
        return Err(refuse(call, "status", Code::Enum, message));
    }
    state.next_payment_id = id.saturating_add(1);
    store(state, call, id, payment.clone(), true)?;
    Ok(Response { status: 200, body: state.payment_json(id, &payment, flags(call)) })
}

fn update(state: &mut State, call: &Call<'_>) -> Outcome {
    let id = required(call, "id", call.integer("id"))?;
    let Some(current) = state.payments.get(&id).cloned() else {
        return Err(not_found(&format!("Payment {id} does not exist")));
    };
    let (mut payment, to) = describe(state, call, Some(&current), id)?;
    let from = current.status;
    if to != from {
        let moved = if let Some(action) = action_to(to) {
            LIFECYCLE.apply(from, action).map_err(|e| e.to_string())
        } else {
            let allowed: Vec<&str> = LIFECYCLE.allowed(from).map(|t| t.action).collect();
            Err(format!(
                "no action leads to `{}`, a payment is only created in it; from `{}` the allowed actions are {}",
                to.name(),
                from.name(),
                if allowed.is_empty() { "none".to_owned() } else { allowed.join(", ") }
            ))
        };
        match moved {
            Ok(status) => payment.status = status,
            Err(why) => {
                return Err(conflict(&format!(
                    "Payment {id} cannot move from status {} to {}: {why}",
                    from.label(),
                    to.label()
                )));
            }
        }
    }
    store(state, call, id, payment.clone(), false)?;
    Ok(Response { status: 200, body: state.payment_json(id, &payment, flags(call)) })
}

fn get(state: &State, call: &Call<'_>) -> Outcome {
    let id = param(call, "paymentId").unwrap_or_default();
    match state.payments.get(&id) {
        Some(p) => Ok(Response { status: 200, body: state.payment_json(id, p, Flags::default()) }),
        None => Err(not_found(&format!("Payment {id} does not exist"))),
    }
}

// ---------------------------------------------------------------------------------------------
// Lists

/// Which list: all payments, or those of a method, status, transaction type, order, date range or property.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Listing {
    All,
    ByMethod,
    ByStatus,
    ByTransactionType,
    ByOrder,
    ByEntryDate,
    ByImportDate,
    ByProperty,
}

/// Which payments a list shows (deleted ones are left out before).
type Filter<'a> = Box<dyn Fn(u64, &Payment) -> bool + 'a>;

fn list_payments(state: &State, call: &Call<'_>, listing: Listing) -> Outcome {
    let matches: Filter<'_> = match listing {
        Listing::All => Box::new(|_, _| true),
        Listing::ByMethod => {
            let method = param(call, "methodId").unwrap_or_default();
            if !state.payment_methods.contains_key(&method) {
                return Err(not_found(&format!("Payment method {method} does not exist")));
            }
            Box::new(move |_, p| p.mop_id == method)
        }
        Listing::ByStatus => {
            let status = call.param("statusId").and_then(PlentyState::from_name);
            Box::new(move |_, p| Some(p.status) == status)
        }
        Listing::ByTransactionType => {
            let tt = call.param("transactionTypeId").and_then(|t| t.parse::<u8>().ok());
            Box::new(move |_, p| Some(p.transaction_type) == tt)
        }
        Listing::ByOrder => {
            let order = param(call, "orderId").unwrap_or_default();
            if !state.orders.contains(&order) {
                return Err(not_found(&format!("Order {order} does not exist")));
            }
            Box::new(move |id, _| state.order_relations.get(&id).is_some_and(|r| r.target == order))
        }
        Listing::ByEntryDate | Listing::ByImportDate => {
            let (start, end) = date_range(state, call)?;
            let by_entry = listing == Listing::ByEntryDate;
            Box::new(move |_, p| {
                let t = if by_entry { p.received_at } else { p.imported_at };
                start <= t && t <= end
            })
        }
        Listing::ByProperty => {
            let type_id = param(call, "propertyTypeId").unwrap_or_default();
            if !state.property_types.contains_key(&type_id) {
                let known: Vec<String> = state.property_types.iter().map(|(k, v)| format!("{k} {v}")).collect();
                return Err(not_found(&format!(
                    "Property type {type_id} does not exist; the payment property types are {}",
                    known.join(", ")
                )));
            }
            let value = call.param("propertyValue").unwrap_or_default().to_owned();
            Box::new(move |_, p| p.properties.get(&type_id) == Some(&value))
        }
    };
    let entries: Vec<(u64, &Payment)> =
        state.payments.iter().filter(|(id, p)| !p.deleted && matches(**id, p)).map(|(&id, p)| (id, p)).collect();
    Ok(Response { status: 200, body: page(state, call, &entries) })
}

/// The inclusive range of a date-range list; a bare `endDate` includes its whole (local) day.
fn date_range(state: &State, call: &Call<'_>) -> Result<(Timestamp, Timestamp), Response> {
    let bound = |name: &str| {
        let text = call.query(name)?;
        let t = state.instant(text)?;
        Some(if name == "endDate" && text.len() == 10 { t.plus_millis(86_400_000 - 1) } else { t })
    };
    match (bound("startDate"), bound("endDate")) {
        (Some(s), Some(e)) => Ok((s, e)),
        _ => Err(invalid(
            call,
            vec![Violation::error("/query/startDate", Code::Required, "`startDate` and `endDate` are required")],
        )),
    }
}

fn page(state: &State, call: &Call<'_>, all: &[(u64, &Payment)]) -> Value {
    let number = |name: &str, default: u64| {
        call.query(name).and_then(|t| t.parse::<u64>().ok()).filter(|n| *n > 0).unwrap_or(default)
    };
    let per_page = number("itemsPerPage", ITEMS_PER_PAGE);
    let page = number("page", 1);
    let total = u64::try_from(all.len()).unwrap_or(u64::MAX);
    let last_page = total.div_ceil(per_page).max(1);
    let offset = page.saturating_sub(1).saturating_mul(per_page);
    let entries: Vec<Value> = all
        .iter()
        .skip(usize::try_from(offset).unwrap_or(usize::MAX))
        .take(usize::try_from(per_page).unwrap_or(usize::MAX))
        .map(|(id, p)| state.payment_json(*id, p, Flags::default()))
        .collect();
    let count = u64::try_from(entries.len()).unwrap_or(u64::MAX);
    let (first, last) = if count == 0 { (0, 0) } else { (offset.saturating_add(1), offset.saturating_add(count)) };
    json!({
        "page": page,
        "totalsCount": total,
        "isLastPage": page >= last_page,
        "lastPageNumber": last_page,
        "firstOnPage": first,
        "lastOnPage": last,
        "itemsPerPage": per_page,
        "entries": entries,
    })
}

// ---------------------------------------------------------------------------------------------
// Relations

#[derive(Clone, Copy)]
enum Kind {
    Order,
    Contact,
}

impl Kind {
    fn word(self) -> &'static str {
        match self {
            Kind::Order => "order",
            Kind::Contact => "contact",
        }
    }

    fn word_capital(self) -> &'static str {
        match self {
            Kind::Order => "Order",
            Kind::Contact => "Contact",
        }
    }

    fn field(self) -> &'static str {
        match self {
            Kind::Order => "orderId",
            Kind::Contact => "contactId",
        }
    }
}

fn relate(state: &mut State, call: &Call<'_>, kind: Kind) -> Outcome {
    let payment_id = param(call, "paymentId").unwrap_or_default();
    let target = param(call, kind.field()).unwrap_or_default();
    let word = kind.word();
    let Some(payment) = state.payments.get(&payment_id) else {
        return Err(not_found(&format!("Payment {payment_id} does not exist")));
    };
    if payment.deleted {
        return Err(conflict(&format!("Payment {payment_id} is deleted; a deleted payment takes no {word} relation")));
    }
    let exists = match kind {
        Kind::Order => state.orders.contains(&target),
        Kind::Contact => state.contacts.contains(&target),
    };
    if !exists {
        return Err(not_found(&format!("{} {target} does not exist", kind.word_capital())));
    }
    let (relations, next) = match kind {
        Kind::Order => (&mut state.order_relations, &mut state.next_order_relation_id),
        Kind::Contact => (&mut state.contact_relations, &mut state.next_contact_relation_id),
    };
    if let Some(r) = relations.get(&payment_id) {
        let message = format!(
            "Payment {payment_id} is already related to {word} {} (relation {}); a payment has one {word}: delete the relation with DELETE /rest/payment/{payment_id}/{word} first",
            r.target, r.id
        );
        return Err(conflict(&message));
    }
    let relation = Relation { id: *next, target, assigned_at: call.now };
    *next = next.saturating_add(1);
    relations.insert(payment_id, relation.clone());
    let offset = state.utc_offset_minutes;
    let mut body = Map::new();
    body.insert("id".to_owned(), Value::from(relation.id));
    body.insert("paymentId".to_owned(), Value::from(payment_id));
    body.insert(kind.field().to_owned(), Value::from(target));
    body.insert("assignedAt".to_owned(), Value::from(relation.assigned_at.with_offset_seconds(offset)));
    Ok(Response { status: 200, body: Value::Object(body) })
}

fn unrelate(state: &mut State, call: &Call<'_>, kind: Kind) -> Outcome {
    let payment_id = param(call, "paymentId").unwrap_or_default();
    if !state.payments.contains_key(&payment_id) {
        return Err(not_found(&format!("Payment {payment_id} does not exist")));
    }
    let relations = match kind {
        Kind::Order => &mut state.order_relations,
        Kind::Contact => &mut state.contact_relations,
    };
    if relations.remove(&payment_id).is_none() {
        return Err(not_found(&format!("Payment {payment_id} has no {} relation", kind.word())));
    }
    Ok(Response { status: 200, body: Value::Null })
}

// ---------------------------------------------------------------------------------------------
// Views

impl State {
    /// The payments as plentymarkets shows them, by id, deleted ones too (with `deleted: yes`).
    pub fn payments(&self) -> Vec<PaymentView> {
        self.payments.iter().map(|(&id, p)| self.payment_view(id, p)).collect()
    }

    fn payment_view(&self, id: u64, p: &Payment) -> PaymentView {
        let method = self.payment_methods.get(&p.mop_id).map_or_else(String::new, |name| format!(" {name}"));
        let transaction_type = p.transaction_type.to_string();
        let transaction_name = TRANSACTION_TYPE
            .known
            .iter()
            .find(|(n, _)| *n == transaction_type)
            .map_or_else(|| transaction_type.clone(), |(_, name)| (*name).to_owned());
        let hash: String = p.hash.chars().take(8).collect();
        let mut fields = vec![
            ("type".to_owned(), p.kind.clone()),
            ("method".to_owned(), format!("{}{method}", p.mop_id)),
            ("transaction type".to_owned(), transaction_name),
            ("received".to_owned(), self.time(p.received_at)),
            ("hash".to_owned(), format!("{hash}…")),
        ];
        if p.deleted {
            fields.push(("deleted".to_owned(), "yes".to_owned()));
        }
        let mut facets =
            vec![("method".to_owned(), p.mop_id.to_string()), ("transaction type".to_owned(), transaction_type)];
        let mut relations = Vec::new();
        if let Some(r) = self.order_relations.get(&id) {
            facets.push(("order".to_owned(), r.target.to_string()));
            relations.push(RelationView {
                kind: "order".to_owned(),
                label: format!("Order {}", r.target),
                payment: None,
            });
        }
        if let Some(r) = self.contact_relations.get(&id) {
            relations.push(RelationView {
                kind: "contact".to_owned(),
                label: format!("Contact {}", r.target),
                payment: None,
            });
        }
        if let Some(parent) = p.parent_id {
            relations.push(RelationView {
                kind: "split of".to_owned(),
                label: format!("Payment {parent}"),
                payment: Some(parent.to_string()),
            });
        }
        relations.extend(self.payments.iter().filter(|(_, part)| part.parent_id == Some(id)).map(|(part, _)| {
            RelationView {
                kind: "split part".to_owned(),
                label: format!("Payment {part}"),
                payment: Some(part.to_string()),
            }
        }));
        PaymentView {
            key: id.to_string(),
            label: format!("Payment {id}"),
            amount: Some(p.amount.to_string()),
            currency: Some(p.currency.clone()),
            status: p.status.name().to_owned(),
            fields,
            facets,
            relations,
        }
    }

    /// A lifecycle action is `PUT /rest/payments` with the payment's fields and the status the action
    /// leads to from the payment's status. A converted payment sends its amount and currency as first
    /// sent with `isSystemCurrency: false`, so the ledger converts it to the same amount again.
    pub fn action_request(&self, key: &str, action: &str) -> Result<Request, String> {
        let id: u64 = key.parse().map_err(|_| format!("{key} is not a plentymarkets payment id"))?;
        let p = self.payments.get(&id).ok_or_else(|| format!("Payment {id} does not exist"))?;
        let to = LIFECYCLE.apply(p.status, action).map_err(|e| e.to_string())?;
        let mut body = Map::new();
        body.insert("id".to_owned(), Value::from(id));
        match (&p.original_amount, &p.original_currency) {
            (Some(amount), Some(currency)) if !p.is_system_currency => {
                body.insert("amount".to_owned(), money(*amount));
                body.insert("exchangeRatio".to_owned(), money(p.exchange_ratio));
                body.insert("mopId".to_owned(), Value::from(p.mop_id));
                body.insert("currency".to_owned(), Value::from(currency.clone()));
                body.insert("isSystemCurrency".to_owned(), Value::Bool(false));
            }
            _ => {
                body.insert("amount".to_owned(), money(p.amount));
                body.insert("exchangeRatio".to_owned(), money(p.exchange_ratio));
                body.insert("mopId".to_owned(), Value::from(p.mop_id));
                body.insert("currency".to_owned(), Value::from(p.currency.clone()));
            }
        }
        body.insert("type".to_owned(), Value::from(p.kind.clone()));
        body.insert("status".to_owned(), status_value(to));
        body.insert("transactionType".to_owned(), Value::from(p.transaction_type));
        if let Some(parent) = p.parent_id {
            body.insert("parentId".to_owned(), Value::from(parent));
        }
        let mut request = view::request(Profile::Plentymarkets, "PUT", "/rest/payments".into(), Value::Object(body));
        let token = self.access_tokens.first().cloned().unwrap_or_default();
        request.headers.insert("Authorization".to_owned(), format!("Bearer {token}"));
        Ok(request)
    }

    /// Takes the credentials (the OAuth access tokens) out, for exports.
    pub fn redact_tokens(&mut self) {
        self.access_tokens.clear();
    }
}

#[cfg(test)]
mod tests {
    use super::State;
    use crate::Request;
    use crate::ledger::{Ledger, SteppingClock, World};

    /// This profile's part of the sample world, read on its own (a part of another profile that
    /// does not read makes `World::sample` empty altogether).
    fn sample() -> State {
        serde_json::from_str(include_str!("../../../data/plentymarkets/sample.json")).unwrap()
    }

    #[test]
    fn the_sample_keeps_the_invariants() {
        let state = sample();
        assert_eq!(state.payments.len(), 10);
        state.check().unwrap();
    }

    /// Every scenario request keeps the invariants and echoes no token; the answers are the
    /// expected files' (the same as `tests/ledger_scenarios.rs`, on this profile's part alone).
    #[test]
    fn scenarios_keep_the_invariants() {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("data/plentymarkets/scenarios");
        let mut seen = 0;
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            let name = path.to_string_lossy().into_owned();
            if !name.ends_with(".in.jsonl") {
                continue;
            }
            let out_path = name.replace(".in.jsonl", ".out.jsonl");
            let bless = std::env::var_os("PAYRULES_BLESS").is_some();
            let expected = if bless { String::new() } else { std::fs::read_to_string(&out_path).unwrap() };
            let mut expected = expected.lines();
            let mut got = String::new();
            let world = World { plentymarkets: sample(), ..World::default() };
            let mut ledger = Ledger::with_world(world, Box::new(SteppingClock::default()));
            for line in std::fs::read_to_string(&path).unwrap().lines().filter(|l| !l.trim().is_empty()) {
                let response = ledger.handle(&Request::from_json(line).unwrap());
                seen += 1;
                ledger.world().plentymarkets.check().unwrap_or_else(|e| panic!("{name}: {line}: {e}"));
                let text = serde_json::to_string(&response).unwrap();
                assert!(!text.contains("SECRET"), "a token was echoed: {text}");
                if !bless {
                    assert_eq!(Some(text.as_str()), expected.next(), "{name}: {line}");
                }
                got.push_str(&text);
                got.push('\n');
            }
            if bless {
                std::fs::write(&out_path, got).unwrap();
            }
        }
        assert!(seen > 50);
    }

    #[test]
    fn check_finds_broken_records() {
        let sample = sample();
        let mut s = sample.clone();
        s.order_relations.values_mut().next().unwrap().target = 999_999;
        assert!(s.check().unwrap_err().contains("order 999999"));

        let mut s = sample.clone();
        let part = s.payments.values_mut().find(|p| p.parent_id.is_some()).unwrap();
        part.amount = "99999.0000".parse().unwrap();
        assert!(s.check().unwrap_err().contains("at most the parent's amount"));

        let mut s = sample.clone();
        s.payments.values_mut().next().unwrap().amount = "12.34".parse().unwrap();
        assert!(s.check().unwrap_err().contains("4 decimals"));

        let mut s = sample.clone();
        s.payments.values_mut().next().unwrap().hash = "short".to_owned();
        assert!(s.check().unwrap_err().contains("32 characters"));

        let mut s = sample.clone();
        s.order_relations.remove(&1);
        s.payments.remove(&1);
        s.contact_relations.values_mut().next().unwrap().id = 99;
        assert!(s.check().unwrap_err().contains("payment 1, which does not exist"));

        let mut s = sample;
        let part = s.payments.values_mut().find(|p| p.parent_id.is_some()).unwrap();
        part.currency = "USD".to_owned();
        assert!(s.check().unwrap_err().contains("parent's currency"));
    }

    fn view(ledger: &Ledger, key: &str) -> crate::ledger::view::PaymentView {
        ledger.world().plentymarkets.payments().into_iter().find(|v| v.key == key).unwrap()
    }

    #[test]
    fn payments_show_every_payment_with_its_links() {
        let views = sample().payments();
        let keys: Vec<&str> = views.iter().map(|v| v.key.as_str()).collect();
        assert_eq!(keys, ["1", "2", "3", "4", "5", "6", "7", "8", "9", "10"]);
        let first = &views[0];
        assert_eq!(first.label, "Payment 1");
        assert_eq!(first.amount.as_deref(), Some("119.9000"));
        assert_eq!(first.currency.as_deref(), Some("EUR"));
        assert_eq!(first.status, "3");
        let names: Vec<&str> = first.fields.iter().map(|(n, _)| n.as_str()).collect();
        assert_eq!(names, ["type", "method", "transaction type", "received", "hash"]);
        assert_eq!(first.fields[1].1, "6001 PayPal");
        assert_eq!(first.fields[2].1, "booked payment");
        assert_eq!(first.fields[3].1, "2023-12-04T10:15:00+01:00");
        assert_eq!(first.fields[4].1, "2b4cb7bc…");
        let facet = |n: &str, v: &str| (n.to_owned(), v.to_owned());
        assert_eq!(first.facets, [facet("method", "6001"), facet("transaction type", "2"), facet("order", "1001")]);
        let kinds: Vec<(&str, &str)> = first.relations.iter().map(|r| (r.kind.as_str(), r.label.as_str())).collect();
        assert_eq!(kinds, [("order", "Order 1001"), ("contact", "Contact 7")]);

        let parent = &views[3];
        let parts: Vec<Option<&str>> =
            parent.relations.iter().filter(|r| r.kind == "split part").map(|r| r.payment.as_deref()).collect();
        assert_eq!(parts, [Some("5"), Some("6")]);
        let part = &views[4];
        assert_eq!(part.relations.len(), 1);
        assert_eq!(part.relations[0].kind, "split of");
        assert_eq!(part.relations[0].label, "Payment 4");
        assert_eq!(part.relations[0].payment.as_deref(), Some("4"));

        let deleted = &views[7];
        assert_eq!(deleted.fields.last().unwrap(), &("deleted".to_owned(), "yes".to_owned()));
        assert!(views.iter().filter(|v| v.key != "8").all(|v| v.fields.iter().all(|(n, _)| n != "deleted")));
    }

    /// Every action the lifecycle allows from a (live) payment's status builds a valid `PUT` that
    /// the ledger answers with 200, moving the payment to the table's target.
    #[test]
    fn action_requests_move_payments_as_the_lifecycle_says() {
        use crate::lifecycle::State as _;
        use crate::vendors::plentymarkets::{LIFECYCLE, PlentyState};

        let state = sample();
        let mut moves = 0;
        for (id, p) in state.payments.iter().filter(|(_, p)| !p.deleted) {
            let key = id.to_string();
            for t in LIFECYCLE.allowed(p.status) {
                let mut ledger = Ledger::with_world(World::sample(), Box::new(SteppingClock::default()));
                assert_eq!(ledger.world().plentymarkets, state);
                let request = ledger.world().plentymarkets.action_request(&key, t.action).unwrap();
                let report = crate::validate(&request);
                assert!(report.valid, "{key} {}: {:?}", t.action, report.errors);
                assert_eq!(report.operation.as_deref(), Some("plentymarkets.update_payment"));
                let response = ledger.handle(&request);
                assert_eq!(response.status, 200, "{key} {}: {}", t.action, response.body);
                assert_eq!(view(&ledger, &key).status, t.to.name(), "{key} {}", t.action);
                let after = &ledger.world().plentymarkets.payments[id];
                assert_eq!(
                    after,
                    &super::Payment { status: t.to, ..p.clone() },
                    "{key} {}: only the status moves",
                    t.action
                );
                ledger.world().plentymarkets.check().unwrap();
                moves += 1;
            }
        }
        assert!(moves > 15, "{moves}");

        let err = state.action_request("9", "approve").unwrap_err();
        assert!(err.contains("approve"), "{err}");
        assert_eq!(err, LIFECYCLE.apply(PlentyState::Refunded, "approve").unwrap_err().to_string());
        assert!(state.action_request("3", "capture").is_err());
        assert!(state.action_request("3", "no_such_action").is_err());
        assert!(state.action_request("99", "approve").is_err());
        assert!(state.action_request("x", "approve").is_err());
    }

    #[test]
    fn action_requests_keep_exact_decimals_and_send_a_token() {
        let request = sample().action_request("10", "capture").unwrap();
        let text = serde_json::to_string(&request.body).unwrap();
        assert!(text.contains(r#""amount":100.0000"#), "{text}");
        assert!(text.contains(r#""exchangeRatio":0.9200"#), "{text}");
        assert!(text.contains(r#""isSystemCurrency":false"#), "{text}");
        assert!(text.contains(r#""status":3"#), "{text}");
        assert_eq!(request.headers["Authorization"], "Bearer plenty-demo-token");
        let part = sample().action_request("5", "capture").unwrap();
        assert_eq!(part.body["parentId"], 4);
    }

    #[test]
    fn redacted_tokens_leave_a_sound_state() {
        let mut state = sample();
        state.redact_tokens();
        assert!(state.access_tokens.is_empty());
        state.check().unwrap();
        let text = serde_json::to_string(&state).unwrap();
        assert!(!text.contains("plenty-demo-token") && !text.contains("plenty-scenario-token"));
        let request = state.action_request("3", "approve").unwrap();
        let world = World { plentymarkets: state, ..World::default() };
        let mut ledger = Ledger::with_world(world, Box::new(SteppingClock::default()));
        assert_eq!(ledger.handle(&request).status, 401);
    }
}
