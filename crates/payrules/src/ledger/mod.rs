//! The ledger: each API answered statefully, as its documents say. `Ledger::handle` runs
//! `validate`, then the profile's state rules, and applies the operation atomically: it works on a
//! copy of the profile's state and keeps it only when the request succeeds.

pub(crate) mod call;
pub(crate) mod de;
pub(crate) mod shape;
pub(crate) mod table;
pub(crate) mod time;
pub(crate) mod vendor;
pub mod view;

use std::fmt;

use serde::{Deserialize, Serialize};

pub(crate) use crate::ledger::call::Call;
pub(crate) use crate::ledger::shape::{money, money_plain};
pub(crate) use crate::ledger::vendor::Outcome;
use crate::ledger::vendor::{Records, Views, answer};
use crate::profiles::{Profile, check};
use crate::request::{Request, Response, View};
/// A 64-bit mixing function (splitmix64's finalizer): payrules' own tools (seeded fault rules), not part of the API.
#[doc(hidden)]
pub use time::mix;
pub use time::{Clock, SteppingClock, Timestamp};

/// One part of the sample world. Each part is read on its own, so one broken file cannot empty
/// the others; `tests/it/ledger_properties.rs` reads every part strictly, so a broken one fails CI.
fn sample_part<T: serde::de::DeserializeOwned + Default>(text: &str) -> T {
    serde_json::from_str(text).unwrap_or_default()
}

/// A part of a world given as `(profile id, JSON text)`, read strictly; exactly one must be given.
fn part<T: serde::de::DeserializeOwned>(parts: &[(&str, &str)], name: &str) -> Result<T, RestoreError> {
    let mut found = parts.iter().filter(|(n, _)| *n == name);
    let (_, text) = found.next().ok_or_else(|| RestoreError(format!("the sample part `{name}` is missing")))?;
    if found.next().is_some() {
        return Err(RestoreError(format!("the sample part `{name}` is given twice")));
    }
    serde_json::from_str(text).map_err(|e| RestoreError(format!("the sample part `{name}`: {e}")))
}

macro_rules! world {
    ($($module:ident: $variant:ident = $vendor:literal;)*) => {
        /// Everything the ledger knows, one part per registered vendor. Serializes to the snapshot.
        #[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
        #[serde(deny_unknown_fields)]
        pub struct World {
            $(
                #[doc = $vendor]
                pub $module: crate::vendors::$module::State,
            )*
        }

        /// The sample world's parts, `(profile id, JSON text)`, one file per vendor
        /// (`data/<id>/sample.json`), embedded at build time.
        pub const SAMPLE_PARTS: [(&str, &str); Profile::ALL.len()] = [
            $((stringify!($module), include_str!(concat!(env!("CARGO_MANIFEST_DIR"), "/data/", stringify!($module), "/sample.json"))),)*
        ];

        impl World {
            /// The sample world: every record the vendor documents' examples refer to, and a few more.
            pub fn sample() -> World {
                let [$($module),*] = SAMPLE_PARTS;
                World { $($module: sample_part($module.1),)* }
            }

            /// A world from its parts given as `(profile id, JSON text)` — the files of `data/*/sample.json`,
            /// fetched by the browser console. Every part must be present and read strictly, and the
            /// whole must pass [`World::check`]: a broken part is an error, never a partial world.
            pub fn from_parts(parts: &[(&str, &str)]) -> Result<World, RestoreError> {
                if let Some((unknown, _)) = parts.iter().find(|(n, _)| SAMPLE_PARTS.iter().all(|(known, _)| known != n)) {
                    return Err(RestoreError(format!("`{unknown}` is not a part of the world")));
                }
                let world = World { $($module: part(parts, stringify!($module))?,)* };
                world.check().map_err(RestoreError)?;
                Ok(world)
            }

            /// Checks every invariant of every part (money conserved, relations intact).
            pub fn check(&self) -> Result<(), String> {
                $(
                    Records::check(&self.$module)
                        .map_err(|e| format!("{}: {e}", stringify!($module)))?;
                )*
                Ok(())
            }

            /// The same world with every credential removed (for exports and the HTTP world view).
            #[must_use]
            pub fn without_tokens(&self) -> World {
                let mut w = self.clone();
                $(Views::redact_tokens(&mut w.$module);)*
                w
            }

            /// Answers a routed request of `profile` with its vendor's part.
            fn answer(&mut self, profile: Profile, call: &Call<'_>) -> Response {
                match profile {
                    $(Profile::$variant => answer::<crate::vendors::$module::$variant>(&mut self.$module, call),)*
                }
            }
        }
    };
}

vendors!(world);

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
        let snapshot = Snapshot { format: FORMAT.to_owned(), version: VERSION, world: self.world.without_tokens() };
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

    /// Answers one request given as JSON text, read once (as `validate_json` reads it). Text that is
    /// not a request gets a 400 with every problem found (`{"errors": [violations]}`), and the
    /// ledger is unchanged.
    pub fn handle_json(&mut self, text: &str) -> Response {
        match View::from_text(text) {
            Ok(view) => self.handle_view(&view),
            Err(errors) => Response { status: 400, body: serde_json::json!({ "errors": errors }) },
        }
    }

    /// Answers one request as the vendor would. A refused request leaves the ledger as it was.
    pub fn handle(&mut self, request: &Request) -> Response {
        self.handle_view(&View::of(request))
    }

    fn handle_view(&mut self, view: &View<'_>) -> Response {
        let now = self.clock.now();
        let checked = check(view);
        let Some(profile) = checked.profile else {
            return Response { status: 404, body: serde_json::json!({ "errors": checked.report.errors }) };
        };
        let call = Call::new(view, &checked.report, checked.routed.as_ref(), now);
        self.world.answer(profile, &call)
    }
}
