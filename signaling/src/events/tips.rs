//! `chatTip`: a tip the program confirmed, shown highlighted in the chat of the live
//! stream it was for, to everyone on every instance. The server asks the program for
//! the tip's receipt (the page's word is not taken for it) and the tipper's profile
//! name and ban in one turn at the node; a banned account's tip is not shown, as its
//! messages are not.
use super::{join::chain_unavailable, Outcome};
use crate::{
    chat::{name_of, shown, TipShown},
    conn::Conn,
    hub::Op,
    refusal::Refusal,
    roles::Role,
    server::{now_ms, Signaling},
    wire::{self, ChatTipMsg},
};
use socketioxide::extract::SocketRef;
use std::sync::Arc;
use tracing::debug;
use w3bstreaming_keys::AccountId;

pub(super) async fn show(
    signaling: Arc<Signaling>,
    socket: SocketRef,
    _claimed: String,
    message: ChatTipMsg,
) -> Outcome {
    let stream_id = wire::stream_id(&message.stream_id)?;
    let conn = Conn::of(&socket);
    if !signaling.chat_by_address.allow(&conn.range) {
        return Err(Refusal::TooManyChatMessagesFromAddress);
    }
    let (broadcaster, _) = signaling
        .lock()
        .chat_of(stream_id)
        .ok_or_else(|| Refusal::NotStarted(stream_id.into()))?;
    let number = message.number;
    let turn = signaling.chain_turn(conn.range)?;
    let asking = signaling.authority.decision(conn.range);
    let tip = asking
        .tip(number)
        .await
        .map_err(chain_unavailable)?
        .ok_or(Refusal::NoSuchTip(number))?;
    if tip.stream_id != stream_id {
        return Err(Refusal::TipForAnotherStream(number));
    }
    let tipper = AccountId(tip.tipper.into_bytes());
    let role = asking.role(broadcaster, tipper).await;
    if role.map_err(chain_unavailable)? == Some(Role::Banned) {
        return Err(Refusal::Banned);
    }
    let profile = asking.profile(tipper).await.map_err(chain_unavailable)?;
    drop((asking, turn));
    debug!(sid = %socket.id, %tipper, number, stream_id, "tip shown");
    signaling
        .change(Op::ChatTip {
            conn: signaling.conn_id(&socket),
            stream_id: stream_id.into(),
            tipper,
            name: profile.as_ref().and_then(name_of),
            tip: TipShown {
                number,
                amount: tip.amount.to_string(),
            },
            text: shown(&tip.message),
            at_ms: now_ms(),
        })
        .await
}
