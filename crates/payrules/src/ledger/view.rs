//! What people see of the ledger: payments in each vendor's own terms, the request that performs a
//! lifecycle action through the vendor's API, and a world with its credentials taken out. The
//! console and any other shell read these; none of them knows a vendor's records. The list a
//! console shows (filtered, paged, with its facets) and the actions a payment offers, with the
//! reason for each one refused, are decided here too: shells only render them.

use std::collections::BTreeSet;

use serde::{Deserialize, Serialize};

use crate::ledger::World;
pub use crate::ledger::shape::{PaymentView, RelationView};
use crate::ledger::vendor::Views;
use crate::profile::Profile;
use crate::request::Request;

macro_rules! views {
    ($($module:ident: $variant:ident = $vendor:literal;)*) => {
        /// Every payment of a profile, in the vendor's order.
        pub fn payments(world: &World, profile: Profile) -> Vec<PaymentView> {
            match profile {
                $(Profile::$variant => Views::payments(&world.$module),)*
            }
        }

        /// The request that performs `action` (a lifecycle action) on payment `key` through the vendor's
        /// API, with a credential of the world filled in; `Err` says why the API offers no such request.
        pub fn action_request(world: &World, profile: Profile, key: &str, action: &str) -> Result<Request, String> {
            match profile {
                $(Profile::$variant => {
                    Views::action_request(&world.$module, key, action)
                })*
            }
        }
    };
}

vendors!(views);

/// The same world with every credential removed (for exports and the HTTP world view).
pub fn without_tokens(world: &World) -> World {
    world.without_tokens()
}

/// What a payment list shows: a status, a facet and a search text to filter by, and a page.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ListQuery {
    /// Only payments in this status (the vendor's spelling); `None` or empty: every status.
    pub status: Option<String>,
    /// Only payments with this facet, written `name: value` as [`PaymentList::facets`] lists it;
    /// `None` or empty: no facet filter.
    pub facet: Option<String>,
    /// Only payments whose label, key or a field's value contains this text, case ignored; empty:
    /// every payment.
    pub search: String,
    /// The page asked for, from 0 (clamped to the last page).
    pub page: usize,
    /// Payments on a page (0 counts as 1).
    pub per_page: usize,
}

/// One page of a profile's payments, filtered, with what the filters offer.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct PaymentList {
    /// The payments of the page, in the vendor's order.
    pub items: Vec<PaymentView>,
    /// How many payments pass the filters (on every page).
    pub total: usize,
    /// The page shown, from 0: the one asked for, at most the last one.
    pub page: usize,
    /// How many pages there are (at least 1, even with no payment).
    pub pages: usize,
    /// Every facet of the profile's payments (unfiltered), written `name: value`, sorted, each once.
    pub facets: Vec<String>,
    /// The profile's statuses in table order: `(name, label)`.
    pub statuses: Vec<(String, String)>,
}

/// A facet as the list writes it: `name: value`.
fn facet_text(name: &str, value: &str) -> String {
    format!("{name}: {value}")
}

/// A page of `profile`'s payments filtered as `query` says (status equal, facet among the
/// payment's, search text in its label, key or a field's value, case ignored).
pub fn list(world: &World, profile: Profile, query: &ListQuery) -> PaymentList {
    list_of(payments(world, profile), profile, query)
}

/// [`list`] over `all`, a profile's payments as [`payments`] gives them (e.g. from a [`WorldView`]
/// that crossed from another module or was computed at build time).
pub fn list_of(all: Vec<PaymentView>, profile: Profile, query: &ListQuery) -> PaymentList {
    list_lowered(all, profile, query, str::to_lowercase)
}

/// [`list_of`] with the search's case ignored by `lower` (a text lowercased as `str::to_lowercase`
/// does): the console passes the browser's own (`String.prototype.toLowerCase`), so its module
/// carries no Unicode case table.
pub fn list_lowered(
    all: Vec<PaymentView>,
    profile: Profile,
    query: &ListQuery,
    lower: impl Fn(&str) -> String,
) -> PaymentList {
    // Sorted, each once, through a set (a sort would be code of its own in the console's module).
    let mut facet_set = BTreeSet::new();
    for (k, v) in all.iter().flat_map(|p| p.facets.iter()) {
        facet_set.insert(facet_text(k, v));
    }
    let facets: Vec<String> = facet_set.into_iter().collect();
    let status = query.status.as_deref().filter(|s| !s.is_empty());
    let facet = query.facet.as_deref().filter(|f| !f.is_empty());
    let search = lower(&query.search);
    let filtered: Vec<PaymentView> = all
        .into_iter()
        .filter(|p| status.is_none_or(|s| p.status == s))
        .filter(|p| facet.is_none_or(|f| p.facets.iter().any(|(k, v)| facet_text(k, v) == f)))
        .filter(|p| {
            search.is_empty()
                || lower(&p.label).contains(&search)
                || lower(&p.key).contains(&search)
                || p.fields.iter().any(|(_, v)| lower(v).contains(&search))
        })
        .collect();
    let per_page = query.per_page.max(1);
    let total = filtered.len();
    let pages = total.div_ceil(per_page).max(1);
    let page = query.page.min(pages - 1);
    let items = filtered.into_iter().skip(page.saturating_mul(per_page)).take(per_page).collect();
    let statuses =
        profile.lifecycle().table().states.into_iter().map(|s| (s.name.to_owned(), s.label.to_owned())).collect();
    PaymentList { items, total, page, pages, facets, statuses }
}

/// A status with its meaning, as the lifecycle labels it (`status` itself when it has no label or
/// the profile has no such status).
pub fn status_label(profile: Profile, status: &str) -> String {
    profile
        .lifecycle()
        .table()
        .states
        .into_iter()
        .find(|s| s.name == status)
        .map_or_else(|| status.to_owned(), |s| s.label.to_owned())
}

/// A lifecycle action as a payment's detail offers it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ActionView {
    /// The action (`post`, `cancel`, `mark_sync`).
    pub action: &'static str,
    /// The request that performs it, or why it cannot be done (the lifecycle's refusal naming the
    /// status, or why the vendor's API offers no such request).
    pub verdict: Result<Request, String>,
}

/// Every action of `profile`'s lifecycle table, in table order (each once), for payment `key`:
/// the request it sends, or why it is refused.
pub fn actions(world: &World, profile: Profile, key: &str) -> Vec<ActionView> {
    let status = payments(world, profile).into_iter().find(|p| p.key == key).map(|p| p.status);
    actions_in(world, profile, key, status.as_deref())
}

/// [`actions`] for payment `key` whose status is `status` (`None`: there is no such payment).
fn actions_in(world: &World, profile: Profile, key: &str, status: Option<&str>) -> Vec<ActionView> {
    let lifecycle = profile.lifecycle();
    let mut names: Vec<&'static str> = Vec::new();
    for t in lifecycle.table().transitions {
        if !names.contains(&t.action) {
            names.push(t.action);
        }
    }
    names
        .into_iter()
        .map(|action| {
            let verdict = match status {
                None => Err(format!("{} has no payment `{key}`", profile.vendor())),
                Some(status) => match lifecycle.apply_named(status, action) {
                    Err(e) => Err(e.to_string()),
                    Ok(_) => action_request(world, profile, key, action),
                },
            };
            ActionView { action, verdict }
        })
        .collect()
}

/// Everything a console shows of a world, as data that can cross to another module or be computed
/// at build time: every profile's payments ([`payments`]) with each payment's actions
/// ([`actions`]), and the Komet batch panel's company token. Another shell lists, filters and
/// details payments from it ([`list_of`]) without the world itself. `R` is how an action's request
/// is held: a [`Request`] where it is made, any JSON value where it is read back (the same text).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct WorldView<R = serde_json::Value> {
    /// One entry per profile, in registry order ([`Profile::ALL`]).
    pub profiles: Vec<ProfileView<R>>,
    /// The company token the Komet batch request carries when none is typed
    /// ([`crate::vendors::komet::batch_token`]; empty in a world without credentials).
    pub komet_batch_token: String,
}

/// A profile's part of a [`WorldView`].
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProfileView<R = serde_json::Value> {
    /// The profile's id (`komet`, …).
    pub profile: String,
    /// Every payment, in the vendor's order ([`payments`]).
    pub payments: Vec<PaymentView>,
    /// Each payment's actions ([`actions`]), in the order of `payments`.
    pub actions: Vec<Vec<ActionEntry<R>>>,
}

/// An [`ActionView`] as data: the request (read back as JSON, its numbers' text kept exactly), or
/// why not.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ActionEntry<R = serde_json::Value> {
    /// The action (`post`, `cancel`, `mark_sync`).
    pub action: String,
    /// The request that performs it, or why it cannot be done.
    pub verdict: Result<R, String>,
}

/// The [`WorldView`] of `world`.
pub fn world_view(world: &World) -> WorldView<Request> {
    let profiles = Profile::ALL
        .into_iter()
        .map(|profile| {
            let payments = payments(world, profile);
            let actions = payments
                .iter()
                .map(|p| {
                    actions_in(world, profile, &p.key, Some(&p.status))
                        .into_iter()
                        .map(|ActionView { action, verdict }| ActionEntry { action: action.to_owned(), verdict })
                        .collect()
                })
                .collect();
            ProfileView { profile: profile.id().to_owned(), payments, actions }
        })
        .collect();
    WorldView { profiles, komet_batch_token: crate::vendors::komet::batch_token(Some(&world.komet), None) }
}
