//! Rates: how fast a connection may send, and how much one address may have going at once.
use governor::{DefaultKeyedRateLimiter, Quota, RateLimiter};
use std::{
    collections::HashMap,
    hash::Hash,
    num::NonZeroU32,
    sync::{Arc, Mutex},
    time::Instant,
};

/// How often something may happen, per second on average and at once.
#[derive(Debug, Clone, Copy)]
pub struct Rate {
    pub per_sec: u32,
    pub burst: u32,
}

impl Rate {
    fn quota(self) -> Quota {
        let at_least_one = |n: u32| NonZeroU32::new(n.max(1)).expect("at least 1");
        Quota::per_second(at_least_one(self.per_sec)).allow_burst(at_least_one(self.burst))
    }
}

/// A rate per key (a client's address, an account), for what costs the server a
/// signature check or a chain query whichever connection it comes from: one client
/// opening many connections gets no more than one.
pub struct PerKey<K: Clone + Eq + Hash> {
    limiter: DefaultKeyedRateLimiter<K>,
}

impl<K: Clone + Eq + Hash> PerKey<K> {
    pub fn new(rate: Rate) -> Self {
        Self {
            limiter: RateLimiter::keyed(rate.quota()),
        }
    }

    /// Whether `key` may do one more now; an allowed one is counted.
    pub fn allow(&self, key: &K) -> bool {
        self.limiter.check_key(key).is_ok()
    }

    /// Forgets the keys whose allowance is full again, which any other would get: the
    /// store holds only keys active lately.
    pub fn forget_idle(&self) {
        self.limiter.retain_recent();
        self.limiter.shrink_to_fit();
    }
}

/// At most `max` of something going at once for each key (a client's address: its
/// chain queries in flight).
#[derive(Debug)]
pub struct InFlight<K: Eq + Hash> {
    max: usize,
    counts: Arc<Mutex<HashMap<K, usize>>>,
}

impl<K: Eq + Hash + Clone> InFlight<K> {
    pub fn new(max: usize) -> Self {
        Self {
            max,
            counts: Arc::new(Mutex::new(HashMap::new())),
        }
    }

    /// One more for `key`, counted until the result is dropped; `None` if `key` has
    /// its `max` going already.
    pub fn enter(&self, key: K) -> Option<Entered<K>> {
        let mut counts = self.counts.lock().expect("in-flight lock");
        let count = counts.entry(key.clone()).or_default();
        if *count >= self.max {
            return None;
        }
        *count += 1;
        Some(Entered {
            key,
            counts: self.counts.clone(),
        })
    }
}

/// One of a key's [`InFlight`] places.
#[derive(Debug)]
pub struct Entered<K: Eq + Hash> {
    key: K,
    counts: Arc<Mutex<HashMap<K, usize>>>,
}

impl<K: Eq + Hash> Drop for Entered<K> {
    fn drop(&mut self) {
        let mut counts = self.counts.lock().expect("in-flight lock");
        if let Some(count) = counts.get_mut(&self.key) {
            *count -= 1;
            if *count == 0 {
                counts.remove(&self.key);
            }
        }
    }
}

/// A token bucket per connection: `burst` events at once, refilled at `per_sec` a
/// second, for each peer the connection signals with (at least one).
///
/// A broadcaster relays an offer and its ICE candidates to every viewer, so its
/// honest traffic grows with its audience; a fixed allowance would cut it off
/// once a crowd joins. Each peer adds a bucket's worth instead: a new viewer brings
/// its burst at once, and when viewers leave the allowance shrinks back.
#[derive(Debug)]
pub struct RateLimit {
    per_sec: f64,
    burst: f64,
    peers: u32,
    tokens: f64,
    last: Instant,
}

impl RateLimit {
    pub fn new(per_sec: u32, burst: u32, now: Instant) -> Self {
        Self {
            per_sec: f64::from(per_sec),
            burst: f64::from(burst),
            peers: 1,
            tokens: f64::from(burst),
            last: now,
        }
    }

    /// Whether one more event is allowed at `now` from a connection that has `peers`
    /// peers now; allowed events spend a token.
    pub fn allow(&mut self, now: Instant, peers: usize) -> bool {
        let peers = u32::try_from(peers.max(1)).unwrap_or(u32::MAX);
        if peers > self.peers {
            self.tokens += self.burst * f64::from(peers - self.peers);
        }
        self.peers = peers;
        let scale = f64::from(peers);
        let elapsed = now.saturating_duration_since(self.last).as_secs_f64();
        self.last = now;
        self.tokens = (self.tokens + elapsed * self.per_sec * scale).min(self.burst * scale);
        if self.tokens >= 1.0 {
            self.tokens -= 1.0;
            true
        } else {
            false
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    fn allowed(limit: &mut RateLimit, now: Instant, peers: usize, events: usize) -> usize {
        (0..events).filter(|_| limit.allow(now, peers)).count()
    }

    #[test]
    fn a_rate_per_key_is_kept_for_each_key() {
        let per_key = PerKey::new(Rate {
            per_sec: 1,
            burst: 3,
        });
        assert_eq!((0..5).filter(|_| per_key.allow(&'a')).count(), 3);
        assert!(per_key.allow(&'b'), "another key has its own");
        per_key.forget_idle();
        assert!(!per_key.allow(&'a'), "a key still spent is kept");
    }

    #[test]
    fn in_flight_counts_each_key_until_its_places_are_dropped() {
        let in_flight = InFlight::new(2);
        let first = in_flight.enter('a').unwrap();
        let _second = in_flight.enter('a').unwrap();
        assert!(in_flight.enter('a').is_none());
        assert!(in_flight.enter('b').is_some(), "other keys have their own");
        drop(first);
        assert!(in_flight.enter('a').is_some());
        assert_eq!(
            in_flight.counts.lock().unwrap().get(&'b'),
            None,
            "no key is kept at 0"
        );
    }

    #[test]
    fn allows_a_burst_then_the_rate() {
        let start = Instant::now();
        let mut limit = RateLimit::new(10, 3, start);
        let results: Vec<bool> = (0..5).map(|_| limit.allow(start, 0)).collect();
        assert_eq!(results, [true, true, true, false, false]);
        // A tenth of a second brings one token back, a long pause no more than the burst.
        assert!(limit.allow(start + Duration::from_millis(100), 1));
        assert!(!limit.allow(start + Duration::from_millis(100), 1));
        assert_eq!(
            allowed(&mut limit, start + Duration::from_secs(60), 1, 4),
            3
        );
    }

    #[test]
    fn each_peer_adds_a_burst_and_a_rate() {
        let start = Instant::now();
        let mut limit = RateLimit::new(10, 3, start);
        assert_eq!(allowed(&mut limit, start, 1, 3), 3);
        // Four more viewers join: four more bursts at once, then five times the rate.
        assert_eq!(allowed(&mut limit, start, 5, 20), 12);
        let later = start + Duration::from_millis(100);
        assert_eq!(allowed(&mut limit, later, 5, 20), 5);
        // They leave: a long pause refills only one peer's burst.
        let much_later = start + Duration::from_secs(60);
        assert_eq!(allowed(&mut limit, much_later, 1, 20), 3);
    }
}
