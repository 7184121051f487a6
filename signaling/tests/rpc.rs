//! The chain client (`RpcChain`) against the local chain (`w3bstreaming-devnode`,
//! in this process, with its demo world), through a loopback proxy that records each
//! request and can answer as a broken node would, or with an answer recorded from a
//! Vara node: the answers the program gives, the request shaped as a Vara node expects
//! it, and every failure a refusal (fail closed), never a guess.
use axum::{extract::State, http::StatusCode, routing::post, Json, Router};
use parity_scale_codec::Encode;
use serde_json::{json, Value};
use std::{
    sync::{Arc, Mutex},
    time::{Duration, Instant},
};
use w3bstreaming_devnode::{
    chain::{ChainHandle, ChainState},
    demo::{self, Demo},
    server,
    signing::message_text,
};
use w3bstreaming_io::{Action, StateQuery, StateReply};
use w3bstreaming_keys::{dev, signature, AccountId};
use w3bstreaming_node_rpc::fixtures;
use w3bstreaming_signaling::{
    address::AddressRange,
    chain::{
        rpc::{RpcChain, QUERY_GAS_LIMIT, QUERY_ORIGIN},
        Authority, Chain, ChainError, Settings, StreamOwner,
    },
};

/// Where the tests' questions come from, as the server's turns at the node count it.
const LOCAL: AddressRange = AddressRange::V4(std::net::Ipv4Addr::LOCALHOST);

/// How the proxy answers.
#[derive(Clone, Copy, PartialEq)]
enum Mode {
    Forward,
    HttpError,
    NotHex,
    NotAReply,
    /// A reply with an error code, as a rejection has.
    Refused,
    /// A success whose payload is not an `Event::QueryReply`.
    OtherEvent,
    OtherId,
    /// A JSON-RPC error whose message is 50 KB long (an answer read whole).
    LongError,
    /// A 1 MB answer.
    Huge,
    /// Forwarded after 300 ms.
    Slow,
    /// The response of an answer recorded from a Vara node (`node-rpc/fixtures/`).
    Recorded(&'static str),
}

struct Proxy {
    node: String,
    mode: Mutex<Mode>,
    requests: Mutex<Vec<Value>>,
    /// Requests being answered now, and the most there ever were at once.
    in_flight: Mutex<(usize, usize)>,
}

async fn proxy(
    State(proxy): State<Arc<Proxy>>,
    Json(request): Json<Value>,
) -> (StatusCode, Json<Value>) {
    proxy.requests.lock().unwrap().push(request.clone());
    let mode = *proxy.mode.lock().unwrap();
    if mode == Mode::Slow {
        {
            let mut in_flight = proxy.in_flight.lock().unwrap();
            in_flight.0 += 1;
            in_flight.1 = in_flight.1.max(in_flight.0);
        }
        tokio::time::sleep(Duration::from_millis(300)).await;
        proxy.in_flight.lock().unwrap().0 -= 1;
    }
    match mode {
        Mode::HttpError => (StatusCode::INTERNAL_SERVER_ERROR, Json(json!({}))),
        Mode::NotAReply => (
            StatusCode::OK,
            Json(json!({ "jsonrpc": "2.0", "id": request["id"], "result": "nope" })),
        ),
        Mode::NotHex => answer(&request, "nope", json!({ "Success": "Manual" })),
        Mode::Refused => answer(
            &request,
            &format!("0x{}", hex::encode("panicked with 'no'")),
            json!({ "Error": { "Execution": "UserspacePanic" } }),
        ),
        Mode::OtherEvent => answer(&request, "0x04", json!({ "Success": "Manual" })),
        Mode::Recorded(fixture) => {
            let fixture: Value = serde_json::from_str(fixture).unwrap();
            let mut response = fixture["response"].clone();
            response["id"] = request["id"].clone();
            (StatusCode::OK, Json(response))
        }
        Mode::OtherId => (
            StatusCode::OK,
            Json(json!({ "jsonrpc": "2.0", "id": 999_999, "result": "0x" })),
        ),
        Mode::LongError => (
            StatusCode::OK,
            Json(json!({
                "jsonrpc": "2.0",
                "id": request["id"],
                "error": { "code": 1000, "message": "e".repeat(50_000) },
            })),
        ),
        Mode::Huge => (
            StatusCode::OK,
            Json(
                json!({ "jsonrpc": "2.0", "id": request["id"], "result": format!("0x{}", "00".repeat(500_000)) }),
            ),
        ),
        Mode::Forward | Mode::Slow => (StatusCode::OK, Json(call(&proxy.node, request).await)),
    }
}

/// A `gear_calculateReplyForHandle` result.
fn answer(request: &Value, payload: &str, code: Value) -> (StatusCode, Json<Value>) {
    let result = json!({ "payload": payload, "value": 0, "code": code });
    (
        StatusCode::OK,
        Json(json!({ "jsonrpc": "2.0", "id": request["id"], "result": result })),
    )
}

async fn call(url: &str, request: Value) -> Value {
    let response = reqwest::Client::new().post(url).json(&request).send().await;
    response.unwrap().json().await.unwrap()
}

async fn serve(router: Router) -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, router).await.unwrap() });
    url
}

struct Setup {
    chain: ChainHandle,
    node: String,
    proxy: Arc<Proxy>,
    proxy_url: String,
    demo: Demo,
}

async fn start() -> Setup {
    let wasm = w3bstreaming::WASM_BINARY_OPT.to_vec();
    let setup = |state: &mut ChainState| demo::setup(state, 0);
    let (chain, demo) = ChainHandle::start(wasm, Box::new(setup)).unwrap();
    let timeouts = server::Timeouts {
        header: Duration::from_secs(10),
        body: Duration::from_secs(30),
    };
    let node = serve(server::router(chain.clone(), &[], timeouts).unwrap()).await;
    let proxy = Arc::new(Proxy {
        node: node.clone(),
        mode: Mutex::new(Mode::Forward),
        requests: Mutex::new(Vec::new()),
        in_flight: Mutex::new((0, 0)),
    });
    let proxy_url = serve(
        Router::new()
            .route("/", post(self::proxy))
            .with_state(proxy.clone()),
    )
    .await;
    Setup {
        chain,
        node,
        proxy,
        proxy_url,
        demo,
    }
}

fn account(id: &str) -> AccountId {
    AccountId::parse(id).unwrap()
}

/// An authority that keeps answers for `ttl` and no failure.
fn authority(url: &str, program: AccountId, ttl: Duration) -> Authority {
    authority_with(url, program, Settings { ttl, ..SETTINGS })
}

const SETTINGS: Settings = Settings {
    ttl: Duration::ZERO,
    failure_ttl: Duration::ZERO,
    capacity: 16,
    concurrent: 32,
    wait: Duration::from_secs(5),
};

fn authority_with(url: &str, program: AccountId, settings: Settings) -> Authority {
    let chain = Arc::new(RpcChain::new(url, program, Duration::from_secs(5)));
    Authority::new(chain, settings)
}

/// Sends `action` from the development account `uri` as a client of the local chain
/// does (signed text, nonce), and waits for the reply.
async fn send(setup: &Setup, uri: &str, action: Action) -> Value {
    let pair = dev::keypair(uri).unwrap();
    let sender = signature::account_of(&pair);
    let request = |method: &str, params: Value| json!({ "jsonrpc": "2.0", "id": 1, "method": method, "params": params });
    let nonce = call(
        &setup.node,
        request("dev_nonce", json!([sender.to_string()])),
    )
    .await["result"]
        .as_u64()
        .unwrap();
    let payload = action.encode();
    let text = message_text(
        &setup.chain.genesis,
        &setup.chain.program_id,
        &sender,
        nonce,
        &payload,
        0,
    );
    let params = json!([
        sender.to_string(),
        format!("0x{}", hex::encode(&payload)),
        nonce,
        signature::sign(&pair, text.as_bytes())
    ]);
    let sent = call(&setup.node, request("dev_sendMessage", params)).await;
    let message = sent["result"]["messageId"].clone();
    call(
        &setup.node,
        request("dev_messageReply", json!([message, 10_000])),
    )
    .await["result"]
        .clone()
}

#[tokio::test]
async fn answers_through_the_node_are_the_programs() {
    let setup = start().await;
    let remote = authority(&setup.proxy_url, setup.chain.program_id, Duration::ZERO);
    let demo = &setup.demo;
    let (broadcaster, follower, stranger) = (
        account(&demo.broadcaster.id),
        account(&demo.follower.id),
        account(&demo.stranger.id),
    );

    let owner = remote
        .stream(&demo.stream_id, LOCAL)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(owner.broadcaster, broadcaster);
    assert!(owner.end_time > setup.chain.block().timestamp);
    assert_eq!(
        remote.stream("no such stream", LOCAL).await,
        Ok(None::<StreamOwner>)
    );
    assert_eq!(remote.follows(follower, broadcaster, LOCAL).await, Ok(true));
    assert_eq!(
        remote.follows(stranger, broadcaster, LOCAL).await,
        Ok(false)
    );
    assert_eq!(
        remote.follows(broadcaster, follower, LOCAL).await,
        Ok(false)
    );

    // The request a Vara node's `gear_calculateReplyForHandle` takes: origin, program
    // id, the query as an action, gas limit, value, no block.
    let requests = setup.proxy.requests.lock().unwrap().clone();
    let query = Action::Query(StateQuery::IsSubscribed {
        subscriber: follower.0.into(),
        broadcaster: broadcaster.0.into(),
    });
    let expected = json!([
        QUERY_ORIGIN.to_string(),
        setup.chain.program_id.to_string(),
        format!("0x{}", hex::encode(query.encode())),
        QUERY_GAS_LIMIT,
        0,
        null
    ]);
    let request = requests
        .iter()
        .find(|request| request["params"] == expected)
        .expect("IsSubscribed was asked");
    assert_eq!(request["jsonrpc"], "2.0");
    assert_eq!(request["method"], "gear_calculateReplyForHandle");
    let users = Action::Query(StateQuery::Users).encode();
    assert!(requests
        .iter()
        .all(|request| request["params"][2] != json!(format!("0x{}", hex::encode(&users)))));
}

#[tokio::test]
async fn every_failure_is_a_refusal() {
    let setup = start().await;
    let (broadcaster, follower) = (
        account(&setup.demo.broadcaster.id),
        account(&setup.demo.follower.id),
    );

    let wrong_program = authority(&setup.proxy_url, AccountId([0xee; 32]), Duration::ZERO);
    assert_eq!(
        wrong_program.follows(follower, broadcaster, LOCAL).await,
        Err(ChainError(
            "the node refused the query: Runtime error (code 8000): \"Internal error: entered unreachable code 'Failed to get last message from the queue'\" (the account at --program-id holds no program)".into()
        ))
    );

    let remote = authority(&setup.proxy_url, setup.chain.program_id, Duration::ZERO);
    for (mode, error) in [
        (
            Mode::HttpError,
            "the node answered HTTP 500 Internal Server Error",
        ),
        (
            Mode::NotAReply,
            "the node's result is not a reply (payload, value, code): invalid type: string \"nope\", expected struct ReplyInfo",
        ),
        (
            Mode::NotHex,
            "the node's result is not a reply (payload, value, code): bytes must be 0x-prefixed hex",
        ),
        (
            Mode::Refused,
            "the program refused the query: panicked with 'no'",
        ),
        (
            Mode::OtherEvent,
            "the program's reply is not the reply to the query",
        ),
        (Mode::OtherId, "the node answered another request"),
        (
            Mode::LongError,
            &format!(
                "the node refused the query: {}… (code 1000)",
                "e".repeat(240)
            ),
        ),
        (Mode::Huge, "the node's answer is longer than 65536 bytes"),
    ] {
        *setup.proxy.mode.lock().unwrap() = mode;
        assert_eq!(
            remote.follows(follower, broadcaster, LOCAL).await,
            Err(ChainError(error.into()))
        );
    }

    let dead = authority(
        "http://127.0.0.1:9/",
        setup.chain.program_id,
        Duration::ZERO,
    );
    let error = dead
        .follows(follower, broadcaster, LOCAL)
        .await
        .unwrap_err();
    assert!(
        error.0.starts_with("the node cannot be reached: "),
        "{error}"
    );
    assert!(
        !error.0.contains("127.0.0.1:9"),
        "the URL is left out: {error}"
    );
}

#[tokio::test]
async fn a_follow_is_kept_for_its_ttl_and_a_refusal_not_at_all() {
    let setup = start().await;
    // Longer than a block, which the unfollow below waits for.
    let ttl = Duration::from_secs(8);
    let cached = authority(&setup.node, setup.chain.program_id, ttl);
    let (broadcaster, stranger) = (
        account(&setup.demo.broadcaster.id),
        account(&setup.demo.stranger.id),
    );
    assert_eq!(
        cached.follows(stranger, broadcaster, LOCAL).await,
        Ok(false)
    );
    let follow = Action::Subscribe {
        account_id: broadcaster.0.into(),
    };
    let reply = send(&setup, &setup.demo.stranger.uri, follow).await;
    assert_eq!(reply["ok"], true, "{reply}");
    // A viewer who follows from the refusal can watch at once.
    assert_eq!(
        cached.follows(stranger, broadcaster, LOCAL).await,
        Ok(true),
        "a refusal is not kept"
    );

    let asked = Instant::now();
    let unfollow = Action::Unsubscribe {
        account_id: broadcaster.0.into(),
    };
    let reply = send(&setup, &setup.demo.stranger.uri, unfollow).await;
    assert_eq!(reply["ok"], true, "{reply}");
    let direct = authority(&setup.node, setup.chain.program_id, Duration::ZERO);
    assert_eq!(
        direct.follows(stranger, broadcaster, LOCAL).await,
        Ok(false)
    );
    assert!(
        asked.elapsed() < ttl,
        "the unfollow took longer than the TTL"
    );
    assert_eq!(
        cached.follows(stranger, broadcaster, LOCAL).await,
        Ok(true),
        "within the TTL"
    );
    let margin = Duration::from_millis(500);
    tokio::time::sleep((ttl + margin).saturating_sub(asked.elapsed())).await;
    assert_eq!(
        cached.follows(stranger, broadcaster, LOCAL).await,
        Ok(false),
        "after the TTL"
    );
}

#[tokio::test]
async fn equal_questions_share_one_query_and_all_wait_their_turn() {
    let setup = start().await;
    *setup.proxy.mode.lock().unwrap() = Mode::Slow;
    let settings = Settings {
        concurrent: 3,
        ..SETTINGS
    };
    let remote = Arc::new(authority_with(
        &setup.proxy_url,
        setup.chain.program_id,
        settings,
    ));
    let (broadcaster, follower) = (
        account(&setup.demo.broadcaster.id),
        account(&setup.demo.follower.id),
    );
    let ask = |viewer: AccountId| {
        let remote = remote.clone();
        tokio::spawn(async move { remote.follows(viewer, broadcaster, LOCAL).await })
    };
    // Ten askers of one question, and ten of ten others nobody follows.
    let same: Vec<_> = (0..10).map(|_| ask(follower)).collect();
    let others: Vec<_> = (0..10u8).map(|i| ask(AccountId([100 + i; 32]))).collect();
    for asked in same {
        assert_eq!(asked.await.unwrap(), Ok(true));
    }
    for asked in others {
        assert_eq!(asked.await.unwrap(), Ok(false));
    }
    let requests = setup.proxy.requests.lock().unwrap().len();
    assert_eq!(requests, 11, "one query for the ten equal questions");
    assert_eq!(
        setup.proxy.in_flight.lock().unwrap().1,
        3,
        "never more than 3 at once"
    );

    // A query that cannot get its turn in time is refused, not queued for ever.
    let impatient = Arc::new(authority_with(
        &setup.proxy_url,
        setup.chain.program_id,
        Settings {
            concurrent: 1,
            wait: Duration::from_millis(100),
            ..SETTINGS
        },
    ));
    let first = {
        let impatient = impatient.clone();
        tokio::spawn(async move { impatient.follows(follower, broadcaster, LOCAL).await })
    };
    tokio::time::sleep(Duration::from_millis(20)).await;
    assert_eq!(
        impatient
            .follows(AccountId([7; 32]), broadcaster, LOCAL)
            .await,
        Err(ChainError(
            "too many queries are waiting for the node".into()
        ))
    );
    assert_eq!(first.await.unwrap(), Ok(true));
}

#[tokio::test]
async fn a_failure_is_remembered_for_its_ttl() {
    let setup = start().await;
    let remote = authority_with(
        &setup.proxy_url,
        setup.chain.program_id,
        Settings {
            failure_ttl: Duration::from_millis(500),
            ..SETTINGS
        },
    );
    let (broadcaster, follower) = (
        account(&setup.demo.broadcaster.id),
        account(&setup.demo.follower.id),
    );
    *setup.proxy.mode.lock().unwrap() = Mode::HttpError;
    let failure = Err(ChainError(
        "the node answered HTTP 500 Internal Server Error".into(),
    ));
    assert_eq!(remote.follows(follower, broadcaster, LOCAL).await, failure);
    *setup.proxy.mode.lock().unwrap() = Mode::Forward;
    for _ in 0..5 {
        assert_eq!(remote.follows(follower, broadcaster, LOCAL).await, failure);
    }
    assert_eq!(setup.proxy.requests.lock().unwrap().len(), 1, "asked once");
    tokio::time::sleep(Duration::from_millis(600)).await;
    assert_eq!(remote.follows(follower, broadcaster, LOCAL).await, Ok(true));
}

#[tokio::test]
async fn the_answers_recorded_from_a_node_are_read() {
    let setup = start().await;
    let remote = RpcChain::new(
        &setup.proxy_url,
        setup.chain.program_id,
        Duration::from_secs(5),
    );
    *setup.proxy.mode.lock().unwrap() = Mode::Recorded(fixtures::CALCULATE_REPLY_SUCCESS);
    assert_eq!(
        Chain::answer(&remote, StateQuery::Streams.encode()).await,
        Ok(StateReply::Streams(Vec::new()).encode())
    );
    *setup.proxy.mode.lock().unwrap() = Mode::Recorded(fixtures::CALCULATE_REPLY_PANIC);
    assert_eq!(
        Chain::answer(&remote, StateQuery::Streams.encode()).await,
        Err(ChainError(
            "the program refused the query: panicked with 'sender has no profile: register with EditProfile first'".into()
        ))
    );
}
