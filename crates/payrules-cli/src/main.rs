//! `payrules`: validate payment requests from JSON Lines, list the profiles, draw lifecycles.

mod replay;
mod serve;

use std::io::{self, BufRead, BufReader, BufWriter, Write};
use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand, ValueEnum};
use payrules::Profile;

/// payrules — payment requests checked the way five payment APIs judge them
#[derive(Debug, Parser)]
#[command(name = "payrules", version, arg_required_else_help = true, args_override_self = true, after_help = after_help())]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Read JSON Lines of requests and write one report per line; exit 0 when all are valid, 1 when any is not.
    Validate {
        /// Files read one after another as one stream; `-` or none reads stdin.
        files: Vec<PathBuf>,
    },
    /// Print every profile, its operations and lifecycle as JSON.
    Profiles,
    /// Print a profile's lifecycle as a Mermaid state diagram.
    Diagram {
        /// The profile (see the list below).
        #[arg(value_parser = parse_profile)]
        profile: Profile,
    },
    /// Apply JSON Lines of requests in order to the sample world and write one response per line.
    ///
    /// The clock starts at --now (default 2024-01-01T09:00:00Z) and moves on one second per request.
    Replay(replay::ReplayArgs),
    /// Serve the ledger over HTTP: each profile under /{profile} plus the vendor's path, in sandboxes.
    Serve(serve::ServeArgs),
    /// Print a deterministic batch of requests as JSON Lines (the same bytes on every machine).
    Generate {
        /// Which batch: the mixed parity batch or plentymarkets creates (the benchmark batch).
        #[arg(long, value_enum, default_value_t = Kind::Mixed)]
        kind: Kind,
        /// The seed of the batch.
        #[arg(long, default_value_t = 42)]
        seed: u64,
        /// How many requests.
        #[arg(long, default_value_t = 10_000)]
        count: usize,
    },
}

#[derive(Debug, Clone, Copy, ValueEnum)]
enum Kind {
    Mixed,
    PlentymarketsCreate,
}

/// The text after the help: the request format, the registered profiles and the exit codes.
fn after_help() -> String {
    let profiles: Vec<&str> = Profile::ALL.iter().map(|p| p.id()).collect();
    format!(
        "A request is {{\"profile\", \"method\", \"path\", \"query\"?, \"headers\"?, \"body\"?}}; a body given as a JSON\n\
         string is read as the body's text (keeps decimals exactly, and shows where text is not strict JSON).\n\
         Blank lines are skipped. Profiles: {}.\n\
         Exit status: 0 valid, 1 invalid (validate), 2 bad usage or unreadable input.",
        profiles.join(", ")
    )
}

fn parse_profile(text: &str) -> Result<Profile, String> {
    text.parse().map_err(|e: payrules::profiles::UnknownProfile| e.to_string())
}

fn main() -> ExitCode {
    // clap exits 2 on bad usage and 0 for --help, --version and `help`.
    let cli = Cli::parse();
    match run(cli.command) {
        Ok(code) => code,
        Err(message) => {
            eprintln!("payrules: {message}");
            eprintln!("Run `payrules help` for usage.");
            ExitCode::from(2)
        }
    }
}

fn run(command: Command) -> Result<ExitCode, String> {
    match command {
        Command::Validate { files } => validate_files(&files),
        Command::Profiles => {
            let json = payrules::profiles::describe_all();
            let text = serde_json::to_string_pretty(&json).map_err(|e| e.to_string())?;
            write_out(&format!("{text}\n"))
        }
        Command::Diagram { profile } => write_out(&profile.lifecycle().mermaid()),
        Command::Replay(args) => replay::run(&args),
        Command::Serve(args) => serve::run(&args),
        Command::Generate { kind, seed, count } => write_out(&match kind {
            Kind::Mixed => payrules::generate::mixed_batch(seed, count),
            Kind::PlentymarketsCreate => payrules::generate::plentymarkets_create_batch(seed, count),
        }),
    }
}

/// Several files are read one after another, as one stream (`data/*/seeds/examples.jsonl`); `-` is stdin.
fn validate_files(files: &[PathBuf]) -> Result<ExitCode, String> {
    let is_stdin = |f: &PathBuf| f.as_os_str() == "-";
    if files.is_empty() || (files.len() == 1 && is_stdin(&files[0])) {
        return validate_stream(io::stdin().lock());
    }
    let mut input: Box<dyn BufRead> = Box::new(io::empty());
    for file in files.iter().rev() {
        let next: Box<dyn BufRead> = if is_stdin(file) {
            Box::new(io::stdin().lock())
        } else {
            let f = std::fs::File::open(file).map_err(|e| format!("cannot read {}: {e}", file.display()))?;
            Box::new(BufReader::with_capacity(1 << 16, f))
        };
        input = Box::new(io::Read::chain(next, input));
    }
    validate_stream(input)
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
        let line = trim_line_end(&line);
        // A line the one pass finds valid with no violation at all has the report
        // `{"valid":true,"operation":…,"errors":[]}`: written without building it.
        if let payrules::fast::Quick::Valid { operation, clean: true } = payrules::fast::quick(line) {
            write_clean(&mut out, operation).map_err(|e| format!("cannot write (line {number}): {e}"))?;
            continue;
        }
        let report = payrules::validate_json_bytes(line);
        let Some(report) = report else { continue };
        all_valid &= report.valid;
        serde_json::to_writer(&mut out, &report).map_err(|e| format!("cannot write: {e}"))?;
        out.write_all(b"\n").map_err(|e| format!("cannot write (line {number}): {e}"))?;
    }
    out.flush().map_err(|e| format!("cannot write: {e}"))?;
    Ok(if all_valid { ExitCode::SUCCESS } else { ExitCode::from(1) })
}

/// The report of a valid request with no violation, as `serde_json` writes it (operation ids are
/// plain ASCII: nothing to escape).
fn write_clean(out: &mut impl Write, operation: &str) -> io::Result<()> {
    out.write_all(b"{\"valid\":true,\"operation\":\"")?;
    out.write_all(operation.as_bytes())?;
    out.write_all(b"\",\"errors\":[]}\n")
}

fn trim_line_end(line: &[u8]) -> &[u8] {
    let line = line.strip_suffix(b"\n").unwrap_or(line);
    line.strip_suffix(b"\r").unwrap_or(line)
}
