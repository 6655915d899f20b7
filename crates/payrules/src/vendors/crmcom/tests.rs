//! CRM.COM's unit tests: invariants along the scenarios, the sample part, the views, action
//! requests and credential removal.

use super::State;
use crate::Request;
use crate::ledger::vendor::{Records as _, Views as _};
use crate::ledger::{Ledger, SteppingClock};

#[test]
fn every_scenario_step_keeps_the_invariants() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("data/crmcom/scenarios");
    let mut steps = 0;
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if !path.to_string_lossy().ends_with(".in.jsonl") {
            continue;
        }
        let mut ledger = Ledger::sample(Box::new(SteppingClock::default()));
        for line in std::fs::read_to_string(&path).unwrap().lines().filter(|l| !l.trim().is_empty()) {
            let before = ledger.world().crmcom.clone();
            let response = ledger.handle(&Request::from_json(line).unwrap());
            let after = &ledger.world().crmcom;
            if let Err(e) = after.check() {
                panic!("{}: {line}: {e}", path.display());
            }
            // A refusal changes nothing; financial transactions are never deleted.
            if response.status != 200 {
                assert_eq!(&before, after, "{line}");
            }
            assert!(before.payments.keys().all(|id| after.payments.contains_key(id)), "{line}");
            assert!(before.payment_cancellations.keys().all(|id| after.payment_cancellations.contains_key(id)));
            steps += 1;
        }
    }
    assert!(steps > 50, "only {steps} scenario steps");
}

#[test]
fn the_sample_part_reads_and_holds_its_invariants() {
    let state: State = serde_json::from_str(include_str!("../../../data/crmcom/sample.json")).unwrap();
    state.check().unwrap();
    assert!(state.payments.len() >= 6);
}

#[test]
fn check_catches_an_outstanding_amount_that_does_not_add_up() {
    let mut state: State = serde_json::from_str(include_str!("../../../data/crmcom/sample.json")).unwrap();
    let key = state.invoices.iter().find(|(_, d)| d.reference_number == "322").unwrap().0.clone();
    let invoice = state.invoices.get_mut(&key).unwrap();
    invoice.outstanding_amount = "1".parse().unwrap();
    assert!(state.check().unwrap_err().contains("outstanding"));
}

use crate::ledger::World;
use crate::lifecycle::State as _;
use crate::vendors::crmcom::LIFECYCLE;

fn sample() -> State {
    serde_json::from_str(include_str!("../../../data/crmcom/sample.json")).unwrap()
}

#[test]
fn every_allowed_action_request_is_valid_and_moves_the_payment() {
    let state = sample();
    let mut done = 0;
    for view in state.payments() {
        let from = crate::vendors::crmcom::CrmcomState::from_name(&view.status).unwrap();
        for t in LIFECYCLE.transitions.iter().filter(|t| t.from == from) {
            let request = state.action_request(&view.key, t.action).unwrap();
            let report = crate::validate(&request);
            assert!(report.valid, "{} {}: {:?}", view.label, t.action, report.errors);
            let mut ledger = Ledger::with_world(World::sample(), Box::new(SteppingClock::default()));
            let response = ledger.handle(&request);
            assert_eq!(response.status, 200, "{} {}: {}", view.label, t.action, response.body);
            let after = ledger.world().crmcom.payments();
            let moved = after.iter().find(|p| p.key == view.key).unwrap();
            assert_eq!(moved.status, t.to.name(), "{} {}", view.label, t.action);
            ledger.world().crmcom.check().unwrap();
            done += 1;
        }
    }
    // Two drafts (post, reject) and four posted payments (cancel).
    assert_eq!(done, 8);
}

#[test]
fn verify_unknown_actions_and_unknown_keys_have_no_request() {
    let state = sample();
    let key = state.payments.keys().next().unwrap().clone();
    assert!(state.action_request(&key, "verify").unwrap_err().contains("SEEDS.md"));
    assert!(state.action_request(&key, "refund").unwrap_err().contains("refund"));
    assert!(state.action_request("NOPE", "post").unwrap_err().contains("NOPE"));
    let request = state.action_request(&key, "cancel").unwrap();
    assert!(request.body.get("category_identifier").is_none());
    assert_eq!(request.body["token"], state.tokens.keys().next().unwrap().as_str());
}

#[test]
fn the_views_show_payments_as_crmcom_does() {
    let views = sample().payments();
    let labels: Vec<&str> = views.iter().map(|v| v.label.as_str()).collect();
    assert_eq!(
        labels,
        [
            "Payment 110 · No 95",
            "Payment 111 · No 96",
            "Payment 112 · No 97",
            "Payment 113 · No 98",
            "Payment 117",
            "Payment 118",
        ]
    );
    let first = &views[0];
    assert_eq!(first.key, "1F4A7D0C3B6E9A2D5C8F1B4E7A0D3C6F");
    assert_eq!(first.amount.as_deref(), Some("78"));
    assert_eq!(first.currency, None);
    assert_eq!(first.status, "POSTED");
    let names: Vec<&str> = first.fields.iter().map(|f| f.0.as_str()).collect();
    assert_eq!(names, ["accounts receivable", "payment method", "type", "received on", "posted on"]);
    assert_eq!(first.fields[0].1, "192 · Peter Johnson Premium");
    let facets: Vec<&str> = first.facets.iter().map(|f| f.0.as_str()).collect();
    assert_eq!(facets, ["accounts receivable", "type", "category", "payment method"]);
    assert_eq!(first.facets[0].1, "192");
    let second = &views[1];
    assert_eq!(second.relations[0].kind, "invoice");
    assert_eq!(second.relations[0].label, "Invoice 322 · 60 paid");
    assert_eq!(second.relations[1].kind, "account");
    assert_eq!(views[4].status, "DRAFT");
    assert!(views[4].fields.iter().all(|f| f.0 != "posted on"));
}

#[test]
fn cancellations_rejections_and_cards_show_as_relations_and_fields() {
    let mut ledger = Ledger::sample(Box::new(SteppingClock::default()));
    let state = ledger.world().crmcom.clone();
    let key = |r: &str| state.payments.iter().find(|(_, p)| p.reference_number == r).unwrap().0.clone();
    for (reference, action) in [("111", "cancel"), ("117", "reject")] {
        let request = state.action_request(&key(reference), action).unwrap();
        assert_eq!(ledger.handle(&request).status, 200);
    }
    let create = r#"{"profile":"crmcom","method":"POST","path":"/payments/create","body":{"token":"825D7B5BB7F62E043A7C73B0FFBF124F","accounts_receivable_identifier":{"number":"200"},"type_identifier":{"name":"Payment 1"},"life_cycle_state":"POSTED","payment_method_identifier":{"name":"Stripe Payment Gateway"},"card_identifier":{"payment_gateway_reference_number":"card_15S0w0E0IcJRGs11e6ffmDXK"},"payment_amount":"50","bills_to_pay_set":[{"bill_identifier":{"number":"163"}}]}}"#;
    assert_eq!(ledger.handle_json(create).status, 200);
    let views = ledger.world().crmcom.payments();
    let cancelled = views.iter().find(|v| v.key == key("111")).unwrap();
    assert_eq!(cancelled.status, "CANCELLED");
    let relation = cancelled.relations.iter().find(|r| r.kind == "cancellation").unwrap();
    assert!(relation.label.starts_with("Cancellation ") && relation.label.contains(" · No "), "{}", relation.label);
    assert!(cancelled.relations.iter().all(|r| r.kind != "invoice"));
    let rejected = views.iter().find(|v| v.key == key("117")).unwrap();
    assert_eq!(
        rejected.fields.last().unwrap(),
        &("rejection reason".to_owned(), "Reject Due to Business Request".to_owned())
    );
    let carded = views.last().unwrap();
    let kinds: Vec<&str> = carded.relations.iter().map(|r| r.kind.as_str()).collect();
    assert_eq!(kinds, ["bill", "card", "account"]);
    assert_eq!(carded.relations[0].label, "Bill B163 · 50 paid");
    assert_eq!(carded.relations[1].label, "Card •••• DXK");
    let text = serde_json::to_string(&views).unwrap();
    assert!(!text.contains("card_15S0w0E0IcJRGs11e6ffmDXK"));
    // Cancellations are relations, not payments of their own.
    assert_eq!(views.len(), state.payments.len() + 1);
}

#[test]
fn a_redacted_state_has_no_credentials_and_keeps_its_invariants() {
    let mut ledger = Ledger::sample(Box::new(SteppingClock::default()));
    let create = r#"{"profile":"crmcom","method":"POST","path":"/payments/create","body":{"token":"825D7B5BB7F62E043A7C73B0FFBF124F","accounts_receivable_identifier":{"number":"200"},"type_identifier":{"name":"Payment 1"},"life_cycle_state":"POSTED","payment_method_identifier":{"name":"Stripe Payment Gateway"},"card_identifier":{"payment_gateway_reference_number":"card_15S0w0E0IcJRGs11e6ffmDXK"},"payment_amount":"50"}}"#;
    assert_eq!(ledger.handle_json(create).status, 200);
    let state = ledger.world().crmcom.clone();
    let mut redacted = state.clone();
    redacted.redact_tokens();
    redacted.check().unwrap();
    assert!(redacted.tokens.is_empty());
    let text = serde_json::to_string(&redacted).unwrap();
    for token in state.tokens.keys() {
        assert!(!text.to_ascii_uppercase().contains(token.as_str()), "token {token} survives");
    }
    for card in state.cards.values() {
        assert!(!text.contains(&card.payment_gateway_reference_number));
    }
    let card = redacted.cards.values().find(|c| c.number.ends_with("4242")).unwrap();
    assert_eq!(card.payment_gateway_reference_number, "card_…mDXK");
    // The views read the same, and an action request carries no credential.
    assert_eq!(redacted.payments(), state.payments());
    let key = state.payments.keys().next().unwrap();
    assert_eq!(redacted.action_request(key, "post").unwrap().body["token"], "");
    // Redacting twice changes nothing more.
    let mut twice = redacted.clone();
    twice.redact_tokens();
    assert_eq!(twice, redacted);
}

#[test]
fn a_posts_query_parameters_are_ignored_as_validation_says() {
    // Validation warns that a POST's query parameters are ignored by the vendor; the ledger must
    // not read them (it once took `received_on` and the identifiers from the query of a POST).
    let line =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/data/crmcom/scenarios/02-create.in.jsonl"))
            .unwrap()
            .lines()
            .next()
            .unwrap()
            .to_owned();
    let mut plain: crate::Request = serde_json::from_str(&line).unwrap();
    let body = plain.body.as_object_mut().unwrap();
    body.remove("received_on");
    body.remove("description");
    let mut request = plain.clone();
    request.query.insert("received_on".to_owned(), "yesterday".to_owned());
    request.query.insert("description".to_owned(), "from the query".to_owned());
    let report = crate::validate(&request);
    assert!(report.valid, "{:?}", report.errors);
    assert!(report.errors.iter().any(|v| v.path == "/query/received_on" && v.code == crate::Code::UnknownField));
    let answer = |request: &crate::Request| {
        let mut ledger = crate::ledger::Ledger::sample(Box::new(crate::ledger::SteppingClock::default()));
        let response = ledger.handle(request);
        (response, ledger.snapshot())
    };
    let (with_query, state_with) = answer(&request);
    let (without, state_without) = answer(&plain);
    assert_eq!(with_query.status, 200, "{}", with_query.body);
    assert_eq!(with_query, without);
    assert_eq!(state_with, state_without);
}

#[test]
fn the_user_defined_fields_are_named_once() {
    use super::records::UDFS;
    assert_eq!(UDFS.len(), 16);
    assert!(UDFS.iter().all(|n| n.starts_with("udf_")));
    for op in super::OPERATIONS {
        if let crate::operation::Body::Json(fields) = op.body {
            let udfs: Vec<&str> = fields.iter().map(|f| f.name).filter(|n| n.starts_with("udf_")).collect();
            assert!(udfs.is_empty() || udfs == UDFS, "{}: {udfs:?}", op.id);
        }
    }
}

/// The identifying fields validation allows (operations.rs) are exactly the ones the ledger can
/// look a record up by (`Named::key` in inputs.rs, `id` being the map key): the two lists agree.
#[test]
fn every_identifier_field_validation_allows_finds_its_record() {
    use super::inputs::Named;
    use super::operations as ops;
    fn agree<T: Named + Clone + 'static>(
        what: &str,
        allowed: &[&str],
        records: &crate::ledger::table::Table<String, T>,
    ) {
        assert!(!records.is_empty(), "the sample has no {what}");
        // A field is found by where some record has it (a DRAFT payment has no number yet).
        let found = |field: &str| records.values().any(|r| r.key(field).is_some());
        for field in allowed.iter().filter(|f| **f != "id") {
            assert!(found(field), "{what}: validation allows `{field}`, the ledger cannot find by it");
        }
        for field in [
            "number",
            "name",
            "code",
            "alternative_code",
            "username",
            "reference_number",
            "payment_gateway_reference_number",
        ] {
            if found(field) {
                assert!(allowed.contains(&field), "{what}: the ledger finds by `{field}`, validation refuses it");
            }
        }
    }
    let s = sample();
    agree("accounts receivable", ops::ACCOUNTS_RECEIVABLE_ID_FIELDS, &s.accounts_receivable);
    agree("payment method", ops::PAYMENT_METHOD_ID_FIELDS, &s.payment_methods);
    agree("type", ops::TYPE_ID_FIELDS, &s.types);
    agree("category", ops::CATEGORY_ID_FIELDS, &s.categories);
    agree("user", ops::USER_ID_FIELDS, &s.users);
    agree("unit", ops::UNIT_ID_FIELDS, &s.units);
    agree("rejection reason", ops::REJECTION_REASON_ID_FIELDS, &s.rejection_reasons);
    agree("card", ops::CARD_ID_FIELDS, &s.cards);
    agree("invoice", ops::INVOICE_ID_FIELDS, &s.invoices);
    agree("bill", ops::BILL_ID_FIELDS, &s.bills);
    agree("payment", ops::PAYMENT_ID_FIELDS, &s.payments);
}
