//! Sandboxes: isolated ledgers by name, each behind its own lock, so that sandboxes never wait
//! for each other; the map of names is locked only to find, create or delete one.

use std::collections::{BTreeMap, BTreeSet, HashMap, VecDeque};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError, RwLock};

use payrules::ledger::{Ledger, SteppingClock, Timestamp, World};
use payrules::{Profile, Request};
use serde::Serialize;

use super::clock::{Mode, SandboxClock};
use super::faults::{self, Action, Fault, Rule};
use super::problem::Problem;
use super::store::{Change, Kept, Pending, Remembered, Store, Unkept};

/// The sandbox of a request without a `Payrules-Sandbox` header.
pub const DEFAULT: &str = "default";
/// At most this many sandboxes at once (each holds a world in memory).
pub const MAX_SANDBOXES: usize = 1000;
/// The most requests a sandbox's request log shows (the oldest go first).
pub const LOG_LENGTH: usize = 1000;
/// How long an idempotency key is remembered, in sandbox time: 24 hours.
pub const KEY_LIFETIME_MS: i64 = 24 * 3600 * 1000;

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

/// The clock each sandbox gets: the machine's, or (`--now`) its own stepping clock from a start.
#[derive(Debug, Clone)]
pub enum Clocks {
    System,
    SteppingFrom(Timestamp),
}

impl Clocks {
    /// A new sandbox's clock.
    fn fresh(&self) -> Mode {
        match self {
            Clocks::System => Mode::System { offset_ms: 0 },
            Clocks::SteppingFrom(start) => Mode::Stepping { next: start.unix_millis(), step_ms: 1000 },
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

/// One sandbox: its ledger, its clock and where it began.
#[derive(Debug)]
pub struct Sandbox {
    ledger: Ledger,
    /// The ledger's clock (it reads a clone).
    clock: SandboxClock,
    /// The clock as the store last got it.
    recorded: Mode,
    origin: Origin,
    /// The idempotency keys remembered, and the same by sandbox time (to expire them in order).
    keys: HashMap<String, Remembered>,
    keys_by_time: BTreeSet<(i64, String)>,
    /// The last [`LOG_LENGTH`] vendor requests, oldest first (in memory only).
    log: VecDeque<Logged>,
    /// Fault injection rules, in order (in memory only).
    faults: Vec<Fault>,
    /// Deleted while a request waited for its lock: that request looks again.
    gone: bool,
}

impl Sandbox {
    fn new(ledger: Ledger, clock: SandboxClock, origin: Origin) -> Sandbox {
        let recorded = clock.mode();
        Sandbox {
            ledger,
            clock,
            recorded,
            origin,
            keys: HashMap::new(),
            keys_by_time: BTreeSet::new(),
            log: VecDeque::new(),
            faults: Vec::new(),
            gone: false,
        }
    }

    /// Forgets the keys given more than [`KEY_LIFETIME_MS`] before `now` (sandbox time).
    fn expire_keys(&mut self, now: i64) {
        while let Some((at, key)) = self.keys_by_time.first().cloned() {
            if at > now.saturating_sub(KEY_LIFETIME_MS) {
                break;
            }
            self.keys_by_time.pop_first();
            if self.keys.get(&key).is_some_and(|r| r.at == at) {
                self.keys.remove(&key);
            }
        }
    }

    fn remember(&mut self, key: String, answer: Remembered) {
        if let Some(old) = self.keys.get(&key) {
            self.keys_by_time.remove(&(old.at, key.clone()));
        }
        self.keys_by_time.insert((answer.at, key.clone()));
        self.keys.insert(key, answer);
    }
}

/// A request's idempotency key and its fingerprint (a digest; credentials never in clear).
#[derive(Debug, Clone)]
pub struct Idempotency {
    pub key: String,
    pub fingerprint: String,
}

/// A vendor's answer, or the one remembered for its idempotency key (`replayed`).
#[derive(Debug)]
pub struct Answer {
    pub status: u16,
    pub body: String,
    pub replayed: bool,
    /// The sandbox time the ledger read for it (none when replayed).
    pub at: Option<Timestamp>,
}

/// One line of a sandbox's request log: never a credential (the path's credential query values
/// are redacted by the caller; no header or body is kept).
#[derive(Debug, Clone, Serialize)]
pub struct Logged {
    /// Sandbox time.
    pub time: String,
    pub method: String,
    pub path: String,
    pub profile: String,
    pub operation: Option<&'static str>,
    /// `valid` or `invalid`: the stateless validation's verdict.
    pub verdict: &'static str,
    pub status: u16,
    pub replayed: bool,
}

/// A page of a request log, newest first.
#[derive(Debug, Serialize)]
pub struct LogPage {
    pub sandbox: String,
    pub page: usize,
    pub per_page: usize,
    pub total: usize,
    pub requests: Vec<Logged>,
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
    /// The template of new sandboxes: `--world`'s snapshot, or the built-in sample world. Read
    /// once; each sandbox begins with an O(1) copy that shares its records until they change.
    template: World,
    clocks: Clocks,
    store: Box<dyn Store>,
}

fn lock(sandbox: &Mutex<Sandbox>) -> MutexGuard<'_, Sandbox> {
    // A panic in the ledger is a bug; the world it left is still the best one there is.
    sandbox.lock().unwrap_or_else(PoisonError::into_inner)
}

/// The payments of every profile, as the console lists them.
fn payments(ledger: &Ledger) -> usize {
    Profile::ALL.iter().map(|p| payrules::ledger::view::payments(ledger.world(), *p).len()).sum()
}

impl Sandboxes {
    /// The sandboxes kept by `store`, and `default` (from the template when the store has none).
    pub fn open(sample: Option<String>, clocks: Clocks, store: Box<dyn Store>) -> Result<Sandboxes, String> {
        let template = match sample {
            Some(text) => Ledger::restore(&text, Box::new(SteppingClock::new(Timestamp::from_unix_millis(0), 0)))
                .map_err(|e| format!("--world: {e}"))?
                .world()
                .clone(),
            None => World::sample(),
        };
        let sandboxes = Sandboxes { map: RwLock::default(), template, clocks, store };
        for kept in sandboxes.store.load()? {
            let name = kept.name.clone();
            let sandbox = sandboxes.restore(kept).map_err(|e| format!("the store's sandbox `{name}`: {e}"))?;
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

    /// A kept sandbox back: its base, then its journal replayed with the recorded clock readings.
    fn restore(&self, kept: Kept) -> Result<Sandbox, String> {
        let Kept { origin, base, clock, journal, keys, .. } = kept;
        let clock = SandboxClock::new(clock.unwrap_or_else(|| self.clocks.fresh()));
        let mut ledger = Ledger::restore(&base, clock.boxed()).map_err(|e| e.to_string())?;
        for entry in journal {
            if let Some(request) = &entry.request {
                clock.replay(entry.times);
                ledger.handle(request);
            }
            clock.set_mode(entry.clock);
        }
        clock.take_readings();
        let mut sandbox = Sandbox::new(ledger, clock, origin);
        for (key, remembered) in keys {
            sandbox.remember(key, remembered);
        }
        Ok(sandbox)
    }

    /// Writes every clock that moved without a journaled change (a stepping clock read by a GET).
    pub fn flush(&self) -> Result<(), String> {
        let all: Vec<(String, Arc<Mutex<Sandbox>>)> =
            self.read_map().iter().map(|(name, s)| (name.clone(), Arc::clone(s))).collect();
        for (name, sandbox) in all {
            let mut guard = lock(&sandbox);
            let mode = guard.clock.mode();
            if !guard.gone && mode != guard.recorded {
                let change = Change { request: None, times: &[], clock: mode, key: None };
                self.store.applied(&name, &guard.ledger, &change).wait().map_err(|u| u.message)?;
                guard.recorded = mode;
            }
        }
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

    fn ledger_for(&self, origin: &Origin, clock: &SandboxClock) -> Result<Ledger, Problem> {
        let restore = |text: &str| {
            Ledger::restore(text, clock.boxed()).map_err(|e| Problem::bad_request("bad_snapshot", e.to_string()))
        };
        match origin {
            Origin::Sample => Ok(Ledger::with_world(self.template.clone(), clock.boxed())),
            Origin::Empty => Ok(Ledger::empty(clock.boxed())),
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
    /// With an idempotency key seen in the last 24 hours (sandbox time): the same request gets the
    /// answer remembered, another one a 422.
    /// Blocks (it waits for the store): not on an async worker.
    pub fn handle(&self, name: &str, request: &Request, idempotency: Option<&Idempotency>) -> Result<Answer, Problem> {
        let (answer, pending) = self.apply(name, request, idempotency, true)?;
        // The sandbox is unlocked while the store commits (with other requests' changes).
        match pending.map(Pending::wait) {
            Some(Err(unkept)) => Err(self.unkept(name, unkept)),
            _ => Ok(answer),
        }
    }

    /// Whether [`Sandboxes::apply`] never blocks (the store writes in the background): then a
    /// vendor request is applied on the async worker and its change awaited with
    /// [`Pending::done`].
    pub fn applies_in_background(&self) -> bool {
        self.store.applies_in_background() || !self.store.is_durable()
    }

    /// A vendor request applied in sandbox `name` (created on first use when `create` is set:
    /// that blocks on the store): the answer, to give once the change handed to the store (if
    /// any) is kept.
    pub fn apply(
        &self,
        name: &str,
        request: &Request,
        idempotency: Option<&Idempotency>,
        create: bool,
    ) -> Result<(Answer, Option<Pending>), Problem> {
        self.with(name, create, |sandbox| {
            if let Some(Idempotency { key, fingerprint }) = idempotency {
                sandbox.expire_keys(sandbox.clock.mode().peek().unix_millis());
                if let Some(kept) = sandbox.keys.get(key) {
                    if kept.fingerprint != *fingerprint {
                        return Err(Problem::new(
                            axum::http::StatusCode::UNPROCESSABLE_ENTITY,
                            "idempotency_key_reused",
                            format!(
                                "the Idempotency-Key `{key}` was used for another request (method, path, query, body or credentials differ) in the last 24 hours; use a new key"
                            ),
                        ));
                    }
                    return Ok((Answer { status: kept.status, body: kept.body.clone(), replayed: true, at: None }, None));
                }
            }
            let read = matches!(request.method.to_ascii_uppercase().as_str(), "GET" | "HEAD" | "OPTIONS");
            // The world before a read, to tell whether it changed anything: an O(1) copy (the
            // ledger's records are persistent maps), and comparing maps a request did not touch is
            // O(1) too (they are the same nodes).
            let before = read.then(|| sandbox.ledger.world().clone());
            let response = sandbox.ledger.handle(request);
            let times = sandbox.clock.take_readings();
            let body = serde_json::to_string(&response.body).unwrap_or_default();
            let remembered = idempotency.map(|i| {
                let at = times.first().copied().unwrap_or_else(|| sandbox.clock.mode().peek());
                let answer =
                    Remembered { fingerprint: i.fingerprint.clone(), status: response.status, body: body.clone(), at: at.unix_millis() };
                (i.key.as_str(), answer)
            });
            // A refused request leaves the world as it was (the ledger's contract), and refusals
            // are 4xx/5xx: reads that were refused, and reads that changed neither the world nor
            // the clock's mode (a stepping clock moves on every reading), are left out of the
            // journal. Writes are kept whatever their answer, in case a vendor answers a change
            // with an error status.
            let unchanged = before.is_some_and(|before| {
                response.status >= 400
                    || (before == *sandbox.ledger.world() && sandbox.clock.mode() == sandbox.recorded)
            });
            let mut pending = None;
            if !unchanged || remembered.is_some() {
                let mode = sandbox.clock.mode();
                let change = Change {
                    request: Some(request),
                    times: &times,
                    clock: mode,
                    key: remembered.as_ref().map(|(k, r)| (*k, r)),
                };
                pending = Some(self.store.applied(name, &sandbox.ledger, &change));
                sandbox.recorded = mode;
            }
            if let Some((key, answer)) = remembered {
                sandbox.remember(key.to_owned(), answer);
            }
            Ok((Answer { status: response.status, body, replayed: false, at: times.first().copied() }, pending))
        })
    }

    /// A change of sandbox `name` the store could not keep: the sandbox back as kept, and the
    /// problem to answer. Blocks (it reads the store).
    pub fn unkept(&self, name: &str, unkept: Unkept) -> Problem {
        let _ = self.with(name, false, |sandbox| {
            self.undo(name, sandbox, unkept.epoch);
            Ok(())
        });
        Problem::internal(unkept.message)
    }

    /// After the store failed to keep a change of `epoch`: the sandbox back as the store has it, so
    /// that memory never runs ahead of the journal (its request log and fault rules stay).
    fn undo(&self, name: &str, sandbox: &mut Sandbox, epoch: u64) {
        match self.store.reload(name, epoch).map(|kept| kept.map(|k| self.restore(k))) {
            Ok(Some(Ok(mut restored))) => {
                restored.log = std::mem::take(&mut sandbox.log);
                restored.faults = std::mem::take(&mut sandbox.faults);
                *sandbox = restored;
            }
            Ok(None) => {}
            Ok(Some(Err(e))) | Err(e) => {
                tracing::error!(sandbox = name, "cannot reload the sandbox from the store: {e}");
            }
        }
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
        let clock = SandboxClock::new(self.clocks.fresh());
        let ledger = self.ledger_for(&origin, &clock)?;
        let sandbox = Arc::new(Mutex::new(Sandbox::new(ledger, clock, origin)));
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
        if let Err(e) = self.store.replaced(name, &guard.origin, &guard.ledger, guard.recorded) {
            drop(guard); // the map's lock is taken before a sandbox's, never the other way round
            self.write_map().remove(name);
            return Err(Problem::internal(e));
        }
        Ok(summary)
    }

    /// Takes the sandbox back to the world it was created from, with a fresh clock.
    pub fn reset(&self, name: &str) -> Result<Summary, Problem> {
        self.with(name, false, |sandbox| {
            let clock = SandboxClock::new(self.clocks.fresh());
            sandbox.ledger = self.ledger_for(&sandbox.origin, &clock)?;
            sandbox.recorded = clock.mode();
            sandbox.clock = clock;
            sandbox.keys.clear();
            sandbox.keys_by_time.clear();
            self.store.replaced(name, &sandbox.origin, &sandbox.ledger, sandbox.recorded).map_err(Problem::internal)?;
            Ok(Summary { name: name.to_owned(), payments: payments(&sandbox.ledger) })
        })
    }

    /// Adds a line to the sandbox's request log (`at`: the time the ledger read, else now).
    pub fn log(&self, name: &str, at: Option<Timestamp>, mut line: Logged) {
        let _ = self.with(name, false, |sandbox| {
            line.time = at.unwrap_or_else(|| sandbox.clock.mode().peek()).utc_millis();
            if sandbox.log.len() >= LOG_LENGTH {
                sandbox.log.pop_front();
            }
            sandbox.log.push_back(line.clone());
            Ok(())
        });
    }

    /// Page `page` (from 1) of the request log, `per_page` lines, newest first.
    pub fn requests(&self, name: &str, page: usize, per_page: usize) -> Result<LogPage, Problem> {
        self.with(name, false, |sandbox| {
            let requests = sandbox
                .log
                .iter()
                .rev()
                .skip(page.saturating_sub(1).saturating_mul(per_page))
                .take(per_page)
                .cloned()
                .collect();
            Ok(LogPage { sandbox: name.to_owned(), page, per_page, total: sandbox.log.len(), requests })
        })
    }

    /// The fault to inject into a request of the sandbox, if a rule fires (none for a sandbox
    /// that does not exist yet: it has no rules).
    pub fn fault(&self, name: &str, profile: &str, method: &str, path: &str) -> Option<Action> {
        self.with(name, false, |sandbox| Ok(faults::pick(&mut sandbox.faults, profile, method, path))).ok().flatten()
    }

    /// Adds a fault rule (after the others); every rule of the sandbox.
    pub fn add_fault(&self, name: &str, rule: &Rule) -> Result<Vec<Rule>, Problem> {
        rule.check().map_err(|m| Problem::bad_request("bad_fault", m))?;
        self.with(name, false, |sandbox| {
            if sandbox.faults.len() >= faults::MAX_RULES {
                return Err(Problem::bad_request(
                    "too_many_faults",
                    format!("a sandbox has at most {} fault rules; delete them first", faults::MAX_RULES),
                ));
            }
            sandbox.faults.push(Fault::new(rule.clone()));
            Ok(sandbox.faults.iter().map(|f| f.rule.clone()).collect())
        })
    }

    pub fn faults(&self, name: &str) -> Result<Vec<Rule>, Problem> {
        self.with(name, false, |sandbox| Ok(sandbox.faults.iter().map(|f| f.rule.clone()).collect()))
    }

    pub fn clear_faults(&self, name: &str) -> Result<(), Problem> {
        self.with(name, false, |sandbox| {
            sandbox.faults.clear();
            Ok(())
        })
    }

    /// The sandbox's clock: its mode and the time it reads now (without moving it).
    pub fn clock(&self, name: &str) -> Result<(Mode, Timestamp), Problem> {
        self.with(name, false, |sandbox| {
            let mode = sandbox.clock.mode();
            Ok((mode, mode.peek()))
        })
    }

    /// Sets the sandbox's clock (a test clock: frozen, or moved on); the store keeps it.
    pub fn set_clock(&self, name: &str, change: impl Fn(Mode) -> Mode) -> Result<(Mode, Timestamp), Problem> {
        self.with(name, false, |sandbox| {
            let mode = change(sandbox.clock.mode());
            let change = Change { request: None, times: &[], clock: mode, key: None };
            if let Err(unkept) = self.store.applied(name, &sandbox.ledger, &change).wait() {
                self.undo(name, sandbox, unkept.epoch);
                return Err(Problem::internal(unkept.message));
            }
            sandbox.clock.set_mode(mode);
            sandbox.recorded = mode;
            Ok((mode, mode.peek()))
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

#[cfg(test)]
mod tests {
    use payrules::Profile;
    use payrules::ledger::{Ledger, SteppingClock};

    #[test]
    fn the_payment_count_is_the_views_count() {
        let ledger = Ledger::sample(Box::new(SteppingClock::default()));
        let views: usize =
            Profile::ALL.iter().map(|p| payrules::ledger::view::payments(ledger.world(), *p).len()).sum();
        assert_eq!(super::payments(&ledger), views);
    }
}
