//! What people see of the ledger: payments in each vendor's own terms, the request that performs a
//! lifecycle action through the vendor's API, and a world with its credentials taken out. The
//! console and any other shell read these; none of them knows a vendor's records.

use serde::Serialize;

use crate::ledger::World;
use crate::profiles::Profile;
use crate::request::Request;

/// A payment as the vendor shows it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
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
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct RelationView {
    /// What kind of link (`order`, `contact`, `invoice`, `bill`, `cancellation`, `reversal`,
    /// `reverses`, `split part`, `split of`, `retry`, `retries`).
    pub kind: String,
    /// The linked record as the vendor names it.
    pub label: String,
    /// The key of a linked payment, when the record is one (for a link to it).
    pub payment: Option<String>,
}

/// Every payment of a profile, in the vendor's order.
pub fn payments(world: &World, profile: Profile) -> Vec<PaymentView> {
    match profile {
        Profile::Komet => world.komet.payments(),
        Profile::ActivePlatform => world.activeplatform.payments(),
        Profile::Crmcom => world.crmcom.payments(),
        Profile::Plentymarkets => world.plentymarkets.payments(),
        Profile::Logisense => world.logisense.payments(),
    }
}

/// The request that performs `action` (a lifecycle action) on payment `key` through the vendor's
/// API, with a credential of the world filled in; `Err` says why the API offers no such request.
pub fn action_request(world: &World, profile: Profile, key: &str, action: &str) -> Result<Request, String> {
    match profile {
        Profile::Komet => world.komet.action_request(key, action),
        Profile::ActivePlatform => world.activeplatform.action_request(key, action),
        Profile::Crmcom => world.crmcom.action_request(key, action),
        Profile::Plentymarkets => world.plentymarkets.action_request(key, action),
        Profile::Logisense => world.logisense.action_request(key, action),
    }
}

/// The same world with every credential removed (for exports and the HTTP world view).
pub fn without_tokens(world: &World) -> World {
    let mut w = world.clone();
    w.komet.redact_tokens();
    w.activeplatform.redact_tokens();
    w.crmcom.redact_tokens();
    w.plentymarkets.redact_tokens();
    w.logisense.redact_tokens();
    w
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
