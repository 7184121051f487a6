//! What the hub takes and gives: the changes ([`Op`]) every instance applies in the
//! same order, and what each connection is told of them ([`Notice`]), with the media
//! server's part of both ([`Via`], [`MediaTask`]).
use crate::{
    chat::{ChatMessage, ChatSettings, TipShown},
    media::{Feed, ServerId},
    refusal::Refusal,
    roles::Role,
};
use serde::{Deserialize, Serialize};
use serde_json::Value;
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
        #[serde(default)]
        via: Via,
    },
    /// See [`Hub::publish`]: `feeds` has the one in the media server published to
    /// first, then those of its relays.
    Publish {
        conn: C,
        stream_id: String,
        feeds: Vec<Feed>,
    },
    /// See [`Hub::server_down`].
    ServerDown { server: ServerId },
    /// See [`Hub::server_up`].
    ServerUp { server: ServerId },
    /// See [`Hub::reroute`].
    Reroute { conn: C, stream_id: String },
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
    /// `author`, signed in on `conn` and named `name` on chain, posts `text` (which
    /// keeps [`ChatText`](crate::chat::ChatText)'s rule) to the chat of `stream_id`
    /// ([`Hub::chat`]).
    Chat {
        conn: C,
        stream_id: String,
        author: AccountId,
        name: Option<String>,
        text: String,
        at_ms: u64,
    },
    /// The tip `tip.number`, which the program confirmed (`conn` asked it), is shown in
    /// the chat of the live stream `stream_id`, once ([`Hub::show_tip`]).
    ChatTip {
        conn: C,
        stream_id: String,
        tipper: AccountId,
        name: Option<String>,
        tip: TipShown,
        /// The tip's message, as the chat shows it.
        text: String,
        at_ms: u64,
    },
    /// `by`, signed in on `conn`, deletes message `id` from the chat of `stream_id`
    /// for everyone ([`Hub::moderate`]). `moderator`: the program names `by` a
    /// moderator of the stream's channel, as the instance that took the change asked.
    ChatDelete {
        conn: C,
        stream_id: String,
        by: AccountId,
        #[serde(default)]
        moderator: bool,
        id: u64,
    },
    /// `by` times `account` out of the chat of `stream_id` until `until_ms`.
    ChatTimeout {
        conn: C,
        stream_id: String,
        by: AccountId,
        #[serde(default)]
        moderator: bool,
        account: AccountId,
        until_ms: u64,
    },
    /// `by` sets followers-only and slow mode for the chat of `stream_id`.
    ChatSettings {
        conn: C,
        stream_id: String,
        by: AccountId,
        #[serde(default)]
        moderator: bool,
        settings: ChatSettings,
    },
    /// The program says `account` holds `role` in `broadcaster`'s channel now, as the
    /// instance that took the change asked it when `broadcaster`'s page said it had
    /// changed ([`Hub::channel_role`]).
    ChannelRole {
        conn: C,
        broadcaster: AccountId,
        account: AccountId,
        role: Option<Role>,
    },
}

/// How a live stream's video reaches its viewers: from the broadcaster's browser to
/// each viewer's, or published once to the media server and received from it.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum Via {
    #[default]
    Peers,
    MediaServer,
}

/// What the instance holding a connection asks the media server for it; never sent to
/// the client itself.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum MediaTask {
    /// Subscribe the viewer to the broadcaster's feed, and send it the offer.
    Subscribe {
        broadcaster: AccountId,
        stream_id: String,
        viewer: AccountId,
        feed: Feed,
    },
    /// The viewer no longer receives `broadcaster`.
    Unsubscribe { broadcaster: AccountId },
    /// The broadcaster's stream ended: its room goes, and its relays' rooms.
    Unpublish,
    /// The broadcaster's stream is no longer relayed to `server`.
    Unrelay { server: ServerId },
}

/// What one connection is told.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Notice {
    IsStreaming(bool),
    /// To a broadcaster going live: where to send its video.
    Route {
        stream_id: String,
        via: Via,
    },
    /// Not for the client: see [`MediaTask`].
    Media(MediaTask),
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
    /// To a connection that opens the chat of `stream_id` ([`Hub::read_chat`]): its last
    /// messages, oldest first (none while it is not live).
    ChatHistory {
        stream_id: String,
        messages: Vec<ChatMessage>,
        settings: ChatSettings,
    },
    /// To each reader of the chat of `stream_id`: message `id` was deleted.
    ChatDeleted {
        stream_id: String,
        id: u64,
    },
    /// To each reader: `account` may not post until `until_ms`.
    ChatTimedOut {
        stream_id: String,
        account: AccountId,
        until_ms: u64,
    },
    /// To each reader: the chat's settings changed.
    ChatSettings {
        stream_id: String,
        settings: ChatSettings,
    },
    /// To each reader: the program says `account` holds `role` in the channel now.
    ChatRole {
        stream_id: String,
        account: AccountId,
        role: Option<Role>,
    },
    /// To a connection: what it took part in ended for this reason.
    Refused(Refusal),
    /// To each connection reading the chat of `stream_id`: a new message.
    ChatMessage {
        stream_id: String,
        message: ChatMessage,
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
            Self::Publish { .. } => "publish",
            Self::ServerDown { .. } => "serverDown",
            Self::ServerUp { .. } => "serverUp",
            Self::Reroute { .. } => "reroute",
            Self::Join { .. } => "join",
            Self::Leave { .. } => "leave",
            Self::StopBroadcast { .. } => "stopBroadcast",
            Self::Offer { .. } => "offer",
            Self::Answer { .. } => "answer",
            Self::Candidate { .. } => "candidate",
            Self::Disconnect { .. } => "disconnect",
            Self::Chat { .. } => "chat",
            Self::ChatTip { .. } => "chatTip",
            Self::ChatDelete { .. } => "chatDelete",
            Self::ChatTimeout { .. } => "chatTimeout",
            Self::ChatSettings { .. } => "chatSettings",
            Self::ChannelRole { .. } => "channelRole",
        }
    }
}

/// Notices to deliver, in order.
pub type Outbox<C> = Vec<(C, Notice)>;
