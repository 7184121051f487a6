//! The chat's events: what a client sends to post and moderate, and what readers are
//! told. Each sender proves its account as a join does ([`SignedMsg`], beside the
//! event's own fields), unless its connection signed in already.
use super::SignedMsg;
use crate::{chat::ChatSettings, hub::Notice};
use serde::Deserialize;
use serde_json::{json, Value};

/// `chatPost`: a message to the chat of a live stream.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ChatPostMsg {
    pub stream_id: String,
    pub text: String,
    #[serde(flatten)]
    pub proof: SignedMsg,
}

/// `chatDelete`, from the broadcaster: message `id` goes for everyone.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ChatDeleteMsg {
    pub stream_id: String,
    pub id: u64,
    #[serde(flatten)]
    pub proof: SignedMsg,
}

/// `chatTimeout`, from the broadcaster: `account` may not post for `minutes`.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ChatTimeoutMsg {
    pub stream_id: String,
    pub account: String,
    pub minutes: u32,
    #[serde(flatten)]
    pub proof: SignedMsg,
}

/// `chatSettings`, from the broadcaster: followers-only, slow mode and whether the
/// chat is kept after the stream, from now on.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ChatSettingsMsg {
    pub stream_id: String,
    pub followers_only: bool,
    pub slow_secs: u32,
    #[serde(default)]
    pub keep: bool,
    #[serde(flatten)]
    pub proof: SignedMsg,
}

impl ChatSettingsMsg {
    pub fn settings(&self) -> ChatSettings {
        ChatSettings {
            followers_only: self.followers_only,
            slow_secs: self.slow_secs,
            keep: self.keep,
        }
    }
}

/// `chatTip`: the tip `number`, which the chain confirmed, is shown in the chat of the
/// live stream `streamId` it was for. Anyone may ask (the receipt on chain is the
/// proof); the tipper's page does once its tip is in a block.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ChatTipMsg {
    pub stream_id: String,
    pub number: u64,
}

/// `channelRole`, from a broadcaster whose page changed `account`'s role in their
/// channel on chain: the servers ask the program again and act on the answer.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ChannelRoleMsg {
    pub account: String,
    #[serde(flatten)]
    pub proof: SignedMsg,
}

/// The event that tells a chat notice; `None` for any other notice.
pub(super) fn notice_event(notice: Notice) -> Option<(&'static str, Value, Option<Value>)> {
    let (event, message) = match notice {
        Notice::ChatHistory {
            stream_id,
            messages,
            settings,
        } => (
            "chatHistory",
            json!({ "streamId": stream_id, "messages": messages, "settings": settings }),
        ),
        Notice::ChatMessage { stream_id, message } => (
            "chatMessage",
            json!({ "streamId": stream_id, "message": message }),
        ),
        Notice::ChatDeleted { stream_id, id } => {
            ("chatDeleted", json!({ "streamId": stream_id, "id": id }))
        }
        Notice::ChatTimedOut {
            stream_id,
            account,
            until_ms,
        } => (
            "chatTimedOut",
            json!({ "streamId": stream_id, "account": account, "untilMs": until_ms }),
        ),
        Notice::ChatSettings {
            stream_id,
            settings,
        } => (
            "chatSettings",
            json!({ "streamId": stream_id, "settings": settings }),
        ),
        Notice::ChatRole {
            stream_id,
            account,
            role,
        } => (
            "chatRole",
            json!({ "streamId": stream_id, "account": account, "role": role }),
        ),
        _ => return None,
    };
    Some((event, message, None))
}
