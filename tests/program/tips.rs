//! Tip and the two tip queries: value passed on to a stream's broadcaster at once, and
//! the receipts the program keeps.
use crate::common::*;
use w3bstreaming_io::{
    limits::{MAX_TIP_MESSAGE_LEN, MIN_TIP},
    Action, Error, Event, Field, StateQuery, StateReply, Tip,
};

fn tip(stream_id: &str, message: &str) -> Action {
    Action::Tip {
        stream_id: stream_id.into(),
        message: message.into(),
    }
}

fn receipt(env: &Env, number: u64) -> Option<Tip> {
    match env.query(StateQuery::Tip { number }) {
        StateReply::Tip(tip) => tip,
        other => panic!("Tip replied {other:?}"),
    }
}

fn received(
    env: &Env,
    broadcaster: u64,
    after: Option<u64>,
    limit: u32,
) -> (Vec<(u64, Tip)>, Option<u64>) {
    match env.query(StateQuery::TipsReceived {
        broadcaster: actor(broadcaster),
        after,
        limit,
    }) {
        StateReply::TipPage { tips, next } => (tips, next),
        other => panic!("TipsReceived replied {other:?}"),
    }
}

/// The balances a tip moves: the sender's, the broadcaster's and the program's.
fn balances(env: &Env, sender: u64, broadcaster: u64) -> [u128; 3] {
    [
        env.system.balance_of(sender),
        env.system.balance_of(broadcaster),
        env.system.balance_of(env.program().id()),
    ]
}

#[test]
fn a_tip_reaches_the_broadcaster_at_once_and_leaves_a_receipt() {
    let env = Env::new();
    for account in [ALICE, BOB, CAROL] {
        env.register(account);
    }
    let id = env.schedule(ALICE, "Live coding");
    let [bob, alice, program] = balances(&env, BOB, ALICE);
    let time = env.next_block_time();
    let amount = 5 * MIN_TIP / 2;
    assert_eq!(
        env.send_value(BOB, tip(&id, "Thanks for the stream!"), amount),
        Ok(Event::Tipped { number: 1 })
    );
    let [bob_after, alice_after, program_after] = balances(&env, BOB, ALICE);
    assert_eq!(
        alice_after,
        alice + amount,
        "the broadcaster has the whole tip"
    );
    assert_eq!(program_after, program, "the program keeps nothing");
    assert!(
        bob - bob_after > amount,
        "the tipper paid the tip and the gas"
    );
    let from_program = gtest::Log::builder().source(env.program().id());
    assert!(
        !env.system.get_mailbox(ALICE).contains(&from_program),
        "nothing waits to be claimed"
    );
    let first = Tip {
        tipper: actor(BOB),
        broadcaster: actor(ALICE),
        stream_id: id.clone(),
        amount,
        time,
        message: "Thanks for the stream!".into(),
    };
    assert_eq!(receipt(&env, 1), Some(first.clone()));

    // An empty message is a tip too; the latest comes first, and pages go on by number.
    let second = env.send_value(CAROL, tip(&id, ""), MIN_TIP);
    assert_eq!(second, Ok(Event::Tipped { number: 2 }));
    let other = env.schedule(BOB, "Bob's stream");
    env.send_value(ALICE, tip(&other, "back at you"), MIN_TIP)
        .unwrap();
    let (page, next) = received(&env, ALICE, None, 1);
    assert_eq!(page.len(), 1);
    assert_eq!((page[0].0, page[0].1.tipper), (2, actor(CAROL)));
    assert_eq!(next, Some(2));
    assert_eq!(received(&env, ALICE, Some(2), 0), (vec![(1, first)], None));
    let (bobs, _) = received(&env, BOB, None, 100);
    assert_eq!(
        bobs.iter().map(|(number, _)| *number).collect::<Vec<_>>(),
        [3]
    );
    assert_eq!(received(&env, DAVE, None, 100), (vec![], None));
    assert_eq!(receipt(&env, 4), None);
    assert_eq!(receipt(&env, 0), None);

    // A deleted stream keeps its tips' receipts.
    env.ok(ALICE, Action::DeleteStream { stream_id: id });
    assert_eq!(received(&env, ALICE, None, 100).0.len(), 2);
}

#[test]
fn a_refused_tip_moves_nothing_and_changes_nothing() {
    let env = Env::new();
    for account in [ALICE, BOB] {
        env.register(account);
    }
    let id = env.schedule(ALICE, "Live coding");
    let deleted = env.schedule(ALICE, "Gone");
    env.ok(
        ALICE,
        Action::DeleteStream {
            stream_id: deleted.clone(),
        },
    );
    let long = "x".repeat(MAX_TIP_MESSAGE_LEN + 1);
    let longest = "x".repeat(MAX_TIP_MESSAGE_LEN);
    let subscribe = Action::Subscribe {
        account_id: actor(ALICE),
    };
    let refused = [
        (CAROL, tip(&id, "hi"), MIN_TIP, Error::NotRegistered),
        (
            BOB,
            tip(&id, &long),
            MIN_TIP,
            Error::TooLong(Field::Message),
        ),
        (BOB, tip(&id, "hi"), 0, Error::TipWithoutValue),
        (BOB, tip(&id, "hi"), MIN_TIP - 1, Error::TipTooSmall),
        (BOB, tip(&deleted, "hi"), MIN_TIP, Error::StreamNotFound),
        (
            BOB,
            tip("no such stream", "hi"),
            MIN_TIP,
            Error::StreamNotFound,
        ),
        (ALICE, tip(&id, "hi"), MIN_TIP, Error::TipOwnStream),
        (BOB, subscribe.clone(), MIN_TIP, Error::UnexpectedValue),
        (
            BOB,
            Action::Query(StateQuery::Users),
            MIN_TIP,
            Error::UnexpectedValue,
        ),
    ];
    for (sender, action, value, error) in refused {
        let before = env.snapshot();
        let [sender_before, alice, program] = balances(&env, sender, ALICE);
        let reply = env.send_value(sender, action.clone(), value);
        assert_eq!(reply, Err(error_reply(error)), "{action:?} with {value}");
        assert_eq!(env.snapshot(), before, "{action:?} changed the state");
        let [sender_after, alice_after, program_after] = balances(&env, sender, ALICE);
        if sender != ALICE {
            assert_eq!(alice_after, alice, "{action:?} paid the broadcaster");
        }
        assert_eq!(
            program_after, program,
            "{action:?} left value in the program"
        );
        assert!(
            sender_before - sender_after < MIN_TIP / 10,
            "{action:?}: the value went back, and only gas was paid"
        );
    }
    // The same actions, put right, are taken.
    env.send_value(BOB, tip(&id, &longest), MIN_TIP).unwrap();
    env.send_value(BOB, subscribe, 0).unwrap();
    assert_eq!(received(&env, ALICE, None, 100).0.len(), 1);
}
