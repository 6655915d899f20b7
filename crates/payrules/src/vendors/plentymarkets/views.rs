//! plentymarkets as people see it: its payments with their links, the `PUT` that performs a
//! lifecycle action, and credential removal.

use std::collections::BTreeMap;

use super::lifecycle::LIFECYCLE;
use super::operations::TRANSACTION_TYPE;
use super::records::{Payment, State};
use super::wire::UpdateRequest;
use crate::ledger::shape::{self as view, PaymentView, RelationView};
use crate::ledger::vendor::Views;
use crate::lifecycle::State as _;
use crate::profiles::Profile;
use crate::request::Request;

impl State {
    /// `parts`: the ids of its split parts (found once for all payments by [`Views::payments`]).
    fn payment_view(&self, id: u64, p: &Payment, parts: &[u64]) -> PaymentView {
        let method = self.payment_methods.get(&p.mop_id).map_or_else(String::new, |name| format!(" {name}"));
        let transaction_type = p.transaction_type.to_string();
        let transaction_name = TRANSACTION_TYPE
            .known
            .iter()
            .find(|(n, _)| *n == transaction_type)
            .map_or_else(|| transaction_type.clone(), |(_, name)| (*name).to_owned());
        let hash: String = p.hash.chars().take(8).collect();
        let mut fields = vec![
            ("type".to_owned(), p.kind.clone()),
            ("method".to_owned(), format!("{}{method}", p.mop_id)),
            ("transaction type".to_owned(), transaction_name),
            ("received".to_owned(), self.time(p.received_at)),
            ("hash".to_owned(), format!("{hash}…")),
        ];
        if p.deleted {
            fields.push(("deleted".to_owned(), "yes".to_owned()));
        }
        let mut facets =
            vec![("method".to_owned(), p.mop_id.to_string()), ("transaction type".to_owned(), transaction_type)];
        let mut relations = Vec::new();
        if let Some(r) = self.order_relations.get(&id) {
            facets.push(("order".to_owned(), r.target.to_string()));
            relations.push(RelationView {
                kind: "order".to_owned(),
                label: format!("Order {}", r.target),
                payment: None,
            });
        }
        if let Some(r) = self.contact_relations.get(&id) {
            relations.push(RelationView {
                kind: "contact".to_owned(),
                label: format!("Contact {}", r.target),
                payment: None,
            });
        }
        if let Some(parent) = p.parent_id {
            relations.push(RelationView {
                kind: "split of".to_owned(),
                label: format!("Payment {parent}"),
                payment: Some(parent.to_string()),
            });
        }
        relations.extend(parts.iter().map(|part| RelationView {
            kind: "split part".to_owned(),
            label: format!("Payment {part}"),
            payment: Some(part.to_string()),
        }));
        PaymentView {
            key: id.to_string(),
            label: format!("Payment {id}"),
            amount: Some(p.amount.to_string()),
            currency: Some(p.currency.clone()),
            status: p.status.name().to_owned(),
            fields,
            facets,
            relations,
        }
    }
}

impl Views for State {
    /// The payments as plentymarkets shows them, by id, deleted ones too (with `deleted: yes`).
    fn payments(&self) -> Vec<PaymentView> {
        // Each payment's split parts, in one pass (a scan per payment would make the list quadratic).
        let mut parts: BTreeMap<u64, Vec<u64>> = BTreeMap::new();
        for (&id, p) in &self.payments {
            if let Some(parent) = p.parent_id {
                parts.entry(parent).or_default().push(id);
            }
        }
        self.payments
            .iter()
            .map(|(&id, p)| self.payment_view(id, p, parts.get(&id).map_or(&[], Vec::as_slice)))
            .collect()
    }

    /// A lifecycle action is `PUT /rest/payments` with the payment's fields and the status the action
    /// leads to from the payment's status. A converted payment sends its amount and currency as first
    /// sent with `isSystemCurrency: false`, so the ledger converts it to the same amount again.
    fn action_request(&self, key: &str, action: &str) -> Result<Request, String> {
        let id: u64 = key.parse().map_err(|_| format!("{key} is not a plentymarkets payment id"))?;
        let p = self.payments.get(&id).ok_or_else(|| format!("Payment {id} does not exist"))?;
        let to = LIFECYCLE.apply(p.status, action).map_err(|e| e.to_string())?;
        let body = match (&p.original_amount, &p.original_currency) {
            (Some(amount), Some(currency)) if !p.is_system_currency => UpdateRequest {
                amount: *amount,
                currency,
                is_system_currency: Some(false),
                ..UpdateRequest::of(id, p, to)
            },
            _ => UpdateRequest::of(id, p, to),
        };
        let body = serde_json::to_value(&body).unwrap_or(serde_json::Value::Null);
        let mut request = view::request(Profile::Plentymarkets, "PUT", "/rest/payments".into(), body);
        let token = self.access_tokens.get_min().cloned().unwrap_or_default();
        request.headers.insert("Authorization".to_owned(), format!("Bearer {token}"));
        Ok(request)
    }

    /// Takes the credentials (the OAuth access tokens) out, for exports.
    fn redact_tokens(&mut self) {
        self.access_tokens.clear();
    }
}

#[cfg(test)]
mod tests {
    use super::super::records::tests::sample;
    use crate::ledger::vendor::{Records as _, Views as _};
    use crate::ledger::{Ledger, SteppingClock, World};

    fn view(ledger: &Ledger, key: &str) -> crate::ledger::view::PaymentView {
        ledger.world().plentymarkets.payments().into_iter().find(|v| v.key == key).unwrap()
    }

    #[test]
    fn payments_show_every_payment_with_its_links() {
        let views = sample().payments();
        let keys: Vec<&str> = views.iter().map(|v| v.key.as_str()).collect();
        assert_eq!(keys, ["1", "2", "3", "4", "5", "6", "7", "8", "9", "10"]);
        let first = &views[0];
        assert_eq!(first.label, "Payment 1");
        assert_eq!(first.amount.as_deref(), Some("119.9000"));
        assert_eq!(first.currency.as_deref(), Some("EUR"));
        assert_eq!(first.status, "3");
        let names: Vec<&str> = first.fields.iter().map(|(n, _)| n.as_str()).collect();
        assert_eq!(names, ["type", "method", "transaction type", "received", "hash"]);
        assert_eq!(first.fields[1].1, "6001 PayPal");
        assert_eq!(first.fields[2].1, "booked payment");
        assert_eq!(first.fields[3].1, "2023-12-04T10:15:00+01:00");
        assert_eq!(first.fields[4].1, "2b4cb7bc…");
        let facet = |n: &str, v: &str| (n.to_owned(), v.to_owned());
        assert_eq!(first.facets, [facet("method", "6001"), facet("transaction type", "2"), facet("order", "1001")]);
        let kinds: Vec<(&str, &str)> = first.relations.iter().map(|r| (r.kind.as_str(), r.label.as_str())).collect();
        assert_eq!(kinds, [("order", "Order 1001"), ("contact", "Contact 7")]);

        let parent = &views[3];
        let parts: Vec<Option<&str>> =
            parent.relations.iter().filter(|r| r.kind == "split part").map(|r| r.payment.as_deref()).collect();
        assert_eq!(parts, [Some("5"), Some("6")]);
        let part = &views[4];
        assert_eq!(part.relations.len(), 1);
        assert_eq!(part.relations[0].kind, "split of");
        assert_eq!(part.relations[0].label, "Payment 4");
        assert_eq!(part.relations[0].payment.as_deref(), Some("4"));

        let deleted = &views[7];
        assert_eq!(deleted.fields.last().unwrap(), &("deleted".to_owned(), "yes".to_owned()));
        assert!(views.iter().filter(|v| v.key != "8").all(|v| v.fields.iter().all(|(n, _)| n != "deleted")));
    }

    /// Every action the lifecycle allows from a (live) payment's status builds a valid `PUT` that
    /// the ledger answers with 200, moving the payment to the table's target.
    #[test]
    fn action_requests_move_payments_as_the_lifecycle_says() {
        use crate::lifecycle::State as _;
        use crate::vendors::plentymarkets::{LIFECYCLE, PlentyState};

        let state = sample();
        let mut moves = 0;
        for (id, p) in state.payments.iter().filter(|(_, p)| !p.deleted) {
            let key = id.to_string();
            for t in LIFECYCLE.allowed(p.status) {
                let mut ledger = Ledger::with_world(World::sample(), Box::new(SteppingClock::default()));
                assert_eq!(ledger.world().plentymarkets, state);
                let request = ledger.world().plentymarkets.action_request(&key, t.action).unwrap();
                let report = crate::validate(&request);
                assert!(report.valid, "{key} {}: {:?}", t.action, report.errors);
                assert_eq!(report.operation.as_deref(), Some("plentymarkets.update_payment"));
                let response = ledger.handle(&request);
                assert_eq!(response.status, 200, "{key} {}: {}", t.action, response.body);
                assert_eq!(view(&ledger, &key).status, t.to.name(), "{key} {}", t.action);
                let after = &ledger.world().plentymarkets.payments[id];
                assert_eq!(
                    after,
                    &super::Payment { status: t.to, ..p.clone() },
                    "{key} {}: only the status moves",
                    t.action
                );
                ledger.world().plentymarkets.check().unwrap();
                moves += 1;
            }
        }
        assert!(moves > 15, "{moves}");

        let err = state.action_request("9", "approve").unwrap_err();
        assert!(err.contains("approve"), "{err}");
        assert_eq!(err, LIFECYCLE.apply(PlentyState::Refunded, "approve").unwrap_err().to_string());
        assert!(state.action_request("3", "capture").is_err());
        assert!(state.action_request("3", "no_such_action").is_err());
        assert!(state.action_request("99", "approve").is_err());
        assert!(state.action_request("x", "approve").is_err());
    }

    #[test]
    fn action_requests_keep_exact_decimals_and_send_a_token() {
        let request = sample().action_request("10", "capture").unwrap();
        let text = serde_json::to_string(&request.body).unwrap();
        assert!(text.contains(r#""amount":100.0000"#), "{text}");
        assert!(text.contains(r#""exchangeRatio":0.9200"#), "{text}");
        assert!(text.contains(r#""isSystemCurrency":false"#), "{text}");
        assert!(text.contains(r#""status":3"#), "{text}");
        assert_eq!(request.headers["Authorization"], "Bearer plenty-demo-token");
        let part = sample().action_request("5", "capture").unwrap();
        assert_eq!(part.body["parentId"], 4);
    }

    #[test]
    fn redacted_tokens_leave_a_sound_state() {
        let mut state = sample();
        state.redact_tokens();
        assert!(state.access_tokens.is_empty());
        state.check().unwrap();
        let text = serde_json::to_string(&state).unwrap();
        assert!(!text.contains("plenty-demo-token") && !text.contains("plenty-scenario-token"));
        let request = state.action_request("3", "approve").unwrap();
        let world = World { plentymarkets: state, ..World::default() };
        let mut ledger = Ledger::with_world(world, Box::new(SteppingClock::default()));
        assert_eq!(ledger.handle(&request).status, 401);
    }
}
