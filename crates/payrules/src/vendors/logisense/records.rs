//! LogiSense's records: the `State` the ledger keeps (accounts, invoices, payments, disbursements
//! and the records payments name), the references a payment makes, and their invariants.
#![allow(clippy::struct_field_names)] // records keep the vendor's own field names (`payment_amount`, `payment_type_id`)

use crate::ledger::table::Table;
use crate::ledger::vendor::Records;
use std::collections::BTreeMap;

use rust_decimal::RoundingStrategy;
use serde::{Deserialize, Serialize};

use super::inputs::PaymentFields;
use super::lifecycle::LogisenseState;
use super::wire::{Fail, invalid_reference, overflow};
use crate::ledger::Timestamp;
use crate::money::Amount;

/// LogiSense's records.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
#[serde(deny_unknown_fields)]
pub struct State {
    /// OAuth access tokens: the User each one acts as (the default `createdByUserId`).
    pub(crate) tokens: Table<String, u64>,
    /// The system (owner) currency `baseAmount` is in.
    pub(crate) system_currency: String,
    /// Accounts by identity.
    pub(crate) accounts: Table<u64, Account>,
    /// PaymentType names by identity.
    pub(crate) payment_types: Table<u64, String>,
    /// CardType names by identity.
    pub(crate) card_types: Table<u64, String>,
    /// Invoices by identity.
    pub(crate) invoices: Table<u64, Invoice>,
    /// CurrencyExchangeDetails by identity.
    pub(crate) currency_exchange_details: Table<u64, ExchangeDetail>,
    /// BillRunHistory names by identity.
    pub(crate) bill_run_histories: Table<u64, String>,
    /// User names by identity.
    pub(crate) users: Table<u64, String>,
    /// PaymentMethods by identity.
    pub(crate) payment_methods: Table<u64, PaymentMethod>,
    /// PaymentPreAuthorize names by identity.
    pub(crate) payment_pre_authorizations: Table<u64, String>,
    /// PaymentTransaction names by identity.
    pub(crate) payment_transactions: Table<u64, String>,
    /// PortalUser names by identity.
    pub(crate) portal_users: Table<u64, String>,
    /// PaymentStatusTypes by identity.
    pub(crate) payment_status_types: Table<u64, PaymentStatusType>,
    /// Payments by identity.
    pub(crate) payments: Table<u64, Payment>,
    /// Invoice disbursements by identity.
    pub(crate) invoice_disbursements: Table<u64, Disbursement>,
    /// The identity the next payment gets (at least one above every payment's).
    pub(crate) next_payment_identity: u64,
    /// The identity the next disbursement gets (at least one above every disbursement's).
    pub(crate) next_disbursement_identity: u64,
    /// Counter the `trackingId`s are derived from.
    pub(crate) tracking_seed: u64,
}

crate::ledger::de::read_struct!(State {
    tokens: "tokens",
    system_currency: "system_currency",
    accounts: "accounts",
    payment_types: "payment_types",
    card_types: "card_types",
    invoices: "invoices",
    currency_exchange_details: "currency_exchange_details",
    bill_run_histories: "bill_run_histories",
    users: "users",
    payment_methods: "payment_methods",
    payment_pre_authorizations: "payment_pre_authorizations",
    payment_transactions: "payment_transactions",
    portal_users: "portal_users",
    payment_status_types: "payment_status_types",
    payments: "payments",
    invoice_disbursements: "invoice_disbursements",
    next_payment_identity: "next_payment_identity",
    next_disbursement_identity: "next_disbursement_identity",
    tracking_seed: "tracking_seed",
});

/// An account payments are made on.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Account {
    /// Its name (`accountName`).
    pub(crate) name: String,
    /// Its currency: `amount` is in it.
    pub(crate) currency: String,
}

/// An invoice of an account.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Invoice {
    /// Its name (`invoiceName`), the invoice number.
    pub(crate) name: String,
    /// The account billed.
    pub(crate) account_id: u64,
    /// The invoice date (disbursement goes oldest first).
    pub(crate) date: Timestamp,
    /// The amount billed, in the account's currency; what is due is this minus its disbursements.
    pub(crate) amount: Amount,
}

/// A conversion from an account currency to the system currency.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ExchangeDetail {
    /// Its name (`currencyExchangeDetailName`).
    pub(crate) name: String,
    /// The currency converted from.
    pub(crate) currency: String,
    /// System-currency units per unit of `currency`.
    pub(crate) rate: Amount,
}

/// A payment method of an account.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PaymentMethod {
    /// Its name (`paymentMethodName`).
    pub(crate) name: String,
    /// The account it belongs to.
    pub(crate) account_id: u64,
    /// Whether a payment gateway vendor processes it (required by `Payment/Vendor`).
    pub(crate) gateway_linked: bool,
    /// The gateway merchant account (`merchantAccount` of a reversal), when linked.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) merchant_account: Option<String>,
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
    /// The lifecycle action it stands for.
    pub(super) fn action(self) -> &'static str {
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
    pub(crate) name: String,
    /// The gateway answer it records, if any (otherwise it is a label).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) gateway_action: Option<GatewayAction>,
}

/// A LogiSense payment (every field of the document's `Payment` but the computed ones).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Payment {
    /// Our lifecycle status.
    pub(crate) status: LogisenseState,
    /// `date`.
    pub(crate) date: Timestamp,
    /// `amount`, in the account's currency.
    pub(crate) amount: Amount,
    /// `accountId`.
    pub(crate) account_id: u64,
    /// `paymentTypeId`.
    pub(crate) payment_type_id: u64,
    /// `detail`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) detail: Option<String>,
    /// `cardTypeId`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) card_type_id: Option<u64>,
    /// `checkNumber`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) check_number: Option<String>,
    /// `automaticDisburse`.
    pub(crate) automatic_disburse: bool,
    /// `created`.
    pub(crate) created: Timestamp,
    /// `invoiceId`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) invoice_id: Option<u64>,
    /// `posting`.
    pub(crate) posting: Timestamp,
    /// `baseAmount`, in the system currency.
    pub(crate) base_amount: Amount,
    /// `invoiceAmount`.
    pub(crate) invoice_amount: Amount,
    /// `currencyExchangeDetailId`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) currency_exchange_detail_id: Option<u64>,
    /// `billRunHistoryId`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) bill_run_history_id: Option<u64>,
    /// `isManual`.
    pub(crate) is_manual: bool,
    /// `reversePaymentId`: the payment this one reverses.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) reverse_payment_id: Option<u64>,
    /// `createdByUserId`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) created_by_user_id: Option<u64>,
    /// `paymentMethodId`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) payment_method_id: Option<u64>,
    /// `paymentPreAuthorizeId`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) payment_pre_authorize_id: Option<u64>,
    /// `paymentTransactionId`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) payment_transaction_id: Option<u64>,
    /// `createdByPortalUserId`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) created_by_portal_user_id: Option<u64>,
    /// `paymentStatusTypeId`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) payment_status_type_id: Option<u64>,
    /// `retryPaymentId`: the failed payment this one retries.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) retry_payment_id: Option<u64>,
    /// `updated`.
    pub(crate) updated: Timestamp,
}

crate::ledger::de::read_struct!(Payment {
    status: "status",
    date: "date",
    amount: "amount",
    account_id: "account_id",
    payment_type_id: "payment_type_id",
    detail: "detail"(default),
    card_type_id: "card_type_id"(default),
    check_number: "check_number"(default),
    automatic_disburse: "automatic_disburse",
    created: "created",
    invoice_id: "invoice_id"(default),
    posting: "posting",
    base_amount: "base_amount",
    invoice_amount: "invoice_amount",
    currency_exchange_detail_id: "currency_exchange_detail_id"(default),
    bill_run_history_id: "bill_run_history_id"(default),
    is_manual: "is_manual",
    reverse_payment_id: "reverse_payment_id"(default),
    created_by_user_id: "created_by_user_id"(default),
    payment_method_id: "payment_method_id"(default),
    payment_pre_authorize_id: "payment_pre_authorize_id"(default),
    payment_transaction_id: "payment_transaction_id"(default),
    created_by_portal_user_id: "created_by_portal_user_id"(default),
    payment_status_type_id: "payment_status_type_id"(default),
    retry_payment_id: "retry_payment_id"(default),
    updated: "updated",
});

/// An amount of a payment applied to an invoice.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Disbursement {
    /// The invoice paid.
    pub(crate) invoice_id: u64,
    /// The payment paying it.
    pub(crate) payment_id: u64,
    /// The amount, in the account's currency.
    pub(crate) amount: Amount,
    /// The amount in the system currency.
    pub(crate) base_amount: Amount,
    /// The amount in the invoice's currency.
    pub(crate) invoice_amount: Amount,
    /// Whether the ledger made it automatically.
    pub(crate) automatic_disburse: bool,
}

/// The kinds of record a payment refers to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Kind {
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
    /// The record's type name, as messages name it.
    pub(super) fn label(self) -> &'static str {
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

/// An optional reference field of the body: its name, kind, where a body sends it, and its place
/// in [`Payment`].
pub(super) struct RefField {
    /// The body field (`cardTypeId`).
    pub(super) field: &'static str,
    /// The kind of record it names.
    pub(super) kind: Kind,
    /// The value a body sends (`0` included).
    pub(super) sent: fn(&PaymentFields) -> Option<u64>,
    /// The value a payment holds.
    pub(super) get: fn(&Payment) -> Option<u64>,
    /// Writes the payment's value.
    pub(super) set: fn(&mut Payment, Option<u64>),
}

/// The optional references a create or update writes (reversal and retry links are apart).
pub(super) const OPTIONAL_REFS: [RefField; 10] = [
    RefField {
        field: "cardTypeId",
        kind: Kind::CardType,
        sent: |f| f.card_type_id,
        get: |p| p.card_type_id,
        set: |p, v| p.card_type_id = v,
    },
    RefField {
        field: "invoiceId",
        kind: Kind::Invoice,
        sent: |f| f.invoice_id,
        get: |p| p.invoice_id,
        set: |p, v| p.invoice_id = v,
    },
    RefField {
        field: "currencyExchangeDetailId",
        kind: Kind::Exchange,
        sent: |f| f.currency_exchange_detail_id,
        get: |p| p.currency_exchange_detail_id,
        set: |p, v| p.currency_exchange_detail_id = v,
    },
    RefField {
        field: "billRunHistoryId",
        kind: Kind::BillRun,
        sent: |f| f.bill_run_history_id,
        get: |p| p.bill_run_history_id,
        set: |p, v| p.bill_run_history_id = v,
    },
    RefField {
        field: "createdByUserId",
        kind: Kind::User,
        sent: |f| f.created_by_user_id,
        get: |p| p.created_by_user_id,
        set: |p, v| p.created_by_user_id = v,
    },
    RefField {
        field: "paymentMethodId",
        kind: Kind::Method,
        sent: |f| f.payment_method_id,
        get: |p| p.payment_method_id,
        set: |p, v| p.payment_method_id = v,
    },
    RefField {
        field: "paymentPreAuthorizeId",
        kind: Kind::PreAuthorize,
        sent: |f| f.payment_pre_authorize_id,
        get: |p| p.payment_pre_authorize_id,
        set: |p, v| p.payment_pre_authorize_id = v,
    },
    RefField {
        field: "paymentTransactionId",
        kind: Kind::Transaction,
        sent: |f| f.payment_transaction_id,
        get: |p| p.payment_transaction_id,
        set: |p, v| p.payment_transaction_id = v,
    },
    RefField {
        field: "createdByPortalUserId",
        kind: Kind::PortalUser,
        sent: |f| f.created_by_portal_user_id,
        get: |p| p.created_by_portal_user_id,
        set: |p, v| p.created_by_portal_user_id = v,
    },
    RefField {
        field: "paymentStatusTypeId",
        kind: Kind::StatusType,
        sent: |f| f.payment_status_type_id,
        get: |p| p.payment_status_type_id,
        set: |p, v| p.payment_status_type_id = v,
    },
];

/// `amount` × `rate`, rounded half away from zero to 2 decimals.
fn convert(amount: Amount, rate: Amount) -> Option<Amount> {
    let product = amount.value().checked_mul(rate.value())?;
    Some(Amount::from_decimal(product.round_dp_with_strategy(2, RoundingStrategy::MidpointAwayFromZero)))
}

/// The sum of amounts, or `None` when it overflows.
pub(super) fn sum(mut amounts: impl Iterator<Item = Amount>) -> Option<Amount> {
    amounts.try_fold(Amount::ZERO, Amount::checked_add)
}

impl State {
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

    pub(super) fn exists(&self, kind: Kind, id: u64) -> bool {
        self.name_of(kind, id).is_some()
    }

    /// The `xName` of a reference.
    pub(super) fn name_of(&self, kind: Kind, id: u64) -> Option<String> {
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
    pub(super) fn must_exist(&self, field: &str, kind: Kind, id: u64) -> Result<(), Fail> {
        if self.exists(kind, id) {
            return Ok(());
        }
        let message = format!("`{field}` names {} {id}, which does not exist", kind.label());
        Err(Fail::new(400, "ReferenceNotFound", Some(field), message))
    }

    /// The records a payment names must fit its account.
    pub(super) fn relations(&self, p: &Payment) -> Result<(), Fail> {
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

    /// `amount` in the system currency through the payment's exchange detail.
    pub(super) fn base_of(&self, amount: Amount, exchange: Option<u64>) -> Result<Amount, Fail> {
        match exchange.and_then(|d| self.currency_exchange_details.get(&d)) {
            None => Ok(amount),
            Some(d) => convert(amount, d.rate).ok_or_else(overflow),
        }
    }

    pub(super) fn disbursed_by(&self, payment: u64) -> Amount {
        sum(self.invoice_disbursements.values().filter(|d| d.payment_id == payment).map(|d| d.amount))
            .unwrap_or(Amount::ZERO)
    }

    pub(super) fn due_on(&self, invoice_id: u64) -> Amount {
        let Some(invoice) = self.invoices.get(&invoice_id) else { return Amount::ZERO };
        let paid = sum(self.invoice_disbursements.values().filter(|d| d.invoice_id == invoice_id).map(|d| d.amount));
        paid.and_then(|p| invoice.amount.checked_sub(p)).unwrap_or(Amount::ZERO)
    }
}

impl Records for State {
    /// The invariants: every reference names a record (and fits it: same account, same currency);
    /// disbursements never exceed their payment's amount nor their invoice's amount; a payment is
    /// reversed at most once, by a reversal on its account for at most its amount, and is then
    /// `reversed`; a failed payment is retried at most once and is then `retried`; gateway status
    /// types agree with the status; the identity counters are ahead of every identity.
    fn check(&self) -> Result<(), String> {
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
}
