//! Unit tests of LogiSense's records, views and action requests, on the sample part.

use super::State;
use crate::ledger::vendor::{Records as _, Views as _};

#[test]
fn the_sample_part_is_complete_and_consistent() {
    let state: State = serde_json::from_str(include_str!("../../../data/logisense/sample.json")).unwrap();
    state.check().unwrap();
    assert_eq!(crate::ledger::World::sample().logisense, state);
}

#[test]
fn check_catches_a_double_reversal_and_an_over_disbursement() {
    let sample: State = serde_json::from_str(include_str!("../../../data/logisense/sample.json")).unwrap();
    let mut twice = sample.clone();
    let mut second = twice.payments[&50].clone();
    second.amount = "1.00".parse().unwrap();
    twice.payments.insert(60, second);
    assert!(twice.check().unwrap_err().contains("reversed more than once"));
    let mut over = sample.clone();
    over.invoice_disbursements.get_mut(&56).unwrap().amount = "130.00".parse().unwrap();
    assert!(over.check().is_err());
    let mut dangling = sample;
    dangling.payments.get_mut(&7).unwrap().invoice_id = Some(999);
    assert!(dangling.check().unwrap_err().contains("invoiceId 999"));
}

fn sample() -> State {
    crate::ledger::World::sample().logisense
}

fn ledger() -> crate::ledger::Ledger {
    crate::ledger::Ledger::with_world(crate::ledger::World::sample(), Box::new(crate::ledger::SteppingClock::default()))
}

fn status_of(ledger: &crate::ledger::Ledger, key: &str) -> String {
    ledger.world().logisense.payments().into_iter().find(|v| v.key == key).unwrap().status
}

#[test]
fn payments_show_names_currencies_and_links() {
    let state = sample();
    let views = state.payments();
    let keys: Vec<&str> = views.iter().map(|v| v.key.as_str()).collect();
    assert_eq!(keys, ["1", "7", "17", "23", "24", "26", "40", "41", "42", "50"]);
    let one = &views[0];
    assert_eq!(one.label, "Payment 1");
    assert_eq!(one.amount.as_deref(), Some("1235.89"));
    assert_eq!(one.currency.as_deref(), Some("EUR"));
    assert_eq!(one.status, "reversed");
    let names: Vec<&str> = one.fields.iter().map(|(k, _)| k.as_str()).collect();
    assert_eq!(names, ["account", "date", "payment type", "payment method", "detail", "check number", "base amount"]);
    assert_eq!(one.fields[0].1, "Northwind Traders GmbH");
    assert_eq!(one.fields[1].1, "2021-04-26T15:25:27.587Z");
    assert_eq!(one.fields[3].1, "Visa ending 4242");
    assert_eq!(one.fields[6].1, "1345.89 USD");
    assert_eq!(
        one.facets,
        [
            ("account".to_owned(), "Northwind Traders GmbH".to_owned()),
            ("payment type".to_owned(), "Credit Card".to_owned())
        ]
    );
    let links: Vec<(&str, &str, Option<&str>)> =
        one.relations.iter().map(|r| (r.kind.as_str(), r.label.as_str(), r.payment.as_deref())).collect();
    assert_eq!(
        links,
        [
            ("invoice", "Invoice INV-2021-000012 · 31.25 disbursed", None),
            ("reversal", "Payment 50", Some("50")),
            ("retries", "Payment 24", Some("24")),
        ]
    );
    let find = |key: &str| views.iter().find(|v| v.key == key).unwrap();
    assert_eq!(find("50").relations[0].kind, "reverses");
    assert_eq!(find("50").relations[0].payment.as_deref(), Some("1"));
    assert_eq!(find("24").relations[0].kind, "retry");
    assert_eq!(find("24").relations[0].payment.as_deref(), Some("1"));
    assert!(find("41").fields.iter().all(|(k, _)| k != "payment method" && k != "check number"));
    // Every linked payment exists.
    for v in &views {
        for r in &v.relations {
            if let Some(k) = &r.payment {
                assert!(keys.contains(&k.as_str()), "{} links {k}", v.key);
            }
        }
    }
}

#[test]
fn every_allowed_action_has_a_request_the_ledger_accepts() {
    use crate::lifecycle::State as _;
    let state = sample();
    let mut tried = 0;
    for view in state.payments() {
        let from = crate::vendors::logisense::LogisenseState::from_name(&view.status).unwrap();
        for t in super::LIFECYCLE.allowed(from) {
            let request = match state.action_request(&view.key, t.action) {
                Ok(r) => r,
                Err(e) => {
                    // The one refusal the table does not see: a reversal is never reversed.
                    let p = &state.payments[&view.key.parse::<u64>().unwrap()];
                    assert!(p.reverse_payment_id.is_some() && t.action == "reverse", "{}: {e}", view.key);
                    assert!(e.contains("a reversal cannot be reversed"), "{e}");
                    continue;
                }
            };
            let report = crate::validate(&request);
            assert!(report.valid, "{} {}: {:?}", view.key, t.action, report.errors);
            assert_eq!(request.header("authorization"), Some("Bearer 4b7d91c0-logisense-billing-clerk"));
            let mut ledger = ledger();
            let response = ledger.handle(&request);
            assert!(
                (200..300).contains(&response.status),
                "{} {}: {} {}",
                view.key,
                t.action,
                response.status,
                response.body
            );
            assert_eq!(status_of(&ledger, &view.key), t.to.name(), "{} {}", view.key, t.action);
            ledger.world().check().unwrap();
            tried += 1;
        }
    }
    // reverse of 7, 17, 41 and 42 (50 is a reversal), settle and decline of 40, retry of 23 and 26.
    assert_eq!(tried, 8);
}

#[test]
fn action_requests_are_refused_with_the_lifecycle_text() {
    let state = sample();
    let refused = state.action_request("24", "retry").unwrap_err();
    assert!(refused.contains("cannot retry a payment that is `retried`"), "{refused}");
    let refused = state.action_request("7", "settle").unwrap_err();
    assert!(refused.contains("from `posted` the allowed actions are reverse"), "{refused}");
    assert!(state.action_request("999", "reverse").unwrap_err().contains("does not exist"));
    assert!(state.action_request("x", "reverse").is_err());
    assert!(state.action_request("7", "refund").unwrap_err().contains("no action `refund`"));
    let reverse = state.action_request("7", "reverse").unwrap();
    assert_eq!((reverse.method.as_str(), reverse.path.as_str()), ("POST", "/Payment/Reverse"));
    assert_eq!(reverse.body, serde_json::json!({ "reversePaymentId": 7 }));
    let settle = state.action_request("40", "settle").unwrap();
    assert_eq!((settle.method.as_str(), settle.path.as_str()), ("PUT", "/Payment/40"));
    assert_eq!(settle.body, serde_json::json!({ "paymentStatusTypeId": 41 }));
    let retry = state.action_request("23", "retry").unwrap();
    assert_eq!(retry.body["retryPaymentId"], 23);
    assert_eq!(retry.body["accountId"], 24);
    assert_eq!(retry.body["amount"].to_string(), "750.00");
    let mut no_gateway = state;
    no_gateway.payment_status_types =
        no_gateway.payment_status_types.into_iter().filter(|(_, t)| t.gateway_action.is_none()).collect();
    assert!(no_gateway.action_request("40", "decline").unwrap_err().contains("no PaymentStatusType"));
}

#[test]
fn redacted_state_has_no_tokens_and_still_checks() {
    let mut state = sample();
    let secrets: Vec<String> = state.tokens.keys().cloned().collect();
    assert!(!secrets.is_empty());
    state.redact_tokens();
    state.check().unwrap();
    assert!(state.tokens.is_empty());
    assert_eq!(state.users, sample().users);
    let text = serde_json::to_string(&state).unwrap();
    for secret in &secrets {
        assert!(!text.contains(secret.as_str()));
    }
    // A request built from a redacted state is refused (no credential left).
    let request = state.action_request("7", "reverse").unwrap();
    assert_eq!(ledger().handle(&request).status, 401);
    let world = crate::ledger::view::without_tokens(&crate::ledger::World::sample());
    assert!(world.logisense.tokens.is_empty());
    world.check().unwrap();
}
