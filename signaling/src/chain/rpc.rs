//! The production chain: a Vara node's JSON-RPC, method `gear_calculateReplyForHandle`
//! (`[origin, program id, payload, gas limit, value, block hash or null]` -> `{ payload,
//! value, code }`), the dry run `@gear-js/api`'s `message.calculateReply` makes, with
//! the query as an `Action::Query`. Unlike `gear_readState`, which a node runs with
//! at most 32 MiB of the program's memory, it answers at every size the program
//! grows to.
use super::{BoxFuture, Chain, ChainError};
use crate::echo::bounded;
use serde::Deserialize;
use serde_json::json;
use std::{
    sync::atomic::{AtomicU64, Ordering},
    time::Duration,
};
use w3bstreaming_io::QUERY_INDEX;
use w3bstreaming_keys::AccountId;

/// The account a query is asked as. A dry run spends nothing and the program does
/// not look at who asks, so the server needs no account of its own.
pub const QUERY_ORIGIN: AccountId = AccountId([0; 32]);

/// The gas a query may burn: about a hundred times what `Stream` or `IsSubscribed`
/// cost at any size (docs/benchmark.md).
pub const QUERY_GAS_LIMIT: u64 = 10_000_000_000;

/// The largest answer read from a node. The program's replies to the server's
/// queries are a stream's record (texts of at most a few hundred bytes) or a yes/no;
/// a longer answer is not the program's, and is not read on.
pub const MAX_ANSWER_BYTES: usize = 64 * 1024;

/// A client of one node's HTTP(S) JSON-RPC endpoint, reading one program.
pub struct RpcChain {
    client: reqwest::Client,
    url: String,
    program_id: AccountId,
    next_id: AtomicU64,
}

impl RpcChain {
    /// Each request gives up after `timeout`, and the server then refuses the client.
    pub fn new(url: &str, program_id: AccountId, timeout: Duration) -> Self {
        Self {
            client: reqwest::Client::builder()
                .timeout(timeout)
                .build()
                .expect("an HTTP client with a timeout"),
            url: url.to_string(),
            program_id,
            next_id: AtomicU64::new(1),
        }
    }

    /// The program's `Event::QueryReply` to `query`, without its index: the bytes of
    /// the `StateReply`.
    async fn answer(&self, query: Vec<u8>) -> Result<Vec<u8>, ChainError> {
        let payload = [&[QUERY_INDEX][..], &query].concat();
        let params = json!([
            QUERY_ORIGIN.to_string(),
            self.program_id.to_string(),
            format!("0x{}", hex::encode(payload)),
            QUERY_GAS_LIMIT,
            0,
            null
        ]);
        let result = self.call("gear_calculateReplyForHandle", params).await?;
        let reply: ReplyInfo = serde_json::from_value(result)
            .map_err(|_| ChainError("the node's result is not a reply (payload, code)".into()))?;
        let (Some(payload), Some(code)) = (hex_of(&reply.payload), hex_of(&reply.code)) else {
            return Err(ChainError("the node's reply is not 0x-prefixed hex".into()));
        };
        match code.first() {
            Some(0) => match payload.split_first() {
                Some((&QUERY_INDEX, answer)) => Ok(answer.to_vec()),
                _ => Err(super::not_the_reply()),
            },
            _ => Err(ChainError(format!(
                "the program refused the query: {}",
                bounded(&String::from_utf8_lossy(&payload))
            ))),
        }
    }

    /// The `result` of one JSON-RPC call.
    async fn call(
        &self,
        method: &str,
        params: serde_json::Value,
    ) -> Result<serde_json::Value, ChainError> {
        let id = self.next_id.fetch_add(1, Ordering::Relaxed);
        let request = json!({ "jsonrpc": "2.0", "id": id, "method": method, "params": params });
        let response = self
            .client
            .post(&self.url)
            .json(&request)
            .send()
            .await
            .map_err(|error| {
                ChainError(format!(
                    "the node cannot be reached: {}",
                    without_url(&error)
                ))
            })?;
        let status = response.status();
        if !status.is_success() {
            return Err(ChainError(format!("the node answered HTTP {status}")));
        }
        let body = read_at_most(response, MAX_ANSWER_BYTES).await?;
        let response: Response = serde_json::from_slice(&body).map_err(|error| {
            ChainError(format!(
                "the node's answer is not JSON-RPC: {}",
                bounded(&error.to_string())
            ))
        })?;
        if response.id != Some(id) {
            return Err(ChainError("the node answered another request".into()));
        }
        match (response.result, response.error) {
            (Some(result), None) => Ok(result),
            (None, Some(error)) => Err(ChainError(format!(
                "the node refused the query: {} (code {}){}",
                bounded(&error.message),
                error.code,
                match &error.data {
                    Some(serde_json::Value::String(reason)) => format!(": {}", bounded(reason)),
                    _ => String::new(),
                }
            ))),
            _ => Err(ChainError(
                "the node's answer has neither a result nor an error".into(),
            )),
        }
    }
}

/// The bytes of `0x`-prefixed hex.
fn hex_of(text: &str) -> Option<Vec<u8>> {
    hex::decode(text.strip_prefix("0x")?).ok()
}

impl Chain for RpcChain {
    fn answer(&self, query: Vec<u8>) -> BoxFuture<'_, Result<Vec<u8>, ChainError>> {
        Box::pin(self.answer(query))
    }
}

/// The body of `response`, if it is at most `max` bytes: a longer one is refused as
/// soon as its length is known or, without one, as soon as it is read past `max`.
async fn read_at_most(mut response: reqwest::Response, max: usize) -> Result<Vec<u8>, ChainError> {
    let too_long = || ChainError(format!("the node's answer is longer than {max} bytes"));
    if response
        .content_length()
        .is_some_and(|length| length > max as u64)
    {
        return Err(too_long());
    }
    let mut body = Vec::new();
    while let Some(chunk) = response.chunk().await.map_err(|error| {
        ChainError(format!(
            "the node's answer was cut: {}",
            without_url(&error)
        ))
    })? {
        if body.len() + chunk.len() > max {
            return Err(too_long());
        }
        body.extend_from_slice(&chunk);
    }
    Ok(body)
}

#[derive(Deserialize)]
struct Response {
    id: Option<u64>,
    result: Option<serde_json::Value>,
    error: Option<RpcError>,
}

/// gear-core's `ReplyInfo` as a node serializes it (`value` is always 0 here).
#[derive(Deserialize)]
struct ReplyInfo {
    payload: String,
    code: String,
}

#[derive(Deserialize)]
struct RpcError {
    code: i64,
    message: String,
    data: Option<serde_json::Value>,
}

/// The URL may carry an API key: errors shown to clients leave it out.
fn without_url(error: &reqwest::Error) -> String {
    let mut text = error.to_string();
    if let Some(url) = error.url() {
        text = text.replace(url.as_str(), "<rpc url>");
    }
    text
}
