//! The collections a vendor's records live in: persistent (copy-on-write) ordered maps and sets.
//!
//! Every request is answered on a copy of the vendor's state, kept only when the answer is `Ok`
//! ([`answer`](crate::ledger::vendor::answer)): a refused request leaves the ledger exactly as it
//! was, whatever the handler changed before it refused. With `std`'s `BTreeMap` that copy cost
//! O(records) a request (a create in a store of 100,000 payments took ~50 ms). These maps share
//! their nodes between the copy and the original: copying is O(1), and a change copies only the
//! path to what it touches (O(log n)). Iteration order, equality and the serde form (a JSON object
//! or array, keys in order) are those of `BTreeMap`/`BTreeSet`, so snapshots are unchanged.

/// An ordered map of records by key (`BTreeMap`'s order and serde form).
pub(crate) type Table<K, V> = imbl::OrdMap<K, V>;

/// An ordered set of keys (`BTreeSet`'s order and serde form).
pub(crate) type Keys<K> = imbl::OrdSet<K>;
