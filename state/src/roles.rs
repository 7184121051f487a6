//! Channel roles: which accounts moderate a broadcaster's channel and which are banned
//! from it, in one index keyed by (broadcaster, account), so that asking about one
//! account reads one chunk and a channel's list is one range. The index holds each
//! role as a code ([`code`], [`role_of`]), here and nowhere else.
use crate::{
    query::{all, Page},
    schedule::Schedule,
    user_no::UserNo,
};
use gstd::ActorId;
use w3bstreaming_io::{ChannelRole, Error, StateQuery, StateReply};

/// A role's code in the index.
const fn code(role: ChannelRole) -> u64 {
    match role {
        ChannelRole::Moderator => 0,
        ChannelRole::Banned => 1,
    }
}

/// The role a code in the index stands for: one [`code`] wrote.
fn role_of(code: u64) -> ChannelRole {
    match code {
        0 => ChannelRole::Moderator,
        _ => ChannelRole::Banned,
    }
}

impl Schedule {
    /// The role `account` holds in `broadcaster`'s channel.
    pub fn role(&self, broadcaster: UserNo, account: UserNo) -> Option<ChannelRole> {
        self.roles
            .get(&(broadcaster, account))
            .copied()
            .map(role_of)
    }

    /// How many roles are stored, in all channels.
    pub fn role_count(&self) -> usize {
        self.roles.len()
    }

    /// Whether no new role can be stored (one that replaces another always can).
    pub fn roles_full(&self) -> bool {
        self.roles.len() >= self.capacity.roles
    }

    /// Gives `account` `role` in `broadcaster`'s channel, in place of the one it held,
    /// or takes its role away (`None`). Preconditions: both numbers came from this
    /// schedule, and a new role fits ([`Schedule::roles_full`]).
    pub fn set_role(&mut self, broadcaster: UserNo, account: UserNo, role: Option<ChannelRole>) {
        match role {
            Some(role) => {
                let replaced = self.roles.insert((broadcaster, account), code(role));
                assert!(
                    replaced.is_some() || self.roles.len() <= self.capacity.roles,
                    "a new role fits"
                );
            }
            None => {
                self.roles.remove(&(broadcaster, account));
            }
        }
    }

    /// The role `account` holds in `broadcaster`'s channel; `None` for an account
    /// without a profile too.
    pub fn channel_role(&self, broadcaster: ActorId, account: ActorId) -> Option<ChannelRole> {
        match self.query(StateQuery::ChannelRole {
            broadcaster,
            account,
        }) {
            Ok(StateReply::ChannelRole(role)) => role,
            other => unreachable!("ChannelRole answered {other:?}"),
        }
    }

    /// The accounts holding a role in `broadcaster`'s channel, with their roles, in
    /// the order of their account numbers; empty for an unknown account.
    pub fn channel_roles(
        &self,
        broadcaster: ActorId,
        after: Option<ActorId>,
        limit: u32,
    ) -> Result<Page<(ActorId, ChannelRole), ActorId>, Error> {
        match self.query(StateQuery::ChannelRoles {
            broadcaster,
            after,
            limit,
        })? {
            StateReply::RolePage { roles, next } => Ok(Page { items: roles, next }),
            other => unreachable!("ChannelRoles answered {other:?}"),
        }
    }

    /// The accounts holding a role in a channel, from after the cursor account; none
    /// for an unknown broadcaster.
    pub(crate) fn role_list(
        &self,
        broadcaster: ActorId,
        after: Option<ActorId>,
    ) -> Result<impl Iterator<Item = ((UserNo, ChannelRole), bool)> + Clone + '_, Error> {
        let roles = self.pairs_of(&self.roles, broadcaster, after)?;
        Ok(all(roles.map(|(account, code)| (account, role_of(code)))))
    }
}
