//! payrules: the payment rules of five payment APIs (Komet Sales, ActivePlatform, CRM.COM,
//! plentymarkets, LogiSense Billing) as one pure engine.
//!
//! The flow: a [`Request`] is [`validate`]d against its operation's stateless field rules, giving a
//! [`Report`] of every [`Violation`]. Lifecycles are data ([`lifecycle`]), one table per profile.
//! The core does no I/O and reads no clock, so it gives the same verdict natively, in Node and in
//! a browser.
#![cfg_attr(
    not(test),
    deny(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)
)]

mod datetime;
pub mod lifecycle;
pub mod money;
mod pointer;
pub mod profiles;
mod report;
mod request;
pub mod rules;

pub use datetime::{DateError, DateTime};
pub use profiles::{Method, Operation, Profile, validate};
pub use report::{Code, Report, Severity, Violation};
pub use request::{Request, Response};

/// Validates one JSON text holding a request: a line of a JSON Lines file, say.
///
/// Text that is not strict JSON, or not a request, gives a report of those problems (with line
/// and column), never a panic.
pub fn validate_json(text: &str) -> Report {
    match Request::from_json(text) {
        Ok(request) => validate(&request),
        Err(errors) => Report::new(None, errors),
    }
}
