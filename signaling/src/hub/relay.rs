//! Relays between a broadcaster and its viewers: routed by the connections' places in
//! the hub, never by what a client claims.
use super::{Hub, Live, Notice, Outbox};
use crate::refusal::Refusal;
use std::hash::Hash;
use w3bstreaming_keys::AccountId;

impl<C: Copy + Eq + Hash> Hub<C> {
    /// The stream `conn` broadcasts.
    pub(super) fn broadcast_on(&self, conn: C) -> Option<(&String, &Live<C>)> {
        let stream_id = self.parts.get(&conn)?.broadcasts.as_ref()?;
        Some((stream_id, &self.live[stream_id]))
    }

    /// The broadcaster on `conn` sends `viewer` an SDP offer for its stream.
    pub(super) fn offer(
        &self,
        conn: C,
        viewer: AccountId,
        description: serde_json::Value,
    ) -> Result<Outbox<C>, Refusal> {
        let (stream_id, live) = self
            .broadcast_on(conn)
            .ok_or(Refusal::NoSuchViewer(viewer))?;
        let seat = live
            .viewers
            .get(&viewer)
            .ok_or(Refusal::NoSuchViewer(viewer))?;
        Ok(vec![(
            seat.conn,
            Notice::Offer {
                broadcaster: live.broadcaster,
                stream_id: stream_id.clone(),
                viewer,
                description,
            },
        )])
    }

    /// The viewer on `conn` answers the offer of `broadcaster`.
    pub(super) fn answer(
        &self,
        conn: C,
        broadcaster: AccountId,
        description: serde_json::Value,
    ) -> Result<Outbox<C>, Refusal> {
        let (stream_id, live, viewer) = self
            .watched(conn, broadcaster)
            .ok_or_else(|| Refusal::NotWatching(broadcaster.to_string()))?;
        Ok(vec![(
            live.broadcaster_conn,
            Notice::Answer {
                broadcaster,
                stream_id: stream_id.clone(),
                viewer,
                description,
            },
        )])
    }

    /// An ICE candidate from the connection `conn` to its peer `to`: a broadcaster's to
    /// one of its viewers, or a viewer's to the broadcaster it watches.
    pub(super) fn candidate(
        &self,
        conn: C,
        to: AccountId,
        candidate: serde_json::Value,
    ) -> Result<Outbox<C>, Refusal> {
        if let Some((stream_id, live)) = self.broadcast_on(conn) {
            if let Some(seat) = live.viewers.get(&to) {
                let notice = Notice::Candidate {
                    from: live.broadcaster,
                    stream_id: stream_id.clone(),
                    candidate,
                };
                return Ok(vec![(seat.conn, notice)]);
            }
        }
        let (stream_id, live, viewer) = self.watched(conn, to).ok_or(Refusal::NoPeer(to))?;
        let notice = Notice::Candidate {
            from: viewer,
            stream_id: stream_id.clone(),
            candidate,
        };
        Ok(vec![(live.broadcaster_conn, notice)])
    }

    /// The stream of `broadcaster` that `conn` watches, with the viewer's account.
    pub(super) fn watched(
        &self,
        conn: C,
        broadcaster: AccountId,
    ) -> Option<(&String, &Live<C>, AccountId)> {
        let part = self.parts.get(&conn)?;
        part.watches.iter().find_map(|(stream_id, &viewer)| {
            let live = &self.live[stream_id];
            (live.broadcaster == broadcaster).then_some((stream_id, live, viewer))
        })
    }
}
