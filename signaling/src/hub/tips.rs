//! Tips in the chat: a tip the program confirmed is a highlighted message from its
//! tipper, shown once however often it is announced, whatever the chat's rules (the
//! tipper paid, and the broadcaster has the value); the instance that took the change
//! asked the program for the receipt and for the tipper's ban.
use super::{chat::Post, Hub, Outbox};
use crate::{chat::TipShown, refusal::Refusal};
use std::hash::Hash;

impl<C: Copy + Eq + Hash> Hub<C> {
    /// Whether a tip can be shown in the chat of `stream_id`: the stream is live.
    pub(super) fn may_show_tip(&self, stream_id: &str) -> Result<(), Refusal> {
        self.live_stream(stream_id).map(drop)
    }

    /// Shows `tip` in the chat of the live stream `stream_id` as `post`, unless it was
    /// shown already.
    pub(super) fn show_tip(
        &mut self,
        stream_id: &str,
        post: Post,
        tip: TipShown,
    ) -> Result<Outbox<C>, Refusal> {
        self.may_show_tip(stream_id)?;
        let live = self.live.get_mut(stream_id).expect("checked live");
        if !live.tips_shown.insert(tip.number) {
            return Ok(Vec::new());
        }
        Ok(self.add_message(stream_id, post, Some(tip)))
    }
}

#[cfg(test)]
mod tests {
    use crate::{
        chat::TipShown,
        hub::{Hub, Notice, Op, Via},
    };
    use w3bstreaming_keys::AccountId;

    const B: AccountId = AccountId([1; 32]);
    const T: AccountId = AccountId([2; 32]);

    fn tip(number: u64) -> Op<u32> {
        Op::ChatTip {
            conn: 30,
            stream_id: "s".into(),
            tipper: T,
            name: Some("Tia".into()),
            tip: TipShown {
                number,
                amount: "1000000000000".into(),
            },
            text: "thanks".into(),
            at_ms: 9,
        }
    }

    /// A tip is one highlighted message, kept in the history; announced again, it is
    /// not shown twice; and a stream that is not live shows none.
    #[test]
    fn a_tip_is_shown_once_to_every_reader() {
        let mut hub: Hub<u32> = Hub::new(10);
        assert!(hub.check(&tip(1)).is_err(), "no live stream yet");
        hub.apply(Op::Broadcast {
            conn: 10,
            broadcaster: B,
            stream_id: "s".into(),
            via: Via::Peers,
        })
        .unwrap();
        hub.read_chat(21, "s", 0);
        let told = hub.apply(tip(7)).unwrap();
        let [(21, Notice::ChatMessage { message, .. })] = &told[..] else {
            panic!("{told:?}")
        };
        assert_eq!((message.id, message.author), (1, T));
        assert_eq!(message.tip.as_ref().map(|tip| tip.number), Some(7));
        assert_eq!(hub.apply(tip(7)), Ok(vec![]), "shown once");
        let history = hub.read_chat(22, "s", 0);
        let [(22, Notice::ChatHistory { messages, .. })] = &history[..] else {
            panic!("{history:?}")
        };
        assert_eq!(messages.len(), 1);
    }
}
