//! Going live, joining, leaving and ending: the changes that decide who takes part in
//! which stream, and the counts they tell.
use super::{Hub, Live, MediaTask, Notice, Outbox, Seat, Via};
use crate::refusal::Refusal;
use std::{
    collections::{BTreeMap, VecDeque},
    hash::Hash,
};
use w3bstreaming_keys::AccountId;

impl<C: Copy + Eq + Hash> Hub<C> {
    /// `broadcaster` (checked on chain to own `stream_id`) goes live on `conn`, sending
    /// its video `via` peers or the media server: one stream per broadcaster at a time.
    pub(super) fn broadcast(
        &mut self,
        conn: C,
        broadcaster: AccountId,
        stream_id: &str,
        via: Via,
    ) -> Result<Outbox<C>, Refusal> {
        // Asked again on the connection that broadcasts it (a page making sure): as
        // the first time, changing nothing.
        if self.broadcaster_on(conn, stream_id).is_ok() {
            let via = self.live[stream_id].via;
            return Ok(went_live(conn, stream_id, via));
        }
        // A live stream's broadcaster is its owner, so a second broadcast of it is by
        // the same account.
        if self.is_broadcasting(broadcaster) || self.is_streaming(stream_id) {
            return Err(Refusal::AlreadyBroadcasting);
        }
        self.live.insert(
            stream_id.to_string(),
            Live {
                broadcaster,
                broadcaster_conn: conn,
                via,
                feeds: Vec::new(),
                viewers: BTreeMap::new(),
                count_changed: false,
                chat: VecDeque::new(),
                chat_posted: 0,
                moderation: Default::default(),
                tips_shown: Default::default(),
            },
        );
        self.unkeep_chat(stream_id);
        self.broadcasting.insert(broadcaster, stream_id.to_string());
        self.with_part(conn, |part| part.broadcasts = Some(stream_id.to_string()));
        let mut outbox = went_live(conn, stream_id, via);
        self.tell_listeners(stream_id, &mut outbox);
        Ok(outbox)
    }

    /// `viewer` (checked on chain to follow the broadcaster) joins a live stream on
    /// `conn`; a second join of the same account moves it to the new connection. The
    /// broadcaster and the viewer hear the new count at once, the other viewers at
    /// the next [`Hub::flush_counts`].
    pub(super) fn join(
        &mut self,
        conn: C,
        viewer: AccountId,
        stream_id: &str,
    ) -> Result<Outbox<C>, Refusal> {
        let cap = self.max_viewers;
        let live = self
            .live
            .get_mut(stream_id)
            .ok_or_else(|| Refusal::NotStarted(stream_id.to_string()))?;
        let seated = live.viewers.get(&viewer).map(|seat| seat.conn);
        if seated.is_none() && live.viewers.len() >= cap {
            return Err(Refusal::Full {
                stream_id: stream_id.to_string(),
                cap,
            });
        }
        let count = live.viewers.len() + usize::from(seated.is_none());
        let seat = Seat {
            conn,
            told: count,
            server: None,
        };
        if let Some(server) = live.viewers.insert(viewer, seat).and_then(|was| was.server) {
            self.loads.remove(server);
        }
        live.count_changed = true;
        let broadcaster_conn = live.broadcaster_conn;
        let (broadcaster, via) = (live.broadcaster, live.via);
        let mut outbox = Vec::new();
        if let Some(moved_from) = seated {
            self.with_part(moved_from, |part| part.watches.remove(stream_id));
            if via == Via::MediaServer && moved_from != conn {
                let task = MediaTask::Unsubscribe { broadcaster };
                outbox.push((moved_from, Notice::Media(task)));
            }
        }
        self.with_part(conn, |part| {
            part.watches.insert(stream_id.to_string(), viewer)
        });
        if via == Via::Peers {
            let watch = Notice::Watch {
                viewer,
                stream_id: stream_id.to_string(),
            };
            outbox.push((broadcaster_conn, watch));
        }
        let route = Notice::Route {
            stream_id: stream_id.to_string(),
            via,
        };
        outbox.extend([
            (broadcaster_conn, Notice::WatchersCount(count)),
            (conn, Notice::WatchersCount(count)),
            (conn, Notice::IsStreaming(true)),
            (conn, route),
        ]);
        // Through the media server the broadcaster sends to no one but the server: the
        // viewer's instance subscribes it now if there is a feed, else when the
        // broadcaster publishes (`Hub::publish`).
        outbox.extend(self.subscribe_task(stream_id, viewer));
        Ok(outbox)
    }

    /// The broadcaster on `conn` ends `stream_id`.
    pub(super) fn stop_broadcast(
        &mut self,
        conn: C,
        stream_id: &str,
    ) -> Result<Outbox<C>, Refusal> {
        self.broadcaster_on(conn, stream_id)?;
        Ok(self.end(stream_id))
    }

    /// Whether `conn` broadcasts `stream_id`, or why not.
    pub(super) fn broadcaster_on(&self, conn: C, stream_id: &str) -> Result<(), Refusal> {
        match self.parts.get(&conn) {
            Some(part) if part.broadcasts.as_deref() == Some(stream_id) => Ok(()),
            _ => Err(Refusal::NotBroadcasting(stream_id.to_string())),
        }
    }

    /// The viewer `conn` watches `stream_id` as, or why it does not.
    pub(super) fn viewer_on(&self, conn: C, stream_id: &str) -> Result<AccountId, Refusal> {
        self.parts
            .get(&conn)
            .and_then(|part| part.watches.get(stream_id).copied())
            .ok_or_else(|| Refusal::NotWatching(stream_id.to_string()))
    }

    /// The viewer on `conn` leaves `stream_id`; the broadcaster hears the new count at
    /// once, the other viewers at the next [`Hub::flush_counts`].
    pub(super) fn leave(&mut self, conn: C, stream_id: &str) -> Result<Outbox<C>, Refusal> {
        let viewer = self.viewer_on(conn, stream_id)?;
        self.with_part(conn, |part| part.watches.remove(stream_id));
        let live = self
            .live
            .get_mut(stream_id)
            .expect("a watched stream is live");
        if let Some(server) = live.viewers.remove(&viewer).and_then(|seat| seat.server) {
            self.loads.remove(server);
        }
        live.count_changed = true;
        let stop = Notice::StopWatching {
            viewer,
            stream_id: stream_id.to_string(),
        };
        let count = Notice::WatchersCount(live.viewers.len());
        let mut outbox = vec![
            (live.broadcaster_conn, stop),
            (live.broadcaster_conn, count),
        ];
        if live.via == Via::MediaServer {
            let task = MediaTask::Unsubscribe {
                broadcaster: live.broadcaster,
            };
            outbox.push((conn, Notice::Media(task)));
        }
        Ok(outbox)
    }

    /// The current count for every viewer who has not heard it yet. Telling every
    /// viewer on every join would send a crowd of n viewers n² notices as it gathers;
    /// called once a second, this sends each viewer one a second at most.
    /// Listeners hear a changed count here too, once per call.
    pub fn flush_counts(&mut self) -> Outbox<C> {
        let mut outbox = Vec::new();
        let mut changed = Vec::new();
        for (stream_id, live) in self.live.iter_mut().filter(|(_, live)| live.count_changed) {
            live.count_changed = false;
            changed.push(stream_id.clone());
            let count = live.viewers.len();
            for seat in live.viewers.values_mut().filter(|seat| seat.told != count) {
                seat.told = count;
                outbox.push((seat.conn, Notice::WatchersCount(count)));
            }
        }
        for stream_id in changed {
            self.tell_listeners(&stream_id, &mut outbox);
        }
        outbox
    }

    /// Everything `conn` was part of ends: its stream stops, it leaves the streams it
    /// watches, it listens and reads chat no more.
    pub(super) fn disconnect(&mut self, conn: C) -> Outbox<C> {
        self.unlisten(conn);
        self.unread_chat(conn);
        let Some(part) = self.parts.get(&conn) else {
            return Vec::new();
        };
        let broadcasts = part.broadcasts.clone();
        let watches: Vec<String> = part.watches.keys().cloned().collect();
        let mut outbox = Vec::new();
        for stream_id in watches {
            outbox.extend(self.leave(conn, &stream_id).expect("conn watches it"));
        }
        if let Some(stream_id) = broadcasts {
            outbox.extend(self.end(&stream_id));
        }
        outbox
    }

    pub(super) fn end(&mut self, stream_id: &str) -> Outbox<C> {
        let mut live = self.live.remove(stream_id).expect("the stream is live");
        self.keep_chat(stream_id, &mut live);
        self.loads.release(&mut live);
        self.broadcasting.remove(&live.broadcaster);
        self.with_part(live.broadcaster_conn, |part| part.broadcasts = None);
        let mut outbox = vec![(live.broadcaster_conn, Notice::IsStreaming(false))];
        let media = live.via == Via::MediaServer;
        if media {
            outbox.push((live.broadcaster_conn, Notice::Media(MediaTask::Unpublish)));
        }
        for (&viewer, seat) in &live.viewers {
            self.with_part(seat.conn, |part| part.watches.remove(stream_id));
            if media {
                let task = MediaTask::Unsubscribe {
                    broadcaster: live.broadcaster,
                };
                outbox.push((seat.conn, Notice::Media(task)));
            }
            outbox.push((seat.conn, Notice::IsStreaming(false)));
            outbox.push((
                seat.conn,
                Notice::StopBroadcasting {
                    broadcaster: live.broadcaster,
                    stream_id: stream_id.to_string(),
                    viewer,
                },
            ));
        }
        self.tell_listeners(stream_id, &mut outbox);
        outbox
    }
}

/// What a broadcaster hears once live: that it is, and where to send its video.
fn went_live<C>(conn: C, stream_id: &str, via: Via) -> Outbox<C>
where
    C: Copy,
{
    let route = Notice::Route {
        stream_id: stream_id.to_string(),
        via,
    };
    vec![(conn, Notice::IsStreaming(true)), (conn, route)]
}
