//! ActivePlatform as people see it: payments with their document ids and the one action its API
//! performs.

use crate::ledger::vendor::Views;
use serde_json::json;

use super::records::State;
use crate::ledger::shape::{self, PaymentView, RelationView};
use crate::lifecycle::State as _;
use crate::profile::Profile;
use crate::request::Request;

impl Views for State {
    /// The payments as ActivePlatform shows them.
    fn payments(&self) -> Vec<PaymentView> {
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
    fn action_request(&self, key: &str, action: &str) -> Result<Request, String> {
        let id: u64 = key.parse().map_err(|_| format!("{key} is not an ActivePlatform payment id"))?;
        match action {
            "complete" => {
                let method = self.payment_methods.keys().next().copied().unwrap_or(1);
                let mut request = shape::request(
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
    fn redact_tokens(&mut self) {
        self.manager_tokens.clear();
    }
}
