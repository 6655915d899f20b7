//! The routes: `/{profile}/...` to the sandbox's ledger, `/_payrules/...` for the server itself.
//! Handlers are thin: read the HTTP request, call [`Sandboxes`], write the answer.

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Instant;

use axum::Router;
use axum::body::Body;
use axum::extract::{Path, Query, Request, State};
use axum::http::{HeaderMap, StatusCode};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use serde::Deserialize;
use serde_json::{Value, json};
use tower_http::cors::{AllowHeaders, AllowMethods, AllowOrigin, CorsLayer};
use tower_http::limit::RequestBodyLimitLayer;
use tower_http::timeout::TimeoutLayer;

use super::Limits;
use super::clock::Mode;
use super::faults::{Action, Rule};
use super::problem::{self, Problem, json_response};
use super::sandboxes::{DEFAULT, Idempotency, Logged, Origin, Sandboxes, check_name};

/// The header that names a request's sandbox.
pub const SANDBOX_HEADER: &str = "payrules-sandbox";
/// The header of a request to be answered once (POST, PUT, PATCH, DELETE).
pub const IDEMPOTENCY_HEADER: &str = "idempotency-key";
/// The header of an answer given again for its idempotency key.
pub const REPLAYED_HEADER: &str = "idempotent-replayed";

/// Whether a header may carry a credential (it is then hashed into fingerprints, never kept).
pub fn is_credential_header(name: &str) -> bool {
    let name = name.to_ascii_lowercase();
    name != IDEMPOTENCY_HEADER
        && ["auth", "token", "key", "secret", "session", "password", "cookie"].iter().any(|w| name.contains(w))
}

/// The request target for the request log: the path as sent, and of the query every name but the
/// values of credential-like names (`token`, `api_key`, `session`, …: `[redacted]`).
pub fn redact_target(target: &str) -> String {
    let Some((path, query)) = target.split_once('?') else { return target.to_owned() };
    let pairs: Vec<String> = query
        .split('&')
        .map(|pair| match pair.split_once('=') {
            Some((name, _)) if is_credential_header(name) || name.to_ascii_lowercase().contains("sign") => {
                format!("{name}=[redacted]")
            }
            _ => pair.to_owned(),
        })
        .collect();
    format!("{path}?{}", pairs.join("&"))
}

/// A request's idempotency key (none on GET and the like), with the SHA-256 of everything that
/// makes it the same request: method, target (path and query), body, and the credential headers.
fn idempotency(method: &str, target: &str, headers: &HeaderMap, body: &str) -> Result<Option<Idempotency>, Problem> {
    use sha2::{Digest, Sha256};
    let Some(value) = headers.get(IDEMPOTENCY_HEADER) else { return Ok(None) };
    if !matches!(method, "POST" | "PUT" | "PATCH" | "DELETE") {
        return Ok(None);
    }
    let key = value.to_str().unwrap_or_default().trim();
    if key.is_empty() || key.len() > 255 {
        return Err(Problem::bad_request(
            "bad_idempotency_key",
            "an Idempotency-Key is 1 to 255 visible ASCII characters".to_owned(),
        ));
    }
    let mut hash = Sha256::new();
    let mut part = |bytes: &[u8]| {
        hash.update((bytes.len() as u64).to_be_bytes());
        hash.update(bytes);
    };
    part(method.as_bytes());
    part(target.as_bytes());
    part(body.as_bytes());
    let mut credentials: Vec<(String, &[u8])> = headers
        .iter()
        .filter(|(name, _)| is_credential_header(name.as_str()))
        .map(|(name, value)| (name.as_str().to_owned(), value.as_bytes()))
        .collect();
    credentials.sort();
    for (name, value) in credentials {
        part(name.as_bytes());
        part(value);
    }
    let fingerprint = hash.finalize().iter().fold(String::with_capacity(64), |mut hex, byte| {
        use std::fmt::Write as _;
        let _ = write!(hex, "{byte:02x}");
        hex
    });
    Ok(Some(Idempotency { key: key.to_owned(), fingerprint }))
}

/// What the handlers share.
#[derive(Debug)]
pub struct App {
    pub sandboxes: Sandboxes,
    pub limits: Limits,
}

type Shared = State<Arc<App>>;

/// The whole service: routes, then the policies as layers (innermost first).
pub fn router(app: Arc<App>) -> Router {
    let limits = app.limits;
    Router::new()
        .route("/_payrules/health", get(health))
        .route("/_payrules/openapi/{file}", get(openapi))
        .route("/_payrules/world", get(world))
        .route("/_payrules/sandboxes", get(list).post(create))
        .route("/_payrules/sandboxes/{name}", get(summary).delete(remove))
        .route("/_payrules/sandboxes/{name}/snapshot", get(snapshot))
        .route("/_payrules/sandboxes/{name}/reset", post(reset))
        .route("/_payrules/sandboxes/{name}/clock", get(clock).post(set_clock))
        .route("/_payrules/sandboxes/{name}/requests", get(requests))
        .route("/_payrules/sandboxes/{name}/faults", get(faults).post(add_fault).delete(clear_faults))
        .fallback(vendor)
        .with_state(app)
        .layer(RequestBodyLimitLayer::new(limits.max_body))
        .layer(TimeoutLayer::with_status_code(StatusCode::REQUEST_TIMEOUT, limits.request_timeout))
        .layer(middleware::map_response_with_state(limits, problem::fill))
        .layer(
            // Open, as the browser console calls from anywhere: preflights are answered here and
            // allow whatever headers they ask for (Authorization and Payrules-Sandbox among them).
            CorsLayer::new()
                .allow_origin(AllowOrigin::any())
                .allow_methods(AllowMethods::list([
                    axum::http::Method::GET,
                    axum::http::Method::POST,
                    axum::http::Method::PUT,
                    axum::http::Method::PATCH,
                    axum::http::Method::DELETE,
                    axum::http::Method::OPTIONS,
                ]))
                .allow_headers(AllowHeaders::mirror_request())
                .max_age(std::time::Duration::from_mins(10)),
        )
        .layer(middleware::from_fn(log))
}

/// Marks a response that must not be sent: the connection is dropped instead (a `drop` fault).
#[derive(Debug, Clone, Copy)]
pub struct DropConnection;

impl std::fmt::Display for DropConnection {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("dropped by a fault rule")
    }
}

impl std::error::Error for DropConnection {}

/// The operation a vendor request was routed to, for the request log.
#[derive(Debug, Clone, Copy)]
struct Operation(&'static str);

/// One log line per request: sandbox, profile, operation, status, time. Never a header value
/// (credentials), the query or the body; of the path only its first segment, and only when it is a
/// registered profile.
async fn log(request: Request, next: Next) -> Response {
    let start = Instant::now();
    let method = request.method().clone();
    let sandbox = match sandbox_name(request.headers()) {
        Ok(name) => name,
        Err(_) => "(invalid)".to_owned(),
    };
    let first = request.uri().path().trim_start_matches('/').split('/').next().unwrap_or_default();
    let profile = match first.parse::<payrules::Profile>() {
        Ok(p) => p.id(),
        Err(_) if first == "_payrules" => "_payrules",
        Err(_) => "-",
    };
    let response = next.run(request).await;
    let operation = response.extensions().get::<Operation>().map_or("-", |o| o.0);
    let dropped = response.extensions().get::<DropConnection>().is_some();
    let ms = start.elapsed().as_secs_f64() * 1000.0;
    tracing::info!(
        target: "payrules::request",
        %sandbox, %profile, %operation, %method, status = if dropped { 0 } else { response.status().as_u16() },
        ms = format_args!("{ms:.2}"),
    );
    response
}

/// The request's sandbox: its `Payrules-Sandbox` header, or `default`.
fn sandbox_name(headers: &HeaderMap) -> Result<String, Problem> {
    let Some(value) = headers.get(SANDBOX_HEADER) else { return Ok(DEFAULT.to_owned()) };
    let name = value.to_str().unwrap_or_default();
    check_name(name)?;
    Ok(name.to_owned())
}

/// Runs `f` with the app: on the blocking pool when the store does I/O, else right here (the
/// ledger answers in microseconds).
async fn blocking<T: Send + 'static>(
    app: Arc<App>,
    f: impl FnOnce(&App) -> Result<T, Problem> + Send + 'static,
) -> Result<T, Problem> {
    if app.sandboxes.is_durable() {
        tokio::task::spawn_blocking(move || f(&app))
            .await
            .unwrap_or_else(|e| Err(Problem::unavailable(format!("the request failed: {e}"))))
    } else {
        f(&app)
    }
}

/// Splits a request target as `payrules serve` always did: `/{profile}` + the rest (query kept in
/// the path, undecoded; the ledger reads it).
pub(crate) fn split_target(target: &str) -> (String, String) {
    let target = target.strip_prefix('/').unwrap_or(target);
    let (profile, rest) = target.split_once('/').unwrap_or((target, ""));
    match profile.split_once('?') {
        Some((p, q)) => (p.to_owned(), format!("/?{q}")),
        None => (profile.to_owned(), format!("/{rest}")),
    }
}

/// Reads the whole body as text; over the limit is 413, anything else unreadable 400 (the
/// router's body limit layer enforces `limit`).
async fn body_text(body: Body, limit: usize) -> Result<String, Problem> {
    read_text(body, usize::MAX, limit).await
}

/// Reads at most `limit` bytes of body as text (413 beyond), for a router without a limit layer.
pub(crate) async fn body_text_limited(body: Body, limit: usize) -> Result<String, Problem> {
    read_text(body, limit, limit).await
}

async fn read_text(body: Body, read_at_most: usize, limit: usize) -> Result<String, Problem> {
    let bytes = axum::body::to_bytes(body, read_at_most).await.map_err(|e| {
        let mut source: Option<&(dyn std::error::Error + 'static)> = Some(&e);
        while let Some(err) = source {
            if err.is::<http_body_util::LengthLimitError>() {
                return Problem::too_large(limit);
            }
            source = err.source();
        }
        Problem::bad_request("bad_body", format!("the body could not be read: {e}"))
    })?;
    String::from_utf8(bytes.into()).map_err(|e| {
        Problem::bad_request(
            "bad_body",
            format!("the body is not UTF-8: invalid byte at {}", e.utf8_error().valid_up_to()),
        )
    })
}

/// A request received over HTTP as the core reads it: the vendor path with its query undecoded
/// (the core reads it), the headers as sent, and the body's text as sent, so that decimals stay
/// exact and form bodies stay forms (`serve`, `proxy` and `check-traffic` all read requests so).
pub(crate) fn vendor_request(
    profile: String,
    method: &str,
    path: String,
    headers: BTreeMap<String, String>,
    body: String,
) -> payrules::Request {
    payrules::Request {
        profile,
        method: method.to_owned(),
        path,
        query: BTreeMap::new(),
        headers,
        body: if body.is_empty() { Value::Null } else { Value::String(body) },
    }
}

/// Any path but `/_payrules/...`: the vendor request, to the sandbox's ledger.
async fn vendor(State(app): Shared, request: Request) -> Response {
    let (parts, body) = request.into_parts();
    let target = parts.uri.path_and_query().map_or("/", |pq| pq.as_str());
    let (profile, path) = split_target(target);
    if profile == "_payrules" {
        return Problem::new(
            StatusCode::NOT_FOUND,
            "not_found",
            "the payrules endpoints are /_payrules/health, /_payrules/world and /_payrules/sandboxes".to_owned(),
        )
        .into_response();
    }
    let target = target.to_owned();
    let request = async {
        let sandbox = sandbox_name(&parts.headers)?;
        let body = body_text(body, app.limits.max_body).await?;
        let idempotency = idempotency(parts.method.as_str(), &target, &parts.headers, &body)?;
        let mut headers = BTreeMap::new();
        for (name, value) in &parts.headers {
            let value = std::str::from_utf8(value.as_bytes())
                .map_err(|_| Problem::bad_request("bad_header", format!("the header {name} is not UTF-8")))?;
            headers.insert(name.as_str().to_owned(), value.trim().to_owned());
        }
        let request = vendor_request(profile, parts.method.as_str(), path, headers, body);
        Ok::<_, Problem>((sandbox, request, idempotency))
    };
    let (sandbox, request, idempotency) = match request.await {
        Ok(read) => read,
        Err(problem) => return problem.into_response(),
    };
    // One stateless check gives both the operation (for the log) and the verdict.
    let report = payrules::validate(&request);
    let operation = report
        .operation
        .as_deref()
        .and_then(|id| request.profile.parse::<payrules::Profile>().ok()?.operation(id))
        .map(|op| Operation(op.id));
    let line = Logged {
        time: String::new(),
        method: request.method.clone(),
        path: redact_target(&target),
        profile: request.profile.clone(),
        operation: operation.map(|o| o.0),
        verdict: if report.valid { "valid" } else { "invalid" },
        status: 0,
        replayed: false,
    };
    let name = sandbox.clone();
    let tag = |mut response: Response| {
        if let Some(operation) = operation {
            response.extensions_mut().insert(operation);
        }
        response
    };
    match app.sandboxes.fault(&name, &line.profile, &line.method, &request.path) {
        None => {}
        Some(Action::Latency { ms }) => tokio::time::sleep(std::time::Duration::from_millis(ms)).await,
        Some(Action::Answer { status, body }) => {
            app.sandboxes.log(&name, None, Logged { status, ..line });
            let status = StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
            return tag(match body {
                Some(body) => json_response(status, &body.to_string()),
                None => Problem::new(status, "injected_fault", "answered by a fault rule of this sandbox".to_owned())
                    .into_response(),
            });
        }
        Some(Action::Drop) => {
            app.sandboxes.log(&name, None, Logged { status: 0, ..line });
            let mut response = StatusCode::OK.into_response();
            response.extensions_mut().insert(DropConnection);
            return tag(response);
        }
    }
    let answer = if app.sandboxes.applies_in_background() {
        // Applied right here (the ledger answers in microseconds), then the change awaited while
        // the store commits it with others; a sandbox not there yet is created on the blocking pool.
        match app.sandboxes.apply(&sandbox, &request, idempotency.as_ref(), false) {
            Ok((answer, None)) => Ok(answer),
            Ok((answer, Some(pending))) => match pending.done().await {
                Ok(()) => Ok(answer),
                Err(unkept) => blocking(Arc::clone(&app), move |app| Err(app.sandboxes.unkept(&sandbox, unkept))).await,
            },
            Err(Problem { code: "no_such_sandbox", .. }) => {
                blocking(Arc::clone(&app), move |app| app.sandboxes.handle(&sandbox, &request, idempotency.as_ref()))
                    .await
            }
            Err(problem) => Err(problem),
        }
    } else {
        blocking(Arc::clone(&app), move |app| app.sandboxes.handle(&sandbox, &request, idempotency.as_ref())).await
    };
    let (status, replayed, at) = match &answer {
        Ok(a) => (a.status, a.replayed, a.at),
        Err(problem) => (problem.status.as_u16(), false, None),
    };
    app.sandboxes.log(&name, at, Logged { status, replayed, ..line });
    let response = match answer {
        Ok(answer) => {
            let mut response = json_response(
                StatusCode::from_u16(answer.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR),
                &answer.body,
            );
            if answer.replayed {
                response.headers_mut().insert(REPLAYED_HEADER, axum::http::HeaderValue::from_static("true"));
            }
            response
        }
        Err(problem) => problem.into_response(),
    };
    tag(response)
}

/// `GET /_payrules/health`.
async fn health(State(app): Shared) -> Response {
    json_response(StatusCode::OK, &json!({ "status": "ok", "sandboxes": app.sandboxes.count() }).to_string())
}

/// `GET /_payrules/openapi/{profile}.json`: the vendor's OpenAPI 3.1 document (made once: the
/// answers it describes come from replaying the vendor's scenarios).
async fn openapi(Path(file): Path<String>) -> Response {
    static DOCUMENTS: std::sync::OnceLock<Vec<String>> = std::sync::OnceLock::new();
    match file.strip_suffix(".json").and_then(|id| id.parse::<payrules::Profile>().ok()) {
        Some(profile) => {
            let documents = DOCUMENTS.get_or_init(|| {
                payrules::Profile::ALL.iter().map(|p| payrules::openapi::document(*p).to_string()).collect()
            });
            let i = payrules::Profile::ALL.iter().position(|p| *p == profile).unwrap_or_default();
            json_response(StatusCode::OK, documents.get(i).map_or("{}", String::as_str))
        }
        None => Problem::new(
            StatusCode::NOT_FOUND,
            "not_found",
            format!(
                "no OpenAPI document `{file}`; the documents are {}",
                payrules::Profile::ALL.iter().map(|p| format!("{}.json", p.id())).collect::<Vec<_>>().join(", ")
            ),
        )
        .into_response(),
    }
}

/// `GET /_payrules/world`: the request's sandbox's records, credentials removed (the console's
/// payment list in HTTP mode).
async fn world(State(app): Shared, headers: HeaderMap) -> Response {
    let answer = async {
        let sandbox = sandbox_name(&headers)?;
        blocking(app, move |app| app.sandboxes.snapshot(&sandbox, false, true)).await
    };
    match answer.await {
        Ok(text) => json_response(StatusCode::OK, &text),
        Err(problem) => problem.into_response(),
    }
}

fn summary_response(status: StatusCode, result: Result<impl serde::Serialize, Problem>) -> Response {
    match result {
        Ok(value) => json_response(status, &serde_json::to_string(&value).unwrap_or_default()),
        Err(problem) => problem.into_response(),
    }
}

/// `GET /_payrules/sandboxes`: every sandbox with its number of payments.
async fn list(State(app): Shared) -> Response {
    summary_response(StatusCode::OK, Ok(json!({ "sandboxes": app.sandboxes.list() })))
}

/// `GET /_payrules/sandboxes/{name}`.
async fn summary(State(app): Shared, Path(name): Path<String>) -> Response {
    summary_response(StatusCode::OK, check_name(&name).and_then(|()| app.sandboxes.summary(&name)))
}

/// The body of `POST /_payrules/sandboxes`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Create {
    name: String,
    #[serde(default)]
    from: From,
    /// The snapshot (`from: "snapshot"`): the document itself, or its text as a string.
    snapshot: Option<Value>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "lowercase")]
enum From {
    #[default]
    Sample,
    Empty,
    Snapshot,
}

/// `POST /_payrules/sandboxes`: `{"name", "from": "sample"|"empty"|"snapshot", "snapshot"?}`.
async fn create(State(app): Shared, body: Body) -> Response {
    let answer = async {
        let text = body_text(body, app.limits.max_body).await?;
        let create: Create = serde_json::from_str(&text)
            .map_err(|e| Problem::bad_request("bad_body", format!("the body is not a sandbox to create: {e}")))?;
        let origin = match (create.from, create.snapshot) {
            (From::Sample, None) => Origin::Sample,
            (From::Empty, None) => Origin::Empty,
            (From::Snapshot, Some(Value::String(text))) => Origin::Snapshot(text.into()),
            (From::Snapshot, Some(document)) => Origin::Snapshot(document.to_string().into()),
            (From::Snapshot, None) => {
                return Err(Problem::bad_request("bad_body", "`from: snapshot` needs a `snapshot`".to_owned()));
            }
            (_, Some(_)) => {
                return Err(Problem::bad_request(
                    "bad_body",
                    "a `snapshot` is read only with `from: snapshot`".to_owned(),
                ));
            }
        };
        let name = create.name;
        blocking(app, move |app| app.sandboxes.create(&name, origin)).await
    };
    summary_response(StatusCode::CREATED, answer.await)
}

#[derive(Debug, Deserialize)]
struct SnapshotQuery {
    #[serde(default)]
    credentials: bool,
}

/// `GET /_payrules/sandboxes/{name}/snapshot[?credentials=true]`: credentials removed unless asked.
async fn snapshot(State(app): Shared, Path(name): Path<String>, Query(query): Query<SnapshotQuery>) -> Response {
    let answer = async {
        check_name(&name)?;
        blocking(app, move |app| app.sandboxes.snapshot(&name, query.credentials, false)).await
    };
    match answer.await {
        Ok(text) => json_response(StatusCode::OK, &text),
        Err(problem) => problem.into_response(),
    }
}

/// `POST /_payrules/sandboxes/{name}/reset`: back to the world it was created from.
async fn reset(State(app): Shared, Path(name): Path<String>) -> Response {
    let answer = async {
        check_name(&name)?;
        blocking(app, move |app| app.sandboxes.reset(&name)).await
    };
    summary_response(StatusCode::OK, answer.await)
}

/// `DELETE /_payrules/sandboxes/{name}`.
async fn remove(State(app): Shared, Path(name): Path<String>) -> Response {
    let answer = async {
        check_name(&name)?;
        blocking(app, move |app| app.sandboxes.delete(&name)).await
    };
    match answer.await {
        Ok(()) => StatusCode::NO_CONTENT.into_response(),
        Err(problem) => problem.into_response(),
    }
}

fn clock_response(name: &str, result: Result<(Mode, payrules::ledger::Timestamp), Problem>) -> Response {
    summary_response(
        StatusCode::OK,
        result.map(|(mode, now)| json!({ "sandbox": name, "now": now.utc_millis(), "clock": mode })),
    )
}

/// `GET /_payrules/sandboxes/{name}/clock`: the sandbox's clock and the time it reads now.
async fn clock(State(app): Shared, Path(name): Path<String>) -> Response {
    let answer = check_name(&name).and_then(|()| app.sandboxes.clock(&name));
    clock_response(&name, answer)
}

/// The body of `POST /_payrules/sandboxes/{name}/clock`: exactly one of the two.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct ClockChange {
    /// Stop the clock at this RFC 3339 instant.
    freeze: Option<String>,
    /// Move the clock on: an ISO 8601 duration (`PT1H`, `P1DT30M`, `-PT5S`) or a number of seconds.
    advance: Option<Value>,
}

/// An ISO 8601 duration of days, hours, minutes and seconds (`P1DT2H3M4.5S`, `PT1H`, `P2W`; a
/// leading `-` goes back), in milliseconds. Years and months are refused: their length varies.
pub fn parse_duration(text: &str) -> Option<i64> {
    let (sign, rest) = match text.strip_prefix('-') {
        Some(rest) => (-1.0, rest),
        None => (1.0, text.strip_prefix('+').unwrap_or(text)),
    };
    let rest = rest.strip_prefix('P').or_else(|| rest.strip_prefix('p'))?;
    let (mut ms, mut number, mut in_time, mut any) = (0.0_f64, String::new(), false, false);
    for c in rest.chars() {
        match c.to_ascii_uppercase() {
            'T' if number.is_empty() && !in_time => in_time = true,
            '0'..='9' | '.' | ',' => number.push(if c == ',' { '.' } else { c }),
            unit => {
                let value: f64 = number.parse().ok()?;
                number.clear();
                let factor = match (unit, in_time) {
                    ('W', false) => 604_800_000.0,
                    ('D', false) => 86_400_000.0,
                    ('H', true) => 3_600_000.0,
                    ('M', true) => 60_000.0,
                    ('S', true) => 1000.0,
                    _ => return None,
                };
                ms += value * factor;
                any = true;
            }
        }
    }
    if !number.is_empty() || !any {
        return None;
    }
    whole_millis(sign * ms)
}

/// `ms` rounded to whole milliseconds, within ±9·10¹⁵ (about 285,000 years).
#[allow(clippy::cast_possible_truncation)] // bounded just before: the cast is exact
fn whole_millis(ms: f64) -> Option<i64> {
    let ms = ms.round();
    (ms.abs() < 9.0e15).then_some(ms as i64)
}

fn clock_change(text: &str) -> Result<Box<dyn Fn(Mode) -> Mode + Send>, Problem> {
    let bad = |message: &str| Problem::bad_request("bad_clock", message.to_owned());
    let change: ClockChange = serde_json::from_str(text)
        .map_err(|e| Problem::bad_request("bad_body", format!("the body is not a clock change: {e}")))?;
    match (change.freeze, change.advance) {
        (Some(at), None) => {
            let at = payrules::ledger::Timestamp::parse(&at)
                .ok_or_else(|| bad(&format!("`freeze` wants an RFC 3339 date-time, not `{at}`")))?;
            Ok(Box::new(move |_| Mode::Frozen { at: at.unix_millis() }))
        }
        (None, Some(advance)) => {
            let ms = match &advance {
                Value::String(text) => parse_duration(text),
                Value::Number(n) => n.as_f64().and_then(|s| whole_millis(s * 1000.0)),
                _ => None,
            }
            .ok_or_else(|| {
                bad(&format!(
                    "`advance` wants an ISO 8601 duration of days to seconds (`PT1H`, `P1DT30M`, `-PT5S`) or a number of seconds, not {advance}"
                ))
            })?;
            Ok(Box::new(move |mode: Mode| mode.advanced(ms)))
        }
        _ => Err(bad("give exactly one of `freeze` (an RFC 3339 date-time) and `advance` (a duration)")),
    }
}

/// `POST /_payrules/sandboxes/{name}/clock`: `{"freeze": "RFC3339"}` or `{"advance": "PT1H" | seconds}`.
async fn set_clock(State(app): Shared, Path(name): Path<String>, body: Body) -> Response {
    let shown = name.clone();
    let answer = async {
        check_name(&name)?;
        let text = body_text(body, app.limits.max_body).await?;
        let change = clock_change(&text)?;
        blocking(app, move |app| app.sandboxes.set_clock(&name, change)).await
    };
    clock_response(&shown, answer.await)
}

fn faults_response(status: StatusCode, name: &str, result: Result<Vec<Rule>, Problem>) -> Response {
    summary_response(status, result.map(|rules| json!({ "sandbox": name, "faults": rules })))
}

/// `GET /_payrules/sandboxes/{name}/faults`: the sandbox's fault rules, in order.
async fn faults(State(app): Shared, Path(name): Path<String>) -> Response {
    faults_response(StatusCode::OK, &name, check_name(&name).and_then(|()| app.sandboxes.faults(&name)))
}

/// `POST /_payrules/sandboxes/{name}/faults`: adds one rule (see [`Rule`]).
async fn add_fault(State(app): Shared, Path(name): Path<String>, body: Body) -> Response {
    let answer = async {
        check_name(&name)?;
        let text = body_text(body, app.limits.max_body).await?;
        let rule: Rule = serde_json::from_str(&text)
            .map_err(|e| Problem::bad_request("bad_fault", format!("the body is not a fault rule: {e}")))?;
        app.sandboxes.add_fault(&name, &rule)
    };
    faults_response(StatusCode::CREATED, &name, answer.await)
}

/// `DELETE /_payrules/sandboxes/{name}/faults`: removes every rule.
async fn clear_faults(State(app): Shared, Path(name): Path<String>) -> Response {
    match check_name(&name).and_then(|()| app.sandboxes.clear_faults(&name)) {
        Ok(()) => StatusCode::NO_CONTENT.into_response(),
        Err(problem) => problem.into_response(),
    }
}

#[derive(Debug, Deserialize)]
struct PageQuery {
    page: Option<usize>,
    per_page: Option<usize>,
}

/// `GET /_payrules/sandboxes/{name}/requests?page=&per_page=`: the request log, newest first.
async fn requests(State(app): Shared, Path(name): Path<String>, Query(query): Query<PageQuery>) -> Response {
    let answer = check_name(&name).and_then(|()| {
        let page = query.page.unwrap_or(1);
        let per_page = query.per_page.unwrap_or(50);
        if page == 0 || !(1..=500).contains(&per_page) {
            return Err(Problem::bad_request(
                "bad_page",
                "`page` counts from 1; `per_page` is 1 to 500 (50 unless given)".to_owned(),
            ));
        }
        app.sandboxes.requests(&name, page, per_page)
    });
    summary_response(StatusCode::OK, answer)
}

#[cfg(test)]
mod tests {
    use super::{parse_duration, split_target};

    #[test]
    fn durations_are_iso_8601_days_to_seconds() {
        assert_eq!(parse_duration("PT1H"), Some(3_600_000));
        assert_eq!(parse_duration("P1DT30M"), Some(86_400_000 + 1_800_000));
        assert_eq!(parse_duration("-PT1.5S"), Some(-1500));
        assert_eq!(parse_duration("P2W"), Some(2 * 604_800_000));
        assert_eq!(parse_duration("P1M"), None);
        assert_eq!(parse_duration("PT"), None);
        assert_eq!(parse_duration("1H"), None);
        assert_eq!(parse_duration("PT5"), None);
    }

    #[test]
    fn targets_split_as_before() {
        let split = |t: &str| split_target(t);
        assert_eq!(split("/komet/api/x?a=1"), ("komet".to_owned(), "/api/x?a=1".to_owned()));
        assert_eq!(split("/komet"), ("komet".to_owned(), "/".to_owned()));
        assert_eq!(split("/komet?a=1"), ("komet".to_owned(), "/?a=1".to_owned()));
        assert_eq!(split("/"), (String::new(), "/".to_owned()));
    }
}
