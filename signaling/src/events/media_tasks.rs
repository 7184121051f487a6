//! The tasks the hub gives this instance's media tier for its connections: subscribe
//! a viewer and send it the offer, end a subscription, end a stream's rooms or one of
//! its relays; run in order for each connection ([`run_tasks`]).
use super::media_servers::never_up;
use crate::{
    hub::{MediaTask, Notice},
    media::{refusal_of, HandleId, JanusError},
    server::Signaling,
    wire::Packet,
};
use socketioxide::socket::Sid;
use std::{
    collections::HashMap,
    sync::{Arc, Mutex},
};
use tokio::sync::mpsc::{self, UnboundedReceiver, UnboundedSender};
use tracing::debug;
use w3bstreaming_keys::AccountId;

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
                Err(error) if signaling.lock().has_feed(&stream_id, feed) => {
                    signaling.refuse(&socket, "watch", refusal_of(error));
                }
                Err(error) => debug!(%error, "a subscription to a feed that went"),
            }
        }
        MediaTask::Unsubscribe { broadcaster } => media.unsubscribe(sid, broadcaster).await,
        MediaTask::Unpublish => {
            media.unpublish(sid).await;
            signaling.encoders.forget(sid);
        }
        MediaTask::Unrelay { server } => media.unrelay(sid, server).await,
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
    handle: HandleId,
) {
    let Some(media) = never_up(&signaling, sid, handle, "subscriber").await else {
        return;
    };
    media.unsubscribe(sid, broadcaster).await;
    if let Some(socket) = signaling.io.get_socket(sid) {
        let error = JanusError::NotConnected(signaling.config.media_connect_timeout_ms);
        signaling.refuse(&socket, "watch", refusal_of(error));
    }
}
