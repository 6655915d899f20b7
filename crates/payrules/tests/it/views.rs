//! The views a console only renders: the payment list (filters, facets, paging), a payment's
//! actions with the reason for each one refused, and Komet Sales' batch request and its rows.
#![allow(clippy::unreadable_literal)] // payment ids as the vendor writes them

use payrules::ledger::view::{ListQuery, action_request, actions, list, payments, status_label};
use payrules::ledger::{Ledger, SteppingClock, World};
use payrules::vendors::komet::{BatchRow, batch_request, batch_results};
use payrules::{Profile, Response, validate};
use serde_json::json;

fn query(per_page: usize) -> ListQuery {
    ListQuery { per_page, ..ListQuery::default() }
}

fn keys(world: &World, profile: Profile, q: &ListQuery) -> Vec<String> {
    list(world, profile, q).items.into_iter().map(|p| p.key).collect()
}

#[test]
fn without_filters_the_list_is_every_payment_with_every_facet_and_status() {
    let world = World::sample();
    for profile in Profile::ALL {
        let all = payments(&world, profile);
        let l = list(&world, profile, &query(1000));
        assert_eq!(l.items, all, "{profile:?}");
        assert_eq!((l.total, l.page, l.pages), (all.len(), 0, 1), "{profile:?}");
        let mut facets: Vec<String> =
            all.iter().flat_map(|p| p.facets.iter().map(|(k, v)| format!("{k}: {v}"))).collect();
        facets.sort();
        facets.dedup();
        assert_eq!(l.facets, facets, "{profile:?}");
        let states = profile.lifecycle().table().states;
        let statuses: Vec<(String, String)> = states.iter().map(|s| (s.name.to_owned(), s.label.to_owned())).collect();
        assert_eq!(l.statuses, statuses, "{profile:?}");
        for s in &states {
            assert_eq!(status_label(profile, s.name), s.label);
        }
    }
    assert_eq!(status_label(Profile::Komet, "no such status"), "no such status");
}

#[test]
fn the_status_filter_keeps_that_status_only() {
    let world = World::sample();
    let q = ListQuery { status: Some("open".to_owned()), ..query(100) };
    assert_eq!(keys(&world, Profile::Komet, &q), ["450545", "450546", "451182"]);
    for profile in Profile::ALL {
        for s in profile.lifecycle().table().states {
            let q = ListQuery { status: Some(s.name.to_owned()), ..query(1000) };
            let l = list(&world, profile, &q);
            let expected = payments(&world, profile).into_iter().filter(|p| p.status == s.name).count();
            assert_eq!(l.total, expected, "{profile:?} {}", s.name);
            assert!(l.items.iter().all(|p| p.status == s.name));
        }
    }
    // An empty status is no filter.
    let q = ListQuery { status: Some(String::new()), ..query(100) };
    assert_eq!(list(&world, Profile::Komet, &q).total, 5);
}

#[test]
fn the_facet_filter_keeps_payments_with_that_facet() {
    let world = World::sample();
    let mut seen = 0;
    for profile in Profile::ALL {
        let all = payments(&world, profile);
        for facet in list(&world, profile, &query(1)).facets {
            let q = ListQuery { facet: Some(facet.clone()), ..query(1000) };
            let l = list(&world, profile, &q);
            let has =
                |p: &payrules::ledger::view::PaymentView| p.facets.iter().any(|(k, v)| format!("{k}: {v}") == facet);
            assert!(l.total > 0, "{profile:?} {facet}");
            assert_eq!(l.total, all.iter().filter(|p| has(p)).count(), "{profile:?} {facet}");
            assert!(l.items.iter().all(has));
            seen += 1;
        }
    }
    assert!(seen > 0, "the sample world has facets");
    let q = ListQuery { facet: Some("account: nobody".to_owned()), ..query(10) };
    assert_eq!(list(&world, Profile::Logisense, &q).total, 0);
}

#[test]
fn the_search_looks_in_label_key_and_fields_without_regard_to_case() {
    let world = World::sample();
    let q = ListQuery { search: "4505".to_owned(), ..query(100) };
    assert_eq!(keys(&world, Profile::Komet, &q), ["450545", "450546", "450547"]);
    let q = ListQuery { search: "PAYMENT 451181".to_owned(), ..query(100) };
    assert_eq!(keys(&world, Profile::Komet, &q), ["451181"]);
    for profile in Profile::ALL {
        for p in payments(&world, profile) {
            for text in [p.label.to_uppercase(), p.key.to_lowercase()]
                .into_iter()
                .chain(p.fields.iter().map(|(_, v)| v.to_uppercase()))
            {
                let q = ListQuery { search: text.clone(), ..query(1000) };
                assert!(keys(&world, profile, &q).contains(&p.key), "{profile:?} {text}");
            }
        }
    }
    // The filters combine.
    let q = ListQuery { status: Some("open".to_owned()), search: "4505".to_owned(), ..query(100) };
    assert_eq!(keys(&world, Profile::Komet, &q), ["450545", "450546"]);
}

#[test]
fn paging_is_clamped_and_there_is_always_a_page() {
    let world = World::sample();
    let page = |page, per_page| list(&world, Profile::Komet, &ListQuery { page, per_page, ..ListQuery::default() });
    let l = page(0, 2);
    assert_eq!((l.total, l.page, l.pages, l.items.len()), (5, 0, 3, 2));
    let l = page(2, 2);
    assert_eq!((l.page, l.pages), (2, 3));
    assert_eq!(l.items.iter().map(|p| p.key.as_str()).collect::<Vec<_>>(), ["451182"]);
    // Past the end: the last page.
    assert_eq!(page(99, 2), l);
    assert_eq!(page(usize::MAX, usize::MAX).page, 0);
    // A page of 0 payments counts as 1.
    assert_eq!(page(0, 0).pages, 5);
    // Nothing found: one empty page.
    let l = list(&world, Profile::Komet, &ListQuery { search: "nothing like it".to_owned(), page: 3, ..query(8) });
    assert_eq!((l.total, l.page, l.pages, l.items.len()), (0, 0, 1, 0));
    // Ten plentymarkets payments make two pages of eight.
    let l = list(&world, Profile::Plentymarkets, &ListQuery { page: 1, ..query(8) });
    assert_eq!((l.total, l.page, l.pages, l.items.len()), (10, 1, 2, 2));
}

#[test]
fn every_action_is_listed_with_a_valid_request_or_a_reason() {
    let world = World::sample();
    for profile in Profile::ALL {
        let lifecycle = profile.lifecycle();
        let mut names: Vec<&str> = Vec::new();
        for t in lifecycle.table().transitions {
            if !names.contains(&t.action) {
                names.push(t.action);
            }
        }
        for p in payments(&world, profile) {
            let views = actions(&world, profile, &p.key);
            assert_eq!(views.iter().map(|a| a.action).collect::<Vec<_>>(), names, "{profile:?} {}", p.key);
            for a in views {
                match (lifecycle.apply_named(&p.status, a.action), &a.verdict) {
                    (Err(e), Err(why)) => {
                        assert_eq!(*why, e.to_string());
                        assert!(why.contains(&format!("`{}`", p.status)), "{why}");
                    }
                    (Err(e), Ok(_)) => {
                        panic!("{profile:?} {} {}: allowed, but the lifecycle says {e}", p.key, a.action)
                    }
                    (Ok(_), verdict) => {
                        assert_eq!(*verdict, action_request(&world, profile, &p.key, a.action));
                        if let Ok(request) = verdict {
                            let report = validate(request);
                            assert!(report.valid, "{profile:?} {} {}: {:?}", p.key, a.action, report.errors);
                            assert_eq!(request.profile, profile.id());
                        }
                    }
                }
            }
        }
    }
}

#[test]
fn a_draft_crmcom_payment_can_be_posted_not_cancelled_and_the_post_is_accepted() {
    let world = World::sample();
    let key = "4653BEFC9239043011096B329DFEF3F7";
    let views = actions(&world, Profile::Crmcom, key);
    let find = |name: &str| views.iter().find(|a| a.action == name).map(|a| a.verdict.clone()).unwrap();
    let post = find("post").unwrap();
    let why = find("cancel").unwrap_err();
    assert!(why.starts_with("cannot cancel a payment that is `DRAFT`: from `DRAFT` the allowed actions are "), "{why}");
    let mut ledger = Ledger::sample(Box::new(SteppingClock::default()));
    assert_eq!(ledger.handle(&post).status, 200);
    let posted = actions(ledger.world(), Profile::Crmcom, key);
    assert!(posted.iter().find(|a| a.action == "post").unwrap().verdict.as_ref().unwrap_err().contains("`POSTED`"));
}

#[test]
fn komet_offers_mark_sync_and_says_cancel_is_not_its_apis() {
    let world = World::sample();
    let views = actions(&world, Profile::Komet, "450545");
    assert_eq!(views.iter().map(|a| a.action).collect::<Vec<_>>(), ["mark_sync", "cancel"]);
    assert!(views[0].verdict.is_ok());
    assert_eq!(
        views[1].verdict,
        Err("Komet Sales' API has no request for `cancel`; it happens in Komet Sales itself".to_owned())
    );
    let cancelled = actions(&world, Profile::Komet, "451181");
    assert!(cancelled.iter().all(|a| a.verdict.as_ref().is_err_and(|w| w.contains("`cancelled` is final"))));
}

#[test]
fn an_unknown_payment_has_every_action_refused() {
    let world = World::sample();
    for profile in Profile::ALL {
        for a in actions(&world, profile, "no such payment") {
            assert_eq!(a.verdict, Err(format!("{} has no payment `no such payment`", profile.vendor())));
        }
    }
}

#[test]
fn the_batch_request_validates_and_gives_the_seed_answer() {
    let world = World::sample();
    let request = batch_request(Some(&world.komet), None, "450545, 451181,\n 47873233");
    assert!(validate(&request).valid, "{:?}", validate(&request).errors);
    assert_eq!(request.path, "/api/payment.mark.sync");
    assert_eq!(
        request.body,
        json!({
            "authenticationToken": "token_info_goes_here",
            "payments": [{ "paymentId": 450545 }, { "paymentId": 451181 }, { "paymentId": 47873233 }]
        })
    );
    let mut ledger = Ledger::sample(Box::new(SteppingClock::default()));
    let response = ledger.handle(&request);
    assert_eq!(response.status, 200);
    let row = |id: &str, status: &str, message: &str| BatchRow {
        payment_id: id.to_owned(),
        status: status.to_owned(),
        message: message.to_owned(),
    };
    assert_eq!(
        batch_results(&response),
        [
            row("450545", "1", "The payment was successfully synchronized"),
            row("451181", "0", "The payment was cancelled"),
            row("47873233", "0", "The payment doesn't exist"),
        ]
    );
}

#[test]
fn the_typed_token_wins_then_the_worlds_then_none() {
    let world = World::sample();
    let token = |state, typed| batch_request(state, typed, "1").body["authenticationToken"].clone();
    assert_eq!(token(Some(&world.komet), Some("typed-token")), "typed-token");
    assert_eq!(token(Some(&world.komet), Some("")), "token_info_goes_here");
    assert_eq!(token(None, Some("typed-token")), "typed-token");
    assert_eq!(token(None, None), "");
    let empty = payrules::vendors::komet::State::default();
    assert_eq!(token(Some(&empty), None), "");
    // No token: validation refuses it, naming the field.
    let report = validate(&batch_request(None, None, "450545"));
    assert!(!report.valid);
    assert!(report.errors.iter().any(|v| v.path == "/body/authenticationToken"), "{:?}", report.errors);
}

#[test]
fn ids_that_are_not_numbers_get_the_vendors_refusal_not_a_panic() {
    let world = World::sample();
    for (ids, path, says) in [
        ("abc", "/body/payments/0/paymentId", "must be a JSON number, not a string"),
        ("450545 {\"x\":1}", "/body/payments/1/paymentId", "must be a JSON number, not a string"),
        ("450545, \"", "/body/payments/1/paymentId", "must be a JSON number, not a string"),
        ("007", "/body/payments/0/paymentId", "must be a JSON number, not a string"),
        ("-5", "/body/payments/0/paymentId", "must be at least 0"),
        ("1.5", "/body/payments/0/paymentId", "must be a whole number"),
        ("123456789012345678901", "/body/payments/0/paymentId", "at most 20 are allowed"),
        ("", "/body/payments", ""),
        (" , ,", "/body/payments", ""),
    ] {
        let request = batch_request(Some(&world.komet), None, ids);
        let report = validate(&request);
        assert!(!report.valid, "{ids}");
        assert!(report.errors.iter().any(|v| v.path == path && v.message.contains(says)), "{ids}: {:?}", report.errors);
        // The ledger answers with Komet's refusal, which has no rows.
        let response = Ledger::sample(Box::new(SteppingClock::default())).handle(&request);
        assert_eq!(response.status, 400, "{ids}");
        assert_eq!(batch_results(&response), []);
    }
    // A string id reads back without quotes; a refusal or another answer has no rows.
    let answer = Response { status: 200, body: json!({ "payments": [{ "paymentId": "x", "status": "0" }, {}] }) };
    assert_eq!(
        batch_results(&answer),
        [
            BatchRow { payment_id: "x".to_owned(), status: "0".to_owned(), message: String::new() },
            BatchRow { payment_id: String::new(), status: String::new(), message: String::new() },
        ]
    );
    assert_eq!(batch_results(&Response { status: 200, body: json!([1, 2]) }), []);
}
