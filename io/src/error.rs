use crate::limits::{
    DAY_MS, MAX_ACCOUNTS, MAX_DESCRIPTION_LEN, MAX_FOLLOWS, MAX_LINK_LEN, MAX_NAME_LEN,
    MAX_SCHEDULE_AHEAD_MS, MAX_STREAMS, MAX_STREAMS_PER_BROADCASTER, MAX_STREAM_DURATION_MS,
    MAX_TEXT_BYTES, MAX_TITLE_LEN, MAX_WATCHES,
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
}

/// A text field of an action, named as in the action.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Field {
    Title,
    Description,
    ImgLink,
    Name,
    Surname,
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
        }
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::MalformedAction => f.write_str("payload is not a valid Action"),
            Error::MalformedQuery => f.write_str("payload is not a valid StateQuery"),
            Error::BadCursor => f.write_str("cursor id is not a stream id"),
            Error::UnknownCursorAccount => f.write_str("cursor account has no profile"),
            Error::NotRegistered => {
                f.write_str("sender has no profile: register with EditProfile first")
            }
            Error::StreamNotFound => f.write_str("no stream with this id"),
            Error::NotBroadcaster => f.write_str("only the stream's broadcaster can do this"),
            Error::EmptyTitle => f.write_str("title is empty"),
            Error::TooLong(field) => {
                let (name, limit) = field.name_and_limit();
                write!(f, "{name} is longer than {limit} bytes")
            }
            Error::EndNotAfterStart => f.write_str("end_time is not after start_time"),
            Error::EndInPast => f.write_str("end_time is not after the current block time"),
            Error::StreamTooLong => write!(
                f,
                "stream is longer than {} days",
                MAX_STREAM_DURATION_MS / DAY_MS
            ),
            Error::StartTooFarAhead => write!(
                f,
                "start_time is more than {} days ahead",
                MAX_SCHEDULE_AHEAD_MS / DAY_MS
            ),
            Error::TooManyStreams => write!(
                f,
                "broadcaster already has {MAX_STREAMS_PER_BROADCASTER} streams"
            ),
            Error::AccountNotFound => f.write_str("account has no profile"),
            Error::SelfSubscription => f.write_str("cannot subscribe to yourself"),
            Error::AlreadySubscribed => f.write_str("already subscribed to this account"),
            Error::NotSubscribed => f.write_str("not subscribed to this account"),
            Error::OwnStream => f.write_str("cannot watch your own stream"),
            Error::StreamEnded => f.write_str("stream has already ended"),
            Error::AlreadyWatching => f.write_str("already watching this stream"),
            Error::NotWatching => f.write_str("not watching this stream"),
            Error::StreamIdsExhausted => f.write_str("no stream ids left"),
            Error::AccountsFull => write!(
                f,
                "the program is full: {MAX_ACCOUNTS} accounts are registered"
            ),
            Error::StreamsFull => write!(
                f,
                "the program is full: {MAX_STREAMS} streams are scheduled"
            ),
            Error::FollowsFull => {
                write!(f, "the program is full: {MAX_FOLLOWS} follows are stored")
            }
            Error::WatchesFull => write!(
                f,
                "the program is full: {MAX_WATCHES} marks to watch are stored"
            ),
            Error::TextFull => write!(
                f,
                "the program is full: its text would pass {MAX_TEXT_BYTES} bytes"
            ),
        }
    }
}
