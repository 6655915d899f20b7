//! plentymarkets' request inputs, typed: each operation's body, path and query, read once from the
//! [`Call`] after validation, exactly as validation read them.
//!
//! What validation guarantees is read as a plain value: `amount` and `exchangeRatio` match
//! [`AMOUNT`](super::AMOUNT) (exact 4-decimal amounts), `currency` is an ISO 4217 code, `type` is
//! `debit` or `credit`, `status` is a real status 1–10, `transactionType` is 1–3, `origin` 0–6;
//! the fallbacks of those reads are never used. Digits (`/^[0-9]+$/`) are only proved to be digits,
//! not to fit 64 bits: `id` and `mopId` of a body stay an `Option` (the handlers refuse `None` as
//! today), path ids read as 0.

use super::handlers::Listing;
use super::lifecycle::PlentyState;
use crate::json::Json;
use crate::ledger::Call;
use crate::lifecycle::State as _;
use crate::money::Amount;

/// `itemsPerPage` when none is given.
const ITEMS_PER_PAGE: u64 = 50;

/// A flag as sent: `true`/`false`, or the text `true`/`1`; `default` when not sent.
fn flag(call: &Call<'_>, name: &str, default: bool) -> bool {
    match call.member(name) {
        Some(Json::Bool(b)) => *b,
        Some(Json::String(s)) => matches!(s.as_ref(), "true" | "1"),
        Some(Json::Number(n)) => *n == "1",
        _ => default,
    }
}

/// A body member's text (a string's content or a number's exact text).
fn text<'c>(call: &'c Call<'_>, name: &str) -> Option<&'c str> {
    call.member(name).and_then(Json::text)
}

/// A small number of the body (`transactionType`, `origin`).
fn small(call: &Call<'_>, name: &str) -> Option<u8> {
    text(call, name)?.parse().ok()
}

/// A path id (digits; 0 when they do not fit 64 bits).
fn id_param(call: &Call<'_>, name: &str) -> u64 {
    call.param(name).and_then(|t| t.parse().ok()).unwrap_or_default()
}

/// The request flags a create or update response echoes as sent (false when not sent, and in
/// `GET` and lists).
#[derive(Clone, Copy, Debug, Default)]
pub(super) struct Flags {
    pub(super) regenerate_hash: bool,
    pub(super) update_order_payment_status: bool,
}

/// The body of a create (`POST /rest/payments`) or update (`PUT /rest/payments`). Both require the
/// same payment fields; the update also requires `id` and may send `updateOrderPaymentStatus`.
#[derive(Debug)]
pub(super) struct PaymentInput<'c> {
    /// `id`: the payment to update (required by the update; the create does not read it).
    pub(super) id: Option<u64>,
    pub(super) amount: Amount,
    pub(super) exchange_ratio: Amount,
    /// `None` when its digits do not fit 64 bits.
    pub(super) mop_id: Option<u64>,
    /// Whether `parentId` was sent (not sent: an updated part keeps its parent).
    pub(super) parent_sent: bool,
    /// `parentId` as a number, when sent and it fits 64 bits.
    pub(super) parent_id: Option<u64>,
    /// `deleted` (`"1"` is true), when sent.
    pub(super) deleted: Option<bool>,
    /// `unaccountable` (`"1"` is true), when sent.
    pub(super) unaccountable: Option<bool>,
    pub(super) currency: &'c str,
    /// `type`: `debit` or `credit`.
    pub(super) kind: &'c str,
    pub(super) status: PlentyState,
    pub(super) transaction_type: u8,
    pub(super) origin: Option<u8>,
    /// `receivedAt` as sent (its instant depends on the store's offset).
    pub(super) received_at: Option<&'c str>,
    /// `regenerateHash` and `updateOrderPaymentStatus`.
    pub(super) flags: Flags,
    /// `isSystemCurrency`, true when not sent.
    pub(super) is_system_currency: bool,
}

impl<'c> PaymentInput<'c> {
    /// Reads a validated create or update body.
    pub(super) fn read(call: &'c Call<'_>) -> Self {
        let zero_one = |name: &str| text(call, name).map(|t| t == "1");
        PaymentInput {
            id: call.integer("id"),
            amount: call.amount("amount").unwrap_or_default(),
            exchange_ratio: call.amount("exchangeRatio").unwrap_or_default(),
            mop_id: call.integer("mopId"),
            parent_sent: call.member("parentId").is_some(),
            parent_id: call.integer("parentId"),
            deleted: zero_one("deleted"),
            unaccountable: zero_one("unaccountable"),
            currency: text(call, "currency").unwrap_or_default(),
            kind: text(call, "type").unwrap_or_default(),
            status: text(call, "status").and_then(PlentyState::from_name).unwrap_or(PlentyState::AwaitingApproval),
            transaction_type: small(call, "transactionType").unwrap_or_default(),
            origin: small(call, "origin"),
            received_at: text(call, "receivedAt"),
            flags: Flags {
                regenerate_hash: flag(call, "regenerateHash", false),
                update_order_payment_status: flag(call, "updateOrderPaymentStatus", false),
            },
            is_system_currency: flag(call, "isSystemCurrency", true),
        }
    }
}

/// `{paymentId}` of a get or a relation delete.
#[derive(Debug)]
pub(super) struct PaymentPath {
    pub(super) payment_id: u64,
}

impl PaymentPath {
    /// Reads the path.
    pub(super) fn read(call: &Call<'_>) -> Self {
        PaymentPath { payment_id: id_param(call, "paymentId") }
    }
}

/// `{paymentId}/order/{orderId}` or `{paymentId}/contact/{contactId}` of a relation create.
#[derive(Debug)]
pub(super) struct RelationPath {
    pub(super) payment_id: u64,
    /// The order's or contact's id.
    pub(super) target: u64,
}

impl RelationPath {
    /// Reads the path; `target` names the order's or contact's parameter.
    pub(super) fn read(call: &Call<'_>, target: &str) -> Self {
        RelationPath { payment_id: id_param(call, "paymentId"), target: id_param(call, target) }
    }
}

/// `?page=&itemsPerPage=` of a list (a value that is not above 0 counts as not given).
#[derive(Clone, Copy, Debug)]
pub(super) struct Paging {
    pub(super) page: u64,
    pub(super) per_page: u64,
}

impl Paging {
    fn read(call: &Call<'_>) -> Self {
        let number = |name: &str, default: u64| {
            call.query(name).and_then(|t| t.parse::<u64>().ok()).filter(|n| *n > 0).unwrap_or(default)
        };
        Paging { page: number("page", 1), per_page: number("itemsPerPage", ITEMS_PER_PAGE) }
    }
}

/// `?startDate=&endDate=` of a date-range list, as sent (their instants depend on the store's offset).
#[derive(Clone, Copy, Debug)]
pub(super) struct DateRange<'c> {
    pub(super) start: &'c str,
    pub(super) end: &'c str,
}

/// Which payments a list asks for.
#[derive(Debug)]
pub(super) enum Criterion<'c> {
    /// Every payment.
    All,
    /// `{methodId}`.
    Method(u64),
    /// `{statusId}`.
    Status(Option<PlentyState>),
    /// `{transactionTypeId}`.
    TransactionType(Option<u8>),
    /// `{orderId}`.
    Order(u64),
    /// `receivedAt` in the range.
    EntryDate(DateRange<'c>),
    /// `importedAt` in the range.
    ImportDate(DateRange<'c>),
    /// `{propertyTypeId}/{propertyValue}`.
    Property { type_id: u64, value: &'c str },
}

/// A list request: its criterion and its page.
#[derive(Debug)]
pub(super) struct ListInput<'c> {
    pub(super) criterion: Criterion<'c>,
    pub(super) paging: Paging,
}

impl<'c> ListInput<'c> {
    /// Reads the path and query of a `listing` request.
    pub(super) fn read(call: &'c Call<'_>, listing: Listing) -> Self {
        let range = || DateRange {
            start: call.query("startDate").unwrap_or_default(),
            end: call.query("endDate").unwrap_or_default(),
        };
        let criterion = match listing {
            Listing::All => Criterion::All,
            Listing::ByMethod => Criterion::Method(id_param(call, "methodId")),
            Listing::ByStatus => Criterion::Status(call.param("statusId").and_then(PlentyState::from_name)),
            Listing::ByTransactionType => {
                Criterion::TransactionType(call.param("transactionTypeId").and_then(|t| t.parse().ok()))
            }
            Listing::ByOrder => Criterion::Order(id_param(call, "orderId")),
            Listing::ByEntryDate => Criterion::EntryDate(range()),
            Listing::ByImportDate => Criterion::ImportDate(range()),
            Listing::ByProperty => Criterion::Property {
                type_id: id_param(call, "propertyTypeId"),
                value: call.param("propertyValue").unwrap_or_default(),
            },
        };
        ListInput { criterion, paging: Paging::read(call) }
    }
}
