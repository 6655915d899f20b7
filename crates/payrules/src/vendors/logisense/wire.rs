//! LogiSense on the wire: the answers' shapes (the document's `Payment` object in its three shapes
//! — full, with `details`, as an item of `paymentReversals` —, invoice disbursements, the list,
//! instance, results and paged envelopes, the result items of a delete or PATCH) and our refusal
//! shape (`Fail` and the error body), each a typed value serialized in its fields' order.

use serde::{Serialize, Serializer};

use super::records::{Kind, Payment, State};
use crate::Violation;
use crate::ledger::{Call, money_plain};
use crate::money::Amount;
use crate::request::Response;

/// An amount written as LogiSense writes it: a JSON number without trailing zeros.
fn plain<S: Serializer>(amount: &Amount, serializer: S) -> Result<S::Ok, S::Error> {
    money_plain(*amount).serialize(serializer)
}

/// A refusal, before it is given its `trackingId`; serialized, one item of the error body's `errors`:
/// `{"code", "message", "field"?, "patchClientId"?}`.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub(super) struct Fail {
    /// The HTTP status.
    #[serde(skip)]
    pub(super) status: u16,
    /// Our error code (`NotFound`, `Conflict`, …).
    pub(super) code: &'static str,
    /// What is wrong.
    pub(super) message: String,
    /// The body field at fault, when one is.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(super) field: Option<String>,
    /// The failed PATCH item's `patchClientId`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(super) patch_client_id: Option<u64>,
}

impl Fail {
    pub(super) fn new(status: u16, code: &'static str, field: Option<&str>, message: String) -> Fail {
        Fail { status, code, message, field: field.map(str::to_owned), patch_client_id: None }
    }
}

/// 404 `NotFound`: no payment `id`.
pub(super) fn not_found(id: u64) -> Fail {
    Fail::new(404, "NotFound", None, format!("Payment {id} does not exist"))
}

/// 409 `Conflict`.
pub(super) fn conflict(field: Option<&str>, message: String) -> Fail {
    Fail::new(409, "Conflict", field, message)
}

/// 400 `InvalidReference`: a record exists but does not fit.
pub(super) fn invalid_reference(field: &str, message: String) -> Fail {
    Fail::new(400, "InvalidReference", Some(field), message)
}

/// 400 `InvalidAmount`: an amount the ledger cannot keep exactly.
pub(super) fn overflow() -> Fail {
    Fail::new(400, "InvalidAmount", Some("amount"), "the amount is too large to be kept exactly".to_owned())
}

/// The `field` of a violation's pointer: `/body/payments/items/0/amount` → `payments.items.0.amount`;
/// none for the body as a whole or the route.
pub(super) fn field_of(path: &str) -> Option<String> {
    let rest = ["/body/", "/query/", "/path/", "/headers/"].iter().find_map(|p| path.strip_prefix(p))?;
    (!rest.is_empty()).then(|| rest.replace('/', "."))
}

/// `{trackingId, type: "error", errors, violations}`.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct ErrorBody<'a> {
    tracking_id: &'a str,
    #[serde(rename = "type")]
    kind: &'static str,
    errors: &'a [Fail],
    violations: Vec<&'a Violation>,
}

/// The error body of `errors`, answered with `status`; `auth_only` keeps only the credential's violations.
pub(super) fn error_response(
    status: u16,
    tracking: &str,
    call: &Call<'_>,
    errors: &[Fail],
    auth_only: bool,
) -> Response {
    let violations = call.report.errors.iter().filter(|v| !auth_only || v.path == "/headers/authorization").collect();
    Response::of(status, &ErrorBody { tracking_id: tracking, kind: "error", errors, violations })
}

/// One refusal, with its status.
pub(super) fn refusal(tracking: &str, call: &Call<'_>, fail: &Fail) -> Response {
    error_response(fail.status, tracking, call, std::slice::from_ref(fail), false)
}

/// `GET Payment`: `{trackingId, totalCount, items}`.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub(super) struct List<'a> {
    pub(super) tracking_id: &'a str,
    pub(super) total_count: usize,
    pub(super) items: Vec<PaymentJson>,
}

/// `GET Payment/{id}` and `Payment/{id}/Detail`: `{trackingId, instance}`.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub(super) struct Instance<'a> {
    pub(super) tracking_id: &'a str,
    pub(super) instance: PaymentJson,
}

/// A write's answer: `{trackingId, type, results: {totalCount, items}}`.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub(super) struct Results<'a, T> {
    tracking_id: &'a str,
    #[serde(rename = "type")]
    kind: &'static str,
    #[serde(rename = "results")]
    counted: Counted<T>,
}

/// `{totalCount, items}`.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Counted<T> {
    total_count: usize,
    items: Vec<T>,
}

impl<'a, T> Results<'a, T> {
    /// The answer of kind `kind` (`create`, `update`, `patch`, `delete`) listing `items`.
    pub(super) fn new(tracking_id: &'a str, kind: &'static str, items: Vec<T>) -> Self {
        Results { tracking_id, kind, counted: Counted { total_count: items.len(), items } }
    }
}

/// `Payment/Paged` and `Payment/Paged/Detail`: `{trackingId, pagination, pagedResults}`.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub(super) struct Paged<'a> {
    pub(super) tracking_id: &'a str,
    pub(super) pagination: Pagination,
    #[serde(rename = "pagedResults")]
    pub(super) results: PagedResults,
}

/// `{pageNumber, pageSize, excludeTotalCount}`.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub(super) struct Pagination {
    pub(super) page_number: usize,
    pub(super) page_size: usize,
    pub(super) exclude_total_count: bool,
}

/// `{totalCount, items}`, `totalCount` `null` when excluded.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub(super) struct PagedResults {
    pub(super) total_count: Option<usize>,
    pub(super) items: Vec<PaymentJson>,
}

/// A result item of a delete or a PATCH.
#[derive(Serialize)]
#[serde(untagged)]
pub(super) enum Item {
    /// A payment a PATCH created or updated, with its instance.
    Changed(Box<Changed>),
    /// `{identity, action: "deleted", dtoTypeKey: "payment"}`.
    Deleted(Deleted),
    /// A retry detached from the deleted payment (`paymentRetry`).
    Detached(Detached),
    /// A related object deleted with the payment (`invoiceDisbursement`, `paymentReversal`).
    Related(Related),
}

/// `{identity, action, dtoTypeKey: "payment", instance}`.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub(super) struct Changed {
    pub(super) identity: u64,
    pub(super) action: &'static str,
    pub(super) dto_type_key: &'static str,
    pub(super) instance: Option<PaymentJson>,
}

/// `{identity, action, dtoTypeKey}`.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub(super) struct Deleted {
    pub(super) identity: u64,
    pub(super) action: &'static str,
    pub(super) dto_type_key: &'static str,
}

/// `{lhsId, rhsId, action, dtoTypeKey}`.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub(super) struct Detached {
    pub(super) lhs_id: u64,
    pub(super) rhs_id: u64,
    pub(super) action: &'static str,
    pub(super) dto_type_key: &'static str,
}

/// `{foreignKeyIdentity, action, dtoTypeKey}`.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub(super) struct Related {
    pub(super) foreign_key_identity: u64,
    pub(super) action: &'static str,
    pub(super) dto_type_key: &'static str,
}

/// How a payment is written.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(super) enum Shape {
    /// The document's `Payment` object.
    Full,
    /// An item of `paymentReversals` (the document's shape: some names left out, `merchantAccount` added).
    Reversal,
}

/// A member one shape of an object writes and another leaves out.
#[derive(Serialize)]
#[serde(untagged)]
enum Shown<T> {
    /// Written, with its value.
    Written(T),
    /// Left out.
    LeftOut,
}

impl<T> Shown<T> {
    /// `value` when `written`, else left out.
    fn when(written: bool, value: impl FnOnce() -> T) -> Shown<T> {
        if written { Shown::Written(value()) } else { Shown::LeftOut }
    }

    fn is_left_out(&self) -> bool {
        matches!(self, Shown::LeftOut)
    }
}

/// The document's `Payment` object. A reference that names nothing is `0` with its name `null`;
/// the names marked "full" are left out of a `paymentReversals` item ([`Shown::LeftOut`]), which adds
/// `merchantAccount`; `details` is written by the detail reads only.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub(super) struct PaymentJson {
    identity: u64,
    date: String,
    #[serde(serialize_with = "plain")]
    amount: Amount,
    account_id: u64,
    account_name: Option<String>,
    disbursed: bool,
    payment_type_id: u64,
    payment_type_name: Option<String>,
    detail: Option<String>,
    card_type_id: u64,
    card_type_name: Option<String>,
    check_number: Option<String>,
    automatic_disburse: bool,
    created: String,
    invoice_id: u64,
    invoice_name: Option<String>,
    posting: String,
    #[serde(serialize_with = "plain")]
    base_amount: Amount,
    #[serde(serialize_with = "plain")]
    invoice_amount: Amount,
    currency_exchange_detail_id: u64,
    /// Full.
    #[serde(skip_serializing_if = "Shown::is_left_out")]
    currency_exchange_detail_name: Shown<Option<String>>,
    bill_run_history_id: u64,
    bill_run_history_name: Option<String>,
    is_manual: bool,
    reverse_payment_id: u64,
    /// Full.
    #[serde(skip_serializing_if = "Shown::is_left_out")]
    reverse_payment_name: Shown<Option<String>>,
    created_by_user_id: u64,
    created_by_user_name: Option<String>,
    payment_method_id: u64,
    payment_method_name: Option<String>,
    payment_pre_authorize_id: u64,
    /// Full.
    #[serde(skip_serializing_if = "Shown::is_left_out")]
    payment_pre_authorize_name: Shown<Option<String>>,
    payment_transaction_id: u64,
    /// Full.
    #[serde(skip_serializing_if = "Shown::is_left_out")]
    payment_transaction_name: Shown<Option<String>>,
    created_by_portal_user_id: u64,
    created_by_portal_user_name: Option<String>,
    payment_status_type_id: u64,
    payment_status_type_name: Option<String>,
    retry_payment_id: u64,
    /// Full.
    #[serde(skip_serializing_if = "Shown::is_left_out")]
    retry_payment_name: Shown<Option<String>>,
    updated: String,
    /// A `paymentReversals` item's only.
    #[serde(skip_serializing_if = "Shown::is_left_out")]
    merchant_account: Shown<Option<String>>,
    /// The detail reads' only.
    #[serde(skip_serializing_if = "Option::is_none")]
    details: Option<Details>,
}

/// A payment's `details`: its invoice disbursements and its reversal.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Details {
    invoice_disbursements: Vec<DisbursementJson>,
    payment_reversals: Vec<PaymentJson>,
}

/// An invoice disbursement as the document writes it.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct DisbursementJson {
    identity: u64,
    invoice_id: u64,
    invoice_name: Option<String>,
    payment_id: u64,
    #[serde(serialize_with = "plain")]
    amount: Amount,
    #[serde(serialize_with = "plain")]
    base_amount: Amount,
    #[serde(serialize_with = "plain")]
    invoice_amount: Amount,
    automatic_disburse: bool,
}

impl State {
    /// A payment as the document writes it, in `shape`.
    pub(super) fn payment_json(&self, id: u64, p: &Payment, shape: Shape) -> PaymentJson {
        let full = shape == Shape::Full;
        let name = |kind: Kind, id: Option<u64>| id.and_then(|i| self.name_of(kind, i));
        let full_name = |kind: Kind, id: Option<u64>| Shown::when(full, || name(kind, id));
        let merchant = || p.payment_method_id.and_then(|pm| self.payment_methods.get(&pm)?.merchant_account.clone());
        PaymentJson {
            identity: id,
            date: p.date.utc_millis(),
            amount: p.amount,
            account_id: p.account_id,
            account_name: name(Kind::Account, Some(p.account_id)),
            disbursed: self.disbursed_by(id).is_positive(),
            payment_type_id: p.payment_type_id,
            payment_type_name: name(Kind::PaymentType, Some(p.payment_type_id)),
            detail: p.detail.clone(),
            card_type_id: p.card_type_id.unwrap_or(0),
            card_type_name: name(Kind::CardType, p.card_type_id),
            check_number: p.check_number.clone(),
            automatic_disburse: p.automatic_disburse,
            created: p.created.utc_millis(),
            invoice_id: p.invoice_id.unwrap_or(0),
            invoice_name: name(Kind::Invoice, p.invoice_id),
            posting: p.posting.utc_millis(),
            base_amount: p.base_amount,
            invoice_amount: p.invoice_amount,
            currency_exchange_detail_id: p.currency_exchange_detail_id.unwrap_or(0),
            currency_exchange_detail_name: full_name(Kind::Exchange, p.currency_exchange_detail_id),
            bill_run_history_id: p.bill_run_history_id.unwrap_or(0),
            bill_run_history_name: name(Kind::BillRun, p.bill_run_history_id),
            is_manual: p.is_manual,
            reverse_payment_id: p.reverse_payment_id.unwrap_or(0),
            reverse_payment_name: full_name(Kind::Payment, p.reverse_payment_id),
            created_by_user_id: p.created_by_user_id.unwrap_or(0),
            created_by_user_name: name(Kind::User, p.created_by_user_id),
            payment_method_id: p.payment_method_id.unwrap_or(0),
            payment_method_name: name(Kind::Method, p.payment_method_id),
            payment_pre_authorize_id: p.payment_pre_authorize_id.unwrap_or(0),
            payment_pre_authorize_name: full_name(Kind::PreAuthorize, p.payment_pre_authorize_id),
            payment_transaction_id: p.payment_transaction_id.unwrap_or(0),
            payment_transaction_name: full_name(Kind::Transaction, p.payment_transaction_id),
            created_by_portal_user_id: p.created_by_portal_user_id.unwrap_or(0),
            created_by_portal_user_name: name(Kind::PortalUser, p.created_by_portal_user_id),
            payment_status_type_id: p.payment_status_type_id.unwrap_or(0),
            payment_status_type_name: name(Kind::StatusType, p.payment_status_type_id),
            retry_payment_id: p.retry_payment_id.unwrap_or(0),
            retry_payment_name: full_name(Kind::Payment, p.retry_payment_id),
            updated: p.updated.utc_millis(),
            merchant_account: Shown::when(!full, merchant),
            details: None,
        }
    }

    /// A payment with its `details` (`invoiceDisbursements`, `paymentReversals`).
    pub(super) fn detail_json(&self, id: u64, p: &Payment) -> PaymentJson {
        let invoice_disbursements = self
            .invoice_disbursements
            .iter()
            .filter(|(_, d)| d.payment_id == id)
            .map(|(&did, d)| DisbursementJson {
                identity: did,
                invoice_id: d.invoice_id,
                invoice_name: self.name_of(Kind::Invoice, d.invoice_id),
                payment_id: d.payment_id,
                amount: d.amount,
                base_amount: d.base_amount,
                invoice_amount: d.invoice_amount,
                automatic_disburse: d.automatic_disburse,
            })
            .collect();
        let payment_reversals = self
            .payments
            .iter()
            .filter(|(_, q)| q.reverse_payment_id == Some(id))
            .map(|(&rid, q)| self.payment_json(rid, q, Shape::Reversal))
            .collect();
        PaymentJson {
            details: Some(Details { invoice_disbursements, payment_reversals }),
            ..self.payment_json(id, p, Shape::Full)
        }
    }

    /// The payment `id` in its full shape (`null` when there is none).
    pub(super) fn instance(&self, id: u64) -> Option<PaymentJson> {
        self.payments.get(&id).map(|p| self.payment_json(id, p, Shape::Full))
    }
}
