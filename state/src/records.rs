//! The bytes of a stored profile and of a stored stream, and the views that read them.
//! A record is written whole into a buffer on the stack and stored as it is: storing
//! allocates nothing, since every allocation writes the allocator's page.
use crate::{
    collections::{Record, MAX_RECORD_BYTES},
    stream_number::StreamNumber,
    text::PackedText,
    user_no::UserNo,
};
use gstd::ActorId;
use w3bstreaming_io::limits::{MAX_DESCRIPTION_LEN, MAX_LINK_LEN, MAX_TITLE_LEN};

/// What a broadcaster sets on a stream when scheduling or editing it, borrowed from the
/// action that sets it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct StreamFields<'a> {
    pub start_time: u64,
    pub end_time: u64,
    pub title: &'a str,
    pub img_link: &'a str,
    pub description: Option<&'a str>,
}

/// What an account sets on its profile, borrowed from the action that sets it: `None`
/// leaves a field empty.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct ProfileFields<'a> {
    pub name: Option<&'a str>,
    pub surname: Option<&'a str>,
    pub img_link: Option<&'a str>,
}

/// A change to a stream's fields, borrowed from the action that asks for it: `None`
/// keeps a field as it is, except `description`, which is always replaced.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct StreamEdit<'a> {
    pub start_time: Option<u64>,
    pub end_time: Option<u64>,
    pub title: Option<&'a str>,
    pub img_link: Option<&'a str>,
    pub description: Option<&'a str>,
}

/// A record being built, on the stack.
pub(crate) type RecordBuffer = [u8; MAX_RECORD_BYTES];

/// The longest stream record, every text at its limit, fits a record buffer (a profile's
/// is shorter).
const _: () = assert!(
    stream::TEXT
        + PackedText::<5>::HEADER
        + StreamNumber::DIGITS
        + 2 * MAX_TITLE_LEN
        + MAX_LINK_LEN
        + MAX_DESCRIPTION_LEN
        <= MAX_RECORD_BYTES
);

fn u32_at(bytes: &[u8], at: usize) -> u32 {
    u32::from_le_bytes(bytes[at..at + 4].try_into().expect("4 bytes"))
}

fn u64_at(bytes: &[u8], at: usize) -> u64 {
    u64::from_le_bytes(bytes[at..at + 8].try_into().expect("8 bytes"))
}

fn account_at(bytes: &[u8], at: usize) -> ActorId {
    ActorId::new(bytes[at..at + 32].try_into().expect("32 bytes"))
}

/// Where a profile's fields lie in its bytes: the account, its two counts, then the
/// name, surname and avatar link packed.
mod user {
    pub const ACCOUNT: usize = 0;
    pub const SUBSCRIBERS: usize = 32;
    pub const SUBSCRIPTIONS: usize = 36;
    pub const TEXT: usize = 40;
}

/// A stored profile. The account's streams, followers and follows are kept in the
/// schedule's indices, not here; the two counts spare the profile query a walk of them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct UserRecord<'a> {
    bytes: &'a [u8],
}

/// A profile to store, written straight into its leaf (see [`Record`]).
pub(crate) struct NewProfile<'a> {
    pub account: ActorId,
    /// Subscribers and subscriptions.
    pub counts: (u32, u32),
    pub profile: ProfileFields<'a>,
}

impl NewProfile<'_> {
    fn text(&self) -> [Option<&str>; 3] {
        [
            self.profile.name,
            self.profile.surname,
            self.profile.img_link,
        ]
    }

    /// Bytes of text the profile stores.
    pub(crate) fn text_len(&self) -> usize {
        PackedText::<3>::packed_len(self.text()) - PackedText::<3>::HEADER
    }
}

impl Record for NewProfile<'_> {
    fn len(&self) -> usize {
        user::TEXT + PackedText::<3>::packed_len(self.text())
    }

    fn write(&self, out: &mut [u8]) {
        let (subscribers, subscriptions) = self.counts;
        out[user::ACCOUNT..user::SUBSCRIBERS].copy_from_slice(self.account.as_ref());
        out[user::SUBSCRIBERS..user::SUBSCRIPTIONS].copy_from_slice(&subscribers.to_le_bytes());
        out[user::SUBSCRIPTIONS..user::TEXT].copy_from_slice(&subscriptions.to_le_bytes());
        PackedText::write(self.text(), &mut out[user::TEXT..]);
    }
}

/// One of the two counts a profile keeps.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Count {
    Subscribers,
    Subscriptions,
}

impl<'a> UserRecord<'a> {
    pub(crate) fn read(bytes: &'a [u8]) -> Self {
        Self { bytes }
    }

    /// Adds one to a count in a profile's bytes, or takes one away.
    pub(crate) fn bump(bytes: &mut [u8], count: Count, up: bool) {
        let at = match count {
            Count::Subscribers => user::SUBSCRIBERS,
            Count::Subscriptions => user::SUBSCRIPTIONS,
        };
        let value = u32_at(bytes, at);
        let value = if up { value + 1 } else { value - 1 };
        bytes[at..at + 4].copy_from_slice(&value.to_le_bytes());
    }

    fn text(&self) -> PackedText<'a, 3> {
        PackedText::read(&self.bytes[user::TEXT..])
    }

    pub fn account(&self) -> ActorId {
        account_at(self.bytes, user::ACCOUNT)
    }

    pub fn subscriber_count(&self) -> u32 {
        u32_at(self.bytes, user::SUBSCRIBERS)
    }

    pub fn subscription_count(&self) -> u32 {
        u32_at(self.bytes, user::SUBSCRIPTIONS)
    }

    pub(crate) fn counts(&self) -> (u32, u32) {
        (self.subscriber_count(), self.subscription_count())
    }

    /// Bytes of text the record stores.
    pub fn text_len(&self) -> usize {
        self.text().len()
    }

    pub fn name(&self) -> Option<&'a str> {
        self.text().get(0)
    }

    pub fn surname(&self) -> Option<&'a str> {
        self.text().get(1)
    }

    pub fn img_link(&self) -> Option<&'a str> {
        self.text().get(2)
    }
}

/// Where a stream's fields lie in its bytes: the broadcaster and its number, the two
/// times, then the text packed: the id (in two parts: the number's digits and the
/// title it was scheduled with, which an edit of the title does not change), the
/// title, the image link and the description.
mod stream {
    pub const BROADCASTER: usize = 0;
    pub const BROADCASTER_NO: usize = 32;
    pub const START: usize = 40;
    pub const END: usize = 48;
    pub const TEXT: usize = 56;
    pub const ID_DIGITS: usize = 0;
    pub const ID_TITLE: usize = 1;
    pub const TITLE: usize = 2;
    pub const IMG_LINK: usize = 3;
    pub const DESCRIPTION: usize = 4;
}

/// A new stream to store, written straight into its leaf (see [`Record`]).
pub(crate) struct NewStream<'a> {
    pub number: StreamNumber,
    pub broadcaster: ActorId,
    pub broadcaster_no: UserNo,
    pub fields: StreamFields<'a>,
}

impl NewStream<'_> {
    /// Bytes of text the stream stores: its id (the number's digits and the title)
    /// and its fields' texts.
    pub(crate) fn text_len(&self) -> usize {
        let fields = &self.fields;
        StreamNumber::DIGITS
            + 2 * fields.title.len()
            + fields.img_link.len()
            + fields.description.map_or(0, str::len)
    }
}

impl Record for NewStream<'_> {
    fn len(&self) -> usize {
        stream::TEXT + PackedText::<5>::HEADER + self.text_len()
    }

    fn write(&self, out: &mut [u8]) {
        let digits = self.number.digits();
        let digits = core::str::from_utf8(&digits).expect("digits are ASCII");
        let id = [digits, self.fields.title];
        StreamRecord::write(out, self.broadcaster, self.broadcaster_no, id, self.fields);
    }
}

/// A stored stream. Its watchers are kept in the schedule's watcher index, not here.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct StreamRecord<'a> {
    bytes: &'a [u8],
}

impl<'a> StreamRecord<'a> {
    pub(crate) fn read(bytes: &'a [u8]) -> Self {
        Self { bytes }
    }

    /// Writes a stream's bytes into `out`; how many. `id` is the number's digits and
    /// the title the id ends with.
    fn write(
        out: &mut [u8],
        broadcaster: ActorId,
        broadcaster_no: UserNo,
        [digits, id_title]: [&str; 2],
        fields: StreamFields<'_>,
    ) -> usize {
        out[stream::BROADCASTER..stream::BROADCASTER_NO].copy_from_slice(broadcaster.as_ref());
        out[stream::BROADCASTER_NO..stream::START]
            .copy_from_slice(&broadcaster_no.get().to_le_bytes());
        out[stream::START..stream::END].copy_from_slice(&fields.start_time.to_le_bytes());
        out[stream::END..stream::TEXT].copy_from_slice(&fields.end_time.to_le_bytes());
        let text = [
            Some(digits),
            Some(id_title),
            Some(fields.title),
            Some(fields.img_link),
            fields.description,
        ];
        stream::TEXT + PackedText::write(text, &mut out[stream::TEXT..])
    }

    /// Writes the bytes of this stream with its fields replaced by `fields` into
    /// `out`; how many. Its id, broadcaster and number stay.
    pub(crate) fn write_edited(&self, out: &mut RecordBuffer, fields: StreamFields<'_>) -> usize {
        let id = [self.id_part(stream::ID_DIGITS), self.id_title()];
        Self::write(out, self.broadcaster(), self.broadcaster_no(), id, fields)
    }

    fn text(&self) -> PackedText<'a, 5> {
        PackedText::read(&self.bytes[stream::TEXT..])
    }

    /// The fields the stream would have after `edit`.
    pub fn edited<'b>(&self, edit: &StreamEdit<'b>) -> StreamFields<'b>
    where
        'a: 'b,
    {
        let current = self.fields();
        StreamFields {
            start_time: edit.start_time.unwrap_or(current.start_time),
            end_time: edit.end_time.unwrap_or(current.end_time),
            title: edit.title.unwrap_or(current.title),
            img_link: edit.img_link.unwrap_or(current.img_link),
            description: edit.description,
        }
    }

    pub fn id(&self) -> &'a str {
        self.text()
            .span(stream::ID_DIGITS, stream::ID_TITLE)
            .expect("a stream has an id")
    }

    /// The title the stream was scheduled with, which its id ends with.
    pub fn id_title(&self) -> &'a str {
        self.id_part(stream::ID_TITLE)
    }

    fn id_part(&self, part: usize) -> &'a str {
        self.text().get(part).expect("a stream has an id")
    }

    /// Bytes of text the record stores.
    pub fn text_len(&self) -> usize {
        self.text().len()
    }

    pub fn broadcaster(&self) -> ActorId {
        account_at(self.bytes, stream::BROADCASTER)
    }

    /// The broadcaster's account number.
    pub fn broadcaster_no(&self) -> UserNo {
        UserNo::new(u64_at(self.bytes, stream::BROADCASTER_NO))
    }

    pub fn start_time(&self) -> u64 {
        u64_at(self.bytes, stream::START)
    }

    pub fn end_time(&self) -> u64 {
        u64_at(self.bytes, stream::END)
    }

    pub fn fields(&self) -> StreamFields<'a> {
        let text = self.text();
        StreamFields {
            start_time: self.start_time(),
            end_time: self.end_time(),
            title: text.get(stream::TITLE).expect("a stream has a title"),
            img_link: text
                .get(stream::IMG_LINK)
                .expect("a stream has an image link"),
            description: text.get(stream::DESCRIPTION),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloc::vec;

    /// A record written straight into a leaf is as long as it says, and its text
    /// is counted as the stored record counts it.
    #[test]
    fn new_records_are_as_long_as_they_say() {
        let long = "ü".repeat(50);
        for (name, img_link) in [(None, None), (Some(""), Some("x")), (Some(&long[..]), None)] {
            let profile = NewProfile {
                account: ActorId::from(7u64),
                counts: (3, 4),
                profile: ProfileFields {
                    name,
                    surname: Some("ß"),
                    img_link,
                },
            };
            let mut bytes = vec![0; profile.len()];
            profile.write(&mut bytes);
            let stored = UserRecord::read(&bytes);
            assert_eq!(stored.text_len(), profile.text_len());
            assert_eq!((stored.name(), stored.img_link()), (name, img_link));
            assert_eq!(stored.counts(), (3, 4));
        }
        for description in [None, Some(""), Some(&long[..])] {
            let stream = NewStream {
                number: StreamNumber::FIRST,
                broadcaster: ActorId::from(9u64),
                broadcaster_no: UserNo::new(9),
                fields: StreamFields {
                    start_time: 1,
                    end_time: 2,
                    title: &long,
                    img_link: "https://example.com/ü.png",
                    description,
                },
            };
            let mut bytes = vec![0; stream.len()];
            stream.write(&mut bytes);
            let stored = StreamRecord::read(&bytes);
            assert_eq!(stored.text_len(), stream.text_len());
            assert_eq!(stored.fields(), stream.fields);
        }
    }
}
