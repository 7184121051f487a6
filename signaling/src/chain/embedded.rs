//! The real program on gtest's runtime, in this process: for tests and for a local
//! demo. gtest 2.0's `System` must stay on the thread that made it, so it lives on a
//! thread of its own and every request reaches it through a channel.
#[path = "../../../tests/support/reply.rs"]
mod reply;

use super::{BoxFuture, Chain, ChainError};
use crate::account::AccountId;
use gstd::ActorId;
use gtest::{constants::UNITS, BlockRunResult, Program, System};
use parity_scale_codec::{Decode, Encode};
use std::{sync::mpsc, thread};
use tokio::sync::oneshot;
use w3bstreaming_io::{Action, Event};

const PROGRAM_ID: u64 = 1;
const DEPLOYER: u64 = 1_000;
/// Blocks a batch may take before its messages are given up on.
const MAX_BLOCKS_PER_BATCH: usize = 64;

type Replies = Vec<Result<Vec<u8>, String>>;

enum Request {
    State(Vec<u8>, oneshot::Sender<Result<Vec<u8>, String>>),
    Handle(Vec<(AccountId, Vec<u8>)>, oneshot::Sender<Replies>),
    Now(oneshot::Sender<u64>),
}

/// A handle on the program running on the chain thread; cheap to share.
pub struct EmbeddedChain {
    requests: mpsc::Sender<Request>,
}

impl EmbeddedChain {
    /// Starts the chain thread, deploys `wasm` (the built `.opt.wasm`) and
    /// initializes it.
    pub fn start(wasm: Vec<u8>) -> Self {
        let (requests, inbox) = mpsc::channel();
        thread::Builder::new()
            .name("gtest-chain".into())
            .spawn(move || serve(&wasm, &inbox))
            .expect("spawn the chain thread");
        Self { requests }
    }

    /// The id the program has on this chain.
    pub fn program_id() -> AccountId {
        AccountId(ActorId::from(PROGRAM_ID).into_bytes())
    }

    /// Sends each action from its account, all in one block where they fit, and
    /// returns each reply or the program's error text, in order.
    pub async fn handle(
        &self,
        messages: Vec<(AccountId, Action)>,
    ) -> Result<Vec<Result<Event, String>>, ChainError> {
        let encoded = messages
            .into_iter()
            .map(|(from, action)| (from, action.encode()))
            .collect();
        let replies = self.ask(|reply| Request::Handle(encoded, reply)).await?;
        Ok(replies
            .into_iter()
            .map(|reply| {
                reply.map(|bytes| {
                    Event::decode(&mut bytes.as_slice()).expect("the program replies an Event")
                })
            })
            .collect())
    }

    /// The chain's block time, in milliseconds since the Unix epoch.
    pub async fn now(&self) -> Result<u64, ChainError> {
        self.ask(Request::Now).await
    }

    async fn ask<T>(
        &self,
        request: impl FnOnce(oneshot::Sender<T>) -> Request,
    ) -> Result<T, ChainError> {
        let stopped = || ChainError("the embedded chain has stopped".into());
        let (reply, answer) = oneshot::channel();
        self.requests.send(request(reply)).map_err(|_| stopped())?;
        answer.await.map_err(|_| stopped())
    }
}

impl Chain for EmbeddedChain {
    fn read_state(&self, query: Vec<u8>) -> BoxFuture<'_, Result<Vec<u8>, ChainError>> {
        Box::pin(async move {
            self.ask(|reply| Request::State(query, reply))
                .await?
                .map_err(|error| ChainError(format!("the program refused the query: {error}")))
        })
    }
}

fn serve(wasm: &[u8], inbox: &mpsc::Receiver<Request>) {
    let system = System::new();
    system.mint_to(DEPLOYER, 1_000 * UNITS);
    let program = Program::from_binary_with_id(&system, PROGRAM_ID, wasm);
    let init = program.send_bytes(DEPLOYER, []);
    assert!(
        system.run_next_block().succeed.contains(&init),
        "the program failed to initialize"
    );

    // Replies go to requesters that may have given up waiting: a closed channel is fine.
    for request in inbox {
        match request {
            Request::State(query, reply) => {
                let _ = reply.send(
                    program
                        .read_state_bytes(query)
                        .map_err(|error| error.to_string()),
                );
            }
            Request::Handle(messages, reply) => {
                let _ = reply.send(handle(&system, &program, messages));
            }
            Request::Now(reply) => {
                let _ = reply.send(system.block_timestamp());
            }
        }
    }
}

fn handle(system: &System, program: &Program<'_>, messages: Vec<(AccountId, Vec<u8>)>) -> Replies {
    let ids: Vec<_> = messages
        .into_iter()
        .map(|(from, payload)| {
            let from = ActorId::from(from.0);
            if system.balance_of(from) < 100 * UNITS {
                system.mint_to(from, 1_000 * UNITS);
            }
            program.send_bytes(from, payload)
        })
        .collect();
    let mut blocks: Vec<BlockRunResult> = Vec::new();
    let answered = |blocks: &[BlockRunResult], id| {
        blocks
            .iter()
            .position(|block| block.log().iter().any(|log| log.reply_to() == Some(id)))
    };
    while !ids.iter().all(|&id| answered(&blocks, id).is_some()) {
        assert!(
            blocks.len() < MAX_BLOCKS_PER_BATCH,
            "the program left messages unanswered"
        );
        blocks.push(system.run_next_block());
    }
    ids.into_iter()
        .map(|id| reply::reply(&blocks[answered(&blocks, id).expect("answered")], id))
        .collect()
}
