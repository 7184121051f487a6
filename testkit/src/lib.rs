//! Gear programs on gtest, as the tests, the benchmark, the examples and the local
//! chain run them: deploy a program and initialize it ([`deploy`]), keep accounts able
//! to pay ([`fund`]), find a message's reply in a block ([`reply`], [`outcome`]), and
//! call a wasm export outside any message, as a node does ([`export`]).
//!
//! It takes programs as wasm bytes, so that a user of it (the local chain) does not
//! build the program it will run.
pub mod export;

use gstd::{ActorId, MessageId};
use gtest::{constants::UNITS, BlockRunResult, CoreLog, Program, ProgramIdWrapper, System};
use std::fmt::Debug;

/// What a program answered one message: its reply's payload, or, for a rejection, the
/// text it panicked with.
pub type Reply = Result<Vec<u8>, String>;

/// What an account is given whenever its balance falls below [`LOW_BALANCE`].
pub const FUNDING: u128 = 1_000 * UNITS;
/// Below this an account is funded again before it sends.
pub const LOW_BALANCE: u128 = 100 * UNITS;

/// Funds `account` again if its balance is low: a test chain's accounts never run out
/// of value to pay for gas with.
pub fn fund(system: &System, account: impl Into<ActorId>) -> ActorId {
    let account = account.into();
    if system.balance_of(account) < LOW_BALANCE {
        system.mint_to(account, FUNDING);
    }
    account
}

/// Deploys `wasm` on `system` under `id` and queues its `init`, an empty payload, from
/// `deployer` (funded): the program, and the init message, which runs in the next block.
pub fn deploy<'a>(
    system: &'a System,
    id: impl Into<ProgramIdWrapper> + Clone + Debug,
    wasm: &[u8],
    deployer: impl Into<ActorId>,
) -> (Program<'a>, MessageId) {
    let deployer = fund(system, deployer);
    let program = Program::from_binary_with_id(system, id, wasm);
    let init = program.send_bytes(deployer, []);
    (program, init)
}

/// Deploys `wasm` as [`deploy`] does and runs the block that initializes it; panics
/// if the program does not start.
pub fn deploy_initialized<'a>(
    system: &'a System,
    id: impl Into<ProgramIdWrapper> + Clone + Debug,
    wasm: &[u8],
    deployer: impl Into<ActorId>,
) -> Program<'a> {
    let (program, init) = deploy(system, id, wasm, deployer);
    let result = system.run_next_block();
    if let Err(error) = reply(&result, init) {
        panic!("the program failed to initialize: {error}");
    }
    program
}

/// The reply to message `id` in a block's `result`, if the block has it.
pub fn find_reply(result: &BlockRunResult, id: MessageId) -> Option<Reply> {
    result
        .log()
        .iter()
        .find(|log| log.reply_to() == Some(id))
        .map(outcome)
}

/// The reply to message `id`, which the block `result` must have.
pub fn reply(result: &BlockRunResult, id: MessageId) -> Reply {
    find_reply(result, id).unwrap_or_else(|| panic!("no reply to {id:?}: {result:?}"))
}

/// What a reply says: its payload if it is a success, else the text of the error, or
/// the reply's code when the error carries no text (a program out of gas, say).
pub fn outcome(log: &CoreLog) -> Reply {
    let code = log.reply_code().expect("a reply has a reply code");
    if code.is_success() {
        Ok(log.payload().to_vec())
    } else if log.payload().is_empty() {
        Err(format!("{code:?}"))
    } else {
        Err(String::from_utf8_lossy(log.payload()).into_owned())
    }
}
