//! The socket.io events as the existing w3bstreaming frontend sends and reads them:
//! every client event is `(user id, message object)`; these are the message objects
//! and the shapes of everything the server emits ([`Packet`]).
use crate::{
    auth::Challenge,
    echo::{bounded, Echo},
    hub::Notice,
    media::Layer,
    refusal::Refusal,
    roles::Role,
    stream_keys::{KeyInfo, NewKey},
    turn::IceServer,
};
use serde::{de::DeserializeOwned, Deserialize, Serialize};
use serde_json::{json, Value};
use w3bstreaming_keys::AccountId;

mod chat;

pub use chat::{
    ChannelRoleMsg, ChatDeleteMsg, ChatPostMsg, ChatSettingsMsg, ChatTimeoutMsg, ChatTipMsg,
};

/// Stream ids the program makes are a 13-digit number and a title of at most
/// `MAX_TITLE_LEN` bytes: 113 bytes at most.
pub const MAX_STREAM_ID_BYTES: usize = 128;
const _: () = assert!(MAX_STREAM_ID_BYTES >= 13 + w3bstreaming_io::limits::MAX_TITLE_LEN);

/// The user id and the message object of a client `event` whose two arguments
/// (`None` when it did not send two) are `args`.
pub fn message<T: DeserializeOwned>(
    event: &'static str,
    args: Option<(Value, Value)>,
) -> Result<(String, T), Refusal> {
    let (first, message) = args.ok_or(Refusal::NotTwoArguments(event))?;
    let Value::String(first) = first else {
        return Err(Refusal::FirstNotUserId(event));
    };
    let message = serde_json::from_value(message).map_err(|error| Refusal::MalformedMessage {
        event,
        problem: bounded(&error.to_string()),
    })?;
    Ok((first, message))
}

/// The account `text` names.
pub fn account(text: &str) -> Result<AccountId, Refusal> {
    AccountId::parse(text).ok_or_else(|| Refusal::NotAnAccount(Echo::of(text)))
}

/// `id`, if it may be a stream's id.
pub fn stream_id(id: &str) -> Result<&str, Refusal> {
    if id.len() > MAX_STREAM_ID_BYTES {
        return Err(Refusal::StreamIdTooLong {
            max: MAX_STREAM_ID_BYTES,
        });
    }
    Ok(id)
}

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

/// `createStreamKey` and `streamKeys`: the signature proving the user id, as in
/// [`JoinMsg`] (not needed on a connection already signed in).
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SignedMsg {
    pub signed_msg: Option<String>,
    pub encoded_id: Option<String>,
}

impl SignedMsg {
    /// The signature and the signer, as a sign-in takes them.
    pub fn parts(&self) -> (Option<&str>, Option<&str>) {
        (self.signed_msg.as_deref(), self.encoded_id.as_deref())
    }
}

/// `revokeStreamKey`: the key's id, as `streamKeys` lists it.
#[derive(Debug, Deserialize)]
pub struct KeyIdMsg {
    pub id: String,
}

/// `stopBroadcasting`, `stopWatching`, `getWatchersCount`, `getIsStreaming`,
/// `chatRead`.
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

/// `publish`, from a broadcaster whose stream goes through the media server: its SDP
/// offer.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PublishMsg {
    pub stream_id: String,
    pub description: Value,
}

/// `quality`, from a viewer receiving through the media server, to the broadcaster
/// named by the event's first argument: the layer it wants.
#[derive(Debug, Deserialize)]
pub struct QualityMsg {
    pub layer: Layer,
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

/// What a client must keep within, told on connect: the one place a client learns
/// the server's caps, whatever flags it runs with.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ClientCaps {
    /// Streams one `listen` may name.
    pub max_listened: usize,
    /// Bytes of a stream id.
    pub max_stream_id_bytes: usize,
    /// Bytes of an offer's or an answer's SDP description, as JSON.
    pub max_sdp_bytes: usize,
    /// Bytes of an ICE candidate, as JSON.
    pub max_candidate_bytes: usize,
    /// Milliseconds a connection that neither broadcasts nor watches may stay silent
    /// before it is closed: a listener renews its `listen` well within this.
    pub idle_ms: u64,
    /// Whether a media server is configured: streams go through it, and encoders may
    /// publish over WHIP with a stream key.
    pub media_server: bool,
    /// Bytes of a chat message's text, once trimmed.
    pub max_chat_bytes: usize,
}

/// One event the server emits: its name and its one or two arguments.
#[derive(Debug, Clone, PartialEq)]
pub struct Packet {
    pub event: &'static str,
    pub first: Value,
    pub second: Option<Value>,
}

impl Packet {
    fn one(event: &'static str, first: Value) -> Self {
        Self {
            event,
            first,
            second: None,
        }
    }

    /// On connect, first: what the client must keep within.
    pub fn caps(caps: &ClientCaps) -> Self {
        Self::one("caps", json!(caps))
    }

    /// On connect, and with an [`Refusal::Expired`]: what to sign.
    pub fn challenge(challenge: &Challenge) -> Self {
        Self::one("challenge", json!(challenge))
    }

    /// Why the client's last event was turned down: the text for people, and the
    /// reason's code for programs.
    pub fn refusal(refusal: &Refusal) -> Self {
        Self::one(
            "error",
            json!({ "message": refusal.to_string(), "reason": refusal.reason() }),
        )
    }

    /// To a broadcaster who said a channel role changed: the role the servers act on.
    pub fn channel_role(account: AccountId, role: Option<Role>) -> Self {
        Self::one("channelRole", json!({ "account": account, "role": role }))
    }

    /// To a connection just let into a stream: the ICE servers to use.
    pub fn ice_servers(servers: &[IceServer]) -> Self {
        Self::one("iceServers", json!(servers))
    }

    /// A stream key just made, to its owner, the one time it is shown.
    pub fn stream_key(key: &NewKey) -> Self {
        Self::one(
            "streamKey",
            json!({ "id": key.info.id, "createdAt": key.info.created_at, "key": key.secret }),
        )
    }

    /// The stream keys the account holds, oldest first, without the keys themselves.
    pub fn stream_keys(keys: &[KeyInfo]) -> Self {
        Self::one("streamKeys", json!(keys))
    }

    /// To a viewer on Auto: the layer of `broadcaster`'s video it receives now.
    pub fn auto_layer(broadcaster: AccountId, layer: Layer) -> Self {
        Self {
            event: "autoLayer",
            first: json!(broadcaster.to_string()),
            second: Some(json!({ "layer": layer })),
        }
    }

    /// To a broadcaster that published: the media server's SDP answer.
    pub fn published(stream_id: &str, description: Value) -> Self {
        Self::one(
            "published",
            json!({ "streamId": stream_id, "description": description }),
        )
    }

    /// What delivers `notice`, if it is for the client (a [`Notice::Media`] is for this
    /// server's media tier). Ids are the authenticated accounts, never what a client
    /// claimed.
    pub fn notice(notice: Notice) -> Option<Self> {
        let (event, first, second) = notice_event(notice)?;
        Some(Self {
            event,
            first,
            second,
        })
    }
}

fn notice_event(notice: Notice) -> Option<(&'static str, Value, Option<Value>)> {
    Some(match notice {
        Notice::Media(_) => return None,
        Notice::IsStreaming(live) => ("isStreaming", json!(live), None),
        Notice::Route { stream_id, via } => {
            ("route", json!({ "streamId": stream_id, "via": via }), None)
        }
        Notice::WatchersCount(count) => ("watchersCount", json!(count), None),
        Notice::Refused(refusal) => {
            let packet = Packet::refusal(&refusal);
            (packet.event, packet.first, packet.second)
        }
        Notice::ChatHistory { .. }
        | Notice::ChatMessage { .. }
        | Notice::ChatDeleted { .. }
        | Notice::ChatTimedOut { .. }
        | Notice::ChatSettings { .. }
        | Notice::ChatRole { .. } => return chat::notice_event(notice),
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
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_refusal_carries_its_reason_code_beside_its_text() {
        let packet = Packet::refusal(&Refusal::NotSubscribed);
        assert_eq!(packet.event, "error");
        assert_eq!(
            packet.first,
            json!({ "message": "You aren't subscribed to this speaker", "reason": "not_subscribed" })
        );
        assert_eq!(packet.second, None);
    }

    #[test]
    fn caps_are_told_in_camel_case() {
        let caps = ClientCaps {
            max_listened: 200,
            max_stream_id_bytes: 256,
            max_sdp_bytes: 16_384,
            max_candidate_bytes: 2_048,
            idle_ms: 300_000,
            media_server: true,
            max_chat_bytes: 500,
        };
        assert_eq!(
            Packet::caps(&caps).first,
            json!({ "maxListened": 200, "maxStreamIdBytes": 256, "maxSdpBytes": 16_384, "maxCandidateBytes": 2_048, "idleMs": 300_000, "mediaServer": true, "maxChatBytes": 500 })
        );
    }

    #[test]
    fn an_account_and_a_stream_id_are_checked_before_use() {
        let alice = "0xd43593c715fdd31c61141abd04a99fd6822c8558854ccde39a5684e7a56da27d";
        assert_eq!(account(alice).unwrap().to_string(), alice);
        assert_eq!(
            account("nope").unwrap_err().to_string(),
            "\"nope\" is not an account id"
        );
        let longest = "s".repeat(MAX_STREAM_ID_BYTES);
        assert_eq!(stream_id(&longest), Ok(longest.as_str()));
        assert_eq!(
            stream_id(&format!("{longest}s")),
            Err(Refusal::StreamIdTooLong {
                max: MAX_STREAM_ID_BYTES
            })
        );
    }
}
