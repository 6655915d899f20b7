//! CRM.COM payments (seeds/002): show, list and get the latest payments; create a payment, pay an
//! invoice or a bill; post, reject and cancel a payment.
//!
//! The seed lost its tables of allowed identifier fields; the lists below are our documented
//! decisions (SEEDS.md, section crmcom).

use crate::json::{Json, member};
use crate::operation::{Body, Input, Method, Operation};
use crate::pointer::Pointer;
use crate::report::{Code, Violation};
use crate::rules::{Ctx, Field, Token, Ty, Val};

/// The allowed `payment_identifier` fields: `id`, `number`, `reference_number`.
pub(super) const PAYMENT_ID_FIELDS: &[&str] = &["id", "number", "reference_number"];
/// The allowed `accounts_receivable_identifier` fields: `id`, `number`, `name`.
pub(super) const ACCOUNTS_RECEIVABLE_ID_FIELDS: &[&str] = &["id", "number", "name"];
/// The allowed `type_identifier` (financial transaction type) fields: `id`, `name`, `alternative_code`.
pub(super) const TYPE_ID_FIELDS: &[&str] = &["id", "name", "alternative_code"];
/// The allowed `category_identifier` (financial transaction category) fields: `id`, `name`, `code`.
pub(super) const CATEGORY_ID_FIELDS: &[&str] = &["id", "name", "code"];
/// The allowed `payment_method_identifier` fields: `id`, `name`, `alternative_code`.
pub(super) const PAYMENT_METHOD_ID_FIELDS: &[&str] = &["id", "name", "alternative_code"];
/// The allowed `received_by_user_identifier` fields: `id`, `username`.
pub(super) const USER_ID_FIELDS: &[&str] = &["id", "username"];
/// The allowed `received_by_unit_identifier` fields: `id`, `name`, `alternative_code`.
pub(super) const UNIT_ID_FIELDS: &[&str] = &["id", "name", "alternative_code"];
/// The allowed `card_identifier` (payment gateway card) fields: `id`, `number`, `payment_gateway_reference_number`.
pub(super) const CARD_ID_FIELDS: &[&str] = &["id", "number", "payment_gateway_reference_number"];
/// The allowed `invoice_identifier` fields: `id`, `number`, `reference_number`.
pub(super) const INVOICE_ID_FIELDS: &[&str] = &["id", "number", "reference_number"];
/// The allowed `bill_identifier` fields: `id`, `number`, `reference_number`.
pub(super) const BILL_ID_FIELDS: &[&str] = &["id", "number", "reference_number"];
/// The allowed `rejection_reason_identifier` fields: `id`, `name`, `alternative_code`.
pub(super) const REJECTION_REASON_ID_FIELDS: &[&str] = &["id", "name", "alternative_code"];

/// The names `fields_set` may list: the payment object's fields (show and create responses),
/// ending with the 16 user defined fields (`records::UDFS` is that tail).
pub(super) const PAYMENT_FIELD_NAMES: &[&str] = &[
    "id",
    "number",
    "reference_number",
    "life_cycle_state",
    "payment_amount",
    "issued_on",
    "posted_on",
    "received_on",
    "accounts_receivable",
    "type",
    "category",
    "payment_method",
    "received_by_user",
    "received_by_unit",
    "card",
    "rejection_reason",
    "description",
    "notes",
    "payment_gateway_reference_number",
    "processed_by_payment_gateway",
    "invoices_to_pay_set",
    "bills_to_pay_set",
    "log_information",
    "udf_string_1",
    "udf_string_2",
    "udf_string_3",
    "udf_string_4",
    "udf_string_5",
    "udf_string_6",
    "udf_string_7",
    "udf_string_8",
    "udf_float_1",
    "udf_float_2",
    "udf_float_3",
    "udf_float_4",
    "udf_date_1",
    "udf_date_2",
    "udf_date_3",
    "udf_date_4",
];

/// The token every call carries: 32 hexadecimal digits from the login method.
const TOKEN: Field =
    Field::req("token", Ty::Token(Token::Hex32), "The token from the login method (32 hexadecimal digits)");

/// The payment a call acts on.
const PAYMENT: Field = Field::req(
    "payment_identifier",
    Ty::Identifier { fields: PAYMENT_ID_FIELDS },
    "The payment, named by one of id, number, reference_number",
);

/// The accounts receivable the payments belong to (required by every call that names one).
const ACCOUNTS_RECEIVABLE: Field = Field::req(
    "accounts_receivable_identifier",
    Ty::Identifier { fields: ACCOUNTS_RECEIVABLE_ID_FIELDS },
    "The accounts receivable, named by one of id, number, name",
);

/// A financial transaction type identifier.
const TYPE_ID: Ty = Ty::Identifier { fields: TYPE_ID_FIELDS };
/// The financial transaction type's one-line description.
const TYPE_DOC: &str = "The financial transaction type, named by one of id, name, alternative_code";

/// The financial transaction category (optional everywhere).
const CATEGORY: Field = Field::opt(
    "category_identifier",
    Ty::Identifier { fields: CATEGORY_ID_FIELDS },
    "The financial transaction category, named by one of id, name, code",
);

/// A payment method identifier.
const PAYMENT_METHOD_ID: Ty = Ty::Identifier { fields: PAYMENT_METHOD_ID_FIELDS };
/// The payment method's one-line description.
const PAYMENT_METHOD_DOC: &str = "The payment method, named by one of id, name, alternative_code";

/// The payment's amount: above zero, a JSON number or a numeric string (the seed sends "50").
const PAYMENT_AMOUNT: Field = Field::req(
    "payment_amount",
    Ty::Decimal { positive: true, strings: true },
    "The amount of the payment, above zero",
);

/// A field list followed by the 16 user defined fields (8 strings, 4 floats, 4 dates).
macro_rules! with_udfs {
    ($($field:expr),* $(,)?) => {
        &[
            $($field,)*
            Field::opt("udf_string_1", Ty::Text { max: None }, "User defined field of type string"),
            Field::opt("udf_string_2", Ty::Text { max: None }, "User defined field of type string"),
            Field::opt("udf_string_3", Ty::Text { max: None }, "User defined field of type string"),
            Field::opt("udf_string_4", Ty::Text { max: None }, "User defined field of type string"),
            Field::opt("udf_string_5", Ty::Text { max: None }, "User defined field of type string"),
            Field::opt("udf_string_6", Ty::Text { max: None }, "User defined field of type string"),
            Field::opt("udf_string_7", Ty::Text { max: None }, "User defined field of type string"),
            Field::opt("udf_string_8", Ty::Text { max: None }, "User defined field of type string"),
            Field::opt("udf_float_1", Ty::Decimal { positive: false, strings: false }, "User defined field of type float (a JSON number)"),
            Field::opt("udf_float_2", Ty::Decimal { positive: false, strings: false }, "User defined field of type float (a JSON number)"),
            Field::opt("udf_float_3", Ty::Decimal { positive: false, strings: false }, "User defined field of type float (a JSON number)"),
            Field::opt("udf_float_4", Ty::Decimal { positive: false, strings: false }, "User defined field of type float (a JSON number)"),
            Field::opt("udf_date_1", Ty::DateTime, "User defined field of type date"),
            Field::opt("udf_date_2", Ty::DateTime, "User defined field of type date"),
            Field::opt("udf_date_3", Ty::DateTime, "User defined field of type date"),
            Field::opt("udf_date_4", Ty::DateTime, "User defined field of type date"),
        ]
    };
}

/// A new payment's fields (create, `pay_invoice`, `pay_bill`): the given ones, then the optional
/// fields they share, then the user defined fields.
macro_rules! new_payment_fields {
    ($($field:expr),* $(,)?) => {
        with_udfs![
            $($field,)*
            CATEGORY,
            Field::opt("received_on", Ty::DateTime, "When the payment was received"),
            Field::opt(
                "received_by_user_identifier",
                Ty::Identifier { fields: USER_ID_FIELDS },
                "The user who received the payment (defaults to the issuing user), named by one of id, username",
            ),
            Field::opt(
                "received_by_unit_identifier",
                Ty::Identifier { fields: UNIT_ID_FIELDS },
                "The unit that received the payment, named by one of id, name, alternative_code",
            ),
            Field::opt(
                "card_identifier",
                Ty::Identifier { fields: CARD_ID_FIELDS },
                "The card the payment gateway charges, named by one of id, number, payment_gateway_reference_number",
            ),
            Field::opt("description", Ty::Text { max: None }, "A description of the payment"),
            Field::opt("notes", Ty::Text { max: None }, "Notes on the payment"),
        ]
    };
}

/// An item of `invoices_to_pay_set`: the invoice to pay.
const INVOICE_ITEM: &[Field] = &[Field::req(
    "invoice_identifier",
    Ty::Identifier { fields: INVOICE_ID_FIELDS },
    "The invoice to pay, named by one of id, number, reference_number",
)];

/// An item of `bills_to_pay_set`: the bill to pay.
const BILL_ITEM: &[Field] = &[Field::req(
    "bill_identifier",
    Ty::Identifier { fields: BILL_ID_FIELDS },
    "The bill to pay, named by one of id, number, reference_number",
)];

/// The optional `fields_set` of the GET operations.
const FIELDS_SET: Field = Field::opt(
    "fields_set",
    Ty::FieldsSet { names: PAYMENT_FIELD_NAMES },
    "The payment fields to return, comma separated (all when absent)",
);

/// The query of `payments/show`.
const SHOW_QUERY: &[Field] = &[TOKEN, PAYMENT, FIELDS_SET];

/// The query of `payments/list`.
const LIST_QUERY: &[Field] = &[
    TOKEN,
    ACCOUNTS_RECEIVABLE,
    Field::opt("type_identifier", TYPE_ID, TYPE_DOC),
    CATEGORY,
    Field::opt("payment_method_identifier", PAYMENT_METHOD_ID, PAYMENT_METHOD_DOC),
    FIELDS_SET,
];

/// The query of `payments/get_latest`: the list filters plus how many payments to return.
const GET_LATEST_QUERY: &[Field] = &[
    TOKEN,
    ACCOUNTS_RECEIVABLE,
    Field::opt("type_identifier", TYPE_ID, TYPE_DOC),
    CATEGORY,
    Field::opt("payment_method_identifier", PAYMENT_METHOD_ID, PAYMENT_METHOD_DOC),
    Field::req(
        "number",
        Ty::Integer { digits: 9, min: 1, strict: false },
        "How many payments to return, starting from the latest (a whole number, at least 1)",
    ),
    FIELDS_SET,
];

/// The body of `payments/create`.
const CREATE_BODY: &[Field] = new_payment_fields![
    TOKEN,
    ACCOUNTS_RECEIVABLE,
    Field::req("type_identifier", TYPE_ID, TYPE_DOC),
    Field::req(
        "life_cycle_state",
        Ty::Enum { values: &["DRAFT", "POSTED"] },
        "The state the payment is created in: DRAFT or POSTED",
    ),
    Field::req("payment_method_identifier", PAYMENT_METHOD_ID, PAYMENT_METHOD_DOC),
    PAYMENT_AMOUNT,
    Field::opt(
        "invoices_to_pay_set",
        Ty::List { item: INVOICE_ITEM, non_empty: false },
        "The invoices the payment pays, each {\"invoice_identifier\": …}",
    ),
    Field::opt(
        "bills_to_pay_set",
        Ty::List { item: BILL_ITEM, non_empty: false },
        "The bills the payment pays, each {\"bill_identifier\": …}",
    ),
];

/// `life_cycle_state` of `pay_invoice` and `pay_bill`: optional, and POSTED when sent.
const ALWAYS_POSTED: Field = Field::opt(
    "life_cycle_state",
    Ty::Enum { values: &["POSTED"] },
    "The state of the new payment; it is always created POSTED, so only POSTED may be sent",
);

/// The body of `payments/pay_invoice`.
const PAY_INVOICE_BODY: &[Field] = new_payment_fields![
    TOKEN,
    ACCOUNTS_RECEIVABLE,
    Field::req("type_identifier", TYPE_ID, TYPE_DOC),
    Field::req("payment_method_identifier", PAYMENT_METHOD_ID, PAYMENT_METHOD_DOC),
    Field::req(
        "invoice_identifier",
        Ty::Identifier { fields: INVOICE_ID_FIELDS },
        "The invoice whose whole outstanding amount is paid, named by one of id, number, reference_number",
    ),
    ALWAYS_POSTED,
];

/// The body of `payments/pay_bill`.
const PAY_BILL_BODY: &[Field] = new_payment_fields![
    TOKEN,
    ACCOUNTS_RECEIVABLE,
    Field::req("type_identifier", TYPE_ID, TYPE_DOC),
    Field::req("payment_method_identifier", PAYMENT_METHOD_ID, PAYMENT_METHOD_DOC),
    Field::req(
        "bill_identifier",
        Ty::Identifier { fields: BILL_ID_FIELDS },
        "The bill whose whole outstanding amount is paid, named by one of id, number, reference_number",
    ),
    ALWAYS_POSTED,
];

/// The body of `payments/post`.
const POST_BODY: &[Field] = &[TOKEN, PAYMENT];

/// The body of `payments/reject`.
const REJECT_BODY: &[Field] = &[
    TOKEN,
    PAYMENT,
    Field::req(
        "rejection_reason_identifier",
        Ty::Identifier { fields: REJECTION_REASON_ID_FIELDS },
        "The reason the payment is rejected, named by one of id, name, alternative_code",
    ),
];

/// The body of `payments/cancel`.
const CANCEL_BODY: &[Field] = with_udfs![
    TOKEN,
    PAYMENT,
    Field::req(
        "type_identifier",
        TYPE_ID,
        "The financial transaction type of the payment cancellation, named by one of id, name, alternative_code",
    ),
    Field::opt(
        "category_identifier",
        Ty::Identifier { fields: CATEGORY_ID_FIELDS },
        "The financial transaction category of the payment cancellation, named by one of id, name, code",
    ),
    Field::opt("notes", Ty::Text { max: None }, "Notes on the payment cancellation"),
    Field::opt("issue_reason", Ty::Text { max: None }, "Why the payment cancellation is issued"),
];

/// The rule a card-paid payment follows (create, `pay_invoice`, `pay_bill`).
const CARD_RULE: &str = "card_identifier is required exactly when the payment method is linked to a payment gateway, \
and the card must belong to the accounts receivable owner (checked by the ledger: it needs the stored method and cards).";

/// The rules of `payments/create`.
const CREATE_RULES: &[&str] = &[
    CARD_RULE,
    "invoices_to_pay_set and bills_to_pay_set may not name the same invoice or bill twice (the same identifying field and value).",
    "Naming the same invoice or bill twice by different fields (an id and a number) is caught by the ledger.",
];

/// The rules of `payments/pay_invoice`.
const PAY_INVOICE_RULES: &[&str] = &[
    CARD_RULE,
    "The payment is created POSTED for the whole outstanding amount of the invoice, which then has nothing outstanding.",
    "An invoice with nothing outstanding cannot be paid (checked by the ledger).",
];

/// The rules of `payments/pay_bill`.
const PAY_BILL_RULES: &[&str] = &[
    CARD_RULE,
    "The payment is created POSTED for the whole outstanding amount of the bill, which then has nothing outstanding.",
    "A bill with nothing outstanding cannot be paid (checked by the ledger).",
];

/// `payments/create`: a payment may not name the same invoice or bill twice in its sets.
fn create_cross(input: &Input<'_>, ctx: &mut Ctx) {
    for (set, key, what, allowed) in [
        ("invoices_to_pay_set", "invoice_identifier", "invoice", INVOICE_ID_FIELDS),
        ("bills_to_pay_set", "bill_identifier", "bill", BILL_ID_FIELDS),
    ] {
        let Some(Val::Json(Json::Array(items))) = input.field(set) else {
            continue;
        };
        let mut seen: Vec<(usize, &str, String)> = Vec::new();
        for (i, item) in items.iter().enumerate() {
            let Json::Object(members) = item else { continue };
            let Some((field, value)) = member(members, key).and_then(single_identifier) else {
                continue;
            };
            if !allowed.contains(&field) {
                continue;
            }
            match seen.iter().find(|(_, f, v)| *f == field && *v == value) {
                Some((first, _, _)) => {
                    let mut ptr = Pointer::at("/body");
                    ptr.push(set);
                    ptr.push_index(i);
                    ptr.push(key);
                    ctx.push(Violation::error(
                        ptr.as_str(),
                        Code::Range,
                        format!(
                            "`{set}` names the {what} with {field} \"{value}\" again (first at item {first}); \
                             a payment pays each {what} once, so remove the repeated item"
                        ),
                    ));
                }
                None => seen.push((i, field, value)),
            }
        }
    }
}

/// The one identifying field and its value's text, when an identifier object names exactly one.
fn single_identifier<'j>(value: &'j Json<'_>) -> Option<(&'j str, String)> {
    let Json::Object(map) = value else {
        return None;
    };
    let mut entries = map.iter();
    let (field, value) = entries.next()?;
    if entries.next().is_some() {
        return None;
    }
    let text = match value {
        Json::String(s) if !s.is_empty() => s.to_string(),
        Json::Number(n) => (*n).to_owned(),
        _ => return None,
    };
    Some((field.as_ref(), text))
}

operations! {
    /// CRM.COM's payment operations.
    pub(crate) enum Op in OPERATIONS {
        Show => Operation::new("crmcom.payments_show", Method::Get, "/payments/show", "Show one payment")
            .query(SHOW_QUERY),
        List => Operation::new(
            "crmcom.payments_list",
            Method::Get,
            "/payments/list",
            "List the payments of an accounts receivable",
        )
            .query(LIST_QUERY),
        GetLatest => Operation::new(
            "crmcom.payments_get_latest",
            Method::Get,
            "/payments/get_latest",
            "Get the latest payments of an accounts receivable",
        )
            .query(GET_LATEST_QUERY),
        Create => Operation::new(
            "crmcom.payments_create",
            Method::Post,
            "/payments/create",
            "Create a payment, DRAFT or POSTED",
        )
            .body(Body::Json(CREATE_BODY))
            .rules(CREATE_RULES)
            .cross(create_cross),
        PayInvoice => Operation::new(
            "crmcom.payments_pay_invoice",
            Method::Post,
            "/payments/pay_invoice",
            "Create a POSTED payment for the whole outstanding amount of one invoice",
        )
            .body(Body::Json(PAY_INVOICE_BODY))
            .rules(PAY_INVOICE_RULES),
        PayBill => Operation::new(
            "crmcom.payments_pay_bill",
            Method::Post,
            "/payments/pay_bill",
            "Create a POSTED payment for the whole outstanding amount of one bill",
        )
            .body(Body::Json(PAY_BILL_BODY))
            .rules(PAY_BILL_RULES),
        Post => Operation::new("crmcom.payments_post", Method::Post, "/payments/post", "Post a DRAFT payment")
            .body(Body::Json(POST_BODY))
            .rules(&["Only a DRAFT payment can be posted; posting sets posted_on and assigns its number (checked by the ledger)."]),
        Reject => Operation::new(
            "crmcom.payments_reject",
            Method::Post,
            "/payments/reject",
            "Reject a DRAFT payment, giving a reason",
        )
            .body(Body::Json(REJECT_BODY))
            .rules(&["Only a DRAFT payment can be rejected (checked by the ledger)."]),
        Cancel => Operation::new(
            "crmcom.payments_cancel",
            Method::Post,
            "/payments/cancel",
            "Cancel a POSTED payment by posting a payment cancellation",
        )
            .body(Body::Json(CANCEL_BODY))
            .rules(&[
                "Only a POSTED payment can be cancelled, and at most once (checked by the ledger; the seed's \"only draft\" wording is overruled, see SEEDS.md).",
                "Cancelling creates a POSTED payment cancellation for the same amount and removes the invoice and bill allocations.",
            ]),
    }
}
