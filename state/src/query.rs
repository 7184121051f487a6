//! The answers to `state` queries. Each targeted query reads only the records it
//! answers with, plus a bounded number of index entries.
use crate::{
    collections::ChunkedMap,
    records::{StreamFields, StreamRecord, UserRecord},
    schedule::{accounts_of, streams_of, watchers_of, Schedule, StartKey},
    stream_number::StreamNumber,
    user_no::UserNo,
};
use alloc::{string::String, vec::Vec};
use core::{
    iter,
    ops::Bound::{self, Excluded, Included, Unbounded},
};
use gstd::ActorId;
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

impl<T, C> Page<T, C> {
    /// The page of a list that does not exist, such as an unknown account's.
    pub fn empty() -> Self {
        Page {
            items: Vec::new(),
            next: None,
        }
    }
}

/// A query's `limit` as the number of items a page holds: 1 to [`MAX_PAGE_LEN`].
pub fn page_len(limit: u32) -> usize {
    limit.clamp(1, MAX_PAGE_LEN) as usize
}

/// Takes up to `len` items; the cursor of the last one taken if any is left.
fn paginate<T, C>(
    mut items: impl Iterator<Item = T>,
    len: usize,
    cursor: impl Fn(&T) -> C,
) -> Page<T, C> {
    let taken: Vec<T> = items.by_ref().take(len).collect();
    let next = match (taken.last(), items.next()) {
        (Some(last), Some(_)) => Some(cursor(last)),
        _ => None,
    };
    Page { items: taken, next }
}

impl Schedule {
    /// Answers a `state` query, exactly as the program's `state` export does.
    pub fn query(&self, query: StateQuery) -> Result<StateReply, Error> {
        Ok(match query {
            StateQuery::Streams => StateReply::Streams(self.all_streams()),
            StateQuery::Users => StateReply::Users(self.all_users()),
            StateQuery::Stream { id } => StateReply::Stream(self.stream_by_id(&id)),
            StateQuery::Profile { account } => StateReply::Profile(self.profile(account)),
            StateQuery::IsSubscribed {
                subscriber,
                broadcaster,
            } => StateReply::IsSubscribed(self.is_subscribed(subscriber, broadcaster)),
            StateQuery::BroadcasterStreams {
                broadcaster,
                after,
                limit,
            } => stream_page(self.broadcaster_streams(broadcaster, after, limit)?),
            StateQuery::LiveStreams { at, after, limit } => {
                stream_page(self.live_streams(at, after, limit)?)
            }
            StateQuery::UpcomingStreams { from, after, limit } => {
                stream_page(self.upcoming_streams(from, after, limit)?)
            }
            StateQuery::Subscribers {
                broadcaster,
                after,
                limit,
            } => {
                let page = self.subscribers(broadcaster, after, limit)?;
                StateReply::AccountPage {
                    accounts: page.items,
                    next: page.next,
                }
            }
            StateQuery::Subscriptions {
                subscriber,
                after,
                limit,
            } => {
                let page = self.subscriptions(subscriber, after, limit)?;
                StateReply::SubscriptionPage {
                    subscriptions: page.items,
                    next: page.next,
                }
            }
            StateQuery::MarkedStreams {
                watcher,
                after,
                limit,
            } => stream_page(self.marked_streams(watcher, after, limit)?),
            StateQuery::EndedStreams { at, after, limit } => {
                stream_page(self.ended_streams(at, after, limit)?)
            }
        })
    }

    /// Every stream with its id, in id order. Reads the whole schedule, walking the
    /// watcher index once beside the streams (both are in number order).
    pub fn all_streams(&self) -> Vec<(String, Stream)> {
        let mut watchers = self.watchers.keys_in(..).peekable();
        self.streams
            .iter()
            .map(|(number, bytes)| {
                let record = StreamRecord::read(bytes);
                // Marks of removed streams still waiting to be dropped are passed over.
                while watchers.next_if(|&(of, _)| of.get() < number).is_some() {}
                let viewers = iter::from_fn(|| watchers.next_if(|&(of, _)| of.get() == number))
                    .map(|(_, viewer)| self.account(viewer))
                    .collect();
                (record.id().into(), stream_with(record, viewers))
            })
            .collect()
    }

    /// Every profile with its account, in account order. Reads the whole schedule,
    /// walking each index once beside the profiles (all are in account number order).
    pub fn all_users(&self) -> Vec<(ActorId, Profile)> {
        let mut streams = self.by_broadcaster.keys_in(..).peekable();
        let mut followers = self.followers.keys_in(..).peekable();
        let mut follows = self.follows.iter().peekable();
        let mut users: Vec<(ActorId, Profile)> = self
            .users
            .iter()
            .map(|(number, bytes)| {
                let user = UserRecord::read(bytes);
                let number = UserNo::new(number);
                let profile = Profile {
                    name: user.name().map(String::from),
                    surname: user.surname().map(String::from),
                    img_link: user.img_link().map(String::from),
                    stream_ids: iter::from_fn(|| streams.next_if(|&(of, _)| of == number))
                        .map(|(_, stream)| self.record(stream).id().into())
                        .collect(),
                    subscribers: iter::from_fn(|| followers.next_if(|&(of, _)| of == number))
                        .map(|(_, follower)| self.account(follower))
                        .collect(),
                    subscriptions: iter::from_fn(|| follows.next_if(|&(&(of, _), _)| of == number))
                        .map(|(&(_, followed), &sub_date)| Subscription {
                            account_id: self.account(followed),
                            sub_date,
                        })
                        .collect(),
                };
                (user.account(), profile)
            })
            .collect();
        users.sort_unstable_by_key(|(account, _)| *account);
        users
    }

    pub fn stream_by_id(&self, id: &str) -> Option<Stream> {
        self.stream(id)
            .map(|(number, record)| self.stream_view(number, record))
    }

    pub fn profile(&self, account: ActorId) -> Option<ProfileSummary> {
        self.registered(account)
            .map(|(number, user)| user.to_summary(self.streams_by(number)))
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
        self.account_streams(&self.by_broadcaster, broadcaster, after, limit)
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
        self.account_streams(&self.marked, watcher, after, limit)
    }

    /// A page of one account's entries in an index keyed by (account, stream).
    fn account_streams(
        &self,
        index: &ChunkedMap<(UserNo, StreamNumber), ()>,
        account: ActorId,
        after: Option<StreamCursor>,
        limit: u32,
    ) -> Result<Page<(String, Stream), StreamCursor>, Error> {
        let Some(account) = self.user_no(account) else {
            return Ok(Page::empty());
        };
        let all = streams_of(account);
        let lower = match start_bound(after)? {
            Excluded((_, number)) => Excluded((account, number)),
            _ => Included(*all.start()),
        };
        // A mark may name a removed stream whose marks are still being dropped.
        let keys = index
            .keys_in((lower, Included(*all.end())))
            .filter_map(|(_, number)| Some((self.record_of(number)?.start_time(), number)));
        Ok(self.streams_page(keys, page_len(limit)))
    }

    /// Streams live at `at` (`start_time <= at < end_time`) in start-time order.
    ///
    /// Only streams that started within [`MAX_STREAM_DURATION_MS`] before `at` can be
    /// live, so the read walks that window of the start-time index, skipping at most
    /// [`SKIP_BUDGET`] ended streams per page.
    pub fn live_streams(
        &self,
        at: u64,
        after: Option<StreamCursor>,
        limit: u32,
    ) -> Result<Page<(String, Stream), StreamCursor>, Error> {
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
        Ok(self.filtered_page(keys, page_len(limit), |record| record.end_time() > at))
    }

    /// Streams that ended at or before `at` (`end_time <= at`), the latest start first.
    ///
    /// The read walks the start-time index down from `at`, skipping at most
    /// [`SKIP_BUDGET`] streams still live at `at` per page.
    pub fn ended_streams(
        &self,
        at: u64,
        after: Option<StreamCursor>,
        limit: u32,
    ) -> Result<Page<(String, Stream), StreamCursor>, Error> {
        let last_started = (at, StreamNumber::LAST);
        let upper = match start_bound(after)? {
            Excluded(key) if key <= last_started => Excluded(key),
            _ => Included(last_started),
        };
        let keys = self
            .by_start
            .range_rev((Unbounded, upper))
            .map(|(&key, _)| key);
        Ok(self.filtered_page(keys, page_len(limit), |record| record.end_time() <= at))
    }

    /// Streams that start after `from`, in start-time order.
    pub fn upcoming_streams(
        &self,
        from: u64,
        after: Option<StreamCursor>,
        limit: u32,
    ) -> Result<Page<(String, Stream), StreamCursor>, Error> {
        let first_upcoming = (from.saturating_add(1), StreamNumber::FIRST);
        let lower = match start_bound(after)? {
            Excluded(key) if key >= first_upcoming => Excluded(key),
            _ => Included(first_upcoming),
        };
        let keys = self.by_start.keys_in((lower, Unbounded));
        Ok(self.streams_page(keys, page_len(limit)))
    }

    /// The accounts following `broadcaster`, in the order of their account numbers
    /// (stable, but not account order); empty for an unknown account.
    pub fn subscribers(
        &self,
        broadcaster: ActorId,
        after: Option<ActorId>,
        limit: u32,
    ) -> Result<Page<ActorId, ActorId>, Error> {
        let Some(broadcaster) = self.user_no(broadcaster) else {
            return Ok(Page::empty());
        };
        let accounts = self
            .followers
            .keys_in(self.accounts_after(broadcaster, after)?)
            .map(|(_, follower)| self.account(follower));
        Ok(paginate(accounts, page_len(limit), |&account| account))
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
        let Some(subscriber) = self.user_no(subscriber) else {
            return Ok(Page::empty());
        };
        let follows = self
            .follows
            .range(self.accounts_after(subscriber, after)?)
            .map(|(&(_, followed), &sub_date)| Subscription {
                account_id: self.account(followed),
                sub_date,
            });
        Ok(paginate(follows, page_len(limit), |follow| {
            follow.account_id
        }))
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

    /// The stream as clients see it, watchers in account number order.
    fn stream_view(&self, number: StreamNumber, record: StreamRecord<'_>) -> Stream {
        let watchers = self
            .watchers
            .keys_in(watchers_of(number))
            .map(|(_, viewer)| self.account(viewer))
            .collect();
        stream_with(record, watchers)
    }

    /// The record of a stream an index names.
    fn record(&self, number: StreamNumber) -> StreamRecord<'_> {
        self.record_of(number).expect("indexed stream exists")
    }

    fn streams_page(
        &self,
        keys: impl Iterator<Item = StartKey>,
        len: usize,
    ) -> Page<(String, Stream), StreamCursor> {
        let page = paginate(keys, len, |&key| key);
        Page {
            items: page
                .items
                .into_iter()
                .map(|(_, number)| {
                    let record = self.record(number);
                    (record.id().into(), self.stream_view(number, record))
                })
                .collect(),
            next: page.next.map(|key| self.cursor(key)),
        }
    }

    /// Up to `len` of the streams `keys` name that `keep` accepts, passing over at most
    /// [`SKIP_BUDGET`] others: the cursor then points past the last one looked at.
    fn filtered_page(
        &self,
        keys: impl Iterator<Item = StartKey>,
        len: usize,
        keep: impl Fn(StreamRecord<'_>) -> bool,
    ) -> Page<(String, Stream), StreamCursor> {
        let mut items = Vec::new();
        let mut skipped = 0;
        let mut last_seen = None;
        let mut keys = keys.peekable();
        for key in keys.by_ref() {
            last_seen = Some(key);
            let record = self.record(key.1);
            if keep(record) {
                items.push((record.id().into(), self.stream_view(key.1, record)));
                if items.len() == len {
                    break;
                }
            } else {
                skipped += 1;
                if skipped == SKIP_BUDGET {
                    break;
                }
            }
        }
        let more = keys.peek().is_some();
        Page {
            items,
            next: last_seen.filter(|_| more).map(|key| self.cursor(key)),
        }
    }

    fn cursor(&self, (start_time, number): StartKey) -> StreamCursor {
        StreamCursor {
            start_time,
            id: self.record(number).id().into(),
        }
    }
}

/// Where a stream list resumes: after the cursor's position, or from the start.
fn start_bound(after: Option<StreamCursor>) -> Result<Bound<StartKey>, Error> {
    match after {
        None => Ok(Unbounded),
        Some(cursor) => {
            let number = StreamNumber::parse_id(&cursor.id).ok_or(Error::BadCursor)?;
            Ok(Excluded((cursor.start_time, number)))
        }
    }
}

fn stream_with(record: StreamRecord<'_>, watchers: Vec<ActorId>) -> Stream {
    let StreamFields {
        start_time,
        end_time,
        title,
        img_link,
        description,
    } = record.fields();
    Stream {
        broadcaster: record.broadcaster(),
        start_time,
        end_time,
        title: title.into(),
        img_link: img_link.into(),
        description: description.map(String::from),
        watchers,
    }
}

fn stream_page(page: Page<(String, Stream), StreamCursor>) -> StateReply {
    StateReply::StreamPage {
        streams: page.items,
        next: page.next,
    }
}
