//! The chat beside a live stream: `chatRead` opens a stream's chat for anyone, signed
//! in or not (its last messages, then each new one); `chatPost` posts to it, signed in
//! with the connection's challenge as a join is, under the author's profile name (an
//! account the broadcaster banned cannot); and `chatDelete`, `chatTimeout` and
//! `chatSettings` moderate it, from the broadcaster or a moderator the program names.
use super::{
    join::{chain_unavailable, signed_in_by},
    Outcome,
};
use crate::{
    chat::{name_of, timeout_ms, ChatText},
    conn::Conn,
    hub::Op,
    refusal::Refusal,
    roles::Role,
    server::{now_ms, Signaling},
    wire::{self, ChatDeleteMsg, ChatPostMsg, ChatSettingsMsg, ChatTimeoutMsg, StreamMsg},
};
use socketioxide::extract::SocketRef;
use std::sync::Arc;
use tracing::debug;
use w3bstreaming_keys::AccountId;

pub(super) async fn read(
    signaling: Arc<Signaling>,
    socket: SocketRef,
    _claimed: String,
    message: StreamMsg,
) -> Outcome {
    let stream_id = wire::stream_id(&message.stream_id)?;
    // Only this instance hears its readers, as its listeners: the messages come
    // through the log to every instance.
    let outbox = signaling
        .lock()
        .read_chat(signaling.conn_id(&socket), stream_id, now_ms());
    Conn::of(&socket).lock().listened = true;
    signaling.deliver(outbox);
    Ok(())
}

pub(super) async fn post(
    signaling: Arc<Signaling>,
    socket: SocketRef,
    claimed: String,
    message: ChatPostMsg,
) -> Outcome {
    let stream_id = wire::stream_id(&message.stream_id)?;
    let text = ChatText::parse(&message.text)?;
    let conn = Conn::of(&socket);
    let _in_order = conn.posting.lock().await;
    if !signaling.chat_by_address.allow(&conn.range) {
        return Err(Refusal::TooManyChatMessagesFromAddress);
    }
    let author = signed_in_by(&signaling, &socket, &claimed, &message.proof)?;
    if !signaling.chat_by_account.allow(&author) {
        return Err(Refusal::TooManyChatMessages);
    }
    let (broadcaster, settings) = signaling
        .lock()
        .chat_of(stream_id)
        .ok_or_else(|| Refusal::NotStarted(stream_id.into()))?;
    let turn = signaling.chain_turn(conn.range)?;
    // The post's questions share one turn at the node.
    let asking = signaling.authority.decision(conn.range);
    let profile = asking
        .profile(author)
        .await
        .map_err(chain_unavailable)?
        .ok_or(Refusal::NoProfile)?;
    if author != broadcaster
        && asking
            .role(broadcaster, author)
            .await
            .map_err(chain_unavailable)?
            == Some(Role::Banned)
    {
        return Err(Refusal::Banned);
    }
    if settings.followers_only
        && author != broadcaster
        && !asking
            .follows(author, broadcaster)
            .await
            .map_err(chain_unavailable)?
    {
        return Err(Refusal::ChatFollowersOnly);
    }
    // Held no longer than the questions: the change waits for the log, not the node.
    drop((asking, turn));
    debug!(sid = %socket.id, %author, stream_id, "chat message");
    signaling
        .change(Op::Chat {
            conn: signaling.conn_id(&socket),
            stream_id: stream_id.into(),
            author,
            name: name_of(&profile),
            text: text.into_inner(),
            at_ms: now_ms(),
        })
        .await
}

pub(super) async fn delete(
    signaling: Arc<Signaling>,
    socket: SocketRef,
    claimed: String,
    message: ChatDeleteMsg,
) -> Outcome {
    let stream_id = wire::stream_id(&message.stream_id)?.to_string();
    let by = signed_in_by(&signaling, &socket, &claimed, &message.proof)?;
    let moderator = named_moderator(&signaling, &socket, &stream_id, by).await?;
    let conn = signaling.conn_id(&socket);
    let id = message.id;
    signaling
        .change(Op::ChatDelete {
            conn,
            stream_id,
            by,
            moderator,
            id,
        })
        .await
}

pub(super) async fn time_out(
    signaling: Arc<Signaling>,
    socket: SocketRef,
    claimed: String,
    message: ChatTimeoutMsg,
) -> Outcome {
    let stream_id = wire::stream_id(&message.stream_id)?.to_string();
    let account = wire::account(&message.account)?;
    let until_ms = now_ms().saturating_add(timeout_ms(message.minutes)?);
    let by = signed_in_by(&signaling, &socket, &claimed, &message.proof)?;
    let moderator = named_moderator(&signaling, &socket, &stream_id, by).await?;
    let conn = signaling.conn_id(&socket);
    signaling
        .change(Op::ChatTimeout {
            conn,
            stream_id,
            by,
            moderator,
            account,
            until_ms,
        })
        .await
}

pub(super) async fn settings(
    signaling: Arc<Signaling>,
    socket: SocketRef,
    claimed: String,
    message: ChatSettingsMsg,
) -> Outcome {
    let stream_id = wire::stream_id(&message.stream_id)?.to_string();
    let settings = message.settings().check()?;
    let by = signed_in_by(&signaling, &socket, &claimed, &message.proof)?;
    let moderator = named_moderator(&signaling, &socket, &stream_id, by).await?;
    let conn = signaling.conn_id(&socket);
    signaling
        .change(Op::ChatSettings {
            conn,
            stream_id,
            by,
            moderator,
            settings,
        })
        .await
}

/// Whether the program names `by` a moderator of the channel of the live stream
/// `stream_id`. The broadcaster needs no role, and the hub refuses anyone else who
/// holds none; a stream that is not live, the hub refuses too.
async fn named_moderator(
    signaling: &Signaling,
    socket: &SocketRef,
    stream_id: &str,
    by: AccountId,
) -> Result<bool, Refusal> {
    let broadcaster = signaling.lock().broadcaster(stream_id);
    let Some(broadcaster) = broadcaster.filter(|&broadcaster| broadcaster != by) else {
        return Ok(false);
    };
    let range = Conn::of(socket).range;
    let _turn = signaling.chain_turn(range)?;
    let role = signaling
        .authority
        .role(broadcaster, by, range)
        .await
        .map_err(chain_unavailable)?;
    Ok(role == Some(Role::Moderator))
}
