use crate::{schedule::StartKey, StreamNumber};
use alloc::{
    collections::{BTreeMap, BTreeSet},
    string::String,
    vec::Vec,
};
use gstd::ActorId;
use w3bstreaming_io::{Profile, ProfileSummary, Stream, Subscription};

/// What a broadcaster sets on a stream when scheduling or editing it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StreamFields {
    pub start_time: u64,
    pub end_time: u64,
    pub title: String,
    pub img_link: String,
    pub description: Option<String>,
}

/// A stored stream.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StreamRecord {
    /// The id as issued; it keeps the original title when the title is edited.
    pub(crate) id: String,
    pub(crate) broadcaster: ActorId,
    pub(crate) fields: StreamFields,
    pub(crate) watchers: BTreeSet<ActorId>,
}

impl StreamRecord {
    pub fn id(&self) -> &str {
        &self.id
    }

    pub fn broadcaster(&self) -> ActorId {
        self.broadcaster
    }

    pub fn fields(&self) -> &StreamFields {
        &self.fields
    }

    pub fn is_watched_by(&self, viewer: ActorId) -> bool {
        self.watchers.contains(&viewer)
    }

    /// The stream as clients see it, watchers in account order.
    pub fn to_stream(&self) -> Stream {
        let StreamFields {
            start_time,
            end_time,
            title,
            img_link,
            description,
        } = self.fields.clone();
        Stream {
            broadcaster: self.broadcaster,
            start_time,
            end_time,
            title,
            img_link,
            description,
            watchers: self.watchers.iter().copied().collect(),
        }
    }
}

/// A stored profile.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct UserRecord {
    pub(crate) name: Option<String>,
    pub(crate) surname: Option<String>,
    pub(crate) img_link: Option<String>,
    /// The account's streams in start-time order.
    pub(crate) streams: BTreeSet<StartKey>,
    pub(crate) subscribers: BTreeSet<ActorId>,
    /// Followed account to the block time the follow happened.
    pub(crate) subscriptions: BTreeMap<ActorId, u64>,
}

impl UserRecord {
    pub fn stream_count(&self) -> usize {
        self.streams.len()
    }

    pub fn follows(&self, account: ActorId) -> bool {
        self.subscriptions.contains_key(&account)
    }

    pub(crate) fn to_summary(&self) -> ProfileSummary {
        let count = |len: usize| u32::try_from(len).unwrap_or(u32::MAX);
        ProfileSummary {
            name: self.name.clone(),
            surname: self.surname.clone(),
            img_link: self.img_link.clone(),
            stream_count: count(self.streams.len()),
            subscriber_count: count(self.subscribers.len()),
            subscription_count: count(self.subscriptions.len()),
        }
    }

    pub(crate) fn to_profile(&self, stream_id: impl Fn(StreamNumber) -> String) -> Profile {
        Profile {
            name: self.name.clone(),
            surname: self.surname.clone(),
            img_link: self.img_link.clone(),
            stream_ids: self
                .streams
                .iter()
                .map(|&(_, number)| stream_id(number))
                .collect(),
            subscribers: self.subscribers.iter().copied().collect(),
            subscriptions: self
                .subscriptions
                .iter()
                .map(|(&account_id, &sub_date)| Subscription {
                    account_id,
                    sub_date,
                })
                .collect::<Vec<_>>(),
        }
    }
}
