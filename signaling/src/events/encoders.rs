//! What ends an encoder's stream besides its DELETE (`media::Encoders` holds which
//! streams are encoders'): an encoder cannot come back on another connection as a
//! browser does, nor go on peer to peer, so its stream ends when its peer connection
//! with the media server goes down, or when no video arrives on it for
//! `--media-connect-timeout-ms` (it crashed, or lost its network, without a word).
//! It also ends once the stream key it opened the stream with is revoked: at once on
//! the instance that revokes it, within [`KEYS_EVERY`] on the others.
use crate::{
    cluster::ConnId,
    hub::Op,
    media::{HandleId, Media},
    server::Signaling,
};
use socketioxide::socket::Sid;
use std::{sync::Arc, time::Duration};
use tracing::{info, warn};

/// How often an instance looks whether the keys its encoders opened their streams with
/// are still there.
const KEYS_EVERY: Duration = Duration::from_secs(2);

/// Ends the stream of every encoder of this instance whose stream key was revoked.
/// While the keys cannot be read (Redis down), nothing ends.
pub(crate) async fn end_revoked(signaling: &Signaling) {
    for (sid, key) in signaling.encoders.keys() {
        if signaling.stream_keys.holds(&key).await == Ok(false) {
            end(signaling, sid, "its stream key was revoked").await;
        }
    }
}

/// For as long as the server runs, [`end_revoked`] every [`KEYS_EVERY`].
pub(crate) async fn watch_keys(signaling: Arc<Signaling>) {
    loop {
        tokio::time::sleep(KEYS_EVERY).await;
        end_revoked(&signaling).await;
    }
}

/// The peer connection of `handle` is down: if it was an encoder's publisher, its
/// stream ends.
pub(crate) async fn encoder_down(signaling: &Signaling, media: &Media, handle: HandleId) {
    let Some(sid) = media.publisher_of(handle) else {
        return;
    };
    if signaling.encoders.holds(sid) {
        end(signaling, sid, "its connection to the media server is down").await;
    }
}

/// Video started (`receiving`) or stopped arriving on `handle`: if it is an encoder's
/// publisher and stopped, its stream ends unless video comes back in time.
pub(crate) fn encoder_heard(
    signaling: &Arc<Signaling>,
    media: &Media,
    handle: HandleId,
    receiving: bool,
) {
    let Some(sid) = media.publisher_of(handle) else {
        return;
    };
    if !signaling.encoders.hear(sid, receiving) || receiving {
        return;
    }
    let signaling = signaling.clone();
    tokio::spawn(async move {
        tokio::time::sleep(signaling.config.media_connect_timeout()).await;
        if signaling.encoders.silent(sid) {
            end(&signaling, sid, "it sends nothing").await;
        }
    });
}

async fn end(signaling: &Signaling, sid: Sid, why: &str) {
    let conn = ConnId {
        instance: signaling.me,
        sid,
    };
    let Some(stream_id) = signaling.lock().stream_of(conn) else {
        return;
    };
    info!(%sid, stream_id, why, "an encoder's stream ends");
    if let Err(refusal) = signaling
        .change(Op::StopBroadcast { conn, stream_id })
        .await
    {
        warn!(%sid, %refusal, "could not end an encoder's stream");
    }
}
