//! The answers of a Vara node's JSON-RPC that this repository's servers read (the
//! signaling server asks the program through them) or serve (the local chain gives them),
//! in the node's own JSON: gear 2.0.0's `vara/pallets/gear/rpc`, the node Vara runs.
//!
//! The types serialize as the node's do because they are the node's where it can be
//! so (gear-core's `ReplyCode` with its own serde derive), and [`fixtures`] holds
//! answers recorded from a node, which the client must read and the local chain must
//! give for the same calls.
use serde::{Deserialize, Serialize};

pub use gear_core_errors::{
    ErrorReplyReason, ReplyCode, SimpleExecutionError, SimpleUnavailableActorError,
    SuccessReplyReason,
};

/// `gear_calculateReplyForHandle`'s result: the reply `handle` would give to a message,
/// from a dry run that changes nothing. The node writes it as its `LegacyReplyInfo`:
/// `payload` as `0x` hex, `value` as a JSON number, and `code` in serde's JSON form of
/// gear-core's `ReplyCode`, such as `{"Success":"Manual"}` or
/// `{"Error":{"Execution":"UserspacePanic"}}`. (The 4-byte hex form of the code belongs
/// to another method, `gear_calculateReplyForHandleResult`.)
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReplyInfo {
    /// The reply's bytes: the program's reply, or the text of its panic.
    #[serde(with = "hex_bytes")]
    pub payload: Vec<u8>,
    /// The value the reply carries back.
    pub value: u128,
    /// Whether the program replied, and if not, why.
    pub code: ReplyCode,
}

/// The JSON-RPC error code of a call the runtime refused or failed; the error's
/// `message` is [`RUNTIME_ERROR_MESSAGE`] and its `data` the reason
/// ([`runtime_error_data`]).
pub const RUNTIME_ERROR: i64 = 8000;
/// The `message` of every [`RUNTIME_ERROR`].
pub const RUNTIME_ERROR_MESSAGE: &str = "Runtime error";

/// The `data` of a [`RUNTIME_ERROR`] with the runtime's `reason`: the node formats the
/// reason with `{:?}`, so the text arrives in quotes, escaped.
pub fn runtime_error_data(reason: &str) -> String {
    format!("{reason:?}")
}

/// Reasons of runtime errors the local chain gives where a node gives them, in the
/// node's words (from gear 2.0.0's `vara/pallets/gear/src/runtime_api.rs` and
/// `lib.rs`).
pub mod reasons {
    /// A read of an account that holds no program.
    pub const PROGRAM_NOT_FOUND: &str = "Program not found";
    /// A dry run of a message to an account that holds no program: the node hands the
    /// message to that user's mailbox, and then finds no message to run.
    pub const NO_MESSAGE_QUEUED: &str =
        "Internal error: entered unreachable code 'Failed to get last message from the queue'";
    /// A dry run with more gas than a block has.
    pub const GAS_LIMIT_TOO_HIGH: &str = "Extrinsic `gear.send_message` failed: 'GasLimitTooHigh'";
}

/// Answers recorded from a node (`fixtures/*.json`): each the request a client sent and
/// the response the node wrote, byte for byte. In a request, the destination
/// [`fixtures::PROGRAM`] stands for the program's id, which differs per chain.
pub mod fixtures {
    /// Where a recorded request names the program it was sent to.
    pub const PROGRAM: &str = "<program id>";

    /// `gear_calculateReplyForHandle` of `Action::Query(StateQuery::Streams)` to the
    /// program just uploaded: a success.
    pub const CALCULATE_REPLY_SUCCESS: &str =
        include_str!("../fixtures/calculate-reply-success.json");
    /// `gear_calculateReplyForHandle` of `Action::DeleteStream` from an account with no
    /// profile: the program's rejection, a panic.
    pub const CALCULATE_REPLY_PANIC: &str = include_str!("../fixtures/calculate-reply-panic.json");

    /// Every recorded answer, by its file's name.
    pub const ALL: [(&str, &str); 2] = [
        ("calculate-reply-success", CALCULATE_REPLY_SUCCESS),
        ("calculate-reply-panic", CALCULATE_REPLY_PANIC),
    ];
}

/// Bytes as `0x`-prefixed lowercase hex, as the node writes its `Bytes`.
mod hex_bytes {
    use serde::{de::Error, Deserialize, Deserializer, Serializer};

    pub fn serialize<S: Serializer>(bytes: &[u8], serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&format!("0x{}", hex::encode(bytes)))
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Vec<u8>, D::Error> {
        let text = String::deserialize(deserializer)?;
        let digits = text
            .strip_prefix("0x")
            .ok_or_else(|| D::Error::custom("bytes must be 0x-prefixed hex"))?;
        hex::decode(digits).map_err(|_| D::Error::custom("bytes must be 0x-prefixed hex"))
    }
}
