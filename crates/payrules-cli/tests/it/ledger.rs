//! `payrules replay` and `payrules serve` against the shared scenario files: the CLI, the HTTP
//! server and the library give the same bytes, and a killed server loses nothing it acknowledged.

use std::fmt::Write as _;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};

use payrules::Request;
use serde_json::Value;

fn bin() -> &'static str {
    env!("CARGO_BIN_EXE_payrules")
}

/// Every registered vendor's scenario inputs (`data/<profile>/scenarios/*.in.jsonl`).
fn scenarios() -> Vec<PathBuf> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../payrules/data");
    let mut out = Vec::new();
    for profile in payrules::Profile::ALL {
        for f in std::fs::read_dir(root.join(profile.id()).join("scenarios")).unwrap() {
            let p = f.unwrap().path();
            if p.to_string_lossy().ends_with(".in.jsonl") {
                out.push(p);
            }
        }
    }
    out.sort();
    out
}

fn expected(input: &Path) -> String {
    std::fs::read_to_string(input.to_string_lossy().replace(".in.jsonl", ".out.jsonl")).unwrap()
}

#[test]
fn replay_gives_the_scenario_outputs() {
    for input in scenarios() {
        let out = Command::new(bin()).args(["replay", input.to_str().unwrap()]).output().unwrap();
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
        assert_eq!(String::from_utf8(out.stdout).unwrap(), expected(&input), "{}", input.display());
    }
}

#[test]
fn replay_saves_a_snapshot_that_restores_exactly() {
    let dir = tempdir();
    let saved = dir.join("world.json");
    let input = scenarios().into_iter().next().unwrap();
    let out = Command::new(bin())
        .args(["replay", "--save", saved.to_str().unwrap(), input.to_str().unwrap()])
        .output()
        .unwrap();
    assert!(out.status.success());
    let again = dir.join("again.json");
    let out = Command::new(bin())
        .args(["replay", "--world", saved.to_str().unwrap(), "--save", again.to_str().unwrap(), "-"])
        .stdin(Stdio::null())
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert_eq!(std::fs::read(&saved).unwrap(), std::fs::read(&again).unwrap());
    // A damaged snapshot is refused as a whole.
    std::fs::write(&again, "{\"format\":\"payrules-ledger\",\"version\":1,\"world\":{\"komet\":{}}}").unwrap();
    let out = Command::new(bin()).args(["replay", "--world", again.to_str().unwrap(), "-"]).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("cannot restore the ledger"));
}

fn tempdir() -> PathBuf {
    let dir = std::env::temp_dir().join(format!("payrules-cli-test-{}-{}", std::process::id(), rand_suffix()));
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn rand_suffix() -> u128 {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_nanos()
}

/// A `payrules serve` on a free port; killed when dropped.
struct Server {
    child: Child,
    addr: String,
}

impl Server {
    fn start(extra: &[&str]) -> Server {
        let mut child = Command::new(bin())
            .args(["serve", "--addr", "127.0.0.1:0", "--now", "2024-01-01T09:00:00Z", "--log", "warn"])
            .args(extra)
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .unwrap();
        let mut line = String::new();
        BufReader::new(child.stdout.take().unwrap()).read_line(&mut line).unwrap();
        let addr = line.split("http://").nth(1).unwrap().split_whitespace().next().unwrap().to_owned();
        Server { child, addr }
    }

    /// Sends a payrules request over HTTP; the response as a `{"status","body"}` line.
    fn send(&self, request: &Request) -> String {
        let mut path = format!("/{}{}", request.profile, request.path);
        if !request.query.is_empty() {
            let q: Vec<String> = request.query.iter().map(|(k, v)| format!("{}={}", encode(k), encode(v))).collect();
            path.push(if path.contains('?') { '&' } else { '?' });
            path.push_str(&q.join("&"));
        }
        let body = match &request.body {
            Value::Null => String::new(),
            Value::String(text) => text.clone(),
            other => other.to_string(),
        };
        let mut head = format!(
            "{} {path} HTTP/1.1\r\nHost: {}\r\nConnection: close\r\nContent-Length: {}\r\n",
            request.method,
            self.addr,
            body.len()
        );
        for (k, v) in &request.headers {
            let _ = write!(head, "{k}: {v}\r\n");
        }
        head.push_str("\r\n");
        let mut stream = TcpStream::connect(&self.addr).unwrap();
        stream.write_all(head.as_bytes()).unwrap();
        stream.write_all(body.as_bytes()).unwrap();
        let mut raw = String::new();
        stream.read_to_string(&mut raw).unwrap();
        let (head, body) = raw.split_once("\r\n\r\n").unwrap();
        assert!(head.contains("Access-Control-Allow-Origin: *"));
        let status: u16 = head.split_whitespace().nth(1).unwrap().parse().unwrap();
        let body: Value = serde_json::from_str(body).unwrap();
        serde_json::to_string(&payrules::Response { status, body }).unwrap()
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        self.child.kill().ok();
        self.child.wait().ok();
    }
}

fn encode(s: &str) -> String {
    s.bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || b"-._~".contains(&b) {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}

fn requests(input: &Path) -> Vec<Request> {
    std::fs::read_to_string(input)
        .unwrap()
        .lines()
        .filter(|l| !l.trim().is_empty())
        .map(|l| Request::from_json(l).unwrap())
        .collect()
}

#[test]
fn serve_gives_the_same_responses_as_replay() {
    for input in scenarios() {
        let server = Server::start(&[]);
        let mut got = String::new();
        for request in requests(&input) {
            got.push_str(&server.send(&request));
            got.push('\n');
        }
        assert_eq!(got, expected(&input), "{}", input.display());
    }
}

#[test]
fn a_killed_server_loses_nothing_it_acknowledged() {
    let dir = tempdir();
    let state = dir.join("state.json");
    let state_arg = state.to_str().unwrap();
    let all: Vec<(PathBuf, Request)> =
        scenarios().into_iter().flat_map(|p| requests(&p).into_iter().map(move |r| (p.clone(), r))).collect();
    let half = all.len() / 2;
    let mut got = Vec::new();
    {
        let server = Server::start(&["--state", state_arg]);
        for (_, request) in &all[..half] {
            got.push(server.send(request));
        }
        // Dropping kills the process (SIGKILL): no chance to flush anything after the last answer.
    }
    // Restart on the state file; its clock resumes where the first run's stopped.
    let resume = format!("2024-01-01T09:{:02}:{:02}Z", half / 60, half % 60);
    {
        let mut server = Server::start(&["--state", state_arg, "--now", &resume]);
        for (_, request) in &all[half..] {
            got.push(server.send(request));
        }
        server.child.kill().ok();
        server.child.wait().ok();
    }
    // The same requests replayed without interruption give the same responses and the same state.
    let input: String = all.iter().map(|(_, r)| serde_json::to_string(r).unwrap() + "\n").collect();
    let replay_in = dir.join("all.jsonl");
    std::fs::write(&replay_in, input).unwrap();
    let saved = dir.join("replayed.json");
    let out = Command::new(bin())
        .args(["replay", "--save", saved.to_str().unwrap(), replay_in.to_str().unwrap()])
        .output()
        .unwrap();
    let replayed: Vec<String> = String::from_utf8(out.stdout).unwrap().lines().map(str::to_owned).collect();
    assert_eq!(got, replayed);
    assert_eq!(std::fs::read_to_string(&state).unwrap(), std::fs::read_to_string(&saved).unwrap());
}

#[test]
fn serve_shows_its_world_without_credentials() {
    let server = Server::start(&[]);
    let mut stream = TcpStream::connect(&server.addr).unwrap();
    stream
        .write_all(
            format!("GET /_payrules/world HTTP/1.1\r\nHost: {}\r\nConnection: close\r\n\r\n", server.addr).as_bytes(),
        )
        .unwrap();
    let mut raw = String::new();
    stream.read_to_string(&mut raw).unwrap();
    let (head, body) = raw.split_once("\r\n\r\n").unwrap();
    assert!(head.starts_with("HTTP/1.1 200"));
    let ledger = payrules::ledger::Ledger::restore(body, Box::new(payrules::ledger::SteppingClock::default())).unwrap();
    assert_eq!(payrules::ledger::view::payments(ledger.world(), payrules::Profile::Komet).len(), 5);
    for secret in ["token_info_goes_here", "654321", "B8D7A12E9F91AFADE914B7330AFD08CB"] {
        assert!(!body.contains(secret), "{secret} leaked");
    }
}
