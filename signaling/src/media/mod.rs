//! The media server tier (docs/live.md, "The media server"): with Janus configured, a
//! broadcaster publishes its stream once, into a VideoRoom room of its own on the
//! least loaded media server, which forwards it to a room on each other one (a relay,
//! `relay.rs`); each viewer the hub lets in receives it from the media server the hub
//! gives it. Only this server talks to Janus (every request carries the API secret),
//! on behalf of the connections the hub let in: a browser never learns a room, a feed
//! or a handle, so knowing one gets nobody anything. This module holds this
//! instance's clients of the media servers, and its handles there by connection.
mod encoders;
mod handles;
mod janus;
mod layer;
mod relay;

pub use encoders::Encoders;

use handles::{Handles, Publisher, Steered, Subscription};
pub use janus::{refusal_of, HandleId, JanusError, News};
use janus::{Handle, Janus};
pub use layer::Layer;
use layer::Steering;
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};
use socketioxide::socket::Sid;
use std::{
    fmt,
    time::{Duration, Instant},
};
use tokio::sync::mpsc::{self, UnboundedReceiver};
use w3bstreaming_keys::AccountId;

/// The VideoRoom's code for a feed it does not have (yet).
const NO_SUCH_FEED: i64 = 428;
/// How long and how often a subscription waits for its feed: 5 s at most.
const FEED_RETRY: Duration = Duration::from_millis(250);
const FEED_TRIES: u32 = 20;

/// One of the media servers configured (`--janus-url`, in order). Every signaling
/// instance is given the same list, so that a number names the same Janus in every
/// instance's hub.
#[derive(
    Debug, Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize,
)]
#[serde(transparent)]
pub struct ServerId(pub u8);

impl fmt::Display for ServerId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

/// A published stream, as viewers subscribe to it: the media server, the room and the
/// publisher in it (the broadcaster's own, or its relay's remote publisher), and how
/// many simulcast layers its video has (1 to 3).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Feed {
    #[serde(default)]
    pub server: ServerId,
    pub room: u64,
    pub publisher: u64,
    #[serde(default)]
    pub layers: u8,
}

/// A viewer's layer changed: the connection, the broadcaster it receives, and what it
/// receives now (or why Janus would not).
pub type LayerChange = (Sid, AccountId, Result<Layer, JanusError>);

/// A media server as this instance reaches it.
struct Server {
    janus: Janus,
    /// Where another media server sends it a relay's packets, and where it takes them:
    /// the host of its URL.
    relay_host: String,
}

/// This instance's part of the media server tier.
pub struct Media {
    servers: Vec<Server>,
    handles: Handles,
    /// How long a viewer on Auto stays on a smaller layer without losses before it is
    /// given the next larger one.
    auto_wait: Duration,
}

impl Media {
    /// The tier on the Janus instances whose HTTP APIs are at `urls` (at most 255; the
    /// first is [`ServerId`] 0), and what they say of their own accord: a peer
    /// connection up ([`Media::came_up`]), a viewer losing packets
    /// ([`Media::slow_link`]), or a session lost (Janus died, restarted, or stopped
    /// answering: [`Media::forget`]). A viewer on Auto is given a larger layer after
    /// `auto_wait` without losses.
    pub fn new(
        urls: &[String],
        api_secret: &str,
        answer_within: Duration,
        auto_wait: Duration,
    ) -> (Self, UnboundedReceiver<News>) {
        let (tell, news) = mpsc::unbounded_channel();
        let servers = urls
            .iter()
            .zip(0..=u8::MAX)
            .map(|(url, n)| Server {
                janus: Janus::new(ServerId(n), url, api_secret, answer_within, tell.clone()),
                relay_host: relay::host_of(url).to_string(),
            })
            .collect();
        let media = Self {
            servers,
            handles: Handles::default(),
            auto_wait,
        };
        (media, news)
    }

    /// How many media servers there are.
    pub fn servers(&self) -> u8 {
        u8::try_from(self.servers.len()).expect("at most 255 media servers")
    }

    fn janus(&self, server: ServerId) -> &Janus {
        &self.servers[usize::from(server.0)].janus
    }

    /// The peer connection of `handle` is up.
    pub fn came_up(&self, handle: HandleId) {
        self.handles.came_up(handle);
    }

    /// Whether the peer connection of `handle`, if it is still the one held for the
    /// publisher or the viewer on `sid`, is up.
    pub fn is_up(&self, sid: Sid, handle: HandleId) -> Option<bool> {
        self.handles.up(handle, sid)
    }

    /// The connection whose publisher `handle` is, if it is one this instance holds.
    pub fn publisher_of(&self, handle: HandleId) -> Option<Sid> {
        self.handles.publisher_of(handle)
    }

    /// Drops, without asking Janus, every handle of the lost `session` of `server`, and
    /// ends the relays of the publishers that were in it: the connections of those
    /// publishers, whose streams must go another way.
    pub async fn forget(&self, server: ServerId, session: u64) -> Vec<Sid> {
        let mut sids = Vec::new();
        for (sid, publisher) in self.handles.forget(server, session) {
            for relay in &publisher.relays {
                self.end_room(&relay.handle, relay.room).await;
            }
            sids.push(sid);
        }
        sids
    }

    /// Whether `server` answers now.
    pub async fn reachable(&self, server: ServerId) -> Result<(), JanusError> {
        self.janus(server).reachable().await
    }

    /// Publishes the broadcaster on `sid` with its SDP `offer`, into a new room on
    /// `server` (`stream_id` names it in Janus's own lists): the feed viewers
    /// subscribe to, Janus's SDP answer and the publisher's handle. The offer's
    /// simulcast layers are in `rid_order` (`"lmh"`: smallest first), or largest
    /// first, as Janus assumes. A broadcaster publishing again replaces its feed.
    pub async fn publish(
        &self,
        sid: Sid,
        stream_id: &str,
        mut offer: Value,
        rid_order: Option<&'static str>,
        server: ServerId,
    ) -> Result<(Feed, Value, HandleId), JanusError> {
        self.unpublish(sid).await;
        if let (Some(jsep), Some(order)) = (offer.as_object_mut(), rid_order) {
            jsep.insert("rid_order".into(), json!(order));
        }
        let janus = self.janus(server);
        let handle = janus.attach().await?;
        let room = random_id();
        if let Err(error) = janus
            .message(&handle, create_room(room, stream_id), None)
            .await
        {
            janus.detach(&handle).await;
            return Err(error);
        }
        let join = json!({
            "request": "joinandconfigure",
            "ptype": "publisher",
            "room": room,
            "display": stream_id,
        });
        let joined = janus
            .message(&handle, join, Some(offer.clone()))
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
        let streams = relay::streams(&offer, &jsep);
        let layers = relay::layers(&offer);
        self.handles.add_publisher(
            sid,
            Publisher {
                handle,
                room,
                id: publisher,
                streams,
                layers,
                relays: Vec::new(),
            },
        );
        let feed = Feed {
            server,
            room,
            publisher,
            layers,
        };
        Ok((feed, jsep, id))
    }

    /// Ends what the broadcaster on `sid` publishes: its room and its relays' rooms go,
    /// and every viewer's subscription in them with them.
    pub async fn unpublish(&self, sid: Sid) {
        if let Some(publisher) = self.handles.take_publisher(sid) {
            for relay in &publisher.relays {
                self.end_room(&relay.handle, relay.room).await;
            }
            self.end_room(&publisher.handle, publisher.room).await;
        }
    }

    async fn end_room(&self, handle: &Handle, room: u64) {
        let janus = self.janus(handle.id().server);
        let destroy = json!({ "request": "destroy", "room": room });
        if let Err(error) = janus.message(handle, destroy, None).await {
            tracing::warn!(room, %error, "could not destroy a room");
        }
        janus.detach(handle).await;
    }

    /// Subscribes the viewer on `sid` to `broadcaster`'s `feed`: Janus's SDP offer for
    /// the viewer. A viewer subscribing again replaces its subscription.
    pub async fn subscribe(
        &self,
        sid: Sid,
        broadcaster: AccountId,
        feed: Feed,
    ) -> Result<(Value, HandleId), JanusError> {
        self.unsubscribe(sid, broadcaster).await;
        let janus = self.janus(feed.server);
        let handle = janus.attach().await?;
        let steering = Steering::new(feed.layers, self.auto_wait, Instant::now());
        let subscription = Subscription {
            handle: handle.clone(),
            steering,
        };
        self.handles.add_subscriber(sid, broadcaster, subscription);
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
        let janus = self.janus(handle.id().server);
        let mut tries = 0;
        loop {
            match janus.message(handle, join.clone(), None).await {
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
        self.handles.subscriber(sid, broadcaster).is_some()
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
        let now = Instant::now();
        match self
            .handles
            .steer(sid, broadcaster, |s| Some(s.pick(layer, now)))
        {
            Some(steered) => self.configure(steered).await.2.map(drop),
            None => Ok(()),
        }
    }

    /// Janus says the viewer of `handle` loses packets: on Auto it receives a smaller
    /// layer, unless it is at the smallest or its last change has not settled.
    pub async fn slow_link(&self, handle: HandleId) -> Option<LayerChange> {
        let (sid, broadcaster) = self.handles.subscription_of(handle)?;
        let now = Instant::now();
        let steered = self.handles.steer(sid, broadcaster, |s| s.slow(now))?;
        Some(self.configure(steered).await)
    }

    /// Each viewer on Auto below its stream's largest layer whose link had no losses
    /// for its wait receives the next larger one.
    pub async fn steer_up(&self) -> Vec<LayerChange> {
        let now = Instant::now();
        let mut changes = Vec::new();
        for steered in self.handles.steer_stepped_down(|s| s.calm(now)) {
            changes.push(self.configure(steered).await);
        }
        changes
    }

    async fn configure(
        &self,
        (sid, broadcaster, handle, substream, layer): Steered,
    ) -> LayerChange {
        let configure = json!({ "request": "configure", "substream": substream });
        let janus = self.janus(handle.id().server);
        let done = janus.message(&handle, configure, None).await;
        (sid, broadcaster, done.map(|_| layer))
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
        match self.handles.subscriber(sid, broadcaster) {
            Some(handle) => {
                let janus = self.janus(handle.id().server);
                janus.message(&handle, body, jsep).await.map(drop)
            }
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
        match self.handles.subscriber(sid, broadcaster) {
            Some(handle) => {
                self.janus(handle.id().server)
                    .trickle(&handle, candidate)
                    .await
            }
            None => Ok(()),
        }
    }

    /// The viewer on `sid` no longer receives `broadcaster`.
    pub async fn unsubscribe(&self, sid: Sid, broadcaster: AccountId) {
        if let Some(handle) = self.handles.take_subscriber(sid, broadcaster) {
            self.janus(handle.id().server).detach(&handle).await;
        }
    }

    /// Publishers, relays and subscriptions this instance holds, for the metrics.
    pub fn counts(&self) -> (usize, usize, usize) {
        self.handles.counts()
    }
}

/// The VideoRoom's `create` of a stream's room, in the media server it is published
/// to and in each its relays go to alike.
fn create_room(room: u64, stream_id: &str) -> Value {
    json!({
        "request": "create",
        "room": room,
        "description": stream_id,
        "publishers": 1,
        // A keyframe every 10 s, so that a viewer who lost packets recovers.
        "fir_freq": 10,
        "audiocodec": "opus",
        "videocodec": "vp8,h264",
        "notify_joining": false,
    })
}

/// A room id no one can guess: ids are never shown to clients, and a guessed one would
/// still need the API secret, but two instances must not pick the same.
fn random_id() -> u64 {
    let mut bytes = [0; 8];
    getrandom::getrandom(&mut bytes).expect("the system has randomness");
    // Janus reads ids as JSON numbers: kept within what a double holds exactly.
    u64::from_le_bytes(bytes) >> 11
}
