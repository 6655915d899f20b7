//! `payrules proxy`: the rules in front of the real APIs. Each request to `/{profile}/…` is
//! validated, then (by `--mode`) forwarded to that vendor's upstream with a `Payrules-Violations`
//! header on the answer (`report`), refused with the emulator's vendor-shaped answer when invalid
//! (`enforce`), or forwarded and also run against an emulated ledger, each disagreement logged as
//! drift (`shadow`). Every exchange is a line of the report log (`--log FILE`, JSON Lines), which
//! `payrules report` summarises; credentials go to the upstream and nowhere else.

mod drift;
pub mod har;
pub mod report;

use std::collections::BTreeMap;
use std::io::Write as _;
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};

use axum::Router;
use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{HeaderMap, HeaderName, HeaderValue, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use hyper_rustls::HttpsConnector;
use hyper_util::client::legacy::Client;
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::rt::TokioExecutor;
use payrules::ledger::{Clock, Ledger, Timestamp};
use payrules::{Profile, Report};
use serde_json::json;
use tokio::net::TcpListener;

use crate::serve::{body_text_limited, machine_millis, redact_target, split_target, vendor_request};
use report::{Entry, ReportLog};

/// What the proxy does with a request.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Mode {
    /// Forward every request unchanged; the answer gets `Payrules-Violations` (count and codes).
    Report,
    /// Refuse an invalid request with the emulator's vendor-shaped answer; forward valid ones.
    Enforce,
    /// Forward, and run the request against an emulated ledger too; log where the answers differ.
    Shadow,
}

#[derive(Debug, clap::Args)]
pub struct ProxyArgs {
    /// The address to listen on (port 0: any free port; the one line on stdout says which).
    #[arg(long, default_value = "127.0.0.1:8081")]
    listen: String,
    /// A vendor's real API: `PROFILE=URL` (e.g. `plentymarkets=https://shop.example.com`), once per vendor.
    #[arg(long = "upstream", value_name = "PROFILE=URL", value_parser = parse_upstream, required = true)]
    upstreams: Vec<(Profile, Uri)>,
    /// What to do with each request.
    #[arg(long, value_enum, default_value_t = Mode::Report)]
    mode: Mode,
    /// The report log: one JSON line per exchange (never a credential).
    #[arg(long)]
    log: Option<PathBuf>,
    /// The emulated ledger's world (a snapshot, as `replay --save` writes it) for `shadow` and
    /// `enforce`; default: the sample world.
    #[arg(long)]
    world: Option<PathBuf>,
    /// The largest request body read, in bytes (a larger one is answered 413 and not forwarded).
    #[arg(long, default_value_t = 16 << 20)]
    max_body: usize,
    /// Seconds to wait for an upstream's answer head (then 504).
    #[arg(long, default_value_t = 30)]
    upstream_timeout: u64,
}

/// `PROFILE=URL`.
pub fn parse_upstream(text: &str) -> Result<(Profile, Uri), String> {
    let (profile, url) = text.split_once('=').ok_or_else(|| format!("`{text}` is not PROFILE=URL"))?;
    let profile: Profile = profile.parse().map_err(|e: payrules::profiles::UnknownProfile| e.to_string())?;
    let uri: Uri = url.trim_end_matches('/').parse().map_err(|e| format!("`{url}` is not a URL: {e}"))?;
    match uri.scheme_str() {
        Some("http" | "https") if uri.authority().is_some() => Ok((profile, uri)),
        _ => Err(format!("`{url}` must be an http:// or https:// URL")),
    }
}

/// The wall clock, for the emulated ledger.
#[derive(Debug)]
struct SystemClock;

impl Clock for SystemClock {
    fn now(&mut self) -> Timestamp {
        Timestamp::from_unix_millis(machine_millis())
    }
}

/// The emulated ledger: on `--world`'s snapshot, or the sample world.
fn emulator(world: Option<&std::path::Path>) -> Result<Ledger, String> {
    match world {
        Some(file) => Ledger::restore(&crate::replay::read_snapshot(file)?, Box::new(SystemClock))
            .map_err(|e| format!("--world {}: {e}", file.display())),
        None => Ok(Ledger::sample(Box::new(SystemClock))),
    }
}

struct Proxy {
    mode: Mode,
    upstreams: BTreeMap<Profile, Uri>,
    client: Client<HttpsConnector<HttpConnector>, Body>,
    emulator: Mutex<Ledger>,
    log: ReportLog,
    max_body: usize,
    timeout: Duration,
}

pub fn run(args: &ProxyArgs) -> Result<ExitCode, String> {
    let emulator = emulator(args.world.as_deref())?;
    let log = ReportLog::open(args.log.as_deref())?;
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(|e| format!("cannot start the runtime: {e}"))?;
    runtime.block_on(async {
        let https = hyper_rustls::HttpsConnectorBuilder::new()
            .with_native_roots()
            .map_err(|e| format!("cannot read the platform's root certificates: {e}"))?
            .https_or_http()
            .enable_http1()
            .build();
        let client = Client::builder(TokioExecutor::new()).build(https);
        let proxy = Arc::new(Proxy {
            mode: args.mode,
            upstreams: args.upstreams.iter().cloned().collect(),
            client,
            emulator: Mutex::new(emulator),
            log,
            max_body: args.max_body,
            timeout: Duration::from_secs(args.upstream_timeout),
        });
        let listener =
            TcpListener::bind(&args.listen).await.map_err(|e| format!("cannot listen on {}: {e}", args.listen))?;
        let local = listener.local_addr().map_err(|e| e.to_string())?;
        let mounts: Vec<String> = proxy.upstreams.iter().map(|(p, u)| format!("/{} → {u}", p.id())).collect();
        let mut out = std::io::stdout().lock();
        writeln!(
            out,
            "payrules proxy: listening on http://{local} ({} mode; {})",
            mode_name(args.mode),
            mounts.join(", ")
        )
        .ok();
        out.flush().ok();
        drop(out);
        let app = Router::new().fallback(exchange).with_state(Arc::clone(&proxy));
        axum::serve(listener, app)
            .with_graceful_shutdown(crate::serve::shutdown_signal())
            .await
            .map_err(|e| format!("the proxy failed: {e}"))?;
        proxy.log.flush()?;
        Ok(ExitCode::SUCCESS)
    })
}

fn mode_name(mode: Mode) -> &'static str {
    match mode {
        Mode::Report => "report",
        Mode::Enforce => "enforce",
        Mode::Shadow => "shadow",
    }
}

/// The header the answers carry: the number of violations and their codes.
const VIOLATIONS_HEADER: &str = "payrules-violations";

/// Headers that belong to one connection, not to the request (RFC 9110 §7.6.1), and the names a
/// `Connection` header lists.
fn hop_by_hop(headers: &HeaderMap) -> Vec<HeaderName> {
    let mut names: Vec<HeaderName> = [
        "connection",
        "keep-alive",
        "proxy-connection",
        "proxy-authenticate",
        "proxy-authorization",
        "te",
        "trailer",
        "transfer-encoding",
        "upgrade",
    ]
    .iter()
    .map(|n| HeaderName::from_static(n))
    .collect();
    for value in headers.get_all("connection") {
        for name in value.to_str().unwrap_or_default().split(',') {
            if let Ok(name) = HeaderName::try_from(name.trim()) {
                names.push(name);
            }
        }
    }
    names
}

fn problem(status: StatusCode, code: &str, message: impl Into<String>) -> Response {
    let message: String = message.into();
    let body = json!({ "errors": [{ "path": "", "code": code, "severity": "error", "message": message }] });
    (status, [("content-type", "application/json")], body.to_string()).into_response()
}

/// `N` or `N; code, code` for the `Payrules-Violations` header.
fn violations_header(report: &Report) -> HeaderValue {
    let codes: std::collections::BTreeSet<&str> = report.errors.iter().map(|v| v.code.as_str()).collect();
    let text = if codes.is_empty() {
        "0".to_owned()
    } else {
        format!("{}; {}", report.errors.len(), codes.into_iter().collect::<Vec<_>>().join(", "))
    };
    HeaderValue::from_str(&text).unwrap_or_else(|_| HeaderValue::from_static("0"))
}

async fn exchange(State(proxy): State<Arc<Proxy>>, request: Request) -> Response {
    let started = Instant::now();
    let (parts, body) = request.into_parts();
    let target = parts.uri.path_and_query().map_or("/", |pq| pq.as_str()).to_owned();
    let (profile_id, path) = split_target(&target);
    let Some((profile, upstream)) =
        profile_id.parse::<Profile>().ok().and_then(|p| proxy.upstreams.get(&p).map(|u| (p, u.clone())))
    else {
        let known: Vec<String> = proxy.upstreams.keys().map(|p| format!("/{}", p.id())).collect();
        return problem(
            StatusCode::BAD_GATEWAY,
            "no_upstream",
            format!("no upstream for `/{profile_id}`; this proxy forwards {}", known.join(", ")),
        );
    };
    let body = match body_text_limited(body, proxy.max_body).await {
        Ok(body) => body,
        Err(problem) => return problem.into_response(),
    };
    let mut headers = BTreeMap::new();
    for (name, value) in &parts.headers {
        if let Ok(value) = value.to_str() {
            headers.insert(name.as_str().to_owned(), value.trim().to_owned());
        }
    }
    let request = vendor_request(profile.id().to_owned(), parts.method.as_str(), path.clone(), headers, body.clone());
    let report = payrules::validate(&request);
    let mut entry = Entry::new(profile, &parts.method, &redact_target(&path), proxy.mode, &report);

    if proxy.mode == Mode::Enforce && !report.valid {
        let answer = lock(&proxy.emulator).handle(&request);
        entry.status = Some(answer.status);
        entry.forwarded = false;
        entry.latency_ms = elapsed_ms(started);
        proxy.log.write(&entry);
        let mut response = (
            StatusCode::from_u16(answer.status).unwrap_or(StatusCode::BAD_REQUEST),
            [("content-type", "application/json")],
            answer.body.to_string(),
        )
            .into_response();
        response.headers_mut().insert(VIOLATIONS_HEADER, violations_header(&report));
        return response;
    }

    // Forward: the vendor's path under the upstream's base, the body as sent, every end-to-end header.
    let base = upstream.to_string();
    let uri: Uri = match format!("{}{path}", base.trim_end_matches('/')).parse() {
        Ok(uri) => uri,
        Err(e) => {
            return problem(StatusCode::BAD_REQUEST, "bad_target", format!("the target cannot be forwarded: {e}"));
        }
    };
    let mut forward = axum::http::Request::builder().method(parts.method.clone()).uri(uri);
    let drop = hop_by_hop(&parts.headers);
    for (name, value) in &parts.headers {
        if name != "host" && !drop.contains(name) {
            forward = forward.header(name, value);
        }
    }
    let Ok(forward) = forward.body(Body::from(body)) else {
        return problem(StatusCode::BAD_REQUEST, "bad_request", "the request cannot be forwarded".to_owned());
    };
    let answer = match tokio::time::timeout(proxy.timeout, proxy.client.request(forward)).await {
        Ok(Ok(answer)) => answer,
        Ok(Err(e)) => {
            entry.error = Some(format!("the upstream could not be reached: {e}"));
            entry.latency_ms = elapsed_ms(started);
            proxy.log.write(&entry);
            return problem(StatusCode::BAD_GATEWAY, "upstream_unreachable", format!("{upstream}: {e}"));
        }
        Err(_) => {
            entry.error = Some(format!("no answer within {} s", proxy.timeout.as_secs()));
            entry.latency_ms = elapsed_ms(started);
            proxy.log.write(&entry);
            return problem(
                StatusCode::GATEWAY_TIMEOUT,
                "upstream_timeout",
                format!("{upstream} did not answer within {} s", proxy.timeout.as_secs()),
            );
        }
    };
    entry.status = Some(answer.status().as_u16());
    entry.forwarded = true;
    let (mut head, incoming) = answer.into_parts();
    let drop = hop_by_hop(&head.headers);
    for name in drop {
        head.headers.remove(name);
    }
    head.headers.insert(VIOLATIONS_HEADER, violations_header(&report));

    if proxy.mode == Mode::Shadow {
        // The upstream's answer is read whole to be compared with the emulator's.
        let bytes = match axum::body::to_bytes(Body::new(incoming), proxy.max_body).await {
            Ok(bytes) => bytes,
            Err(e) => {
                entry.error = Some(format!("the upstream's answer could not be read: {e}"));
                entry.latency_ms = elapsed_ms(started);
                proxy.log.write(&entry);
                return problem(StatusCode::BAD_GATEWAY, "upstream_unreadable", format!("{upstream}: {e}"));
            }
        };
        let emulated = lock(&proxy.emulator).handle(&request);
        entry.drift = drift::compare(head.status.as_u16(), &bytes, emulated.status, &emulated.body);
        entry.latency_ms = elapsed_ms(started);
        proxy.log.write(&entry);
        return Response::from_parts(head, Body::from(bytes));
    }
    entry.latency_ms = elapsed_ms(started);
    proxy.log.write(&entry);
    // Streamed back as it comes.
    Response::from_parts(head, Body::new(incoming))
}

fn lock(ledger: &Mutex<Ledger>) -> std::sync::MutexGuard<'_, Ledger> {
    ledger.lock().unwrap_or_else(PoisonError::into_inner)
}

fn elapsed_ms(started: Instant) -> f64 {
    (started.elapsed().as_secs_f64() * 1000.0 * 1000.0).round() / 1000.0
}
