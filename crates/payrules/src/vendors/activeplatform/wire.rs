//! ActivePlatform on the wire: the payment response model and our failure shape, in its style
//! (`{"error": {"code", "message", "errors"}}`).

use serde::Serialize;
use serde_json::{Value, json};

use super::records::{Payment, State};
use crate::ledger::{Call, money_plain};
use crate::lifecycle::State as _;
use crate::request::Response;

/// The response model of a payment (the document's fields, in its order).
#[derive(Serialize)]
struct PaymentModel<'a> {
    id: u64,
    document_id: String,
    status: &'static str,
    account_id: u64,
    created_at: String,
    updated_at: String,
    total: Value,
    comment: &'a str,
    requester_ip: &'a str,
    manager_id: Option<u64>,
    payment_method_id: Option<u64>,
    payment_method_name: Option<&'a str>,
    orders: &'a [u64],
}

impl State {
    /// The response model of a payment.
    pub fn payment_json(&self, id: u64, p: &Payment) -> Value {
        let model = PaymentModel {
            id,
            document_id: self.document_id(p.document_number),
            status: p.status.name(),
            account_id: p.account_id,
            created_at: p.created_at.with_offset_millis(self.utc_offset_minutes),
            updated_at: p.updated_at.with_offset_millis(self.utc_offset_minutes),
            total: money_plain(p.total),
            comment: &p.comment,
            requester_ip: &p.requester_ip,
            manager_id: p.manager_id,
            payment_method_id: p.payment_method_id,
            payment_method_name: p.payment_method_id.and_then(|m| self.payment_methods.get(&m)).map(String::as_str),
            orders: &p.orders,
        };
        serde_json::to_value(model).unwrap_or(Value::Null)
    }
}

/// A refusal with our error code and message, and the violations.
pub(super) fn failure(status: u16, code: &str, message: &str, call: &Call<'_>) -> Response {
    Response { status, body: json!({ "error": { "code": code, "message": message, "errors": call.report.errors } }) }
}
