//! Validates a JSON Lines file of requests and prints each problem with its line number.
//!
//! `cargo run -p payrules --example validate_jsonl -- crates/payrules/data/crmcom/seeds/examples.jsonl`
//! (without a file: a generated mixed batch, some of it invalid). Exits 1 when a request is invalid.

use std::process::ExitCode;

fn main() -> ExitCode {
    let text = match std::env::args().nth(1) {
        Some(file) => match std::fs::read_to_string(&file) {
            Ok(text) => text,
            Err(e) => {
                eprintln!("cannot read {file}: {e}");
                return ExitCode::from(2);
            }
        },
        None => payrules::generate::mixed_batch(1, 20),
    };
    let (mut checked, mut invalid) = (0, 0);
    for (n, line) in text.lines().enumerate() {
        // `None`: a blank line, nothing to judge.
        let Some(report) = payrules::validate_json_bytes(line.as_bytes()) else { continue };
        checked += 1;
        if report.valid {
            continue;
        }
        invalid += 1;
        println!("line {}: {}", n + 1, report.operation.as_deref().unwrap_or("no operation"));
        for v in &report.errors {
            let fix = v.suggestion.as_deref().map(|s| format!(" (fix: {s})")).unwrap_or_default();
            println!("  {:?} {} {}: {}{fix}", v.severity, v.code.as_str(), v.path, v.message);
        }
    }
    println!("{checked} requests, {invalid} invalid");
    if invalid == 0 { ExitCode::SUCCESS } else { ExitCode::from(1) }
}
