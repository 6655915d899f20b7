//! The validation module in a real headless browser (Debian's Chromium through ChromeDriver),
//! running the shared test files through the module's own exports: the same bytes as natively.
//! (The ledger's scenarios run in `crates/payrules-wasm-ledger/tests/browser.rs`.)
#![cfg(target_arch = "wasm32")]

use payrules_wasm::{validate, validate_batch, validate_batch_json, validate_json};
use serde_json::Value;
use wasm_bindgen::JsValue;
use wasm_bindgen_test::{wasm_bindgen_test, wasm_bindgen_test_configure};

wasm_bindgen_test_configure!(run_in_browser);

include!(concat!(env!("OUT_DIR"), "/shared_tests.rs"));

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
            let report: Value = serde_json::from_str(&validate_json(text)).unwrap();
            assert_eq!(&report, &want["report"], "{profile}: {}", vector["name"]);
        }
    }
}

#[wasm_bindgen_test]
fn the_seed_examples_and_originals() {
    let batch: Value = serde_json::from_str(&validate_batch_json(SEED_EXAMPLES.as_bytes())).unwrap();
    assert!(batch.as_array().unwrap().len() >= 17);
    assert!(batch.as_array().unwrap().iter().all(|r| r["valid"] == true));
    for line in SEED_ORIGINALS.lines() {
        let report: Value = serde_json::from_str(&validate_json(line)).unwrap();
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
}

#[wasm_bindgen_test]
fn the_batch_result_keeps_verdicts_and_writes_reports_on_demand() {
    let text = format!("{SEED_EXAMPLES}\n\n   \n{SEED_ORIGINALS}");
    let expected: Vec<String> = text.lines().filter(|l| !l.trim().is_empty()).map(validate_json).collect();
    let batch = validate_batch(text.clone().into_bytes());
    assert_eq!(batch.length(), expected.len());
    let invalid: Vec<u32> = (0..expected.len())
        .filter(|&i| expected[i].starts_with(r#"{"valid":false"#))
        .map(|i| u32::try_from(i).unwrap())
        .collect();
    assert_eq!(batch.invalid_lines(), invalid);
    assert_eq!(invalid.len(), 6);
    for (i, want) in expected.iter().enumerate() {
        let i = u32::try_from(i).unwrap();
        assert_eq!(&batch.report_json(i).unwrap(), want);
        // The object `report(i)` builds (no JSON text crosses) is that text's object, key for key.
        let object = js_sys::JSON::stringify(&batch.report(i).unwrap()).unwrap();
        assert_eq!(&String::from(object), want);
    }
    assert!(batch.report_json(u32::try_from(expected.len()).unwrap()).is_err());
    let whole: Value = serde_json::from_str(&validate_batch_json(text.as_bytes())).unwrap();
    assert_eq!(whole.as_array().unwrap().len(), batch.length());
}
