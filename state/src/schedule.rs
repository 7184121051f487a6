use crate::{StreamFields, StreamNumber, StreamRecord, UserRecord};
use alloc::{
    collections::{BTreeMap, BTreeSet},
    string::String,
};
use gstd::ActorId;

/// Everything the program stores: streams by number, profiles by account, and the last
/// stream number given out.
///
/// Writes keep the cross references consistent but do not judge whether an action is
/// allowed: each write states the preconditions the caller has checked, and panics if
/// one does not hold, since that is a bug in the caller, not bad input.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Schedule {
    pub(crate) streams: BTreeMap<StreamNumber, StreamRecord>,
    pub(crate) users: BTreeMap<ActorId, UserRecord>,
    last_number: Option<StreamNumber>,
}

impl Schedule {
    pub const fn new() -> Self {
        Self {
            streams: BTreeMap::new(),
            users: BTreeMap::new(),
            last_number: None,
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
        let user = self
            .users
            .get_mut(&broadcaster)
            .expect("broadcaster is registered");
        user.streams.insert(number);
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
        self.last_number = Some(number);
        id
    }

    /// Replaces a stored stream's fields. Precondition: the stream exists.
    pub fn edit_stream(&mut self, number: StreamNumber, fields: StreamFields) {
        self.streams.get_mut(&number).expect("stream exists").fields = fields;
    }

    /// Removes a stream, from its broadcaster's list too, and drops its watchers.
    /// Precondition: the stream exists.
    pub fn remove_stream(&mut self, number: StreamNumber) -> StreamRecord {
        let record = self.streams.remove(&number).expect("stream exists");
        self.users
            .get_mut(&record.broadcaster)
            .expect("a stream's broadcaster is registered")
            .streams
            .remove(&number);
        record
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
}
