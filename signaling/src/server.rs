//! The socket.io server and its HTTP routes: checks who sends each event and what the
//! chain says they may do, then lets the [`Hub`] decide and delivers its notices.
use crate::{
    auth::{AuthError, AuthPolicy, Credentials, Session},
    chain::{self, Authority, Chain, ChainError},
    config::Config,
    connections::ClientAddr,
    echo::{bounded, Echo},
    hub::{Hub, Notice, Outbox, Refusal},
    limits::{Entered, InFlight, PerKey, Rate, RateLimit},
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
    net::{IpAddr, Ipv4Addr},
    sync::{
        atomic::{AtomicUsize, Ordering},
        Arc, Mutex,
    },
    time::{Duration, Instant, SystemTime, UNIX_EPOCH},
};
use tower_http::{
    cors::{AllowOrigin, CorsLayer},
    timeout::RequestBodyTimeoutLayer,
};
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
const CACHED_ANSWERS: u64 = 100_000;

/// The server: a router to serve and the socket.io handle to close on shutdown.
pub struct Server {
    pub router: Router,
    pub io: SocketIo,
}

/// Builds the server reading the program from `chain`; clients reach it at
/// `public_urls` (the first unless a request's `Host` names another).
pub fn build(config: &Config, public_urls: Vec<String>, chain: Arc<dyn Chain>) -> Server {
    let buffered = config.max_watchers.saturating_mul(PACKETS_PER_VIEWER);
    let (layer, io) = SocketIo::builder()
        .max_payload(MAX_PACKET_BYTES as u64)
        .ws_max_frame_size(MAX_PACKET_BYTES)
        .ws_max_message_size(MAX_PACKET_BYTES)
        .max_buffer_size(buffered.max(MIN_BUFFERED_PACKETS))
        .build_layer();
    let signaling = Arc::new(Signaling {
        config: config.clone(),
        public_urls,
        auth: AuthPolicy {
            challenge_ttl_ms: config.challenge_ttl_ms,
            legacy_signatures: config.legacy_signatures,
        },
        authority: Authority::new(
            chain,
            chain::Limits {
                ttl: Duration::from_millis(config.cache_ttl_ms),
                failure_ttl: Duration::from_millis(config.chain_failure_ttl_ms),
                capacity: CACHED_ANSWERS,
                concurrent: config.max_chain_queries.max(1),
                wait: Duration::from_millis(config.rpc_timeout_ms),
            },
        ),
        chain_queries: InFlight::new(config.max_chain_queries_per_address),
        joins_by_address: PerKey::new(Rate {
            per_sec: config.joins_per_sec_per_address,
            burst: config.join_burst_per_address,
        }),
        joins_by_account: PerKey::new(Rate {
            per_sec: config.joins_per_sec_per_account,
            burst: config.join_burst_per_account,
        }),
        io: io.clone(),
        hub: Mutex::new(Hub::new(config.max_watchers)),
        connections: AtomicUsize::new(0),
    });
    let on_connect = signaling.clone();
    io.ns("/", move |socket: SocketRef| {
        on_connect.clone().connect(socket)
    });
    tokio::spawn(tell_counts(
        signaling.clone(),
        Duration::from_millis(config.count_interval_ms.max(1)),
    ));
    let requests_by_address = Arc::new(PerKey::new(Rate {
        per_sec: config.requests_per_sec_per_address,
        burst: config.request_burst_per_address,
    }));
    tokio::spawn(forget_idle_keys(
        signaling.clone(),
        requests_by_address.clone(),
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
        .route_layer(middleware::from_fn_with_state(
            requests_by_address,
            limit_requests,
        ))
        .with_state(signaling)
        .layer(layer)
        .layer(RequestBodyTimeoutLayer::new(Duration::from_millis(
            config.body_timeout_ms,
        )))
        .layer(cors)
        .layer(middleware::from_fn_with_state(
            Arc::new(origins),
            only_allowed_origins,
        ));
    Server { router, io }
}

struct Signaling {
    config: Config,
    /// Where clients reach the server, named in the sign-in texts.
    public_urls: Vec<String>,
    auth: AuthPolicy,
    authority: Authority,
    /// Chain queries in flight by client address.
    chain_queries: InFlight<IpAddr>,
    joins_by_address: PerKey<IpAddr>,
    joins_by_account: PerKey<AccountId>,
    io: SocketIo,
    hub: Mutex<Hub<Sid>>,
    /// socket.io connections open now.
    connections: AtomicUsize,
}

/// One connection's own state, in its socket's extensions: its lock is held only by
/// its own events, so checking one connection's signature holds up no other.
struct Conn {
    address: IpAddr,
    state: Mutex<ConnState>,
}

struct ConnState {
    session: Session,
    rate: RateLimit,
    /// Whether it sent `listen`, which needs no sign-in.
    listened: bool,
    /// When it last sent an event.
    last_event: Instant,
}

impl Conn {
    fn of(socket: &SocketRef) -> Result<Arc<Self>, String> {
        socket
            .extensions
            .get::<Arc<Self>>()
            .ok_or_else(|| "Connection is closing".into())
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, ConnState> {
        self.state.lock().expect("connection state lock")
    }
}

type Outcome = Result<Outbox<Sid>, String>;

impl Signaling {
    fn lock(&self) -> std::sync::MutexGuard<'_, Hub<Sid>> {
        self.hub.lock().expect("hub lock")
    }

    /// The public URL `socket` came to: the one its `Host` names, or the first. A client
    /// can choose only among the server's own.
    fn public_url(&self, socket: &SocketRef) -> &str {
        let host = socket.req_parts().headers.get(header::HOST);
        self.public_urls
            .iter()
            .find(|url| {
                host.is_some_and(|host| {
                    host.as_bytes()
                        .eq_ignore_ascii_case(host_of(url).as_bytes())
                })
            })
            .unwrap_or(&self.public_urls[0])
    }

    async fn connect(self: Arc<Self>, socket: SocketRef) {
        let session = Session::new(self.public_url(&socket).to_string(), now_ms(), &self.auth);
        let challenge = session.challenge().clone();
        let conn = Conn {
            address: socket
                .req_parts()
                .extensions
                .get::<ClientAddr>()
                .map_or(IpAddr::V4(Ipv4Addr::UNSPECIFIED), |client| client.0),
            state: Mutex::new(ConnState {
                session,
                rate: RateLimit::new(
                    self.config.rate_per_sec,
                    self.config.rate_burst,
                    Instant::now(),
                ),
                listened: false,
                last_event: Instant::now(),
            }),
        };
        socket.extensions.insert(Arc::new(conn));
        self.connections.fetch_add(1, Ordering::Relaxed);
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
            signaling.connections.fetch_sub(1, Ordering::Relaxed);
            let outbox = signaling.lock().disconnect(socket.id);
            info!(sid = %socket.id, "disconnected");
            signaling.deliver(outbox);
        });
        // Last, so that a client answering at once finds its handlers in place.
        socket.emit("challenge", &challenge).ok();
        tokio::spawn(self.clone().close_when_idle(socket.id));
    }

    /// Closes the connection `sid` once it is idle: neither signed in nor listening by
    /// the sign-in deadline, or later silent for the idle timeout while it takes part
    /// in nothing. It holds only the id, so a connection that left is freed at once.
    async fn close_when_idle(self: Arc<Self>, sid: Sid) {
        let sign_in = Duration::from_millis(self.config.sign_in_deadline_ms);
        let idle = Duration::from_millis(self.config.idle_timeout_ms);
        tokio::time::sleep(sign_in).await;
        loop {
            let Some(socket) = self.io.get_socket(sid) else {
                return;
            };
            let Ok(conn) = Conn::of(&socket) else {
                return;
            };
            let (signed_in, listened, silent) = {
                let conn = conn.lock();
                let signed_in = conn.session.account().is_some();
                (signed_in, conn.listened, conn.last_event.elapsed())
            };
            let reason = if !signed_in && !listened {
                "neither signed in nor listening in time"
            } else if silent >= idle && !self.lock().takes_part(sid) {
                "idle"
            } else {
                drop(socket);
                let until_idle = idle.saturating_sub(silent);
                tokio::time::sleep(if until_idle.is_zero() {
                    idle
                } else {
                    until_idle
                })
                .await;
                continue;
            };
            info!(%sid, "closed: {reason}");
            socket.disconnect().ok();
            return;
        }
    }

    async fn event(&self, socket: SocketRef, event: &'static str, args: Option<(Value, Value)>) {
        let peers = self.lock().peers(socket.id);
        let allowed = Conn::of(&socket).is_ok_and(|conn| {
            let mut conn = conn.lock();
            conn.last_event = Instant::now();
            let now = conn.last_event;
            conn.rate.allow(now, peers)
        });
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

    /// The account behind `claimed` for a join, proven by the credentials or bound
    /// earlier, if its address and then the account may join again so soon, with a
    /// place among its address's chain queries for the checks the join needs.
    fn authenticate(
        &self,
        socket: &SocketRef,
        claimed: &str,
        message: &wire::JoinMsg,
    ) -> Result<(AccountId, Entered<IpAddr>), String> {
        let conn = Conn::of(socket)?;
        if !self.joins_by_address.allow(&conn.address) {
            return Err("Too many joins from your address: wait a moment".into());
        }
        let account = self.prove(socket, &conn, claimed, message)?;
        if !self.joins_by_account.allow(&account) {
            return Err("Too many joins by this account: wait a moment".into());
        }
        let turn = self
            .chain_queries
            .enter(conn.address)
            .ok_or("Too many chain checks from your address at once: try again in a moment")?;
        Ok((account, turn))
    }

    fn prove(
        &self,
        socket: &SocketRef,
        conn: &Conn,
        claimed: &str,
        message: &wire::JoinMsg,
    ) -> Result<AccountId, String> {
        let credentials = Credentials {
            claimed,
            signature: message.signed_msg.as_deref(),
            signer: message.encoded_id.as_deref(),
        };
        let mut conn = conn.lock();
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
        let account =
            Conn::of(socket)?.lock().session.account().ok_or(
                "Sign in first: watch or broadcast with this connection's signed challenge",
            )?;
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
        let (account, _turn) = self.authenticate(socket, claimed, &message)?;
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
        let outbox = self.lock().broadcast(socket.id, account, stream_id)?;
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
        let (viewer, _turn) = self.authenticate(socket, claimed, &message)?;
        let broadcaster = self
            .lock()
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
        let mut hub = self.lock();
        if hub.broadcaster(stream_id) != Some(broadcaster) {
            return Err(Refusal::NotStarted(stream_id.to_string()).into());
        }
        let outbox = hub.join(socket.id, viewer, stream_id)?;
        drop(hub);
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
        Ok(route(&self.lock(), to, payload)?)
    }

    fn stop_broadcasting(
        &self,
        socket: &SocketRef,
        claimed: &str,
        message: Result<wire::StreamMsg, String>,
    ) -> Outcome {
        let message = message?;
        self.signed_in(socket, Some(claimed))?;
        let outbox = self.lock().stop_broadcast(socket.id, &message.stream_id)?;
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
        Ok(vec![(socket.id, notice(&self.lock(), &message.stream_id))])
    }

    /// Open to anyone, signed in or not, like `getIsStreaming`: schedule pages show who
    /// is live to visitors without an account.
    fn listen(&self, socket: &SocketRef, message: Result<wire::ListenMsg, String>) -> Outcome {
        let message = message?;
        for id in &message.stream_ids {
            stream_id(id)?;
        }
        let outbox = self.lock().listen(socket.id, message.stream_ids)?;
        Conn::of(socket)?.lock().listened = true;
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
        let outbox = signaling.lock().flush_counts();
        signaling.deliver(outbox);
    }
}

/// Every minute, the rate limiters forget the keys that have not been used lately.
async fn forget_idle_keys(signaling: Arc<Signaling>, requests: Arc<PerKey<IpAddr>>) {
    let mut ticks = tokio::time::interval(Duration::from_secs(60));
    loop {
        ticks.tick().await;
        signaling.joins_by_address.forget_idle();
        signaling.joins_by_account.forget_idle();
        requests.forget_idle();
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

/// The `host[:port]` of `url`.
fn host_of(url: &str) -> &str {
    let rest = url.split_once("://").map_or(url, |(_, rest)| rest);
    rest.split('/').next().unwrap_or(rest)
}

fn now_ms() -> u64 {
    let since_epoch = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .expect("the clock is after 1970");
    u64::try_from(since_epoch.as_millis()).expect("milliseconds fit in u64")
}

async fn healthz(AxumState(signaling): AxumState<Arc<Signaling>>) -> Json<Value> {
    Json(json!({
        "status": "ok",
        "connections": signaling.connections.load(Ordering::Relaxed),
        "liveStreams": signaling.lock().live_streams(),
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
        Ok(account) => Json(signaling.lock().is_broadcasting(account)).into_response(),
        Err(text) => (StatusCode::BAD_REQUEST, text).into_response(),
    }
}

/// The server's own routes, limited per client address: each may reach the hub's lock.
async fn limit_requests(
    AxumState(limit): AxumState<Arc<PerKey<IpAddr>>>,
    request: Request,
    next: Next,
) -> Response {
    let address = request
        .extensions()
        .get::<ClientAddr>()
        .map(|client| client.0);
    if address.is_some_and(|address| !limit.allow(&address)) {
        return (
            StatusCode::TOO_MANY_REQUESTS,
            "Too many requests: slow down",
        )
            .into_response();
    }
    next.run(request).await
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
