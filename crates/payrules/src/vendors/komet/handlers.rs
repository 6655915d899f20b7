//! Komet Sales' operation: `payment.mark.sync` marks payments synchronized, item by item.

use super::lifecycle::{KometState, LIFECYCLE};
use super::records::State;
use super::wire::{CANCELLED, MISSING, MarkSyncAnswer, MarkSyncItem, SYNCHRONIZED, failure};
use crate::json::Json;
use crate::ledger::{Call, Outcome};
use crate::request::Response;

/// `payment.mark.sync`: each listed payment moves through `mark_sync`; one answer item per payment.
pub(super) fn mark_sync(state: &mut State, call: &Call<'_>) -> Outcome {
    let mut payments = Vec::new();
    for item in call.member("payments").and_then(Json::as_array).into_iter().flatten() {
        let sent = item.get("paymentId");
        let id = sent.and_then(Json::text).and_then(|t| t.parse::<u128>().ok());
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
        payments.push(MarkSyncItem {
            message,
            status,
            payment_id: sent.map_or(serde_json::Value::Null, Json::to_value),
        });
    }
    Ok(Response::of(200, &MarkSyncAnswer { status: "1", payments }))
}
