use crate::{hashing::KeyHashing, StreamFields, StreamNumber, StreamRecord, UserRecord};
use alloc::{collections::BTreeSet, string::String};
use gstd::{collections::HashMap, ActorId};
use w3bstreaming_io::limits::RETENTION_MS;

/// A stream's place in start-time order: start time, then number (creation order).
pub type StartKey = (u64, StreamNumber);

/// Everything the program stores: streams by number and profiles by account (hash
/// maps: a lookup reads the same two pages of memory whatever their size), the
/// start-time index the live/upcoming queries and pruning walk, and the last stream
/// number given out.
///
/// Writes keep the cross references consistent but do not judge whether an action is
/// allowed: each write states the preconditions the caller has checked, and panics if
/// one does not hold, since that is a bug in the caller, not bad input.
#[derive(Debug, PartialEq, Eq)]
pub struct Schedule {
    pub(crate) streams: HashMap<StreamNumber, StreamRecord, KeyHashing>,
    pub(crate) users: HashMap<ActorId, UserRecord, KeyHashing>,
    pub(crate) by_start: BTreeSet<StartKey>,
    last_number: Option<StreamNumber>,
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
    pub const fn new() -> Self {
        Self {
            streams: HashMap::with_hasher(KeyHashing),
            users: HashMap::with_hasher(KeyHashing),
            by_start: BTreeSet::new(),
            last_number: None,
            oldest: None,
        }
    }

    pub fn user(&self, account: ActorId) -> Option<&UserRecord> {
        self.users.get(&account)
    }

    /// The stream with this id, with its number.
    pub fn stream(&self, id: &str) -> Option<(StreamNumber, &StreamRecord)> {
        let number = StreamNumber::parse_id(id)?;
        let record = self.streams.get(&number)?;
        (record.id == id).then_some((number, record))
    }

    /// The number the next stream scheduled at block time `now` gets, if any is left.
    pub fn next_stream_number(&self, now: u64) -> Option<StreamNumber> {
        StreamNumber::next(now, self.last_number)
    }

    /// Registers `account` or replaces the three fields of its profile.
    pub fn set_profile(
        &mut self,
        account: ActorId,
        name: Option<String>,
        surname: Option<String>,
        img_link: Option<String>,
    ) {
        let user = self.users.entry(account).or_default();
        user.name = name;
        user.surname = surname;
        user.img_link = img_link;
    }

    /// Stores a stream under `number` and returns its id.
    ///
    /// Preconditions: `number` came from [`Schedule::next_stream_number`] and
    /// `broadcaster` is registered.
    pub fn add_stream(
        &mut self,
        number: StreamNumber,
        broadcaster: ActorId,
        fields: StreamFields,
    ) -> String {
        assert!(
            self.last_number < Some(number),
            "stream number {number:?} was already given out"
        );
        let key = (fields.start_time, number);
        let end_time = fields.end_time;
        let user = self
            .users
            .get_mut(&broadcaster)
            .expect("broadcaster is registered");
        user.streams.insert(key);
        let id = number.id(&fields.title);
        self.streams.insert(
            number,
            StreamRecord {
                id: id.clone(),
                broadcaster,
                fields,
                watchers: BTreeSet::new(),
            },
        );
        self.index(key, end_time);
        self.last_number = Some(number);
        id
    }

    /// Replaces a stored stream's fields. Precondition: the stream exists.
    pub fn edit_stream(&mut self, number: StreamNumber, fields: StreamFields) {
        let record = self.streams.get_mut(&number).expect("stream exists");
        let old_key = (record.fields.start_time, number);
        let new_key = (fields.start_time, number);
        let end_time = fields.end_time;
        let broadcaster = record.broadcaster;
        record.fields = fields;
        if old_key != new_key {
            let streams = &mut self
                .users
                .get_mut(&broadcaster)
                .expect("a stream's broadcaster is registered")
                .streams;
            streams.remove(&old_key);
            streams.insert(new_key);
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
        let key = (record.fields.start_time, number);
        self.users
            .get_mut(&record.broadcaster)
            .expect("a stream's broadcaster is registered")
            .streams
            .remove(&key);
        self.unindex(key);
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
        let followed = self.users.get_mut(&account).expect("account is registered");
        assert!(followed.subscribers.insert(follower), "follow is new");
        self.users
            .get_mut(&follower)
            .expect("follower is registered")
            .subscriptions
            .insert(account, now);
    }

    /// Ends `follower` following `account`. Precondition: it follows it.
    pub fn unsubscribe(&mut self, follower: ActorId, account: ActorId) {
        let follower_record = self
            .users
            .get_mut(&follower)
            .expect("follower is registered");
        assert!(
            follower_record.subscriptions.remove(&account).is_some(),
            "follower follows account"
        );
        self.users
            .get_mut(&account)
            .expect("a followed account is registered")
            .subscribers
            .remove(&follower);
    }

    /// Adds `viewer` to a stream's watchers. Preconditions: the stream exists and
    /// `viewer` is not yet a watcher.
    pub fn watch(&mut self, number: StreamNumber, viewer: ActorId) {
        let record = self.streams.get_mut(&number).expect("stream exists");
        assert!(
            record.watchers.insert(viewer),
            "viewer is not yet a watcher"
        );
    }

    /// Removes `viewer` from a stream's watchers. Preconditions: the stream exists and
    /// `viewer` is a watcher.
    pub fn unwatch(&mut self, number: StreamNumber, viewer: ActorId) {
        let record = self.streams.get_mut(&number).expect("stream exists");
        assert!(record.watchers.remove(&viewer), "viewer is a watcher");
    }

    fn index(&mut self, key: StartKey, end_time: u64) {
        self.by_start.insert(key);
        if self.oldest.is_none_or(|(oldest, _)| key <= oldest) {
            self.oldest = Some((key, end_time));
        }
    }

    fn unindex(&mut self, key: StartKey) {
        self.by_start.remove(&key);
        if self.oldest.is_some_and(|(oldest, _)| oldest == key) {
            self.oldest = self.by_start.first().map(|&first| {
                let record = &self.streams[&first.1];
                (first, record.fields.end_time)
            });
        }
    }
}
