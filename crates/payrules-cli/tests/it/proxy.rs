//! `payrules proxy` over loopback, with upstreams the tests start: a `payrules serve` as a vendor
//! that behaves, and a small vendor that drifts (answers 200 where the rules refuse, moves a
//! status otherwise, loses decimals), hangs, or hangs up. Every mode end to end; the report log
//! never holds a credential; enforce mode never forwards an invalid request.

use crate::common;

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::PathBuf;
use std::process::{Child, Command};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use common::{CREATE, Conn, Server, TOKEN, spawn_listening};
use serde_json::Value;

/// A create the rules refuse (two decimals).
const INVALID: &str = r#"{"amount":12.34,"exchangeRatio":1.0000,"mopId":6000,"currency":"EUR","type":"credit","status":1,"transactionType":2}"#;
const SECRET: &str = "plenty-scenario-token";

fn temp(name: &str) -> PathBuf {
    let nanos = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_nanos();
    std::env::temp_dir().join(format!("payrules-proxy-{}-{nanos}-{name}", std::process::id()))
}

/// A `payrules proxy` on a free port; killed when dropped.
struct Proxy {
    child: Child,
    addr: String,
    log: PathBuf,
}

impl Proxy {
    fn start(mode: &str, upstream: &str, extra: &[&str]) -> Proxy {
        Proxy::start_with_env(mode, upstream, extra, &[])
    }

    /// With these environment variables too.
    fn start_with_env(mode: &str, upstream: &str, extra: &[&str], env: &[(&str, &std::path::Path)]) -> Proxy {
        let log = temp("report.jsonl");
        let mut command = Command::new(env!("CARGO_BIN_EXE_payrules"));
        command
            .args(["proxy", "--listen", "127.0.0.1:0", "--mode", mode, "--log"])
            .arg(&log)
            .args(["--upstream", &format!("plentymarkets={upstream}")])
            .args(extra)
            .envs(env.iter().copied());
        let (child, addr) = spawn_listening(command);
        Proxy { child, addr, log }
    }

    fn call(&self, method: &str, path: &str, body: &str) -> (u16, String, String) {
        let stream = TcpStream::connect(&self.addr).unwrap();
        stream.set_read_timeout(Some(Duration::from_secs(20))).unwrap();
        let mut conn = Conn { reader: BufReader::new(stream) };
        conn.send(method, path, &[("Authorization", TOKEN), ("Content-Type", "application/json")], body);
        conn.read()
    }

    fn entries(&self) -> Vec<Value> {
        let text = std::fs::read_to_string(&self.log).unwrap_or_default();
        assert!(!text.contains(SECRET), "a credential in the report log:\n{text}");
        text.lines().map(|l| serde_json::from_str(l).unwrap()).collect()
    }
}

impl Drop for Proxy {
    fn drop(&mut self) {
        self.child.kill().ok();
        self.child.wait().ok();
        std::fs::remove_file(&self.log).ok();
    }
}

fn header<'a>(head: &'a str, name: &str) -> Option<&'a str> {
    head.lines().find_map(|l| l.split_once(':').filter(|(k, _)| k.eq_ignore_ascii_case(name)).map(|(_, v)| v.trim()))
}

/// How the drifting vendor behaves.
#[derive(Clone, Copy)]
enum Behaviour {
    /// Accepts everything: 200 with the amount's decimals lost and status 2.
    Drift,
    /// Reads the request and never answers.
    Hang,
    /// Reads the request and closes the connection.
    HangUp,
}

/// A vendor on a free port that counts the requests it got (and the largest body).
struct Vendor {
    url: String,
    requests: Arc<AtomicUsize>,
    largest_body: Arc<AtomicUsize>,
}

impl Vendor {
    fn start(behaviour: Behaviour) -> Vendor {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let url = format!("http://{}", listener.local_addr().unwrap());
        let requests = Arc::new(AtomicUsize::new(0));
        let largest_body = Arc::new(AtomicUsize::new(0));
        let (count, largest) = (Arc::clone(&requests), Arc::clone(&largest_body));
        std::thread::spawn(move || {
            for stream in listener.incoming().flatten() {
                let (count, largest) = (Arc::clone(&count), Arc::clone(&largest));
                std::thread::spawn(move || serve_one(stream, behaviour, &count, &largest));
            }
        });
        Vendor { url, requests, largest_body }
    }
}

fn serve_one(stream: TcpStream, behaviour: Behaviour, count: &AtomicUsize, largest: &AtomicUsize) {
    let mut reader = BufReader::new(stream);
    loop {
        let mut head = String::new();
        loop {
            let mut line = String::new();
            if reader.read_line(&mut line).unwrap_or(0) == 0 {
                return;
            }
            if line == "\r\n" {
                break;
            }
            head.push_str(&line);
        }
        let length: usize = header(&head, "content-length").map_or(0, |v| v.parse().unwrap_or(0));
        let mut body = vec![0; length];
        if reader.read_exact(&mut body).is_err() {
            return;
        }
        count.fetch_add(1, Ordering::SeqCst);
        largest.fetch_max(length, Ordering::SeqCst);
        match behaviour {
            Behaviour::Hang => std::thread::sleep(Duration::from_mins(1)),
            Behaviour::HangUp => return,
            Behaviour::Drift => {
                let answer = r#"{"id":99,"amount":12.34,"status":2,"currency":"EUR"}"#;
                let response = format!(
                    "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n{answer}",
                    answer.len()
                );
                if reader.get_mut().write_all(response.as_bytes()).is_err() {
                    return;
                }
            }
        }
    }
}

#[test]
fn report_mode_forwards_everything_and_says_what_is_wrong() {
    let vendor = Server::start(&[]);
    let proxy = Proxy::start("report", &format!("http://{}/plentymarkets", vendor.addr), &[]);
    let (status, head, body) = proxy.call("POST", "/plentymarkets/rest/payments", CREATE);
    assert_eq!(status, 200, "{body}");
    assert_eq!(header(&head, "payrules-violations"), Some("0"));
    let (status, head, body) = proxy.call("POST", "/plentymarkets/rest/payments", INVALID);
    assert_eq!(status, 422, "the vendor (serve) refuses it: {body}");
    assert_eq!(header(&head, "payrules-violations"), Some("1; pattern"));
    let entries = proxy.entries();
    assert_eq!(entries.len(), 2);
    assert_eq!(entries[0]["verdict"], "valid");
    assert_eq!(entries[0]["operation"], "plentymarkets.create_payment");
    assert_eq!(entries[1]["verdict"], "invalid");
    assert_eq!(entries[1]["violations"][0]["code"], "pattern");
    assert!(entries.iter().all(|e| e["forwarded"] == true && e["latency_ms"].as_f64().unwrap() > 0.0));
    // The summary for a person.
    let out = Command::new(env!("CARGO_BIN_EXE_payrules")).arg("report").arg(&proxy.log).output().unwrap();
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(text.contains("2 exchanges") && text.contains("pattern at /body/amount"), "{text}");
}

#[test]
fn enforce_mode_never_forwards_an_invalid_request() {
    let vendor = Vendor::start(Behaviour::Drift);
    let proxy = Proxy::start("enforce", &vendor.url, &[]);
    let (status, head, body) = proxy.call("POST", "/plentymarkets/rest/payments", INVALID);
    assert_eq!(status, 422, "the emulator's refusal: {body}");
    assert!(body.contains("validation_errors"), "vendor-shaped: {body}");
    assert_eq!(header(&head, "payrules-violations"), Some("1; pattern"));
    assert_eq!(vendor.requests.load(Ordering::SeqCst), 0, "the vendor got nothing");
    let (status, _, _) = proxy.call("POST", "/plentymarkets/rest/payments", CREATE);
    assert_eq!(status, 200);
    assert_eq!(vendor.requests.load(Ordering::SeqCst), 1, "the valid one went through");
    let entries = proxy.entries();
    assert_eq!(entries[0]["forwarded"], false);
    assert_eq!(entries[1]["forwarded"], true);
}

#[test]
fn shadow_mode_logs_drift_where_the_vendor_answers_otherwise_and_none_where_it_does_not() {
    let drifting = Vendor::start(Behaviour::Drift);
    let proxy = Proxy::start("shadow", &drifting.url, &[]);
    proxy.call("POST", "/plentymarkets/rest/payments", CREATE);
    proxy.call("POST", "/plentymarkets/rest/payments", INVALID);
    let entries = proxy.entries();
    let kinds = |e: &Value| -> Vec<String> {
        e["drift"].as_array().into_iter().flatten().map(|d| format!("{}:{}", d["kind"], d["field"])).collect()
    };
    let first = kinds(&entries[0]);
    assert!(first.iter().any(|k| k.contains("\"status\"")), "a status moved otherwise: {first:?}");
    assert!(first.iter().any(|k| k.contains("\"amount\"")), "decimals lost: {first:?}");
    assert_eq!(entries[1]["drift"][0]["kind"], "status_class", "200 where the rules refuse");
    let out = Command::new(env!("CARGO_BIN_EXE_payrules")).arg("report").arg(&proxy.log).output().unwrap();
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(text.contains("status_class") && text.contains("field"), "{text}");

    let vendor = Server::start(&[]);
    let faithful = Proxy::start("shadow", &format!("http://{}/plentymarkets", vendor.addr), &[]);
    faithful.call("GET", "/plentymarkets/rest/payments/1", "");
    faithful.call("POST", "/plentymarkets/rest/payments", INVALID);
    for e in faithful.entries() {
        assert!(e.get("drift").is_none(), "the emulator and serve agree: {e}");
    }
}

#[test]
fn large_and_chunked_bodies_go_through_whole() {
    let vendor = Vendor::start(Behaviour::Drift);
    let proxy = Proxy::start("report", &vendor.url, &[]);
    let big = format!(r#"{{"amount":12.3400,"note":"{}"}}"#, "x".repeat(3 << 20));
    let stream = TcpStream::connect(&proxy.addr).unwrap();
    stream.set_read_timeout(Some(Duration::from_secs(20))).unwrap();
    let mut conn = Conn { reader: BufReader::new(stream) };
    conn.raw(b"POST /plentymarkets/rest/payments HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\n");
    for chunk in big.as_bytes().chunks(64 * 1024) {
        conn.raw(format!("{:x}\r\n", chunk.len()).as_bytes());
        conn.raw(chunk);
        conn.raw(b"\r\n");
    }
    conn.raw(b"0\r\n\r\n");
    let (status, _, _) = conn.read();
    assert_eq!(status, 200);
    assert_eq!(vendor.largest_body.load(Ordering::SeqCst), big.len(), "the vendor got the whole body");
}

#[test]
fn a_vendor_that_hangs_or_hangs_up_gets_504_and_502_not_a_stuck_proxy() {
    let hanging = Vendor::start(Behaviour::Hang);
    let proxy = Proxy::start("report", &hanging.url, &["--upstream-timeout", "1"]);
    let started = Instant::now();
    let (status, _, body) = proxy.call("GET", "/plentymarkets/rest/payments/1", "");
    assert_eq!(status, 504, "{body}");
    assert!(started.elapsed() < Duration::from_secs(10));
    let gone = Vendor::start(Behaviour::HangUp);
    let proxy = Proxy::start("report", &gone.url, &[]);
    let (status, _, body) = proxy.call("GET", "/plentymarkets/rest/payments/1", "");
    assert_eq!(status, 502, "{body}");
    assert!(proxy.entries()[0]["error"].is_string());
    // A profile without an upstream.
    let (status, _, body) = proxy.call("GET", "/komet/api/payment.mark.sync", "");
    assert_eq!(status, 502);
    assert!(body.contains("no_upstream"), "{body}");
}

#[test]
fn recorded_traffic_is_checked_offline_into_the_same_report() {
    let har = serde_json::json!({ "log": { "version": "1.2", "entries": [
        { "startedDateTime": "2024-01-01T09:00:00.000Z", "time": 12.5,
          "request": { "method": "POST", "url": "https://shop.example.com/rest/payments",
                       "headers": [{ "name": "Authorization", "value": TOKEN }],
                       "postData": { "mimeType": "application/json", "text": INVALID } },
          "response": { "status": 200, "content": { "text": "{\"id\":12,\"amount\":12.34}" } } },
        { "startedDateTime": "2024-01-01T09:00:01.000Z", "time": 8.0,
          "request": { "method": "GET", "url": "https://shop.example.com/rest/payments/1",
                       "headers": [{ "name": "Authorization", "value": TOKEN }] },
          "response": { "status": 200, "content": { "text": "" } } },
        { "request": { "method": "GET", "url": "https://elsewhere.example.com/x", "headers": [] },
          "response": { "status": 200, "content": {} } }
    ] } });
    let file = temp("traffic.har");
    let log = temp("traffic.jsonl");
    std::fs::write(&file, har.to_string()).unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_payrules"))
        .args(["check-traffic"])
        .arg(&file)
        .args(["--upstream", "plentymarkets=https://shop.example.com", "--log"])
        .arg(&log)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
    let text = std::fs::read_to_string(&log).unwrap();
    assert!(!text.contains(SECRET));
    let entries: Vec<Value> = text.lines().map(|l| serde_json::from_str(l).unwrap()).collect();
    assert_eq!(entries.len(), 2, "the request to another host is skipped");
    assert_eq!(entries[0]["verdict"], "invalid");
    assert_eq!(entries[0]["drift"][0]["kind"], "status_class", "recorded 200, the emulator refuses");
    std::fs::remove_file(&file).ok();
    std::fs::remove_file(&log).ok();
}

/// A vendor over HTTPS on a free port, with a certificate for `localhost` issued by a CA made on
/// the spot (its PEM returned): answers every request 200 `{"ok":true}`.
fn tls_vendor() -> (String, String) {
    use rcgen::{BasicConstraints, CertificateParams, IsCa, Issuer, KeyPair};
    let ca_key = KeyPair::generate().unwrap();
    let mut ca_params = CertificateParams::new(Vec::<String>::new()).unwrap();
    ca_params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    let ca_cert = ca_params.self_signed(&ca_key).unwrap();
    let issuer = Issuer::new(ca_params, ca_key);
    let key = KeyPair::generate().unwrap();
    let cert = CertificateParams::new(vec!["localhost".to_owned()]).unwrap().signed_by(&key, &issuer).unwrap();
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let config = rustls::ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .unwrap()
        .with_no_client_auth()
        .with_single_cert(vec![cert.der().clone()], rustls::pki_types::PrivateKeyDer::Pkcs8(key.serialize_der().into()))
        .unwrap();
    let config = Arc::new(config);
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("https://localhost:{}", listener.local_addr().unwrap().port());
    std::thread::spawn(move || {
        for stream in listener.incoming().flatten() {
            let config = Arc::clone(&config);
            std::thread::spawn(move || {
                let Ok(conn) = rustls::ServerConnection::new(config) else { return };
                let mut tls = rustls::StreamOwned::new(conn, stream);
                let mut reader = BufReader::new(&mut tls);
                let mut head = String::new();
                loop {
                    let mut line = String::new();
                    if reader.read_line(&mut line).unwrap_or(0) == 0 || line == "\r\n" {
                        break;
                    }
                    head.push_str(&line);
                }
                let answer = r#"{"ok":true}"#;
                let response = format!(
                    "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{answer}",
                    answer.len()
                );
                tls.write_all(response.as_bytes()).ok();
                tls.flush().ok();
                tls.conn.send_close_notify();
                tls.flush().ok();
            });
        }
    });
    (url, ca_cert.pem())
}

#[test]
fn https_upstreams_are_verified_against_the_platforms_roots() {
    let (url, ca) = tls_vendor();
    // The platform's roots do not know this CA: the proxy refuses to talk to the vendor.
    let untrusted = Proxy::start("report", &url, &[]);
    let (status, _, body) = untrusted.call("GET", "/plentymarkets/rest/payments/1", "");
    assert_eq!(status, 502, "an unknown certificate is refused: {body}");
    // With the CA among the roots (SSL_CERT_FILE, as the platform's certificate store allows), it answers.
    let roots = temp("roots.pem");
    std::fs::write(&roots, ca).unwrap();
    let trusted = Proxy::start_with_env("report", &url, &[], &[("SSL_CERT_FILE", &roots)]);
    let (status, _, body) = trusted.call("GET", "/plentymarkets/rest/payments/1", "");
    assert_eq!((status, body.as_str()), (200, r#"{"ok":true}"#));
    std::fs::remove_file(&roots).ok();
}
