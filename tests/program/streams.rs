//! NewStream, EditStream and DeleteStream.

use crate::common::*;
use w3bstreaming_io::{limits::*, Action, Error, Event, Field, Stream};

#[test]
fn new_stream_is_stored_under_block_time_and_title() {
    let env = Env::new();
    env.register(ALICE);
    let now = env.next_block_time();
    let reply = env.ok(
        ALICE,
        new_stream("Rust live", now + HOUR_MS, now + 2 * HOUR_MS),
    );
    let id = format!("{now}Rust live");
    assert_eq!(reply, Event::StreamIsScheduled { id: id.clone() });
    assert_eq!(
        env.streams(),
        vec![(
            id.clone(),
            Stream {
                broadcaster: actor(ALICE),
                start_time: now + HOUR_MS,
                end_time: now + 2 * HOUR_MS,
                title: "Rust live".into(),
                img_link: "https://example.com/banner.png".into(),
                description: Some("about Rust live".into()),
                watchers: vec![],
            }
        )]
    );
    assert_eq!(env.profile(ALICE).unwrap().stream_ids, vec![id]);
}

#[test]
fn same_title_in_one_block_from_one_user_gives_two_streams() {
    let env = Env::new();
    env.register(ALICE);
    let now = env.next_block_time();
    let action = new_stream("Twice", now + HOUR_MS, now + 2 * HOUR_MS);
    let replies = env.send_block(&[(ALICE, action.clone()), (ALICE, action)]);
    assert_eq!(
        replies,
        vec![
            Ok(Event::StreamIsScheduled {
                id: format!("{now}Twice")
            }),
            Ok(Event::StreamIsScheduled {
                id: format!("{}Twice", now + 1)
            }),
        ]
    );
    let ids: Vec<_> = env.streams().into_iter().map(|(id, _)| id).collect();
    assert_eq!(
        ids,
        vec![format!("{now}Twice"), format!("{}Twice", now + 1)]
    );
    assert_eq!(env.profile(ALICE).unwrap().stream_ids, ids);
}

#[test]
fn same_title_in_one_block_from_two_users_gives_each_their_own_stream() {
    let env = Env::new();
    env.register(ALICE);
    env.register(BOB);
    let now = env.next_block_time();
    let action = new_stream("Same", now + HOUR_MS, now + 2 * HOUR_MS);
    let replies = env.send_block(&[(ALICE, action.clone()), (BOB, action)]);
    let [Ok(Event::StreamIsScheduled { id: alice_id }), Ok(Event::StreamIsScheduled { id: bob_id })] =
        replies.as_slice()
    else {
        panic!("{replies:?}");
    };
    assert_ne!(alice_id, bob_id);
    assert_eq!(env.stream(alice_id).unwrap().broadcaster, actor(ALICE));
    assert_eq!(env.stream(bob_id).unwrap().broadcaster, actor(BOB));
    assert_eq!(
        env.profile(ALICE).unwrap().stream_ids,
        vec![alice_id.clone()]
    );
    assert_eq!(env.profile(BOB).unwrap().stream_ids, vec![bob_id.clone()]);
}

#[test]
fn an_id_is_never_given_again_after_its_stream_is_deleted() {
    let env = Env::new();
    env.register(ALICE);
    let now = env.next_block_time();
    let action = new_stream("Again", now + HOUR_MS, now + 2 * HOUR_MS);
    let first = format!("{now}Again");
    let replies = env.send_block(&[
        (ALICE, action.clone()),
        (
            ALICE,
            Action::DeleteStream {
                stream_id: first.clone(),
            },
        ),
        (ALICE, action),
    ]);
    assert_eq!(replies[1], Ok(Event::StreamDeleted { id: first.clone() }));
    let Ok(Event::StreamIsScheduled { id: second }) = &replies[2] else {
        panic!("{replies:?}");
    };
    assert_ne!(second, &first);
    assert_eq!(env.streams().len(), 1);
}

#[test]
fn titles_starting_with_digits_keep_ids_apart() {
    let env = Env::new();
    env.register(ALICE);
    let now = env.next_block_time();
    // Without fixed-width numbers, "<now>" + "1x" and "<now+1>" + "x" could coincide.
    let replies = env.send_block(&[
        (ALICE, new_stream("1x", now + HOUR_MS, now + 2 * HOUR_MS)),
        (ALICE, new_stream("x", now + HOUR_MS, now + 2 * HOUR_MS)),
    ]);
    let ids: Vec<_> = env.streams().into_iter().map(|(id, _)| id).collect();
    assert_eq!(ids.len(), 2, "{replies:?}");
    assert_ne!(ids[0], ids[1]);
    for (id, stream) in env.streams() {
        assert!(id.ends_with(&stream.title));
    }
}

#[test]
fn stream_strings_may_reach_their_limits() {
    let env = Env::new();
    env.register(ALICE);
    let now = env.next_block_time();
    let title = "t".repeat(MAX_TITLE_LEN);
    let action = Action::NewStream {
        title: title.clone(),
        description: Some("d".repeat(MAX_DESCRIPTION_LEN)),
        start_time: now,
        end_time: now + HOUR_MS,
        img_link: "l".repeat(MAX_LINK_LEN),
    };
    assert_eq!(
        env.ok(ALICE, action),
        Event::StreamIsScheduled {
            id: format!("{now}{title}")
        }
    );
}

#[test]
fn stream_strings_one_byte_over_their_limits_are_rejected() {
    let env = Env::new();
    env.register(ALICE);
    let now = env.next_block_time();
    let base = |title: String, description: Option<String>, img_link: String| Action::NewStream {
        title,
        description,
        start_time: now + HOUR_MS,
        end_time: now + 2 * HOUR_MS,
        img_link,
    };
    let ok_title = || "t".into();
    let ok_link = || "l".into();
    env.rejects(
        ALICE,
        base("t".repeat(MAX_TITLE_LEN + 1), None, ok_link()),
        Error::TooLong(Field::Title),
    );
    env.rejects(
        ALICE,
        base(
            ok_title(),
            Some("d".repeat(MAX_DESCRIPTION_LEN + 1)),
            ok_link(),
        ),
        Error::TooLong(Field::Description),
    );
    env.rejects(
        ALICE,
        base(ok_title(), None, "l".repeat(MAX_LINK_LEN + 1)),
        Error::TooLong(Field::ImgLink),
    );
    env.rejects(
        ALICE,
        base(String::new(), None, ok_link()),
        Error::EmptyTitle,
    );
    env.rejects(
        ALICE,
        base(" \t\n".into(), None, ok_link()),
        Error::EmptyTitle,
    );
}

#[test]
fn stream_times_are_checked_against_each_other_and_the_block_time() {
    let env = Env::new();
    env.register(ALICE);
    let now = env.next_block_time();
    let times = |start: u64, end: u64| new_stream("Times", start, end);

    env.rejects(
        ALICE,
        times(now + HOUR_MS, now + HOUR_MS),
        Error::EndNotAfterStart,
    );
    env.rejects(ALICE, times(now + HOUR_MS, now), Error::EndNotAfterStart);
    // Every rejected message runs a block later: the block time moves by BLOCK_MS.
    let now = env.next_block_time();
    env.rejects(ALICE, times(now - HOUR_MS, now), Error::EndInPast);
    let now = env.next_block_time();
    env.rejects(
        ALICE,
        times(now, now + MAX_STREAM_DURATION_MS + 1),
        Error::StreamTooLong,
    );
    let now = env.next_block_time();
    let far = now + MAX_SCHEDULE_AHEAD_MS + 1;
    env.rejects(ALICE, times(far, far + HOUR_MS), Error::StartTooFarAhead);

    // The bounds themselves are allowed, and a stream may be scheduled while live.
    let now = env.next_block_time();
    env.ok(ALICE, times(now - HOUR_MS, now + 1));
    let now = env.next_block_time();
    env.ok(ALICE, times(now, now + MAX_STREAM_DURATION_MS));
    let now = env.next_block_time();
    let farthest = now + MAX_SCHEDULE_AHEAD_MS;
    env.ok(ALICE, times(farthest, farthest + HOUR_MS));
}

#[test]
fn new_stream_needs_a_profile() {
    let env = Env::new();
    let now = env.next_block_time();
    env.rejects(
        ALICE,
        new_stream("Nobody", now + HOUR_MS, now + 2 * HOUR_MS),
        Error::NotRegistered,
    );
}

#[test]
fn a_broadcaster_may_have_at_most_the_limit_of_streams() {
    let env = Env::new();
    env.register(ALICE);
    let now = env.next_block_time();
    let action = new_stream("Many", now + HOUR_MS, now + 2 * HOUR_MS);
    let replies = env.send_block(&vec![(ALICE, action); MAX_STREAMS_PER_BROADCASTER]);
    assert!(replies.iter().all(Result::is_ok), "{replies:?}");
    assert_eq!(
        env.profile(ALICE).unwrap().stream_ids.len(),
        MAX_STREAMS_PER_BROADCASTER
    );

    let now = env.next_block_time();
    env.rejects(
        ALICE,
        new_stream("One more", now + HOUR_MS, now + 2 * HOUR_MS),
        Error::TooManyStreams,
    );

    // Deleting one makes room again.
    let first = env.profile(ALICE).unwrap().stream_ids[0].clone();
    env.ok(ALICE, Action::DeleteStream { stream_id: first });
    env.schedule(ALICE, "One more");
}

#[test]
fn edit_stream_changes_given_fields_and_replaces_the_description() {
    let env = Env::new();
    env.register(ALICE);
    let id = env.schedule(ALICE, "Before");
    let before = env.stream(&id).unwrap();

    let reply = env.ok(
        ALICE,
        Action::EditStream {
            stream_id: id.clone(),
            start_time: None,
            end_time: Some(before.end_time + HOUR_MS),
            title: Some("After".into()),
            img_link: None,
            description: Some("new".into()),
        },
    );
    assert_eq!(reply, Event::StreamEdited);
    let after = env
        .stream(&id)
        .expect("the id stays the same after a title edit");
    assert_eq!(
        after,
        Stream {
            end_time: before.end_time + HOUR_MS,
            title: "After".into(),
            description: Some("new".into()),
            ..before.clone()
        }
    );

    env.ok(ALICE, edit_nothing(&id));
    assert_eq!(
        env.stream(&id).unwrap(),
        Stream {
            description: None,
            ..after
        }
    );
}

#[test]
fn edit_stream_checks_the_edited_stream() {
    let env = Env::new();
    env.register(ALICE);
    let id = env.schedule(ALICE, "Checked");
    let stream = env.stream(&id).unwrap();
    let edit =
        |title: Option<String>, start: Option<u64>, end: Option<u64>, img_link: Option<String>| {
            Action::EditStream {
                stream_id: id.clone(),
                start_time: start,
                end_time: end,
                title,
                img_link,
                description: Some("kept".into()),
            }
        };

    env.rejects(
        ALICE,
        edit(Some(String::new()), None, None, None),
        Error::EmptyTitle,
    );
    env.rejects(
        ALICE,
        edit(Some("t".repeat(MAX_TITLE_LEN + 1)), None, None, None),
        Error::TooLong(Field::Title),
    );
    env.rejects(
        ALICE,
        edit(None, None, None, Some("l".repeat(MAX_LINK_LEN + 1))),
        Error::TooLong(Field::ImgLink),
    );
    env.rejects(
        ALICE,
        edit(None, Some(stream.end_time), None, None),
        Error::EndNotAfterStart,
    );
    env.rejects(
        ALICE,
        edit(None, None, Some(stream.start_time - 1), None),
        Error::EndNotAfterStart,
    );
    let now = env.next_block_time();
    env.rejects(
        ALICE,
        edit(None, Some(now - 2 * HOUR_MS), Some(now), None),
        Error::EndInPast,
    );
    env.rejects(
        ALICE,
        edit(
            None,
            None,
            Some(stream.start_time + MAX_STREAM_DURATION_MS + 1),
            None,
        ),
        Error::StreamTooLong,
    );
    let now = env.next_block_time();
    let far = now + MAX_SCHEDULE_AHEAD_MS + 1;
    env.rejects(
        ALICE,
        edit(None, Some(far), Some(far + HOUR_MS), None),
        Error::StartTooFarAhead,
    );
    env.rejects(
        ALICE,
        Action::EditStream {
            stream_id: id.clone(),
            start_time: None,
            end_time: None,
            title: None,
            img_link: None,
            description: Some("d".repeat(MAX_DESCRIPTION_LEN + 1)),
        },
        Error::TooLong(Field::Description),
    );
}

#[test]
fn an_ended_stream_can_no_longer_be_edited() {
    let env = Env::new();
    env.register(ALICE);
    let now = env.next_block_time();
    let id = env.schedule_at(ALICE, "Short", now, now + BLOCK_MS);
    env.system.run_next_block();
    env.rejects(ALICE, edit_nothing(&id), Error::EndInPast);
}

#[test]
fn edit_and_delete_by_anyone_but_the_broadcaster_are_rejected() {
    let env = Env::new();
    env.register(ALICE);
    env.register(BOB);
    let id = env.schedule(ALICE, "Mine");

    env.rejects(BOB, edit_nothing(&id), Error::NotBroadcaster);
    env.rejects(
        BOB,
        Action::DeleteStream {
            stream_id: id.clone(),
        },
        Error::NotBroadcaster,
    );
    env.rejects(CAROL, edit_nothing(&id), Error::NotRegistered);
    env.rejects(
        CAROL,
        Action::DeleteStream {
            stream_id: id.clone(),
        },
        Error::NotRegistered,
    );
    assert!(env.stream(&id).is_some());
}

#[test]
fn unknown_ids_are_not_found() {
    let env = Env::new();
    env.register(ALICE);
    let id = env.schedule(ALICE, "Known");
    let number = &id[..13];
    let unknown = [
        format!("{number}Other title"),
        number.to_string(),
        format!("{}Known", number.parse::<u64>().unwrap() + 1),
        "Known".into(),
        String::new(),
        "x".repeat(10_000),
    ];
    for stream_id in unknown {
        env.rejects(ALICE, edit_nothing(&stream_id), Error::StreamNotFound);
        env.rejects(
            ALICE,
            Action::DeleteStream { stream_id },
            Error::StreamNotFound,
        );
    }
}

#[test]
fn delete_stream_removes_it_everywhere() {
    let env = Env::new();
    env.register(ALICE);
    env.register(BOB);
    let kept = env.schedule(ALICE, "Kept");
    let gone = env.schedule(ALICE, "Gone");
    env.ok(
        BOB,
        Action::Watch {
            stream_id: gone.clone(),
        },
    );

    let reply = env.ok(
        ALICE,
        Action::DeleteStream {
            stream_id: gone.clone(),
        },
    );
    assert_eq!(reply, Event::StreamDeleted { id: gone.clone() });
    assert_eq!(env.stream(&gone), None);
    assert_eq!(env.profile(ALICE).unwrap().stream_ids, vec![kept.clone()]);
    env.rejects(
        ALICE,
        Action::DeleteStream {
            stream_id: gone.clone(),
        },
        Error::StreamNotFound,
    );
    env.rejects(
        BOB,
        Action::Unwatch { stream_id: gone },
        Error::StreamNotFound,
    );
    assert!(env.stream(&kept).is_some());
}
