//! Where sandboxes are kept between runs: in memory only, or `--state FILE` for `default`.
//!
//! Every change reaches the store before it is acknowledged: the server calls [`Store::applied`]
//! after a request was handled and [`Store::replaced`] after a sandbox got a new world (created,
//! reset, uploaded), with the sandbox still locked, and answers only when the call returned. A store
//! that journals (the embedded database to come) gets the request itself for that reason.

use std::fmt;
use std::path::PathBuf;
use std::sync::Mutex;

use payrules::Request;
use payrules::ledger::Ledger;

use super::sandboxes::DEFAULT;
use crate::replay::{read_snapshot, write_atomically};

/// A place that keeps sandboxes. Its calls block (files, fsync): the server makes them off the
/// async workers when [`Store::is_durable`].
pub trait Store: fmt::Debug + Send + Sync {
    /// One line for the start-up log: where the state lives.
    fn describe(&self) -> String;
    /// Whether calls do I/O (then they run on the blocking pool, and every change is kept).
    fn is_durable(&self) -> bool;
    /// The sandboxes kept from an earlier run, as `(name, snapshot text)`.
    fn load(&self) -> Result<Vec<(String, String)>, String>;
    /// `request` was handled by `sandbox`'s ledger (it may or may not have changed it).
    fn applied(&self, sandbox: &str, ledger: &Ledger, request: &Request) -> Result<(), String>;
    /// `sandbox` has a new world (created, reset or uploaded).
    fn replaced(&self, sandbox: &str, ledger: &Ledger) -> Result<(), String>;
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
        "in memory only: every sandbox is lost when the server stops (--state FILE keeps `default`)".to_owned()
    }
    fn is_durable(&self) -> bool {
        false
    }
    fn load(&self) -> Result<Vec<(String, String)>, String> {
        Ok(Vec::new())
    }
    fn applied(&self, _: &str, _: &Ledger, _: &Request) -> Result<(), String> {
        Ok(())
    }
    fn replaced(&self, _: &str, _: &Ledger) -> Result<(), String> {
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
/// world, which is why an embedded database with a journal is to replace it.
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
    fn load(&self) -> Result<Vec<(String, String)>, String> {
        if !self.file.exists() {
            return Ok(Vec::new());
        }
        let text = read_snapshot(&self.file)?;
        Ok(vec![(DEFAULT.to_owned(), text)])
    }
    fn applied(&self, sandbox: &str, ledger: &Ledger, _: &Request) -> Result<(), String> {
        if sandbox == DEFAULT { self.write(ledger, true) } else { Ok(()) }
    }
    fn replaced(&self, sandbox: &str, ledger: &Ledger) -> Result<(), String> {
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
