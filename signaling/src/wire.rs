//! The socket.io events as the existing w3bstreaming frontend sends and reads them:
//! every client event is `(user id, message object)`; these are the message objects
//! and the shapes of what the server emits.
use crate::hub::Notice;
use serde::Deserialize;
use serde_json::{json, Value};

/// Client events the server handles.
pub const CLIENT_EVENTS: [&str; 10] = [
    "broadcast",
    "watch",
    "offer",
    "answer",
    "candidate",
    "stopBroadcasting",
    "stopWatching",
    "getWatchersCount",
    "getIsStreaming",
    "listen",
];

/// `watch` and `broadcast`: the stream, and the signature proving the user id.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct JoinMsg {
    pub stream_id: String,
    /// Signature of this connection's challenge text (or, with legacy signatures on,
    /// of `encoded_id`).
    pub signed_msg: Option<String>,
    /// The signer's address; must be the claimed user id.
    pub encoded_id: Option<String>,
}

/// `stopBroadcasting`, `stopWatching`, `getWatchersCount`, `getIsStreaming`.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct StreamMsg {
    pub stream_id: String,
}

/// `listen`: the streams whose status the connection hears from now on, replacing
/// those it listened to before.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ListenMsg {
    pub stream_ids: Vec<String>,
}

/// `offer`, from a broadcaster: `user_id` is the viewer it is for.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct OfferMsg {
    pub user_id: String,
    pub description: Value,
}

/// `answer`, from a viewer, to the broadcaster named by the event's first argument.
#[derive(Debug, Deserialize)]
pub struct AnswerMsg {
    pub description: Value,
}

/// `candidate`, to the peer named by the event's first argument.
#[derive(Debug, Deserialize)]
pub struct CandidateMsg {
    pub candidate: Value,
}

/// The event name and the one or two arguments that deliver `notice`. Ids are the
/// authenticated accounts, never what a client claimed.
pub fn event(notice: Notice) -> (&'static str, Value, Option<Value>) {
    match notice {
        Notice::IsStreaming(live) => ("isStreaming", json!(live), None),
        Notice::WatchersCount(count) => ("watchersCount", json!(count), None),
        Notice::Status {
            stream_id,
            live,
            watchers,
        } => (
            "streamStatus",
            json!({ "streamId": stream_id, "live": live, "watchers": watchers }),
            None,
        ),
        Notice::Watch { viewer, stream_id } => (
            "watch",
            json!(viewer.to_string()),
            Some(json!({ "streamId": stream_id })),
        ),
        Notice::StopBroadcasting {
            broadcaster,
            stream_id,
            viewer,
        } => (
            "stopBroadcasting",
            json!(broadcaster.to_string()),
            Some(json!({ "streamId": stream_id, "userId": viewer.to_string() })),
        ),
        Notice::StopWatching { viewer, stream_id } => (
            "stopWatching",
            json!(viewer.to_string()),
            Some(json!({ "streamId": stream_id })),
        ),
        Notice::Offer {
            broadcaster,
            stream_id,
            viewer,
            description,
        } => (
            "offer",
            json!(broadcaster.to_string()),
            Some(
                json!({ "streamId": stream_id, "userId": viewer.to_string(), "description": description }),
            ),
        ),
        // Frontends have read the viewer as `userId` and as `watcherId`: both are set.
        Notice::Answer {
            broadcaster,
            stream_id,
            viewer,
            description,
        } => (
            "answer",
            json!(broadcaster.to_string()),
            Some(json!({
                "streamId": stream_id,
                "userId": viewer.to_string(),
                "watcherId": viewer.to_string(),
                "description": description,
            })),
        ),
        Notice::Candidate {
            from,
            stream_id,
            candidate,
        } => (
            "candidate",
            json!(from.to_string()),
            Some(json!({ "streamId": stream_id, "candidate": candidate })),
        ),
    }
}
