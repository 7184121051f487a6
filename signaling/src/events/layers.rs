//! The simulcast layer each viewer receives through the media server: the one it picks
//! (`quality`), or on Auto the one its link carries. Janus reports a viewer losing
//! packets (`slowlink`) and Auto steps it down a layer ([`slow_link`]); a calm wait
//! later it steps up again ([`steer_up`]). The player hears what Auto gives it in
//! `autoLayer`.
use super::{signed_in, Outcome};
use crate::{
    media::{refusal_of, HandleId, LayerChange, Media},
    refusal::Refusal,
    server::Signaling,
    wire::{self, Packet, QualityMsg},
};
use socketioxide::extract::SocketRef;
use std::{sync::Arc, time::Duration};
use tracing::{info, warn};

/// How often Auto viewers on a smaller layer are looked at for a step up.
const STEER_EVERY: Duration = Duration::from_secs(1);

/// A viewer picks the layer it receives of `broadcaster`'s video.
pub(super) async fn quality(
    signaling: Arc<Signaling>,
    socket: SocketRef,
    broadcaster: String,
    message: QualityMsg,
) -> Outcome {
    signed_in(&socket, None)?;
    let broadcaster = wire::account(&broadcaster)?;
    let media = signaling
        .media
        .as_deref()
        .filter(|media| media.subscribed(socket.id, broadcaster))
        .ok_or_else(|| Refusal::NotWatching(broadcaster.to_string()))?;
    let set = media.set_layer(socket.id, broadcaster, message.layer).await;
    signaling.metrics.media_request("quality", &set);
    set.map_err(refusal_of)
}

/// Janus says the viewer of `handle` loses packets: on Auto, a smaller layer.
pub(crate) async fn slow_link(signaling: &Signaling, media: &Media, handle: HandleId) {
    if let Some(change) = media.slow_link(handle).await {
        tell(signaling, change, "down");
    }
}

/// For as long as the server runs, steps up each Auto viewer whose link was calm long
/// enough.
pub(crate) async fn steer_up(signaling: Arc<Signaling>) {
    let Some(media) = signaling.media.as_deref() else {
        return;
    };
    loop {
        tokio::time::sleep(STEER_EVERY).await;
        for change in media.steer_up().await {
            tell(&signaling, change, "up");
        }
    }
}

/// Tells the viewer what Auto gives it now, and counts the step.
fn tell(signaling: &Signaling, (sid, broadcaster, layer): LayerChange, step: &'static str) {
    signaling.metrics.media_request("auto_layer", &layer);
    match layer {
        Ok(layer) => {
            info!(%sid, step, ?layer, "Auto changed a viewer's layer");
            if let Some(socket) = signaling.io.get_socket(sid) {
                signaling.send(&socket, Packet::auto_layer(broadcaster, layer));
            }
        }
        Err(error) => warn!(%sid, %error, "could not change a viewer's layer"),
    }
}
