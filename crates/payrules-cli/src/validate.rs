//! `payrules validate`: one report per request line, as JSON Lines for machines or as readable
//! diagnostics for people, with a progress bar on a terminal's stderr for long inputs.
//!
//! Both formats read the input once, a line at a time (constant memory whatever its length), and
//! give the same exit status: 0 when every request is valid, 1 when any is not, 2 when the input
//! cannot be read.

use std::collections::BTreeMap;
use std::fs::File;
use std::io::{self, BufRead, BufReader, BufWriter, IsTerminal, Write};
use std::path::PathBuf;
use std::process::ExitCode;

use anstyle::{AnsiColor, Style};
use clap::{Args, ValueEnum};
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use payrules::{Code, Report, Severity};

/// How reports are written.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Format {
    /// Text when stdout is a terminal, JSON Lines otherwise.
    Auto,
    /// Readable diagnostics: each problem with its line, JSON Pointer, code, message and fix, then
    /// a summary.
    Text,
    /// One JSON report per request line (every line, valid or not).
    Json,
}

/// When text is coloured.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Color {
    /// On a terminal, unless `NO_COLOR` is set.
    Auto,
    Always,
    Never,
}

#[derive(Debug, Args)]
pub struct ValidateArgs {
    /// Files read one after another; `-` or none reads stdin.
    files: Vec<PathBuf>,
    /// The output: `text` for people, `json` (JSON Lines) for machines; `auto` picks text on a
    /// terminal.
    #[arg(long, value_enum, default_value_t = Format::Auto)]
    format: Format,
    /// Colours in text output.
    #[arg(long, value_enum, default_value_t = Color::Auto)]
    color: Color,
}

/// One input: its name in diagnostics and its reader.
struct Input {
    name: String,
    reader: Box<dyn BufRead>,
}

/// Inputs at least this large (bytes, in all) get a progress bar on a terminal's stderr.
const PROGRESS_FROM_BYTES: u64 = 4 << 20;
/// The progress bar moves every this many lines (drawing is rate-limited anyway).
const PROGRESS_EVERY: u64 = 4096;

pub fn run(args: &ValidateArgs) -> Result<ExitCode, String> {
    let is_stdin = |f: &PathBuf| f.as_os_str() == "-";
    let mut inputs = Vec::new();
    let mut total_bytes = Some(0u64);
    if args.files.is_empty() {
        inputs.push(Input { name: "<stdin>".to_owned(), reader: Box::new(BufReader::new(io::stdin())) });
        total_bytes = None;
    }
    for file in &args.files {
        if is_stdin(file) {
            // Not locked here: `-` may be given more than once.
            inputs.push(Input { name: "<stdin>".to_owned(), reader: Box::new(BufReader::new(io::stdin())) });
            total_bytes = None;
        } else {
            let f = File::open(file).map_err(|e| format!("cannot read {}: {e}", file.display()))?;
            let len = f.metadata().map_or(0, |m| m.len());
            total_bytes = total_bytes.map(|t| t + len);
            inputs.push(Input {
                name: file.display().to_string(),
                reader: Box::new(BufReader::with_capacity(1 << 16, f)),
            });
        }
    }
    let text = match args.format {
        Format::Auto => io::stdout().is_terminal(),
        Format::Text => true,
        Format::Json => false,
    };
    let progress = progress_bar(total_bytes);
    let result = if text {
        let choice = match args.color {
            Color::Auto => anstream::ColorChoice::Auto,
            Color::Always => anstream::ColorChoice::Always,
            Color::Never => anstream::ColorChoice::Never,
        };
        let out = BufWriter::with_capacity(1 << 16, anstream::AutoStream::new(io::stdout().lock(), choice));
        let mut sink = Text::new(out);
        let r = each_report(inputs, &progress, &mut |name, line, verdict| match verdict {
            Verdict::Clean(_) => {
                sink.requests += 1;
                Ok(())
            }
            Verdict::Report(report) => sink.report(name, line, report),
        });
        progress.finish_and_clear();
        r.and_then(|all_valid| sink.finish().map(|()| all_valid))
    } else {
        let mut out = BufWriter::with_capacity(1 << 16, io::stdout().lock());
        // Each report written by the core's own writer (`Report::write_json`, the bytes serde_json
        // writes), into one buffer reused for every line.
        let mut text = String::new();
        let r = each_report(inputs, &progress, &mut |_, line, verdict| {
            text.clear();
            match verdict {
                Verdict::Clean(operation) => Report::new(Some(operation), Vec::new()).write_json(&mut text),
                Verdict::Report(report) => report.write_json(&mut text),
            }
            text.push('\n');
            out.write_all(text.as_bytes()).map_err(|e| format!("cannot write (line {line}): {e}"))
        });
        progress.finish_and_clear();
        r.and_then(|all_valid| out.flush().map_err(|e| format!("cannot write: {e}")).map(|()| all_valid))
    };
    Ok(if result? { ExitCode::SUCCESS } else { ExitCode::from(1) })
}

/// A bar by bytes for files (a counter of requests for stdin), drawn only on a terminal's stderr
/// and only for long inputs.
fn progress_bar(total_bytes: Option<u64>) -> ProgressBar {
    let long = total_bytes.is_none_or(|t| t >= PROGRESS_FROM_BYTES);
    if !io::stderr().is_terminal() || !long {
        return ProgressBar::hidden();
    }
    let bar = match total_bytes {
        Some(total) => ProgressBar::with_draw_target(Some(total), ProgressDrawTarget::stderr()).with_style(
            ProgressStyle::with_template("{msg:>16} {wide_bar} {bytes}/{total_bytes} {eta:>4}")
                .unwrap_or_else(|_| ProgressStyle::default_bar()),
        ),
        None => ProgressBar::with_draw_target(None, ProgressDrawTarget::stderr()).with_style(
            ProgressStyle::with_template("{spinner} {msg}").unwrap_or_else(|_| ProgressStyle::default_spinner()),
        ),
    };
    bar.set_message("0 requests");
    bar
}

/// What a request line got.
enum Verdict<'a> {
    /// Valid with no violation at all (decided in one pass, no report built): the operation.
    Clean(&'static str),
    /// The full report.
    Report(&'a Report),
}

/// Calls `f` with every request line's verdict, in order (input name, line number in it,
/// verdict); whether all were valid.
fn each_report(
    inputs: Vec<Input>,
    progress: &ProgressBar,
    f: &mut dyn FnMut(&str, usize, Verdict<'_>) -> Result<(), String>,
) -> Result<bool, String> {
    let mut all_valid = true;
    let mut line = Vec::new();
    let mut requests = 0u64;
    let mut bytes = 0u64;
    for Input { name, mut reader } in inputs {
        let mut number = 0usize;
        loop {
            line.clear();
            let n = reader.read_until(b'\n', &mut line).map_err(|e| format!("cannot read {name}: {e}"))?;
            if n == 0 {
                break;
            }
            number += 1;
            bytes += n as u64;
            let text = trim_line_end(&line);
            // One pass gives the verdict and, for a line that may hold a violation, its report
            // where it can (else the checker writes it).
            match payrules::fast::quick_report(text) {
                (payrules::fast::Quick::Valid { operation, clean: true }, _) => {
                    f(&name, number, Verdict::Clean(operation))?;
                }
                (_, written) => {
                    let Some(report) = written.or_else(|| payrules::validate_json_bytes_by_table(text)) else {
                        continue;
                    };
                    all_valid &= report.valid;
                    f(&name, number, Verdict::Report(&report))?;
                }
            }
            requests += 1;
            if requests.is_multiple_of(PROGRESS_EVERY) {
                progress.set_message(format!("{requests} requests"));
                progress.set_position(bytes);
            }
        }
    }
    Ok(all_valid)
}

fn trim_line_end(line: &[u8]) -> &[u8] {
    let line = line.strip_suffix(b"\n").unwrap_or(line);
    line.strip_suffix(b"\r").unwrap_or(line)
}

/// The styles of text output.
const LOCATION: Style = Style::new().bold();
const ERROR: Style = AnsiColor::Red.on_default().bold();
const WARNING: Style = AnsiColor::Yellow.on_default().bold();
const POINTER: Style = AnsiColor::Cyan.on_default();
const FIX: Style = AnsiColor::Green.on_default();
const DIM: Style = Style::new().dimmed();

/// Diagnostics for people: the problems of each request (valid requests without warnings print
/// nothing), then a summary.
struct Text<W: Write> {
    out: W,
    requests: u64,
    invalid: u64,
    errors: BTreeMap<Code, u64>,
    warnings: BTreeMap<Code, u64>,
}

impl<W: Write> Text<W> {
    fn new(out: W) -> Self {
        Text { out, requests: 0, invalid: 0, errors: BTreeMap::new(), warnings: BTreeMap::new() }
    }

    fn report(&mut self, name: &str, line: usize, report: &Report) -> Result<(), String> {
        self.requests += 1;
        if !report.valid {
            self.invalid += 1;
        }
        if report.errors.is_empty() {
            return Ok(());
        }
        let operation = report.operation.as_deref().unwrap_or("no operation");
        let (errors, warnings) = report.errors.iter().fold((0, 0), |(e, w), v| match v.severity {
            Severity::Error => (e + 1, w),
            Severity::Warning => (e, w + 1),
        });
        let verdict = if report.valid { "valid" } else { "invalid" };
        let counts = [(errors, "error"), (warnings, "warning")]
            .iter()
            .filter(|(n, _)| *n > 0)
            .map(|(n, what)| format!("{n} {what}{}", if *n == 1 { "" } else { "s" }))
            .collect::<Vec<_>>()
            .join(", ");
        let w = &mut self.out;
        let written =
            writeln!(w, "{LOCATION}{name}:{line}{LOCATION:#} {operation}: {verdict} ({counts})").and_then(|()| {
                for v in &report.errors {
                    let (style, label, tally) = match v.severity {
                        Severity::Error => (ERROR, "error", &mut self.errors),
                        Severity::Warning => (WARNING, "warning", &mut self.warnings),
                    };
                    *tally.entry(v.code).or_default() += 1;
                    let path = if v.path.is_empty() { "(the request)" } else { v.path.as_str() };
                    writeln!(
                        w,
                        "  {style}{label}[{}]{style:#} {POINTER}{path}{POINTER:#}: {}",
                        v.code.as_str(),
                        v.message
                    )?;
                    if let Some(fix) = &v.suggestion {
                        writeln!(w, "    {FIX}fix:{FIX:#} {fix}")?;
                    }
                }
                Ok(())
            });
        written.map_err(|e| format!("cannot write: {e}"))
    }

    fn finish(mut self) -> Result<(), String> {
        let valid = self.requests - self.invalid;
        let plural = |n: u64, what: &str| format!("{n} {what}{}", if n == 1 { "" } else { "s" });
        let by_code = |codes: &BTreeMap<Code, u64>| {
            let mut list: Vec<(&Code, &u64)> = codes.iter().collect();
            list.sort_by(|a, b| b.1.cmp(a.1).then(a.0.cmp(b.0)));
            list.iter().map(|(c, n)| format!("{} {n}", c.as_str())).collect::<Vec<_>>().join(", ")
        };
        let errors: u64 = self.errors.values().sum();
        let warnings: u64 = self.warnings.values().sum();
        let style = if self.invalid > 0 { ERROR } else { LOCATION };
        let w = &mut self.out;
        let written = (|| {
            if self.requests > 0 && (errors > 0 || warnings > 0) {
                writeln!(w)?;
            }
            writeln!(
                w,
                "{style}Checked {}: {valid} valid, {} invalid{style:#} ({}, {}).",
                plural(self.requests, "request"),
                self.invalid,
                plural(errors, "error"),
                plural(warnings, "warning")
            )?;
            if errors > 0 {
                writeln!(w, "{DIM}Errors by code:{DIM:#} {}.", by_code(&self.errors))?;
            }
            if warnings > 0 {
                writeln!(w, "{DIM}Warnings by code:{DIM:#} {}.", by_code(&self.warnings))?;
            }
            w.flush()
        })();
        written.map_err(|e| format!("cannot write: {e}"))
    }
}
