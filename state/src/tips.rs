//! Tip receipts: what each tip was (the record, [`TipRecord`]), the broadcaster's
//! list of them, and their answers. Numbers count up from 1 and the oldest receipt
//! goes first when the capacity is reached, so the receipts kept are always the
//! numbers from `last_tip - count + 1` to `last_tip`.
use crate::{
    answer::put_len,
    collections::Record,
    query::{all, page_len, shape, Page},
    schedule::Schedule,
    text::PackedText,
    user_no::UserNo,
};
use core::ops::Bound::{Excluded, Included};
use gstd::{
    codec::{Encode, Output},
    ActorId,
};
use w3bstreaming_io::{
    limits::{MAX_TIP_MESSAGE_LEN, MAX_TITLE_LEN},
    StateQuery, StateReply, Tip,
};

/// Where a receipt's fields lie in its bytes: the tipper, the broadcaster's number,
/// the amount and the time, then the stream's id and the message packed.
mod tip {
    pub const TIPPER: usize = 0;
    pub const BROADCASTER_NO: usize = 32;
    pub const AMOUNT: usize = 40;
    pub const TIME: usize = 56;
    pub const TEXT: usize = 64;
    pub const STREAM_ID: usize = 0;
    pub const MESSAGE: usize = 1;
}

/// Most bytes of a receipt: a stream id is 13 digits and a title.
pub const MOST_TIP_BYTES: usize =
    tip::TEXT + PackedText::<2>::HEADER + 13 + MAX_TITLE_LEN + MAX_TIP_MESSAGE_LEN;

/// A tip to keep a receipt of, written straight into its leaf.
pub struct NewTip<'a> {
    pub tipper: ActorId,
    pub broadcaster: UserNo,
    pub stream_id: &'a str,
    pub amount: u128,
    pub time: u64,
    pub message: &'a str,
}

impl NewTip<'_> {
    fn text(&self) -> [Option<&str>; 2] {
        [Some(self.stream_id), Some(self.message)]
    }
}

impl Record for NewTip<'_> {
    fn len(&self) -> usize {
        tip::TEXT + PackedText::<2>::packed_len(self.text())
    }

    fn write(&self, out: &mut [u8]) {
        out[tip::TIPPER..tip::BROADCASTER_NO].copy_from_slice(self.tipper.as_ref());
        out[tip::BROADCASTER_NO..tip::AMOUNT]
            .copy_from_slice(&self.broadcaster.get().to_le_bytes());
        out[tip::AMOUNT..tip::TIME].copy_from_slice(&self.amount.to_le_bytes());
        out[tip::TIME..tip::TEXT].copy_from_slice(&self.time.to_le_bytes());
        PackedText::write(self.text(), &mut out[tip::TEXT..]);
    }
}

/// A stored receipt.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TipRecord<'a> {
    bytes: &'a [u8],
}

impl<'a> TipRecord<'a> {
    fn field<const N: usize>(&self, at: usize) -> [u8; N] {
        self.bytes[at..at + N]
            .try_into()
            .expect("a receipt's field")
    }

    fn text(&self) -> PackedText<'a, 2> {
        PackedText::read(&self.bytes[tip::TEXT..])
    }

    pub fn tipper(&self) -> ActorId {
        ActorId::new(self.field(tip::TIPPER))
    }

    pub(crate) fn broadcaster_no(&self) -> UserNo {
        UserNo::new(u64::from_le_bytes(self.field(tip::BROADCASTER_NO)))
    }

    pub fn amount(&self) -> u128 {
        u128::from_le_bytes(self.field(tip::AMOUNT))
    }

    pub fn time(&self) -> u64 {
        u64::from_le_bytes(self.field(tip::TIME))
    }

    pub fn stream_id(&self) -> &'a str {
        self.text()
            .get(tip::STREAM_ID)
            .expect("a receipt names its stream")
    }

    pub fn message(&self) -> &'a str {
        self.text()
            .get(tip::MESSAGE)
            .expect("a receipt has a message")
    }
}

impl Schedule {
    /// How many receipts are kept.
    pub fn tip_count(&self) -> usize {
        self.tips.len()
    }

    /// The receipt numbered `number`, if it is kept.
    pub fn tip_record(&self, number: u64) -> Option<TipRecord<'_>> {
        self.tips.get(number).map(|bytes| TipRecord { bytes })
    }

    /// Keeps a receipt of `tip` under the next number, which it returns, dropping the
    /// oldest receipt first when the capacity is reached. Precondition: the broadcaster
    /// number came from this schedule.
    pub fn add_tip(&mut self, tip: &NewTip<'_>) -> u64 {
        if self.tips.len() >= self.capacity.tips {
            let oldest = self.last_tip + 1 - self.tips.len() as u64;
            let broadcaster = self
                .tip_record(oldest)
                .expect("the receipts kept are consecutive")
                .broadcaster_no();
            self.tips.remove(oldest);
            self.tips_to.remove(&(broadcaster, oldest));
        }
        self.last_tip += 1;
        self.tips.insert(self.last_tip, tip);
        self.tips_to.insert((tip.broadcaster, self.last_tip), ());
        self.last_tip
    }

    /// The receipt `number` as a client reads it; `None` if it is not kept.
    pub fn tip(&self, number: u64) -> Option<Tip> {
        match self.query(StateQuery::Tip { number }) {
            Ok(StateReply::Tip(tip)) => tip,
            other => unreachable!("Tip answered {other:?}"),
        }
    }

    /// The tips `broadcaster` received, the latest first, from after the cursor tip;
    /// empty for an unknown account.
    pub fn tips_received(
        &self,
        broadcaster: ActorId,
        after: Option<u64>,
        limit: u32,
    ) -> Page<(u64, Tip), u64> {
        match self.query(StateQuery::TipsReceived {
            broadcaster,
            after,
            limit,
        }) {
            Ok(StateReply::TipPage { tips, next }) => Page { items: tips, next },
            other => unreachable!("TipsReceived answered {other:?}"),
        }
    }

    /// Writes an `Option<Tip>`: the receipt `number`, if it is kept.
    pub(crate) fn put_tip(&self, number: u64, out: &mut impl Output) {
        match self.tip_record(number) {
            Some(record) => {
                out.push_byte(1);
                self.put_record(record, out);
            }
            None => out.push_byte(0),
        }
    }

    /// Writes a `TipPage`'s fields: `broadcaster`'s receipts, the latest first, after
    /// the cursor tip. A tip can be the cursor after its receipt is dropped: the list
    /// goes on from where it stood.
    pub(crate) fn put_tip_page(
        &self,
        broadcaster: ActorId,
        after: Option<u64>,
        limit: u32,
        out: &mut impl Output,
    ) {
        let numbers = self.user_no(broadcaster).into_iter().flat_map(|account| {
            let upper = after.map_or(Included((account, u64::MAX)), |after| {
                Excluded((account, after))
            });
            self.tips_to
                .range_rev((Included((account, 0)), upper))
                .map(|(&(_, number), _)| number)
        });
        let numbers = all(numbers);
        let page = shape(numbers.clone(), page_len(limit));
        put_len(page.count, out);
        for (number, _) in numbers.take(page.count) {
            number.encode_to(out);
            self.put_record(self.tip_record(number).expect("a listed tip is kept"), out);
        }
        page.next.encode_to(out);
    }

    /// Writes a `Tip`.
    fn put_record(&self, record: TipRecord<'_>, out: &mut impl Output) {
        record.tipper().encode_to(out);
        self.account(record.broadcaster_no()).encode_to(out);
        record.stream_id().encode_to(out);
        record.amount().encode_to(out);
        record.time().encode_to(out);
        record.message().encode_to(out);
    }
}
