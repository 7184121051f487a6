//! The media server's side of the events: a broadcaster's `publish` (to the least
//! loaded media server, relayed to the others), and a viewer's answer and candidates
//! when it receives from a media server (they go to Janus, not to the broadcaster).
//! The hub's tasks for this instance's connections are run in `media_tasks`, the
//! media servers' comings and goings followed in `media_servers`, and the layer each
//! viewer receives chosen in `layers`.
use super::{
    check_size,
    media_servers::{publisher_comes_up, server_lost},
    signed_in, Outcome,
};
use crate::{
    cluster::ConnId,
    hub::Op,
    media::{refusal_of, JanusError, Media},
    refusal::Refusal,
    server::Signaling,
    wire::{self, Packet, PublishMsg},
};
use serde_json::Value;
use socketioxide::extract::SocketRef;
use std::sync::Arc;
use tracing::{info, warn};
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
/// (simulcast layers in `rid_order`, if not largest first) to the least loaded media
/// server that takes it, and relays it to every other one that is up: its viewers,
/// and those who join from now on, are subscribed to one of the feeds. The media
/// server's SDP answer.
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
    let servers = signaling.lock().servers_by_load(media.servers());
    let mut published = Err(JanusError::Unreachable("no media server is up".into()));
    for &server in &servers {
        published = media
            .publish(conn.sid, stream_id, offer.clone(), rid_order, server)
            .await;
        signaling.metrics.media_request("publish", &published);
        match &published {
            Err(error) if error.is_loss() => server_lost(signaling, server).await,
            _ => break,
        }
    }
    let (origin, answer, handle) = published.map_err(refusal_of)?;
    let mut feeds = vec![origin];
    for &server in &servers {
        if server == origin.server || signaling.lock().is_down(server) {
            continue;
        }
        let relayed = media.relay(conn.sid, stream_id, server).await;
        signaling.metrics.media_request("relay", &relayed);
        match relayed {
            Ok(feed) => feeds.push(feed),
            Err(error) => {
                warn!(%server, %error, stream_id, "could not relay a stream");
                if error.is_loss() {
                    server_lost(signaling, server).await;
                }
            }
        }
    }
    let op = Op::Publish {
        conn,
        stream_id: stream_id.into(),
        feeds,
    };
    if let Err(refusal) = signaling.change(op).await {
        // Ended while Janus took it.
        media.unpublish(conn.sid).await;
        return Err(refusal);
    }
    info!(sid = %conn.sid, stream_id, server = %origin.server, "published to the media server");
    tokio::spawn(publisher_comes_up(
        signaling.clone(),
        conn,
        stream_id.to_string(),
        handle,
    ));
    Ok(answer)
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
    Some(answered.map_err(refusal_of))
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
    Some(given.map_err(refusal_of))
}

fn subscribed<'a>(
    signaling: &'a Signaling,
    socket: &SocketRef,
    broadcaster: AccountId,
) -> Option<&'a Media> {
    let media = signaling.media.as_deref()?;
    media.subscribed(socket.id, broadcaster).then_some(media)
}
