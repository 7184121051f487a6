//! The program's totals: `MAX_ACCOUNTS` accounts and `MAX_STREAMS` streams, filled
//! through real messages, then one more of each is refused without a change, and room
//! freed by a deletion is used again.
mod common;

use common::*;
use gtest::constants::{MAX_USER_GAS_LIMIT, UNITS};
use w3bstreaming_io::{
    limits::{
        MAX_ACCOUNTS, MAX_DESCRIPTION_LEN, MAX_FOLLOWS, MAX_LINK_LEN, MAX_STREAMS,
        MAX_STREAMS_PER_BROADCASTER, MAX_TEXT_BYTES, MAX_TITLE_LEN, MAX_WATCHES, RETENTION_MS,
    },
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

/// Funds and registers `count` new accounts from `FIRST` on, with `name`; the accounts.
fn register_new(env: &Env, count: usize, name: Option<&str>) -> Vec<u64> {
    let accounts: Vec<u64> = (FIRST..).take(count).collect();
    for &account in &accounts {
        env.system.mint_to(account, 100_000 * UNITS);
    }
    let profile = edit_profile(name, None, None);
    send_all(
        env,
        accounts.iter().map(|&a| (a, profile.clone())).collect(),
    );
    accounts
}

#[test]
fn a_full_program_refuses_new_accounts_and_streams_and_reuses_freed_room() {
    let env = Env::new();
    let name = Some("Full house");
    let accounts = register_new(&env, MAX_ACCOUNTS - ACCOUNTS.len(), name);
    send_all(
        &env,
        ACCOUNTS
            .iter()
            .map(|&account| (account, edit_profile(name, None, None)))
            .collect(),
    );
    let newcomer = FIRST + MAX_ACCOUNTS as u64;
    env.system.mint_to(newcomer, 1_000 * UNITS);
    let everyone: Vec<u64> = ACCOUNTS
        .iter()
        .copied()
        .chain(accounts.iter().copied())
        .collect();

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

/// Streams with every text at its limit fill `MAX_TEXT_BYTES`; past it, a new stream
/// or a longer edit is refused without a change, and a deletion makes room again.
#[test]
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
        (0..fitting)
            .map(|n| (broadcasters[n / MAX_STREAMS_PER_BROADCASTER], big(title(n))))
            .collect(),
    );

    // The full reads no longer fit in one reply here (8 MB of text), so the state is
    // compared through what the refusals could have touched.
    let touched = || {
        (
            summary(&env, last),
            env.query(StateQuery::Stream { id: small.clone() }),
        )
    };
    let before = touched();
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
    assert_eq!(touched(), before);
    let Event::StreamIsScheduled { id } = &scheduled[0] else {
        panic!("NewStream replies StreamIsScheduled")
    };
    env.ok(
        broadcasters[0],
        Action::DeleteStream {
            stream_id: id.clone(),
        },
    );
    env.ok(last, big(title(fitting)));
}

/// Every total at once: `MAX_ACCOUNTS` accounts, `MAX_STREAMS` streams whose texts
/// fill `MAX_TEXT_BYTES`, `MAX_FOLLOWS` follows and `MAX_WATCHES` marks, inserted in
/// key order (which leaves every index chunk half full, its worst case). The program
/// must take all of it in its 32 MiB and still answer. About 250,000 messages, so it
/// runs on demand: `cargo test --release --test capacity -- --ignored`.
#[test]
#[ignore = "fills every total: minutes"]
fn every_total_at_once_fits_in_memory() {
    let env = Env::new();
    let accounts = register_new(&env, MAX_ACCOUNTS - ACCOUNTS.len(), None);
    // Texts that share MAX_TEXT_BYTES evenly among MAX_STREAMS streams.
    let per_stream = MAX_TEXT_BYTES / MAX_STREAMS;
    let link_len = per_stream - 13 - 2 * MAX_TITLE_LEN;
    let start = env.next_block_time() + HOUR_MS;
    let broadcasters = &accounts[..MAX_STREAMS / MAX_STREAMS_PER_BROADCASTER];
    let streams = send_all(
        &env,
        (0..MAX_STREAMS)
            .map(|n| {
                let action = Action::NewStream {
                    title: format!("{n:0width$}", width = MAX_TITLE_LEN),
                    description: None,
                    start_time: start,
                    end_time: start + 6 * 24 * HOUR_MS,
                    img_link: "i".repeat(link_len),
                };
                (broadcasters[n / MAX_STREAMS_PER_BROADCASTER], action)
            })
            .collect(),
    );
    let ids: Vec<String> = streams
        .into_iter()
        .map(|event| match event {
            Event::StreamIsScheduled { id } => id,
            other => panic!("NewStream replied {other:?}"),
        })
        .collect();
    let fans = &accounts[broadcasters.len()..];
    let per_fan = 100;
    let follows = (0..MAX_FOLLOWS).map(|n| {
        let followed = accounts[(n / per_fan + n % per_fan + 1) % accounts.len()];
        (
            fans[n / per_fan],
            Action::Subscribe {
                account_id: actor(followed),
            },
        )
    });
    send_all(&env, follows.collect());
    let watches = (0..MAX_WATCHES).map(|n| {
        let stream = ids[(n / per_fan * 7 + n % per_fan) % ids.len()].clone();
        (fans[n / per_fan], Action::Watch { stream_id: stream })
    });
    send_all(&env, watches.collect());

    // Full reads no longer fit in a reply at this size: check what a refusal could touch.
    let before = summary(&env, fans[0]);
    let follow = Action::Subscribe {
        account_id: actor(accounts[0]),
    };
    assert_eq!(
        env.send(fans[0], follow),
        Err(error_reply(Error::FollowsFull))
    );
    let watch = Action::Watch {
        stream_id: ids[ids.len() - 1].clone(),
    };
    assert_eq!(
        env.send(fans[0], watch),
        Err(error_reply(Error::WatchesFull))
    );
    assert_eq!(summary(&env, fans[0]), before);
    env.ok(
        fans[0],
        Action::Unsubscribe {
            account_id: actor(accounts[1]),
        },
    );
    env.ok(
        broadcasters[0],
        Action::DeleteStream {
            stream_id: ids[0].clone(),
        },
    );
    env.ok(fans[0], edit_profile(Some("Still here"), None, None));
    assert_eq!(
        summary(&env, fans[0]).map(|s| s.subscription_count),
        Some(per_fan as u32 - 1)
    );
}
