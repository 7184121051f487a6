//! Going live, watching and leaving: `broadcast` and `watch` sign the connection in
//! (or use the account it signed in as), ask the program whether the account may, and
//! join it to the stream; `stopBroadcasting` and `stopWatching` leave.
use super::{media_servers::first_reachable, signed_in, Outcome};
use crate::{
    address::AddressRange,
    auth::Credentials,
    chain::{Admission, ChainError},
    conn::Conn,
    hub::{Op, Via},
    rates::Entered,
    refusal::Refusal,
    server::{now_ms, Signaling},
    wire::{self, JoinMsg, Packet, SignedMsg, StreamMsg},
};
use socketioxide::extract::SocketRef;
use std::sync::Arc;
use tracing::{debug, info, warn};
use w3bstreaming_keys::AccountId;

pub(super) async fn broadcast(
    signaling: Arc<Signaling>,
    socket: SocketRef,
    claimed: String,
    message: JoinMsg,
) -> Outcome {
    let stream_id = wire::stream_id(&message.stream_id)?;
    let (account, _turn) = authenticate(&signaling, &socket, &claimed, &message)?;
    may_broadcast(&signaling, account, stream_id, Conn::of(&socket).range).await?;
    let via = via(&signaling).await;
    Conn::of(&socket).enter();
    signaling
        .change(Op::Broadcast {
            conn: signaling.conn_id(&socket),
            broadcaster: account,
            stream_id: stream_id.into(),
            via,
        })
        .await?;
    info!(sid = %socket.id, %account, stream_id, ?via, "broadcasting");
    Ok(())
}

/// Whether the program lets `account` broadcast `stream_id` now: it is scheduled, it
/// is the account's, and it has not ended. A browser's `broadcast` and an encoder's
/// WHIP offer are asked the same.
pub(crate) async fn may_broadcast(
    signaling: &Signaling,
    account: AccountId,
    stream_id: &str,
    range: AddressRange,
) -> Result<(), Refusal> {
    let owner = signaling
        .authority
        .stream(stream_id, range)
        .await
        .map_err(chain_unavailable)?;
    match owner {
        None => Err(Refusal::NotScheduled(stream_id.into())),
        Some(owner) if owner.broadcaster != account => {
            Err(Refusal::NotTheBroadcaster(stream_id.into()))
        }
        Some(owner) if owner.end_time <= now_ms() => Err(Refusal::Ended(stream_id.into())),
        Some(_) => Ok(()),
    }
}

/// Where a stream going live sends its video: through the media server whenever one is
/// configured and one answers; peer to peer otherwise (docs/live.md, "Which route").
async fn via(signaling: &Signaling) -> Via {
    let Some(media) = &signaling.media else {
        return Via::Peers;
    };
    match first_reachable(signaling, media).await {
        Ok(_) => Via::MediaServer,
        Err(error) => {
            warn!(%error, "the media server does not answer: the stream goes peer to peer");
            signaling.metrics.media_fallbacks.inc();
            Via::Peers
        }
    }
}

pub(super) async fn watch(
    signaling: Arc<Signaling>,
    socket: SocketRef,
    claimed: String,
    message: JoinMsg,
) -> Outcome {
    let stream_id = wire::stream_id(&message.stream_id)?;
    let (viewer, _turn) = authenticate(&signaling, &socket, &claimed, &message)?;
    let broadcaster = signaling
        .lock()
        .broadcaster(stream_id)
        .ok_or_else(|| Refusal::NotStarted(stream_id.into()))?;
    let admission = signaling
        .authority
        .admits(viewer, broadcaster, Conn::of(&socket).range)
        .await
        .map_err(chain_unavailable)?;
    if let Some(refusal) = not_admitted(admission) {
        return Err(refusal);
    }
    Conn::of(&socket).enter();
    signaling
        .change(Op::Join {
            conn: signaling.conn_id(&socket),
            viewer,
            stream_id: stream_id.into(),
            broadcaster,
        })
        .await?;
    info!(sid = %socket.id, %viewer, stream_id, "watching");
    Ok(())
}

pub(super) async fn stop_broadcasting(
    signaling: Arc<Signaling>,
    socket: SocketRef,
    claimed: String,
    message: StreamMsg,
) -> Outcome {
    signed_in(&socket, Some(&claimed))?;
    wire::stream_id(&message.stream_id)?;
    let conn = signaling.conn_id(&socket);
    let stream_id = message.stream_id;
    info!(sid = %socket.id, stream_id, "stopping broadcasting");
    signaling
        .change(Op::StopBroadcast { conn, stream_id })
        .await
}

/// The account ends its live stream `stream_id`, whichever connection or encoder
/// broadcasts it: its page ends an encoder's stream, or one left live in another tab.
/// The message carries the signature of the connection's challenge, as a `broadcast`.
pub(super) async fn end_stream(
    signaling: Arc<Signaling>,
    socket: SocketRef,
    claimed: String,
    message: JoinMsg,
) -> Outcome {
    let stream_id = wire::stream_id(&message.stream_id)?;
    let signed = (message.signed_msg.as_deref(), message.encoded_id.as_deref());
    let account = prove(&signaling, &socket, &Conn::of(&socket), &claimed, signed)?;
    let live = signaling.lock().broadcast_of(stream_id);
    let conn = match live {
        Some((conn, broadcaster)) if broadcaster == account => conn,
        _ => return Err(Refusal::NotBroadcasting(stream_id.into())),
    };
    info!(sid = %socket.id, %conn, stream_id, "ending the account's stream from elsewhere");
    signaling
        .change(Op::StopBroadcast {
            conn,
            stream_id: stream_id.into(),
        })
        .await
}

/// Leaving is idempotent: frontends send it whenever a player closes, watching or not.
pub(super) async fn stop_watching(
    signaling: Arc<Signaling>,
    socket: SocketRef,
    _claimed: String,
    message: StreamMsg,
) -> Outcome {
    wire::stream_id(&message.stream_id)?;
    let conn = signaling.conn_id(&socket);
    let stream_id = message.stream_id;
    match signaling.change(Op::Leave { conn, stream_id }).await {
        Err(Refusal::NotWatching(_)) => Ok(()),
        outcome => outcome,
    }
}

/// The account behind `claimed` for a join, proven by the credentials or bound
/// earlier, if its address and then the account may join again so soon, with a place
/// among its address's chain queries for the checks the join needs.
fn authenticate(
    signaling: &Signaling,
    socket: &SocketRef,
    claimed: &str,
    message: &JoinMsg,
) -> Result<(AccountId, Entered<AddressRange>), Refusal> {
    let conn = Conn::of(socket);
    if !signaling.joins_by_address.allow(&conn.range) {
        return Err(Refusal::TooManyJoinsFromAddress);
    }
    let signed = (message.signed_msg.as_deref(), message.encoded_id.as_deref());
    let account = prove(signaling, socket, &conn, claimed, signed)?;
    if !signaling.joins_by_account.allow(&account) {
        return Err(Refusal::TooManyJoinsByAccount);
    }
    Ok((account, signaling.chain_turn(conn.range)?))
}

/// The account `claimed` on `socket`'s connection, signed in before or by `proof` now:
/// what the events that carry an optional signature ask.
pub(super) fn signed_in_by(
    signaling: &Signaling,
    socket: &SocketRef,
    claimed: &str,
    proof: &SignedMsg,
) -> Result<AccountId, Refusal> {
    prove(signaling, socket, &Conn::of(socket), claimed, proof.parts())
}

/// The account `claimed` on `conn`, bound to it earlier or proven now by the
/// `(signature, signer)` it sent; an expired challenge is replaced and sent again.
pub(super) fn prove(
    signaling: &Signaling,
    socket: &SocketRef,
    conn: &Conn,
    claimed: &str,
    (signature, signer): (Option<&str>, Option<&str>),
) -> Result<AccountId, Refusal> {
    let credentials = Credentials {
        claimed,
        signature,
        signer,
    };
    let mut state = conn.lock();
    let first_time = state.session.account().is_none();
    match state
        .session
        .authenticate(credentials, now_ms(), &signaling.auth)
    {
        Ok(account) => {
            if first_time {
                debug!(sid = %socket.id, %account, "signed in");
                signaling.metrics.sign_ins.inc();
            }
            Ok(account)
        }
        Err(refusal) => {
            if refusal == Refusal::Expired {
                let challenge = Packet::challenge(state.session.challenge());
                drop(state);
                signaling.send(socket, challenge);
            }
            Err(refusal)
        }
    }
}

pub(super) fn chain_unavailable(error: ChainError) -> Refusal {
    warn!(%error, "chain query failed");
    Refusal::ChainUnavailable(error.to_string())
}

/// Why the program does not let a viewer watch, if it does not.
pub(crate) fn not_admitted(admission: Admission) -> Option<Refusal> {
    match admission {
        Admission::Admitted => None,
        Admission::Banned => Some(Refusal::Banned),
        Admission::NotFollower => Some(Refusal::NotSubscribed),
    }
}
