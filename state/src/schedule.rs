use crate::{
    capacity::Capacity,
    collections::{ChunkedMap, PagedMap, MAX_RECORD_BYTES},
    records::{
        NewProfile, NewStream, ProfileFields, RecordBuffer, StreamEdit, StreamFields, StreamRecord,
        UserRecord,
    },
    stream_number::StreamNumber,
    user_no::UserNo,
};
use alloc::collections::VecDeque;
use core::ops::RangeInclusive;
use gstd::ActorId;
use w3bstreaming_io::{
    limits::{MARKS_DROPPED_PER_MESSAGE, RETENTION_MS},
    Error,
};

/// A stream's place in start-time order: start time, then number (creation order).
pub type StartKey = (u64, StreamNumber);

/// Everything the program stores.
///
/// The layout is chosen for gas, which a Gear program pays mostly per 16 KiB memory
/// page a message reads or writes: profiles and streams, text included, are records
/// in the page-sized leaves of two [`PagedMap`]s, and every list (an account's streams,
/// followers and follows, a stream's watchers, the start-time order) is one ordered
/// index over the whole schedule. So an action writes a fixed handful of pages,
/// whatever the number of accounts and streams and however long any one list grows:
/// its record's leaf, one chunk of each index it changes, and the page of the counts
/// kept here. All of it grows with use: an empty schedule holds no page.
///
/// Writes keep the records and indices consistent but do not judge whether an action
/// is allowed: each write states the preconditions the caller has checked, and panics
/// if one does not hold, since that is a bug in the caller, not bad input.
#[derive(Debug, PartialEq, Eq)]
pub struct Schedule {
    /// Profiles by account number.
    pub(crate) users: PagedMap,
    /// Streams by number.
    pub(crate) streams: PagedMap,
    /// Every stream, in start-time order.
    pub(crate) by_start: ChunkedMap<StartKey, ()>,
    /// Every stream under its broadcaster, in the order they were scheduled (number
    /// order), which an edit of the times does not change.
    pub(crate) by_broadcaster: ChunkedMap<(UserNo, StreamNumber), ()>,
    /// (followed account, follower) for every follow.
    pub(crate) followers: ChunkedMap<(UserNo, UserNo), ()>,
    /// (follower, followed account) for every follow, to the block time it happened.
    pub(crate) follows: ChunkedMap<(UserNo, UserNo), u64>,
    /// (stream, viewer) for every stream marked to watch.
    pub(crate) watchers: ChunkedMap<(StreamNumber, UserNo), ()>,
    /// (viewer, stream) for every stream marked to watch: the mirror of `watchers`,
    /// for a viewer's own list.
    pub(crate) marked: ChunkedMap<(UserNo, StreamNumber), ()>,
    /// (broadcaster, account) for every account holding a role in a channel, to the
    /// role's code (`roles.rs`): a `u64`, so that this index is the same type as
    /// `follows` and the program carries one copy of its code for both.
    pub(crate) roles: ChunkedMap<(UserNo, UserNo), u64>,
    /// Tip receipts by number (`tips.rs`).
    pub(crate) tips: PagedMap,
    /// (broadcaster, tip number) for every receipt kept.
    pub(crate) tips_to: ChunkedMap<(UserNo, u64), ()>,
    /// The number of the latest tip; 0 before the first.
    pub(crate) last_tip: u64,
    /// Removed streams whose marks are still in both mark indices, oldest removal
    /// first: they are dropped [`MARKS_DROPPED_PER_MESSAGE`] at a time, and the
    /// queries pass over them.
    pub(crate) unmarking: VecDeque<StreamNumber>,
    last_number: Option<StreamNumber>,
    /// Bytes of text in all records, held within `capacity.text_bytes`.
    text_bytes: usize,
    pub(crate) capacity: Capacity,
    /// The first entry of `by_start` and that stream's end time: what pruning looks at
    /// on every message, kept here so that a message with nothing to prune reads no
    /// index page.
    oldest: Option<(StartKey, u64)>,
}

impl Default for Schedule {
    fn default() -> Self {
        Self::new()
    }
}

impl Schedule {
    /// A schedule with the program's capacity, [`Capacity::LIMITS`].
    pub const fn new() -> Self {
        Self::with_capacity(Capacity::LIMITS)
    }

    pub const fn with_capacity(capacity: Capacity) -> Self {
        Self {
            users: PagedMap::new(),
            streams: PagedMap::new(),
            by_start: ChunkedMap::new(),
            by_broadcaster: ChunkedMap::new(),
            followers: ChunkedMap::new(),
            follows: ChunkedMap::new(),
            watchers: ChunkedMap::new(),
            marked: ChunkedMap::new(),
            roles: ChunkedMap::new(),
            tips: PagedMap::new(),
            tips_to: ChunkedMap::new(),
            last_tip: 0,
            unmarking: VecDeque::new(),
            last_number: None,
            text_bytes: 0,
            capacity,
            oldest: None,
        }
    }

    pub fn user(&self, account: ActorId) -> Option<UserRecord<'_>> {
        self.registered(account).map(|(_, user)| user)
    }

    /// The number of a registered account.
    pub fn user_no(&self, account: ActorId) -> Option<UserNo> {
        self.registered(account).map(|(number, _)| number)
    }

    /// A registered account's number and profile.
    pub(crate) fn registered(&self, account: ActorId) -> Option<(UserNo, UserRecord<'_>)> {
        self.place_of(account).ok()
    }

    /// `Ok` with a registered account's number and profile, or `Err` with the number
    /// it would get: the first of its first choice and the numbers after it that is
    /// either its own or free.
    fn place_of(&self, account: ActorId) -> Result<(UserNo, UserRecord<'_>), UserNo> {
        let mut number = UserNo::first_choice(account);
        loop {
            match self.users.get(number.get()).map(UserRecord::read) {
                None => return Err(number),
                Some(user) if user.account() == account => return Ok((number, user)),
                Some(_) => number = number.next(),
            }
        }
    }

    /// The account with this number. Precondition: the number came from this schedule.
    pub fn account(&self, number: UserNo) -> ActorId {
        let bytes = self
            .users
            .get(number.get())
            .expect("an account's number names its profile");
        UserRecord::read(bytes).account()
    }

    pub(crate) fn registered_no(&self, account: ActorId) -> UserNo {
        self.user_no(account).expect("account is registered")
    }

    /// How many accounts are registered.
    pub fn account_count(&self) -> usize {
        self.users.len()
    }

    /// How many streams are stored.
    pub fn stored_stream_count(&self) -> usize {
        self.streams.len()
    }

    /// Whether no new account can be registered.
    pub fn accounts_full(&self) -> bool {
        self.users.len() >= self.capacity.accounts
    }

    /// Whether no new stream can be scheduled.
    pub fn streams_full(&self) -> bool {
        self.streams.len() >= self.capacity.streams
    }

    /// Each index by name, with the number of chunks it is kept in.
    pub fn index_chunks(&self) -> [(&'static str, usize); 7] {
        [
            ("by start", self.by_start.chunk_count()),
            ("by broadcaster", self.by_broadcaster.chunk_count()),
            ("followers", self.followers.chunk_count()),
            ("follows", self.follows.chunk_count()),
            ("watchers", self.watchers.chunk_count()),
            ("marked", self.marked.chunk_count()),
            ("roles", self.roles.chunk_count()),
        ]
    }

    /// Bytes of text stored in all records.
    pub fn text_bytes(&self) -> usize {
        self.text_bytes
    }

    /// Counts a record's `new` bytes of text in place of its `old` ones, or refuses
    /// with [`Error::TextFull`] if they would not fit the capacity.
    fn replace_text(&mut self, old: usize, new: usize) -> Result<(), Error> {
        let total = self.text_bytes - old + new;
        if total > self.capacity.text_bytes {
            return Err(Error::TextFull);
        }
        self.text_bytes = total;
        Ok(())
    }

    /// The stream with this id, with its number.
    pub fn stream(&self, id: &str) -> Option<(StreamNumber, StreamRecord<'_>)> {
        let number = StreamNumber::parse_id(id)?;
        let record = self.record_of(number)?;
        (record.id() == id).then_some((number, record))
    }

    pub(crate) fn record_of(&self, number: StreamNumber) -> Option<StreamRecord<'_>> {
        self.streams.get(number.get()).map(StreamRecord::read)
    }

    /// How many streams `account` has scheduled (at most the per-broadcaster limit, so
    /// counting them reads one or two index leaves).
    pub fn stream_count(&self, account: ActorId) -> usize {
        self.user_no(account)
            .map_or(0, |account| self.streams_by(account))
    }

    pub(crate) fn streams_by(&self, account: UserNo) -> usize {
        self.by_broadcaster.range(streams_of(account)).count()
    }

    /// The number the next stream scheduled at block time `now` gets, if any is left.
    pub fn next_stream_number(&self, now: u64) -> Option<StreamNumber> {
        StreamNumber::next(now, self.last_number)
    }

    /// Registers `account` or replaces the three fields of its profile, or refuses and
    /// changes nothing: with [`Error::AccountsFull`] for a new account when
    /// [`Schedule::accounts_full`], or with [`Error::TextFull`]. The account is looked
    /// up once for both.
    pub fn set_profile(
        &mut self,
        account: ActorId,
        profile: ProfileFields<'_>,
    ) -> Result<(), Error> {
        let (number, counts, old_text) = match self.place_of(account) {
            Ok((number, current)) => (number, current.counts(), current.text_len()),
            Err(_) if self.accounts_full() => return Err(Error::AccountsFull),
            Err(number) => (number, (0, 0), 0),
        };
        let record = NewProfile {
            account,
            counts,
            profile,
        };
        self.replace_text(old_text, record.text_len())?;
        self.users.insert(number.get(), &record);
        Ok(())
    }

    /// Stores a stream under `number` and returns its id, or refuses with
    /// [`Error::TextFull`] and changes nothing.
    ///
    /// Preconditions: `number` came from [`Schedule::next_stream_number`],
    /// `broadcaster` is registered, and [`Schedule::streams_full`] is false.
    pub fn add_stream(
        &mut self,
        number: StreamNumber,
        broadcaster: ActorId,
        fields: StreamFields<'_>,
    ) -> Result<&str, Error> {
        assert!(
            self.last_number < Some(number),
            "stream number {number:?} was already given out"
        );
        let broadcaster_no = self.registered_no(broadcaster);
        let record = NewStream {
            number,
            broadcaster,
            broadcaster_no,
            fields,
        };
        self.replace_text(0, record.text_len())?;
        self.streams.insert(number.get(), &record);
        self.by_broadcaster.insert((broadcaster_no, number), ());
        self.index((fields.start_time, number), fields.end_time);
        self.last_number = Some(number);
        Ok(self
            .record_of(number)
            .expect("the stream was just stored")
            .id())
    }

    /// Edits a stored stream's fields, or refuses and changes nothing: with the error
    /// `check` gives for the fields as `edit` leaves them, or with
    /// [`Error::TextFull`]. Precondition: the stream exists.
    pub fn edit_stream(
        &mut self,
        number: StreamNumber,
        edit: &StreamEdit<'_>,
        check: impl FnOnce(&StreamFields<'_>) -> Result<(), Error>,
    ) -> Result<(), Error> {
        let current = self.record_of(number).expect("stream exists");
        let fields = current.edited(edit);
        check(&fields)?;
        let (old_key, old_text) = ((current.start_time(), number), current.text_len());
        let mut record: RecordBuffer = [0; MAX_RECORD_BYTES];
        let len = current.write_edited(&mut record, fields);
        let (new_key, end_time) = ((fields.start_time, number), fields.end_time);
        self.replace_text(old_text, StreamRecord::read(&record[..len]).text_len())?;
        self.streams.insert(number.get(), &&record[..len]);
        if old_key != new_key {
            self.unindex(old_key);
            self.index(new_key, end_time);
        } else if self.oldest.is_some_and(|(oldest, _)| oldest == new_key) {
            self.oldest = Some((new_key, end_time));
        }
        Ok(())
    }

    /// Removes a stream, from its broadcaster's list and the index too, and drops up
    /// to [`MARKS_DROPPED_PER_MESSAGE`] of its marks to watch; the rest wait for
    /// [`Schedule::drop_removed_marks`]. Precondition: the stream exists.
    pub fn remove_stream(&mut self, number: StreamNumber) {
        let record = self.record_of(number).expect("stream exists");
        let (broadcaster_no, start_time, text) = (
            record.broadcaster_no(),
            record.start_time(),
            record.text_len(),
        );
        self.text_bytes -= text;
        self.streams.remove(number.get());
        self.by_broadcaster.remove(&(broadcaster_no, number));
        self.unindex((start_time, number));
        if self.drop_marks(number, MARKS_DROPPED_PER_MESSAGE) == MARKS_DROPPED_PER_MESSAGE
            && self.watchers.range(watchers_of(number)).next().is_some()
        {
            self.unmarking.push_back(number);
        }
    }

    /// Removes up to `at_most` streams that ended [`RETENTION_MS`] or longer before
    /// `now`, oldest start first; how many it removed.
    ///
    /// It looks only at the stream that starts first, so a stream is pruned between
    /// `RETENTION_MS` and `RETENTION_MS` plus the longest stream duration after its end:
    /// the work per call stays bounded whatever the schedule's size.
    pub fn prune_ended(&mut self, now: u64, at_most: usize) -> usize {
        let mut pruned = 0;
        while pruned < at_most {
            match self.oldest {
                Some(((_, number), end_time)) if end_time.saturating_add(RETENTION_MS) <= now => {
                    self.remove_stream(number);
                    pruned += 1;
                }
                _ => break,
            }
        }
        pruned
    }

    /// Adds a stream to the start-time index.
    fn index(&mut self, key: StartKey, end_time: u64) {
        self.by_start.insert(key, ());
        if self.oldest.is_none_or(|(oldest, _)| key <= oldest) {
            self.oldest = Some((key, end_time));
        }
    }

    /// Removes a stream from the start-time index.
    fn unindex(&mut self, key: StartKey) {
        self.by_start.remove(&key);
        if self.oldest.is_some_and(|(oldest, _)| oldest == key) {
            self.oldest = self.by_start.first().map(|(&first, _)| {
                let record = self.record_of(first.1).expect("indexed stream exists");
                (first, record.end_time())
            });
        }
    }
}

/// The range of `by_broadcaster` holding `account`'s streams, or of `marked` holding
/// the streams `account` marked to watch.
pub(crate) fn streams_of(account: UserNo) -> RangeInclusive<(UserNo, StreamNumber)> {
    (account, StreamNumber::FIRST)..=(account, StreamNumber::LAST)
}

/// The range of an index keyed by (account, account) holding `account`'s entries.
pub(crate) fn accounts_of(account: UserNo) -> RangeInclusive<(UserNo, UserNo)> {
    (account, UserNo::MIN)..=(account, UserNo::MAX)
}

/// The range of the watcher index holding the stream's watchers.
pub(crate) fn watchers_of(number: StreamNumber) -> RangeInclusive<(StreamNumber, UserNo)> {
    (number, UserNo::MIN)..=(number, UserNo::MAX)
}
