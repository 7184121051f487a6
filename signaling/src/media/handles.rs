//! What this instance holds in the media servers, by connection: each broadcaster's
//! publisher (with its relays into other media servers) and each viewer's
//! subscription, and, by handle, whose it is and whether its peer connection is up.
use super::{
    janus::{Handle, HandleId},
    Layer, ServerId, Steering,
};
use serde_json::Value;
use socketioxide::socket::Sid;
use std::{
    collections::HashMap,
    sync::{Mutex, MutexGuard},
};
use w3bstreaming_keys::AccountId;

/// A broadcaster's publisher: its handle, the room it made, its id there, what it
/// sends (as a remote publisher describes it, `relay::streams`), and its relays.
pub(super) struct Publisher {
    pub handle: Handle,
    pub room: u64,
    pub id: u64,
    pub streams: Value,
    /// Of its video: 1 to 3.
    pub layers: u8,
    pub relays: Vec<Relay>,
}

/// The copy of a published stream in another media server: a room there holding a
/// remote publisher that the origin forwards to.
pub(super) struct Relay {
    pub handle: Handle,
    pub room: u64,
}

impl Relay {
    pub fn server(&self) -> ServerId {
        self.handle.id().server
    }

    /// The name the origin's forwarder to it has.
    pub fn remote_id(&self) -> String {
        self.room.to_string()
    }
}

/// A viewer's subscription: its handle, and the layer it receives.
pub(super) struct Subscription {
    pub handle: Handle,
    pub steering: Steering,
}

/// Whose a handle with a peer connection is: a publisher's, or a subscription's to a
/// broadcaster.
struct Owner {
    sid: Sid,
    broadcaster: Option<AccountId>,
    up: bool,
}

/// A subscription's layer just changed: the viewer's connection, the broadcaster, the
/// handle to tell Janus through, the substream to ask for, and what that is called.
pub(super) type Steered = (Sid, AccountId, Handle, u8, Layer);

#[derive(Default)]
pub(super) struct Handles {
    publishers: Mutex<HashMap<Sid, Publisher>>,
    /// By the viewer's connection and the broadcaster it receives.
    subscribers: Mutex<HashMap<(Sid, AccountId), Subscription>>,
    owners: Mutex<HashMap<HandleId, Owner>>,
}

impl Handles {
    pub fn add_publisher(&self, sid: Sid, publisher: Publisher) {
        self.own(publisher.handle.id(), sid, None);
        self.publishers().insert(sid, publisher);
    }

    pub fn take_publisher(&self, sid: Sid) -> Option<Publisher> {
        let publisher = self.publishers().remove(&sid)?;
        self.owners().remove(&publisher.handle.id());
        Some(publisher)
    }

    /// Runs `change` on the publisher of `sid`, if it has one.
    pub fn with_publisher<T>(
        &self,
        sid: Sid,
        change: impl FnOnce(&mut Publisher) -> T,
    ) -> Option<T> {
        self.publishers().get_mut(&sid).map(change)
    }

    /// Held before the offer goes out, so that the viewer's answer finds it.
    pub fn add_subscriber(&self, sid: Sid, broadcaster: AccountId, subscription: Subscription) {
        self.own(subscription.handle.id(), sid, Some(broadcaster));
        self.subscribers().insert((sid, broadcaster), subscription);
    }

    pub fn take_subscriber(&self, sid: Sid, broadcaster: AccountId) -> Option<Handle> {
        let Subscription { handle, .. } = self.subscribers().remove(&(sid, broadcaster))?;
        self.owners().remove(&handle.id());
        Some(handle)
    }

    pub fn subscriber(&self, sid: Sid, broadcaster: AccountId) -> Option<Handle> {
        let subscribers = self.subscribers();
        let subscription = subscribers.get(&(sid, broadcaster))?;
        Some(subscription.handle.clone())
    }

    /// Runs `change` on the steering of the viewer on `sid` receiving `broadcaster`:
    /// the change, if the substream to ask for changed.
    pub fn steer(
        &self,
        sid: Sid,
        broadcaster: AccountId,
        change: impl FnOnce(&mut Steering) -> Option<u8>,
    ) -> Option<Steered> {
        let mut subscribers = self.subscribers();
        let subscription = subscribers.get_mut(&(sid, broadcaster))?;
        let substream = change(&mut subscription.steering)?;
        let layer = subscription.steering.receiving();
        Some((
            sid,
            broadcaster,
            subscription.handle.clone(),
            substream,
            layer,
        ))
    }

    /// The subscription `handle` is, if it is one: its viewer's connection and the
    /// broadcaster.
    pub fn subscription_of(&self, handle: HandleId) -> Option<(Sid, AccountId)> {
        let owners = self.owners();
        let owner = owners.get(&handle)?;
        Some((owner.sid, owner.broadcaster?))
    }

    /// Runs `change` on every steering that is stepped down: the changes.
    pub fn steer_stepped_down(
        &self,
        mut change: impl FnMut(&mut Steering) -> Option<u8>,
    ) -> Vec<Steered> {
        let mut subscribers = self.subscribers();
        let mut steered = Vec::new();
        for (&(sid, broadcaster), subscription) in subscribers.iter_mut() {
            if !subscription.steering.stepped_down() {
                continue;
            }
            if let Some(substream) = change(&mut subscription.steering) {
                let layer = subscription.steering.receiving();
                steered.push((
                    sid,
                    broadcaster,
                    subscription.handle.clone(),
                    substream,
                    layer,
                ));
            }
        }
        steered
    }

    /// The peer connection of `handle` is up. Told of a handle already let go, it
    /// keeps nothing.
    pub fn came_up(&self, handle: HandleId) {
        if let Some(owner) = self.owners().get_mut(&handle) {
            owner.up = true;
        }
    }

    /// Whether the peer connection of `handle` is up, if it is still held for `sid`.
    pub fn up(&self, handle: HandleId, sid: Sid) -> Option<bool> {
        let owners = self.owners();
        let owner = owners.get(&handle).filter(|owner| owner.sid == sid)?;
        Some(owner.up)
    }

    /// The connection whose publisher `handle` is, if it is one this instance holds.
    pub fn publisher_of(&self, handle: HandleId) -> Option<Sid> {
        let owners = self.owners();
        owners
            .get(&handle)
            .filter(|owner| owner.broadcaster.is_none())
            .map(|owner| owner.sid)
    }

    /// Drops every handle of the lost `session` of `server`: the connections whose
    /// publishers were in it, whose streams must go another way. A relay into it stays
    /// until it is ended (`Media::unrelay`), which also stops the origin's forwarding.
    pub fn forget(&self, server: ServerId, session: u64) -> Vec<(Sid, Publisher)> {
        let lost_in = |handle: &Handle| handle.id().server == server && handle.session() == session;
        let mut owners = self.owners();
        self.subscribers().retain(|_, subscription| {
            let keep = !lost_in(&subscription.handle);
            if !keep {
                owners.remove(&subscription.handle.id());
            }
            keep
        });
        let mut publishers = self.publishers();
        let sids: Vec<Sid> = publishers
            .iter()
            .filter(|(_, publisher)| lost_in(&publisher.handle))
            .map(|(sid, _)| *sid)
            .collect();
        let mut lost = Vec::new();
        for sid in sids {
            if let Some(publisher) = publishers.remove(&sid) {
                owners.remove(&publisher.handle.id());
                lost.push((sid, publisher));
            }
        }
        lost
    }

    /// Publishers, relays and subscriptions held now, for the metrics.
    pub fn counts(&self) -> (usize, usize, usize) {
        let publishers = self.publishers();
        let relays = publishers.values().map(|p| p.relays.len()).sum();
        (publishers.len(), relays, self.subscribers().len())
    }

    fn own(&self, handle: HandleId, sid: Sid, broadcaster: Option<AccountId>) {
        let owner = Owner {
            sid,
            broadcaster,
            up: false,
        };
        self.owners().insert(handle, owner);
    }

    fn publishers(&self) -> MutexGuard<'_, HashMap<Sid, Publisher>> {
        self.publishers.lock().expect("publishers lock")
    }

    fn subscribers(&self) -> MutexGuard<'_, HashMap<(Sid, AccountId), Subscription>> {
        self.subscribers.lock().expect("subscribers lock")
    }

    fn owners(&self) -> MutexGuard<'_, HashMap<HandleId, Owner>> {
        self.owners.lock().expect("owners lock")
    }
}
