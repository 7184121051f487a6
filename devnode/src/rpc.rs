//! The node's JSON-RPC 2.0 methods over one request object: `gear_readState` and
//! `gear_calculateReplyForHandle` in a Vara node's JSON (its types, from
//! `w3bstreaming-node-rpc`, and its runtime errors), and the `dev_*` methods a local
//! chain needs in place of extrinsics (docs/local-chain.md is the reference).
//!
//! Every failure is a JSON-RPC error that names the problem without echoing the input,
//! and nothing is queued or spent unless the whole request is valid.
use crate::{
    chain::{ChainHandle, Reply, SubmitError, BLOCK_MS, MAX_GAS_LIMIT},
    request::{self, Body},
    signing::message_text,
};
use gstd::MessageId;
use serde_json::{json, Value};
use std::time::Duration;
use tracing::info;
use w3bstreaming_keys::{signature, AccountId, VARA_SS58};
use w3bstreaming_node_rpc::{self as node_rpc, reasons, ReplyInfo};

/// The largest payload a Gear message carries.
pub const MAX_PAYLOAD_BYTES: usize = 8 * 1024 * 1024;
/// The longest a waiting method (`dev_messageReply`, `dev_nextBlock`) waits.
pub const MAX_WAIT_MS: u64 = 30_000;

/// Every method, as `rpc_methods` lists them.
pub const METHODS: [&str; 10] = [
    "gear_readState",
    "gear_calculateReplyForHandle",
    "gear_readMetahash",
    "dev_info",
    "dev_nonce",
    "dev_balance",
    "dev_sendMessage",
    "dev_messageReply",
    "dev_nextBlock",
    "rpc_methods",
];

/// A JSON-RPC error object.
#[derive(Debug, Clone, PartialEq)]
pub struct RpcError {
    pub code: i64,
    pub message: String,
    pub data: Option<Value>,
}

impl RpcError {
    pub const PARSE_ERROR: i64 = -32700;
    pub const INVALID_REQUEST: i64 = -32600;
    pub const METHOD_NOT_FOUND: i64 = -32601;
    pub const INVALID_PARAMS: i64 = -32602;
    /// What a Vara node answers when the runtime refuses or fails a call; the reason
    /// is in `data`, as the node writes it.
    pub const RUNTIME_ERROR: i64 = node_rpc::RUNTIME_ERROR;
    pub const BAD_SIGNATURE: i64 = 1001;
    pub const BAD_NONCE: i64 = 1002;
    pub const PAYLOAD_TOO_LARGE: i64 = 1003;
    /// The sender cannot pay the value its message carries and the gas.
    pub const LOW_BALANCE: i64 = 1004;

    fn new(code: i64, message: impl Into<String>) -> Self {
        Self {
            code,
            message: message.into(),
            data: None,
        }
    }

    pub fn invalid_request(message: impl Into<String>) -> Self {
        Self::new(Self::INVALID_REQUEST, message)
    }

    fn invalid_params(message: impl Into<String>) -> Self {
        Self::new(Self::INVALID_PARAMS, message)
    }

    fn runtime(reason: &str) -> Self {
        Self {
            data: Some(Value::String(node_rpc::runtime_error_data(reason))),
            ..Self::new(Self::RUNTIME_ERROR, node_rpc::RUNTIME_ERROR_MESSAGE)
        }
    }

    fn to_json(&self) -> Value {
        let mut error = json!({ "code": self.code, "message": self.message });
        if let Some(data) = &self.data {
            error["data"] = data.clone();
        }
        error
    }
}

/// The response object to `id`.
pub fn response(id: Value, outcome: Result<Value, RpcError>) -> Value {
    match outcome {
        Ok(result) => json!({ "jsonrpc": "2.0", "id": id, "result": result }),
        Err(error) => json!({ "jsonrpc": "2.0", "id": id, "error": error.to_json() }),
    }
}

/// Answers one request body.
pub async fn handle(chain: &ChainHandle, body: &[u8]) -> Value {
    let request = match request::read(body) {
        Body::Request(request) => request,
        Body::NotAnObject => {
            let error =
                RpcError::invalid_request("send one request object (batches are not supported)");
            return response(Value::Null, Err(error));
        }
        Body::NotJson => {
            let error = RpcError::new(RpcError::PARSE_ERROR, "the request is not JSON");
            return response(Value::Null, Err(error));
        }
    };
    let id = match request.id.map(|id| id.0) {
        None => Value::Null,
        Some(id @ (Value::Null | Value::Number(_) | Value::String(_))) => id,
        Some(_) => {
            let error = RpcError::invalid_request("id must be a number, a string or null");
            return response(Value::Null, Err(error));
        }
    };
    if request.jsonrpc.map(|version| version.0) != Some(Value::String("2.0".into())) {
        let error = RpcError::invalid_request("jsonrpc must be \"2.0\"");
        return response(id, Err(error));
    }
    let Some(Value::String(method)) = request.method.map(|method| method.0) else {
        return response(
            id,
            Err(RpcError::invalid_request("method must be a string")),
        );
    };
    let (params, count) = match request.params {
        None => (Vec::new(), 0),
        Some(request::Params(Some(params))) => params,
        Some(request::Params(None)) => {
            let error = RpcError::invalid_params("params must be an array (by position)");
            return response(id, Err(error));
        }
    };
    response(id, call(chain, &method, Params(&params, count)).await)
}

async fn call(chain: &ChainHandle, method: &str, params: Params<'_>) -> Result<Value, RpcError> {
    match method {
        "gear_readState" => read_state(chain, params).await,
        "gear_calculateReplyForHandle" => calculate_reply(chain, params).await,
        "gear_readMetahash" => read_metahash(chain, params),
        "dev_info" => {
            params.count(0, 0)?;
            Ok(json!({
                "chain": format!("0x{}", hex::encode(chain.genesis)),
                "programId": chain.program_id.to_string(),
                "blockTimeMs": BLOCK_MS,
                "ss58Prefix": VARA_SS58,
                "maxPayloadBytes": MAX_PAYLOAD_BYTES,
                "block": chain.block(),
            }))
        }
        "dev_nonce" => {
            params.count(1, 1)?;
            let account = params.account(0, "account")?;
            Ok(json!(chain.nonce(account).await.map_err(internal)?))
        }
        "dev_balance" => {
            params.count(1, 1)?;
            let account = params.account(0, "account")?;
            let balance = chain.balance(account).await.map_err(internal)?;
            Ok(json!(balance.to_string()))
        }
        "dev_sendMessage" => send_message(chain, params).await,
        "dev_messageReply" => {
            params.count(1, 2)?;
            let message = MessageId::from(params.bytes32(0, "messageId")?);
            let wait = params.wait(1)?;
            let reply = chain.wait_reply(message, wait).await.map_err(internal)?;
            Ok(reply.map_or(Value::Null, |reply| reply_json(message, reply)))
        }
        "dev_nextBlock" => {
            params.count(1, 2)?;
            let after = params.u64(0, "after")?;
            let after = u32::try_from(after).unwrap_or(u32::MAX);
            Ok(json!(chain.next_block(after, params.wait(1)?).await))
        }
        "rpc_methods" => {
            params.count(0, 0)?;
            Ok(json!({ "methods": METHODS }))
        }
        _ => Err(RpcError::new(
            RpcError::METHOD_NOT_FOUND,
            "no such method (rpc_methods lists them)",
        )),
    }
}

/// `gear_readState [program id, payload, at]`: the `state` export's reply, as `0x` hex.
async fn read_state(chain: &ChainHandle, params: Params<'_>) -> Result<Value, RpcError> {
    params.count(2, 3)?;
    let program = params.account(0, "program id")?;
    let payload = params.hex(1, "payload", MAX_PAYLOAD_BYTES)?;
    params.latest(2, chain)?;
    if program != chain.program_id {
        return Err(RpcError::runtime(reasons::PROGRAM_NOT_FOUND));
    }
    let reply = chain
        .read_state(payload)
        .await
        .map_err(internal)?
        .map_err(|reason| RpcError::runtime(&reason))?;
    Ok(json!(format!("0x{}", hex::encode(reply))))
}

/// `gear_readMetahash [program id, at]`: the `metahash` export's reply, a 32-byte hash
/// as `0x` hex, which Gear IDEA compares with the hash of the `.meta.txt` it is given.
fn read_metahash(chain: &ChainHandle, params: Params<'_>) -> Result<Value, RpcError> {
    params.count(1, 2)?;
    let program = params.account(0, "program id")?;
    params.latest(1, chain)?;
    if program != chain.program_id {
        return Err(RpcError::runtime(reasons::PROGRAM_NOT_FOUND));
    }
    let hash = chain
        .metahash
        .as_ref()
        .map_err(|reason| RpcError::runtime(reason))?;
    Ok(json!(format!("0x{}", hex::encode(hash))))
}

/// `gear_calculateReplyForHandle [origin, destination, payload, gas limit, value, at]`:
/// the reply `handle` would give, from a dry run on the latest state that changes
/// nothing, as the node's [`ReplyInfo`]. A rejection is a reply too, with an error code
/// and its text as payload. The runtime's refusals come in the order a node checks
/// them: the destination, then the gas limit.
async fn calculate_reply(chain: &ChainHandle, params: Params<'_>) -> Result<Value, RpcError> {
    params.count(5, 6)?;
    let origin = params.account(0, "origin")?;
    let destination = params.account(1, "destination")?;
    let payload = params.hex(2, "payload", MAX_PAYLOAD_BYTES)?;
    let gas_limit = params.u64(3, "gas limit")?;
    if params.u64(4, "value")? != 0 {
        return Err(RpcError::invalid_params(
            "params[4] (value): the program takes no value; pass 0",
        ));
    }
    params.latest(5, chain)?;
    if destination != chain.program_id {
        return Err(RpcError::runtime(reasons::NO_MESSAGE_QUEUED));
    }
    if gas_limit > MAX_GAS_LIMIT {
        return Err(RpcError::runtime(reasons::GAS_LIMIT_TOO_HIGH));
    }
    if origin == chain.program_id {
        return Err(RpcError::invalid_params(
            "params[0] (origin) is the program; a message comes from a user",
        ));
    }
    let reply: ReplyInfo = chain
        .dry_run(origin, payload, gas_limit)
        .await
        .map_err(internal)?
        .map_err(|reason| RpcError::runtime(&reason))?;
    serde_json::to_value(reply).map_err(|error| internal(error.to_string()))
}

/// `dev_sendMessage [sender, payload, nonce, signature, value]`: queues the message,
/// carrying `value` (a decimal string; none if left out), for the next block if the
/// signature of the message text is the sender's, the nonce is its next, and the
/// sender holds the value and its gas; `{ messageId }`.
async fn send_message(chain: &ChainHandle, params: Params<'_>) -> Result<Value, RpcError> {
    params.count(4, 5)?;
    let sender = params.account(0, "sender")?;
    let payload = params.hex(1, "payload", MAX_PAYLOAD_BYTES)?;
    let nonce = params.u64(2, "nonce")?;
    let signature = params.string(3, "signature", 130)?;
    let value = params.value(4)?;
    let text = message_text(
        &chain.genesis,
        &chain.program_id,
        &sender,
        nonce,
        &payload,
        value,
    );
    if !signature::verify(&sender, text.as_bytes(), signature) {
        return Err(RpcError::new(
            RpcError::BAD_SIGNATURE,
            "the signature is not the sender's signRaw of this message's text",
        ));
    }
    match chain
        .submit(sender, nonce, payload, value)
        .await
        .map_err(internal)?
    {
        Ok(message) => {
            info!(%sender, nonce, message = %message_hex(message), "queued");
            Ok(json!({ "messageId": message_hex(message) }))
        }
        Err(SubmitError::Nonce { given, expected }) => Err(RpcError {
            data: Some(json!({ "expected": expected })),
            ..RpcError::new(
                RpcError::BAD_NONCE,
                if given < expected {
                    format!("nonce {given} was already used: the sender's next nonce is {expected}")
                } else {
                    format!("nonce {given} is ahead: the sender's next nonce is {expected}")
                },
            )
        }),
        Err(SubmitError::Balance { balance, needed }) => Err(RpcError {
            data: Some(json!({ "balance": balance.to_string(), "needed": needed.to_string() })),
            ..RpcError::new(
                RpcError::LOW_BALANCE,
                format!("the sender holds {balance}, less than the value and its gas ({needed})"),
            )
        }),
    }
}

fn reply_json(message: MessageId, reply: Reply) -> Value {
    let mut json = json!({
        "messageId": message_hex(message),
        "block": reply.block,
        "gasBurned": reply.gas_burned,
        "ok": reply.outcome.is_ok(),
    });
    match reply.outcome {
        Ok(payload) => json["payload"] = json!(format!("0x{}", hex::encode(payload))),
        Err(text) => json["error"] = json!(text),
    }
    json
}

fn message_hex(message: MessageId) -> String {
    format!("0x{}", hex::encode(message.into_bytes()))
}

/// The node itself failed: not the client's fault.
fn internal(error: String) -> RpcError {
    RpcError::new(-32603, error)
}

/// Positional parameters (the first [`request::MAX_PARAMS`], and how many were sent),
/// read with errors that name the parameter.
#[derive(Clone, Copy)]
struct Params<'a>(&'a [Value], usize);

impl Params<'_> {
    fn count(&self, min: usize, max: usize) -> Result<(), RpcError> {
        let n = self.1;
        if n < min || n > max {
            let expected = if min == max {
                format!("{min}")
            } else {
                format!("{min} to {max}")
            };
            return Err(RpcError::invalid_params(format!(
                "expected {expected} params, got {n}"
            )));
        }
        Ok(())
    }

    fn string(&self, at: usize, name: &str, max_len: usize) -> Result<&str, RpcError> {
        match self.0.get(at) {
            Some(Value::String(text)) if text.len() <= max_len => Ok(text),
            Some(Value::String(_)) => Err(RpcError::invalid_params(format!(
                "params[{at}] ({name}) is longer than {max_len} characters"
            ))),
            _ => Err(RpcError::invalid_params(format!(
                "params[{at}] ({name}) must be a string"
            ))),
        }
    }

    /// `0x`-prefixed hex of at most `max` bytes. Too long a string is refused by its
    /// length, before any decoding.
    fn hex(&self, at: usize, name: &str, max: usize) -> Result<Vec<u8>, RpcError> {
        let Some(Value::String(text)) = self.0.get(at) else {
            return Err(RpcError::invalid_params(format!(
                "params[{at}] ({name}) must be a 0x-prefixed hex string"
            )));
        };
        let digits = text.strip_prefix("0x").ok_or_else(|| {
            RpcError::invalid_params(format!("params[{at}] ({name}) must start with 0x"))
        })?;
        if digits.len() > 2 * max {
            return Err(RpcError::new(
                RpcError::PAYLOAD_TOO_LARGE,
                format!(
                    "params[{at}] ({name}) is {} bytes, more than the {max} a Gear message carries",
                    digits.len() / 2
                ),
            ));
        }
        hex::decode(digits).map_err(|_| {
            RpcError::invalid_params(format!("params[{at}] ({name}) is not valid hex"))
        })
    }

    fn bytes32(&self, at: usize, name: &str) -> Result<[u8; 32], RpcError> {
        let text = self.string(at, name, 66)?;
        let mut bytes = [0u8; 32];
        text.strip_prefix("0x")
            .and_then(|digits| hex::decode_to_slice(digits, &mut bytes).ok())
            .ok_or_else(|| {
                RpcError::invalid_params(format!(
                    "params[{at}] ({name}) must be 0x + 64 hex digits"
                ))
            })?;
        Ok(bytes)
    }

    /// An account as `0x` + 64 hex digits or an SS58 address.
    fn account(&self, at: usize, name: &str) -> Result<AccountId, RpcError> {
        let text = self.string(at, name, 66)?;
        AccountId::parse(text).ok_or_else(|| {
            RpcError::invalid_params(format!(
                "params[{at}] ({name}) is not an account (0x + 64 hex digits, or SS58)"
            ))
        })
    }

    fn u64(&self, at: usize, name: &str) -> Result<u64, RpcError> {
        self.0.get(at).and_then(Value::as_u64).ok_or_else(|| {
            RpcError::invalid_params(format!(
                "params[{at}] ({name}) must be a whole number from 0"
            ))
        })
    }

    /// An optional value in the chain's smallest unit, as a decimal string (a `u128`
    /// does not fit a JSON number); 0 if left out.
    fn value(&self, at: usize) -> Result<u128, RpcError> {
        match self.0.get(at) {
            None | Some(Value::Null) => Ok(0),
            Some(Value::String(text)) if text.len() <= 39 => text.parse().map_err(|_| {
                RpcError::invalid_params(format!(
                    "params[{at}] (value) must be a whole number from 0, as a decimal string"
                ))
            }),
            Some(_) => Err(RpcError::invalid_params(format!(
                "params[{at}] (value) must be a whole number from 0, as a decimal string"
            ))),
        }
    }

    /// An optional block hash to read at: this node keeps only its latest state.
    fn latest(&self, at: usize, chain: &ChainHandle) -> Result<(), RpcError> {
        match self.0.get(at) {
            None | Some(Value::Null) => Ok(()),
            Some(Value::String(hash)) if *hash == chain.block().hash => Ok(()),
            Some(_) => Err(RpcError::invalid_params(format!(
                "params[{at}] (at): this node keeps only its latest state; pass null or the latest block hash"
            ))),
        }
    }

    /// An optional wait in milliseconds, at most [`MAX_WAIT_MS`]; none by default.
    fn wait(&self, at: usize) -> Result<Duration, RpcError> {
        let wait = match self.0.get(at) {
            None | Some(Value::Null) => 0,
            Some(_) => self.u64(at, "waitMs")?,
        };
        Ok(Duration::from_millis(wait.min(MAX_WAIT_MS)))
    }
}
