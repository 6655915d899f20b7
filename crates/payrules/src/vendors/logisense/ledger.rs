//! LogiSense's records, invariants, request reading, response shapes and handlers (to be split by concern).
#![allow(clippy::struct_field_names)] // records keep the vendor's own field names (`payment_amount`, `payment_type_id`)

use std::collections::BTreeMap;

use rust_decimal::RoundingStrategy;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value, json};

use crate::Severity;
use crate::ledger::time::uuid;
use crate::ledger::shape::{self as view, PaymentView, RelationView};
use crate::ledger::{Call, Outcome, Timestamp, money, money_plain, value_text};
use crate::lifecycle::State as _;
use crate::money::Amount;
use crate::profiles::Profile;
use super::lifecycle::{LIFECYCLE, LogisenseState};
use super::operations::Op;
use crate::request::{Request, Response};

/// LogiSense's records.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct State {
    /// OAuth access tokens: the User each one acts as (the default `createdByUserId`).
    pub tokens: BTreeMap<String, u64>,
    /// The system (owner) currency `baseAmount` is in.
    pub system_currency: String,
    /// Accounts by identity.
    pub accounts: BTreeMap<u64, Account>,
    /// PaymentType names by identity.
    pub payment_types: BTreeMap<u64, String>,
    /// CardType names by identity.
    pub card_types: BTreeMap<u64, String>,
    /// Invoices by identity.
    pub invoices: BTreeMap<u64, Invoice>,
    /// CurrencyExchangeDetails by identity.
    pub currency_exchange_details: BTreeMap<u64, ExchangeDetail>,
    /// BillRunHistory names by identity.
    pub bill_run_histories: BTreeMap<u64, String>,
    /// User names by identity.
    pub users: BTreeMap<u64, String>,
    /// PaymentMethods by identity.
    pub payment_methods: BTreeMap<u64, PaymentMethod>,
    /// PaymentPreAuthorize names by identity.
    pub payment_pre_authorizations: BTreeMap<u64, String>,
    /// PaymentTransaction names by identity.
    pub payment_transactions: BTreeMap<u64, String>,
    /// PortalUser names by identity.
    pub portal_users: BTreeMap<u64, String>,
    /// PaymentStatusTypes by identity.
    pub payment_status_types: BTreeMap<u64, PaymentStatusType>,
    /// Payments by identity.
    pub payments: BTreeMap<u64, Payment>,
    /// Invoice disbursements by identity.
    pub invoice_disbursements: BTreeMap<u64, Disbursement>,
    /// The identity the next payment gets (at least one above every payment's).
    pub next_payment_identity: u64,
    /// The identity the next disbursement gets (at least one above every disbursement's).
    pub next_disbursement_identity: u64,
    /// Counter the `trackingId`s are derived from.
    pub tracking_seed: u64,
}

/// An account payments are made on.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Account {
    /// Its name (`accountName`).
    pub name: String,
    /// Its currency: `amount` is in it.
    pub currency: String,
}

/// An invoice of an account.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Invoice {
    /// Its name (`invoiceName`), the invoice number.
    pub name: String,
    /// The account billed.
    pub account_id: u64,
    /// The invoice date (disbursement goes oldest first).
    pub date: Timestamp,
    /// The amount billed, in the account's currency; what is due is this minus its disbursements.
    pub amount: Amount,
}

/// A conversion from an account currency to the system currency.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ExchangeDetail {
    /// Its name (`currencyExchangeDetailName`).
    pub name: String,
    /// The currency converted from.
    pub currency: String,
    /// System-currency units per unit of `currency`.
    pub rate: Amount,
}

/// A payment method of an account.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PaymentMethod {
    /// Its name (`paymentMethodName`).
    pub name: String,
    /// The account it belongs to.
    pub account_id: u64,
    /// Whether a payment gateway vendor processes it (required by `Payment/Vendor`).
    pub gateway_linked: bool,
    /// The gateway merchant account (`merchantAccount` of a reversal), when linked.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub merchant_account: Option<String>,
}

/// The gateway's answer a status type stands for.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum GatewayAction {
    /// The gateway settled the payment: pending → posted.
    Settle,
    /// The gateway declined the payment: pending → failed.
    Decline,
}

impl GatewayAction {
    fn action(self) -> &'static str {
        match self {
            GatewayAction::Settle => "settle",
            GatewayAction::Decline => "decline",
        }
    }
}

/// A payment status type.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PaymentStatusType {
    /// Its name (`paymentStatusTypeName`).
    pub name: String,
    /// The gateway answer it records, if any (otherwise it is a label).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub gateway_action: Option<GatewayAction>,
}

/// A LogiSense payment (every field of the document's `Payment` but the computed ones).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Payment {
    /// Our lifecycle status.
    pub status: LogisenseState,
    /// `date`.
    pub date: Timestamp,
    /// `amount`, in the account's currency.
    pub amount: Amount,
    /// `accountId`.
    pub account_id: u64,
    /// `paymentTypeId`.
    pub payment_type_id: u64,
    /// `detail`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub detail: Option<String>,
    /// `cardTypeId`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub card_type_id: Option<u64>,
    /// `checkNumber`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub check_number: Option<String>,
    /// `automaticDisburse`.
    pub automatic_disburse: bool,
    /// `created`.
    pub created: Timestamp,
    /// `invoiceId`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub invoice_id: Option<u64>,
    /// `posting`.
    pub posting: Timestamp,
    /// `baseAmount`, in the system currency.
    pub base_amount: Amount,
    /// `invoiceAmount`.
    pub invoice_amount: Amount,
    /// `currencyExchangeDetailId`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub currency_exchange_detail_id: Option<u64>,
    /// `billRunHistoryId`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub bill_run_history_id: Option<u64>,
    /// `isManual`.
    pub is_manual: bool,
    /// `reversePaymentId`: the payment this one reverses.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reverse_payment_id: Option<u64>,
    /// `createdByUserId`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub created_by_user_id: Option<u64>,
    /// `paymentMethodId`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub payment_method_id: Option<u64>,
    /// `paymentPreAuthorizeId`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub payment_pre_authorize_id: Option<u64>,
    /// `paymentTransactionId`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub payment_transaction_id: Option<u64>,
    /// `createdByPortalUserId`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub created_by_portal_user_id: Option<u64>,
    /// `paymentStatusTypeId`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub payment_status_type_id: Option<u64>,
    /// `retryPaymentId`: the failed payment this one retries.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub retry_payment_id: Option<u64>,
    /// `updated`.
    pub updated: Timestamp,
}

/// An amount of a payment applied to an invoice.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Disbursement {
    /// The invoice paid.
    pub invoice_id: u64,
    /// The payment paying it.
    pub payment_id: u64,
    /// The amount, in the account's currency.
    pub amount: Amount,
    /// The amount in the system currency.
    pub base_amount: Amount,
    /// The amount in the invoice's currency.
    pub invoice_amount: Amount,
    /// Whether the ledger made it automatically.
    pub automatic_disburse: bool,
}

/// The kinds of record a payment refers to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Kind {
    Account,
    PaymentType,
    CardType,
    Invoice,
    Exchange,
    BillRun,
    User,
    Method,
    PreAuthorize,
    Transaction,
    PortalUser,
    StatusType,
    Payment,
}

impl Kind {
    fn label(self) -> &'static str {
        match self {
            Kind::Account => "Account",
            Kind::PaymentType => "PaymentType",
            Kind::CardType => "CardType",
            Kind::Invoice => "Invoice",
            Kind::Exchange => "CurrencyExchangeDetail",
            Kind::BillRun => "BillRunHistory",
            Kind::User => "User",
            Kind::Method => "PaymentMethod",
            Kind::PreAuthorize => "PaymentPreAuthorize",
            Kind::Transaction => "PaymentTransaction",
            Kind::PortalUser => "PortalUser",
            Kind::StatusType => "PaymentStatusType",
            Kind::Payment => "Payment",
        }
    }
}

/// An optional reference field of the body: its name, kind, and place in [`Payment`].
struct RefField {
    field: &'static str,
    kind: Kind,
    get: fn(&Payment) -> Option<u64>,
    set: fn(&mut Payment, Option<u64>),
}

/// The optional references a create or update writes (reversal and retry links are apart).
const OPTIONAL_REFS: [RefField; 10] = [
    RefField { field: "cardTypeId", kind: Kind::CardType, get: |p| p.card_type_id, set: |p, v| p.card_type_id = v },
    RefField { field: "invoiceId", kind: Kind::Invoice, get: |p| p.invoice_id, set: |p, v| p.invoice_id = v },
    RefField {
        field: "currencyExchangeDetailId",
        kind: Kind::Exchange,
        get: |p| p.currency_exchange_detail_id,
        set: |p, v| p.currency_exchange_detail_id = v,
    },
    RefField {
        field: "billRunHistoryId",
        kind: Kind::BillRun,
        get: |p| p.bill_run_history_id,
        set: |p, v| p.bill_run_history_id = v,
    },
    RefField {
        field: "createdByUserId",
        kind: Kind::User,
        get: |p| p.created_by_user_id,
        set: |p, v| p.created_by_user_id = v,
    },
    RefField {
        field: "paymentMethodId",
        kind: Kind::Method,
        get: |p| p.payment_method_id,
        set: |p, v| p.payment_method_id = v,
    },
    RefField {
        field: "paymentPreAuthorizeId",
        kind: Kind::PreAuthorize,
        get: |p| p.payment_pre_authorize_id,
        set: |p, v| p.payment_pre_authorize_id = v,
    },
    RefField {
        field: "paymentTransactionId",
        kind: Kind::Transaction,
        get: |p| p.payment_transaction_id,
        set: |p, v| p.payment_transaction_id = v,
    },
    RefField {
        field: "createdByPortalUserId",
        kind: Kind::PortalUser,
        get: |p| p.created_by_portal_user_id,
        set: |p, v| p.created_by_portal_user_id = v,
    },
    RefField {
        field: "paymentStatusTypeId",
        kind: Kind::StatusType,
        get: |p| p.payment_status_type_id,
        set: |p, v| p.payment_status_type_id = v,
    },
];

/// A refusal, before it is given its `trackingId`.
#[derive(Debug)]
struct Fail {
    status: u16,
    code: &'static str,
    message: String,
    field: Option<String>,
    patch_client_id: Option<u64>,
}

impl Fail {
    fn new(status: u16, code: &'static str, field: Option<&str>, message: String) -> Fail {
        Fail { status, code, message, field: field.map(str::to_owned), patch_client_id: None }
    }

    fn json(&self) -> Value {
        let mut m = Map::new();
        m.insert("code".into(), json!(self.code));
        m.insert("message".into(), json!(self.message));
        if let Some(f) = &self.field {
            m.insert("field".into(), json!(f));
        }
        if let Some(c) = self.patch_client_id {
            m.insert("patchClientId".into(), json!(c));
        }
        Value::Object(m)
    }
}

fn not_found(id: u64) -> Fail {
    Fail::new(404, "NotFound", None, format!("Payment {id} does not exist"))
}

fn conflict(field: Option<&str>, message: String) -> Fail {
    Fail::new(409, "Conflict", field, message)
}

fn invalid_reference(field: &str, message: String) -> Fail {
    Fail::new(400, "InvalidReference", Some(field), message)
}

/// A body field, unless absent or null.
fn get<'b>(body: &'b Map<String, Value>, field: &str) -> Option<&'b Value> {
    body.get(field).filter(|v| !v.is_null())
}

/// A body reference as sent (`0` included).
fn body_ref(body: &Map<String, Value>, field: &str) -> Option<u64> {
    get(body, field).and_then(value_text).and_then(|t| t.parse().ok())
}

/// A body amount, exactly.
fn body_amount(body: &Map<String, Value>, field: &str) -> Result<Option<Amount>, Fail> {
    match get(body, field) {
        None => Ok(None),
        Some(v) => value_text(v).and_then(|t| t.parse().ok()).map(Some).ok_or_else(|| {
            Fail::new(400, "InvalidRequest", Some(field), format!("`{field}` must be a number; found {v}"))
        }),
    }
}

/// A body date-time.
fn body_time(body: &Map<String, Value>, field: &str) -> Result<Option<Timestamp>, Fail> {
    match get(body, field) {
        None => Ok(None),
        Some(v) => value_text(v).and_then(|t| Timestamp::parse(&t)).map(Some).ok_or_else(|| {
            Fail::new(400, "InvalidRequest", Some(field), format!("`{field}` must be an ISO 8601 date-time; found {v}"))
        }),
    }
}

fn body_text(body: &Map<String, Value>, field: &str) -> Option<String> {
    get(body, field).and_then(value_text).map(std::borrow::Cow::into_owned)
}

/// `amount` × `rate`, rounded half away from zero to 2 decimals.
fn convert(amount: Amount, rate: Amount) -> Option<Amount> {
    let product = amount.value().checked_mul(rate.value())?;
    Some(Amount::from_decimal(product.round_dp_with_strategy(2, RoundingStrategy::MidpointAwayFromZero)))
}

fn sum(mut amounts: impl Iterator<Item = Amount>) -> Option<Amount> {
    amounts.try_fold(Amount::ZERO, Amount::checked_add)
}

fn overflow() -> Fail {
    Fail::new(400, "InvalidAmount", Some("amount"), "the amount is too large to be kept exactly".to_owned())
}

/// How a payment is written.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Shape {
    /// The document's `Payment` object.
    Full,
    /// An item of `paymentReversals` (the document's shape: some names left out, `merchantAccount` added).
    Reversal,
}

impl State {
    /// The invariants: every reference names a record (and fits it: same account, same currency);
    /// disbursements never exceed their payment's amount nor their invoice's amount; a payment is
    /// reversed at most once, by a reversal on its account for at most its amount, and is then
    /// `reversed`; a failed payment is retried at most once and is then `retried`; gateway status
    /// types agree with the status; the identity counters are ahead of every identity.
    pub fn check(&self) -> Result<(), String> {
        for user in self.tokens.values() {
            if !self.users.contains_key(user) {
                return Err(format!("an access token acts as user {user}, which does not exist"));
            }
        }
        for (id, d) in &self.currency_exchange_details {
            if !d.rate.is_positive() {
                return Err(format!("currency exchange detail {id} has a rate that is not above zero"));
            }
        }
        for (id, i) in &self.invoices {
            if !self.accounts.contains_key(&i.account_id) {
                return Err(format!("invoice {id} bills account {}, which does not exist", i.account_id));
            }
            if i.amount.is_negative() {
                return Err(format!("invoice {id} has a negative amount"));
            }
        }
        for (id, m) in &self.payment_methods {
            if !self.accounts.contains_key(&m.account_id) {
                return Err(format!("payment method {id} belongs to account {}, which does not exist", m.account_id));
            }
        }
        for (&id, p) in &self.payments {
            self.check_payment(id, p)?;
        }
        let mut by_payment: BTreeMap<u64, Amount> = BTreeMap::new();
        let mut by_invoice: BTreeMap<u64, Amount> = BTreeMap::new();
        for (id, d) in &self.invoice_disbursements {
            let Some(p) = self.payments.get(&d.payment_id) else {
                return Err(format!("disbursement {id} names payment {}, which does not exist", d.payment_id));
            };
            let Some(invoice) = self.invoices.get(&d.invoice_id) else {
                return Err(format!("disbursement {id} names invoice {}, which does not exist", d.invoice_id));
            };
            if invoice.account_id != p.account_id {
                return Err(format!(
                    "disbursement {id} pays invoice {} of another account than its payment",
                    d.invoice_id
                ));
            }
            if !d.amount.is_positive() {
                return Err(format!("disbursement {id} has an amount that is not above zero"));
            }
            if !matches!(p.status, LogisenseState::Posted | LogisenseState::Reversed) || p.reverse_payment_id.is_some()
            {
                return Err(format!(
                    "disbursement {id} is of payment {}, which has no money to disburse",
                    d.payment_id
                ));
            }
            for (map, key) in [(&mut by_payment, d.payment_id), (&mut by_invoice, d.invoice_id)] {
                let total = map.entry(key).or_insert(Amount::ZERO);
                *total = total.checked_add(d.amount).ok_or_else(|| format!("disbursement {id} overflows"))?;
            }
        }
        for (id, total) in &by_payment {
            if let Some(p) = self.payments.get(id)
                && *total > p.amount
            {
                return Err(format!("payment {id} disburses {total}, more than its amount {}", p.amount));
            }
        }
        for (id, total) in &by_invoice {
            if let Some(i) = self.invoices.get(id)
                && *total > i.amount
            {
                return Err(format!("invoice {id} receives {total}, more than its amount {}", i.amount));
            }
        }
        if let Some(last) = self.payments.keys().next_back()
            && self.next_payment_identity <= *last
        {
            return Err(format!("next_payment_identity {} is not above payment {last}", self.next_payment_identity));
        }
        if let Some(last) = self.invoice_disbursements.keys().next_back()
            && self.next_disbursement_identity <= *last
        {
            return Err(format!(
                "next_disbursement_identity {} is not above disbursement {last}",
                self.next_disbursement_identity
            ));
        }
        Ok(())
    }

    fn check_payment(&self, id: u64, p: &Payment) -> Result<(), String> {
        if !p.amount.is_positive() {
            return Err(format!("payment {id} has an amount that is not above zero"));
        }
        if !self.exists(Kind::Account, p.account_id) || !self.exists(Kind::PaymentType, p.payment_type_id) {
            return Err(format!("payment {id} names an account or payment type that does not exist"));
        }
        for r in &OPTIONAL_REFS {
            if let Some(v) = (r.get)(p)
                && !self.exists(r.kind, v)
            {
                return Err(format!("payment {id}: {} {v} does not exist", r.field));
            }
        }
        self.relations(p).map_err(|f| format!("payment {id}: {}", f.message))?;
        if let Some(action) = p.payment_status_type_id.and_then(|t| self.payment_status_types.get(&t)?.gateway_action) {
            let fits = match action {
                GatewayAction::Settle => matches!(p.status, LogisenseState::Posted | LogisenseState::Reversed),
                GatewayAction::Decline => matches!(p.status, LogisenseState::Failed | LogisenseState::Retried),
            };
            if !fits {
                return Err(format!("payment {id} is {:?} but its status type records a {action:?}", p.status));
            }
        }
        if let Some(o) = p.reverse_payment_id {
            let Some(original) = self.payments.get(&o).filter(|_| o != id) else {
                return Err(format!("payment {id} reverses payment {o}, which does not exist"));
            };
            if original.status != LogisenseState::Reversed || original.reverse_payment_id.is_some() {
                return Err(format!("payment {id} reverses payment {o}, which is not a reversed payment"));
            }
            if p.amount > original.amount || p.account_id != original.account_id {
                return Err(format!("payment {id} reverses more than payment {o}, or on another account"));
            }
            if self.payments.values().filter(|q| q.reverse_payment_id == Some(o)).count() > 1 {
                return Err(format!("payment {o} is reversed more than once"));
            }
        }
        if let Some(f) = p.retry_payment_id {
            let Some(failed) = self.payments.get(&f).filter(|_| f != id) else {
                return Err(format!("payment {id} retries payment {f}, which does not exist"));
            };
            if failed.status != LogisenseState::Retried || failed.account_id != p.account_id {
                return Err(format!("payment {id} retries payment {f}, which is not a retried payment of its account"));
            }
            if self.payments.values().filter(|q| q.retry_payment_id == Some(f)).count() > 1 {
                return Err(format!("payment {f} is retried more than once"));
            }
        }
        Ok(())
    }

    fn exists(&self, kind: Kind, id: u64) -> bool {
        self.name_of(kind, id).is_some()
    }

    /// The `xName` of a reference.
    fn name_of(&self, kind: Kind, id: u64) -> Option<String> {
        let name = match kind {
            Kind::Account => self.accounts.get(&id).map(|a| &a.name),
            Kind::PaymentType => self.payment_types.get(&id),
            Kind::CardType => self.card_types.get(&id),
            Kind::Invoice => self.invoices.get(&id).map(|i| &i.name),
            Kind::Exchange => self.currency_exchange_details.get(&id).map(|d| &d.name),
            Kind::BillRun => self.bill_run_histories.get(&id),
            Kind::User => self.users.get(&id),
            Kind::Method => self.payment_methods.get(&id).map(|m| &m.name),
            Kind::PreAuthorize => self.payment_pre_authorizations.get(&id),
            Kind::Transaction => self.payment_transactions.get(&id),
            Kind::PortalUser => self.portal_users.get(&id),
            Kind::StatusType => self.payment_status_types.get(&id).map(|t| &t.name),
            Kind::Payment => return self.payments.contains_key(&id).then(|| format!("Payment {id}")),
        };
        name.cloned()
    }

    /// A reference must name a record.
    fn must_exist(&self, field: &str, kind: Kind, id: u64) -> Result<(), Fail> {
        if self.exists(kind, id) {
            return Ok(());
        }
        let message = format!("`{field}` names {} {id}, which does not exist", kind.label());
        Err(Fail::new(400, "ReferenceNotFound", Some(field), message))
    }

    /// The records a payment names must fit its account.
    fn relations(&self, p: &Payment) -> Result<(), Fail> {
        let account = self.accounts.get(&p.account_id).map_or("", |a| a.name.as_str());
        if let Some(i) = p.invoice_id
            && let Some(invoice) = self.invoices.get(&i)
            && invoice.account_id != p.account_id
        {
            return Err(invalid_reference(
                "invoiceId",
                format!(
                    "Invoice {i} ({}) bills account {}, not account {} ({account})",
                    invoice.name, invoice.account_id, p.account_id
                ),
            ));
        }
        if let Some(m) = p.payment_method_id
            && let Some(method) = self.payment_methods.get(&m)
            && method.account_id != p.account_id
        {
            return Err(invalid_reference(
                "paymentMethodId",
                format!(
                    "PaymentMethod {m} ({}) belongs to account {}, not account {} ({account})",
                    method.name, method.account_id, p.account_id
                ),
            ));
        }
        if let Some(d) = p.currency_exchange_detail_id
            && let Some(detail) = self.currency_exchange_details.get(&d)
            && let Some(acc) = self.accounts.get(&p.account_id)
            && detail.currency != acc.currency
        {
            return Err(invalid_reference(
                "currencyExchangeDetailId",
                format!(
                    "CurrencyExchangeDetail {d} ({}) converts {}, but account {} ({account}) pays in {}",
                    detail.name, detail.currency, p.account_id, acc.currency
                ),
            ));
        }
        Ok(())
    }

    /// The exchange detail a new payment on `account_id` uses when none is sent.
    fn default_exchange(&self, account_id: u64) -> Result<Option<u64>, Fail> {
        let Some(account) = self.accounts.get(&account_id) else { return Ok(None) };
        if account.currency == self.system_currency {
            return Ok(None);
        }
        let found = self.currency_exchange_details.iter().rev().find(|(_, d)| d.currency == account.currency);
        found.map(|(id, _)| Some(*id)).ok_or_else(|| {
            invalid_reference(
                "currencyExchangeDetailId",
                format!(
                    "no CurrencyExchangeDetail converts {} (account {account_id}) to {}; send currencyExchangeDetailId or baseAmount",
                    account.currency, self.system_currency
                ),
            )
        })
    }

    /// `amount` in the system currency through the payment's exchange detail.
    fn base_of(&self, amount: Amount, exchange: Option<u64>) -> Result<Amount, Fail> {
        match exchange.and_then(|d| self.currency_exchange_details.get(&d)) {
            None => Ok(amount),
            Some(d) => convert(amount, d.rate).ok_or_else(overflow),
        }
    }

    fn disbursed_by(&self, payment: u64) -> Amount {
        sum(self.invoice_disbursements.values().filter(|d| d.payment_id == payment).map(|d| d.amount))
            .unwrap_or(Amount::ZERO)
    }

    fn due_on(&self, invoice_id: u64) -> Amount {
        let Some(invoice) = self.invoices.get(&invoice_id) else { return Amount::ZERO };
        let paid = sum(self.invoice_disbursements.values().filter(|d| d.invoice_id == invoice_id).map(|d| d.amount));
        paid.and_then(|p| invoice.amount.checked_sub(p)).unwrap_or(Amount::ZERO)
    }

    /// Disburses what is left of a posted payment to its invoice, or to its account's open invoices oldest first.
    fn disburse(&mut self, payment_id: u64) -> Result<(), Fail> {
        let Some(p) = self.payments.get(&payment_id).cloned() else { return Ok(()) };
        if p.status != LogisenseState::Posted || !p.automatic_disburse || p.reverse_payment_id.is_some() {
            return Ok(());
        }
        let mut left = p.amount.checked_sub(self.disbursed_by(payment_id)).ok_or_else(overflow)?;
        let mut targets: Vec<(Timestamp, u64)> = match p.invoice_id {
            Some(i) => vec![(Timestamp::from_unix_millis(0), i)],
            None => self
                .invoices
                .iter()
                .filter(|(_, i)| i.account_id == p.account_id)
                .map(|(id, i)| (i.date, *id))
                .collect(),
        };
        targets.sort();
        for (_, invoice_id) in targets {
            if !left.is_positive() {
                break;
            }
            let due = self.due_on(invoice_id);
            let take = if due < left { due } else { left };
            if !take.is_positive() {
                continue;
            }
            let id =
                self.next_disbursement_identity.max(self.invoice_disbursements.keys().next_back().map_or(1, |k| k + 1));
            self.next_disbursement_identity = id + 1;
            let base = self.base_of(take, p.currency_exchange_detail_id)?;
            self.invoice_disbursements.insert(
                id,
                Disbursement {
                    invoice_id,
                    payment_id,
                    amount: take,
                    base_amount: base,
                    invoice_amount: take,
                    automatic_disburse: true,
                },
            );
            left = left.checked_sub(take).ok_or_else(overflow)?;
        }
        Ok(())
    }

    fn new_payment_identity(&mut self) -> u64 {
        let id = self.next_payment_identity.max(self.payments.keys().next_back().map_or(1, |k| k + 1));
        self.next_payment_identity = id + 1;
        id
    }

    /// Writes the simple fields and optional references a body sends.
    fn write_fields(&self, p: &mut Payment, body: &Map<String, Value>) -> Result<(), Fail> {
        if let Some(t) = body_time(body, "date")? {
            p.date = t;
        }
        if let Some(t) = body_time(body, "posting")? {
            p.posting = t;
        }
        if get(body, "detail").is_some() {
            p.detail = body_text(body, "detail");
        }
        if get(body, "checkNumber").is_some() {
            p.check_number = body_text(body, "checkNumber");
        }
        if let Some(b) = get(body, "automaticDisburse").and_then(Value::as_bool) {
            p.automatic_disburse = b;
        }
        if let Some(b) = get(body, "isManual").and_then(Value::as_bool) {
            p.is_manual = b;
        }
        if let Some(a) = body_amount(body, "invoiceAmount")? {
            p.invoice_amount = a;
        }
        for r in &OPTIONAL_REFS {
            match body_ref(body, r.field) {
                None => {}
                Some(0) => (r.set)(p, None),
                Some(v) => {
                    self.must_exist(r.field, r.kind, v)?;
                    (r.set)(p, Some(v));
                }
            }
        }
        Ok(())
    }

    /// A required reference of a create.
    fn required_ref(&self, body: &Map<String, Value>, field: &str, kind: Kind) -> Result<u64, Fail> {
        match body_ref(body, field) {
            None | Some(0) => Err(Fail::new(
                400,
                "InvalidRequest",
                Some(field),
                format!("`{field}` is required: a payment needs its {}", kind.label()),
            )),
            Some(v) => self.must_exist(field, kind, v).map(|()| v),
        }
    }

    /// Creates a payment (`POST Payment/`, `Payment/Vendor`, a PATCH create item).
    fn create(&mut self, body: &Map<String, Value>, vendor: bool, user: u64, now: Timestamp) -> Result<u64, Fail> {
        let account_id = self.required_ref(body, "accountId", Kind::Account)?;
        let payment_type_id = self.required_ref(body, "paymentTypeId", Kind::PaymentType)?;
        let amount = body_amount(body, "amount")?.filter(|a| a.is_positive()).ok_or_else(|| {
            Fail::new(400, "InvalidAmount", Some("amount"), "`amount` is required and must be above zero".to_owned())
        })?;
        let status = if vendor { LogisenseState::Pending } else { LogisenseState::Posted };
        let mut p = Payment {
            status,
            date: now,
            amount,
            account_id,
            payment_type_id,
            detail: None,
            card_type_id: None,
            check_number: None,
            automatic_disburse: false,
            created: now,
            invoice_id: None,
            posting: now,
            base_amount: amount,
            invoice_amount: Amount::ZERO,
            currency_exchange_detail_id: None,
            bill_run_history_id: None,
            is_manual: !vendor,
            reverse_payment_id: None,
            created_by_user_id: Some(user).filter(|u| self.users.contains_key(u)),
            payment_method_id: None,
            payment_pre_authorize_id: None,
            payment_transaction_id: None,
            created_by_portal_user_id: None,
            payment_status_type_id: None,
            retry_payment_id: None,
            updated: now,
        };
        self.write_fields(&mut p, body)?;
        if let Some(t) = p.payment_status_type_id
            && let Some(kind) = self.payment_status_types.get(&t)
            && let Some(action) = kind.gateway_action
        {
            return Err(invalid_reference(
                "paymentStatusTypeId",
                format!(
                    "PaymentStatusType {t} ({}) records the gateway's answer ({}); a new payment cannot have it: set it with PUT Payment/{{id}} once the payment is pending",
                    kind.name,
                    action.action()
                ),
            ));
        }
        if vendor {
            self.check_gateway(p.payment_method_id)?;
        }
        if p.currency_exchange_detail_id.is_none() && body_ref(body, "currencyExchangeDetailId").is_none() {
            p.currency_exchange_detail_id = self.default_exchange(account_id)?;
        }
        self.relations(&p)?;
        p.base_amount = match body_amount(body, "baseAmount")? {
            Some(b) => b,
            None => self.base_of(amount, p.currency_exchange_detail_id)?,
        };
        if let Some(original) = body_ref(body, "reversePaymentId").filter(|o| *o != 0) {
            if vendor {
                return Err(invalid_reference(
                    "reversePaymentId",
                    "Payment/Vendor creates a payment to charge; reverse a payment with POST Payment/Reverse/Vendor"
                        .to_owned(),
                ));
            }
            self.reverse_original(original, &p, "reversePaymentId", now)?;
            p.reverse_payment_id = Some(original);
        }
        if let Some(failed) = body_ref(body, "retryPaymentId").filter(|f| *f != 0) {
            self.retry_failed(failed, &p, now)?;
            p.retry_payment_id = Some(failed);
        }
        let id = self.new_payment_identity();
        self.payments.insert(id, p);
        self.disburse(id)?;
        if get(body, "invoiceAmount").is_none() {
            let disbursed = self.disbursed_by(id);
            if let Some(p) = self.payments.get_mut(&id) {
                p.invoice_amount = disbursed;
            }
        }
        Ok(id)
    }

    /// A payment method a gateway vendor can charge or refund.
    fn check_gateway(&self, method: Option<u64>) -> Result<(), Fail> {
        let Some(m) = method else {
            return Err(Fail::new(
                400,
                "InvalidRequest",
                Some("paymentMethodId"),
                "`paymentMethodId` is required: it names the gateway-linked payment method the vendor processes"
                    .to_owned(),
            ));
        };
        match self.payment_methods.get(&m) {
            Some(pm) if !pm.gateway_linked => Err(invalid_reference(
                "paymentMethodId",
                format!("PaymentMethod {m} ({}) is not linked to a payment gateway", pm.name),
            )),
            _ => Ok(()),
        }
    }

    /// Reverses `original` by `reversal` (not yet stored): checks, moves the original to `reversed`,
    /// undoes its disbursements as far as needed.
    fn reverse_original(&mut self, original: u64, reversal: &Payment, field: &str, now: Timestamp) -> Result<(), Fail> {
        let Some(o) = self.payments.get(&original) else {
            return Err(Fail::new(
                400,
                "ReferenceNotFound",
                Some(field),
                format!("`{field}` names Payment {original}, which does not exist"),
            ));
        };
        if let Some(of) = o.reverse_payment_id {
            return Err(conflict(
                Some(field),
                format!("Payment {original} is itself the reversal of payment {of}; a reversal cannot be reversed"),
            ));
        }
        let to = LIFECYCLE.apply(o.status, "reverse").map_err(|e| {
            let by = self.payments.iter().find(|(_, q)| q.reverse_payment_id == Some(original)).map(|(id, _)| *id);
            let already = by.map(|b| format!(" (it was reversed by payment {b})")).unwrap_or_default();
            conflict(
                Some(field),
                format!("Payment {original} cannot be reversed{already}: only a posted payment is reversed, once; {e}"),
            )
        })?;
        if o.account_id != reversal.account_id {
            return Err(invalid_reference(
                "accountId",
                format!(
                    "a reversal is made on the account of the payment it reverses: payment {original} is on account {}, not {}",
                    o.account_id, reversal.account_id
                ),
            ));
        }
        if reversal.amount > o.amount {
            return Err(Fail::new(
                400,
                "InvalidAmount",
                Some("amount"),
                format!(
                    "the reversal amount {} is more than payment {original}'s amount {}",
                    reversal.amount, o.amount
                ),
            ));
        }
        let (amount, disbursed) = (o.amount, self.disbursed_by(original));
        let mut undisbursed = amount.checked_sub(disbursed).ok_or_else(overflow)?;
        let mine: Vec<(u64, Amount)> = self
            .invoice_disbursements
            .iter()
            .rev()
            .filter(|(_, d)| d.payment_id == original)
            .map(|(id, d)| (*id, d.amount))
            .collect();
        for (id, a) in mine {
            if undisbursed >= reversal.amount {
                break;
            }
            self.invoice_disbursements.remove(&id);
            undisbursed = undisbursed.checked_add(a).ok_or_else(overflow)?;
        }
        if let Some(o) = self.payments.get_mut(&original) {
            o.status = to;
            o.updated = now;
        }
        Ok(())
    }

    /// Marks `failed` retried by `retry` (not yet stored).
    fn retry_failed(&mut self, failed: u64, retry: &Payment, now: Timestamp) -> Result<(), Fail> {
        let Some(f) = self.payments.get_mut(&failed) else {
            return Err(Fail::new(
                400,
                "ReferenceNotFound",
                Some("retryPaymentId"),
                format!("`retryPaymentId` names Payment {failed}, which does not exist"),
            ));
        };
        if f.account_id != retry.account_id {
            return Err(invalid_reference(
                "retryPaymentId",
                format!(
                    "a retry is made on the account of the failed payment: payment {failed} is on account {}, not {}",
                    f.account_id, retry.account_id
                ),
            ));
        }
        let to = LIFECYCLE.apply(f.status, "retry").map_err(|e| {
            conflict(
                Some("retryPaymentId"),
                format!("Payment {failed} cannot be retried: only a failed payment is retried, once; {e}"),
            )
        })?;
        f.status = to;
        f.updated = now;
        Ok(())
    }

    /// `POST Payment/Reverse` and `Payment/Reverse/Vendor`.
    fn reverse(&mut self, body: &Map<String, Value>, vendor: bool, user: u64, now: Timestamp) -> Result<u64, Fail> {
        let original = body_ref(body, "reversePaymentId").unwrap_or_default();
        let Some(o) = self.payments.get(&original).cloned() else {
            return Err(Fail::new(
                400,
                "ReferenceNotFound",
                Some("reversePaymentId"),
                format!("`reversePaymentId` names Payment {original}, which does not exist"),
            ));
        };
        let method = match body_ref(body, "paymentMethodId") {
            Some(0) => None,
            Some(m) => {
                self.must_exist("paymentMethodId", Kind::Method, m)?;
                Some(m)
            }
            None => o.payment_method_id,
        };
        if vendor {
            self.check_gateway(method)?;
        }
        let amount = body_amount(body, "amount")?.unwrap_or(o.amount);
        if !amount.is_positive() {
            return Err(Fail::new(400, "InvalidAmount", Some("amount"), "`amount` must be above zero".to_owned()));
        }
        let date = body_time(body, "date")?.unwrap_or(now);
        let reversal = Payment {
            status: LogisenseState::Posted,
            date,
            amount,
            account_id: o.account_id,
            payment_type_id: o.payment_type_id,
            detail: Some(body_text(body, "detail").unwrap_or_else(|| format!("Reversal of payment {original}"))),
            card_type_id: o.card_type_id,
            check_number: None,
            automatic_disburse: false,
            created: now,
            invoice_id: o.invoice_id,
            posting: date,
            base_amount: self.base_of(amount, o.currency_exchange_detail_id)?,
            invoice_amount: Amount::ZERO,
            currency_exchange_detail_id: o.currency_exchange_detail_id,
            bill_run_history_id: None,
            is_manual: !vendor,
            reverse_payment_id: Some(original),
            created_by_user_id: Some(user).filter(|u| self.users.contains_key(u)),
            payment_method_id: method,
            payment_pre_authorize_id: None,
            payment_transaction_id: None,
            created_by_portal_user_id: None,
            payment_status_type_id: None,
            retry_payment_id: None,
            updated: now,
        };
        self.relations(&reversal)?;
        self.reverse_original(original, &reversal, "reversePaymentId", now)?;
        let id = self.new_payment_identity();
        self.payments.insert(id, reversal);
        Ok(id)
    }

    /// `PUT Payment/{id}` and PATCH update items.
    fn update(&mut self, id: u64, body: &Map<String, Value>, now: Timestamp) -> Result<(), Fail> {
        let old = self.payments.get(&id).cloned().ok_or_else(|| not_found(id))?;
        let mut p = old.clone();
        let open =
            matches!(p.status, LogisenseState::Pending | LogisenseState::Posted) && p.reverse_payment_id.is_none();
        let what =
            if p.reverse_payment_id.is_some() { "a reversal".to_owned() } else { format!("`{}`", p.status.name()) };
        let frozen = |field: &str| {
            conflict(
                Some(field),
                format!(
                    "Payment {id} is {what}: its {field} cannot change any more (only a pending or posted payment that is not a reversal can)"
                ),
            )
        };
        let disbursed = self.disbursed_by(id);
        if let Some(a) = body_ref(body, "accountId").filter(|a| *a != 0 && *a != p.account_id) {
            self.must_exist("accountId", Kind::Account, a)?;
            if !open {
                return Err(frozen("accountId"));
            }
            if disbursed.is_positive() {
                return Err(conflict(
                    Some("accountId"),
                    format!(
                        "Payment {id} has {disbursed} disbursed to invoices of account {}; it cannot move to account {a}",
                        p.account_id
                    ),
                ));
            }
            p.account_id = a;
        }
        if let Some(t) = body_ref(body, "paymentTypeId").filter(|t| *t != 0) {
            self.must_exist("paymentTypeId", Kind::PaymentType, t)?;
            p.payment_type_id = t;
        }
        if let Some(a) = body_amount(body, "amount")?.filter(|a| *a != p.amount) {
            if !a.is_positive() {
                return Err(Fail::new(
                    400,
                    "InvalidAmount",
                    Some("amount"),
                    format!("`amount` must be above zero; found {a}: money is taken back by POST Payment/Reverse"),
                ));
            }
            if !open {
                return Err(frozen("amount"));
            }
            if a < disbursed {
                return Err(conflict(
                    Some("amount"),
                    format!(
                        "Payment {id} has {disbursed} disbursed to invoices; its amount cannot go below that (found {a})"
                    ),
                ));
            }
            p.amount = a;
        }
        self.write_fields(&mut p, body)?;
        if p.payment_status_type_id != old.payment_status_type_id
            && let Some(t) = p.payment_status_type_id
            && let Some(kind) = self.payment_status_types.get(&t)
            && let Some(action) = kind.gateway_action
        {
            p.status = LIFECYCLE.apply(p.status, action.action()).map_err(|e| {
                conflict(
                    Some("paymentStatusTypeId"),
                    format!(
                        "PaymentStatusType {t} ({}) records the gateway's answer, only for a pending payment: {e}",
                        kind.name
                    ),
                )
            })?;
        }
        self.relations(&p)?;
        if let Some(b) = body_amount(body, "baseAmount")? {
            p.base_amount = b;
        } else if p.amount != old.amount || p.currency_exchange_detail_id != old.currency_exchange_detail_id {
            p.base_amount = self.base_of(p.amount, p.currency_exchange_detail_id)?;
        }
        p.updated = now;
        self.payments.insert(id, p);
        self.disburse(id)
    }

    /// `DELETE Payment/{id}` and PATCH delete items: the result items.
    fn delete(&mut self, id: u64) -> Result<Vec<Value>, Fail> {
        let p = self.payments.get(&id).ok_or_else(|| not_found(id))?;
        if let Some(o) = p.reverse_payment_id {
            return Err(conflict(
                None,
                format!(
                    "Payment {id} is the reversal of payment {o}; it is deleted only with that payment (DELETE Payment/{o})"
                ),
            ));
        }
        self.payments.remove(&id);
        let mut items = vec![json!({ "identity": id, "action": "deleted", "dtoTypeKey": "payment" })];
        for (rid, q) in &mut self.payments {
            if q.retry_payment_id == Some(id) {
                q.retry_payment_id = None;
                items.push(json!({ "lhsId": rid, "rhsId": id, "action": "detached", "dtoTypeKey": "paymentRetry" }));
            }
        }
        let gone: Vec<u64> =
            self.invoice_disbursements.iter().filter(|(_, d)| d.payment_id == id).map(|(k, _)| *k).collect();
        for d in gone {
            self.invoice_disbursements.remove(&d);
            items.push(json!({ "foreignKeyIdentity": d, "action": "deleted", "dtoTypeKey": "invoiceDisbursement" }));
        }
        let reversals: Vec<u64> =
            self.payments.iter().filter(|(_, q)| q.reverse_payment_id == Some(id)).map(|(k, _)| *k).collect();
        for r in reversals {
            self.payments.remove(&r);
            items.push(json!({ "foreignKeyIdentity": r, "action": "deleted", "dtoTypeKey": "paymentReversal" }));
        }
        Ok(items)
    }

    /// A reference and its name, as the document writes them (`0` and `null` for none).
    fn reference(&self, m: &mut Map<String, Value>, key: &str, name: Option<&str>, kind: Kind, id: Option<u64>) {
        m.insert(format!("{key}Id"), json!(id.unwrap_or(0)));
        if let Some(name_key) = name {
            m.insert(name_key.to_owned(), id.and_then(|i| self.name_of(kind, i)).map_or(Value::Null, Value::String));
        }
    }

    /// A payment as the document writes it.
    fn payment_json(&self, id: u64, p: &Payment, shape: Shape) -> Value {
        let full = shape == Shape::Full;
        let named = |key: &'static str| -> String { format!("{key}Name") };
        let opt_name = |key: &'static str| full.then(|| named(key));
        let mut m = Map::new();
        m.insert("identity".into(), json!(id));
        m.insert("date".into(), json!(p.date.utc_millis()));
        m.insert("amount".into(), money_plain(p.amount));
        self.reference(&mut m, "account", Some(&named("account")), Kind::Account, Some(p.account_id));
        m.insert("disbursed".into(), json!(self.disbursed_by(id).is_positive()));
        self.reference(&mut m, "paymentType", Some(&named("paymentType")), Kind::PaymentType, Some(p.payment_type_id));
        m.insert("detail".into(), json!(p.detail));
        self.reference(&mut m, "cardType", Some(&named("cardType")), Kind::CardType, p.card_type_id);
        m.insert("checkNumber".into(), json!(p.check_number));
        m.insert("automaticDisburse".into(), json!(p.automatic_disburse));
        m.insert("created".into(), json!(p.created.utc_millis()));
        self.reference(&mut m, "invoice", Some(&named("invoice")), Kind::Invoice, p.invoice_id);
        m.insert("posting".into(), json!(p.posting.utc_millis()));
        m.insert("baseAmount".into(), money_plain(p.base_amount));
        m.insert("invoiceAmount".into(), money_plain(p.invoice_amount));
        let exchange = opt_name("currencyExchangeDetail");
        self.reference(
            &mut m,
            "currencyExchangeDetail",
            exchange.as_deref(),
            Kind::Exchange,
            p.currency_exchange_detail_id,
        );
        self.reference(&mut m, "billRunHistory", Some(&named("billRunHistory")), Kind::BillRun, p.bill_run_history_id);
        m.insert("isManual".into(), json!(p.is_manual));
        let reverse = opt_name("reversePayment");
        self.reference(&mut m, "reversePayment", reverse.as_deref(), Kind::Payment, p.reverse_payment_id);
        self.reference(&mut m, "createdByUser", Some(&named("createdByUser")), Kind::User, p.created_by_user_id);
        self.reference(&mut m, "paymentMethod", Some(&named("paymentMethod")), Kind::Method, p.payment_method_id);
        let pre = opt_name("paymentPreAuthorize");
        self.reference(&mut m, "paymentPreAuthorize", pre.as_deref(), Kind::PreAuthorize, p.payment_pre_authorize_id);
        let transaction = opt_name("paymentTransaction");
        self.reference(
            &mut m,
            "paymentTransaction",
            transaction.as_deref(),
            Kind::Transaction,
            p.payment_transaction_id,
        );
        let portal = named("createdByPortalUser");
        self.reference(&mut m, "createdByPortalUser", Some(&portal), Kind::PortalUser, p.created_by_portal_user_id);
        let status = named("paymentStatusType");
        self.reference(&mut m, "paymentStatusType", Some(&status), Kind::StatusType, p.payment_status_type_id);
        let retry = opt_name("retryPayment");
        self.reference(&mut m, "retryPayment", retry.as_deref(), Kind::Payment, p.retry_payment_id);
        m.insert("updated".into(), json!(p.updated.utc_millis()));
        if !full {
            let merchant = p.payment_method_id.and_then(|pm| self.payment_methods.get(&pm)?.merchant_account.clone());
            m.insert("merchantAccount".into(), json!(merchant));
        }
        Value::Object(m)
    }

    /// A payment with its `details` (`invoiceDisbursements`, `paymentReversals`).
    fn detail_json(&self, id: u64, p: &Payment) -> Value {
        let mut v = self.payment_json(id, p, Shape::Full);
        let disbursements: Vec<Value> = self
            .invoice_disbursements
            .iter()
            .filter(|(_, d)| d.payment_id == id)
            .map(|(did, d)| {
                json!({
                    "identity": did,
                    "invoiceId": d.invoice_id,
                    "invoiceName": self.name_of(Kind::Invoice, d.invoice_id),
                    "paymentId": d.payment_id,
                    "amount": money_plain(d.amount),
                    "baseAmount": money_plain(d.base_amount),
                    "invoiceAmount": money_plain(d.invoice_amount),
                    "automaticDisburse": d.automatic_disburse,
                })
            })
            .collect();
        let reversals: Vec<Value> = self
            .payments
            .iter()
            .filter(|(_, q)| q.reverse_payment_id == Some(id))
            .map(|(rid, q)| self.payment_json(*rid, q, Shape::Reversal))
            .collect();
        if let Value::Object(m) = &mut v {
            m.insert("details".into(), json!({ "invoiceDisbursements": disbursements, "paymentReversals": reversals }));
        }
        v
    }

    fn instance(&self, id: u64) -> Value {
        self.payments.get(&id).map_or(Value::Null, |p| self.payment_json(id, p, Shape::Full))
    }
}

/// The `field` of a violation's pointer: `/body/payments/items/0/amount` → `payments.items.0.amount`;
/// none for the body as a whole or the route.
fn field_of(path: &str) -> Option<String> {
    let rest = ["/body/", "/query/", "/path/", "/headers/"].iter().find_map(|p| path.strip_prefix(p))?;
    (!rest.is_empty()).then(|| rest.replace('/', "."))
}

fn respond(status: u16, body: Value) -> Response {
    Response { status, body }
}

/// The `trackingId` of this request's answer (a refusal drops the advanced seed with the copy).
pub(super) fn begin(state: &mut State, call: &Call<'_>) -> String {
    let now_bits = u64::from_ne_bytes(call.now.unix_millis().to_ne_bytes());
    let tracking = uuid(state.tracking_seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) ^ now_bits);
    state.tracking_seed = state.tracking_seed.wrapping_add(1);
    tracking
}

/// `{trackingId, type: "error", errors, violations}`; `auth_only` keeps only the credential's violations.
fn error_body(tracking: &str, call: &Call<'_>, errors: &[Value], auth_only: bool) -> Value {
    let violations: Vec<&crate::Violation> =
        call.report.errors.iter().filter(|v| !auth_only || v.path == "/headers/authorization").collect();
    json!({ "trackingId": tracking, "type": "error", "errors": errors, "violations": violations })
}

fn refusal(tracking: &str, call: &Call<'_>, fail: &Fail) -> Response {
    respond(fail.status, error_body(tracking, call, &[fail.json()], false))
}

/// No operation has this method and path.
pub(super) fn unknown_route(tracking: &str, call: &Call<'_>) -> Response {
    let message = call.report.errors.first().map_or("No such operation", |v| v.message.as_str());
    refusal(tracking, call, &Fail::new(404, "UnknownRoute", None, message.to_owned()))
}

/// The user of the bearer token.
pub(super) fn authenticate(state: &State, tracking: &str, call: &Call<'_>) -> Result<u64, Response> {
    let user = match call.bearer() {
        Some(token) => state.tokens.get(token).copied(),
        None => None,
    };
    user.ok_or_else(|| {
        let message = match call.header("authorization") {
            None => "The Authorization header is missing: send `Authorization: Bearer <access token>`",
            Some(_) if call.bearer().is_none() => "The Authorization header must be `Bearer <access token>`",
            Some(_) => "The access token is not valid or has expired",
        };
        let fail = Fail::new(401, "Unauthorized", None, message.to_owned());
        respond(401, error_body(tracking, call, &[fail.json()], true))
    })
}

/// The request failed validation: one error per violation, with its field.
pub(super) fn invalid(tracking: &str, call: &Call<'_>) -> Response {
    let errors: Vec<Value> = call
        .report
        .errors
        .iter()
        .filter(|v| v.severity == Severity::Error)
        .map(|v| Fail::new(400, "InvalidRequest", field_of(&v.path).as_deref(), v.message.clone()).json())
        .collect();
    respond(400, error_body(tracking, call, &errors, false))
}

/// Answers a valid request of an authenticated user.
pub(super) fn handle(state: &mut State, tracking: &str, user: u64, op: Op, call: &Call<'_>) -> Outcome {
    let path_id = call.param("id").and_then(|t| t.parse::<u64>().ok());
    let empty = Map::new();
    let body = call.body.as_ref().unwrap_or(&empty);
    let now = call.now;
    let result = match op {
        Op::List => {
            let items: Vec<Value> =
                state.payments.iter().map(|(id, p)| state.payment_json(*id, p, Shape::Full)).collect();
            Ok(json!({ "trackingId": tracking, "totalCount": items.len(), "items": items }))
        }
        Op::ListPaged => Ok(paged(state, call, tracking, false)),
        Op::ListPagedDetail => Ok(paged(state, call, tracking, true)),
        Op::Get | Op::GetDetail => {
            let id = path_id.unwrap_or_default();
            match state.payments.get(&id) {
                None => Err(not_found(id)),
                Some(p) if op == Op::GetDetail => {
                    Ok(json!({ "trackingId": tracking, "instance": state.detail_json(id, p) }))
                }
                Some(p) => Ok(json!({ "trackingId": tracking, "instance": state.payment_json(id, p, Shape::Full) })),
            }
        }
        Op::Create | Op::CreateVendor => state
            .create(body, op == Op::CreateVendor, user, now)
            .map(|id| results(tracking, "create", &[state.instance(id)])),
        Op::Reverse | Op::ReverseVendor => state
            .reverse(body, op == Op::ReverseVendor, user, now)
            .map(|id| results(tracking, "create", &[state.instance(id)])),
        Op::Update => {
            let id = path_id.unwrap_or_default();
            state.update(id, body, now).map(|()| results(tracking, "update", &[state.instance(id)]))
        }
        Op::Patch => {
            return patch(state, body, path_id.unwrap_or_default(), user, now)
                .map(|items| respond(200, results(tracking, "patch", &items)))
                .map_err(|fails| {
                    let status = fails.first().map_or(400, |f| f.status);
                    respond(status, error_body(tracking, call, &fails.iter().map(Fail::json).collect::<Vec<_>>(), false))
                });
        }
        Op::Delete => state.delete(path_id.unwrap_or_default()).map(|items| results(tracking, "delete", &items)),
    };
    match result {
        Ok(body) => Ok(respond(200, body)),
        Err(fail) => Err(refusal(tracking, call, &fail)),
    }
}

/// `{trackingId, type, results: {totalCount, items}}`.
fn results(tracking: &str, kind: &str, items: &[Value]) -> Value {
    json!({ "trackingId": tracking, "type": kind, "results": { "totalCount": items.len(), "items": items } })
}

fn paged(state: &State, call: &Call<'_>, tracking: &str, detail: bool) -> Value {
    let number = call.query("pageNumber").and_then(|t| t.parse::<usize>().ok()).unwrap_or(1).max(1);
    let size = call.query("pageSize").and_then(|t| t.parse::<usize>().ok()).unwrap_or(20).max(1);
    let exclude = call.query("excludeTotalCount").is_some_and(|t| t == "true");
    let items: Vec<Value> = state
        .payments
        .iter()
        .skip(number.saturating_sub(1).saturating_mul(size))
        .take(size)
        .map(|(id, p)| if detail { state.detail_json(*id, p) } else { state.payment_json(*id, p, Shape::Full) })
        .collect();
    let total = if exclude { Value::Null } else { json!(state.payments.len()) };
    json!({
        "trackingId": tracking,
        "pagination": { "pageNumber": number, "pageSize": size, "excludeTotalCount": exclude },
        "pagedResults": { "totalCount": total, "items": items },
    })
}

/// `PATCH Payment/{id}`: every item, atomically; the result items or every failed item.
fn patch(
    state: &mut State,
    body: &Map<String, Value>,
    path_id: u64,
    user: u64,
    now: Timestamp,
) -> Result<Vec<Value>, Vec<Fail>> {
    if !state.payments.contains_key(&path_id) {
        return Err(vec![not_found(path_id)]);
    }
    if get(body, "details").and_then(Value::as_object).is_some_and(|d| !d.is_empty()) {
        return Err(vec![Fail::new(
            400,
            "InvalidRequest",
            Some("details"),
            "`details` must be empty: invoice disbursements and reversals are made by the ledger (automaticDisburse, POST Payment/Reverse)".to_owned(),
        )]);
    }
    let items =
        get(body, "payments").and_then(|p| p.get("items")).and_then(Value::as_array).cloned().unwrap_or_default();
    let mut results = Vec::new();
    let mut fails = Vec::new();
    for item in &items {
        let Some(item) = item.as_object() else { continue };
        let client = body_ref(item, "patchClientId");
        let mut next = state.clone();
        let outcome = match item.get("patchType").and_then(Value::as_str) {
            Some("create") => next
                .create(item, false, user, now)
                .map(|id| vec![json!({ "identity": id, "action": "created", "dtoTypeKey": "payment", "instance": next.instance(id) })]),
            Some("update") => {
                let id = body_ref(item, "identity").unwrap_or_default();
                next.update(id, item, now).map(|()| {
                    vec![json!({ "identity": id, "action": "updated", "dtoTypeKey": "payment", "instance": next.instance(id) })]
                })
            }
            _ => next.delete(body_ref(item, "identity").unwrap_or_default()),
        };
        match outcome {
            Ok(mut r) => {
                *state = next;
                results.append(&mut r);
            }
            Err(mut fail) => {
                fail.patch_client_id = client;
                fails.push(fail);
            }
        }
    }
    if fails.is_empty() { Ok(results) } else { Err(fails) }
}

impl State {
    /// The payments as LogiSense shows them, by identity: the account's currency, the names of the
    /// references, and the links a `Payment/{id}/Detail` carries (invoice disbursements, the
    /// reversal) with the reversal and retry links of `reversePaymentId` and `retryPaymentId`.
    pub fn payments(&self) -> Vec<PaymentView> {
        self.payments.iter().map(|(&id, p)| self.payment_view(id, p)).collect()
    }

    fn payment_view(&self, id: u64, p: &Payment) -> PaymentView {
        let account = self.name_of(Kind::Account, p.account_id).unwrap_or_else(|| p.account_id.to_string());
        let payment_type =
            self.name_of(Kind::PaymentType, p.payment_type_id).unwrap_or_else(|| p.payment_type_id.to_string());
        let mut fields = vec![
            ("account".to_owned(), account.clone()),
            ("date".to_owned(), p.date.utc_millis()),
            ("payment type".to_owned(), payment_type.clone()),
        ];
        if let Some(name) = p.payment_method_id.and_then(|m| self.name_of(Kind::Method, m)) {
            fields.push(("payment method".to_owned(), name));
        }
        if let Some(detail) = p.detail.as_ref().filter(|d| !d.is_empty()) {
            fields.push(("detail".to_owned(), detail.clone()));
        }
        if let Some(check) = p.check_number.as_ref().filter(|c| !c.is_empty()) {
            fields.push(("check number".to_owned(), check.clone()));
        }
        let base = if self.system_currency.is_empty() {
            p.base_amount.to_string()
        } else {
            format!("{} {}", p.base_amount, self.system_currency)
        };
        fields.push(("base amount".to_owned(), base));
        let link = |kind: &str, other: u64| RelationView {
            kind: kind.to_owned(),
            label: format!("Payment {other}"),
            payment: Some(other.to_string()),
        };
        let mut relations: Vec<RelationView> = self
            .invoice_disbursements
            .values()
            .filter(|d| d.payment_id == id)
            .map(|d| {
                let invoice = self.name_of(Kind::Invoice, d.invoice_id).unwrap_or_else(|| d.invoice_id.to_string());
                RelationView {
                    kind: "invoice".to_owned(),
                    label: format!("Invoice {invoice} · {} disbursed", d.amount),
                    payment: None,
                }
            })
            .collect();
        relations.extend(
            self.payments.iter().filter(|(_, q)| q.reverse_payment_id == Some(id)).map(|(r, _)| link("reversal", *r)),
        );
        relations.extend(p.reverse_payment_id.map(|o| link("reverses", o)));
        relations.extend(
            self.payments.iter().filter(|(_, q)| q.retry_payment_id == Some(id)).map(|(r, _)| link("retry", *r)),
        );
        relations.extend(p.retry_payment_id.map(|f| link("retries", f)));
        PaymentView {
            key: id.to_string(),
            label: format!("Payment {id}"),
            amount: Some(p.amount.to_string()),
            currency: self.accounts.get(&p.account_id).map(|a| a.currency.clone()),
            status: p.status.name().to_owned(),
            fields,
            facets: vec![("account".to_owned(), account), ("payment type".to_owned(), payment_type)],
            relations,
        }
    }

    /// The request that performs a lifecycle action on a payment, as this ledger implements it:
    /// `reverse` is `POST Payment/Reverse` (the whole amount); `settle` and `decline` are the
    /// gateway's answer, a `PUT Payment/{id}` of a `paymentStatusTypeId` whose status type records
    /// it; `retry` is a `POST Payment/` on the failed payment's account, amount, payment type (and
    /// payment method) with `retryPaymentId`. Each carries `Authorization: Bearer <first token>`.
    pub fn action_request(&self, key: &str, action: &str) -> Result<Request, String> {
        if !LIFECYCLE.transitions.iter().any(|t| t.action == action) {
            let actions: Vec<&str> = LIFECYCLE.transitions.iter().map(|t| t.action).collect();
            return Err(format!(
                "LogiSense's lifecycle has no action `{action}`; its actions are {}",
                actions.join(", ")
            ));
        }
        let id: u64 = key.parse().map_err(|_| format!("{key} is not a LogiSense payment identity"))?;
        let p = self.payments.get(&id).ok_or_else(|| format!("Payment {id} does not exist"))?;
        LIFECYCLE.apply(p.status, action).map_err(|e| e.to_string())?;
        let (method, path, body) = match action {
            "reverse" => {
                if let Some(of) = p.reverse_payment_id {
                    return Err(format!(
                        "Payment {id} is itself the reversal of payment {of}; a reversal cannot be reversed"
                    ));
                }
                ("POST", "/Payment/Reverse".to_owned(), json!({ "reversePaymentId": id }))
            }
            "settle" | "decline" => {
                let wanted = if action == "settle" { GatewayAction::Settle } else { GatewayAction::Decline };
                let status_type = self
                    .payment_status_types
                    .iter()
                    .find(|(_, t)| t.gateway_action == Some(wanted))
                    .map(|(t, _)| *t)
                    .ok_or_else(|| {
                        format!(
                            "no PaymentStatusType records the gateway's {action}: LogiSense has no request to {action} payment {id}"
                        )
                    })?;
                ("PUT", format!("/Payment/{id}"), json!({ "paymentStatusTypeId": status_type }))
            }
            _ => {
                let mut body = Map::new();
                body.insert("accountId".into(), json!(p.account_id));
                body.insert("amount".into(), money(p.amount));
                body.insert("paymentTypeId".into(), json!(p.payment_type_id));
                if let Some(m) = p.payment_method_id {
                    body.insert("paymentMethodId".into(), json!(m));
                }
                body.insert("detail".into(), json!(format!("Retry of payment {id}")));
                body.insert("retryPaymentId".into(), json!(id));
                ("POST", "/Payment".to_owned(), Value::Object(body))
            }
        };
        let mut request = view::request(Profile::Logisense, method, path, body);
        let token = self.tokens.keys().next().cloned().unwrap_or_default();
        request.headers.insert("Authorization".to_owned(), format!("Bearer {token}"));
        Ok(request)
    }

    /// Takes the credentials out (for exports): every access token goes; the users they acted as
    /// stay (they are records payments name), so the state still passes [`State::check`].
    pub fn redact_tokens(&mut self) {
        self.tokens.clear();
    }
}

#[cfg(test)]
mod tests {
    use super::State;

    #[test]
    fn the_sample_part_is_complete_and_consistent() {
        let state: State = serde_json::from_str(include_str!("../../../data/logisense/sample.json")).unwrap();
        state.check().unwrap();
        assert_eq!(crate::ledger::World::sample().logisense, state);
    }

    #[test]
    fn check_catches_a_double_reversal_and_an_over_disbursement() {
        let sample: State = serde_json::from_str(include_str!("../../../data/logisense/sample.json")).unwrap();
        let mut twice = sample.clone();
        let mut second = twice.payments[&50].clone();
        second.amount = "1.00".parse().unwrap();
        twice.payments.insert(60, second);
        assert!(twice.check().unwrap_err().contains("reversed more than once"));
        let mut over = sample.clone();
        over.invoice_disbursements.get_mut(&56).unwrap().amount = "130.00".parse().unwrap();
        assert!(over.check().is_err());
        let mut dangling = sample;
        dangling.payments.get_mut(&7).unwrap().invoice_id = Some(999);
        assert!(dangling.check().unwrap_err().contains("invoiceId 999"));
    }

    fn sample() -> State {
        crate::ledger::World::sample().logisense
    }

    fn ledger() -> crate::ledger::Ledger {
        crate::ledger::Ledger::with_world(
            crate::ledger::World::sample(),
            Box::new(crate::ledger::SteppingClock::default()),
        )
    }

    fn status_of(ledger: &crate::ledger::Ledger, key: &str) -> String {
        ledger.world().logisense.payments().into_iter().find(|v| v.key == key).unwrap().status
    }

    #[test]
    fn payments_show_names_currencies_and_links() {
        let state = sample();
        let views = state.payments();
        let keys: Vec<&str> = views.iter().map(|v| v.key.as_str()).collect();
        assert_eq!(keys, ["1", "7", "17", "23", "24", "26", "40", "41", "42", "50"]);
        let one = &views[0];
        assert_eq!(one.label, "Payment 1");
        assert_eq!(one.amount.as_deref(), Some("1235.89"));
        assert_eq!(one.currency.as_deref(), Some("EUR"));
        assert_eq!(one.status, "reversed");
        let names: Vec<&str> = one.fields.iter().map(|(k, _)| k.as_str()).collect();
        assert_eq!(
            names,
            ["account", "date", "payment type", "payment method", "detail", "check number", "base amount"]
        );
        assert_eq!(one.fields[0].1, "Northwind Traders GmbH");
        assert_eq!(one.fields[1].1, "2021-04-26T15:25:27.587Z");
        assert_eq!(one.fields[3].1, "Visa ending 4242");
        assert_eq!(one.fields[6].1, "1345.89 USD");
        assert_eq!(
            one.facets,
            [
                ("account".to_owned(), "Northwind Traders GmbH".to_owned()),
                ("payment type".to_owned(), "Credit Card".to_owned())
            ]
        );
        let links: Vec<(&str, &str, Option<&str>)> =
            one.relations.iter().map(|r| (r.kind.as_str(), r.label.as_str(), r.payment.as_deref())).collect();
        assert_eq!(
            links,
            [
                ("invoice", "Invoice INV-2021-000012 · 31.25 disbursed", None),
                ("reversal", "Payment 50", Some("50")),
                ("retries", "Payment 24", Some("24")),
            ]
        );
        let find = |key: &str| views.iter().find(|v| v.key == key).unwrap();
        assert_eq!(find("50").relations[0].kind, "reverses");
        assert_eq!(find("50").relations[0].payment.as_deref(), Some("1"));
        assert_eq!(find("24").relations[0].kind, "retry");
        assert_eq!(find("24").relations[0].payment.as_deref(), Some("1"));
        assert!(find("41").fields.iter().all(|(k, _)| k != "payment method" && k != "check number"));
        // Every linked payment exists.
        for v in &views {
            for r in &v.relations {
                if let Some(k) = &r.payment {
                    assert!(keys.contains(&k.as_str()), "{} links {k}", v.key);
                }
            }
        }
    }

    #[test]
    fn every_allowed_action_has_a_request_the_ledger_accepts() {
        use crate::lifecycle::State as _;
        let state = sample();
        let mut tried = 0;
        for view in state.payments() {
            let from = crate::vendors::logisense::LogisenseState::from_name(&view.status).unwrap();
            for t in super::LIFECYCLE.allowed(from) {
                let request = match state.action_request(&view.key, t.action) {
                    Ok(r) => r,
                    Err(e) => {
                        // The one refusal the table does not see: a reversal is never reversed.
                        let p = &state.payments[&view.key.parse::<u64>().unwrap()];
                        assert!(p.reverse_payment_id.is_some() && t.action == "reverse", "{}: {e}", view.key);
                        assert!(e.contains("a reversal cannot be reversed"), "{e}");
                        continue;
                    }
                };
                let report = crate::validate(&request);
                assert!(report.valid, "{} {}: {:?}", view.key, t.action, report.errors);
                assert_eq!(request.header("authorization"), Some("Bearer 4b7d91c0-logisense-billing-clerk"));
                let mut ledger = ledger();
                let response = ledger.handle(&request);
                assert!(
                    (200..300).contains(&response.status),
                    "{} {}: {} {}",
                    view.key,
                    t.action,
                    response.status,
                    response.body
                );
                assert_eq!(status_of(&ledger, &view.key), t.to.name(), "{} {}", view.key, t.action);
                ledger.world().check().unwrap();
                tried += 1;
            }
        }
        // reverse of 7, 17, 41 and 42 (50 is a reversal), settle and decline of 40, retry of 23 and 26.
        assert_eq!(tried, 8);
    }

    #[test]
    fn action_requests_are_refused_with_the_lifecycle_text() {
        let state = sample();
        let refused = state.action_request("24", "retry").unwrap_err();
        assert!(refused.contains("cannot retry a payment that is `retried`"), "{refused}");
        let refused = state.action_request("7", "settle").unwrap_err();
        assert!(refused.contains("from `posted` the allowed actions are reverse"), "{refused}");
        assert!(state.action_request("999", "reverse").unwrap_err().contains("does not exist"));
        assert!(state.action_request("x", "reverse").is_err());
        assert!(state.action_request("7", "refund").unwrap_err().contains("no action `refund`"));
        let reverse = state.action_request("7", "reverse").unwrap();
        assert_eq!((reverse.method.as_str(), reverse.path.as_str()), ("POST", "/Payment/Reverse"));
        assert_eq!(reverse.body, serde_json::json!({ "reversePaymentId": 7 }));
        let settle = state.action_request("40", "settle").unwrap();
        assert_eq!((settle.method.as_str(), settle.path.as_str()), ("PUT", "/Payment/40"));
        assert_eq!(settle.body, serde_json::json!({ "paymentStatusTypeId": 41 }));
        let retry = state.action_request("23", "retry").unwrap();
        assert_eq!(retry.body["retryPaymentId"], 23);
        assert_eq!(retry.body["accountId"], 24);
        assert_eq!(retry.body["amount"].to_string(), "750.00");
        let mut no_gateway = state;
        no_gateway.payment_status_types.retain(|_, t| t.gateway_action.is_none());
        assert!(no_gateway.action_request("40", "decline").unwrap_err().contains("no PaymentStatusType"));
    }

    #[test]
    fn redacted_state_has_no_tokens_and_still_checks() {
        let mut state = sample();
        let secrets: Vec<String> = state.tokens.keys().cloned().collect();
        assert!(!secrets.is_empty());
        state.redact_tokens();
        state.check().unwrap();
        assert!(state.tokens.is_empty());
        assert_eq!(state.users, sample().users);
        let text = serde_json::to_string(&state).unwrap();
        for secret in &secrets {
            assert!(!text.contains(secret.as_str()));
        }
        // A request built from a redacted state is refused (no credential left).
        let request = state.action_request("7", "reverse").unwrap();
        assert_eq!(ledger().handle(&request).status, 401);
        let world = crate::ledger::view::without_tokens(&crate::ledger::World::sample());
        assert!(world.logisense.tokens.is_empty());
        world.check().unwrap();
    }
}
