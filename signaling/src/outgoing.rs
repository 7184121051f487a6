//! What waits to be written to one connection. socket.io's own send buffer has one
//! size for every connection, so it is kept to what a viewer or a visitor needs; a
//! packet that finds it full waits in the connection's queue behind it, which is as
//! long as the connection's role needs: a few packets for a viewer, a full stream's
//! joins for a broadcaster. A connection whose queue fills is not reading what it is
//! sent, and is closed.
//!
//! The goodbye of a connection whose socket.io buffer is full cannot be queued either;
//! engine.io ends it: its ping, sent behind what fills the buffer, is not answered in
//! time, or the next one cannot be queued.
use crate::wire::Packet;
use socketioxide::{extract::SocketRef, SendError, SocketError};
use std::{
    collections::VecDeque,
    sync::{Arc, Mutex},
    time::Duration,
};
use tracing::warn;

/// How long the writer waits for socket.io's buffer to make room.
const RETRY: Duration = Duration::from_millis(5);

/// One connection's packets that found socket.io's buffer full, in order.
#[derive(Debug)]
pub struct Outgoing {
    queue: Mutex<Queue>,
}

#[derive(Debug)]
struct Queue {
    packets: VecDeque<Packet>,
    limit: usize,
    /// Whether a writer task is moving the packets on.
    writing: bool,
    closed: bool,
}

/// The queue was full, and is closed now: its connection must be closed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Full;

/// What became of one attempt to hand a packet to socket.io.
enum Handed {
    Sent,
    BufferFull,
    Closed,
}

fn hand(socket: &SocketRef, packet: &Packet) -> Handed {
    let sent = match &packet.second {
        Some(second) => socket.emit(packet.event, &(&packet.first, second)),
        None => socket.emit(packet.event, &packet.first),
    };
    match sent {
        Ok(()) => Handed::Sent,
        Err(SendError::Socket(SocketError::InternalChannelFull)) => Handed::BufferFull,
        Err(SendError::Socket(SocketError::Closed)) => Handed::Closed,
        Err(error) => {
            warn!(sid = %socket.id, event = packet.event, %error, "not delivered");
            Handed::Sent
        }
    }
}

impl Outgoing {
    /// An empty queue holding at most `limit` packets.
    pub fn new(limit: usize) -> Self {
        Self {
            queue: Mutex::new(Queue {
                packets: VecDeque::new(),
                limit,
                writing: false,
                closed: false,
            }),
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Queue> {
        self.queue.lock().expect("outgoing queue lock")
    }

    /// Sends `packet` to `socket` after those waiting: at once when none waits and
    /// socket.io's buffer has room, else through the queue. A closed queue or socket
    /// drops it; a full queue closes, and says so to one caller only.
    pub fn send(self: &Arc<Self>, socket: &SocketRef, packet: Packet) -> Result<(), Full> {
        let mut queue = self.lock();
        if queue.closed {
            return Ok(());
        }
        if queue.packets.is_empty() {
            match hand(socket, &packet) {
                Handed::Sent | Handed::Closed => return Ok(()),
                Handed::BufferFull => {}
            }
        }
        if queue.packets.len() >= queue.limit {
            queue.closed = true;
            queue.packets = VecDeque::new();
            return Err(Full);
        }
        queue.packets.push_back(packet);
        if !queue.writing {
            queue.writing = true;
            tokio::spawn(self.clone().write(socket.clone()));
        }
        Ok(())
    }

    /// Moves the queued packets into socket.io's buffer as it makes room, and ends
    /// when none is left: a writer runs only while packets wait.
    async fn write(self: Arc<Self>, socket: SocketRef) {
        loop {
            tokio::time::sleep(RETRY).await;
            let mut queue = self.lock();
            while let Some(packet) = queue.packets.front() {
                match hand(&socket, packet) {
                    Handed::Sent => {
                        queue.packets.pop_front();
                    }
                    Handed::BufferFull => break,
                    Handed::Closed => queue.packets.clear(),
                }
            }
            if queue.packets.is_empty() || queue.closed {
                queue.writing = false;
                return;
            }
        }
    }

    /// Lets the queue hold `limit` packets, if that is more than it holds now: a
    /// connection's role only grows while it is open.
    pub fn raise_limit(&self, limit: usize) {
        let mut queue = self.lock();
        queue.limit = queue.limit.max(limit);
    }

    /// Drops what waits and all that comes.
    pub fn close(&self) {
        let mut queue = self.lock();
        queue.closed = true;
        queue.packets = VecDeque::new();
    }
}
