//! Actions and events as views into the message's bytes, so that handling a message
//! allocates nothing it does not store.
//!
//! Why: the program reads its payload into a stack buffer, and stack pages cost no gas.
//! Decoding an [`Action`](w3bstreaming_io::Action) the usual way copies each string
//! into the heap, and freeing those copies afterwards scatters small free chunks over
//! the heap, so later records land on more pages than they need. The views here decode and encode exactly as
//! `Action` and `Event` do (the tests below hold them to it).
mod query;

pub use query::decode_query;

use gstd::{
    codec::{Compact, Decode},
    prelude::*,
    ActorId,
};
use w3bstreaming_io::{ChannelRole, QUERY_INDEX};
use w3bstreaming_state::{ProfileFields, QueryRef, StreamEdit, StreamFields};

/// What a message to `handle` asks for: an action that may change the schedule, or
/// a query that only reads it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Request<'a> {
    Action(ActionRef<'a>),
    /// [`Action::Query`](w3bstreaming_io::Action::Query).
    Query(QueryRef<'a>),
}

impl<'a> Request<'a> {
    /// Decodes `payload` as `Action::decode_all` would: `None` exactly where it fails.
    pub fn decode(payload: &'a [u8]) -> Option<Self> {
        match payload.split_first()? {
            (&QUERY_INDEX, query) => decode_query(query).map(Request::Query),
            _ => ActionRef::decode(payload).map(Request::Action),
        }
    }

    /// Whether the request may carry value: a tip does, and nothing else, which
    /// would leave the value in the program.
    pub fn takes_value(&self) -> bool {
        matches!(self, Request::Action(ActionRef::Tip { .. }))
    }
}

/// An `Action` whose strings borrow from the payload, its fields already the
/// schedule's own structs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ActionRef<'a> {
    NewStream(StreamFields<'a>),
    DeleteStream {
        stream_id: &'a str,
    },
    EditStream {
        stream_id: &'a str,
        edit: StreamEdit<'a>,
    },
    Subscribe {
        account_id: ActorId,
    },
    EditProfile(ProfileFields<'a>),
    Unsubscribe {
        account_id: ActorId,
    },
    Watch {
        stream_id: &'a str,
    },
    Unwatch {
        stream_id: &'a str,
    },
    SetChannelRole {
        account_id: ActorId,
        role: Option<ChannelRole>,
    },
    Tip {
        stream_id: &'a str,
        message: &'a str,
    },
}

impl<'a> ActionRef<'a> {
    /// Decodes `payload` as `Action::decode_all` would for every action but
    /// `Action::Query` (which [`Request::decode`] reads): `None` where it fails.
    /// Struct fields are read in the order written, which is the payload's order.
    fn decode(payload: &'a [u8]) -> Option<Self> {
        let mut reader = Reader(payload);
        let action = match reader.decode::<u8>()? {
            0 => ActionRef::NewStream(StreamFields {
                title: reader.str()?,
                description: reader.option_str()?,
                start_time: reader.decode()?,
                end_time: reader.decode()?,
                img_link: reader.str()?,
            }),
            1 => ActionRef::DeleteStream {
                stream_id: reader.str()?,
            },
            2 => ActionRef::EditStream {
                stream_id: reader.str()?,
                edit: StreamEdit {
                    start_time: reader.decode()?,
                    end_time: reader.decode()?,
                    title: reader.option_str()?,
                    img_link: reader.option_str()?,
                    description: reader.option_str()?,
                },
            },
            3 => ActionRef::Subscribe {
                account_id: reader.decode()?,
            },
            4 => ActionRef::EditProfile(ProfileFields {
                name: reader.option_str()?,
                surname: reader.option_str()?,
                img_link: reader.option_str()?,
            }),
            5 => ActionRef::Unsubscribe {
                account_id: reader.decode()?,
            },
            6 => ActionRef::Watch {
                stream_id: reader.str()?,
            },
            7 => ActionRef::Unwatch {
                stream_id: reader.str()?,
            },
            9 => ActionRef::SetChannelRole {
                account_id: reader.decode()?,
                role: reader.decode()?,
            },
            10 => ActionRef::Tip {
                stream_id: reader.str()?,
                message: reader.str()?,
            },
            _ => return None,
        };
        reader.0.is_empty().then_some(action)
    }
}

/// An `Event` whose id borrows from the payload or the schedule; it encodes to the
/// same bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Encode)]
#[codec(crate = gstd::codec)]
pub enum EventRef<'a> {
    StreamIsScheduled {
        id: &'a str,
    },
    StreamDeleted {
        id: &'a str,
    },
    StreamEdited,
    Subscribed,
    ProfileEdited,
    Unsubscribed,
    WatchMarked,
    WatchUnmarked,
    /// After `Event::QueryReply`, which a query's reply writes itself.
    #[codec(index = 9)]
    ChannelRoleSet,
    #[codec(index = 10)]
    Tipped {
        number: u64,
    },
}

/// The unread rest of a SCALE-encoded payload. parity-scale-codec reads what has a
/// fixed size; only what borrows the payload, its strings, is read here.
struct Reader<'a>(&'a [u8]);

impl<'a> Reader<'a> {
    fn decode<T: Decode>(&mut self) -> Option<T> {
        T::decode(&mut self.0).ok()
    }

    fn str(&mut self) -> Option<&'a str> {
        let Compact(len) = self.decode::<Compact<u32>>()?;
        let len = usize::try_from(len)
            .ok()
            .filter(|&len| len <= self.0.len())?;
        let (bytes, rest) = self.0.split_at(len);
        self.0 = rest;
        core::str::from_utf8(bytes).ok()
    }

    fn option_str(&mut self) -> Option<Option<&'a str>> {
        match self.decode::<u8>()? {
            0 => Some(None),
            1 => self.str().map(Some),
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests;
