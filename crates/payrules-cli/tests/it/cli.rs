//! The `payrules` binary as a user runs it: exit codes, one report per line, profiles and diagrams.

use std::io::Write;
use std::process::{Command, Output, Stdio};

use serde_json::Value;

fn payrules(args: &[&str], stdin: &str) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_payrules"))
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child.stdin.take().unwrap().write_all(stdin.as_bytes()).unwrap();
    child.wait_with_output().unwrap()
}

/// A seed file of every vendor (`data/<profile>/seeds/<name>`), in registry order.
fn seeds(name: &str) -> Vec<String> {
    payrules::Profile::ALL
        .iter()
        .map(|p| format!("{}/../payrules/data/{}/seeds/{name}", env!("CARGO_MANIFEST_DIR"), p.id()))
        .filter(|f| std::path::Path::new(f).exists())
        .collect()
}

fn validate_files(files: &[String]) -> Vec<&str> {
    ["validate"].into_iter().chain(files.iter().map(String::as_str)).collect()
}

fn reports(out: &Output) -> Vec<Value> {
    String::from_utf8(out.stdout.clone()).unwrap().lines().map(|l| serde_json::from_str(l).unwrap()).collect()
}

#[test]
fn the_seed_examples_are_valid() {
    let out = payrules(&validate_files(&seeds("examples.jsonl")), "");
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stdout));
    let reports = reports(&out);
    assert!(reports.len() >= 17, "{} reports", reports.len());
    assert!(reports.iter().all(|r| r["valid"] == true && r["operation"].is_string()));
}

#[test]
fn the_seed_originals_are_invalid_json_with_positions() {
    let out = payrules(&validate_files(&seeds("originals.jsonl")), "");
    assert_eq!(out.status.code(), Some(1));
    let reports = reports(&out);
    assert_eq!(reports.len(), 6);
    for r in &reports {
        assert_eq!(r["errors"][0]["code"], "invalid_json");
        assert!(r["errors"][0]["message"].as_str().unwrap().contains(", column "));
    }
}

#[test]
fn a_broken_line_gets_a_report_and_the_run_goes_on() {
    let input = concat!(
        r#"{"profile":"komet","method":"POST","path":"/api/payment.mark.sync","body":{"authenticationToken":"t","payments":[{"paymentId":1}]}}"#,
        "\n",
        r#"{"profile":"komet", "method":}"#,
        "\n\n",
        r#"{"profile":"plentymarkets","method":"GET","path":"/rest/payments/1","headers":{"Authorization":"Bearer x"}}"#,
        "\r\n",
    );
    let out = payrules(&["validate", "-"], input);
    assert_eq!(out.status.code(), Some(1));
    let reports = reports(&out);
    assert_eq!(reports.len(), 3, "blank lines are skipped");
    assert_eq!(reports[0]["valid"], true);
    assert_eq!(reports[1]["errors"][0]["code"], "invalid_json");
    assert!(reports[1]["errors"][0]["message"].as_str().unwrap().contains("column 30"), "{}", reports[1]);
    assert_eq!(reports[2]["valid"], true);
    // stdin without the `-` too
    assert_eq!(payrules(&["validate"], input).stdout, out.stdout);
}

#[test]
fn bad_usage_exits_2() {
    for args in
        [&[][..], &["frobnicate"][..], &["validate", "/no/such/file"][..], &["diagram", "stripe"][..], &["diagram"][..]]
    {
        let out = payrules(args, "");
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        assert!(!out.stderr.is_empty());
    }
    assert_eq!(payrules(&["help"], "").status.code(), Some(0));
}

#[test]
fn profiles_list_operations_and_lifecycles() {
    let out = payrules(&["profiles"], "");
    assert_eq!(out.status.code(), Some(0));
    let all: Value = serde_json::from_slice(&out.stdout).unwrap();
    let ids: Vec<&str> = all.as_array().unwrap().iter().map(|p| p["id"].as_str().unwrap()).collect();
    assert_eq!(ids, payrules::Profile::ALL.map(payrules::Profile::id));
    for p in all.as_array().unwrap() {
        let profile: payrules::Profile = p["id"].as_str().unwrap().parse().unwrap();
        assert_eq!(p["operations"].as_array().unwrap().len(), profile.operations().len());
        for op in p["operations"].as_array().unwrap() {
            assert!(op["method"].is_string() && op["path"].as_str().unwrap().starts_with('/'));
        }
        assert!(!p["lifecycle"]["transitions"].as_array().unwrap().is_empty());
    }
    let amount = &all[3]["operations"]
        .as_array()
        .unwrap()
        .iter()
        .find(|o| o["id"] == "plentymarkets.create_payment")
        .unwrap()["body"]["fields"][1];
    assert_eq!(amount["name"], "amount");
    assert_eq!(amount["type"]["published"], r"/^[0-9]{1,9}[\.][0-9]{4}+$/");
}

#[test]
fn diagram_prints_the_core_rendering() {
    for profile in payrules::Profile::ALL {
        let out = payrules(&["diagram", profile.id()], "");
        assert_eq!(out.status.code(), Some(0));
        assert_eq!(String::from_utf8(out.stdout).unwrap(), profile.lifecycle().mermaid());
    }
}

#[test]
fn diagram_draws_svg_laid_out_as_the_console_draws_it() {
    for profile in payrules::Profile::ALL {
        let out = payrules(&["diagram", profile.id(), "--format", "svg"], "");
        assert_eq!(out.status.code(), Some(0));
        let layout = payrules_diagram::layout(&profile.lifecycle().table());
        assert_eq!(String::from_utf8(out.stdout).unwrap(), payrules_diagram::svg(&layout));
    }
}

#[test]
fn the_help_names_every_registered_profile() {
    let out = payrules(&["help"], "");
    let text = String::from_utf8(out.stdout).unwrap();
    let ids: Vec<&str> = payrules::Profile::ALL.iter().map(|p| p.id()).collect();
    assert!(text.contains(&format!("Profiles: {}.", ids.join(", "))), "{text}");
}

/// A request with two errors (one with a fix) and a valid one, with a blank line between.
const MIXED: &str = concat!(
    r#"{"profile":"plentymarkets","method":"POST","path":"/rest/payments","headers":{"Authorization":"Bearer t"},"body":{"amount":12.34,"exchangeRatio":1.0000,"mopId":6000,"currency":"EUR","type":"credit","status":1}}"#,
    "\n\n",
    r#"{"profile":"komet","method":"GET","path":"/nope"}"#,
    "\n",
);

#[test]
fn text_output_names_each_problem_with_its_line_pointer_code_message_and_fix_then_a_summary() {
    let out = payrules(&["validate", "--format", "text", "-"], MIXED);
    assert_eq!(out.status.code(), Some(1), "the exit status does not depend on the format");
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(!text.contains('\u{1b}'), "no colour when stdout is not a terminal:\n{text}");
    let expected = [
        "<stdin>:1 plentymarkets.create_payment: invalid (2 errors)",
        "  error[pattern] /body/amount: `amount` is 12.34: needs exactly 4 decimals: 12.3400",
        "    fix: 12.3400",
        "  error[required] /body/transactionType: `transactionType` is required. The transaction type.",
        "<stdin>:3 no operation: invalid (1 error)",
    ];
    for line in expected {
        assert!(text.lines().any(|l| l == line), "missing {line:?} in:\n{text}");
    }
    assert!(text.contains("Checked 2 requests: 0 valid, 2 invalid (3 errors, 0 warnings)."), "{text}");
    assert!(text.contains("Errors by code: "), "{text}");
    assert!(out.stderr.is_empty(), "no progress bar when stderr is not a terminal");
}

#[test]
fn json_is_the_output_when_piped_and_colour_is_forced_only_on_request() {
    let piped = payrules(&["validate"], MIXED);
    let json = payrules(&["validate", "--format", "json"], MIXED);
    assert_eq!(piped.stdout, json.stdout);
    assert_eq!(reports(&piped).len(), 2);
    let coloured = payrules(&["validate", "--format", "text", "--color", "always"], MIXED);
    assert!(String::from_utf8(coloured.stdout).unwrap().contains("\u{1b}["));
}

#[test]
fn text_lines_are_numbered_per_file() {
    let files = seeds("originals.jsonl");
    let out = payrules(&["validate", "--format", "text", &files[0], &files[0]], "");
    let text = String::from_utf8(out.stdout).unwrap();
    let first = format!("{}:1 ", files[0]);
    assert_eq!(text.lines().filter(|l| l.starts_with(&first)).count(), 2, "each file counts its own lines:\n{text}");
}

#[test]
fn completions_are_printed_for_bash_zsh_and_fish() {
    for shell in ["bash", "zsh", "fish"] {
        let out = payrules(&["completions", shell], "");
        assert_eq!(out.status.code(), Some(0));
        let script = String::from_utf8(out.stdout).unwrap();
        assert!(script.contains("validate") && script.contains("format"), "{shell}: {script}");
    }
    assert_eq!(payrules(&["completions", "tcsh"], "").status.code(), Some(2));
}
