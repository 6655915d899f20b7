//! Komet Sales on the wire: the document's answer to `payment.mark.sync` (an item per payment,
//! with its exact messages) and our failure shape, in its style (`{"status": "0", "message",
//! "errors"}`).

use serde::Serialize;
use serde_json::Value;

use crate::Violation;
use crate::ledger::Call;
use crate::request::Response;

/// The item message for a payment now synchronized.
pub(super) const SYNCHRONIZED: &str = "The payment was successfully synchronized";
/// The item message for a cancelled payment.
pub(super) const CANCELLED: &str = "The payment was cancelled";
/// The item message for an unknown payment id.
pub(super) const MISSING: &str = "The payment doesn't exist";

/// `{"status": "1", "payments": [item…]}`.
#[derive(Serialize)]
pub(super) struct MarkSyncAnswer {
    pub(super) status: &'static str,
    pub(super) payments: Vec<MarkSyncItem>,
}

/// One payment's result: `{"message", "status": "1" | "0", "paymentId"}` (the id as sent).
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub(super) struct MarkSyncItem {
    pub(super) message: &'static str,
    pub(super) status: &'static str,
    pub(super) payment_id: Value,
}

/// `{"status": "0", "message", "errors"}`.
#[derive(Serialize)]
struct Failure<'a> {
    status: &'static str,
    message: &'a str,
    errors: &'a [Violation],
}

/// A refusal: the top-level `status` `"0"`, a `message`, and our `errors` (the violations).
pub(super) fn failure(status: u16, message: &str, call: &Call<'_>) -> Response {
    Response::of(status, &Failure { status: "0", message, errors: &call.report.errors })
}
