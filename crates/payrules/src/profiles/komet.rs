//! Komet Sales: `POST /api/payment.mark.sync` (seeds/000).

use crate::lifecycle::{Lifecycle, State, Transition};
use crate::profiles::{Body, Method, Operation};
use crate::rules::{Field, Token, Ty};

const PAYMENT_ITEM: &[Field] = &[Field::req(
    "paymentId",
    Ty::Integer { digits: 20, min: 0, strict: true },
    "Komet Sales internal payment id (an integer of at most 20 digits)",
)];

const MARK_SYNC_BODY: &[Field] = &[
    Field::req(
        "authenticationToken",
        Ty::Token(Token::Plain { max: Some(50) }),
        "Komet Sales security token (a company token, at most 50 characters)",
    ),
    Field::req(
        "payments",
        Ty::List { item: PAYMENT_ITEM, non_empty: true },
        "The payments to mark as synchronized, each {\"paymentId\": …}",
    ),
];

/// Komet's one payment operation.
pub static OPERATIONS: &[Operation] = &[Operation {
    id: "komet.payment_mark_sync",
    method: Method::Post,
    path: "/api/payment.mark.sync",
    summary: "Mark payments as synchronized with an external system",
    params: &[],
    query: &[],
    headers: &[],
    body: Body::Json(MARK_SYNC_BODY),
    rules: &["Only company tokens are valid (checked by the ledger)."],
    cross: None,
}];

/// A Komet Sales payment's status.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
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
