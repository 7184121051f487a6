//! A small map whose entries expire, for chain answers that may go stale.
use std::{
    borrow::Borrow,
    collections::HashMap,
    hash::Hash,
    time::{Duration, Instant},
};

/// At most `capacity` values, each readable for `ttl` after it was stored.
pub struct TtlCache<K, V> {
    ttl: Duration,
    capacity: usize,
    entries: HashMap<K, (Instant, V)>,
}

impl<K: Eq + Hash, V> TtlCache<K, V> {
    pub fn new(ttl: Duration, capacity: usize) -> Self {
        Self {
            ttl,
            capacity,
            entries: HashMap::new(),
        }
    }

    /// The value stored less than `ttl` ago.
    pub fn get<Q>(&self, key: &Q) -> Option<&V>
    where
        K: Borrow<Q>,
        Q: Eq + Hash + ?Sized,
    {
        self.entries
            .get(key)
            .filter(|(stored, _)| stored.elapsed() < self.ttl)
            .map(|(_, value)| value)
    }

    /// Stores `value`; when full, expired entries go first, and all of them if none has
    /// expired (the cache only saves chain reads, so losing entries is safe).
    pub fn insert(&mut self, key: K, value: V) {
        if self.entries.len() >= self.capacity && !self.entries.contains_key(&key) {
            let ttl = self.ttl;
            self.entries.retain(|_, (stored, _)| stored.elapsed() < ttl);
            if self.entries.len() >= self.capacity {
                self.entries.clear();
            }
        }
        self.entries.insert(key, (Instant::now(), value));
    }

    pub fn len(&self) -> usize {
        self.entries.len()
    }

    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn entries_expire() {
        let mut cache = TtlCache::new(Duration::from_millis(30), 10);
        cache.insert("a", 1);
        assert_eq!(cache.get("a"), Some(&1));
        std::thread::sleep(Duration::from_millis(40));
        assert_eq!(cache.get("a"), None);
    }

    #[test]
    fn never_holds_more_than_its_capacity() {
        let mut cache = TtlCache::new(Duration::from_secs(60), 3);
        for key in 0..10 {
            cache.insert(key, key);
            assert!(cache.len() <= 3);
            assert_eq!(cache.get(&key), Some(&key));
        }
        cache.insert(9, 90);
        assert_eq!(cache.get(&9), Some(&90));
    }
}
