//! The program's totals: `MAX_ACCOUNTS` accounts and `MAX_STREAMS` streams, filled
//! through real messages, then one more of each is refused without a change, and room
//! freed by a deletion is used again.
mod common;

use common::*;
use gtest::constants::UNITS;
use w3bstreaming_io::{
    limits::{MAX_ACCOUNTS, MAX_STREAMS, MAX_STREAMS_PER_BROADCASTER},
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
