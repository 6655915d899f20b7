//! Komet Sales on the wire: the document's messages and our failure shape, in its style
//! (`{"status": "0", "message", "errors"}`).

use serde_json::json;

use crate::ledger::Call;
use crate::request::Response;

pub(super) const SYNCHRONIZED: &str = "The payment was successfully synchronized";
pub(super) const CANCELLED: &str = "The payment was cancelled";
pub(super) const MISSING: &str = "The payment doesn't exist";

/// A refusal: the top-level `status` `"0"`, a `message`, and our `errors` (the violations).
pub(super) fn failure(status: u16, message: &str, call: &Call<'_>) -> Response {
    Response { status, body: json!({ "status": "0", "message": message, "errors": call.report.errors }) }
}
