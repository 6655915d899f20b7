//! Time for the ledger, handed in from outside: the core reads no clock of its own.

use std::fmt;

use serde::{Deserialize, Serialize};

use crate::datetime::{DateTime, civil_from_days};

/// An instant, in milliseconds since the Unix epoch (UTC).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Timestamp(i64);

impl Timestamp {
    /// From milliseconds since the Unix epoch.
    pub const fn from_unix_millis(ms: i64) -> Self {
        Timestamp(ms)
    }

    /// Milliseconds since the Unix epoch.
    pub const fn unix_millis(self) -> i64 {
        self.0
    }

    /// Parses an ISO 8601 / RFC 3339 date-time (`2024-01-31T10:00:00Z`, `…+03:00`; no offset is UTC).
    pub fn parse(text: &str) -> Option<Timestamp> {
        DateTime::parse(text, false).ok().map(|d| Timestamp(d.unix_millis()))
    }

    /// The same instant `ms` milliseconds later (saturating).
    #[must_use]
    pub const fn plus_millis(self, ms: i64) -> Timestamp {
        Timestamp(self.0.saturating_add(ms))
    }

    fn parts(self, offset_minutes: i32) -> (i64, u32, u32, i64, i64, i64, i64) {
        let ms = self.0 + i64::from(offset_minutes) * 60_000;
        let days = ms.div_euclid(86_400_000);
        let in_day = ms.rem_euclid(86_400_000);
        let (y, mo, d) = civil_from_days(days);
        (y, mo, d, in_day / 3_600_000, in_day / 60_000 % 60, in_day / 1000 % 60, in_day % 1000)
    }

    /// `2021-04-26T15:25:27.587Z` (LogiSense).
    pub fn utc_millis(self) -> String {
        let (y, mo, d, h, mi, s, ms) = self.parts(0);
        format!("{y:04}-{mo:02}-{d:02}T{h:02}:{mi:02}:{s:02}.{ms:03}Z")
    }

    /// `2014-07-14T10:35:57`: local time without an offset, as CRM.COM writes it.
    pub fn local_seconds(self, offset_minutes: i32) -> String {
        let (y, mo, d, h, mi, s, _) = self.parts(offset_minutes);
        format!("{y:04}-{mo:02}-{d:02}T{h:02}:{mi:02}:{s:02}")
    }

    /// `2016-10-04T11:17:40.467+03:00` (ActivePlatform).
    pub fn with_offset_millis(self, offset_minutes: i32) -> String {
        let (y, mo, d, h, mi, s, ms) = self.parts(offset_minutes);
        let sign = if offset_minutes < 0 { '-' } else { '+' };
        let off = offset_minutes.unsigned_abs();
        format!("{y:04}-{mo:02}-{d:02}T{h:02}:{mi:02}:{s:02}.{ms:03}{sign}{:02}:{:02}", off / 60, off % 60)
    }

    /// `2024-01-31T10:00:00+01:00` (plentymarkets).
    pub fn with_offset_seconds(self, offset_minutes: i32) -> String {
        let (y, mo, d, h, mi, s, _) = self.parts(offset_minutes);
        let sign = if offset_minutes < 0 { '-' } else { '+' };
        let off = offset_minutes.unsigned_abs();
        format!("{y:04}-{mo:02}-{d:02}T{h:02}:{mi:02}:{s:02}{sign}{:02}:{:02}", off / 60, off % 60)
    }
}

impl fmt::Display for Timestamp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.utc_millis())
    }
}

/// Where the ledger's time comes from.
pub trait Clock: fmt::Debug + Send {
    /// The time of the request being handled.
    fn now(&mut self) -> Timestamp;
}

/// A reproducible clock: starts at a given instant and moves on by a fixed step at each reading.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SteppingClock {
    next: Timestamp,
    step_millis: i64,
}

impl SteppingClock {
    /// Starts at `start`; every reading moves on by `step_millis`.
    pub fn new(start: Timestamp, step_millis: i64) -> Self {
        SteppingClock { next: start, step_millis }
    }
}

impl Default for SteppingClock {
    /// 2024-01-01T09:00:00Z, one second per request.
    fn default() -> Self {
        SteppingClock::new(Timestamp(1_704_099_600_000), 1000)
    }
}

impl Clock for SteppingClock {
    fn now(&mut self) -> Timestamp {
        let now = self.next;
        self.next = self.next.plus_millis(self.step_millis);
        now
    }
}

/// Reproducible identifiers derived from a counter: the same ledger history gives the same ids.
pub fn mix(seed: u64) -> u64 {
    // splitmix64
    let mut z = seed.wrapping_add(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// 32 upper-case hexadecimal digits from `seed` (CRM.COM ids, plentymarkets hashes).
pub(crate) fn hex32(seed: u64) -> String {
    format!("{:016X}{:016X}", mix(seed), mix(seed ^ 0xA5A5_A5A5_A5A5_A5A5))
}

/// A UUID-shaped text from `seed` (LogiSense `trackingId`).
pub(crate) fn uuid(seed: u64) -> String {
    let (a, b) = (mix(seed), mix(seed.wrapping_add(1)));
    format!(
        "{:08x}-{:04x}-4{:03x}-{:04x}-{:012x}",
        a >> 32,
        (a >> 16) & 0xffff,
        a & 0xfff,
        ((b >> 48) & 0x3fff) | 0x8000,
        b & 0xffff_ffff_ffff
    )
}

#[cfg(test)]
mod tests {
    use super::{Clock, SteppingClock, Timestamp, hex32, uuid};

    #[test]
    fn formats_as_the_vendors_write() {
        let t = Timestamp::parse("2016-10-04T11:17:40.467+03:00").unwrap();
        assert_eq!(t.with_offset_millis(180), "2016-10-04T11:17:40.467+03:00");
        assert_eq!(t.utc_millis(), "2016-10-04T08:17:40.467Z");
        assert_eq!(t.local_seconds(0), "2016-10-04T08:17:40");
        assert_eq!(t.with_offset_seconds(-90), "2016-10-04T06:47:40-01:30");
        assert_eq!(Timestamp::parse("1969-12-31T23:59:59Z").unwrap().utc_millis(), "1969-12-31T23:59:59.000Z");
        assert_eq!(Timestamp::parse("2024-02-29").unwrap().utc_millis(), "2024-02-29T00:00:00.000Z");
    }

    #[test]
    fn stepping_clock_and_ids_are_reproducible() {
        let mut c = SteppingClock::default();
        assert_eq!(c.now().utc_millis(), "2024-01-01T09:00:00.000Z");
        assert_eq!(c.now().utc_millis(), "2024-01-01T09:00:01.000Z");
        assert_eq!(hex32(7), hex32(7));
        assert_ne!(hex32(7), hex32(8));
        assert_eq!(hex32(7).len(), 32);
        assert_eq!(uuid(1).len(), 36);
        assert_eq!(&uuid(1)[14..15], "4");
    }
}
