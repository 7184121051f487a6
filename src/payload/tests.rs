//! The views decode and encode exactly as `Action`, `StateQuery` and `Event` do.
extern crate std;

use super::*;
use gstd::codec::{DecodeAll, Encode};
use w3bstreaming_io::{Action, ChannelRole, Event, StateQuery, StreamCursor};

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
        &Action::SetChannelRole { account_id, role } => {
            ActionRef::SetChannelRole { account_id, role }
        }
        Action::Tip { stream_id, message } => ActionRef::Tip { stream_id, message },
        Action::Query(query) => return Request::Query(query.into()),
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
        Action::SetChannelRole {
            account_id: ActorId::new([5; 32]),
            role: Some(ChannelRole::Moderator),
        },
        Action::SetChannelRole {
            account_id: ActorId::new([6; 32]),
            role: Some(ChannelRole::Banned),
        },
        Action::SetChannelRole {
            account_id: ActorId::new([8; 32]),
            role: None,
        },
        Action::Tip {
            stream_id: "1700000000000Live".into(),
            message: long.clone(),
        },
        Action::Tip {
            stream_id: String::new(),
            message: String::new(),
        },
    ]
    .into_iter()
    .chain(every_query().into_iter().map(Action::Query))
    .collect()
}

/// Every query, each list with and without a cursor.
fn every_query() -> Vec<StateQuery> {
    let (a, b) = (ActorId::new([3; 32]), ActorId::new([0xfe; 32]));
    let cursor = Some(StreamCursor {
        start_time: 7,
        id: "1700000000000Live".into(),
    });
    let mut queries = vec![
        StateQuery::Streams,
        StateQuery::Users,
        StateQuery::Stream {
            id: "ü".repeat(40)
        },
        StateQuery::Profile { account: a },
        StateQuery::IsSubscribed {
            subscriber: a,
            broadcaster: b,
        },
        StateQuery::ChannelRole {
            broadcaster: a,
            account: b,
        },
        StateQuery::Tip { number: u64::MAX },
    ];
    for after in [None, cursor] {
        let limit = u32::MAX;
        queries.extend([
            StateQuery::BroadcasterStreams {
                broadcaster: a,
                after: after.clone(),
                limit,
            },
            StateQuery::LiveStreams {
                at: u64::MAX,
                after: after.clone(),
                limit: 0,
            },
            StateQuery::UpcomingStreams {
                from: 5,
                after: after.clone(),
                limit: 20,
            },
            StateQuery::MarkedStreams {
                watcher: b,
                after: after.clone(),
                limit,
            },
            StateQuery::EndedStreams {
                at: 1,
                after,
                limit: 3,
            },
        ]);
    }
    for after in [None, Some(3)] {
        queries.push(StateQuery::TipsReceived {
            broadcaster: b,
            after,
            limit: 7,
        });
    }
    for after in [None, Some(b)] {
        queries.extend([
            StateQuery::Subscribers {
                broadcaster: a,
                after,
                limit: 100,
            },
            StateQuery::Subscriptions {
                subscriber: b,
                after,
                limit: 1,
            },
            StateQuery::ChannelRoles {
                broadcaster: a,
                after,
                limit: 7,
            },
        ]);
    }
    queries
}

/// What the `state` export reads: every query, every prefix of it and every
/// one-byte change decode as `StateQuery::decode_all` decodes them.
#[test]
fn damaged_queries_are_read_exactly_as_state_query_reads_them() {
    for query in every_query() {
        let bytes = query.encode();
        assert_eq!(decode_query(&bytes), Some((&query).into()));
        let check = |bytes: &[u8]| {
            let owned = StateQuery::decode_all(&mut &bytes[..]).ok();
            assert_eq!(
                decode_query(bytes),
                owned.as_ref().map(QueryRef::from),
                "{bytes:?}"
            );
        };
        for len in 0..bytes.len() {
            check(&bytes[..len]);
        }
        for at in 0..bytes.len() {
            for value in [
                0, 1, 2, 3, 4, 11, 12, 0x3f, 0x40, 0x7f, 0x80, 0xc0, 0xfc, 0xff,
            ] {
                let mut damaged = bytes.clone();
                damaged[at] = value;
                check(&damaged);
            }
        }
        let mut longer = bytes;
        longer.push(0);
        check(&longer);
    }
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
        (EventRef::ChannelRoleSet, Event::ChannelRoleSet),
        (
            EventRef::Tipped { number: u64::MAX },
            Event::Tipped { number: u64::MAX },
        ),
    ] {
        assert_eq!(view.encode(), event.encode(), "{view:?}");
    }
}
