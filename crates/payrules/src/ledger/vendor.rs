//! The vendor contract: what every vendor of the registry provides to the ledger, and the one
//! preamble every request goes through before a vendor's handler sees it.
//!
//! The order of judgement, the same for every vendor:
//! 1. [`Vendor::begin`]: what every answer to this request shares (LogiSense's `trackingId`);
//! 2. no operation for the method and path: [`Vendor::unknown_route`];
//! 3. where the vendor looks at the credential first ([`Auth::BeforeValidation`]:
//!    plentymarkets' and LogiSense's gateways refuse a bad token before reading the request):
//!    [`Vendor::authenticate`];
//! 4. the stateless validation failed: [`Vendor::invalid`];
//! 5. where the vendor validates first ([`Auth::AfterValidation`]): [`Vendor::authenticate`];
//! 6. [`Vendor::handle`] with the typed operation and the caller.
//!
//! All of it runs on a copy of the vendor's state, kept only when the answer is `Ok`: a refused
//! request leaves the ledger exactly as it was.

use std::fmt;

use serde::Serialize;
use serde::de::DeserializeOwned;

use crate::ledger::call::Call;
use crate::ledger::view::PaymentView;
use crate::request::{Request, Response};

/// What a handler returns: `Ok` commits its changes, `Err` discards them. Both are vendor-shaped.
pub(crate) type Outcome = Result<Response, Response>;

/// When a vendor looks at the credential.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Auth {
    /// Before the request is validated (an invalid request with a bad token is a 401).
    BeforeValidation,
    /// After the request is validated (an invalid request is refused as such, whatever its token).
    AfterValidation,
}

/// A vendor's records (one part of the [`World`](crate::ledger::World), serialized in snapshots)
/// and their invariants; written in the vendor's `records.rs`.
pub(crate) trait Records: Clone + Default + fmt::Debug + PartialEq + Eq + Serialize + DeserializeOwned {
    /// The invariants of the records (money conserved, relations intact).
    fn check(&self) -> Result<(), String>;
}

/// A vendor's records as people see them; written in the vendor's `views.rs`.
pub(crate) trait Views {
    /// Every payment as the vendor shows it, in the vendor's order.
    fn payments(&self) -> Vec<PaymentView>;
    /// The request that performs a lifecycle action on a payment through the vendor's API.
    fn action_request(&self, key: &str, action: &str) -> Result<Request, String>;
    /// Takes every credential out (for exports and the HTTP world view).
    fn redact_tokens(&mut self);
}

/// A vendor of the registry, as the ledger drives it.
pub(crate) trait Vendor {
    /// Its records, their invariants and views.
    type State: Records + Views;
    /// Its operations, one variant each, in the order of its operation table.
    type Op: Copy + fmt::Debug + 'static;
    /// Who the credential says is calling (a session, a user), handed to the handler.
    type Caller;
    /// What every answer to one request shares, made before anything else is judged.
    type Env;

    /// Every operation, in table order (the route's index picks one).
    const OPS: &'static [Self::Op];
    /// When the credential is looked at.
    const AUTH: Auth;

    /// Made first, for every request (may advance the state's counters; a refusal drops them).
    fn begin(state: &mut Self::State, call: &Call<'_>) -> Self::Env;
    /// The answer when no operation has this method and path.
    fn unknown_route(env: &Self::Env, call: &Call<'_>) -> Response;
    /// The answer when the stateless validation failed.
    fn invalid(env: &Self::Env, call: &Call<'_>) -> Response;
    /// The caller the request's credential names, or the refusal.
    fn authenticate(state: &Self::State, env: &Self::Env, call: &Call<'_>) -> Result<Self::Caller, Response>;
    /// Answers a valid, authenticated request of operation `op`.
    fn handle(state: &mut Self::State, env: &Self::Env, caller: Self::Caller, op: Self::Op, call: &Call<'_>)
    -> Outcome;
}

/// Answers one request for vendor `V`: the preamble in its one order, then the handler, on a copy
/// of the state that replaces it only when the answer is `Ok`.
pub(crate) fn answer<V: Vendor>(state: &mut V::State, call: &Call<'_>) -> Response {
    let mut next = state.clone();
    match judge::<V>(&mut next, call) {
        Ok(response) => {
            *state = next;
            response
        }
        Err(response) => response,
    }
}

fn judge<V: Vendor>(state: &mut V::State, call: &Call<'_>) -> Outcome {
    let env = V::begin(state, call);
    let Some(&op) = call.index().and_then(|i| V::OPS.get(i)) else {
        return Err(V::unknown_route(&env, call));
    };
    let early = match V::AUTH {
        Auth::BeforeValidation => Some(V::authenticate(state, &env, call)?),
        Auth::AfterValidation => None,
    };
    if !call.report.valid {
        return Err(V::invalid(&env, call));
    }
    let caller = match early {
        Some(caller) => caller,
        None => V::authenticate(state, &env, call)?,
    };
    V::handle(state, &env, caller, op, call)
}
