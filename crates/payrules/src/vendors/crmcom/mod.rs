//! CRM.COM, statefully: show, list and get the latest payments of an accounts receivable; create a
//! payment (DRAFT or POSTED), pay the whole outstanding amount of an invoice or a bill; post, reject
//! and cancel a payment. Every status change goes through [`LIFECYCLE`]'s one `apply`.
//!
//! Success shape (the document's): HTTP 200, `{"status": {"message": null, "description": null,
//! "code": "OK"}, "data": …}`.
//!
//! Failure shape (CRM.COM answers HTTP 200 with a non-OK `status.code`; ours, so that a client can
//! also tell by the HTTP status): the same envelope with `status.message` saying what is wrong and
//! naming the field and the record, `status.description` saying more, a non-OK `status.code`,
//! `"data": null`, and our `errors` (the validation report's violations, so every problem shows):
//! - 400 `INVALID_PARAMETER`: the request fails validation, or breaks a rule that needs the stored
//!   records (the card rule, an invoice or bill of another accounts receivable, a transaction type of
//!   the wrong classification, an allocation the amount cannot reach);
//! - 401 `INVALID_TOKEN`: the token is not one the login method gave (it is never echoed);
//! - 404 `NOT_FOUND`: an identifier names no record; `UNKNOWN_METHOD`: no such API method;
//! - 409 `INVALID_STATE`: a payment not in a state the action allows (the message names its state
//!   and what is allowed), or an invoice or bill with nothing outstanding.
//!
//! Decisions (SEEDS.md and ours):
//! - Allocations: `invoices_to_pay_set` then `bills_to_pay_set` are paid in the order listed, each
//!   up to its outstanding amount; what is left of `payment_amount` stays on the accounts receivable
//!   unallocated (`payment_amount` = allocations + unallocated). Naming an invoice or bill with
//!   nothing outstanding, one of another accounts receivable, the same one twice, or one the amount
//!   no longer reaches is refused.
//! - A DRAFT payment reserves its allocations (two drafts cannot pay the same amount twice);
//!   rejecting or cancelling a payment releases them, and the outstanding amounts come back.
//! - The payment gateway charges the card when the payment is posted (at creation for a POSTED
//!   one): `payment_gateway_reference_number` and `processed_by_payment_gateway` appear then.
//! - The full payment object leaves out `card`, `description`, `notes` and the gateway fields
//!   while they are empty (the document's show example has none of them); `fields_set` names them
//!   explicitly to get them as `null`.
//! - `received_on` defaults to the time of the request, `received_by_user`/`received_by_unit` to
//!   the token's user and unit. Times are written as CRM.COM writes them, in UTC, without offset.
//! - Payment types must have the classification `PAYMENT`; a cancellation's type `PAYMENT_CANCELLATION`.
//! - Payment cancellations have their own number and reference number series. Financial
//!   transactions are never deleted.

mod handlers;
mod inputs;
mod lifecycle;
mod operations;
mod records;
#[cfg(test)]
mod tests;
mod views;
mod wire;

pub use lifecycle::{CrmcomState, LIFECYCLE};
pub use operations::OPERATIONS;
pub(crate) use operations::Op;
use records::Session;
pub use records::State;

use crate::ledger::Call;
use crate::ledger::vendor::{Auth, Outcome, Vendor};
use crate::request::Response;

/// CRM.COM, as the ledger drives it.
#[derive(Debug)]
pub struct Crmcom;

impl Vendor for Crmcom {
    type State = State;
    type Op = Op;
    type Caller = Session;
    type Env = ();

    const OPS: &'static [Op] = Op::ALL;
    const AUTH: Auth = Auth::AfterValidation;

    fn begin(_: &mut State, _: &Call<'_>) {}

    fn unknown_route((): &(), call: &Call<'_>) -> Response {
        handlers::unknown_route(call)
    }

    fn invalid((): &(), call: &Call<'_>) -> Response {
        handlers::invalid(call)
    }

    fn authenticate(state: &State, (): &(), call: &Call<'_>) -> Result<Session, Response> {
        handlers::authenticate(state, call)
    }

    fn handle(state: &mut State, (): &(), session: Session, op: Op, call: &Call<'_>) -> Outcome {
        handlers::handle(state, &session, op, call)
    }
}
