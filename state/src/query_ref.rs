//! [`QueryRef`]: a query whose strings borrow from where it was read.
use gstd::ActorId;
use w3bstreaming_io::{StateQuery, StreamCursor};

/// A [`StateQuery`] whose strings borrow from the bytes it was read from (the
/// program's payload) or from a `StateQuery`: what
/// [`Schedule::answer`](crate::Schedule::answer) answers, so that reading a query
/// takes no heap.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum QueryRef<'a> {
    Streams,
    Users,
    Stream {
        id: &'a str,
    },
    Profile {
        account: ActorId,
    },
    IsSubscribed {
        subscriber: ActorId,
        broadcaster: ActorId,
    },
    BroadcasterStreams {
        broadcaster: ActorId,
        after: Option<CursorRef<'a>>,
        limit: u32,
    },
    LiveStreams {
        at: u64,
        after: Option<CursorRef<'a>>,
        limit: u32,
    },
    UpcomingStreams {
        from: u64,
        after: Option<CursorRef<'a>>,
        limit: u32,
    },
    Subscribers {
        broadcaster: ActorId,
        after: Option<ActorId>,
        limit: u32,
    },
    Subscriptions {
        subscriber: ActorId,
        after: Option<ActorId>,
        limit: u32,
    },
    MarkedStreams {
        watcher: ActorId,
        after: Option<CursorRef<'a>>,
        limit: u32,
    },
    EndedStreams {
        at: u64,
        after: Option<CursorRef<'a>>,
        limit: u32,
    },
    ChannelRole {
        broadcaster: ActorId,
        account: ActorId,
    },
    ChannelRoles {
        broadcaster: ActorId,
        after: Option<ActorId>,
        limit: u32,
    },
    Tip {
        number: u64,
    },
    TipsReceived {
        broadcaster: ActorId,
        after: Option<u64>,
        limit: u32,
    },
}

/// A [`StreamCursor`] whose id borrows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CursorRef<'a> {
    pub start_time: u64,
    pub id: &'a str,
}

impl<'a> From<&'a StreamCursor> for CursorRef<'a> {
    fn from(cursor: &'a StreamCursor) -> Self {
        CursorRef {
            start_time: cursor.start_time,
            id: &cursor.id,
        }
    }
}

impl<'a> From<&'a StateQuery> for QueryRef<'a> {
    fn from(query: &'a StateQuery) -> Self {
        let cursor = |after: &'a Option<StreamCursor>| after.as_ref().map(CursorRef::from);
        match query {
            StateQuery::Streams => QueryRef::Streams,
            StateQuery::Users => QueryRef::Users,
            StateQuery::Stream { id } => QueryRef::Stream { id },
            &StateQuery::Profile { account } => QueryRef::Profile { account },
            &StateQuery::IsSubscribed {
                subscriber,
                broadcaster,
            } => QueryRef::IsSubscribed {
                subscriber,
                broadcaster,
            },
            StateQuery::BroadcasterStreams {
                broadcaster,
                after,
                limit,
            } => QueryRef::BroadcasterStreams {
                broadcaster: *broadcaster,
                after: cursor(after),
                limit: *limit,
            },
            StateQuery::LiveStreams { at, after, limit } => QueryRef::LiveStreams {
                at: *at,
                after: cursor(after),
                limit: *limit,
            },
            StateQuery::UpcomingStreams { from, after, limit } => QueryRef::UpcomingStreams {
                from: *from,
                after: cursor(after),
                limit: *limit,
            },
            &StateQuery::Subscribers {
                broadcaster,
                after,
                limit,
            } => QueryRef::Subscribers {
                broadcaster,
                after,
                limit,
            },
            &StateQuery::Subscriptions {
                subscriber,
                after,
                limit,
            } => QueryRef::Subscriptions {
                subscriber,
                after,
                limit,
            },
            StateQuery::MarkedStreams {
                watcher,
                after,
                limit,
            } => QueryRef::MarkedStreams {
                watcher: *watcher,
                after: cursor(after),
                limit: *limit,
            },
            StateQuery::EndedStreams { at, after, limit } => QueryRef::EndedStreams {
                at: *at,
                after: cursor(after),
                limit: *limit,
            },
            &StateQuery::ChannelRole {
                broadcaster,
                account,
            } => QueryRef::ChannelRole {
                broadcaster,
                account,
            },
            &StateQuery::ChannelRoles {
                broadcaster,
                after,
                limit,
            } => QueryRef::ChannelRoles {
                broadcaster,
                after,
                limit,
            },
            &StateQuery::Tip { number } => QueryRef::Tip { number },
            &StateQuery::TipsReceived {
                broadcaster,
                after,
                limit,
            } => QueryRef::TipsReceived {
                broadcaster,
                after,
                limit,
            },
        }
    }
}
