//! The ledger module in a real headless browser (Debian's Chromium through ChromeDriver), running
//! every shared scenario file through the module's own exports: the same bytes as natively.
#![cfg(target_arch = "wasm32")]

use payrules_wasm_ledger::Ledger;
use wasm_bindgen::JsValue;
use wasm_bindgen_test::{wasm_bindgen_test, wasm_bindgen_test_configure};

wasm_bindgen_test_configure!(run_in_browser);

// The same embedded files as payrules-wasm's tests (the same build script); this module uses the scenarios.
#[allow(dead_code)]
mod shared {
    include!(concat!(env!("OUT_DIR"), "/shared_tests.rs"));
}
use shared::SCENARIOS;

fn options() -> JsValue {
    let o = js_sys::Object::new();
    js_sys::Reflect::set(&o, &"now".into(), &"2024-01-01T09:00:00Z".into()).unwrap();
    o.into()
}

#[wasm_bindgen_test]
fn every_scenario_gives_the_expected_responses_byte_for_byte() {
    assert!(SCENARIOS.len() >= 20, "{} scenarios", SCENARIOS.len());
    for (name, input, expected) in SCENARIOS {
        let mut ledger = Ledger::new(Some(options())).unwrap();
        let mut got = String::new();
        for line in input.lines().filter(|l| !l.trim().is_empty()) {
            got.push_str(&ledger.handle_json(line).unwrap());
            got.push('\n');
        }
        assert_eq!(&got, expected, "{name}");
    }
}

#[wasm_bindgen_test]
fn broken_contracts_throw_refusals_return() {
    assert!(Ledger::restore("{}", None).is_err());
    let mut ledger = Ledger::empty(Some(options())).unwrap();
    assert!(ledger.handle(&JsValue::from(5)).is_err());
    let request = js_sys::JSON::parse(
        r#"{"profile":"komet","method":"POST","path":"/api/payment.mark.sync","body":{"authenticationToken":"token_info_goes_here","payments":[{"paymentId":450545}]}}"#,
    )
    .unwrap();
    let response = ledger.handle(&request).unwrap();
    let status = js_sys::Reflect::get(&response, &"status".into()).unwrap();
    assert_eq!(status.as_f64(), Some(401.0)); // no company tokens in an empty world
    let sample = Ledger::new(Some(options())).unwrap();
    let snapshot = sample.snapshot();
    assert_eq!(Ledger::restore(&snapshot, Some(options())).unwrap().snapshot(), snapshot);
}
