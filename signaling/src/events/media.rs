//! The media server's side of the events: a broadcaster's `publish`; a viewer's answer
//! and candidates when it receives from the media server (they go to Janus, not to
//! the broadcaster); and the tasks the hub gives this instance for its connections
//! (subscribe a viewer and send it the offer, end a subscription, end a room), run in
//! order for each connection ([`run_tasks`]); and what Janus says of its own accord
//! ([`follow_news`]): the streams of a media server that is lost go on peer to peer,
//! and so do those whose publisher never connects to it.
use super::{
    check_size,
    encoders::{encoder_down, encoder_heard},
    signed_in, Outcome,
};
use crate::{
    cluster::ConnId,
    hub::{MediaTask, Notice, Op},
    media::{JanusError, Media, News},
    refusal::Refusal,
    server::Signaling,
    wire::{self, Packet, PublishMsg, QualityMsg},
};
use serde_json::Value;
use socketioxide::{extract::SocketRef, socket::Sid};
use std::{
    collections::HashMap,
    sync::{Arc, Mutex},
};
use tokio::sync::mpsc::{self, UnboundedReceiver, UnboundedSender};
use tracing::{debug, info, warn};
use w3bstreaming_keys::AccountId;

pub(super) async fn publish(
    signaling: Arc<Signaling>,
    socket: SocketRef,
    claimed: String,
    message: PublishMsg,
) -> Outcome {
    signed_in(&socket, Some(&claimed))?;
    let stream_id = wire::stream_id(&message.stream_id)?;
    check_size(
        "SDP description",
        &message.description,
        signaling.config.max_sdp_bytes,
    )?;
    let conn = signaling.conn_id(&socket);
    signaling.lock().may_publish(conn, stream_id)?;
    // The web app lists its simulcast layers smallest first.
    let answer = publish_feed(
        &signaling,
        conn,
        stream_id,
        message.description,
        Some("lmh"),
    )
    .await?;
    signaling.send(&socket, Packet::published(stream_id, answer));
    Ok(())
}

/// Publishes the broadcaster on `conn`, of this instance, with its SDP `offer`
/// (simulcast layers in `rid_order`, if not largest first): its viewers, and those
/// who join from now on, are subscribed to the feed. The media server's SDP answer.
pub(crate) async fn publish_feed(
    signaling: &Arc<Signaling>,
    conn: ConnId,
    stream_id: &str,
    offer: Value,
    rid_order: Option<&'static str>,
) -> Result<Value, Refusal> {
    let media = signaling
        .media
        .as_ref()
        .ok_or_else(|| Refusal::NotViaMediaServer(stream_id.into()))?;
    let published = media.publish(conn.sid, stream_id, offer, rid_order).await;
    signaling.metrics.media_request("publish", &published);
    let (feed, answer, handle) = published.map_err(unavailable)?;
    let op = Op::Publish {
        conn,
        stream_id: stream_id.into(),
        feed,
    };
    if let Err(refusal) = signaling.change(op).await {
        // Ended while Janus took it.
        media.unpublish(conn.sid).await;
        return Err(refusal);
    }
    info!(sid = %conn.sid, stream_id, "published to the media server");
    tokio::spawn(publisher_comes_up(
        signaling.clone(),
        conn,
        stream_id.to_string(),
        handle,
    ));
    Ok(answer)
}

/// A publisher whose peer connection with the media server is not up within
/// `--media-connect-timeout-ms` (its browser cannot reach the media server, or never
/// tries) is ended, and its stream goes on peer to peer as if the media server were lost.
async fn publisher_comes_up(
    signaling: Arc<Signaling>,
    conn: ConnId,
    stream_id: String,
    handle: u64,
) {
    tokio::time::sleep(signaling.config.media_connect_timeout()).await;
    let Some(media) = signaling.media.as_deref() else {
        return;
    };
    if media.publisher_up(conn.sid, handle) != Some(false) {
        return;
    }
    warn!(sid = %conn.sid, stream_id, "the publisher never connected to the media server");
    signaling
        .metrics
        .media_timeouts
        .get_or_create(&[("kind", "publisher")])
        .inc();
    media.unpublish(conn.sid).await;
    go_on_without_media_server(&signaling, conn, stream_id).await;
}

/// The stream of the publisher on `conn` can no longer go through the media server: a
/// browser's goes on peer to peer; an encoder's (WHIP) cannot, and ends.
async fn go_on_without_media_server(signaling: &Signaling, conn: ConnId, stream_id: String) {
    let op = if signaling.encoders.holds(conn.sid) {
        warn!(%conn, stream_id, "an encoder's stream ends without the media server");
        Op::StopBroadcast { conn, stream_id }
    } else {
        warn!(%conn, stream_id, "the stream goes peer to peer");
        Op::Reroute { conn, stream_id }
    };
    if let Err(refusal) = signaling.change(op).await {
        warn!(%conn, %refusal, "could not change the stream's route");
    }
}

/// A subscription whose peer connection is not up within `--media-connect-timeout-ms`
/// (the viewer never answered, or cannot reach the media server) is ended: Janus holds
/// nothing for a viewer who is not receiving. The viewer is told, and its player joins
/// again, which makes a new subscription.
async fn subscriber_comes_up(
    signaling: Arc<Signaling>,
    sid: Sid,
    broadcaster: AccountId,
    handle: u64,
) {
    tokio::time::sleep(signaling.config.media_connect_timeout()).await;
    let Some(media) = signaling.media.as_deref() else {
        return;
    };
    if media.subscriber_up(sid, broadcaster, handle) != Some(false) {
        return;
    }
    signaling
        .metrics
        .media_timeouts
        .get_or_create(&[("kind", "subscriber")])
        .inc();
    media.unsubscribe(sid, broadcaster).await;
    if let Some(socket) = signaling.io.get_socket(sid) {
        let error = JanusError::NotConnected(signaling.config.media_connect_timeout_ms);
        signaling.refuse(&socket, "watch", unavailable(error));
    }
}

/// A viewer picks the layer it receives of `broadcaster`'s video.
pub(super) async fn quality(
    signaling: Arc<Signaling>,
    socket: SocketRef,
    broadcaster: String,
    message: QualityMsg,
) -> Outcome {
    signed_in(&socket, None)?;
    let broadcaster = wire::account(&broadcaster)?;
    let media = subscribed(&signaling, &socket, broadcaster)
        .ok_or_else(|| Refusal::NotWatching(broadcaster.to_string()))?;
    let set = media.set_layer(socket.id, broadcaster, message.layer).await;
    signaling.metrics.media_request("quality", &set);
    set.map_err(unavailable)
}

/// A viewer's answer to the media server's offer, if it receives `broadcaster` from it;
/// `None` when the answer is for the broadcaster's browser.
pub(super) async fn answer(
    signaling: &Signaling,
    socket: &SocketRef,
    broadcaster: AccountId,
    description: Value,
) -> Option<Outcome> {
    let media = subscribed(signaling, socket, broadcaster)?;
    let answered = media.answer(socket.id, broadcaster, description).await;
    signaling.metrics.media_request("answer", &answered);
    Some(answered.map_err(unavailable))
}

/// A viewer's ICE candidate for the media server, as [`answer`].
pub(super) async fn candidate(
    signaling: &Signaling,
    socket: &SocketRef,
    peer: AccountId,
    candidate: Value,
) -> Option<Outcome> {
    let media = subscribed(signaling, socket, peer)?;
    let given = media.candidate(socket.id, peer, candidate).await;
    signaling.metrics.media_request("candidate", &given);
    Some(given.map_err(unavailable))
}

fn subscribed<'a>(
    signaling: &'a Signaling,
    socket: &SocketRef,
    broadcaster: AccountId,
) -> Option<&'a Media> {
    let media = signaling.media.as_deref()?;
    media.subscribed(socket.id, broadcaster).then_some(media)
}

fn unavailable(error: JanusError) -> Refusal {
    warn!(%error, "media server");
    Refusal::MediaUnavailable(error.to_string())
}

type Queues = Arc<Mutex<HashMap<Sid, UnboundedSender<MediaTask>>>>;

/// Runs the hub's media tasks for as long as the server does: each connection's in the
/// order the hub gave them (a subscription is made before it is ended), different
/// connections' at once.
pub(crate) async fn run_tasks(
    signaling: Arc<Signaling>,
    mut tasks: UnboundedReceiver<(Sid, MediaTask)>,
) {
    let queues: Queues = Arc::default();
    while let Some((sid, task)) = tasks.recv().await {
        let mut open = queues.lock().expect("queues lock");
        if let Some(queue) = open.get(&sid) {
            queue.send(task).ok();
            continue;
        }
        let (queue, waiting) = mpsc::unbounded_channel();
        queue.send(task).ok();
        open.insert(sid, queue);
        tokio::spawn(run_queue(signaling.clone(), queues.clone(), sid, waiting));
    }
}

/// Runs the tasks of the connection `sid` until none is left; its queue goes then, so
/// that a closed connection holds nothing.
async fn run_queue(
    signaling: Arc<Signaling>,
    queues: Queues,
    sid: Sid,
    mut waiting: UnboundedReceiver<MediaTask>,
) {
    loop {
        while let Ok(task) = waiting.try_recv() {
            run(&signaling, sid, task).await;
        }
        // Tasks are queued with the map locked: none can arrive between this check
        // and the queue's removal.
        let mut open = queues.lock().expect("queues lock");
        if waiting.is_empty() {
            open.remove(&sid);
            return;
        }
    }
}

async fn run(signaling: &Arc<Signaling>, sid: Sid, task: MediaTask) {
    let Some(media) = signaling.media.as_deref() else {
        return;
    };
    match task {
        MediaTask::Subscribe {
            broadcaster,
            stream_id,
            viewer,
            feed,
        } => {
            let offer = media.subscribe(sid, broadcaster, feed).await;
            signaling.metrics.media_request("subscribe", &offer);
            let Some(socket) = signaling.io.get_socket(sid) else {
                media.unsubscribe(sid, broadcaster).await;
                return;
            };
            match offer {
                Ok((description, handle)) => {
                    tokio::spawn(subscriber_comes_up(
                        signaling.clone(),
                        sid,
                        broadcaster,
                        handle,
                    ));
                    let offer = Notice::Offer {
                        broadcaster,
                        stream_id,
                        viewer,
                        description,
                    };
                    if let Some(packet) = Packet::notice(offer) {
                        signaling.send(&socket, packet);
                    }
                }
                // A feed that went meanwhile (the stream ended, or goes peer to peer
                // now) is no news to the viewer.
                Err(error) if signaling.lock().feed_of(&stream_id) == Some(feed) => {
                    signaling.refuse(&socket, "watch", unavailable(error));
                }
                Err(error) => debug!(%error, "a subscription to a feed that went"),
            }
        }
        MediaTask::Unsubscribe { broadcaster } => media.unsubscribe(sid, broadcaster).await,
        MediaTask::Unpublish => {
            media.unpublish(sid).await;
            signaling.encoders.forget(sid);
        }
    }
}

/// For as long as the server runs, what Janus says of its own accord: a peer
/// connection that came up, or a session lost (Janus died, restarted, or stopped
/// answering). Every stream this instance published in a lost session goes on peer to
/// peer: its broadcaster hears the new route and offers to each viewer, as if the
/// viewers had just joined, and the viewers' pages take the new offers as they take
/// any. A loss is found as soon as Janus's HTTP API refuses the session's poll, or
/// after the poll's 40 s when Janus stops answering.
pub(crate) async fn follow_news(signaling: Arc<Signaling>, mut news: UnboundedReceiver<News>) {
    while let Some(news) = news.recv().await {
        let Some(media) = signaling.media.as_deref() else {
            return;
        };
        let session = match news {
            News::Up(handle) => {
                media.came_up(handle);
                continue;
            }
            News::Down(handle) => {
                encoder_down(&signaling, media, handle).await;
                continue;
            }
            News::Media { handle, receiving } => {
                encoder_heard(&signaling, media, handle, receiving);
                continue;
            }
            News::SessionLost(session) => session,
        };
        for sid in media.forget(session) {
            let conn = ConnId {
                instance: signaling.me,
                sid,
            };
            let Some(stream_id) = signaling.lock().stream_of(conn) else {
                continue;
            };
            warn!(%sid, stream_id, "the media server is lost");
            go_on_without_media_server(&signaling, conn, stream_id).await;
        }
    }
}
