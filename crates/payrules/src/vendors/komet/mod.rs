//! Komet Sales: `payment.mark.sync` marks payments synchronized, item by item, with the
//! document's exact messages (seeds/000).
//!
//! Failure shape (not documented by the vendor; ours, in its style): HTTP 404 for an unknown API
//! method, 400 for a request that fails validation and 401 for a token that is not a company
//! token, each with the top-level `status` `"0"`, a `message`, and our `errors` (the violations).
//! The request is validated before its token is looked at.

mod handlers;
mod lifecycle;
mod operations;
mod records;
mod views;
mod wire;

pub use lifecycle::{KometState, LIFECYCLE};
pub use operations::OPERATIONS;
pub(crate) use operations::Op;
pub use records::{Payment, State};
pub use views::{BatchRow, batch_request, batch_results, batch_token};

use crate::Severity;
use crate::ledger::Call;
use crate::ledger::vendor::{Auth, Outcome, Vendor};
use crate::request::Response;

/// Komet Sales, as the ledger drives it.
#[derive(Debug)]
pub struct Komet;

impl Vendor for Komet {
    type State = State;
    type Op = Op;
    type Caller = ();
    type Env = ();

    const OPS: &'static [Op] = Op::ALL;
    const AUTH: Auth = Auth::AfterValidation;

    fn begin(_: &mut State, _: &Call<'_>) {}

    fn unknown_route((): &(), call: &Call<'_>) -> Response {
        wire::failure(404, "Unknown API method", call)
    }

    fn invalid((): &(), call: &Call<'_>) -> Response {
        let first = call.report.errors.iter().find(|v| v.severity == Severity::Error);
        wire::failure(400, first.map_or("Invalid request", |v| v.message.as_str()), call)
    }

    fn authenticate(state: &State, (): &(), call: &Call<'_>) -> Result<(), Response> {
        let token = call.text("authenticationToken").unwrap_or_default();
        if state.company_tokens.iter().any(|t| *t == token) {
            Ok(())
        } else {
            Err(wire::failure(401, "Invalid authentication token: this method accepts company tokens only", call))
        }
    }

    fn handle(state: &mut State, (): &(), (): (), op: Op, call: &Call<'_>) -> Outcome {
        match op {
            Op::MarkSync => handlers::mark_sync(state, call),
        }
    }
}
