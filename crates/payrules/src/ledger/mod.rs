//! The ledger: each API answered statefully, as its documents say. `Ledger::handle` runs
//! `validate`, then the profile's state rules, and applies the operation atomically: it works on a
//! copy of the profile's state and keeps it only when the request succeeds.

pub mod activeplatform;
pub mod crmcom;
pub mod komet;
pub mod logisense;
pub mod plentymarkets;
pub mod time;
pub mod view;

use std::borrow::Cow;
use std::collections::BTreeMap;
use std::fmt;

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use crate::money::Amount;
use crate::profiles::{Profile, route};
use crate::report::Report;
use crate::request::{Request, Response, View};
pub use time::{Clock, SteppingClock, Timestamp};

/// Everything the ledger knows, one part per profile. Serializes to the snapshot.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct World {
    /// Komet Sales.
    pub komet: komet::State,
    /// ActivePlatform.
    pub activeplatform: activeplatform::State,
    /// CRM.COM.
    pub crmcom: crmcom::State,
    /// plentymarkets.
    pub plentymarkets: plentymarkets::State,
    /// LogiSense Billing.
    pub logisense: logisense::State,
}

/// The sample world's parts, one file per profile, embedded at build time.
pub const SAMPLE_PARTS: [(&str, &str); 5] = [
    ("komet", include_str!("../../sample/komet.json")),
    ("activeplatform", include_str!("../../sample/activeplatform.json")),
    ("crmcom", include_str!("../../sample/crmcom.json")),
    ("plentymarkets", include_str!("../../sample/plentymarkets.json")),
    ("logisense", include_str!("../../sample/logisense.json")),
];

/// One part of the sample world. Each part is read on its own, so one broken file cannot empty
/// the others; `tests/ledger_properties.rs` reads every part strictly, so a broken one fails CI.
fn sample_part<T: serde::de::DeserializeOwned + Default>(index: usize) -> T {
    SAMPLE_PARTS.get(index).and_then(|(_, text)| serde_json::from_str(text).ok()).unwrap_or_default()
}

impl World {
    /// The sample world: every record the vendor documents' examples refer to, and a few more.
    pub fn sample() -> World {
        World {
            komet: sample_part(0),
            activeplatform: sample_part(1),
            crmcom: sample_part(2),
            plentymarkets: sample_part(3),
            logisense: sample_part(4),
        }
    }

    /// A world from its parts given as `(profile id, JSON text)` — the files of `sample/`, fetched
    /// by the browser console. Every part must be present and read strictly, and the whole must
    /// pass [`World::check`]: a broken part is an error, never a partial world.
    pub fn from_parts(parts: &[(&str, &str)]) -> Result<World, RestoreError> {
        fn part<T: serde::de::DeserializeOwned>(parts: &[(&str, &str)], name: &str) -> Result<T, RestoreError> {
            let mut found = parts.iter().filter(|(n, _)| *n == name);
            let (_, text) = found.next().ok_or_else(|| RestoreError(format!("the sample part `{name}` is missing")))?;
            if found.next().is_some() {
                return Err(RestoreError(format!("the sample part `{name}` is given twice")));
            }
            serde_json::from_str(text).map_err(|e| RestoreError(format!("the sample part `{name}`: {e}")))
        }
        if let Some((unknown, _)) = parts.iter().find(|(n, _)| SAMPLE_PARTS.iter().all(|(known, _)| known != n)) {
            return Err(RestoreError(format!("`{unknown}` is not a part of the world")));
        }
        let world = World {
            komet: part(parts, "komet")?,
            activeplatform: part(parts, "activeplatform")?,
            crmcom: part(parts, "crmcom")?,
            plentymarkets: part(parts, "plentymarkets")?,
            logisense: part(parts, "logisense")?,
        };
        world.check().map_err(RestoreError)?;
        Ok(world)
    }

    /// Checks every invariant of every part (money conserved, relations intact).
    pub fn check(&self) -> Result<(), String> {
        self.komet.check().map_err(|e| format!("komet: {e}"))?;
        self.activeplatform.check().map_err(|e| format!("activeplatform: {e}"))?;
        self.crmcom.check().map_err(|e| format!("crmcom: {e}"))?;
        self.plentymarkets.check().map_err(|e| format!("plentymarkets: {e}"))?;
        self.logisense.check().map_err(|e| format!("logisense: {e}"))
    }
}

/// A snapshot that cannot be restored, and why. Nothing of it is used.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RestoreError(pub String);

impl fmt::Display for RestoreError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "cannot restore the ledger: {}", self.0)
    }
}

impl std::error::Error for RestoreError {}

/// The snapshot's envelope.
#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct Snapshot {
    format: String,
    version: u32,
    world: World,
}

const FORMAT: &str = "payrules-ledger";
const VERSION: u32 = 1;

/// A stateful emulation of the five APIs.
#[derive(Debug)]
pub struct Ledger {
    world: World,
    clock: Box<dyn Clock>,
}

impl Ledger {
    /// A ledger on the sample world.
    pub fn sample(clock: Box<dyn Clock>) -> Ledger {
        Ledger { world: World::sample(), clock }
    }

    /// A ledger with no records at all.
    pub fn empty(clock: Box<dyn Clock>) -> Ledger {
        Ledger { world: World::default(), clock }
    }

    /// A ledger on a given world.
    pub fn with_world(world: World, clock: Box<dyn Clock>) -> Ledger {
        Ledger { world, clock }
    }

    /// The current state.
    pub fn world(&self) -> &World {
        &self.world
    }

    /// Replaces the clock (a browser hands in its own).
    pub fn set_clock(&mut self, clock: Box<dyn Clock>) {
        self.clock = clock;
    }

    /// The state with every credential removed, as snapshot text (for exports that must not
    /// carry tokens; restoring it gives a ledger whose requests need new credentials).
    pub fn snapshot_without_tokens(&self) -> String {
        let snapshot =
            Snapshot { format: FORMAT.to_owned(), version: VERSION, world: view::without_tokens(&self.world) };
        serde_json::to_string(&snapshot).unwrap_or_default()
    }

    /// The whole state as JSON text; [`Ledger::restore`] gives it back exactly.
    pub fn snapshot(&self) -> String {
        let snapshot = Snapshot { format: FORMAT.to_owned(), version: VERSION, world: self.world.clone() };
        serde_json::to_string(&snapshot).unwrap_or_default()
    }

    /// A ledger from a snapshot. A damaged snapshot is an error, never a partial ledger.
    pub fn restore(text: &str, clock: Box<dyn Clock>) -> Result<Ledger, RestoreError> {
        let snapshot: Snapshot = serde_json::from_str(text).map_err(|e| RestoreError(e.to_string()))?;
        if snapshot.format != FORMAT {
            return Err(RestoreError(format!("not a payrules ledger snapshot (format `{}`)", snapshot.format)));
        }
        if snapshot.version != VERSION {
            return Err(RestoreError(format!("snapshot version {} is not {VERSION}", snapshot.version)));
        }
        snapshot.world.check().map_err(RestoreError)?;
        Ok(Ledger { world: snapshot.world, clock })
    }

    /// Answers one request given as JSON text. Text that is not a request gets a 400 with every
    /// problem found (`{"errors": [violations]}`), and the ledger is unchanged.
    pub fn handle_json(&mut self, text: &str) -> Response {
        match Request::from_json(text) {
            Ok(request) => self.handle(&request),
            Err(errors) => Response { status: 400, body: serde_json::json!({ "errors": errors }) },
        }
    }

    /// Answers one request as the vendor would. A refused request leaves the ledger as it was.
    pub fn handle(&mut self, request: &Request) -> Response {
        let now = self.clock.now();
        let report = crate::validate(request);
        let Ok(profile) = request.profile.parse::<Profile>() else {
            return Response { status: 404, body: serde_json::json!({ "errors": report.errors }) };
        };
        let call = Call::new(profile, request, &report, now);
        match profile {
            Profile::Komet => apply(&mut self.world.komet, &call, komet::handle),
            Profile::ActivePlatform => apply(&mut self.world.activeplatform, &call, activeplatform::handle),
            Profile::Crmcom => apply(&mut self.world.crmcom, &call, crmcom::handle),
            Profile::Plentymarkets => apply(&mut self.world.plentymarkets, &call, plentymarkets::handle),
            Profile::Logisense => apply(&mut self.world.logisense, &call, logisense::handle),
        }
    }
}

/// Runs a handler on a copy of the state; keeps the copy only when the request succeeded.
fn apply<S: Clone>(state: &mut S, call: &Call<'_>, handler: fn(&mut S, &Call<'_>) -> Outcome) -> Response {
    let mut next = state.clone();
    match handler(&mut next, call) {
        Ok(response) => {
            *state = next;
            response
        }
        Err(response) => response,
    }
}

/// What a handler returns: `Ok` commits its changes, `Err` discards them. Both are vendor-shaped.
pub(crate) type Outcome = Result<Response, Response>;

/// One request as a handler sees it: validated, routed, its parts decoded.
#[derive(Debug)]
pub struct Call<'r> {
    /// The request as sent.
    pub request: &'r Request,
    /// The stateless verdict (`validate`).
    pub report: &'r Report,
    /// The operation id, when the request routed to one.
    pub operation: Option<&'static str>,
    /// The time of the request.
    pub now: Timestamp,
    /// Path parameters, decoded.
    pub params: BTreeMap<String, String>,
    /// Query parameters, with those written in the path.
    pub query: BTreeMap<String, String>,
    /// The body as an object (JSON, or form fields as strings), when it is one.
    pub body: Option<Map<String, Value>>,
}

impl<'r> Call<'r> {
    fn new(profile: Profile, request: &'r Request, report: &'r Report, now: Timestamp) -> Call<'r> {
        let mut call = Call {
            request,
            report,
            operation: None,
            now,
            params: BTreeMap::new(),
            query: request.query.clone(),
            body: None,
        };
        let Ok(route) = route(profile, &request.method, &request.path) else { return call };
        call.operation = Some(route.operation.id);
        call.params = route.params.into_iter().map(|(k, v)| (k.into_owned(), v.into_owned())).collect();
        for (k, v) in route.path_query {
            call.query.entry(k.into_owned()).or_insert_with(|| v.into_owned());
        }
        // The body exactly as `validate` read it (JSON, JSON text, or form fields where the operation takes them).
        let view = View::of(request);
        let (members, _, _) = crate::profiles::read_body(route.operation, &view);
        call.body = members.map(|m| m.iter().map(|(k, v)| (k.to_string(), v.to_value())).collect());
        call
    }

    /// A header's value, its name matched without regard to case.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.request.header(name)
    }

    /// The bearer token of an `Authorization: Bearer …` header.
    pub fn bearer(&self) -> Option<&str> {
        let value = self.header("authorization")?;
        let (scheme, token) = value.split_once(' ')?;
        scheme.eq_ignore_ascii_case("bearer").then(|| token.trim()).filter(|t| !t.is_empty())
    }

    /// A body field.
    pub fn field(&self, name: &str) -> Option<&Value> {
        self.body.as_ref()?.get(name).filter(|v| !v.is_null())
    }

    /// A body field's text (a string's content or a number's exact text).
    pub fn text(&self, name: &str) -> Option<Cow<'_, str>> {
        value_text(self.field(name)?)
    }

    /// A body field as an exact amount.
    pub fn amount(&self, name: &str) -> Option<Amount> {
        self.text(name)?.parse().ok()
    }

    /// A body field as a whole number.
    pub fn integer(&self, name: &str) -> Option<u64> {
        self.text(name)?.parse().ok()
    }
}

/// A value's text: a string's content or a number's exact text.
pub fn value_text(value: &Value) -> Option<Cow<'_, str>> {
    match value {
        Value::String(s) => Some(Cow::Borrowed(s)),
        Value::Number(n) => Some(Cow::Borrowed(n.as_str())),
        _ => None,
    }
}

/// An amount as a JSON number with its exact text (`12.3400` stays `12.3400`).
pub fn money(amount: Amount) -> Value {
    amount.to_string().parse::<serde_json::Number>().map_or(Value::Null, Value::Number)
}

/// An amount as a JSON number without trailing zeros (`100.00` as `100`), as most vendors print it.
pub fn money_plain(amount: Amount) -> Value {
    money(Amount::from_decimal(amount.value().normalize()))
}
