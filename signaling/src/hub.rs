//! Who is live and who watches whom: the signaling state, as plain data and rules.
//! Every operation takes authenticated accounts and connection ids, and returns what
//! must be sent to which connection; the server only delivers it.
use crate::refusal::Refusal;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use std::collections::{BTreeMap, HashMap, HashSet};
use std::hash::Hash;
use w3bstreaming_keys::AccountId;

/// A change to who is live and who watches, made by the connection `conn`. Every
/// change goes through [`Hub::apply`], so that instances sharing one log of changes
/// hold the same hub.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "op", rename_all = "camelCase")]
pub enum Op<C> {
    /// See [`Hub::broadcast`].
    Broadcast {
        conn: C,
        broadcaster: AccountId,
        stream_id: String,
    },
    /// `viewer` joins `stream_id` if `broadcaster`, whom the chain says it follows,
    /// still broadcasts it ([`Hub::join`]).
    Join {
        conn: C,
        viewer: AccountId,
        stream_id: String,
        broadcaster: AccountId,
    },
    /// See [`Hub::leave`].
    Leave { conn: C, stream_id: String },
    /// See [`Hub::stop_broadcast`].
    StopBroadcast { conn: C, stream_id: String },
    /// See [`Hub::offer`].
    Offer {
        conn: C,
        viewer: AccountId,
        description: Value,
    },
    /// See [`Hub::answer`].
    Answer {
        conn: C,
        broadcaster: AccountId,
        description: Value,
    },
    /// See [`Hub::candidate`].
    Candidate {
        conn: C,
        to: AccountId,
        candidate: Value,
    },
    /// See [`Hub::disconnect`].
    Disconnect { conn: C },
}

/// What one connection is told.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Notice {
    IsStreaming(bool),
    WatchersCount(usize),
    /// To a broadcaster: `viewer` joined its stream.
    Watch {
        viewer: AccountId,
        stream_id: String,
    },
    /// To a viewer: the broadcaster ended the stream.
    StopBroadcasting {
        broadcaster: AccountId,
        stream_id: String,
        viewer: AccountId,
    },
    /// To a broadcaster: `viewer` left.
    StopWatching {
        viewer: AccountId,
        stream_id: String,
    },
    /// To a viewer, from its stream's broadcaster.
    Offer {
        broadcaster: AccountId,
        stream_id: String,
        viewer: AccountId,
        description: serde_json::Value,
    },
    /// To a broadcaster, from one of its viewers.
    Answer {
        broadcaster: AccountId,
        stream_id: String,
        viewer: AccountId,
        description: serde_json::Value,
    },
    /// To either end of a broadcaster-viewer pair, from the other.
    Candidate {
        from: AccountId,
        stream_id: String,
        candidate: serde_json::Value,
    },
    /// To a connection listening to `stream_id` ([`Hub::listen`]): whether it is live and
    /// how many watch it.
    Status {
        stream_id: String,
        live: bool,
        watchers: usize,
    },
}

impl<C> Op<C> {
    /// The change's name, as it is tagged in the log.
    pub fn name(&self) -> &'static str {
        match self {
            Self::Broadcast { .. } => "broadcast",
            Self::Join { .. } => "join",
            Self::Leave { .. } => "leave",
            Self::StopBroadcast { .. } => "stopBroadcast",
            Self::Offer { .. } => "offer",
            Self::Answer { .. } => "answer",
            Self::Candidate { .. } => "candidate",
            Self::Disconnect { .. } => "disconnect",
        }
    }
}

/// Notices to deliver, in order.
pub type Outbox<C> = Vec<(C, Notice)>;

// What is serialized is what instances share (a snapshot of it starts a new instance);
// what each tells its own connections, and when, is its own.
#[derive(Debug, Serialize, Deserialize)]
struct Live<C> {
    broadcaster: AccountId,
    broadcaster_conn: C,
    /// Ordered so that notices go out in a repeatable order.
    viewers: BTreeMap<AccountId, Seat<C>>,
    /// Whether some viewer may not have heard the current count
    /// ([`Hub::flush_counts`]).
    #[serde(skip)]
    count_changed: bool,
}

#[derive(Debug, Serialize, Deserialize)]
struct Seat<C> {
    conn: C,
    /// The watcher count this viewer was last told.
    #[serde(skip)]
    told: usize,
}

/// What one connection takes part in: the index by connection, so that its events
/// and its disconnect find their streams without looking through every live one.
#[derive(Debug, Default, Serialize, Deserialize)]
struct Part {
    /// The stream it broadcasts (one account per connection, one stream per account).
    broadcasts: Option<String>,
    /// The streams it watches, with the account watching.
    watches: BTreeMap<String, AccountId>,
    /// The streams whose status it hears.
    #[serde(skip)]
    listens: Vec<String>,
}

impl Part {
    fn is_empty(&self) -> bool {
        self.broadcasts.is_none() && self.watches.is_empty() && self.listens.is_empty()
    }
}

/// The parts other instances share: broadcasting or watching, not listening.
fn shared_parts<C: Serialize, S: serde::Serializer>(
    parts: &HashMap<C, Part>,
    serializer: S,
) -> Result<S::Ok, S::Error> {
    serializer.collect_map(
        parts
            .iter()
            .filter(|(_, part)| part.broadcasts.is_some() || !part.watches.is_empty()),
    )
}

/// The live streams, keyed by stream id, who takes part in them on which connection,
/// and who listens to which stream's status.
#[derive(Debug, Serialize, Deserialize)]
#[serde(bound(
    serialize = "C: Serialize + Eq + Hash",
    deserialize = "C: Deserialize<'de> + Eq + Hash"
))]
pub struct Hub<C> {
    live: HashMap<String, Live<C>>,
    /// Only connections that take part in something have an entry.
    #[serde(serialize_with = "shared_parts")]
    parts: HashMap<C, Part>,
    /// The stream each live broadcaster broadcasts.
    broadcasting: HashMap<AccountId, String>,
    #[serde(skip)]
    listeners: HashMap<String, HashSet<C>>,
    #[serde(skip)]
    max_viewers: usize,
}

/// Streams one connection may listen to at once: a schedule page's worth.
pub const MAX_LISTENED: usize = 200;

impl<C: Copy + Eq + Hash> Hub<C> {
    /// A hub admitting at most `max_viewers` viewers to one stream.
    pub fn new(max_viewers: usize) -> Self {
        Self {
            live: HashMap::new(),
            parts: HashMap::new(),
            broadcasting: HashMap::new(),
            listeners: HashMap::new(),
            max_viewers,
        }
    }

    /// Admits at most `max_viewers` to one stream from now on (a hub read from a
    /// snapshot has no cap of its own).
    pub fn set_max_viewers(&mut self, max_viewers: usize) {
        self.max_viewers = max_viewers;
    }

    /// Applies `op`: what it changes, and what each connection must be told.
    pub fn apply(&mut self, op: Op<C>) -> Result<Outbox<C>, Refusal> {
        match op {
            Op::Broadcast {
                conn,
                broadcaster,
                stream_id,
            } => self.broadcast(conn, broadcaster, &stream_id),
            Op::Join {
                conn,
                viewer,
                stream_id,
                broadcaster,
            } => {
                // The stream may have stopped, or another broadcast started, while the
                // chain answered.
                if self.broadcaster(&stream_id) != Some(broadcaster) {
                    return Err(Refusal::NotStarted(stream_id));
                }
                self.join(conn, viewer, &stream_id)
            }
            Op::Leave { conn, stream_id } => self.leave(conn, &stream_id),
            Op::StopBroadcast { conn, stream_id } => self.stop_broadcast(conn, &stream_id),
            Op::Offer {
                conn,
                viewer,
                description,
            } => self.offer(conn, viewer, description),
            Op::Answer {
                conn,
                broadcaster,
                description,
            } => self.answer(conn, broadcaster, description),
            Op::Candidate {
                conn,
                to,
                candidate,
            } => self.candidate(conn, to, candidate),
            Op::Disconnect { conn } => Ok(self.disconnect(conn)),
        }
    }

    /// Disconnects every connection `gone` says is gone (an instance's, when it stops
    /// answering).
    pub fn disconnect_where(&mut self, gone: impl Fn(&C) -> bool) -> Outbox<C> {
        let conns: Vec<C> = self
            .parts
            .keys()
            .copied()
            .filter(|conn| gone(conn))
            .collect();
        conns
            .into_iter()
            .flat_map(|conn| self.disconnect(conn))
            .collect()
    }

    /// The connections that take part in something.
    pub fn conns(&self) -> impl Iterator<Item = &C> {
        self.parts.keys()
    }

    /// Changes what `conn` takes part in, and drops its entry once it is part of nothing.
    fn with_part<T>(&mut self, conn: C, change: impl FnOnce(&mut Part) -> T) -> T {
        let part = self.parts.entry(conn).or_default();
        let result = change(part);
        if part.is_empty() {
            self.parts.remove(&conn);
        }
        result
    }

    /// From now on `conn` hears the status of exactly `stream_ids` (at most
    /// [`MAX_LISTENED`]): at once, then whenever a stream goes live or ends, and when
    /// its watcher count changes, at the next [`Hub::flush_counts`]. This is how a page
    /// learns that a stream went live without asking again and again.
    pub fn listen(&mut self, conn: C, mut stream_ids: Vec<String>) -> Result<Outbox<C>, Refusal> {
        if stream_ids.len() > MAX_LISTENED {
            return Err(Refusal::TooManyListened(MAX_LISTENED));
        }
        self.unlisten(conn);
        stream_ids.sort();
        stream_ids.dedup();
        let outbox = stream_ids
            .iter()
            .map(|stream_id| (conn, self.status(stream_id)))
            .collect();
        for stream_id in &stream_ids {
            self.listeners
                .entry(stream_id.clone())
                .or_default()
                .insert(conn);
        }
        self.with_part(conn, |part| part.listens = stream_ids);
        Ok(outbox)
    }

    fn unlisten(&mut self, conn: C) {
        let listened = self.with_part(conn, |part| std::mem::take(&mut part.listens));
        for stream_id in listened {
            if let Some(conns) = self.listeners.get_mut(&stream_id) {
                conns.remove(&conn);
                if conns.is_empty() {
                    self.listeners.remove(&stream_id);
                }
            }
        }
    }

    fn status(&self, stream_id: &str) -> Notice {
        Notice::Status {
            stream_id: stream_id.to_string(),
            live: self.is_streaming(stream_id),
            watchers: self.viewers(stream_id),
        }
    }

    /// The status of `stream_id` for each connection listening to it.
    fn tell_listeners(&self, stream_id: &str, outbox: &mut Outbox<C>) {
        let Some(conns) = self.listeners.get(stream_id) else {
            return;
        };
        let status = self.status(stream_id);
        outbox.extend(conns.iter().map(|&conn| (conn, status.clone())));
    }

    /// The broadcaster of stream `stream_id`, if it is live.
    pub fn broadcaster(&self, stream_id: &str) -> Option<AccountId> {
        self.live.get(stream_id).map(|live| live.broadcaster)
    }

    pub fn is_streaming(&self, stream_id: &str) -> bool {
        self.live.contains_key(stream_id)
    }

    /// Viewers of a live stream; 0 when it is not live.
    pub fn viewers(&self, stream_id: &str) -> usize {
        self.live
            .get(stream_id)
            .map_or(0, |live| live.viewers.len())
    }

    /// Whether `account` is broadcasting any stream.
    pub fn is_broadcasting(&self, account: AccountId) -> bool {
        self.broadcasting.contains_key(&account)
    }

    /// How many others the connection `conn` signals with: the viewers of the stream
    /// it broadcasts and the broadcasters of the streams it watches.
    pub fn peers(&self, conn: C) -> usize {
        self.parts.get(&conn).map_or(0, |part| {
            let viewers = part
                .broadcasts
                .as_deref()
                .map_or(0, |stream_id| self.viewers(stream_id));
            viewers + part.watches.len()
        })
    }

    /// Whether `conn` broadcasts, watches or listens to anything.
    pub fn takes_part(&self, conn: C) -> bool {
        self.parts.contains_key(&conn)
    }

    /// Live streams.
    pub fn live_streams(&self) -> usize {
        self.live.len()
    }

    /// Viewers of all live streams together.
    pub fn all_viewers(&self) -> usize {
        self.live.values().map(|live| live.viewers.len()).sum()
    }

    /// `broadcaster` (checked on chain to own `stream_id`) goes live on `conn`: one
    /// stream per broadcaster at a time.
    fn broadcast(
        &mut self,
        conn: C,
        broadcaster: AccountId,
        stream_id: &str,
    ) -> Result<Outbox<C>, Refusal> {
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
                viewers: BTreeMap::new(),
                count_changed: false,
            },
        );
        self.broadcasting.insert(broadcaster, stream_id.to_string());
        self.with_part(conn, |part| part.broadcasts = Some(stream_id.to_string()));
        let mut outbox = vec![(conn, Notice::IsStreaming(true))];
        self.tell_listeners(stream_id, &mut outbox);
        Ok(outbox)
    }

    /// `viewer` (checked on chain to follow the broadcaster) joins a live stream on
    /// `conn`; a second join of the same account moves it to the new connection. The
    /// broadcaster and the viewer hear the new count at once, the other viewers at
    /// the next [`Hub::flush_counts`].
    fn join(&mut self, conn: C, viewer: AccountId, stream_id: &str) -> Result<Outbox<C>, Refusal> {
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
        live.viewers.insert(viewer, Seat { conn, told: count });
        live.count_changed = true;
        let broadcaster_conn = live.broadcaster_conn;
        if let Some(moved_from) = seated {
            self.with_part(moved_from, |part| part.watches.remove(stream_id));
        }
        self.with_part(conn, |part| {
            part.watches.insert(stream_id.to_string(), viewer)
        });
        let watch = Notice::Watch {
            viewer,
            stream_id: stream_id.to_string(),
        };
        Ok(vec![
            (broadcaster_conn, watch),
            (broadcaster_conn, Notice::WatchersCount(count)),
            (conn, Notice::WatchersCount(count)),
            (conn, Notice::IsStreaming(true)),
        ])
    }

    /// The broadcaster on `conn` ends `stream_id`.
    fn stop_broadcast(&mut self, conn: C, stream_id: &str) -> Result<Outbox<C>, Refusal> {
        match self.parts.get(&conn) {
            Some(part) if part.broadcasts.as_deref() == Some(stream_id) => Ok(self.end(stream_id)),
            _ => Err(Refusal::NotBroadcasting(stream_id.to_string())),
        }
    }

    /// The viewer on `conn` leaves `stream_id`; the broadcaster hears the new count at
    /// once, the other viewers at the next [`Hub::flush_counts`].
    fn leave(&mut self, conn: C, stream_id: &str) -> Result<Outbox<C>, Refusal> {
        let viewer = self
            .parts
            .get(&conn)
            .and_then(|part| part.watches.get(stream_id).copied())
            .ok_or_else(|| Refusal::NotWatching(stream_id.to_string()))?;
        self.with_part(conn, |part| part.watches.remove(stream_id));
        let live = self
            .live
            .get_mut(stream_id)
            .expect("a watched stream is live");
        live.viewers.remove(&viewer);
        live.count_changed = true;
        let stop = Notice::StopWatching {
            viewer,
            stream_id: stream_id.to_string(),
        };
        let count = Notice::WatchersCount(live.viewers.len());
        Ok(vec![
            (live.broadcaster_conn, stop),
            (live.broadcaster_conn, count),
        ])
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

    /// The stream `conn` broadcasts.
    fn broadcast_on(&self, conn: C) -> Option<(&String, &Live<C>)> {
        let stream_id = self.parts.get(&conn)?.broadcasts.as_ref()?;
        Some((stream_id, &self.live[stream_id]))
    }

    /// The broadcaster on `conn` sends `viewer` an SDP offer for its stream.
    fn offer(
        &self,
        conn: C,
        viewer: AccountId,
        description: serde_json::Value,
    ) -> Result<Outbox<C>, Refusal> {
        let (stream_id, live) = self
            .broadcast_on(conn)
            .ok_or(Refusal::NoSuchViewer(viewer))?;
        let seat = live
            .viewers
            .get(&viewer)
            .ok_or(Refusal::NoSuchViewer(viewer))?;
        Ok(vec![(
            seat.conn,
            Notice::Offer {
                broadcaster: live.broadcaster,
                stream_id: stream_id.clone(),
                viewer,
                description,
            },
        )])
    }

    /// The viewer on `conn` answers the offer of `broadcaster`.
    fn answer(
        &self,
        conn: C,
        broadcaster: AccountId,
        description: serde_json::Value,
    ) -> Result<Outbox<C>, Refusal> {
        let (stream_id, live, viewer) = self
            .watched(conn, broadcaster)
            .ok_or_else(|| Refusal::NotWatching(broadcaster.to_string()))?;
        Ok(vec![(
            live.broadcaster_conn,
            Notice::Answer {
                broadcaster,
                stream_id: stream_id.clone(),
                viewer,
                description,
            },
        )])
    }

    /// An ICE candidate from the connection `conn` to its peer `to`: a broadcaster's to
    /// one of its viewers, or a viewer's to the broadcaster it watches.
    fn candidate(
        &self,
        conn: C,
        to: AccountId,
        candidate: serde_json::Value,
    ) -> Result<Outbox<C>, Refusal> {
        if let Some((stream_id, live)) = self.broadcast_on(conn) {
            if let Some(seat) = live.viewers.get(&to) {
                let notice = Notice::Candidate {
                    from: live.broadcaster,
                    stream_id: stream_id.clone(),
                    candidate,
                };
                return Ok(vec![(seat.conn, notice)]);
            }
        }
        let (stream_id, live, viewer) = self.watched(conn, to).ok_or(Refusal::NoPeer(to))?;
        let notice = Notice::Candidate {
            from: viewer,
            stream_id: stream_id.clone(),
            candidate,
        };
        Ok(vec![(live.broadcaster_conn, notice)])
    }

    /// Everything `conn` was part of ends: its stream stops, it leaves the streams it
    /// watches, it listens no more.
    fn disconnect(&mut self, conn: C) -> Outbox<C> {
        self.unlisten(conn);
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

    /// The stream of `broadcaster` that `conn` watches, with the viewer's account.
    fn watched(&self, conn: C, broadcaster: AccountId) -> Option<(&String, &Live<C>, AccountId)> {
        let part = self.parts.get(&conn)?;
        part.watches.iter().find_map(|(stream_id, &viewer)| {
            let live = &self.live[stream_id];
            (live.broadcaster == broadcaster).then_some((stream_id, live, viewer))
        })
    }

    fn end(&mut self, stream_id: &str) -> Outbox<C> {
        let live = self.live.remove(stream_id).expect("the stream is live");
        self.broadcasting.remove(&live.broadcaster);
        self.with_part(live.broadcaster_conn, |part| part.broadcasts = None);
        let mut outbox = vec![(live.broadcaster_conn, Notice::IsStreaming(false))];
        for (&viewer, seat) in &live.viewers {
            self.with_part(seat.conn, |part| part.watches.remove(stream_id));
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

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    const B: AccountId = AccountId([1; 32]);
    const V: AccountId = AccountId([2; 32]);
    const W: AccountId = AccountId([3; 32]);
    const STRANGER: AccountId = AccountId([9; 32]);
    // Connection ids.
    const BC: u32 = 10;
    const VC: u32 = 20;
    const WC: u32 = 30;

    fn live_with_viewers() -> Hub<u32> {
        let mut hub = Hub::new(2);
        hub.broadcast(BC, B, "s").unwrap();
        hub.join(VC, V, "s").unwrap();
        hub.join(WC, W, "s").unwrap();
        hub
    }

    #[test]
    fn a_join_tells_the_broadcaster_and_the_viewer_at_once() {
        let mut hub = Hub::new(10);
        assert_eq!(
            hub.broadcast(BC, B, "s"),
            Ok(vec![(BC, Notice::IsStreaming(true))])
        );
        assert!(hub.is_broadcasting(B) && hub.is_streaming("s"));
        let outbox = hub.join(VC, V, "s").unwrap();
        assert_eq!(
            outbox,
            vec![
                (
                    BC,
                    Notice::Watch {
                        viewer: V,
                        stream_id: "s".into()
                    }
                ),
                (BC, Notice::WatchersCount(1)),
                (VC, Notice::WatchersCount(1)),
                (VC, Notice::IsStreaming(true)),
            ]
        );
    }

    #[test]
    fn the_other_viewers_hear_a_changed_count_once() {
        let mut hub = Hub::new(10);
        hub.broadcast(BC, B, "s").unwrap();
        assert_eq!(hub.flush_counts(), []);
        hub.join(VC, V, "s").unwrap();
        let outbox = hub.join(WC, W, "s").unwrap();
        assert!(!outbox.iter().any(|(conn, _)| *conn == VC), "{outbox:?}");
        hub.join(99, STRANGER, "s").unwrap();
        // The last to join heard 3 already.
        let counts = [
            (VC, Notice::WatchersCount(3)),
            (WC, Notice::WatchersCount(3)),
        ];
        assert_eq!(hub.flush_counts(), counts);
        assert_eq!(hub.flush_counts(), []);
        hub.leave(WC, "s").unwrap();
        let counts = [
            (VC, Notice::WatchersCount(2)),
            (99, Notice::WatchersCount(2)),
        ];
        assert_eq!(hub.flush_counts(), counts);
        // Left and back between two flushes: heard on joining, and the others' count
        // is what they were told.
        hub.leave(99, "s").unwrap();
        hub.join(99, STRANGER, "s").unwrap();
        assert_eq!(hub.flush_counts(), []);
        hub.stop_broadcast(BC, "s").unwrap();
        assert_eq!(hub.flush_counts(), []);
    }

    #[test]
    fn peers_are_a_broadcasters_viewers_and_a_viewers_broadcasters() {
        let mut hub = live_with_viewers();
        assert_eq!((hub.peers(BC), hub.peers(VC), hub.peers(99)), (2, 1, 0));
        hub.broadcast(WC, W, "w's").unwrap();
        hub.join(VC, V, "w's").unwrap();
        assert_eq!((hub.peers(BC), hub.peers(VC), hub.peers(WC)), (2, 2, 2));
        hub.disconnect(VC);
        assert_eq!((hub.peers(BC), hub.peers(VC), hub.peers(WC)), (1, 0, 1));
    }

    #[test]
    fn refusals() {
        let mut hub = live_with_viewers();
        let before = format!("{hub:?}");
        assert_eq!(
            hub.broadcast(99, B, "other"),
            Err(Refusal::AlreadyBroadcasting)
        );
        assert_eq!(
            hub.join(99, STRANGER, "nope"),
            Err(Refusal::NotStarted("nope".into()))
        );
        assert_eq!(
            hub.join(99, STRANGER, "s"),
            Err(Refusal::Full {
                stream_id: "s".into(),
                cap: 2
            })
        );
        assert_eq!(
            hub.stop_broadcast(VC, "s"),
            Err(Refusal::NotBroadcasting("s".into()))
        );
        assert_eq!(hub.leave(99, "s"), Err(Refusal::NotWatching("s".into())));
        assert_eq!(hub.offer(VC, W, json!({})), Err(Refusal::NoSuchViewer(W)));
        assert_eq!(
            hub.offer(BC, STRANGER, json!({})),
            Err(Refusal::NoSuchViewer(STRANGER))
        );
        assert_eq!(
            hub.answer(99, B, json!({})),
            Err(Refusal::NotWatching(B.to_string()))
        );
        assert_eq!(
            hub.answer(VC, W, json!({})),
            Err(Refusal::NotWatching(W.to_string()))
        );
        assert_eq!(hub.candidate(VC, W, json!({})), Err(Refusal::NoPeer(W)));
        assert_eq!(hub.candidate(99, B, json!({})), Err(Refusal::NoPeer(B)));
        assert_eq!(format!("{hub:?}"), before, "a refusal changes nothing");
        // A viewer already in may rejoin (a new tab) although the stream is full.
        assert!(hub.join(99, V, "s").is_ok());
        assert_eq!(hub.viewers("s"), 2);
        assert_eq!(hub.leave(VC, "s"), Err(Refusal::NotWatching("s".into())));
        assert_eq!((hub.peers(VC), hub.peers(99)), (0, 1));
    }

    #[test]
    fn relays_go_only_between_a_broadcaster_and_its_viewers() {
        let hub = live_with_viewers();
        let sdp = json!({ "type": "offer", "sdp": "v=0" });
        assert_eq!(
            hub.offer(BC, V, sdp.clone()),
            Ok(vec![(
                VC,
                Notice::Offer {
                    broadcaster: B,
                    stream_id: "s".into(),
                    viewer: V,
                    description: sdp.clone()
                }
            )])
        );
        assert_eq!(
            hub.answer(WC, B, sdp.clone()),
            Ok(vec![(
                BC,
                Notice::Answer {
                    broadcaster: B,
                    stream_id: "s".into(),
                    viewer: W,
                    description: sdp
                }
            )])
        );
        let candidate = json!({ "candidate": "candidate:1" });
        assert_eq!(
            hub.candidate(BC, W, candidate.clone()),
            Ok(vec![(
                WC,
                Notice::Candidate {
                    from: B,
                    stream_id: "s".into(),
                    candidate: candidate.clone()
                }
            )])
        );
        assert_eq!(
            hub.candidate(VC, B, candidate.clone()),
            Ok(vec![(
                BC,
                Notice::Candidate {
                    from: V,
                    stream_id: "s".into(),
                    candidate
                }
            )])
        );
    }

    #[test]
    fn stopping_tells_every_viewer_and_frees_the_broadcaster() {
        let mut hub = live_with_viewers();
        let outbox = hub.stop_broadcast(BC, "s").unwrap();
        assert_eq!(outbox[0], (BC, Notice::IsStreaming(false)));
        for (conn, viewer) in [(VC, V), (WC, W)] {
            assert!(outbox.contains(&(conn, Notice::IsStreaming(false))));
            let stop = Notice::StopBroadcasting {
                broadcaster: B,
                stream_id: "s".into(),
                viewer,
            };
            assert!(outbox.contains(&(conn, stop)));
        }
        assert!(!hub.is_streaming("s") && !hub.is_broadcasting(B));
        assert!(hub.broadcast(BC, B, "s").is_ok());
    }

    #[test]
    fn a_disconnect_ends_what_the_connection_was_part_of() {
        let mut hub = live_with_viewers();
        let outbox = hub.disconnect(VC);
        assert_eq!(
            outbox[0],
            (
                BC,
                Notice::StopWatching {
                    viewer: V,
                    stream_id: "s".into()
                }
            )
        );
        assert!(outbox.contains(&(BC, Notice::WatchersCount(1))));
        assert_eq!(hub.flush_counts(), [(WC, Notice::WatchersCount(1))]);
        assert_eq!(hub.viewers("s"), 1);
        let outbox = hub.disconnect(BC);
        assert!(outbox.contains(&(
            WC,
            Notice::StopBroadcasting {
                broadcaster: B,
                stream_id: "s".into(),
                viewer: W
            }
        )));
        assert_eq!(hub.live_streams(), 0);
        assert!(hub.disconnect(WC).is_empty());
        assert!(hub.parts.is_empty() && hub.broadcasting.is_empty());
    }
    fn status(stream_id: &str, live: bool, watchers: usize) -> Notice {
        Notice::Status {
            stream_id: stream_id.into(),
            live,
            watchers,
        }
    }

    const LC: u32 = 40;
    const MC: u32 = 50;

    #[test]
    fn listeners_hear_a_stream_go_live_its_count_change_and_end() {
        let mut hub = Hub::new(10);
        let ids = vec!["s".to_string(), "t".to_string(), "s".to_string()];
        assert_eq!(
            hub.listen(LC, ids),
            Ok(vec![
                (LC, status("s", false, 0)),
                (LC, status("t", false, 0))
            ])
        );
        hub.listen(MC, vec!["s".into()]).unwrap();
        let mut outbox = hub.broadcast(BC, B, "s").unwrap();
        outbox.sort_by_key(|(conn, _)| *conn);
        assert_eq!(
            outbox,
            [
                (BC, Notice::IsStreaming(true)),
                (LC, status("s", true, 0)),
                (MC, status("s", true, 0)),
            ]
        );
        let outbox = hub.join(VC, V, "s").unwrap();
        assert!(!outbox.iter().any(|(conn, _)| *conn == LC), "{outbox:?}");
        hub.join(WC, W, "s").unwrap();
        let mut outbox = hub.flush_counts();
        outbox.sort_by_key(|(conn, _)| *conn);
        assert_eq!(
            outbox,
            [
                (VC, Notice::WatchersCount(2)),
                (LC, status("s", true, 2)),
                (MC, status("s", true, 2)),
            ]
        );
        assert_eq!(hub.flush_counts(), [], "told once");
        // Listening again replaces what was listened to.
        assert_eq!(
            hub.listen(MC, vec!["t".into()]),
            Ok(vec![(MC, status("t", false, 0))])
        );
        let outbox = hub.stop_broadcast(BC, "s").unwrap();
        assert!(outbox.contains(&(LC, status("s", false, 0))), "{outbox:?}");
        assert!(!outbox.iter().any(|(conn, _)| *conn == MC), "{outbox:?}");
    }

    #[test]
    fn a_listener_that_leaves_or_asks_too_much_hears_nothing() {
        let mut hub = Hub::new(10);
        let many = (0..=MAX_LISTENED).map(|i| i.to_string()).collect();
        assert_eq!(
            hub.listen(LC, many),
            Err(Refusal::TooManyListened(MAX_LISTENED))
        );
        assert_eq!(
            Refusal::TooManyListened(MAX_LISTENED).to_string(),
            "Listen to at most 200 streams on one connection"
        );
        hub.listen(LC, vec!["s".into()]).unwrap();
        hub.listen(MC, vec!["s".into()]).unwrap();
        hub.listen(MC, Vec::new()).unwrap();
        assert!(hub.disconnect(LC).is_empty());
        assert_eq!(
            hub.broadcast(BC, B, "s"),
            Ok(vec![(BC, Notice::IsStreaming(true))])
        );
        assert!(hub.listeners.is_empty() && !hub.takes_part(LC) && !hub.takes_part(MC));
    }
}
