//! `payrules serve` over loopback as clients meet it: keep-alive, sandboxes side by side, clients
//! that hang, limits, malformed requests, the admin API and a graceful stop. Every test starts its
//! own server on a free port of 127.0.0.1 and stops it.

use crate::common;

use std::io::Write;
use std::net::TcpStream;
use std::time::{Duration, Instant};

use common::{CREATE, Server, TOKEN};
use serde_json::Value;

fn first_error_code(body: &str) -> String {
    let v: Value = serde_json::from_str(body).unwrap_or_else(|e| panic!("{e}: {body}"));
    v["errors"][0]["code"].as_str().unwrap().to_owned()
}

#[test]
fn keep_alive_serves_several_requests_on_one_connection() {
    let server = Server::start(&[]);
    let mut conn = server.connect();
    for _ in 0..3 {
        conn.send("GET", "/plentymarkets/rest/payments/1", &[("Authorization", TOKEN)], "");
        let (status, head, body) = conn.read();
        assert_eq!(status, 200, "{body}");
        assert!(!head.to_ascii_lowercase().contains("connection: close"), "{head}");
    }
    conn.send("GET", "/_payrules/health", &[], "");
    let (status, _, body) = conn.read();
    assert_eq!(status, 200);
    let health: Value = serde_json::from_str(&body).unwrap();
    assert_eq!(health["status"], "ok");
    assert_eq!(health["sandboxes"], 1);
}

#[test]
fn concurrent_clients_in_four_sandboxes_lose_nothing_and_see_only_their_own() {
    const CLIENTS: usize = 16;
    const CREATES: usize = 10;
    let server = Server::start(&[]);
    let before = server.payments("default");
    std::thread::scope(|scope| {
        for client in 0..CLIENTS {
            let server = &server;
            scope.spawn(move || {
                let sandbox = format!("box-{}", client % 4);
                let mut conn = server.connect();
                for _ in 0..CREATES {
                    conn.send(
                        "POST",
                        "/plentymarkets/rest/payments",
                        &[("Authorization", TOKEN), ("Payrules-Sandbox", &sandbox)],
                        CREATE,
                    );
                    let (status, _, body) = conn.read();
                    assert_eq!(status, 200, "{body}");
                }
            });
        }
    });
    let per_sandbox = u64::try_from(CLIENTS / 4 * CREATES).unwrap();
    for b in 0..4 {
        assert_eq!(server.payments(&format!("box-{b}")), before + per_sandbox, "box-{b}");
    }
    assert_eq!(server.payments("default"), before, "no create reached the default sandbox");
    let (_, list) = server.json("GET", "/_payrules/sandboxes", &[], "");
    let names: Vec<&str> = list["sandboxes"].as_array().unwrap().iter().map(|s| s["name"].as_str().unwrap()).collect();
    assert_eq!(names, ["box-0", "box-1", "box-2", "box-3", "default"]);

    // A payment made in one sandbox is not there in another.
    let (status, made) = server.json(
        "POST",
        "/plentymarkets/rest/payments",
        &[("Authorization", TOKEN), ("Payrules-Sandbox", "iso-a")],
        CREATE,
    );
    assert_eq!(status, 200);
    let path = format!("/plentymarkets/rest/payments/{}", made["id"]);
    assert_eq!(server.call("GET", &path, &[("Authorization", TOKEN), ("Payrules-Sandbox", "iso-a")], "").0, 200);
    assert_eq!(server.call("GET", &path, &[("Authorization", TOKEN), ("Payrules-Sandbox", "iso-b")], "").0, 404);
    // The console's world is per sandbox too.
    let (_, a) = server.call("GET", "/_payrules/world", &[("Payrules-Sandbox", "iso-a")], "");
    let (_, b) = server.call("GET", "/_payrules/world", &[("Payrules-Sandbox", "iso-b")], "");
    assert_ne!(a, b);
    let (status, body) = server.call("GET", "/_payrules/world", &[("Payrules-Sandbox", "no spaces")], "");
    assert_eq!((status, first_error_code(&body).as_str()), (400, "bad_sandbox_name"));
}

#[test]
fn idle_and_slow_clients_do_not_delay_others() {
    let server = Server::start(&[]);
    let _idle = TcpStream::connect(&server.addr).unwrap();
    let mut loris = TcpStream::connect(&server.addr).unwrap();
    loris.write_all(b"GET /_payrules/health HTTP/1.1\r\nHost: x\r\n").unwrap();
    let stop = std::sync::atomic::AtomicBool::new(false);
    std::thread::scope(|scope| {
        scope.spawn(|| {
            // One header field every 100 ms, never the end of the head (at most 5 s).
            for i in 0..50 {
                if stop.load(std::sync::atomic::Ordering::Relaxed) {
                    break;
                }
                if loris.write_all(format!("X-Slow-{i}: a\r\n").as_bytes()).is_err() {
                    break;
                }
                std::thread::sleep(Duration::from_millis(100));
            }
        });
        std::thread::sleep(Duration::from_millis(300));
        for _ in 0..5 {
            let start = Instant::now();
            let (status, _) = server.call("GET", "/plentymarkets/rest/payments/1", &[("Authorization", TOKEN)], "");
            assert_eq!(status, 200);
            assert!(start.elapsed() < Duration::from_secs(2), "took {:?}", start.elapsed());
        }
        stop.store(true, std::sync::atomic::Ordering::Relaxed);
    });
}

#[test]
fn oversized_heads_and_bodies_are_refused_with_their_status() {
    let server = Server::start(&["--max-body", "1024"]);
    // A head over 64 KiB.
    let big = "a".repeat(70 * 1024);
    let (status, _) = server.call("GET", "/_payrules/health", &[("X-Big", &big)], "");
    assert_eq!(status, 431);
    // More than 100 header fields.
    let names: Vec<String> = (0..150).map(|i| format!("X-H{i}")).collect();
    let many: Vec<(&str, &str)> = names.iter().map(|n| (n.as_str(), "v")).collect();
    assert_eq!(server.call("GET", "/_payrules/health", &many, "").0, 431);
    // A body over --max-body, announced by its length: refused before it is read.
    let mut conn = server.connect();
    conn.raw(b"POST /plentymarkets/rest/payments HTTP/1.1\r\nHost: x\r\nContent-Length: 5000\r\n\r\n");
    let (status, head, body) = conn.read();
    assert_eq!(status, 413);
    assert!(head.to_ascii_lowercase().contains("content-type: application/json"), "{head}");
    assert_eq!(first_error_code(&body), "body_too_large");
    // ... and chunked, found while reading.
    let mut conn = server.connect();
    let chunk = "x".repeat(2048);
    conn.raw(
        format!(
            "POST /plentymarkets/rest/payments HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n{:x}\r\n{chunk}\r\n0\r\n\r\n",
            chunk.len()
        )
        .as_bytes(),
    );
    let (status, _, body) = conn.read();
    assert_eq!((status, first_error_code(&body).as_str()), (413, "body_too_large"));
    // Under the limit, chunked bodies are read (the old server refused them with 411).
    let mut conn = server.connect();
    conn.raw(
        format!(
            "POST /plentymarkets/rest/payments HTTP/1.1\r\nHost: x\r\nAuthorization: {TOKEN}\r\nTransfer-Encoding: chunked\r\n\r\n{:x}\r\n{CREATE}\r\n0\r\n\r\n",
            CREATE.len()
        )
        .as_bytes(),
    );
    assert_eq!(conn.read().0, 200);
}

#[test]
fn malformed_requests_get_400_not_a_validation_report() {
    let server = Server::start(&[]);
    for raw in ["NONSENSE\r\n\r\n", "GET / HTTP/9.9\r\n\r\n", "GET /x HTTP/1.1\r\nBad Header\r\n\r\n"] {
        let mut conn = server.connect();
        conn.raw(raw.as_bytes());
        let (status, _, body) = conn.read();
        assert_eq!(status, 400, "{raw:?}");
        assert!(!body.contains("invalid_json"), "{body}");
    }
    // A body that is not UTF-8.
    let mut conn = server.connect();
    conn.raw(b"POST /plentymarkets/rest/payments HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\n\r\n\xff\xfe");
    let (status, _, body) = conn.read();
    assert_eq!((status, first_error_code(&body).as_str()), (400, "bad_body"));
    // The server's own unknown paths and methods answer in the problem shape.
    let (status, body) = server.call("GET", "/_payrules/nothing", &[], "");
    assert_eq!((status, first_error_code(&body).as_str()), (404, "not_found"));
    let (status, body) = server.call("POST", "/_payrules/world", &[], "");
    assert_eq!((status, first_error_code(&body).as_str()), (405, "method_not_allowed"));
}

#[test]
fn cors_preflights_allow_the_sandbox_header() {
    let server = Server::start(&[]);
    let mut conn = server.connect();
    conn.send(
        "OPTIONS",
        "/plentymarkets/rest/payments",
        &[
            ("Origin", "http://example.invalid"),
            ("Access-Control-Request-Method", "POST"),
            ("Access-Control-Request-Headers", "authorization, payrules-sandbox"),
        ],
        "",
    );
    let (status, head, _) = conn.read();
    let head = head.to_ascii_lowercase();
    assert!(status == 200 || status == 204, "{status}");
    assert!(head.contains("access-control-allow-origin: *"), "{head}");
    assert!(head.contains("access-control-allow-headers: authorization, payrules-sandbox"), "{head}");
}

#[test]
fn the_admin_api_creates_exports_resets_and_deletes_sandboxes() {
    let server = Server::start(&[]);
    let (status, full) = server.call("GET", "/_payrules/sandboxes/default/snapshot?credentials=true", &[], "");
    assert_eq!(status, 200);
    assert!(full.contains("plenty-scenario-token"), "asked for, the credentials are there");
    let sample_payments = server.payments("default");

    // From an uploaded snapshot (as a document), then a payment in it.
    let create = format!(r#"{{"name":"copy","from":"snapshot","snapshot":{full}}}"#);
    let (status, made) = server.json("POST", "/_payrules/sandboxes", &[], &create);
    assert_eq!(status, 201, "{made}");
    assert_eq!(made["payments"].as_u64(), Some(sample_payments));
    assert_eq!(server.call("POST", "/_payrules/sandboxes", &[], &create).0, 409);
    let sandbox = [("Authorization", TOKEN), ("Payrules-Sandbox", "copy")];
    assert_eq!(server.call("POST", "/plentymarkets/rest/payments", &sandbox, CREATE).0, 200);
    assert_eq!(server.payments("copy"), sample_payments + 1);

    // Exported without credentials unless asked.
    let (status, export) = server.call("GET", "/_payrules/sandboxes/copy/snapshot", &[], "");
    assert_eq!(status, 200);
    for secret in ["plenty-scenario-token", "token_info_goes_here", "B8D7A12E9F91AFADE914B7330AFD08CB"] {
        assert!(!export.contains(secret), "{secret} leaked");
    }

    // Reset goes back to the uploaded snapshot.
    let (status, reset) = server.json("POST", "/_payrules/sandboxes/copy/reset", &[], "");
    assert_eq!((status, reset["payments"].as_u64()), (200, Some(sample_payments)));

    // Empty, and a damaged snapshot refused with the restore error.
    let (status, empty) = server.json("POST", "/_payrules/sandboxes", &[], r#"{"name":"blank","from":"empty"}"#);
    assert_eq!((status, empty["payments"].as_u64()), (201, Some(0)));
    let damaged = r#"{"name":"broken","from":"snapshot","snapshot":{"format":"payrules-ledger","version":1,"world":{"komet":{}}}}"#;
    let (status, body) = server.call("POST", "/_payrules/sandboxes", &[], damaged);
    assert_eq!((status, first_error_code(&body).as_str()), (400, "bad_snapshot"));
    assert!(body.contains("cannot restore the ledger"), "{body}");
    let (status, body) = server.call("POST", "/_payrules/sandboxes", &[], r#"{"name":"a/b"}"#);
    assert_eq!((status, first_error_code(&body).as_str()), (400, "bad_sandbox_name"));

    let (_, list) = server.json("GET", "/_payrules/sandboxes", &[], "");
    let names: Vec<&str> = list["sandboxes"].as_array().unwrap().iter().map(|s| s["name"].as_str().unwrap()).collect();
    assert_eq!(names, ["blank", "copy", "default"]);

    // Delete; then it is gone from the list and from export, and a second delete is 404.
    assert_eq!(server.call("DELETE", "/_payrules/sandboxes/copy", &[], "").0, 204);
    assert_eq!(server.call("DELETE", "/_payrules/sandboxes/copy", &[], "").0, 404);
    assert_eq!(server.call("GET", "/_payrules/sandboxes/copy/snapshot", &[], "").0, 404);
    let (_, list) = server.json("GET", "/_payrules/sandboxes", &[], "");
    assert_eq!(list["sandboxes"].as_array().unwrap().len(), 2);
}

#[test]
fn sigterm_lets_the_request_in_flight_finish_and_exits_0() {
    let mut server = Server::start(&[]);
    let mut conn = server.connect();
    let (first, rest) = CREATE.split_at(CREATE.len() / 2);
    conn.raw(
        format!(
            "POST /plentymarkets/rest/payments HTTP/1.1\r\nHost: x\r\nAuthorization: {TOKEN}\r\nContent-Length: {}\r\n\r\n{first}",
            CREATE.len()
        )
        .as_bytes(),
    );
    std::thread::sleep(Duration::from_millis(300));
    server.terminate();
    std::thread::sleep(Duration::from_millis(300));
    // No new connections once stopping...
    assert!(TcpStream::connect(&server.addr).is_err(), "still accepting after SIGTERM");
    // ... but the request in flight completes.
    conn.raw(rest.as_bytes());
    let (status, head, body) = conn.read();
    assert_eq!(status, 200, "{body}");
    assert!(head.to_ascii_lowercase().contains("connection: close"), "{head}");
    assert_eq!(server.wait_exit(Duration::from_secs(10)), Some(0));
}

#[test]
fn every_vendors_openapi_document_is_served_as_the_cli_prints_it() {
    let server = Server::start(&[]);
    for profile in payrules::Profile::ALL {
        let (status, doc) = server.json("GET", &format!("/_payrules/openapi/{}.json", profile.id()), &[], "");
        assert_eq!(status, 200);
        assert_eq!(doc["openapi"], "3.1.0");
        assert_eq!(doc, payrules::openapi::document(profile), "{}", profile.id());
    }
    let (status, body) = server.call("GET", "/_payrules/openapi/stripe.json", &[], "");
    assert_eq!(status, 404);
    assert!(body.contains("plentymarkets.json"), "{body}");
}
