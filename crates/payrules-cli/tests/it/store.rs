//! `payrules serve --store FILE` over loopback: a store written by one run is reopened by the next
//! with every sandbox identical; a SIGKILL during concurrent writes loses nothing acknowledged;
//! test clocks; idempotency keys; the request log; fault injection.

use crate::common;

use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use common::{CREATE, PAYMENTS, Server, TOKEN};
use serde_json::{Value, json};

fn tempdir() -> PathBuf {
    let nanos = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_nanos();
    let dir = std::env::temp_dir().join(format!("payrules-store-test-{}-{nanos}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// What these tests ask of a server beyond the shared helpers.
trait StoreServer {
    fn create(&self, sandbox: &str) -> Value;
    fn everything(&self) -> Vec<(String, String)>;
}

impl StoreServer for Server {
    fn create(&self, sandbox: &str) -> Value {
        let (status, body) =
            self.json("POST", PAYMENTS, &[("Authorization", TOKEN), ("Payrules-Sandbox", sandbox)], CREATE);
        assert_eq!(status, 200, "{body}");
        body
    }

    /// Every sandbox's name and full snapshot (credentials included).
    fn everything(&self) -> Vec<(String, String)> {
        let (_, list) = self.json("GET", "/_payrules/sandboxes", &[], "");
        list["sandboxes"]
            .as_array()
            .unwrap()
            .iter()
            .map(|s| {
                let name = s["name"].as_str().unwrap().to_owned();
                let path = format!("/_payrules/sandboxes/{name}/snapshot?credentials=true");
                let (status, _, text) = self.call_full("GET", &path, &[], "");
                assert_eq!(status, 200, "{text}");
                (name, text)
            })
            .collect()
    }
}

#[test]
fn a_store_is_reopened_with_every_sandbox_identical() {
    let dir = tempdir();
    let file = dir.join("sandbox.db");
    let store = file.to_str().unwrap();
    let mut first = Server::start(&["--store", store]);
    // `busy` journals past one fold into a base snapshot (every 1,000 entries) and keeps going.
    let mut conn = first.connect();
    for _ in 0..1010 {
        conn.send("POST", PAYMENTS, &[("Authorization", TOKEN), ("Payrules-Sandbox", "busy")], CREATE);
        assert_eq!(conn.read().0, 200);
    }
    first.create("a");
    let (status, _) = first.json("POST", "/_payrules/sandboxes", &[], r#"{"name":"empty","from":"empty"}"#);
    assert_eq!(status, 201);
    let (_, _, a) = first.call_full("GET", "/_payrules/sandboxes/a/snapshot?credentials=true", &[], "");
    let upload = json!({ "name": "uploaded", "from": "snapshot", "snapshot": a }).to_string();
    assert_eq!(first.json("POST", "/_payrules/sandboxes", &[], &upload).0, 201);
    first.create("uploaded");
    first.create("doomed");
    assert_eq!(first.call_full("DELETE", "/_payrules/sandboxes/doomed", &[], "").0, 204);
    first.create("reset");
    assert_eq!(first.call_full("POST", "/_payrules/sandboxes/reset/reset", &[], "").0, 200);
    // A test clock is kept too.
    let (status, _) = first.json("POST", "/_payrules/sandboxes/a/clock", &[], r#"{"freeze":"2030-01-01T00:00:00Z"}"#);
    assert_eq!(status, 200);
    let before = first.everything();
    let busy = first.payments("busy");
    {
        // The 1,000th entry made the snapshot `busy`'s base; ten entries have been journaled since.
        let db = rusqlite::Connection::open(&file).unwrap();
        let journal: i64 =
            db.query_row("SELECT count(*) FROM journal WHERE sandbox = 'busy'", [], |row| row.get(0)).unwrap();
        assert_eq!(journal, 10);
    }
    let names: Vec<&str> = before.iter().map(|(n, _)| n.as_str()).collect();
    assert_eq!(names, ["a", "busy", "default", "empty", "reset", "uploaded"]);

    // A SIGKILL, not a graceful stop: what was committed before each answer is all there is.
    first.signal("-KILL");
    first.wait_exit(Duration::from_secs(10));
    let mut second = Server::start(&["--store", store]);
    assert_eq!(second.everything(), before);
    let (_, clock) = second.json("GET", "/_payrules/sandboxes/a/clock", &[], "");
    assert_eq!(clock["now"], "2030-01-01T00:00:00.000Z");
    // The stepping clock resumes where it was: the next create is the one an unbroken run makes.
    let next = second.create("busy");
    second.signal("-TERM");
    second.wait_exit(Duration::from_secs(15));

    let third = Server::start(&["--store", store]);
    let after: Vec<(String, String)> = third.everything();
    assert_eq!(after.len(), before.len());
    assert_eq!(third.payments("busy"), busy + 1);
    // A reset after a restart goes back to the sandbox's own origin (the uploaded snapshot).
    let (status, summary) = third.json("POST", "/_payrules/sandboxes/uploaded/reset", &[], "");
    assert_eq!(status, 200, "{summary}");
    let (_, _, reset) = third.call_full("GET", "/_payrules/sandboxes/uploaded/snapshot?credentials=true", &[], "");
    assert_eq!(reset, a);

    // The same history without any restart gives the same next payment.
    let unbroken = Server::start(&[]);
    let mut conn = unbroken.connect();
    for _ in 0..1010 {
        conn.send("POST", PAYMENTS, &[("Authorization", TOKEN), ("Payrules-Sandbox", "busy")], CREATE);
        assert_eq!(conn.read().0, 200);
    }
    assert_eq!(unbroken.create("busy"), next);
    std::fs::remove_dir_all(&dir).ok();
}

#[test]
fn sigkill_during_concurrent_writes_keeps_every_acknowledged_change_and_nothing_else() {
    const SANDBOXES: usize = 4;
    const CLIENTS_PER_SANDBOX: usize = 3;
    let dir = tempdir();
    let file = dir.join("sandbox.db");
    let store = file.to_str().unwrap();
    let mut server = Server::start(&["--store", store]);
    // Every box starts from the sample world, as `default` did.
    let before = [server.payments("default"); SANDBOXES];
    let stop = AtomicBool::new(false);
    let acked: Vec<Vec<u64>> = std::thread::scope(|scope| {
        let handles: Vec<_> = (0..SANDBOXES)
            .map(|b| {
                let (server, stop) = (&server, &stop);
                let clients: Vec<_> = (0..CLIENTS_PER_SANDBOX)
                    .map(|_| {
                        scope.spawn(move || {
                            let sandbox = format!("box-{b}");
                            let mut conn = server.connect();
                            let mut ok = 0;
                            while !stop.load(Ordering::Relaxed) {
                                let headers = [("Authorization", TOKEN), ("Payrules-Sandbox", sandbox.as_str())];
                                if conn.try_send("POST", PAYMENTS, &headers, CREATE).is_err() {
                                    break;
                                }
                                match conn.try_read() {
                                    Ok((200, _, _)) => ok += 1,
                                    Ok((status, _, body)) => panic!("{status} {body}"),
                                    Err(_) => break, // killed with this request in flight
                                }
                            }
                            ok
                        })
                    })
                    .collect();
                clients
            })
            .collect();
        std::thread::sleep(Duration::from_millis(1500));
        server.signal("-KILL");
        stop.store(true, Ordering::Relaxed);
        handles.into_iter().map(|clients| clients.into_iter().map(|c| c.join().unwrap()).collect()).collect()
    });
    server.wait_exit(Duration::from_secs(10));
    let restarted = Server::start(&["--store", store]);
    for (b, clients) in acked.iter().enumerate() {
        let acknowledged: u64 = clients.iter().sum();
        assert!(acknowledged > 0, "box-{b} got no answer before the kill");
        let kept = restarted.payments(&format!("box-{b}")) - before[b];
        // Each client had at most one request in flight when the server died: it may have been
        // committed without its answer reaching the client, and nothing beyond that may exist.
        assert!(
            (acknowledged..=acknowledged + CLIENTS_PER_SANDBOX as u64).contains(&kept),
            "box-{b}: {acknowledged} acknowledged, {kept} kept"
        );
    }
    std::fs::remove_dir_all(&dir).ok();
}

#[test]
fn test_clocks_freeze_and_advance_the_sandbox_time() {
    let server = Server::start(&[]);
    let clock = |body: &str| server.json("POST", "/_payrules/sandboxes/default/clock", &[], body);
    let (status, frozen) = clock(r#"{"freeze":"2030-05-05T10:00:00Z"}"#);
    assert_eq!(status, 200, "{frozen}");
    assert_eq!(frozen["now"], "2030-05-05T10:00:00.000Z");
    assert_eq!(frozen["clock"]["mode"], "frozen");
    let made = server.create("default");
    assert_eq!(made["importedAt"], "2030-05-05T11:00:00+01:00");
    assert_eq!(server.create("default")["importedAt"], "2030-05-05T11:00:00+01:00", "frozen stays put");
    let (status, advanced) = clock(r#"{"advance":"PT1H30M"}"#);
    assert_eq!((status, &advanced["now"]), (200, &json!("2030-05-05T11:30:00.000Z")));
    assert_eq!(server.create("default")["importedAt"], "2030-05-05T12:30:00+01:00");
    let (_, advanced) = clock(r#"{"advance":86400}"#);
    assert_eq!(advanced["now"], "2030-05-06T11:30:00.000Z");
    let (_, shown) = server.json("GET", "/_payrules/sandboxes/default/clock", &[], "");
    assert_eq!(shown["now"], "2030-05-06T11:30:00.000Z");
    // Other sandboxes keep their own clock (the stepping one of `--now`).
    let other = server.create("elsewhere");
    assert!(other["importedAt"].as_str().unwrap().starts_with("2024-01-01"), "{other}");
    for bad in
        [r#"{"advance":"P1M"}"#, r#"{"freeze":"soon"}"#, r#"{"freeze":"2030-01-01T00:00:00Z","advance":1}"#, "{}"]
    {
        let (status, body) = clock(bad);
        assert_eq!((status, body["errors"][0]["code"].as_str()), (400, Some("bad_clock")), "{bad}: {body}");
    }
    assert_eq!(server.json("GET", "/_payrules/sandboxes/nowhere/clock", &[], "").0, 404);
}

#[test]
fn idempotency_keys_replay_refuse_other_payloads_expire_and_survive_a_restart() {
    let dir = tempdir();
    let file = dir.join("sandbox.db");
    let store = file.to_str().unwrap();
    let mut server = Server::start(&["--store", store]);
    let with_key =
        |key: &'static str| [("Authorization", TOKEN), ("Payrules-Sandbox", "idem"), ("Idempotency-Key", key)];
    let (status, head, first) = server.call_full("POST", PAYMENTS, &with_key("order-1"), CREATE);
    assert_eq!(status, 200, "{first}");
    assert!(!head.to_ascii_lowercase().contains("idempotent-replayed"), "{head}");
    let count = server.payments("idem");
    let (status, head, again) = server.call_full("POST", PAYMENTS, &with_key("order-1"), CREATE);
    assert_eq!((status, again.as_str()), (200, first.as_str()));
    assert!(head.contains("Idempotent-Replayed: true"), "{head}");
    assert_eq!(server.payments("idem"), count, "a replay changes nothing");
    // Another body, or other credentials, under the same key: 422.
    let other = CREATE.replace("12.3400", "99.0000");
    let (status, body) = server.json("POST", PAYMENTS, &with_key("order-1"), &other);
    assert_eq!((status, body["errors"][0]["code"].as_str()), (422, Some("idempotency_key_reused")), "{body}");
    let other_token =
        [("Authorization", "Bearer another"), ("Payrules-Sandbox", "idem"), ("Idempotency-Key", "order-1")];
    assert_eq!(server.call_full("POST", PAYMENTS, &other_token, CREATE).0, 422);
    // Keys are per sandbox.
    let elsewhere = [("Authorization", TOKEN), ("Payrules-Sandbox", "idem-2"), ("Idempotency-Key", "order-1")];
    let (status, head, _) = server.call_full("POST", PAYMENTS, &elsewhere, CREATE);
    assert_eq!(status, 200);
    assert!(!head.contains("Idempotent-Replayed"));
    // The store keeps a digest of the request, never the credentials.
    {
        let db = rusqlite::Connection::open(&file).unwrap();
        let rows: Vec<(String, String)> = db
            .prepare("SELECT key, fingerprint FROM idempotency WHERE sandbox = 'idem'")
            .unwrap()
            .query_map([], |row| Ok((row.get(0)?, row.get(1)?)))
            .unwrap()
            .map(Result::unwrap)
            .collect();
        assert_eq!(rows.len(), 1);
        assert_eq!(rows[0].0, "order-1");
        assert!(rows[0].1.len() == 64 && rows[0].1.bytes().all(|b| b.is_ascii_hexdigit()), "{rows:?}");
    }

    // Kept across a kill.
    server.signal("-KILL");
    server.wait_exit(Duration::from_secs(10));
    let server = Server::start(&["--store", store]);
    let (status, head, again) = server.call_full("POST", PAYMENTS, &with_key("order-1"), CREATE);
    assert_eq!((status, again.as_str()), (200, first.as_str()));
    assert!(head.contains("Idempotent-Replayed: true"), "{head}");
    // 24 hours of sandbox time later the key is forgotten: the same request makes a new payment.
    let (status, _) = server.json("POST", "/_payrules/sandboxes/idem/clock", &[], r#"{"advance":"PT24H"}"#);
    assert_eq!(status, 200);
    let (status, head, fresh) = server.call_full("POST", PAYMENTS, &with_key("order-1"), CREATE);
    assert_eq!(status, 200, "{fresh}");
    assert!(!head.contains("Idempotent-Replayed"), "{head}");
    assert_ne!(fresh, first);
    assert_eq!(server.payments("idem"), count + 1);
    // GET ignores the header; a key that is too long is refused.
    let long = "k".repeat(256);
    let headers = [("Authorization", TOKEN), ("Payrules-Sandbox", "idem"), ("Idempotency-Key", long.as_str())];
    let (status, body) = server.json("POST", PAYMENTS, &headers, CREATE);
    assert_eq!((status, body["errors"][0]["code"].as_str()), (400, Some("bad_idempotency_key")));
    drop(server);
    std::fs::remove_dir_all(&dir).ok();
}

#[test]
fn the_request_log_pages_newest_first_and_never_shows_a_credential() {
    let server = Server::start(&[]);
    let log_in = [("Authorization", TOKEN), ("Payrules-Sandbox", "logged")];
    server.create("logged");
    let (status, _, _) =
        server.call_full("GET", "/plentymarkets/rest/payments?access_token=query-secret-1&itemsPerPage=5", &log_in, "");
    assert_eq!(status, 200);
    let body_secret = r#"{"token":"body-secret-2","amount":"oops"}"#;
    let (status, _, _) = server.call_full(
        "POST",
        PAYMENTS,
        &[("Authorization", "Bearer header-secret-3"), ("Payrules-Sandbox", "logged")],
        body_secret,
    );
    assert_ne!(status, 200);
    let (status, page) = server.json("GET", "/_payrules/sandboxes/logged/requests", &[], "");
    assert_eq!(status, 200, "{page}");
    assert_eq!(page["total"], 3);
    let lines = page["requests"].as_array().unwrap();
    // Newest first: the refused create, the list, the first create.
    assert_eq!(lines[0]["method"], "POST");
    assert_eq!(lines[0]["verdict"], "invalid");
    assert_eq!(lines[1]["method"], "GET");
    assert_eq!(lines[1]["path"], "/plentymarkets/rest/payments?access_token=[redacted]&itemsPerPage=5");
    assert_eq!(lines[1]["status"], 200);
    assert_eq!(lines[2]["operation"], "plentymarkets.create_payment");
    assert_eq!(lines[2]["profile"], "plentymarkets");
    assert_eq!(lines[2]["verdict"], "valid");
    assert_eq!(lines[2]["time"], "2024-01-01T09:00:00.000Z");
    let text = page.to_string();
    for secret in ["query-secret-1", "body-secret-2", "header-secret-3", "plenty-scenario-token", "Bearer"] {
        assert!(!text.contains(secret), "{secret} in {text}");
    }
    let (_, second) = server.json("GET", "/_payrules/sandboxes/logged/requests?page=2&per_page=2", &[], "");
    assert_eq!(second["requests"].as_array().unwrap().len(), 1);
    assert_eq!(second["requests"][0]["method"], "POST");
    assert_eq!(second["requests"][0]["status"], 200);
    let (status, body) = server.json("GET", "/_payrules/sandboxes/logged/requests?per_page=0", &[], "");
    assert_eq!((status, body["errors"][0]["code"].as_str()), (400, Some("bad_page")));
    assert_eq!(server.json("GET", "/_payrules/sandboxes/nowhere/requests", &[], "").0, 404);
}

#[test]
fn fault_rules_answer_delay_drop_repeat_by_seed_and_clear() {
    let server = Server::start(&[]);
    let headers = [("Authorization", TOKEN), ("Payrules-Sandbox", "flaky")];
    server.create("flaky");
    let count = server.payments("flaky");
    let add = |rule: &str| {
        let (status, body) = server.json("POST", "/_payrules/sandboxes/flaky/faults", &[], rule);
        assert_eq!(status, 201, "{rule}: {body}");
        body
    };
    // An answer: the ledger never sees the request.
    add(
        r#"{"profile":"plentymarkets","method":"post","path":"/rest/payments","action":{"answer":{"status":503,"body":{"error":"down"}}}}"#,
    );
    let (status, body) = server.json("POST", PAYMENTS, &headers, CREATE);
    assert_eq!((status, body), (503, json!({"error": "down"})));
    assert_eq!(server.payments("flaky"), count);
    // Other methods, paths and sandboxes are untouched.
    assert_eq!(server.call_full("GET", PAYMENTS, &headers, "").0, 200);
    server.create("steady");
    assert_eq!(server.call_full("DELETE", "/_payrules/sandboxes/flaky/faults", &[], "").0, 204);
    assert_eq!(server.json("GET", "/_payrules/sandboxes/flaky/faults", &[], "").1["faults"], json!([]));

    // Latency, then the usual answer.
    add(r#"{"path":"/rest/payments","action":{"latency":{"ms":300}}}"#);
    let start = Instant::now();
    assert_eq!(server.call_full("POST", PAYMENTS, &headers, CREATE).0, 200);
    assert!(start.elapsed() >= Duration::from_millis(300), "{:?}", start.elapsed());
    assert_eq!(server.call_full("DELETE", "/_payrules/sandboxes/flaky/faults", &[], "").0, 204);

    // A dropped connection: closed without an answer, nothing changed.
    add(r#"{"method":"POST","action":"drop"}"#);
    let before = server.payments("flaky");
    let mut conn = server.connect();
    conn.send("POST", PAYMENTS, &headers, CREATE);
    assert!(conn.try_read().is_err(), "the connection should close without an answer");
    assert_eq!(server.payments("flaky"), before);
    let (_, log) = server.json("GET", "/_payrules/sandboxes/flaky/requests?per_page=1", &[], "");
    assert_eq!(log["requests"][0]["status"], 0);
    assert_eq!(server.call_full("DELETE", "/_payrules/sandboxes/flaky/faults", &[], "").0, 204);

    // A probability: the same seed gives the same hits.
    let rule = r#"{"profile":"plentymarkets","action":{"answer":{"status":500}},"probability":0.5,"seed":42}"#;
    let run = || {
        add(rule);
        let statuses: Vec<u16> = (0..24).map(|_| server.call_full("GET", PAYMENTS, &headers, "").0).collect();
        assert_eq!(server.call_full("DELETE", "/_payrules/sandboxes/flaky/faults", &[], "").0, 204);
        statuses
    };
    let first = run();
    assert_eq!(first, run());
    assert!(first.contains(&500) && first.contains(&200), "{first:?}");
    let (_, _, problem) =
        server.call_full("POST", "/_payrules/sandboxes/flaky/faults", &[], r#"{"action":{"answer":{"status":700}}}"#);
    assert!(problem.contains("bad_fault"), "{problem}");
    assert_eq!(server.call_full("POST", "/_payrules/sandboxes/nowhere/faults", &[], r#"{"action":"drop"}"#).0, 404);
}
