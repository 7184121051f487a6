use crate::limits::{
    DAY_MS, MAX_ACCOUNTS, MAX_DESCRIPTION_LEN, MAX_FOLLOWS, MAX_LINK_LEN, MAX_NAME_LEN, MAX_ROLES,
    MAX_SCHEDULE_AHEAD_MS, MAX_STREAMS, MAX_STREAMS_PER_BROADCASTER, MAX_STREAM_DURATION_MS,
    MAX_TEXT_BYTES, MAX_TIP_MESSAGE_LEN, MAX_TITLE_LEN, MAX_WATCHES, MIN_TIP,
};
use core::fmt;

/// Why the program rejected a message. The program stops with exactly this `Display`
/// text as the error reply's payload, and leaves its state as it was. The texts are
/// stable: clients may match on them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Error {
    /// The `handle` payload is not an encoded [`crate::Action`].
    MalformedAction,
    /// The `state` payload is not an encoded [`crate::StateQuery`].
    MalformedQuery,
    /// The sender has no profile; `EditProfile` creates one.
    NotRegistered,
    /// No stream has the given id (never scheduled, deleted, or pruned).
    StreamNotFound,
    /// The stream belongs to another broadcaster.
    NotBroadcaster,
    /// The title is empty or only whitespace.
    EmptyTitle,
    /// A text field is longer than its limit in [`crate::limits`].
    TooLong(Field),
    /// `end_time` is not after `start_time`.
    EndNotAfterStart,
    /// `end_time` is not after the current block time: the stream would already be over.
    EndInPast,
    /// `end_time - start_time` exceeds [`MAX_STREAM_DURATION_MS`].
    StreamTooLong,
    /// `start_time` is more than [`MAX_SCHEDULE_AHEAD_MS`] after the current block time.
    StartTooFarAhead,
    /// The broadcaster already has [`MAX_STREAMS_PER_BROADCASTER`] streams.
    TooManyStreams,
    /// The account to subscribe to has no profile.
    AccountNotFound,
    /// An account cannot subscribe to itself.
    SelfSubscription,
    /// The sender already follows that account.
    AlreadySubscribed,
    /// The sender does not follow that account.
    NotSubscribed,
    /// A broadcaster cannot mark their own stream to watch.
    OwnStream,
    /// The stream has ended; it can no longer be marked to watch.
    StreamEnded,
    /// The sender already marked that stream to watch.
    AlreadyWatching,
    /// The sender has not marked that stream to watch.
    NotWatching,
    /// No stream id is left: stream numbers ran past 13 digits (in the year 2286).
    StreamIdsExhausted,
    /// A list query's `after` cursor names no stream id: take cursors from replies.
    BadCursor,
    /// A list query's `after` cursor names an account that has no profile: take cursors
    /// from replies.
    UnknownCursorAccount,
    /// [`MAX_ACCOUNTS`] accounts are registered: no new one fits.
    AccountsFull,
    /// [`MAX_STREAMS`] streams are scheduled: no new one fits until some are deleted or
    /// pruned.
    StreamsFull,
    /// [`MAX_FOLLOWS`] follows are stored: no new one fits until some end.
    FollowsFull,
    /// [`MAX_WATCHES`] marks to watch are stored: no new one fits until some go.
    WatchesFull,
    /// The action would take the program's stored text past [`MAX_TEXT_BYTES`].
    TextFull,
    /// A broadcaster cannot give themselves a role in their own channel.
    OwnChannel,
    /// The account already holds that role in the sender's channel.
    AlreadyInRole,
    /// The account holds no role in the sender's channel to take away.
    NoChannelRole,
    /// [`MAX_ROLES`] channel roles are stored: no new one fits until some are taken
    /// away.
    RolesFull,
    /// A tip carries no value.
    TipWithoutValue,
    /// A tip carries less than [`MIN_TIP`].
    TipTooSmall,
    /// A broadcaster cannot tip their own stream.
    TipOwnStream,
    /// An action other than `Tip` carries value, which the program would keep: it is
    /// refused, and Gear returns the value.
    UnexpectedValue,
}

/// A text field of an action, named as in the action.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Field {
    Title,
    Description,
    ImgLink,
    Name,
    Surname,
    /// A tip's message.
    Message,
}

impl Field {
    /// The field's name as it appears in the action, and its limit in bytes.
    pub const fn name_and_limit(self) -> (&'static str, usize) {
        match self {
            Field::Title => ("title", MAX_TITLE_LEN),
            Field::Description => ("description", MAX_DESCRIPTION_LEN),
            Field::ImgLink => ("img_link", MAX_LINK_LEN),
            Field::Name => ("name", MAX_NAME_LEN),
            Field::Surname => ("surname", MAX_NAME_LEN),
            Field::Message => ("message", MAX_TIP_MESSAGE_LEN),
        }
    }
}

impl Error {
    /// The error's text, the one its `Display` writes. Written without `core::fmt`,
    /// whose machinery would be most of what the program's code pays for its texts.
    pub fn text(self) -> ErrorText {
        let mut text = ErrorText::new();
        let parts = self.parts();
        text.push(parts.field);
        text.push(parts.text);
        if let Some(number) = parts.number {
            text.push_number(number);
        }
        text.push(parts.tail);
        text
    }

    /// The text in parts, one pattern for all: the code that writes them is then one
    /// copy, not one per text.
    fn parts(self) -> Parts {
        const FULL: &str = "the program is full: ";
        match self {
            Error::MalformedAction => plain("payload is not a valid Action"),
            Error::MalformedQuery => plain("payload is not a valid StateQuery"),
            Error::BadCursor => plain("cursor id is not a stream id"),
            Error::UnknownCursorAccount => plain("cursor account has no profile"),
            Error::NotRegistered => plain("sender has no profile: register with EditProfile first"),
            Error::StreamNotFound => plain("no stream with this id"),
            Error::NotBroadcaster => plain("only the stream's broadcaster can do this"),
            Error::EmptyTitle => plain("title is empty"),
            Error::TooLong(field) => too_long(field),
            Error::EndNotAfterStart => plain("end_time is not after start_time"),
            Error::EndInPast => plain("end_time is not after the current block time"),
            Error::StreamTooLong => counted(
                "stream is longer than ",
                MAX_STREAM_DURATION_MS / DAY_MS,
                " days",
            ),
            Error::StartTooFarAhead => counted(
                "start_time is more than ",
                MAX_SCHEDULE_AHEAD_MS / DAY_MS,
                " days ahead",
            ),
            Error::TooManyStreams => counted(
                "broadcaster already has ",
                MAX_STREAMS_PER_BROADCASTER as u64,
                " streams",
            ),
            Error::AccountNotFound => plain("account has no profile"),
            Error::SelfSubscription => plain("cannot subscribe to yourself"),
            Error::AlreadySubscribed => plain("already subscribed to this account"),
            Error::NotSubscribed => plain("not subscribed to this account"),
            Error::OwnStream => plain("cannot watch your own stream"),
            Error::StreamEnded => plain("stream has already ended"),
            Error::AlreadyWatching => plain("already watching this stream"),
            Error::NotWatching => plain("not watching this stream"),
            Error::StreamIdsExhausted => plain("no stream ids left"),
            Error::AccountsFull => counted(FULL, MAX_ACCOUNTS as u64, " accounts are registered"),
            Error::StreamsFull => counted(FULL, MAX_STREAMS as u64, " streams are scheduled"),
            Error::FollowsFull => counted(FULL, MAX_FOLLOWS as u64, " follows are stored"),
            Error::WatchesFull => counted(FULL, MAX_WATCHES as u64, " marks to watch are stored"),
            Error::TextFull => counted(
                "the program is full: its text would pass ",
                MAX_TEXT_BYTES as u64,
                " bytes",
            ),
            Error::OwnChannel => plain("cannot give yourself a role in your own channel"),
            Error::AlreadyInRole => plain("account already has this role in your channel"),
            Error::NoChannelRole => plain("account has no role in your channel"),
            Error::RolesFull => counted(FULL, MAX_ROLES as u64, " channel roles are stored"),
            Error::TipWithoutValue => plain("a tip must carry value"),
            Error::TipTooSmall => {
                counted("a tip must carry at least ", MIN_TIP as u64, " (1 VARA)")
            }
            Error::TipOwnStream => plain("cannot tip your own stream"),
            Error::UnexpectedValue => plain("only a Tip carries value: send this with none"),
        }
    }
}

/// An error's text: `field`, `text`, `number` in decimal if any, then `tail`.
struct Parts {
    field: &'static str,
    text: &'static str,
    number: Option<u64>,
    tail: &'static str,
}

const fn plain(text: &'static str) -> Parts {
    Parts {
        field: "",
        text,
        number: None,
        tail: "",
    }
}

const fn too_long(field: Field) -> Parts {
    let (name, limit) = field.name_and_limit();
    Parts {
        field: name,
        text: " is longer than ",
        number: Some(limit as u64),
        tail: " bytes",
    }
}

const fn counted(text: &'static str, number: u64, tail: &'static str) -> Parts {
    Parts {
        field: "",
        text,
        number: Some(number),
        tail,
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.text().as_str())
    }
}

/// An error's text, held on the stack: see [`Error::text`].
pub struct ErrorText {
    bytes: [u8; ErrorText::CAPACITY],
    len: usize,
}

impl ErrorText {
    /// Bytes of the longest text, with room to spare (tests/program/docs.rs writes every
    /// text).
    pub const CAPACITY: usize = 96;

    fn new() -> Self {
        Self {
            bytes: [0; Self::CAPACITY],
            len: 0,
        }
    }

    fn push(&mut self, piece: &str) {
        let end = self.len + piece.len();
        self.bytes[self.len..end].copy_from_slice(piece.as_bytes());
        self.len = end;
    }

    fn push_number(&mut self, number: u64) {
        let mut digits = [0; 20];
        let mut at = digits.len();
        let mut rest = number;
        loop {
            at -= 1;
            digits[at] = b'0' + (rest % 10) as u8;
            rest /= 10;
            if rest == 0 {
                break;
            }
        }
        let end = self.len + digits.len() - at;
        self.bytes[self.len..end].copy_from_slice(&digits[at..]);
        self.len = end;
    }

    pub fn as_str(&self) -> &str {
        // SAFETY: only whole `&str`s and ASCII digits were pushed.
        unsafe { core::str::from_utf8_unchecked(&self.bytes[..self.len]) }
    }
}
