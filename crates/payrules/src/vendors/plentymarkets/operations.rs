//! plentymarkets REST payments (seeds/003): create, update, get, the list variants, and the
//! order and contact relations. The published field patterns are PHP (PCRE) regexes; see [`AMOUNT`].

use super::lifecycle::STATUSES;
use crate::money::{Currency, Exact, text_fits_minor_units};
use crate::operation::{Body, Input, Method, Operation, people_rules, people_summary};
use crate::pointer::Pointer;
use crate::report::{Code, Violation};
use crate::rules::{Ctx, Field, Pattern, Token, Ty, Val, date_of};

fn is_amount(s: &str) -> bool {
    // 1 to 9 digits, the dot, 4 digits: the dot is the fifth byte from the end.
    let b = s.as_bytes();
    let Some((int, [b'.', frac @ ..])) = b.len().checked_sub(5).and_then(|dot| b.split_at_checked(dot)) else {
        return false;
    };
    (1..=9).contains(&int.len()) && int.iter().all(u8::is_ascii_digit) && frac.iter().all(u8::is_ascii_digit)
}

fn is_digits(s: &str) -> bool {
    !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit())
}

fn is_zero_one(s: &str) -> bool {
    s == "0" || s == "1"
}

fn is_status(s: &str) -> bool {
    matches!(s.as_bytes(), [b'1'..=b'9'] | [b'1'..=b'9', b'0'])
}

fn is_transaction_type(s: &str) -> bool {
    matches!(s, "1" | "2" | "3")
}

/// `amount` and `exchangeRatio`. PCRE reads `{4}+` as a *possessive* `{4}`: exactly four decimals
/// (Rust's `regex` would read `([0-9]{4})+`, JavaScript refuses the pattern).
pub static AMOUNT: Pattern = Pattern {
    published: r"/^[0-9]{1,9}[\.][0-9]{4}+$/",
    means: "1 to 9 digits, a dot and exactly 4 decimals, e.g. 12.3400",
    rust_regex: r"^[0-9]{1,9}\.[0-9]{4}$",
    known: &[],
    matcher: is_amount,
    decimals: Some(4),
};

/// Ids: `/^[0-9]+$/`.
pub static DIGITS: Pattern = Pattern {
    published: "/^[0-9]+$/",
    means: "digits only",
    rust_regex: "^[0-9]+$",
    known: &[],
    matcher: is_digits,
    decimals: None,
};

/// Flags `deleted` and `unaccountable`: `/^[0-1]$/`.
pub static ZERO_ONE: Pattern = Pattern {
    published: "/^[0-1]$/",
    means: "0 or 1",
    rust_regex: "^[0-1]$",
    known: &[],
    matcher: is_zero_one,
    decimals: None,
};

/// `status`: `/^[1-9][0]?$/` also lets 20, 30 … 90 through, which are not statuses: refused by name.
pub static STATUS: Pattern = Pattern {
    published: "/^[1-9][0]?$/",
    means: "a payment status 1–10",
    rust_regex: "^[1-9]0?$",
    known: STATUSES,
    matcher: is_status,
    decimals: None,
};

/// `transactionType`: `/^[1-3]$/`.
pub static TRANSACTION_TYPE: Pattern = Pattern {
    published: "/^[1-3]$/",
    means: "1 interim transaction report, 2 booked payment, 3 split payment",
    rust_regex: "^[1-3]$",
    known: &[("1", "interim transaction report"), ("2", "booked payment"), ("3", "split payment")],
    matcher: is_transaction_type,
    decimals: None,
};

fn is_origin(s: &str) -> bool {
    matches!(s, "0" | "1" | "2" | "3" | "4" | "5" | "6")
}

/// `origin` (not in the request table; accepted with its documented values).
pub static ORIGIN: Pattern = Pattern {
    published: "0|1|2|3|4|5|6",
    means: "0 undefined, 1 system, 2 manually, 3 SOAP, 4 import, 5 split payment, 6 plugin",
    rust_regex: "^[0-6]$",
    known: &[],
    matcher: is_origin,
    decimals: None,
};

const AUTH: &[Field] = &[Field::req("authorization", Ty::Token(Token::Bearer), "OAuth access token: `Bearer <token>`")];

const PAGING: &[Field] = &[
    Field::opt(
        "itemsPerPage",
        Ty::Integer { digits: 9, min: 1, strict: false },
        "The number of items to list per page",
    ),
    Field::opt("page", Ty::Integer { digits: 9, min: 1, strict: false }, "The page of results to search for"),
];

const DATE_RANGE: &[Field] = &[
    Field::req("startDate", Ty::Date, "The start of the date range"),
    Field::req("endDate", Ty::Date, "The end of the date range"),
    Field::opt(
        "itemsPerPage",
        Ty::Integer { digits: 9, min: 1, strict: false },
        "The number of items to list per page",
    ),
    Field::opt("page", Ty::Integer { digits: 9, min: 1, strict: false }, "The page of results to search for"),
];

macro_rules! payment_fields {
    ($($extra:expr),* $(,)?) => {
        &[
            $($extra,)*
            Field::req("amount", Ty::Pattern(&AMOUNT), "The amount of the payment"),
            Field::req("exchangeRatio", Ty::Pattern(&AMOUNT), "The exchange rate to the system currency"),
            Field::req("mopId", Ty::Pattern(&DIGITS), "The ID of the payment method"),
            Field::opt("parentId", Ty::Pattern(&DIGITS), "The ID of the parent payment (required for split payments)"),
            Field::opt("deleted", Ty::Pattern(&ZERO_ONE), "1 marks a deleted payment"),
            Field::opt("unaccountable", Ty::Pattern(&ZERO_ONE), "1 marks an unassigned payment"),
            Field::req("currency", Ty::Currency, "The ISO 4217 currency code, /^[A-Z]{3}$/"),
            Field::req("type", Ty::Enum { values: &["debit", "credit"] }, "The payment type"),
            Field::req("status", Ty::Pattern(&STATUS), "The status of the payment"),
            Field::req("transactionType", Ty::Pattern(&TRANSACTION_TYPE), "The transaction type"),
            Field::opt("origin", Ty::Pattern(&ORIGIN), "Where the payment came from"),
            Field::opt("receivedAt", Ty::DateTime, "When the payment was received"),
            Field::opt("regenerateHash", Ty::Bool, "Regenerate the payment hash"),
            Field::opt("isSystemCurrency", Ty::Bool, "false: convert the amount to the system currency with exchangeRatio"),
            Field::read_only("hash", "Generated, 32 characters"),
            Field::read_only("importedAt", "Set when the payment is imported"),
        ]
    };
}

const CREATE_BODY: &[Field] = payment_fields![Field::read_only("id", "Assigned by plentymarkets")];
const UPDATE_BODY: &[Field] = payment_fields![
    Field::req("id", Ty::Pattern(&DIGITS), "The ID of the payment to update"),
    Field::opt("updateOrderPaymentStatus", Ty::Bool, "Update the order's payment status"),
];

const PAYMENT_RULES: &[&str] = &[
    "A split payment (transactionType 3) needs parentId.",
    "With isSystemCurrency false, exchangeRatio must be above zero.",
    "An amount with more decimals than the currency has minor units is a warning.",
];

fn payment_cross(input: &Input<'_>, ctx: &mut Ctx) {
    if input.field("transactionType").and_then(Val::text) == Some("3") && input.field("parentId").is_none() {
        ctx.push(Violation::error(
            "/body/parentId",
            Code::ConditionalRequired,
            "`parentId` is required when transactionType is 3 (split payment): a split part names its parent payment",
        ));
    }
    let system_currency = match input.field("isSystemCurrency") {
        Some(Val::Json(crate::json::Json::Bool(b))) => *b,
        Some(Val::Text(t)) => !matches!(t, "false" | "0"),
        _ => true,
    };
    if !system_currency
        && let Some(ratio) = input.field("exchangeRatio").and_then(Val::text).and_then(|t| Exact::read(t).ok())
        && !ratio.is_positive()
    {
        ctx.push(Violation::error(
            "/body/exchangeRatio",
            Code::Range,
            format!("`exchangeRatio` is {ratio}; with isSystemCurrency false the amount is converted with it, so it must be above zero"),
        ));
    }
    if !ctx.wants_warnings() {
        return; // what follows can only find a warning
    }
    let currency = input.field("currency").and_then(Val::text).and_then(|t| t.parse::<Currency>().ok());
    let amount = input.field("amount").and_then(Val::text);
    if let (Some(currency), Some(text)) = (currency, amount)
        && AMOUNT.matches(text)
        && let Some(exp) = currency.exponent()
        && match text_fits_minor_units(text, exp) {
            Some(fits) => !fits,
            None => Exact::read(text).is_ok_and(|a| !a.fits_minor_units(exp)),
        }
    {
        ctx.warn(|| {
            Violation::warning(
                "/body/amount",
                Code::Precision,
                format!(
                    "`amount` {text} has more precision than {} ({}) has minor units ({exp} decimals); the vendor will store it, but it cannot be paid exactly",
                    currency.code(),
                    currency.name()
                ),
            )
        });
    }
}

fn date_range_cross(input: &Input<'_>, ctx: &mut Ctx) {
    let start = input.query("startDate").and_then(|t| date_of(Val::Text(t)));
    let end = input.query("endDate").and_then(|t| date_of(Val::Text(t)));
    if let (Some(s), Some(e)) = (start, end)
        && e.cmp_instant(&s) == std::cmp::Ordering::Less
    {
        let ptr = Pointer::at("/query/endDate");
        ctx.error(&ptr, Code::Range, "`endDate` is before `startDate`; the range would be empty".to_owned());
    }
}

const PAYMENT_ID: Field = Field::req("paymentId", Ty::Pattern(&DIGITS), "The ID of the payment");

operations! {
    /// plentymarkets' payment operations.
    pub(crate) enum Op in OPERATIONS {
        List => Operation::new("plentymarkets.list_payments", Method::Get, "/rest/payments", "List payments")
            .query(PAGING)
            .headers(AUTH),
        Get => Operation::new("plentymarkets.get_payment", Method::Get, "/rest/payments/{paymentId}", "Get a payment")
            .params(&[PAYMENT_ID])
            .headers(AUTH),
        ListByMethod => Operation::new(
            "plentymarkets.list_payments_by_method",
            Method::Get,
            "/rest/payments/methods/{methodId}",
            "List payments of a payment method",
        )
            .params(&[Field::req("methodId", Ty::Pattern(&DIGITS), "The ID of the payment method")])
            .query(PAGING)
            .headers(AUTH),
        ListByStatus => Operation::new(
            "plentymarkets.list_payments_by_status",
            Method::Get,
            "/rest/payments/status/{statusId}",
            "List payments of a payment status",
        )
            .params(&[Field::req("statusId", Ty::Pattern(&STATUS), "The ID of the payment status")])
            .query(PAGING)
            .headers(AUTH),
        ListByTransactionType => Operation::new(
            "plentymarkets.list_payments_by_transaction_type",
            Method::Get,
            "/rest/payments/transactions/{transactionTypeId}",
            "List payments of a transaction type",
        )
            .params(&[Field::req("transactionTypeId", Ty::Pattern(&TRANSACTION_TYPE), "The ID of the transaction type")])
            .query(PAGING)
            .headers(AUTH),
        ListByOrder => Operation::new(
            "plentymarkets.list_payments_by_order",
            Method::Get,
            "/rest/payments/orders/{orderId}",
            "List payments of an order",
        )
            .params(&[Field::req("orderId", Ty::Pattern(&DIGITS), "The ID of the order")])
            .query(PAGING)
            .headers(AUTH),
        ListByEntryDate => Operation::new(
            "plentymarkets.list_payments_by_entry_date",
            Method::Get,
            "/rest/payments/entrydate",
            "List payments by entry date",
        )
            .query(DATE_RANGE)
            .headers(AUTH)
            .cross(date_range_cross),
        ListByImportDate => Operation::new(
            "plentymarkets.list_payments_by_import_date",
            Method::Get,
            "/rest/payments/importdate",
            "List payments by import date",
        )
            .query(DATE_RANGE)
            .headers(AUTH)
            .cross(date_range_cross),
        ListByProperty => Operation::new(
            "plentymarkets.list_payments_by_property",
            Method::Get,
            "/rest/payments/property/{propertyTypeId}/{propertyValue}",
            "List payments by property type ID and value",
        )
            .params(&[
                Field::req("propertyTypeId", Ty::Pattern(&DIGITS), "The property type ID"),
                Field::req("propertyValue", Ty::Text { max: None }, "The property value"),
            ])
            .query(PAGING)
            .headers(AUTH),
        Create => Operation {
            id: "plentymarkets.create_payment",
            method: Method::Post,
            path: "/rest/payments",
            summary: people_summary("Create a payment"),
            params: &[],
            query: &[],
            headers: AUTH,
            body: Body::Json(CREATE_BODY),
            rules: people_rules(PAYMENT_RULES),
            cross: Some(payment_cross),
        },
        Update => Operation {
            id: "plentymarkets.update_payment",
            method: Method::Put,
            path: "/rest/payments",
            summary: people_summary("Update a payment"),
            params: &[],
            query: &[],
            headers: AUTH,
            body: Body::Json(UPDATE_BODY),
            rules: people_rules(PAYMENT_RULES),
            cross: Some(payment_cross),
        },
        CreateOrderRelation => Operation {
            id: "plentymarkets.create_payment_order_relation",
            method: Method::Post,
            path: "/rest/payment/{paymentId}/order/{orderId}",
            summary: people_summary("Create a payment-order relation"),
            params: &[PAYMENT_ID, Field::req("orderId", Ty::Pattern(&DIGITS), "The ID of the order")],
            query: &[],
            headers: AUTH,
            body: Body::None,
            rules: people_rules(&["A payment has at most one order; replacing it needs a delete first (checked by the ledger)."]),
            cross: None,
        },
        DeleteOrderRelation => Operation {
            id: "plentymarkets.delete_payment_order_relation",
            method: Method::Delete,
            path: "/rest/payment/{paymentId}/order",
            summary: people_summary("Delete a payment-order relation"),
            params: &[PAYMENT_ID],
            query: &[],
            headers: AUTH,
            body: Body::None,
            rules: people_rules(&[]),
            cross: None,
        },
        CreateContactRelation => Operation {
            id: "plentymarkets.create_payment_contact_relation",
            method: Method::Post,
            path: "/rest/payment/{paymentId}/contact/{contactId}",
            summary: people_summary("Create a payment-contact relation"),
            params: &[PAYMENT_ID, Field::req("contactId", Ty::Pattern(&DIGITS), "The ID of the contact")],
            query: &[],
            headers: AUTH,
            body: Body::None,
            rules: people_rules(&["A payment has at most one contact; replacing it needs a delete first (checked by the ledger)."]),
            cross: None,
        },
        DeleteContactRelation => Operation {
            id: "plentymarkets.delete_payment_contact_relation",
            method: Method::Delete,
            path: "/rest/payment/{paymentId}/contact",
            summary: people_summary("Delete a payment-contact relation"),
            params: &[PAYMENT_ID],
            query: &[],
            headers: AUTH,
            body: Body::None,
            rules: people_rules(&[]),
            cross: None,
        },
    }
}
