//! The program's totals through real messages: more than the old fixed tables' 24,000
//! accounts and streams in every run, 10,000 followers and watchers of one account, and,
//! on demand, a million accounts and a million streams. The refusals at the totals are
//! checked natively too, with small totals (`src/actions.rs`), since the program's own
//! are too large to reach in a CI run.

use crate::common::*;
use gtest::constants::{MAX_USER_GAS_LIMIT, UNITS};
use parity_scale_codec::Encode;
use std::time::Instant;
use w3bstreaming_io::{
    limits::{
        MAX_ACCOUNTS, MAX_DESCRIPTION_LEN, MAX_LINK_LEN, MAX_STREAMS, MAX_STREAMS_PER_BROADCASTER,
        MAX_TEXT_BYTES, MAX_TITLE_LEN, RETENTION_MS,
    },
    Action, Error, Event, ProfileSummary, StateQuery, StateReply, Stream,
};

/// Messages per block while filling: few enough that a block's gas allowance (1,000
/// Ggas) runs them all even at 13 Ggas each, what a `NewStream` costs near a million
/// streams while the start-time index's chunks split in step (docs/program.md).
const BATCH: usize = 50;
const FIRST: u64 = 1_000_000;

/// The answer to `query`, asked as an `Action::Query` through `handle`: past 32 MiB
/// of the program's memory a state read fails, and this still answers.
fn answer(env: &Env, query: StateQuery) -> StateReply {
    match env.ask(query.clone()) {
        Ok(Event::QueryReply(reply)) => reply,
        other => panic!("{query:?} replied {other:?}"),
    }
}

fn stream(env: &Env, id: &str) -> Option<Stream> {
    match answer(env, StateQuery::Stream { id: id.into() }) {
        StateReply::Stream(stream) => stream,
        other => panic!("Stream replied {other:?}"),
    }
}

fn summary(env: &Env, account: u64) -> Option<ProfileSummary> {
    match answer(
        env,
        StateQuery::Profile {
            account: actor(account),
        },
    ) {
        StateReply::Profile(summary) => summary,
        other => panic!("Profile replied {other:?}"),
    }
}

fn send_all(env: &Env, actions: impl IntoIterator<Item = (u64, Action)>) -> Vec<Event> {
    let mut events = Vec::new();
    let mut batch = Vec::with_capacity(BATCH);
    let mut actions = actions.into_iter().peekable();
    while actions.peek().is_some() {
        batch.clear();
        batch.extend(actions.by_ref().take(BATCH));
        for (reply, (from, action)) in env.send_block(&batch).into_iter().zip(&batch) {
            events.push(reply.unwrap_or_else(|error| panic!("{action:?} from {from}: {error}")));
        }
    }
    events
}

/// Funds and registers `count` new accounts from `FIRST` on, with `name`; the accounts.
fn register_new(env: &Env, count: usize, name: Option<&str>) -> Vec<u64> {
    let accounts: Vec<u64> = (FIRST..).take(count).collect();
    for &account in &accounts {
        env.system.mint_to(account, 100_000 * UNITS);
    }
    let profile = edit_profile(name, None, None);
    send_all(env, accounts.iter().map(|&a| (a, profile.clone())));
    accounts
}

fn stream_id(event: Event) -> String {
    match event {
        Event::StreamIsScheduled { id } => id,
        other => panic!("NewStream replied {other:?}"),
    }
}

/// `MAX_STREAMS_PER_BROADCASTER` streams from each of `broadcasters`, an hour each, one
/// a minute from a day ahead on (the fill itself takes hours of block time at a million),
/// titled by their number (padded to `title_len`); their ids.
fn schedule_all(
    env: &Env,
    broadcasters: &[u64],
    title_len: usize,
    img_link: &str,
    description: Option<&str>,
) -> Vec<String> {
    let start = env.next_block_time() + 24 * HOUR_MS;
    let streams = broadcasters
        .iter()
        .enumerate()
        .flat_map(|(b, &broadcaster)| {
            (0..MAX_STREAMS_PER_BROADCASTER).map(move |i| {
                let n = b * MAX_STREAMS_PER_BROADCASTER + i;
                let start = start + n as u64 % 10_000 * 60_000;
                let action = Action::NewStream {
                    title: format!("{n:0title_len$}"),
                    description: description.map(Into::into),
                    start_time: start,
                    end_time: start + HOUR_MS,
                    img_link: img_link.into(),
                };
                (broadcaster, action)
            })
        });
    send_all(env, streams).into_iter().map(stream_id).collect()
}

/// 25,000 accounts and 25,000 streams, past the 24,000 of each that the program's fixed
/// tables held before its records grew with use: every one is stored and answered. The
/// streams' texts are at their limits, so the program's memory passes the 32 MiB a
/// state read may have: the state export fails, and queries through `handle` answer.
#[test]
fn more_accounts_and_streams_than_the_old_tables_held() {
    const COUNT: usize = 25_000;
    let env = Env::new();
    let accounts = register_new(&env, COUNT, Some("Many"));
    let broadcasters = &accounts[..COUNT / MAX_STREAMS_PER_BROADCASTER];
    let link = "i".repeat(MAX_LINK_LEN);
    let description = "d".repeat(MAX_DESCRIPTION_LEN);
    let ids = schedule_all(&env, broadcasters, MAX_TITLE_LEN, &link, Some(&description));
    assert_eq!(ids.len(), COUNT);
    let read = env
        .program()
        .read_state_bytes(
            StateQuery::Profile {
                account: actor(accounts[0]),
            }
            .encode(),
        )
        .expect_err("a state read fails past 32 MiB");
    assert!(
        read.to_string().contains("MemorySizeExceedsMaxPages"),
        "{read}"
    );

    for &account in [accounts[0], accounts[COUNT / 2], accounts[COUNT - 1]].iter() {
        assert_eq!(
            summary(&env, account).and_then(|s| s.name),
            Some("Many".into())
        );
    }
    let last = broadcasters[broadcasters.len() - 1];
    assert_eq!(
        summary(&env, last).map(|s| s.stream_count),
        Some(MAX_STREAMS_PER_BROADCASTER as u32)
    );
    for id in [&ids[0], &ids[COUNT / 2], &ids[COUNT - 1]] {
        let stream = stream(&env, id).unwrap_or_else(|| panic!("{id} is stored"));
        assert!(id.ends_with(&stream.title));
        assert_eq!(stream.description.as_ref(), Some(&description));
    }
    match answer(
        &env,
        StateQuery::BroadcasterStreams {
            broadcaster: actor(last),
            after: None,
            limit: 100,
        },
    ) {
        StateReply::StreamPage { streams, next } => {
            let listed: Vec<&String> = streams.iter().map(|(id, _)| id).collect();
            assert_eq!(listed, ids[COUNT - 100..].iter().collect::<Vec<_>>());
            assert_eq!(next, None);
        }
        other => panic!("BroadcasterStreams replied {other:?}"),
    }
    env.ok(
        last,
        Action::DeleteStream {
            stream_id: ids[COUNT - 1].clone(),
        },
    );
    assert!(stream(&env, &ids[COUNT - 1]).is_none());
    env.ok(
        last,
        new_stream(
            "Again",
            env.next_block_time() + HOUR_MS,
            env.next_block_time() + 2 * HOUR_MS,
        ),
    );
    assert_eq!(
        summary(&env, last).map(|s| s.stream_count),
        Some(MAX_STREAMS_PER_BROADCASTER as u32)
    );
}

/// Runs `action` and expects it to succeed within the per-message gas limit; its event
/// and gas, printed for the capacity figures of docs/program.md.
fn measured(env: &Env, what: &str, from: u64, action: Action) -> (Event, u64) {
    let (reply, gas) = env.send_with_gas(from, action.clone());
    let event = reply.unwrap_or_else(|error| panic!("{what}: {error}"));
    assert!(gas < MAX_USER_GAS_LIMIT, "{what} burned {gas}");
    println!("{what}: {:.3} Ggas", gas as f64 / 1e9);
    (event, gas)
}

/// A broadcaster with 10,000 followers and 100 streams, three of them marked by 10,000
/// watchers each: every action on them, the pruning of two such streams in one
/// message, and the targeted queries about them stay within one message's gas.
#[test]
fn ten_thousand_followers_and_watchers_stay_within_a_message() {
    const CROWD: usize = 10_000;
    let env = Env::new();
    let crowd = register_new(&env, CROWD, Some("Fan"));
    env.register(ALICE);
    let now = env.next_block_time();
    let (start, end) = (now + HOUR_MS, now + 2 * HOUR_MS);
    let crowded: Vec<String> = ["A", "B", "C"]
        .iter()
        .map(|title| env.schedule_at(ALICE, title, start, end))
        .collect();
    for i in crowded.len()..MAX_STREAMS_PER_BROADCASTER - 1 {
        env.schedule_at(ALICE, &format!("Later {i}"), start + HOUR_MS, end + HOUR_MS);
    }
    let (last, crowd) = crowd.split_last().expect("a crowd");
    let follow = |account: u64| Action::Subscribe {
        account_id: actor(if account == 0 { ALICE } else { account }),
    };
    send_all(&env, crowd.iter().map(|&a| (a, follow(0))));
    let watch = |id: &String| Action::Watch {
        stream_id: id.clone(),
    };
    for id in &crowded {
        send_all(&env, crowd.iter().map(|&a| (a, watch(id))));
    }

    let mut worst = 0;
    let mut run = |what: &str, from: u64, action: Action| {
        let (event, gas) = measured(&env, what, from, action);
        worst = worst.max(gas);
        event
    };
    run("Subscribe as the 10,000th follower", *last, follow(0));
    run("Watch as the 10,000th watcher", *last, watch(&crowded[0]));
    run(
        "Unwatch among 10,000 watchers",
        crowd[0],
        Action::Unwatch {
            stream_id: crowded[0].clone(),
        },
    );
    run(
        "Unsubscribe among 10,000 followers",
        crowd[0],
        Action::Unsubscribe {
            account_id: actor(ALICE),
        },
    );
    run(
        "NewStream as the 100th stream",
        ALICE,
        new_stream("The 100th", start + HOUR_MS, end + HOUR_MS),
    );
    run(
        "EditStream of a stream with 10,000 watchers",
        ALICE,
        Action::EditStream {
            stream_id: crowded[0].clone(),
            start_time: Some(start + 1),
            end_time: None,
            title: Some("A, moved".into()),
            img_link: None,
            description: None,
        },
    );
    run(
        "DeleteStream of a stream with 10,000 watchers",
        ALICE,
        Action::DeleteStream {
            stream_id: crowded[0].clone(),
        },
    );
    env.run_until(end + RETENTION_MS);
    run(
        "EditProfile that prunes two streams with 10,000 watchers each",
        ALICE,
        edit_profile(Some("Alice"), None, None),
    );
    for id in &crowded[1..] {
        assert!(env.stream(id).is_none(), "{id} was pruned");
    }
    println!("worst action: {:.3} Ggas", worst as f64 / 1e9);

    assert_eq!(
        summary(&env, ALICE).map(|s| (s.stream_count, s.subscriber_count)),
        Some((MAX_STREAMS_PER_BROADCASTER as u32 - 3, CROWD as u32 - 1))
    );
    assert_eq!(
        env.query(StateQuery::IsSubscribed {
            subscriber: actor(*last),
            broadcaster: actor(ALICE),
        }),
        StateReply::IsSubscribed(true)
    );
    match env.query(StateQuery::Subscribers {
        broadcaster: actor(ALICE),
        after: None,
        limit: 100,
    }) {
        StateReply::AccountPage { accounts, next } => {
            assert_eq!(accounts.len(), 100);
            assert!(next.is_some());
        }
        other => panic!("Subscribers replied {other:?}"),
    }
}

/// Streams with every text at its limit fill `MAX_TEXT_BYTES`; past it, a new stream
/// or a longer edit is refused, and a deletion makes room again. At 112 MiB of text the
/// program's memory is past the 32 MiB that gear 2.0 lets a state read have (see
/// docs/program.md, "Capacity"), so everything here is checked through replies; about
/// 80,000 messages, so it runs on demand with the million below.
#[test]
#[ignore = "80,000 messages: minutes"]
fn text_is_refused_past_its_total() {
    let env = Env::new();
    let big = |title: String| Action::NewStream {
        title,
        description: Some("d".repeat(MAX_DESCRIPTION_LEN)),
        start_time: env.next_block_time() + HOUR_MS,
        end_time: env.next_block_time() + 2 * HOUR_MS,
        img_link: "i".repeat(MAX_LINK_LEN),
    };
    let title = |n: usize| format!("{n:0width$}", width = MAX_TITLE_LEN);
    // Its id holds the digits and the title, beside the title itself.
    let big_len = 13 + 2 * MAX_TITLE_LEN + MAX_LINK_LEN + MAX_DESCRIPTION_LEN;
    let small_len = 13 + 2;
    let fitting = (MAX_TEXT_BYTES - small_len) / big_len;
    let broadcasters = register_new(&env, fitting.div_ceil(MAX_STREAMS_PER_BROADCASTER), None);
    let last = *broadcasters.last().expect("broadcasters");
    let small = env.schedule(last, "S");
    let scheduled = send_all(
        &env,
        (0..fitting).map(|n| (broadcasters[n / MAX_STREAMS_PER_BROADCASTER], big(title(n)))),
    );

    let refused = env.send(last, big(title(fitting)));
    assert_eq!(refused, Err(error_reply(Error::TextFull)));
    let longer = Action::EditStream {
        stream_id: small.clone(),
        start_time: None,
        end_time: None,
        title: None,
        img_link: None,
        description: Some("d".repeat(MAX_DESCRIPTION_LEN)),
    };
    assert_eq!(env.send(last, longer), Err(error_reply(Error::TextFull)));
    env.ok(last, edit_nothing(&small));
    let Event::StreamIsScheduled { id } = &scheduled[0] else {
        panic!("NewStream replies StreamIsScheduled")
    };
    env.ok(
        broadcasters[0],
        Action::DeleteStream {
            stream_id: id.clone(),
        },
    );
    env.ok(broadcasters[0], big(title(fitting)));
}

/// A million accounts and a million streams, the program's totals: one more of each is
/// refused, deleting a stream makes room, and every action still fits
/// well within a message; prints the time taken and each action's gas at the end. About
/// two million messages, so it runs on demand:
/// `cargo test --release --test program capacity:: -- --ignored --nocapture`.
/// What deleting a stream costs by where it lies in the indices, in 100,000 streams
/// (1,000 broadcasters with 100 each): a deletion that leaves an index chunk or a leaf
/// below half full merges it with a neighbour, which changes the directory above them.
#[test]
#[ignore = "101,000 messages: about two minutes"]
fn deleting_anywhere_in_a_hundred_thousand_streams() {
    let streams = 100_000;
    let env = Env::new();
    let accounts = register_new(&env, streams / MAX_STREAMS_PER_BROADCASTER, None);
    let ids = schedule_all(&env, &accounts, 7, &"i".repeat(105), None);
    let second_broadcasters_first = MAX_STREAMS_PER_BROADCASTER;
    for (what, at) in [
        ("the first", 0),
        ("the second", 1),
        ("the middle", ids.len() / 2),
        ("the last", ids.len() - 1),
        ("the second broadcaster's first", second_broadcasters_first),
    ] {
        let broadcaster = accounts[at / MAX_STREAMS_PER_BROADCASTER];
        let stream_id = ids[at].clone();
        let what = format!("DeleteStream of {what} stream");
        measured(&env, &what, broadcaster, Action::DeleteStream { stream_id });
    }
}

#[test]
#[ignore = "two million messages: about 17 minutes"]
fn a_million_accounts_and_a_million_streams() {
    let started = Instant::now();
    let env = Env::new();
    let accounts = register_new(&env, MAX_ACCOUNTS - ACCOUNTS.len(), None);
    ACCOUNTS.iter().for_each(|&account| env.register(account));
    println!(
        "{} accounts registered in {:.0?}",
        MAX_ACCOUNTS,
        started.elapsed()
    );
    // Texts that share the text total among the streams, most of it in the link.
    let per_stream = MAX_TEXT_BYTES / MAX_STREAMS;
    let title_len = 7;
    let link = "i".repeat(per_stream - 13 - 2 * title_len);
    let broadcasters = &accounts[..MAX_STREAMS / MAX_STREAMS_PER_BROADCASTER];
    let ids = schedule_all(&env, broadcasters, title_len, &link, None);
    println!(
        "{} streams scheduled after {:.0?}",
        ids.len(),
        started.elapsed()
    );

    let newcomer = FIRST + MAX_ACCOUNTS as u64;
    env.system.mint_to(newcomer, 1_000 * UNITS);
    // The program's memory is past what a state read may have (see the text test
    // above): what a refusal left is checked through replies.
    let late = env.send(newcomer, edit_profile(Some("Late"), None, None));
    assert_eq!(late, Err(error_reply(Error::AccountsFull)));
    let follow = Action::Subscribe {
        account_id: actor(ALICE),
    };
    assert_eq!(
        env.send(newcomer, follow),
        Err(error_reply(Error::NotRegistered))
    );
    let viewer = accounts[broadcasters.len()];
    let start = env.next_block_time() + HOUR_MS;
    let refused = env.send(viewer, new_stream("One too many", start, start + HOUR_MS));
    assert_eq!(refused, Err(error_reply(Error::StreamsFull)));

    let mut figures = Vec::new();
    let mut run = |what: &str, from: u64, action: Action| {
        let (event, gas) = measured(&env, what, from, action);
        figures.push((what.to_owned(), gas));
        event
    };
    // The first, middle and last streams: where a merge changes the most and the
    // least of the indices' directories.
    for (what, at) in [
        ("DeleteStream (first)", 0),
        ("DeleteStream (middle)", ids.len() / 2),
        ("DeleteStream (last)", ids.len() - 1),
    ] {
        let stream_id = ids[at].clone();
        run(
            what,
            broadcasters[at / MAX_STREAMS_PER_BROADCASTER],
            Action::DeleteStream { stream_id },
        );
    }
    let id = stream_id(run(
        "NewStream",
        viewer,
        new_stream("Room again", start, start + HOUR_MS),
    ));
    run(
        "EditStream",
        viewer,
        Action::EditStream {
            stream_id: id.clone(),
            start_time: Some(start + 1),
            end_time: None,
            title: Some("Moved".into()),
            img_link: None,
            description: None,
        },
    );
    run(
        "EditProfile (edit)",
        viewer,
        edit_profile(Some("Viewer"), None, None),
    );
    let followed = actor(broadcasters[1]);
    run(
        "Subscribe",
        viewer,
        Action::Subscribe {
            account_id: followed,
        },
    );
    run(
        "Unsubscribe",
        viewer,
        Action::Unsubscribe {
            account_id: followed,
        },
    );
    let watched = ids[ids.len() - 2].clone();
    run(
        "Watch",
        viewer,
        Action::Watch {
            stream_id: watched.clone(),
        },
    );
    run("Unwatch", viewer, Action::Unwatch { stream_id: watched });
    assert_eq!(
        summary(&env, viewer).and_then(|s| s.name),
        Some("Viewer".into())
    );
    assert_eq!(stream(&env, &id).map(|s| s.title), Some("Moved".into()));
    println!("done after {:.0?}", started.elapsed());
    for (what, gas) in figures {
        println!("| {what} | {:.3} |", gas as f64 / 1e9);
    }
}
