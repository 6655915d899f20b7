//! payrules' native `verdict_json_bytes` (then `validate_json_bytes` of each invalid line; also
//! `check_json_bytes`, both from one pass, and the batch API) beside the `jsonschema` crate (0.33, a compiled schema
//! of the same rules, `tests/node/plentymarkets-create.schema.json`, the one ajv runs too) on the
//! same 100,000 plentymarkets create requests, one core, from bytes to the errors of every invalid
//! line; both must flag exactly the same lines. Run:
//! `target/release/payrules generate --kind plentymarkets-create --seed 42 --count 100000 > /tmp/pm100k.jsonl`
//! `cargo run --release --manifest-path bench/native-peer/Cargo.toml -- /tmp/pm100k.jsonl`

use std::time::Instant;

fn main() {
    let file = std::env::args().nth(1).expect("usage: payrules-native-peer BATCH.jsonl");
    let bytes = std::fs::read(&file).expect("the batch");
    let root = concat!(env!("CARGO_MANIFEST_DIR"), "/../../tests/node/plentymarkets-create.schema.json");
    let schema: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(root).expect("the schema")).expect("JSON");
    let validator = jsonschema::options().should_validate_formats(true).build(&schema).expect("a valid schema");
    let lines: Vec<&[u8]> = bytes.split(|&b| b == b'\n').filter(|l| !l.is_empty()).collect();

    let peer = |verdicts: &mut Vec<bool>| {
        let mut errors = 0usize;
        for line in &lines {
            let value: serde_json::Value = serde_json::from_slice(line).expect("JSON lines");
            let found: Vec<String> = validator.iter_errors(&value).map(|e| e.to_string()).collect();
            errors += found.len();
            verdicts.push(found.is_empty());
        }
        errors
    };
    // The one-pass verdict of every line, then the full report of each invalid one.
    let ours = |verdicts: &mut Vec<bool>| {
        let mut errors = 0usize;
        for line in &lines {
            let valid = payrules::verdict_json_bytes(line).expect("no blank line");
            if !valid {
                errors += payrules::validate_json_bytes(line).expect("no blank line").errors.len();
            }
            verdicts.push(valid);
        }
        errors
    };
    // The batch API over the bytes (`payrules::verdicts`: each line read to its end in the same
    // pass, no split beforehand), then the full report of each invalid line.
    let batch = |verdicts: &mut Vec<bool>| {
        let mut errors = 0usize;
        for (range, valid) in payrules::verdicts(&bytes) {
            if !valid {
                errors += payrules::validate_json_bytes(&bytes[range]).expect("no blank line").errors.len();
            }
            verdicts.push(valid);
        }
        errors
    };
    // The verdict and an invalid line's report from one pass (`check_json_bytes`).
    let checked = |verdicts: &mut Vec<bool>| {
        let mut errors = 0usize;
        for line in &lines {
            let valid = match payrules::check_json_bytes(line).expect("no blank line") {
                Ok(()) => true,
                Err(report) => {
                    errors += report.errors.len();
                    false
                }
            };
            verdicts.push(valid);
        }
        errors
    };
    // Before the one-pass verdict: every line's full report.
    let reports = |verdicts: &mut Vec<bool>| {
        let mut errors = 0usize;
        for line in &lines {
            let report = payrules::validate_json_bytes(line).expect("no blank line");
            errors += report.errors.len();
            verdicts.push(report.valid);
        }
        errors
    };
    let (mut a, mut b, mut c, mut d, mut e) = (Vec::new(), Vec::new(), Vec::new(), Vec::new(), Vec::new());
    peer(&mut a);
    let errors = ours(&mut b);
    reports(&mut c);
    batch(&mut d);
    assert_eq!(checked(&mut e), errors, "the same errors from one pass");
    assert_eq!(a, e, "the two must flag the same lines");
    assert_eq!(a, b, "the two must flag the same lines");
    assert_eq!(a, c, "the two must flag the same lines");
    assert_eq!(a, d, "the two must flag the same lines");
    let invalid = a.iter().filter(|v| !**v).count();
    let best = |run: &dyn Fn(&mut Vec<bool>) -> usize| {
        (0..5)
            .map(|_| {
                let mut v = Vec::with_capacity(lines.len());
                let t = Instant::now();
                std::hint::black_box(run(&mut v));
                t.elapsed().as_secs_f64()
            })
            .fold(f64::INFINITY, f64::min)
    };
    let (tp, to, tr, tb, tc) = (best(&peer), best(&ours), best(&reports), best(&batch), best(&checked));
    let n = lines.len() as f64;
    println!("{} lines, {invalid} invalid (same lines flagged by both)", lines.len());
    println!("jsonschema 0.33: {:.1} ms ({:.0} K/s)", tp * 1e3, n / tp / 1e3);
    println!("payrules:        {:.1} ms ({:.0} K/s): verdict_json_bytes, reports of invalid lines", to * 1e3, n / to / 1e3);
    println!("payrules, every line's report (validate_json_bytes): {:.1} ms ({:.0} K/s)", tr * 1e3, n / tr / 1e3);
    println!(
        "payrules, the batch's bytes (verdicts, lines found in the pass), reports of invalid lines: {:.1} ms ({:.0} K/s), {:.2}x",
        tb * 1e3,
        n / tb / 1e3,
        tp / tb
    );
    println!(
        "payrules, check_json_bytes (the verdict and an invalid line's report from one pass): {:.1} ms ({:.0} K/s), {:.2}x",
        tc * 1e3,
        n / tc / 1e3,
        tp / tc
    );
    println!("ratio: {:.2}x the jsonschema crate (best of 5 each, one core)", tp / to);
}
