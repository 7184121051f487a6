//! The targeted queries, the indices behind them and pruning, on a `Schedule` built
//! natively: the same code the program's `state` export runs.
use gstd::ActorId;
use w3bstreaming_io::{
    limits::{MARKS_DROPPED_PER_MESSAGE, MAX_PAGE_LEN, MAX_STREAM_DURATION_MS, RETENTION_MS},
    Error, StateQuery, StateReply, StreamCursor, Subscription,
};
use w3bstreaming_state::{Page, ProfileFields, Schedule, StreamEdit, StreamFields, SKIP_BUDGET};

const T0: u64 = 1_700_000_000_000;
const HOUR: u64 = 3_600_000;

fn account(n: u64) -> ActorId {
    ActorId::from(n)
}

fn registered(accounts: &[u64]) -> Schedule {
    let mut schedule = Schedule::new();
    for &n in accounts {
        schedule
            .set_profile(
                account(n),
                ProfileFields {
                    name: Some(&format!("user {n}")),
                    surname: None,
                    img_link: None,
                },
            )
            .unwrap();
    }
    schedule
}

/// Schedules a stream by `broadcaster` from `start` to `end`, created at `T0`; its id.
fn add(schedule: &mut Schedule, broadcaster: u64, title: &str, start: u64, end: u64) -> String {
    let number = schedule.next_stream_number(T0).unwrap();
    schedule
        .add_stream(
            number,
            account(broadcaster),
            StreamFields {
                start_time: start,
                end_time: end,
                title,
                img_link: "",
                description: None,
            },
        )
        .unwrap()
        .into()
}

/// Moves the stream `id` (which, like every stream here, has no description) to start
/// or end at another time.
fn retime(schedule: &mut Schedule, id: &str, start_time: Option<u64>, end_time: Option<u64>) {
    let (number, _) = schedule.stream(id).unwrap();
    let edit = StreamEdit {
        start_time,
        end_time,
        title: None,
        img_link: None,
        description: None,
    };
    schedule.edit_stream(number, &edit, |_| Ok(())).unwrap();
}

fn titles<C>(page: &Page<(String, w3bstreaming_io::Stream), C>) -> Vec<&str> {
    page.items
        .iter()
        .map(|(_, stream)| stream.title.as_str())
        .collect()
}

/// Every page of a stream list, following `next` until it is `None`.
fn all_pages(
    mut read: impl FnMut(Option<StreamCursor>) -> Page<(String, w3bstreaming_io::Stream), StreamCursor>,
) -> Vec<Vec<String>> {
    let mut pages = Vec::new();
    let mut after = None;
    loop {
        let page = read(after.take());
        pages.push(page.items.iter().map(|(_, s)| s.title.clone()).collect());
        match page.next {
            Some(next) => after = Some(next),
            None => return pages,
        }
    }
}

#[test]
fn one_stream_one_profile_and_is_subscribed() {
    let mut schedule = registered(&[1, 2, 3]);
    let id = add(&mut schedule, 1, "Live", T0 + HOUR, T0 + 2 * HOUR);
    schedule.subscribe(account(2), account(1), T0);

    let stream = schedule.stream_by_id(&id).unwrap();
    assert_eq!(
        (stream.title.as_str(), stream.broadcaster),
        ("Live", account(1))
    );
    assert_eq!(schedule.stream_by_id("1700000000000Other"), None);
    assert_eq!(schedule.stream_by_id("nonsense"), None);

    let profile = schedule.profile(account(1)).unwrap();
    assert_eq!(profile.name.as_deref(), Some("user 1"));
    assert_eq!(
        (
            profile.stream_count,
            profile.subscriber_count,
            profile.subscription_count
        ),
        (1, 1, 0)
    );
    assert_eq!(schedule.profile(account(9)), None);

    assert!(schedule.is_subscribed(account(2), account(1)));
    assert!(!schedule.is_subscribed(account(1), account(2)));
    assert!(!schedule.is_subscribed(account(3), account(1)));
    assert!(!schedule.is_subscribed(account(9), account(1)));
}

#[test]
fn broadcaster_streams_come_in_scheduling_order_across_pages() {
    let mut schedule = registered(&[1, 2]);
    for (title, hours) in [("c", 3), ("a", 1), ("d", 4), ("b", 2), ("e", 5)] {
        add(&mut schedule, 1, title, T0 + hours * HOUR, T0 + 10 * HOUR);
    }
    add(&mut schedule, 2, "other", T0 + HOUR, T0 + 2 * HOUR);

    let pages = all_pages(|after| schedule.broadcaster_streams(account(1), after, 2).unwrap());
    assert_eq!(pages, [vec!["c", "a"], vec!["d", "b"], vec!["e"]]);
    let unknown = schedule.broadcaster_streams(account(7), None, 5).unwrap();
    assert_eq!((unknown.items.len(), unknown.next), (0, None));
}

#[test]
fn limits_are_read_as_one_to_the_maximum() {
    let mut schedule = registered(&[1]);
    for i in 0..(MAX_PAGE_LEN as u64 + 5) {
        // Start times go beyond one broadcaster's quota on purpose: the storage does not
        // judge quotas, the program does.
        add(
            &mut schedule,
            1,
            &format!("s{i}"),
            T0 + HOUR + i,
            T0 + 2 * HOUR,
        );
    }
    let one = schedule.upcoming_streams(T0, None, 0).unwrap();
    assert_eq!(titles(&one), ["s0"]);
    assert!(one.next.is_some());
    let max = schedule.upcoming_streams(T0, None, u32::MAX).unwrap();
    assert_eq!(max.items.len(), MAX_PAGE_LEN as usize);
    let rest = schedule.upcoming_streams(T0, max.next, u32::MAX).unwrap();
    assert_eq!(rest.items.len(), 5);
    assert_eq!(rest.next, None);
}

#[test]
fn live_streams_are_those_started_and_not_ended() {
    let mut schedule = registered(&[1]);
    let at = T0 + 10 * HOUR;
    add(&mut schedule, 1, "ended", at - 3 * HOUR, at - HOUR);
    add(&mut schedule, 1, "ends now", at - HOUR, at);
    add(&mut schedule, 1, "starts now", at, at + HOUR);
    add(
        &mut schedule,
        1,
        "long",
        at - MAX_STREAM_DURATION_MS,
        at + 1,
    );
    add(&mut schedule, 1, "running", at - 2 * HOUR, at + HOUR);
    add(&mut schedule, 1, "later", at + 1, at + HOUR);

    let page = schedule.live_streams(at, None, 10).unwrap();
    assert_eq!(titles(&page), ["long", "running", "starts now"]);
    assert_eq!(page.next, None);

    let pages = all_pages(|after| schedule.live_streams(at, after, 1).unwrap());
    assert_eq!(pages, [vec!["long"], vec!["running"], vec!["starts now"]]);
}

#[test]
fn a_live_page_skips_a_bounded_number_of_ended_streams() {
    let mut schedule = registered(&[1]);
    let at = T0 + 10 * HOUR;
    for i in 0..SKIP_BUDGET as u64 + 3 {
        add(
            &mut schedule,
            1,
            &format!("ended {i}"),
            at - HOUR,
            at - HOUR + 1 + i,
        );
    }
    add(&mut schedule, 1, "live", at - 1, at + HOUR);

    let first = schedule.live_streams(at, None, 10).unwrap();
    assert!(first.items.is_empty(), "{:?}", titles(&first));
    assert!(
        first.next.is_some(),
        "the read stopped early and says where to go on"
    );
    let second = schedule.live_streams(at, first.next, 10).unwrap();
    assert_eq!(titles(&second), ["live"]);
    assert_eq!(second.next, None);
}

#[test]
fn ended_streams_come_latest_start_first_across_pages() {
    let mut schedule = registered(&[1, 2]);
    let at = T0 + 10 * HOUR;
    add(&mut schedule, 1, "oldest", at - 9 * HOUR, at - 8 * HOUR);
    add(&mut schedule, 2, "ends now", at - HOUR, at);
    add(&mut schedule, 1, "live", at - 2 * HOUR, at + 1);
    add(&mut schedule, 2, "ended", at - 3 * HOUR, at - 2 * HOUR);
    add(&mut schedule, 1, "same start", at - 3 * HOUR, at - HOUR);
    add(&mut schedule, 1, "upcoming", at + 1, at + HOUR);

    let page = schedule.ended_streams(at, None, 10).unwrap();
    assert_eq!(titles(&page), ["ends now", "same start", "ended", "oldest"]);
    assert_eq!(page.next, None);
    let pages = all_pages(|after| schedule.ended_streams(at, after, 3).unwrap());
    assert_eq!(
        pages,
        [vec!["ends now", "same start", "ended"], vec!["oldest"]]
    );
    assert_eq!(
        titles(&schedule.ended_streams(at - 8 * HOUR - 1, None, 10).unwrap()),
        Vec::<&str>::new()
    );
}

#[test]
fn an_ended_page_skips_a_bounded_number_of_live_streams() {
    let mut schedule = registered(&[1]);
    let at = T0 + 10 * HOUR;
    add(&mut schedule, 1, "ended", at - 2 * HOUR, at - HOUR);
    for i in 0..SKIP_BUDGET as u64 + 3 {
        add(
            &mut schedule,
            1,
            &format!("live {i}"),
            at - HOUR + i,
            at + HOUR,
        );
    }

    let first = schedule.ended_streams(at, None, 10).unwrap();
    assert!(first.items.is_empty(), "{:?}", titles(&first));
    assert!(
        first.next.is_some(),
        "the read stopped early and says where to go on"
    );
    let second = schedule.ended_streams(at, first.next, 10).unwrap();
    assert_eq!(titles(&second), ["ended"]);
    assert_eq!(second.next, None);
}

#[test]
fn marked_streams_are_a_watchers_own_list_in_scheduling_order() {
    let mut schedule = registered(&[1, 2, 3]);
    let ids: Vec<String> = ["c", "a", "b", "d"]
        .iter()
        .enumerate()
        .map(|(i, title)| {
            let hours = 4 - i as u64;
            add(&mut schedule, 1, title, T0 + hours * HOUR, T0 + 9 * HOUR)
        })
        .collect();
    for id in [&ids[2], &ids[0], &ids[1]] {
        let (number, _) = schedule.stream(id).unwrap();
        schedule.watch(number, account(2));
    }
    let (number, _) = schedule.stream(&ids[3]).unwrap();
    schedule.watch(number, account(3));

    let pages = all_pages(|after| schedule.marked_streams(account(2), after, 2).unwrap());
    assert_eq!(pages, [vec!["c", "a"], vec!["b"]]);
    let (number, _) = schedule.stream(&ids[1]).unwrap();
    schedule.unwatch(number, account(2));
    let (number, _) = schedule.stream(&ids[0]).unwrap();
    schedule.remove_stream(number);
    let page = schedule.marked_streams(account(2), None, 10).unwrap();
    assert_eq!(
        titles(&page),
        ["b"],
        "unmarked and deleted streams leave the list"
    );
    assert_eq!(
        titles(&schedule.marked_streams(account(3), None, 10).unwrap()),
        ["d"]
    );
    let unknown = schedule.marked_streams(account(9), None, 10).unwrap();
    assert_eq!((unknown.items.len(), unknown.next), (0, None));
}

#[test]
fn upcoming_streams_start_after_the_given_time_in_start_order() {
    let mut schedule = registered(&[1, 2]);
    add(&mut schedule, 1, "past", T0 - HOUR, T0 + HOUR);
    add(&mut schedule, 2, "b", T0 + 2 * HOUR, T0 + 3 * HOUR);
    add(&mut schedule, 1, "a", T0 + HOUR, T0 + 3 * HOUR);
    add(&mut schedule, 1, "b too", T0 + 2 * HOUR, T0 + 3 * HOUR);
    add(&mut schedule, 2, "at from", T0, T0 + 3 * HOUR);

    let page = schedule.upcoming_streams(T0, None, 10).unwrap();
    assert_eq!(titles(&page), ["a", "b", "b too"]);
}

#[test]
fn a_cursor_stays_valid_when_its_stream_is_deleted_or_moved() {
    let mut schedule = registered(&[1]);
    let ids: Vec<String> = (1..=4)
        .map(|h| {
            add(
                &mut schedule,
                1,
                &format!("s{h}"),
                T0 + h * HOUR,
                T0 + 9 * HOUR,
            )
        })
        .collect();
    let first = schedule.upcoming_streams(T0, None, 2).unwrap();
    assert_eq!(titles(&first), ["s1", "s2"]);
    let (number, _) = schedule.stream(&ids[1]).unwrap();
    schedule.remove_stream(number);
    let rest = schedule
        .upcoming_streams(T0, first.next.clone(), 2)
        .unwrap();
    assert_eq!(titles(&rest), ["s3", "s4"]);

    // Moving s1 after s4 puts it in the remaining pages, and nothing is repeated.
    retime(&mut schedule, &ids[0], Some(T0 + 5 * HOUR), None);
    let rest = schedule.upcoming_streams(T0, first.next, 10).unwrap();
    assert_eq!(titles(&rest), ["s3", "s4", "s1"]);
    // A broadcaster's list is in scheduling order, which a move does not change.
    let own = schedule.broadcaster_streams(account(1), None, 10).unwrap();
    assert_eq!(titles(&own), ["s1", "s3", "s4"]);
}

#[test]
fn a_cursor_that_names_no_stream_id_is_rejected() {
    let schedule = registered(&[1]);
    let after = Some(StreamCursor {
        start_time: T0,
        id: "not an id".into(),
    });
    for query in [
        StateQuery::BroadcasterStreams {
            broadcaster: account(1),
            after: after.clone(),
            limit: 1,
        },
        StateQuery::LiveStreams {
            at: T0,
            after: after.clone(),
            limit: 1,
        },
        StateQuery::UpcomingStreams {
            from: T0,
            after: after.clone(),
            limit: 1,
        },
        StateQuery::MarkedStreams {
            watcher: account(1),
            after: after.clone(),
            limit: 1,
        },
        StateQuery::EndedStreams {
            at: T0,
            after: after.clone(),
            limit: 1,
        },
    ] {
        assert_eq!(schedule.query(query), Err(Error::BadCursor));
    }
}

/// A stream with more watchers than one message drops: its marks vanish from every
/// list at once, and leave the indices a batch per message.
#[test]
fn the_marks_of_a_removed_stream_are_dropped_over_several_messages() {
    let viewers: Vec<u64> = (10..110).collect();
    let mut schedule = registered(&[[1].as_slice(), &viewers].concat());
    let id = add(&mut schedule, 1, "Crowded", T0 + HOUR, T0 + 2 * HOUR);
    let kept = add(&mut schedule, 1, "Kept", T0 + HOUR, T0 + 2 * HOUR);
    let (number, _) = schedule.stream(&id).unwrap();
    let (kept_number, _) = schedule.stream(&kept).unwrap();
    for &viewer in &viewers {
        schedule.watch(number, account(viewer));
    }
    schedule.watch(kept_number, account(10));
    schedule.remove_stream(number);
    let batch = MARKS_DROPPED_PER_MESSAGE;
    assert_eq!(schedule.mark_count(), 101 - batch);
    let marked = |schedule: &Schedule| schedule.marked_streams(account(10), None, 10).unwrap();
    assert_eq!(titles(&marked(&schedule)), ["Kept"]);
    let shown = schedule.all_streams();
    assert_eq!(shown.len(), 1);
    assert_eq!(shown[0].1.watchers, [account(10)]);
    let mut left = 100 - batch;
    while left > 0 {
        schedule.drop_removed_marks();
        left = left.saturating_sub(batch);
        assert_eq!(schedule.mark_count(), left + 1);
    }
    schedule.drop_removed_marks();
    assert_eq!(schedule.mark_count(), 1);
    assert_eq!(titles(&marked(&schedule)), ["Kept"]);
}

/// Two ids whose words xor to the same number: the second account gets the next free
/// number, and each id still finds its own profile, follows and streams.
#[test]
fn accounts_whose_numbers_collide_keep_apart() {
    let word = |at: usize| {
        let mut id = [0u8; 32];
        id[at * 8] = 7;
        ActorId::new(id)
    };
    let (first, second, third) = (word(0), word(1), word(2));
    let mut schedule = Schedule::new();
    schedule
        .set_profile(
            first,
            ProfileFields {
                name: Some("first"),
                surname: None,
                img_link: None,
            },
        )
        .unwrap();
    schedule
        .set_profile(
            second,
            ProfileFields {
                name: Some("second"),
                surname: None,
                img_link: None,
            },
        )
        .unwrap();
    schedule
        .set_profile(
            third,
            ProfileFields {
                name: Some("third"),
                surname: None,
                img_link: None,
            },
        )
        .unwrap();
    let numbers = [first, second, third].map(|a| schedule.user_no(a).unwrap().get());
    assert_eq!(numbers, [7, 8, 9]);
    schedule
        .set_profile(
            second,
            ProfileFields {
                name: Some("second, edited"),
                surname: None,
                img_link: None,
            },
        )
        .unwrap();
    schedule.subscribe(third, second, T0);
    let number = schedule.next_stream_number(T0).unwrap();
    let fields = StreamFields {
        start_time: T0 + HOUR,
        end_time: T0 + 2 * HOUR,
        title: "by the second",
        img_link: "",
        description: None,
    };
    let id: String = schedule.add_stream(number, second, fields).unwrap().into();
    assert_eq!(schedule.user(first).and_then(|u| u.name()), Some("first"));
    assert_eq!(
        schedule.user(second).and_then(|u| u.name()),
        Some("second, edited")
    );
    assert_eq!(schedule.user(second).map(|u| u.subscriber_count()), Some(1));
    assert_eq!(schedule.user(first).map(|u| u.subscriber_count()), Some(0));
    assert_eq!(
        schedule.stream(&id).map(|(_, s)| s.broadcaster()),
        Some(second)
    );
    assert_eq!(
        (schedule.stream_count(first), schedule.stream_count(second)),
        (0, 1)
    );
    assert!(schedule.follows(third, second) && !schedule.follows(third, first));
    let users = schedule.all_users();
    assert_eq!(users.len(), 3);
    assert_eq!(
        users
            .iter()
            .filter(|(_, p)| p.stream_ids == [id.clone()])
            .count(),
        1
    );
    assert_eq!(
        schedule.subscribers(second, None, 10).unwrap().items,
        [third]
    );
}

#[test]
fn subscribers_and_subscriptions_page_in_account_number_order() {
    let mut schedule = registered(&[1, 2, 3, 4, 5]);
    for (i, follower) in [4u64, 2, 5, 3].into_iter().enumerate() {
        schedule.subscribe(account(follower), account(1), T0 + i as u64);
    }
    schedule.subscribe(account(2), account(3), T0 + 9);
    schedule.subscribe(account(2), account(5), T0 + 10);
    let by_number = |mut accounts: Vec<ActorId>| {
        accounts.sort_by_key(|&a| schedule.user_no(a).unwrap());
        accounts
    };

    let followers = by_number([2, 3, 4, 5].map(account).to_vec());
    let first = schedule.subscribers(account(1), None, 3).unwrap();
    assert_eq!(first.items, followers[..3]);
    let rest = schedule.subscribers(account(1), first.next, 3).unwrap();
    assert_eq!((rest.items, rest.next), (followers[3..].to_vec(), None));

    let followed = by_number([1, 3, 5].map(account).to_vec());
    let since = |a: ActorId| {
        [
            (account(1), T0 + 1),
            (account(3), T0 + 9),
            (account(5), T0 + 10),
        ]
        .into_iter()
        .find(|&(b, _)| b == a)
        .unwrap()
        .1
    };
    let first = schedule.subscriptions(account(2), None, 2).unwrap();
    let expected: Vec<Subscription> = followed[..2]
        .iter()
        .map(|&account_id| Subscription {
            account_id,
            sub_date: since(account_id),
        })
        .collect();
    assert_eq!(first.items, expected);
    assert_eq!(first.next, Some(followed[1]));
    let rest = schedule.subscriptions(account(2), first.next, 2).unwrap();
    assert_eq!(rest.items.len(), 1);
    assert_eq!((rest.items[0].account_id, rest.next), (followed[2], None));

    assert_eq!(
        schedule.query(StateQuery::Subscriptions {
            subscriber: account(9),
            after: None,
            limit: 10,
        }),
        Ok(StateReply::SubscriptionPage {
            subscriptions: vec![],
            next: None
        })
    );
    for query in [
        StateQuery::Subscribers {
            broadcaster: account(1),
            after: Some(account(9)),
            limit: 10,
        },
        StateQuery::Subscriptions {
            subscriber: account(2),
            after: Some(account(9)),
            limit: 10,
        },
    ] {
        assert_eq!(schedule.query(query), Err(Error::UnknownCursorAccount));
    }
}

#[test]
fn pruning_takes_streams_past_retention_a_bounded_number_at_a_time() {
    let mut schedule = registered(&[1, 2]);
    let ends = [T0 + HOUR, T0 + 2 * HOUR, T0 + 3 * HOUR, T0 + 4 * HOUR];
    let ids: Vec<String> = ends
        .iter()
        .enumerate()
        .map(|(i, &end)| add(&mut schedule, 1 + i as u64 % 2, &format!("s{i}"), T0, end))
        .collect();
    let (number, _) = schedule.stream(&ids[3]).unwrap();
    schedule.watch(number, account(1));

    assert_eq!(schedule.prune_ended(ends[0] + RETENTION_MS - 1, 2), 0);
    assert_eq!(
        schedule.prune_ended(ends[3] + RETENTION_MS, 2),
        2,
        "two at most"
    );
    assert!(schedule.stream(&ids[0]).is_none() && schedule.stream(&ids[1]).is_none());
    assert_eq!(schedule.prune_ended(ends[2] + RETENTION_MS, 5), 1);
    assert!(schedule.stream(&ids[3]).is_some(), "ends an hour later");
    assert_eq!(schedule.prune_ended(ends[3] + RETENTION_MS, 5), 1);
    assert_eq!(schedule.stream_count(account(1)), 0);
    assert_eq!(schedule.stream_count(account(2)), 0);
    assert_eq!(schedule.upcoming_streams(0, None, 10).unwrap().items, []);
    assert_eq!(schedule.all_streams(), []);
    assert!(schedule
        .all_users()
        .iter()
        .all(|(_, profile)| profile.stream_ids.is_empty()));
}

#[test]
fn pruning_follows_edits_of_the_oldest_stream() {
    let mut schedule = registered(&[1]);
    let first = add(&mut schedule, 1, "first", T0, T0 + HOUR);
    let second = add(&mut schedule, 1, "second", T0 + 1, T0 + HOUR);

    // The first stream now ends a day later: nothing is due when the second one is.
    retime(&mut schedule, &first, None, Some(T0 + 25 * HOUR));
    assert_eq!(schedule.prune_ended(T0 + HOUR + RETENTION_MS, 5), 0);

    // Moved after the second one, it no longer holds the second one back.
    retime(&mut schedule, &first, Some(T0 + 2), None);
    assert_eq!(schedule.prune_ended(T0 + HOUR + RETENTION_MS, 5), 1);
    assert!(schedule.stream(&second).is_none());
    assert!(schedule.stream(&first).is_some());
}
