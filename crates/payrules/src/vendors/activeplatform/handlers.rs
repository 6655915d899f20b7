//! ActivePlatform's operation: "Complete a Payment" moves a payment that is waiting for payment to
//! `completed`, through the lifecycle's one `apply`.

use super::lifecycle::LIFECYCLE;
use super::records::State;
use super::wire::failure;
use crate::ledger::{Call, Outcome};
use crate::request::Response;

/// "Complete a Payment" with the payment method of the body.
pub(super) fn complete(state: &mut State, call: &Call<'_>) -> Outcome {
    let Some(id) = call.param("id").and_then(|t| t.parse::<u64>().ok()) else {
        return Err(failure(404, "not_found", "No such payment", call));
    };
    let method_id = call.integer("payment_method_id").unwrap_or_default();
    if !state.payment_methods.contains_key(&method_id) {
        let known: Vec<String> = state.payment_methods.iter().map(|(k, v)| format!("{k} {v}")).collect();
        let message = format!("Payment method {method_id} does not exist; the methods are {}", known.join(", "));
        return Err(failure(422, "unknown_payment_method", &message, call));
    }
    let Some(payment) = state.payments.get_mut(&id) else {
        return Err(failure(404, "not_found", &format!("Payment {id} does not exist"), call));
    };
    match LIFECYCLE.apply(payment.status, "complete") {
        Ok(to) => {
            payment.status = to;
            payment.payment_method_id = Some(method_id);
            payment.updated_at = call.now;
        }
        Err(e) => {
            let message = format!("Only payments that are waiting for payment can be completed: {e}");
            return Err(failure(422, "invalid_status", &message, call));
        }
    }
    let payment = payment.clone();
    Ok(Response { status: 200, body: state.payment_json(id, &payment) })
}
