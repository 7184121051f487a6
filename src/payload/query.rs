//! Queries as views into the message's bytes, as actions are (see the parent module).
use super::Reader;
use w3bstreaming_state::{CursorRef, QueryRef};

/// Decodes `payload` as `StateQuery::decode_all` would: `None` exactly where it fails.
pub fn decode_query(payload: &[u8]) -> Option<QueryRef<'_>> {
    let mut reader = Reader(payload);
    let query = reader.query()?;
    reader.0.is_empty().then_some(query)
}

impl<'a> Reader<'a> {
    /// A `StateQuery`'s fields, in the order written, which is the payload's order.
    pub(super) fn query(&mut self) -> Option<QueryRef<'a>> {
        Some(match self.decode::<u8>()? {
            0 => QueryRef::Streams,
            1 => QueryRef::Users,
            2 => QueryRef::Stream { id: self.str()? },
            3 => QueryRef::Profile {
                account: self.decode()?,
            },
            4 => QueryRef::IsSubscribed {
                subscriber: self.decode()?,
                broadcaster: self.decode()?,
            },
            5 => QueryRef::BroadcasterStreams {
                broadcaster: self.decode()?,
                after: self.cursor()?,
                limit: self.decode()?,
            },
            6 => QueryRef::LiveStreams {
                at: self.decode()?,
                after: self.cursor()?,
                limit: self.decode()?,
            },
            7 => QueryRef::UpcomingStreams {
                from: self.decode()?,
                after: self.cursor()?,
                limit: self.decode()?,
            },
            8 => QueryRef::Subscribers {
                broadcaster: self.decode()?,
                after: self.decode()?,
                limit: self.decode()?,
            },
            9 => QueryRef::Subscriptions {
                subscriber: self.decode()?,
                after: self.decode()?,
                limit: self.decode()?,
            },
            10 => QueryRef::MarkedStreams {
                watcher: self.decode()?,
                after: self.cursor()?,
                limit: self.decode()?,
            },
            11 => QueryRef::EndedStreams {
                at: self.decode()?,
                after: self.cursor()?,
                limit: self.decode()?,
            },
            12 => QueryRef::ChannelRole {
                broadcaster: self.decode()?,
                account: self.decode()?,
            },
            13 => QueryRef::ChannelRoles {
                broadcaster: self.decode()?,
                after: self.decode()?,
                limit: self.decode()?,
            },
            14 => QueryRef::Tip {
                number: self.decode()?,
            },
            15 => QueryRef::TipsReceived {
                broadcaster: self.decode()?,
                after: self.decode()?,
                limit: self.decode()?,
            },
            _ => return None,
        })
    }

    fn cursor(&mut self) -> Option<Option<CursorRef<'a>>> {
        match self.decode::<u8>()? {
            0 => Some(None),
            1 => Some(Some(CursorRef {
                start_time: self.decode()?,
                id: self.str()?,
            })),
            _ => None,
        }
    }
}
