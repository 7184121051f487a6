//! The encoders this instance receives streams from, and what ends their streams
//! besides their DELETE: an encoder cannot come back on another connection as a
//! browser does, nor go on peer to peer, so its stream ends when its peer connection
//! with the media server goes down, or when nothing arrives on it for
//! `--media-connect-timeout-ms` (it crashed, or lost its network, without a word).
use crate::{
    cluster::ConnId, events::media::connect_timeout, hub::Op, media::Media, server::Signaling,
};
use socketioxide::socket::Sid;
use std::{
    collections::HashMap,
    sync::{Arc, Mutex, MutexGuard},
};
use tracing::{info, warn};

/// By the name each has in the hub: whether nothing arrives from it now.
#[derive(Default)]
pub struct Encoders(Mutex<HashMap<Sid, bool>>);

impl Encoders {
    /// `sid` is an encoder's, not a socket's.
    pub fn add(&self, sid: Sid) {
        self.lock().insert(sid, false);
    }

    /// Whether `sid` is an encoder's.
    pub fn holds(&self, sid: Sid) -> bool {
        self.lock().contains_key(&sid)
    }

    /// The encoder `sid` publishes no more.
    pub fn forget(&self, sid: Sid) {
        self.lock().remove(&sid);
    }

    /// Notes whether media arrives from `sid`; whether it is an encoder's.
    fn hear(&self, sid: Sid, receiving: bool) -> bool {
        match self.lock().get_mut(&sid) {
            Some(silent) => {
                *silent = !receiving;
                true
            }
            None => false,
        }
    }

    fn silent(&self, sid: Sid) -> bool {
        self.lock().get(&sid).copied().unwrap_or(false)
    }

    fn lock(&self) -> MutexGuard<'_, HashMap<Sid, bool>> {
        self.0.lock().expect("encoders lock")
    }
}

/// The peer connection of `handle` is down: if it was an encoder's publisher, its
/// stream ends.
pub(crate) async fn encoder_down(signaling: &Signaling, media: &Media, handle: u64) {
    let Some(sid) = media.publisher_of(handle) else {
        return;
    };
    if signaling.encoders.holds(sid) {
        end(signaling, sid, "its connection to the media server is down").await;
    }
}

/// Media started (`receiving`) or stopped arriving on `handle`: if it is an encoder's
/// publisher and stopped, its stream ends unless media comes back in time.
pub(crate) fn encoder_heard(
    signaling: &Arc<Signaling>,
    media: &Media,
    handle: u64,
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
        tokio::time::sleep(connect_timeout(&signaling)).await;
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
