//! What the broadcaster of a live stream, or a moderator of its channel, does to its
//! chat: deletes a message for everyone, times an account out, and sets followers-only
//! and slow mode; and whether a post may go in. It is all kept with the live stream, so every instance decides
//! the same from the same log, and it goes when the stream ends. The checks use the
//! post's own time, not the clock of the instance applying it.
use super::{Hub, Live, Notice, Op, Outbox};
use crate::{chat::ChatSettings, refusal::Refusal};
use serde::{Deserialize, Serialize};
use std::{collections::BTreeMap, hash::Hash};
use w3bstreaming_keys::AccountId;

/// A live stream's chat rules and who they hold back.
#[derive(Debug, Default, Serialize, Deserialize)]
pub(super) struct Moderation {
    #[serde(default)]
    pub settings: ChatSettings,
    /// Until when each timed-out account may not post, in milliseconds since the epoch.
    #[serde(default)]
    pub timeouts: BTreeMap<AccountId, u64>,
    /// When each account last posted, for slow mode.
    #[serde(default)]
    pub last_posts: BTreeMap<AccountId, u64>,
}

impl Moderation {
    /// Whether `author` may post at `at_ms`. The broadcaster always may.
    pub fn may_post(
        &self,
        author: AccountId,
        broadcaster: bool,
        at_ms: u64,
    ) -> Result<(), Refusal> {
        if broadcaster {
            return Ok(());
        }
        if let Some(&until) = self.timeouts.get(&author) {
            if at_ms < until {
                return Err(Refusal::ChatTimedOut((until - at_ms).div_ceil(1_000)));
            }
        }
        let slow_ms = u64::from(self.settings.slow_secs) * 1_000;
        match self.last_posts.get(&author) {
            Some(&last) if slow_ms > 0 && at_ms < last.saturating_add(slow_ms) => {
                Err(Refusal::ChatSlowMode(self.settings.slow_secs))
            }
            _ => Ok(()),
        }
    }
}

/// Who moderates: the account, and whether the program names it a moderator of the
/// channel (the broadcaster needs no role).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct Moderator {
    pub account: AccountId,
    pub named: bool,
}

/// What the broadcaster or a moderator changes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Change {
    Delete { id: u64 },
    TimeOut { account: AccountId, until_ms: u64 },
    Settings(ChatSettings),
}

impl<C> Op<C> {
    /// The stream, who moderates and the change, if `self` moderates a chat.
    pub(super) fn moderation(&self) -> Option<(&str, Moderator, Change)> {
        let (stream_id, by, moderator, change) = match self {
            Op::ChatDelete {
                stream_id,
                by,
                moderator,
                id,
                ..
            } => (stream_id, by, moderator, Change::Delete { id: *id }),
            Op::ChatTimeout {
                stream_id,
                by,
                moderator,
                account,
                until_ms,
                ..
            } => (
                stream_id,
                by,
                moderator,
                Change::TimeOut {
                    account: *account,
                    until_ms: *until_ms,
                },
            ),
            Op::ChatSettings {
                stream_id,
                by,
                moderator,
                settings,
                ..
            } => (stream_id, by, moderator, Change::Settings(*settings)),
            _ => return None,
        };
        let by = Moderator {
            account: *by,
            named: *moderator,
        };
        Some((stream_id, by, change))
    }
}

impl<C: Copy + Eq + Hash> Hub<C> {
    /// Whether `by` may make `change` to the chat of `stream_id`, as
    /// [`Hub::moderate`] would decide.
    pub(super) fn may_moderate(
        &self,
        stream_id: &str,
        by: Moderator,
        change: Change,
    ) -> Result<(), Refusal> {
        let live = self.live_stream(stream_id)?;
        let broadcaster = live.broadcaster == by.account;
        if !broadcaster && !by.named {
            return Err(Refusal::NotChatModerator(stream_id.to_string()));
        }
        match change {
            Change::Delete { id } if !live.chat.iter().any(|message| message.id == id) => {
                Err(Refusal::NoSuchChatMessage(id))
            }
            Change::TimeOut { account, .. } if account == by.account => {
                Err(Refusal::TimeOutOwnChat)
            }
            Change::TimeOut { account, .. } if account == live.broadcaster => {
                Err(Refusal::TimeOutBroadcaster)
            }
            Change::Settings(settings) => settings.check().map(drop),
            _ => Ok(()),
        }
    }

    /// `by`, the broadcaster of `stream_id` or a moderator of its channel, makes
    /// `change` to its chat, and every reader is told.
    pub(super) fn moderate(
        &mut self,
        stream_id: &str,
        by: Moderator,
        change: Change,
    ) -> Result<Outbox<C>, Refusal> {
        self.may_moderate(stream_id, by, change)?;
        let live: &mut Live<C> = self.live.get_mut(stream_id).expect("checked live");
        let stream = stream_id;
        let stream_id = stream.to_string();
        let notice = match change {
            Change::Delete { id } => {
                live.chat.retain(|message| message.id != id);
                Notice::ChatDeleted { stream_id, id }
            }
            Change::TimeOut { account, until_ms } => {
                live.moderation.timeouts.insert(account, until_ms);
                Notice::ChatTimedOut {
                    stream_id,
                    account,
                    until_ms,
                }
            }
            Change::Settings(mut settings) => {
                // Keeping the chat after the stream is the broadcaster's choice alone.
                if live.broadcaster != by.account {
                    settings.keep = live.moderation.settings.keep;
                }
                live.moderation.settings = settings;
                Notice::ChatSettings {
                    stream_id,
                    settings,
                }
            }
        };
        Ok(self.tell_chat_readers(stream, &notice))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::hub::{Op, Via};

    const B: AccountId = AccountId([1; 32]);
    const A: AccountId = AccountId([2; 32]);
    const BC: u32 = 10;
    const R: u32 = 20;

    fn post(author: AccountId, text: &str, at_ms: u64) -> Op<u32> {
        Op::Chat {
            conn: R,
            stream_id: "s".into(),
            author,
            name: None,
            text: text.into(),
            at_ms,
        }
    }

    fn live() -> Hub<u32> {
        let mut hub = Hub::new(10);
        hub.broadcast(BC, B, "s", Via::Peers).unwrap();
        hub.read_chat(R, "s", 0);
        hub
    }

    /// Applies `op` after checking it, as an instance sharing the hub does: both must
    /// agree.
    fn apply(hub: &mut Hub<u32>, op: Op<u32>) -> Result<Outbox<u32>, Refusal> {
        let checked = hub.check(&op);
        let applied = hub.apply(op);
        assert_eq!(checked, applied.as_ref().map(drop).map_err(Clone::clone));
        applied
    }

    fn texts(hub: &mut Hub<u32>) -> Vec<String> {
        match hub.read_chat(R, "s", 0).remove(0).1 {
            Notice::ChatHistory { messages, .. } => messages.into_iter().map(|m| m.text).collect(),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn only_the_broadcaster_deletes_and_everyone_hears_it() {
        let mut hub = live();
        apply(&mut hub, post(A, "one", 1)).unwrap();
        apply(&mut hub, post(A, "two", 2)).unwrap();
        let delete = |by, id| Op::ChatDelete {
            conn: BC,
            stream_id: "s".into(),
            by,
            moderator: false,
            id,
        };
        assert_eq!(
            apply(&mut hub, delete(A, 1)),
            Err(Refusal::NotChatModerator("s".into()))
        );
        assert_eq!(
            apply(&mut hub, delete(B, 1)),
            Ok(vec![(
                R,
                Notice::ChatDeleted {
                    stream_id: "s".into(),
                    id: 1
                }
            )])
        );
        assert_eq!(
            apply(&mut hub, delete(B, 1)),
            Err(Refusal::NoSuchChatMessage(1))
        );
        assert_eq!(texts(&mut hub), ["two"]);
        let elsewhere = Op::ChatDelete {
            conn: BC,
            stream_id: "t".into(),
            by: B,
            moderator: false,
            id: 2,
        };
        assert_eq!(
            apply(&mut hub, elsewhere),
            Err(Refusal::NotStarted("t".into()))
        );
    }

    #[test]
    fn a_time_out_holds_until_it_ends_and_not_for_the_broadcaster() {
        let mut hub = live();
        let time_out = |by, account| Op::ChatTimeout {
            conn: BC,
            stream_id: "s".into(),
            by,
            moderator: false,
            account,
            until_ms: 61_000,
        };
        assert_eq!(
            apply(&mut hub, time_out(B, B)),
            Err(Refusal::TimeOutOwnChat)
        );
        assert_eq!(
            apply(&mut hub, time_out(A, B)),
            Err(Refusal::NotChatModerator("s".into()))
        );
        assert_eq!(
            apply(&mut hub, time_out(B, A)).unwrap(),
            [(
                R,
                Notice::ChatTimedOut {
                    stream_id: "s".into(),
                    account: A,
                    until_ms: 61_000
                }
            )]
        );
        assert_eq!(
            apply(&mut hub, post(A, "early", 1_000)),
            Err(Refusal::ChatTimedOut(60))
        );
        assert_eq!(
            apply(&mut hub, post(A, "nearly", 60_001)),
            Err(Refusal::ChatTimedOut(1))
        );
        apply(&mut hub, post(A, "back", 61_000)).unwrap();
        apply(&mut hub, post(B, "host", 1_000)).unwrap();
        assert_eq!(texts(&mut hub), ["back", "host"]);
    }

    #[test]
    fn slow_mode_spaces_each_account_and_the_settings_reach_readers() {
        let mut hub = live();
        let set = |by, slow_secs| Op::ChatSettings {
            conn: BC,
            stream_id: "s".into(),
            by,
            moderator: false,
            settings: ChatSettings {
                followers_only: true,
                slow_secs,
                keep: false,
            },
        };
        assert_eq!(
            apply(&mut hub, set(B, 301)),
            Err(Refusal::SlowModeOutOfRange { max: 300 })
        );
        assert_eq!(
            apply(&mut hub, set(A, 10)),
            Err(Refusal::NotChatModerator("s".into()))
        );
        let settings = ChatSettings {
            followers_only: true,
            slow_secs: 10,
            keep: false,
        };
        assert_eq!(
            apply(&mut hub, set(B, 10)).unwrap(),
            [(
                R,
                Notice::ChatSettings {
                    stream_id: "s".into(),
                    settings
                }
            )]
        );
        assert_eq!(hub.chat_of("s"), Some((B, settings)));
        apply(&mut hub, post(A, "a", 1_000)).unwrap();
        assert_eq!(
            apply(&mut hub, post(A, "b", 10_999)),
            Err(Refusal::ChatSlowMode(10))
        );
        apply(&mut hub, post(A, "c", 11_000)).unwrap();
        apply(&mut hub, post(B, "d", 11_001)).unwrap();
        apply(&mut hub, post(B, "e", 11_002)).unwrap();
        assert_eq!(texts(&mut hub), ["a", "c", "d", "e"]);

        // A new reader is told the settings; a stream live again starts without them.
        match hub.read_chat(R, "s", 0).remove(0).1 {
            Notice::ChatHistory { settings: told, .. } => assert_eq!(told, settings),
            other => panic!("{other:?}"),
        }
        hub.disconnect(BC);
        hub.broadcast(BC, B, "s", Via::Peers).unwrap();
        assert_eq!(hub.chat_of("s"), Some((B, ChatSettings::default())));
        apply(&mut hub, post(A, "x", 1)).unwrap();
        apply(&mut hub, post(A, "y", 2)).unwrap();
    }
}
