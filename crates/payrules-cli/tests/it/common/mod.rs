//! What the loopback tests of `payrules serve` share: a server on a free port of 127.0.0.1 that
//! is killed when dropped, and a keep-alive client connection that reads responses by their
//! Content-Length.
#![allow(dead_code)] // each test module uses the part it needs

use std::fmt::Write as _;
use std::io::{self, BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::Value;

/// A plentymarkets create the sample world accepts.
pub const CREATE: &str = r#"{"amount":12.3400,"exchangeRatio":1.0000,"mopId":6000,"currency":"EUR","type":"credit","status":1,"transactionType":2,"receivedAt":"2024-01-01T09:45:00+01:00"}"#;
/// The sample world's plentymarkets token.
pub const TOKEN: &str = "Bearer plenty-scenario-token";
/// plentymarkets' payments path under `serve`.
pub const PAYMENTS: &str = "/plentymarkets/rest/payments";

/// A `payrules serve` on a free port; killed when dropped (unless it already exited).
pub struct Server {
    pub child: Child,
    pub addr: String,
}

/// Starts `command` (a `payrules serve` or `proxy` on port 0) and reads the address from the one
/// line it prints on stdout, `… listening on http://ADDR …`.
pub fn spawn_listening(mut command: Command) -> (Child, String) {
    let mut child = command.stdout(Stdio::piped()).stderr(Stdio::inherit()).spawn().unwrap();
    let mut line = String::new();
    BufReader::new(child.stdout.take().unwrap()).read_line(&mut line).unwrap();
    let addr = line.split("http://").nth(1).unwrap().split_whitespace().next().unwrap().to_owned();
    (child, addr)
}

impl Server {
    /// Starts the server with a fixed clock and quiet logs, plus `extra` arguments.
    pub fn start(extra: &[&str]) -> Server {
        let mut command = Command::new(env!("CARGO_BIN_EXE_payrules"));
        command.args(["serve", "--addr", "127.0.0.1:0", "--now", "2024-01-01T09:00:00Z", "--log", "warn"]).args(extra);
        let (child, addr) = spawn_listening(command);
        Server { child, addr }
    }

    /// A new connection (reads time out after 10 s).
    pub fn connect(&self) -> Conn {
        let stream = TcpStream::connect(&self.addr).unwrap();
        stream.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
        Conn { reader: BufReader::new(stream) }
    }

    /// One request on a new connection: `(status, head, body)`.
    pub fn call_full(&self, method: &str, path: &str, headers: &[(&str, &str)], body: &str) -> (u16, String, String) {
        let mut conn = self.connect();
        conn.send(method, path, headers, body);
        conn.read()
    }

    /// One request on a new connection: `(status, body)`.
    pub fn call(&self, method: &str, path: &str, headers: &[(&str, &str)], body: &str) -> (u16, String) {
        let (status, _, body) = self.call_full(method, path, headers, body);
        (status, body)
    }

    /// One request; the body read as JSON (`null` when empty).
    pub fn json(&self, method: &str, path: &str, headers: &[(&str, &str)], body: &str) -> (u16, Value) {
        let (status, body) = self.call(method, path, headers, body);
        (status, if body.is_empty() { Value::Null } else { serde_json::from_str(&body).unwrap() })
    }

    /// The number of payments of a sandbox, from the admin API.
    pub fn payments(&self, sandbox: &str) -> u64 {
        let (status, body) = self.json("GET", &format!("/_payrules/sandboxes/{sandbox}"), &[], "");
        assert_eq!(status, 200, "{body}");
        body["payments"].as_u64().unwrap()
    }

    /// Sends a signal (`-TERM`, `-KILL`) to the server.
    pub fn signal(&self, signal: &str) {
        let status = Command::new("kill").args([signal, &self.child.id().to_string()]).status().unwrap();
        assert!(status.success());
    }

    /// SIGTERM.
    pub fn terminate(&self) {
        self.signal("-TERM");
    }

    /// Waits (bounded) for the process to exit; its exit code.
    pub fn wait_exit(&mut self, within: Duration) -> Option<i32> {
        let deadline = Instant::now() + within;
        while Instant::now() < deadline {
            if let Some(status) = self.child.try_wait().unwrap() {
                return status.code();
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        panic!("the server did not exit within {within:?}");
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        self.child.kill().ok();
        self.child.wait().ok();
    }
}

/// A client connection that reads responses by their Content-Length (so it can keep the connection).
pub struct Conn {
    pub reader: BufReader<TcpStream>,
}

impl Conn {
    /// Writes bytes as they are.
    pub fn raw(&mut self, bytes: &[u8]) {
        self.reader.get_mut().write_all(bytes).unwrap();
    }

    /// Sends a request; an error when the server has closed the connection.
    pub fn try_send(&mut self, method: &str, path: &str, headers: &[(&str, &str)], body: &str) -> io::Result<()> {
        let mut head = format!("{method} {path} HTTP/1.1\r\nHost: test\r\nContent-Length: {}\r\n", body.len());
        for (k, v) in headers {
            let _ = write!(head, "{k}: {v}\r\n");
        }
        head.push_str("\r\n");
        head.push_str(body);
        self.reader.get_mut().write_all(head.as_bytes())
    }

    /// Sends a request.
    pub fn send(&mut self, method: &str, path: &str, headers: &[(&str, &str)], body: &str) {
        self.try_send(method, path, headers, body).unwrap();
    }

    /// `(status, head, body)` of the next response; an error when the connection closes first.
    pub fn try_read(&mut self) -> io::Result<(u16, String, String)> {
        let mut head = String::new();
        loop {
            let mut line = String::new();
            if self.reader.read_line(&mut line)? == 0 {
                return Err(io::Error::new(io::ErrorKind::UnexpectedEof, format!("closed; head so far: {head}")));
            }
            if line == "\r\n" {
                break;
            }
            head.push_str(&line);
        }
        let status = head.split_whitespace().nth(1).unwrap().parse().unwrap();
        let length = head
            .lines()
            .find_map(|l| l.split_once(':').filter(|(k, _)| k.eq_ignore_ascii_case("content-length")))
            .map_or(0, |(_, v)| v.trim().parse().unwrap());
        let mut body = vec![0; length];
        self.reader.read_exact(&mut body)?;
        Ok((status, head, String::from_utf8(body).unwrap()))
    }

    /// `(status, head, body)` of the next response.
    pub fn read(&mut self) -> (u16, String, String) {
        self.try_read().unwrap()
    }
}
