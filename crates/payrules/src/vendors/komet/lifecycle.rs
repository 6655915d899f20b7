//! Komet Sales' payment statuses and their lifecycle.

use crate::lifecycle::{Lifecycle, State, Transition};

/// A Komet Sales payment's status.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
#[non_exhaustive]
pub enum KometState {
    /// Recorded, not yet marked as synchronized.
    Open,
    /// Marked as synchronized with an external system (marking again is allowed and changes nothing).
    Synchronized,
    /// Cancelled in Komet Sales; `payment.mark.sync` answers "The payment was cancelled".
    Cancelled,
}

impl State for KometState {
    const ALL: &'static [Self] = &[KometState::Open, KometState::Synchronized, KometState::Cancelled];

    fn name(self) -> &'static str {
        match self {
            KometState::Open => "open",
            KometState::Synchronized => "synchronized",
            KometState::Cancelled => "cancelled",
        }
    }

    fn is_terminal(self) -> bool {
        match self {
            KometState::Open | KometState::Synchronized => false,
            KometState::Cancelled => true,
        }
    }
}

/// Komet's lifecycle (SEEDS.md: marking again is idempotent; cancelled payments cannot be synchronized).
pub static LIFECYCLE: Lifecycle<KometState> = Lifecycle {
    profile: "komet",
    initial: &[KometState::Open],
    transitions: &[
        Transition { from: KometState::Open, action: "mark_sync", to: KometState::Synchronized },
        Transition { from: KometState::Synchronized, action: "mark_sync", to: KometState::Synchronized },
        Transition { from: KometState::Open, action: "cancel", to: KometState::Cancelled },
        Transition { from: KometState::Synchronized, action: "cancel", to: KometState::Cancelled },
    ],
};
