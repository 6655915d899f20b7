//! Komet Sales' operations: `POST /api/payment.mark.sync` (seeds/000).

use crate::operation::{Body, Method, Operation, people_rules, people_summary};
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

operations! {
    /// Komet's one payment operation.
    pub(crate) enum Op in OPERATIONS {
        /// `POST /api/payment.mark.sync`.
        MarkSync => Operation {
            id: "komet.payment_mark_sync",
            method: Method::Post,
            path: "/api/payment.mark.sync",
            summary: people_summary("Mark payments as synchronized with an external system"),
            params: &[],
            query: &[],
            headers: &[],
            body: Body::Json(MARK_SYNC_BODY),
            rules: people_rules(&["Only company tokens are valid (checked by the ledger)."]),
            cross: None,
        },
    }
}
