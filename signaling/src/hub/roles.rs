//! What a change of channel role does to the broadcaster's live stream: a ban ends the
//! banned account's watching and takes its messages out of the chat, and every chat
//! reader hears the new role (a page shows a new moderator their controls). The
//! program holds the roles; the hub only acts on a change, and each instance's chain
//! cache answers the later questions.
use super::{Hub, Notice, Outbox};
use crate::{refusal::Refusal, roles::Role};
use std::hash::Hash;
use w3bstreaming_keys::AccountId;

impl<C: Copy + Eq + Hash> Hub<C> {
    /// `account` holds `role` in `broadcaster`'s channel now.
    pub(super) fn channel_role(
        &mut self,
        broadcaster: AccountId,
        account: AccountId,
        role: Option<Role>,
    ) -> Outbox<C> {
        let Some(stream_id) = self.broadcasting.get(&broadcaster).cloned() else {
            return Vec::new();
        };
        let mut outbox = Vec::new();
        if role == Some(Role::Banned) {
            let seat = self.live[&stream_id]
                .viewers
                .get(&account)
                .map(|seat| seat.conn);
            if let Some(conn) = seat {
                outbox.extend(
                    self.leave(conn, &stream_id)
                        .expect("a seated viewer leaves"),
                );
                outbox.push((conn, Notice::Refused(Refusal::Banned)));
            }
            let live = self
                .live
                .get_mut(&stream_id)
                .expect("a broadcast stream is live");
            live.chat.retain(|message| message.author != account);
        }
        let notice = Notice::ChatRole {
            stream_id: stream_id.clone(),
            account,
            role,
        };
        outbox.extend(self.tell_chat_readers(&stream_id, &notice));
        outbox
    }
}

#[cfg(test)]
mod tests {
    use crate::{
        chat::ChatSettings,
        hub::{Hub, Notice, Op, Via},
        refusal::Refusal,
        roles::Role,
    };
    use w3bstreaming_keys::AccountId;

    const B: AccountId = AccountId([1; 32]);
    const V: AccountId = AccountId([2; 32]);
    const M: AccountId = AccountId([3; 32]);
    const BC: u32 = 10;
    const VC: u32 = 11;
    const R: u32 = 20;

    fn role(account: AccountId, role: Option<Role>) -> Op<u32> {
        Op::ChannelRole {
            conn: BC,
            broadcaster: B,
            account,
            role,
        }
    }

    fn post(author: AccountId, text: &str) -> Op<u32> {
        Op::Chat {
            conn: R,
            stream_id: "s".into(),
            author,
            name: None,
            text: text.into(),
            at_ms: 1,
        }
    }

    #[test]
    fn a_ban_ends_the_watching_and_the_messages_and_readers_hear_every_role() {
        let mut hub = Hub::new(10);
        hub.broadcast(BC, B, "s", Via::Peers).unwrap();
        hub.join(VC, V, "s").unwrap();
        hub.read_chat(R, "s", 0);
        hub.apply(post(V, "spam")).unwrap();
        hub.apply(post(M, "hello")).unwrap();

        let outbox = hub.apply(role(V, Some(Role::Banned))).unwrap();
        assert!(outbox.contains(&(VC, Notice::Refused(Refusal::Banned))));
        assert!(outbox.contains(&(
            BC,
            Notice::StopWatching {
                viewer: V,
                stream_id: "s".into()
            }
        )));
        let told = Notice::ChatRole {
            stream_id: "s".into(),
            account: V,
            role: Some(Role::Banned),
        };
        assert!(outbox.contains(&(R, told)));
        assert_eq!(hub.viewers("s"), 0);
        match hub.read_chat(R, "s", 0).remove(0).1 {
            Notice::ChatHistory { messages, .. } => {
                let texts: Vec<_> = messages.iter().map(|m| m.text.as_str()).collect();
                assert_eq!(texts, ["hello"]);
            }
            other => panic!("{other:?}"),
        }

        // A new moderator moderates; a role taken away is heard too.
        let outbox = hub.apply(role(M, Some(Role::Moderator))).unwrap();
        assert_eq!(outbox.len(), 1);
        let delete = |moderator| Op::ChatDelete {
            conn: R,
            stream_id: "s".into(),
            by: M,
            moderator,
            id: 2,
        };
        assert_eq!(
            hub.check(&delete(false)),
            Err(Refusal::NotChatModerator("s".into()))
        );
        hub.apply(delete(true)).unwrap();
        let time_out = Op::ChatTimeout {
            conn: R,
            stream_id: "s".into(),
            by: M,
            moderator: true,
            account: B,
            until_ms: 9,
        };
        assert_eq!(hub.check(&time_out), Err(Refusal::TimeOutBroadcaster));
        let settings = Op::ChatSettings {
            conn: R,
            stream_id: "s".into(),
            by: M,
            moderator: true,
            settings: ChatSettings {
                followers_only: true,
                slow_secs: 5,
                keep: false,
            },
        };
        hub.apply(settings).unwrap();
        let outbox = hub.apply(role(M, None)).unwrap();
        let told = Notice::ChatRole {
            stream_id: "s".into(),
            account: M,
            role: None,
        };
        assert_eq!(outbox, [(R, told)]);
    }

    #[test]
    fn a_role_in_a_channel_not_live_changes_nothing() {
        let mut hub: Hub<u32> = Hub::new(10);
        assert_eq!(hub.apply(role(V, Some(Role::Banned))), Ok(vec![]));
    }
}
