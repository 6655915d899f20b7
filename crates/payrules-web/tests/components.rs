//! Component tests in headless Chromium (wasm-bindgen-test): the composer's form functions, the
//! lifecycle diagrams' data and trails, and the mounted console reacting as a user types.
#![cfg(target_arch = "wasm32")]

use std::collections::BTreeMap;

use payrules::Profile;
use payrules_web::{App, diagram, form};
use wasm_bindgen::JsCast;
use wasm_bindgen_test::{wasm_bindgen_test, wasm_bindgen_test_configure};

wasm_bindgen_test_configure!(run_in_browser);

#[wasm_bindgen_test]
fn the_form_writes_numbers_exactly_and_reads_them_back() {
    let op = Profile::Plentymarkets.operation("plentymarkets.create_payment").unwrap();
    let mut values = BTreeMap::new();
    for (p, v) in [
        ("/headers/authorization", "Bearer t"),
        ("/body/amount", "12.3400"),
        ("/body/exchangeRatio", "1.0000"),
        ("/body/mopId", "6000"),
        ("/body/currency", "EUR"),
        ("/body/type", "debit"),
        ("/body/status", "2"),
        ("/body/transactionType", "1"),
    ] {
        values.insert(p.to_owned(), v.to_owned());
    }
    let text = form::request_text(Profile::Plentymarkets, op, &values);
    assert!(text.contains("\"amount\":12.3400"), "{text}");
    assert!(payrules::validate_json(&text).valid, "{text}");
    assert_eq!(form::values_from(op, &text), values);
    // An identifier picker writes {"field": "value"}.
    let op = Profile::Crmcom.operation("crmcom.payments_post").unwrap();
    let mut v = BTreeMap::new();
    v.insert("/body/payment_identifier".to_owned(), "reference_number=117".to_owned());
    v.insert("/body/token".to_owned(), "B8D7A12E9F91AFADE914B7330AFD08CB".to_owned());
    let text = form::request_text(Profile::Crmcom, op, &v);
    assert!(text.contains(r#""payment_identifier":{"reference_number":"117"}"#), "{text}");
    assert!(payrules::validate_json(&text).valid);
    assert!(!form::masked(&text, &["B8D7A12E9F91AFADE914B7330AFD08CB".to_owned()]).contains("B8D7"));
}

#[wasm_bindgen_test]
fn the_search_ignores_case_as_the_core_does() {
    // The list's search lowercases with the browser's `toLowerCase` outside ASCII: the same text
    // as `str::to_lowercase` (ledger::view::list_of) for letters people type.
    for text in ["Payment 117", "MÜLLER Straße", "ÇA İSTANBUL", "ΟΔΥΣΣΕΥΣ", "ÅNGSTRÖM", "Ǆ Ⅻ ﬃ"] {
        assert_eq!(payrules_web::lowercase(text), text.to_lowercase(), "{text}");
    }
}

#[wasm_bindgen_test]
fn the_diagrams_laid_out_at_build_time_are_the_lifecycle_tables() {
    // Their geometry is tested where it is computed (payrules-diagram); here: the data the
    // console carries draws every state and every move of the tables it runs on.
    for profile in Profile::ALL {
        let table = profile.lifecycle().table();
        let d = diagram::of(profile).unwrap();
        let states: Vec<_> = d.nodes.iter().map(|n| n.name).collect();
        assert_eq!(states, table.states.iter().map(|s| s.name).collect::<Vec<_>>(), "{profile}");
        let moves: Vec<_> = d.edges.iter().map(|e| (e.from, e.action, e.to)).collect();
        assert_eq!(moves, table.transitions.iter().map(|t| (t.from, t.action, t.to)).collect::<Vec<_>>(), "{profile}");
    }
}

#[wasm_bindgen_test]
fn a_trail_is_numbered_on_the_moves_it_took() {
    let d = diagram::of(Profile::Crmcom).unwrap();
    let trail = ["DRAFT", "POSTED", "CANCELLED"].map(str::to_owned);
    let steps = diagram::steps(d, &trail);
    let numbered: Vec<_> =
        d.edges.iter().zip(&steps).filter(|(_, s)| !s.is_empty()).map(|(e, s)| (e.action, s.clone())).collect();
    assert_eq!(numbered, [("post", vec![1]), ("cancel", vec![2])]);
    // A jump no move makes (seen only as its outcome) numbers nothing.
    assert!(diagram::steps(d, &["DRAFT".to_owned(), "CANCELLED".to_owned()]).iter().all(Vec::is_empty));
}

#[wasm_bindgen_test]
fn coordinates_are_written_as_float_formatting_would() {
    for v in [0.0, 14.0, 120.5, 85.25, 1234.75, -6.0, -0.5, 19.1] {
        assert_eq!(diagram::num(v), v.to_string(), "{v}");
    }
}

#[wasm_bindgen_test]
fn what_the_console_reads_reads_as_serde_reads_it() {
    use payrules::ledger::view::{WorldView, world_view};
    use payrules::ledger::{Ledger, SteppingClock, Timestamp};
    // The sample world, and one where a payment was posted and cancelled (relations, refusals).
    let mut ledger =
        Ledger::sample(Box::new(SteppingClock::new(Timestamp::parse("2024-01-01T09:00:00Z").unwrap(), 1000)));
    let mut texts = vec![serde_json::to_string(&world_view(ledger.world())).unwrap()];
    let mut answers = Vec::new();
    for action in ["post", "cancel"] {
        let request = payrules::ledger::view::action_request(
            ledger.world(),
            Profile::Crmcom,
            "4653BEFC9239043011096B329DFEF3F7",
            action,
        )
        .unwrap();
        answers.push(serde_json::to_string(&ledger.handle(&request)).unwrap());
    }
    texts.push(serde_json::to_string(&world_view(ledger.world())).unwrap());
    texts.push(serde_json::to_string(&world_view(&ledger.world().without_tokens())).unwrap());
    for text in &texts {
        assert_eq!(payrules_web::read::world_view(text).unwrap(), serde_json::from_str::<WorldView>(text).unwrap());
    }
    for text in &answers {
        assert_eq!(
            payrules_web::read::response(text).unwrap(),
            serde_json::from_str::<payrules::Response>(text).unwrap()
        );
    }
    let log = vec![payrules_web::Sent {
        n: 1,
        profile: "crmcom".to_owned(),
        method: "POST".to_owned(),
        path: "/payments/cancel".to_owned(),
        status: 200,
        touched: vec!["4653BEFC9239043011096B329DFEF3F7".to_owned(), "x".to_owned()],
        at: 1_764_633_600_123,
        server: "http://127.0.0.1:8081".to_owned(),
        sandbox: "team-a".to_owned(),
        request: r#"{"profile":"crmcom","method":"POST","path":"/payments/cancel","body":{"x":1.10}}"#.to_owned(),
        errors: 1,
        warnings: 2,
        response: "{\n  \"a\": \"é\"\n}".to_owned(),
    }];
    assert_eq!(payrules_web::read::history(&serde_json::to_string(&log).unwrap()).unwrap(), log);
    // A log saved before the history panel: the new fields read as empty, the page's own requests.
    let old = r#"[{"n":1,"profile":"komet","method":"POST","path":"/x","status":200,"touched":[]}]"#;
    let read = payrules_web::read::history(old).unwrap();
    assert_eq!((read[0].server.as_str(), read[0].at, read[0].request.as_str()), ("browser", 0, ""));
    assert!(payrules_web::read::world_view("{\"profiles\":[]}").is_err());
}

async fn tick() {
    let promise = js_sys::Promise::new(&mut |resolve, _| {
        web_sys::window().unwrap().set_timeout_with_callback_and_timeout_and_arguments_0(&resolve, 50).unwrap();
    });
    wasm_bindgen_futures::JsFuture::from(promise).await.unwrap();
}

fn query(selector: &str) -> Option<web_sys::Element> {
    web_sys::window().unwrap().document().unwrap().query_selector(selector).unwrap()
}

#[wasm_bindgen_test]
async fn the_composer_shows_field_errors_as_you_type_and_a_failed_load_is_shown() {
    let host = web_sys::window().unwrap().document().unwrap().create_element("div").unwrap();
    web_sys::window().unwrap().document().unwrap().body().unwrap().append_child(&host).unwrap();
    let handle = leptos::mount::mount_to(host.unchecked_into(), App);
    tick().await;
    let amount: web_sys::HtmlInputElement = query(r#"[data-testid="field-/body/amount"]"#).unwrap().unchecked_into();
    amount.set_value("12.34");
    amount
        .dispatch_event(
            &web_sys::Event::new_with_event_init_dict("input", &{
                let i = web_sys::EventInit::new();
                i.set_bubbles(true);
                i
            })
            .unwrap(),
        )
        .unwrap();
    tick().await;
    let errors = query(r#"[data-testid="field-error-/body/amount"]"#).unwrap().text_content().unwrap();
    assert!(errors.contains("needs exactly 4 decimals: 12.3400"), "{errors}");
    // Only the field typed in shows its problems (calm forms); Send says it cannot send.
    let mop = query(r#"[data-testid="field-error-/body/mopId"]"#).unwrap().text_content().unwrap();
    assert_eq!(mop, "", "an untouched field shows no problem");
    let send: web_sys::HtmlButtonElement = query(r#"[data-testid="send"]"#).unwrap().unchecked_into();
    assert_eq!(send.get_attribute("aria-disabled").as_deref(), Some("true"));
    // A send attempt shows every problem, and sends nothing.
    send.click();
    tick().await;
    let mop = query(r#"[data-testid="field-error-/body/mopId"]"#).unwrap().text_content().unwrap();
    assert!(mop.contains("required"), "{mop}");
    assert!(query(r#"[data-testid="response-body"]"#).is_none());
    // The test server has none of the app's files: the failure is shown, not swallowed.
    for _ in 0..20 {
        if query(r#"[data-testid="notice"]"#).is_some() {
            break;
        }
        tick().await;
    }
    let notice = query(r#"[data-testid="notice"]"#).map(|n| n.text_content().unwrap_or_default()).unwrap_or_default();
    assert!(notice.contains("could not be loaded"), "{notice}");
    drop(handle);
}
