//! Who listens to which stream's status: a listener hears whether a stream is live
//! and how many watch it at once, then whenever that changes.
use super::{Hub, Notice, Outbox};
use crate::refusal::Refusal;
use std::hash::Hash;

/// Streams one connection may listen to at once: a schedule page's worth.
pub const MAX_LISTENED: usize = 200;

impl<C: Copy + Eq + Hash> Hub<C> {
    /// From now on `conn` hears the status of exactly `stream_ids` (at most
    /// [`MAX_LISTENED`]): at once, then whenever a stream goes live or ends, and when
    /// its watcher count changes, at the next [`Hub::flush_counts`]. This is how a page
    /// learns that a stream went live without asking again and again.
    pub fn listen(&mut self, conn: C, mut stream_ids: Vec<String>) -> Result<Outbox<C>, Refusal> {
        if stream_ids.len() > MAX_LISTENED {
            return Err(Refusal::TooManyListened(MAX_LISTENED));
        }
        self.unlisten(conn);
        stream_ids.sort();
        stream_ids.dedup();
        let outbox = stream_ids
            .iter()
            .map(|stream_id| (conn, self.status(stream_id)))
            .collect();
        for stream_id in &stream_ids {
            self.listeners
                .entry(stream_id.clone())
                .or_default()
                .insert(conn);
        }
        self.with_part(conn, |part| part.listens = stream_ids);
        Ok(outbox)
    }

    pub(super) fn unlisten(&mut self, conn: C) {
        let listened = self.with_part(conn, |part| std::mem::take(&mut part.listens));
        for stream_id in listened {
            if let Some(conns) = self.listeners.get_mut(&stream_id) {
                conns.remove(&conn);
                if conns.is_empty() {
                    self.listeners.remove(&stream_id);
                }
            }
        }
    }

    pub(super) fn status(&self, stream_id: &str) -> Notice {
        Notice::Status {
            stream_id: stream_id.to_string(),
            live: self.is_streaming(stream_id),
            watchers: self.viewers(stream_id),
        }
    }

    /// The status of `stream_id` for each connection listening to it.
    pub(super) fn tell_listeners(&self, stream_id: &str, outbox: &mut Outbox<C>) {
        let Some(conns) = self.listeners.get(stream_id) else {
            return;
        };
        let status = self.status(stream_id);
        outbox.extend(conns.iter().map(|&conn| (conn, status.clone())));
    }
}
