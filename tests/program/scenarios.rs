//! The two scenarios the original w3bstreaming documentation walks through.

use crate::common::*;
use w3bstreaming_io::{Action, Error, Event};

/// Register, schedule, edit, delete: the documented lifecycle of a stream.
#[test]
fn a_stream_is_scheduled_edited_and_deleted() {
    let env = Env::new();
    env.ok(
        ALICE,
        edit_profile(Some("Ann"), Some("Lee"), Some("ann.png")),
    );
    let now = env.next_block_time();
    let start = now + HOUR_MS;
    let reply = env.ok(ALICE, new_stream("Launch", start, start + HOUR_MS));
    let id = format!("{now}Launch");
    assert_eq!(reply, Event::StreamIsScheduled { id: id.clone() });

    let edit = Action::EditStream {
        stream_id: id.clone(),
        start_time: Some(start + HOUR_MS),
        end_time: Some(start + 3 * HOUR_MS),
        title: Some("Launch, later".into()),
        img_link: Some("banner2.png".into()),
        description: Some("moved".into()),
    };
    assert_eq!(env.ok(ALICE, edit), Event::StreamEdited);
    let stream = env.stream(&id).unwrap();
    assert_eq!(
        (
            stream.start_time,
            stream.end_time,
            stream.title.as_str(),
            stream.img_link.as_str()
        ),
        (
            start + HOUR_MS,
            start + 3 * HOUR_MS,
            "Launch, later",
            "banner2.png"
        )
    );
    assert_eq!(stream.description.as_deref(), Some("moved"));

    let reply = env.ok(
        ALICE,
        Action::DeleteStream {
            stream_id: id.clone(),
        },
    );
    assert_eq!(reply, Event::StreamDeleted { id });
    assert!(env.streams().is_empty());
    assert!(env.profile(ALICE).unwrap().stream_ids.is_empty());
}

/// An unregistered account and a registered one that does not own the stream are
/// refused, and nothing changes.
#[test]
fn unregistered_and_non_broadcaster_users_are_refused() {
    let env = Env::new();
    env.register(ALICE);
    let id = env.schedule(ALICE, "Guarded");
    let now = env.next_block_time();

    env.rejects(
        BOB,
        new_stream("Mine", now + HOUR_MS, now + 2 * HOUR_MS),
        Error::NotRegistered,
    );
    env.rejects(
        BOB,
        Action::DeleteStream {
            stream_id: id.clone(),
        },
        Error::NotRegistered,
    );
    env.rejects(BOB, edit_nothing(&id), Error::NotRegistered);
    env.rejects(
        BOB,
        Action::Subscribe {
            account_id: actor(ALICE),
        },
        Error::NotRegistered,
    );
    env.rejects(
        ALICE,
        Action::Subscribe {
            account_id: actor(BOB),
        },
        Error::AccountNotFound,
    );

    env.register(BOB);
    env.rejects(
        BOB,
        Action::DeleteStream {
            stream_id: id.clone(),
        },
        Error::NotBroadcaster,
    );
    env.rejects(BOB, edit_nothing(&id), Error::NotBroadcaster);
    assert_eq!(env.stream(&id).unwrap().broadcaster, actor(ALICE));
}
