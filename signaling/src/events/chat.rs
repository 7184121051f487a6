//! The chat beside a live stream: `chatRead` opens a stream's chat for anyone, signed
//! in or not (its last messages, then each new one); `chatPost` posts to it, signed in
//! with the connection's challenge as a join is, under the author's profile name.
use super::{
    join::{chain_unavailable, prove},
    Outcome,
};
use crate::{
    chat::{name_of, ChatText},
    conn::Conn,
    hub::Op,
    refusal::Refusal,
    server::{now_ms, Signaling},
    wire::{self, ChatPostMsg, StreamMsg},
};
use socketioxide::extract::SocketRef;
use std::sync::Arc;
use tracing::debug;

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
        .read_chat(signaling.conn_id(&socket), stream_id);
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
    if !signaling.chat_by_address.allow(&conn.range) {
        return Err(Refusal::TooManyChatMessagesFromAddress);
    }
    let signed = (message.signed_msg.as_deref(), message.encoded_id.as_deref());
    let author = prove(&signaling, &socket, &conn, &claimed, signed)?;
    if !signaling.chat_by_account.allow(&author) {
        return Err(Refusal::TooManyChatMessages);
    }
    if !signaling.lock().is_streaming(stream_id) {
        return Err(Refusal::NotStarted(stream_id.into()));
    }
    let turn = signaling
        .chain_queries
        .enter(conn.range)
        .ok_or(Refusal::TooManyChainQueriesFromAddress)?;
    let profile = signaling
        .authority
        .profile(author, conn.range)
        .await
        .map_err(chain_unavailable)?
        .ok_or(Refusal::NoProfile)?;
    drop(turn);
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
