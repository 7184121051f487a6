//! A role an account holds in a broadcaster's channel, as the program keeps it
//! (`SetChannelRole`), and as the server enforces it on the channel's live streams: a
//! moderator moderates their chat, and a banned account neither watches nor posts.
use serde::{Deserialize, Serialize};
use w3bstreaming_io::ChannelRole;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum Role {
    Moderator,
    Banned,
}

impl From<ChannelRole> for Role {
    fn from(role: ChannelRole) -> Self {
        match role {
            ChannelRole::Moderator => Role::Moderator,
            ChannelRole::Banned => Role::Banned,
        }
    }
}
