//! Watch and Unwatch: viewers marking the streams they will watch.

use crate::common::*;
use w3bstreaming_io::{Action, Error, Event};

fn watch(id: &str) -> Action {
    Action::Watch {
        stream_id: id.into(),
    }
}

fn unwatch(id: &str) -> Action {
    Action::Unwatch {
        stream_id: id.into(),
    }
}

#[test]
fn watch_and_unwatch_fill_and_empty_the_watchers() {
    let env = Env::new();
    for account in [ALICE, BOB, CAROL] {
        env.register(account);
    }
    let id = env.schedule(ALICE, "Watched");

    assert_eq!(env.ok(CAROL, watch(&id)), Event::WatchMarked);
    assert_eq!(env.ok(BOB, watch(&id)), Event::WatchMarked);
    assert_eq!(
        env.stream(&id).unwrap().watchers,
        vec![actor(BOB), actor(CAROL)]
    );

    assert_eq!(env.ok(CAROL, unwatch(&id)), Event::WatchUnmarked);
    assert_eq!(env.stream(&id).unwrap().watchers, vec![actor(BOB)]);
    env.ok(CAROL, watch(&id));
    assert_eq!(env.stream(&id).unwrap().watchers.len(), 2);
}

#[test]
fn a_live_stream_may_be_watched() {
    let env = Env::new();
    env.register(ALICE);
    env.register(BOB);
    let now = env.next_block_time();
    let id = env.schedule_at(ALICE, "Live", now, now + HOUR_MS);
    env.ok(BOB, watch(&id));
}

#[test]
fn watch_rejections() {
    let env = Env::new();
    env.register(ALICE);
    env.register(BOB);
    let id = env.schedule(ALICE, "Rules");

    env.rejects(CAROL, watch(&id), Error::NotRegistered);
    env.rejects(BOB, watch(&format!("{id}?")), Error::StreamNotFound);
    env.rejects(ALICE, watch(&id), Error::OwnStream);
    env.ok(BOB, watch(&id));
    env.rejects(BOB, watch(&id), Error::AlreadyWatching);
    assert_eq!(
        env.stream(&id).unwrap().watchers,
        vec![actor(BOB)],
        "no duplicate"
    );
}

#[test]
fn unwatch_rejections() {
    let env = Env::new();
    env.register(ALICE);
    env.register(BOB);
    let id = env.schedule(ALICE, "Rules");

    env.rejects(CAROL, unwatch(&id), Error::NotRegistered);
    env.rejects(BOB, unwatch("1700000000000Missing"), Error::StreamNotFound);
    env.rejects(BOB, unwatch(&id), Error::NotWatching);
    env.rejects(ALICE, unwatch(&id), Error::NotWatching);
}

#[test]
fn an_ended_stream_cannot_be_marked_but_can_be_unmarked() {
    let env = Env::new();
    env.register(ALICE);
    env.register(BOB);
    env.register(CAROL);
    let now = env.next_block_time();
    let id = env.schedule_at(ALICE, "Brief", now, now + 2 * BLOCK_MS);
    env.ok(BOB, watch(&id));
    env.system.run_next_block();
    env.rejects(CAROL, watch(&id), Error::StreamEnded);
    env.ok(BOB, unwatch(&id));
}

#[test]
fn watch_and_unwatch_of_a_deleted_stream_are_not_found() {
    let env = Env::new();
    env.register(ALICE);
    env.register(BOB);
    let id = env.schedule(ALICE, "Deleted");
    env.ok(BOB, watch(&id));
    env.ok(
        ALICE,
        Action::DeleteStream {
            stream_id: id.clone(),
        },
    );
    env.rejects(BOB, watch(&id), Error::StreamNotFound);
    env.rejects(BOB, unwatch(&id), Error::StreamNotFound);
}
