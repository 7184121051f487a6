//! What anyone may ask about streams, signed in or not, since schedule pages show who
//! is live to visitors without an account: `listen` (the status of up to a page of
//! streams, now and whenever it changes), and the older one-off questions
//! `getWatchersCount` and `getIsStreaming`.
use super::Outcome;
use crate::{
    conn::Conn,
    hub::Notice,
    server::Signaling,
    wire::{self, ListenMsg, Packet, StreamMsg},
};
use socketioxide::extract::SocketRef;
use std::sync::Arc;

pub(super) async fn listen(
    signaling: Arc<Signaling>,
    socket: SocketRef,
    _claimed: String,
    message: ListenMsg,
) -> Outcome {
    for id in &message.stream_ids {
        wire::stream_id(id)?;
    }
    // Only this instance hears its listeners: the changes that concern them come
    // through the log to every instance.
    let outbox = signaling
        .lock()
        .listen(signaling.conn_id(&socket), message.stream_ids)?;
    Conn::of(&socket).lock().listened = true;
    signaling.deliver(outbox);
    Ok(())
}

pub(super) async fn watchers_count(
    signaling: Arc<Signaling>,
    socket: SocketRef,
    _claimed: String,
    message: StreamMsg,
) -> Outcome {
    let count = signaling.lock().viewers(&message.stream_id);
    signaling.send(
        &socket,
        Packet::notice(Notice::WatchersCount(count)).expect("a count is the client's"),
    );
    Ok(())
}

pub(super) async fn is_streaming(
    signaling: Arc<Signaling>,
    socket: SocketRef,
    _claimed: String,
    message: StreamMsg,
) -> Outcome {
    let live = signaling.lock().is_streaming(&message.stream_id);
    signaling.send(
        &socket,
        Packet::notice(Notice::IsStreaming(live)).expect("a status is the client's"),
    );
    Ok(())
}
