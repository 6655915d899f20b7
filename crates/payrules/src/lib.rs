//! payrules: the payment rules of five payment APIs (Komet Sales, ActivePlatform, CRM.COM,
//! plentymarkets, LogiSense Billing) as one pure engine.
//!
//! The flow: a [`Request`] is [`validate`]d against its operation's stateless field rules, giving a
//! [`Report`] of every [`Violation`]; a [`ledger::Ledger`] answers it statefully, as the vendor
//! would. Lifecycles are data ([`lifecycle`]), one table per profile. The core does no I/O and
//! reads no clock, so it gives the same verdict natively, in Node and in a browser.
//!
//! # Validate a request
//!
//! A request is `{profile, method, path, query?, headers?, body?}` as JSON text (a body given as
//! a JSON string is read as the body's text, so decimals stay exact), or a [`Request`] value.
//!
//! ```
//! let report = payrules::validate_json(
//!     r#"{"profile":"plentymarkets","method":"POST","path":"/rest/payments",
//!         "headers":{"Authorization":"Bearer token"},
//!         "body":"{\"amount\":12.34,\"exchangeRatio\":1.0000,\"mopId\":6000,\"currency\":\"EUR\",\"type\":\"credit\",\"status\":1,\"transactionType\":2}"}"#,
//! );
//! assert!(!report.valid);
//! assert_eq!(report.operation.as_deref(), Some("plentymarkets.create_payment"));
//! let amount = &report.errors[0];
//! assert_eq!((amount.path.as_str(), amount.code), ("/body/amount", payrules::Code::Pattern));
//! assert_eq!(amount.suggestion.as_deref(), Some("12.3400")); // exactly four decimals, as the vendor means
//! ```
//!
//! For JSON Lines, [`validate_json_bytes`] takes one line's bytes (`None` for a blank line), and
//! [`verdict_json_bytes`] only says whether it is valid — in one pass over the bytes, without
//! building a report for a valid line; [`check_json_bytes`] gives the report of an invalid line
//! from that same pass; [`verdicts`] gives a whole batch's verdicts, line by line.
//!
//! # Run a ledger with a clock
//!
//! A [`ledger::Ledger`] holds every vendor's records (the sample world, an empty one, or a restored
//! snapshot) and a [`ledger::Clock`]; with a [`ledger::SteppingClock`] a run is reproducible.
//! A refused request leaves the ledger as it was.
//!
//! ```
//! use payrules::ledger::{Ledger, SteppingClock, Timestamp};
//!
//! let clock = SteppingClock::new(Timestamp::parse("2024-01-01T09:00:00Z").unwrap(), 1000);
//! let mut ledger = Ledger::sample(Box::new(clock));
//! let created = ledger.handle_json(
//!     r#"{"profile":"plentymarkets","method":"POST","path":"/rest/payments",
//!         "headers":{"Authorization":"Bearer plenty-scenario-token"},
//!         "body":"{\"amount\":12.3400,\"exchangeRatio\":1.0000,\"mopId\":6000,\"currency\":\"EUR\",\"type\":\"credit\",\"status\":1,\"transactionType\":2}"}"#,
//! );
//! assert_eq!(created.status, 200);
//! let id = created.body["id"].clone();
//! let fetched = ledger.handle_json(&format!(
//!     r#"{{"profile":"plentymarkets","method":"GET","path":"/rest/payments/{id}","headers":{{"Authorization":"Bearer plenty-scenario-token"}}}}"#
//! ));
//! assert_eq!(fetched.body["amount"].to_string(), "12.3400"); // the amount as sent, exactly
//! let snapshot = ledger.snapshot(); // JSON text; Ledger::restore gives the same ledger back
//! assert!(Ledger::restore(&snapshot, Box::new(SteppingClock::default())).is_ok());
//! ```
//!
//! # Read profiles, operations, fields and lifecycles
//!
//! ```
//! use payrules::Profile;
//!
//! for profile in Profile::ALL {
//!     println!("{} ({} operations)", profile.vendor(), profile.operations().len());
//! }
//! let crm: Profile = "crmcom".parse().unwrap();
//! let create = crm.operation("crmcom.payments_create").unwrap();
//! assert_eq!((create.method.as_str(), create.path), ("POST", "/payments/create"));
//! let actions = payrules::allowed_actions(crm, "DRAFT").unwrap();
//! assert!(actions.iter().any(|a| a.to == "POSTED"));
//! ```
//!
//! # Draw a lifecycle
//!
//! ```
//! let diagram = payrules::Profile::Plentymarkets.lifecycle().mermaid();
//! assert!(diagram.starts_with("stateDiagram-v2"));
//! ```
//!
//! More in `crates/payrules/examples/`: validate a JSON Lines file, emulate a CRM.COM cancel with
//! a fixed clock, print every lifecycle as Mermaid.
#![warn(missing_docs)]
#![cfg_attr(not(test), deny(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing))]

// The registry and the operation macro come first: every module below may use them.
#[macro_use]
mod registry;
#[macro_use]
mod operation;

/// Requests from field values (an operation's inputs and the request text they make): used by
/// payrules' own crates (the console's form, the file check's CSV rows), not part of the stable API.
#[doc(hidden)]
pub mod compose;
pub mod credentials;
pub mod curl;
mod datetime;
pub mod fast;
/// Deterministic request batches for benchmarks and cross-runtime parity checks: payrules' own
/// tools, not part of the stable API.
#[doc(hidden)]
pub mod generate;
/// The strict zero-copy JSON reader the checker walks: used by payrules' own crates (the console's
/// forms), not part of the stable API.
#[doc(hidden)]
pub mod json;
pub mod ledger;
pub mod lifecycle;
pub mod money;
pub mod openapi;
mod pointer;
mod profile;
pub mod profiles;
mod report;
mod request;
pub mod rules;
pub mod vendors;

pub use datetime::{DateError, DateTime};
pub use profiles::{Method, Operation, Profile, validate, validate_json};
pub use report::{Code, Report, Severity, Violation};
pub use request::{Request, Response};

/// The actions allowed on a payment of `profile` in `state` (the vendor's spelling), in table order.
pub fn allowed_actions(
    profile: Profile,
    state: &str,
) -> Result<Vec<lifecycle::AllowedAction>, lifecycle::LifecycleError> {
    profile.lifecycle().allowed_actions(state)
}

/// Validates one line of JSON Lines given as bytes; `None` for a blank line (nothing to judge).
///
/// Bytes that are not UTF-8 give an `invalid_json` report naming the byte's column.
pub fn validate_json_bytes(line: &[u8]) -> Option<Report> {
    // The report written from the one pass's reading where it can replay the checker exactly
    // (`tests/fast.rs` compares the two byte for byte), else the table-driven checker's.
    fast::report(line).or_else(|| validate_json_bytes_by_table(line))
}

/// [`validate_json_bytes`] always by the table-driven checker (the tree of the line, then its
/// rules), never from the one pass: the oracle the one pass is tested against, and what a caller
/// that has already run the pass without a report (the CLI's `quick_report`) asks next.
#[doc(hidden)]
pub fn validate_json_bytes_by_table(line: &[u8]) -> Option<Report> {
    if line.iter().all(u8::is_ascii_whitespace) {
        return None;
    }
    Some(match std::str::from_utf8(line) {
        Ok(text) => validate_json(text),
        Err(e) => Report::new(
            None,
            vec![Violation::error(
                "",
                Code::InvalidJson,
                format!("the request is not UTF-8 text: invalid byte at line 1, column {}", e.valid_up_to() + 1),
            )],
        ),
    })
}

/// The verdict on one line of JSON Lines given as bytes: `None` for a blank line, else
/// `Some(valid)`, always equal to `validate_json_bytes(line).map(|r| r.valid)`. Decided in one pass
/// over the bytes, without a tree, where it can be ([`fast::quick`]), by the full checker
/// otherwise; no report is built. For a report, call [`validate_json_bytes`].
pub fn verdict_json_bytes(line: &[u8]) -> Option<bool> {
    match fast::verdict(line) {
        fast::Quick::Blank => None,
        fast::Quick::Invalid => Some(false),
        fast::Quick::Valid { .. } => Some(true),
        fast::Quick::Undecided => validate_json_bytes_by_table(line).map(|r| r.valid),
    }
}

/// The verdict on one line of JSON Lines given as bytes and, where it is invalid, its full
/// report: `None` for a blank line, `Some(Ok(()))` for a valid one (its warnings are not written),
/// `Some(Err(report))` for an invalid one, the report [`validate_json_bytes`] gives. Decided and
/// written in one pass over the bytes where it can be, where [`verdict_json_bytes`] and then
/// `validate_json_bytes` would read an invalid line twice.
pub fn check_json_bytes(line: &[u8]) -> Option<Result<(), Report>> {
    match fast::verdict_report(line) {
        (fast::Quick::Blank, _) => None,
        (fast::Quick::Valid { .. }, _) => Some(Ok(())),
        (fast::Quick::Invalid, Some(report)) => Some(Err(report)),
        // The pass cannot say, or cannot write the report: the checker's (the report
        // `validate_json_bytes` gives too; its own one pass mostly stops where this one did).
        (fast::Quick::Invalid | fast::Quick::Undecided, _) => {
            validate_json_bytes_by_table(line).map(|r| if r.valid { Ok(()) } else { Err(r) })
        }
    }
}

/// The verdicts on a batch of JSON Lines, one per non-blank line in order: the line's range in
/// `bytes` (without its `\n`) and whether it is valid, as [`verdict_json_bytes`] of that line says.
/// The batch's text is checked as UTF-8 some 32 KB of lines at a time, and each line read in one
/// pass that stops at its `\n`; only a line that pass cannot decide is searched for its end (eight
/// bytes at a time, `fast::line_end`) and judged on its own.
pub fn verdicts(bytes: &[u8]) -> Verdicts<'_> {
    Verdicts { bytes, start: 0, text: None }
}

/// The iterator [`verdicts`] returns.
#[derive(Clone, Debug)]
pub struct Verdicts<'a> {
    bytes: &'a [u8],
    /// Where the next line begins; past the end once every line was given.
    start: usize,
    /// A run of the bytes that is UTF-8 text, and where it begins: [`Verdicts::RUN`] bytes or so
    /// (to a line's end, or to the end of the bytes), or less where a byte that is not UTF-8 follows.
    text: Option<(usize, &'a str)>,
}

impl<'a> Verdicts<'a> {
    /// The bytes checked as UTF-8 at a time: about this many, to the end of a line. The iterator
    /// does no work ahead of the lines it gives but this, and the pass reads each line soon after
    /// the check did.
    const RUN: usize = 1 << 15;

    /// The text from `start` on, and whether it runs to the end of the bytes; `None` where `start`
    /// is not a character's start.
    fn text_at(&mut self, start: usize) -> Option<(&'a str, bool)> {
        let (at, text) = match self.text {
            Some((at, text)) if (at..at + text.len()).contains(&start) => (at, text),
            _ => {
                let rest = self.bytes.get(start..)?;
                let run = match rest.get(Self::RUN..) {
                    Some(after) => rest.get(..Self::RUN + fast::line_end(after) + 1).unwrap_or(rest),
                    None => rest,
                };
                let text = match simdutf8::compat::from_utf8(run) {
                    Ok(text) => text,
                    Err(e) => simdutf8::basic::from_utf8(run.get(..e.valid_up_to())?).ok()?,
                };
                self.text = Some((start, text));
                (start, text)
            }
        };
        Some((text.get(start - at..)?, at + text.len() == self.bytes.len()))
    }
}

impl Iterator for Verdicts<'_> {
    type Item = (std::ops::Range<usize>, bool);

    fn next(&mut self) -> Option<Self::Item> {
        let bytes = self.bytes;
        while let Some(rest) = bytes.get(self.start..) {
            let start = self.start;
            // Read in one pass up to the line's `\n`, where the pass can decide.
            if let Some((n, valid)) = self.text_at(start).and_then(|(text, whole)| fast::line_verdict(text, whole)) {
                self.start = start + n + 1;
                return Some((start..start + n, valid));
            }
            let n = fast::line_end(rest);
            self.start = start + n + 1;
            if let Some(valid) = verdict_json_bytes(rest.get(..n).unwrap_or_default()) {
                return Some((start..start + n, valid));
            }
        }
        None
    }
}
