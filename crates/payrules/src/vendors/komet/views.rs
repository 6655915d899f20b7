//! Komet Sales as people see it: payments (it records no amounts in this API), the one action
//! its API performs, and the batch of `payment.mark.sync` a console sends and reads back.

use crate::ledger::vendor::Views;
use serde::Serialize;
use serde_json::{Value, json};

use super::records::State;
use crate::ledger::shape::{self, PaymentView};
use crate::lifecycle::State as _;
use crate::profile::Profile;
use crate::request::{Request, Response};

/// The company token a batch is sent with: the one typed (when not empty), else the world's first
/// company token, else empty (validation then says it is missing).
pub fn batch_token(state: Option<&State>, typed: Option<&str>) -> String {
    typed
        .filter(|t| !t.is_empty())
        .map(str::to_owned)
        .or_else(|| state.and_then(|s| s.company_tokens.first().cloned()))
        .unwrap_or_default()
}

/// One id as typed: a JSON number when it reads as one (`450545`; also `-1` or `1.5`, which
/// validation then refuses in the vendor's words), else a JSON string, which validation refuses
/// as not a number. Never invalid JSON, never a panic.
fn batch_id(text: &str) -> Value {
    match text.parse::<serde_json::Number>() {
        Ok(n) => Value::Number(n),
        Err(_) => Value::String(text.to_owned()),
    }
}

/// The `payment.mark.sync` request for the ids typed in `ids` (separated by commas and/or
/// whitespace), with the company token of [`batch_token`]. The request is not checked here: it
/// goes through validation like any other, so a wrong id gets the vendor's own refusal.
pub fn batch_request(state: Option<&State>, token: Option<&str>, ids: &str) -> Request {
    let payments: Vec<Value> = ids
        .split(|ch: char| ch == ',' || ch.is_whitespace())
        .filter(|s| !s.is_empty())
        .map(|s| json!({ "paymentId": batch_id(s) }))
        .collect();
    let body = json!({ "authenticationToken": batch_token(state, token), "payments": payments });
    shape::request(Profile::Komet, "POST", "/api/payment.mark.sync".to_owned(), body)
}

/// One payment's result in the answer to `payment.mark.sync`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct BatchRow {
    /// The id as sent (a number's text, a string's content).
    pub payment_id: String,
    /// `"1"` (done) or `"0"` (not done).
    pub status: String,
    /// The vendor's message for it.
    pub message: String,
}

/// The rows of an answer to `payment.mark.sync`, in its order; none for a refusal (it has no
/// `payments`).
pub fn batch_results(response: &Response) -> Vec<BatchRow> {
    let text = |item: &Value, name: &str| item.get(name).and_then(Value::as_str).unwrap_or_default().to_owned();
    response
        .body
        .get("payments")
        .and_then(Value::as_array)
        .map(|items| {
            items
                .iter()
                .map(|item| BatchRow {
                    payment_id: match item.get("paymentId") {
                        None | Some(Value::Null) => String::new(),
                        Some(Value::String(s)) => s.clone(),
                        Some(other) => other.to_string(),
                    },
                    status: text(item, "status"),
                    message: text(item, "message"),
                })
                .collect()
        })
        .unwrap_or_default()
}

impl Views for State {
    /// The payments as Komet Sales shows them.
    fn payments(&self) -> Vec<PaymentView> {
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
    fn action_request(&self, key: &str, action: &str) -> Result<Request, String> {
        let id: u128 = key.parse().map_err(|_| format!("{key} is not a Komet payment id"))?;
        match action {
            "mark_sync" => {
                let token = self.company_tokens.first().cloned().unwrap_or_default();
                let body = json!({ "authenticationToken": token, "payments": [{ "paymentId": id }] });
                Ok(shape::request(Profile::Komet, "POST", "/api/payment.mark.sync".to_owned(), body))
            }
            other => Err(format!("Komet Sales' API has no request for `{other}`; it happens in Komet Sales itself")),
        }
    }

    /// Takes the credentials out (for exports).
    fn redact_tokens(&mut self) {
        self.company_tokens.clear();
    }
}
