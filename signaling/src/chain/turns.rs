//! Turns at the node, shared fairly among the askers (address ranges): while every
//! turn is taken, the next one to free goes to the waiting asker holding the fewest,
//! and among those to the one served longest ago (or never). A client asking a lot
//! waits behind its own questions, not in front of everyone else's: among a crowd of
//! strangers each holding none for a moment, a newcomer still goes first.
use std::{
    collections::{HashMap, VecDeque},
    hash::Hash,
    sync::{Arc, Mutex, MutexGuard},
};
use tokio::sync::oneshot;

/// `concurrent` turns, handed out fairly by key.
pub struct Turns<K: Eq + Hash + Clone> {
    shared: Arc<Shared<K>>,
}

struct Shared<K: Eq + Hash + Clone> {
    state: Mutex<State<K>>,
}

struct State<K: Eq + Hash + Clone> {
    free: usize,
    held: HashMap<K, usize>,
    waiting: VecDeque<Waiter<K>>,
    /// Turns handed out so far.
    granted: u64,
    /// The number of the last turn each asker got, for the askers served lately.
    served: HashMap<K, u64>,
}

/// Askers whose last turn is remembered; the older half is forgotten past this.
const REMEMBERED: usize = 10_000;

struct Waiter<K: Eq + Hash + Clone> {
    key: K,
    wake: oneshot::Sender<Turn<K>>,
}

/// One turn, held by `key` until it is dropped.
pub struct Turn<K: Eq + Hash + Clone> {
    shared: Arc<Shared<K>>,
    /// `None` once handed back.
    key: Option<K>,
}

impl<K: Eq + Hash + Clone + Send + 'static> Turns<K> {
    pub fn new(concurrent: usize) -> Self {
        Self {
            shared: Arc::new(Shared {
                state: Mutex::new(State {
                    free: concurrent,
                    held: HashMap::new(),
                    waiting: VecDeque::new(),
                    granted: 0,
                    served: HashMap::new(),
                }),
            }),
        }
    }

    /// A turn for `key`, at once if one is free, else when its share comes. Dropping
    /// the future gives up its place in the queue (or the turn it was just handed).
    pub async fn take(&self, key: K) -> Turn<K> {
        let waiting = {
            let mut state = self.shared.lock();
            if state.free > 0 {
                state.free -= 1;
                state.hold(&key);
                return Turn {
                    shared: self.shared.clone(),
                    key: Some(key),
                };
            }
            let (wake, woken) = oneshot::channel();
            state.waiting.push_back(Waiter { key, wake });
            woken
        };
        waiting
            .await
            .expect("a waiter is woken before its sender is dropped")
    }
}

impl<K: Eq + Hash + Clone> Shared<K> {
    fn lock(&self) -> MutexGuard<'_, State<K>> {
        self.state.lock().expect("turns lock")
    }
}

impl<K: Eq + Hash + Clone> State<K> {
    fn hold(&mut self, key: &K) {
        *self.held.entry(key.clone()).or_default() += 1;
        self.granted += 1;
        self.served.insert(key.clone(), self.granted);
        if self.served.len() > REMEMBERED {
            let cutoff = self.granted - (REMEMBERED / 2) as u64;
            self.served.retain(|_, last| *last > cutoff);
        }
    }

    fn give_back(&mut self, key: &K) {
        if let Some(held) = self.held.get_mut(key) {
            *held -= 1;
            if *held == 0 {
                self.held.remove(key);
            }
        }
    }

    /// The first waiter of the key holding the fewest turns, and among those served
    /// longest ago; waiters that gave up are dropped on the way.
    fn next_waiter(&mut self) -> Option<Waiter<K>> {
        self.waiting.retain(|waiter| !waiter.wake.is_closed());
        let held = |key: &K| self.held.get(key).copied().unwrap_or(0);
        let served = |key: &K| self.served.get(key).copied().unwrap_or(0);
        let (index, _) = self
            .waiting
            .iter()
            .enumerate()
            .min_by_key(|(index, waiter)| (held(&waiter.key), served(&waiter.key), *index))?;
        self.waiting.remove(index)
    }
}

impl<K: Eq + Hash + Clone> Drop for Turn<K> {
    fn drop(&mut self) {
        let Some(key) = self.key.take() else {
            return;
        };
        let mut state = self.shared.lock();
        state.give_back(&key);
        loop {
            let Some(waiter) = state.next_waiter() else {
                state.free += 1;
                return;
            };
            state.hold(&waiter.key);
            let turn = Turn {
                shared: self.shared.clone(),
                key: Some(waiter.key.clone()),
            };
            // Sent under the lock: a waiter that gave up just now hands the turn back
            // here rather than through its own drop.
            match waiter.wake.send(turn) {
                Ok(()) => return,
                Err(mut turn) => {
                    turn.key = None;
                    state.give_back(&waiter.key);
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    async fn pending<T>(
        future: &mut std::pin::Pin<Box<impl std::future::Future<Output = T>>>,
    ) -> Option<T> {
        tokio::time::timeout(Duration::from_millis(10), future.as_mut())
            .await
            .ok()
    }

    #[tokio::test]
    async fn a_freed_turn_goes_to_the_waiting_asker_holding_fewest() {
        let turns = Turns::new(2);
        let first = turns.take("stranger").await;
        let _second = turns.take("stranger").await;
        let mut stranger_again = Box::pin(turns.take("stranger"));
        let mut honest = Box::pin(turns.take("honest"));
        assert!(pending(&mut stranger_again).await.is_none(), "all taken");
        assert!(pending(&mut honest).await.is_none());
        drop(first);
        let honest = pending(&mut honest)
            .await
            .expect("the honest one first, though it came later");
        assert!(pending(&mut stranger_again).await.is_none());
        drop(honest);
        assert!(pending(&mut stranger_again).await.is_some());
    }

    #[tokio::test]
    async fn among_askers_holding_none_the_one_served_longest_ago_goes_first() {
        let turns = Turns::new(1);
        let stranger = turns.take("stranger").await;
        drop(stranger);
        let held = turns.take("other stranger").await;
        let mut stranger = Box::pin(turns.take("stranger"));
        assert!(pending(&mut stranger).await.is_none());
        let mut newcomer = Box::pin(turns.take("newcomer"));
        assert!(pending(&mut newcomer).await.is_none());
        drop(held);
        let _newcomer = pending(&mut newcomer)
            .await
            .expect("never served, it goes first");
        assert!(pending(&mut stranger).await.is_none());
    }

    #[tokio::test]
    async fn a_waiter_that_gives_up_loses_no_turn() {
        let turns = Turns::new(1);
        let held = turns.take(1).await;
        let gave_up = tokio::time::timeout(Duration::from_millis(10), turns.take(2)).await;
        assert!(gave_up.is_err());
        let mut next = Box::pin(turns.take(3));
        assert!(pending(&mut next).await.is_none());
        drop(held);
        let next = pending(&mut next)
            .await
            .expect("the turn goes past the one that left");
        drop(next);
        assert_eq!(turns.shared.lock().free, 1, "every turn is back");
        assert!(turns.shared.lock().held.is_empty());
    }
}
