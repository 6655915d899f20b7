//! `--store FILE`: every sandbox in one SQLite database (rusqlite, SQLite compiled in).
//!
//! Per sandbox a row with where it began (for resets), a base snapshot and the clock at that base,
//! and a journal: each request its ledger handled, with the clock readings it made and the clock
//! after it. The ledger is deterministic given its clock, so replaying the journal on the base
//! with the recorded readings gives the same state. A change costs one small insert (one
//! transaction, committed before the answer), whatever the size of the world; every
//! [`SNAPSHOT_EVERY`] entries the sandbox's snapshot becomes its base and its journal is emptied,
//! so that a restart replays at most that many requests per sandbox.
//!
//! The database runs in WAL mode with `synchronous=FULL`: a commit returns once the WAL is on the
//! disk (fsync), so an acknowledged change survives a killed process *and* a power loss. (NORMAL
//! with WAL would survive a killed process only: the last commits could roll back on power loss,
//! and an emulator that says "saved" should mean it.)

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Mutex, MutexGuard, PoisonError};

use payrules::Request;
use payrules::ledger::{Ledger, Timestamp};
use rusqlite::{Connection, OptionalExtension, params};

use super::clock::Mode;
use super::sandboxes::KEY_LIFETIME_MS;
use super::sandboxes::Origin;
use super::store::{Change, Entry, Kept, Remembered, Store};

/// A sandbox's journal is folded into a new base snapshot after this many entries.
pub const SNAPSHOT_EVERY: u64 = 1000;

const SCHEMA: &str = "
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS sandboxes (
    name TEXT PRIMARY KEY,
    origin TEXT NOT NULL,          -- sample | empty | snapshot
    origin_snapshot TEXT,          -- the uploaded snapshot (origin = snapshot)
    base TEXT NOT NULL,            -- snapshot text the journal starts from
    clock TEXT NOT NULL            -- the clock at the base (JSON)
);
CREATE TABLE IF NOT EXISTS journal (
    id INTEGER PRIMARY KEY,
    sandbox TEXT NOT NULL,
    entry TEXT NOT NULL            -- {request, times, clock} (JSON)
);
CREATE INDEX IF NOT EXISTS journal_by_sandbox ON journal (sandbox, id);
CREATE TABLE IF NOT EXISTS idempotency (
    sandbox TEXT NOT NULL,
    key TEXT NOT NULL,
    fingerprint TEXT NOT NULL,     -- SHA-256 of the request, credentials included (never in clear)
    status INTEGER NOT NULL,
    body TEXT NOT NULL,
    at INTEGER NOT NULL,           -- sandbox time of the first answer (ms)
    PRIMARY KEY (sandbox, key)
);
CREATE INDEX IF NOT EXISTS idempotency_by_time ON idempotency (sandbox, at);
";

/// The schema's version, in `meta`.
const VERSION: &str = "1";

#[derive(Debug)]
struct Inner {
    db: Connection,
    /// Journal entries per sandbox since its base.
    since_base: HashMap<String, u64>,
}

/// The SQLite store.
#[derive(Debug)]
pub struct Database {
    path: PathBuf,
    inner: Mutex<Inner>,
}

fn sql(what: &str) -> impl Fn(rusqlite::Error) -> String + '_ {
    move |e| format!("the store: {what}: {e}")
}

impl Database {
    /// Opens (or creates) the database at `path`.
    pub fn open(path: &Path) -> Result<Database, String> {
        let db = Connection::open(path).map_err(|e| format!("cannot open the store {}: {e}", path.display()))?;
        let mode: String =
            db.query_row("PRAGMA journal_mode=WAL", [], |row| row.get(0)).map_err(sql("setting WAL mode"))?;
        if !mode.eq_ignore_ascii_case("wal") {
            return Err(format!("the store {} cannot use WAL mode (it is in `{mode}` mode)", path.display()));
        }
        db.execute_batch("PRAGMA synchronous=FULL; PRAGMA busy_timeout=5000;").map_err(sql("setting pragmas"))?;
        db.execute_batch(SCHEMA).map_err(sql("creating the tables"))?;
        let version: Option<String> = db
            .query_row("SELECT value FROM meta WHERE key = 'version'", [], |row| row.get(0))
            .optional()
            .map_err(sql("reading its version"))?;
        match version.as_deref() {
            None => {
                db.execute("INSERT INTO meta (key, value) VALUES ('version', ?1)", [VERSION])
                    .map_err(sql("writing its version"))?;
            }
            Some(VERSION) => {}
            Some(other) => {
                return Err(format!("the store {} has version {other}; this payrules reads {VERSION}", path.display()));
            }
        }
        Ok(Database { path: path.to_owned(), inner: Mutex::new(Inner { db, since_base: HashMap::new() }) })
    }

    fn inner(&self) -> MutexGuard<'_, Inner> {
        self.inner.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

fn origin_columns(origin: &Origin) -> (&'static str, Option<&str>) {
    match origin {
        Origin::Sample => ("sample", None),
        Origin::Empty => ("empty", None),
        Origin::Snapshot(text) => ("snapshot", Some(text)),
    }
}

fn clock_text(clock: Mode) -> String {
    serde_json::to_string(&clock).unwrap_or_default()
}

/// An [`Entry`] as written (borrowing the request).
#[derive(serde::Serialize)]
struct EntryRef<'a> {
    request: Option<&'a Request>,
    times: &'a [Timestamp],
    clock: Mode,
}

impl Store for Database {
    fn describe(&self) -> String {
        format!(
            "every sandbox in {} (SQLite, WAL, synchronous=FULL: each change committed before its answer)",
            self.path.display()
        )
    }

    fn is_durable(&self) -> bool {
        true
    }

    fn load(&self) -> Result<Vec<Kept>, String> {
        let mut inner = self.inner();
        let kept = read(&inner, None)?;
        inner.since_base = kept.iter().map(|k| (k.name.clone(), k.journal.len() as u64)).collect();
        Ok(kept)
    }

    fn reload(&self, sandbox: &str) -> Result<Option<Kept>, String> {
        let mut inner = self.inner();
        let kept = read(&inner, Some(sandbox))?.pop();
        match &kept {
            Some(k) => inner.since_base.insert(sandbox.to_owned(), k.journal.len() as u64),
            None => inner.since_base.remove(sandbox),
        };
        Ok(kept)
    }

    fn applied(&self, sandbox: &str, ledger: &Ledger, change: &Change<'_>) -> Result<(), String> {
        let &Change { request, times, clock, key } = change;
        let entry = serde_json::to_string(&EntryRef { request, times, clock }).map_err(|e| e.to_string())?;
        // The caller holds the sandbox's lock, so its count cannot move until this returns; the
        // snapshot (large for a large world) is made before the database is locked for everyone.
        let since = self.inner().since_base.get(sandbox).copied().unwrap_or(0) + 1;
        let base = (since >= SNAPSHOT_EVERY).then(|| ledger.snapshot());
        let fold = base.is_some();
        let mut inner = self.inner();
        let tx = inner.db.transaction().map_err(sql("beginning a change"))?;
        if let Some(base) = base {
            // The journal so far plus this entry is the ledger as it is now: it becomes the base.
            tx.prepare_cached("UPDATE sandboxes SET base = ?2, clock = ?3 WHERE name = ?1")
                .and_then(|mut s| s.execute(params![sandbox, base, clock_text(clock)]))
                .map_err(sql("writing a snapshot"))?;
            tx.prepare_cached("DELETE FROM journal WHERE sandbox = ?1")
                .and_then(|mut s| s.execute([sandbox]))
                .map_err(sql("truncating the journal"))?;
        } else {
            tx.prepare_cached("INSERT INTO journal (sandbox, entry) VALUES (?1, ?2)")
                .and_then(|mut s| s.execute(params![sandbox, entry]))
                .map_err(sql("journaling a request"))?;
        }
        if let Some((key, kept)) = key {
            tx.prepare_cached(
                "INSERT OR REPLACE INTO idempotency (sandbox, key, fingerprint, status, body, at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
            )
            .and_then(|mut s| s.execute(params![sandbox, key, kept.fingerprint, kept.status, kept.body, kept.at]))
            .map_err(sql("keeping an idempotency key"))?;
            tx.prepare_cached("DELETE FROM idempotency WHERE sandbox = ?1 AND at <= ?2")
                .and_then(|mut s| s.execute(params![sandbox, kept.at.saturating_sub(KEY_LIFETIME_MS)]))
                .map_err(sql("expiring idempotency keys"))?;
        }
        tx.commit().map_err(sql("committing a change"))?;
        inner.since_base.insert(sandbox.to_owned(), if fold { 0 } else { since });
        Ok(())
    }

    fn replaced(&self, sandbox: &str, origin: &Origin, ledger: &Ledger, clock: Mode) -> Result<(), String> {
        let (kind, text) = origin_columns(origin);
        let mut inner = self.inner();
        let tx = inner.db.transaction().map_err(sql("beginning a change"))?;
        tx.execute(
            "INSERT INTO sandboxes (name, origin, origin_snapshot, base, clock) VALUES (?1, ?2, ?3, ?4, ?5)
             ON CONFLICT (name) DO UPDATE SET origin = ?2, origin_snapshot = ?3, base = ?4, clock = ?5",
            params![sandbox, kind, text, ledger.snapshot(), clock_text(clock)],
        )
        .map_err(sql("writing a sandbox"))?;
        tx.execute("DELETE FROM journal WHERE sandbox = ?1", [sandbox]).map_err(sql("truncating the journal"))?;
        tx.execute("DELETE FROM idempotency WHERE sandbox = ?1", [sandbox]).map_err(sql("forgetting its keys"))?;
        tx.commit().map_err(sql("committing a change"))?;
        inner.since_base.insert(sandbox.to_owned(), 0);
        Ok(())
    }

    fn removed(&self, sandbox: &str) -> Result<(), String> {
        let mut inner = self.inner();
        let tx = inner.db.transaction().map_err(sql("beginning a change"))?;
        tx.execute("DELETE FROM sandboxes WHERE name = ?1", [sandbox]).map_err(sql("deleting a sandbox"))?;
        tx.execute("DELETE FROM journal WHERE sandbox = ?1", [sandbox]).map_err(sql("deleting a journal"))?;
        tx.execute("DELETE FROM idempotency WHERE sandbox = ?1", [sandbox]).map_err(sql("forgetting its keys"))?;
        tx.commit().map_err(sql("committing a change"))?;
        inner.since_base.remove(sandbox);
        Ok(())
    }

    fn flush(&self) -> Result<(), String> {
        // Every change was committed before its answer; fold the WAL into the main file.
        self.inner().db.execute_batch("PRAGMA wal_checkpoint(TRUNCATE);").map_err(sql("checkpointing"))
    }
}

/// The sandboxes kept (`only`: that one), with their journals and idempotency keys.
fn read(inner: &Inner, only: Option<&str>) -> Result<Vec<Kept>, String> {
    let mut kept = Vec::new();
    {
        let mut rows = inner
            .db
            .prepare(
                "SELECT name, origin, origin_snapshot, base, clock FROM sandboxes
                 WHERE ?1 IS NULL OR name = ?1 ORDER BY name",
            )
            .map_err(sql("reading the sandboxes"))?;
        let rows = rows
            .query_map([only], |row| {
                Ok((
                    row.get::<_, String>(0)?,
                    row.get::<_, String>(1)?,
                    row.get::<_, Option<String>>(2)?,
                    row.get::<_, String>(3)?,
                    row.get::<_, String>(4)?,
                ))
            })
            .map_err(sql("reading the sandboxes"))?;
        for row in rows {
            let (name, origin, origin_snapshot, base, clock) = row.map_err(sql("reading a sandbox"))?;
            let origin = match (origin.as_str(), origin_snapshot) {
                ("sample", _) => Origin::Sample,
                ("empty", _) => Origin::Empty,
                ("snapshot", Some(text)) => Origin::Snapshot(text.into()),
                (other, _) => return Err(format!("the store: sandbox `{name}` has an unknown origin `{other}`")),
            };
            let clock: Mode =
                serde_json::from_str(&clock).map_err(|e| format!("the store: sandbox `{name}`'s clock: {e}"))?;
            kept.push(Kept { name, origin, base, clock: Some(clock), journal: Vec::new(), keys: Vec::new() });
        }
    }
    {
        let mut entries = inner
            .db
            .prepare("SELECT entry FROM journal WHERE sandbox = ?1 ORDER BY id")
            .map_err(sql("reading the journal"))?;
        for sandbox in &mut kept {
            let rows = entries
                .query_map([&sandbox.name], |row| row.get::<_, String>(0))
                .map_err(sql("reading the journal"))?;
            for row in rows {
                let text = row.map_err(sql("reading a journal entry"))?;
                let entry: Entry = serde_json::from_str(&text)
                    .map_err(|e| format!("the store: a journal entry of `{}`: {e}", sandbox.name))?;
                sandbox.journal.push(entry);
            }
        }
    }
    {
        let mut keys = inner
            .db
            .prepare("SELECT key, fingerprint, status, body, at FROM idempotency WHERE sandbox = ?1")
            .map_err(sql("reading the idempotency keys"))?;
        for sandbox in &mut kept {
            let rows = keys
                .query_map([&sandbox.name], |row| {
                    Ok((
                        row.get::<_, String>(0)?,
                        Remembered {
                            fingerprint: row.get(1)?,
                            status: row.get(2)?,
                            body: row.get(3)?,
                            at: row.get(4)?,
                        },
                    ))
                })
                .map_err(sql("reading the idempotency keys"))?;
            for row in rows {
                sandbox.keys.push(row.map_err(sql("reading an idempotency key"))?);
            }
        }
    }
    Ok(kept)
}

#[cfg(test)]
mod tests {
    use payrules::Request;
    use payrules::ledger::{Ledger, Timestamp};

    use super::{Database, SNAPSHOT_EVERY};
    use crate::serve::clock::{Mode, SandboxClock};
    use crate::serve::sandboxes::Origin;
    use crate::serve::store::{Change, Store};

    #[test]
    fn reload_gives_one_sandbox_back_and_folds_empty_the_journal() {
        let nanos = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_nanos();
        let file = std::env::temp_dir().join(format!("payrules-db-unit-{}-{nanos}.db", std::process::id()));
        let db = Database::open(&file).unwrap();
        let mode = Mode::Stepping { next: 0, step_ms: 1000 };
        let ledger = Ledger::sample(SandboxClock::new(mode).boxed());
        db.replaced("a", &Origin::Empty, &ledger, mode).unwrap();
        let request = Request {
            profile: "komet".to_owned(),
            method: "GET".to_owned(),
            path: "/".to_owned(),
            query: std::collections::BTreeMap::new(),
            headers: std::collections::BTreeMap::new(),
            body: serde_json::Value::Null,
        };
        let times = [Timestamp::from_unix_millis(0)];
        let change = Change { request: Some(&request), times: &times, clock: mode, key: None };
        db.applied("a", &ledger, &change).unwrap();
        let kept = db.reload("a").unwrap().unwrap();
        assert!(matches!(kept.origin, Origin::Empty));
        assert_eq!(kept.journal.len(), 1);
        assert_eq!(kept.journal[0].request.as_ref(), Some(&request));
        assert!(db.reload("nowhere").unwrap().is_none());
        for _ in 1..SNAPSHOT_EVERY {
            db.applied("a", &ledger, &change).unwrap();
        }
        assert_eq!(db.reload("a").unwrap().unwrap().journal.len(), 0, "the 1,000th entry folds");
        assert_eq!(db.load().unwrap().len(), 1);
        drop(db);
        for suffix in ["", "-wal", "-shm"] {
            std::fs::remove_file(format!("{}{suffix}", file.display())).ok();
        }
    }
}
