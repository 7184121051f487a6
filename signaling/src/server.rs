//! The socket.io server and its HTTP routes: checks who sends each event and what the
//! chain says they may do, then lets the [`Hub`] decide and delivers its notices.
use crate::{
    auth::{AuthError, AuthPolicy, Credentials, Session},
    chain::{Authority, Chain, ChainError},
    config::Config,
    echo::{bounded, Echo},
    hub::{Hub, Notice, Outbox, Refusal},
    limits::RateLimit,
    turn, wire,
};
use axum::{
    extract::{Query, Request, State as AxumState},
    http::{header, HeaderValue, Method, StatusCode},
    middleware::{self, Next},
    response::{IntoResponse, Response},
    routing::get,
    Json, Router,
};
use serde::{de::DeserializeOwned, Deserialize};
use serde_json::{json, Value};
use socketioxide::{
    extract::{SocketRef, TryData},
    socket::Sid,
    SocketIo,
};
use std::{
    collections::HashMap,
    sync::{Arc, Mutex},
    time::{Duration, Instant, SystemTime, UNIX_EPOCH},
};
use tower_http::cors::{AllowOrigin, CorsLayer};
use tracing::{info, warn};
use w3bstreaming_keys::AccountId;

/// Stream ids the program makes are a timestamp and a title of at most 100 bytes.
const MAX_STREAM_ID_BYTES: usize = 256;
/// Largest socket.io packet accepted (an SDP description and its envelope), on every
/// transport: a websocket frame or message over it closes the connection before it
/// is read whole (the library's defaults are 16 MiB frames and 64 MiB messages).
const MAX_PACKET_BYTES: usize = 64 * 1024;
/// What one viewer's join sends its broadcaster at once: `watch`, a count, the answer
/// and a dozen ICE candidates. A connection's send buffer holds this for a full
/// stream, so a crowd joining together loses nothing (an emit to a full buffer fails).
const PACKETS_PER_VIEWER: usize = 16;
/// socket.io's default send buffer, in packets.
const MIN_BUFFERED_PACKETS: usize = 128;
/// Chain answers kept of each kind (stream owners, follows): a few MiB at most.
const CACHED_ANSWERS: usize = 100_000;

/// The server: a router to serve and the socket.io handle to close on shutdown.
pub struct Server {
    pub router: Router,
    pub io: SocketIo,
}

/// Builds the server reading the program from `chain`.
pub fn build(config: &Config, chain: Arc<dyn Chain>) -> Server {
    let buffered = config.max_watchers.saturating_mul(PACKETS_PER_VIEWER);
    let (layer, io) = SocketIo::builder()
        .max_payload(MAX_PACKET_BYTES as u64)
        .ws_max_frame_size(MAX_PACKET_BYTES)
        .ws_max_message_size(MAX_PACKET_BYTES)
        .max_buffer_size(buffered.max(MIN_BUFFERED_PACKETS))
        .build_layer();
    let signaling = Arc::new(Signaling {
        config: config.clone(),
        auth: AuthPolicy {
            challenge_ttl_ms: config.challenge_ttl_ms,
            legacy_signatures: config.legacy_signatures,
        },
        authority: Authority::new(
            chain,
            Duration::from_millis(config.cache_ttl_ms),
            CACHED_ANSWERS,
        ),
        io: io.clone(),
        state: Mutex::new(State {
            hub: Hub::new(config.max_watchers),
            conns: HashMap::new(),
        }),
    });
    let on_connect = signaling.clone();
    io.ns("/", move |socket: SocketRef| {
        on_connect.clone().connect(socket)
    });
    tokio::spawn(tell_counts(
        signaling.clone(),
        Duration::from_millis(config.count_interval_ms.max(1)),
    ));

    let origins: Vec<HeaderValue> = config
        .allowed_origins
        .iter()
        .filter_map(|origin| HeaderValue::from_str(origin.trim()).ok())
        .collect();
    let cors = CorsLayer::new()
        .allow_origin(AllowOrigin::list(origins.clone()))
        .allow_methods([Method::GET, Method::POST])
        .allow_headers([header::CONTENT_TYPE]);
    let router = Router::new()
        .route("/healthz", get(healthz))
        .route("/is-already-having-stream", get(is_already_having_stream))
        .with_state(signaling)
        .layer(layer)
        .layer(cors)
        .layer(middleware::from_fn_with_state(
            Arc::new(origins),
            only_allowed_origins,
        ));
    Server { router, io }
}

struct Signaling {
    config: Config,
    auth: AuthPolicy,
    authority: Authority,
    io: SocketIo,
    state: Mutex<State>,
}

struct State {
    hub: Hub<Sid>,
    conns: HashMap<Sid, Conn>,
}

struct Conn {
    session: Session,
    rate: RateLimit,
    /// Whether it sent `listen`, which needs no sign-in.
    listened: bool,
}

impl Conn {
    /// Neither signed in nor listening: what the sign-in deadline closes.
    fn idle(&self) -> bool {
        self.session.account().is_none() && !self.listened
    }
}

type Outcome = Result<Outbox<Sid>, String>;

impl Signaling {
    fn lock(&self) -> std::sync::MutexGuard<'_, State> {
        self.state.lock().expect("signaling state lock")
    }

    async fn connect(self: Arc<Self>, socket: SocketRef) {
        let conn = Conn {
            session: Session::new(now_ms(), &self.auth),
            rate: RateLimit::new(
                self.config.rate_per_sec,
                self.config.rate_burst,
                Instant::now(),
            ),
            listened: false,
        };
        let challenge = conn.session.challenge().clone();
        self.lock().conns.insert(socket.id, conn);
        info!(sid = %socket.id, "connected");
        for event in wire::CLIENT_EVENTS {
            let signaling = self.clone();
            socket.on(
                event,
                move |socket: SocketRef, TryData(args): TryData<(Value, Value)>| {
                    let signaling = signaling.clone();
                    async move { signaling.event(socket, event, args.ok()).await }
                },
            );
        }
        let signaling = self.clone();
        socket.on_disconnect(move |socket: SocketRef| async move {
            let outbox = {
                let mut state = signaling.lock();
                state.conns.remove(&socket.id);
                state.hub.disconnect(socket.id)
            };
            info!(sid = %socket.id, "disconnected");
            signaling.deliver(outbox);
        });
        // Last, so that a client answering at once finds its handlers in place.
        socket.emit("challenge", &challenge).ok();
        tokio::spawn(self.clone().close_if_idle(
            socket.id,
            Duration::from_millis(self.config.sign_in_deadline_ms),
        ));
    }

    /// Closes the connection `sid` if, after `deadline`, it has done nothing a
    /// connection is for. It holds only the id, so a connection that left is freed at
    /// once.
    async fn close_if_idle(self: Arc<Self>, sid: Sid, deadline: Duration) {
        tokio::time::sleep(deadline).await;
        let idle = self.lock().conns.get(&sid).is_some_and(Conn::idle);
        if let (true, Some(socket)) = (idle, self.io.get_socket(sid)) {
            info!(%sid, "closed: neither signed in nor listening in time");
            socket.disconnect().ok();
        }
    }

    async fn event(&self, socket: SocketRef, event: &'static str, args: Option<(Value, Value)>) {
        let allowed = {
            let mut state = self.lock();
            let peers = state.hub.peers(socket.id);
            state
                .conns
                .get_mut(&socket.id)
                .is_some_and(|conn| conn.rate.allow(Instant::now(), peers))
        };
        if !allowed {
            return refuse(&socket, event, "Too many messages: slow down".into());
        }
        let Some((first, message)) = args else {
            return refuse(
                &socket,
                event,
                format!("Malformed {event}: expected a user id and a message object"),
            );
        };
        let Some(first) = first.as_str() else {
            return refuse(
                &socket,
                event,
                format!("Malformed {event}: the first argument must be a user id"),
            );
        };
        let outcome = match event {
            "broadcast" => self.broadcast(&socket, first, parse(event, message)).await,
            "watch" => self.watch(&socket, first, parse(event, message)).await,
            "offer" => self.offer(&socket, first, parse(event, message)),
            "answer" => self.answer(&socket, first, parse(event, message)),
            "candidate" => self.candidate(&socket, first, parse(event, message)),
            "stopBroadcasting" => self.stop_broadcasting(&socket, first, parse(event, message)),
            "stopWatching" => self.stop_watching(&socket, parse(event, message)),
            "getWatchersCount" => self.about(&socket, parse(event, message), |hub, id| {
                Notice::WatchersCount(hub.viewers(id))
            }),
            "getIsStreaming" => self.about(&socket, parse(event, message), |hub, id| {
                Notice::IsStreaming(hub.is_streaming(id))
            }),
            "listen" => self.listen(&socket, parse(event, message)),
            _ => unreachable!("only the client events are registered"),
        };
        match outcome {
            Ok(outbox) => self.deliver(outbox),
            Err(text) => refuse(&socket, event, text),
        }
    }

    /// The account behind `claimed`, proven by the credentials or bound earlier.
    fn authenticate(
        &self,
        socket: &SocketRef,
        claimed: &str,
        message: &wire::JoinMsg,
    ) -> Result<AccountId, String> {
        let credentials = Credentials {
            claimed,
            signature: message.signed_msg.as_deref(),
            signer: message.encoded_id.as_deref(),
        };
        let mut state = self.lock();
        let conn = state
            .conns
            .get_mut(&socket.id)
            .ok_or("Connection is closing")?;
        let first_time = conn.session.account().is_none();
        match conn.session.authenticate(credentials, now_ms(), &self.auth) {
            Ok(account) => {
                if first_time {
                    info!(sid = %socket.id, %account, "signed in");
                }
                Ok(account)
            }
            Err(error) => {
                if error == AuthError::Expired {
                    socket.emit("challenge", conn.session.challenge()).ok();
                }
                Err(error.to_string())
            }
        }
    }

    /// The account this connection signed in as; it must be the one it names.
    fn signed_in(&self, socket: &SocketRef, claimed: Option<&str>) -> Result<AccountId, String> {
        let account = self
            .lock()
            .conns
            .get(&socket.id)
            .and_then(|conn| conn.session.account())
            .ok_or("Sign in first: watch or broadcast with this connection's signed challenge")?;
        match claimed {
            Some(claimed) if AccountId::parse(claimed) != Some(account) => {
                Err(AuthError::SignedInAsOther(account).to_string())
            }
            _ => Ok(account),
        }
    }

    async fn broadcast(
        &self,
        socket: &SocketRef,
        claimed: &str,
        message: Result<wire::JoinMsg, String>,
    ) -> Outcome {
        let message = message?;
        let stream_id = stream_id(&message.stream_id)?;
        let account = self.authenticate(socket, claimed, &message)?;
        let owner = self
            .authority
            .stream(stream_id)
            .await
            .map_err(chain_unavailable)?;
        match owner {
            None => {
                return Err(format!(
                    "Stream with id {stream_id} is not scheduled on chain"
                ))
            }
            Some(owner) if owner.broadcaster != account => {
                return Err(format!("You are not the broadcaster of stream {stream_id}"))
            }
            Some(owner) if owner.end_time <= now_ms() => {
                return Err(format!("Stream with id {stream_id} has ended"))
            }
            Some(_) => {}
        }
        let outbox = self.lock().hub.broadcast(socket.id, account, stream_id)?;
        info!(sid = %socket.id, %account, stream_id, "broadcasting");
        self.hand_out_ice_servers(socket, account);
        Ok(outbox)
    }

    async fn watch(
        &self,
        socket: &SocketRef,
        claimed: &str,
        message: Result<wire::JoinMsg, String>,
    ) -> Outcome {
        let message = message?;
        let stream_id = stream_id(&message.stream_id)?;
        let viewer = self.authenticate(socket, claimed, &message)?;
        let broadcaster = self
            .lock()
            .hub
            .broadcaster(stream_id)
            .ok_or_else(|| Refusal::NotStarted(stream_id.to_string()))?;
        if !self
            .authority
            .follows(viewer, broadcaster)
            .await
            .map_err(chain_unavailable)?
        {
            return Err("You aren't subscribed to this speaker".into());
        }
        // The stream may have stopped, or another broadcast started, while the chain answered.
        let mut state = self.lock();
        if state.hub.broadcaster(stream_id) != Some(broadcaster) {
            return Err(Refusal::NotStarted(stream_id.to_string()).into());
        }
        let outbox = state.hub.join(socket.id, viewer, stream_id)?;
        drop(state);
        info!(sid = %socket.id, %viewer, stream_id, "watching");
        self.hand_out_ice_servers(socket, viewer);
        Ok(outbox)
    }

    /// Sends the ICE servers, with fresh TURN credentials, to a connection just let into
    /// a stream. Only those get them: a TURN relay is there for the program's
    /// broadcasters and followers, not for anyone who can make a key and sign in.
    fn hand_out_ice_servers(&self, socket: &SocketRef, account: AccountId) {
        let servers = turn::ice_servers(
            &self.config.ice_servers,
            self.config.turn_secret.as_deref(),
            account,
            now_ms() / 1_000,
            self.config.turn_ttl_secs,
        );
        socket.emit("iceServers", &servers).ok();
    }

    fn offer(
        &self,
        socket: &SocketRef,
        claimed: &str,
        message: Result<wire::OfferMsg, String>,
    ) -> Outcome {
        let message = message?;
        let limit = ("SDP description", self.config.max_sdp_bytes);
        self.relay(
            socket,
            Some(claimed),
            &message.user_id,
            limit,
            message.description,
            |hub, viewer, sdp| hub.offer(socket.id, viewer, sdp),
        )
    }

    fn answer(
        &self,
        socket: &SocketRef,
        broadcaster: &str,
        message: Result<wire::AnswerMsg, String>,
    ) -> Outcome {
        let message = message?;
        let limit = ("SDP description", self.config.max_sdp_bytes);
        self.relay(
            socket,
            None,
            broadcaster,
            limit,
            message.description,
            |hub, broadcaster, sdp| hub.answer(socket.id, broadcaster, sdp),
        )
    }

    fn candidate(
        &self,
        socket: &SocketRef,
        peer: &str,
        message: Result<wire::CandidateMsg, String>,
    ) -> Outcome {
        let message = message?;
        let limit = ("ICE candidate", self.config.max_candidate_bytes);
        self.relay(
            socket,
            None,
            peer,
            limit,
            message.candidate,
            |hub, peer, candidate| hub.candidate(socket.id, peer, candidate),
        )
    }

    /// Relays `payload` from a signed-in connection (named `claimed`, when the event
    /// names its sender) to the peer `to` names; `limit` is what the payload is and
    /// its largest size in bytes of JSON, and `route` finds the peer among the
    /// sender's own.
    fn relay(
        &self,
        socket: &SocketRef,
        claimed: Option<&str>,
        to: &str,
        (what, max): (&str, usize),
        payload: Value,
        route: impl FnOnce(&Hub<Sid>, AccountId, Value) -> Result<Outbox<Sid>, Refusal>,
    ) -> Outcome {
        self.signed_in(socket, claimed)?;
        let to = account(to)?;
        check_size(what, &payload, max)?;
        Ok(route(&self.lock().hub, to, payload)?)
    }

    fn stop_broadcasting(
        &self,
        socket: &SocketRef,
        claimed: &str,
        message: Result<wire::StreamMsg, String>,
    ) -> Outcome {
        let message = message?;
        self.signed_in(socket, Some(claimed))?;
        let outbox = self
            .lock()
            .hub
            .stop_broadcast(socket.id, &message.stream_id)?;
        info!(sid = %socket.id, stream_id = message.stream_id, "stopped broadcasting");
        Ok(outbox)
    }

    /// Leaving is idempotent: frontends send it whenever a player closes, watching or not.
    fn stop_watching(
        &self,
        socket: &SocketRef,
        message: Result<wire::StreamMsg, String>,
    ) -> Outcome {
        let message = message?;
        Ok(self
            .lock()
            .hub
            .leave(socket.id, &message.stream_id)
            .unwrap_or_default())
    }

    fn about(
        &self,
        socket: &SocketRef,
        message: Result<wire::StreamMsg, String>,
        notice: impl Fn(&Hub<Sid>, &str) -> Notice,
    ) -> Outcome {
        let message = message?;
        Ok(vec![(
            socket.id,
            notice(&self.lock().hub, &message.stream_id),
        )])
    }

    /// Open to anyone, signed in or not, like `getIsStreaming`: schedule pages show who
    /// is live to visitors without an account.
    fn listen(&self, socket: &SocketRef, message: Result<wire::ListenMsg, String>) -> Outcome {
        let message = message?;
        for id in &message.stream_ids {
            stream_id(id)?;
        }
        let mut state = self.lock();
        let outbox = state.hub.listen(socket.id, message.stream_ids)?;
        if let Some(conn) = state.conns.get_mut(&socket.id) {
            conn.listened = true;
        }
        Ok(outbox)
    }

    fn deliver(&self, outbox: Outbox<Sid>) {
        for (sid, notice) in outbox {
            let Some(socket) = self.io.get_socket(sid) else {
                continue;
            };
            let (event, first, second) = wire::event(notice);
            let sent = match second {
                Some(second) => socket.emit(event, &(first, second)),
                None => socket.emit(event, &first),
            };
            if let Err(error) = sent {
                warn!(%sid, event, %error, "not delivered");
            }
        }
    }
}

/// Tells viewers the watcher counts that changed, every `interval`, for as long as the
/// server runs.
async fn tell_counts(signaling: Arc<Signaling>, interval: Duration) {
    let mut ticks = tokio::time::interval(interval);
    ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        ticks.tick().await;
        let outbox = signaling.lock().hub.flush_counts();
        signaling.deliver(outbox);
    }
}

fn refuse(socket: &SocketRef, event: &str, message: String) {
    info!(sid = %socket.id, event, reason = %message, "refused");
    socket.emit("error", &json!({ "message": message })).ok();
}

fn parse<T: DeserializeOwned>(event: &str, message: Value) -> Result<T, String> {
    serde_json::from_value(message)
        .map_err(|error| format!("Malformed {event} message: {}", bounded(&error.to_string())))
}

fn stream_id(id: &str) -> Result<&str, String> {
    if id.len() > MAX_STREAM_ID_BYTES {
        return Err(format!(
            "Stream id is longer than {MAX_STREAM_ID_BYTES} bytes"
        ));
    }
    Ok(id)
}

fn account(text: &str) -> Result<AccountId, String> {
    AccountId::parse(text).ok_or_else(|| AuthError::NotAnAccount(Echo::of(text)).to_string())
}

fn check_size(what: &str, value: &Value, max: usize) -> Result<(), String> {
    let size = serde_json::to_string(value).map_or(usize::MAX, |text| text.len());
    if size > max {
        return Err(format!(
            "{what} is {size} bytes, more than the {max} relayed"
        ));
    }
    Ok(())
}

fn chain_unavailable(error: ChainError) -> String {
    warn!(%error, "chain query failed");
    format!("Cannot check the chain right now, try again later ({error})")
}

fn now_ms() -> u64 {
    let since_epoch = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .expect("the clock is after 1970");
    u64::try_from(since_epoch.as_millis()).expect("milliseconds fit in u64")
}

async fn healthz(AxumState(signaling): AxumState<Arc<Signaling>>) -> Json<Value> {
    let state = signaling.lock();
    Json(json!({
        "status": "ok",
        "connections": state.conns.len(),
        "liveStreams": state.hub.live_streams(),
    }))
}

#[derive(Deserialize)]
struct AddressQuery {
    address: String,
}

/// Whether `address` is broadcasting now: what the frontend asks before going live.
async fn is_already_having_stream(
    AxumState(signaling): AxumState<Arc<Signaling>>,
    Query(query): Query<AddressQuery>,
) -> Response {
    match account(&query.address) {
        Ok(account) => Json(signaling.lock().hub.is_broadcasting(account)).into_response(),
        Err(text) => (StatusCode::BAD_REQUEST, text).into_response(),
    }
}

/// Browsers always send `Origin`; a page of any other site is turned away, for HTTP
/// and for websocket upgrades alike (CORS alone does not cover websockets). Requests
/// without one come from programs, which could send any origin anyway.
async fn only_allowed_origins(
    AxumState(allowed): AxumState<Arc<Vec<HeaderValue>>>,
    request: Request,
    next: Next,
) -> Response {
    match request.headers().get(header::ORIGIN) {
        Some(origin) if !allowed.contains(origin) => {
            info!(origin = ?origin, "origin refused");
            (StatusCode::FORBIDDEN, "origin not allowed").into_response()
        }
        _ => next.run(request).await,
    }
}
