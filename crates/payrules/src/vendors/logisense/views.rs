//! LogiSense as people see it: its payments with the names of their references and their links,
//! the request that performs each lifecycle action, and credential removal.

use std::collections::BTreeMap;

use serde::Serialize;
use serde_json::{Value, json};

use super::lifecycle::LIFECYCLE;
use super::records::{Disbursement, GatewayAction, Kind, Payment, State};
use crate::ledger::money;
use crate::ledger::shape::{self as view, PaymentView, RelationView};
use crate::ledger::vendor::Views;
use crate::lifecycle::State as _;
use crate::profiles::Profile;
use crate::request::Request;

/// The body of the `retry` action's `POST Payment/`.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct RetryBody {
    account_id: u64,
    amount: Value,
    payment_type_id: u64,
    #[serde(skip_serializing_if = "Option::is_none")]
    payment_method_id: Option<u64>,
    detail: String,
    retry_payment_id: u64,
}

/// What links to each payment, found in one pass over the records (a scan per payment would make
/// the listing quadratic): its invoice disbursements, reversals and retries, in record order.
#[derive(Default)]
struct Links<'a> {
    disbursements: BTreeMap<u64, Vec<&'a Disbursement>>,
    reversals: BTreeMap<u64, Vec<u64>>,
    retries: BTreeMap<u64, Vec<u64>>,
}

impl<'a> Links<'a> {
    fn of(state: &'a State) -> Links<'a> {
        let mut links = Links::default();
        for d in state.invoice_disbursements.values() {
            links.disbursements.entry(d.payment_id).or_default().push(d);
        }
        for (&id, q) in &state.payments {
            if let Some(of) = q.reverse_payment_id {
                links.reversals.entry(of).or_default().push(id);
            }
            if let Some(of) = q.retry_payment_id {
                links.retries.entry(of).or_default().push(id);
            }
        }
        links
    }
}

/// The entries of `map` under `key` (none when absent).
fn under<'m, K: Ord, V>(map: &'m BTreeMap<K, Vec<V>>, key: &K) -> &'m [V] {
    map.get(key).map_or(&[], Vec::as_slice)
}

impl State {
    fn payment_view(&self, id: u64, p: &Payment, links: &Links<'_>) -> PaymentView {
        let account = self.name_of(Kind::Account, p.account_id).unwrap_or_else(|| p.account_id.to_string());
        let payment_type =
            self.name_of(Kind::PaymentType, p.payment_type_id).unwrap_or_else(|| p.payment_type_id.to_string());
        let mut fields = vec![
            ("account".to_owned(), account.clone()),
            ("date".to_owned(), p.date.utc_millis()),
            ("payment type".to_owned(), payment_type.clone()),
        ];
        if let Some(name) = p.payment_method_id.and_then(|m| self.name_of(Kind::Method, m)) {
            fields.push(("payment method".to_owned(), name));
        }
        if let Some(detail) = p.detail.as_ref().filter(|d| !d.is_empty()) {
            fields.push(("detail".to_owned(), detail.clone()));
        }
        if let Some(check) = p.check_number.as_ref().filter(|c| !c.is_empty()) {
            fields.push(("check number".to_owned(), check.clone()));
        }
        let base = if self.system_currency.is_empty() {
            p.base_amount.to_string()
        } else {
            format!("{} {}", p.base_amount, self.system_currency)
        };
        fields.push(("base amount".to_owned(), base));
        let link = |kind: &str, other: u64| RelationView {
            kind: kind.to_owned(),
            label: format!("Payment {other}"),
            payment: Some(other.to_string()),
        };
        let mut relations: Vec<RelationView> = under(&links.disbursements, &id)
            .iter()
            .map(|d| {
                let invoice = self.name_of(Kind::Invoice, d.invoice_id).unwrap_or_else(|| d.invoice_id.to_string());
                RelationView {
                    kind: "invoice".to_owned(),
                    label: format!("Invoice {invoice} · {} disbursed", d.amount),
                    payment: None,
                }
            })
            .collect();
        relations.extend(under(&links.reversals, &id).iter().map(|r| link("reversal", *r)));
        relations.extend(p.reverse_payment_id.map(|o| link("reverses", o)));
        relations.extend(under(&links.retries, &id).iter().map(|r| link("retry", *r)));
        relations.extend(p.retry_payment_id.map(|f| link("retries", f)));
        PaymentView {
            key: id.to_string(),
            label: format!("Payment {id}"),
            amount: Some(p.amount.to_string()),
            currency: self.accounts.get(&p.account_id).map(|a| a.currency.clone()),
            status: p.status.name().to_owned(),
            fields,
            facets: vec![("account".to_owned(), account), ("payment type".to_owned(), payment_type)],
            relations,
        }
    }
}

impl Views for State {
    /// The payments as LogiSense shows them, by identity: the account's currency, the names of the
    /// references, and the links a `Payment/{id}/Detail` carries (invoice disbursements, the
    /// reversal) with the reversal and retry links of `reversePaymentId` and `retryPaymentId`.
    fn payments(&self) -> Vec<PaymentView> {
        let links = Links::of(self);
        self.payments.iter().map(|(&id, p)| self.payment_view(id, p, &links)).collect()
    }

    /// The request that performs a lifecycle action on a payment, as this ledger implements it:
    /// `reverse` is `POST Payment/Reverse` (the whole amount); `settle` and `decline` are the
    /// gateway's answer, a `PUT Payment/{id}` of a `paymentStatusTypeId` whose status type records
    /// it; `retry` is a `POST Payment/` on the failed payment's account, amount, payment type (and
    /// payment method) with `retryPaymentId`. Each carries `Authorization: Bearer <first token>`.
    fn action_request(&self, key: &str, action: &str) -> Result<Request, String> {
        if !LIFECYCLE.transitions.iter().any(|t| t.action == action) {
            let actions: Vec<&str> = LIFECYCLE.transitions.iter().map(|t| t.action).collect();
            return Err(format!(
                "LogiSense's lifecycle has no action `{action}`; its actions are {}",
                actions.join(", ")
            ));
        }
        let id: u64 = key.parse().map_err(|_| format!("{key} is not a LogiSense payment identity"))?;
        let p = self.payments.get(&id).ok_or_else(|| format!("Payment {id} does not exist"))?;
        LIFECYCLE.apply(p.status, action).map_err(|e| e.to_string())?;
        let (method, path, body) = match action {
            "reverse" => {
                if let Some(of) = p.reverse_payment_id {
                    return Err(format!(
                        "Payment {id} is itself the reversal of payment {of}; a reversal cannot be reversed"
                    ));
                }
                ("POST", "/Payment/Reverse".to_owned(), json!({ "reversePaymentId": id }))
            }
            "settle" | "decline" => {
                let wanted = if action == "settle" { GatewayAction::Settle } else { GatewayAction::Decline };
                let status_type = self
                    .payment_status_types
                    .iter()
                    .find(|(_, t)| t.gateway_action == Some(wanted))
                    .map(|(t, _)| *t)
                    .ok_or_else(|| {
                        format!(
                            "no PaymentStatusType records the gateway's {action}: LogiSense has no request to {action} payment {id}"
                        )
                    })?;
                ("PUT", format!("/Payment/{id}"), json!({ "paymentStatusTypeId": status_type }))
            }
            _ => {
                let body = RetryBody {
                    account_id: p.account_id,
                    amount: money(p.amount),
                    payment_type_id: p.payment_type_id,
                    payment_method_id: p.payment_method_id,
                    detail: format!("Retry of payment {id}"),
                    retry_payment_id: id,
                };
                ("POST", "/Payment".to_owned(), serde_json::to_value(body).unwrap_or(Value::Null))
            }
        };
        let mut request = view::request(Profile::Logisense, method, path, body);
        let token = self.tokens.keys().next().cloned().unwrap_or_default();
        request.headers.insert("Authorization".to_owned(), format!("Bearer {token}"));
        Ok(request)
    }

    /// Takes the credentials out (for exports): every access token goes; the users they acted as
    /// stay (they are records payments name), so the state still passes [`State::check`].
    fn redact_tokens(&mut self) {
        self.tokens.clear();
    }
}
