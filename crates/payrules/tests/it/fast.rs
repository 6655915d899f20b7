//! The one-pass verdict (`payrules::fast`) against the table-driven checker: on every vector, seed
//! and scenario line, on generated batches and on random byte-level mutations of them, the verdict
//! is the report's `valid` (and a `clean` verdict has no violation at all). The generated requests
//! of every operation and their single-field mutations are compared in `tests/it/generated.rs`
//! (`Gen::validate`).

use crate::common;
use crate::common::valid;

use payrules::Profile;
use payrules::generate::{mixed_batch, plentymarkets_create_batch};
use proptest::prelude::*;
use proptest::test_runner::{Config, RngAlgorithm, TestRng, TestRunner};
use valid::same_verdict;

/// Every line of the data folders: vectors' requests (as written), seeds, scenario inputs.
fn data_lines() -> Vec<String> {
    let mut out = Vec::new();
    for profile in Profile::ALL {
        let dir = common::data(profile);
        let vectors = std::fs::read_to_string(dir.join("vectors.jsonl")).unwrap();
        for line in vectors.lines().filter(|l| !l.trim().is_empty()) {
            let request = line.split_once("\"request\":").unwrap().1.trim_end();
            out.push(request.strip_suffix('}').unwrap().trim().to_owned());
        }
        for seeds in common::files(&dir.join("seeds"), ".jsonl") {
            out.extend(std::fs::read_to_string(seeds).unwrap().lines().map(str::to_owned));
        }
        for input in common::scenario_inputs(profile) {
            out.extend(std::fs::read_to_string(input).unwrap().lines().map(str::to_owned));
        }
    }
    out
}

#[test]
fn data_lines_get_the_checkers_verdict() {
    let lines = data_lines();
    let decided = lines.iter().filter(|l| same_verdict(l.as_bytes(), None)).count();
    eprintln!("data lines: {} of {} decided in one pass", decided, lines.len());
    assert!(lines.len() > 300);
}

/// Checks every line of a batch; returns how many the one pass decided.
fn batch(text: &str) -> (usize, usize) {
    let lines: Vec<&str> = text.lines().collect();
    (lines.iter().filter(|l| same_verdict(l.as_bytes(), None)).count(), lines.len())
}

#[test]
fn the_generated_100k_batch_gets_the_checkers_verdict() {
    let text = plentymarkets_create_batch(42, 100_000);
    let (decided, n) = batch(&text);
    eprintln!("plentymarkets creates: {decided} of {n} decided in one pass");
    // And the reports of the invalid lines are written from the one pass (`same_verdict` compares
    // each with the checker's).
    let invalid: Vec<&str> =
        text.lines().filter(|l| payrules::verdict_json_bytes(l.as_bytes()) == Some(false)).collect();
    let replayed = invalid.iter().filter(|l| payrules::fast::report(l.as_bytes()).is_some()).count();
    eprintln!(
        "plentymarkets creates: {replayed} of {} invalid lines' reports written from the one pass",
        invalid.len()
    );
    assert!(replayed * 100 >= invalid.len() * 99, "only {replayed} of {} replayed", invalid.len());
    // The speed of `verdict_json_bytes` rests on this: nearly every line is decided in one pass.
    assert!(decided * 100 >= n * 99, "only {decided} of {n} decided in one pass");
}

#[test]
fn mixed_batches_get_the_checkers_verdict() {
    let (decided, n) = batch(&mixed_batch(7, 20_000));
    eprintln!("mixed: {decided} of {n} decided in one pass");
}

/// `payrules::verdicts` of a whole batch is each line's `verdict_json_bytes`, split at every `\n` (blank
/// and whitespace lines give none), wherever the lines end relative to its eight-byte reads.
#[test]
fn a_batchs_verdicts_are_its_lines_verdicts() {
    let mut bytes = Vec::new();
    for (i, line) in mixed_batch(7, 2_000).lines().enumerate() {
        bytes.extend_from_slice(line.as_bytes());
        // Lines shifted by one byte each, blank and whitespace-only lines (a form feed is
        // whitespace to a blank line, not to JSON), a `\r\n` end, lines that are not UTF-8 (in a
        // string, after a whole request, at the start), a request cut at the line's end.
        match i % 17 {
            0 => bytes.extend_from_slice(b"\n\n"),
            3 => bytes.extend_from_slice(b"\r\n \t \n"),
            5 => bytes.extend_from_slice(b"\n{\"profile\":\"\xff\"}\n"),
            7 => bytes.extend_from_slice(b" \xc3"),
            9 => bytes.extend_from_slice(b"\n\x0c \n\xe9"),
            12 => bytes.extend_from_slice(b"\n{\"profile\":\n\"komet\"}"),
            _ => bytes.extend_from_slice(&b"\n        "[..=i % 9]),
        }
        bytes.push(b'\n');
    }
    for cut in [bytes.len(), bytes.len() - 1, bytes.len() - 300] {
        let batch = &bytes[..cut];
        let mut expected = Vec::new();
        let mut start = 0;
        for line in batch.split(|&b| b == b'\n') {
            if let Some(valid) = payrules::verdict_json_bytes(line) {
                expected.push((start..start + line.len(), valid));
            }
            start += line.len() + 1;
        }
        let got: Vec<_> = payrules::verdicts(batch).collect();
        assert!(expected.len() > 2_000 && expected.iter().any(|e| !e.1));
        assert_eq!(got, expected);
    }
}

/// A request given alone may hold `\n`s as whitespace (pretty-printed JSON): the one pass, which
/// stops at a `\n` (where a batch's line ends), leaves it to the checker, so every verdict is the
/// checker's.
#[test]
fn a_request_given_alone_may_be_written_over_many_lines() {
    for line in mixed_batch(3, 400).lines() {
        let Ok(value) = serde_json::from_str::<serde_json::Value>(line) else { continue };
        let pretty = serde_json::to_string_pretty(&value).unwrap();
        let by_table = payrules::validate_json_bytes_by_table(pretty.as_bytes());
        assert_eq!(payrules::verdict_json_bytes(pretty.as_bytes()), by_table.as_ref().map(|r| r.valid), "{pretty}");
        assert_eq!(payrules::validate_json_bytes(pretty.as_bytes()), by_table, "{pretty}");
        assert_ne!(payrules::fast::quick(pretty.as_bytes()), payrules::fast::Quick::Invalid, "{pretty}");
    }
}

/// One byte-level change of a line.
#[derive(Clone, Debug)]
enum Edit {
    Set(usize, u8),
    Insert(usize, u8),
    Remove(usize),
}

/// Bytes that matter to JSON and to the rules, and any byte.
fn byte() -> impl Strategy<Value = u8> {
    prop_oneof![
        3 => proptest::sample::select(b"{}[],:\"\\ 0123456789.-+eEtfnul\tabcxyzAZ%?/\x00\x1f\xc3\xa9".to_vec()),
        1 => any::<u8>(),
    ]
}

fn edit() -> impl Strategy<Value = Edit> {
    prop_oneof![
        (any::<usize>(), byte()).prop_map(|(i, b)| Edit::Set(i, b)),
        (any::<usize>(), byte()).prop_map(|(i, b)| Edit::Insert(i, b)),
        any::<usize>().prop_map(Edit::Remove),
    ]
}

fn apply(line: &str, edits: &[Edit]) -> Vec<u8> {
    let mut b = line.as_bytes().to_vec();
    for e in edits {
        let n = b.len().max(1);
        match *e {
            Edit::Set(i, c) if !b.is_empty() => b[i % n] = c,
            Edit::Insert(i, c) => b.insert(i % (b.len() + 1), c),
            Edit::Remove(i) if !b.is_empty() => {
                b.remove(i % n);
            }
            _ => {}
        }
    }
    b
}

#[test]
fn byte_mutations_get_the_checkers_verdict() {
    let mut pool = data_lines();
    pool.extend(plentymarkets_create_batch(3, 200).lines().map(str::to_owned));
    pool.extend(mixed_batch(3, 300).lines().map(str::to_owned));
    let config = Config { cases: 20_000, failure_persistence: None, ..Config::default() };
    let mut runner = TestRunner::new_with_rng(config, TestRng::deterministic_rng(RngAlgorithm::ChaCha));
    let strategy = (0..pool.len(), proptest::collection::vec(edit(), 1..4));
    runner
        .run(&strategy, |(i, edits)| {
            let line = apply(&pool[i], &edits);
            same_verdict(&line, None);
            Ok(())
        })
        .unwrap();
}

/// A plentymarkets create request with each body field's value drawn near its rule's edge: the
/// values the one pass admits without `check_value` (enum values, a pattern's known values,
/// currency codes) and their near misses, as strings and as numbers; the verdict and the report
/// must be the checker's.
#[test]
fn values_near_each_rule_get_the_checkers_verdict() {
    fn text() -> impl Strategy<Value = String> {
        prop_oneof![
            proptest::sample::select(vec![
                "EUR",
                "eur",
                "EUr",
                "XAU",
                "JPY",
                "BHD",
                "ZZZ",
                "AAA",
                "EU",
                "EURO",
                "debit",
                "credit",
                "Debit",
                "debi",
                "creditt",
                "1",
                "2",
                "3",
                "10",
                "20",
                "0",
                "11",
                "01",
                "1.0",
                "12.3400",
                "0.0000",
                "1.5",
                "123456789.0000",
                "1234567890.0000",
                "12.34",
                "-1.0000",
                "",
                " 1",
                "1 ",
                "é",
                "true",
            ])
            .prop_map(str::to_owned),
            "[A-Z]{3}",
            "[0-9]{1,3}",
            "[0-9]{1,10}\\.[0-9]{0,5}",
            ".{0,9}",
        ]
    }
    fn value() -> impl Strategy<Value = String> {
        prop_oneof![
            4 => text().prop_map(|t| serde_json::to_string(&t).unwrap()),
            2 => "-?[0-9]{1,4}(\\.[0-9]{1,5})?".prop_map(|n| n.trim_start_matches('-').to_owned()),
            1 => proptest::sample::select(vec!["null", "true", "false", "[]", "{}", "1e2", "-3"]).prop_map(str::to_owned),
        ]
    }
    let names =
        ["amount", "exchangeRatio", "mopId", "currency", "type", "status", "transactionType", "parentId", "origin"];
    let config = Config { cases: 20_000, failure_persistence: None, ..Config::default() };
    let mut runner = TestRunner::new_with_rng(config, TestRng::deterministic_rng(RngAlgorithm::ChaCha));
    let strategy = proptest::collection::vec((0..names.len(), value()), 1..4);
    runner
        .run(&strategy, |changes| {
            let mut body: Vec<(String, String)> = [
                ("amount", "\"12.3400\""),
                ("exchangeRatio", "\"1.0000\""),
                ("mopId", "6000"),
                ("currency", "\"EUR\""),
                ("type", "\"credit\""),
                ("status", "2"),
                ("transactionType", "1"),
            ]
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect();
            for (i, v) in changes {
                match body.iter_mut().find(|(k, _)| k == names[i]) {
                    Some(member) => member.1 = v,
                    None => body.push((names[i].to_owned(), v)),
                }
            }
            let body: Vec<String> = body.iter().map(|(k, v)| format!("\"{k}\":{v}")).collect();
            let line = format!(
                r#"{{"profile":"plentymarkets","method":"POST","path":"/rest/payments","headers":{{"Authorization":"Bearer t"}},"body":{{{}}}}}"#,
                body.join(",")
            );
            same_verdict(line.as_bytes(), None);
            Ok(())
        })
        .unwrap();
}

/// The one pass compares the key at hand with the `"name":` of the member or field that came next
/// on earlier lines (`fast::next_key`), and keeps the texts of headers and parameters it
/// found clean (`Found::check_text`): lines that write their members in changing orders, keys that
/// begin or end like the predicted one, keys with escapes or spaces where the predicted one is
/// plain, and header values that differ from the clean one by a byte, one after another, must each
/// get the checker's verdict and report as if read alone.
#[test]
fn predicted_keys_and_kept_texts_get_the_checkers_verdict() {
    let members = [
        r#""profile":"plentymarkets""#,
        r#""method":"POST""#,
        r#""path":"/rest/payments""#,
        r#""headers":{"Authorization":"Bearer t"}"#,
        r#""body":{"amount":"12.3400","exchangeRatio":"1.0000","mopId":6000,"currency":"EUR","type":"credit","status":2,"transactionType":1}"#,
    ];
    let near = [
        // Keys near the predicted ones: longer, shorter, escaped, spaced, case.
        (r#""amount":"#, r#""amountX":"#),
        (r#""amount":"#, r#""amoun":"#),
        (r#""amount":"#, r#""amoun\u0074":"#),
        (r#""amount":"#, r#""amount" :"#),
        (r#""amount":"#, r#""Amount":"#),
        (r#""mopId":"#, r#""mopId":6000,"mopId":"#),
        (r#""currency":"#, r#""currency" : "#),
        (r#""transactionType":"#, r#""transactionTypes":"#),
        (r#""transactionType":"#, r#""transactionTyp":"#),
        (r#""profile":"#, r#""profil":"#),
        (r#""profile":"#, r#""profilee":"#),
        (r#""path":"#, r#""pat\u0068":"#),
        (r#""body":"#, r#""body" :"#),
        (r#""headers":"#, r#""header":"#),
        (r#""Bearer t""#, r#""Bearer  t""#),
        (r#""Bearer t""#, r#""Bearer t ""#),
        (r#""Bearer t""#, r#""bearer t""#),
        (r#""Bearer t""#, r#""Bearer""#),
        (r#""Bearer t""#, r#""Basic  t""#),
        (r#""Bearer t""#, r#""Bearer  ""#),
        (r#""Bearer t""#, r#""Bearer t""#),
        (r#""Bearer t""#, r#""Bearer \t""#),
        (r#""Authorization":"#, r#""authorization":"#),
    ];
    let mut lines = Vec::new();
    let mut rng = TestRng::deterministic_rng(RngAlgorithm::ChaCha);
    for round in 0..400 {
        // Members in a shuffled order, the body's fields too (a `body` read before the route is
        // left to the checker, which the comparison covers as well).
        let mut order: Vec<usize> = (0..members.len()).collect();
        for i in (1..order.len()).rev() {
            order.swap(i, (rng.next_u32() as usize) % (i + 1));
        }
        let mut line = format!("{{{}}}", order.iter().map(|&i| members[i]).collect::<Vec<_>>().join(","));
        if round % 3 == 0 {
            let body = r#""amount":"12.3400","exchangeRatio":"1.0000","mopId":6000,"currency":"EUR","type":"credit","status":2,"transactionType":1"#;
            let mut fields: Vec<&str> = body.split(',').collect();
            for i in (1..fields.len()).rev() {
                fields.swap(i, (rng.next_u32() as usize) % (i + 1));
            }
            line = line.replace(body, &fields.join(","));
        }
        if round % 2 == 1 {
            let (from, to) = near[(rng.next_u32() as usize) % near.len()];
            line = line.replacen(from, to, 1);
        }
        lines.push(line);
        // And the line in the usual order, so that the next one is predicted again.
        lines.push(format!("{{{}}}", members.join(",")));
    }
    for line in &lines {
        same_verdict(line.as_bytes(), None);
    }
}

/// The module's promise, measured: a request the one pass finds valid is checked without
/// allocating. The pass sets up its compiled plans, the last route and the kept clean texts on
/// first use (and a kept text's room grows to the longest one seen), so a batch is read once
/// before the valid lines are read again under `allocation_counter::measure`, which counts every
/// allocation of this thread. A report is never built for them, and nothing else may allocate.
#[test]
fn a_valid_line_is_checked_without_allocating() {
    for (name, text) in
        [("plentymarkets creates", plentymarkets_create_batch(42, 5_000)), ("mixed", mixed_batch(7, 5_000))]
    {
        let valid: Vec<&str> = text
            .lines()
            .filter(|l| matches!(payrules::fast::quick(l.as_bytes()), payrules::fast::Quick::Valid { .. }))
            .collect();
        assert!(valid.len() > 2_000, "{name}: only {} valid lines", valid.len());
        for line in &valid {
            assert_eq!(payrules::verdict_json_bytes(line.as_bytes()), Some(true));
        }
        let allocating: Vec<&str> = valid
            .iter()
            .copied()
            .filter(|line| {
                let info = allocation_counter::measure(|| {
                    std::hint::black_box(payrules::verdict_json_bytes(std::hint::black_box(line.as_bytes())));
                });
                info.count_total > 0
            })
            .collect();
        assert!(allocating.is_empty(), "{name}: {} valid lines allocated, e.g. {}", allocating.len(), allocating[0]);
        eprintln!("{name}: {} valid lines, none allocated", valid.len());
    }
}

/// A line that begins with exactly the last line's bytes up to its body is read on from the body,
/// with the route, query and headers the last line's reading found (`fast::Envelope`). Lines that
/// begin alike and differ just after, that differ in one byte of those members, that send more
/// space before the body, a query or other headers, or another route, each come after a line
/// that was kept, and each must get the checker's verdict and report as if read alone.
#[test]
fn lines_that_begin_alike_get_the_checkers_verdict() {
    let head = r#"{"profile":"plentymarkets","method":"POST","path":"/rest/payments","headers":{"Authorization":"Bearer t"},"body":"#;
    let body = r#"{"amount":"12.3400","exchangeRatio":"1.0000","mopId":6000,"currency":"EUR","type":"credit","status":2,"transactionType":1}}"#;
    let usual = format!("{head}{body}");
    let others = [
        format!("{head} {body}"),
        format!("{head}\t\n {body}"),
        format!("{head}null}}"),
        format!("{head}\"amount=1\"}}"),
        format!("{head}{{}}}}"),
        format!("{head}{body} x"),
        format!("{head}{}", body.replace("12.3400", "12.34")),
        format!("{head}{}", body.replace("\"EUR\"", "\"eur\"")),
        head.to_owned(),
        head[..head.len() - 1].to_owned(),
        format!("{}{body}", head.replace("\"body\":", "\"body\" :")),
        format!("{}{body}", head.replace("Bearer t", "Bearer u")),
        format!("{}{body}", head.replace("Bearer t", "Bearer ")),
        format!("{}{body}", head.replace("/rest/payments", "/rest/payment")),
        format!("{}{body}", head.replace("\"POST\"", "\"PUT\"")),
        format!("{}{body}", head.replace("\"headers\"", "\"query\":{\"a\":\"b\"},\"headers\"")),
        format!("{}{body}", head.replace("\"headers\"", "\"query\":null,\"headers\"")),
        format!("{}{body}", head.replace("\"headers\":{\"Authorization\":\"Bearer t\"},", "")),
        format!("{}{body}", head.replace("{\"Authorization\":\"Bearer t\"}", "{}")),
        format!("{}{body}", head.replace("\"plentymarkets\"", "\"plentymarkets\",\"profile\":\"plentymarkets\"")),
        r#"{"profile":"activeplatform","method":"POST","path":"/api/vendor/v1/payments/2007097/complete.json","query":{"api_token":"654321"},"body":{"payment_method_id":3}}"#.to_owned(),
        r#"{"profile":"activeplatform","method":"POST","path":"/api/vendor/v1/payments/x/complete.json","query":{"api_token":"654321"},"body":{"payment_method_id":3}}"#.to_owned(),
    ];
    let mut lines = vec![usual.clone()];
    for other in &others {
        // Each one after the usual line (kept), then twice (itself kept), then the usual line again.
        lines.extend([other.clone(), other.clone(), usual.clone()]);
    }
    for line in &lines {
        same_verdict(line.as_bytes(), None);
    }
}
