//! `channelRole`: a broadcaster's page, having changed an account's role in their
//! channel on chain, tells the servers so. The server asks the program at once (the
//! page's word is not taken for the role), and every instance keeps the answer and
//! acts on it: a ban ends the account's watching and its messages at once, instead of
//! when the kept answers expire and the follows are checked again. The page hears the
//! role the servers act on (`channelRole` back).
use super::{
    join::{chain_unavailable, signed_in_by},
    Outcome,
};
use crate::{
    conn::Conn,
    hub::Op,
    server::Signaling,
    wire::{self, ChannelRoleMsg, Packet},
};
use socketioxide::extract::SocketRef;
use std::sync::Arc;
use tracing::info;

pub(super) async fn changed(
    signaling: Arc<Signaling>,
    socket: SocketRef,
    claimed: String,
    message: ChannelRoleMsg,
) -> Outcome {
    let account = wire::account(&message.account)?;
    let broadcaster = signed_in_by(&signaling, &socket, &claimed, &message.proof)?;
    let range = Conn::of(&socket).range;
    let turn = signaling.chain_turn(range)?;
    let role = signaling
        .authority
        .fresh_role(broadcaster, account, range)
        .await
        .map_err(chain_unavailable)?;
    drop(turn);
    info!(%broadcaster, %account, ?role, "a channel role changed");
    signaling
        .change(Op::ChannelRole {
            conn: signaling.conn_id(&socket),
            broadcaster,
            account,
            role,
        })
        .await?;
    // What the servers act on now, for the page to confirm.
    signaling.send(&socket, Packet::channel_role(account, role));
    Ok(())
}
