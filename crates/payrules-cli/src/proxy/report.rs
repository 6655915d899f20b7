//! The report log (one JSON line per exchange: time, profile, operation, verdict, violations,
//! upstream status, latency, drift) and `payrules report`, its summary for a person.
//!
//! An entry never holds a credential: no header, no body, the target with credential-like query
//! values redacted, violations as pointer and code only (their messages may quote values).

use std::collections::BTreeMap;
use std::fs::{File, OpenOptions};
use std::io::{BufRead, BufReader, BufWriter, Write};
use std::path::Path;
use std::process::ExitCode;
use std::sync::Mutex;

use axum::http::Method;
use payrules::{Profile, Report};
use serde::{Deserialize, Serialize};

use super::Mode;
use super::drift::Drift;

/// One violation as the log keeps it.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Violated {
    pub path: String,
    pub code: String,
    /// An error (else a warning).
    pub error: bool,
}

impl Violated {
    pub(super) fn of(report: &Report) -> Vec<Violated> {
        report
            .errors
            .iter()
            .map(|v| Violated {
                path: v.path.clone(),
                code: v.code.as_str().to_owned(),
                error: v.severity == payrules::Severity::Error,
            })
            .collect()
    }
}

/// One exchange.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Entry {
    /// When it began (UTC, RFC 3339).
    pub time: String,
    pub mode: String,
    pub profile: String,
    pub method: String,
    /// The target, credential-like query values redacted.
    pub target: String,
    /// The operation validation found (`null`: no operation has this method and path).
    pub operation: Option<String>,
    /// `valid` or `invalid`.
    pub verdict: String,
    #[serde(default)]
    pub violations: Vec<Violated>,
    /// Whether the upstream got the request (`enforce` keeps invalid ones back).
    pub forwarded: bool,
    /// The status the client got from the upstream (or the emulator, when not forwarded).
    pub status: Option<u16>,
    /// Milliseconds from the request's arrival until its answer's head.
    pub latency_ms: f64,
    /// Where the upstream and the emulator disagreed (`shadow`, `check-traffic`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub drift: Vec<Drift>,
    /// What went wrong on the way (unreachable upstream, timeout).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
}

impl Entry {
    pub fn new(profile: Profile, method: &Method, target: &str, mode: Mode, report: &Report) -> Entry {
        Entry {
            time: now_rfc3339(),
            mode: serde_json::to_value(mode).ok().and_then(|v| v.as_str().map(str::to_owned)).unwrap_or_default(),
            profile: profile.id().to_owned(),
            method: method.as_str().to_owned(),
            target: target.to_owned(),
            operation: report.operation.clone(),
            verdict: if report.valid { "valid" } else { "invalid" }.to_owned(),
            violations: Violated::of(report),
            forwarded: false,
            status: None,
            latency_ms: 0.0,
            drift: Vec::new(),
            error: None,
        }
    }
}

/// The time now in RFC 3339 (UTC, milliseconds).
pub fn now_rfc3339() -> String {
    payrules::ledger::Timestamp::from_unix_millis(crate::serve::machine_millis()).utc_millis()
}

/// Where entries go: a file (appended, a line each, flushed after each) or nowhere.
#[derive(Debug)]
pub struct ReportLog(Option<Mutex<BufWriter<File>>>);

impl ReportLog {
    pub fn open(path: Option<&Path>) -> Result<ReportLog, String> {
        let Some(path) = path else { return Ok(ReportLog(None)) };
        let file = OpenOptions::new()
            .create(true)
            .append(true)
            .open(path)
            .map_err(|e| format!("cannot open the report log {}: {e}", path.display()))?;
        Ok(ReportLog(Some(Mutex::new(BufWriter::new(file)))))
    }

    pub fn write(&self, entry: &Entry) {
        let Some(out) = &self.0 else { return };
        let mut out = out.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        let written = serde_json::to_writer(&mut *out, entry)
            .map_err(std::io::Error::from)
            .and_then(|()| out.write_all(b"\n"))
            .and_then(|()| out.flush());
        if let Err(e) = written {
            tracing::error!("cannot write the report log: {e}");
        }
    }

    pub fn flush(&self) -> Result<(), String> {
        let Some(out) = &self.0 else { return Ok(()) };
        out.lock().unwrap_or_else(std::sync::PoisonError::into_inner).flush().map_err(|e| e.to_string())
    }
}

/// `payrules report FILE`: the log summarised for a person.
pub fn summarise(file: &Path, out: &mut impl Write) -> Result<ExitCode, String> {
    let input = File::open(file).map_err(|e| format!("cannot read {}: {e}", file.display()))?;
    let mut total = 0usize;
    let mut by_operation: BTreeMap<String, (usize, usize)> = BTreeMap::new();
    let mut by_code: BTreeMap<(String, String), usize> = BTreeMap::new();
    let mut drifts: BTreeMap<String, Vec<(Entry, Drift)>> = BTreeMap::new();
    let mut errors = 0usize;
    let mut latencies = Vec::new();
    for (n, line) in BufReader::new(input).lines().enumerate() {
        let line = line.map_err(|e| format!("cannot read {}: {e}", file.display()))?;
        if line.trim().is_empty() {
            continue;
        }
        let entry: Entry = serde_json::from_str(&line)
            .map_err(|e| format!("{}:{}: not a report entry: {e}", file.display(), n + 1))?;
        total += 1;
        let op = entry.operation.clone().unwrap_or_else(|| format!("{} (no operation)", entry.profile));
        let slot = by_operation.entry(op).or_default();
        slot.0 += 1;
        if entry.verdict == "invalid" {
            slot.1 += 1;
        }
        for v in entry.violations.iter().filter(|v| v.error) {
            *by_code.entry((v.code.clone(), v.path.clone())).or_default() += 1;
        }
        if entry.error.is_some() {
            errors += 1;
        }
        if entry.forwarded {
            latencies.push(entry.latency_ms);
        }
        for d in &entry.drift {
            drifts.entry(d.kind.clone()).or_default().push((entry.clone(), d.clone()));
        }
    }
    let w = |out: &mut dyn Write, text: String| writeln!(out, "{text}").map_err(|e| format!("cannot write: {e}"));
    w(out, format!("{total} exchanges in {}", file.display()))?;
    if !latencies.is_empty() {
        latencies.sort_by(f64::total_cmp);
        // The value at quantile `percent` (nearest rank).
        let at = |percent: usize| {
            let rank = (latencies.len() * percent).div_ceil(100).max(1);
            latencies.get(rank - 1).copied().unwrap_or(0.0)
        };
        w(out, format!("latency of forwarded requests: p50 {:.2} ms, p99 {:.2} ms", at(50), at(99)))?;
    }
    if errors > 0 {
        w(out, format!("{errors} exchanges failed on the way (upstream unreachable or too slow)"))?;
    }
    w(out, "\nRequests by operation (invalid):".to_owned())?;
    for (op, (n, invalid)) in &by_operation {
        w(out, format!("  {n:>6} {op} ({invalid} invalid)"))?;
    }
    if !by_code.is_empty() {
        w(out, "\nInvalid requests by code and field:".to_owned())?;
        let mut list: Vec<_> = by_code.into_iter().collect();
        list.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
        for ((code, path), n) in list.iter().take(20) {
            w(out, format!("  {n:>6} {code} at {}", if path.is_empty() { "(the request)" } else { path }))?;
        }
    }
    if drifts.is_empty() {
        w(out, "\nNo drift: where the emulator ran, the upstream answered as it did.".to_owned())?;
    } else {
        w(out, "\nDrift (the upstream answered otherwise than the emulator):".to_owned())?;
        for (kind, list) in &drifts {
            w(out, format!("  {} {kind}", list.len()))?;
            for (entry, d) in list.iter().take(3) {
                w(
                    out,
                    format!(
                        "      {} {} {}: upstream {}, emulator {}",
                        entry.method,
                        entry.target,
                        d.field.as_deref().map_or(String::new(), |f| format!("`{f}`")),
                        d.upstream,
                        d.emulated
                    ),
                )?;
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}
