//! The server's state, shared by every connection and route ([`Signaling`]), and the
//! one way the hub changes: [`Signaling::change`], at once when the server runs alone,
//! through the shared log of [`cluster`](crate::cluster) when instances share the hub.
//! Either way each connection of this instance is then told what the change says to
//! it, and every packet reaches a connection through [`Signaling::send`].
use crate::{
    address::AddressRange,
    auth::AuthPolicy,
    chain::Authority,
    cluster::{ConnId, InstanceId, Log, Replica},
    config::Config,
    conn::Conn,
    http::Status,
    hub::{Hub, MediaTask, Notice, Op, Outbox},
    media::{Encoders, Media, ServerId},
    metrics::Metrics,
    rates::{Entered, InFlight, PerKey},
    refusal::Refusal,
    stream_keys::Keys,
    turn,
    wire::Packet,
};
use axum::http::header;
use socketioxide::{
    adapter::LocalAdapter,
    extract::SocketRef,
    socket::{Sid, Socket},
    SocketIo,
};
use std::{
    sync::{Arc, Mutex, MutexGuard, PoisonError},
    time::{Duration, SystemTime, UNIX_EPOCH},
};
use tokio::sync::mpsc::UnboundedSender;
use tracing::{debug, warn};
use w3bstreaming_keys::AccountId;

/// What one viewer's join sends its broadcaster at once: `watch`, a count, the answer
/// and a dozen ICE candidates. A broadcaster's queue holds this for a full stream, so
/// a crowd joining together loses nothing.
const PACKETS_PER_VIEWER: usize = 16;

/// How long a connection the server closes has to take its goodbye and leave before
/// its TCP connection is cut.
const GOODBYE_WITHIN: Duration = Duration::from_secs(1);

/// The server's state, shared by every connection and route.
pub(crate) struct Signaling {
    pub config: Config,
    /// Where clients reach the server, named in the sign-in texts.
    pub public_urls: Vec<String>,
    pub auth: AuthPolicy,
    pub authority: Authority,
    /// Chain queries in flight by client address range.
    pub chain_queries: InFlight<AddressRange>,
    pub joins_by_address: PerKey<AddressRange>,
    pub joins_by_account: PerKey<AccountId>,
    pub chat_by_address: PerKey<AddressRange>,
    pub chat_by_account: PerKey<AccountId>,
    pub io: SocketIo,
    /// This instance, among those sharing the hub.
    pub me: InstanceId,
    /// This instance's copy of the hub: the hub itself when it runs alone.
    pub hub: Mutex<Hub<ConnId>>,
    /// Held from applying a change until what it says is handed to the connections,
    /// so that they hear changes in the order they were made (a chat's messages above
    /// all): running alone, changes come from many tasks at once; sharing the hub, the
    /// log's one reader applies them in its order anyway.
    pub in_order: Mutex<()>,
    /// The log of changes shared with the other instances, if any.
    pub log: Option<Arc<Log>>,
    pub metrics: Arc<Metrics>,
    /// The media server tier, when one is configured.
    pub media: Option<Arc<Media>>,
    /// What the hub asks the media tier for this instance's connections, in order
    /// (`events::media::run_tasks` takes them).
    pub media_tasks: Option<UnboundedSender<(Sid, MediaTask)>>,
    /// The streams this instance receives from encoders over WHIP.
    pub encoders: Encoders,
    /// The keys encoders publish with.
    pub stream_keys: Keys,
}

impl Signaling {
    pub fn lock(&self) -> MutexGuard<'_, Hub<ConnId>> {
        self.hub.lock().expect("hub lock")
    }

    pub fn conn_id(&self, socket: &Socket<LocalAdapter>) -> ConnId {
        ConnId {
            instance: self.me,
            sid: socket.id,
        }
    }

    /// Makes the change `op` to the hub, and tells each connection of this instance
    /// what it says to it; the other instances, sharing the log, tell theirs. What the
    /// hub would refuse is refused here and never written to the log.
    pub async fn change(&self, op: Op<ConnId>) -> Result<(), Refusal> {
        match &self.log {
            None => self.apply(op),
            Some(log) => {
                self.lock().check(&op)?;
                log.submit(op).await
            }
        }
    }

    /// The connection on `socket` is gone. Only a connection that asked to broadcast
    /// or watch can have a part the instances share, so only its disconnect is written
    /// to the log; another's (a listener's, a stranger's) is this instance's alone.
    pub async fn disconnect(&self, socket: &SocketRef) -> Result<(), Refusal> {
        let op = Op::Disconnect {
            conn: self.conn_id(socket),
        };
        if Conn::of(socket).entered() {
            self.change(op).await
        } else {
            self.apply(op)
        }
    }

    /// Applies `op` to this instance's hub and delivers what it says to this
    /// instance's connections; a connection it lets in gets its ICE servers first.
    fn apply(&self, op: Op<ConnId>) -> Result<(), Refusal> {
        if let Op::ChannelRole {
            broadcaster,
            account,
            role,
            ..
        } = op
        {
            self.authority.remember_role(broadcaster, account, role);
        }
        let let_in = match &op {
            Op::Broadcast {
                conn, broadcaster, ..
            } => Some((*conn, *broadcaster, "broadcaster")),
            Op::Join { conn, viewer, .. } => Some((*conn, *viewer, "viewer")),
            _ => None,
        };
        let mut closed = None;
        {
            let _in_order = self.in_order.lock().unwrap_or_else(PoisonError::into_inner);
            let outbox = self.lock().apply(op)?;
            if let Some((conn, account, role)) = let_in {
                match self.local(conn) {
                    Some(socket) if socket.connected() => self.let_in(&socket, account, role),
                    // An encoder has no socket: it is open until it ends.
                    _ if conn.instance == self.me && !self.encoders.holds(conn.sid) => {
                        closed = Some(conn);
                    }
                    _ => {}
                }
            }
            self.deliver(outbox);
        }
        if let Some(conn) = closed {
            self.leave_for(conn);
        }
        Ok(())
    }

    /// `conn`, of this instance, was let in after it closed (while the chain was
    /// asked): it leaves, as its disconnect would have made it, so that no seat or
    /// stream stays held by nobody.
    fn leave_for(&self, conn: ConnId) {
        let op = Op::Disconnect { conn };
        let report = move |outcome: Result<(), Refusal>| {
            if let Err(refusal) = outcome {
                warn!(%conn, %refusal, "the hub has not heard that a connection let in had closed");
            }
        };
        // As `change` makes it, but from here, which cannot wait for the log.
        match self.log.clone() {
            None => report(self.apply(op)),
            Some(log) => {
                tokio::spawn(async move { report(log.submit(op).await) });
            }
        }
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

    /// The socket of `conn` if this instance holds it.
    fn local(&self, conn: ConnId) -> Option<SocketRef> {
        if conn.instance == self.me {
            self.io.get_socket(conn.sid)
        } else {
            None
        }
    }

    /// Sends each notice of `outbox` for a connection of this instance, and hands its
    /// media tier what it must do for them, even for a connection already closed.
    pub fn deliver(&self, outbox: Outbox<ConnId>) {
        for (conn, notice) in outbox {
            if let Notice::Media(task) = notice {
                if let (true, Some(tasks)) = (conn.instance == self.me, &self.media_tasks) {
                    tasks.send((conn.sid, task)).ok();
                }
            } else if let (Some(socket), Some(packet)) = (self.local(conn), Packet::notice(notice))
            {
                self.send(&socket, packet);
            }
        }
    }

    /// Sends `packet` to `socket`, or closes a connection that is not reading what it
    /// is sent.
    pub fn send(&self, socket: &SocketRef, packet: Packet) {
        let outgoing = Conn::of(socket).outgoing.clone();
        if outgoing.send(socket, packet).is_err() {
            self.close(socket, "not reading what it is sent");
        }
    }

    pub fn close(&self, socket: &SocketRef, reason: &'static str) {
        debug!(sid = %socket.id, "closed: {reason}");
        self.metrics
            .closed
            .get_or_create(&[("reason", reason)])
            .inc();
        // With its buffer full the goodbye cannot be queued. A client may also ignore
        // it and keep its transport open: engine.io's session outlives socket.io's.
        socket.clone().disconnect().ok();
        let conn = Conn::of(socket);
        tokio::spawn(async move {
            tokio::time::sleep(GOODBYE_WITHIN).await;
            conn.cut();
        });
    }

    /// A turn to ask the chain for a client in `range`, held until it is dropped; refused
    /// while the range has `--max-chain-queries-per-address` in flight.
    pub fn chain_turn(&self, range: AddressRange) -> Result<Entered<AddressRange>, Refusal> {
        self.chain_queries
            .enter(range)
            .ok_or(Refusal::TooManyChainQueriesFromAddress)
    }

    /// Tells the sender of `event` why it was refused, and counts the refusal.
    pub fn refuse(&self, socket: &SocketRef, event: &'static str, refusal: Refusal) {
        // Strangers can make refusals as fast as they can send: counted, logged at debug.
        debug!(sid = %socket.id, event, reason = %refusal, "refused");
        self.metrics
            .refusals
            .get_or_create(&[("reason", refusal.reason())])
            .inc();
        self.send(socket, Packet::refusal(&refusal));
    }

    /// The public URL `socket` came to: the one its `Host` names, or the first. A client
    /// can choose only among the server's own.
    pub fn public_url(&self, socket: &SocketRef) -> &str {
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
}

impl Replica for Signaling {
    fn apply(&self, op: Op<ConnId>) -> Result<(), Refusal> {
        Signaling::apply(self, op)
    }

    fn forget(&self, instance: InstanceId) {
        let outbox = self
            .lock()
            .disconnect_where(|conn| conn.instance == instance);
        self.deliver(outbox);
        if instance == self.me {
            // Declared gone while it runs: what its connections took part in is no
            // longer shared. They come back and join again.
            for socket in self.io.sockets() {
                if Conn::of(&socket).entered() {
                    self.close(&socket, "the instances lost track of it");
                }
            }
        }
    }

    fn snapshot(&self) -> String {
        serde_json::to_string(&*self.lock()).expect("the hub serializes")
    }

    fn others(&self) -> Vec<InstanceId> {
        let mut others: Vec<InstanceId> = self
            .lock()
            .conns()
            .map(|conn| conn.instance)
            .filter(|instance| *instance != self.me)
            .collect();
        others.sort();
        others.dedup();
        others
    }
}

impl Status for Signaling {
    fn is_broadcasting(&self, account: AccountId) -> bool {
        self.lock().is_broadcasting(account)
    }

    fn metrics_text(&self) -> String {
        let gauge = |n: usize| i64::try_from(n).unwrap_or(i64::MAX);
        let hub = self.lock();
        self.metrics.live_streams.set(gauge(hub.live_streams()));
        self.metrics.viewers.set(gauge(hub.all_viewers()));
        if let Some(media) = &self.media {
            let (publishers, relays, subscribers) = media.counts();
            self.metrics.media_publishers.set(gauge(publishers));
            self.metrics.media_relays.set(gauge(relays));
            self.metrics.media_subscribers.set(gauge(subscribers));
            for server in (0..media.servers()).map(ServerId) {
                let label = [("server", server.to_string())];
                let up = i64::from(!hub.is_down(server));
                self.metrics.media_server_up.get_or_create(&label).set(up);
                let load = gauge(hub.load(server));
                self.metrics
                    .media_server_load
                    .get_or_create(&label)
                    .set(load);
            }
        }
        drop(hub);
        self.metrics.encode()
    }
}

/// The `host[:port]` of `url`.
fn host_of(url: &str) -> &str {
    let rest = url.split_once("://").map_or(url, |(_, rest)| rest);
    rest.split('/').next().unwrap_or(rest)
}

/// Milliseconds since the Unix epoch, as the chain's block times and the challenges
/// count them.
pub(crate) fn now_ms() -> u64 {
    let since_epoch = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .expect("the clock is after 1970");
    u64::try_from(since_epoch.as_millis()).expect("milliseconds fit in u64")
}
