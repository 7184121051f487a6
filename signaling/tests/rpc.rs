//! The production chain client (`RpcChain`) against a loopback JSON-RPC server that
//! answers `gear_readState` with the bytes the program produced in gtest: the same
//! answers as asking gtest directly, the request shaped as a Vara node expects it,
//! and every failure a refusal (fail closed), never a guess.
use axum::{extract::State, http::StatusCode, routing::post, Json, Router};
use parity_scale_codec::Encode;
use serde_json::{json, Value};
use std::{
    sync::{Arc, Mutex},
    time::Duration,
};
use w3bstreaming_io::{Action, StateQuery};
use w3bstreaming_signaling::{
    account::AccountId,
    chain::{embedded::EmbeddedChain, rpc::RpcChain, Authority, Chain, ChainError, StreamOwner},
    demo::{self, Demo},
};

/// How the loopback node answers.
#[derive(Clone, Copy, PartialEq)]
enum Mode {
    Node,
    HttpError,
    NotHex,
    OtherId,
}

struct Node {
    chain: Arc<EmbeddedChain>,
    mode: Mutex<Mode>,
    requests: Mutex<Vec<Value>>,
}

async fn rpc(
    State(node): State<Arc<Node>>,
    Json(request): Json<Value>,
) -> (StatusCode, Json<Value>) {
    node.requests.lock().unwrap().push(request.clone());
    let id = request["id"].clone();
    let mode = *node.mode.lock().unwrap();
    let result = match mode {
        Mode::HttpError => return (StatusCode::INTERNAL_SERVER_ERROR, Json(json!({}))),
        Mode::NotHex => {
            return (
                StatusCode::OK,
                Json(json!({ "jsonrpc": "2.0", "id": id, "result": "nope" })),
            )
        }
        Mode::OtherId => {
            return (
                StatusCode::OK,
                Json(json!({ "jsonrpc": "2.0", "id": 999_999, "result": "0x" })),
            )
        }
        Mode::Node => {
            let params = &request["params"];
            if params[0] != json!(EmbeddedChain::program_id().to_string()) {
                Err("Program not found".to_string())
            } else {
                let query =
                    hex::decode(params[1].as_str().unwrap().trim_start_matches("0x")).unwrap();
                node.chain.read_state(query).await.map_err(|error| error.0)
            }
        }
    };
    let body = match result {
        Ok(bytes) => {
            json!({ "jsonrpc": "2.0", "id": id, "result": format!("0x{}", hex::encode(bytes)) })
        }
        Err(message) => {
            json!({ "jsonrpc": "2.0", "id": id, "error": { "code": 8000, "message": message } })
        }
    };
    (StatusCode::OK, Json(body))
}

async fn start() -> (Arc<Node>, String, Demo) {
    let chain = Arc::new(EmbeddedChain::start(w3bstreaming::WASM_BINARY_OPT.to_vec()));
    let demo = demo::setup(&chain, 0).await.expect("demo setup");
    let node = Arc::new(Node {
        chain,
        mode: Mutex::new(Mode::Node),
        requests: Mutex::new(Vec::new()),
    });
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/", listener.local_addr().unwrap());
    let app = Router::new().route("/", post(rpc)).with_state(node.clone());
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    (node, url, demo)
}

fn rpc_authority(url: &str, program: AccountId) -> Authority {
    let chain = Arc::new(RpcChain::new(url, program, Duration::from_secs(5)));
    // No cache: every question reaches the node.
    Authority::new(chain, Duration::ZERO, 16)
}

#[tokio::test]
async fn answers_through_the_node_equal_the_programs() {
    let (node, url, demo) = start().await;
    let direct = Authority::new(node.chain.clone(), Duration::ZERO, 16);
    let remote = rpc_authority(&url, EmbeddedChain::program_id());
    let (broadcaster, follower, stranger) =
        (demo.broadcaster.id, demo.follower.id, demo.stranger.id);

    let owner = remote.stream(&demo.stream_id).await.unwrap().unwrap();
    assert_eq!(Some(owner), direct.stream(&demo.stream_id).await.unwrap());
    assert_eq!(owner.broadcaster, broadcaster);
    assert_eq!(
        remote.stream("no such stream").await,
        Ok(None::<StreamOwner>)
    );
    assert_eq!(remote.follows(follower, broadcaster).await, Ok(true));
    assert_eq!(remote.follows(stranger, broadcaster).await, Ok(false));
    assert_eq!(remote.follows(broadcaster, follower).await, Ok(false));

    // The request a Vara node's `gear_readState` takes: program id, query bytes, no block.
    let requests = node.requests.lock().unwrap().clone();
    let query = StateQuery::IsSubscribed {
        subscriber: follower.0.into(),
        broadcaster: broadcaster.0.into(),
    };
    let expected = json!([
        EmbeddedChain::program_id().to_string(),
        format!("0x{}", hex::encode(query.encode())),
        null
    ]);
    let request = requests
        .iter()
        .find(|request| request["params"] == expected)
        .expect("IsSubscribed was asked");
    assert_eq!(request["jsonrpc"], "2.0");
    assert_eq!(request["method"], "gear_readState");
    assert!(requests.iter().all(|request| request["params"][1]
        != json!(format!("0x{}", hex::encode(StateQuery::Users.encode())))));
}

#[tokio::test]
async fn every_failure_is_a_refusal() {
    let (node, url, demo) = start().await;
    let (broadcaster, follower) = (demo.broadcaster.id, demo.follower.id);

    let wrong_program = rpc_authority(&url, AccountId([0xee; 32]));
    assert_eq!(
        wrong_program.follows(follower, broadcaster).await,
        Err(ChainError(
            "the node refused the query: Program not found (code 8000)".into()
        ))
    );

    let remote = rpc_authority(&url, EmbeddedChain::program_id());
    for (mode, error) in [
        (
            Mode::HttpError,
            "the node answered HTTP 500 Internal Server Error",
        ),
        (Mode::NotHex, "the node's result is not 0x-prefixed hex"),
        (Mode::OtherId, "the node answered another request"),
    ] {
        *node.mode.lock().unwrap() = mode;
        assert_eq!(
            remote.follows(follower, broadcaster).await,
            Err(ChainError(error.into()))
        );
    }

    let dead = rpc_authority("http://127.0.0.1:9/", EmbeddedChain::program_id());
    let error = dead.follows(follower, broadcaster).await.unwrap_err();
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
async fn answers_are_cached_for_their_ttl_only() {
    let (node, _, demo) = start().await;
    let ttl = Duration::from_millis(300);
    let cached = Authority::new(node.chain.clone(), ttl, 16);
    let (broadcaster, follower) = (demo.broadcaster.id, demo.follower.id);
    assert_eq!(cached.follows(follower, broadcaster).await, Ok(true));

    let unsubscribe = Action::Unsubscribe {
        account_id: broadcaster.0.into(),
    };
    let replies = node
        .chain
        .handle(vec![(follower, unsubscribe)])
        .await
        .unwrap();
    assert!(replies[0].is_ok(), "{replies:?}");
    assert_eq!(
        cached.follows(follower, broadcaster).await,
        Ok(true),
        "within the TTL"
    );
    tokio::time::sleep(ttl).await;
    assert_eq!(
        cached.follows(follower, broadcaster).await,
        Ok(false),
        "after the TTL"
    );
}
