//! plentymarkets on the wire, typed: the payment response model, the paginated list, the relation
//! answer, the `PUT` a lifecycle action sends, and the refusals in plentymarkets' Laravel style
//! (the exception classes; the 401, 404/405, 409 and 422 bodies).

use serde::{Serialize, Serializer};

use super::inputs::Flags;
use super::lifecycle::PlentyState;
use super::records::{Payment, State, status_number};
use crate::ledger::{Call, money};
use crate::money::Amount;
use crate::report::{Code, Severity, Violation};
use crate::request::Response;

/// A missing or malformed `Authorization: Bearer …` header.
pub(super) const INVALID_REQUEST: &str = "League\\OAuth2\\Server\\Exception\\InvalidRequestException";
/// The seed's description of [`INVALID_REQUEST`].
pub(super) const INVALID_REQUEST_MESSAGE: &str = "The request is missing a required parameter, includes an invalid parameter value, includes a parameter more than once, or is otherwise malformed. Check the \"access token\" parameter.";
/// A token that is not one of the store's.
pub(super) const ACCESS_DENIED: &str = "League\\OAuth2\\Server\\Exception\\AccessDeniedException";
/// The seed's description of [`ACCESS_DENIED`].
pub(super) const ACCESS_DENIED_MESSAGE: &str = "The resource owner or authorization server denied the request.";
/// No such record.
const MODEL_NOT_FOUND: &str = "Illuminate\\Database\\Eloquent\\ModelNotFoundException";
/// No operation has the path.
pub(super) const ROUTE_NOT_FOUND: &str = "Symfony\\Component\\HttpKernel\\Exception\\NotFoundHttpException";
/// The path answers other methods.
pub(super) const METHOD_NOT_ALLOWED: &str = "Symfony\\Component\\HttpKernel\\Exception\\MethodNotAllowedHttpException";
/// A move the records refuse.
const CONFLICT: &str = "Symfony\\Component\\HttpKernel\\Exception\\ConflictHttpException";
/// The message of every 422.
const INVALID_DATA: &str = "The given data was invalid.";

/// An amount or ratio as a JSON number with its 4 decimals (`12.3400`).
fn four_decimals<S: Serializer>(amount: &Amount, s: S) -> Result<S::Ok, S::Error> {
    money(*amount).serialize(s)
}

// ---------------------------------------------------------------------------------------------
// Answers

/// The response model of a payment (the document's Success 200 fields, in its order).
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub(super) struct PaymentModel<'a> {
    id: u64,
    #[serde(serialize_with = "four_decimals")]
    amount: Amount,
    #[serde(serialize_with = "four_decimals")]
    exchange_ratio: Amount,
    parent_id: Option<u64>,
    deleted: u8,
    unaccountable: u8,
    currency: &'a str,
    #[serde(rename = "type")]
    kind: &'a str,
    hash: &'a str,
    origin: u8,
    received_at: String,
    imported_at: String,
    #[serde(serialize_with = "status_number::serialize")]
    status: PlentyState,
    transaction_type: u8,
    mop_id: u64,
    regenerate_hash: bool,
    update_order_payment_status: bool,
    is_system_currency: bool,
}

impl<'a> PaymentModel<'a> {
    /// Payment `id` as the API shows it, with the flags the request sent.
    pub(super) fn new(state: &State, id: u64, p: &'a Payment, flags: Flags) -> Self {
        PaymentModel {
            id,
            amount: p.amount,
            exchange_ratio: p.exchange_ratio,
            parent_id: p.parent_id,
            deleted: u8::from(p.deleted),
            unaccountable: u8::from(p.unaccountable),
            currency: &p.currency,
            kind: &p.kind,
            hash: &p.hash,
            origin: p.origin,
            received_at: state.time(p.received_at),
            imported_at: state.time(p.imported_at),
            status: p.status,
            transaction_type: p.transaction_type,
            mop_id: p.mop_id,
            regenerate_hash: flags.regenerate_hash,
            update_order_payment_status: flags.update_order_payment_status,
            is_system_currency: p.is_system_currency,
        }
    }
}

/// plentymarkets' paginated list.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub(super) struct ListPage<'a> {
    pub(super) page: u64,
    pub(super) totals_count: u64,
    pub(super) is_last_page: bool,
    pub(super) last_page_number: u64,
    /// 0 on an empty page.
    pub(super) first_on_page: u64,
    /// 0 on an empty page.
    pub(super) last_on_page: u64,
    pub(super) items_per_page: u64,
    pub(super) entries: Vec<PaymentModel<'a>>,
}

/// A new payment–order or payment–contact relation: `{"id", "paymentId", "orderId" | "contactId",
/// "assignedAt"}`.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub(super) struct RelationModel {
    pub(super) id: u64,
    pub(super) payment_id: u64,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(super) order_id: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(super) contact_id: Option<u64>,
    pub(super) assigned_at: String,
}

/// The body of the `PUT /rest/payments` a lifecycle action sends.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub(super) struct UpdateRequest<'a> {
    pub(super) id: u64,
    #[serde(serialize_with = "four_decimals")]
    pub(super) amount: Amount,
    #[serde(serialize_with = "four_decimals")]
    pub(super) exchange_ratio: Amount,
    pub(super) mop_id: u64,
    pub(super) currency: &'a str,
    /// `false` for a converted payment (sent in its first currency); not sent otherwise.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(super) is_system_currency: Option<bool>,
    #[serde(rename = "type")]
    pub(super) kind: &'a str,
    #[serde(serialize_with = "status_number::serialize")]
    pub(super) status: PlentyState,
    pub(super) transaction_type: u8,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(super) parent_id: Option<u64>,
}

impl<'a> UpdateRequest<'a> {
    /// Payment `id` with its stored fields and the status `to`.
    pub(super) fn of(id: u64, p: &'a Payment, to: PlentyState) -> Self {
        UpdateRequest {
            id,
            amount: p.amount,
            exchange_ratio: p.exchange_ratio,
            mop_id: p.mop_id,
            currency: &p.currency,
            is_system_currency: None,
            kind: &p.kind,
            status: to,
            transaction_type: p.transaction_type,
            parent_id: p.parent_id,
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Refusals

/// `{"class", "message"}` (401) or `{"class", "message", "code"}`.
#[derive(Serialize)]
struct Exception<'a> {
    class: &'a str,
    message: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    code: Option<u16>,
}

/// `{"error": exception}`, with our `errors` (the violations) for an unknown route.
#[derive(Serialize)]
struct Refusal<'a> {
    error: Exception<'a>,
    #[serde(skip_serializing_if = "Option::is_none")]
    errors: Option<&'a [Violation]>,
}

/// 401: the OAuth server's exception, without a code.
pub(super) fn unauthorized(class: &str, message: &str) -> Response {
    Response::of(401, &Refusal { error: Exception { class, message, code: None }, errors: None })
}

/// 404 `ModelNotFoundException`.
pub(super) fn not_found(message: &str) -> Response {
    Response::of(404, &Refusal { error: Exception { class: MODEL_NOT_FOUND, message, code: Some(404) }, errors: None })
}

/// 409 `ConflictHttpException`.
pub(super) fn conflict(message: &str) -> Response {
    Response::of(409, &Refusal { error: Exception { class: CONFLICT, message, code: Some(409) }, errors: None })
}

/// 404 or 405 for a route no operation has, with our `errors`.
pub(super) fn no_route(status: u16, class: &str, message: &str, call: &Call<'_>) -> Response {
    Response::of(
        status,
        &Refusal { error: Exception { class, message, code: Some(status) }, errors: Some(&call.report.errors) },
    )
}

/// `{"message", "code"}` of a 422.
#[derive(Serialize)]
struct Invalid {
    message: &'static str,
    code: u16,
}

/// The messages of the errors by field name, fields in the order they first occur.
struct ByField<'a>(Vec<(&'a str, Vec<&'a str>)>);

impl Serialize for ByField<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_map(self.0.iter().map(|(field, messages)| (field, messages)))
    }
}

/// `{"error": {"message", "code": 422}, "validation_errors", "errors"}`.
#[derive(Serialize)]
struct Unprocessable<'a> {
    error: Invalid,
    validation_errors: ByField<'a>,
    errors: &'a [Violation],
}

/// 422 with the report's violations and the ledger's own (`extra`).
pub(super) fn invalid(call: &Call<'_>, extra: Vec<Violation>) -> Response {
    let mut all: Vec<Violation> = call.report.errors.clone();
    all.extend(extra);
    let mut by_field: Vec<(&str, Vec<&str>)> = Vec::new();
    for v in all.iter().filter(|v| v.severity == Severity::Error) {
        let field = v.path.rsplit('/').next().filter(|f| !f.is_empty()).unwrap_or("request");
        match by_field.iter_mut().find(|(f, _)| *f == field) {
            Some((_, messages)) => messages.push(&v.message),
            None => by_field.push((field, vec![&v.message])),
        }
    }
    let body = Unprocessable {
        error: Invalid { message: INVALID_DATA, code: 422 },
        validation_errors: ByField(by_field),
        errors: &all,
    };
    Response::of(422, &body)
}

/// 422 for one field the ledger refuses (reported at `/body/<field>`).
pub(super) fn refuse(call: &Call<'_>, field: &str, code: Code, message: String) -> Response {
    invalid(call, vec![Violation::error(format!("/body/{field}"), code, message)])
}
