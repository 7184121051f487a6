//! The chat of each live stream: its last messages, kept with the stream (so a snapshot
//! carries them to a new instance, and they go when the stream ends, unless its
//! broadcaster chose to keep them: [`KeptChat`]), and who reads it on this instance.
//! Posting is a change every instance applies ([`Op::Chat`]); reading, like listening,
//! is each instance's own.
use super::{shared_key, take_out, Hub, Live, Notice, Outbox};
use crate::{
    chat::{ChatMessage, ChatSettings, TipShown, HISTORY, KEPT_CHATS, KEPT_FOR_MS},
    refusal::Refusal,
};
use serde::{Deserialize, Serialize};
use std::{collections::VecDeque, hash::Hash};
use w3bstreaming_keys::AccountId;

/// The chat of an ended stream, kept at its broadcaster's choice.
#[derive(Debug, Serialize, Deserialize)]
pub(super) struct KeptChat {
    stream_id: String,
    messages: VecDeque<ChatMessage>,
    settings: ChatSettings,
}

impl KeptChat {
    /// Whether a reader at `now_ms` is still shown it: within [`KEPT_FOR_MS`] of its
    /// last message. Each instance asks with its own clock; what is kept is the same
    /// everywhere.
    fn shown_at(&self, now_ms: u64) -> bool {
        self.messages
            .back()
            .is_some_and(|last| now_ms < last.at_ms.saturating_add(KEPT_FOR_MS))
    }
}

/// What a post carries besides where it goes.
#[derive(Debug)]
pub(super) struct Post {
    pub author: AccountId,
    pub name: Option<String>,
    pub text: String,
    pub at_ms: u64,
}

impl<C: Copy + Eq + Hash> Hub<C> {
    /// From now on `conn` reads the chat of `stream_id`, and of no other stream: it is
    /// told the last messages and the chat's settings at once (none while the stream is
    /// not live, but for a chat kept after its stream, still shown at `now_ms`), then
    /// each new message and each moderation change. Anyone may read, signed in or not.
    pub fn read_chat(&mut self, conn: C, stream_id: &str, now_ms: u64) -> Outbox<C> {
        self.unread_chat(conn);
        let shared = shared_key(&self.chat_readers, stream_id);
        self.chat_readers
            .entry(shared.clone())
            .or_default()
            .push(conn);
        self.with_part(conn, |part| part.reads_chat = Some(shared));
        let kept = || {
            self.kept
                .iter()
                .find(|kept| kept.stream_id == stream_id && kept.shown_at(now_ms))
                .map(|kept| (kept.messages.iter().cloned().collect(), kept.settings))
        };
        let (messages, settings) = match self.live.get(stream_id) {
            Some(live) => (
                live.chat.iter().cloned().collect(),
                live.moderation.settings,
            ),
            None => kept().unwrap_or_default(),
        };
        vec![(
            conn,
            Notice::ChatHistory {
                stream_id: stream_id.to_string(),
                messages,
                settings,
            },
        )]
    }

    /// The chat of `live`, ending now, is kept if its broadcaster chose to and anyone
    /// wrote in it; a stream that goes live again starts a chat of its own
    /// ([`Hub::unkeep_chat`]).
    pub(super) fn keep_chat(&mut self, stream_id: &str, live: &mut Live<C>) {
        let settings = live.moderation.settings;
        if !settings.keep || live.chat.is_empty() {
            return;
        }
        self.unkeep_chat(stream_id);
        if self.kept.len() == KEPT_CHATS {
            self.kept.pop_front();
        }
        self.kept.push_back(KeptChat {
            stream_id: stream_id.to_string(),
            messages: std::mem::take(&mut live.chat),
            settings,
        });
    }

    /// The kept chat of `stream_id` goes, if there is one.
    pub(super) fn unkeep_chat(&mut self, stream_id: &str) {
        self.kept.retain(|kept| kept.stream_id != stream_id);
    }

    /// `conn` reads no chat any more.
    pub(super) fn unread_chat(&mut self, conn: C) {
        let Some(stream_id) = self.with_part(conn, |part| part.reads_chat.take()) else {
            return;
        };
        take_out(&mut self.chat_readers, &stream_id, conn);
    }

    /// Whether `author` may post to the chat of `stream_id` at `at_ms`: the stream is
    /// live, and its chat's rules let the author post then.
    pub(super) fn may_chat(
        &self,
        stream_id: &str,
        author: AccountId,
        at_ms: u64,
    ) -> Result<(), Refusal> {
        let live = self.live_stream(stream_id)?;
        live.moderation
            .may_post(author, author == live.broadcaster, at_ms)
    }

    /// Adds `post` to the chat of the live stream `stream_id`, keeping its last
    /// [`HISTORY`] messages, and tells every reader.
    pub(super) fn chat(&mut self, stream_id: &str, post: Post) -> Result<Outbox<C>, Refusal> {
        self.may_chat(stream_id, post.author, post.at_ms)?;
        let live = self.live.get_mut(stream_id).expect("checked live");
        live.moderation.last_posts.insert(post.author, post.at_ms);
        Ok(self.add_message(stream_id, post, None))
    }

    /// Adds a message to the chat of the live stream `stream_id` under the next id,
    /// keeping its last [`HISTORY`] messages, and tells every reader. Precondition:
    /// the stream is live.
    pub(super) fn add_message(
        &mut self,
        stream_id: &str,
        post: Post,
        tip: Option<TipShown>,
    ) -> Outbox<C> {
        let live = self.live.get_mut(stream_id).expect("the stream is live");
        live.chat_posted += 1;
        let message = ChatMessage {
            id: live.chat_posted,
            author: post.author,
            name: post.name,
            text: post.text,
            at_ms: post.at_ms,
            tip,
        };
        if live.chat.len() == HISTORY {
            live.chat.pop_front();
        }
        live.chat.push_back(message.clone());
        let notice = Notice::ChatMessage {
            stream_id: stream_id.to_string(),
            message,
        };
        self.tell_chat_readers(stream_id, &notice)
    }

    /// The live stream `stream_id`, or why there is none to chat in.
    pub(super) fn live_stream(&self, stream_id: &str) -> Result<&Live<C>, Refusal> {
        self.live
            .get(stream_id)
            .ok_or_else(|| Refusal::NotStarted(stream_id.to_string()))
    }

    /// The broadcaster of the live stream `stream_id` and its chat's settings.
    pub fn chat_of(&self, stream_id: &str) -> Option<(AccountId, ChatSettings)> {
        let live = self.live.get(stream_id)?;
        Some((live.broadcaster, live.moderation.settings))
    }

    /// `notice` for each connection of this instance reading the chat of `stream_id`.
    pub(super) fn tell_chat_readers(&self, stream_id: &str, notice: &Notice) -> Outbox<C> {
        let readers = self
            .chat_readers
            .get(stream_id)
            .map_or(&[][..], Vec::as_slice);
        readers
            .iter()
            .map(|&reader| (reader, notice.clone()))
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::hub::{Op, Via};

    const B: AccountId = AccountId([1; 32]);
    const A: AccountId = AccountId([2; 32]);
    const BC: u32 = 10;
    const R1: u32 = 21;
    const R2: u32 = 22;

    fn post(text: &str) -> Op<u32> {
        Op::Chat {
            conn: R1,
            stream_id: "s".into(),
            author: A,
            name: Some("Ann".into()),
            text: text.into(),
            at_ms: 7,
        }
    }

    fn message(id: u64, text: &str) -> ChatMessage {
        ChatMessage {
            id,
            author: A,
            name: Some("Ann".into()),
            text: text.into(),
            at_ms: 7,
            tip: None,
        }
    }

    fn history(conn: u32, messages: Vec<ChatMessage>) -> Outbox<u32> {
        let stream_id = "s".into();
        let settings = ChatSettings::default();
        vec![(
            conn,
            Notice::ChatHistory {
                stream_id,
                messages,
                settings,
            },
        )]
    }

    fn told(conns: &[u32], message: &ChatMessage) -> Outbox<u32> {
        conns
            .iter()
            .map(|&conn| {
                let stream_id = "s".into();
                let message = message.clone();
                (conn, Notice::ChatMessage { stream_id, message })
            })
            .collect()
    }

    #[test]
    fn a_stream_that_is_not_live_has_no_chat_to_post_to() {
        let mut hub = Hub::<u32>::new(10);
        assert_eq!(hub.read_chat(R1, "s", 0), history(R1, vec![]));
        let refused = Err(Refusal::NotStarted("s".into()));
        assert_eq!(hub.check(&post("hi")), refused);
        assert_eq!(hub.apply(post("hi")), refused.map(|()| vec![]));
        hub.broadcast(BC, B, "s", Via::Peers).unwrap();
        assert_eq!(hub.read_chat(R2, "s", 0), history(R2, vec![]));
    }

    #[test]
    fn every_reader_gets_each_message_and_a_new_one_the_history() {
        let mut hub = Hub::<u32>::new(10);
        hub.broadcast(BC, B, "s", Via::Peers).unwrap();
        hub.read_chat(R1, "s", 0);
        hub.read_chat(R2, "s", 0);
        assert_eq!(hub.check(&post("hi")), Ok(()));
        assert_eq!(
            hub.apply(post("hi")),
            Ok(told(&[R1, R2], &message(1, "hi")))
        );
        assert_eq!(
            hub.apply(post("yo")),
            Ok(told(&[R1, R2], &message(2, "yo")))
        );
        // R2 turns to another stream's chat, then leaves: only R1 hears the next.
        hub.read_chat(R2, "t", 0);
        assert_eq!(hub.apply(post("3")), Ok(told(&[R1], &message(3, "3"))));
        hub.disconnect(R1);
        assert_eq!(hub.apply(post("4")), Ok(vec![]));
        assert!(!hub.chat_readers.contains_key("s") && !hub.parts.contains_key(&R1));
        let last = vec![
            message(1, "hi"),
            message(2, "yo"),
            message(3, "3"),
            message(4, "4"),
        ];
        assert_eq!(hub.read_chat(R1, "s", 0), history(R1, last));
    }

    #[test]
    fn the_history_keeps_the_last_messages_and_ends_with_the_stream() {
        let mut hub = Hub::<u32>::new(10);
        hub.broadcast(BC, B, "s", Via::Peers).unwrap();
        for n in 1..=HISTORY + 5 {
            hub.apply(post(&n.to_string())).unwrap();
        }
        let kept: Vec<ChatMessage> = (6..=HISTORY as u64 + 5)
            .map(|id| message(id, &id.to_string()))
            .collect();
        assert_eq!(hub.read_chat(R1, "s", 0), history(R1, kept.clone()));

        // A snapshot carries the history, not who reads it here.
        let copy: Hub<u32> = serde_json::from_value(serde_json::to_value(&hub).unwrap()).unwrap();
        assert!(copy.chat_readers.is_empty());
        let mut copy = copy;
        assert_eq!(copy.read_chat(R2, "s", 0), history(R2, kept));
        assert_eq!(
            copy.apply(post("next")),
            Ok(told(&[R2], &message(HISTORY as u64 + 6, "next")))
        );

        hub.disconnect(BC);
        assert_eq!(hub.read_chat(R1, "s", 0), history(R1, vec![]));
        hub.broadcast(BC, B, "s", Via::Peers).unwrap();
        assert_eq!(
            hub.apply(post("again")),
            Ok(told(&[R1], &message(1, "again")))
        );
    }

    #[test]
    fn a_chat_kept_by_its_broadcaster_is_shown_for_a_day_after_its_last_message() {
        let mut hub = Hub::<u32>::new(10);
        hub.broadcast(BC, B, "s", Via::Peers).unwrap();
        let keep = ChatSettings {
            keep: true,
            ..ChatSettings::default()
        };
        let set = |by, moderator, settings| Op::ChatSettings {
            conn: BC,
            stream_id: "s".into(),
            by,
            moderator,
            settings,
        };
        hub.apply(set(B, false, keep)).unwrap();
        // A moderator's rules leave the broadcaster's choice as it is.
        hub.apply(set(A, true, ChatSettings::default())).unwrap();
        assert_eq!(hub.chat_of("s"), Some((B, keep)));
        hub.apply(post("kept")).unwrap();
        hub.disconnect(BC);

        let shown = |hub: &mut Hub<u32>, now_ms| match hub.read_chat(R1, "s", now_ms).remove(0).1 {
            Notice::ChatHistory { messages, .. } => messages,
            other => panic!("{other:?}"),
        };
        assert_eq!(shown(&mut hub, 7 + KEPT_FOR_MS - 1), [message(1, "kept")]);
        assert_eq!(shown(&mut hub, 7 + KEPT_FOR_MS), []);
        // A snapshot carries it; live again, the stream starts a chat of its own.
        let mut copy: Hub<u32> =
            serde_json::from_value(serde_json::to_value(&hub).unwrap()).unwrap();
        assert_eq!(shown(&mut copy, 8), [message(1, "kept")]);
        hub.broadcast(BC, B, "s", Via::Peers).unwrap();
        hub.disconnect(BC);
        assert_eq!(shown(&mut hub, 8), []);

        // At most KEPT_CHATS at once: the oldest goes first.
        for n in 0..=KEPT_CHATS {
            let stream_id = format!("k{n}");
            hub.broadcast(BC, B, &stream_id, Via::Peers).unwrap();
            let settings = Op::ChatSettings {
                conn: BC,
                stream_id: stream_id.clone(),
                by: B,
                moderator: false,
                settings: keep,
            };
            hub.apply(settings).unwrap();
            let post = Op::Chat {
                conn: R1,
                stream_id,
                author: A,
                name: None,
                text: "x".into(),
                at_ms: 7,
            };
            hub.apply(post).unwrap();
            hub.disconnect(BC);
        }
        assert_eq!(hub.kept.len(), KEPT_CHATS);
        assert_eq!(
            hub.kept.front().map(|kept| kept.stream_id.as_str()),
            Some("k1")
        );
    }
}
