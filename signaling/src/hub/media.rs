//! A stream sent through the media server: the broadcaster's feed, once published,
//! and the viewers it is offered to.
use super::{Hub, MediaTask, Notice, Outbox, Via};
use crate::{media::Feed, refusal::Refusal};
use std::hash::Hash;
use w3bstreaming_keys::AccountId;

impl<C: Copy + Eq + Hash> Hub<C> {
    /// Whether the broadcaster on `conn` may publish `stream_id` to the media server.
    pub fn may_publish(&self, conn: C, stream_id: &str) -> Result<(), Refusal> {
        self.broadcaster_on(conn, stream_id)?;
        match self.live[stream_id].via {
            Via::MediaServer => Ok(()),
            Via::Peers => Err(Refusal::NotViaMediaServer(stream_id.to_string())),
        }
    }

    /// The broadcaster on `conn` published `stream_id` as `feeds` (the one in the media
    /// server it published to, then its relays'): every viewer, and each one who joins
    /// from now on, is subscribed to one of them ([`Hub::subscribe_task`]). Published
    /// again (the broadcaster came back), the viewers move to the new feeds.
    pub(super) fn publish(
        &mut self,
        conn: C,
        stream_id: &str,
        feeds: Vec<Feed>,
    ) -> Result<Outbox<C>, Refusal> {
        self.may_publish(conn, stream_id)?;
        let live = self.live.get_mut(stream_id).expect("the stream is live");
        if let Some(was) = live.feeds.first() {
            self.loads.remove(was.server);
        }
        if let Some(origin) = feeds.first() {
            self.loads.add(origin.server);
        }
        live.feeds = feeds;
        let viewers: Vec<AccountId> = live.viewers.keys().copied().collect();
        Ok(viewers
            .into_iter()
            .filter_map(|viewer| self.subscribe_task(stream_id, viewer))
            .collect())
    }

    /// The media server that `stream_id` went through is lost: it goes on peer to peer.
    /// The broadcaster on `conn` hears the new route and of every viewer, as joins, so
    /// that it offers to each; each viewer hears the new route, and its instance drops
    /// its subscription.
    pub(super) fn reroute(&mut self, conn: C, stream_id: &str) -> Result<Outbox<C>, Refusal> {
        self.may_publish(conn, stream_id)?;
        let live = self.live.get_mut(stream_id).expect("the stream is live");
        self.loads.release(live);
        live.via = Via::Peers;
        live.feeds.clear();
        let route = Notice::Route {
            stream_id: stream_id.to_string(),
            via: Via::Peers,
        };
        let mut outbox = vec![
            (conn, Notice::Media(MediaTask::Unpublish)),
            (conn, route.clone()),
        ];
        for (&viewer, seat) in &live.viewers {
            let task = MediaTask::Unsubscribe {
                broadcaster: live.broadcaster,
            };
            outbox.push((seat.conn, Notice::Media(task)));
            outbox.push((seat.conn, route.clone()));
            let watch = Notice::Watch {
                viewer,
                stream_id: stream_id.to_string(),
            };
            outbox.push((conn, watch));
        }
        Ok(outbox)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::media::ServerId;

    const B: AccountId = AccountId([1; 32]);
    const V: AccountId = AccountId([2; 32]);
    const W: AccountId = AccountId([3; 32]);
    const BC: u32 = 10;
    const VC: u32 = 20;
    const WC: u32 = 30;
    const FEED: Feed = Feed {
        server: ServerId(0),
        room: 7,
        publisher: 8,
        layers: 2,
    };

    fn subscribe(viewer: AccountId, feed: Feed) -> Notice {
        Notice::Media(MediaTask::Subscribe {
            broadcaster: B,
            stream_id: "s".into(),
            viewer,
            feed,
        })
    }

    fn unsubscribe() -> Notice {
        Notice::Media(MediaTask::Unsubscribe { broadcaster: B })
    }

    #[test]
    fn viewers_are_subscribed_once_the_broadcaster_has_published_and_never_told_to_the_broadcaster()
    {
        let mut hub = Hub::new(10);
        hub.broadcast(BC, B, "s", Via::MediaServer).unwrap();
        let no_video = |outbox: &Outbox<u32>| {
            !outbox
                .iter()
                .any(|(_, notice)| matches!(notice, Notice::Watch { .. } | Notice::Media(_)))
        };
        let early = hub.join(VC, V, "s").unwrap();
        assert!(no_video(&early), "{early:?}");
        assert_eq!(
            hub.publish(BC, "s", vec![FEED]),
            Ok(vec![(VC, subscribe(V, FEED))])
        );
        let mut late = hub.join(WC, W, "s").unwrap();
        assert_eq!(late.pop(), Some((WC, subscribe(W, FEED))));
        assert!(no_video(&late), "{late:?}");
        // A viewer's page hears the route too (its player names it).
        let route = Notice::Route {
            stream_id: "s".into(),
            via: Via::MediaServer,
        };
        assert!(late.contains(&(WC, route)), "{late:?}");
        // Published again (the broadcaster came back): both move to the new feed.
        let moved = Feed {
            server: ServerId(0),
            room: 9,
            publisher: 1,
            layers: 2,
        };
        assert_eq!(
            hub.publish(BC, "s", vec![moved]),
            Ok(vec![(VC, subscribe(V, moved)), (WC, subscribe(W, moved))])
        );
    }

    #[test]
    fn leaving_moving_and_ending_end_the_subscriptions_and_the_room() {
        let mut hub = Hub::new(10);
        hub.broadcast(BC, B, "s", Via::MediaServer).unwrap();
        hub.publish(BC, "s", vec![FEED]).unwrap();
        hub.join(VC, V, "s").unwrap();
        hub.join(WC, W, "s").unwrap();
        assert!(hub.leave(VC, "s").unwrap().contains(&(VC, unsubscribe())));
        // W joins again on another connection: the old one's subscription ends.
        let moved = hub.join(99, W, "s").unwrap();
        assert!(moved.contains(&(WC, unsubscribe())), "{moved:?}");
        assert!(moved.contains(&(99, subscribe(W, FEED))), "{moved:?}");
        let ended = hub.stop_broadcast(BC, "s").unwrap();
        assert!(ended.contains(&(BC, Notice::Media(MediaTask::Unpublish))));
        assert!(ended.contains(&(99, unsubscribe())), "{ended:?}");
        assert!(!ended.iter().any(|(conn, _)| *conn == WC || *conn == VC));
    }

    #[test]
    fn a_stream_whose_media_server_is_lost_goes_on_peer_to_peer() {
        let mut hub = Hub::new(10);
        hub.broadcast(BC, B, "s", Via::MediaServer).unwrap();
        hub.publish(BC, "s", vec![FEED]).unwrap();
        hub.join(VC, V, "s").unwrap();
        let before = format!("{hub:?}");
        assert_eq!(
            hub.reroute(VC, "s"),
            Err(Refusal::NotBroadcasting("s".into()))
        );
        assert_eq!(format!("{hub:?}"), before);
        let peers = Notice::Route {
            stream_id: "s".into(),
            via: Via::Peers,
        };
        let watch = Notice::Watch {
            viewer: V,
            stream_id: "s".into(),
        };
        assert_eq!(
            hub.reroute(BC, "s"),
            Ok(vec![
                (BC, Notice::Media(MediaTask::Unpublish)),
                (BC, peers.clone()),
                (VC, unsubscribe()),
                (VC, peers),
                (BC, watch.clone()),
            ])
        );
        // From now on as any stream peer to peer: a newcomer is the broadcaster's to
        // offer to, and the stream cannot be rerouted or published again.
        let joined = hub.join(WC, W, "s").unwrap();
        assert!(joined.contains(&(
            BC,
            Notice::Watch {
                viewer: W,
                stream_id: "s".into()
            }
        )));
        assert_eq!(
            hub.reroute(BC, "s"),
            Err(Refusal::NotViaMediaServer("s".into()))
        );
        let ended = hub.stop_broadcast(BC, "s").unwrap();
        assert!(!ended.iter().any(|(_, n)| matches!(n, Notice::Media(_))));
    }

    #[test]
    fn only_the_broadcaster_of_a_stream_through_the_media_server_publishes() {
        let mut hub = Hub::new(10);
        hub.broadcast(BC, B, "s", Via::MediaServer).unwrap();
        hub.broadcast(WC, W, "peers", Via::Peers).unwrap();
        hub.join(VC, V, "s").unwrap();
        let before = format!("{hub:?}");
        assert_eq!(
            hub.publish(VC, "s", vec![FEED]),
            Err(Refusal::NotBroadcasting("s".into()))
        );
        assert_eq!(
            hub.publish(BC, "other", vec![FEED]),
            Err(Refusal::NotBroadcasting("other".into()))
        );
        assert_eq!(
            hub.publish(WC, "peers", vec![FEED]),
            Err(Refusal::NotViaMediaServer("peers".into()))
        );
        assert_eq!(format!("{hub:?}"), before);
        // A stream through peers never asks the media tier for anything.
        let joined = hub.join(VC, V, "peers").unwrap();
        assert!(!joined.iter().any(|(_, n)| matches!(n, Notice::Media(_))));
        let ended = hub.stop_broadcast(WC, "peers").unwrap();
        assert!(!ended.iter().any(|(_, n)| matches!(n, Notice::Media(_))));
    }
}
