//! What each plentymarkets operation does to the records: the preamble's answers (unknown route,
//! token, invalid request) and the handlers of create, update, get, the lists and the relations.

use rust_decimal::RoundingStrategy;

use super::inputs::{Criterion, DateRange, Flags, ListInput, Paging, PaymentInput, PaymentPath, RelationPath};
use super::lifecycle::{LIFECYCLE, PlentyState, action_to};
use super::operations::Op;
use super::records::{DECIMALS, Payment, Relation, State, is_four_decimals};
use super::wire::{
    ACCESS_DENIED, ACCESS_DENIED_MESSAGE, INVALID_REQUEST, INVALID_REQUEST_MESSAGE, ListPage, METHOD_NOT_ALLOWED,
    PaymentModel, ROUTE_NOT_FOUND, RelationModel, conflict, invalid, no_route, not_found, refuse, unauthorized,
};
use crate::ledger::{Call, Outcome, Timestamp};
use crate::lifecycle::State as _;
use crate::money::Amount;
use crate::report::{Code, Violation};
use crate::request::Response;

/// No operation has this method and path: 405 where the path answers other methods (as Laravel's
/// router says), 404 where no operation has the path.
pub(super) fn unknown_route(call: &Call<'_>) -> Response {
    let wrong_method = call.report.errors.iter().any(|v| v.code == Code::UnknownRoute && v.path == "/method");
    let (status, class) = if wrong_method { (405, METHOD_NOT_ALLOWED) } else { (404, ROUTE_NOT_FOUND) };
    let message = format!("No route for {} {}", call.method().to_ascii_uppercase(), call.path());
    no_route(status, class, &message, call)
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

/// `` `field` is required ``: for digits that do not fit 64 bits (validation proved them digits).
fn required(call: &Call<'_>, field: &str) -> Response {
    refuse(call, field, Code::Required, format!("`{field}` is required"))
}

// ---------------------------------------------------------------------------------------------
// Create, update, get

/// A payment as a create or update request describes it. `current` is the payment being updated.
fn describe(
    state: &mut State,
    call: &Call<'_>,
    input: &PaymentInput<'_>,
    current: Option<&Payment>,
    id: u64,
) -> Result<Payment, Response> {
    let amount = input.amount;
    let ratio = input.exchange_ratio;
    let transaction_type = input.transaction_type;
    let Some(mop_id) = input.mop_id else {
        return Err(required(call, "mopId"));
    };
    if !state.payment_methods.contains_key(&mop_id) {
        let known: Vec<String> = state.payment_methods.iter().map(|(k, v)| format!("{k} {v}")).collect();
        let message = format!("`mopId` {mop_id} names no payment method; the methods are {}", known.join(", "));
        return Err(refuse(call, "mopId", Code::Enum, message));
    }
    // Validation proves `parentId` is digits, not that it fits 64 bits: such an id names no payment
    // (it was once stored as no parent at all, breaking the split invariant).
    if input.parent_sent && input.parent_id.is_none() {
        let text = call.text("parentId").unwrap_or_default();
        let message = format!(
            "`parentId` {text} names no payment; a split part (transactionType 3) needs an existing parent payment"
        );
        return Err(refuse(call, "parentId", Code::Enum, message));
    }
    // Not sent: a part stays a part of its parent; a payment that is no longer a split part leaves it.
    let parent_id = if input.parent_sent {
        input.parent_id
    } else if transaction_type == 3 {
        current.and_then(|c| c.parent_id)
    } else {
        None
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

    let currency = input.currency.to_owned();
    let (amount, currency, original_amount, original_currency) = if input.is_system_currency {
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
    let origin = input.origin.or(current.map(|c| c.origin)).unwrap_or(default_origin);
    let received_at = match input.received_at {
        Some(t) => state.instant(t).ok_or_else(|| required(call, "receivedAt"))?,
        None => current.map_or(call.now, |c| c.received_at),
    };
    let hash = match current {
        Some(c) if !input.flags.regenerate_hash => c.hash.clone(),
        _ => state.new_hash(),
    };
    Ok(Payment {
        amount,
        exchange_ratio: ratio,
        mop_id,
        parent_id,
        deleted: input.deleted.or(current.map(|c| c.deleted)).unwrap_or(false),
        unaccountable: input.unaccountable.or(current.map(|c| c.unaccountable)).unwrap_or(false),
        currency,
        kind: input.kind.to_owned(),
        hash,
        origin,
        received_at,
        imported_at: current.map_or(call.now, |c| c.imported_at),
        status: current.map_or(input.status, |c| c.status),
        transaction_type,
        is_system_currency: input.is_system_currency,
        original_amount,
        original_currency,
        properties: current.map(|c| c.properties.clone()).unwrap_or_default(),
    })
}

/// Stores `payment` under `id` and checks the split families it belongs to (its own first, then its
/// parent's). `created` says the payment is new: it has no parts of its own to check (every
/// `parentId` names an existing payment and the counter is ahead of every id, as `check` proves of
/// any restored state), which spares a create the scan of every payment.
fn store(state: &mut State, call: &Call<'_>, id: u64, payment: Payment, created: bool) -> Result<(), Response> {
    let parent = payment.parent_id;
    state.payments.insert(id, payment);
    let new = created.then_some(id);
    let own = (!created).then_some(id);
    for family in own.into_iter().chain(parent) {
        if let Some(problem) = state.split_problem(family, Some(id), new) {
            let code = if problem.field == "amount" { Code::Range } else { Code::Enum };
            return Err(refuse(call, problem.field, code, problem.message));
        }
    }
    Ok(())
}

/// `POST /rest/payments`: a new payment in an initial status.
fn create(state: &mut State, call: &Call<'_>) -> Outcome {
    let input = PaymentInput::read(call);
    let id = state.next_payment_id;
    let payment = describe(state, call, &input, None, id)?;
    let status = input.status;
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
    Ok(Response::of(200, &PaymentModel::new(state, id, &payment, input.flags)))
}

/// `PUT /rest/payments`: the payment's fields again; a new status moves through the lifecycle.
fn update(state: &mut State, call: &Call<'_>) -> Outcome {
    let input = PaymentInput::read(call);
    let Some(id) = input.id else {
        return Err(required(call, "id"));
    };
    let Some(current) = state.payments.get(&id).cloned() else {
        return Err(not_found(&format!("Payment {id} does not exist")));
    };
    let mut payment = describe(state, call, &input, Some(&current), id)?;
    let (from, to) = (current.status, input.status);
    if to != from {
        match move_status(from, to) {
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
    Ok(Response::of(200, &PaymentModel::new(state, id, &payment, input.flags)))
}

/// The status `from` moves to when an update asks for `to`, or why it cannot.
fn move_status(from: PlentyState, to: PlentyState) -> Result<PlentyState, String> {
    if let Some(action) = action_to(to) {
        LIFECYCLE.apply(from, action).map_err(|e| e.to_string())
    } else {
        let allowed: Vec<&str> = LIFECYCLE.allowed(from).map(|t| t.action).collect();
        Err(format!(
            "no action leads to `{}`, a payment is only created in it; from `{}` the allowed actions are {}",
            to.name(),
            from.name(),
            if allowed.is_empty() { "none".to_owned() } else { allowed.join(", ") }
        ))
    }
}

/// `GET /rest/payments/{paymentId}` (a deleted payment too).
fn get(state: &State, call: &Call<'_>) -> Outcome {
    let PaymentPath { payment_id: id } = PaymentPath::read(call);
    match state.payments.get(&id) {
        Some(p) => Ok(Response::of(200, &PaymentModel::new(state, id, p, Flags::default()))),
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
    let ListInput { criterion, paging } = ListInput::read(call, listing);
    let matches: Filter<'_> = match criterion {
        Criterion::All => Box::new(|_, _| true),
        Criterion::Method(method) => {
            if !state.payment_methods.contains_key(&method) {
                return Err(not_found(&format!("Payment method {method} does not exist")));
            }
            Box::new(move |_, p| p.mop_id == method)
        }
        Criterion::Status(status) => Box::new(move |_, p| Some(p.status) == status),
        Criterion::TransactionType(tt) => Box::new(move |_, p| Some(p.transaction_type) == tt),
        Criterion::Order(order) => {
            if !state.orders.contains(&order) {
                return Err(not_found(&format!("Order {order} does not exist")));
            }
            Box::new(move |id, _| state.order_relations.get(&id).is_some_and(|r| r.target == order))
        }
        Criterion::EntryDate(range) => {
            let (start, end) = date_range(state, call, range)?;
            Box::new(move |_, p| start <= p.received_at && p.received_at <= end)
        }
        Criterion::ImportDate(range) => {
            let (start, end) = date_range(state, call, range)?;
            Box::new(move |_, p| start <= p.imported_at && p.imported_at <= end)
        }
        Criterion::Property { type_id, value } => {
            if !state.property_types.contains_key(&type_id) {
                let known: Vec<String> = state.property_types.iter().map(|(k, v)| format!("{k} {v}")).collect();
                return Err(not_found(&format!(
                    "Property type {type_id} does not exist; the payment property types are {}",
                    known.join(", ")
                )));
            }
            Box::new(move |_, p| p.properties.get(&type_id).is_some_and(|v| v == value))
        }
    };
    let entries: Vec<(u64, &Payment)> =
        state.payments.iter().filter(|(id, p)| !p.deleted && matches(**id, p)).map(|(&id, p)| (id, p)).collect();
    Ok(Response::of(200, &page(state, paging, &entries)))
}

/// The inclusive range of a date-range list; a bare `endDate` includes its whole (local) day.
fn date_range(state: &State, call: &Call<'_>, range: DateRange<'_>) -> Result<(Timestamp, Timestamp), Response> {
    let start = state.instant(range.start);
    let end = state.instant(range.end).map(|t| if range.end.len() == 10 { t.plus_millis(86_400_000 - 1) } else { t });
    match (start, end) {
        (Some(s), Some(e)) => Ok((s, e)),
        _ => Err(invalid(
            call,
            vec![Violation::error("/query/startDate", Code::Required, "`startDate` and `endDate` are required")],
        )),
    }
}

/// One page of `all`.
fn page<'a>(state: &State, paging: Paging, all: &[(u64, &'a Payment)]) -> ListPage<'a> {
    let Paging { page, per_page } = paging;
    let total = u64::try_from(all.len()).unwrap_or(u64::MAX);
    let last_page = total.div_ceil(per_page).max(1);
    let offset = page.saturating_sub(1).saturating_mul(per_page);
    let entries: Vec<PaymentModel<'a>> = all
        .iter()
        .skip(usize::try_from(offset).unwrap_or(usize::MAX))
        .take(usize::try_from(per_page).unwrap_or(usize::MAX))
        .map(|(id, p)| PaymentModel::new(state, *id, p, Flags::default()))
        .collect();
    let count = u64::try_from(entries.len()).unwrap_or(u64::MAX);
    let (first, last) = if count == 0 { (0, 0) } else { (offset.saturating_add(1), offset.saturating_add(count)) };
    ListPage {
        page,
        totals_count: total,
        is_last_page: page >= last_page,
        last_page_number: last_page,
        first_on_page: first,
        last_on_page: last,
        items_per_page: per_page,
        entries,
    }
}

// ---------------------------------------------------------------------------------------------
// Relations

/// Which relation: to an order or to a contact.
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

/// `POST /rest/payment/{paymentId}/order/{orderId}` (or `/contact/{contactId}`): one per payment.
fn relate(state: &mut State, call: &Call<'_>, kind: Kind) -> Outcome {
    let RelationPath { payment_id, target } = RelationPath::read(call, kind.field());
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
    let model = RelationModel {
        id: relation.id,
        payment_id,
        order_id: matches!(kind, Kind::Order).then_some(target),
        contact_id: matches!(kind, Kind::Contact).then_some(target),
        assigned_at: state.time(relation.assigned_at),
    };
    Ok(Response::of(200, &model))
}

/// `DELETE /rest/payment/{paymentId}/order` (or `/contact`): no output (`null`).
fn unrelate(state: &mut State, call: &Call<'_>, kind: Kind) -> Outcome {
    let PaymentPath { payment_id } = PaymentPath::read(call);
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
    Ok(Response::of(200, &()))
}

#[cfg(test)]
mod tests {
    use super::super::records::tests::sample;
    use crate::Request;
    use crate::ledger::vendor::Records as _;
    use crate::ledger::{Ledger, SteppingClock, World};

    /// Every scenario request keeps the invariants and echoes no token; the answers are the
    /// expected files' (the same as `tests/it/ledger_scenarios.rs`, on this profile's part alone).
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

    /// A split part whose `parentId` is digits too many for an id names no payment: it is refused,
    /// and the ledger keeps its invariants (it was once stored as a part without a parent).
    #[test]
    fn a_parent_id_beyond_any_id_is_refused() {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("data/plentymarkets/scenarios");
        let text = std::fs::read_to_string(dir.join("04-split.in.jsonl")).unwrap();
        let part = text.lines().find(|l| l.contains("\"parentId\"")).unwrap();
        let mut request = Request::from_json(part).unwrap();
        let body = request.body.as_object_mut().unwrap();
        body.insert("parentId".to_owned(), serde_json::from_str("99999999999999999999999").unwrap());
        assert!(crate::validate(&request).valid);
        let mut ledger = Ledger::sample(Box::new(SteppingClock::default()));
        let before = ledger.snapshot();
        let response = ledger.handle(&request);
        assert_eq!(response.status, 422, "{}", response.body);
        assert_eq!(
            response.body["validation_errors"]["parentId"][0].as_str().unwrap(),
            "`parentId` 99999999999999999999999 names no payment; a split part (transactionType 3) needs an existing parent payment"
        );
        assert_eq!(ledger.snapshot(), before);
        assert_eq!(ledger.world().check(), Ok(()));
    }
}
