//! The collections a vendor's records live in: persistent (copy-on-write) ordered maps and sets.
//!
//! Every request is answered on a copy of the vendor's state, kept only when the answer is `Ok`
//! ([`answer`](crate::ledger::vendor::answer)): a refused request leaves the ledger exactly as it
//! was, whatever the handler changed before it refused. With `std`'s `BTreeMap` that copy cost
//! O(records) a request (a create in a store of 100,000 payments took ~50 ms). These maps share
//! their nodes between the copy and the original: copying is O(1), and a change copies only the
//! path to what it touches (O(log n)). Iteration order, equality and the serde form (a JSON object
//! or array, keys in order) are those of `BTreeMap`/`BTreeSet`, so snapshots are unchanged.
//!
//! A [`Table`] keeps its records behind one shared pointer type (`Arc<dyn Record>`), so the
//! persistent map's node code (insert, split, lookup, iteration, copy-on-write) is compiled once
//! per key type (`String`, `u64`, `u128`), not once per key and record type: that generic code
//! was ~190 KB of the ledger's WebAssembly module, 26 instances (BENCHMARKS.md, "Size levers").
//! A record is copied only when it is changed while shared ([`Table::get_mut`]), as before.

use std::any::Any;
use std::borrow::Borrow;
use std::fmt;
use std::marker::PhantomData;
use std::sync::Arc;

use serde::de::{Deserialize, Deserializer, MapAccess, Visitor};
use serde::ser::{Serialize, SerializeMap, Serializer};

/// An ordered set of keys (`BTreeSet`'s order and serde form).
pub(crate) type Keys<K> = imbl::OrdSet<K>;

/// What a table keeps: any record that can be copied, compared and shown.
pub(crate) trait Record: Any + Send + Sync + fmt::Debug {
    /// A copy of the record behind a new pointer (copy-on-write of a shared record).
    fn copied(&self) -> Shared;
}

impl<T: Any + Send + Sync + fmt::Debug + Clone> Record for T {
    fn copied(&self) -> Shared {
        Arc::new(self.clone())
    }
}

/// One record, shared between copies of its table.
type Shared = Arc<dyn Record>;

fn cast<V: 'static>(record: &Shared) -> Option<&V> {
    let any: &dyn Any = &**record;
    any.downcast_ref()
}

/// An ordered map of records by key (`BTreeMap`'s order, equality and serde form).
pub(crate) struct Table<K, V> {
    map: imbl::OrdMap<K, Shared>,
    records: PhantomData<fn() -> V>,
}

impl<K, V> Table<K, V> {
    /// How many records.
    pub(crate) fn len(&self) -> usize {
        self.map.len()
    }

    /// Whether there are none.
    pub(crate) fn is_empty(&self) -> bool {
        self.map.is_empty()
    }
}

impl<K: Ord + Clone, V: Record + Clone> Table<K, V> {
    /// An empty table.
    pub(crate) fn new() -> Self {
        Table { map: imbl::OrdMap::new(), records: PhantomData }
    }

    /// Sets the record of `key`, giving back the one it replaces.
    pub(crate) fn insert(&mut self, key: K, record: V) -> Option<V> {
        self.map.insert(key, Arc::new(record)).and_then(|old| cast::<V>(&old).cloned())
    }

    /// Takes the record of `key` out.
    pub(crate) fn remove<Q: Ord + ?Sized>(&mut self, key: &Q) -> Option<V>
    where
        K: Borrow<Q>,
    {
        self.map.remove(key).and_then(|old| cast::<V>(&old).cloned())
    }

    /// Takes every record out.
    pub(crate) fn clear(&mut self) {
        self.map.clear();
    }
}

impl<K: Ord + Clone, V: 'static> Table<K, V> {
    /// The record of `key`.
    pub(crate) fn get<Q: Ord + ?Sized>(&self, key: &Q) -> Option<&V>
    where
        K: Borrow<Q>,
    {
        self.map.get(key).and_then(cast)
    }

    /// The key as stored and the record of `key`.
    pub(crate) fn get_key_value<Q: Ord + ?Sized>(&self, key: &Q) -> Option<(&K, &V)>
    where
        K: Borrow<Q>,
    {
        self.map.get_key_value(key).and_then(|(k, v)| Some((k, cast(v)?)))
    }

    /// The record of `key` to change (copied first when another copy of the table shares it).
    pub(crate) fn get_mut<Q: Ord + ?Sized>(&mut self, key: &Q) -> Option<&mut V>
    where
        K: Borrow<Q>,
    {
        let slot = self.map.get_mut(key)?;
        if Arc::get_mut(slot).is_none() {
            // `(**slot)`: the record's own copy (`Arc<dyn Record>` is itself a `Record`).
            *slot = (**slot).copied();
        }
        let record: &mut dyn Any = Arc::get_mut(slot)?;
        record.downcast_mut()
    }

    /// Whether `key` has a record.
    pub(crate) fn contains_key<Q: Ord + ?Sized>(&self, key: &Q) -> bool
    where
        K: Borrow<Q>,
    {
        self.map.contains_key(key)
    }

    /// Every key and record, in key order.
    pub(crate) fn iter(&self) -> Iter<'_, K, V> {
        Iter { inner: self.map.iter(), records: PhantomData }
    }

    /// Every key, in order.
    pub(crate) fn keys(&self) -> impl DoubleEndedIterator<Item = &K> {
        self.map.keys()
    }

    /// Every record, in key order.
    pub(crate) fn values(&self) -> impl DoubleEndedIterator<Item = &V> {
        self.iter().map(|(_, v)| v)
    }
}

/// The keys and records of a [`Table`], in key order.
pub(crate) struct Iter<'a, K, V> {
    inner: imbl::ordmap::Iter<'a, K, Shared, imbl::shared_ptr::DefaultSharedPtr>,
    records: PhantomData<fn() -> V>,
}

impl<'a, K: Ord + 'a, V: 'static> Iterator for Iter<'a, K, V> {
    type Item = (&'a K, &'a V);

    fn next(&mut self) -> Option<Self::Item> {
        self.inner.by_ref().find_map(|(k, v)| Some((k, cast(v)?)))
    }
}

impl<'a, K: Ord + 'a, V: 'static> DoubleEndedIterator for Iter<'a, K, V> {
    fn next_back(&mut self) -> Option<Self::Item> {
        self.inner.by_ref().rev().find_map(|(k, v)| Some((k, cast(v)?)))
    }
}

impl<'a, K: Ord + Clone, V: 'static> IntoIterator for &'a Table<K, V> {
    type Item = (&'a K, &'a V);
    type IntoIter = Iter<'a, K, V>;

    fn into_iter(self) -> Self::IntoIter {
        self.iter()
    }
}

impl<K: Ord + Clone, V: Clone + 'static> IntoIterator for Table<K, V> {
    type Item = (K, V);
    type IntoIter = std::vec::IntoIter<(K, V)>;

    fn into_iter(self) -> Self::IntoIter {
        self.iter().map(|(k, v)| (k.clone(), v.clone())).collect::<Vec<_>>().into_iter()
    }
}

/// `table[&key]` in tests, as with `BTreeMap` (the core itself never indexes: it would panic).
#[cfg(test)]
impl<K: Ord + Clone + Borrow<Q>, Q: Ord + ?Sized, V: 'static> std::ops::Index<&Q> for Table<K, V> {
    type Output = V;

    fn index(&self, key: &Q) -> &V {
        self.get(key).expect("no record for the key")
    }
}

impl<K: Ord + Clone, V: Record + Clone> FromIterator<(K, V)> for Table<K, V> {
    fn from_iter<I: IntoIterator<Item = (K, V)>>(iter: I) -> Self {
        let mut table = Table::new();
        for (k, v) in iter {
            table.insert(k, v);
        }
        table
    }
}

impl<K: Ord + Clone, V: Record + Clone, const N: usize> From<[(K, V); N]> for Table<K, V> {
    fn from(entries: [(K, V); N]) -> Self {
        entries.into_iter().collect()
    }
}

impl<K: Clone + Ord, V> Clone for Table<K, V> {
    fn clone(&self) -> Self {
        Table { map: self.map.clone(), records: PhantomData }
    }
}

impl<K: Ord + Clone, V> Default for Table<K, V> {
    fn default() -> Self {
        Table { map: imbl::OrdMap::new(), records: PhantomData }
    }
}

impl<K: Ord + Clone, V: PartialEq + 'static> PartialEq for Table<K, V> {
    fn eq(&self, other: &Self) -> bool {
        // Two copies nothing changed share their root: O(1) (serve compares a sandbox's world
        // before and after every read). Otherwise record by record, in key order.
        self.map.ptr_eq(&other.map) || self.len() == other.len() && self.iter().eq(other.iter())
    }
}

impl<K: Ord + Clone, V: Eq + 'static> Eq for Table<K, V> {}

impl<K: Ord + Clone + fmt::Debug, V: fmt::Debug + 'static> fmt::Debug for Table<K, V> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_map().entries(self.iter()).finish()
    }
}

impl<K: Ord + Clone + Serialize, V: Serialize + 'static> Serialize for Table<K, V> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut map = serializer.serialize_map(Some(self.len()))?;
        for (k, v) in self {
            map.serialize_entry(k, v)?;
        }
        map.end()
    }
}

impl<'de, K: Ord + Clone + Deserialize<'de>, V: Record + Clone + Deserialize<'de>> Deserialize<'de> for Table<K, V> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_map(TableVisitor(PhantomData))
    }
}

/// Reads a table as `imbl`'s `OrdMap` did: every entry in order, a repeated key's last record kept.
struct TableVisitor<K, V>(PhantomData<fn() -> (K, V)>);

impl<'de, K: Ord + Clone + Deserialize<'de>, V: Record + Clone + Deserialize<'de>> Visitor<'de> for TableVisitor<K, V> {
    type Value = Table<K, V>;

    fn expecting(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        // imbl's words, so a damaged snapshot is refused with the same message as before.
        formatter.write_str("a sequence")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut access: A) -> Result<Self::Value, A::Error> {
        let mut table = Table::new();
        while let Some((k, v)) = access.next_entry()? {
            table.insert(k, v);
        }
        Ok(table)
    }
}

#[cfg(test)]
mod tests {
    use std::sync::atomic::{AtomicUsize, Ordering};

    use super::Table;

    /// How many times two `Counted` records were compared.
    static COMPARED: AtomicUsize = AtomicUsize::new(0);

    #[derive(Clone, Debug)]
    struct Counted(u64);

    impl PartialEq for Counted {
        fn eq(&self, other: &Self) -> bool {
            COMPARED.fetch_add(1, Ordering::Relaxed);
            self.0 == other.0
        }
    }

    /// Serve compares a sandbox's world before and after every read: a copy nothing changed must
    /// compare without looking at its records (it did not, once: 42 reads/s at 100,000 payments).
    #[test]
    fn equality_skips_what_two_copies_share() {
        let table: Table<u64, Counted> = (0..10_000).map(|k| (k, Counted(k))).collect();
        let copy = table.clone();
        COMPARED.store(0, Ordering::Relaxed);
        assert!(table == copy);
        assert_eq!(COMPARED.load(Ordering::Relaxed), 0, "an unchanged copy compared record by record");

        let mut changed = table.clone();
        if let Some(r) = changed.get_mut(&5_000) {
            r.0 += 1;
        }
        assert!(table != changed);
        let mut added = table.clone();
        added.insert(10_000, Counted(10_000));
        assert!(table != added);
        let mut same_again = table.clone();
        same_again.insert(7, Counted(7));
        assert!(table == same_again);
    }
}
