//! Per-connection abuse limits.
use std::time::Instant;

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
