//! The program's totals: `MAX_ACCOUNTS` accounts and `MAX_STREAMS` streams, filled
//! through real messages, then one more of each is refused without a change, and room
//! freed by a deletion is used again.
mod common;

use common::*;
use gtest::constants::{MAX_USER_GAS_LIMIT, UNITS};
use w3bstreaming_io::{
    limits::{MAX_ACCOUNTS, MAX_STREAMS, MAX_STREAMS_PER_BROADCASTER, RETENTION_MS},
    Action, Error, Event, ProfileSummary, StateQuery, StateReply,
};

/// Messages per block while filling.
const BATCH: usize = 200;
const FIRST: u64 = 1_000_000;

fn summary(env: &Env, account: u64) -> Option<ProfileSummary> {
    match env.query(StateQuery::Profile {
        account: actor(account),
    }) {
        StateReply::Profile(summary) => summary,
        other => panic!("Profile replied {other:?}"),
    }
}

fn send_all(env: &Env, actions: Vec<(u64, Action)>) -> Vec<Event> {
    let mut events = Vec::with_capacity(actions.len());
    for batch in actions.chunks(BATCH) {
        for (reply, (from, action)) in env.send_block(batch).into_iter().zip(batch) {
            events.push(reply.unwrap_or_else(|error| panic!("{action:?} from {from}: {error}")));
        }
    }
    events
}

#[test]
fn a_full_program_refuses_new_accounts_and_streams_and_reuses_freed_room() {
    let env = Env::new();
    let accounts: Vec<u64> = (FIRST..).take(MAX_ACCOUNTS - ACCOUNTS.len()).collect();
    for &account in &accounts {
        env.system.mint_to(account, 100_000 * UNITS);
    }
    let newcomer = FIRST + MAX_ACCOUNTS as u64;
    env.system.mint_to(newcomer, 1_000 * UNITS);
    let everyone: Vec<u64> = ACCOUNTS
        .iter()
        .copied()
        .chain(accounts.iter().copied())
        .collect();
    send_all(
        &env,
        everyone
            .iter()
            .map(|&account| (account, edit_profile(Some("Full house"), None, None)))
            .collect(),
    );

    let refused = env.send(newcomer, edit_profile(Some("Late"), None, None));
    assert_eq!(refused, Err(error_reply(Error::AccountsFull)));
    assert_eq!(summary(&env, newcomer), None);
    env.ok(
        ALICE,
        edit_profile(Some("Alice, still editing"), None, None),
    );

    let now = env.next_block_time();
    let broadcasters = &everyone[..MAX_STREAMS / MAX_STREAMS_PER_BROADCASTER];
    let scheduled = send_all(
        &env,
        broadcasters
            .iter()
            .flat_map(|&broadcaster| {
                (0..MAX_STREAMS_PER_BROADCASTER as u64).map(move |i| {
                    let start = now + (i + 1) * HOUR_MS;
                    (broadcaster, new_stream("Filler", start, start + HOUR_MS))
                })
            })
            .collect(),
    );
    assert_eq!(scheduled.len(), MAX_STREAMS);

    let late = everyone[broadcasters.len()];
    let start = now + 2 * HOUR_MS;
    let refused = env.send(late, new_stream("One too many", start, start + HOUR_MS));
    assert_eq!(refused, Err(error_reply(Error::StreamsFull)));
    assert_eq!(summary(&env, late).map(|s| s.stream_count), Some(0));

    let Event::StreamIsScheduled { id } = &scheduled[0] else {
        panic!("NewStream replies StreamIsScheduled")
    };
    env.ok(
        broadcasters[0],
        Action::DeleteStream {
            stream_id: id.clone(),
        },
    );
    env.ok(late, new_stream("Room again", start, start + HOUR_MS));
    assert_eq!(summary(&env, late).map(|s| s.stream_count), Some(1));
}

/// Runs `action` and expects it to succeed within the per-message gas limit; its event
/// and gas, printed for the README's capacity figures.
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
    let crowd: Vec<u64> = (FIRST..).take(CROWD).collect();
    for &account in &crowd {
        env.system.mint_to(account, 1_000 * UNITS);
    }
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
    let register = crowd
        .iter()
        .map(|&a| (a, edit_profile(Some("Fan"), None, None)));
    send_all(&env, register.collect());
    let (last, crowd) = crowd.split_last().expect("a crowd");
    let follow = |account: u64| Action::Subscribe {
        account_id: actor(if account == 0 { ALICE } else { account }),
    };
    send_all(&env, crowd.iter().map(|&a| (a, follow(0))).collect());
    let watch = |id: &String| Action::Watch {
        stream_id: id.clone(),
    };
    for id in &crowded {
        send_all(&env, crowd.iter().map(|&a| (a, watch(id))).collect());
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
