//! Several media servers: which one each viewer receives from, by load, and what
//! changes when one is found down. The hub decides it, so that every instance sharing
//! it counts the same loads.
use super::{Hub, Live, MediaTask, Notice, Outbox, Via};
use crate::media::{Feed, ServerId};
use serde::{Deserialize, Serialize};
use std::{
    collections::{BTreeMap, BTreeSet},
    hash::Hash,
};
use w3bstreaming_keys::AccountId;

/// Each media server's load: the viewers it serves and the streams published to it.
#[derive(Debug, Default, Serialize, Deserialize)]
pub(super) struct Loads(BTreeMap<ServerId, usize>);

impl Loads {
    pub fn of(&self, server: ServerId) -> usize {
        self.0.get(&server).copied().unwrap_or(0)
    }

    pub fn add(&mut self, server: ServerId) {
        *self.0.entry(server).or_default() += 1;
    }

    pub fn remove(&mut self, server: ServerId) {
        if let Some(load) = self.0.get_mut(&server) {
            *load -= 1;
            if *load == 0 {
                self.0.remove(&server);
            }
        }
    }

    /// What `live` adds to the loads goes: its viewers' seats and its origin.
    pub fn release<C>(&mut self, live: &mut Live<C>) {
        for seat in live.viewers.values_mut() {
            if let Some(server) = seat.server.take() {
                self.remove(server);
            }
        }
        if let Some(origin) = live.feeds.first() {
            self.remove(origin.server);
        }
    }
}

/// Of `feeds`, the one on the least loaded media server that is not down (the first
/// of equals, so the origin before its relays); the origin if all are down.
fn pick(feeds: &[Feed], loads: &Loads, down: &BTreeSet<ServerId>) -> Option<Feed> {
    feeds
        .iter()
        .filter(|feed| !down.contains(&feed.server))
        .min_by_key(|feed| loads.of(feed.server))
        .or(feeds.first())
        .copied()
}

impl<C: Copy + Eq + Hash> Hub<C> {
    /// Of the first `count` media servers, those to publish a stream to, in order:
    /// the least loaded first, and those found down last.
    pub fn servers_by_load(&self, count: u8) -> Vec<ServerId> {
        let mut servers: Vec<ServerId> = (0..count).map(ServerId).collect();
        servers.sort_by_key(|&server| (self.is_down(server), self.loads.of(server), server));
        servers
    }

    /// Whether `server` was found down (and not up again since).
    pub fn is_down(&self, server: ServerId) -> bool {
        self.down.contains(&server)
    }

    /// The media server `stream_id` was published to, once it was.
    pub fn origin_of(&self, stream_id: &str) -> Option<ServerId> {
        Some(self.live.get(stream_id)?.feeds.first()?.server)
    }

    /// The viewers `server` serves and the streams published to it, in every instance.
    pub fn load(&self, server: ServerId) -> usize {
        self.loads.of(server)
    }

    /// Seats `viewer` of `stream_id` on a feed (see [`pick`]): the task that
    /// subscribes it, unless the stream goes peer to peer or is not published yet.
    pub(super) fn subscribe_task(
        &mut self,
        stream_id: &str,
        viewer: AccountId,
    ) -> Option<(C, Notice)> {
        let live = self.live.get_mut(stream_id)?;
        if live.via != Via::MediaServer {
            return None;
        }
        let feed = pick(&live.feeds, &self.loads, &self.down)?;
        let seat = live.viewers.get_mut(&viewer)?;
        if let Some(was) = seat.server.replace(feed.server) {
            self.loads.remove(was);
        }
        self.loads.add(feed.server);
        let task = MediaTask::Subscribe {
            broadcaster: live.broadcaster,
            stream_id: stream_id.to_string(),
            viewer,
            feed,
        };
        Some((seat.conn, Notice::Media(task)))
    }

    /// `server` is found down (an instance lost its session there). Every stream
    /// relayed to it is no more (its broadcaster's instance ends the relay), and its
    /// viewers there move to the stream's least loaded other feed. A stream published
    /// to it is the broadcaster's instance's to move ([`Hub::reroute`]), as it is with
    /// one media server. Nothing is published or relayed to it until it is up again.
    pub(super) fn server_down(&mut self, server: ServerId) -> Outbox<C> {
        self.down.insert(server);
        let relayed: Vec<String> = self
            .live
            .iter()
            .filter(|(_, live)| live.feeds.iter().skip(1).any(|feed| feed.server == server))
            .map(|(stream_id, _)| stream_id.clone())
            .collect();
        let mut outbox = Vec::new();
        for stream_id in relayed {
            let live = self.live.get_mut(&stream_id).expect("listed as live");
            live.feeds.retain(|feed| feed.server != server);
            let unrelay = MediaTask::Unrelay { server };
            outbox.push((live.broadcaster_conn, Notice::Media(unrelay)));
            let moving: Vec<AccountId> = live
                .viewers
                .iter()
                .filter(|(_, seat)| seat.server == Some(server))
                .map(|(&viewer, _)| viewer)
                .collect();
            for viewer in moving {
                outbox.extend(self.subscribe_task(&stream_id, viewer));
            }
        }
        outbox
    }

    /// `server` answers again: streams published from now on use it too.
    pub(super) fn server_up(&mut self, server: ServerId) -> Outbox<C> {
        self.down.remove(&server);
        Vec::new()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::hub::Op;

    const B: AccountId = AccountId([1; 32]);
    const BC: u32 = 1;
    const S0: ServerId = ServerId(0);
    const S1: ServerId = ServerId(1);
    const ORIGIN: Feed = Feed {
        server: S0,
        room: 10,
        publisher: 11,
        layers: 2,
    };
    const RELAY: Feed = Feed {
        server: S1,
        room: 20,
        publisher: 21,
        layers: 2,
    };

    fn viewer(n: u8) -> (AccountId, u32) {
        (AccountId([n + 10; 32]), u32::from(n) + 100)
    }

    fn subscribe(n: u8, feed: Feed) -> (u32, Notice) {
        let (viewer, conn) = viewer(n);
        let task = MediaTask::Subscribe {
            broadcaster: B,
            stream_id: "s".into(),
            viewer,
            feed,
        };
        (conn, Notice::Media(task))
    }

    fn subscriptions(outbox: &Outbox<u32>) -> Vec<(u32, Notice)> {
        outbox
            .iter()
            .filter(|(_, notice)| matches!(notice, Notice::Media(_)))
            .cloned()
            .collect()
    }

    fn join(hub: &mut Hub<u32>, n: u8) -> Vec<(u32, Notice)> {
        let (viewer, conn) = viewer(n);
        subscriptions(&hub.join(conn, viewer, "s").unwrap())
    }

    /// The loads as counted from scratch: each stream's origin and each seat.
    fn recounted(hub: &Hub<u32>) -> BTreeMap<ServerId, usize> {
        let mut loads = BTreeMap::new();
        for live in hub.live.values() {
            let seats = live.viewers.values().filter_map(|seat| seat.server);
            for server in live
                .feeds
                .first()
                .map(|f| f.server)
                .into_iter()
                .chain(seats)
            {
                *loads.entry(server).or_default() += 1;
            }
        }
        loads
    }

    fn published() -> Hub<u32> {
        let mut hub = Hub::new(100);
        hub.broadcast(BC, B, "s", Via::MediaServer).unwrap();
        hub.publish(BC, "s", vec![ORIGIN, RELAY]).unwrap();
        hub
    }

    #[test]
    fn viewers_go_to_the_least_loaded_media_server_and_the_origin_before_equals() {
        let mut hub = published();
        assert_eq!((hub.load(S0), hub.load(S1)), (1, 0));
        assert_eq!(join(&mut hub, 1), vec![subscribe(1, RELAY)]);
        assert_eq!(join(&mut hub, 2), vec![subscribe(2, ORIGIN)]);
        assert_eq!(join(&mut hub, 3), vec![subscribe(3, RELAY)]);
        assert_eq!((hub.load(S0), hub.load(S1)), (2, 2));
        assert_eq!(hub.servers_by_load(3), vec![ServerId(2), S0, S1]);
        // Leaving frees a seat; joining again on another connection moves it.
        let (one, one_conn) = viewer(1);
        hub.leave(one_conn, "s").unwrap();
        assert_eq!((hub.load(S0), hub.load(S1)), (2, 1));
        let moved = subscriptions(&hub.join(7, viewer(2).0, "s").unwrap());
        assert!(moved.contains(&(
            viewer(2).1,
            Notice::Media(MediaTask::Unsubscribe { broadcaster: B })
        )));
        assert_eq!(recounted(&hub), hub.loads.0);
        hub.join(one_conn, one, "s").unwrap();
        assert_eq!(recounted(&hub), hub.loads.0);
        // Published again: every viewer is seated anew, and the loads stay true.
        hub.publish(BC, "s", vec![RELAY]).unwrap();
        assert_eq!(hub.load(S0), 0);
        assert_eq!(recounted(&hub), hub.loads.0);
        hub.stop_broadcast(BC, "s").unwrap();
        assert!(hub.loads.0.is_empty(), "{:?}", hub.loads);
    }

    #[test]
    fn a_relay_found_down_moves_its_viewers_and_is_ended_by_the_broadcaster() {
        let mut hub = published();
        for n in 1..=3 {
            join(&mut hub, n);
        }
        let outbox = hub.apply(Op::ServerDown { server: S1 }).unwrap();
        assert_eq!(
            outbox,
            vec![
                (BC, Notice::Media(MediaTask::Unrelay { server: S1 })),
                subscribe(1, ORIGIN),
                subscribe(3, ORIGIN),
            ]
        );
        assert!(hub.is_down(S1));
        assert_eq!((hub.load(S0), hub.load(S1)), (4, 0));
        assert!(!hub.has_feed("s", RELAY) && hub.has_feed("s", ORIGIN));
        // Told again (another instance found it too): nothing more.
        assert_eq!(hub.apply(Op::ServerDown { server: S1 }), Ok(vec![]));
        assert_eq!(join(&mut hub, 4), vec![subscribe(4, ORIGIN)]);
        // Down, it is tried last; up again, it is the least loaded.
        assert_eq!(hub.servers_by_load(2), vec![S0, S1]);
        assert_eq!(hub.apply(Op::ServerUp { server: S1 }), Ok(vec![]));
        assert_eq!(hub.servers_by_load(2), vec![S1, S0]);
        assert_eq!(recounted(&hub), hub.loads.0);
    }

    #[test]
    fn an_origin_found_down_is_left_to_its_broadcasters_instance() {
        let mut hub = published();
        join(&mut hub, 1);
        join(&mut hub, 2);
        let before = format!("{:?}", hub.live);
        assert_eq!(hub.apply(Op::ServerDown { server: S0 }), Ok(vec![]));
        assert_eq!(format!("{:?}", hub.live), before);
        // Its broadcaster's instance sends the stream peer to peer: every load goes.
        hub.reroute(BC, "s").unwrap();
        assert!(hub.loads.0.is_empty(), "{:?}", hub.loads);
        // A newcomer is the broadcaster's to offer to, on no media server.
        assert_eq!(join(&mut hub, 3), vec![]);
    }

    #[test]
    fn with_every_feed_down_a_viewer_is_still_given_the_origin() {
        let mut hub = published();
        hub.server_down(S0);
        hub.server_down(S1);
        assert_eq!(join(&mut hub, 1), vec![subscribe(1, ORIGIN)]);
    }

    #[test]
    fn the_servers_and_seats_pass_to_a_new_instance_in_the_snapshot() {
        let mut hub = published();
        join(&mut hub, 1);
        hub.server_down(ServerId(2));
        let mut copy: Hub<u32> =
            serde_json::from_str(&serde_json::to_string(&hub).unwrap()).unwrap();
        copy.set_max_viewers(100);
        assert!(copy.is_down(ServerId(2)));
        assert_eq!((copy.load(S0), copy.load(S1)), (1, 1));
        assert_eq!(join(&mut copy, 2), vec![subscribe(2, ORIGIN)]);
        // The seat's media server came along: leaving frees it.
        copy.leave(viewer(1).1, "s").unwrap();
        assert_eq!((copy.load(S0), copy.load(S1)), (2, 0));
    }
}
