//! `--store FILE`: every sandbox in one SQLite database (rusqlite, SQLite compiled in).
//!
//! Per sandbox a row with where it began (for resets), a base snapshot and the clock at that base,
//! and a journal: each request its ledger handled, with the clock readings it made and the clock
//! after it. The ledger is deterministic given its clock, so replaying the journal on the base
//! with the recorded readings gives the same state. A change costs one small insert, whatever the
//! size of the world. Once a journal is as large as its base (and at least [`SNAPSHOT_EVERY`]
//! entries long) the sandbox's snapshot becomes its base and the journal is emptied: snapshots
//! then cost, per change, about the change's own size, and a restart replays at most a base's
//! worth of requests.
//!
//! **Group commit.** One writer thread owns the writes: a request's change is queued with the
//! sandbox locked (so a sandbox's changes are written in the order they happened), the sandbox is
//! unlocked, and the request waits for the writer, which commits every change waiting in one
//! transaction — one fsync for many requests, in one sandbox or many. A request is answered only
//! once its change is committed. Other requests of the sandbox may see a change while it is being
//! committed; if a commit fails, every change of that sandbox from then on is refused until the
//! sandbox is reloaded from the database (its *epoch* ends), so memory never runs ahead of what is
//! kept and no later change is written on top of one that was lost.
//!
//! The database runs in WAL mode with `synchronous=FULL`: a commit returns once the WAL is on the
//! disk (fsync), so an acknowledged change survives a killed process *and* a power loss. (NORMAL
//! with WAL would survive a killed process only: the last commits could roll back on power loss,
//! and an emulator that says "saved" should mean it.)

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError, mpsc};
use std::thread;

use payrules::Request;
use payrules::ledger::{Ledger, SteppingClock, Timestamp, World};
use rusqlite::{Connection, OptionalExtension, params};
use tokio::sync::oneshot;

use super::clock::Mode;
use super::sandboxes::KEY_LIFETIME_MS;
use super::sandboxes::Origin;
use super::store::{Change, Entry, Kept, Pending, Remembered, Store, Unkept};

/// A sandbox's journal is folded into a new base snapshot once it has at least this many entries
/// and is as large as the base.
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

/// What the store knows of a sandbox's journal: its length and size since the base, the base's
/// size, and the epoch its changes are taken in.
#[derive(Debug, Default, Clone, Copy)]
struct Journal {
    entries: u64,
    bytes: u64,
    base_bytes: u64,
    epoch: u64,
}

#[derive(Debug)]
struct Inner {
    db: Connection,
    journals: HashMap<String, Journal>,
    /// Sandboxes whose changes of this epoch (and before) are refused: a commit of one failed.
    poisoned: HashMap<String, u64>,
    /// The next epoch handed out (epochs are never reused, not even by a sandbox of the same name).
    next_epoch: u64,
}

impl Inner {
    /// A new epoch for `sandbox`: its changes are taken again.
    fn renew(&mut self, sandbox: &str) -> u64 {
        self.next_epoch += 1;
        let epoch = self.next_epoch;
        self.journals.entry(sandbox.to_owned()).or_default().epoch = epoch;
        self.poisoned.remove(sandbox);
        epoch
    }
}

/// One write, in the order the sandbox's changes happened.
#[derive(Debug)]
enum Write {
    /// A journal entry, or (`base` set) the world it led to, whose snapshot becomes the base (the
    /// world is an O(1) copy: the writer, not the request, serializes it); and the idempotency key
    /// it answered.
    Applied { entry: String, base: Option<(Box<World>, String)>, key: Option<(String, Remembered)> },
    /// A new world: origin, base snapshot, clock.
    Replaced { kind: &'static str, text: Option<String>, base: String, clock: String },
    /// The sandbox is gone.
    Removed,
    /// Nothing: answered once every write before it is committed.
    Barrier,
}

#[derive(Debug)]
struct Job {
    sandbox: String,
    epoch: u64,
    write: Write,
    reply: oneshot::Sender<Result<(), Unkept>>,
}

/// The SQLite store. Changes are committed by one writer thread, which takes every change that is
/// waiting and commits them in one transaction (group commit): one fsync for many requests,
/// each answered only after its commit.
#[derive(Debug)]
pub struct Database {
    path: PathBuf,
    inner: Arc<Mutex<Inner>>,
    jobs: Mutex<Option<mpsc::Sender<Job>>>,
    writer: Mutex<Option<thread::JoinHandle<()>>>,
}

/// At most this many changes in one transaction.
const BATCH: usize = 4096;

fn sql(what: &str) -> impl Fn(rusqlite::Error) -> String + '_ {
    move |e| format!("the store: {what}: {e}")
}

fn lock(inner: &Mutex<Inner>) -> MutexGuard<'_, Inner> {
    inner.lock().unwrap_or_else(PoisonError::into_inner)
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
        let inner =
            Arc::new(Mutex::new(Inner { db, journals: HashMap::new(), poisoned: HashMap::new(), next_epoch: 0 }));
        let (jobs, queue) = mpsc::channel();
        let writer = {
            let inner = Arc::clone(&inner);
            thread::Builder::new()
                .name("payrules-store".to_owned())
                .spawn(move || write_all(&inner, &queue))
                .map_err(|e| format!("cannot start the store's writer: {e}"))?
        };
        Ok(Database { path: path.to_owned(), inner, jobs: Mutex::new(Some(jobs)), writer: Mutex::new(Some(writer)) })
    }

    fn inner(&self) -> MutexGuard<'_, Inner> {
        lock(&self.inner)
    }

    /// Hands `write` of `sandbox` to the writer, in the sandbox's epoch (`renew`: a new one).
    fn send(&self, sandbox: &str, write: Write, renew: bool) -> Pending {
        let epoch = {
            let mut inner = self.inner();
            if renew { inner.renew(sandbox) } else { inner.journals.get(sandbox).map_or(0, |j| j.epoch) }
        };
        let (reply, answer) = oneshot::channel();
        let job = Job { sandbox: sandbox.to_owned(), epoch, write, reply };
        let sent = self
            .jobs
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .as_ref()
            .is_some_and(|jobs| jobs.send(job).is_ok());
        if sent {
            Pending::later(answer)
        } else {
            Pending::failed(Unkept { message: "the store is closed".to_owned(), epoch })
        }
    }
}

/// The writer: takes every waiting job, commits them in one transaction, answers each.
fn write_all(inner: &Mutex<Inner>, queue: &mpsc::Receiver<Job>) {
    while let Ok(first) = queue.recv() {
        let mut batch = vec![first];
        while batch.len() < BATCH {
            match queue.try_recv() {
                Ok(job) => batch.push(job),
                Err(_) => break,
            }
        }
        let mut inner = lock(inner);
        let refused: Vec<bool> =
            batch.iter().map(|j| inner.poisoned.get(&j.sandbox).is_some_and(|&e| j.epoch <= e)).collect();
        let result = commit(&mut inner, &batch, &refused);
        if result.is_err() {
            for job in &batch {
                let e = inner.poisoned.entry(job.sandbox.clone()).or_insert(job.epoch);
                *e = (*e).max(job.epoch);
            }
        }
        drop(inner);
        for (job, refused) in batch.into_iter().zip(refused) {
            let answer = match (&result, refused) {
                (Ok(()), false) => Ok(()),
                (Ok(()), true) => Err(Unkept {
                    message: "the store: an earlier change of this sandbox could not be kept".to_owned(),
                    epoch: job.epoch,
                }),
                (Err(message), _) => Err(Unkept { message: message.clone(), epoch: job.epoch }),
            };
            // The request may have gone (its client hung up): nobody to tell.
            let _ = job.reply.send(answer);
        }
    }
}

/// One transaction with every job of `batch` that is not `refused`.
fn commit(inner: &mut Inner, batch: &[Job], refused: &[bool]) -> Result<(), String> {
    let Inner { db, journals, .. } = inner;
    let tx = db.transaction().map_err(sql("beginning a change"))?;
    for (job, _) in batch.iter().zip(refused).filter(|(_, r)| !**r) {
        let sandbox = job.sandbox.as_str();
        match &job.write {
            Write::Applied { entry, base, key } => {
                if let Some((world, clock)) = base {
                    // The journal so far plus this entry is the ledger as it is now: it becomes the base.
                    let base = Ledger::with_world(
                        (**world).clone(),
                        Box::new(SteppingClock::new(Timestamp::from_unix_millis(0), 0)),
                    )
                    .snapshot();
                    if let Some(journal) = journals.get_mut(sandbox) {
                        journal.base_bytes = base.len() as u64;
                    }
                    tx.prepare_cached("UPDATE sandboxes SET base = ?2, clock = ?3 WHERE name = ?1")
                        .and_then(|mut s| s.execute(params![sandbox, base, clock]))
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
                    .and_then(|mut s| {
                        s.execute(params![sandbox, key, kept.fingerprint, kept.status, kept.body, kept.at])
                    })
                    .map_err(sql("keeping an idempotency key"))?;
                    tx.prepare_cached("DELETE FROM idempotency WHERE sandbox = ?1 AND at <= ?2")
                        .and_then(|mut s| s.execute(params![sandbox, kept.at.saturating_sub(KEY_LIFETIME_MS)]))
                        .map_err(sql("expiring idempotency keys"))?;
                }
            }
            Write::Replaced { kind, text, base, clock } => {
                tx.prepare_cached(
                    "INSERT INTO sandboxes (name, origin, origin_snapshot, base, clock) VALUES (?1, ?2, ?3, ?4, ?5)
                     ON CONFLICT (name) DO UPDATE SET origin = ?2, origin_snapshot = ?3, base = ?4, clock = ?5",
                )
                .and_then(|mut s| s.execute(params![sandbox, kind, text, base, clock]))
                .map_err(sql("writing a sandbox"))?;
                tx.execute("DELETE FROM journal WHERE sandbox = ?1", [sandbox])
                    .map_err(sql("truncating the journal"))?;
                tx.execute("DELETE FROM idempotency WHERE sandbox = ?1", [sandbox])
                    .map_err(sql("forgetting its keys"))?;
            }
            Write::Removed => {
                tx.execute("DELETE FROM sandboxes WHERE name = ?1", [sandbox]).map_err(sql("deleting a sandbox"))?;
                tx.execute("DELETE FROM journal WHERE sandbox = ?1", [sandbox]).map_err(sql("deleting a journal"))?;
                tx.execute("DELETE FROM idempotency WHERE sandbox = ?1", [sandbox])
                    .map_err(sql("forgetting its keys"))?;
            }
            Write::Barrier => {}
        }
    }
    tx.commit().map_err(sql("committing a change"))
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

/// What the store knows of `kept`'s journal.
fn journal_of(kept: &Kept, entries: &[usize]) -> Journal {
    Journal {
        entries: kept.journal.len() as u64,
        bytes: entries.iter().map(|&n| n as u64).sum(),
        base_bytes: kept.base.len() as u64,
        epoch: 0,
    }
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

    fn applies_in_background(&self) -> bool {
        true
    }

    fn load(&self) -> Result<Vec<Kept>, String> {
        let mut inner = self.inner();
        let kept = read(&inner, None)?;
        for (k, sizes) in &kept {
            let journal = journal_of(k, sizes);
            inner.journals.insert(k.name.clone(), journal);
            inner.renew(&k.name);
        }
        Ok(kept.into_iter().map(|(k, _)| k).collect())
    }

    fn reload(&self, sandbox: &str, epoch: u64) -> Result<Option<Kept>, String> {
        // Every write of the refused epoch still waiting is refused by the writer; wait for them.
        let _ = self.send(sandbox, Write::Barrier, false).wait();
        let mut inner = self.inner();
        if inner.journals.get(sandbox).is_some_and(|j| j.epoch != epoch) {
            return Ok(None); // reloaded already, or replaced since
        }
        let kept = read(&inner, Some(sandbox))?.pop();
        if let Some((k, sizes)) = &kept {
            let journal = journal_of(k, sizes);
            inner.journals.insert(sandbox.to_owned(), journal);
            inner.renew(sandbox);
        } else {
            inner.journals.remove(sandbox);
            inner.poisoned.remove(sandbox);
        }
        Ok(kept.map(|(k, _)| k))
    }

    fn applied(&self, sandbox: &str, ledger: &Ledger, change: &Change<'_>) -> Pending {
        let &Change { request, times, clock, key } = change;
        let entry = match serde_json::to_string(&EntryRef { request, times, clock }) {
            Ok(entry) => entry,
            Err(e) => return Pending::failed(Unkept { message: e.to_string(), epoch: 0 }),
        };
        // The caller holds the sandbox's lock, so its journal cannot move until this returns. The
        // journal is folded into a new base once it is as large as the base (and at least
        // SNAPSHOT_EVERY entries long): writing snapshots then costs, per change, about the
        // change's own size, however large the world; a restart replays at most that journal.
        let fold = {
            let mut inner = self.inner();
            let journal = inner.journals.entry(sandbox.to_owned()).or_default();
            journal.entries += 1;
            journal.bytes += entry.len() as u64;
            journal.entries >= SNAPSHOT_EVERY && journal.bytes >= journal.base_bytes
        };
        if fold {
            // The base's size is set by the writer, once it made the snapshot.
            let mut inner = self.inner();
            let journal = inner.journals.entry(sandbox.to_owned()).or_default();
            *journal = Journal { entries: 0, bytes: 0, base_bytes: journal.base_bytes, epoch: journal.epoch };
        }
        let base = fold.then(|| (Box::new(ledger.world().clone()), clock_text(clock)));
        let key = key.map(|(k, r)| (k.to_owned(), r.clone()));
        self.send(sandbox, Write::Applied { entry, base, key }, false)
    }

    fn replaced(&self, sandbox: &str, origin: &Origin, ledger: &Ledger, clock: Mode) -> Result<(), String> {
        let (kind, text) = origin_columns(origin);
        let base = ledger.snapshot();
        {
            let mut inner = self.inner();
            let journal = inner.journals.entry(sandbox.to_owned()).or_default();
            *journal = Journal { entries: 0, bytes: 0, base_bytes: base.len() as u64, epoch: journal.epoch };
        }
        let write = Write::Replaced { kind, text: text.map(str::to_owned), base, clock: clock_text(clock) };
        // A new world: the changes before it no longer matter, whether they were kept or not.
        self.send(sandbox, write, true).wait().map_err(|u| u.message)
    }

    fn removed(&self, sandbox: &str) -> Result<(), String> {
        let done = self.send(sandbox, Write::Removed, true).wait().map_err(|u| u.message);
        let mut inner = self.inner();
        inner.journals.remove(sandbox);
        inner.poisoned.remove(sandbox);
        done
    }

    fn flush(&self) -> Result<(), String> {
        // Every change before this one committed; then fold the WAL into the main file.
        self.send("", Write::Barrier, false).wait().map_err(|u| u.message)?;
        self.inner().db.execute_batch("PRAGMA wal_checkpoint(TRUNCATE);").map_err(sql("checkpointing"))
    }
}

impl Drop for Database {
    fn drop(&mut self) {
        // Closing the queue ends the writer once it committed what is queued.
        self.jobs.lock().unwrap_or_else(PoisonError::into_inner).take();
        if let Some(writer) = self.writer.lock().unwrap_or_else(PoisonError::into_inner).take() {
            let _ = writer.join();
        }
    }
}

/// The sandboxes kept (`only`: that one), with their journals (and each entry's size) and
/// idempotency keys.
fn read(inner: &Inner, only: Option<&str>) -> Result<Vec<(Kept, Vec<usize>)>, String> {
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
            let sandbox = Kept { name, origin, base, clock: Some(clock), journal: Vec::new(), keys: Vec::new() };
            kept.push((sandbox, Vec::new()));
        }
    }
    {
        let mut entries = inner
            .db
            .prepare("SELECT entry FROM journal WHERE sandbox = ?1 ORDER BY id")
            .map_err(sql("reading the journal"))?;
        for (sandbox, sizes) in &mut kept {
            let rows = entries
                .query_map([&sandbox.name], |row| row.get::<_, String>(0))
                .map_err(sql("reading the journal"))?;
            for row in rows {
                let text = row.map_err(sql("reading a journal entry"))?;
                let entry: Entry = serde_json::from_str(&text)
                    .map_err(|e| format!("the store: a journal entry of `{}`: {e}", sandbox.name))?;
                sandbox.journal.push(entry);
                sizes.push(text.len());
            }
        }
    }
    {
        let mut keys = inner
            .db
            .prepare("SELECT key, fingerprint, status, body, at FROM idempotency WHERE sandbox = ?1")
            .map_err(sql("reading the idempotency keys"))?;
        for (sandbox, _) in &mut kept {
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
        db.applied("a", &ledger, &change).wait().unwrap();
        let epoch = db.inner().journals["a"].epoch;
        let kept = db.reload("a", epoch).unwrap().unwrap();
        assert!(matches!(kept.origin, Origin::Empty));
        assert_eq!(kept.journal.len(), 1);
        assert_eq!(kept.journal[0].request.as_ref(), Some(&request));
        assert!(db.reload("a", epoch).unwrap().is_none(), "reloaded already: nothing to undo");
        assert!(db.reload("nowhere", 0).unwrap().is_none());
        // The journal folds once it has SNAPSHOT_EVERY entries and is as large as the base.
        let base = ledger.snapshot().len();
        let entry = usize::try_from(db.inner().journals["a"].bytes).unwrap();
        let folds_at = usize::try_from(SNAPSHOT_EVERY).unwrap().max(base.div_ceil(entry));
        for _ in 1..folds_at - 1 {
            db.applied("a", &ledger, &change).wait().unwrap();
        }
        let epoch = db.inner().journals["a"].epoch;
        assert_eq!(db.reload("a", epoch).unwrap().unwrap().journal.len(), folds_at - 1);
        db.applied("a", &ledger, &change).wait().unwrap();
        let epoch = db.inner().journals["a"].epoch;
        assert_eq!(db.reload("a", epoch).unwrap().unwrap().journal.len(), 0, "the entry that makes it as large folds");
        assert_eq!(db.load().unwrap().len(), 1);
        drop(db);
        for suffix in ["", "-wal", "-shm"] {
            std::fs::remove_file(format!("{}{suffix}", file.display())).ok();
        }
    }

    #[test]
    fn a_failed_commit_refuses_the_rest_of_its_epoch_until_the_sandbox_is_reloaded() {
        let nanos = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_nanos();
        let file = std::env::temp_dir().join(format!("payrules-db-fail-{}-{nanos}.db", std::process::id()));
        let db = Database::open(&file).unwrap();
        let mode = Mode::Stepping { next: 0, step_ms: 1000 };
        let ledger = Ledger::empty(SandboxClock::new(mode).boxed());
        db.replaced("b", &Origin::Empty, &ledger, mode).unwrap();
        let change = Change { request: None, times: &[], clock: mode, key: None };
        db.applied("b", &ledger, &change).wait().unwrap();
        // The disk "fills up" for this sandbox's journal.
        db.inner()
            .db
            .execute_batch(
                "CREATE TRIGGER full BEFORE INSERT ON journal WHEN NEW.sandbox = 'b'
                 BEGIN SELECT RAISE(ABORT, 'disk full'); END;",
            )
            .unwrap();
        let failed = db.applied("b", &ledger, &change).wait().unwrap_err();
        assert!(failed.message.contains("disk full"), "{}", failed.message);
        db.inner().db.execute_batch("DROP TRIGGER full;").unwrap();
        // Written on top of a lost change: refused, in the same epoch, without reaching the disk.
        let refused = db.applied("b", &ledger, &change).wait().unwrap_err();
        assert_eq!(refused.epoch, failed.epoch);
        assert!(refused.message.contains("earlier change"), "{}", refused.message);
        // The sandbox back as kept: one entry (the first), and changes are taken again.
        let kept = db.reload("b", failed.epoch).unwrap().unwrap();
        assert_eq!(kept.journal.len(), 1);
        assert!(db.reload("b", failed.epoch).unwrap().is_none(), "a second undo of the epoch does nothing");
        db.applied("b", &ledger, &change).wait().unwrap();
        let epoch = db.inner().journals["b"].epoch;
        assert_eq!(db.reload("b", epoch).unwrap().unwrap().journal.len(), 2);
        drop(db);
        for suffix in ["", "-wal", "-shm"] {
            std::fs::remove_file(format!("{}{suffix}", file.display())).ok();
        }
    }
}
