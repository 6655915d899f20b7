//! `payrules`: validate payment requests from JSON Lines, list the profiles, draw lifecycles.

mod args;
mod replay;
mod serve;

use std::io::{self, BufRead, BufReader, BufWriter, Write};
use std::process::ExitCode;

use payrules::Profile;

const USAGE: &str = "\
payrules — payment requests checked the way five payment APIs judge them

USAGE:
    payrules validate [FILE...|-]
                                 Read JSON Lines of requests (stdin when FILE is - or absent; several
                                 files one after another) and write one report per line. Exit 0 when
                                 all are valid, 1 when any is not.
    payrules profiles            Print every profile, its operations and lifecycle as JSON.
    payrules diagram PROFILE     Print PROFILE's lifecycle as a Mermaid state diagram.
    payrules replay [--world FILE] [--now RFC3339] [--save FILE] [FILE|-]
                                 Apply JSON Lines of requests in order to the sample world (or the
                                 snapshot FILE) and write one response per line; --save writes the
                                 resulting snapshot. The clock starts at --now (default
                                 2024-01-01T09:00:00Z) and moves on one second per request.
    payrules serve [--addr 127.0.0.1:PORT] [--state FILE] [--world FILE] [--now RFC3339]
                                 Serve the ledger over HTTP, each profile under /{profile} plus the
                                 vendor's path, CORS open. --state FILE is read at start and written
                                 (write-then-rename) after every change, before the response.
    payrules generate [--kind mixed|plentymarkets-create] [--seed N] [--count N]
                                 Print a deterministic batch of requests as JSON Lines (the same
                                 bytes on every machine): the parity and benchmark batches.
    payrules help                Print this help.

A request is {\"profile\", \"method\", \"path\", \"query\"?, \"headers\"?, \"body\"?}; a body given as a JSON
string is read as the body's text (keeps decimals exactly, and shows where text is not strict JSON).
Blank lines are skipped. Profiles: {profiles}.
Exit status 2: bad usage or unreadable input.";

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    match run(&args) {
        Ok(code) => code,
        Err(message) => {
            eprintln!("payrules: {message}");
            eprintln!("Run `payrules help` for usage.");
            ExitCode::from(2)
        }
    }
}

fn run(args: &[&str]) -> Result<ExitCode, String> {
    match args {
        ["validate"] | ["validate", "-"] => validate_stream(io::stdin().lock()),
        ["validate", files @ ..] => {
            // Several files are read one after another, as one stream (`data/*/seeds/examples.jsonl`).
            let mut input: Box<dyn BufRead> = Box::new(io::empty());
            for file in files.iter().rev() {
                let f = std::fs::File::open(file).map_err(|e| format!("cannot read {file}: {e}"))?;
                input = Box::new(io::Read::chain(BufReader::with_capacity(1 << 16, f), input));
            }
            validate_stream(input)
        }
        ["profiles"] => {
            let json = payrules::profiles::describe_all();
            let text = serde_json::to_string_pretty(&json).map_err(|e| e.to_string())?;
            write_out(&format!("{text}\n"))
        }
        ["diagram", profile] => {
            let profile: Profile = profile.parse().map_err(|e: payrules::profiles::UnknownProfile| e.to_string())?;
            write_out(&profile.lifecycle().mermaid())
        }
        ["replay", rest @ ..] => replay::run(rest),
        ["generate", rest @ ..] => generate(rest),
        ["serve", rest @ ..] => serve::run(rest),
        ["help" | "--help" | "-h"] => write_out(&format!("{}\n", usage())),
        ["--version" | "-V"] => write_out(&format!("payrules {}\n", env!("CARGO_PKG_VERSION"))),
        [] => Err("no command given".to_owned()),
        [cmd, ..] => Err(format!(
            "unknown command or arguments: `{}`",
            [*cmd].iter().chain(args.iter().skip(1)).copied().collect::<Vec<_>>().join(" ")
        )),
    }
}

/// The usage text, with the registered profiles.
fn usage() -> String {
    let profiles: Vec<&str> = Profile::ALL.iter().map(|p| p.id()).collect();
    USAGE.replace("{profiles}", &profiles.join(", "))
}

fn generate(args: &[&str]) -> Result<ExitCode, String> {
    let args = args::Args::parse(args, &["kind", "seed", "count"])?;
    let number = |name: &str, default: u64| -> Result<u64, String> {
        args.get(name).map_or(Ok(default), |v| v.parse().map_err(|_| format!("--{name} must be a whole number")))
    };
    let seed = number("seed", 42)?;
    let count = usize::try_from(number("count", 10_000)?).map_err(|e| e.to_string())?;
    let text = match args.get("kind").unwrap_or("mixed") {
        "mixed" => payrules::generate::mixed_batch(seed, count),
        "plentymarkets-create" => payrules::generate::plentymarkets_create_batch(seed, count),
        other => return Err(format!("unknown --kind `{other}`; the kinds are mixed, plentymarkets-create")),
    };
    write_out(&text)
}

fn write_out(text: &str) -> Result<ExitCode, String> {
    let mut out = io::stdout().lock();
    out.write_all(text.as_bytes()).and_then(|()| out.flush()).map_err(|e| format!("cannot write: {e}"))?;
    Ok(ExitCode::SUCCESS)
}

/// One report per non-blank line, in order. Lines that are not UTF-8 get an `invalid_json` report too.
fn validate_stream(mut input: impl BufRead) -> Result<ExitCode, String> {
    let stdout = io::stdout();
    let mut out = BufWriter::with_capacity(1 << 16, stdout.lock());
    let mut all_valid = true;
    let mut line = Vec::new();
    let mut number = 0usize;
    loop {
        line.clear();
        let n = input.by_ref().read_until(b'\n', &mut line).map_err(|e| format!("cannot read input: {e}"))?;
        if n == 0 {
            break;
        }
        number += 1;
        let report = payrules::validate_json_bytes(trim_line_end(&line));
        let Some(report) = report else { continue };
        all_valid &= report.valid;
        serde_json::to_writer(&mut out, &report).map_err(|e| format!("cannot write: {e}"))?;
        out.write_all(b"\n").map_err(|e| format!("cannot write (line {number}): {e}"))?;
    }
    out.flush().map_err(|e| format!("cannot write: {e}"))?;
    Ok(if all_valid { ExitCode::SUCCESS } else { ExitCode::from(1) })
}

fn trim_line_end(line: &[u8]) -> &[u8] {
    let line = line.strip_suffix(b"\n").unwrap_or(line);
    line.strip_suffix(b"\r").unwrap_or(line)
}
