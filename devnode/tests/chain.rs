//! The chain behind the JSON-RPC (js/devnode.test.mjs tests the methods): the demo
//! world is what its documentation says, messages queued with nonces run in the next
//! block, a program that cannot start is an error, not a hang, and the calls recorded
//! from a Vara node are answered as the node answered them.
use parity_scale_codec::{Decode, Encode};
use serde_json::Value;
use std::time::Duration;
use w3bstreaming_devnode::{
    chain::{ChainHandle, ChainState, SubmitError, BLOCK_MS},
    demo::{self, Demo},
    rpc,
};
use w3bstreaming_io::{limits::MIN_TIP, Action, Event, StateQuery, StateReply};
use w3bstreaming_keys::AccountId;
use w3bstreaming_node_rpc::fixtures;

fn start() -> (ChainHandle, Demo) {
    let setup = |state: &mut ChainState| demo::setup(state, 2);
    ChainHandle::start(w3bstreaming::WASM_BINARY_OPT.to_vec(), Box::new(setup)).unwrap()
}

async fn query(chain: &ChainHandle, query: StateQuery) -> StateReply {
    let bytes = chain.read_state(query.encode()).await.unwrap().unwrap();
    StateReply::decode(&mut bytes.as_slice()).unwrap()
}

fn id(text: &str) -> AccountId {
    AccountId::parse(text).unwrap()
}

fn page_len(reply: &StateReply) -> usize {
    match reply {
        StateReply::StreamPage { streams, .. } => streams.len(),
        other => panic!("{other:?}"),
    }
}

#[tokio::test]
async fn the_demo_world_is_as_documented() {
    let (chain, demo) = start();
    let names: Vec<_> = demo.accounts.iter().map(|a| a.name.as_str()).collect();
    assert_eq!(names, ["Alice", "Bob", "Charlie", "Dave", "Eve", "Ferdie"]);
    let (alice, bob, ferdie) = (
        id(&demo.broadcaster.id),
        id(&demo.follower.id),
        id(&demo.stranger.id),
    );
    let now = chain.block().timestamp;
    let stream = query(
        &chain,
        StateQuery::Stream {
            id: demo.stream_id.clone(),
        },
    )
    .await;
    let StateReply::Stream(Some(stream)) = stream else {
        panic!("the demo stream exists: {stream:?}")
    };
    assert_eq!(stream.broadcaster.into_bytes(), alice.0);
    assert!(stream.start_time <= now && now < stream.end_time, "live");

    let follows = StateQuery::IsSubscribed {
        subscriber: bob.0.into(),
        broadcaster: alice.0.into(),
    };
    assert_eq!(query(&chain, follows).await, StateReply::IsSubscribed(true));
    let profile = |account: AccountId| StateQuery::Profile {
        account: account.0.into(),
    };
    let StateReply::Profile(Some(ferdie)) = query(&chain, profile(ferdie)).await else {
        panic!("Ferdie is registered")
    };
    assert_eq!(
        (ferdie.subscriber_count, ferdie.subscription_count),
        (0, 0),
        "nobody follows Ferdie and Ferdie follows nobody"
    );
    let StateReply::Profile(Some(alice)) = query(&chain, profile(alice)).await else {
        panic!("Alice is registered")
    };
    assert_eq!(
        alice.subscriber_count,
        4 + 2,
        "four named followers, two viewers"
    );

    let live = StateQuery::LiveStreams {
        at: now,
        after: None,
        limit: 10,
    };
    let upcoming = StateQuery::UpcomingStreams {
        from: now,
        after: None,
        limit: 10,
    };
    assert_eq!(page_len(&query(&chain, live).await), 2);
    assert_eq!(page_len(&query(&chain, upcoming).await), 4);
}

#[tokio::test]
async fn a_queued_message_runs_in_the_next_block() {
    let (chain, demo) = start();
    let ferdie = id(&demo.stranger.id);
    let before = chain.block();
    let follow = Action::Subscribe {
        account_id: id(&demo.broadcaster.id).0.into(),
    };
    let message = chain.submit(ferdie, 0, follow.encode(), 0).await.unwrap();
    let message = message.expect("nonce 0 is Ferdie's first");
    let again = chain.submit(ferdie, 0, follow.encode(), 0).await.unwrap();
    let spent = SubmitError::Nonce {
        given: 0,
        expected: 1,
    };
    assert_eq!(again, Err(spent));
    assert_eq!(
        chain.reply(message).await.unwrap(),
        None,
        "not before its block"
    );
    let reply = chain
        .wait_reply(message, Duration::from_millis(3 * BLOCK_MS))
        .await
        .unwrap()
        .expect("replied within a block or two");
    assert!(reply.block > before.number);
    let event = Event::decode(&mut reply.outcome.unwrap().as_slice()).unwrap();
    assert_eq!(event, Event::Subscribed);
    assert!(chain.block().state_version > before.state_version);
}

#[test]
fn a_program_that_cannot_start_is_an_error() {
    let nothing = |_: &mut ChainState| Ok(());
    let started = ChainHandle::start(b"not wasm".to_vec(), Box::new(nothing));
    assert!(started.is_err());
}

#[tokio::test]
async fn the_calls_recorded_from_a_node_are_answered_as_the_node_answered() {
    // As on the node: the program just uploaded, nothing sent to it yet.
    let nothing = |_: &mut ChainState| Ok(());
    let wasm = w3bstreaming::WASM_BINARY_OPT.to_vec();
    let (chain, ()) = ChainHandle::start(wasm, Box::new(nothing)).unwrap();
    for (name, fixture) in fixtures::ALL {
        let fixture: Value = serde_json::from_str(fixture).unwrap();
        let mut request = fixture["request"].clone();
        for param in request["params"].as_array_mut().unwrap() {
            if *param == fixtures::PROGRAM {
                *param = Value::String(chain.program_id.to_string());
            }
        }
        let body = serde_json::to_vec(&request).unwrap();
        assert_eq!(
            rpc::handle(&chain, &body).await,
            fixture["response"],
            "{name}: the local chain's answer, then the node's"
        );
    }
}

#[tokio::test]
async fn a_dry_run_lends_its_origin_what_it_needs_and_leaves_no_account() {
    let (chain, demo) = start();
    let alice = id(&demo.broadcaster.id);
    let newcomer = AccountId([0x5a; 32]);
    let follow = Action::Subscribe {
        account_id: alice.0.into(),
    };
    let ran = chain
        .dry_run(
            newcomer,
            follow.encode(),
            w3bstreaming_devnode::chain::MAX_GAS_LIMIT,
        )
        .await
        .unwrap();
    assert!(ran.is_ok(), "{ran:?}");
    assert_eq!(chain.balance(newcomer).await, Ok(0), "nothing kept");
    let held = chain.balance(alice).await.unwrap();
    assert!(held > 0);
    chain
        .dry_run(
            alice,
            follow.encode(),
            w3bstreaming_devnode::chain::MAX_GAS_LIMIT,
        )
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        chain.balance(alice).await,
        Ok(held),
        "a sender's balance is its own"
    );
}

#[tokio::test]
async fn a_message_carries_value_its_sender_holds_and_a_tip_reaches_the_broadcaster() {
    let (chain, demo) = start();
    let (alice, bob) = (id(&demo.broadcaster.id), id(&demo.follower.id));
    let tip = Action::Tip {
        stream_id: demo.stream_id.clone(),
        message: "great stream".into(),
    };
    let nonce = chain.nonce(bob).await.unwrap();
    let too_much = chain
        .submit(bob, nonce, tip.encode(), u128::MAX)
        .await
        .unwrap();
    assert!(
        matches!(too_much, Err(SubmitError::Balance { .. })),
        "{too_much:?}"
    );
    assert_eq!(
        chain.nonce(bob).await,
        Ok(nonce),
        "a refused message spends no nonce"
    );
    let before = chain.balance(alice).await.unwrap();
    let message = chain
        .submit(bob, nonce, tip.encode(), MIN_TIP)
        .await
        .unwrap()
        .expect("queued");
    let reply = chain
        .wait_reply(message, Duration::from_millis(3 * BLOCK_MS))
        .await
        .unwrap()
        .expect("replied");
    let event = Event::decode(&mut reply.outcome.unwrap().as_slice()).unwrap();
    assert!(matches!(event, Event::Tipped { .. }), "{event:?}");
    assert_eq!(chain.balance(alice).await, Ok(before + MIN_TIP));
}
