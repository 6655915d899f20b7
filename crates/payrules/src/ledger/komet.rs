//! Komet Sales, statefully: `payment.mark.sync` marks payments synchronized, item by item, with the
//! document's exact messages.
//!
//! Failure shape (not documented by the vendor; ours, in its style): HTTP 400 for a request that
//! fails validation and 401 for a token that is not a company token, each with the top-level
//! `status` `"0"`, a `message`, and our `errors` (the violations).

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

use crate::ledger::view::{self, PaymentView};
use crate::ledger::{Call, Outcome};
use crate::lifecycle::State as _;
use crate::profiles::Profile;
use crate::profiles::komet::{KometState, LIFECYCLE};
use crate::request::Request;
use crate::request::Response;

/// Komet Sales' records.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct State {
    /// Tokens of companies (the only valid kind for this method).
    pub company_tokens: Vec<String>,
    /// Payments by id.
    pub payments: BTreeMap<u128, Payment>,
}

/// A Komet Sales payment.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Payment {
    /// Its status.
    pub status: KometState,
}

impl State {
    /// Komet's invariants: none beyond the types (every status is a real one).
    pub fn check(&self) -> Result<(), String> {
        Ok(())
    }

    /// The payments as Komet Sales shows them (it records no amounts in this API).
    pub fn payments(&self) -> Vec<PaymentView> {
        self.payments
            .iter()
            .map(|(id, p)| PaymentView {
                key: id.to_string(),
                label: format!("Payment {id}"),
                amount: None,
                currency: None,
                status: p.status.name().to_owned(),
                fields: Vec::new(),
                facets: Vec::new(),
                relations: Vec::new(),
            })
            .collect()
    }

    /// `mark_sync` is `payment.mark.sync` for this one payment; Komet's API has no cancel.
    pub fn action_request(&self, key: &str, action: &str) -> Result<Request, String> {
        let id: u128 = key.parse().map_err(|_| format!("{key} is not a Komet payment id"))?;
        match action {
            "mark_sync" => {
                let token = self.company_tokens.first().cloned().unwrap_or_default();
                let body = json!({ "authenticationToken": token, "payments": [{ "paymentId": id }] });
                Ok(view::request(Profile::Komet, "POST", "/api/payment.mark.sync".to_owned(), body))
            }
            other => Err(format!("Komet Sales' API has no request for `{other}`; it happens in Komet Sales itself")),
        }
    }

    /// Takes the credentials out (for exports).
    pub fn redact_tokens(&mut self) {
        self.company_tokens.clear();
    }
}

const SYNCHRONIZED: &str = "The payment was successfully synchronized";
const CANCELLED: &str = "The payment was cancelled";
const MISSING: &str = "The payment doesn't exist";

fn failure(status: u16, message: &str, call: &Call<'_>) -> Response {
    Response { status, body: json!({ "status": "0", "message": message, "errors": call.report.errors }) }
}

pub(crate) fn handle(state: &mut State, call: &Call<'_>) -> Outcome {
    if call.operation.is_none() {
        return Err(failure(404, "Unknown API method", call));
    }
    if !call.report.valid {
        let first = call.report.errors.iter().find(|v| v.severity == crate::Severity::Error);
        return Err(failure(400, first.map_or("Invalid request", |v| v.message.as_str()), call));
    }
    let token = call.text("authenticationToken").unwrap_or_default();
    if !state.company_tokens.iter().any(|t| *t == token) {
        return Err(failure(401, "Invalid authentication token: this method accepts company tokens only", call));
    }
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
