//! `payrules serve`: the ledger over HTTP, each profile under `/{profile}` + the vendor's path.
//!
//! One request at a time (`Connection: close`). CORS is open so the browser console can call it.
//! `GET /_payrules/world` answers the current records as a snapshot without credentials (the
//! console's payment list in HTTP mode).
//! With `--state FILE`, the state is read from FILE at start (when it exists) and written to it by
//! write-then-rename after every change, before the response is sent: an acknowledged request is
//! never lost, whenever the process dies.

use std::collections::BTreeMap;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use payrules::ledger::{Clock, Ledger, Timestamp};
use payrules::{Request, Response};
use serde_json::{Value, json};

use crate::args::Args;
use crate::replay::{clock, ledger, write_atomically};

/// The machine's clock (the CLI may read it; the core may not).
#[derive(Debug)]
struct SystemClock;

impl Clock for SystemClock {
    fn now(&mut self) -> Timestamp {
        let ms = SystemTime::now().duration_since(UNIX_EPOCH).map_or(0, |d| d.as_millis());
        Timestamp::from_unix_millis(i64::try_from(ms).unwrap_or(i64::MAX))
    }
}

const MAX_HEAD: usize = 64 * 1024;
const MAX_BODY: usize = 16 * 1024 * 1024;

pub fn run(args: &[&str]) -> Result<std::process::ExitCode, String> {
    let args = Args::parse(args, &["addr", "state", "world", "now"])?;
    if !args.positional.is_empty() {
        return Err(format!("serve takes no file arguments: {}", args.positional.join(" ")));
    }
    let addr = args.get("addr").unwrap_or("127.0.0.1:8080");
    let clock: Box<dyn Clock> = if args.get("now").is_some() { clock(args.get("now"))? } else { Box::new(SystemClock) };
    let state = args.get("state");
    let mut ledger = match state {
        Some(file) if std::path::Path::new(file).exists() => ledger(Some(file), clock)?,
        _ => ledger(args.get("world"), clock)?,
    };
    let mut saved = ledger.snapshot();
    if let Some(file) = state {
        write_atomically(file, &saved).map_err(|e| format!("cannot write {file}: {e}"))?;
    }
    let listener = TcpListener::bind(addr).map_err(|e| format!("cannot listen on {addr}: {e}"))?;
    let local = listener.local_addr().map_err(|e| e.to_string())?;
    let mounts: Vec<String> = payrules::Profile::ALL.iter().map(|p| format!("/{}", p.id())).collect();
    println!("payrules serve: listening on http://{local} (profiles under {})", mounts.join(", "));
    std::io::stdout().flush().ok();
    for stream in listener.incoming() {
        let Ok(stream) = stream else { continue };
        if let Err(e) = serve_one(stream, &mut ledger, state, &mut saved) {
            eprintln!("payrules serve: {e}");
        }
    }
    Ok(std::process::ExitCode::SUCCESS)
}

fn serve_one(
    mut stream: TcpStream,
    ledger: &mut Ledger,
    state: Option<&str>,
    saved: &mut String,
) -> Result<(), String> {
    stream.set_read_timeout(Some(Duration::from_secs(30))).ok();
    let (status, body) = match read_request(&mut stream) {
        Err(HttpError(status, message)) => (
            status,
            json!({ "errors": [{ "path": "", "code": "invalid_json", "severity": "error", "message": message }] }),
        ),
        Ok(None) => return respond(&mut stream, 204, None),
        Ok(Some(request)) if request.profile == "_payrules" => {
            // The console's read-only view of the records, credentials removed.
            if request.method.eq_ignore_ascii_case("GET") && request.path.trim_end_matches('/') == "/world" {
                let world: Value = serde_json::from_str(&ledger.snapshot_without_tokens()).unwrap_or(Value::Null);
                (200, world)
            } else {
                (404, json!({ "errors": [{ "message": "the only payrules endpoint is GET /_payrules/world" }] }))
            }
        }
        Ok(Some(request)) => {
            let response: Response = ledger.handle(&request);
            let snapshot = ledger.snapshot();
            if snapshot != *saved {
                if let Some(file) = state {
                    // Persist before acknowledging; if that fails, say so rather than pretend.
                    if let Err(e) = write_atomically(file, &snapshot) {
                        let message = format!("the change could not be saved to {file}: {e}");
                        return respond(&mut stream, 500, Some(&json!({ "errors": [{ "message": message }] })));
                    }
                }
                *saved = snapshot;
            }
            (response.status, response.body)
        }
    };
    respond(&mut stream, status, Some(&body))
}

#[derive(Debug)]
struct HttpError(u16, String);

/// Reads one HTTP/1.1 request as a payrules `Request`; `None` for a CORS preflight.
fn read_request(stream: &mut TcpStream) -> Result<Option<Request>, HttpError> {
    let mut reader = BufReader::new(stream);
    let mut head = Vec::new();
    loop {
        let n =
            reader.read_until(b'\n', &mut head).map_err(|e| HttpError(400, format!("cannot read the request: {e}")))?;
        if n == 0 || head.ends_with(b"\r\n\r\n") || head.ends_with(b"\n\n") {
            break;
        }
        if head.len() > MAX_HEAD {
            return Err(HttpError(431, "the request head is too large".to_owned()));
        }
    }
    let head = String::from_utf8(head).map_err(|_| HttpError(400, "the request head is not UTF-8".to_owned()))?;
    let mut lines = head.lines();
    let start = lines.next().unwrap_or_default();
    let mut parts = start.split_whitespace();
    let (Some(method), Some(target)) = (parts.next(), parts.next()) else {
        return Err(HttpError(400, format!("not an HTTP request line: `{start}`")));
    };
    let mut headers = BTreeMap::new();
    for line in lines.take_while(|l| !l.is_empty()) {
        if let Some((name, value)) = line.split_once(':') {
            headers.insert(name.trim().to_owned(), value.trim().to_owned());
        }
    }
    if method.eq_ignore_ascii_case("OPTIONS") {
        return Ok(None);
    }
    let header = |name: &str| headers.iter().find(|(k, _)| k.eq_ignore_ascii_case(name)).map(|(_, v)| v.as_str());
    if header("transfer-encoding").is_some() {
        return Err(HttpError(411, "send the body with a Content-Length (chunked bodies are not read)".to_owned()));
    }
    let length: usize = header("content-length").and_then(|v| v.parse().ok()).unwrap_or(0);
    if length > MAX_BODY {
        return Err(HttpError(413, format!("the body is larger than {MAX_BODY} bytes")));
    }
    let mut body = vec![0; length];
    reader.read_exact(&mut body).map_err(|e| HttpError(400, format!("the body ended early: {e}")))?;
    let body = String::from_utf8(body).map_err(|_| HttpError(400, "the body is not UTF-8".to_owned()))?;
    let target = target.strip_prefix('/').unwrap_or(target);
    let (profile, rest) = target.split_once('/').unwrap_or((target, ""));
    let (profile, path) = match profile.split_once('?') {
        Some((p, q)) => (p, format!("/?{q}")),
        None => (profile, format!("/{rest}")),
    };
    Ok(Some(Request {
        profile: profile.to_owned(),
        method: method.to_owned(),
        path,
        query: BTreeMap::new(),
        headers,
        // The body's text as sent: decimals stay exact, form bodies stay forms.
        body: if body.is_empty() { Value::Null } else { Value::String(body) },
    }))
}

fn respond(stream: &mut TcpStream, status: u16, body: Option<&Value>) -> Result<(), String> {
    let text = body.map(|b| serde_json::to_string(b).unwrap_or_default()).unwrap_or_default();
    let reason = match status {
        200 => "OK",
        204 => "No Content",
        400 => "Bad Request",
        401 => "Unauthorized",
        404 => "Not Found",
        409 => "Conflict",
        422 => "Unprocessable Entity",
        _ => "Status",
    };
    let head = format!(
        "HTTP/1.1 {status} {reason}\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\
         Access-Control-Allow-Origin: *\r\nAccess-Control-Allow-Methods: GET, POST, PUT, PATCH, DELETE, OPTIONS\r\n\
         Access-Control-Allow-Headers: *\r\nAccess-Control-Max-Age: 600\r\n\r\n",
        text.len()
    );
    stream.write_all(head.as_bytes()).and_then(|()| stream.write_all(text.as_bytes())).map_err(|e| e.to_string())
}
