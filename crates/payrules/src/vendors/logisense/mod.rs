//! LogiSense Billing `Payment`, statefully: lists (plain and paged, with or without detail), reads,
//! creates (plain and through a gateway vendor), reversals, updates, PATCH batches and deletes, with
//! invoice disbursements and the reversal and retry links. Every status change goes through
//! [`LIFECYCLE`]`.apply`.
//!
//! Response shapes are the document's: every body carries a `trackingId` (a UUID derived from a
//! counter and the request time, so a replay gives the same ids). Numbers are written exactly
//! (`1235.89`), times as `2021-04-26T15:25:27.587Z`. A reference that names nothing is written
//! `0` (as the document's examples do) with its `xName` `null`.
//!
//! Failure shape (not documented by the vendor; ours, in its style):
//! `{"trackingId", "type": "error", "errors": [{"code", "message", "field"?, "patchClientId"?}],
//! "violations": [our violations]}` with
//! - 404 `UnknownRoute`: no such operation;
//! - 401 `Unauthorized`: the `Authorization` header is missing, not `Bearer <token>`, or names no
//!   token of the ledger (the token is never echoed);
//! - 400 `InvalidRequest`: the request fails validation (one error per violation of severity error);
//! - 404 `NotFound`: the payment of the path (or of a PATCH item's `identity`) does not exist;
//! - 400 `ReferenceNotFound`: an `xId` of the body names no record;
//! - 400 `InvalidReference`: a record exists but does not fit (an invoice or payment method of
//!   another account, an exchange detail of another currency, a payment method not linked to a
//!   gateway for `Payment/Vendor`, a reversal or retry on another account, a gateway status type on
//!   a new payment);
//! - 400 `InvalidAmount`: a zero or negative amount on update, a reversal above the reversed amount;
//! - 409 `Conflict`: a refused status change (reverse twice, reverse what is not posted, retry what
//!   is not failed, settle what is not pending), an amount below what is already disbursed, a
//!   change of amount or account of a payment that is no longer open, deleting a reversal.
//!
//! Decisions (the document is silent; SEEDS.md):
//! - `POST Payment/` records a `posted` payment; `POST Payment/Vendor` a `pending` one (its payment
//!   method must exist, belong to the account and be linked to a gateway). The gateway's answer
//!   arrives as a PUT/PATCH of `paymentStatusTypeId` naming a status type whose `gateway_action`
//!   is `settle` (pending → posted) or `decline` (pending → failed); such status types cannot be
//!   given to a new payment. Other status types are labels.
//! - `baseAmount`, when not sent, is `amount` × the rate of the payment's CurrencyExchangeDetail,
//!   rounded half away from zero to 2 decimals. When `currencyExchangeDetailId` is not sent, the
//!   account currency's latest detail (highest identity) is used; an account in the system currency
//!   needs none (rate 1, id 0).
//! - With `automaticDisburse`, a posted payment (not a reversal) is disbursed to the invoice named by
//!   `invoiceId`, or else to the account's invoices oldest first (by date, then identity), never
//!   above an invoice's amount due and never above the payment's undisbursed amount. `disbursed`
//!   is computed (true when the payment has a disbursement); a value sent is ignored. `invoiceAmount`
//!   is stored as sent; when not sent it is the amount disbursed at creation.
//! - A reversal is a new `posted` payment with a **positive** amount (as the document's
//!   `paymentReversals` example) and `reversePaymentId` naming the original; it is made by
//!   `POST Payment/Reverse`, `Payment/Reverse/Vendor` (payment method required, gateway-linked) or a
//!   create with a non-zero `reversePaymentId`. The original must be `posted` and not itself a
//!   reversal; it becomes `reversed` (at most once). The amount defaults to the whole payment and
//!   may not exceed it. The original's disbursements are undone, newest first, until its undisbursed
//!   amount covers the reversal (a full reversal undoes all of them; the invoices are due again).
//!   A reversal disburses nothing. The reverse operations answer like a create (`type: "create"`).
//! - A create with a non-zero `retryPaymentId` retries that payment: it must be on the same account
//!   and `failed`; it becomes `retried` (at most once).
//! - PUT and PATCH updates: fields sent replace the stored ones; `0` clears an optional reference and
//!   leaves `accountId`/`paymentTypeId` unchanged (a payment always has both). `reversePaymentId`
//!   and `retryPaymentId` are fixed when the payment is created: values sent on update are ignored,
//!   as are `identity`, `disbursed`, `created`, `updated` and every `xName`. `amount` and
//!   `accountId` change only on a pending or posted payment that is not a reversal, `amount` never
//!   below what is disbursed, `accountId` only without disbursements. A posted payment updated with
//!   `automaticDisburse` true is disbursed further.
//! - PATCH: the path's payment must exist; items run in order, each on the state the earlier ones
//!   left. The batch is atomic: when any item fails, nothing is changed and the answer (with the
//!   first failed item's HTTP status) lists every failed item by `patchClientId`; the results of a
//!   delete item include its related objects, as DELETE's; `details` must be empty (child objects
//!   are the ledger's).
//! - DELETE removes the payment, its invoice disbursements (`invoiceDisbursement`) and its reversal
//!   (`paymentReversal`), and detaches the retry that points at it (`paymentRetry`). Deleting a
//!   reversal alone is refused: the original would stay `reversed` with nothing reversing it.
//! - Paging: `pageNumber` 1 and `pageSize` 20 by default, payments by identity; with
//!   `excludeTotalCount=true` the `totalCount` is `null`.

mod handlers;
mod inputs;
mod lifecycle;
mod operations;
mod records;
#[cfg(test)]
mod tests;
mod views;
mod wire;

pub use lifecycle::{LIFECYCLE, LogisenseState};
pub use operations::OPERATIONS;
pub(crate) use operations::Op;
pub use records::State;

use crate::ledger::Call;
use crate::ledger::vendor::{Auth, Outcome, Vendor};
use crate::request::Response;

/// LogiSense Billing, as the ledger drives it.
#[derive(Debug)]
pub struct Logisense;

impl Vendor for Logisense {
    type State = State;
    type Op = Op;
    /// The user id of the bearer token.
    type Caller = u64;
    /// The answer's `trackingId`.
    type Env = String;

    const OPS: &'static [Op] = Op::ALL;
    const AUTH: Auth = Auth::BeforeValidation;

    fn begin(state: &mut State, call: &Call<'_>) -> String {
        handlers::begin(state, call)
    }

    fn unknown_route(tracking: &String, call: &Call<'_>) -> Response {
        handlers::unknown_route(tracking, call)
    }

    fn invalid(tracking: &String, call: &Call<'_>) -> Response {
        handlers::invalid(tracking, call)
    }

    fn authenticate(state: &State, tracking: &String, call: &Call<'_>) -> Result<u64, Response> {
        handlers::authenticate(state, tracking, call)
    }

    fn handle(state: &mut State, tracking: &String, user: u64, op: Op, call: &Call<'_>) -> Outcome {
        handlers::handle(state, tracking, user, op, call)
    }
}
