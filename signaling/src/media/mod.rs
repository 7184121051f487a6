//! The media server tier (docs/live.md, "The media server"): with Janus configured, a
//! broadcaster publishes its stream once, into a VideoRoom room of its own, and each
//! viewer the hub lets in receives it from Janus. Only this server talks to Janus
//! (every request carries the API secret), on behalf of the connections the hub let
//! in: a browser never learns a room, a feed or a handle, so knowing one gets nobody
//! anything. This module holds this instance's handles, by connection.
mod encoders;
mod janus;
mod layer;

pub use encoders::Encoders;

use janus::{Handle, Janus};
pub use janus::{JanusError, News};
pub use layer::Layer;
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};
use socketioxide::socket::Sid;
use std::{
    collections::{HashMap, HashSet},
    sync::Mutex,
    time::Duration,
};
use tokio::sync::mpsc::{self, UnboundedReceiver};
use w3bstreaming_keys::AccountId;

/// The VideoRoom's code for a feed it does not have (yet).
const NO_SUCH_FEED: i64 = 428;
/// How long and how often a subscription waits for its feed: 5 s at most.
const FEED_RETRY: Duration = Duration::from_millis(250);
const FEED_TRIES: u32 = 20;

/// A published stream, as viewers subscribe to it: the room and the publisher in it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Feed {
    pub room: u64,
    pub publisher: u64,
}

/// A publisher's handle, and the room it made.
struct Publisher {
    handle: Handle,
    room: u64,
}

/// This instance's part of the media server tier.
pub struct Media {
    janus: Janus,
    /// By the broadcaster's connection.
    publishers: Mutex<HashMap<Sid, Publisher>>,
    /// By the viewer's connection and the broadcaster it receives.
    subscribers: Mutex<HashMap<(Sid, AccountId), Handle>>,
    /// The handles whose peer connection came up.
    up: Mutex<HashSet<u64>>,
}

impl Media {
    /// The tier on the Janus whose HTTP API is at `url`, and what Janus says of its own
    /// accord: a peer connection up ([`Media::came_up`]), or a session lost (Janus
    /// died, restarted, or stopped answering: [`Media::forget`]).
    pub fn new(
        url: &str,
        api_secret: &str,
        answer_within: Duration,
    ) -> (Self, UnboundedReceiver<News>) {
        let (tell, news) = mpsc::unbounded_channel();
        let media = Self {
            janus: Janus::new(url, api_secret, answer_within, tell),
            publishers: Mutex::new(HashMap::new()),
            subscribers: Mutex::new(HashMap::new()),
            up: Mutex::new(HashSet::new()),
        };
        (media, news)
    }

    /// The peer connection of `handle` is up. Told of a handle already let go, it keeps
    /// nothing.
    pub fn came_up(&self, handle: u64) {
        let held = self
            .publishers
            .lock()
            .expect("publishers lock")
            .values()
            .any(|publisher| publisher.handle.id() == handle)
            || self
                .subscribers
                .lock()
                .expect("subscribers lock")
                .values()
                .any(|held| held.id() == handle);
        if held {
            self.up.lock().expect("up lock").insert(handle);
        }
    }

    /// Whether the publisher on `sid`, if it is still the `handle` it was, has its peer
    /// connection up.
    pub fn publisher_up(&self, sid: Sid, handle: u64) -> Option<bool> {
        let publishers = self.publishers.lock().expect("publishers lock");
        let publisher = publishers.get(&sid).filter(|p| p.handle.id() == handle)?;
        Some(self.is_up(publisher.handle.id()))
    }

    /// The connection whose publisher `handle` is, if it is one this instance holds.
    pub fn publisher_of(&self, handle: u64) -> Option<Sid> {
        let publishers = self.publishers.lock().expect("publishers lock");
        publishers
            .iter()
            .find(|(_, publisher)| publisher.handle.id() == handle)
            .map(|(sid, _)| *sid)
    }

    /// As [`Media::publisher_up`], for the viewer on `sid` receiving `broadcaster`.
    pub fn subscriber_up(&self, sid: Sid, broadcaster: AccountId, handle: u64) -> Option<bool> {
        let found = self
            .subscriber(sid, broadcaster)
            .filter(|h| h.id() == handle)?;
        Some(self.is_up(found.id()))
    }

    fn is_up(&self, handle: u64) -> bool {
        self.up.lock().expect("up lock").contains(&handle)
    }

    /// Drops, without asking Janus, every handle of the lost `session`: the connections
    /// whose publishers were in it, whose streams must go another way.
    pub fn forget(&self, session: u64) -> Vec<Sid> {
        let mut gone = Vec::new();
        self.subscribers
            .lock()
            .expect("subscribers lock")
            .retain(|_, handle| {
                let keep = handle.session() != session;
                if !keep {
                    gone.push(handle.id());
                }
                keep
            });
        let mut publishers = self.publishers.lock().expect("publishers lock");
        let lost: Vec<Sid> = publishers
            .iter()
            .filter(|(_, publisher)| publisher.handle.session() == session)
            .map(|(sid, _)| *sid)
            .collect();
        for sid in &lost {
            gone.extend(
                publishers
                    .remove(sid)
                    .map(|publisher| publisher.handle.id()),
            );
        }
        let mut up = self.up.lock().expect("up lock");
        for handle in gone {
            up.remove(&handle);
        }
        lost
    }

    /// Whether Janus answers now.
    pub async fn reachable(&self) -> Result<(), JanusError> {
        self.janus.reachable().await
    }

    /// Publishes the broadcaster on `sid` with its SDP `offer`, into a new room
    /// (`stream_id` names it in Janus's own lists): the feed viewers subscribe to,
    /// Janus's SDP answer and the publisher's handle. The offer's simulcast layers are
    /// in `rid_order` (`"lmh"`: smallest first), or largest first, as Janus assumes. A
    /// broadcaster publishing again replaces its feed.
    pub async fn publish(
        &self,
        sid: Sid,
        stream_id: &str,
        mut offer: Value,
        rid_order: Option<&'static str>,
    ) -> Result<(Feed, Value, u64), JanusError> {
        self.unpublish(sid).await;
        if let (Some(jsep), Some(order)) = (offer.as_object_mut(), rid_order) {
            jsep.insert("rid_order".into(), json!(order));
        }
        let handle = self.janus.attach().await?;
        let room = random_id();
        let create = json!({
            "request": "create",
            "room": room,
            "description": stream_id,
            "publishers": 1,
            // A keyframe every 10 s, so that a viewer who lost packets recovers.
            "fir_freq": 10,
            "audiocodec": "opus",
            "videocodec": "vp8,h264",
            "notify_joining": false,
        });
        if let Err(error) = self.janus.message(&handle, create, None).await {
            self.janus.detach(&handle).await;
            return Err(error);
        }
        let join = json!({
            "request": "joinandconfigure",
            "ptype": "publisher",
            "room": room,
            "display": stream_id,
        });
        let joined = self
            .janus
            .message(&handle, join, Some(offer))
            .await
            .and_then(|answer| match (answer.data["id"].as_u64(), answer.jsep) {
                (Some(publisher), Some(jsep)) => Ok((publisher, jsep)),
                _ => Err(JanusError::Refused {
                    code: 0,
                    reason: "the publisher joined without an id or an answer".into(),
                }),
            });
        let (publisher, jsep) = match joined {
            Ok(joined) => joined,
            Err(error) => {
                self.end_room(&handle, room).await;
                return Err(error);
            }
        };
        let id = handle.id();
        self.publishers
            .lock()
            .expect("publishers lock")
            .insert(sid, Publisher { handle, room });
        Ok((Feed { room, publisher }, jsep, id))
    }

    /// Ends what the broadcaster on `sid` publishes: its room goes, and every viewer's
    /// subscription in it with it.
    pub async fn unpublish(&self, sid: Sid) {
        let publisher = self
            .publishers
            .lock()
            .expect("publishers lock")
            .remove(&sid);
        if let Some(Publisher { handle, room }) = publisher {
            self.end_room(&handle, room).await;
        }
    }

    async fn end_room(&self, handle: &Handle, room: u64) {
        self.up.lock().expect("up lock").remove(&handle.id());
        let destroy = json!({ "request": "destroy", "room": room });
        if let Err(error) = self.janus.message(handle, destroy, None).await {
            tracing::warn!(room, %error, "could not destroy a room");
        }
        self.janus.detach(handle).await;
    }

    /// Subscribes the viewer on `sid` to `broadcaster`'s `feed`: Janus's SDP offer for
    /// the viewer. A viewer subscribing again replaces its subscription.
    pub async fn subscribe(
        &self,
        sid: Sid,
        broadcaster: AccountId,
        feed: Feed,
    ) -> Result<(Value, u64), JanusError> {
        self.unsubscribe(sid, broadcaster).await;
        let handle = self.janus.attach().await?;
        // Held before the offer goes out, so that the viewer's answer finds it.
        self.subscribers
            .lock()
            .expect("subscribers lock")
            .insert((sid, broadcaster), handle.clone());
        let join = json!({
            "request": "join",
            "ptype": "subscriber",
            "room": feed.room,
            "streams": [{ "feed": feed.publisher }],
        });
        let offer = self
            .join_when_published(&handle, join)
            .await
            .and_then(|answer| {
                answer.jsep.ok_or(JanusError::Refused {
                    code: 0,
                    reason: "the subscription came without an offer".into(),
                })
            });
        if offer.is_err() {
            self.unsubscribe(sid, broadcaster).await;
        }
        offer.map(|offer| (offer, handle.id()))
    }

    /// Sends the subscriber's `join`, again while Janus says the feed is not there yet:
    /// a publisher is a feed only once its peer connection is up, shortly after it
    /// joined, and viewers waiting for it are subscribed as soon as it joined.
    async fn join_when_published(
        &self,
        handle: &Handle,
        join: Value,
    ) -> Result<janus::PluginAnswer, JanusError> {
        let mut tries = 0;
        loop {
            match self.janus.message(handle, join.clone(), None).await {
                Err(JanusError::Refused {
                    code: NO_SUCH_FEED, ..
                }) if tries < FEED_TRIES => {
                    tries += 1;
                    tokio::time::sleep(FEED_RETRY).await;
                }
                answer => return answer,
            }
        }
    }

    /// Whether the viewer on `sid` receives `broadcaster` through the media server: its
    /// answer and candidates then go to Janus.
    pub fn subscribed(&self, sid: Sid, broadcaster: AccountId) -> bool {
        self.subscriber(sid, broadcaster).is_some()
    }

    /// The viewer's SDP answer to the offer of [`Media::subscribe`]: media starts.
    pub async fn answer(
        &self,
        sid: Sid,
        broadcaster: AccountId,
        answer: Value,
    ) -> Result<(), JanusError> {
        let start = json!({ "request": "start" });
        self.tell_subscriber(sid, broadcaster, start, Some(answer))
            .await
    }

    /// The viewer on `sid` receives `layer` of `broadcaster`'s video from now on.
    pub async fn set_layer(
        &self,
        sid: Sid,
        broadcaster: AccountId,
        layer: Layer,
    ) -> Result<(), JanusError> {
        let configure = json!({ "request": "configure", "substream": layer.substream() });
        self.tell_subscriber(sid, broadcaster, configure, None)
            .await
    }

    /// Sends the subscription of the viewer on `sid` to `broadcaster` the VideoRoom
    /// request `body`, if it has one.
    async fn tell_subscriber(
        &self,
        sid: Sid,
        broadcaster: AccountId,
        body: Value,
        jsep: Option<Value>,
    ) -> Result<(), JanusError> {
        match self.subscriber(sid, broadcaster) {
            Some(handle) => self.janus.message(&handle, body, jsep).await.map(drop),
            None => Ok(()),
        }
    }

    /// One of the viewer's ICE candidates.
    pub async fn candidate(
        &self,
        sid: Sid,
        broadcaster: AccountId,
        candidate: Value,
    ) -> Result<(), JanusError> {
        match self.subscriber(sid, broadcaster) {
            Some(handle) => self.janus.trickle(&handle, candidate).await,
            None => Ok(()),
        }
    }

    /// The viewer on `sid` no longer receives `broadcaster`.
    pub async fn unsubscribe(&self, sid: Sid, broadcaster: AccountId) {
        let handle = self
            .subscribers
            .lock()
            .expect("subscribers lock")
            .remove(&(sid, broadcaster));
        if let Some(handle) = handle {
            self.up.lock().expect("up lock").remove(&handle.id());
            self.janus.detach(&handle).await;
        }
    }

    /// Publishers and subscriptions this instance holds, for the metrics.
    pub fn counts(&self) -> (usize, usize) {
        (
            self.publishers.lock().expect("publishers lock").len(),
            self.subscribers.lock().expect("subscribers lock").len(),
        )
    }

    fn subscriber(&self, sid: Sid, broadcaster: AccountId) -> Option<Handle> {
        self.subscribers
            .lock()
            .expect("subscribers lock")
            .get(&(sid, broadcaster))
            .cloned()
    }
}

/// A room id no one can guess: ids are never shown to clients, and a guessed one would
/// still need the API secret, but two instances must not pick the same.
fn random_id() -> u64 {
    let mut bytes = [0; 8];
    getrandom::getrandom(&mut bytes).expect("the system has randomness");
    // Janus reads ids as JSON numbers: kept within what a double holds exactly.
    u64::from_le_bytes(bytes) >> 11
}
