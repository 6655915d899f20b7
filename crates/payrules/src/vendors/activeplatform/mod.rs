//! ActivePlatform: "Complete a Payment" moves a payment that is waiting for payment to
//! `completed` (seeds/001).
//!
//! Failure shape (not documented by the vendor; ours, in its style): `{"error": {"code", "message",
//! "errors"}}` with 404 (no such API method), 400 (validation), 401 (unknown API token), 404 (no
//! such payment), 422 (unknown payment method, or a payment not waiting for payment; the message
//! names its status and what is allowed). The request is validated before its token is looked at.

mod handlers;
mod lifecycle;
mod operations;
mod records;
mod views;
mod wire;

pub use lifecycle::{ActivePlatformState, LIFECYCLE};
pub use operations::OPERATIONS;
pub(crate) use operations::Op;
pub use records::{Payment, State};

use crate::Severity;
use crate::ledger::Call;
use crate::ledger::vendor::{Auth, Outcome, Vendor};
use crate::request::Response;

/// ActivePlatform, as the ledger drives it.
#[derive(Debug)]
pub struct ActivePlatform;

impl Vendor for ActivePlatform {
    type State = State;
    type Op = Op;
    type Caller = ();
    type Env = ();

    const OPS: &'static [Op] = Op::ALL;
    const AUTH: Auth = Auth::AfterValidation;

    fn begin(_: &mut State, _: &Call<'_>) {}

    fn unknown_route((): &(), call: &Call<'_>) -> Response {
        wire::failure(404, "not_found", "No such API method", call)
    }

    fn invalid((): &(), call: &Call<'_>) -> Response {
        let first = call.report.errors.iter().find(|v| v.severity == Severity::Error);
        wire::failure(400, "invalid_request", first.map_or("Invalid request", |v| v.message.as_str()), call)
    }

    fn authenticate(state: &State, (): &(), call: &Call<'_>) -> Result<(), Response> {
        let token = call.query("api_token").unwrap_or_default();
        if state.manager_tokens.iter().any(|t| t == token) {
            Ok(())
        } else {
            Err(wire::failure(401, "unauthorized", "The API token is not a manager's token", call))
        }
    }

    fn handle(state: &mut State, (): &(), (): (), op: Op, call: &Call<'_>) -> Outcome {
        match op {
            Op::Complete => handlers::complete(state, call),
        }
    }
}
