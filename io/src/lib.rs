//! Types the w3bstreaming program shares with its clients: the messages it takes and
//! gives (`Action`, `Event`, `StateQuery`, `StateReply`), the records it stores
//! (`Stream`, `Profile`, `Subscription`), the errors it rejects actions with, and the
//! gmeta [`ProgramMetadata`] that Gear IDEA and `@gear-js/api` read from `.meta.txt`.
//!
//! Wire compatibility: the first variants of every enum and the fields of every record
//! are exactly those of the original w3bstreaming program, in the same order, so
//! frontends and the signaling server written against it keep working. New variants
//! and fields are only ever appended.
#![no_std]

pub mod limits;

mod error;

pub use error::{Error, ErrorText, Field};

use gmeta::{InOut, Metadata};
use gstd::{prelude::*, ActorId};

/// The program's interface as gmeta describes it; its `repr().hex()` is `.meta.txt`.
pub struct ProgramMetadata;

impl Metadata for ProgramMetadata {
    /// `init` takes an empty payload and replies with an empty one.
    type Init = ();
    /// `handle` takes an [`Action`] and replies with one [`Event`], or fails with the
    /// text of an [`Error`].
    type Handle = InOut<Action, Event>;
    type Reply = ();
    type Others = ();
    type Signal = ();
    /// The `state` export takes a [`StateQuery`] and replies with a [`StateReply`].
    type State = InOut<StateQuery, StateReply>;
}

// The types below are defined at the crate root, as in the original program: a type's
// module path is part of the metadata, and clients see names derived from it (for
// example `W3bstreamingIoAction`, which a module `query` would turn into
// `W3bstreamingIoQueryStateQuery`).

/// A request to the program's `handle`. Each one replies with one [`Event`] or
/// is rejected with the text of an [`Error`], leaving the state unchanged.
#[derive(Debug, Clone, PartialEq, Eq, Encode, Decode, TypeInfo)]
pub enum Action {
    /// Schedules a stream owned by the sender, who must have a profile. Replies
    /// [`Event::StreamIsScheduled`] with the new stream's id: the stream's number
    /// (13 decimal digits: the block timestamp in milliseconds, or the next number not
    /// yet given to a stream when another stream took that one) followed by the title.
    /// An id is never given to two streams, even after a deletion.
    NewStream {
        title: String,
        description: Option<String>,
        start_time: u64,
        end_time: u64,
        img_link: String,
    },
    /// Deletes one of the sender's streams. Replies [`Event::StreamDeleted`].
    DeleteStream { stream_id: String },
    /// Changes the given fields of one of the sender's streams; `None` keeps a field as
    /// it is, except `description`, which is always replaced. Replies
    /// [`Event::StreamEdited`].
    EditStream {
        stream_id: String,
        start_time: Option<u64>,
        end_time: Option<u64>,
        title: Option<String>,
        img_link: Option<String>,
        description: Option<String>,
    },
    /// Makes the sender, who must have a profile, a follower of `account_id`, who must
    /// have one too. Replies [`Event::Subscribed`].
    Subscribe { account_id: ActorId },
    /// Registers the sender, or replaces the three fields of their profile. Replies
    /// [`Event::ProfileEdited`].
    EditProfile {
        name: Option<String>,
        surname: Option<String>,
        img_link: Option<String>,
    },
    /// Stops the sender following `account_id`. Replies [`Event::Unsubscribed`].
    Unsubscribe { account_id: ActorId },
    /// Marks a stream that has not ended as one the sender will watch: the sender joins
    /// its [`Stream::watchers`]. Replies [`Event::WatchMarked`].
    Watch { stream_id: String },
    /// Takes back a [`Action::Watch`]. Replies [`Event::WatchUnmarked`].
    Unwatch { stream_id: String },
    /// Answers a [`StateQuery`] exactly as the `state` export does, and changes
    /// nothing. Replies [`Event::QueryReply`], or is rejected as the `state` export
    /// rejects the query.
    ///
    /// Ask it with `gear_calculateReplyForHandle` (`@gear-js/api`'s
    /// `message.calculateReply`), a dry run that spends nothing. Unlike a state read
    /// (`gear_readState`), which a node runs with at most 32 MiB of the program's
    /// memory, it runs with all of it, so it answers at every size the program
    /// grows to.
    Query(StateQuery),
    /// Gives `account_id`, which must have a profile, a role in the sender's channel,
    /// or takes its role away (`None`). Every registered account has a channel: the
    /// streams it schedules. An account holds at most one role in a channel, so a ban
    /// replaces a moderator's role. Replies [`Event::ChannelRoleSet`].
    ///
    /// The program stores the roles; the signaling servers and frontends that read
    /// them (see [`StateQuery::ChannelRole`]) enforce them on what they serve: a
    /// moderator may moderate the chat of the channel's live streams, and a banned
    /// account may neither watch them nor post in their chat. Following and marks to
    /// watch are not refused to a banned account: they are its own lists.
    SetChannelRole {
        account_id: ActorId,
        role: Option<ChannelRole>,
    },
    /// Tips the broadcaster of the stream `stream_id` the value the message carries,
    /// at least [`limits::MIN_TIP`], with a `message` of up to
    /// [`limits::MAX_TIP_MESSAGE_LEN`] bytes (it may be empty). The sender must have a
    /// profile and may not tip their own stream; the stream may be upcoming, live or
    /// ended, as long as it is stored.
    ///
    /// The program passes the whole value on to the broadcaster at once, in a message
    /// sent with a gas limit of 0: below the mailbox threshold, so Gear credits the
    /// value to the broadcaster's balance directly and nothing waits in a mailbox to be
    /// claimed. It keeps a receipt of the tip ([`StateQuery::Tip`],
    /// [`StateQuery::TipsReceived`]), the latest [`limits::MAX_TIPS`] of them, and
    /// replies [`Event::Tipped`] with the receipt's number. A rejected tip moves
    /// nothing: Gear returns the value of a failed message to its sender.
    ///
    /// Every other action must carry no value ([`Error::UnexpectedValue`]).
    Tip { stream_id: String, message: String },
}

/// A role an account holds in a broadcaster's channel (see
/// [`Action::SetChannelRole`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Encode, Decode, TypeInfo)]
pub enum ChannelRole {
    /// May moderate the chat of the channel's live streams: delete messages, time
    /// accounts out, and set followers-only and slow mode.
    Moderator,
    /// May neither watch the channel's streams nor post in their chat.
    Banned,
}

/// The reply to a successful [`Action`].
#[derive(Debug, Clone, PartialEq, Eq, Encode, Decode, TypeInfo)]
pub enum Event {
    /// A stream was scheduled under `id`, the id every later action on it uses.
    StreamIsScheduled {
        id: String,
    },
    /// The stream `id` was deleted.
    StreamDeleted {
        id: String,
    },
    StreamEdited,
    Subscribed,
    ProfileEdited,
    Unsubscribed,
    WatchMarked,
    WatchUnmarked,
    /// The answer to an [`Action::Query`]: the same bytes, after this variant's index,
    /// as the `state` export's reply to the query.
    QueryReply(StateReply),
    /// An [`Action::SetChannelRole`] took effect.
    ChannelRoleSet,
    /// An [`Action::Tip`]'s value went to the broadcaster, and its receipt is kept
    /// under `number` (see [`StateQuery::Tip`]).
    Tipped {
        number: u64,
    },
}

/// The first byte of an [`Action::Query`]'s encoding and of an [`Event::QueryReply`]'s.
/// The rest is the [`StateQuery`] or the [`StateReply`] as the `state` export takes and
/// gives them, so a client that speaks the state queries wraps and unwraps them with
/// this byte alone.
pub const QUERY_INDEX: u8 = 8;

/// A question to the program's `state` export.
///
/// `Streams` and `Users` answer with everything and cost gas in proportion to the whole
/// schedule (docs/program.md says up to what size they fit in one read); the other
/// queries read only what they answer with, whatever the schedule's size.
///
/// List queries are paginated: `limit` items at most (1 to
/// [`limits::MAX_PAGE_LEN`]; 0 reads as 1, larger as the maximum), starting after the
/// cursor `after` (`None`: from the start). A reply's `next` is the cursor to pass as
/// `after` for the following page, and `None` on the last page. The order is stable:
/// an item added or removed between two pages does not make another one be skipped or
/// repeated.
#[derive(Debug, Clone, PartialEq, Eq, Encode, Decode, TypeInfo)]
pub enum StateQuery {
    /// Every stream with its id, in id order.
    Streams,
    /// Every profile with its account, in account order. This is what the signaling
    /// server reads (`{ Users: null }`) to check who follows whom.
    Users,
    /// One stream by id. Replies [`StateReply::Stream`].
    Stream { id: String },
    /// One account's profile fields and counts, without its lists. Replies
    /// [`StateReply::Profile`].
    Profile { account: ActorId },
    /// Whether `subscriber` follows `broadcaster`: what the signaling server asks before
    /// letting a viewer join. Replies [`StateReply::IsSubscribed`].
    IsSubscribed {
        subscriber: ActorId,
        broadcaster: ActorId,
    },
    /// A broadcaster's streams in the order they were scheduled (id order), which
    /// editing a stream's times does not change; the position after a cursor is decided
    /// by its `id` alone. Replies [`StateReply::StreamPage`].
    BroadcasterStreams {
        broadcaster: ActorId,
        after: Option<StreamCursor>,
        limit: u32,
    },
    /// Streams live at time `at` (started at or before it, ending after it), in
    /// start-time order. Replies [`StateReply::StreamPage`]; a page may hold fewer than
    /// `limit` streams while `next` is set (the read skips streams that already ended,
    /// a bounded number per page): keep asking until `next` is `None`.
    LiveStreams {
        at: u64,
        after: Option<StreamCursor>,
        limit: u32,
    },
    /// Streams starting after time `from`, in start-time order. Replies
    /// [`StateReply::StreamPage`].
    UpcomingStreams {
        from: u64,
        after: Option<StreamCursor>,
        limit: u32,
    },
    /// The accounts following `broadcaster`, in the order of the program's account
    /// numbers (stable, not account order). A cursor must be a registered account, as
    /// every account in a reply is. Replies [`StateReply::AccountPage`].
    Subscribers {
        broadcaster: ActorId,
        after: Option<ActorId>,
        limit: u32,
    },
    /// The accounts `subscriber` follows, in the same order as
    /// [`StateQuery::Subscribers`]. Replies [`StateReply::SubscriptionPage`].
    Subscriptions {
        subscriber: ActorId,
        after: Option<ActorId>,
        limit: u32,
    },
    /// The streams `watcher` marked to watch ([`Action::Watch`]), in the order they
    /// were scheduled (id order); the position after a cursor is decided by its `id`
    /// alone. Replies [`StateReply::StreamPage`].
    MarkedStreams {
        watcher: ActorId,
        after: Option<StreamCursor>,
        limit: u32,
    },
    /// Streams that ended at or before time `at` and are not yet pruned (see
    /// [`limits::RETENTION_MS`]), the latest start first. Replies
    /// [`StateReply::StreamPage`]; like [`StateQuery::LiveStreams`], a page may hold
    /// fewer than `limit` streams while `next` is set (the read skips streams still
    /// live at `at`, a bounded number per page): keep asking until `next` is `None`.
    EndedStreams {
        at: u64,
        after: Option<StreamCursor>,
        limit: u32,
    },
    /// The role `account` holds in `broadcaster`'s channel: what the signaling server
    /// asks before letting an account watch or post, and before it moderates. Replies
    /// [`StateReply::ChannelRole`].
    ChannelRole {
        broadcaster: ActorId,
        account: ActorId,
    },
    /// The accounts holding a role in `broadcaster`'s channel, with their roles, in
    /// the same order as [`StateQuery::Subscribers`]. Replies
    /// [`StateReply::RolePage`].
    ChannelRoles {
        broadcaster: ActorId,
        after: Option<ActorId>,
        limit: u32,
    },
    /// The receipt of the tip `number` ([`Event::Tipped`]): what the signaling server
    /// asks before showing a tip in the chat. Replies [`StateReply::Tip`].
    Tip { number: u64 },
    /// The tips `broadcaster` received, the latest first, among the receipts the
    /// program keeps ([`limits::MAX_TIPS`]). The cursor `after` is a tip's number.
    /// Replies [`StateReply::TipPage`].
    TipsReceived {
        broadcaster: ActorId,
        after: Option<u64>,
        limit: u32,
    },
}

/// Where a list of streams in start-time order continues: after the stream that
/// starts at `start_time` and has id `id`. Take it from a reply's `next`.
#[derive(Debug, Clone, PartialEq, Eq, Encode, Decode, TypeInfo)]
pub struct StreamCursor {
    pub start_time: u64,
    pub id: String,
}

/// The answer to a [`StateQuery`].
#[derive(Debug, Clone, PartialEq, Eq, Encode, Decode, TypeInfo)]
pub enum StateReply {
    /// Answers [`StateQuery::Streams`].
    Streams(Vec<(String, Stream)>),
    /// Answers [`StateQuery::Users`].
    Users(Vec<(ActorId, Profile)>),
    /// Answers [`StateQuery::Stream`]: `None` if no stream has that id.
    Stream(Option<Stream>),
    /// Answers [`StateQuery::Profile`]: `None` if the account is not registered.
    Profile(Option<ProfileSummary>),
    /// Answers [`StateQuery::IsSubscribed`].
    IsSubscribed(bool),
    /// Answers the stream list queries.
    StreamPage {
        streams: Vec<(String, Stream)>,
        next: Option<StreamCursor>,
    },
    /// Answers [`StateQuery::Subscribers`].
    AccountPage {
        accounts: Vec<ActorId>,
        next: Option<ActorId>,
    },
    /// Answers [`StateQuery::Subscriptions`].
    SubscriptionPage {
        subscriptions: Vec<Subscription>,
        next: Option<ActorId>,
    },
    /// Answers [`StateQuery::ChannelRole`]: `None` if the account holds no role there
    /// (or either account has no profile).
    ChannelRole(Option<ChannelRole>),
    /// Answers [`StateQuery::ChannelRoles`].
    RolePage {
        roles: Vec<(ActorId, ChannelRole)>,
        next: Option<ActorId>,
    },
    /// Answers [`StateQuery::Tip`]: `None` if no receipt has that number (never
    /// given, or dropped for a newer one).
    Tip(Option<Tip>),
    /// Answers [`StateQuery::TipsReceived`]: receipts with their numbers.
    TipPage {
        tips: Vec<(u64, Tip)>,
        next: Option<u64>,
    },
}

/// The receipt of an [`Action::Tip`].
#[derive(Debug, Clone, PartialEq, Eq, Encode, Decode, TypeInfo)]
pub struct Tip {
    /// The account that sent the tip.
    pub tipper: ActorId,
    /// The broadcaster of the stream, who received the value.
    pub broadcaster: ActorId,
    /// The stream tipped, as it was identified then (it may have been deleted since).
    pub stream_id: String,
    /// The value passed on, in the chain's smallest unit (10^12 of them make 1 VARA).
    pub amount: u128,
    /// Block time of the tip, in milliseconds since the Unix epoch.
    pub time: u64,
    /// The tipper's words, as sent: up to [`limits::MAX_TIP_MESSAGE_LEN`] bytes, maybe
    /// none.
    pub message: String,
}

/// A profile's own fields and the sizes of its lists, which the list queries page
/// through.
#[derive(Debug, Clone, Default, PartialEq, Eq, Encode, Decode, TypeInfo)]
pub struct ProfileSummary {
    pub name: Option<String>,
    pub surname: Option<String>,
    pub img_link: Option<String>,
    /// Streams the account has scheduled (see [`StateQuery::BroadcasterStreams`]).
    pub stream_count: u32,
    /// Accounts following it (see [`StateQuery::Subscribers`]).
    pub subscriber_count: u32,
    /// Accounts it follows (see [`StateQuery::Subscriptions`]).
    pub subscription_count: u32,
}

/// A scheduled stream.
#[derive(Debug, Clone, PartialEq, Eq, Encode, Decode, TypeInfo)]
pub struct Stream {
    /// The account that scheduled the stream and alone may edit or delete it.
    pub broadcaster: ActorId,
    /// When the stream starts, in milliseconds since the Unix epoch (block time).
    pub start_time: u64,
    /// When the stream ends, in milliseconds since the Unix epoch; after `start_time`.
    pub end_time: u64,
    pub title: String,
    /// Link to the stream's banner image.
    pub img_link: String,
    pub description: Option<String>,
    /// Accounts that marked the stream as one they will watch.
    pub watchers: Vec<ActorId>,
}

/// A registered account: every broadcaster and every viewer who follows someone.
#[derive(Debug, Clone, Default, PartialEq, Eq, Encode, Decode, TypeInfo)]
pub struct Profile {
    pub name: Option<String>,
    pub surname: Option<String>,
    /// Link to the account's avatar image.
    pub img_link: Option<String>,
    /// Ids of the streams this account has scheduled.
    pub stream_ids: Vec<String>,
    /// Accounts following this one.
    pub subscribers: Vec<ActorId>,
    /// Accounts this one follows.
    pub subscriptions: Vec<Subscription>,
}

/// One account followed by a profile.
#[derive(Debug, Clone, PartialEq, Eq, Encode, Decode, TypeInfo)]
pub struct Subscription {
    /// The followed account.
    pub account_id: ActorId,
    /// Block time at which the follow happened, in milliseconds since the Unix epoch.
    pub sub_date: u64,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_query_and_its_reply_begin_with_the_query_index() {
        let query = StateQuery::Users;
        let reply = StateReply::Users(Vec::new());
        let asked = Action::Query(query.clone()).encode();
        let answered = Event::QueryReply(reply.clone()).encode();
        assert_eq!(
            asked.split_first(),
            Some((&QUERY_INDEX, &query.encode()[..]))
        );
        assert_eq!(
            answered.split_first(),
            Some((&QUERY_INDEX, &reply.encode()[..]))
        );
    }
}
