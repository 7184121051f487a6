//! Relaying between the peers of a stream: a broadcaster's offer to a viewer, the
//! viewer's answer, and the ICE candidates both ways. Only a signed-in connection
//! relays, only to a peer the hub says it has, and only what is small enough.
use super::{check_size, media, signed_in, Outcome};
use crate::{
    cluster::ConnId,
    hub::Op,
    server::Signaling,
    wire::{self, AnswerMsg, CandidateMsg, OfferMsg},
};
use serde_json::Value;
use socketioxide::extract::SocketRef;
use std::sync::Arc;
use w3bstreaming_keys::AccountId;

pub(super) async fn offer(
    signaling: Arc<Signaling>,
    socket: SocketRef,
    claimed: String,
    message: OfferMsg,
) -> Outcome {
    let limit = ("SDP description", signaling.config.max_sdp_bytes);
    relay(
        &signaling,
        &socket,
        Some(&claimed),
        &message.user_id,
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

pub(super) async fn answer(
    signaling: Arc<Signaling>,
    socket: SocketRef,
    broadcaster: String,
    message: AnswerMsg,
) -> Outcome {
    let limit = ("SDP description", signaling.config.max_sdp_bytes);
    let peer = wire::account(&broadcaster)?;
    check_size(limit.0, &message.description, limit.1)?;
    if let Some(outcome) =
        media::answer(&signaling, &socket, peer, message.description.clone()).await
    {
        return outcome;
    }
    relay(
        &signaling,
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

pub(super) async fn candidate(
    signaling: Arc<Signaling>,
    socket: SocketRef,
    peer: String,
    message: CandidateMsg,
) -> Outcome {
    let limit = ("ICE candidate", signaling.config.max_candidate_bytes);
    let to = wire::account(&peer)?;
    check_size(limit.0, &message.candidate, limit.1)?;
    if let Some(outcome) =
        media::candidate(&signaling, &socket, to, message.candidate.clone()).await
    {
        return outcome;
    }
    relay(
        &signaling,
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
    signaling: &Signaling,
    socket: &SocketRef,
    claimed: Option<&str>,
    to: &str,
    (what, max): (&'static str, usize),
    payload: Value,
    relay: impl FnOnce(ConnId, AccountId, Value) -> Op<ConnId>,
) -> Outcome {
    signed_in(socket, claimed)?;
    let peer = wire::account(to)?;
    check_size(what, &payload, max)?;
    let op = relay(signaling.conn_id(socket), peer, payload);
    let kind = op.name();
    signaling.change(op).await?;
    signaling
        .metrics
        .relays
        .get_or_create(&[("kind", kind)])
        .inc();
    Ok(())
}
