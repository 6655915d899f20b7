//! Every example request of the seeds: the corrected copies validate, the originals that are not
//! strict JSON are refused with the line and column of the offending character.

use crate::common;

use payrules::{Code, Profile, Request, validate};

/// A seed file of every vendor (`data/<profile>/seeds/<name>`), in registry order.
fn load(name: &str) -> Vec<Request> {
    Profile::ALL
        .into_iter()
        .flat_map(|p| common::seed_lines(p, name))
        .map(|l| serde_json::from_str(&l).unwrap())
        .collect()
}

#[test]
fn every_seed_example_validates() {
    let examples = load("examples.jsonl");
    // The five vendors of 2026-11 hold 17 (a new vendor adds its own): none may be lost.
    assert!(examples.len() >= 17, "the seeds hold at least 17 example requests, found {}", examples.len());
    for request in &examples {
        let report = validate(request);
        assert!(report.valid, "{} {}: {:#?}", request.method, request.path, report.errors);
        assert!(report.operation.is_some());
    }
}

#[test]
fn the_seed_originals_that_are_not_json_say_where() {
    // (path, line, column, what is there): computed by hand from the seed text.
    let expected = [
        ("/payments/create", 33, 5, "trailing comma"),
        ("/payments/pay_invoice", 1, 1, "U+00A0"),
        ("/payments/pay_bill", 1, 1, "U+00A0"),
        ("/payments/post", 4, 1, "trailing comma"),
        ("/payments/reject", 5, 1, "trailing comma"),
        ("/payments/cancel", 6, 1, "trailing comma"),
    ];
    let originals = load("originals.jsonl");
    assert_eq!(originals.len(), expected.len());
    for (request, (path, line, column, what)) in originals.iter().zip(expected) {
        assert_eq!(request.path, path);
        let report = validate(request);
        assert!(!report.valid);
        let [v] = report.errors.as_slice() else { panic!("{path}: {:#?}", report.errors) };
        assert_eq!(v.code, Code::InvalidJson);
        assert_eq!(v.path, "/body");
        let at = format!("at line {line}, column {column}");
        assert!(v.message.contains(&at), "{path}: `{}` lacks `{at}`", v.message);
        assert!(v.message.contains(what), "{path}: `{}` lacks `{what}`", v.message);
    }
}
