//! The answers to queries, written as `StateReply`'s SCALE bytes straight into an
//! [`Output`], item by item from the records and indices.
//!
//! Why not build a `StateReply` and encode it: its strings and lists are heap
//! allocations, which land wherever the allocator finds room, and a Gear message pays
//! for every page it writes, so an asked list wrote 1 page at N=0 and up to 6 at
//! N=100,000. Written as it is read, an answer takes no heap (but for the full `Users`
//! read's list of accounts, which it sorts), the program sends it a stack buffer at a
//! time, and the program carries no code to build, encode and free a `StateReply`.
use crate::{
    query::{page_len, shape},
    query_ref::QueryRef,
    records::{StreamRecord, UserRecord},
    schedule::{accounts_of, streams_of, watchers_of, Schedule, StartKey},
    stream_number::StreamNumber,
    user_no::UserNo,
};
use alloc::vec::Vec;
use gstd::{
    codec::{Compact, Encode, Output},
    ActorId,
};
use w3bstreaming_io::Error;

/// `StateReply`'s variants, by their index on the wire.
mod reply {
    pub const STREAMS: u8 = 0;
    pub const USERS: u8 = 1;
    pub const STREAM: u8 = 2;
    pub const PROFILE: u8 = 3;
    pub const IS_SUBSCRIBED: u8 = 4;
    pub const STREAM_PAGE: u8 = 5;
    pub const ACCOUNT_PAGE: u8 = 6;
    pub const SUBSCRIPTION_PAGE: u8 = 7;
    pub const CHANNEL_ROLE: u8 = 8;
    pub const ROLE_PAGE: u8 = 9;
    pub const TIP: u8 = 10;
    pub const TIP_PAGE: u8 = 11;
}

impl Schedule {
    /// Writes the answer to `query` into `out`: the bytes of the `StateReply` that
    /// [`Schedule::query`] returns. A query that is refused (a cursor that names no
    /// stream or account) writes nothing.
    pub fn answer(&self, query: QueryRef<'_>, out: &mut impl Output) -> Result<(), Error> {
        match query {
            QueryRef::Streams => {
                out.push_byte(reply::STREAMS);
                self.put_all_streams(out);
            }
            QueryRef::Users => {
                out.push_byte(reply::USERS);
                self.put_all_users(out);
            }
            QueryRef::Stream { id } => {
                out.push_byte(reply::STREAM);
                match self.stream(id) {
                    Some((number, record)) => {
                        out.push_byte(1);
                        self.put_stream(number, record, out);
                    }
                    None => out.push_byte(0),
                }
            }
            QueryRef::Profile { account } => {
                out.push_byte(reply::PROFILE);
                match self.registered(account) {
                    Some((number, user)) => {
                        out.push_byte(1);
                        put_summary(user, self.streams_by(number), out);
                    }
                    None => out.push_byte(0),
                }
            }
            QueryRef::IsSubscribed {
                subscriber,
                broadcaster,
            } => {
                out.push_byte(reply::IS_SUBSCRIBED);
                self.follows(subscriber, broadcaster).encode_to(out);
            }
            QueryRef::Subscribers {
                broadcaster,
                after,
                limit,
            } => {
                let followers = self.follower_list(broadcaster, after)?;
                let page = shape(followers.clone(), page_len(limit));
                out.push_byte(reply::ACCOUNT_PAGE);
                put_len(page.count, out);
                for (follower, _) in followers.take(page.count) {
                    self.account(follower).encode_to(out);
                }
                page.next.map(|last| self.account(last)).encode_to(out);
            }
            QueryRef::Subscriptions {
                subscriber,
                after,
                limit,
            } => {
                let follows = self.follow_list(subscriber, after)?;
                let page = shape(follows.clone(), page_len(limit));
                out.push_byte(reply::SUBSCRIPTION_PAGE);
                put_len(page.count, out);
                for ((followed, sub_date), _) in follows.take(page.count) {
                    self.account(followed).encode_to(out);
                    sub_date.encode_to(out);
                }
                page.next.map(|(last, _)| self.account(last)).encode_to(out);
            }
            QueryRef::ChannelRole {
                broadcaster,
                account,
            } => {
                out.push_byte(reply::CHANNEL_ROLE);
                let role = match (self.user_no(broadcaster), self.user_no(account)) {
                    (Some(broadcaster), Some(account)) => self.role(broadcaster, account),
                    _ => None,
                };
                role.encode_to(out);
            }
            QueryRef::ChannelRoles {
                broadcaster,
                after,
                limit,
            } => {
                let roles = self.role_list(broadcaster, after)?;
                let page = shape(roles.clone(), page_len(limit));
                out.push_byte(reply::ROLE_PAGE);
                put_len(page.count, out);
                for ((account, role), _) in roles.take(page.count) {
                    self.account(account).encode_to(out);
                    role.encode_to(out);
                }
                page.next.map(|(last, _)| self.account(last)).encode_to(out);
            }
            QueryRef::Tip { number } => {
                out.push_byte(reply::TIP);
                self.put_tip(number, out);
            }
            QueryRef::TipsReceived {
                broadcaster,
                after,
                limit,
            } => {
                out.push_byte(reply::TIP_PAGE);
                self.put_tip_page(broadcaster, after, limit, out);
            }
            QueryRef::BroadcasterStreams {
                broadcaster,
                after,
                limit,
            } => {
                let streams = self.broadcaster_list(broadcaster, after)?;
                self.put_stream_page(streams, limit, out);
            }
            QueryRef::MarkedStreams {
                watcher,
                after,
                limit,
            } => {
                let streams = self.marked_list(watcher, after)?;
                self.put_stream_page(streams, limit, out);
            }
            QueryRef::LiveStreams { at, after, limit } => {
                let streams = self.live_list(at, after)?;
                self.put_stream_page(streams, limit, out);
            }
            QueryRef::UpcomingStreams { from, after, limit } => {
                let streams = self.upcoming_list(from, after)?;
                self.put_stream_page(streams, limit, out);
            }
            QueryRef::EndedStreams { at, after, limit } => {
                let streams = self.ended_list(at, after)?;
                self.put_stream_page(streams, limit, out);
            }
        }
        Ok(())
    }

    /// A `StreamPage` of a stream list (each stream's key with whether it is kept):
    /// the list is walked twice, once for the page's shape and once to write it.
    fn put_stream_page(
        &self,
        streams: impl Iterator<Item = (StartKey, bool)> + Clone,
        limit: u32,
        out: &mut impl Output,
    ) {
        let page = shape(streams.clone(), page_len(limit));
        out.push_byte(reply::STREAM_PAGE);
        put_len(page.count, out);
        let kept = streams.filter(|&(_, kept)| kept).take(page.count);
        for ((_, number), _) in kept {
            let record = self.record(number);
            record.id().encode_to(out);
            self.put_stream(number, record, out);
        }
        match page.next {
            Some(key) => {
                out.push_byte(1);
                self.put_cursor(key, out);
            }
            None => out.push_byte(0),
        }
    }

    /// A `StreamCursor`: the start time and id of the stream at `key`.
    fn put_cursor(&self, (start_time, number): StartKey, out: &mut impl Output) {
        start_time.encode_to(out);
        self.record(number).id().encode_to(out);
    }

    /// A `Stream`, its watchers in account number order.
    fn put_stream(&self, number: StreamNumber, record: StreamRecord<'_>, out: &mut impl Output) {
        let watchers = || {
            self.watchers
                .keys_in(watchers_of(number))
                .map(|(_, viewer)| viewer)
        };
        put_stream_with(record, watchers().count(), watchers(), self, out);
    }

    /// Every stream with its id, in id order. Reads the whole schedule, walking the
    /// watcher index once beside the streams (both are in number order).
    fn put_all_streams(&self, out: &mut impl Output) {
        put_len(self.streams.len(), out);
        let mut watchers = self.watchers.keys_in(..).peekable();
        for (number, bytes) in self.streams.iter() {
            let record = StreamRecord::read(bytes);
            // Marks of removed streams still waiting to be dropped are passed over.
            while watchers.next_if(|&(of, _)| of.get() < number).is_some() {}
            let of_this = watchers.clone().take_while(|&(of, _)| of.get() == number);
            let count = of_this.clone().count();
            record.id().encode_to(out);
            put_stream_with(record, count, of_this.map(|(_, viewer)| viewer), self, out);
            watchers.by_ref().take(count).for_each(drop);
        }
    }

    /// Every profile with its account, in account order.
    fn put_all_users(&self, out: &mut impl Output) {
        let mut users: Vec<(ActorId, UserNo, UserRecord<'_>)> = self
            .users
            .iter()
            .map(|(number, bytes)| {
                let user = UserRecord::read(bytes);
                (user.account(), UserNo::new(number), user)
            })
            .collect();
        heap_sort_by_key(&mut users, |&(account, ..)| account);
        put_len(users.len(), out);
        for (account, number, user) in users {
            account.encode_to(out);
            user.name().encode_to(out);
            user.surname().encode_to(out);
            user.img_link().encode_to(out);
            let streams = || self.by_broadcaster.keys_in(streams_of(number));
            put_len(streams().count(), out);
            for (_, stream) in streams() {
                self.record(stream).id().encode_to(out);
            }
            let followers = || self.followers.keys_in(accounts_of(number));
            put_len(followers().count(), out);
            for (_, follower) in followers() {
                self.account(follower).encode_to(out);
            }
            let follows = || self.follows.range(accounts_of(number));
            put_len(follows().count(), out);
            for (&(_, followed), sub_date) in follows() {
                self.account(followed).encode_to(out);
                sub_date.encode_to(out);
            }
        }
    }

    /// The record of a stream an index names.
    pub(crate) fn record(&self, number: StreamNumber) -> StreamRecord<'_> {
        self.record_of(number).expect("indexed stream exists")
    }
}

/// A `Stream` with its `count` watchers.
fn put_stream_with(
    record: StreamRecord<'_>,
    count: usize,
    watchers: impl Iterator<Item = UserNo>,
    schedule: &Schedule,
    out: &mut impl Output,
) {
    let fields = record.fields();
    record.broadcaster().encode_to(out);
    fields.start_time.encode_to(out);
    fields.end_time.encode_to(out);
    fields.title.encode_to(out);
    fields.img_link.encode_to(out);
    fields.description.encode_to(out);
    put_len(count, out);
    for viewer in watchers {
        schedule.account(viewer).encode_to(out);
    }
}

/// A `ProfileSummary`.
fn put_summary(user: UserRecord<'_>, stream_count: usize, out: &mut impl Output) {
    user.name().encode_to(out);
    user.surname().encode_to(out);
    user.img_link().encode_to(out);
    u32::try_from(stream_count)
        .unwrap_or(u32::MAX)
        .encode_to(out);
    user.subscriber_count().encode_to(out);
    user.subscription_count().encode_to(out);
}

/// Sorts `items` by `key` with a heapsort: `sort_unstable` would be 2 KB of code in
/// the program for this one full read.
fn heap_sort_by_key<T, K: Ord>(items: &mut [T], key: impl Fn(&T) -> K) {
    let sift_down = |items: &mut [T], mut root: usize, end: usize| loop {
        let mut child = 2 * root + 1;
        if child >= end {
            break;
        }
        if child + 1 < end && key(&items[child]) < key(&items[child + 1]) {
            child += 1;
        }
        if key(&items[root]) >= key(&items[child]) {
            break;
        }
        items.swap(root, child);
        root = child;
    };
    let len = items.len();
    for root in (0..len / 2).rev() {
        sift_down(items, root, len);
    }
    for end in (1..len).rev() {
        items.swap(0, end);
        sift_down(items, 0, end);
    }
}

/// A list's length, as SCALE writes it before the items.
pub(crate) fn put_len(len: usize, out: &mut impl Output) {
    Compact(u32::try_from(len).expect("lists hold fewer than 2^32 items")).encode_to(out);
}

#[cfg(test)]
mod tests {
    use super::heap_sort_by_key;
    use alloc::vec::Vec;

    #[test]
    fn the_heapsort_sorts_as_the_standard_sort_does() {
        let mut next = crate::test_random::xorshift(0x2545_f491_4f6c_dd1d);
        for len in [0, 1, 2, 3, 7, 64, 1_000] {
            let items: Vec<(u64, u64)> = (0..len).map(|i| (next() % 50, i)).collect();
            let (mut ours, mut theirs) = (items.clone(), items);
            heap_sort_by_key(&mut ours, |&(key, _)| key);
            theirs.sort_by_key(|&(key, _)| key);
            let keys = |items: &[(u64, u64)]| items.iter().map(|&(key, _)| key).collect::<Vec<_>>();
            assert_eq!(keys(&ours), keys(&theirs), "{len} items");
            ours.sort();
            theirs.sort();
            assert_eq!(ours, theirs, "{len} items: the same items");
        }
    }
}
