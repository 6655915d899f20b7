//! Lifecycles as data: one `(from, action, to)` table per profile, one `apply` for every status
//! change, and a Mermaid rendering in a stable order.

use std::fmt;

use std::fmt::Write as _;

use serde::Serialize;

/// A vendor's payment status. Implemented by each profile's status enum.
pub trait State: Copy + Eq + fmt::Debug + Send + Sync + 'static {
    /// Every status, in the order they are listed and drawn.
    const ALL: &'static [Self];

    /// The status as the vendor spells it.
    fn name(self) -> &'static str;

    /// The status with its meaning, for diagrams and the UI (defaults to `name`).
    fn label(self) -> &'static str {
        self.name()
    }

    /// Whether the status is final. Written as an exhaustive `match` in each profile, so a new
    /// status forces a decision; a test checks it agrees with the table.
    fn is_terminal(self) -> bool;

    /// The status with this vendor spelling (or this label).
    fn from_name(name: &str) -> Option<Self> {
        Self::ALL.iter().copied().find(|s| s.name() == name || s.label() == name)
    }
}

/// One allowed move.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Transition<S: 'static> {
    /// The status the payment is in.
    pub from: S,
    /// What is done to it.
    pub action: &'static str,
    /// The status it is in afterwards.
    pub to: S,
}

/// A profile's lifecycle: where payments start and every allowed move.
#[derive(Debug)]
pub struct Lifecycle<S: 'static> {
    /// The profile id.
    pub profile: &'static str,
    /// The statuses a payment can be created in.
    pub initial: &'static [S],
    /// Every allowed move; anything else is refused.
    pub transitions: &'static [Transition<S>],
}

/// A move the table does not allow, with everything a person needs to understand why.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct TransitionError {
    /// The profile id.
    pub profile: &'static str,
    /// The status the payment is in.
    pub state: String,
    /// The action refused.
    pub action: String,
    /// The actions allowed from `state`, in table order (empty for a final status).
    pub allowed: Vec<&'static str>,
}

impl fmt::Display for TransitionError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "cannot {} a payment that is `{}`: ", self.action, self.state)?;
        if self.allowed.is_empty() {
            write!(f, "`{}` is final, no action is allowed", self.state)
        } else {
            write!(f, "from `{}` the allowed actions are {}", self.state, self.allowed.join(", "))
        }
    }
}

impl std::error::Error for TransitionError {}

/// A lifecycle question about a status name the profile does not have, or a refused move.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
#[non_exhaustive]
pub enum LifecycleError {
    /// The profile has no such status.
    UnknownState {
        /// The profile id.
        profile: &'static str,
        /// The name asked about.
        state: String,
        /// The profile's statuses.
        known: Vec<&'static str>,
    },
    /// The move is not in the table.
    Refused(TransitionError),
}

impl fmt::Display for LifecycleError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            LifecycleError::UnknownState { profile, state, known } => {
                write!(f, "{profile} has no status `{state}`; its statuses are {}", known.join(", "))
            }
            LifecycleError::Refused(e) => e.fmt(f),
        }
    }
}

impl std::error::Error for LifecycleError {}

impl<S: State> Lifecycle<S> {
    /// The moves allowed from `from`, in table order.
    pub fn allowed(&self, from: S) -> impl Iterator<Item = &'static Transition<S>> + use<S> {
        self.transitions.iter().filter(move |t| t.from == from)
    }

    /// The one door for every status change: the new status, or an error naming the status,
    /// the action and what is allowed.
    pub fn apply(&self, from: S, action: &str) -> Result<S, TransitionError> {
        match self.allowed(from).find(|t| t.action == action) {
            Some(t) => Ok(t.to),
            None => Err(TransitionError {
                profile: self.profile,
                state: from.name().to_owned(),
                action: action.to_owned(),
                allowed: self.allowed(from).map(|t| t.action).collect(),
            }),
        }
    }

    fn parse(&self, state: &str) -> Result<S, LifecycleError> {
        S::from_name(state).ok_or_else(|| LifecycleError::UnknownState {
            profile: self.profile,
            state: state.to_owned(),
            known: S::ALL.iter().map(|s| s.name()).collect(),
        })
    }
}

/// A status as listed by [`AnyLifecycle::table`].
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct StateInfo {
    /// The vendor spelling.
    pub name: &'static str,
    /// The spelling with its meaning (the same as `name` where the name says it).
    pub label: &'static str,
    /// Payments can be created in it.
    pub initial: bool,
    /// Nothing leads out of it.
    pub terminal: bool,
}

/// One row of a lifecycle table, by names.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct TransitionRow {
    /// From this status…
    pub from: &'static str,
    /// …this action…
    pub action: &'static str,
    /// …leads here.
    pub to: &'static str,
}

/// A lifecycle table by names, for printing and drawing.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct LifecycleTable {
    /// The profile id.
    pub profile: &'static str,
    /// Every status.
    pub states: Vec<StateInfo>,
    /// Every allowed move.
    pub transitions: Vec<TransitionRow>,
}

/// An allowed action and where it leads.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct AllowedAction {
    /// The action.
    pub action: &'static str,
    /// The status it leads to.
    pub to: &'static str,
}

/// A lifecycle seen through status names, whatever the profile's status type.
pub trait AnyLifecycle: Sync + fmt::Debug {
    /// The table by names.
    fn table(&self) -> LifecycleTable;
    /// The actions allowed from the named status.
    fn allowed_actions(&self, state: &str) -> Result<Vec<AllowedAction>, LifecycleError>;
    /// The status after `action`, through the one `apply`.
    fn apply_named(&self, state: &str, action: &str) -> Result<&'static str, LifecycleError>;
    /// The table as a Mermaid state diagram, in table order.
    fn mermaid(&self) -> String;
}

impl<S: State> AnyLifecycle for Lifecycle<S> {
    fn table(&self) -> LifecycleTable {
        LifecycleTable {
            profile: self.profile,
            states: S::ALL
                .iter()
                .map(|&s| StateInfo {
                    name: s.name(),
                    label: s.label(),
                    initial: self.initial.contains(&s),
                    terminal: s.is_terminal(),
                })
                .collect(),
            transitions: self
                .transitions
                .iter()
                .map(|t| TransitionRow { from: t.from.name(), action: t.action, to: t.to.name() })
                .collect(),
        }
    }

    fn allowed_actions(&self, state: &str) -> Result<Vec<AllowedAction>, LifecycleError> {
        let from = self.parse(state)?;
        Ok(self.allowed(from).map(|t| AllowedAction { action: t.action, to: t.to.name() }).collect())
    }

    fn apply_named(&self, state: &str, action: &str) -> Result<&'static str, LifecycleError> {
        let from = self.parse(state)?;
        self.apply(from, action).map(State::name).map_err(LifecycleError::Refused)
    }

    fn mermaid(&self) -> String {
        // Mermaid ids: the name with every other character made `_`, prefixed where it starts with a digit.
        let node = |s: S| -> String {
            let id: String = s.name().chars().map(|c| if c.is_ascii_alphanumeric() { c } else { '_' }).collect();
            if id.starts_with(|c: char| c.is_ascii_digit()) { format!("s{id}") } else { id }
        };
        let mut out = String::from("stateDiagram-v2\n");
        for &s in S::ALL {
            let _ = writeln!(out, "    state \"{}\" as {}", s.label(), node(s));
        }
        for &s in self.initial {
            let _ = writeln!(out, "    [*] --> {}", node(s));
        }
        for t in self.transitions {
            let _ = writeln!(out, "    {} --> {} : {}", node(t.from), node(t.to), t.action);
        }
        for &s in S::ALL {
            if s.is_terminal() {
                let _ = writeln!(out, "    {} --> [*]", node(s));
            }
        }
        out
    }
}
