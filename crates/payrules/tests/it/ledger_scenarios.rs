//! Scenario files: JSON Lines of requests in, the ledger's responses out, byte for byte.
//!
//! `data/<profile>/scenarios/<name>.in.jsonl` is replayed against the sample world with the default
//! clock (2024-01-01T09:00:00Z, one second per request); each response is one compact JSON line
//! `{"status", "body"}` and the whole must equal `<name>.out.jsonl`. The same files run in Node and
//! in the browser. To write the expected files after a deliberate change:
//! `PAYRULES_BLESS=1 cargo test -p payrules --test it ledger_scenarios::`, then review the diff.

use crate::common;

use std::path::PathBuf;

use payrules::ledger::{Ledger, SteppingClock};
use payrules::{Profile, Request};

/// Replays one scenario's input from the sample world; the output text, one response per line.
fn replay(input: &str) -> String {
    let mut ledger = Ledger::sample(Box::new(SteppingClock::default()));
    let mut out = String::new();
    for line in input.lines().filter(|l| !l.trim().is_empty()) {
        let response = match Request::from_json(line) {
            Ok(request) => ledger.handle(&request),
            Err(errors) => panic!("scenario line is not a request: {errors:?}\n{line}"),
        };
        if let Err(e) = ledger.world().check() {
            panic!("an invariant broke after {line}: {e}");
        }
        out.push_str(&serde_json::to_string(&response).unwrap());
        out.push('\n');
    }
    out
}

fn run(profile: Profile) -> Vec<String> {
    let inputs = common::scenario_inputs(profile);
    assert!(!inputs.is_empty(), "{profile}: no scenarios");
    let bless = std::env::var_os("PAYRULES_BLESS").is_some();
    let mut failures = Vec::new();
    for input in inputs {
        let expected_path = PathBuf::from(input.to_string_lossy().replace(".in.jsonl", ".out.jsonl"));
        let got = replay(&std::fs::read_to_string(&input).unwrap());
        if bless {
            std::fs::write(&expected_path, &got).unwrap();
            continue;
        }
        let expected = std::fs::read_to_string(&expected_path)
            .unwrap_or_else(|_| panic!("{}: no expected output; run with PAYRULES_BLESS=1", expected_path.display()));
        if got != expected {
            let diff: Vec<String> = got
                .lines()
                .zip(expected.lines())
                .enumerate()
                .filter(|(_, (g, e))| g != e)
                .map(|(i, (g, e))| format!("line {}:\n  got      {g}\n  expected {e}", i + 1))
                .take(3)
                .collect();
            failures.push(format!("{}:\n{}", input.display(), diff.join("\n")));
        }
    }
    failures
}

/// Every registered vendor's scenarios (one test, so a new vendor cannot be forgotten).
#[test]
fn every_vendor() {
    let failures: Vec<String> = Profile::ALL.into_iter().flat_map(run).collect();
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}
