//! plentymarkets' payment statuses and their lifecycle (moves named after the status they lead to).

use crate::lifecycle::{Lifecycle, State, Transition};

/// A plentymarkets payment status; `name` is the number the API sends, `label` its meaning.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum PlentyState {
    /// 1 awaiting approval
    AwaitingApproval,
    /// 2 approved
    Approved,
    /// 3 captured
    Captured,
    /// 4 partially captured
    PartiallyCaptured,
    /// 5 canceled (the vendor's spelling)
    Canceled,
    /// 6 refused
    Refused,
    /// 7 awaiting renewal
    AwaitingRenewal,
    /// 8 expired
    Expired,
    /// 9 refunded
    Refunded,
    /// 10 partially refunded
    PartiallyRefunded,
}

impl State for PlentyState {
    const ALL: &'static [Self] = &[
        PlentyState::AwaitingApproval,
        PlentyState::Approved,
        PlentyState::Captured,
        PlentyState::PartiallyCaptured,
        PlentyState::Canceled,
        PlentyState::Refused,
        PlentyState::AwaitingRenewal,
        PlentyState::Expired,
        PlentyState::Refunded,
        PlentyState::PartiallyRefunded,
    ];

    fn name(self) -> &'static str {
        match self {
            PlentyState::AwaitingApproval => "1",
            PlentyState::Approved => "2",
            PlentyState::Captured => "3",
            PlentyState::PartiallyCaptured => "4",
            PlentyState::Canceled => "5",
            PlentyState::Refused => "6",
            PlentyState::AwaitingRenewal => "7",
            PlentyState::Expired => "8",
            PlentyState::Refunded => "9",
            PlentyState::PartiallyRefunded => "10",
        }
    }

    fn label(self) -> &'static str {
        match self {
            PlentyState::AwaitingApproval => "1 awaiting approval",
            PlentyState::Approved => "2 approved",
            PlentyState::Captured => "3 captured",
            PlentyState::PartiallyCaptured => "4 partially captured",
            PlentyState::Canceled => "5 canceled",
            PlentyState::Refused => "6 refused",
            PlentyState::AwaitingRenewal => "7 awaiting renewal",
            PlentyState::Expired => "8 expired",
            PlentyState::Refunded => "9 refunded",
            PlentyState::PartiallyRefunded => "10 partially refunded",
        }
    }

    fn is_terminal(self) -> bool {
        match self {
            PlentyState::AwaitingApproval
            | PlentyState::Approved
            | PlentyState::Captured
            | PlentyState::PartiallyCaptured
            | PlentyState::AwaitingRenewal
            | PlentyState::PartiallyRefunded => false,
            PlentyState::Canceled | PlentyState::Refused | PlentyState::Expired | PlentyState::Refunded => true,
        }
    }
}

const fn t(from: PlentyState, action: &'static str, to: PlentyState) -> Transition<PlentyState> {
    Transition { from, action, to }
}

use PlentyState::{
    Approved, AwaitingApproval, AwaitingRenewal, Canceled, Captured, Expired, PartiallyCaptured, PartiallyRefunded,
    Refunded, Refused,
};

/// Our lifecycle for plentymarkets (none is published; SEEDS.md records the decision). The action
/// is named after the status it leads to, so a status change by `PUT` maps to exactly one action.
pub static LIFECYCLE: Lifecycle<PlentyState> = Lifecycle {
    profile: "plentymarkets",
    initial: &[AwaitingApproval, Approved, Captured, AwaitingRenewal],
    transitions: &[
        t(AwaitingApproval, "approve", Approved),
        t(AwaitingApproval, "cancel", Canceled),
        t(AwaitingApproval, "refuse", Refused),
        t(AwaitingApproval, "expire", Expired),
        t(AwaitingRenewal, "await_approval", AwaitingApproval),
        t(AwaitingRenewal, "approve", Approved),
        t(AwaitingRenewal, "cancel", Canceled),
        t(AwaitingRenewal, "expire", Expired),
        t(Approved, "capture", Captured),
        t(Approved, "capture_partially", PartiallyCaptured),
        t(Approved, "cancel", Canceled),
        t(Approved, "expire", Expired),
        t(PartiallyCaptured, "capture", Captured),
        t(PartiallyCaptured, "refund", Refunded),
        t(PartiallyCaptured, "refund_partially", PartiallyRefunded),
        t(Captured, "refund", Refunded),
        t(Captured, "refund_partially", PartiallyRefunded),
        t(PartiallyRefunded, "refund", Refunded),
        t(PartiallyRefunded, "refund_partially", PartiallyRefunded),
    ],
};

/// The action that moves a payment to `to` (each target status has exactly one action).
pub fn action_to(to: PlentyState) -> Option<&'static str> {
    LIFECYCLE.transitions.iter().find(|t| t.to == to).map(|t| t.action)
}
