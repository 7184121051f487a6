//! Stream keys, for encoders publishing over WHIP (`stream_keys`), on a connection
//! signed in with the account's wallet (the request carries the signature of the
//! connection's challenge, or the connection signed in before): `streamKeys` lists
//! them, `createStreamKey` makes one and answers with it (`streamKey`), the one time
//! it is shown, and `revokeStreamKey` revokes one, which ends a stream an encoder
//! opened with it; each is answered with the list as it is then (`streamKeys`).
use super::{encoders::end_revoked, join::signed_in_by, signed_in, Outcome};
use crate::{
    server::{now_ms, Signaling},
    wire::{KeyIdMsg, Packet, SignedMsg},
};
use socketioxide::extract::SocketRef;
use std::sync::Arc;
use tracing::info;
use w3bstreaming_keys::AccountId;

pub(super) async fn create(
    signaling: Arc<Signaling>,
    socket: SocketRef,
    claimed: String,
    message: SignedMsg,
) -> Outcome {
    let account = signed_in_by(&signaling, &socket, &claimed, &message)?;
    let key = signaling.stream_keys.create(account, now_ms()).await?;
    info!(%account, id = %key.info.id, "stream key made");
    signaling.send(&socket, Packet::stream_key(&key));
    tell_keys(&signaling, &socket, account).await
}

pub(super) async fn list(
    signaling: Arc<Signaling>,
    socket: SocketRef,
    claimed: String,
    message: SignedMsg,
) -> Outcome {
    let account = signed_in_by(&signaling, &socket, &claimed, &message)?;
    tell_keys(&signaling, &socket, account).await
}

pub(super) async fn revoke(
    signaling: Arc<Signaling>,
    socket: SocketRef,
    claimed: String,
    message: KeyIdMsg,
) -> Outcome {
    let account = signed_in(&socket, Some(&claimed))?;
    signaling.stream_keys.revoke(account, &message.id).await?;
    info!(%account, id = %message.id, "stream key revoked");
    end_revoked(&signaling).await;
    tell_keys(&signaling, &socket, account).await
}

async fn tell_keys(signaling: &Signaling, socket: &SocketRef, account: AccountId) -> Outcome {
    let keys = signaling.stream_keys.list(account).await?;
    signaling.send(socket, Packet::stream_keys(&keys));
    Ok(())
}
