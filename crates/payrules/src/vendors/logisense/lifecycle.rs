//! LogiSense's payment statuses (our model; SEEDS.md) and their lifecycle.

use crate::lifecycle::{Lifecycle, State, Transition};

/// A `LogiSense` payment's status (our model: the seed documents no status names; SEEDS.md).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
#[non_exhaustive]
pub enum LogisenseState {
    /// Sent to a payment gateway vendor (`Payment/Vendor`), not yet settled.
    Pending,
    /// Recorded on the account (`POST Payment/`), or settled by the gateway.
    Posted,
    /// The gateway declined it; a retry links to it through `retryPaymentId`.
    Failed,
    /// A retry payment was made for it.
    Retried,
    /// Reversed once, by a reversal linked through `reversePaymentId`.
    Reversed,
}

impl State for LogisenseState {
    const ALL: &'static [Self] = &[
        LogisenseState::Pending,
        LogisenseState::Posted,
        LogisenseState::Failed,
        LogisenseState::Retried,
        LogisenseState::Reversed,
    ];

    fn name(self) -> &'static str {
        match self {
            LogisenseState::Pending => "pending",
            LogisenseState::Posted => "posted",
            LogisenseState::Failed => "failed",
            LogisenseState::Retried => "retried",
            LogisenseState::Reversed => "reversed",
        }
    }

    fn is_terminal(self) -> bool {
        match self {
            LogisenseState::Pending | LogisenseState::Posted | LogisenseState::Failed => false,
            LogisenseState::Retried | LogisenseState::Reversed => true,
        }
    }
}

/// `LogiSense`'s lifecycle (our decision: reversed at most once, a failed payment retried at most once).
pub static LIFECYCLE: Lifecycle<LogisenseState> = Lifecycle {
    profile: "logisense",
    initial: &[LogisenseState::Posted, LogisenseState::Pending],
    transitions: &[
        Transition { from: LogisenseState::Pending, action: "settle", to: LogisenseState::Posted },
        Transition { from: LogisenseState::Pending, action: "decline", to: LogisenseState::Failed },
        Transition { from: LogisenseState::Failed, action: "retry", to: LogisenseState::Retried },
        Transition { from: LogisenseState::Posted, action: "reverse", to: LogisenseState::Reversed },
    ],
};
