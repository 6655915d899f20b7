//! payrules: the payment rules of five payment APIs (Komet Sales, ActivePlatform, CRM.COM,
//! plentymarkets, LogiSense Billing) as one pure engine.
//!
//! The flow: a [`Request`] is [`validate`]d against its operation's stateless field rules, giving a
//! [`Report`] of every [`Violation`]. Lifecycles are data ([`lifecycle`]), one table per profile.
//! The core does no I/O and reads no clock, so it gives the same verdict natively, in Node and in
//! a browser.
#![cfg_attr(not(test), deny(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing))]

// The registry and the operation macro come first: every module below may use them.
#[macro_use]
mod registry;
#[macro_use]
mod operation;

mod datetime;
pub mod fast;
pub mod generate;
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
    match fast::quick(line) {
        fast::Quick::Blank => None,
        fast::Quick::Invalid => Some(false),
        fast::Quick::Valid { .. } => Some(true),
        fast::Quick::Undecided => validate_json_bytes(line).map(|r| r.valid),
    }
}
