//! ActivePlatform's records: manager tokens, the document id setting, payment methods and payments.

use crate::ledger::table::Table;
use crate::ledger::vendor::Records;

use serde::{Deserialize, Serialize};

use super::lifecycle::ActivePlatformState;
use crate::ledger::Timestamp;
use crate::money::Amount;

/// ActivePlatform's records.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct State {
    /// API tokens of managers.
    pub(crate) manager_tokens: Vec<String>,
    /// The "Document ID format" setting: `{number}` is replaced by the document number,
    /// `{number:06}` pads it with zeros to six digits.
    pub(crate) document_id_mask: String,
    /// Offset of the platform's local time from UTC, in minutes (timestamps are written in it).
    pub(crate) utc_offset_minutes: i32,
    /// Payment methods by id: their names.
    pub(crate) payment_methods: Table<u64, String>,
    /// Payments by id.
    pub(crate) payments: Table<u64, Payment>,
}

/// An ActivePlatform payment.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Payment {
    /// The number the document id is made from.
    pub(crate) document_number: u64,
    /// Its status.
    pub(crate) status: ActivePlatformState,
    /// The account that makes the payment.
    pub(crate) account_id: u64,
    /// When it was created.
    pub(crate) created_at: Timestamp,
    /// When it last changed.
    pub(crate) updated_at: Timestamp,
    /// Its amount.
    pub(crate) total: Amount,
    /// Additional information.
    pub(crate) comment: String,
    /// The IP address of the user who makes the payment.
    pub(crate) requester_ip: String,
    /// The manager responsible, if any.
    pub(crate) manager_id: Option<u64>,
    /// The payment method, once chosen.
    #[allow(clippy::struct_field_names)] // the vendor's own name (and the snapshot's key)
    pub(crate) payment_method_id: Option<u64>,
    /// Orders linked with the payment.
    pub(crate) orders: Vec<u64>,
}

crate::ledger::de::read_struct!(Payment {
    document_number: "document_number",
    status: "status",
    account_id: "account_id",
    created_at: "created_at",
    updated_at: "updated_at",
    total: "total",
    comment: "comment",
    requester_ip: "requester_ip",
    manager_id: "manager_id",
    payment_method_id: "payment_method_id",
    orders: "orders",
});

impl State {
    /// The document id of a payment, from the mask.
    pub fn document_id(&self, number: u64) -> String {
        let mask = if self.document_id_mask.is_empty() { "{number}" } else { &self.document_id_mask };
        let padded = format!("{number:06}");
        mask.replace("{number:06}", &padded).replace("{number}", &number.to_string())
    }
}

impl Records for State {
    /// The invariants: amounts are not negative; a chosen payment method exists.
    fn check(&self) -> Result<(), String> {
        for (id, p) in &self.payments {
            if p.total.is_negative() {
                return Err(format!("payment {id} has a negative total"));
            }
            if let Some(m) = p.payment_method_id
                && !self.payment_methods.contains_key(&m)
            {
                return Err(format!("payment {id} names payment method {m}, which does not exist"));
            }
        }
        Ok(())
    }
}
