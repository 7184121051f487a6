//! One connection's own state, kept in its socket's extensions: who it signed in as,
//! its event rate, whether it listens, when it last sent an event, and what waits to
//! be written to it. Its lock is held only by its own events, so checking one
//! connection's signature holds up no other.
use crate::{auth::Session, outgoing::Outgoing, rates::RateLimit};
use socketioxide::{adapter::LocalAdapter, socket::Socket};
use std::{
    net::IpAddr,
    sync::{Arc, Mutex, MutexGuard},
    time::Instant,
};

pub struct Conn {
    /// The client's address, as the connection came in.
    pub address: IpAddr,
    state: Mutex<ConnState>,
    pub outgoing: Arc<Outgoing>,
}

pub struct ConnState {
    pub session: Session,
    pub rate: RateLimit,
    /// Whether it sent `listen`, which needs no sign-in.
    pub listened: bool,
    /// Whether the chain let it ask to broadcast or watch: from then on the instances
    /// may share a part of it, and they must hear of its disconnect.
    pub entered: bool,
    /// When it last sent an event.
    pub last_event: Instant,
}

impl Conn {
    /// A connection from `address` that has just been sent its `session`'s challenge.
    pub fn new(address: IpAddr, session: Session, rate: RateLimit, queued_packets: usize) -> Self {
        Self {
            address,
            state: Mutex::new(ConnState {
                session,
                rate,
                listened: false,
                entered: false,
                last_event: Instant::now(),
            }),
            outgoing: Arc::new(Outgoing::new(queued_packets)),
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
}
