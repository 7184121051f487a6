//! Every reason the server turns a client's event down, and the one text each is shown
//! as (the `message` of an `error` event). What a client wrote is repeated only
//! through [`Echo`] or [`bounded`](crate::echo::bounded), so no refusal grows with its
//! input.
use crate::echo::Echo;
use std::fmt;
use w3bstreaming_keys::AccountId;

/// Why an event was refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Refusal {
    // The message itself.
    /// The event did not carry two arguments.
    NotTwoArguments(&'static str),
    /// The event's first argument is not a text.
    FirstNotUserId(&'static str),
    /// The message object does not have the event's shape; the parser's words, cut.
    MalformedMessage {
        event: &'static str,
        problem: String,
    },
    NotAnAccount(Echo),
    StreamIdTooLong {
        max: usize,
    },
    TooLarge {
        what: &'static str,
        size: usize,
        max: usize,
    },

    // Limits.
    TooManyMessages,
    TooManyJoinsFromAddress,
    TooManyJoinsByAccount,
    TooManyChainQueriesFromAddress,
    TooManyListened(usize),

    // Who the sender is.
    SignInFirst,
    SignedInAsOther(AccountId),
    MissingSignature,
    Impostor {
        claimed: AccountId,
        signer: AccountId,
    },
    Expired,
    BadSignature,

    // What the program says.
    NotScheduled(String),
    NotTheBroadcaster(String),
    Ended(String),
    NotSubscribed,
    /// The program says the broadcaster banned the account from their channel.
    Banned,
    ChainUnavailable(String),
    /// The instances sharing the hub cannot reach their log (Redis).
    InstancesUnreachable,

    // Who is live and who watches.
    AlreadyBroadcasting,
    NotStarted(String),
    Full {
        stream_id: String,
        cap: usize,
    },
    NotBroadcasting(String),
    NotWatching(String),
    NoSuchViewer(AccountId),
    NoPeer(AccountId),

    // The media server.
    /// A `publish` for a stream whose video goes peer to peer.
    NotViaMediaServer(String),
    /// Janus did not take a publisher or a subscriber; its words, which name no client
    /// input.
    MediaUnavailable(String),
    /// Janus turned the publisher's offer down (its SDP); its words.
    OfferRefused(String),

    // The chat.
    ChatEmpty,
    ChatTooLong {
        size: usize,
        max: usize,
    },
    /// The code point of a character a message may not hold.
    ChatCharacter(u32),
    /// Posting takes a profile on chain, whose name the message shows.
    NoProfile,
    TooManyChatMessages,
    TooManyChatMessagesFromAddress,
    /// Only the stream's broadcaster and the moderators the program names moderate
    /// its chat.
    NotChatModerator(String),
    /// The sender is timed out of the chat for this many more seconds.
    ChatTimedOut(u64),
    /// Slow mode: one message per this many seconds.
    ChatSlowMode(u32),
    ChatFollowersOnly,
    /// The message is not among the chat's last ones (or was deleted).
    NoSuchChatMessage(u64),
    /// The program keeps no tip with this number.
    NoSuchTip(u64),
    /// The tip with this number was for another stream.
    TipForAnotherStream(u64),
    TimeoutOutOfRange {
        max: u32,
    },
    SlowModeOutOfRange {
        max: u32,
    },
    /// A broadcaster cannot time themselves out of their own chat.
    TimeOutOwnChat,
    /// A moderator cannot time out the broadcaster.
    TimeOutBroadcaster,

    // Stream keys (WHIP).
    TooManyStreamKeys(usize),
    NoSuchStreamKey(Echo),
    /// The keys are in Redis, which does not answer.
    StreamKeysUnavailable,
}

impl Refusal {
    /// A short fixed name of the reason, for logs and metrics labels.
    pub fn reason(&self) -> &'static str {
        match self {
            Self::NotTwoArguments(_) | Self::FirstNotUserId(_) | Self::MalformedMessage { .. } => {
                "malformed"
            }
            Self::NotAnAccount(_) => "not_an_account",
            Self::StreamIdTooLong { .. } => "stream_id_too_long",
            Self::TooLarge { .. } => "too_large",
            Self::TooManyMessages => "too_many_messages",
            Self::TooManyJoinsFromAddress => "too_many_joins_from_address",
            Self::TooManyJoinsByAccount => "too_many_joins_by_account",
            Self::TooManyChainQueriesFromAddress => "too_many_chain_queries_from_address",
            Self::TooManyListened(_) => "too_many_listened",
            Self::SignInFirst => "sign_in_first",
            Self::SignedInAsOther(_) => "signed_in_as_other",
            Self::MissingSignature => "missing_signature",
            Self::Impostor { .. } => "impostor",
            Self::Expired => "expired",
            Self::BadSignature => "bad_signature",
            Self::NotScheduled(_) => "not_scheduled",
            Self::NotTheBroadcaster(_) => "not_the_broadcaster",
            Self::Ended(_) => "ended",
            Self::NotSubscribed => "not_subscribed",
            Self::Banned => "banned",
            Self::ChainUnavailable(_) => "chain_unavailable",
            Self::InstancesUnreachable => "instances_unreachable",
            Self::AlreadyBroadcasting => "already_broadcasting",
            Self::NotStarted(_) => "not_started",
            Self::Full { .. } => "full",
            Self::NotBroadcasting(_) => "not_broadcasting",
            Self::NotWatching(_) => "not_watching",
            Self::NoSuchViewer(_) => "no_such_viewer",
            Self::NoPeer(_) => "no_peer",
            Self::NotViaMediaServer(_) => "not_via_media_server",
            Self::MediaUnavailable(_) => "media_unavailable",
            Self::OfferRefused(_) => "offer_refused",
            Self::ChatEmpty => "chat_empty",
            Self::ChatTooLong { .. } => "chat_too_long",
            Self::ChatCharacter(_) => "chat_character",
            Self::NoProfile => "no_profile",
            Self::TooManyChatMessages => "too_many_chat_messages",
            Self::TooManyChatMessagesFromAddress => "too_many_chat_messages_from_address",
            Self::NotChatModerator(_) => "not_chat_moderator",
            Self::ChatTimedOut(_) => "chat_timed_out",
            Self::ChatSlowMode(_) => "chat_slow_mode",
            Self::ChatFollowersOnly => "chat_followers_only",
            Self::NoSuchChatMessage(_) => "no_such_chat_message",
            Self::NoSuchTip(_) => "no_such_tip",
            Self::TipForAnotherStream(_) => "tip_for_another_stream",
            Self::TimeoutOutOfRange { .. } => "timeout_out_of_range",
            Self::SlowModeOutOfRange { .. } => "slow_mode_out_of_range",
            Self::TimeOutOwnChat => "time_out_own_chat",
            Self::TimeOutBroadcaster => "time_out_broadcaster",
            Self::TooManyStreamKeys(_) => "too_many_stream_keys",
            Self::NoSuchStreamKey(_) => "no_such_stream_key",
            Self::StreamKeysUnavailable => "stream_keys_unavailable",
        }
    }
}

impl fmt::Display for Refusal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::NotTwoArguments(event) => {
                write!(f, "Malformed {event}: expected a user id and a message object")
            }
            Self::FirstNotUserId(event) => {
                write!(f, "Malformed {event}: the first argument must be a user id")
            }
            Self::MalformedMessage { event, problem } => {
                write!(f, "Malformed {event} message: {problem}")
            }
            Self::NotAnAccount(text) => write!(f, "{text} is not an account id"),
            Self::StreamIdTooLong { max } => write!(f, "Stream id is longer than {max} bytes"),
            Self::TooLarge { what, size, max } => {
                write!(f, "{what} is {size} bytes, more than the {max} relayed")
            }
            Self::TooManyMessages => write!(f, "Too many messages: slow down"),
            Self::TooManyJoinsFromAddress => {
                write!(f, "Too many joins from your address: wait a moment")
            }
            Self::TooManyJoinsByAccount => write!(f, "Too many joins by this account: wait a moment"),
            Self::TooManyChainQueriesFromAddress => write!(
                f,
                "Too many chain checks from your address at once: try again in a moment"
            ),
            Self::TooManyListened(max) => {
                write!(f, "Listen to at most {max} streams on one connection")
            }
            Self::SignInFirst => write!(
                f,
                "Sign in first: watch or broadcast with this connection's signed challenge"
            ),
            Self::SignedInAsOther(account) => write!(
                f,
                "This connection is signed in as {account}: open another connection for another account"
            ),
            Self::MissingSignature => {
                write!(f, "Signature is missing: sign this connection's challenge")
            }
            Self::Impostor { claimed, signer } => write!(
                f,
                "The signature is by {signer}, not by the claimed user {claimed}"
            ),
            Self::Expired => write!(
                f,
                "Your challenge has expired: sign the new one sent with this error"
            ),
            Self::BadSignature => write!(
                f,
                "Signature isn't valid: sign this connection's latest challenge with the claimed account"
            ),
            Self::NotScheduled(id) => write!(f, "Stream with id {id} is not scheduled on chain"),
            Self::NotTheBroadcaster(id) => write!(f, "You are not the broadcaster of stream {id}"),
            Self::Ended(id) => write!(f, "Stream with id {id} has ended"),
            // The texts the existing frontend recognizes: this one, AlreadyBroadcasting
            // and NotStarted.
            Self::NotSubscribed => write!(f, "You aren't subscribed to this speaker"),
            Self::Banned => write!(f, "The broadcaster banned you from this channel"),
            Self::ChainUnavailable(error) => {
                write!(f, "Cannot check the chain right now, try again later ({error})")
            }
            Self::InstancesUnreachable => write!(
                f,
                "The signaling servers cannot reach each other right now, try again later"
            ),
            Self::AlreadyBroadcasting => write!(f, "You already have a stream running"),
            Self::NotStarted(id) => write!(f, "Stream with id {id} hasn't started yet"),
            Self::Full { stream_id, cap } => write!(
                f,
                "Stream with id {stream_id} has reached its limit of {cap} watchers"
            ),
            Self::NotBroadcasting(id) => write!(f, "You are not broadcasting stream {id}"),
            Self::NotWatching(id) => write!(f, "You are not watching a stream of {id}"),
            Self::NoSuchViewer(id) => write!(f, "{id} is not watching your stream"),
            Self::NoPeer(id) => write!(f, "{id} is not a peer of yours in any stream"),
            Self::NotViaMediaServer(id) => write!(
                f,
                "Stream {id} goes peer to peer: there is no media server to publish to"
            ),
            Self::MediaUnavailable(error) => write!(
                f,
                "The media server cannot take this stream right now, try again later ({error})"
            ),
            Self::OfferRefused(error) => {
                write!(f, "The media server cannot take this offer ({error})")
            }
            Self::ChatEmpty => write!(f, "A chat message cannot be empty"),
            Self::ChatTooLong { size, max } => write!(
                f,
                "A chat message is at most {max} bytes; this one is {size}"
            ),
            Self::ChatCharacter(code) => write!(
                f,
                "A chat message cannot hold the character U+{code:04X}"
            ),
            Self::NoProfile => write!(
                f,
                "Create your profile first: chat messages show its name"
            ),
            Self::TooManyChatMessages => {
                write!(f, "You are sending chat messages too fast: wait a moment")
            }
            Self::TooManyChatMessagesFromAddress => write!(
                f,
                "Too many chat messages from your address: wait a moment"
            ),
            Self::NotChatModerator(id) => write!(
                f,
                "Only the broadcaster of stream {id} and their moderators can moderate its chat"
            ),
            Self::ChatTimedOut(seconds) => write!(
                f,
                "You are timed out of this chat for {seconds} more seconds"
            ),
            Self::ChatSlowMode(seconds) => write!(
                f,
                "Slow mode: one message every {seconds} seconds, wait a little"
            ),
            Self::ChatFollowersOnly => write!(
                f,
                "Only followers of the broadcaster can post in this chat now"
            ),
            Self::NoSuchChatMessage(id) => write!(
                f,
                "Message {id} is not in the chat any more"
            ),
            Self::NoSuchTip(number) => write!(f, "The program keeps no tip number {number}"),
            Self::TipForAnotherStream(number) => {
                write!(f, "Tip number {number} was for another stream")
            }
            Self::TimeoutOutOfRange { max } => {
                write!(f, "A time out is from 1 to {max} minutes")
            }
            Self::SlowModeOutOfRange { max } => {
                write!(f, "Slow mode is from 0 to {max} seconds")
            }
            Self::TimeOutOwnChat => write!(f, "You cannot time yourself out of your own chat"),
            Self::TimeOutBroadcaster => write!(f, "A moderator cannot time out the broadcaster"),
            Self::TooManyStreamKeys(max) => write!(
                f,
                "An account holds at most {max} stream keys: revoke one first"
            ),
            Self::NoSuchStreamKey(id) => write!(f, "You have no stream key {id}"),
            Self::StreamKeysUnavailable => {
                write!(f, "Stream keys cannot be read right now, try again later")
            }
        }
    }
}

impl std::error::Error for Refusal {}
