//! What this instance holds in the media servers, by connection: each broadcaster's
//! publisher (with its relays into other media servers) and each viewer's
//! subscription, and, by handle, whose it is and whether its peer connection is up.
use super::{
    janus::{Handle, HandleId},
    ServerId,
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

/// Whose a handle with a peer connection is.
struct Owner {
    sid: Sid,
    publisher: bool,
    up: bool,
}

#[derive(Default)]
pub(super) struct Handles {
    publishers: Mutex<HashMap<Sid, Publisher>>,
    /// By the viewer's connection and the broadcaster it receives.
    subscribers: Mutex<HashMap<(Sid, AccountId), Handle>>,
    owners: Mutex<HashMap<HandleId, Owner>>,
}

impl Handles {
    pub fn add_publisher(&self, sid: Sid, publisher: Publisher) {
        self.own(publisher.handle.id(), sid, true);
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
    pub fn add_subscriber(&self, sid: Sid, broadcaster: AccountId, handle: Handle) {
        self.own(handle.id(), sid, false);
        self.subscribers().insert((sid, broadcaster), handle);
    }

    pub fn take_subscriber(&self, sid: Sid, broadcaster: AccountId) -> Option<Handle> {
        let handle = self.subscribers().remove(&(sid, broadcaster))?;
        self.owners().remove(&handle.id());
        Some(handle)
    }

    pub fn subscriber(&self, sid: Sid, broadcaster: AccountId) -> Option<Handle> {
        self.subscribers().get(&(sid, broadcaster)).cloned()
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
            .filter(|owner| owner.publisher)
            .map(|owner| owner.sid)
    }

    /// Drops every handle of the lost `session` of `server`: the connections whose
    /// publishers were in it, whose streams must go another way. A relay into it stays
    /// until it is ended (`Media::unrelay`), which also stops the origin's forwarding.
    pub fn forget(&self, server: ServerId, session: u64) -> Vec<(Sid, Publisher)> {
        let lost_in = |handle: &Handle| handle.id().server == server && handle.session() == session;
        let mut owners = self.owners();
        self.subscribers().retain(|_, handle| {
            let keep = !lost_in(handle);
            if !keep {
                owners.remove(&handle.id());
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

    fn own(&self, handle: HandleId, sid: Sid, publisher: bool) {
        let owner = Owner {
            sid,
            publisher,
            up: false,
        };
        self.owners().insert(handle, owner);
    }

    fn publishers(&self) -> MutexGuard<'_, HashMap<Sid, Publisher>> {
        self.publishers.lock().expect("publishers lock")
    }

    fn subscribers(&self) -> MutexGuard<'_, HashMap<(Sid, AccountId), Handle>> {
        self.subscribers.lock().expect("subscribers lock")
    }

    fn owners(&self) -> MutexGuard<'_, HashMap<HandleId, Owner>> {
        self.owners.lock().expect("owners lock")
    }
}
