//! Where sandboxes are kept between runs: in memory only, `--state FILE` for `default`, or
//! `--store FILE` for all of them ([`super::database::Database`]).
//!
//! Every change reaches the store before it is acknowledged: the server calls [`Store::applied`]
//! after a request was handled and [`Store::replaced`] after a sandbox got a new world (created,
//! reset, uploaded), with the sandbox still locked, and answers only when the call returned. A store
//! that journals gets the request itself and the clock readings it used for that reason.

use std::fmt;
use std::path::PathBuf;
use std::sync::Mutex;

use tokio::sync::oneshot;

use payrules::Request;
use payrules::ledger::{Ledger, Timestamp};
use serde::{Deserialize, Serialize};

use super::clock::Mode;
use super::sandboxes::{DEFAULT, Origin};
use crate::replay::{read_snapshot, write_atomically};

/// A sandbox as a store kept it: where it began, a base snapshot with its clock, and the journal of
/// what happened since (replayed in order on the base, each entry with the clock readings it used).
#[derive(Debug)]
pub struct Kept {
    pub name: String,
    pub origin: Origin,
    pub base: String,
    /// `None`: a fresh clock of the server's kind.
    pub clock: Option<Mode>,
    pub journal: Vec<Entry>,
    /// The idempotency keys it remembers.
    pub keys: Vec<(String, Remembered)>,
}

/// The answer kept for an idempotency key: the request's fingerprint (a SHA-256 of method, path,
/// query, body and credentials: never the credentials themselves), the answer, and the sandbox
/// time it was given at.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Remembered {
    pub fingerprint: String,
    pub status: u16,
    pub body: String,
    pub at: i64,
}

/// One change to keep: a request the ledger handled (`None`: only the clock changed), the clock
/// readings it made, the clock after it, and the idempotency key it answered.
#[derive(Debug, Clone, Copy)]
pub struct Change<'a> {
    pub request: Option<&'a Request>,
    pub times: &'a [Timestamp],
    pub clock: Mode,
    pub key: Option<(&'a str, &'a Remembered)>,
}

/// One journal entry: a request the ledger handled (or none: only the clock changed), the clock
/// readings it made, and the clock after it.
#[derive(Debug, Serialize, Deserialize)]
pub struct Entry {
    pub request: Option<Request>,
    pub times: Vec<Timestamp>,
    pub clock: Mode,
}

/// A change handed to a store: kept once [`Pending::wait`] returns `Ok`. A store may take changes
/// faster than it makes them durable (the database commits many in one transaction); the server
/// answers a request only after its change's `wait` returned.
#[must_use = "a change is kept only once `wait` says so"]
#[derive(Debug)]
pub struct Pending(Result<Option<oneshot::Receiver<Result<(), Unkept>>>, Unkept>);

/// The store stopped before it answered.
fn stopped() -> Unkept {
    Unkept { message: "the store stopped before keeping the change".to_owned(), epoch: 0 }
}

impl Pending {
    /// Kept already.
    pub fn kept() -> Pending {
        Pending(Ok(None))
    }

    /// Not kept, and why.
    pub fn failed(unkept: Unkept) -> Pending {
        Pending(Err(unkept))
    }

    /// Kept when the store answers on `reply`.
    pub fn later(reply: oneshot::Receiver<Result<(), Unkept>>) -> Pending {
        Pending(Ok(Some(reply)))
    }

    /// Blocks until the change is kept, or says why it was not. Not on an async worker (it
    /// would stall it): there, [`Pending::done`].
    pub fn wait(self) -> Result<(), Unkept> {
        match self.0 {
            Ok(None) => Ok(()),
            Ok(Some(reply)) => reply.blocking_recv().unwrap_or_else(|_| Err(stopped())),
            Err(unkept) => Err(unkept),
        }
    }

    /// Waits, without blocking a thread, until the change is kept, or says why it was not.
    pub async fn done(self) -> Result<(), Unkept> {
        match self.0 {
            Ok(None) => Ok(()),
            Ok(Some(reply)) => reply.await.unwrap_or_else(|_| Err(stopped())),
            Err(unkept) => Err(unkept),
        }
    }
}

/// A change a store could not keep. `epoch` names the run of the sandbox's changes it belonged
/// to: every later change of that run is refused too, until [`Store::reload`] for that epoch
/// gives the sandbox back as kept (memory must never run ahead of the store).
#[derive(Debug, Clone)]
pub struct Unkept {
    pub message: String,
    pub epoch: u64,
}

/// A place that keeps sandboxes. Its calls block (files, fsync): the server makes them off the
/// async workers when [`Store::is_durable`].
pub trait Store: fmt::Debug + Send + Sync {
    /// One line for the start-up log: where the state lives.
    fn describe(&self) -> String;
    /// Whether calls do I/O (then they run on the blocking pool, and every change is kept).
    fn is_durable(&self) -> bool;
    /// Whether [`Store::applied`] returns without I/O (the change is written elsewhere, and
    /// [`Pending::done`] waits for it): then a request is answered on the async workers.
    fn applies_in_background(&self) -> bool {
        false
    }
    /// The sandboxes kept from an earlier run.
    fn load(&self) -> Result<Vec<Kept>, String>;
    /// `sandbox` changed as `change` says; `ledger` is the state after it. Called with the sandbox
    /// locked, so a sandbox's changes reach the store in the order they happened.
    fn applied(&self, sandbox: &str, ledger: &Ledger, change: &Change<'_>) -> Pending;
    /// `sandbox` as kept, to undo in memory the changes the store could not keep, after a change
    /// of `epoch` was refused (`None`: nothing to undo — the store cannot say, or the sandbox was
    /// already reloaded since that epoch).
    fn reload(&self, sandbox: &str, epoch: u64) -> Result<Option<Kept>, String> {
        let _ = (sandbox, epoch);
        Ok(None)
    }
    /// `sandbox` has a new world (created, reset or uploaded) that began at `origin`.
    fn replaced(&self, sandbox: &str, origin: &Origin, ledger: &Ledger, clock: Mode) -> Result<(), String>;
    /// `sandbox` was deleted.
    fn removed(&self, sandbox: &str) -> Result<(), String>;
    /// Called once at shutdown, after the last request finished.
    fn flush(&self) -> Result<(), String>;
}

/// Nothing kept: the world lives as long as the process.
#[derive(Debug)]
pub struct Memory;

impl Store for Memory {
    fn describe(&self) -> String {
        "in memory only: every sandbox is lost when the server stops (--store FILE keeps them all)".to_owned()
    }
    fn is_durable(&self) -> bool {
        false
    }
    fn load(&self) -> Result<Vec<Kept>, String> {
        Ok(Vec::new())
    }
    fn applied(&self, _: &str, _: &Ledger, _: &Change<'_>) -> Pending {
        Pending::kept()
    }
    fn replaced(&self, _: &str, _: &Origin, _: &Ledger, _: Mode) -> Result<(), String> {
        Ok(())
    }
    fn removed(&self, _: &str) -> Result<(), String> {
        Ok(())
    }
    fn flush(&self) -> Result<(), String> {
        Ok(())
    }
}

/// `--state FILE`: the `default` sandbox as one snapshot file, rewritten (write-then-rename, fsync)
/// after every change before the answer; other sandboxes live in memory. Its cost grows with the
/// world; `--store FILE` (a journal in SQLite) does not.
#[derive(Debug)]
pub struct StateFile {
    file: PathBuf,
    /// The snapshot text last written, to skip requests that changed nothing.
    saved: Mutex<Option<String>>,
}

impl StateFile {
    pub fn new(file: PathBuf) -> StateFile {
        StateFile { file, saved: Mutex::new(None) }
    }

    fn write(&self, ledger: &Ledger, only_if_changed: bool) -> Result<(), String> {
        let snapshot = ledger.snapshot();
        let mut saved = self.saved.lock().map_err(|_| "the state file's lock is poisoned".to_owned())?;
        if only_if_changed && saved.as_deref() == Some(snapshot.as_str()) {
            return Ok(());
        }
        // Persist before acknowledging; if that fails, say so rather than pretend.
        write_atomically(&self.file, &snapshot)
            .map_err(|e| format!("the change could not be saved to {}: {e}", self.file.display()))?;
        *saved = Some(snapshot);
        Ok(())
    }
}

impl Store for StateFile {
    fn describe(&self) -> String {
        format!("the `default` sandbox in {} (rewritten after every change); others in memory", self.file.display())
    }
    fn is_durable(&self) -> bool {
        true
    }
    fn load(&self) -> Result<Vec<Kept>, String> {
        if !self.file.exists() {
            return Ok(Vec::new());
        }
        let base = read_snapshot(&self.file)?;
        Ok(vec![Kept {
            name: DEFAULT.to_owned(),
            origin: Origin::Sample,
            base,
            clock: None,
            journal: Vec::new(),
            keys: Vec::new(),
        }])
    }
    fn applied(&self, sandbox: &str, ledger: &Ledger, change: &Change<'_>) -> Pending {
        if sandbox != DEFAULT || change.request.is_none() {
            return Pending::kept();
        }
        match self.write(ledger, true) {
            Ok(()) => Pending::kept(),
            Err(message) => Pending::failed(Unkept { message, epoch: 0 }),
        }
    }
    fn replaced(&self, sandbox: &str, _: &Origin, ledger: &Ledger, _: Mode) -> Result<(), String> {
        if sandbox == DEFAULT { self.write(ledger, false) } else { Ok(()) }
    }
    fn removed(&self, sandbox: &str) -> Result<(), String> {
        if sandbox != DEFAULT {
            return Ok(());
        }
        // A restart then begins `default` from the template, as its next use here does.
        match std::fs::remove_file(&self.file) {
            Ok(()) => {}
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
            Err(e) => return Err(format!("cannot remove {}: {e}", self.file.display())),
        }
        *self.saved.lock().map_err(|_| "the state file's lock is poisoned".to_owned())? = None;
        Ok(())
    }
    fn flush(&self) -> Result<(), String> {
        // Every change was written before its answer: nothing is pending.
        Ok(())
    }
}
