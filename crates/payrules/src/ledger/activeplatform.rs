//! ActivePlatform, statefully: "Complete a Payment" moves a payment that is waiting for payment to
//! `completed`, through the lifecycle's one `apply`.
//!
//! Failure shape (not documented by the vendor; ours, in its style): `{"error": {"code", "message",
//! "errors"}}` with 400 (validation), 401 (unknown API token), 404 (no such payment), 422 (unknown
//! payment method, or a payment not waiting for payment; the message names its status and what is allowed).

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

use crate::ledger::view::{self, PaymentView, RelationView};
use crate::ledger::{Call, Outcome, Timestamp, money_plain};
use crate::lifecycle::State as _;
use crate::money::Amount;
use crate::profiles::Profile;
use crate::profiles::activeplatform::{ActivePlatformState, LIFECYCLE};
use crate::request::Request;
use crate::request::Response;

/// ActivePlatform's records.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct State {
    /// API tokens of managers.
    pub manager_tokens: Vec<String>,
    /// The "Document ID format" setting: `{number}` is replaced by the document number,
    /// `{number:06}` pads it with zeros to six digits.
    pub document_id_mask: String,
    /// Offset of the platform's local time from UTC, in minutes (timestamps are written in it).
    pub utc_offset_minutes: i32,
    /// Payment methods by id: their names.
    pub payment_methods: BTreeMap<u64, String>,
    /// Payments by id.
    pub payments: BTreeMap<u64, Payment>,
}

/// An ActivePlatform payment.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Payment {
    /// The number the document id is made from.
    pub document_number: u64,
    /// Its status.
    pub status: ActivePlatformState,
    /// The account that makes the payment.
    pub account_id: u64,
    /// When it was created.
    pub created_at: Timestamp,
    /// When it last changed.
    pub updated_at: Timestamp,
    /// Its amount.
    pub total: Amount,
    /// Additional information.
    pub comment: String,
    /// The IP address of the user who makes the payment.
    pub requester_ip: String,
    /// The manager responsible, if any.
    pub manager_id: Option<u64>,
    /// The payment method, once chosen.
    pub payment_method_id: Option<u64>,
    /// Orders linked with the payment.
    pub orders: Vec<u64>,
}

impl State {
    /// The invariants: amounts are not negative; a chosen payment method exists.
    pub fn check(&self) -> Result<(), String> {
        for (id, p) in &self.payments {
            if p.total.is_negative() {
                return Err(format!("payment {id} has a negative total"));
            }
            if let Some(m) = p.payment_method_id
                && !self.payment_methods.contains_key(&m)
            {
                return Err(format!("payment {id} names payment method {m}, which does not exist"));
            }
        }
        Ok(())
    }

    /// The payments as ActivePlatform shows them.
    pub fn payments(&self) -> Vec<PaymentView> {
        self.payments
            .iter()
            .map(|(id, p)| {
                let mut fields = vec![
                    ("account".to_owned(), p.account_id.to_string()),
                    ("created".to_owned(), p.created_at.with_offset_seconds(self.utc_offset_minutes)),
                ];
                if let Some(name) = p.payment_method_id.and_then(|m| self.payment_methods.get(&m)) {
                    fields.push(("payment method".to_owned(), name.clone()));
                }
                if !p.comment.is_empty() {
                    fields.push(("comment".to_owned(), p.comment.clone()));
                }
                PaymentView {
                    key: id.to_string(),
                    label: self.document_id(p.document_number),
                    amount: Some(p.total.to_string()),
                    currency: None,
                    status: p.status.name().to_owned(),
                    fields,
                    facets: vec![("account".to_owned(), p.account_id.to_string())],
                    relations: p
                        .orders
                        .iter()
                        .map(|o| RelationView { kind: "order".to_owned(), label: format!("Order {o}"), payment: None })
                        .collect(),
                }
            })
            .collect()
    }

    /// `complete` is "Complete a Payment" with the first payment method; the other moves happen
    /// in ActivePlatform itself.
    pub fn action_request(&self, key: &str, action: &str) -> Result<Request, String> {
        let id: u64 = key.parse().map_err(|_| format!("{key} is not an ActivePlatform payment id"))?;
        match action {
            "complete" => {
                let method = self.payment_methods.keys().next().copied().unwrap_or(1);
                let mut request = view::request(
                    Profile::ActivePlatform,
                    "POST",
                    format!("/api/vendor/v1/payments/{id}/complete.json"),
                    json!({ "payment_method_id": method }),
                );
                request.query.insert("api_token".to_owned(), self.manager_tokens.first().cloned().unwrap_or_default());
                Ok(request)
            }
            other => {
                Err(format!("ActivePlatform's API has no request for `{other}`; it happens in the platform itself"))
            }
        }
    }

    /// Takes the credentials out (for exports).
    pub fn redact_tokens(&mut self) {
        self.manager_tokens.clear();
    }

    /// The document id of a payment, from the mask.
    pub fn document_id(&self, number: u64) -> String {
        let mask = if self.document_id_mask.is_empty() { "{number}" } else { &self.document_id_mask };
        let padded = format!("{number:06}");
        mask.replace("{number:06}", &padded).replace("{number}", &number.to_string())
    }

    /// The response model of a payment.
    pub fn payment_json(&self, id: u64, p: &Payment) -> Value {
        json!({
            "id": id,
            "document_id": self.document_id(p.document_number),
            "status": p.status.name(),
            "account_id": p.account_id,
            "created_at": p.created_at.with_offset_millis(self.utc_offset_minutes),
            "updated_at": p.updated_at.with_offset_millis(self.utc_offset_minutes),
            "total": money_plain(p.total),
            "comment": p.comment,
            "requester_ip": p.requester_ip,
            "manager_id": p.manager_id,
            "payment_method_id": p.payment_method_id,
            "payment_method_name": p.payment_method_id.and_then(|m| self.payment_methods.get(&m)),
            "orders": p.orders,
        })
    }
}

fn failure(status: u16, code: &str, message: &str, call: &Call<'_>) -> Response {
    Response { status, body: json!({ "error": { "code": code, "message": message, "errors": call.report.errors } }) }
}

pub(crate) fn handle(state: &mut State, call: &Call<'_>) -> Outcome {
    if call.operation.is_none() {
        return Err(failure(404, "not_found", "No such API method", call));
    }
    if !call.report.valid {
        let first = call.report.errors.iter().find(|v| v.severity == crate::Severity::Error);
        return Err(failure(400, "invalid_request", first.map_or("Invalid request", |v| v.message.as_str()), call));
    }
    let token = call.query.get("api_token").map(String::as_str).unwrap_or_default();
    if !state.manager_tokens.iter().any(|t| t == token) {
        return Err(failure(401, "unauthorized", "The API token is not a manager's token", call));
    }
    let Some(id) = call.params.get("id").and_then(|t| t.parse::<u64>().ok()) else {
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
