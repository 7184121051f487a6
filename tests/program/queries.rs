//! The targeted `state` queries through the program's `state` export, and the pruning
//! of ended streams by later messages.

use crate::common::*;
use w3bstreaming_io::{
    limits::{PRUNED_PER_MESSAGE, RETENTION_MS},
    Action, Error, Event, ProfileSummary, StateQuery, StateReply, StreamCursor, Subscription,
};

fn titles(reply: &StateReply) -> Vec<String> {
    match reply {
        StateReply::StreamPage { streams, .. } => {
            streams.iter().map(|(_, s)| s.title.clone()).collect()
        }
        other => panic!("expected a StreamPage, got {other:?}"),
    }
}

fn next(reply: &StateReply) -> Option<StreamCursor> {
    match reply {
        StateReply::StreamPage { next, .. } => next.clone(),
        other => panic!("expected a StreamPage, got {other:?}"),
    }
}

/// ALICE broadcasts a live stream and two upcoming ones; BOB and CAROL follow her.
fn alice_with_followers() -> (Env, u64) {
    let env = Env::new();
    for account in [ALICE, BOB, CAROL] {
        env.register(account);
    }
    let now = env.next_block_time();
    env.schedule_at(ALICE, "Later", now + 2 * HOUR_MS, now + 3 * HOUR_MS);
    env.schedule_at(ALICE, "Live", now - HOUR_MS, now + 10 * HOUR_MS);
    env.schedule_at(ALICE, "Soon", now + HOUR_MS, now + 3 * HOUR_MS);
    for follower in [CAROL, BOB] {
        env.ok(
            follower,
            Action::Subscribe {
                account_id: actor(ALICE),
            },
        );
    }
    (env, now)
}

#[test]
fn one_stream_one_profile_and_who_follows_whom() {
    let (env, _) = alice_with_followers();
    // The full reads, asked both ways (the snapshots of other tests only read).
    env.query(StateQuery::Streams);
    env.query(StateQuery::Users);
    let (id, stream) = env.streams().remove(0);
    assert_eq!(
        env.query(StateQuery::Stream { id: id.clone() }),
        StateReply::Stream(Some(stream))
    );
    assert_eq!(
        env.query(StateQuery::Stream {
            id: format!("{id}x")
        }),
        StateReply::Stream(None)
    );
    assert_eq!(
        env.query(StateQuery::Profile {
            account: actor(ALICE)
        }),
        StateReply::Profile(Some(ProfileSummary {
            name: Some(format!("user {ALICE}")),
            surname: None,
            img_link: None,
            stream_count: 3,
            subscriber_count: 2,
            subscription_count: 0,
        }))
    );
    assert_eq!(
        env.query(StateQuery::Profile {
            account: actor(DAVE)
        }),
        StateReply::Profile(None)
    );
    let follows = |subscriber, broadcaster| {
        env.query(StateQuery::IsSubscribed {
            subscriber: actor(subscriber),
            broadcaster: actor(broadcaster),
        })
    };
    assert_eq!(follows(BOB, ALICE), StateReply::IsSubscribed(true));
    assert_eq!(follows(ALICE, BOB), StateReply::IsSubscribed(false));
    assert_eq!(follows(DAVE, ALICE), StateReply::IsSubscribed(false));
    env.ok(
        BOB,
        Action::Unsubscribe {
            account_id: actor(ALICE),
        },
    );
    assert_eq!(follows(BOB, ALICE), StateReply::IsSubscribed(false));
}

#[test]
fn stream_lists_page_by_page() {
    let (env, now) = alice_with_followers();
    // A broadcaster's streams come in the order they were scheduled.
    let first = env.query(StateQuery::BroadcasterStreams {
        broadcaster: actor(ALICE),
        after: None,
        limit: 2,
    });
    assert_eq!(titles(&first), ["Later", "Live"]);
    let rest = env.query(StateQuery::BroadcasterStreams {
        broadcaster: actor(ALICE),
        after: next(&first),
        limit: 2,
    });
    assert_eq!(titles(&rest), ["Soon"]);
    assert_eq!(next(&rest), None);

    let live = env.query(StateQuery::LiveStreams {
        at: now,
        after: None,
        limit: 10,
    });
    assert_eq!(titles(&live), ["Live"]);
    let upcoming = env.query(StateQuery::UpcomingStreams {
        from: now,
        after: None,
        limit: 10,
    });
    assert_eq!(titles(&upcoming), ["Soon", "Later"]);
    let later_live = env.query(StateQuery::LiveStreams {
        at: now + 2 * HOUR_MS,
        after: None,
        limit: 10,
    });
    assert_eq!(titles(&later_live), ["Live", "Soon", "Later"]);
}

#[test]
fn ended_streams_latest_start_first() {
    let (env, now) = alice_with_followers();
    let soon = env.next_block_time();
    env.schedule_at(ALICE, "Short", soon, soon + BLOCK_MS);
    let ended = |at, after| {
        env.query(StateQuery::EndedStreams {
            at,
            after,
            limit: 2,
        })
    };
    assert_eq!(titles(&ended(now, None)), Vec::<String>::new());
    env.run_until(soon + BLOCK_MS);
    assert_eq!(
        titles(&ended(env.system.block_timestamp(), None)),
        ["Short"]
    );

    let later = now + 3 * HOUR_MS;
    let first = ended(later, None);
    assert_eq!(titles(&first), ["Later", "Soon"]);
    let rest = ended(later, next(&first));
    assert_eq!(
        (titles(&rest), next(&rest)),
        (vec!["Short".to_string()], None)
    );
}

#[test]
fn a_watchers_marked_streams_page_by_page() {
    let (env, _) = alice_with_followers();
    let ids: Vec<String> = env.streams().into_iter().map(|(id, _)| id).collect();
    for id in ids.iter().rev() {
        env.ok(
            BOB,
            Action::Watch {
                stream_id: id.clone(),
            },
        );
    }
    let page = |after| {
        env.query(StateQuery::MarkedStreams {
            watcher: actor(BOB),
            after,
            limit: 2,
        })
    };
    let first = page(None);
    assert_eq!(titles(&first), ["Later", "Live"], "in scheduling order");
    let rest = page(next(&first));
    assert_eq!(
        (titles(&rest), next(&rest)),
        (vec!["Soon".to_string()], None)
    );

    env.ok(
        BOB,
        Action::Unwatch {
            stream_id: ids[1].clone(),
        },
    );
    env.ok(
        ALICE,
        Action::DeleteStream {
            stream_id: ids[0].clone(),
        },
    );
    assert_eq!(titles(&page(None)), ["Soon"]);
    let carol = env.query(StateQuery::MarkedStreams {
        watcher: actor(CAROL),
        after: None,
        limit: 10,
    });
    assert_eq!(titles(&carol), Vec::<String>::new());
}

#[test]
fn subscribers_and_subscriptions_page_by_page() {
    let (env, _) = alice_with_followers();
    // One follower per page: both come, once each, in a stable order the cursor keeps.
    let page = |after| match env.query(StateQuery::Subscribers {
        broadcaster: actor(ALICE),
        after,
        limit: 1,
    }) {
        StateReply::AccountPage { accounts, next } => (accounts, next),
        other => panic!("Subscribers replied {other:?}"),
    };
    let (first, next) = page(None);
    assert_eq!(next, Some(first[0]));
    let (second, last) = page(next);
    assert_eq!(last, None);
    let mut both = [first[0], second[0]];
    both.sort();
    assert_eq!(both, [actor(BOB), actor(CAROL)]);
    assert_eq!(page(None).0, first, "the order is stable");
    let StateReply::SubscriptionPage {
        subscriptions,
        next,
    } = env.query(StateQuery::Subscriptions {
        subscriber: actor(BOB),
        after: None,
        limit: 10,
    })
    else {
        panic!("Subscriptions replies a SubscriptionPage")
    };
    let sub_date = env.profile(BOB).unwrap().subscriptions[0].sub_date;
    assert_eq!(
        subscriptions,
        [Subscription {
            account_id: actor(ALICE),
            sub_date
        }]
    );
    assert_eq!(next, None);
}

#[test]
fn a_cursor_that_names_no_stream_or_account_is_rejected_with_its_error() {
    let (env, now) = alice_with_followers();
    env.query_rejected(
        StateQuery::UpcomingStreams {
            from: now,
            after: Some(StreamCursor {
                start_time: now,
                id: "Soon".into(),
            }),
            limit: 10,
        },
        Error::BadCursor,
    );
    env.query_rejected(
        StateQuery::Subscribers {
            broadcaster: actor(ALICE),
            after: Some(actor(DAVE)),
            limit: 10,
        },
        Error::UnknownCursorAccount,
    );
}

#[test]
fn streams_past_retention_are_pruned_by_later_messages_a_few_at_a_time() {
    let env = Env::new();
    for account in [ALICE, BOB] {
        env.register(account);
    }
    let now = env.next_block_time();
    let ended: Vec<String> = (0..=PRUNED_PER_MESSAGE as u64)
        .map(|i| env.schedule_at(ALICE, &format!("Ends {i}"), now, now + HOUR_MS + i))
        .collect();
    let kept = env.schedule_at(
        ALICE,
        "Next week",
        now + RETENTION_MS,
        now + 2 * RETENTION_MS,
    );

    env.run_until(now + HOUR_MS + PRUNED_PER_MESSAGE as u64 + RETENTION_MS);
    assert_eq!(env.streams().len(), ended.len() + 1, "reads never prune");
    let as_message = env.ok(BOB, Action::Query(StateQuery::Streams));
    assert_eq!(as_message, Event::QueryReply(env.read(StateQuery::Streams)));
    assert_eq!(
        env.streams().len(),
        ended.len() + 1,
        "nor does a query sent as a message"
    );
    // A rejected message prunes nothing: its changes are discarded with it.
    env.rejects(
        BOB,
        Action::DeleteStream {
            stream_id: kept.clone(),
        },
        Error::NotBroadcaster,
    );

    env.register(BOB);
    let left: Vec<String> = env.streams().into_iter().map(|(id, _)| id).collect();
    assert_eq!(left, [ended[PRUNED_PER_MESSAGE].clone(), kept.clone()]);
    env.register(BOB);
    assert_eq!(env.streams().len(), 1);
    assert_eq!(env.profile(ALICE).unwrap().stream_ids, [kept]);
    env.rejects(
        ALICE,
        Action::DeleteStream {
            stream_id: ended[0].clone(),
        },
        Error::StreamNotFound,
    );
}
