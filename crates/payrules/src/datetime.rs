//! ISO 8601 dates and date-times that exist on the calendar, without a clock or a time library.

/// A parsed ISO 8601 value, comparable as an instant.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct DateTime {
    /// Seconds since 1970-01-01T00:00:00 in the value's own offset.
    local_seconds: i64,
    /// Nanoseconds within the second.
    nanos: u32,
    /// Offset from UTC in minutes, when the text gives one.
    offset_minutes: Option<i32>,
}

/// Why a text is not an ISO 8601 date-time.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum DateError {
    /// The text does not have the shape `YYYY-MM-DD[THH:MM[:SS[.fff]]][Z|±HH:MM]`.
    Shape,
    /// It has the shape, but names a day or time that does not exist (the message says why).
    Calendar(String),
}

impl std::fmt::Display for DateError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            DateError::Shape => f.write_str(
                "not an ISO 8601 date-time: write YYYY-MM-DD or YYYY-MM-DDTHH:MM:SS, optionally with .fff and Z or ±HH:MM",
            ),
            DateError::Calendar(why) => write!(f, "not a day or time on the calendar: {why}"),
        }
    }
}

impl std::error::Error for DateError {}

const MONTHS: [&str; 12] = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
];

/// Days in `month` (1–12) of `year`, in the proleptic Gregorian calendar.
fn days_in_month(year: i64, month: u32) -> u32 {
    match month {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        _ if (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 => 29,
        _ => 28,
    }
}

/// Days from 1970-01-01 to the given civil date (Howard Hinnant's algorithm).
fn days_from_civil(year: i64, month: u32, day: u32) -> i64 {
    let y = if month <= 2 { year - 1 } else { year };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let m = i64::from(month);
    let mp = if m > 2 { m - 3 } else { m + 9 };
    let doy = (153 * mp + 2) / 5 + i64::from(day) - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

fn digits(bytes: &[u8], at: usize, n: usize) -> Option<u32> {
    let slice = bytes.get(at..at + n)?;
    let mut v = 0u32;
    for &b in slice {
        if !b.is_ascii_digit() {
            return None;
        }
        v = v * 10 + u32::from(b - b'0');
    }
    Some(v)
}

impl DateTime {
    /// Parses `YYYY-MM-DD` or a date-time `YYYY-MM-DDTHH:MM[:SS[.f{1,9}]][Z|±HH:MM|±HHMM]`
    /// (a space is accepted for `T`). With `date_only`, only the date form is accepted.
    pub fn parse(text: &str, date_only: bool) -> Result<DateTime, DateError> {
        let b = text.as_bytes();
        let year = digits(b, 0, 4).ok_or(DateError::Shape)?;
        if b.get(4) != Some(&b'-') || b.get(7) != Some(&b'-') {
            return Err(DateError::Shape);
        }
        let month = digits(b, 5, 2).ok_or(DateError::Shape)?;
        let day = digits(b, 8, 2).ok_or(DateError::Shape)?;
        let year = i64::from(year);
        if !(1..=12).contains(&month) {
            return Err(DateError::Calendar(format!("there is no month {month:02}")));
        }
        let max_day = days_in_month(year, month);
        if day == 0 || day > max_day {
            let name = MONTHS.get(month as usize - 1).copied().unwrap_or("that month");
            return Err(DateError::Calendar(format!("{name} {year} has {max_day} days, not {day}")));
        }
        let days = days_from_civil(year, month, day);
        if b.len() == 10 {
            return Ok(DateTime { local_seconds: days * 86_400, nanos: 0, offset_minutes: None });
        }
        if date_only || !matches!(b.get(10), Some(b'T' | b't' | b' ')) {
            return Err(DateError::Shape);
        }
        let hour = digits(b, 11, 2).ok_or(DateError::Shape)?;
        if b.get(13) != Some(&b':') {
            return Err(DateError::Shape);
        }
        let minute = digits(b, 14, 2).ok_or(DateError::Shape)?;
        let mut at = 16;
        let mut second = 0;
        let mut nanos = 0u32;
        if b.get(at) == Some(&b':') {
            second = digits(b, at + 1, 2).ok_or(DateError::Shape)?;
            at += 3;
            if b.get(at) == Some(&b'.') {
                at += 1;
                let start = at;
                while b.get(at).is_some_and(u8::is_ascii_digit) {
                    at += 1;
                }
                let n = at - start;
                if n == 0 || n > 9 {
                    return Err(DateError::Shape);
                }
                let frac = digits(b, start, n).ok_or(DateError::Shape)?;
                nanos = frac * 10u32.pow(9 - u32::try_from(n).map_err(|_| DateError::Shape)?);
            }
        }
        if hour > 23 {
            return Err(DateError::Calendar(format!("there is no hour {hour:02} (00–23)")));
        }
        if minute > 59 {
            return Err(DateError::Calendar(format!("there is no minute {minute:02} (00–59)")));
        }
        if second > 59 {
            return Err(DateError::Calendar(format!("there is no second {second:02} (00–59)")));
        }
        let offset_minutes = match b.get(at) {
            None => None,
            Some(b'Z' | b'z') if b.len() == at + 1 => Some(0),
            Some(&sign @ (b'+' | b'-')) => {
                let oh = digits(b, at + 1, 2).ok_or(DateError::Shape)?;
                let om = match (b.len() - at, b.get(at + 3)) {
                    (6, Some(b':')) => digits(b, at + 4, 2).ok_or(DateError::Shape)?,
                    (5, _) => digits(b, at + 3, 2).ok_or(DateError::Shape)?,
                    (3, None) => 0,
                    _ => return Err(DateError::Shape),
                };
                if oh > 23 || om > 59 {
                    return Err(DateError::Calendar(format!("there is no UTC offset {oh:02}:{om:02}")));
                }
                let total = i32::try_from(oh * 60 + om).map_err(|_| DateError::Shape)?;
                Some(if sign == b'-' { -total } else { total })
            }
            Some(_) => return Err(DateError::Shape),
        };
        let local_seconds = days * 86_400 + i64::from(hour * 3600 + minute * 60 + second);
        Ok(DateTime { local_seconds, nanos, offset_minutes })
    }

    /// Milliseconds since the Unix epoch; a value without an offset is read as UTC.
    pub fn unix_millis(&self) -> i64 {
        (self.local_seconds - i64::from(self.offset_minutes.unwrap_or(0)) * 60) * 1000
            + i64::from(self.nanos / 1_000_000)
    }

    /// Orders two values as instants. Values without an offset are compared as written,
    /// which is what a vendor does with its own local times.
    pub fn cmp_instant(&self, other: &DateTime) -> std::cmp::Ordering {
        let key = |d: &DateTime| (d.local_seconds - i64::from(d.offset_minutes.unwrap_or(0)) * 60, d.nanos);
        key(self).cmp(&key(other))
    }
}

/// The civil date of a day count since 1970-01-01 (Howard Hinnant's algorithm).
pub(crate) fn civil_from_days(days: i64) -> (i64, u32, u32) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = u32::try_from(doy - (153 * mp + 2) / 5 + 1).unwrap_or(1);
    let m = u32::try_from(if mp < 10 { mp + 3 } else { mp - 9 }).unwrap_or(1);
    (if m <= 2 { y + 1 } else { y }, m, d)
}

#[cfg(test)]
mod tests {
    use super::{DateError, DateTime};

    #[test]
    fn accepts_the_vendor_forms() {
        for ok in [
            "2014-07-14",
            "2014-07-14T09:12:54",
            "2021-04-26T15:25:27.587Z",
            "2016-10-04T11:17:40.467+03:00",
            "2024-02-29T00:00",
            "2000-02-29 23:59:59",
            "2016-10-04T11:17:40+0300",
        ] {
            assert!(DateTime::parse(ok, false).is_ok(), "{ok}");
        }
    }

    #[test]
    fn refuses_days_that_do_not_exist() {
        assert!(
            matches!(DateTime::parse("2023-02-29", false), Err(DateError::Calendar(m)) if m.contains("February 2023 has 28 days"))
        );
        assert!(matches!(DateTime::parse("1900-02-29", true), Err(DateError::Calendar(_))));
        assert!(matches!(DateTime::parse("2023-13-01", false), Err(DateError::Calendar(_))));
        assert!(matches!(DateTime::parse("2023-04-31T10:00:00", false), Err(DateError::Calendar(_))));
        assert!(matches!(DateTime::parse("2023-04-30T24:00:00", false), Err(DateError::Calendar(_))));
        assert_eq!(DateTime::parse("2023-04-30T10:00:00Zx", false), Err(DateError::Shape));
        assert_eq!(DateTime::parse("14-07-2014", false), Err(DateError::Shape));
        assert_eq!(DateTime::parse("2014-07-14T10:00:00", true), Err(DateError::Shape));
        assert_eq!(DateTime::parse("2014-07-14T10:00:00.", false), Err(DateError::Shape));
    }

    #[test]
    fn compares_as_instants() {
        let a = DateTime::parse("2016-10-04T11:00:00+03:00", false).unwrap();
        let b = DateTime::parse("2016-10-04T08:30:00Z", false).unwrap();
        assert_eq!(a.cmp_instant(&b), std::cmp::Ordering::Less);
        let c = DateTime::parse("1969-12-31", true).unwrap();
        let d = DateTime::parse("1970-01-01", true).unwrap();
        assert_eq!(c.cmp_instant(&d), std::cmp::Ordering::Less);
    }
}
