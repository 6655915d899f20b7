//! `payrules check-traffic FILE.har`: recorded traffic (a HAR file, what browsers and most HTTP
//! tools export) audited offline. Each request to a vendor (matched by its upstream URL) is
//! validated and, in order, run against an emulated ledger; its recorded answer is compared with
//! the emulator's. The report log is the proxy's, so `payrules report` reads both.

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::process::ExitCode;

use axum::http::{Method, Uri};
use payrules::Profile;
use serde::Deserialize;

use super::report::{Entry, ReportLog};
use super::{Mode, drift, parse_upstream};
use crate::serve::{redact_target, vendor_request};

#[derive(Debug, clap::Args)]
pub struct CheckTrafficArgs {
    /// The HAR file.
    file: PathBuf,
    /// A vendor's API as the recording calls it: `PROFILE=URL`, once per vendor.
    #[arg(long = "upstream", value_name = "PROFILE=URL", value_parser = parse_upstream, required = true)]
    upstreams: Vec<(Profile, Uri)>,
    /// The report log to write (JSON Lines); `payrules report` summarises it.
    #[arg(long)]
    log: PathBuf,
    /// The emulated ledger's world (a snapshot); default: the sample world.
    #[arg(long)]
    world: Option<PathBuf>,
}

#[derive(Debug, Deserialize)]
struct Har {
    log: HarLog,
}

#[derive(Debug, Deserialize)]
struct HarLog {
    entries: Vec<HarEntry>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct HarEntry {
    #[serde(default)]
    started_date_time: String,
    request: HarRequest,
    response: HarResponse,
    #[serde(default)]
    time: f64,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct HarRequest {
    method: String,
    url: String,
    #[serde(default)]
    headers: Vec<HarHeader>,
    #[serde(default)]
    post_data: Option<HarPostData>,
}

#[derive(Debug, Deserialize)]
struct HarHeader {
    name: String,
    value: String,
}

#[derive(Debug, Deserialize)]
struct HarPostData {
    #[serde(default)]
    text: String,
}

#[derive(Debug, Deserialize)]
struct HarResponse {
    status: u16,
    #[serde(default)]
    content: HarContent,
}

#[derive(Debug, Default, Deserialize)]
struct HarContent {
    #[serde(default)]
    text: String,
}

pub fn run(args: &CheckTrafficArgs) -> Result<ExitCode, String> {
    let text = std::fs::read_to_string(&args.file).map_err(|e| format!("cannot read {}: {e}", args.file.display()))?;
    let har: Har =
        serde_json::from_str(&text).map_err(|e| format!("{} is not a HAR file: {e}", args.file.display()))?;
    let mut emulator = super::emulator(args.world.as_deref())?;
    let log = ReportLog::open(Some(&args.log))?;
    let (mut checked, mut skipped, mut invalid, mut drifted) = (0usize, 0usize, 0usize, 0usize);
    for entry in har.log.entries {
        let Some((profile, path)) = vendor_of(&args.upstreams, &entry.request.url) else {
            skipped += 1;
            continue;
        };
        let headers: BTreeMap<String, String> =
            entry.request.headers.iter().map(|h| (h.name.to_ascii_lowercase(), h.value.trim().to_owned())).collect();
        let body = entry.request.post_data.map(|p| p.text).unwrap_or_default();
        let method = entry.request.method.to_ascii_uppercase();
        let request = vendor_request(profile.id().to_owned(), &method, path.clone(), headers, body);
        let report = payrules::validate(&request);
        let method = Method::from_bytes(request.method.as_bytes()).unwrap_or(Method::GET);
        let mut line = Entry::new(profile, &method, &redact_target(&path), Mode::Shadow, &report);
        if !entry.started_date_time.is_empty() {
            line.time.clone_from(&entry.started_date_time);
        }
        "check-traffic".clone_into(&mut line.mode);
        line.forwarded = true;
        line.status = Some(entry.response.status);
        line.latency_ms = entry.time;
        let emulated = emulator.handle(&request);
        line.drift = drift::compare(
            entry.response.status,
            entry.response.content.text.as_bytes(),
            emulated.status,
            &emulated.body,
        );
        checked += 1;
        invalid += usize::from(!report.valid);
        drifted += usize::from(!line.drift.is_empty());
        log.write(&line);
    }
    log.flush()?;
    eprintln!(
        "payrules check-traffic: {checked} requests checked ({invalid} invalid, {drifted} with drift), {skipped} to other hosts skipped; the report is {} (payrules report {0})",
        args.log.display()
    );
    Ok(ExitCode::SUCCESS)
}

/// The vendor a recorded URL goes to (its upstream's scheme, host and path prefix), and the
/// vendor path with its query.
fn vendor_of(upstreams: &[(Profile, Uri)], url: &str) -> Option<(Profile, String)> {
    let uri: Uri = url.parse().ok()?;
    upstreams.iter().find_map(|(profile, base)| {
        if uri.scheme() != base.scheme() || uri.authority() != base.authority() {
            return None;
        }
        let prefix = base.path().trim_end_matches('/');
        let rest = uri.path().strip_prefix(prefix)?;
        if !rest.is_empty() && !rest.starts_with('/') {
            return None;
        }
        let path = if rest.is_empty() { "/" } else { rest };
        Some((*profile, uri.query().map_or_else(|| path.to_owned(), |q| format!("{path}?{q}"))))
    })
}
