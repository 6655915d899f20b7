//! ActivePlatform's payment statuses and their lifecycle.

use crate::lifecycle::{Lifecycle, State, Transition};

/// An ActivePlatform payment's status, spelled as the vendor writes it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[non_exhaustive]
pub enum ActivePlatformState {
    /// Created, waiting for the money.
    #[serde(rename = "waiting for payment")]
    WaitingForPayment,
    /// Paid.
    #[serde(rename = "completed")]
    Completed,
    /// A receipt is being created for the completed payment.
    #[serde(rename = "receipt creating")]
    ReceiptCreating,
    /// The receipt was sent.
    #[serde(rename = "receipt sent")]
    ReceiptSent,
    /// Cancelled before it was paid.
    #[serde(rename = "cancelled")]
    Cancelled,
}

impl State for ActivePlatformState {
    const ALL: &'static [Self] = &[
        ActivePlatformState::WaitingForPayment,
        ActivePlatformState::Completed,
        ActivePlatformState::ReceiptCreating,
        ActivePlatformState::ReceiptSent,
        ActivePlatformState::Cancelled,
    ];

    fn name(self) -> &'static str {
        match self {
            ActivePlatformState::WaitingForPayment => "waiting for payment",
            ActivePlatformState::Completed => "completed",
            ActivePlatformState::ReceiptCreating => "receipt creating",
            ActivePlatformState::ReceiptSent => "receipt sent",
            ActivePlatformState::Cancelled => "cancelled",
        }
    }

    fn is_terminal(self) -> bool {
        match self {
            ActivePlatformState::WaitingForPayment
            | ActivePlatformState::Completed
            | ActivePlatformState::ReceiptCreating => false,
            ActivePlatformState::ReceiptSent | ActivePlatformState::Cancelled => true,
        }
    }
}

/// ActivePlatform's lifecycle (vendor guide 6.0; receipts follow completion; only unpaid payments cancel).
pub static LIFECYCLE: Lifecycle<ActivePlatformState> = Lifecycle {
    profile: "activeplatform",
    initial: &[ActivePlatformState::WaitingForPayment],
    transitions: &[
        Transition {
            from: ActivePlatformState::WaitingForPayment,
            action: "complete",
            to: ActivePlatformState::Completed,
        },
        Transition {
            from: ActivePlatformState::WaitingForPayment,
            action: "cancel",
            to: ActivePlatformState::Cancelled,
        },
        Transition {
            from: ActivePlatformState::Completed,
            action: "create_receipt",
            to: ActivePlatformState::ReceiptCreating,
        },
        Transition {
            from: ActivePlatformState::ReceiptCreating,
            action: "send_receipt",
            to: ActivePlatformState::ReceiptSent,
        },
    ],
};
