//! Actions and events as views into the message's bytes, so that handling a message
//! allocates nothing it does not store.
//!
//! Why: the program reads its payload into a stack buffer, and stack pages cost no gas.
//! Decoding an [`Action`](w3bstreaming_io::Action) the usual way copies each string
//! into the heap, and freeing those copies afterwards scatters small free chunks over
//! the heap, so later records land on more pages than they need. The views here decode and encode exactly as
//! `Action` and `Event` do (the tests below hold them to it).
use gstd::{
    codec::{Compact, Decode, DecodeAll},
    prelude::*,
    ActorId,
};
use w3bstreaming_io::{StateQuery, QUERY_INDEX};
use w3bstreaming_state::{ProfileFields, StreamEdit, StreamFields};

/// What a message to `handle` asks for: an action that may change the schedule, or
/// a query that only reads it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Request<'a> {
    Action(ActionRef<'a>),
    /// [`Action::Query`](w3bstreaming_io::Action::Query). Its few strings (a stream
    /// id, a cursor) are decoded into the heap: a query stores nothing, and is usually
    /// run as a dry run.
    Query(StateQuery),
}

impl<'a> Request<'a> {
    /// Decodes `payload` as `Action::decode_all` would: `None` exactly where it fails.
    pub fn decode(payload: &'a [u8]) -> Option<Self> {
        match payload.split_first()? {
            (&QUERY_INDEX, mut query) => {
                StateQuery::decode_all(&mut query).ok().map(Request::Query)
            }
            _ => ActionRef::decode(payload).map(Request::Action),
        }
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
    StreamIsScheduled { id: &'a str },
    StreamDeleted { id: &'a str },
    StreamEdited,
    Subscribed,
    ProfileEdited,
    Unsubscribed,
    WatchMarked,
    WatchUnmarked,
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
mod tests {
    extern crate std;

    use super::*;
    use w3bstreaming_io::{Action, Event};

    /// The request a payload holding `action` should decode to.
    fn view_of(action: &Action) -> Request<'_> {
        Request::Action(match action {
            Action::NewStream {
                title,
                description,
                start_time,
                end_time,
                img_link,
            } => ActionRef::NewStream(StreamFields {
                title,
                description: description.as_deref(),
                start_time: *start_time,
                end_time: *end_time,
                img_link,
            }),
            Action::DeleteStream { stream_id } => ActionRef::DeleteStream { stream_id },
            Action::EditStream {
                stream_id,
                start_time,
                end_time,
                title,
                img_link,
                description,
            } => ActionRef::EditStream {
                stream_id,
                edit: StreamEdit {
                    start_time: *start_time,
                    end_time: *end_time,
                    title: title.as_deref(),
                    img_link: img_link.as_deref(),
                    description: description.as_deref(),
                },
            },
            Action::Subscribe { account_id } => ActionRef::Subscribe {
                account_id: *account_id,
            },
            Action::EditProfile {
                name,
                surname,
                img_link,
            } => ActionRef::EditProfile(ProfileFields {
                name: name.as_deref(),
                surname: surname.as_deref(),
                img_link: img_link.as_deref(),
            }),
            Action::Unsubscribe { account_id } => ActionRef::Unsubscribe {
                account_id: *account_id,
            },
            Action::Watch { stream_id } => ActionRef::Watch { stream_id },
            Action::Unwatch { stream_id } => ActionRef::Unwatch { stream_id },
            Action::Query(query) => return Request::Query(query.clone()),
        })
    }

    fn every_action() -> Vec<Action> {
        let long = "ü".repeat(40);
        vec![
            Action::NewStream {
                title: "Live".into(),
                description: Some(long.clone()),
                start_time: 1_700_000_000_000,
                end_time: u64::MAX,
                img_link: String::new(),
            },
            Action::NewStream {
                title: long.clone(),
                description: None,
                start_time: 0,
                end_time: 1,
                img_link: "https://example.com/x.png".into(),
            },
            Action::DeleteStream {
                stream_id: "1700000000000Live".into(),
            },
            Action::EditStream {
                stream_id: "1700000000000Live".into(),
                start_time: Some(5),
                end_time: None,
                title: None,
                img_link: Some("x".repeat(20_000)),
                description: Some(String::new()),
            },
            Action::Subscribe {
                account_id: ActorId::new([7; 32]),
            },
            Action::EditProfile {
                name: Some("Ann".into()),
                surname: None,
                img_link: Some("a".repeat(70_000)),
            },
            Action::EditProfile {
                name: None,
                surname: None,
                img_link: None,
            },
            Action::Unsubscribe {
                account_id: ActorId::new([9; 32]),
            },
            Action::Watch {
                stream_id: long.clone(),
            },
            Action::Unwatch {
                stream_id: "x".into(),
            },
            Action::Query(StateQuery::Users),
            Action::Query(StateQuery::Stream { id: long.clone() }),
            Action::Query(StateQuery::UpcomingStreams {
                from: 5,
                after: Some(w3bstreaming_io::StreamCursor {
                    start_time: 7,
                    id: "1700000000000Live".into(),
                }),
                limit: 20,
            }),
        ]
    }

    #[test]
    fn every_action_decodes_as_the_action_it_encodes() {
        for action in every_action() {
            let bytes = action.encode();
            assert_eq!(Request::decode(&bytes), Some(view_of(&action)));
        }
    }

    /// Every prefix, every one-byte change and a trailing byte of each action: the
    /// view accepts exactly what `Action::decode_all` accepts, as the same action.
    #[test]
    fn damaged_payloads_are_refused_exactly_as_action_refuses_them() {
        let mut checked = 0;
        let mut check = |bytes: &[u8]| {
            let owned = Action::decode_all(&mut &bytes[..]).ok();
            let view = Request::decode(bytes);
            assert_eq!(view, owned.as_ref().map(view_of), "{bytes:?}");
            checked += 1;
        };
        for action in every_action() {
            let bytes = action.encode();
            for len in 0..bytes.len().min(300) {
                check(&bytes[..len]);
            }
            for at in 0..bytes.len().min(80) {
                for value in [0, 1, 2, 3, 4, 0x3f, 0x40, 0x7f, 0x80, 0xc0, 0xfc, 0xff] {
                    let mut damaged = bytes.clone();
                    damaged[at] = value;
                    check(&damaged);
                }
            }
            let mut longer = bytes.clone();
            longer.push(0);
            check(&longer);
        }
        assert!(checked > 5_000);
    }

    #[test]
    fn every_event_encodes_as_the_event_it_stands_for() {
        let id = "1700000000000Live";
        for (view, event) in [
            (
                EventRef::StreamIsScheduled { id },
                Event::StreamIsScheduled { id: id.into() },
            ),
            (
                EventRef::StreamDeleted { id: "ü" },
                Event::StreamDeleted { id: "ü".into() },
            ),
            (EventRef::StreamEdited, Event::StreamEdited),
            (EventRef::Subscribed, Event::Subscribed),
            (EventRef::ProfileEdited, Event::ProfileEdited),
            (EventRef::Unsubscribed, Event::Unsubscribed),
            (EventRef::WatchMarked, Event::WatchMarked),
            (EventRef::WatchUnmarked, Event::WatchUnmarked),
        ] {
            assert_eq!(view.encode(), event.encode(), "{view:?}");
        }
    }
}
