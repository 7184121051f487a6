//! One decision's questions to the program, asked in one turn at the node.
use super::{not_the_reply, turns::Turn, Authority, ChainError};
use crate::{address::AddressRange, roles::Role};
use w3bstreaming_io::{ProfileSummary, StateQuery, StateReply, Tip};
use w3bstreaming_keys::AccountId;

/// Whom a question waits for a turn at the node as: a client in an address range, or
/// the questions of one decision together, which share the one turn the first of them
/// to reach the node takes.
#[derive(Clone, Copy)]
pub(super) enum Asker<'a> {
    Client(AddressRange),
    Sharing(&'a SharedTurn),
}

pub(super) struct SharedTurn {
    pub(super) by: AddressRange,
    pub(super) turn: tokio::sync::OnceCell<Turn<AddressRange>>,
}

/// The questions of one decision about a client in an address range (may it watch,
/// may it post), asked in one turn at the node: the first that reaches the node takes
/// the turn and the others use it, so a decision waits for a turn once however many
/// questions it asks. Answers already kept take no turn.
pub struct Decision<'a> {
    pub(super) authority: &'a Authority,
    pub(super) turn: SharedTurn,
}

impl Decision<'_> {
    fn asker(&self) -> Asker<'_> {
        Asker::Sharing(&self.turn)
    }

    /// See [`Authority::follows`].
    pub async fn follows(
        &self,
        viewer: AccountId,
        broadcaster: AccountId,
    ) -> Result<bool, ChainError> {
        let asker = self.asker();
        self.authority
            .follows_asked(viewer, broadcaster, asker)
            .await
    }

    /// See [`Authority::role`].
    pub async fn role(
        &self,
        broadcaster: AccountId,
        account: AccountId,
    ) -> Result<Option<Role>, ChainError> {
        let asker = self.asker();
        self.authority.role_asked(broadcaster, account, asker).await
    }

    /// See [`Authority::profile`].
    pub async fn profile(&self, account: AccountId) -> Result<Option<ProfileSummary>, ChainError> {
        let asker = self.asker();
        self.authority.profile_asked(account, asker).await
    }

    /// The receipt of tip `number`, asked now: nothing is kept, since a tip is asked
    /// about as soon as it is made.
    pub async fn tip(&self, number: u64) -> Result<Option<Tip>, ChainError> {
        let query = StateQuery::Tip { number };
        match self.authority.query(query, self.asker()).await? {
            StateReply::Tip(tip) => Ok(tip),
            _ => Err(not_the_reply()),
        }
    }
}
