//! Fuzzes the request reader and every rule behind it: any bytes, as a JSON Lines line, must give
//! a report (or `None` for a blank line) and never panic, and the one-pass verdict
//! (`payrules::fast`) must agree with the report, and a report written from the one pass
//! (`fast::report`, `fast::quick_report`, `check_json_bytes`) must be the table-driven checker's;
//! taken as a batch, its lines' verdicts are `payrules::verdicts`'.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let report = payrules::validate_json_bytes_by_table(data);
    // The report written from the one pass, where it is, is the table-driven checker's.
    if let Some(replayed) = payrules::fast::report(data) {
        assert_eq!(Some(replayed.to_json()), report.as_ref().map(payrules::Report::to_json));
    }
    assert_eq!(payrules::validate_json_bytes(data), report);
    if let Some(report) = &report {
        assert_eq!(report.valid, !report.errors.iter().any(|v| v.severity == payrules::Severity::Error));
    }
    // The one-pass verdict never differs from the report's.
    assert_eq!(payrules::verdict_json_bytes(data), report.as_ref().map(|r| r.valid));
    // Nor the verdict and an invalid line's report from one pass.
    let checked = payrules::check_json_bytes(data);
    assert_eq!(checked, report.clone().map(|r| if r.valid { Ok(()) } else { Err(r) }));
    let quick = payrules::fast::quick(data);
    let (quick_again, written) = payrules::fast::quick_report(data);
    assert_eq!(quick_again, quick);
    if let Some(written) = written {
        assert_eq!(Some(written.to_json()), report.as_ref().map(payrules::Report::to_json));
    }
    match (quick, &report) {
        (payrules::fast::Quick::Blank, None) | (payrules::fast::Quick::Undecided, Some(_)) => {}
        (payrules::fast::Quick::Invalid, Some(r)) => assert!(!r.valid),
        (payrules::fast::Quick::Valid { operation, clean }, Some(r)) => {
            assert!(r.valid);
            assert_eq!(r.operation.as_deref(), Some(operation));
            assert!(!clean || r.errors.is_empty());
        }
        (q, r) => panic!("one pass {q:?}, report {r:?}"),
    }
    // As a batch of lines: each line's verdict, where `verdicts` finds the lines.
    let mut expected = Vec::new();
    let mut start = 0;
    for line in data.split(|&b| b == b'\n') {
        if let Some(valid) = payrules::verdict_json_bytes(line) {
            expected.push((start..start + line.len(), valid));
        }
        start += line.len() + 1;
    }
    assert_eq!(payrules::verdicts(data).collect::<Vec<_>>(), expected);
});
