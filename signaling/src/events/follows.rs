//! Watching lasts only while following and not banned: every `--recheck-follows-ms`
//! each viewer on this instance is asked about again (through the chain's cache), and
//! one the program says no longer follows the broadcaster, or is banned from their
//! channel, leaves the stream and is told why, as a join of theirs would be refused. A
//! ban the broadcaster's page announces acts at once (`events::roles`); this finds those
//! made elsewhere. Its peer connection ends with it: the broadcaster's (told
//! `stopWatching`) or the media server's (its subscription ends).
use super::join::not_admitted;
use crate::{conn::Conn, hub::Op, refusal::Refusal, server::Signaling};
use std::{sync::Arc, time::Duration};
use tracing::{debug, info, warn};

/// Runs for as long as the server does.
pub(crate) async fn recheck_follows(signaling: Arc<Signaling>, every: Duration) {
    let mut ticks = tokio::time::interval(every);
    ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    // The first tick is at once: everyone was just let in.
    ticks.tick().await;
    loop {
        ticks.tick().await;
        let seats: Vec<_> = signaling
            .lock()
            .seats()
            .filter(|(conn, ..)| conn.instance == signaling.me)
            .map(|(conn, viewer, stream_id, broadcaster)| {
                (conn, viewer, stream_id.to_string(), broadcaster)
            })
            .collect();
        for (conn, viewer, stream_id, broadcaster) in seats {
            let Some(socket) = signaling.io.get_socket(conn.sid) else {
                continue;
            };
            let range = Conn::of(&socket).range;
            let admission = signaling.authority.admits(viewer, broadcaster, range).await;
            match admission.map(not_admitted) {
                Ok(None) => {}
                // A node that cannot be asked does not end what it let in.
                Err(error) => debug!(%error, "a follow could not be checked again"),
                Ok(Some(refusal)) => {
                    info!(%viewer, stream_id, %refusal, "stops watching");
                    match signaling.change(Op::Leave { conn, stream_id }).await {
                        Ok(()) => signaling.refuse(&socket, "watch", refusal),
                        // Left meanwhile.
                        Err(Refusal::NotWatching(_)) => {}
                        Err(refusal) => {
                            warn!(%refusal, "a viewer who may no longer watch could not be removed")
                        }
                    }
                }
            }
        }
    }
}
