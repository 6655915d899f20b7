//! What each LogiSense operation does to the records: the preamble's answers (`trackingId`,
//! unknown route, credential, validation), then lists and reads, creates, reversals, updates,
//! PATCH batches and deletes, with disbursement and the reversal and retry links.

use super::inputs::{self, Change, PaymentFields};
use super::lifecycle::{LIFECYCLE, LogisenseState};
use super::operations::Op;
use super::records::{Disbursement, Kind, OPTIONAL_REFS, Payment, State};
use super::wire::{
    Changed, Deleted, Detached, Fail, Instance, Item, List, Paged, PagedResults, Pagination, Related, Results, Shape,
    conflict, error_response, field_of, invalid_reference, not_found, overflow, refusal,
};
use crate::Severity;
use crate::json::Members;
use crate::ledger::time::uuid;
use crate::ledger::{Call, Outcome, Timestamp};
use crate::lifecycle::State as _;
use crate::money::Amount;
use crate::request::Response;

/// The `trackingId` of this request's answer (a refusal drops the advanced seed with the copy).
pub(super) fn begin(state: &mut State, call: &Call<'_>) -> String {
    let now_bits = u64::from_ne_bytes(call.now.unix_millis().to_ne_bytes());
    let tracking = uuid(state.tracking_seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) ^ now_bits);
    state.tracking_seed = state.tracking_seed.wrapping_add(1);
    tracking
}

/// No operation has this method and path.
pub(super) fn unknown_route(tracking: &str, call: &Call<'_>) -> Response {
    let message = call.report.errors.first().map_or("No such operation", |v| v.message.as_str());
    refusal(tracking, call, &Fail::new(404, "UnknownRoute", None, message.to_owned()))
}

/// The user of the bearer token.
pub(super) fn authenticate(state: &State, tracking: &str, call: &Call<'_>) -> Result<u64, Response> {
    let user = match call.bearer() {
        Some(token) => state.tokens.get(token).copied(),
        None => None,
    };
    user.ok_or_else(|| {
        let message = match call.header("authorization") {
            None => "The Authorization header is missing: send `Authorization: Bearer <access token>`",
            Some(_) if call.bearer().is_none() => "The Authorization header must be `Bearer <access token>`",
            Some(_) => "The access token is not valid or has expired",
        };
        let fail = Fail::new(401, "Unauthorized", None, message.to_owned());
        error_response(401, tracking, call, &[fail], true)
    })
}

/// The request failed validation: one error per violation, with its field.
pub(super) fn invalid(tracking: &str, call: &Call<'_>) -> Response {
    let errors: Vec<Fail> = call
        .report
        .errors
        .iter()
        .filter(|v| v.severity == Severity::Error)
        .map(|v| Fail::new(400, "InvalidRequest", field_of(&v.path).as_deref(), v.message.clone()))
        .collect();
    error_response(400, tracking, call, &errors, false)
}

/// Answers a valid request of an authenticated user.
pub(super) fn handle(state: &mut State, tracking: &str, user: u64, op: Op, call: &Call<'_>) -> Outcome {
    let path_id = call.param("id").and_then(|t| t.parse::<u64>().ok()).unwrap_or_default();
    let body: &Members<'_> = call.members().map_or(&[], |m| m);
    let now = call.now;
    let result = match op {
        Op::List => {
            let items: Vec<_> = state.payments.iter().map(|(&id, p)| state.payment_json(id, p, Shape::Full)).collect();
            Ok(Response::of(200, &List { tracking_id: tracking, total_count: items.len(), items }))
        }
        Op::ListPaged => Ok(paged(state, call, tracking, false)),
        Op::ListPagedDetail => Ok(paged(state, call, tracking, true)),
        Op::Get | Op::GetDetail => match state.payments.get(&path_id) {
            None => Err(not_found(path_id)),
            Some(p) => {
                let instance = if op == Op::GetDetail {
                    state.detail_json(path_id, p)
                } else {
                    state.payment_json(path_id, p, Shape::Full)
                };
                Ok(Response::of(200, &Instance { tracking_id: tracking, instance }))
            }
        },
        Op::Create | Op::CreateVendor => state
            .create(&inputs::Create::read(body), op == Op::CreateVendor, user, now)
            .map(|id| Response::of(200, &Results::new(tracking, "create", vec![state.instance(id)]))),
        Op::Reverse | Op::ReverseVendor => state
            .reverse(inputs::Reverse::read(body), op == Op::ReverseVendor, user, now)
            .map(|id| Response::of(200, &Results::new(tracking, "create", vec![state.instance(id)]))),
        Op::Update => state
            .update(path_id, &inputs::Update::read(body), now)
            .map(|()| Response::of(200, &Results::new(tracking, "update", vec![state.instance(path_id)]))),
        Op::Patch => {
            return patch(state, inputs::Patch::read(body), path_id, user, now)
                .map(|items| Response::of(200, &Results::new(tracking, "patch", items)))
                .map_err(|fails| {
                    let status = fails.first().map_or(400, |f| f.status);
                    error_response(status, tracking, call, &fails, false)
                });
        }
        Op::Delete => state.delete(path_id).map(|items| Response::of(200, &Results::new(tracking, "delete", items))),
    };
    result.map_err(|fail| refusal(tracking, call, &fail))
}

/// `Payment/Paged` and `Payment/Paged/Detail`.
fn paged(state: &State, call: &Call<'_>, tracking: &str, detail: bool) -> Response {
    let number = call.query("pageNumber").and_then(|t| t.parse::<usize>().ok()).unwrap_or(1).max(1);
    let size = call.query("pageSize").and_then(|t| t.parse::<usize>().ok()).unwrap_or(20).max(1);
    let exclude = call.query("excludeTotalCount").is_some_and(|t| t == "true");
    let items = state
        .payments
        .iter()
        .skip(number.saturating_sub(1).saturating_mul(size))
        .take(size)
        .map(|(&id, p)| if detail { state.detail_json(id, p) } else { state.payment_json(id, p, Shape::Full) })
        .collect();
    Response::of(
        200,
        &Paged {
            tracking_id: tracking,
            pagination: Pagination { page_number: number, page_size: size, exclude_total_count: exclude },
            results: PagedResults { total_count: (!exclude).then_some(state.payments.len()), items },
        },
    )
}

/// `PATCH Payment/{id}`: every item, atomically; the result items or every failed item.
fn patch(
    state: &mut State,
    body: inputs::Patch,
    path_id: u64,
    user: u64,
    now: Timestamp,
) -> Result<Vec<Item>, Vec<Fail>> {
    if !state.payments.contains_key(&path_id) {
        return Err(vec![not_found(path_id)]);
    }
    if body.details {
        return Err(vec![Fail::new(
            400,
            "InvalidRequest",
            Some("details"),
            "`details` must be empty: invoice disbursements and reversals are made by the ledger (automaticDisburse, POST Payment/Reverse)".to_owned(),
        )]);
    }
    let mut results = Vec::new();
    let mut fails = Vec::new();
    for item in body.items {
        let mut next = state.clone();
        let changed = |next: &State, identity: u64, action: &'static str| {
            vec![Item::Changed(Box::new(Changed {
                identity,
                action,
                dto_type_key: "payment",
                instance: next.instance(identity),
            }))]
        };
        let outcome = match item.change {
            Change::Create(create) => next.create(&create, false, user, now).map(|id| changed(&next, id, "created")),
            Change::Update(id, update) => next.update(id, &update, now).map(|()| changed(&next, id, "updated")),
            Change::Delete(id) => next.delete(id),
        };
        match outcome {
            Ok(mut r) => {
                *state = next;
                results.append(&mut r);
            }
            Err(mut fail) => {
                fail.patch_client_id = Some(item.client);
                fails.push(fail);
            }
        }
    }
    if fails.is_empty() { Ok(results) } else { Err(fails) }
}

impl State {
    /// The exchange detail a new payment on `account_id` uses when none is sent.
    fn default_exchange(&self, account_id: u64) -> Result<Option<u64>, Fail> {
        let Some(account) = self.accounts.get(&account_id) else { return Ok(None) };
        if account.currency == self.system_currency {
            return Ok(None);
        }
        let found = self.currency_exchange_details.iter().rev().find(|(_, d)| d.currency == account.currency);
        found.map(|(id, _)| Some(*id)).ok_or_else(|| {
            invalid_reference(
                "currencyExchangeDetailId",
                format!(
                    "no CurrencyExchangeDetail converts {} (account {account_id}) to {}; send currencyExchangeDetailId or baseAmount",
                    account.currency, self.system_currency
                ),
            )
        })
    }

    /// Disburses what is left of a posted payment to its invoice, or to its account's open invoices oldest first.
    fn disburse(&mut self, payment_id: u64) -> Result<(), Fail> {
        let Some(p) = self.payments.get(&payment_id).cloned() else { return Ok(()) };
        if p.status != LogisenseState::Posted || !p.automatic_disburse || p.reverse_payment_id.is_some() {
            return Ok(());
        }
        let mut left = p.amount.checked_sub(self.disbursed_by(payment_id)).ok_or_else(overflow)?;
        let mut targets: Vec<(Timestamp, u64)> = match p.invoice_id {
            Some(i) => vec![(Timestamp::from_unix_millis(0), i)],
            None => self
                .invoices
                .iter()
                .filter(|(_, i)| i.account_id == p.account_id)
                .map(|(id, i)| (i.date, *id))
                .collect(),
        };
        targets.sort();
        for (_, invoice_id) in targets {
            if !left.is_positive() {
                break;
            }
            let due = self.due_on(invoice_id);
            let take = if due < left { due } else { left };
            if !take.is_positive() {
                continue;
            }
            let id =
                self.next_disbursement_identity.max(self.invoice_disbursements.keys().next_back().map_or(1, |k| k + 1));
            self.next_disbursement_identity = id + 1;
            let base = self.base_of(take, p.currency_exchange_detail_id)?;
            self.invoice_disbursements.insert(
                id,
                Disbursement {
                    invoice_id,
                    payment_id,
                    amount: take,
                    base_amount: base,
                    invoice_amount: take,
                    automatic_disburse: true,
                },
            );
            left = left.checked_sub(take).ok_or_else(overflow)?;
        }
        Ok(())
    }

    fn new_payment_identity(&mut self) -> u64 {
        let id = self.next_payment_identity.max(self.payments.keys().next_back().map_or(1, |k| k + 1));
        self.next_payment_identity = id + 1;
        id
    }

    /// Writes the simple fields and optional references a body sends.
    fn write_fields(&self, p: &mut Payment, fields: &PaymentFields) -> Result<(), Fail> {
        if let Some(t) = fields.date {
            p.date = t;
        }
        if let Some(t) = fields.posting {
            p.posting = t;
        }
        if let Some(detail) = &fields.detail {
            p.detail = Some(detail.clone());
        }
        if let Some(check) = &fields.check_number {
            p.check_number = Some(check.clone());
        }
        if let Some(b) = fields.automatic_disburse {
            p.automatic_disburse = b;
        }
        if let Some(b) = fields.is_manual {
            p.is_manual = b;
        }
        if let Some(a) = fields.invoice_amount {
            p.invoice_amount = a;
        }
        for r in &OPTIONAL_REFS {
            match (r.sent)(fields) {
                None => {}
                Some(0) => (r.set)(p, None),
                Some(v) => {
                    self.must_exist(r.field, r.kind, v)?;
                    (r.set)(p, Some(v));
                }
            }
        }
        Ok(())
    }

    /// A required reference of a create (`0` names nothing).
    fn required_ref(&self, id: u64, field: &str, kind: Kind) -> Result<u64, Fail> {
        match id {
            0 => Err(Fail::new(
                400,
                "InvalidRequest",
                Some(field),
                format!("`{field}` is required: a payment needs its {}", kind.label()),
            )),
            v => self.must_exist(field, kind, v).map(|()| v),
        }
    }

    /// Creates a payment (`POST Payment/`, `Payment/Vendor`, a PATCH create item).
    fn create(&mut self, body: &inputs::Create, vendor: bool, user: u64, now: Timestamp) -> Result<u64, Fail> {
        let account_id = self.required_ref(body.account_id, "accountId", Kind::Account)?;
        let payment_type_id = self.required_ref(body.payment_type_id, "paymentTypeId", Kind::PaymentType)?;
        let amount = body.amount;
        let fields = &body.fields;
        let status = if vendor { LogisenseState::Pending } else { LogisenseState::Posted };
        let mut p = Payment {
            status,
            date: now,
            amount,
            account_id,
            payment_type_id,
            detail: None,
            card_type_id: None,
            check_number: None,
            automatic_disburse: false,
            created: now,
            invoice_id: None,
            posting: now,
            base_amount: amount,
            invoice_amount: Amount::ZERO,
            currency_exchange_detail_id: None,
            bill_run_history_id: None,
            is_manual: !vendor,
            reverse_payment_id: None,
            created_by_user_id: Some(user).filter(|u| self.users.contains_key(u)),
            payment_method_id: None,
            payment_pre_authorize_id: None,
            payment_transaction_id: None,
            created_by_portal_user_id: None,
            payment_status_type_id: None,
            retry_payment_id: None,
            updated: now,
        };
        self.write_fields(&mut p, fields)?;
        if let Some(t) = p.payment_status_type_id
            && let Some(kind) = self.payment_status_types.get(&t)
            && let Some(action) = kind.gateway_action
        {
            return Err(invalid_reference(
                "paymentStatusTypeId",
                format!(
                    "PaymentStatusType {t} ({}) records the gateway's answer ({}); a new payment cannot have it: set it with PUT Payment/{{id}} once the payment is pending",
                    kind.name,
                    action.action()
                ),
            ));
        }
        if vendor {
            self.check_gateway(p.payment_method_id)?;
        }
        if p.currency_exchange_detail_id.is_none() && fields.currency_exchange_detail_id.is_none() {
            p.currency_exchange_detail_id = self.default_exchange(account_id)?;
        }
        self.relations(&p)?;
        p.base_amount = match fields.base_amount {
            Some(b) => b,
            None => self.base_of(amount, p.currency_exchange_detail_id)?,
        };
        if let Some(original) = fields.reverse_payment_id.filter(|o| *o != 0) {
            if vendor {
                return Err(invalid_reference(
                    "reversePaymentId",
                    "Payment/Vendor creates a payment to charge; reverse a payment with POST Payment/Reverse/Vendor"
                        .to_owned(),
                ));
            }
            self.reverse_original(original, &p, "reversePaymentId", now)?;
            p.reverse_payment_id = Some(original);
        }
        if let Some(failed) = fields.retry_payment_id.filter(|f| *f != 0) {
            self.retry_failed(failed, &p, now)?;
            p.retry_payment_id = Some(failed);
        }
        let id = self.new_payment_identity();
        self.payments.insert(id, p);
        self.disburse(id)?;
        if fields.invoice_amount.is_none() {
            let disbursed = self.disbursed_by(id);
            if let Some(p) = self.payments.get_mut(&id) {
                p.invoice_amount = disbursed;
            }
        }
        Ok(id)
    }

    /// A payment method a gateway vendor can charge or refund.
    fn check_gateway(&self, method: Option<u64>) -> Result<(), Fail> {
        let Some(m) = method else {
            return Err(Fail::new(
                400,
                "InvalidRequest",
                Some("paymentMethodId"),
                "`paymentMethodId` is required: it names the gateway-linked payment method the vendor processes"
                    .to_owned(),
            ));
        };
        match self.payment_methods.get(&m) {
            Some(pm) if !pm.gateway_linked => Err(invalid_reference(
                "paymentMethodId",
                format!("PaymentMethod {m} ({}) is not linked to a payment gateway", pm.name),
            )),
            _ => Ok(()),
        }
    }

    /// Reverses `original` by `reversal` (not yet stored): checks, moves the original to `reversed`,
    /// undoes its disbursements as far as needed.
    fn reverse_original(&mut self, original: u64, reversal: &Payment, field: &str, now: Timestamp) -> Result<(), Fail> {
        let Some(o) = self.payments.get(&original) else {
            return Err(Fail::new(
                400,
                "ReferenceNotFound",
                Some(field),
                format!("`{field}` names Payment {original}, which does not exist"),
            ));
        };
        if let Some(of) = o.reverse_payment_id {
            return Err(conflict(
                Some(field),
                format!("Payment {original} is itself the reversal of payment {of}; a reversal cannot be reversed"),
            ));
        }
        let to = LIFECYCLE.apply(o.status, "reverse").map_err(|e| {
            let by = self.payments.iter().find(|(_, q)| q.reverse_payment_id == Some(original)).map(|(id, _)| *id);
            let already = by.map(|b| format!(" (it was reversed by payment {b})")).unwrap_or_default();
            conflict(
                Some(field),
                format!("Payment {original} cannot be reversed{already}: only a posted payment is reversed, once; {e}"),
            )
        })?;
        if o.account_id != reversal.account_id {
            return Err(invalid_reference(
                "accountId",
                format!(
                    "a reversal is made on the account of the payment it reverses: payment {original} is on account {}, not {}",
                    o.account_id, reversal.account_id
                ),
            ));
        }
        if reversal.amount > o.amount {
            return Err(Fail::new(
                400,
                "InvalidAmount",
                Some("amount"),
                format!(
                    "the reversal amount {} is more than payment {original}'s amount {}",
                    reversal.amount, o.amount
                ),
            ));
        }
        let (amount, disbursed) = (o.amount, self.disbursed_by(original));
        let mut undisbursed = amount.checked_sub(disbursed).ok_or_else(overflow)?;
        let mine: Vec<(u64, Amount)> = self
            .invoice_disbursements
            .iter()
            .rev()
            .filter(|(_, d)| d.payment_id == original)
            .map(|(id, d)| (*id, d.amount))
            .collect();
        for (id, a) in mine {
            if undisbursed >= reversal.amount {
                break;
            }
            self.invoice_disbursements.remove(&id);
            undisbursed = undisbursed.checked_add(a).ok_or_else(overflow)?;
        }
        if let Some(o) = self.payments.get_mut(&original) {
            o.status = to;
            o.updated = now;
        }
        Ok(())
    }

    /// Marks `failed` retried by `retry` (not yet stored).
    fn retry_failed(&mut self, failed: u64, retry: &Payment, now: Timestamp) -> Result<(), Fail> {
        let Some(f) = self.payments.get_mut(&failed) else {
            return Err(Fail::new(
                400,
                "ReferenceNotFound",
                Some("retryPaymentId"),
                format!("`retryPaymentId` names Payment {failed}, which does not exist"),
            ));
        };
        if f.account_id != retry.account_id {
            return Err(invalid_reference(
                "retryPaymentId",
                format!(
                    "a retry is made on the account of the failed payment: payment {failed} is on account {}, not {}",
                    f.account_id, retry.account_id
                ),
            ));
        }
        let to = LIFECYCLE.apply(f.status, "retry").map_err(|e| {
            conflict(
                Some("retryPaymentId"),
                format!("Payment {failed} cannot be retried: only a failed payment is retried, once; {e}"),
            )
        })?;
        f.status = to;
        f.updated = now;
        Ok(())
    }

    /// `POST Payment/Reverse` and `Payment/Reverse/Vendor`.
    fn reverse(&mut self, body: inputs::Reverse, vendor: bool, user: u64, now: Timestamp) -> Result<u64, Fail> {
        let original = body.original;
        let Some(o) = self.payments.get(&original).cloned() else {
            return Err(Fail::new(
                400,
                "ReferenceNotFound",
                Some("reversePaymentId"),
                format!("`reversePaymentId` names Payment {original}, which does not exist"),
            ));
        };
        let method = match body.payment_method_id {
            Some(0) => None,
            Some(m) => {
                self.must_exist("paymentMethodId", Kind::Method, m)?;
                Some(m)
            }
            None => o.payment_method_id,
        };
        if vendor {
            self.check_gateway(method)?;
        }
        // Above zero: a sent amount by validation, the reversed payment's by the invariants.
        let amount = body.amount.unwrap_or(o.amount);
        let date = body.date.unwrap_or(now);
        let reversal = Payment {
            status: LogisenseState::Posted,
            date,
            amount,
            account_id: o.account_id,
            payment_type_id: o.payment_type_id,
            detail: Some(body.detail.unwrap_or_else(|| format!("Reversal of payment {original}"))),
            card_type_id: o.card_type_id,
            check_number: None,
            automatic_disburse: false,
            created: now,
            invoice_id: o.invoice_id,
            posting: date,
            base_amount: self.base_of(amount, o.currency_exchange_detail_id)?,
            invoice_amount: Amount::ZERO,
            currency_exchange_detail_id: o.currency_exchange_detail_id,
            bill_run_history_id: None,
            is_manual: !vendor,
            reverse_payment_id: Some(original),
            created_by_user_id: Some(user).filter(|u| self.users.contains_key(u)),
            payment_method_id: method,
            payment_pre_authorize_id: None,
            payment_transaction_id: None,
            created_by_portal_user_id: None,
            payment_status_type_id: None,
            retry_payment_id: None,
            updated: now,
        };
        self.relations(&reversal)?;
        self.reverse_original(original, &reversal, "reversePaymentId", now)?;
        let id = self.new_payment_identity();
        self.payments.insert(id, reversal);
        Ok(id)
    }

    /// `PUT Payment/{id}` and PATCH update items.
    fn update(&mut self, id: u64, body: &inputs::Update, now: Timestamp) -> Result<(), Fail> {
        let old = self.payments.get(&id).cloned().ok_or_else(|| not_found(id))?;
        let mut p = old.clone();
        let open =
            matches!(p.status, LogisenseState::Pending | LogisenseState::Posted) && p.reverse_payment_id.is_none();
        let what =
            if p.reverse_payment_id.is_some() { "a reversal".to_owned() } else { format!("`{}`", p.status.name()) };
        let frozen = |field: &str| {
            conflict(
                Some(field),
                format!(
                    "Payment {id} is {what}: its {field} cannot change any more (only a pending or posted payment that is not a reversal can)"
                ),
            )
        };
        let disbursed = self.disbursed_by(id);
        if let Some(a) = body.account_id.filter(|a| *a != 0 && *a != p.account_id) {
            self.must_exist("accountId", Kind::Account, a)?;
            if !open {
                return Err(frozen("accountId"));
            }
            if disbursed.is_positive() {
                return Err(conflict(
                    Some("accountId"),
                    format!(
                        "Payment {id} has {disbursed} disbursed to invoices of account {}; it cannot move to account {a}",
                        p.account_id
                    ),
                ));
            }
            p.account_id = a;
        }
        if let Some(t) = body.payment_type_id.filter(|t| *t != 0) {
            self.must_exist("paymentTypeId", Kind::PaymentType, t)?;
            p.payment_type_id = t;
        }
        if let Some(a) = body.amount.filter(|a| *a != p.amount) {
            if !a.is_positive() {
                return Err(Fail::new(
                    400,
                    "InvalidAmount",
                    Some("amount"),
                    format!("`amount` must be above zero; found {a}: money is taken back by POST Payment/Reverse"),
                ));
            }
            if !open {
                return Err(frozen("amount"));
            }
            if a < disbursed {
                return Err(conflict(
                    Some("amount"),
                    format!(
                        "Payment {id} has {disbursed} disbursed to invoices; its amount cannot go below that (found {a})"
                    ),
                ));
            }
            p.amount = a;
        }
        self.write_fields(&mut p, &body.fields)?;
        if p.payment_status_type_id != old.payment_status_type_id
            && let Some(t) = p.payment_status_type_id
            && let Some(kind) = self.payment_status_types.get(&t)
            && let Some(action) = kind.gateway_action
        {
            p.status = LIFECYCLE.apply(p.status, action.action()).map_err(|e| {
                conflict(
                    Some("paymentStatusTypeId"),
                    format!(
                        "PaymentStatusType {t} ({}) records the gateway's answer, only for a pending payment: {e}",
                        kind.name
                    ),
                )
            })?;
        }
        self.relations(&p)?;
        if let Some(b) = body.fields.base_amount {
            p.base_amount = b;
        } else if p.amount != old.amount || p.currency_exchange_detail_id != old.currency_exchange_detail_id {
            p.base_amount = self.base_of(p.amount, p.currency_exchange_detail_id)?;
        }
        p.updated = now;
        self.payments.insert(id, p);
        self.disburse(id)
    }

    /// `DELETE Payment/{id}` and PATCH delete items: the result items.
    fn delete(&mut self, id: u64) -> Result<Vec<Item>, Fail> {
        let p = self.payments.get(&id).ok_or_else(|| not_found(id))?;
        if let Some(o) = p.reverse_payment_id {
            return Err(conflict(
                None,
                format!(
                    "Payment {id} is the reversal of payment {o}; it is deleted only with that payment (DELETE Payment/{o})"
                ),
            ));
        }
        self.payments.remove(&id);
        let mut items = vec![Item::Deleted(Deleted { identity: id, action: "deleted", dto_type_key: "payment" })];
        let retries: Vec<u64> =
            self.payments.iter().filter(|(_, q)| q.retry_payment_id == Some(id)).map(|(&rid, _)| rid).collect();
        for rid in retries {
            if let Some(q) = self.payments.get_mut(&rid) {
                q.retry_payment_id = None;
                items.push(Item::Detached(Detached {
                    lhs_id: rid,
                    rhs_id: id,
                    action: "detached",
                    dto_type_key: "paymentRetry",
                }));
            }
        }
        let related = |foreign_key_identity: u64, dto_type_key: &'static str| {
            Item::Related(Related { foreign_key_identity, action: "deleted", dto_type_key })
        };
        let gone: Vec<u64> =
            self.invoice_disbursements.iter().filter(|(_, d)| d.payment_id == id).map(|(k, _)| *k).collect();
        for d in gone {
            self.invoice_disbursements.remove(&d);
            items.push(related(d, "invoiceDisbursement"));
        }
        let reversals: Vec<u64> =
            self.payments.iter().filter(|(_, q)| q.reverse_payment_id == Some(id)).map(|(k, _)| *k).collect();
        for r in reversals {
            self.payments.remove(&r);
            items.push(related(r, "paymentReversal"));
        }
        Ok(items)
    }
}
