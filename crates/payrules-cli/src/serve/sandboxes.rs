//! Sandboxes: isolated ledgers by name, each behind its own lock, so that sandboxes never wait
//! for each other; the map of names is locked only to find, create or delete one.

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError, RwLock};
use std::time::{SystemTime, UNIX_EPOCH};

use payrules::ledger::{Clock, Ledger, SteppingClock, Timestamp};
use payrules::{Profile, Request, Response};
use serde::Serialize;

use super::problem::Problem;
use super::store::Store;

/// The sandbox of a request without a `Payrules-Sandbox` header.
pub const DEFAULT: &str = "default";
/// At most this many sandboxes at once (each holds a world in memory).
pub const MAX_SANDBOXES: usize = 1000;

/// Checks a sandbox name: 1–64 of `[A-Za-z0-9_.-]`.
pub fn check_name(name: &str) -> Result<(), Problem> {
    let ok = (1..=64).contains(&name.len())
        && name.bytes().all(|b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'.' | b'-'));
    if ok {
        Ok(())
    } else {
        Err(Problem::bad_request(
            "bad_sandbox_name",
            "a sandbox name is 1 to 64 letters, digits, `_`, `.` or `-`".to_owned(),
        ))
    }
}

/// The machine's clock (the CLI may read it; the core may not).
#[derive(Debug)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&mut self) -> Timestamp {
        let ms = SystemTime::now().duration_since(UNIX_EPOCH).map_or(0, |d| d.as_millis());
        Timestamp::from_unix_millis(i64::try_from(ms).unwrap_or(i64::MAX))
    }
}

/// The clock each sandbox gets: the machine's, or (`--now`) its own stepping clock from a start.
#[derive(Debug, Clone)]
pub enum Clocks {
    System,
    SteppingFrom(Timestamp),
}

impl Clocks {
    fn make(&self) -> Box<dyn Clock> {
        match self {
            Clocks::System => Box::new(SystemClock),
            Clocks::SteppingFrom(start) => Box::new(SteppingClock::new(*start, 1000)),
        }
    }
}

/// Where a sandbox's world came from, and where a reset takes it back to.
#[derive(Debug, Clone)]
pub enum Origin {
    /// The sample world (or the server's `--world` snapshot).
    Sample,
    /// No records at all.
    Empty,
    /// An uploaded snapshot.
    Snapshot(Arc<str>),
}

/// One sandbox: its ledger and where it began.
#[derive(Debug)]
pub struct Sandbox {
    ledger: Ledger,
    origin: Origin,
    /// Deleted while a request waited for its lock: that request looks again.
    gone: bool,
}

/// What the admin API shows of a sandbox.
#[derive(Debug, Serialize)]
pub struct Summary {
    pub name: String,
    /// Payments of every profile.
    pub payments: usize,
}

/// Every sandbox of the server, the template of new ones, their clocks and the store.
#[derive(Debug)]
pub struct Sandboxes {
    map: RwLock<BTreeMap<String, Arc<Mutex<Sandbox>>>>,
    /// `--world`'s snapshot text; `None`: the built-in sample world.
    sample: Option<Arc<str>>,
    clocks: Clocks,
    store: Box<dyn Store>,
}

fn lock(sandbox: &Mutex<Sandbox>) -> MutexGuard<'_, Sandbox> {
    // A panic in the ledger is a bug; the world it left is still the best one there is.
    sandbox.lock().unwrap_or_else(PoisonError::into_inner)
}

fn payments(ledger: &Ledger) -> usize {
    Profile::ALL.iter().map(|p| payrules::ledger::view::payments(ledger.world(), *p).len()).sum()
}

impl Sandboxes {
    /// The sandboxes kept by `store`, and `default` (from the template when the store has none).
    pub fn open(sample: Option<String>, clocks: Clocks, store: Box<dyn Store>) -> Result<Sandboxes, String> {
        let sandboxes = Sandboxes { map: RwLock::default(), sample: sample.map(Arc::from), clocks, store };
        sandboxes.ledger_for(&Origin::Sample).map_err(|p| format!("--world: {}", p.message()))?;
        for (name, text) in sandboxes.store.load()? {
            let ledger =
                Ledger::restore(&text, sandboxes.clocks.make()).map_err(|e| format!("sandbox `{name}`: {e}"))?;
            let sandbox = Sandbox { ledger, origin: Origin::Sample, gone: false };
            sandboxes.write_map().insert(name, Arc::new(Mutex::new(sandbox)));
        }
        if !sandboxes.read_map().contains_key(DEFAULT) {
            sandboxes.create(DEFAULT, Origin::Sample).map_err(|p| p.message().to_owned())?;
        }
        Ok(sandboxes)
    }

    pub fn describe_store(&self) -> String {
        self.store.describe()
    }

    /// Whether changes do I/O (then callers run them on the blocking pool).
    pub fn is_durable(&self) -> bool {
        self.store.is_durable()
    }

    pub fn flush(&self) -> Result<(), String> {
        self.store.flush()
    }

    pub fn count(&self) -> usize {
        self.read_map().len()
    }

    fn read_map(&self) -> std::sync::RwLockReadGuard<'_, BTreeMap<String, Arc<Mutex<Sandbox>>>> {
        self.map.read().unwrap_or_else(PoisonError::into_inner)
    }

    fn write_map(&self) -> std::sync::RwLockWriteGuard<'_, BTreeMap<String, Arc<Mutex<Sandbox>>>> {
        self.map.write().unwrap_or_else(PoisonError::into_inner)
    }

    fn ledger_for(&self, origin: &Origin) -> Result<Ledger, Problem> {
        let restore = |text: &str| {
            Ledger::restore(text, self.clocks.make()).map_err(|e| Problem::bad_request("bad_snapshot", e.to_string()))
        };
        match origin {
            Origin::Sample => self.sample.as_deref().map_or_else(|| Ok(Ledger::sample(self.clocks.make())), restore),
            Origin::Empty => Ok(Ledger::empty(self.clocks.make())),
            Origin::Snapshot(text) => restore(text),
        }
    }

    fn get(&self, name: &str) -> Result<Arc<Mutex<Sandbox>>, Problem> {
        self.read_map().get(name).cloned().ok_or_else(|| Problem::no_sandbox(name))
    }

    /// The sandbox `name`, created from the template on its first use.
    fn get_or_create(&self, name: &str) -> Result<Arc<Mutex<Sandbox>>, Problem> {
        if let Ok(sandbox) = self.get(name) {
            return Ok(sandbox);
        }
        match self.create(name, Origin::Sample) {
            Ok(_) | Err(Problem { code: "sandbox_exists", .. }) => self.get(name),
            Err(other) => Err(other),
        }
    }

    /// Runs `f` on the live sandbox `name` (created on first use when `create` is set).
    fn with<T>(
        &self,
        name: &str,
        create: bool,
        mut f: impl FnMut(&mut Sandbox) -> Result<T, Problem>,
    ) -> Result<T, Problem> {
        // A sandbox deleted while we waited for its lock is looked up again (a bounded number of times).
        for _ in 0..8 {
            let sandbox = if create { self.get_or_create(name)? } else { self.get(name)? };
            let mut guard = lock(&sandbox);
            if !guard.gone {
                return f(&mut guard);
            }
        }
        Err(Problem::unavailable(format!("the sandbox `{name}` keeps being deleted and created; try again")))
    }

    /// Answers a vendor request in sandbox `name`; the store has the change before this returns.
    pub fn handle(&self, name: &str, request: &Request) -> Result<Response, Problem> {
        self.with(name, true, |sandbox| {
            let response = sandbox.ledger.handle(request);
            self.store.applied(name, &sandbox.ledger, request).map_err(Problem::internal)?;
            Ok(response)
        })
    }

    /// The sandbox's records as snapshot text, with or without credentials.
    pub fn snapshot(&self, name: &str, credentials: bool, create: bool) -> Result<String, Problem> {
        self.with(name, create, |sandbox| {
            Ok(if credentials { sandbox.ledger.snapshot() } else { sandbox.ledger.snapshot_without_tokens() })
        })
    }

    pub fn summary(&self, name: &str) -> Result<Summary, Problem> {
        self.with(name, false, |sandbox| Ok(Summary { name: name.to_owned(), payments: payments(&sandbox.ledger) }))
    }

    pub fn list(&self) -> Vec<Summary> {
        let all: Vec<(String, Arc<Mutex<Sandbox>>)> =
            self.read_map().iter().map(|(name, s)| (name.clone(), Arc::clone(s))).collect();
        all.into_iter()
            .filter_map(|(name, sandbox)| {
                let guard = lock(&sandbox);
                (!guard.gone).then(|| Summary { payments: payments(&guard.ledger), name })
            })
            .collect()
    }

    /// A new sandbox; `sandbox_exists` (409) when the name is taken.
    pub fn create(&self, name: &str, origin: Origin) -> Result<Summary, Problem> {
        check_name(name)?;
        let ledger = self.ledger_for(&origin)?;
        let sandbox = Arc::new(Mutex::new(Sandbox { ledger, origin, gone: false }));
        let guard = lock(&sandbox);
        {
            let mut map = self.write_map();
            if map.contains_key(name) {
                return Err(Problem::conflict(format!("the sandbox `{name}` exists; reset or delete it first")));
            }
            if map.len() >= MAX_SANDBOXES {
                return Err(Problem::too_many(MAX_SANDBOXES));
            }
            map.insert(name.to_owned(), Arc::clone(&sandbox));
        }
        let summary = Summary { name: name.to_owned(), payments: payments(&guard.ledger) };
        if let Err(e) = self.store.replaced(name, &guard.ledger) {
            drop(guard); // the map's lock is taken before a sandbox's, never the other way round
            self.write_map().remove(name);
            return Err(Problem::internal(e));
        }
        Ok(summary)
    }

    /// Takes the sandbox back to the world it was created from, with a fresh clock.
    pub fn reset(&self, name: &str) -> Result<Summary, Problem> {
        self.with(name, false, |sandbox| {
            sandbox.ledger = self.ledger_for(&sandbox.origin)?;
            self.store.replaced(name, &sandbox.ledger).map_err(Problem::internal)?;
            Ok(Summary { name: name.to_owned(), payments: payments(&sandbox.ledger) })
        })
    }

    pub fn delete(&self, name: &str) -> Result<(), Problem> {
        // The map stays locked until the store forgot the sandbox, so that no request recreates it
        // in between (a new one would then be forgotten by the store).
        let mut map = self.write_map();
        let sandbox = map.remove(name).ok_or_else(|| Problem::no_sandbox(name))?;
        let mut guard = lock(&sandbox);
        guard.gone = true;
        self.store.removed(name).map_err(Problem::internal)
    }
}
