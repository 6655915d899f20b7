//! `LogiSense` Billing `Payment` (seeds/004): list, paged list, get (plain and detail), create (plain
//! and through a gateway vendor), reverse (plain and vendor), update, patch and delete.
//!
//! The seed documents the `Payment` object's fields and example bodies; where it is silent (required
//! fields, signs, paging bounds, the reverse bodies) the rules below are our decisions (SEEDS.md).

use crate::json::{Json, Members, member};
use crate::money::{Amount, Digits};
use crate::operation::{Body, Input, Method, Operation, people_rules, people_summary};
use crate::report::{Code, Violation};
use crate::rules::{Ctx, Field, Token, Ty, Val};

/// The `Authorization` header every operation needs.
const AUTH: &[Field] = &[Field::req("authorization", Ty::Token(Token::Bearer), "OAuth access token: `Bearer <token>`")];

/// The `{id}` path parameter: the payment's identity.
const ID: &[Field] =
    &[Field::req("id", Ty::Integer { digits: 19, min: 1, strict: false }, "The unique identifier of the Payment")];

/// Paging of `Payment/Paged` and `Payment/Paged/Detail`; the 9999 bound on `pageSize` is ours (the seed gives none).
const PAGING: &[Field] = &[
    Field::opt("pageNumber", Ty::Integer { digits: 9, min: 1, strict: false }, "The page to return, from 1"),
    Field::opt(
        "pageSize",
        Ty::Integer { digits: 4, min: 1, strict: false },
        "The number of payments per page, 1 to 9999",
    ),
    Field::opt("excludeTotalCount", Ty::Bool, "true: leave out the total count of payments"),
];

/// A reference to another object: a JSON number; the seed's examples send 0 for "none".
const REF: Ty = Ty::Integer { digits: 19, min: 0, strict: true };

/// An amount: a JSON number, read exactly; its sign is checked per operation (see [`amount_above_zero`]).
const AMOUNT: Ty = Ty::Decimal { positive: false, strings: false };

/// The `Payment` object's writable fields in the seed's order, with every read-only one
/// (`created`, `updated`, each `xName`). `$core` (`req` or `opt`) makes accountId, amount and
/// paymentTypeId required, `$method` paymentMethodId; `$extra` fields come first (identity, patch keys).
macro_rules! payment_fields {
    ($core:ident, $method:ident; $($extra:expr),* $(,)?) => {
        &[
            $($extra,)*
            Field::opt("date", Ty::DateTime, "The date of the payment"),
            Field::$core("amount", AMOUNT, "The amount paid in the account's currency"),
            Field::$core("accountId", REF, "The account the payment was made on"),
            Field::read_only("accountName", "The name of the account"),
            Field::opt("disbursed", Ty::Bool, "Whether the payment has been disbursed to an invoice"),
            Field::$core("paymentTypeId", REF, "The PaymentType of the payment"),
            Field::read_only("paymentTypeName", "The name of the PaymentType"),
            Field::opt("detail", Ty::Text { max: None }, "Description of the payment to show on an invoice"),
            Field::opt("cardTypeId", REF, "The CardType of the payment"),
            Field::read_only("cardTypeName", "The name of the CardType"),
            Field::opt("checkNumber", Ty::Text { max: None }, "The check number, for a payment received as a check"),
            Field::opt("automaticDisburse", Ty::Bool, "Whether the payment is disbursed automatically"),
            Field::read_only("created", "Set by the vendor when the record is created"),
            Field::opt("invoiceId", REF, "The Invoice the payment is for"),
            Field::read_only("invoiceName", "The name of the Invoice"),
            Field::opt("posting", Ty::DateTime, "The date the payment is shown as posted"),
            Field::opt("baseAmount", AMOUNT, "The amount in the system (owner) currency"),
            Field::opt("invoiceAmount", AMOUNT, "The amount in the invoice's currency"),
            Field::opt("currencyExchangeDetailId", REF, "The CurrencyExchangeDetail converting amount to baseAmount"),
            Field::read_only("currencyExchangeDetailName", "The name of the CurrencyExchangeDetail"),
            Field::opt("billRunHistoryId", REF, "The BillRunHistory the payment belongs to"),
            Field::read_only("billRunHistoryName", "The name of the BillRunHistory"),
            Field::opt("isManual", Ty::Bool, "Whether the payment was manual, not run through a payment processor"),
            Field::opt("reversePaymentId", REF, "The payment this one reverses"),
            Field::read_only("reversePaymentName", "The name of the reversed payment"),
            Field::opt("createdByUserId", REF, "The User who created the payment"),
            Field::read_only("createdByUserName", "The name of the User"),
            Field::$method("paymentMethodId", REF, "The PaymentMethod the payment is charged to"),
            Field::read_only("paymentMethodName", "The name of the PaymentMethod"),
            Field::opt("paymentPreAuthorizeId", REF, "The PaymentPreAuthorize of the payment"),
            Field::read_only("paymentPreAuthorizeName", "The name of the PaymentPreAuthorize"),
            Field::opt("paymentTransactionId", REF, "The PaymentTransaction of the payment"),
            Field::read_only("paymentTransactionName", "The name of the PaymentTransaction"),
            Field::opt("createdByPortalUserId", REF, "The PortalUser who created the payment"),
            Field::read_only("createdByPortalUserName", "The name of the PortalUser"),
            Field::opt("paymentStatusTypeId", REF, "The PaymentStatusType of the payment"),
            Field::read_only("paymentStatusTypeName", "The name of the PaymentStatusType"),
            Field::opt("retryPaymentId", REF, "The failed payment this one retries"),
            Field::read_only("retryPaymentName", "The name of the retried payment"),
            Field::read_only("updated", "Set by the vendor when the record is updated"),
        ]
    };
}

/// `identity` where the vendor assigns it (create, vendor create, update).
const IDENTITY_READ_ONLY: Field =
    Field::read_only("identity", "The payment's unique identifier, assigned by the vendor");

/// `POST Payment/`: accountId, amount and paymentTypeId required.
const CREATE_BODY: &[Field] = payment_fields!(req, opt; IDENTITY_READ_ONLY);

/// `POST Payment/Vendor`: as create, plus the gateway-linked paymentMethodId.
const VENDOR_BODY: &[Field] = payment_fields!(req, req; IDENTITY_READ_ONLY);

/// `PUT Payment/{id}`: every field optional; identity read-only (and must match the path).
const UPDATE_BODY: &[Field] = payment_fields!(opt, opt; IDENTITY_READ_ONLY);

/// One item of a PATCH: the patch keys, identity (naming the payment to update or delete) and the fields.
const PATCH_ITEM: &[Field] = payment_fields!(
    opt,
    opt;
    Field::req("patchType", Ty::Enum { values: &["create", "update", "delete"] }, "What to do with the item"),
    Field::req(
        "patchClientId",
        Ty::Integer { digits: 19, min: 0, strict: true },
        "The caller's number for the item; the results are reported by it"
    ),
    Field::opt(
        "identity",
        Ty::Integer { digits: 19, min: 1, strict: true },
        "The payment to update or delete"
    ),
);

/// The `payments` object of a PATCH body.
const PATCH_PAYMENTS: &[Field] =
    &[Field::req("items", Ty::List { item: PATCH_ITEM, non_empty: true }, "The payments to create, update or delete")];

/// `PATCH Payment/{id}`: optional `details`, required `payments.items`.
const PATCH_BODY: &[Field] = &[
    Field::opt("details", Ty::AnyObject, "Child objects to change with the payment"),
    Field::req("payments", Ty::Object { fields: PATCH_PAYMENTS }, "The payment items of the patch"),
];

/// `POST Payment/Reverse` and `Payment/Reverse/Vendor` (the seed gives no body; our decision).
/// `$method` makes paymentMethodId required (`req`, the vendor variant) or optional.
macro_rules! reverse_fields {
    ($method:ident) => {
        &[
            Field::req(
                "reversePaymentId",
                Ty::Integer { digits: 19, min: 1, strict: true },
                "The payment being reversed",
            ),
            Field::opt("amount", AMOUNT, "The amount to reverse, above zero"),
            Field::opt("date", Ty::DateTime, "The date of the reversal"),
            Field::opt("detail", Ty::Text { max: None }, "Description of the reversal to show on an invoice"),
            Field::$method("paymentMethodId", REF, "The PaymentMethod whose gateway vendor refunds the payment"),
        ]
    };
}

/// `POST Payment/Reverse`.
const REVERSE_BODY: &[Field] = reverse_fields!(opt);

/// `POST Payment/Reverse/Vendor`.
const REVERSE_VENDOR_BODY: &[Field] = reverse_fields!(req);

/// Ledger rules shared by every operation that writes a payment.
const LEDGER_RULE_DISBURSED: &str =
    "Disbursements to invoices never add up to more than the payment's amount (checked by the ledger).";

/// Rules of `POST Payment/`.
const CREATE_RULES: &[&str] = &[
    "accountId, amount and paymentTypeId are required; amount must be above zero: money is taken back by a reversal (POST Payment/Reverse), never by a negative payment.",
    LEDGER_RULE_DISBURSED,
    "retryPaymentId links a retry to the failed payment it retries; a failed payment is retried at most once (checked by the ledger).",
    "identity, created, updated and every xName field are set by the vendor; values sent are ignored (warning).",
];

/// Rules of `POST Payment/Vendor`.
const VENDOR_RULES: &[&str] = &[
    "As POST Payment/, and paymentMethodId is required: it names the gateway-linked payment method the vendor charges.",
    "The payment stays pending until the gateway settles or declines it (checked by the ledger).",
    LEDGER_RULE_DISBURSED,
    "retryPaymentId links a retry to the failed payment it retries; a failed payment is retried at most once (checked by the ledger).",
];

/// Rules of the two reverse operations.
const REVERSE_RULES: &[&str] = &[
    "reversePaymentId (at least 1) names the payment being reversed; amount, when sent, must be above zero.",
    "A payment is reversed at most once, and only once it is posted (checked by the ledger).",
    "Fields of the Payment object other than those listed are not part of a reversal (warning).",
];

/// Rules of `POST Payment/Reverse/Vendor`.
const REVERSE_VENDOR_RULES: &[&str] = &[
    "reversePaymentId (at least 1) names the payment being reversed; amount, when sent, must be above zero.",
    "paymentMethodId is required: the gateway vendor behind it refunds the payment.",
    "A payment is reversed at most once, and only once it is posted (checked by the ledger).",
    "Fields of the Payment object other than those listed are not part of a reversal (warning).",
];

/// Rules of `PUT Payment/{id}`.
const UPDATE_RULES: &[&str] = &[
    "Every field is optional; identity is read-only, and when sent as a number it must equal the path id.",
    LEDGER_RULE_DISBURSED,
    "reversePaymentId and retryPaymentId cannot be used to reverse or retry a payment twice (checked by the ledger).",
];

/// Rules of `PATCH Payment/{id}`.
const PATCH_RULES: &[&str] = &[
    "payments.items holds at least one item, each with patchType (create, update or delete) and patchClientId.",
    "update and delete items need identity; create items need accountId, amount (above zero) and paymentTypeId, and identity is assigned by the vendor (warning).",
    "The results are reported per item, by patchClientId.",
    LEDGER_RULE_DISBURSED,
];

/// Rules of `DELETE Payment/{id}`.
const DELETE_RULES: &[&str] = &[
    "The response lists every object deleted or detached with the payment, each with its action and dtoTypeKey.",
    "A deleted payment no longer exists: later reads, updates and reversals of it fail (checked by the ledger).",
];

/// Errors when `val` is a JSON number that is not above zero; `ptr` is where it is, `why` the reason.
fn amount_above_zero(ctx: &mut Ctx, ptr: &str, val: Option<Val<'_>>, why: &str) {
    let Some(Val::Json(Json::Number(n))) = val else {
        return;
    };
    if let Ok(a) = n.parse::<Amount>()
        && !a.is_positive()
    {
        ctx.push(Violation::error(ptr, Code::Range, format!("`amount` must be above zero; found {n}: {why}")));
    }
}

/// The reason shown when a new payment's amount is not above zero.
const NEW_PAYMENT_AMOUNT: &str =
    "money is taken back by a reversal (POST Payment/Reverse), never by a zero or negative payment";

/// `POST Payment/` and `Payment/Vendor`: the amount is above zero.
fn create_cross(input: &Input<'_>, ctx: &mut Ctx) {
    amount_above_zero(ctx, "/body/amount", input.field("amount"), NEW_PAYMENT_AMOUNT);
}

/// The reverse operations: a sent amount is above zero.
fn reverse_cross(input: &Input<'_>, ctx: &mut Ctx) {
    amount_above_zero(
        ctx,
        "/body/amount",
        input.field("amount"),
        "it is the amount given back; leave it out to reverse the whole payment",
    );
}

/// `PUT Payment/{id}`: an `identity` sent as a whole number must name the payment of the path.
fn update_cross(input: &Input<'_>, ctx: &mut Ctx) {
    let Some(path_id) = input.param("id").and_then(whole) else {
        return;
    };
    let Some(identity) = input.field("identity").and_then(|v| match v {
        Val::Json(Json::Number(n)) => whole(n),
        _ => None,
    }) else {
        return;
    };
    if identity != path_id {
        let (identity, path_id) = (Digits(identity), Digits(path_id));
        ctx.push(
            Violation::error(
                "/body/identity",
                Code::Range,
                format!(
                    "`identity` is {identity}, but the path updates payment {path_id}: the vendor ignores identity and would change payment {path_id}, probably not the one meant; send {path_id} or leave identity out"
                ),
            )
            .with_suggestion(path_id.to_string()),
        );
    }
}

/// A whole number written in digits only (leading zeros allowed), or `None`.
fn whole(text: &str) -> Option<u128> {
    if text.is_empty() || !text.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    text.parse().ok()
}

/// `PATCH Payment/{id}`: per item, the fields its patchType needs.
fn patch_cross(input: &Input<'_>, ctx: &mut Ctx) {
    let Some(Json::Object(payments)) = input.members().and_then(|b| member(b, "payments")) else {
        return;
    };
    let Some(Json::Array(items)) = member(payments, "items") else {
        return;
    };
    for (i, item) in items.iter().enumerate() {
        let Json::Object(item) = item else { continue };
        let item: &Members<'_> = item;
        let Some(Json::String(patch_type)) = member(item, "patchType") else {
            continue;
        };
        let at = |field: &str| format!("/body/payments/items/{i}/{field}");
        let present = |field: &str| member(item, field).is_some_and(|v| *v != Json::Null);
        match patch_type.as_ref() {
            "update" | "delete" if !present("identity") => {
                ctx.push(Violation::error(
                    at("identity"),
                    Code::ConditionalRequired,
                    format!("`identity` is required when patchType is \"{patch_type}\": it names the payment to {patch_type}"),
                ));
            }
            "create" => {
                for field in ["accountId", "amount", "paymentTypeId"] {
                    if !present(field) {
                        ctx.push(Violation::error(
                            at(field),
                            Code::ConditionalRequired,
                            format!("`{field}` is required when patchType is \"create\": a new payment needs accountId, amount and paymentTypeId"),
                        ));
                    }
                }
                amount_above_zero(ctx, &at("amount"), member(item, "amount").map(Val::Json), NEW_PAYMENT_AMOUNT);
                if present("identity") {
                    ctx.warn(|| {
                        Violation::warning(
                            at("identity"),
                            Code::ReadOnly,
                            "`identity` is assigned by the vendor when patchType is \"create\"; the value sent is ignored",
                        )
                    });
                }
            }
            _ => {}
        }
    }
}

operations! {
    /// `LogiSense`'s payment operations.
    pub(crate) enum Op in OPERATIONS {
        List => Operation::new("logisense.list_payments", Method::Get, "/Payment", "Retrieve all Payment objects")
            .headers(AUTH),
        ListPaged => Operation::new(
            "logisense.list_payments_paged",
            Method::Get,
            "/Payment/Paged",
            "Retrieve the Payment objects a page at a time",
        )
            .query(PAGING)
            .headers(AUTH),
        ListPagedDetail => Operation::new(
            "logisense.list_payments_paged_detail",
            Method::Get,
            "/Payment/Paged/Detail",
            "Retrieve the Payment objects a page at a time, with invoice disbursements and reversals",
        )
            .query(PAGING)
            .headers(AUTH),
        Get => Operation::new("logisense.get_payment", Method::Get, "/Payment/{id}", "Retrieve a Payment by its id")
            .params(ID)
            .headers(AUTH),
        GetDetail => Operation::new(
            "logisense.get_payment_detail",
            Method::Get,
            "/Payment/{id}/Detail",
            "Retrieve a Payment by its id, with invoice disbursements and reversals",
        )
            .params(ID)
            .headers(AUTH),
        Create => Operation {
            id: "logisense.create_payment",
            method: Method::Post,
            path: "/Payment",
            summary: people_summary("Create a Payment on an account"),
            params: &[],
            query: &[],
            headers: AUTH,
            body: Body::Json(CREATE_BODY),
            rules: people_rules(CREATE_RULES),
            cross: Some(create_cross),
        },
        Reverse => Operation {
            id: "logisense.reverse_payment",
            method: Method::Post,
            path: "/Payment/Reverse",
            summary: people_summary("Reverse an existing Payment"),
            params: &[],
            query: &[],
            headers: AUTH,
            body: Body::Json(REVERSE_BODY),
            rules: people_rules(REVERSE_RULES),
            cross: Some(reverse_cross),
        },
        ReverseVendor => Operation {
            id: "logisense.reverse_payment_vendor",
            method: Method::Post,
            path: "/Payment/Reverse/Vendor",
            summary: people_summary("Reverse an existing Payment through its payment gateway vendor"),
            params: &[],
            query: &[],
            headers: AUTH,
            body: Body::Json(REVERSE_VENDOR_BODY),
            rules: people_rules(REVERSE_VENDOR_RULES),
            cross: Some(reverse_cross),
        },
        CreateVendor => Operation {
            id: "logisense.create_payment_vendor",
            method: Method::Post,
            path: "/Payment/Vendor",
            summary: people_summary("Create a Payment processed by a payment gateway vendor"),
            params: &[],
            query: &[],
            headers: AUTH,
            body: Body::Json(VENDOR_BODY),
            rules: people_rules(VENDOR_RULES),
            cross: Some(create_cross),
        },
        Update => Operation {
            id: "logisense.update_payment",
            method: Method::Put,
            path: "/Payment/{id}",
            summary: people_summary("Update a Payment"),
            params: ID,
            query: &[],
            headers: AUTH,
            body: Body::Json(UPDATE_BODY),
            rules: people_rules(UPDATE_RULES),
            cross: Some(update_cross),
        },
        Patch => Operation {
            id: "logisense.patch_payment",
            method: Method::Patch,
            path: "/Payment/{id}",
            summary: people_summary("Create, update or delete many Payments at once"),
            params: ID,
            query: &[],
            headers: AUTH,
            body: Body::Json(PATCH_BODY),
            rules: people_rules(PATCH_RULES),
            cross: Some(patch_cross),
        },
        Delete => Operation {
            id: "logisense.delete_payment",
            method: Method::Delete,
            path: "/Payment/{id}",
            summary: people_summary("Delete a Payment and the objects that depend on it"),
            params: ID,
            query: &[],
            headers: AUTH,
            body: Body::None,
            rules: people_rules(DELETE_RULES),
            cross: None,
        },
    }
}
