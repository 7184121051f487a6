//! Who listens to which stream's status: a listener hears whether a stream is live
//! and how many watch it at once, then whenever that changes.
use super::{shared_key, take_out, Hub, Notice, Outbox};
use crate::refusal::Refusal;
use std::{hash::Hash, sync::Arc};

/// Streams one connection may listen to at once: a schedule page's worth.
pub const MAX_LISTENED: usize = 200;

impl<C: Copy + Eq + Hash> Hub<C> {
    /// From now on `conn` hears the status of exactly `stream_ids` (at most
    /// [`MAX_LISTENED`]): at once for each that is live and that it did not listen to
    /// already, then whenever a stream goes live or ends, and when its watcher count
    /// changes, at the next [`Hub::flush_counts`]. A stream it is not told of is not
    /// live. This is how a page learns that a stream went live without asking again
    /// and again; sending the same `listen` again renews it and tells nothing new.
    pub fn listen(&mut self, conn: C, mut stream_ids: Vec<String>) -> Result<Outbox<C>, Refusal> {
        if stream_ids.len() > MAX_LISTENED {
            return Err(Refusal::TooManyListened(MAX_LISTENED));
        }
        let before = self.unlisten(conn);
        stream_ids.sort();
        stream_ids.dedup();
        let mut listens: Vec<Arc<str>> = Vec::with_capacity(stream_ids.len());
        for stream_id in stream_ids {
            let shared = shared_key(&self.listeners, &stream_id);
            self.listeners.entry(shared.clone()).or_default().push(conn);
            listens.push(shared);
        }
        let outbox = listens
            .iter()
            .filter(|stream_id| self.is_streaming(stream_id))
            .filter(|stream_id| before.binary_search(stream_id).is_err())
            .map(|stream_id| (conn, self.status(stream_id)))
            .collect();
        self.with_part(conn, |part| part.listens = listens);
        Ok(outbox)
    }

    /// `conn` listens to nothing any more; what it listened to, sorted.
    pub(super) fn unlisten(&mut self, conn: C) -> Vec<Arc<str>> {
        let listened = self.with_part(conn, |part| std::mem::take(&mut part.listens));
        for stream_id in &listened {
            take_out(&mut self.listeners, stream_id, conn);
        }
        listened
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
