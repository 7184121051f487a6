//! One connection's own state, kept in its socket's extensions: who it signed in as,
//! its event rate, whether it listens, when it last sent an event, and what waits to
//! be written to it. Its lock is held only by its own events, so checking one
//! connection's signature holds up no other.
use crate::{
    address::AddressRange, auth::Session, connections::Place, outgoing::Outgoing, rates::RateLimit,
};
use socketioxide::{adapter::LocalAdapter, socket::Socket};
use std::{
    sync::{Arc, Mutex, MutexGuard},
    time::Instant,
};
use tokio::sync::{Mutex as AsyncMutex, Notify};

pub struct Conn {
    /// The client's address range, as the connection came in.
    pub range: AddressRange,
    /// The place its TCP connection holds among the server's.
    place: Arc<Place>,
    state: Mutex<ConnState>,
    /// Held while one of its chat posts goes to the hub, so that the chain query one
    /// post waits for does not let the next overtake it. socket.io spawns a task per
    /// event, so two posts sent within the same millisecond or so may still take the
    /// lock in either order; a person typing sends none that close.
    pub posting: AsyncMutex<()>,
    pub outgoing: Arc<Outgoing>,
    /// Told once, when the connection closes.
    closing: Notify,
}

pub struct ConnState {
    pub session: Session,
    pub rate: RateLimit,
    /// Whether it sent `listen`, which needs no sign-in.
    pub listened: bool,
    /// Whether the chain let it ask to broadcast or watch ([`Conn::enter`]).
    entered: bool,
    /// When it last sent an event.
    pub last_event: Instant,
}

impl Conn {
    /// A connection from `range`, in `place`, that has just been sent its `session`'s
    /// challenge.
    pub fn new(
        range: AddressRange,
        place: Arc<Place>,
        session: Session,
        rate: RateLimit,
        queued_packets: usize,
    ) -> Self {
        Self {
            range,
            place,
            state: Mutex::new(ConnState {
                session,
                rate,
                listened: false,
                entered: false,
                last_event: Instant::now(),
            }),
            posting: AsyncMutex::new(()),
            outgoing: Arc::new(Outgoing::new(queued_packets)),
            closing: Notify::new(),
        }
    }

    /// The state of the connection on `socket`, inserted on connect, before any of its
    /// handlers is registered.
    pub fn of(socket: &Socket<LocalAdapter>) -> Arc<Self> {
        socket
            .extensions
            .get::<Arc<Self>>()
            .expect("a connection's state is inserted on connect")
    }

    pub fn lock(&self) -> MutexGuard<'_, ConnState> {
        self.state.lock().expect("connection state lock")
    }

    /// The chain let it ask to broadcast or watch: from then on the instances may share
    /// a part of it, and must hear of its disconnect, and it keeps its place when the
    /// server is full.
    pub fn enter(&self) {
        self.lock().entered = true;
        self.place.enter();
    }

    /// The connection closed: nothing more is sent to it, and its timers stop.
    pub fn close(&self) {
        self.outgoing.close();
        self.closing.notify_one();
    }

    /// Completes once the connection has closed ([`Conn::close`]).
    pub async fn closed(&self) {
        self.closing.notified().await;
    }

    /// Ends its TCP connection, whatever the client does.
    pub fn cut(&self) {
        self.place.cut();
    }

    /// Whether the chain has let it in ([`Conn::enter`]).
    pub fn entered(&self) -> bool {
        self.lock().entered
    }
}
