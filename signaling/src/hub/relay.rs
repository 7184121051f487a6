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

    /// Where the broadcaster on `conn` may send `viewer` an offer: the viewer's
    /// connection, with the stream and its broadcaster.
    pub(super) fn offer_route(
        &self,
        conn: C,
        viewer: AccountId,
    ) -> Result<(C, &String, AccountId), Refusal> {
        let (stream_id, live) = self
            .broadcast_on(conn)
            .ok_or(Refusal::NoSuchViewer(viewer))?;
        let seat = live
            .viewers
            .get(&viewer)
            .ok_or(Refusal::NoSuchViewer(viewer))?;
        Ok((seat.conn, stream_id, live.broadcaster))
    }

    /// The broadcaster on `conn` sends `viewer` an SDP offer for its stream.
    pub(super) fn offer(
        &self,
        conn: C,
        viewer: AccountId,
        description: serde_json::Value,
    ) -> Result<Outbox<C>, Refusal> {
        let (to, stream_id, broadcaster) = self.offer_route(conn, viewer)?;
        Ok(vec![(
            to,
            Notice::Offer {
                broadcaster,
                stream_id: stream_id.clone(),
                viewer,
                description,
            },
        )])
    }

    /// Where the viewer on `conn` may answer the offer of `broadcaster`: the
    /// broadcaster's connection, with the stream and the viewer's account.
    pub(super) fn answer_route(
        &self,
        conn: C,
        broadcaster: AccountId,
    ) -> Result<(C, &String, AccountId), Refusal> {
        let (stream_id, live, viewer) = self
            .watched(conn, broadcaster)
            .ok_or_else(|| Refusal::NotWatching(broadcaster.to_string()))?;
        Ok((live.broadcaster_conn, stream_id, viewer))
    }

    /// The viewer on `conn` answers the offer of `broadcaster`.
    pub(super) fn answer(
        &self,
        conn: C,
        broadcaster: AccountId,
        description: serde_json::Value,
    ) -> Result<Outbox<C>, Refusal> {
        let (to, stream_id, viewer) = self.answer_route(conn, broadcaster)?;
        Ok(vec![(
            to,
            Notice::Answer {
                broadcaster,
                stream_id: stream_id.clone(),
                viewer,
                description,
            },
        )])
    }

    /// Where the connection `conn` may send an ICE candidate for its peer `to`: a
    /// broadcaster's to one of its viewers, or a viewer's to the broadcaster it
    /// watches. The peer's connection, the stream, and the sender's account.
    pub(super) fn candidate_route(
        &self,
        conn: C,
        to: AccountId,
    ) -> Result<(C, &String, AccountId), Refusal> {
        if let Some((stream_id, live)) = self.broadcast_on(conn) {
            if let Some(seat) = live.viewers.get(&to) {
                return Ok((seat.conn, stream_id, live.broadcaster));
            }
        }
        let (stream_id, live, viewer) = self.watched(conn, to).ok_or(Refusal::NoPeer(to))?;
        Ok((live.broadcaster_conn, stream_id, viewer))
    }

    /// An ICE candidate from the connection `conn` to its peer `to`.
    pub(super) fn candidate(
        &self,
        conn: C,
        to: AccountId,
        candidate: serde_json::Value,
    ) -> Result<Outbox<C>, Refusal> {
        let (peer, stream_id, from) = self.candidate_route(conn, to)?;
        let notice = Notice::Candidate {
            from,
            stream_id: stream_id.clone(),
            candidate,
        };
        Ok(vec![(peer, notice)])
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
