//! Who is live and who watches whom: the signaling state, as plain data and rules.
//! Every operation takes authenticated accounts and connection ids, and returns what
//! must be sent to which connection; the server only delivers it. [`changes`] names
//! what comes in and goes out; [`streams`] holds going live, joining and leaving,
//! [`media`] a stream through the media server, [`servers`] which media server each
//! viewer receives from, [`relay`] what passes between peers, and [`listeners`] who
//! hears which stream's status.
use crate::{
    chat::ChatMessage,
    media::{Feed, ServerId},
    refusal::Refusal,
};
use serde::{Deserialize, Serialize};
use servers::Loads;
use std::collections::{BTreeMap, BTreeSet, HashMap, VecDeque};
use std::hash::Hash;
use std::sync::Arc;
use w3bstreaming_keys::AccountId;

mod changes;
mod chat;
mod listeners;
mod media;
mod moderation;
mod parts;
mod relay;
mod roles;
mod servers;
mod streams;
#[cfg(test)]
mod tests;
mod tips;

use parts::{shared_key, take_out, Part};

pub use changes::{MediaTask, Notice, Op, Outbox, Via};
pub use listeners::MAX_LISTENED;

// What is serialized is what instances share (a snapshot of it starts a new instance);
// what each tells its own connections, and when, is its own.
#[derive(Debug, Serialize, Deserialize)]
struct Live<C> {
    broadcaster: AccountId,
    broadcaster_conn: C,
    #[serde(default)]
    via: Via,
    /// What viewers subscribe to, once the broadcaster has published (through the
    /// media server only): the feed in the media server it published to, then its
    /// relays' in others.
    #[serde(default)]
    feeds: Vec<Feed>,
    /// Ordered so that notices go out in a repeatable order.
    viewers: BTreeMap<AccountId, Seat<C>>,
    /// Whether some viewer may not have heard the current count
    /// ([`Hub::flush_counts`]).
    #[serde(skip)]
    count_changed: bool,
    /// The chat's last messages, oldest first.
    #[serde(default)]
    chat: VecDeque<ChatMessage>,
    /// Messages posted so far: the last one's id.
    #[serde(default)]
    chat_posted: u64,
    #[serde(default)]
    moderation: moderation::Moderation,
    /// The tips shown in the chat, by number, so that each is shown once.
    #[serde(default)]
    tips_shown: BTreeSet<u64>,
}

#[derive(Debug, Serialize, Deserialize)]
struct Seat<C> {
    conn: C,
    /// The watcher count this viewer was last told.
    #[serde(skip)]
    told: usize,
    /// The media server it receives from.
    #[serde(default)]
    server: Option<ServerId>,
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
    /// Who listens to each stream, in the order they came: a short list for most.
    #[serde(skip)]
    listeners: HashMap<Arc<str>, Vec<C>>,
    /// Who reads each stream's chat on this instance.
    #[serde(skip)]
    chat_readers: HashMap<Arc<str>, Vec<C>>,
    /// The chats of ended streams whose broadcasters chose to keep them, oldest
    /// ending first ([`chat::KeptChat`]).
    #[serde(default)]
    kept: VecDeque<chat::KeptChat>,
    /// The media servers found down.
    #[serde(default)]
    down: BTreeSet<ServerId>,
    #[serde(default)]
    loads: Loads,
    #[serde(skip)]
    max_viewers: usize,
}

impl<C: Copy + Eq + Hash> Hub<C> {
    /// A hub admitting at most `max_viewers` viewers to one stream.
    pub fn new(max_viewers: usize) -> Self {
        Self {
            live: HashMap::new(),
            parts: HashMap::new(),
            broadcasting: HashMap::new(),
            listeners: HashMap::new(),
            chat_readers: HashMap::new(),
            kept: VecDeque::new(),
            down: BTreeSet::new(),
            loads: Loads::default(),
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
                via,
            } => self.broadcast(conn, broadcaster, &stream_id, via),
            Op::Publish {
                conn,
                stream_id,
                feeds,
            } => self.publish(conn, &stream_id, feeds),
            Op::ServerDown { server } => Ok(self.server_down(server)),
            Op::ServerUp { server } => Ok(self.server_up(server)),
            Op::Reroute { conn, stream_id } => self.reroute(conn, &stream_id),
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
            Op::Chat {
                stream_id,
                author,
                name,
                text,
                at_ms,
                ..
            } => self.chat(
                &stream_id,
                chat::Post {
                    author,
                    name,
                    text,
                    at_ms,
                },
            ),
            Op::ChatTip {
                stream_id,
                tipper,
                name,
                tip,
                text,
                at_ms,
                ..
            } => {
                let post = chat::Post {
                    author: tipper,
                    name,
                    text,
                    at_ms,
                };
                self.show_tip(&stream_id, post, tip)
            }
            Op::ChatDelete { .. } | Op::ChatTimeout { .. } | Op::ChatSettings { .. } => {
                let (stream_id, by, change) = op.moderation().expect("a moderation change");
                self.moderate(stream_id, by, change)
            }
            Op::ChannelRole {
                broadcaster,
                account,
                role,
                ..
            } => Ok(self.channel_role(broadcaster, account, role)),
        }
    }

    /// Whether [`Hub::apply`] would take `op`, or the refusal it would give, found
    /// without changing anything. Sharing the hub, an instance asks before it writes
    /// `op` to the log, so that a leave, an end or a relay that the hub would refuse
    /// (from a stranger, say) never reaches the log. A join or a broadcast was checked
    /// on chain first, and a disconnect always applies.
    pub fn check(&self, op: &Op<C>) -> Result<(), Refusal> {
        match op {
            Op::Broadcast { .. }
            | Op::Join { .. }
            | Op::Disconnect { .. }
            | Op::ServerDown { .. }
            | Op::ServerUp { .. }
            | Op::ChannelRole { .. } => Ok(()),
            Op::Leave { conn, stream_id } => self.viewer_on(*conn, stream_id).map(drop),
            Op::StopBroadcast { conn, stream_id } => self.broadcaster_on(*conn, stream_id),
            Op::Publish {
                conn, stream_id, ..
            }
            | Op::Reroute { conn, stream_id } => self.may_publish(*conn, stream_id),
            Op::Offer { conn, viewer, .. } => self.offer_route(*conn, *viewer).map(drop),
            Op::Answer {
                conn, broadcaster, ..
            } => self.answer_route(*conn, *broadcaster).map(drop),
            Op::Candidate { conn, to, .. } => self.candidate_route(*conn, *to).map(drop),
            Op::Chat {
                stream_id,
                author,
                at_ms,
                ..
            } => self.may_chat(stream_id, *author, *at_ms),
            Op::ChatTip { stream_id, .. } => self.may_show_tip(stream_id),
            Op::ChatDelete { .. } | Op::ChatTimeout { .. } | Op::ChatSettings { .. } => {
                let (stream_id, by, change) = op.moderation().expect("a moderation change");
                self.may_moderate(stream_id, by, change)
            }
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
    /// Every viewer's seat: its connection, the viewer, the stream and its broadcaster.
    pub fn seats(&self) -> impl Iterator<Item = (C, AccountId, &str, AccountId)> {
        self.live.iter().flat_map(|(stream_id, live)| {
            live.viewers.iter().map(move |(&viewer, seat)| {
                (seat.conn, viewer, stream_id.as_str(), live.broadcaster)
            })
        })
    }

    /// Whether viewers of `stream_id` may still be given `feed`.
    pub fn has_feed(&self, stream_id: &str, feed: Feed) -> bool {
        self.live
            .get(stream_id)
            .is_some_and(|live| live.feeds.contains(&feed))
    }

    /// The stream `conn` broadcasts, if any.
    pub fn stream_of(&self, conn: C) -> Option<String> {
        self.parts.get(&conn)?.broadcasts.clone()
    }

    /// The broadcaster of stream `stream_id`, if it is live.
    pub fn broadcaster(&self, stream_id: &str) -> Option<AccountId> {
        self.live.get(stream_id).map(|live| live.broadcaster)
    }

    /// The connection broadcasting `stream_id` and its account, if it is live.
    pub fn broadcast_of(&self, stream_id: &str) -> Option<(C, AccountId)> {
        self.live
            .get(stream_id)
            .map(|live| (live.broadcaster_conn, live.broadcaster))
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

    /// Whether `conn` broadcasts or watches. Listening is not taking part: a listener
    /// keeps its connection only by renewing its `listen`.
    pub fn takes_part(&self, conn: C) -> bool {
        self.parts
            .get(&conn)
            .is_some_and(|part| part.broadcasts.is_some() || !part.watches.is_empty())
    }

    /// Live streams.
    pub fn live_streams(&self) -> usize {
        self.live.len()
    }

    /// Viewers of all live streams together.
    pub fn all_viewers(&self) -> usize {
        self.live.values().map(|live| live.viewers.len()).sum()
    }
}
