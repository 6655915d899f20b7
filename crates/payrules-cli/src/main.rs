//! `payrules`: validate payment requests from JSON Lines, list the profiles, draw lifecycles.

mod proxy;
mod replay;
mod serve;
mod validate;

use std::io::{self, Write};
use std::process::ExitCode;

use clap::{CommandFactory, Parser, Subcommand, ValueEnum};
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
    /// Read JSON Lines of requests and report on each; exit 0 when all are valid, 1 when any is not.
    ///
    /// On a terminal: readable diagnostics (each problem with its line, JSON Pointer, code,
    /// message and fix) and a summary. Piped, or with --format json: one JSON report per line.
    Validate(validate::ValidateArgs),
    /// Print every profile, its operations and lifecycle as JSON.
    Profiles,
    /// Print a profile's lifecycle as a Mermaid state diagram, or as SVG laid out as the console draws it.
    Diagram {
        /// The profile (see the list below).
        #[arg(value_parser = parse_profile)]
        profile: Profile,
        /// Mermaid source, or a standalone SVG picture.
        #[arg(long, value_enum, default_value = "mermaid")]
        format: DiagramFormat,
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
    /// Put the rules in front of the real APIs: validate every request on its way to the vendor.
    ///
    /// --mode report forwards everything and adds a Payrules-Violations header; enforce answers an
    /// invalid request with the emulator's refusal instead of forwarding it; shadow forwards and
    /// runs the request against an emulated ledger too, logging every disagreement as drift.
    Proxy(proxy::ProxyArgs),
    /// Summarise a report log (of `proxy --log` or `check-traffic`) for a person.
    Report {
        /// The report log (JSON Lines).
        file: std::path::PathBuf,
    },
    /// Audit recorded traffic (a HAR file): validate each vendor request, run it in order against
    /// the emulator, and write the report log, as the proxy in shadow mode would have.
    CheckTraffic(proxy::har::CheckTrafficArgs),
    /// Print a vendor's OpenAPI 3.1 document (generated from the operation tables), or write all
    /// of them with --out.
    Openapi {
        /// The profile (see the list below); without it, --out DIR writes every document.
        #[arg(value_parser = parse_profile)]
        profile: Option<Profile>,
        /// Write `<profile>.json` for every profile into this directory.
        #[arg(long, conflicts_with = "profile")]
        out: Option<std::path::PathBuf>,
    },
    /// Print a shell completion script (e.g. `payrules completions bash > ~/.local/share/bash-completion/completions/payrules`).
    Completions {
        /// The shell.
        #[arg(value_enum)]
        shell: clap_complete::Shell,
    },
}

#[derive(Debug, Clone, Copy, ValueEnum)]
enum DiagramFormat {
    Mermaid,
    Svg,
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
        Command::Validate(args) => validate::run(&args),
        Command::Profiles => {
            let json = payrules::profiles::describe_all();
            let text = serde_json::to_string_pretty(&json).map_err(|e| e.to_string())?;
            write_out(&format!("{text}\n"))
        }
        Command::Diagram { profile, format: DiagramFormat::Mermaid } => write_out(&profile.lifecycle().mermaid()),
        Command::Diagram { profile, format: DiagramFormat::Svg } => {
            write_out(&payrules_diagram::svg(&payrules_diagram::layout(&profile.lifecycle().table())))
        }
        Command::Replay(args) => replay::run(&args),
        Command::Serve(args) => serve::run(&args),
        Command::Generate { kind, seed, count } => write_out(&match kind {
            Kind::Mixed => payrules::generate::mixed_batch(seed, count),
            Kind::PlentymarketsCreate => payrules::generate::plentymarkets_create_batch(seed, count),
        }),
        Command::Openapi { profile: Some(profile), .. } => {
            write_out(&format!("{:#}\n", payrules::openapi::document(profile)))
        }
        Command::Openapi { profile: None, out: Some(dir) } => {
            std::fs::create_dir_all(&dir).map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
            for profile in Profile::ALL {
                let file = dir.join(format!("{}.json", profile.id()));
                std::fs::write(&file, format!("{:#}\n", payrules::openapi::document(profile)))
                    .map_err(|e| format!("cannot write {}: {e}", file.display()))?;
            }
            Ok(ExitCode::SUCCESS)
        }
        Command::Openapi { profile: None, out: None } => {
            Err("name a profile, or write every document with --out DIR".to_owned())
        }
        Command::Proxy(args) => proxy::run(&args),
        Command::Report { file } => proxy::report::summarise(&file, &mut io::stdout().lock()),
        Command::CheckTraffic(args) => proxy::har::run(&args),
        Command::Completions { shell } => {
            let mut script = Vec::new();
            clap_complete::generate(shell, &mut Cli::command(), "payrules", &mut script);
            write_out(&String::from_utf8_lossy(&script))
        }
    }
}

fn write_out(text: &str) -> Result<ExitCode, String> {
    let mut out = io::stdout().lock();
    out.write_all(text.as_bytes()).and_then(|()| out.flush()).map_err(|e| format!("cannot write: {e}"))?;
    Ok(ExitCode::SUCCESS)
}
