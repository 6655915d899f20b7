//! Komet Sales' operation: `payment.mark.sync` marks payments synchronized, item by item.

use serde_json::{Value, json};

use super::lifecycle::{KometState, LIFECYCLE};
use super::records::State;
use super::wire::{CANCELLED, MISSING, SYNCHRONIZED, failure};
use crate::ledger::{Call, Outcome};
use crate::request::Response;

/// `payment.mark.sync`: each listed payment moves through `mark_sync`; one answer item per payment.
pub(super) fn mark_sync(state: &mut State, call: &Call<'_>) -> Outcome {
    let mut items = Vec::new();
    for item in call.field("payments").and_then(Value::as_array).into_iter().flatten() {
        let id_value = item.get("paymentId").cloned().unwrap_or(Value::Null);
        let id = item.get("paymentId").and_then(crate::ledger::value_text).and_then(|t| t.parse::<u128>().ok());
        let (message, status) = match id.and_then(|id| state.payments.get_mut(&id)) {
            None => (MISSING, "0"),
            Some(payment) => match LIFECYCLE.apply(payment.status, "mark_sync") {
                Ok(to) => {
                    payment.status = to;
                    (SYNCHRONIZED, "1")
                }
                Err(_) if payment.status == KometState::Cancelled => (CANCELLED, "0"),
                Err(e) => return Err(failure(409, &e.to_string(), call)),
            },
        };
        items.push(json!({ "message": message, "status": status, "paymentId": id_value }));
    }
    Ok(Response { status: 200, body: json!({ "status": "1", "payments": items }) })
}
