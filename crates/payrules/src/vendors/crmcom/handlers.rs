//! What CRM.COM's operations do to the records: the preamble's answers (unknown method, invalid
//! request, token), then each operation's handler on its typed input.

use std::collections::BTreeMap;

use super::inputs::{
    self, CancelPayment, CreatePayment, Ident, Listing, Named, NewPayment, PayWhole, PostPayment, RejectPayment, Show,
};
use super::lifecycle::{CrmcomState, LIFECYCLE};
use super::operations::Op;
use super::records::{Document, Log, Payment, PaymentCancellation, Session, State};
use super::wire::{Cancelled, PaymentShort, Refusal, ok, project};
use crate::ledger::table::Table;
use crate::ledger::{Call, Outcome, Timestamp, money_plain};
use crate::lifecycle::State as _;
use crate::money::Amount;
use crate::request::Response;

/// What a handler answers: the OK response, or the refusal.
type Answer = Result<Response, Refusal>;

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
    let token = inputs::token(call);
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

/// Answers a valid request of a logged-in session: its input read once, then its handler.
pub(super) fn handle(state: &mut State, session: &Session, op: Op, call: &Call<'_>) -> Outcome {
    let now = call.now;
    let answer = match op {
        Op::Show => show(state, &Show::read(call)),
        Op::List => list(state, &Listing::read(call, false)),
        Op::GetLatest => list(state, &Listing::read(call, true)),
        Op::Create => create(state, session, &CreatePayment::read(call), now),
        Op::PayInvoice => pay_whole(state, session, &PayWhole::read(call, "invoice_identifier"), Kind::Invoice, now),
        Op::PayBill => pay_whole(state, session, &PayWhole::read(call, "bill_identifier"), Kind::Bill, now),
        Op::Post => post(state, session, &PostPayment::read(call), now),
        Op::Reject => reject(state, session, &RejectPayment::read(call), now),
        Op::Cancel => cancel(state, session, &CancelPayment::read(call), now),
    };
    answer.map_err(|refusal| refusal.response(call))
}

/// The record an identifier names, with its id; 404 naming the parameter, field and value if none.
fn find<'s, T: Named + Clone + 'static>(
    map: &'s Table<String, T>,
    ident: &Ident,
    what: &str,
) -> Result<(String, &'s T), Refusal> {
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

/// The record an optional identifier names, when one is sent.
fn find_optional<'s, T: Named + Clone + 'static>(
    map: &'s Table<String, T>,
    ident: Option<&Ident>,
    what: &str,
) -> Result<Option<(String, &'s T)>, Refusal> {
    ident.map(|ident| find(map, ident, what)).transpose()
}

/// `payments/show`: the full payment object, or the fields `fields_set` names.
fn show(state: &State, input: &Show) -> Answer {
    let (id, p) = find(&state.payments, &input.payment, "payment")?;
    let full = state.payment_full(&id, p);
    Ok(match &input.fields_set {
        Some(fields) => ok(&project(&full, fields)),
        None => ok(&full),
    })
}

/// `payments/list` (every payment of the accounts receivable, oldest first) and
/// `payments/get_latest` (the latest `number` of them, newest first).
fn list(state: &State, input: &Listing) -> Answer {
    let (account, _) = find(&state.accounts_receivable, &input.accounts_receivable, "accounts receivable")?;
    let kind = find_optional(&state.types, input.kind.as_ref(), "financial transaction type")?.map(|x| x.0);
    let category =
        find_optional(&state.categories, input.category.as_ref(), "financial transaction category")?.map(|x| x.0);
    let method = find_optional(&state.payment_methods, input.method.as_ref(), "payment method")?.map(|x| x.0);
    let mut payments: Vec<(&String, &Payment)> = state
        .payments
        .iter()
        .filter(|(_, p)| p.accounts_receivable == account)
        .filter(|(_, p)| kind.as_ref().is_none_or(|k| *k == p.kind))
        .filter(|(_, p)| category.is_none() || category == p.category)
        .filter(|(_, p)| method.as_ref().is_none_or(|m| *m == p.payment_method))
        .collect();
    payments.sort_by(|a, b| (a.1.issued_on, &a.1.reference_number).cmp(&(b.1.issued_on, &b.1.reference_number)));
    if let Some(count) = input.latest {
        payments.reverse();
        payments.truncate(count);
    }
    let default =
        if input.latest.is_some() { "number,id,reference_number" } else { "life_cycle_state,id,reference_number" };
    let fields = input.fields_set.as_deref().unwrap_or(default);
    let items: Vec<_> = payments.into_iter().map(|(id, p)| project(&state.payment_full(id, p), fields)).collect();
    Ok(ok(&items))
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

    fn documents(self, state: &State) -> &Table<String, Document> {
        match self {
            Kind::Invoice => &state.invoices,
            Kind::Bill => &state.bills,
        }
    }

    fn documents_mut(self, state: &mut State) -> &mut Table<String, Document> {
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

/// The financial transaction type `type_identifier` names, of the given classification.
fn find_type(state: &State, ident: &Ident, classification: &str) -> Result<String, Refusal> {
    let (id, t) = find(&state.types, ident, "financial transaction type")?;
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
fn new_payment(state: &State, session: &Session, input: &NewPayment, now: Timestamp) -> Result<Payment, Refusal> {
    let (account_id, account) = find(&state.accounts_receivable, &input.accounts_receivable, "accounts receivable")?;
    let kind = find_type(state, &input.kind, "PAYMENT")?;
    let (method_id, method) = find(&state.payment_methods, &input.method, "payment method")?;
    let category = find_optional(&state.categories, input.category.as_ref(), "financial transaction category")?;
    let user = find_optional(&state.users, input.user.as_ref(), "user")?;
    let unit = find_optional(&state.units, input.unit.as_ref(), "unit")?;
    let card = find_optional(&state.cards, input.card.as_ref(), "card")?;
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
    // A `received_on` of the body is validated; one of the query (read where the body has none) is not.
    let received_on = match &input.received_on {
        Some(text) => Timestamp::parse(text)
            .ok_or_else(|| Refusal::invalid("received_on is not a date and time", "Write it as 2014-07-14T09:12:54"))?,
        None => now,
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
        issued_on: now,
        posted_on: None,
        received_by_user: user.map_or_else(|| session.user.clone(), |u| u.0),
        received_by_unit: unit.map_or_else(|| session.unit.clone(), |u| u.0),
        rejection_reason: None,
        description: input.description.clone(),
        notes: input.notes.clone(),
        udfs: input.udfs.clone(),
        invoices: BTreeMap::new(),
        bills: BTreeMap::new(),
        cancellation: None,
        payment_gateway_reference_number: None,
        processed_by_payment_gateway: None,
        log: new_log(session, now),
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
fn insert(state: &mut State, mut payment: Payment, initial: CrmcomState, now: Timestamp) -> Answer {
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
    let response = ok(&PaymentShort::of(&id, &payment));
    state.payments.insert(id, payment);
    Ok(response)
}

/// `payments/create`: the payment, paying the sets in order up to its amount.
fn create(state: &mut State, session: &Session, input: &CreatePayment, now: Timestamp) -> Answer {
    let mut payment = new_payment(state, session, &input.new, now)?;
    payment.payment_amount = input.amount;
    let mut remaining = input.amount;
    let sets = input.invoices.iter().map(|i| (Kind::Invoice, i)).chain(input.bills.iter().map(|b| (Kind::Bill, b)));
    for (kind, ident) in sets {
        let part = allocate(state, &mut payment, kind, ident, Some(remaining))?;
        remaining = remaining
            .checked_sub(part)
            .ok_or_else(|| Refusal::invalid("the amounts overflow", "Amounts must stay within 28 digits"))?;
    }
    insert(state, payment, input.initial, now)
}

/// `payments/pay_invoice` and `payments/pay_bill`: a POSTED payment of the whole outstanding amount.
fn pay_whole(state: &mut State, session: &Session, input: &PayWhole, kind: Kind, now: Timestamp) -> Answer {
    let mut payment = new_payment(state, session, &input.new, now)?;
    payment.payment_amount = allocate(state, &mut payment, kind, &input.document, None)?;
    insert(state, payment, CrmcomState::Posted, now)
}

/// The payment `ident` names, taken out of the state for changing (put it back after).
fn take_payment(state: &mut State, ident: &Ident) -> Result<(String, Payment), Refusal> {
    let (id, _) = find(&state.payments, ident, "payment")?;
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

/// `payments/post`: a DRAFT payment posted.
fn post(state: &mut State, session: &Session, input: &PostPayment, now: Timestamp) -> Answer {
    let (id, mut payment) = take_payment(state, &input.payment)?;
    transition(&mut payment, "post", "DRAFT")?;
    mark_posted(state, &mut payment, now);
    touch(&mut payment.log, session, now);
    let response = ok(&PaymentShort::of(&id, &payment));
    state.payments.insert(id, payment);
    Ok(response)
}

/// `payments/reject`: a DRAFT payment rejected, its allocations released.
fn reject(state: &mut State, session: &Session, input: &RejectPayment, now: Timestamp) -> Answer {
    let (reason, _) = find(&state.rejection_reasons, &input.reason, "rejection reason")?;
    let (id, mut payment) = take_payment(state, &input.payment)?;
    transition(&mut payment, "reject", "DRAFT")?;
    release(state, &mut payment)?;
    payment.rejection_reason = Some(reason);
    touch(&mut payment.log, session, now);
    let response = ok(&PaymentShort::of(&id, &payment));
    state.payments.insert(id, payment);
    Ok(response)
}

/// `payments/cancel`: a POSTED payment cancelled by a POSTED payment cancellation.
fn cancel(state: &mut State, session: &Session, input: &CancelPayment, now: Timestamp) -> Answer {
    let kind = find_type(state, &input.kind, "PAYMENT_CANCELLATION")?;
    let category =
        find_optional(&state.categories, input.category.as_ref(), "financial transaction category")?.map(|c| c.0);
    let (id, mut payment) = take_payment(state, &input.payment)?;
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
    touch(&mut payment.log, session, now);
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
        issued_on: now,
        posted_on: now,
        notes: input.notes.clone(),
        issue_reason: input.issue_reason.clone(),
        udfs: input.udfs.clone(),
        log: new_log(session, now),
    };
    let response = ok(&Cancelled::of(&id, payment, &cancellation_id, &cancellation));
    state.payment_cancellations.insert(cancellation_id, cancellation);
    Ok(response)
}
