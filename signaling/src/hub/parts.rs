//! What one connection takes part in, and the shared keys of the maps that list
//! connections by stream.
use serde::{Deserialize, Serialize};
use std::{
    collections::{BTreeMap, HashMap},
    sync::Arc,
};
use w3bstreaming_keys::AccountId;

/// What one connection takes part in: the index by connection, so that its events
/// and its disconnect find their streams without looking through every live one.
#[derive(Debug, Default, Serialize, Deserialize)]
pub(super) struct Part {
    /// The stream it broadcasts (one account per connection, one stream per account).
    pub(super) broadcasts: Option<String>,
    /// The streams it watches, with the account watching.
    pub(super) watches: BTreeMap<String, AccountId>,
    /// The streams whose status it hears: the same strings as the keys of
    /// `Hub::listeners`, so that a listened id is held once however many listen to it.
    #[serde(skip)]
    pub(super) listens: Vec<Arc<str>>,
    /// The stream whose chat it reads: a key of `Hub::chat_readers`.
    #[serde(skip)]
    pub(super) reads_chat: Option<Arc<str>>,
}

impl Part {
    pub(super) fn is_empty(&self) -> bool {
        self.broadcasts.is_none()
            && self.watches.is_empty()
            && self.listens.is_empty()
            && self.reads_chat.is_none()
    }
}

/// `id` as a key of `map`: the one already there if any, so that an id many
/// connections hold is held once.
pub(super) fn shared_key<V>(map: &HashMap<Arc<str>, V>, id: &str) -> Arc<str> {
    match map.get_key_value(id) {
        Some((shared, _)) => shared.clone(),
        None => Arc::from(id),
    }
}

/// Takes `conn` out of the list at `key`, and the list once it is empty.
pub(super) fn take_out<C: PartialEq>(map: &mut HashMap<Arc<str>, Vec<C>>, key: &str, conn: C) {
    if let Some(conns) = map.get_mut(key) {
        conns.retain(|held| *held != conn);
        if conns.is_empty() {
            map.remove(key);
        }
    }
}
