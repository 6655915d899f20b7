//! plentymarkets' records (payments, relations, the store's settings) and their invariants.

use crate::ledger::table::{Keys, Table};
use crate::ledger::vendor::Records;
use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;

use serde::{Deserialize, Serialize};

use super::lifecycle::PlentyState;
use crate::ledger::Timestamp;
use crate::ledger::time::hex32;
use crate::money::{Amount, Currency};

/// The decimals every amount and exchange ratio has.
pub(super) const DECIMALS: u32 = 4;

/// plentymarkets' records.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
#[serde(deny_unknown_fields)]
pub struct State {
    /// Valid OAuth access tokens (`Authorization: Bearer …`).
    pub(crate) access_tokens: Keys<String>,
    /// The system (standard) currency, ISO 4217.
    pub(crate) system_currency: String,
    /// Offset of the store's local time from UTC, in minutes (timestamps are written in it).
    pub(crate) utc_offset_minutes: i32,
    /// Payment methods by `mopId`: their names.
    pub(crate) payment_methods: Table<u64, String>,
    /// Payment property types by id: their names.
    pub(crate) property_types: Table<u64, String>,
    /// Ids of the orders that exist.
    pub(crate) orders: Keys<u64>,
    /// Ids of the contacts that exist.
    pub(crate) contacts: Keys<u64>,
    /// Payments by id.
    pub(crate) payments: Table<u64, Payment>,
    /// Payment–order relations, by payment id (at most one per payment).
    pub(crate) order_relations: Table<u64, Relation>,
    /// Payment–contact relations, by payment id (at most one per payment).
    pub(crate) contact_relations: Table<u64, Relation>,
    /// The id the next payment gets.
    pub(crate) next_payment_id: u64,
    /// The id the next payment–order relation gets.
    pub(crate) next_order_relation_id: u64,
    /// The id the next payment–contact relation gets.
    pub(crate) next_contact_relation_id: u64,
    /// The seed of the next generated hash.
    pub(crate) next_hash_seed: u64,
}

crate::ledger::de::read_struct!(State {
    access_tokens: "access_tokens",
    system_currency: "system_currency",
    utc_offset_minutes: "utc_offset_minutes",
    payment_methods: "payment_methods",
    property_types: "property_types",
    orders: "orders",
    contacts: "contacts",
    payments: "payments",
    order_relations: "order_relations",
    contact_relations: "contact_relations",
    next_payment_id: "next_payment_id",
    next_order_relation_id: "next_order_relation_id",
    next_contact_relation_id: "next_contact_relation_id",
    next_hash_seed: "next_hash_seed",
});

/// A plentymarkets payment.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Payment {
    /// The amount, 4 decimals, in `currency` (converted when `is_system_currency` is false).
    pub(crate) amount: Amount,
    /// The exchange ratio to the system currency, 4 decimals.
    pub(crate) exchange_ratio: Amount,
    /// The payment method.
    pub(crate) mop_id: u64,
    /// The parent payment of a split part.
    pub(crate) parent_id: Option<u64>,
    /// Deleted payments are not listed.
    pub(crate) deleted: bool,
    /// An unassigned payment.
    pub(crate) unaccountable: bool,
    /// ISO 4217 code.
    pub(crate) currency: String,
    /// `debit` or `credit`.
    #[serde(rename = "type")]
    pub(crate) kind: String,
    /// 32 characters.
    pub(crate) hash: String,
    /// 0 undefined, 1 system, 2 manually, 3 SOAP, 4 import, 5 split payment, 6 plugin.
    pub(crate) origin: u8,
    /// When the payment was received (the entry date).
    pub(crate) received_at: Timestamp,
    /// When the payment was imported (entered the ledger).
    pub(crate) imported_at: Timestamp,
    /// The payment status, written as its number.
    #[serde(with = "status_number")]
    pub(crate) status: PlentyState,
    /// 1 interim transaction report, 2 booked payment, 3 split payment.
    pub(crate) transaction_type: u8,
    /// The `isSystemCurrency` flag as sent.
    pub(crate) is_system_currency: bool,
    /// The amount as sent, when it was converted to the system currency.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) original_amount: Option<Amount>,
    /// The currency as sent, when the amount was converted to the system currency.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) original_currency: Option<String>,
    /// Properties by property type id: their values.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub(crate) properties: BTreeMap<u64, String>,
}

/// A relation of a payment to an order or a contact.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Relation {
    /// The relation's id.
    pub(crate) id: u64,
    /// The order's (or contact's) id.
    pub(crate) target: u64,
    /// When it was assigned.
    pub(crate) assigned_at: Timestamp,
}

/// A status as its number (`2`), as the API writes it.
pub(super) mod status_number {
    use serde::{Deserialize, Deserializer, Serializer};

    use crate::lifecycle::State as _;
    use crate::vendors::plentymarkets::PlentyState;

    #[allow(clippy::trivially_copy_pass_by_ref)] // serde's `with` hands the field by reference
    pub(in crate::vendors::plentymarkets) fn serialize<S: Serializer>(
        status: &PlentyState,
        s: S,
    ) -> Result<S::Ok, S::Error> {
        s.serialize_u8(status.name().parse().unwrap_or_default())
    }

    pub(super) fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<PlentyState, D::Error> {
        let n = u8::deserialize(d)?;
        PlentyState::from_name(&n.to_string())
            .ok_or_else(|| serde::de::Error::custom(format!("{n} is not a plentymarkets payment status (1–10)")))
    }
}

/// Whether an amount keeps the 4-decimal rule: not negative, 1–9 integer digits, exactly 4 decimals.
pub(super) fn is_four_decimals(a: Amount) -> bool {
    !a.is_negative() && a.scale() == DECIMALS && a.integer_digits() <= 9
}

/// A problem with a split family, with the field it is reported on.
pub(super) struct SplitProblem {
    pub(super) field: &'static str,
    pub(super) message: String,
}

impl SplitProblem {
    fn new(field: &'static str, message: String) -> Self {
        SplitProblem { field, message }
    }
}

impl State {
    fn check_payment(&self, id: u64, p: &Payment) -> Result<(), String> {
        if id >= self.next_payment_id {
            return Err(format!("payment {id} is not below next_payment_id {}", self.next_payment_id));
        }
        if !is_four_decimals(p.amount) {
            return Err(format!("payment {id}: amount {} is not 1–9 digits with exactly 4 decimals", p.amount));
        }
        if !is_four_decimals(p.exchange_ratio) {
            return Err(format!(
                "payment {id}: exchange ratio {} is not 1–9 digits with exactly 4 decimals",
                p.exchange_ratio
            ));
        }
        if p.hash.chars().count() != 32 {
            return Err(format!("payment {id}: hash `{}` does not have 32 characters", p.hash));
        }
        if !self.payment_methods.contains_key(&p.mop_id) {
            return Err(format!("payment {id}: payment method {} does not exist", p.mop_id));
        }
        if p.currency.parse::<Currency>().is_err() {
            return Err(format!("payment {id}: currency `{}` is not an ISO 4217 code", p.currency));
        }
        if p.kind != "debit" && p.kind != "credit" {
            return Err(format!("payment {id}: type `{}` is neither debit nor credit", p.kind));
        }
        if p.origin > 6 || !(1..=3).contains(&p.transaction_type) {
            return Err(format!(
                "payment {id}: origin {} or transaction type {} unknown",
                p.origin, p.transaction_type
            ));
        }
        if p.parent_id.is_some() != (p.transaction_type == 3) {
            return Err(format!("payment {id}: only a split part (transaction type 3) has a parent, and it must"));
        }
        match (&p.original_amount, &p.original_currency) {
            (Some(a), Some(_)) if is_four_decimals(*a) && !p.is_system_currency => {}
            (None, None) => {}
            _ => return Err(format!("payment {id}: original amount and currency go together, only when converted")),
        }
        if let Some(t) = p.properties.keys().find(|t| !self.property_types.contains_key(*t)) {
            return Err(format!("payment {id}: property type {t} does not exist"));
        }
        Ok(())
    }

    /// What is wrong with the split family of `parent`, if anything. `focus` is the payment being
    /// written, to say how much is left for it; `new` is the id of a payment being created, which
    /// messages call "the new part" (the id is not given out when the request is refused).
    pub(super) fn split_problem(&self, parent_id: u64, focus: Option<u64>, new: Option<u64>) -> Option<SplitProblem> {
        let parts: Vec<(u64, &Payment)> =
            self.payments.iter().filter(|(_, p)| p.parent_id == Some(parent_id)).map(|(&i, p)| (i, p)).collect();
        if parts.is_empty() {
            return None;
        }
        let name = |i: u64| if Some(i) == new { "the new part".to_owned() } else { format!("part {i}") };
        let ids = parts.iter().map(|(i, _)| name(*i)).collect::<Vec<_>>().join(", ");
        let Some(parent) = self.payments.get(&parent_id) else {
            return Some(SplitProblem::new(
                "parentId",
                format!(
                    "`parentId` {parent_id} names no payment; a split part (transactionType 3) needs an existing parent payment"
                ),
            ));
        };
        if let Some(grand) = parent.parent_id {
            let message = if parts.iter().all(|(i, _)| Some(*i) == new) {
                format!(
                    "`parentId` {parent_id} is itself a split part of payment {grand}; a split goes one level deep: split payment {grand} instead"
                )
            } else {
                format!(
                    "payment {parent_id} has split parts ({ids}) and would itself be a split part of payment {grand}; a split goes one level deep"
                )
            };
            return Some(SplitProblem::new("parentId", message));
        }
        if let Some((i, p)) = parts.iter().find(|(_, p)| p.currency != parent.currency) {
            return Some(SplitProblem::new(
                "currency",
                format!(
                    "{} is in {} but its parent payment {parent_id} is in {}; the parts of a split are in the parent's currency",
                    name(*i),
                    p.currency,
                    parent.currency
                ),
            ));
        }
        let mut sum = Amount::ZERO;
        for (_, p) in parts.iter().filter(|(_, p)| !p.deleted) {
            sum = sum.checked_add(p.amount)?;
        }
        if sum > parent.amount {
            let cur = &parent.currency;
            let mut message = format!(
                "the split parts of payment {parent_id} ({ids}) would sum to {sum} {cur}, above the parent's amount {} {cur}; the parts sum to at most the parent's amount",
                parent.amount
            );
            if let Some(f) = focus.filter(|f| *f != parent_id)
                && let Some(part) = self.payments.get(&f)
                && let Some(others) = sum.checked_sub(part.amount)
                && let Some(left) = parent.amount.checked_sub(others)
            {
                let _ = write!(message, ": {left} {cur} remain for {}", name(f));
            }
            return Some(SplitProblem::new("amount", message));
        }
        None
    }

    /// A timestamp as the store writes it, in its local time.
    pub(super) fn time(&self, t: Timestamp) -> String {
        t.with_offset_seconds(self.utc_offset_minutes)
    }

    /// A new payment hash: 32 lower-case hexadecimal characters from the counter.
    pub(super) fn new_hash(&mut self) -> String {
        let seed = self.next_hash_seed;
        self.next_hash_seed = seed.saturating_add(1);
        hex32(seed).to_ascii_lowercase()
    }

    /// An instant from a request's date or date-time; without an offset it is the store's local time.
    pub(super) fn instant(&self, text: &str) -> Option<Timestamp> {
        let utc = Timestamp::parse(text)?;
        let has_offset = text.get(10..).is_some_and(|t| t.contains(['Z', 'z', '+', '-']));
        if has_offset { Some(utc) } else { Some(utc.plus_millis(-i64::from(self.utc_offset_minutes) * 60_000)) }
    }
}

fn check_relations(
    kind: &str,
    relations: &Table<u64, Relation>,
    payments: &Table<u64, Payment>,
    targets: &Keys<u64>,
    next_id: u64,
) -> Result<(), String> {
    let mut ids = BTreeSet::new();
    for (payment, r) in relations {
        if !payments.contains_key(payment) {
            return Err(format!("{kind} relation {} names payment {payment}, which does not exist", r.id));
        }
        if !targets.contains(&r.target) {
            return Err(format!("{kind} relation {} names {kind} {}, which does not exist", r.id, r.target));
        }
        if !ids.insert(r.id) || r.id >= next_id {
            return Err(format!("{kind} relation id {} is repeated or not below the next id {next_id}", r.id));
        }
    }
    Ok(())
}

impl Records for State {
    /// The invariants: relations point at existing payments, orders and contacts, one of each per
    /// payment, relation ids unique; split parts name an existing parent that is not a part, are in
    /// its currency and sum to at most its amount; amounts and ratios have exactly 4 decimals; hashes
    /// have 32 characters; every payment method, property type and currency exists (the system
    /// currency once there are payments); counters are ahead of every id.
    fn check(&self) -> Result<(), String> {
        // An empty store (no payment, no system currency set: `Ledger::empty`) is consistent.
        let unset = self.system_currency.is_empty() && self.payments.is_empty();
        if !unset && self.system_currency.parse::<Currency>().is_err() {
            return Err(format!("the system currency `{}` is not an ISO 4217 code", self.system_currency));
        }
        for (&id, p) in &self.payments {
            self.check_payment(id, p)?;
        }
        let parents: BTreeSet<u64> = self.payments.values().filter_map(|p| p.parent_id).collect();
        for parent in parents {
            if let Some(problem) = self.split_problem(parent, None, None) {
                return Err(problem.message);
            }
        }
        check_relations("order", &self.order_relations, &self.payments, &self.orders, self.next_order_relation_id)?;
        check_relations(
            "contact",
            &self.contact_relations,
            &self.payments,
            &self.contacts,
            self.next_contact_relation_id,
        )
    }
}

#[cfg(test)]
pub(super) mod tests {
    use super::State;
    use crate::ledger::vendor::Records as _;

    /// This profile's part of the sample world, read on its own (a part of another profile that
    /// does not read makes `World::sample` empty altogether).
    pub(in crate::vendors::plentymarkets) fn sample() -> State {
        serde_json::from_str(include_str!("../../../data/plentymarkets/sample.json")).unwrap()
    }

    #[test]
    fn the_sample_keeps_the_invariants() {
        let state = sample();
        assert_eq!(state.payments.len(), 10);
        state.check().unwrap();
    }

    #[test]
    fn check_finds_broken_records() {
        /// The first record of `table` that `pick` chooses, to break it.
        fn first_mut<V: Clone + 'static>(table: &mut super::Table<u64, V>, pick: impl Fn(&V) -> bool) -> &mut V {
            let key = *table.iter().find(|(_, v)| pick(v)).unwrap().0;
            table.get_mut(&key).unwrap()
        }
        let sample = sample();
        let mut s = sample.clone();
        first_mut(&mut s.order_relations, |_| true).target = 999_999;
        assert!(s.check().unwrap_err().contains("order 999999"));

        let mut s = sample.clone();
        let part = first_mut(&mut s.payments, |p| p.parent_id.is_some());
        part.amount = "99999.0000".parse().unwrap();
        assert!(s.check().unwrap_err().contains("at most the parent's amount"));

        let mut s = sample.clone();
        first_mut(&mut s.payments, |_| true).amount = "12.34".parse().unwrap();
        assert!(s.check().unwrap_err().contains("4 decimals"));

        let mut s = sample.clone();
        first_mut(&mut s.payments, |_| true).hash = "short".to_owned();
        assert!(s.check().unwrap_err().contains("32 characters"));

        let mut s = sample.clone();
        s.order_relations.remove(&1);
        s.payments.remove(&1);
        first_mut(&mut s.contact_relations, |_| true).id = 99;
        assert!(s.check().unwrap_err().contains("payment 1, which does not exist"));

        let mut s = sample;
        let part = first_mut(&mut s.payments, |p| p.parent_id.is_some());
        part.currency = "USD".to_owned();
        assert!(s.check().unwrap_err().contains("parent's currency"));
    }
}
