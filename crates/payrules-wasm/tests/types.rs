//! The package's TypeScript declarations checked against the Rust types they describe: every field
//! name, every code and every profile id must agree with what the core serializes.
#![cfg(not(target_arch = "wasm32"))]

use std::collections::BTreeSet;

use payrules::{Code, Profile, Report, Request, Response, Severity, Violation};
use serde_json::Value;

fn dts() -> String {
    std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/npm/index.d.ts")).unwrap()
}

/// The field names of `interface NAME { … }` in the declarations.
fn interface_fields(name: &str) -> BTreeSet<String> {
    let text = dts();
    let start = text.find(&format!("export interface {name} {{")).unwrap_or_else(|| panic!("no interface {name}"));
    let body = &text[start..];
    let body = &body[body.find('{').unwrap() + 1..body.find("\n}").unwrap()];
    body.lines()
        .map(str::trim)
        .filter(|l| !l.starts_with("//") && !l.starts_with("/**") && !l.starts_with('*') && l.contains(':'))
        .map(|l| l.split(':').next().unwrap().trim_end_matches('?').trim().to_owned())
        .collect()
}

/// The string literals of `export type NAME = 'a' | 'b' …;`.
fn union(name: &str) -> BTreeSet<String> {
    let text = dts();
    let start = text.find(&format!("export type {name} =")).unwrap_or_else(|| panic!("no type {name}"));
    let body = &text[start..start + text[start..].find(';').unwrap()];
    body.split('\'').skip(1).step_by(2).map(str::to_owned).collect()
}

fn keys(value: &Value) -> BTreeSet<String> {
    value.as_object().unwrap().keys().cloned().collect()
}

#[test]
fn interfaces_match_the_serialized_rust_types() {
    let violation = Violation::error("/body/x", Code::Required, "m").with_suggestion("1");
    assert_eq!(interface_fields("Violation"), keys(&serde_json::to_value(&violation).unwrap()));
    let report = Report::new(Some("komet.payment_mark_sync"), vec![violation]);
    assert_eq!(interface_fields("Report"), keys(&serde_json::to_value(&report).unwrap()));
    let response = Response { status: 200, body: Value::Null };
    assert_eq!(interface_fields("Response"), keys(&serde_json::to_value(&response).unwrap()));
    let request: Request =
        serde_json::from_str(r#"{"profile":"komet","method":"GET","path":"/","query":{},"headers":{},"body":null}"#)
            .unwrap();
    assert_eq!(interface_fields("Request"), keys(&serde_json::to_value(&request).unwrap()));
    let action = payrules::allowed_actions(Profile::Crmcom, "DRAFT").unwrap();
    assert_eq!(interface_fields("AllowedAction"), keys(&serde_json::to_value(&action[0]).unwrap()));
}

#[test]
fn unions_match_the_rust_enums() {
    let codes: BTreeSet<String> = Code::ALL.iter().map(|c| c.as_str().to_owned()).collect();
    assert_eq!(union("Code"), codes);
    let serialized: BTreeSet<String> =
        Code::ALL.iter().map(|c| serde_json::to_value(c).unwrap().as_str().unwrap().to_owned()).collect();
    assert_eq!(serialized, codes);
    // The package's ProfileId union is written from the registry by scripts/build-npm.sh (and
    // checked in the packed package by tests/node/package.test.mjs); here it is the placeholder.
    assert!(dts().contains("\nexport type ProfileId = string;\n"), "scripts/build-npm.sh replaces this line");
    assert!(Profile::ALL.iter().all(|p| p.id().chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit())));
    assert!(dts().contains("severity: 'error' | 'warning';"));
    assert_eq!(serde_json::to_value(Severity::Warning).unwrap(), "warning");
}
