//! Shapes every vendor's ledger shares: a payment as people see it ([`PaymentView`]), the request
//! an action sends, and money and text written the way the vendors write them.

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::money::Amount;
use crate::profile::Profile;
use crate::request::Request;

/// A payment as the vendor shows it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PaymentView {
    /// Stable key within the profile (what relations and actions name).
    pub key: String,
    /// How the vendor names it (`Payment 450545`, `Reference 117`).
    pub label: String,
    /// The amount as exact text, where the vendor records one.
    pub amount: Option<String>,
    /// The ISO 4217 currency, where the vendor records one.
    pub currency: Option<String>,
    /// The status as the vendor spells it (the lifecycle's state name).
    pub status: String,
    /// Other facts worth a column (`account`, `method`, `received`), in display order.
    pub fields: Vec<(String, String)>,
    /// Values the vendor's list endpoints filter by (`method`, `transaction type`), for filters.
    pub facets: Vec<(String, String)>,
    /// Linked records.
    pub relations: Vec<RelationView>,
}

/// A record linked with a payment.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RelationView {
    /// What kind of link (`order`, `contact`, `invoice`, `bill`, `cancellation`, `reversal`,
    /// `reverses`, `split part`, `split of`, `retry`, `retries`).
    pub kind: String,
    /// The linked record as the vendor names it.
    pub label: String,
    /// The key of a linked payment, when the record is one (for a link to it).
    pub payment: Option<String>,
}

/// A request from its parts (helper for the profiles' `action_request`).
pub(crate) fn request(profile: Profile, method: &str, path: String, body: serde_json::Value) -> Request {
    Request {
        profile: profile.id().to_owned(),
        method: method.to_owned(),
        path,
        query: std::collections::BTreeMap::new(),
        headers: std::collections::BTreeMap::new(),
        body,
    }
}

/// An amount as a JSON number with its exact text (`12.3400` stays `12.3400`).
pub(crate) fn money(amount: Amount) -> Value {
    amount.to_string().parse::<serde_json::Number>().map_or(Value::Null, Value::Number)
}

/// An amount as a JSON number without trailing zeros (`100.00` as `100`), as most vendors print it.
pub(crate) fn money_plain(amount: Amount) -> Value {
    money(Amount::from_decimal(amount.value().normalize()))
}
