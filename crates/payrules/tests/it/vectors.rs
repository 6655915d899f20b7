//! Table-driven pass and fail vectors for every operation of every profile, with snapshots.
//!
//! Each `data/<profile>/vectors.jsonl` line is `{"name", "valid": bool, "request": {...}}`. The test checks
//! the verdict, snapshots every report, and checks that every operation has a passing and a failing vector.

use crate::common;

use std::collections::BTreeSet;

use payrules::{Profile, Request, validate_json};
use serde_json::{Value, json};

fn run(profile: Profile) {
    let path = common::data(profile).join("vectors.jsonl").display().to_string();
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"));
    let mut results = Vec::new();
    let mut passing = BTreeSet::new();
    let mut failing = BTreeSet::new();
    let mut wrong = Vec::new();
    for (n, line) in text.lines().enumerate() {
        if line.trim().is_empty() {
            continue;
        }
        let vector: Value = serde_json::from_str(line).unwrap_or_else(|e| panic!("{path}:{}: {e}", n + 1));
        let name = vector["name"].as_str().unwrap_or_else(|| panic!("{path}:{}: no name", n + 1)).to_owned();
        let expect = vector["valid"].as_bool().unwrap_or_else(|| panic!("{name}: no `valid`"));
        let request: Request =
            serde_json::from_value(vector["request"].clone()).unwrap_or_else(|e| panic!("{name}: {e}"));
        if request.profile.parse::<Profile>().is_ok() {
            assert_eq!(request.profile, profile.id(), "{name}: vector in the wrong file");
        }
        // The request's own text (the last member of the line): numbers are judged as written
        // (`4.5e2`, `12.3400`), in every runtime.
        let request_text = line
            .split_once("\"request\":")
            .and_then(|(_, rest)| rest.trim_end().strip_suffix('}'))
            .unwrap_or_else(|| panic!("{name}: `request` must be the last member"));
        let report = validate_json(request_text);
        if report.valid != expect {
            wrong.push(format!("{name}: expected valid={expect}, got {}", serde_json::to_string(&report).unwrap()));
        }
        if let Some(op) = &report.operation {
            if report.valid {
                passing.insert(op.clone());
            } else {
                failing.insert(op.clone());
            }
        }
        results.push(json!({"name": name, "report": report}));
    }
    assert!(wrong.is_empty(), "verdicts differ:\n{}", wrong.join("\n"));
    for op in profile.operations() {
        assert!(passing.contains(op.id), "{}: no passing vector", op.id);
        assert!(failing.contains(op.id), "{}: no failing vector", op.id);
    }
    common::snapshots_in_data(profile).bind(|| insta::assert_json_snapshot!("vectors", results));
}

/// Every registered vendor has its vectors (one test, so a new vendor cannot be forgotten).
#[test]
fn every_vendor() {
    for profile in Profile::ALL {
        run(profile);
    }
}
