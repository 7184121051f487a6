//! The socket.io side: each client event has its own typed handler, which checks who
//! sends it and what the chain says they may do, then asks the [`Hub`] for the change
//! ([`Signaling::change`]: at once when the server runs alone, through the shared log
//! of [`cluster`] when instances share the hub); every handler sits behind the
//! per-connection event limit ([`RateLimited`]), and a refusal reaches its sender in
//! one place ([`Signaling::conclude`]).
use crate::{
    auth::{AuthPolicy, Credentials, Session},
    chain::{self, Authority, Chain},
    cluster::{self, Change, ConnId, Entry, InstanceId, Log},
    config::Config,
    connections::ClientAddr,
    http,
    hub::{Hub, Notice, Op, Outbox},
    limits::{Entered, InFlight, PerKey, Rate, RateLimit},
    metrics::{Measured, Metrics},
    outgoing::Outgoing,
    refusal::Refusal,
    turn,
    wire::{self, Packet},
};
use axum::{http::header, Router};
use serde::de::DeserializeOwned;
use serde_json::Value;
use socketioxide::{
    adapter::LocalAdapter,
    extract::{SocketRef, TryData},
    handler::{self, MessageHandler},
    socket::Socket,
    SocketIo, TransportType,
};
use std::{
    future::Future,
    net::{IpAddr, Ipv4Addr},
    sync::{Arc, Mutex},
    time::{Duration, Instant, SystemTime, UNIX_EPOCH},
};
use tracing::{info, warn};
use w3bstreaming_keys::AccountId;

/// Stream ids the program makes are a timestamp and a title of at most 100 bytes.
const MAX_STREAM_ID_BYTES: usize = 256;
/// Largest socket.io packet accepted (an SDP description and its envelope), on every
/// transport: a websocket frame or message over it closes the connection before it
/// is read whole (the library's defaults are 16 MiB frames and 64 MiB messages).
const MAX_PACKET_BYTES: usize = 64 * 1024;
/// socket.io's send buffer of every connection, in packets: a schedule page's
/// statuses and a viewer's join fit in it.
const BUFFERED_PACKETS: usize = 512;
/// What waits behind a full buffer for a connection that broadcasts nothing.
const QUEUED_PACKETS: usize = 128;
/// What one viewer's join sends its broadcaster at once: `watch`, a count, the answer
/// and a dozen ICE candidates. A broadcaster's queue holds this for a full stream, so
/// a crowd joining together loses nothing.
const PACKETS_PER_VIEWER: usize = 16;
/// Chain answers kept of each kind (stream owners, follows): a few MiB at most.
const CACHED_ANSWERS: u64 = 100_000;

/// The server: the public router, the operator's (`/metrics`), and the socket.io
/// handle to close on shutdown.
pub struct Server {
    pub router: Router,
    pub metrics: Router,
    pub io: SocketIo,
}

/// Builds the server reading the program from `chain`; clients reach it at
/// `public_urls` (the first unless a request's `Host` names another). With a Redis URL
/// configured it joins the other instances there, starting from their hub.
pub async fn build(
    config: &Config,
    public_urls: Vec<String>,
    chain: Arc<dyn Chain>,
) -> Result<Server, String> {
    let builder = SocketIo::builder()
        .max_payload(MAX_PACKET_BYTES as u64)
        .ws_max_frame_size(MAX_PACKET_BYTES)
        .ws_max_message_size(MAX_PACKET_BYTES)
        .max_buffer_size(BUFFERED_PACKETS)
        .ping_interval(Duration::from_millis(config.ping_interval_ms.max(1)))
        .ping_timeout(Duration::from_millis(config.ping_timeout_ms.max(1)));
    // Long-polling sends each request of a session to the instance that holds it, which
    // only a proxy with sticky sessions does.
    let builder = if config.websocket_only {
        builder.transports([TransportType::Websocket])
    } else {
        builder
    };
    let (layer, io) = builder.build_layer();
    let me = InstanceId::random();
    let mut hub = Hub::new(config.max_watchers);
    let (mut log, mut start) = (None, None);
    if let Some(url) = &config.redis_url {
        let shared = Log::connect(url, me).await?;
        let (after, snapshot) = shared.hello().await?;
        if let Some(snapshot) = snapshot {
            hub = serde_json::from_str(&snapshot)
                .map_err(|error| format!("the other instances' hub: {error}"))?;
            hub.set_max_viewers(config.max_watchers);
        }
        info!(instance = %me, "sharing the hub through Redis");
        (log, start) = (Some(shared), Some(after));
    }
    let metrics = Arc::new(Metrics::default());
    let measured = Arc::new(Measured {
        chain,
        metrics: metrics.clone(),
    });
    let signaling = Arc::new(Signaling {
        config: config.clone(),
        public_urls,
        auth: AuthPolicy {
            challenge_ttl_ms: config.challenge_ttl_ms,
            legacy_signatures: config.legacy_signatures,
        },
        authority: Authority::new(
            measured,
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
        me,
        hub: Mutex::new(hub),
        log,
        metrics,
    });
    if let (Some(log), Some(start)) = (&signaling.log, start) {
        tokio::spawn(signaling.clone().follow(start));
        // Alive, and so counted on to give newcomers the hub, once it follows the log
        // and before any client connects.
        log.beat()
            .await
            .map_err(|error| format!("Redis: {error}"))?;
        tokio::spawn(signaling.clone().keep_alive());
    }
    let on_connect = signaling.clone();
    io.ns("/", move |socket: SocketRef| {
        on_connect.clone().connect(socket)
    });
    tokio::spawn(tell_counts(
        signaling.clone(),
        Duration::from_millis(config.count_interval_ms.max(1)),
    ));
    let (router, requests_by_address) = http::router(signaling.clone(), layer, config);
    tokio::spawn(forget_idle_keys(signaling.clone(), requests_by_address));
    Ok(Server {
        router,
        metrics: http::metrics_router(signaling),
        io,
    })
}

/// The server's state, shared by every connection and route.
pub(crate) struct Signaling {
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
    /// This instance, among those sharing the hub.
    me: InstanceId,
    /// This instance's copy of the hub: the hub itself when it runs alone.
    hub: Mutex<Hub<ConnId>>,
    /// The log of changes shared with the other instances, if any.
    log: Option<Log>,
    pub(crate) metrics: Arc<Metrics>,
}

/// One connection's own state, in its socket's extensions: its lock is held only by
/// its own events, so checking one connection's signature holds up no other.
struct Conn {
    address: IpAddr,
    state: Mutex<ConnState>,
    outgoing: Arc<Outgoing>,
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
    /// The state of the connection on `socket`, inserted on connect, before any of its
    /// handlers is registered.
    fn of(socket: &Socket<LocalAdapter>) -> Arc<Self> {
        socket
            .extensions
            .get::<Arc<Self>>()
            .expect("a connection's state is inserted on connect")
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, ConnState> {
        self.state.lock().expect("connection state lock")
    }
}

type Outcome = Result<(), Refusal>;

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

impl Signaling {
    pub(crate) fn lock(&self) -> std::sync::MutexGuard<'_, Hub<ConnId>> {
        self.hub.lock().expect("hub lock")
    }

    fn conn_id(&self, socket: &Socket<LocalAdapter>) -> ConnId {
        ConnId {
            instance: self.me,
            sid: socket.id,
        }
    }

    /// Makes the change `op` to the hub, and tells each connection of this instance
    /// what it says to it; the other instances, sharing the log, tell theirs.
    async fn change(&self, op: Op<ConnId>) -> Result<(), Refusal> {
        match &self.log {
            None => self.apply(op),
            Some(log) => log.submit(op).await,
        }
    }

    /// Applies `op` to this instance's hub and delivers what it says to this
    /// instance's connections; a connection it lets in gets its ICE servers first.
    fn apply(&self, op: Op<ConnId>) -> Result<(), Refusal> {
        let let_in = match &op {
            Op::Broadcast {
                conn, broadcaster, ..
            } => Some((*conn, *broadcaster, "broadcaster")),
            Op::Join { conn, viewer, .. } => Some((*conn, *viewer, "viewer")),
            _ => None,
        };
        let outbox = self.lock().apply(op)?;
        if let Some((conn, account, role)) = let_in {
            if let Some(socket) = self.local(conn) {
                self.let_in(&socket, account, role);
            }
        }
        self.deliver(outbox);
        Ok(())
    }

    /// The socket of `conn` if this instance holds it.
    fn local(&self, conn: ConnId) -> Option<SocketRef> {
        if conn.instance == self.me {
            self.io.get_socket(conn.sid)
        } else {
            None
        }
    }

    /// Applies the shared log from `start` on, for as long as the server runs.
    async fn follow(self: Arc<Self>, start: String) {
        let log = self.log.as_ref().expect("following a log");
        log.follow(start, |entry| self.apply_entry(log, entry))
            .await;
    }

    fn apply_entry(self: &Arc<Self>, log: &Log, entry: Entry) {
        match entry.change {
            // Only a change from a connection has a sender waiting for its answer.
            Change::Op(op) => log.applied(entry.from, entry.ticket, self.apply(op)),
            Change::InstanceGone(instance) => {
                let outbox = self
                    .lock()
                    .disconnect_where(|conn| conn.instance == instance);
                info!(%instance, "instance gone");
                self.deliver(outbox);
            }
            Change::Hello(instance) if instance != self.me => {
                let snapshot = serde_json::to_string(&*self.lock()).expect("the hub serializes");
                let (signaling, attempt) = (self.clone(), entry.ticket);
                tokio::spawn(async move {
                    let log = signaling.log.as_ref().expect("following a log");
                    if let Err(error) = log.give_snapshot(instance, attempt, snapshot).await {
                        warn!(%error, "cannot give a new instance the hub");
                    }
                });
            }
            Change::Hello(_) => {}
        }
    }

    /// Every beat, renews this instance's alive key, and tells the others of the
    /// instances whose connections are in the hub but whose key has expired.
    async fn keep_alive(self: Arc<Self>) {
        let log = self.log.as_ref().expect("sharing a log");
        let mut ticks = tokio::time::interval(cluster::BEAT);
        loop {
            ticks.tick().await;
            if let Err(error) = log.beat().await {
                warn!(%error, "cannot renew this instance's alive key");
                continue;
            }
            let mut others: Vec<InstanceId> = self
                .lock()
                .conns()
                .map(|conn| conn.instance)
                .filter(|instance| *instance != self.me)
                .collect();
            others.sort();
            others.dedup();
            match log.gone(&others).await {
                Ok(gone) => {
                    for instance in gone {
                        warn!(%instance, "instance stopped renewing its alive key");
                        log.announce_gone(instance).await.ok();
                    }
                }
                Err(error) => warn!(%error, "cannot check the other instances"),
            }
        }
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
        let challenge = Packet::challenge(session.challenge());
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
            outgoing: Arc::new(Outgoing::new(QUEUED_PACKETS)),
        };
        socket.extensions.insert(Arc::new(conn));
        self.metrics.connections.inc();
        info!(sid = %socket.id, "connected");
        self.on(&socket, "broadcast", Self::broadcast);
        self.on(&socket, "watch", Self::watch);
        self.on(&socket, "offer", Self::offer);
        self.on(&socket, "answer", Self::answer);
        self.on(&socket, "candidate", Self::candidate);
        self.on(&socket, "stopBroadcasting", Self::stop_broadcasting);
        self.on(&socket, "stopWatching", Self::stop_watching);
        self.on(&socket, "getWatchersCount", Self::watchers_count);
        self.on(&socket, "getIsStreaming", Self::is_streaming);
        self.on(&socket, "listen", Self::listen);
        let signaling = self.clone();
        socket.on_disconnect(move |socket: SocketRef| async move {
            signaling.metrics.connections.dec();
            Conn::of(&socket).outgoing.close();
            let conn = signaling.conn_id(&socket);
            if let Err(refusal) = signaling.change(Op::Disconnect { conn }).await {
                warn!(sid = %socket.id, %refusal, "the hub has not heard of the disconnect");
            }
            info!(sid = %socket.id, "disconnected");
        });
        // Last, so that a client answering at once finds its handlers in place.
        self.send(&socket, challenge);
        tokio::spawn(self.clone().close_when_idle(socket.id));
    }

    /// Registers `handler` for the client `event`, whose message object is an `M`,
    /// behind the event limit.
    fn on<M, F, Fut>(self: &Arc<Self>, socket: &SocketRef, event: &'static str, handler: F)
    where
        M: DeserializeOwned + Send + 'static,
        F: Fn(Arc<Self>, SocketRef, String, M) -> Fut + Copy + Send + Sync + 'static,
        Fut: Future<Output = Outcome> + Send + 'static,
    {
        let signaling = self.clone();
        let typed = move |socket: SocketRef, TryData(args): TryData<(Value, Value)>| {
            let signaling = signaling.clone();
            async move {
                let outcome = match wire::message::<M>(event, args.ok()) {
                    Ok((first, message)) => {
                        handler(signaling.clone(), socket.clone(), first, message).await
                    }
                    Err(refusal) => Err(refusal),
                };
                signaling.conclude(&socket, event, outcome);
            }
        };
        socket.on(
            event,
            RateLimited {
                signaling: self.clone(),
                event,
                handler: typed,
            },
        );
    }

    /// Tells the sender of an event why it was refused, if it was.
    fn conclude(&self, socket: &SocketRef, event: &'static str, outcome: Outcome) {
        if let Err(refusal) = outcome {
            self.refuse(socket, event, refusal);
        }
    }

    fn refuse(&self, socket: &SocketRef, event: &'static str, refusal: Refusal) {
        info!(sid = %socket.id, event, reason = %refusal, "refused");
        self.metrics
            .refusals
            .get_or_create(&[("reason", refusal.reason())])
            .inc();
        self.send(socket, Packet::refusal(&refusal));
    }

    /// Sends each notice of `outbox` for a connection of this instance.
    fn deliver(&self, outbox: Outbox<ConnId>) {
        for (conn, notice) in outbox {
            if let Some(socket) = self.local(conn) {
                self.send(&socket, Packet::notice(notice));
            }
        }
    }

    /// Sends `packet` to `socket`, or closes a connection that is not reading what it
    /// is sent.
    fn send(&self, socket: &SocketRef, packet: Packet) {
        let outgoing = Conn::of(socket).outgoing.clone();
        if outgoing.send(socket, packet).is_err() {
            self.close(socket, "not reading what it is sent");
        }
    }

    fn close(&self, socket: &SocketRef, reason: &'static str) {
        info!(sid = %socket.id, "closed: {reason}");
        self.metrics
            .closed
            .get_or_create(&[("reason", reason)])
            .inc();
        // With its buffer full the goodbye cannot be queued; engine.io then closes it
        // at its next ping.
        socket.clone().disconnect().ok();
    }

    /// Closes the connection `sid` once it is idle: neither signed in nor listening by
    /// the sign-in deadline, or later silent for the idle timeout while it takes part
    /// in nothing. It holds only the id, so a connection that left is freed at once.
    async fn close_when_idle(self: Arc<Self>, sid: socketioxide::socket::Sid) {
        let sign_in = Duration::from_millis(self.config.sign_in_deadline_ms);
        let idle = Duration::from_millis(self.config.idle_timeout_ms);
        tokio::time::sleep(sign_in).await;
        loop {
            let Some(socket) = self.io.get_socket(sid) else {
                return;
            };
            let (signed_in, listened, silent) = {
                let conn = Conn::of(&socket);
                let state = conn.lock();
                let signed_in = state.session.account().is_some();
                (signed_in, state.listened, state.last_event.elapsed())
            };
            let reason = if !signed_in && !listened {
                "neither signed in nor listening in time"
            } else if silent >= idle && !self.lock().takes_part(self.conn_id(&socket)) {
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
            self.close(&socket, reason);
            return;
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
    ) -> Result<(AccountId, Entered<IpAddr>), Refusal> {
        let conn = Conn::of(socket);
        if !self.joins_by_address.allow(&conn.address) {
            return Err(Refusal::TooManyJoinsFromAddress);
        }
        let account = self.prove(socket, &conn, claimed, message)?;
        if !self.joins_by_account.allow(&account) {
            return Err(Refusal::TooManyJoinsByAccount);
        }
        let turn = self
            .chain_queries
            .enter(conn.address)
            .ok_or(Refusal::TooManyChainQueriesFromAddress)?;
        Ok((account, turn))
    }

    fn prove(
        &self,
        socket: &SocketRef,
        conn: &Conn,
        claimed: &str,
        message: &wire::JoinMsg,
    ) -> Result<AccountId, Refusal> {
        let credentials = Credentials {
            claimed,
            signature: message.signed_msg.as_deref(),
            signer: message.encoded_id.as_deref(),
        };
        let mut state = conn.lock();
        let first_time = state.session.account().is_none();
        match state
            .session
            .authenticate(credentials, now_ms(), &self.auth)
        {
            Ok(account) => {
                if first_time {
                    info!(sid = %socket.id, %account, "signed in");
                    self.metrics.sign_ins.inc();
                }
                Ok(account)
            }
            Err(refusal) => {
                if refusal == Refusal::Expired {
                    let challenge = Packet::challenge(state.session.challenge());
                    drop(state);
                    self.send(socket, challenge);
                }
                Err(refusal)
            }
        }
    }

    /// The account this connection signed in as; it must be the one it names.
    fn signed_in(&self, socket: &SocketRef, claimed: Option<&str>) -> Result<AccountId, Refusal> {
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

    async fn broadcast(
        self: Arc<Self>,
        socket: SocketRef,
        claimed: String,
        message: wire::JoinMsg,
    ) -> Outcome {
        let stream_id = stream_id(&message.stream_id)?;
        let (account, _turn) = self.authenticate(&socket, &claimed, &message)?;
        let owner = self
            .authority
            .stream(stream_id)
            .await
            .map_err(chain_unavailable)?;
        match owner {
            None => return Err(Refusal::NotScheduled(stream_id.into())),
            Some(owner) if owner.broadcaster != account => {
                return Err(Refusal::NotTheBroadcaster(stream_id.into()))
            }
            Some(owner) if owner.end_time <= now_ms() => {
                return Err(Refusal::Ended(stream_id.into()))
            }
            Some(_) => {}
        }
        self.change(Op::Broadcast {
            conn: self.conn_id(&socket),
            broadcaster: account,
            stream_id: stream_id.into(),
        })
        .await?;
        info!(sid = %socket.id, %account, stream_id, "broadcasting");
        Ok(())
    }

    async fn watch(
        self: Arc<Self>,
        socket: SocketRef,
        claimed: String,
        message: wire::JoinMsg,
    ) -> Outcome {
        let stream_id = stream_id(&message.stream_id)?;
        let (viewer, _turn) = self.authenticate(&socket, &claimed, &message)?;
        let broadcaster = self
            .lock()
            .broadcaster(stream_id)
            .ok_or_else(|| Refusal::NotStarted(stream_id.into()))?;
        if !self
            .authority
            .follows(viewer, broadcaster)
            .await
            .map_err(chain_unavailable)?
        {
            return Err(Refusal::NotSubscribed);
        }
        self.change(Op::Join {
            conn: self.conn_id(&socket),
            viewer,
            stream_id: stream_id.into(),
            broadcaster,
        })
        .await?;
        info!(sid = %socket.id, %viewer, stream_id, "watching");
        Ok(())
    }

    /// Counts a join and sends the ICE servers, with fresh TURN credentials, to the
    /// connection just let in, before anything of its stream. Only those get them: a
    /// TURN relay is there for the program's broadcasters and followers, not for anyone
    /// who can make a key and sign in. A broadcaster's queue grows to a full stream's.
    fn let_in(&self, socket: &SocketRef, account: AccountId, role: &'static str) {
        self.metrics.joins.get_or_create(&[("role", role)]).inc();
        if role == "broadcaster" {
            Conn::of(socket)
                .outgoing
                .raise_limit(self.config.max_watchers.saturating_mul(PACKETS_PER_VIEWER));
        }
        let servers = turn::ice_servers(
            &self.config.ice_servers,
            self.config.turn_secret.as_deref(),
            account,
            now_ms() / 1_000,
            self.config.turn_ttl_secs,
        );
        self.send(socket, Packet::ice_servers(&servers));
    }

    async fn offer(
        self: Arc<Self>,
        socket: SocketRef,
        claimed: String,
        message: wire::OfferMsg,
    ) -> Outcome {
        let to = message.user_id;
        let limit = ("SDP description", self.config.max_sdp_bytes);
        self.relay(
            &socket,
            Some(&claimed),
            &to,
            limit,
            message.description,
            |conn, viewer, description| Op::Offer {
                conn,
                viewer,
                description,
            },
        )
        .await
    }

    async fn answer(
        self: Arc<Self>,
        socket: SocketRef,
        broadcaster: String,
        message: wire::AnswerMsg,
    ) -> Outcome {
        let limit = ("SDP description", self.config.max_sdp_bytes);
        self.relay(
            &socket,
            None,
            &broadcaster,
            limit,
            message.description,
            |conn, broadcaster, description| Op::Answer {
                conn,
                broadcaster,
                description,
            },
        )
        .await
    }

    async fn candidate(
        self: Arc<Self>,
        socket: SocketRef,
        peer: String,
        message: wire::CandidateMsg,
    ) -> Outcome {
        let limit = ("ICE candidate", self.config.max_candidate_bytes);
        self.relay(
            &socket,
            None,
            &peer,
            limit,
            message.candidate,
            |conn, to, candidate| Op::Candidate {
                conn,
                to,
                candidate,
            },
        )
        .await
    }

    /// Relays `payload` from a signed-in connection (named `claimed`, when the event
    /// names its sender) to the peer `to` names, if it is at most `max` bytes of JSON
    /// (`what` says what it is); `relay` makes the change that routes it.
    async fn relay(
        &self,
        socket: &SocketRef,
        claimed: Option<&str>,
        to: &str,
        (what, max): (&'static str, usize),
        payload: Value,
        relay: impl FnOnce(ConnId, AccountId, Value) -> Op<ConnId>,
    ) -> Outcome {
        self.signed_in(socket, claimed)?;
        let peer = account(to)?;
        check_size(what, &payload, max)?;
        let op = relay(self.conn_id(socket), peer, payload);
        let kind = op.name();
        self.change(op).await?;
        self.metrics.relays.get_or_create(&[("kind", kind)]).inc();
        Ok(())
    }

    async fn stop_broadcasting(
        self: Arc<Self>,
        socket: SocketRef,
        claimed: String,
        message: wire::StreamMsg,
    ) -> Outcome {
        self.signed_in(&socket, Some(&claimed))?;
        let conn = self.conn_id(&socket);
        let stream_id = message.stream_id;
        info!(sid = %socket.id, stream_id, "stopping broadcasting");
        self.change(Op::StopBroadcast { conn, stream_id }).await
    }

    /// Leaving is idempotent: frontends send it whenever a player closes, watching or not.
    async fn stop_watching(
        self: Arc<Self>,
        socket: SocketRef,
        _claimed: String,
        message: wire::StreamMsg,
    ) -> Outcome {
        let conn = self.conn_id(&socket);
        let stream_id = message.stream_id;
        match self.change(Op::Leave { conn, stream_id }).await {
            Err(Refusal::NotWatching(_)) => Ok(()),
            outcome => outcome,
        }
    }

    async fn watchers_count(
        self: Arc<Self>,
        socket: SocketRef,
        _claimed: String,
        message: wire::StreamMsg,
    ) -> Outcome {
        let count = self.lock().viewers(&message.stream_id);
        self.send(&socket, Packet::notice(Notice::WatchersCount(count)));
        Ok(())
    }

    async fn is_streaming(
        self: Arc<Self>,
        socket: SocketRef,
        _claimed: String,
        message: wire::StreamMsg,
    ) -> Outcome {
        let live = self.lock().is_streaming(&message.stream_id);
        self.send(&socket, Packet::notice(Notice::IsStreaming(live)));
        Ok(())
    }

    /// Open to anyone, signed in or not, like `getIsStreaming`: schedule pages show who
    /// is live to visitors without an account.
    async fn listen(
        self: Arc<Self>,
        socket: SocketRef,
        _claimed: String,
        message: wire::ListenMsg,
    ) -> Outcome {
        for id in &message.stream_ids {
            stream_id(id)?;
        }
        // Only this instance hears its listeners: the changes that concern them come
        // through the log to every instance.
        let outbox = self
            .lock()
            .listen(self.conn_id(&socket), message.stream_ids)?;
        Conn::of(&socket).lock().listened = true;
        self.deliver(outbox);
        Ok(())
    }

    /// Whether `account` is broadcasting now.
    pub(crate) fn is_broadcasting(&self, account: AccountId) -> bool {
        self.lock().is_broadcasting(account)
    }

    /// Brings the gauges read from the hub up to date, for a scrape.
    pub(crate) fn measure(&self) {
        let hub = self.lock();
        let gauge = |n: usize| i64::try_from(n).unwrap_or(i64::MAX);
        self.metrics.live_streams.set(gauge(hub.live_streams()));
        self.metrics.viewers.set(gauge(hub.all_viewers()));
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

fn stream_id(id: &str) -> Result<&str, Refusal> {
    if id.len() > MAX_STREAM_ID_BYTES {
        return Err(Refusal::StreamIdTooLong {
            max: MAX_STREAM_ID_BYTES,
        });
    }
    Ok(id)
}

/// The account `text` names.
pub(crate) fn account(text: &str) -> Result<AccountId, Refusal> {
    AccountId::parse(text).ok_or_else(|| Refusal::NotAnAccount(crate::echo::Echo::of(text)))
}

fn check_size(what: &'static str, value: &Value, max: usize) -> Result<(), Refusal> {
    let size = serde_json::to_string(value).map_or(usize::MAX, |text| text.len());
    if size > max {
        return Err(Refusal::TooLarge { what, size, max });
    }
    Ok(())
}

fn chain_unavailable(error: chain::ChainError) -> Refusal {
    warn!(%error, "chain query failed");
    Refusal::ChainUnavailable(error.to_string())
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
