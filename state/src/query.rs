//! The answers to `state` queries. Each targeted query reads only the records it
//! answers with, plus a bounded number of index entries.
use crate::{schedule::StartKey, Schedule, StreamNumber, StreamRecord};
use alloc::{string::String, vec::Vec};
use core::ops::Bound::{Excluded, Included, Unbounded};
use gstd::ActorId;
use w3bstreaming_io::{
    limits::{MAX_PAGE_LEN, MAX_STREAM_DURATION_MS},
    Error, ProfileSummary, StateQuery, StateReply, Stream, StreamCursor, Subscription,
};

/// Index entries one `LiveStreams` page may pass over (streams in the time window that
/// already ended) before it replies with what it has and a cursor to go on.
pub const LIVE_SKIP_BUDGET: usize = 4 * MAX_PAGE_LEN as usize;

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
                let page = self.subscribers(broadcaster, after, limit);
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
                let page = self.subscriptions(subscriber, after, limit);
                StateReply::SubscriptionPage {
                    subscriptions: page.items,
                    next: page.next,
                }
            }
        })
    }

    /// Every stream with its id, in id order. Reads the whole schedule.
    pub fn all_streams(&self) -> Vec<(String, Stream)> {
        let mut records: Vec<(&StreamNumber, &StreamRecord)> = self.streams.iter().collect();
        records.sort_unstable_by_key(|(number, _)| **number);
        records
            .into_iter()
            .map(|(_, record)| (record.id.clone(), record.to_stream()))
            .collect()
    }

    /// Every profile with its account, in account order. Reads the whole schedule.
    pub fn all_users(&self) -> Vec<(ActorId, w3bstreaming_io::Profile)> {
        let mut users: Vec<_> = self.users.iter().collect();
        users.sort_unstable_by_key(|(account, _)| **account);
        users
            .into_iter()
            .map(|(&account, user)| {
                let profile = user.to_profile(|number| self.streams[&number].id.clone());
                (account, profile)
            })
            .collect()
    }

    pub fn stream_by_id(&self, id: &str) -> Option<Stream> {
        self.stream(id).map(|(_, record)| record.to_stream())
    }

    pub fn profile(&self, account: ActorId) -> Option<ProfileSummary> {
        self.user(account).map(|user| user.to_summary())
    }

    pub fn is_subscribed(&self, subscriber: ActorId, broadcaster: ActorId) -> bool {
        self.user(subscriber)
            .is_some_and(|user| user.follows(broadcaster))
    }

    /// A broadcaster's streams in start-time order; empty for an unknown account.
    pub fn broadcaster_streams(
        &self,
        broadcaster: ActorId,
        after: Option<StreamCursor>,
        limit: u32,
    ) -> Result<Page<(String, Stream), StreamCursor>, Error> {
        let Some(user) = self.user(broadcaster) else {
            return Ok(Page::empty());
        };
        let keys = user.streams.range((start_bound(after)?, Unbounded));
        Ok(self.streams_page(keys.copied(), page_len(limit)))
    }

    /// Streams live at `at` (`start_time <= at < end_time`) in start-time order.
    ///
    /// Only streams that started within [`MAX_STREAM_DURATION_MS`] before `at` can be
    /// live, so the read walks that window of the start-time index, skipping at most
    /// [`LIVE_SKIP_BUDGET`] ended streams per page.
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
        let len = page_len(limit);
        let mut items = Vec::new();
        let mut skipped = 0;
        let mut last_seen = None;
        let mut keys = self.by_start.range((lower, upper)).copied().peekable();
        for key in keys.by_ref() {
            last_seen = Some(key);
            let record = &self.streams[&key.1];
            if record.fields.end_time > at {
                items.push((record.id.clone(), record.to_stream()));
                if items.len() == len {
                    break;
                }
            } else {
                skipped += 1;
                if skipped == LIVE_SKIP_BUDGET {
                    break;
                }
            }
        }
        let more = keys.peek().is_some();
        Ok(Page {
            items,
            next: last_seen.filter(|_| more).map(|key| self.cursor(key)),
        })
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
        let keys = self.by_start.range((lower, Unbounded)).copied();
        Ok(self.streams_page(keys, page_len(limit)))
    }

    /// The accounts following `broadcaster`, in account order.
    pub fn subscribers(
        &self,
        broadcaster: ActorId,
        after: Option<ActorId>,
        limit: u32,
    ) -> Page<ActorId, ActorId> {
        let Some(user) = self.user(broadcaster) else {
            return Page::empty();
        };
        let lower = after.map_or(Unbounded, Excluded);
        let accounts = user.subscribers.range((lower, Unbounded)).copied();
        paginate(accounts, page_len(limit), |&account| account)
    }

    /// The accounts `subscriber` follows, in account order, with when it followed them.
    pub fn subscriptions(
        &self,
        subscriber: ActorId,
        after: Option<ActorId>,
        limit: u32,
    ) -> Page<Subscription, ActorId> {
        let Some(user) = self.user(subscriber) else {
            return Page::empty();
        };
        let lower = after.map_or(Unbounded, Excluded);
        let follows =
            user.subscriptions
                .range((lower, Unbounded))
                .map(|(&account_id, &sub_date)| Subscription {
                    account_id,
                    sub_date,
                });
        paginate(follows, page_len(limit), |follow| follow.account_id)
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
                    let record = &self.streams[&number];
                    (record.id.clone(), record.to_stream())
                })
                .collect(),
            next: page.next.map(|key| self.cursor(key)),
        }
    }

    fn cursor(&self, (start_time, number): StartKey) -> StreamCursor {
        StreamCursor {
            start_time,
            id: self.streams[&number].id.clone(),
        }
    }
}

/// Where a stream list resumes: after the cursor's position, or from the start.
fn start_bound(after: Option<StreamCursor>) -> Result<core::ops::Bound<StartKey>, Error> {
    match after {
        None => Ok(Unbounded),
        Some(cursor) => {
            let number = StreamNumber::parse_id(&cursor.id).ok_or(Error::BadCursor)?;
            Ok(Excluded((cursor.start_time, number)))
        }
    }
}

fn stream_page(page: Page<(String, Stream), StreamCursor>) -> StateReply {
    StateReply::StreamPage {
        streams: page.items,
        next: page.next,
    }
}
