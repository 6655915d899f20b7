//! plentymarkets' payment statuses and their lifecycle (moves named after the status they lead to).

use crate::lifecycle::{Lifecycle, State, Transition};

/// Declares the statuses from one list, the one place their numbers and meanings are written: the
/// enum, `STATUSES` (the `status` pattern's known values), `name` (the number) and `label`
/// (number and meaning).
macro_rules! statuses {
    ($($variant:ident = $number:literal $meaning:literal $(($note:literal))?,)*) => {
        /// A plentymarkets payment status; `name` is the number the API sends, `label` its meaning.
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
        #[non_exhaustive]
        pub enum PlentyState {
            $(
                #[doc = concat!($number, " ", $meaning $(, " (", $note, ")")?)]
                $variant,
            )*
        }

        /// The payment statuses of the vendor's plugin interface, `(number, meaning)` (11
        /// "duplicated" exists only in newer versions).
        pub(super) const STATUSES: &[(&str, &str)] = &[$(($number, $meaning),)*];

        impl PlentyState {
            /// Every status, by number.
            const EVERY: &'static [PlentyState] = &[$(PlentyState::$variant,)*];

            /// The number the API sends.
            const fn number(self) -> &'static str {
                match self {
                    $(PlentyState::$variant => $number,)*
                }
            }

            /// The number and its meaning (`1 awaiting approval`).
            const fn meaning(self) -> &'static str {
                match self {
                    $(PlentyState::$variant => concat!($number, " ", $meaning),)*
                }
            }
        }
    };
}

statuses! {
    AwaitingApproval = "1" "awaiting approval",
    Approved = "2" "approved",
    Captured = "3" "captured",
    PartiallyCaptured = "4" "partially captured",
    Canceled = "5" "canceled" ("the vendor's spelling"),
    Refused = "6" "refused",
    AwaitingRenewal = "7" "awaiting renewal",
    Expired = "8" "expired",
    Refunded = "9" "refunded",
    PartiallyRefunded = "10" "partially refunded",
}

impl State for PlentyState {
    const ALL: &'static [Self] = PlentyState::EVERY;

    fn name(self) -> &'static str {
        self.number()
    }

    fn label(self) -> &'static str {
        self.meaning()
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
