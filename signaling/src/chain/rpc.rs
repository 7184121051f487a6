//! The production chain: a Vara node's JSON-RPC, method `gear_calculateReplyForHandle`
//! (`[origin, program id, payload, gas limit, value, block hash or null]` -> `{ payload,
//! value, code }`, read as the node writes it: [`ReplyInfo`]), the dry run
//! `@gear-js/api`'s `message.calculateReply` makes, with the query as an
//! `Action::Query`. Unlike `gear_readState`, which a node runs with
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
use w3bstreaming_node_rpc::{
    reasons, runtime_error_data, ErrorReplyReason, ReplyCode, ReplyInfo, SimpleExecutionError,
    SuccessReplyReason, RUNTIME_ERROR,
};

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
        read_reply(self.call("gear_calculateReplyForHandle", params).await?)
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
            (None, Some(error)) => Err(refused(&error)),
            _ => Err(ChainError(
                "the node's answer has neither a result nor an error".into(),
            )),
        }
    }
}

/// The program's answer in a node's `gear_calculateReplyForHandle` result to an
/// `Action::Query`: the `StateReply`'s bytes after the `Event::QueryReply` index.
fn read_reply(result: serde_json::Value) -> Result<Vec<u8>, ChainError> {
    let reply: ReplyInfo = serde_json::from_value(result).map_err(|error| {
        ChainError(format!(
            "the node's result is not a reply (payload, value, code): {}",
            bounded(&error.to_string())
        ))
    })?;
    query_answer(reply)
}

/// The answer in the program's reply. Every code a node can write has its own
/// refusal, so that an operator reads why the program did not answer.
fn query_answer(reply: ReplyInfo) -> Result<Vec<u8>, ChainError> {
    use ErrorReplyReason::{Execution, RemovedFromWaitlist, UnavailableActor};
    use SimpleExecutionError::{RanOutOfGas, UserspacePanic};
    let failed =
        |why: &dyn std::fmt::Display| ChainError(format!("the program could not answer: {why}"));
    match reply.code {
        ReplyCode::Success(
            SuccessReplyReason::Manual | SuccessReplyReason::Auto | SuccessReplyReason::Unsupported,
        ) => match reply.payload.split_first() {
            Some((&QUERY_INDEX, answer)) => Ok(answer.to_vec()),
            _ => Err(super::not_the_reply()),
        },
        ReplyCode::Error(Execution(UserspacePanic)) => Err(ChainError(format!(
            "the program refused the query: {}",
            bounded(&String::from_utf8_lossy(&reply.payload))
        ))),
        ReplyCode::Error(Execution(RanOutOfGas)) => Err(ChainError(format!(
            "the query ran out of gas (it may burn {QUERY_GAS_LIMIT})"
        ))),
        ReplyCode::Error(reason @ (Execution(_) | RemovedFromWaitlist)) => Err(failed(&reason)),
        ReplyCode::Error(UnavailableActor(reason)) => {
            Err(ChainError(format!("the program is unavailable: {reason}")))
        }
        ReplyCode::Error(ErrorReplyReason::Unsupported) | ReplyCode::Unsupported => Err(failed(
            &"the node wrote a reply code that gear 2.0 does not define",
        )),
    }
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

#[derive(Deserialize)]
struct RpcError {
    code: i64,
    message: String,
    data: Option<serde_json::Value>,
}

/// A node's JSON-RPC error as the server shows it, with what it means where the node's
/// words do not say.
fn refused(error: &RpcError) -> ChainError {
    let data = match &error.data {
        Some(serde_json::Value::String(data)) => Some(data.as_str()),
        _ => None,
    };
    let hint = match data {
        Some(data)
            if error.code == RUNTIME_ERROR
                && data == runtime_error_data(reasons::NO_MESSAGE_QUEUED) =>
        {
            " (the account at --program-id holds no program)"
        }
        _ => "",
    };
    ChainError(format!(
        "the node refused the query: {} (code {}){}{hint}",
        bounded(&error.message),
        error.code,
        data.map_or(String::new(), |data| format!(": {}", bounded(data)))
    ))
}

/// The URL may carry an API key: errors shown to clients leave it out.
fn without_url(error: &reqwest::Error) -> String {
    let mut text = error.to_string();
    if let Some(url) = error.url() {
        text = text.replace(url.as_str(), "<rpc url>");
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;
    use parity_scale_codec::Encode;
    use serde_json::{json, Value};
    use w3bstreaming_io::StateReply;
    use w3bstreaming_node_rpc::{fixtures, SimpleUnavailableActorError as Unavailable};

    fn result_of(fixture: &str) -> Value {
        let fixture: Value = serde_json::from_str(fixture).unwrap();
        fixture["response"]["result"].clone()
    }

    #[test]
    fn the_answers_recorded_from_a_node_read_as_the_program_gave_them() {
        assert_eq!(
            read_reply(result_of(fixtures::CALCULATE_REPLY_SUCCESS)),
            Ok(StateReply::Streams(Vec::new()).encode())
        );
        assert_eq!(
            read_reply(result_of(fixtures::CALCULATE_REPLY_PANIC)),
            Err(ChainError(
                "the program refused the query: panicked with 'sender has no profile: register with EditProfile first'"
                    .into()
            ))
        );
    }

    /// What the server makes of each reply code, for a reply whose payload is an
    /// empty `Streams` answer or, for a panic, the text "no".
    fn expected(code: ReplyCode) -> Result<Vec<u8>, String> {
        use ErrorReplyReason::{Execution, RemovedFromWaitlist, UnavailableActor};
        use SimpleExecutionError as Exec;
        let could_not = |why: &str| Err(format!("the program could not answer: {why}"));
        let unavailable = |why: &str| Err(format!("the program is unavailable: {why}"));
        match code {
            ReplyCode::Success(_) => Ok(vec![0, 0]),
            ReplyCode::Error(Execution(Exec::UserspacePanic)) => {
                Err("the program refused the query: no".into())
            }
            ReplyCode::Error(Execution(Exec::RanOutOfGas)) => {
                Err("the query ran out of gas (it may burn 10000000000)".into())
            }
            ReplyCode::Error(Execution(Exec::MemoryOverflow)) => {
                could_not("execution error (Program reached memory limit)")
            }
            ReplyCode::Error(Execution(Exec::BackendError)) => {
                could_not("execution error (Message ran into uncatchable error)")
            }
            ReplyCode::Error(Execution(Exec::UnreachableInstruction)) => {
                could_not("execution error (Program called WASM `unreachable` instruction)")
            }
            ReplyCode::Error(Execution(Exec::StackLimitExceeded)) => {
                could_not("execution error (Program reached stack limit)")
            }
            ReplyCode::Error(Execution(Exec::Unsupported)) => {
                could_not("execution error (<unsupported error>)")
            }
            ReplyCode::Error(UnavailableActor(Unavailable::ProgramExited)) => {
                unavailable("Program exited")
            }
            ReplyCode::Error(UnavailableActor(Unavailable::InitializationFailure)) => {
                unavailable("Program was terminated due failed initialization")
            }
            ReplyCode::Error(UnavailableActor(Unavailable::Uninitialized)) => {
                unavailable("Program is not initialized yet")
            }
            ReplyCode::Error(UnavailableActor(Unavailable::ProgramNotCreated)) => {
                unavailable("Program was not created")
            }
            ReplyCode::Error(UnavailableActor(Unavailable::ReinstrumentationFailure)) => {
                unavailable("Program re-instrumentation failed")
            }
            ReplyCode::Error(UnavailableActor(Unavailable::Unsupported)) => {
                unavailable("<unsupported error>")
            }
            ReplyCode::Error(RemovedFromWaitlist) => could_not("removal from waitlist"),
            ReplyCode::Error(ErrorReplyReason::Unsupported) | ReplyCode::Unsupported => {
                could_not("the node wrote a reply code that gear 2.0 does not define")
            }
        }
    }

    #[test]
    fn every_reply_code_a_node_can_write_has_its_meaning() {
        let mut forms = Vec::new();
        for code in enum_iterator::all::<ReplyCode>() {
            let payload = if code == ReplyCode::error(SimpleExecutionError::UserspacePanic) {
                b"no".to_vec()
            } else {
                vec![QUERY_INDEX, 0, 0]
            };
            // Written by gear-core's own serde, as the node writes it.
            let result = serde_json::to_value(ReplyInfo {
                payload,
                value: 0,
                code,
            })
            .unwrap();
            forms.push(result["code"].clone());
            assert_eq!(
                read_reply(result).map_err(|error| error.0),
                expected(code),
                "{code:?}"
            );
        }
        assert_eq!(forms.len(), 19, "every code: {forms:?}");
        for form in [
            json!({ "Success": "Manual" }),
            json!({ "Error": { "Execution": "UserspacePanic" } }),
            json!({ "Error": { "UnavailableActor": "ProgramNotCreated" } }),
            json!({ "Error": "RemovedFromWaitlist" }),
            json!("Unsupported"),
        ] {
            assert!(forms.contains(&form), "{form} is a form the node writes");
        }
    }

    #[test]
    fn a_result_in_no_form_the_node_writes_is_refused() {
        let reply = |code: Value| json!({ "payload": "0x080000", "value": 0, "code": code });
        for (result, says) in [
            // The 4-byte form is another method's (`gear_calculateReplyForHandleResult`).
            (reply(json!("0x00010000")), "unknown variant `0x00010000`"),
            // gear 2.0 removed this reason.
            (
                reply(json!({ "Error": "FailedToCreateProgram" })),
                "unknown variant `FailedToCreateProgram`",
            ),
            (
                reply(json!({ "Success": "Sometimes" })),
                "unknown variant `Sometimes`",
            ),
            (
                reply(json!(0)),
                "invalid type: number, expected string or map",
            ),
            (
                json!({ "payload": "0x0800", "value": 0 }),
                "missing field `code`",
            ),
            (
                json!({ "payload": "080000", "value": 0, "code": { "Success": "Manual" } }),
                "bytes must be 0x-prefixed hex",
            ),
            (
                json!({ "payload": "0x08", "value": -1, "code": { "Success": "Manual" } }),
                "invalid number",
            ),
            (json!("0x080000"), "invalid type: string"),
        ] {
            let error = read_reply(result.clone()).unwrap_err().0;
            assert!(
                error.starts_with("the node's result is not a reply (payload, value, code): ")
                    && error.contains(says),
                "{result}: {error}"
            );
        }
    }

    #[test]
    fn a_runtime_error_for_an_account_without_a_program_says_so() {
        let error = |data: &str| RpcError {
            code: RUNTIME_ERROR,
            message: "Runtime error".into(),
            data: Some(Value::String(runtime_error_data(data))),
        };
        assert_eq!(
            refused(&error(reasons::NO_MESSAGE_QUEUED)).0,
            "the node refused the query: Runtime error (code 8000): \"Internal error: entered unreachable code 'Failed to get last message from the queue'\" (the account at --program-id holds no program)"
        );
        assert_eq!(
            refused(&error("Program not found")).0,
            "the node refused the query: Runtime error (code 8000): \"Program not found\""
        );
    }
}
