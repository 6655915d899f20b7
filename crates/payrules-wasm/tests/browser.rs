//! The engine in a real headless browser (Debian's Chromium through ChromeDriver), running the
//! shared test files through the package's own exports: the same bytes as natively.
#![cfg(target_arch = "wasm32")]

use payrules_wasm::{Ledger, validate, validate_batch_json, validate_json};
use serde_json::Value;
use wasm_bindgen::JsValue;
use wasm_bindgen_test::{wasm_bindgen_test, wasm_bindgen_test_configure};

wasm_bindgen_test_configure!(run_in_browser);

include!(concat!(env!("OUT_DIR"), "/shared_tests.rs"));

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
fn every_validation_vector_gives_the_native_report() {
    for (profile, vectors, snapshot) in VECTORS {
        let expected: Value = serde_json::from_str(snapshot.splitn(3, "---").nth(2).unwrap()).unwrap();
        let expected = expected.as_array().unwrap();
        let lines: Vec<&str> = vectors.lines().filter(|l| !l.trim().is_empty()).collect();
        assert_eq!(lines.len(), expected.len(), "{profile}");
        for (line, want) in lines.iter().zip(expected) {
            let vector: Value = serde_json::from_str(line).unwrap();
            let text = line.split_once("\"request\":").unwrap().1.trim_end().strip_suffix('}').unwrap();
            let report: Value = serde_json::from_str(&validate_json(text).unwrap()).unwrap();
            assert_eq!(&report, &want["report"], "{profile}: {}", vector["name"]);
        }
    }
}

#[wasm_bindgen_test]
fn the_seed_examples_and_originals() {
    let batch: Value = serde_json::from_str(&validate_batch_json(SEED_EXAMPLES.as_bytes()).unwrap()).unwrap();
    assert!(batch.as_array().unwrap().len() >= 17);
    assert!(batch.as_array().unwrap().iter().all(|r| r["valid"] == true));
    for line in SEED_ORIGINALS.lines() {
        let report: Value = serde_json::from_str(&validate_json(line).unwrap()).unwrap();
        assert_eq!(report["errors"][0]["code"], "invalid_json");
    }
}

#[wasm_bindgen_test]
fn broken_contracts_throw_domain_problems_return() {
    assert!(validate(&JsValue::from(5)).is_err());
    assert!(validate(&JsValue::NULL).is_err());
    let no_path = js_sys::JSON::parse(r#"{"profile":"komet","method":"POST"}"#).unwrap();
    assert!(validate(&no_path).is_err());
    let unknown = js_sys::JSON::parse(r#"{"profile":"stripe","method":"POST","path":"/v1"}"#).unwrap();
    let report = validate(&unknown).unwrap();
    let valid = js_sys::Reflect::get(&report, &"valid".into()).unwrap();
    assert_eq!(valid.as_bool(), Some(false));
    assert!(Ledger::restore("{}", None).is_err());
}
