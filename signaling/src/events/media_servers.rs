//! The media servers as they come and go: which one answers ([`first_reachable`]), what
//! Janus says of its own accord ([`follow_news`]), one found down
//! ([`server_lost`]) and up again ([`watch_servers`]); and a publisher that never
//! connects ([`publisher_comes_up`]). A browser's stream published to a media server
//! that is lost is published again to another ([`publish_elsewhere`]), or goes on
//! peer to peer when none is up (an encoder's ends), as does one whose publisher never
//! connects; the viewers of a relay on it move to another (`Hub::server_down`).
use super::{
    encoders::{encoder_down, encoder_heard},
    layers::slow_link,
};
use crate::{
    cluster::ConnId,
    hub::{Notice, Op, Via},
    media::{HandleId, JanusError, Media, News, ServerId},
    server::Signaling,
    wire::Packet,
};
use socketioxide::socket::Sid;
use std::{sync::Arc, time::Duration};
use tokio::sync::mpsc::UnboundedReceiver;
use tracing::{info, warn};

/// How often an instance asks the media servers found down whether they answer again.
const PROBE_EVERY: Duration = Duration::from_secs(2);

/// The least loaded media server that answers now, as the hub counts loads; `Err`
/// with the last one's error if none does.
pub(crate) async fn first_reachable(
    signaling: &Signaling,
    media: &Media,
) -> Result<ServerId, JanusError> {
    let servers = signaling.lock().servers_by_load(media.servers());
    let mut last = JanusError::Unreachable("no media server is configured".into());
    for server in servers {
        match media.reachable(server).await {
            Ok(()) => {
                server_answers(signaling, server).await;
                return Ok(server);
            }
            Err(error) => {
                server_lost(signaling, server).await;
                last = error;
            }
        }
    }
    Err(last)
}

/// `server` is found down: every instance's hub hears it, once.
pub(crate) async fn server_lost(signaling: &Signaling, server: ServerId) {
    if signaling.lock().is_down(server) {
        return;
    }
    warn!(%server, "a media server is down");
    signaling
        .metrics
        .media_servers_lost
        .get_or_create(&[("server", server.to_string())])
        .inc();
    if let Err(refusal) = signaling.change(Op::ServerDown { server }).await {
        warn!(%server, %refusal, "could not tell the instances a media server is down");
    }
}

async fn server_answers(signaling: &Signaling, server: ServerId) {
    if !signaling.lock().is_down(server) {
        return;
    }
    info!(%server, "a media server answers again");
    if let Err(refusal) = signaling.change(Op::ServerUp { server }).await {
        warn!(%server, %refusal, "could not tell the instances a media server is up");
    }
}

/// For as long as the server runs, asks each media server found down whether it
/// answers again, every [`PROBE_EVERY`].
pub(crate) async fn watch_servers(signaling: Arc<Signaling>) {
    let Some(media) = signaling.media.as_deref() else {
        return;
    };
    loop {
        tokio::time::sleep(PROBE_EVERY).await;
        for server in (0..media.servers()).map(ServerId) {
            if signaling.lock().is_down(server) && media.reachable(server).await.is_ok() {
                server_answers(&signaling, server).await;
            }
        }
    }
}

/// For as long as the server runs, what Janus says of its own accord: a peer
/// connection that came up or went down, video that stopped, a viewer losing packets
/// (its layer, `layers.rs`), or a session lost (Janus died, restarted, or stopped
/// answering). Every stream this instance published in a lost session is published
/// again elsewhere, or goes on peer to peer ([`publish_elsewhere`]). A loss is found as
/// soon as Janus's HTTP API refuses the session's poll, or after the poll's 40 s when
/// Janus stops answering.
pub(crate) async fn follow_news(signaling: Arc<Signaling>, mut news: UnboundedReceiver<News>) {
    while let Some(news) = news.recv().await {
        let Some(media) = signaling.media.as_deref() else {
            return;
        };
        let (server, session) = match news {
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
            News::SlowLink(handle) => {
                slow_link(&signaling, media, handle).await;
                continue;
            }
            News::SessionLost { server, session } => (server, session),
        };
        for sid in media.forget(server, session).await {
            let conn = ConnId {
                instance: signaling.me,
                sid,
            };
            let Some(stream_id) = signaling.lock().stream_of(conn) else {
                continue;
            };
            warn!(%sid, %server, stream_id, "the media server is lost");
            publish_elsewhere(&signaling, media, conn, stream_id, server).await;
        }
        server_lost(&signaling, server).await;
    }
}

/// A publisher whose peer connection with the media server is not up within
/// `--media-connect-timeout-ms` (its browser cannot reach the media server, or never
/// tries) is ended, and its stream goes on peer to peer as if the media server were lost.
pub(crate) async fn publisher_comes_up(
    signaling: Arc<Signaling>,
    conn: ConnId,
    stream_id: String,
    handle: HandleId,
) {
    let Some(media) = never_up(&signaling, conn.sid, handle, "publisher").await else {
        return;
    };
    warn!(sid = %conn.sid, stream_id, "the publisher never connected to the media server");
    media.unpublish(conn.sid).await;
    go_on_without_media_server(&signaling, conn, stream_id).await;
}

/// Waits `--media-connect-timeout-ms`, then the media tier if the peer connection of
/// `handle`, still held for `sid`, has not come up; counted as a timeout of `kind`
/// (`publisher`, `subscriber`).
pub(crate) async fn never_up<'a>(
    signaling: &'a Signaling,
    sid: Sid,
    handle: HandleId,
    kind: &'static str,
) -> Option<&'a Media> {
    tokio::time::sleep(signaling.config.media_connect_timeout()).await;
    let media = signaling.media.as_deref()?;
    if media.is_up(sid, handle) != Some(false) {
        return None;
    }
    signaling
        .metrics
        .media_timeouts
        .get_or_create(&[("kind", kind)])
        .inc();
    Some(media)
}

/// The media server `lost` that the stream of the browser on `conn` was published to is
/// gone. With another up, the page is told the route again (`route` mediaServer) and
/// publishes again, to the least loaded, which moves every viewer to the new feeds as a
/// page that came back would; one that has not within `--media-connect-timeout-ms`
/// goes on peer to peer. With none up, or an encoder's stream, as
/// [`go_on_without_media_server`] at once.
async fn publish_elsewhere(
    signaling: &Arc<Signaling>,
    media: &Media,
    conn: ConnId,
    stream_id: String,
    lost: ServerId,
) {
    let another = {
        let hub = signaling.lock();
        (0..media.servers())
            .map(ServerId)
            .any(|server| server != lost && !hub.is_down(server))
    };
    let socket = signaling.io.get_socket(conn.sid);
    let (true, Some(socket)) = (another && !signaling.encoders.holds(conn.sid), socket) else {
        go_on_without_media_server(signaling, conn, stream_id).await;
        return;
    };
    info!(%conn, stream_id, "the page publishes again, to another media server");
    let route = Notice::Route {
        stream_id: stream_id.clone(),
        via: Via::MediaServer,
    };
    if let Some(packet) = Packet::notice(route) {
        signaling.send(&socket, packet);
    }
    let signaling = signaling.clone();
    tokio::spawn(async move {
        tokio::time::sleep(signaling.config.media_connect_timeout()).await;
        let stale = {
            let hub = signaling.lock();
            hub.stream_of(conn).as_deref() == Some(stream_id.as_str())
                && hub.origin_of(&stream_id) == Some(lost)
        };
        if stale {
            go_on_without_media_server(&signaling, conn, stream_id).await;
        }
    });
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
