use crate::hashing::KeyHashing;
use alloc::vec::Vec;
use core::{
    fmt,
    hash::{BuildHasher, Hash},
};

/// A hash map whose slots are all allocated when it is made, with entries stored in
/// the slots themselves: open addressing, linear probing, and backward-shift removal
/// (no tombstones, so lookups stay short however many entries come and go).
///
/// Why not `HashMap`: in a Gear program gas is mostly paid per 16 KiB memory page a
/// message touches. hashbrown keeps its control bytes apart from its entries (an insert
/// writes two pages) and rehashes everything into a new allocation when it grows. Here
/// an insert or a removal writes the page of the entry's slot, and where that slot lies
/// does not depend on how full the map is: the same gas for the first entry and the
/// last. The price is memory for every slot from the start, and a fixed
/// [`FixedMap::max_len`].
pub struct FixedMap<K, V> {
    slots: Vec<Option<(K, V)>>,
    /// `64 - log2(slots.len())`: a key's home slot is the top bits of its hash.
    shift: u32,
    len: usize,
    max_len: usize,
}

impl<K: Hash + Eq, V> FixedMap<K, V> {
    /// A map for up to `max_len` entries, with a third more slots than that (rounded up
    /// to a power of two) so that probe runs stay short.
    pub fn with_max_len(max_len: usize) -> Self {
        let slot_count = (max_len + max_len / 3 + 1).next_power_of_two().max(2);
        let mut slots = Vec::with_capacity(slot_count);
        slots.resize_with(slot_count, || None);
        Self {
            slots,
            shift: u64::BITS - slot_count.trailing_zeros(),
            len: 0,
            max_len,
        }
    }

    pub fn len(&self) -> usize {
        self.len
    }

    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// Most entries the map holds; [`FixedMap::insert`] of one more new key panics.
    pub fn max_len(&self) -> usize {
        self.max_len
    }

    pub fn is_full(&self) -> bool {
        self.len == self.max_len
    }

    pub fn get(&self, key: &K) -> Option<&V> {
        let index = self.find(key).ok()?;
        self.slots[index].as_ref().map(|(_, value)| value)
    }

    pub fn get_mut(&mut self, key: &K) -> Option<&mut V> {
        let index = self.find(key).ok()?;
        self.slots[index].as_mut().map(|(_, value)| value)
    }

    pub fn contains_key(&self, key: &K) -> bool {
        self.find(key).is_ok()
    }

    /// Stores a new entry; the index of its slot.
    ///
    /// Panics if `key` is already there or the map is full: callers check
    /// [`FixedMap::is_full`] first, because a full map is a rejection the user must
    /// hear about, not something to grow out of.
    pub fn insert(&mut self, key: K, value: V) -> usize {
        assert!(!self.is_full(), "FixedMap is full");
        let empty = self.find(&key).expect_err("key is new");
        self.slots[empty] = Some((key, value));
        self.len += 1;
        empty
    }

    /// The index of `key`'s slot. It stays the same as long as no entry is removed
    /// (a removal may move entries of the same probe run), so in a map that is only
    /// ever added to, it numbers the entries for good.
    pub fn index_of(&self, key: &K) -> Option<usize> {
        self.find(key).ok()
    }

    /// The entry in slot `index`, if the slot holds one.
    pub fn at(&self, index: usize) -> Option<(&K, &V)> {
        self.slots
            .get(index)?
            .as_ref()
            .map(|(key, value)| (key, value))
    }

    pub fn at_mut(&mut self, index: usize) -> Option<(&K, &mut V)> {
        self.slots
            .get_mut(index)?
            .as_mut()
            .map(|(key, value)| (&*key, value))
    }

    /// Removes `key`'s entry and returns its value, moving back the entries whose
    /// probe run passed over its slot.
    pub fn remove(&mut self, key: &K) -> Option<V> {
        let mut hole = self.find(key).ok()?;
        let (_, value) = self.slots[hole].take()?;
        self.len -= 1;
        let mask = self.slots.len() - 1;
        let mut next = (hole + 1) & mask;
        while let Some((key, _)) = &self.slots[next] {
            // The entry may fill the hole only if its home slot is not after the hole
            // in probe order: its distance from home reaches back to the hole or past it.
            let from_home = next.wrapping_sub(self.home(key)) & mask;
            let from_hole = next.wrapping_sub(hole) & mask;
            if from_home >= from_hole {
                self.slots[hole] = self.slots[next].take();
                hole = next;
            }
            next = (next + 1) & mask;
        }
        Some(value)
    }

    /// Every entry, in slot order (which says nothing about the keys).
    pub fn iter(&self) -> impl Iterator<Item = (&K, &V)> {
        self.slots.iter().flatten().map(|(key, value)| (key, value))
    }

    /// Every entry with the index of its slot, in slot order.
    pub fn indexed(&self) -> impl Iterator<Item = (usize, &K, &V)> {
        self.slots
            .iter()
            .enumerate()
            .filter_map(|(index, slot)| slot.as_ref().map(|(key, value)| (index, key, value)))
    }

    fn home(&self, key: &K) -> usize {
        (KeyHashing.hash_one(key) >> self.shift) as usize
    }

    /// `Ok` with the slot holding `key`, or `Err` with the empty slot where it would
    /// go. There always is an empty slot: `max_len` is below the slot count.
    fn find(&self, key: &K) -> Result<usize, usize> {
        let mask = self.slots.len() - 1;
        let mut index = self.home(key);
        loop {
            match &self.slots[index] {
                None => return Err(index),
                Some((stored, _)) if stored == key => return Ok(index),
                Some(_) => index = (index + 1) & mask,
            }
        }
    }
}

/// Equal when they hold the same entries, wherever in their slots.
impl<K: Hash + Eq, V: PartialEq> PartialEq for FixedMap<K, V> {
    fn eq(&self, other: &Self) -> bool {
        self.len == other.len
            && self
                .iter()
                .all(|(key, value)| other.get(key) == Some(value))
    }
}

impl<K: Hash + Eq, V: Eq> Eq for FixedMap<K, V> {}

impl<K: fmt::Debug, V: fmt::Debug> fmt::Debug for FixedMap<K, V> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_map()
            .entries(self.slots.iter().flatten().map(|(key, value)| (key, value)))
            .finish()
    }
}

#[cfg(test)]
mod tests {
    extern crate std;

    use super::*;
    use alloc::collections::BTreeMap;

    /// `count` keys that all have the same home slot, so they form one probe run.
    fn colliding_keys(map: &FixedMap<u64, u64>, count: usize) -> Vec<u64> {
        let target = map.home(&0);
        (0..)
            .filter(|k| map.home(k) == target)
            .take(count)
            .collect()
    }

    #[test]
    fn slots_are_a_third_more_than_the_entries_as_a_power_of_two() {
        assert_eq!(FixedMap::<u64, ()>::with_max_len(0).slots.len(), 2);
        assert_eq!(
            FixedMap::<u64, ()>::with_max_len(24_000).slots.len(),
            32_768
        );
        assert_eq!(
            FixedMap::<u64, ()>::with_max_len(24_576).slots.len(),
            65_536
        );
    }

    #[test]
    fn insert_get_by_key_and_by_index_and_remove() {
        let mut map = FixedMap::with_max_len(4);
        let index = map.insert(7u64, "seven");
        assert_eq!(map.len(), 1);
        assert_eq!(map.index_of(&7), Some(index));
        assert_eq!(map.at(index), Some((&7, &"seven")));
        *map.get_mut(&7).unwrap() = "7";
        assert_eq!(map.get(&7), Some(&"7"));
        assert_eq!(map.remove(&7), Some("7"));
        assert_eq!(map.remove(&7), None);
        assert!(map.is_empty() && !map.contains_key(&7) && map.at(index).is_none());
    }

    #[test]
    fn a_full_map_and_a_present_key_refuse_an_insert() {
        let mut map = FixedMap::with_max_len(2);
        map.insert(1u64, 1);
        let present = std::panic::catch_unwind(move || {
            map.insert(1, 10);
        });
        assert!(present.is_err());
        let mut map = FixedMap::with_max_len(2);
        map.insert(1u64, 1);
        map.insert(2, 2);
        assert!(map.is_full());
        let full = std::panic::catch_unwind(move || map.insert(3, 3));
        assert!(full.is_err());
    }

    #[test]
    fn indices_do_not_change_while_nothing_is_removed() {
        let mut map = FixedMap::with_max_len(1_000);
        let indices: Vec<usize> = (0..1_000u64).map(|key| map.insert(key, ())).collect();
        for (key, &index) in (0..1_000u64).zip(&indices) {
            assert_eq!(map.index_of(&key), Some(index));
            assert_eq!(map.at(index).map(|(&k, _)| k), Some(key));
        }
        let mut indexed: Vec<(usize, u64)> = map.indexed().map(|(i, &k, _)| (i, k)).collect();
        indexed.sort_unstable_by_key(|&(_, key)| key);
        assert_eq!(
            indexed,
            (0..1_000)
                .zip(indices)
                .map(|(k, i)| (i, k))
                .collect::<Vec<_>>()
        );
    }

    #[test]
    fn removing_from_a_probe_run_keeps_every_other_key_reachable() {
        let mut map = FixedMap::with_max_len(48);
        let run = colliding_keys(&map, 5);
        for &key in &run {
            map.insert(key, key * 10);
        }
        let mut present = run.clone();
        for removed in [run[1], run[0], run[4], run[2]] {
            assert_eq!(map.remove(&removed), Some(removed * 10));
            present.retain(|&key| key != removed);
            for &key in &run {
                let expected = present.contains(&key).then_some(key * 10);
                assert_eq!(
                    map.get(&key).copied(),
                    expected,
                    "{key} after removing {removed}"
                );
            }
        }
    }

    /// Random inserts and removals, wrapping around the end of the slots, agree with a
    /// `BTreeMap` at every step.
    #[test]
    fn agrees_with_a_btree_map_under_churn() {
        let mut map = FixedMap::with_max_len(96);
        let mut model = BTreeMap::new();
        let mut seed = 0x2545_f491_4f6c_dd1d_u64;
        for step in 0..20_000u64 {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            let key = seed % 200;
            if seed.is_multiple_of(3) || model.len() == 96 {
                assert_eq!(map.remove(&key), model.remove(&key), "step {step}");
            } else if let Some(value) = map.get_mut(&key) {
                *value = step;
                model.insert(key, step);
            } else {
                map.insert(key, step);
                model.insert(key, step);
            }
            assert_eq!(map.len(), model.len());
        }
        for key in 0..200 {
            assert_eq!(map.get(&key), model.get(&key));
        }
        let mut entries: Vec<_> = map.iter().map(|(&k, &v)| (k, v)).collect();
        entries.sort_unstable();
        assert_eq!(entries, model.into_iter().collect::<Vec<_>>());
    }
}
