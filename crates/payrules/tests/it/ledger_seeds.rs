//! Every example of the vendor documents replayed against the sample world: the response is the
//! document's response, except where the ledger generates a value (ids, times) or where SEEDS.md
//! records a decision against the document. Each fixture says which places those are.
//!
//! `data/<profile>/seeds/replay/*.json` of every vendor (replayed in file-name order, all in one ledger):
//! `{"source", "request", "response": {"status", "body"}, "generated": [pointer…], "decisions": {pointer: why}}`.
//! A `generated` place must exist in our response with a value of the same JSON type.

use crate::common;

use payrules::ledger::{Ledger, SteppingClock};
use payrules::{Profile, Request};
use serde_json::Value;

fn kind(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "bool",
        Value::Number(_) => "number",
        Value::String(_) => "string",
        Value::Array(_) => "array",
        Value::Object(_) => "object",
    }
}

#[test]
fn every_seed_example_gives_the_documents_response() {
    let mut files: Vec<_> =
        Profile::ALL.into_iter().flat_map(|p| common::files(&common::data(p).join("seeds/replay"), ".json")).collect();
    files.sort_by_key(|f| f.file_name().map(std::ffi::OsStr::to_owned));
    let mut ledger = Ledger::sample(Box::new(SteppingClock::default()));
    let mut failures = Vec::new();
    let mut seen = 0;
    for file in files.iter().filter(|f| f.extension().is_some_and(|e| e == "json")) {
        seen += 1;
        let fixture: Value = serde_json::from_str(&std::fs::read_to_string(file).unwrap()).unwrap();
        let request: Request = serde_json::from_value(fixture["request"].clone()).unwrap();
        let got = serde_json::to_value(ledger.handle(&request)).unwrap();
        let mut expected = fixture["response"].clone();
        let mut got_masked = got.clone();
        let generated = fixture["generated"].as_array().cloned().unwrap_or_default();
        let decisions = fixture["decisions"].as_object().cloned().unwrap_or_default();
        for pointer in generated.iter().filter_map(Value::as_str).chain(decisions.keys().map(String::as_str)) {
            let ours = got.pointer(pointer);
            let theirs = expected.pointer(pointer);
            if generated.iter().any(|g| g == pointer) {
                match (ours, theirs) {
                    (Some(o), Some(t)) if kind(o) == kind(t) => {}
                    (o, t) => failures.push(format!("{}: {pointer}: ours {o:?}, document {t:?}", file.display())),
                }
            }
            if let Some(v) = got_masked.pointer_mut(pointer) {
                *v = Value::Null;
            }
            if let Some(v) = expected.pointer_mut(pointer) {
                *v = Value::Null;
            }
        }
        if got_masked != expected {
            failures.push(format!(
                "{}:\n  ours     {}\n  document {}",
                file.display(),
                serde_json::to_string(&got).unwrap(),
                serde_json::to_string(&fixture["response"]).unwrap()
            ));
        }
    }
    assert!(seen >= 12, "expected a fixture for every seed example, found {seen}");
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
