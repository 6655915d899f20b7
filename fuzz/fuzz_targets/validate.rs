//! Fuzzes the request reader and every rule behind it: any bytes, as a JSON Lines line, must give
//! a report (or `None` for a blank line) and never panic.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Some(report) = payrules::validate_json_bytes(data) {
        assert_eq!(report.valid, !report.errors.iter().any(|v| v.severity == payrules::Severity::Error));
    }
});
