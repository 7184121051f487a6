//! Limits the program enforces on every action, so that clients can check input before
//! paying for a message. Strings are measured in UTF-8 bytes: every stored byte stays in
//! program memory and is paid for by every later reader of it.

/// Longest stream title. Long enough for a headline, short enough for a list view.
pub const MAX_TITLE_LEN: usize = 100;
/// Longest stream description: a few paragraphs.
pub const MAX_DESCRIPTION_LEN: usize = 1_000;
/// Longest image link (stream banner or profile avatar): an HTTPS URL or an IPFS
/// gateway link with a CIDv1 fits several times over.
pub const MAX_LINK_LEN: usize = 256;
/// Longest profile `name` or `surname`.
pub const MAX_NAME_LEN: usize = 64;
/// Longest stream, from `start_time` to `end_time`: one week, in milliseconds.
pub const MAX_STREAM_DURATION_MS: u64 = 7 * DAY_MS;
/// How far ahead of the current block time a stream may start: one year, in
/// milliseconds.
pub const MAX_SCHEDULE_AHEAD_MS: u64 = 365 * DAY_MS;
/// Most streams one broadcaster may have scheduled at once (ended streams count until
/// they are pruned, see [`RETENTION_MS`]).
pub const MAX_STREAMS_PER_BROADCASTER: usize = 100;
/// Most accounts the program registers. Profiles are stored as they come, a memory page
/// at a time, and these totals keep the program's data within the 2 GiB a Gear program
/// has however they are reached (the memory budget in docs/design.md): an action past a
/// total is refused instead of running out of memory.
pub const MAX_ACCOUNTS: usize = 1_000_000;
/// Most streams the program holds at once (ended streams count until they are pruned,
/// see [`RETENTION_MS`]); deleting or pruning one makes room for another.
pub const MAX_STREAMS: usize = 1_000_000;
/// Most follows (one account following another) the program stores in all.
pub const MAX_FOLLOWS: usize = 10_000_000;
/// Most marks to watch (an account marking a stream) the program stores at once; a
/// stream's marks go with it.
pub const MAX_WATCHES: usize = 5_000_000;
/// Most channel roles (moderators and bans, in all channels together) the program
/// stores; taking a role away makes room for another.
pub const MAX_ROLES: usize = 200_000;
/// The least value a tip carries: 1 VARA, in the chain's smallest unit (10^12 of
/// them make 1 VARA). It is Vara's existential deposit, the least balance an account
/// keeps, so a tip can always reach even a broadcaster whose balance is empty.
pub const MIN_TIP: u128 = 1_000_000_000_000;
/// Longest tip message: a sentence or two, shown in the chat beside the tip.
pub const MAX_TIP_MESSAGE_LEN: usize = 200;
/// Most tip receipts the program keeps: a new tip past it drops the oldest receipt
/// (the value moved at once and is not affected).
pub const MAX_TIPS: usize = 40_000;
/// Most bytes of text the program stores in all: profiles' names, surnames and links,
/// and streams' ids, titles, links and descriptions.
pub const MAX_TEXT_BYTES: usize = 112 * 1024 * 1024;
/// Most items one page of a list query returns; a larger `limit` is read as this, and
/// a `limit` of 0 as 1.
pub const MAX_PAGE_LEN: u32 = 100;
/// How long an ended stream stays in the schedule: it is pruned once its `end_time` is
/// this far in the past, by a later message (see [`PRUNED_PER_MESSAGE`]).
pub const RETENTION_MS: u64 = 7 * DAY_MS;
/// Most ended streams one message prunes, so that pruning costs every message a bounded
/// amount of gas. Two per message outpaces `NewStream`, which adds one.
pub const PRUNED_PER_MESSAGE: usize = 2;

/// Most marks to watch of removed streams one message drops. A stream's marks lie in
/// the lists of all its watchers, each possibly on a page of its own, so dropping them
/// all at once could take a message past its gas limit; a removal drops this many of
/// its stream's marks at once, and every later message this many of what is left,
/// until none is. Marks waiting to be dropped are not shown, but count towards
/// [`MAX_WATCHES`].
pub const MARKS_DROPPED_PER_MESSAGE: usize = 32;

/// One day in milliseconds, the unit of the day limits.
pub const DAY_MS: u64 = 24 * 60 * 60 * 1_000;
