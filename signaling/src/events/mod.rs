//! The socket.io events, by what they do: [`join`] goes live, watches and leaves,
//! [`relay`] passes offers, answers and candidates between peers, [`listen`] tells
//! anyone whether a stream is live, [`chat`] reads and posts the chat beside a stream,
//! [`roles`] hears of a channel role changed on chain, [`media`] publishes to the media
//! server; and what follows from them over time: [`follows`] ends the watching of who
//! unfollowed or was banned. On connect every client event gets its own typed
//! handler, behind the connection's event limit ([`RateLimited`]), and a refusal
//! reaches its sender in one place ([`conclude`]). A connection that signs in to
//! nothing and listens to nothing, or falls silent while it neither broadcasts nor
//! watches (a listener renews its `listen`), is closed ([`close_when_idle`]).
mod chat;
pub(crate) mod encoders;
pub(crate) mod follows;
mod join;
mod keys;
pub(crate) mod layers;
mod listen;
pub(crate) mod media;
pub(crate) mod media_servers;
pub(crate) mod media_tasks;
mod relay;
mod roles;
mod tips;

pub(crate) use join::may_broadcast;

use crate::{
    auth::Session,
    conn::Conn,
    connections::{ClientAddr, Place},
    hub::MAX_LISTENED,
    rates::RateLimit,
    refusal::Refusal,
    server::{now_ms, Signaling},
    wire::{self, ClientCaps, Packet},
};
use serde::de::DeserializeOwned;
use serde_json::Value;
use socketioxide::{
    adapter::LocalAdapter,
    extract::{SocketRef, TryData},
    handler::{self, MessageHandler},
    socket::{Sid, Socket},
};
use std::{
    convert::Infallible,
    future::Future,
    net::{IpAddr, Ipv4Addr},
    sync::Arc,
    time::{Duration, Instant},
};
use tracing::{debug, warn};
use w3bstreaming_keys::AccountId;

/// What waits behind socket.io's full buffer for a connection that broadcasts nothing.
const QUEUED_PACKETS: usize = 128;

type Outcome = Result<(), Refusal>;

/// Makes a new connection's state and handlers, before socket.io acknowledges its
/// CONNECT: a client may send its first event as soon as it reads the
/// acknowledgement (a `listen`, typically), and an event that finds no handler is
/// lost.
pub(crate) async fn prepare(
    signaling: Arc<Signaling>,
    socket: SocketRef,
) -> Result<(), Infallible> {
    let session = Session::new(
        signaling.public_url(&socket).to_string(),
        now_ms(),
        &signaling.auth,
    );
    let parts = socket.req_parts();
    let range = parts
        .extensions
        .get::<ClientAddr>()
        .map_or(IpAddr::V4(Ipv4Addr::UNSPECIFIED), |client| client.0)
        .into();
    // Every request comes through `connections::serve`, which gives each its place.
    let place = parts
        .extensions
        .get::<Arc<Place>>()
        .cloned()
        .unwrap_or_default();
    let rate = RateLimit::new(
        signaling.config.rate_per_sec,
        signaling.config.rate_burst,
        Instant::now(),
    );
    let conn = Arc::new(Conn::new(range, place, session, rate, QUEUED_PACKETS));
    socket.extensions.insert(conn);
    on(&signaling, &socket, "broadcast", join::broadcast);
    on(&signaling, &socket, "watch", join::watch);
    on(
        &signaling,
        &socket,
        "stopBroadcasting",
        join::stop_broadcasting,
    );
    on(&signaling, &socket, "stopWatching", join::stop_watching);
    on(&signaling, &socket, "endStream", join::end_stream);
    on(&signaling, &socket, "publish", media::publish);
    on(&signaling, &socket, "createStreamKey", keys::create);
    on(&signaling, &socket, "streamKeys", keys::list);
    on(&signaling, &socket, "revokeStreamKey", keys::revoke);
    on(&signaling, &socket, "quality", layers::quality);
    on(&signaling, &socket, "offer", relay::offer);
    on(&signaling, &socket, "answer", relay::answer);
    on(&signaling, &socket, "candidate", relay::candidate);
    on(
        &signaling,
        &socket,
        "getWatchersCount",
        listen::watchers_count,
    );
    on(&signaling, &socket, "getIsStreaming", listen::is_streaming);
    on(&signaling, &socket, "listen", listen::listen);
    on(&signaling, &socket, "chatRead", chat::read);
    on(&signaling, &socket, "chatPost", chat::post);
    on(&signaling, &socket, "chatDelete", chat::delete);
    on(&signaling, &socket, "chatTimeout", chat::time_out);
    on(&signaling, &socket, "chatSettings", chat::settings);
    on(&signaling, &socket, "chatTip", tips::show);
    on(&signaling, &socket, "channelRole", roles::changed);
    let on_disconnect = signaling.clone();
    socket.on_disconnect(move |socket: SocketRef| async move {
        let signaling = on_disconnect;
        signaling.metrics.connections.dec();
        Conn::of(&socket).close();
        if let Err(refusal) = signaling.disconnect(&socket).await {
            warn!(sid = %socket.id, %refusal, "the hub has not heard of the disconnect");
        }
        debug!(sid = %socket.id, "disconnected");
    });
    Ok(())
}

/// Greets a connection socket.io has acknowledged ([`prepare`] made it): what it must
/// keep within, and its challenge; and closes it once it idles.
pub(crate) async fn greet(signaling: Arc<Signaling>, socket: SocketRef) {
    signaling.metrics.connections.inc();
    debug!(sid = %socket.id, "connected");
    let conn = Conn::of(&socket);
    let challenge = Packet::challenge(conn.lock().session.challenge());
    signaling.send(&socket, Packet::caps(&caps(&signaling)));
    signaling.send(&socket, challenge);
    tokio::spawn(close_when_idle(signaling, socket.id, conn));
}

/// What a client must keep within, as this server runs.
fn caps(signaling: &Signaling) -> ClientCaps {
    ClientCaps {
        max_listened: MAX_LISTENED,
        max_stream_id_bytes: wire::MAX_STREAM_ID_BYTES,
        max_sdp_bytes: signaling.config.max_sdp_bytes,
        max_candidate_bytes: signaling.config.max_candidate_bytes,
        idle_ms: signaling.config.idle_timeout_ms,
        media_server: signaling.media.is_some(),
        max_chat_bytes: crate::chat::MAX_CHAT_BYTES,
    }
}

/// Registers `handler` for the client `event`, whose message object is an `M`,
/// behind the event limit.
fn on<M, F, Fut>(signaling: &Arc<Signaling>, socket: &SocketRef, event: &'static str, handler: F)
where
    M: DeserializeOwned + Send + 'static,
    F: Fn(Arc<Signaling>, SocketRef, String, M) -> Fut + Copy + Send + Sync + 'static,
    Fut: Future<Output = Outcome> + Send + 'static,
{
    let shared = signaling.clone();
    let typed = move |socket: SocketRef, TryData(args): TryData<(Value, Value)>| {
        let signaling = shared.clone();
        async move {
            let outcome = match wire::message::<M>(event, args.ok()) {
                Ok((first, message)) => {
                    handler(signaling.clone(), socket.clone(), first, message).await
                }
                Err(refusal) => Err(refusal),
            };
            conclude(&signaling, &socket, event, outcome);
        }
    };
    socket.on(
        event,
        RateLimited {
            signaling: signaling.clone(),
            event,
            handler: typed,
        },
    );
}

/// Tells the sender of an event why it was refused, if it was.
fn conclude(signaling: &Signaling, socket: &SocketRef, event: &'static str, outcome: Outcome) {
    if let Err(refusal) = outcome {
        signaling.refuse(socket, event, refusal);
    }
}

/// The per-connection event limit, in front of an event's handler: an event over it
/// is refused before its message is parsed.
struct RateLimited<H> {
    signaling: Arc<Signaling>,
    event: &'static str,
    handler: H,
}

impl<T, H> MessageHandler<LocalAdapter, T> for RateLimited<H>
where
    T: Send + Sync + 'static,
    H: MessageHandler<LocalAdapter, T>,
{
    fn call(&self, socket: Arc<Socket<LocalAdapter>>, value: handler::Value, ack: Option<i64>) {
        let peers = self.signaling.lock().peers(self.signaling.conn_id(&socket));
        let allowed = {
            let conn = Conn::of(&socket);
            let mut state = conn.lock();
            state.last_event = Instant::now();
            let now = state.last_event;
            state.rate.allow(now, peers)
        };
        if allowed {
            self.handler.call(socket, value, ack);
        } else {
            let socket = SocketRef::from(socket);
            self.signaling
                .refuse(&socket, self.event, Refusal::TooManyMessages);
        }
    }
}

/// Closes the connection `sid` once it is idle: neither signed in nor listening by
/// the sign-in deadline, or later silent for the idle timeout while it neither
/// broadcasts nor watches. It ends as soon as the connection closes.
async fn close_when_idle(signaling: Arc<Signaling>, sid: Sid, conn: Arc<Conn>) {
    let idle = Duration::from_millis(signaling.config.idle_timeout_ms);
    let mut wait = Duration::from_millis(signaling.config.sign_in_deadline_ms);
    loop {
        tokio::select! {
            () = tokio::time::sleep(wait) => {}
            () = conn.closed() => return,
        }
        let Some(socket) = signaling.io.get_socket(sid) else {
            return;
        };
        let (signed_in, listened, silent) = {
            let state = conn.lock();
            let signed_in = state.session.account().is_some();
            (signed_in, state.listened, state.last_event.elapsed())
        };
        let reason = if !signed_in && !listened {
            "neither signed in nor listening in time"
        } else if silent >= idle && !signaling.lock().takes_part(signaling.conn_id(&socket)) {
            "idle"
        } else {
            let until_idle = idle.saturating_sub(silent);
            wait = if until_idle.is_zero() {
                idle
            } else {
                until_idle
            };
            continue;
        };
        signaling.close(&socket, reason);
        return;
    }
}

/// The account this connection signed in as; it must be the one it names.
fn signed_in(socket: &SocketRef, claimed: Option<&str>) -> Result<AccountId, Refusal> {
    let account = Conn::of(socket)
        .lock()
        .session
        .account()
        .ok_or(Refusal::SignInFirst)?;
    match claimed {
        Some(claimed) if AccountId::parse(claimed) != Some(account) => {
            Err(Refusal::SignedInAsOther(account))
        }
        _ => Ok(account),
    }
}

/// Whether `value`, a description or a candidate (`what`), is at most `max` bytes of
/// JSON.
fn check_size(what: &'static str, value: &Value, max: usize) -> Result<(), Refusal> {
    let size = serde_json::to_string(value).map_or(usize::MAX, |text| text.len());
    if size > max {
        return Err(Refusal::TooLarge { what, size, max });
    }
    Ok(())
}
