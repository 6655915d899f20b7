//! CRM.COM's payment life cycle states and their lifecycle.

use crate::lifecycle::{Lifecycle, State, Transition};

/// A CRM.COM payment's life cycle state, spelled as the vendor writes it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
#[non_exhaustive]
pub enum CrmcomState {
    /// Created, not yet posted; can be posted or rejected.
    Draft,
    /// In the vendor's newer versions, awaiting verification; modelled, never entered by these operations.
    PendingVerification,
    /// Posted to the accounts receivable; can be cancelled.
    Posted,
    /// Rejected while a draft, with a rejection reason.
    Rejected,
    /// Cancelled after posting; a payment cancellation transaction records it.
    Cancelled,
}

impl State for CrmcomState {
    const ALL: &'static [Self] = &[
        CrmcomState::Draft,
        CrmcomState::PendingVerification,
        CrmcomState::Posted,
        CrmcomState::Rejected,
        CrmcomState::Cancelled,
    ];

    fn name(self) -> &'static str {
        match self {
            CrmcomState::Draft => "DRAFT",
            CrmcomState::PendingVerification => "PENDING_VERIFICATION",
            CrmcomState::Posted => "POSTED",
            CrmcomState::Rejected => "REJECTED",
            CrmcomState::Cancelled => "CANCELLED",
        }
    }

    fn is_terminal(self) -> bool {
        match self {
            CrmcomState::Draft | CrmcomState::PendingVerification | CrmcomState::Posted => false,
            CrmcomState::Rejected | CrmcomState::Cancelled => true,
        }
    }
}

/// CRM.COM's lifecycle (SEEDS.md: cancel takes a POSTED payment, as the vendor's rule says).
pub static LIFECYCLE: Lifecycle<CrmcomState> = Lifecycle {
    profile: "crmcom",
    initial: &[CrmcomState::Draft, CrmcomState::Posted],
    transitions: &[
        Transition { from: CrmcomState::Draft, action: "post", to: CrmcomState::Posted },
        Transition { from: CrmcomState::Draft, action: "reject", to: CrmcomState::Rejected },
        Transition { from: CrmcomState::PendingVerification, action: "verify", to: CrmcomState::Posted },
        Transition { from: CrmcomState::PendingVerification, action: "reject", to: CrmcomState::Rejected },
        Transition { from: CrmcomState::Posted, action: "cancel", to: CrmcomState::Cancelled },
    ],
};
