use crate::{PackedText, StreamNumber, UserNo};
use alloc::string::String;
use gstd::ActorId;
use w3bstreaming_io::ProfileSummary;

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

/// The parts of a stream's text: its id is the number's digits followed by the title
/// it was scheduled with, which an edit of the title does not change.
const ID_DIGITS: usize = 0;
const ID_TITLE: usize = 1;
const TITLE: usize = 2;
const STREAM_IMG_LINK: usize = 3;
const DESCRIPTION: usize = 4;

/// A stored stream. Its watchers are kept in the schedule's watcher index, not here,
/// so that the record has a fixed size and sits in its slot of the streams table.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StreamRecord {
    /// The id (in two parts), the title, the image link and the description.
    text: PackedText<5>,
    pub(crate) broadcaster: ActorId,
    pub(crate) broadcaster_no: UserNo,
    pub(crate) start_time: u64,
    pub(crate) end_time: u64,
}

impl StreamRecord {
    pub(crate) fn new(
        number: StreamNumber,
        broadcaster: ActorId,
        broadcaster_no: UserNo,
        fields: StreamFields<'_>,
    ) -> Self {
        let digits = number.digits();
        let digits = core::str::from_utf8(&digits).expect("digits are ASCII");
        Self {
            text: Self::text([digits, fields.title], fields),
            broadcaster,
            broadcaster_no,
            start_time: fields.start_time,
            end_time: fields.end_time,
        }
    }

    /// Applies `edit`: what [`StreamRecord::edited`] says.
    pub(crate) fn apply(&mut self, edit: &StreamEdit<'_>) {
        let fields = self.edited(edit);
        let (start_time, end_time) = (fields.start_time, fields.end_time);
        let id = [self.id_part(ID_DIGITS), self.id_part(ID_TITLE)];
        self.text = Self::text(id, fields);
        self.start_time = start_time;
        self.end_time = end_time;
    }

    /// The fields the stream would have after `edit`.
    pub fn edited<'a>(&'a self, edit: &StreamEdit<'a>) -> StreamFields<'a> {
        let current = self.fields();
        StreamFields {
            start_time: edit.start_time.unwrap_or(current.start_time),
            end_time: edit.end_time.unwrap_or(current.end_time),
            title: edit.title.unwrap_or(current.title),
            img_link: edit.img_link.unwrap_or(current.img_link),
            description: edit.description,
        }
    }

    fn text([digits, id_title]: [&str; 2], fields: StreamFields<'_>) -> PackedText<5> {
        PackedText::new([
            Some(digits),
            Some(id_title),
            Some(fields.title),
            Some(fields.img_link),
            fields.description,
        ])
    }

    pub fn id(&self) -> &str {
        self.text
            .span(ID_DIGITS, ID_TITLE)
            .expect("a stream has an id")
    }

    /// The title the stream was scheduled with, which its id ends with.
    pub fn id_title(&self) -> &str {
        self.id_part(ID_TITLE)
    }

    /// Bytes of text the record stores.
    pub fn text_len(&self) -> usize {
        self.text.len()
    }

    /// Bytes of text a stream scheduled with `id_title` and `fields` stores.
    pub fn text_len_of(id_title: &str, fields: &StreamFields<'_>) -> usize {
        StreamNumber::DIGITS
            + id_title.len()
            + fields.title.len()
            + fields.img_link.len()
            + fields.description.map_or(0, str::len)
    }

    fn id_part(&self, part: usize) -> &str {
        self.text.get(part).expect("a stream has an id")
    }

    pub fn broadcaster(&self) -> ActorId {
        self.broadcaster
    }

    pub fn fields(&self) -> StreamFields<'_> {
        StreamFields {
            start_time: self.start_time,
            end_time: self.end_time,
            title: self.text.get(TITLE).expect("a stream has a title"),
            img_link: self
                .text
                .get(STREAM_IMG_LINK)
                .expect("a stream has an image link"),
            description: self.text.get(DESCRIPTION),
        }
    }
}

const NAME: usize = 0;
const SURNAME: usize = 1;
const PROFILE_IMG_LINK: usize = 2;

/// A stored profile. The account's streams, followers and follows are kept in the
/// schedule's indices, not here, so that the record has a fixed size and sits in its
/// slot of the users table; the two counts spare the profile query a walk of them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UserRecord {
    /// Name, surname and avatar link.
    text: PackedText<3>,
    pub(crate) subscriber_count: u32,
    pub(crate) subscription_count: u32,
}

impl UserRecord {
    pub(crate) fn new(name: Option<&str>, surname: Option<&str>, img_link: Option<&str>) -> Self {
        Self {
            text: PackedText::new([name, surname, img_link]),
            subscriber_count: 0,
            subscription_count: 0,
        }
    }

    pub(crate) fn set_text(
        &mut self,
        name: Option<&str>,
        surname: Option<&str>,
        img_link: Option<&str>,
    ) {
        self.text = PackedText::new([name, surname, img_link]);
    }

    /// Bytes of text the record stores.
    pub fn text_len(&self) -> usize {
        self.text.len()
    }

    /// Bytes of text a profile with these fields stores.
    pub fn text_len_of(name: Option<&str>, surname: Option<&str>, img_link: Option<&str>) -> usize {
        [name, surname, img_link]
            .iter()
            .flatten()
            .map(|text| text.len())
            .sum()
    }

    pub fn name(&self) -> Option<&str> {
        self.text.get(NAME)
    }

    pub fn surname(&self) -> Option<&str> {
        self.text.get(SURNAME)
    }

    pub fn img_link(&self) -> Option<&str> {
        self.text.get(PROFILE_IMG_LINK)
    }

    pub(crate) fn to_summary(&self, stream_count: usize) -> ProfileSummary {
        ProfileSummary {
            name: self.name().map(String::from),
            surname: self.surname().map(String::from),
            img_link: self.img_link().map(String::from),
            stream_count: u32::try_from(stream_count).unwrap_or(u32::MAX),
            subscriber_count: self.subscriber_count,
            subscription_count: self.subscription_count,
        }
    }
}
