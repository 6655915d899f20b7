//! Each sandbox's clock: the machine's (possibly shifted), a stepping clock (`--now`), or frozen —
//! one value that serializes ([`Mode`]), so that the store keeps it; and a handle that the ledger
//! reads through ([`SandboxClock`]) which records every reading (the journal keeps them) or, while
//! a journal is replayed, hands back the recorded ones instead.

use std::collections::VecDeque;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{SystemTime, UNIX_EPOCH};

use payrules::ledger::{Clock, Timestamp};
use serde::{Deserialize, Serialize};

/// How a sandbox's clock moves.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "mode", rename_all = "lowercase")]
pub enum Mode {
    /// The machine's clock, moved on by `offset_ms` (advances add to it).
    System { offset_ms: i64 },
    /// Starts at `next` (ms since the epoch) and moves on by `step_ms` at each reading.
    Stepping { next: i64, step_ms: i64 },
    /// Always `at` until advanced.
    Frozen { at: i64 },
}

/// The machine's clock, in milliseconds since the Unix epoch.
pub(crate) fn machine_millis() -> i64 {
    let ms = SystemTime::now().duration_since(UNIX_EPOCH).map_or(0, |d| d.as_millis());
    i64::try_from(ms).unwrap_or(i64::MAX)
}

impl Mode {
    /// The time a reading would give now, without moving the clock.
    pub fn peek(self) -> Timestamp {
        match self {
            Mode::System { offset_ms } => Timestamp::from_unix_millis(machine_millis().saturating_add(offset_ms)),
            Mode::Stepping { next, .. } => Timestamp::from_unix_millis(next),
            Mode::Frozen { at } => Timestamp::from_unix_millis(at),
        }
    }

    fn read(&mut self) -> Timestamp {
        let now = self.peek();
        if let Mode::Stepping { next, step_ms } = self {
            *next = next.saturating_add(*step_ms);
        }
        now
    }

    /// The same clock `ms` later (negative: earlier).
    #[must_use]
    pub fn advanced(self, ms: i64) -> Mode {
        match self {
            Mode::System { offset_ms } => Mode::System { offset_ms: offset_ms.saturating_add(ms) },
            Mode::Stepping { next, step_ms } => Mode::Stepping { next: next.saturating_add(ms), step_ms },
            Mode::Frozen { at } => Mode::Frozen { at: at.saturating_add(ms) },
        }
    }
}

#[derive(Debug)]
struct Inner {
    mode: Mode,
    /// Readings since the last [`SandboxClock::take_readings`].
    readings: Vec<Timestamp>,
    /// Readings to hand back (replaying a journal) before the mode is read again.
    replay: VecDeque<Timestamp>,
}

/// A sandbox's clock, shared by the sandbox and its ledger (the ledger owns a clone).
#[derive(Debug, Clone)]
pub struct SandboxClock(Arc<Mutex<Inner>>);

impl SandboxClock {
    pub fn new(mode: Mode) -> SandboxClock {
        SandboxClock(Arc::new(Mutex::new(Inner { mode, readings: Vec::new(), replay: VecDeque::new() })))
    }

    fn inner(&self) -> std::sync::MutexGuard<'_, Inner> {
        self.0.lock().unwrap_or_else(PoisonError::into_inner)
    }

    pub fn mode(&self) -> Mode {
        self.inner().mode
    }

    pub fn set_mode(&self, mode: Mode) {
        self.inner().mode = mode;
    }

    /// The readings made since the last call (what the journal records with a request).
    pub fn take_readings(&self) -> Vec<Timestamp> {
        std::mem::take(&mut self.inner().readings)
    }

    /// The next readings give `readings`, in order (then the mode again).
    pub fn replay(&self, readings: impl IntoIterator<Item = Timestamp>) {
        let mut inner = self.inner();
        inner.replay = readings.into_iter().collect();
        inner.readings.clear();
    }

    /// A boxed clone for a ledger.
    pub fn boxed(&self) -> Box<dyn Clock> {
        Box::new(self.clone())
    }
}

impl Clock for SandboxClock {
    fn now(&mut self) -> Timestamp {
        let mut inner = self.inner();
        let now = match inner.replay.pop_front() {
            Some(recorded) => recorded,
            None => inner.mode.read(),
        };
        inner.readings.push(now);
        now
    }
}

#[cfg(test)]
mod tests {
    use payrules::ledger::{Clock, Timestamp};

    use super::{Mode, SandboxClock};

    #[test]
    fn records_readings_and_replays_them() {
        let mut clock = SandboxClock::new(Mode::Stepping { next: 1000, step_ms: 1000 });
        assert_eq!(clock.now(), Timestamp::from_unix_millis(1000));
        assert_eq!(clock.now(), Timestamp::from_unix_millis(2000));
        assert_eq!(clock.take_readings().len(), 2);
        clock.replay([Timestamp::from_unix_millis(7)]);
        assert_eq!(clock.now(), Timestamp::from_unix_millis(7));
        assert_eq!(clock.now(), Timestamp::from_unix_millis(3000));
        clock.set_mode(Mode::Frozen { at: 5 }.advanced(10));
        assert_eq!(clock.now(), Timestamp::from_unix_millis(15));
        assert_eq!(clock.now(), Timestamp::from_unix_millis(15));
    }
}
