use crate::{
    ChunkedMap, FixedMap, StreamEdit, StreamFields, StreamNumber, StreamRecord, UserRecord,
};
use core::ops::RangeInclusive;
use gstd::ActorId;
use w3bstreaming_io::limits::{
    MAX_ACCOUNTS, MAX_FOLLOWS, MAX_STREAMS, MAX_TEXT_BYTES, MAX_WATCHES, RETENTION_MS,
};

/// A stream's place in start-time order: start time, then number (creation order).
pub type StartKey = (u64, StreamNumber);

/// An account's number: the index of its slot in the users table. Accounts are never
/// removed, so the slot and the number are the account's for good. The indices key on
/// numbers rather than 32-byte account ids: their entries are four times smaller (more
/// per memory page) and compare in one instruction.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct UserNo(u32);

impl UserNo {
    const MIN: UserNo = UserNo(0);
    const MAX: UserNo = UserNo(u32::MAX);

    pub(crate) fn of_slot(index: usize) -> Self {
        UserNo(u32::try_from(index).expect("fewer slots than u32::MAX"))
    }
}

/// The totals a [`Schedule`] holds at most.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Capacity {
    pub accounts: usize,
    pub streams: usize,
    pub follows: usize,
    pub watches: usize,
    pub text_bytes: usize,
}

impl Capacity {
    /// The program's totals, from `w3bstreaming_io::limits`.
    pub const LIMITS: Capacity = Capacity {
        accounts: MAX_ACCOUNTS,
        streams: MAX_STREAMS,
        follows: MAX_FOLLOWS,
        watches: MAX_WATCHES,
        text_bytes: MAX_TEXT_BYTES,
    };
}

/// Everything the program stores.
///
/// The layout is chosen for gas, which a Gear program pays mostly per 16 KiB memory
/// page a message reads or writes: profiles and streams sit in the slots of two
/// [`FixedMap`]s, and every list (an account's streams, followers and follows, a
/// stream's watchers, the start-time order) is one ordered index over the whole
/// schedule. So an action writes a fixed handful of pages, whatever the number of
/// accounts and streams and however long any one list grows: its record's slot, and
/// one chunk of each index it changes.
///
/// Writes keep the records and indices consistent but do not judge whether an action
/// is allowed: each write states the preconditions the caller has checked, and panics
/// if one does not hold, since that is a bug in the caller, not bad input.
#[derive(Debug, PartialEq, Eq)]
pub struct Schedule {
    pub(crate) users: FixedMap<ActorId, UserRecord>,
    pub(crate) streams: FixedMap<StreamNumber, StreamRecord>,
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
    last_number: Option<StreamNumber>,
    /// Bytes of text in all records, held within `capacity.text_bytes`.
    text_bytes: usize,
    capacity: Capacity,
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
    pub fn new() -> Self {
        Self::with_capacity(Capacity::LIMITS)
    }

    pub fn with_capacity(capacity: Capacity) -> Self {
        Self {
            users: FixedMap::with_max_len(capacity.accounts),
            streams: FixedMap::with_max_len(capacity.streams),
            by_start: ChunkedMap::new(),
            by_broadcaster: ChunkedMap::new(),
            followers: ChunkedMap::new(),
            follows: ChunkedMap::new(),
            watchers: ChunkedMap::new(),
            marked: ChunkedMap::new(),
            last_number: None,
            text_bytes: 0,
            capacity,
            oldest: None,
        }
    }

    pub fn user(&self, account: ActorId) -> Option<&UserRecord> {
        self.users.get(&account)
    }

    /// The number of a registered account.
    pub fn user_no(&self, account: ActorId) -> Option<UserNo> {
        let index = self.users.index_of(&account)?;
        Some(UserNo(
            u32::try_from(index).expect("fewer slots than u32::MAX"),
        ))
    }

    /// The account with this number. Precondition: the number came from this schedule.
    pub fn account(&self, number: UserNo) -> ActorId {
        let (&account, _) = self
            .users
            .at(number.0 as usize)
            .expect("an account's number names its slot");
        account
    }

    fn registered_no(&self, account: ActorId) -> UserNo {
        self.user_no(account).expect("account is registered")
    }

    /// Whether no new account can be registered.
    pub fn accounts_full(&self) -> bool {
        self.users.is_full()
    }

    /// Whether no new stream can be scheduled.
    pub fn streams_full(&self) -> bool {
        self.streams.is_full()
    }

    /// Whether no new follow can be stored.
    pub fn follows_full(&self) -> bool {
        self.follows.len() >= self.capacity.follows
    }

    /// Whether no new mark to watch can be stored.
    pub fn watches_full(&self) -> bool {
        self.watchers.len() >= self.capacity.watches
    }

    /// Each index by name, with the number of chunks it is kept in.
    pub fn index_chunks(&self) -> [(&'static str, usize); 6] {
        [
            ("by start", self.by_start.chunk_count()),
            ("by broadcaster", self.by_broadcaster.chunk_count()),
            ("followers", self.followers.chunk_count()),
            ("follows", self.follows.chunk_count()),
            ("watchers", self.watchers.chunk_count()),
            ("marked", self.marked.chunk_count()),
        ]
    }

    /// Bytes of text stored in all records.
    pub fn text_bytes(&self) -> usize {
        self.text_bytes
    }

    /// Whether replacing a record's `old` bytes of text with `new` ones stays within
    /// the capacity.
    pub fn text_fits(&self, old: usize, new: usize) -> bool {
        self.text_bytes - old + new <= self.capacity.text_bytes
    }

    /// The stream with this id, with its number.
    pub fn stream(&self, id: &str) -> Option<(StreamNumber, &StreamRecord)> {
        let number = StreamNumber::parse_id(id)?;
        let record = self.streams.get(&number)?;
        (record.id() == id).then_some((number, record))
    }

    /// How many streams `account` has scheduled (at most the per-broadcaster limit, so
    /// counting them reads one or two index leaves).
    pub fn stream_count(&self, account: ActorId) -> usize {
        self.user_no(account).map_or(0, |account| {
            self.by_broadcaster.range(streams_of(account)).count()
        })
    }

    pub fn follows(&self, follower: ActorId, account: ActorId) -> bool {
        match (self.user_no(follower), self.user_no(account)) {
            (Some(follower), Some(account)) => self.follows.contains_key(&(follower, account)),
            _ => false,
        }
    }

    pub fn is_watching(&self, number: StreamNumber, viewer: ActorId) -> bool {
        self.user_no(viewer)
            .is_some_and(|viewer| self.watchers.contains_key(&(number, viewer)))
    }

    /// The number the next stream scheduled at block time `now` gets, if any is left.
    pub fn next_stream_number(&self, now: u64) -> Option<StreamNumber> {
        StreamNumber::next(now, self.last_number)
    }

    /// Registers `account` or replaces the three fields of its profile.
    /// Precondition: `account` is registered, or [`Schedule::accounts_full`] is false.
    pub fn set_profile(
        &mut self,
        account: ActorId,
        name: Option<&str>,
        surname: Option<&str>,
        img_link: Option<&str>,
    ) {
        let user = match self.users.get_mut(&account) {
            Some(user) => {
                self.text_bytes -= user.text_len();
                user.set_text(name, surname, img_link);
                user
            }
            None => {
                let slot = self
                    .users
                    .insert(account, UserRecord::new(name, surname, img_link));
                self.users.at_mut(slot).expect("just stored").1
            }
        };
        self.text_bytes += user.text_len();
    }

    /// Stores a stream under `number` and returns its id.
    ///
    /// Preconditions: `number` came from [`Schedule::next_stream_number`],
    /// `broadcaster` is registered, and [`Schedule::streams_full`] is false.
    pub fn add_stream(
        &mut self,
        number: StreamNumber,
        broadcaster: ActorId,
        fields: StreamFields<'_>,
    ) -> &str {
        assert!(
            self.last_number < Some(number),
            "stream number {number:?} was already given out"
        );
        let broadcaster_no = self.registered_no(broadcaster);
        let key = (fields.start_time, number);
        let end_time = fields.end_time;
        let record = StreamRecord::new(number, broadcaster, broadcaster_no, fields);
        self.text_bytes += record.text_len();
        let slot = self.streams.insert(number, record);
        self.by_broadcaster.insert((broadcaster_no, number), ());
        self.index(key, end_time);
        self.last_number = Some(number);
        let (_, record) = self.streams.at(slot).expect("the stream was just stored");
        record.id()
    }

    /// Edits a stored stream's fields. Precondition: the stream exists.
    pub fn edit_stream(&mut self, number: StreamNumber, edit: &StreamEdit<'_>) {
        let record = self.streams.get_mut(&number).expect("stream exists");
        let old_key = (record.start_time, number);
        self.text_bytes -= record.text_len();
        record.apply(edit);
        self.text_bytes += record.text_len();
        let new_key = (record.start_time, number);
        let end_time = record.end_time;
        if old_key != new_key {
            self.unindex(old_key);
            self.index(new_key, end_time);
        } else if self.oldest.is_some_and(|(oldest, _)| oldest == new_key) {
            self.oldest = Some((new_key, end_time));
        }
    }

    /// Removes a stream, from its broadcaster's list and the index too, and drops its
    /// watchers. Precondition: the stream exists.
    pub fn remove_stream(&mut self, number: StreamNumber) -> StreamRecord {
        let record = self.streams.remove(&number).expect("stream exists");
        self.text_bytes -= record.text_len();
        self.by_broadcaster.remove(&(record.broadcaster_no, number));
        self.unindex((record.start_time, number));
        // The watchers come in viewer order, the order of the marks' index.
        let marks = self.watchers.runs_in(watchers_of(number));
        let marks = marks.flat_map(|run| run.iter().map(|&((_, viewer), ())| (viewer, number)));
        self.marked.remove_sorted(marks);
        self.watchers.remove_range(watchers_of(number));
        record
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

    /// Makes `follower` follow `account` since `now`.
    /// Preconditions: both are registered and distinct, and the follow is new.
    pub fn subscribe(&mut self, follower: ActorId, account: ActorId, now: u64) {
        let follower_no = self.registered_no(follower);
        let account_no = self.registered_no(account);
        assert!(follower_no != account_no, "accounts are distinct");
        assert!(
            self.followers
                .insert((account_no, follower_no), ())
                .is_none(),
            "follow is new"
        );
        self.follows.insert((follower_no, account_no), now);
        self.user_mut(account_no).subscriber_count += 1;
        self.user_mut(follower_no).subscription_count += 1;
    }

    /// Ends `follower` following `account`. Precondition: it follows it.
    pub fn unsubscribe(&mut self, follower: ActorId, account: ActorId) {
        let follower_no = self.registered_no(follower);
        let account_no = self.registered_no(account);
        assert!(
            self.followers.remove(&(account_no, follower_no)).is_some(),
            "follower follows account"
        );
        self.follows.remove(&(follower_no, account_no));
        self.user_mut(account_no).subscriber_count -= 1;
        self.user_mut(follower_no).subscription_count -= 1;
    }

    /// Adds `viewer` to a stream's watchers. Preconditions: the stream exists and
    /// `viewer` is not yet a watcher.
    pub fn watch(&mut self, number: StreamNumber, viewer: ActorId) {
        assert!(self.streams.contains_key(&number), "stream exists");
        let viewer = self.registered_no(viewer);
        assert!(
            self.watchers.insert((number, viewer), ()).is_none(),
            "viewer is not yet a watcher"
        );
        self.marked.insert((viewer, number), ());
    }

    /// Removes `viewer` from a stream's watchers. Precondition: `viewer` is a watcher.
    pub fn unwatch(&mut self, number: StreamNumber, viewer: ActorId) {
        let viewer = self.registered_no(viewer);
        assert!(
            self.watchers.remove(&(number, viewer)).is_some(),
            "viewer is a watcher"
        );
        self.marked.remove(&(viewer, number));
    }

    fn user_mut(&mut self, number: UserNo) -> &mut UserRecord {
        let (_, user) = self
            .users
            .at_mut(number.0 as usize)
            .expect("an account's number names its slot");
        user
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
                let record = self.streams.get(&first.1).expect("indexed stream exists");
                (first, record.end_time)
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
