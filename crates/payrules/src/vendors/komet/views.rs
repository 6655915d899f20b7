//! Komet Sales as people see it: payments (it records no amounts in this API) and the one action
//! its API performs.

use serde_json::json;

use super::records::State;
use crate::ledger::shape::{self, PaymentView};
use crate::lifecycle::State as _;
use crate::profile::Profile;
use crate::request::Request;

impl State {
    /// The payments as Komet Sales shows them.
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
                Ok(shape::request(Profile::Komet, "POST", "/api/payment.mark.sync".to_owned(), body))
            }
            other => Err(format!("Komet Sales' API has no request for `{other}`; it happens in Komet Sales itself")),
        }
    }

    /// Takes the credentials out (for exports).
    pub fn redact_tokens(&mut self) {
        self.company_tokens.clear();
    }
}
