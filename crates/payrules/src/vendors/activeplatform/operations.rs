//! ActivePlatform: "Complete a Payment", `POST /api/vendor/v1/payments/{id}/complete.json` (seeds/001), as data.

use crate::operation::{Body, Method, Operation, people_rules, people_summary};
use crate::rules::{Field, Token, Ty};

const COMPLETE_BODY: &[Field] = &[Field::req(
    "payment_method_id",
    Ty::Integer { digits: 19, min: 1, strict: true },
    "The payment method id (a form or JSON integer)",
)];

operations! {
    /// ActivePlatform's one payment operation.
    pub(crate) enum Op in OPERATIONS {
        Complete => Operation {
            id: "activeplatform.complete_payment",
            method: Method::Post,
            path: "/api/vendor/v1/payments/{id}/complete.json",
            summary: people_summary("Complete a payment that is waiting for payment"),
            params: &[Field::req("id", Ty::Integer { digits: 19, min: 1, strict: false }, "The payment id")],
            query: &[Field::req(
                "api_token",
                Ty::Token(Token::Plain { max: Some(255) }),
                "API token of the manager who performs the operation",
            )],
            headers: &[],
            body: Body::JsonOrForm(COMPLETE_BODY),
            rules: people_rules(&[
                "Only payments in status `waiting for payment` can be completed (checked by the ledger).",
                "The token travels in the query string; payrules never echoes or logs it.",
            ]),
            cross: None,
        },
    }
}
