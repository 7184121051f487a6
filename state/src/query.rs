//! Which records a query answers with: each targeted query reads only those, plus a
//! bounded number of index entries. A list is an iterator over its keys, which
//! `answer.rs` walks twice (for the page's [`PageShape`], then to write it). The owned
//! answers (`Schedule::query` and the methods by query) are read back from the bytes
//! `answer.rs` writes, for Rust clients and tests.
use crate::{
    collections::ChunkedMap,
    query_ref::CursorRef,
    schedule::{accounts_of, streams_of, Schedule, StartKey},
    stream_number::StreamNumber,
    user_no::UserNo,
};
use alloc::{string::String, vec::Vec};
use core::ops::Bound::{self, Excluded, Included, Unbounded};
use gstd::{codec::DecodeAll, ActorId};
use w3bstreaming_io::{
    limits::{MAX_PAGE_LEN, MAX_STREAM_DURATION_MS},
    Error, Profile, ProfileSummary, StateQuery, StateReply, Stream, StreamCursor, Subscription,
};

/// Index entries one `LiveStreams` or `EndedStreams` page may pass over (streams that
/// already ended, or are still live) before it replies with what it has and a cursor
/// to go on.
pub const SKIP_BUDGET: usize = 4 * MAX_PAGE_LEN as usize;

/// Bounds of a range of an index keyed by (account, account).
type AccountRange = (Bound<(UserNo, UserNo)>, Bound<(UserNo, UserNo)>);

/// One page of a list: up to `limit` items and the cursor after the last one, if more
/// may follow.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Page<T, C> {
    pub items: Vec<T>,
    pub next: Option<C>,
}

/// A query's `limit` as the number of items a page holds: 1 to [`MAX_PAGE_LEN`].
pub fn page_len(limit: u32) -> usize {
    limit.clamp(1, MAX_PAGE_LEN) as usize
}

/// How many items a page lists and the key its cursor names if more may follow:
/// found by walking the list once, so that the answer can walk it again writing each
/// item, with nothing held in between.
pub(crate) struct PageShape<K> {
    pub(crate) count: usize,
    pub(crate) next: Option<K>,
}

/// The shape of the page that lists the first `len` kept items of `items` (each with
/// whether it is kept), passing over at most [`SKIP_BUDGET`] others: the cursor
/// then names the last item looked at.
pub(crate) fn shape<K: Copy>(items: impl Iterator<Item = (K, bool)>, len: usize) -> PageShape<K> {
    let (mut count, mut skipped, mut last_seen) = (0, 0, None);
    let mut items = items.peekable();
    for (item, kept) in items.by_ref() {
        last_seen = Some(item);
        if kept {
            count += 1;
            if count == len {
                break;
            }
        } else {
            skipped += 1;
            if skipped == SKIP_BUDGET {
                break;
            }
        }
    }
    let more = items.peek().is_some();
    PageShape {
        count,
        next: last_seen.filter(|_| more),
    }
}

/// The items of a list with whether each is kept: every one.
pub(crate) fn all<K>(
    items: impl Iterator<Item = K> + Clone,
) -> impl Iterator<Item = (K, bool)> + Clone {
    items.map(|item| (item, true))
}

impl Schedule {
    /// Answers a `state` query, exactly as the program's `state` export does: the
    /// `StateReply` that [`Schedule::answer`] writes.
    pub fn query(&self, query: StateQuery) -> Result<StateReply, Error> {
        let mut bytes = Vec::new();
        self.answer((&query).into(), &mut bytes)?;
        Ok(StateReply::decode_all(&mut &bytes[..]).expect("an answer is a StateReply"))
    }

    /// Every stream with its id, in id order.
    pub fn all_streams(&self) -> Vec<(String, Stream)> {
        match self.query(StateQuery::Streams) {
            Ok(StateReply::Streams(streams)) => streams,
            other => unreachable!("Streams answered {other:?}"),
        }
    }

    /// Every profile with its account, in account order.
    pub fn all_users(&self) -> Vec<(ActorId, Profile)> {
        match self.query(StateQuery::Users) {
            Ok(StateReply::Users(users)) => users,
            other => unreachable!("Users answered {other:?}"),
        }
    }

    pub fn stream_by_id(&self, id: &str) -> Option<Stream> {
        match self.query(StateQuery::Stream { id: id.into() }) {
            Ok(StateReply::Stream(stream)) => stream,
            other => unreachable!("Stream answered {other:?}"),
        }
    }

    pub fn profile(&self, account: ActorId) -> Option<ProfileSummary> {
        match self.query(StateQuery::Profile { account }) {
            Ok(StateReply::Profile(profile)) => profile,
            other => unreachable!("Profile answered {other:?}"),
        }
    }

    pub fn is_subscribed(&self, subscriber: ActorId, broadcaster: ActorId) -> bool {
        self.follows(subscriber, broadcaster)
    }

    /// A broadcaster's streams in the order they were scheduled (id order); empty for
    /// an unknown account. The position after a cursor is decided by its id alone.
    pub fn broadcaster_streams(
        &self,
        broadcaster: ActorId,
        after: Option<StreamCursor>,
        limit: u32,
    ) -> Result<Page<(String, Stream), StreamCursor>, Error> {
        stream_list(self.query(StateQuery::BroadcasterStreams {
            broadcaster,
            after,
            limit,
        }))
    }

    /// The streams `watcher` marked to watch, in the order they were scheduled (id
    /// order); empty for an unknown account. The position after a cursor is decided by
    /// its id alone.
    pub fn marked_streams(
        &self,
        watcher: ActorId,
        after: Option<StreamCursor>,
        limit: u32,
    ) -> Result<Page<(String, Stream), StreamCursor>, Error> {
        stream_list(self.query(StateQuery::MarkedStreams {
            watcher,
            after,
            limit,
        }))
    }

    /// Streams live at `at` (`start_time <= at < end_time`) in start-time order: see
    /// [`Schedule::live_list`].
    pub fn live_streams(
        &self,
        at: u64,
        after: Option<StreamCursor>,
        limit: u32,
    ) -> Result<Page<(String, Stream), StreamCursor>, Error> {
        stream_list(self.query(StateQuery::LiveStreams { at, after, limit }))
    }

    /// Streams that ended at or before `at` (`end_time <= at`), the latest start
    /// first: see [`Schedule::ended_list`].
    pub fn ended_streams(
        &self,
        at: u64,
        after: Option<StreamCursor>,
        limit: u32,
    ) -> Result<Page<(String, Stream), StreamCursor>, Error> {
        stream_list(self.query(StateQuery::EndedStreams { at, after, limit }))
    }

    /// Streams that start after `from`, in start-time order.
    pub fn upcoming_streams(
        &self,
        from: u64,
        after: Option<StreamCursor>,
        limit: u32,
    ) -> Result<Page<(String, Stream), StreamCursor>, Error> {
        stream_list(self.query(StateQuery::UpcomingStreams { from, after, limit }))
    }

    /// The accounts following `broadcaster`, in the order of their account numbers
    /// (stable, but not account order); empty for an unknown account.
    pub fn subscribers(
        &self,
        broadcaster: ActorId,
        after: Option<ActorId>,
        limit: u32,
    ) -> Result<Page<ActorId, ActorId>, Error> {
        match self.query(StateQuery::Subscribers {
            broadcaster,
            after,
            limit,
        })? {
            StateReply::AccountPage { accounts, next } => Ok(Page {
                items: accounts,
                next,
            }),
            other => unreachable!("Subscribers answered {other:?}"),
        }
    }

    /// The accounts `subscriber` follows, with when it followed them, in the order of
    /// their account numbers (stable, but not account order); empty for an unknown
    /// account.
    pub fn subscriptions(
        &self,
        subscriber: ActorId,
        after: Option<ActorId>,
        limit: u32,
    ) -> Result<Page<Subscription, ActorId>, Error> {
        match self.query(StateQuery::Subscriptions {
            subscriber,
            after,
            limit,
        })? {
            StateReply::SubscriptionPage {
                subscriptions,
                next,
            } => Ok(Page {
                items: subscriptions,
                next,
            }),
            other => unreachable!("Subscriptions answered {other:?}"),
        }
    }

    /// A broadcaster's streams, from after the cursor: see
    /// [`Schedule::broadcaster_streams`].
    pub(crate) fn broadcaster_list(
        &self,
        broadcaster: ActorId,
        after: Option<CursorRef<'_>>,
    ) -> Result<impl Iterator<Item = (StartKey, bool)> + Clone + '_, Error> {
        self.account_list(&self.by_broadcaster, broadcaster, after)
    }

    /// The streams an account marked, from after the cursor.
    pub(crate) fn marked_list(
        &self,
        watcher: ActorId,
        after: Option<CursorRef<'_>>,
    ) -> Result<impl Iterator<Item = (StartKey, bool)> + Clone + '_, Error> {
        self.account_list(&self.marked, watcher, after)
    }

    /// One account's entries in an index keyed by (account, stream); none for an
    /// unknown account.
    fn account_list<'s>(
        &'s self,
        index: &'s ChunkedMap<(UserNo, StreamNumber), ()>,
        account: ActorId,
        after: Option<CursorRef<'_>>,
    ) -> Result<impl Iterator<Item = (StartKey, bool)> + Clone + 's, Error> {
        let range = match self.user_no(account) {
            None => None,
            Some(account) => {
                let all = streams_of(account);
                let lower = match start_bound(after)? {
                    Excluded((_, number)) => Excluded((account, number)),
                    _ => Included(*all.start()),
                };
                Some((lower, Included(*all.end())))
            }
        };
        // A mark may name a removed stream whose marks are still being dropped.
        let keys = range.into_iter().flat_map(move |range| {
            index
                .keys_in(range)
                .filter_map(move |(_, number)| Some((self.record_of(number)?.start_time(), number)))
        });
        Ok(all(keys))
    }

    /// Streams live at `at`. Only streams that started within
    /// [`MAX_STREAM_DURATION_MS`] before `at` can be live, so the list walks that
    /// window of the start-time index, and those that ended are passed over.
    pub(crate) fn live_list(
        &self,
        at: u64,
        after: Option<CursorRef<'_>>,
    ) -> Result<impl Iterator<Item = (StartKey, bool)> + Clone + '_, Error> {
        let window_start = (
            at.saturating_sub(MAX_STREAM_DURATION_MS),
            StreamNumber::FIRST,
        );
        let lower = match start_bound(after)? {
            Excluded(key) if key >= window_start => Excluded(key),
            _ => Included(window_start),
        };
        let upper = Included((at, StreamNumber::LAST));
        let keys = self.by_start.keys_in((lower, upper));
        Ok(keys.map(move |key| (key, self.record(key.1).end_time() > at)))
    }

    /// Streams that ended at or before `at`, walking the start-time index down from
    /// `at`; those still live at `at` are passed over.
    pub(crate) fn ended_list(
        &self,
        at: u64,
        after: Option<CursorRef<'_>>,
    ) -> Result<impl Iterator<Item = (StartKey, bool)> + Clone + '_, Error> {
        let last_started = (at, StreamNumber::LAST);
        let upper = match start_bound(after)? {
            Excluded(key) if key <= last_started => Excluded(key),
            _ => Included(last_started),
        };
        let keys = self.by_start.range_rev((Unbounded, upper));
        Ok(keys.map(move |(&key, _)| (key, self.record(key.1).end_time() <= at)))
    }

    /// Streams that start after `from`.
    pub(crate) fn upcoming_list(
        &self,
        from: u64,
        after: Option<CursorRef<'_>>,
    ) -> Result<impl Iterator<Item = (StartKey, bool)> + Clone + '_, Error> {
        let first_upcoming = (from.saturating_add(1), StreamNumber::FIRST);
        let lower = match start_bound(after)? {
            Excluded(key) if key >= first_upcoming => Excluded(key),
            _ => Included(first_upcoming),
        };
        Ok(all(self.by_start.keys_in((lower, Unbounded))))
    }

    /// `account`'s entries in an index keyed by (account, account) to a `u64` (the
    /// follows and the channel roles), from after the cursor account, as (the other
    /// account, the value); none for an unknown account.
    pub(crate) fn pairs_of<'s>(
        &'s self,
        index: &'s ChunkedMap<(UserNo, UserNo), u64>,
        account: ActorId,
        after: Option<ActorId>,
    ) -> Result<impl Iterator<Item = (UserNo, u64)> + Clone + 's, Error> {
        let range = self.account_range(account, after)?;
        Ok(range.into_iter().flat_map(move |range| {
            index
                .range(range)
                .map(|(&(_, other), &value)| (other, value))
        }))
    }

    /// `account`'s range in an (account, account) index, after the cursor account
    /// `after` if given, which must be registered; `None` for an unknown account.
    pub(crate) fn account_range(
        &self,
        account: ActorId,
        after: Option<ActorId>,
    ) -> Result<Option<AccountRange>, Error> {
        self.user_no(account)
            .map(|account| self.accounts_after(account, after))
            .transpose()
    }

    /// An (account, account) index range: `account`'s entries after the cursor
    /// account `after`, if given, which must be registered.
    fn accounts_after(
        &self,
        account: UserNo,
        after: Option<ActorId>,
    ) -> Result<AccountRange, Error> {
        let all = accounts_of(account);
        let lower = match after {
            None => Included(*all.start()),
            Some(after) => {
                let after = self.user_no(after).ok_or(Error::UnknownCursorAccount)?;
                Excluded((account, after))
            }
        };
        Ok((lower, Included(*all.end())))
    }
}

/// Where a stream list resumes: after the cursor's position, or from the start.
fn start_bound(after: Option<CursorRef<'_>>) -> Result<Bound<StartKey>, Error> {
    match after {
        None => Ok(Unbounded),
        Some(cursor) => {
            let number = StreamNumber::parse_id(cursor.id).ok_or(Error::BadCursor)?;
            Ok(Excluded((cursor.start_time, number)))
        }
    }
}

/// A stream list query's page, from its answer.
fn stream_list(
    answer: Result<StateReply, Error>,
) -> Result<Page<(String, Stream), StreamCursor>, Error> {
    match answer? {
        StateReply::StreamPage { streams, next } => Ok(Page {
            items: streams,
            next,
        }),
        other => unreachable!("a stream list answered {other:?}"),
    }
}
