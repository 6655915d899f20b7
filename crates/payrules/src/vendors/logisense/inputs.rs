//! LogiSense's request bodies as typed inputs, read once from the members validation read.
//!
//! Validation (`operations.rs`) has already judged every field read here: a reference is a JSON
//! number of at most 19 digits, an amount a JSON number, a date a valid ISO 8601 string, a flag a
//! boolean, a text a string; a create has `accountId`, `amount` (above zero) and `paymentTypeId`,
//! a reverse `reversePaymentId`, a PATCH item its `patchType` and `patchClientId` (and `identity`
//! for update and delete). So reading cannot fail: an `Option` is a field a body may leave out
//! (`null` counts as left out), and a field validation requires is read as its value. What the
//! ledger refuses in a well-formed value (a `0` reference where one is needed, an amount that is
//! not above zero on update) is judged by the handlers.

use crate::json::{Json, Members, member};
use crate::ledger::Timestamp;
use crate::money::Amount;

/// A member, unless absent or `null`.
fn present<'j, 'a>(members: &'j Members<'a>, key: &str) -> Option<&'j Json<'a>> {
    member(members, key).filter(|v| !v.is_null())
}

/// A reference as sent (`0` included).
fn reference(members: &Members<'_>, key: &str) -> Option<u64> {
    present(members, key)?.text()?.parse().ok()
}

/// An amount, exactly.
fn amount(members: &Members<'_>, key: &str) -> Option<Amount> {
    present(members, key)?.text()?.parse().ok()
}

/// A date-time.
fn time(members: &Members<'_>, key: &str) -> Option<Timestamp> {
    Timestamp::parse(present(members, key)?.text()?)
}

/// A text.
fn text(members: &Members<'_>, key: &str) -> Option<String> {
    present(members, key)?.text().map(str::to_owned)
}

/// A flag.
fn flag(members: &Members<'_>, key: &str) -> Option<bool> {
    present(members, key)?.as_bool()
}

/// The fields of the `Payment` object a create, an update or a PATCH item writes, each as sent
/// (references with their `0`); `identity`, `disbursed`, `created`, `updated` and every `xName`
/// are the vendor's and are not read.
#[derive(Debug)]
pub(super) struct PaymentFields {
    /// `date`.
    pub(super) date: Option<Timestamp>,
    /// `posting`.
    pub(super) posting: Option<Timestamp>,
    /// `detail`.
    pub(super) detail: Option<String>,
    /// `checkNumber`.
    pub(super) check_number: Option<String>,
    /// `automaticDisburse`.
    pub(super) automatic_disburse: Option<bool>,
    /// `isManual`.
    pub(super) is_manual: Option<bool>,
    /// `invoiceAmount`.
    pub(super) invoice_amount: Option<Amount>,
    /// `baseAmount`.
    pub(super) base_amount: Option<Amount>,
    /// `cardTypeId`.
    pub(super) card_type_id: Option<u64>,
    /// `invoiceId`.
    pub(super) invoice_id: Option<u64>,
    /// `currencyExchangeDetailId`.
    pub(super) currency_exchange_detail_id: Option<u64>,
    /// `billRunHistoryId`.
    pub(super) bill_run_history_id: Option<u64>,
    /// `createdByUserId`.
    pub(super) created_by_user_id: Option<u64>,
    /// `paymentMethodId`.
    pub(super) payment_method_id: Option<u64>,
    /// `paymentPreAuthorizeId`.
    pub(super) payment_pre_authorize_id: Option<u64>,
    /// `paymentTransactionId`.
    pub(super) payment_transaction_id: Option<u64>,
    /// `createdByPortalUserId`.
    pub(super) created_by_portal_user_id: Option<u64>,
    /// `paymentStatusTypeId`.
    pub(super) payment_status_type_id: Option<u64>,
    /// `reversePaymentId` (read by a create; an update ignores it).
    pub(super) reverse_payment_id: Option<u64>,
    /// `retryPaymentId` (read by a create; an update ignores it).
    pub(super) retry_payment_id: Option<u64>,
}

impl PaymentFields {
    fn read(m: &Members<'_>) -> PaymentFields {
        PaymentFields {
            date: time(m, "date"),
            posting: time(m, "posting"),
            detail: text(m, "detail"),
            check_number: text(m, "checkNumber"),
            automatic_disburse: flag(m, "automaticDisburse"),
            is_manual: flag(m, "isManual"),
            invoice_amount: amount(m, "invoiceAmount"),
            base_amount: amount(m, "baseAmount"),
            card_type_id: reference(m, "cardTypeId"),
            invoice_id: reference(m, "invoiceId"),
            currency_exchange_detail_id: reference(m, "currencyExchangeDetailId"),
            bill_run_history_id: reference(m, "billRunHistoryId"),
            created_by_user_id: reference(m, "createdByUserId"),
            payment_method_id: reference(m, "paymentMethodId"),
            payment_pre_authorize_id: reference(m, "paymentPreAuthorizeId"),
            payment_transaction_id: reference(m, "paymentTransactionId"),
            created_by_portal_user_id: reference(m, "createdByPortalUserId"),
            payment_status_type_id: reference(m, "paymentStatusTypeId"),
            reverse_payment_id: reference(m, "reversePaymentId"),
            retry_payment_id: reference(m, "retryPaymentId"),
        }
    }
}

/// A create: `POST Payment/`, `Payment/Vendor`, a PATCH item of `patchType` `create`.
#[derive(Debug)]
pub(super) struct Create {
    /// `accountId` (required; `0`, "none", is refused by the ledger).
    pub(super) account_id: u64,
    /// `paymentTypeId` (required; `0` is refused by the ledger).
    pub(super) payment_type_id: u64,
    /// `amount` (required, above zero).
    pub(super) amount: Amount,
    /// The other fields.
    pub(super) fields: PaymentFields,
}

impl Create {
    /// The create a body (or a PATCH item) sends.
    pub(super) fn read(m: &Members<'_>) -> Create {
        Create {
            account_id: reference(m, "accountId").unwrap_or_default(),
            payment_type_id: reference(m, "paymentTypeId").unwrap_or_default(),
            amount: amount(m, "amount").unwrap_or_default(),
            fields: PaymentFields::read(m),
        }
    }
}

/// An update: `PUT Payment/{id}`, a PATCH item of `patchType` `update`.
#[derive(Debug)]
pub(super) struct Update {
    /// `accountId` (`0` leaves it unchanged).
    pub(super) account_id: Option<u64>,
    /// `paymentTypeId` (`0` leaves it unchanged).
    pub(super) payment_type_id: Option<u64>,
    /// `amount` (any sign: the ledger refuses one not above zero).
    pub(super) amount: Option<Amount>,
    /// The other fields.
    pub(super) fields: PaymentFields,
}

impl Update {
    /// The update a body (or a PATCH item) sends.
    pub(super) fn read(m: &Members<'_>) -> Update {
        Update {
            account_id: reference(m, "accountId"),
            payment_type_id: reference(m, "paymentTypeId"),
            amount: amount(m, "amount"),
            fields: PaymentFields::read(m),
        }
    }
}

/// A reversal: `POST Payment/Reverse`, `Payment/Reverse/Vendor`.
#[derive(Debug)]
pub(super) struct Reverse {
    /// `reversePaymentId`: the payment reversed (required, at least 1).
    pub(super) original: u64,
    /// `paymentMethodId` (`0`: none; absent: the reversed payment's).
    pub(super) payment_method_id: Option<u64>,
    /// `amount` (above zero; absent: the whole payment).
    pub(super) amount: Option<Amount>,
    /// `date`.
    pub(super) date: Option<Timestamp>,
    /// `detail`.
    pub(super) detail: Option<String>,
}

impl Reverse {
    /// The reversal a body sends.
    pub(super) fn read(m: &Members<'_>) -> Reverse {
        Reverse {
            original: reference(m, "reversePaymentId").unwrap_or_default(),
            payment_method_id: reference(m, "paymentMethodId"),
            amount: amount(m, "amount"),
            date: time(m, "date"),
            detail: text(m, "detail"),
        }
    }
}

/// `PATCH Payment/{id}`: its `details` and its items, in order.
#[derive(Debug)]
pub(super) struct Patch {
    /// Whether `details` holds any member (the ledger refuses it).
    pub(super) details: bool,
    /// `payments.items`.
    pub(super) items: Vec<PatchItem>,
}

/// One item of a PATCH.
#[derive(Debug)]
pub(super) struct PatchItem {
    /// `patchClientId`: the caller's number for the item.
    pub(super) client: u64,
    /// What its `patchType` asks.
    pub(super) change: Change,
}

/// A PATCH item's change.
#[derive(Debug)]
pub(super) enum Change {
    /// `create`.
    Create(Create),
    /// `update` of the payment `identity`.
    Update(u64, Update),
    /// `delete` of the payment `identity`.
    Delete(u64),
}

impl Patch {
    /// The patch a body sends.
    pub(super) fn read(m: &Members<'_>) -> Patch {
        let details = present(m, "details").and_then(Json::as_object).is_some_and(|d| !d.is_empty());
        let items = present(m, "payments").and_then(|p| p.get("items")).and_then(Json::as_array).unwrap_or_default();
        Patch { details, items: items.iter().filter_map(Json::as_object).map(PatchItem::read).collect() }
    }
}

impl PatchItem {
    fn read(m: &Members<'_>) -> PatchItem {
        let identity = || reference(m, "identity").unwrap_or_default();
        let change = match member(m, "patchType").and_then(Json::as_str) {
            Some("create") => Change::Create(Create::read(m)),
            Some("update") => Change::Update(identity(), Update::read(m)),
            _ => Change::Delete(identity()),
        };
        PatchItem { client: reference(m, "patchClientId").unwrap_or_default(), change }
    }
}
