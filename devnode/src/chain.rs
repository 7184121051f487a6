//! The chain: the program on gtest, on a thread of its own (gtest's `System` cannot
//! leave the thread that made it), running a block every [`BLOCK_MS`] so that block
//! time follows the wall clock (or, for tests, every so many milliseconds, block time
//! then running ahead). Everything else reaches it through a [`ChainHandle`].
use gstd::{ActorId, MessageId};
use gtest::{constants::UNITS, BlockRunResult, System};
use serde::Serialize;
use std::{
    collections::{HashMap, HashSet, VecDeque},
    sync::mpsc,
    thread,
    time::{Duration, SystemTime, UNIX_EPOCH},
};
use tokio::sync::{oneshot, watch};
use w3bstreaming_keys::AccountId;
use w3bstreaming_node_rpc::ReplyInfo;
use w3bstreaming_testkit::{deploy, export::call_export, fund, outcome};

pub use gtest::constants::BLOCK_DURATION_IN_MSECS as BLOCK_MS;
/// The most gas one message may be given: gtest's limit, as a Vara block's.
pub use gtest::constants::MAX_USER_GAS_LIMIT as MAX_GAS_LIMIT;

/// The account that deploys and initializes the program.
const DEPLOYER: u64 = 1_000;
/// Replies kept for `dev_messageReply`; older ones are forgotten first.
pub const KEPT_REPLIES: usize = 10_000;

/// A produced block, as the chain announces it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Block {
    pub number: u32,
    pub hash: String,
    /// Block time, milliseconds since the Unix epoch.
    pub timestamp: u64,
    /// Counts the blocks in which a message to the program succeeded, that is, in
    /// which its state may have changed: a reader whose view was made at another
    /// version reads again.
    pub state_version: u64,
}

/// The program's answer to one message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reply {
    /// The block the message ran in.
    pub block: u32,
    /// The reply payload (an encoded `Event`), or the error text of a rejection.
    pub outcome: Result<Vec<u8>, String>,
    pub gas_burned: u64,
}

/// Why a message was not queued.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SubmitError {
    /// The sender's next nonce is `expected`.
    Nonce { given: u64, expected: u64 },
    /// The sender holds `balance`, less than the value and the gas it would pay.
    Balance { balance: u128, needed: u128 },
}

/// What a message carrying value must leave its sender for gas: gtest reserves the
/// block's gas limit from the sender.
pub const GAS_RESERVE: u128 = 10 * UNITS;

enum Request {
    ReadState(Vec<u8>, oneshot::Sender<Result<Vec<u8>, String>>),
    Submit {
        sender: AccountId,
        nonce: u64,
        payload: Vec<u8>,
        value: u128,
        done: oneshot::Sender<Result<MessageId, SubmitError>>,
    },
    Nonce(AccountId, oneshot::Sender<u64>),
    Balance(AccountId, oneshot::Sender<u128>),
    Reply(MessageId, oneshot::Sender<Option<Reply>>),
    DryRun {
        origin: AccountId,
        payload: Vec<u8>,
        gas_limit: u64,
        reply: oneshot::Sender<Result<ReplyInfo, String>>,
    },
}

/// What the chain thread does before it serves anyone, with the program deployed and
/// its `init` queued: runs `setup`, which returns what it made (the demo world's
/// description, say).
pub type Setup<T> = Box<dyn FnOnce(&mut ChainState) -> Result<T, String> + Send>;

/// A handle on the chain thread; cheap to clone.
#[derive(Clone)]
pub struct ChainHandle {
    requests: mpsc::Sender<Request>,
    blocks: watch::Receiver<Block>,
    /// This chain's genesis hash: random per start, so that nothing signed for one
    /// run of the node is accepted by another.
    pub genesis: [u8; 32],
    pub program_id: AccountId,
    /// The program's `metahash` export's reply, as `gear_readMetahash` gives it, or why
    /// there is none.
    pub metahash: Result<[u8; 32], String>,
}

impl ChainHandle {
    /// Starts the chain thread: deploys `wasm`, initializes it, runs `setup`, then
    /// produces a block every [`BLOCK_MS`] until every handle is dropped.
    pub fn start<T: Send + 'static>(wasm: Vec<u8>, setup: Setup<T>) -> Result<(Self, T), String> {
        Self::start_every(BLOCK_MS, wasm, setup)
    }

    /// As [`ChainHandle::start`], with a block every `interval_ms` of the wall clock.
    /// Block time still advances [`BLOCK_MS`] a block, so with a shorter interval it
    /// runs ahead of the clock: for tests that send many messages one after another.
    pub fn start_every<T: Send + 'static>(
        interval_ms: u64,
        wasm: Vec<u8>,
        setup: Setup<T>,
    ) -> Result<(Self, T), String> {
        let interval = interval_ms.max(1);
        let mut genesis = [0u8; 32];
        getrandom::getrandom(&mut genesis).map_err(|error| error.to_string())?;
        let program_id = program_id();
        let metahash = metahash_of(&wasm);
        let (requests, inbox) = mpsc::channel();
        let (ready_tx, ready) = std::sync::mpsc::channel();
        thread::Builder::new()
            .name("gtest-chain".into())
            .spawn(move || {
                let (mut state, init) = ChainState::deploy(&wasm, genesis, interval);
                // The setup's first block is also the one that initializes the program.
                let made = setup(&mut state);
                let made = match state.run_until_replied(&[init]).remove(0).outcome {
                    Ok(_) => made,
                    Err(error) => Err(format!("the program failed to initialize: {error}")),
                };
                let (blocks_tx, blocks) = watch::channel(state.block());
                let failed = made.is_err();
                if ready_tx.send(made.map(|made| (blocks, made))).is_err() || failed {
                    return;
                }
                state.serve(&inbox, &blocks_tx);
            })
            .map_err(|error| error.to_string())?;
        let (blocks, made) = ready
            .recv()
            .map_err(|_| "the chain thread stopped while starting".to_string())??;
        Ok((
            Self {
                requests,
                blocks,
                genesis,
                program_id,
                metahash,
            },
            made,
        ))
    }

    /// The latest block.
    pub fn block(&self) -> Block {
        self.blocks.borrow().clone()
    }

    /// Waits until a block numbered above `after` is produced, or `timeout` passes;
    /// the latest block either way.
    pub async fn next_block(&self, after: u32, timeout: Duration) -> Block {
        let mut blocks = self.blocks.clone();
        let wait = blocks.wait_for(|block| block.number > after);
        let _ = tokio::time::timeout(timeout, wait).await;
        self.block()
    }

    /// The `state` export's reply to `query`, or the error text it failed with; the
    /// outer error says the chain has stopped.
    pub async fn read_state(&self, query: Vec<u8>) -> Result<Result<Vec<u8>, String>, String> {
        self.ask(|reply| Request::ReadState(query, reply)).await
    }

    /// The reply `handle` would give to `payload` from `origin` with `gas_limit`, run
    /// on the latest state and then discarded: nothing is queued, spent or kept. The
    /// caller checks that `origin` is not the program and that `gas_limit` is at most
    /// [`MAX_GAS_LIMIT`] (gtest stops the chain thread otherwise).
    pub async fn dry_run(
        &self,
        origin: AccountId,
        payload: Vec<u8>,
        gas_limit: u64,
    ) -> Result<Result<ReplyInfo, String>, String> {
        self.ask(|reply| Request::DryRun {
            origin,
            payload,
            gas_limit,
            reply,
        })
        .await
    }

    /// Queues `payload` carrying `value` from `sender` for the next block, if `nonce`
    /// is the sender's next one (which it then spends) and the sender holds the value
    /// and its gas. The signature must have been checked.
    pub async fn submit(
        &self,
        sender: AccountId,
        nonce: u64,
        payload: Vec<u8>,
        value: u128,
    ) -> Result<Result<MessageId, SubmitError>, String> {
        self.ask(|done| Request::Submit {
            sender,
            nonce,
            payload,
            value,
            done,
        })
        .await
    }

    /// What `account` holds. Senders are funded as they send; a dry run's origin
    /// is lent what it needs and gives it back.
    pub async fn balance(&self, account: AccountId) -> Result<u128, String> {
        self.ask(|reply| Request::Balance(account, reply)).await
    }

    /// The nonce `account`'s next message must carry.
    pub async fn nonce(&self, account: AccountId) -> Result<u64, String> {
        self.ask(|reply| Request::Nonce(account, reply)).await
    }

    /// The reply to `message`, once its block has run; `None` before that, and for
    /// a message this chain never queued or no longer remembers.
    pub async fn reply(&self, message: MessageId) -> Result<Option<Reply>, String> {
        self.ask(|reply| Request::Reply(message, reply)).await
    }

    /// Waits up to `timeout` for the reply to `message`.
    pub async fn wait_reply(
        &self,
        message: MessageId,
        timeout: Duration,
    ) -> Result<Option<Reply>, String> {
        let deadline = tokio::time::Instant::now() + timeout;
        let mut blocks = self.blocks.clone();
        loop {
            blocks.borrow_and_update();
            if let Some(reply) = self.reply(message).await? {
                return Ok(Some(reply));
            }
            if tokio::time::timeout_at(deadline, blocks.changed())
                .await
                .is_err()
            {
                return Ok(None);
            }
        }
    }

    async fn ask<T>(
        &self,
        request: impl FnOnce(oneshot::Sender<T>) -> Request,
    ) -> Result<T, String> {
        let stopped = || "the chain has stopped".to_string();
        let (reply, answer) = oneshot::channel();
        self.requests.send(request(reply)).map_err(|_| stopped())?;
        answer.await.map_err(|_| stopped())
    }
}

/// The reply of the `metahash` export of `wasm`, which a node decodes as a 32-byte hash.
/// It runs on a gtest runtime of its own, so on a thread that holds no other.
fn metahash_of(wasm: &[u8]) -> Result<[u8; 32], String> {
    let wasm = wasm.to_vec();
    let reply = thread::spawn(move || call_export(&wasm, "metahash"))
        .join()
        .map_err(|_| "the metahash export could not be called".to_string())??;
    reply
        .try_into()
        .map_err(|_| "Failed to decode hash".to_string())
}

/// The program's id on this chain: the same on every run, so a web app or a signaling
/// server configured once keeps working.
pub fn program_id() -> AccountId {
    AccountId(blake2_256(b"w3bstreaming devnode program"))
}

/// The chain thread's state: the runtime, the program, and what the node remembers
/// about messages.
pub struct ChainState {
    system: System,
    program: ActorId,
    genesis: [u8; 32],
    /// The wall clock at block 0: block `n` is due at `started + n * interval`.
    started: u64,
    /// Milliseconds of wall clock between blocks: [`BLOCK_MS`], so that block time
    /// follows the clock, unless a test asks for blocks sooner.
    interval: u64,
    nonces: HashMap<AccountId, u64>,
    pending: HashSet<MessageId>,
    replies: HashMap<MessageId, Reply>,
    reply_order: VecDeque<MessageId>,
    state_version: u64,
}

impl ChainState {
    /// Deploys the program with its `init` message queued for the first block.
    fn deploy(wasm: &[u8], genesis: [u8; 32], interval: u64) -> (Self, MessageId) {
        let system = System::new();
        let started = system.block_timestamp();
        let (program, init) = deploy(&system, program_id().0, wasm, DEPLOYER);
        let program = program.id();
        let state = Self {
            program,
            system,
            genesis,
            started,
            interval,
            nonces: HashMap::new(),
            pending: HashSet::from([init]),
            replies: HashMap::new(),
            reply_order: VecDeque::new(),
            state_version: 0,
        };
        (state, init)
    }

    /// The latest block's time, in milliseconds since the Unix epoch.
    pub fn now(&self) -> u64 {
        self.system.block_timestamp()
    }

    /// Queues a message from `sender` for the next block, with no nonce or signature:
    /// for what the node itself sends (the demo world).
    pub fn send(&mut self, sender: AccountId, payload: Vec<u8>) -> MessageId {
        self.send_value(sender, payload, 0)
    }

    /// Queues a message carrying `value`. Precondition: the sender, once funded, holds
    /// the value and [`GAS_RESERVE`].
    fn send_value(&mut self, sender: AccountId, payload: Vec<u8>, value: u128) -> MessageId {
        let sender = self.funded(sender);
        let program = self.system.get_program(self.program).expect("deployed");
        let id = program.send_bytes_with_value(sender, payload, value);
        self.pending.insert(id);
        id
    }

    /// `account` as gtest names it, funded again first if its balance is low: this
    /// chain's accounts never run out of gas to pay with.
    fn funded(&mut self, account: AccountId) -> ActorId {
        fund(&self.system, account.0)
    }

    /// Runs blocks, each when it is due, until every message in `ids` has a reply;
    /// their replies, in order.
    pub fn run_until_replied(&mut self, ids: &[MessageId]) -> Vec<Reply> {
        while ids.iter().any(|id| self.pending.contains(id)) {
            self.run_block();
        }
        ids.iter()
            .map(|id| self.replies.get(id).cloned().expect("replied"))
            .collect()
    }

    fn block(&self) -> Block {
        let number = self.system.block_height();
        let hash = blake2_256(&[&self.genesis[..], &number.to_le_bytes()].concat());
        Block {
            number,
            hash: format!("0x{}", hex::encode(hash)),
            timestamp: self.now(),
            state_version: self.state_version,
        }
    }

    /// When block `height + 1` is due by the wall clock.
    fn due(&self, height: u64) -> u64 {
        self.started + (height + 1) * self.interval
    }

    /// Runs the next block when it is due by the wall clock (block `n` at `started + n *
    /// interval`, so with 3 s blocks as its block time says), waiting until then. After
    /// a stall (a suspended machine) it first skips the blocks it missed, so that block
    /// time catches up with the clock.
    fn run_block(&mut self) {
        let height = u64::from(self.system.block_height());
        let due = self.due(height);
        thread::sleep(Duration::from_millis(due.saturating_sub(wall_clock())));
        let current = wall_clock().saturating_sub(self.started) / self.interval;
        let missed = current.saturating_sub(height + 1);
        if missed > 0 {
            let missed = u32::try_from(missed).unwrap_or(u32::MAX);
            for result in self.system.run_scheduled_tasks(missed) {
                self.record(&result);
            }
        }
        let result = self.system.run_next_block();
        self.record(&result);
    }

    /// Keeps the replies of the block's messages, and counts the block if any message
    /// succeeded.
    fn record(&mut self, result: &BlockRunResult) {
        if !result.succeed.is_empty() {
            self.state_version += 1;
        }
        let block = result.block_info.height;
        for log in result.log() {
            let Some(id) = log.reply_to() else { continue };
            if !self.pending.remove(&id) {
                continue;
            }
            let outcome = outcome(log);
            let gas_burned = result.gas_burned.get(&id).copied().unwrap_or(0);
            self.remember(
                id,
                Reply {
                    block,
                    outcome,
                    gas_burned,
                },
            );
        }
    }

    fn remember(&mut self, id: MessageId, reply: Reply) {
        if self.reply_order.len() == KEPT_REPLIES {
            if let Some(oldest) = self.reply_order.pop_front() {
                self.replies.remove(&oldest);
            }
        }
        self.reply_order.push_back(id);
        self.replies.insert(id, reply);
    }

    /// Serves requests between blocks, and runs each block when it is due.
    fn serve(&mut self, inbox: &mpsc::Receiver<Request>, blocks: &watch::Sender<Block>) {
        loop {
            let height = u64::from(self.system.block_height());
            let wait = self.due(height).saturating_sub(wall_clock());
            match inbox.recv_timeout(Duration::from_millis(wait)) {
                Ok(request) => self.answer(request),
                Err(mpsc::RecvTimeoutError::Timeout) => {
                    self.run_block();
                    blocks.send_replace(self.block());
                }
                Err(mpsc::RecvTimeoutError::Disconnected) => return,
            }
        }
    }

    fn answer(&mut self, request: Request) {
        // A requester that gave up waiting has dropped its receiver: that is fine.
        match request {
            Request::ReadState(query, reply) => {
                let program = self.system.get_program(self.program).expect("deployed");
                let _ = reply.send(program.read_state_bytes(query).map_err(|e| e.to_string()));
            }
            Request::Submit {
                sender,
                nonce,
                payload,
                value,
                done,
            } => {
                let expected = self.nonces.get(&sender).copied().unwrap_or(0);
                let result = if nonce != expected {
                    Err(SubmitError::Nonce {
                        given: nonce,
                        expected,
                    })
                } else {
                    let funded = self.funded(sender);
                    let balance = self.system.balance_of(funded);
                    let needed = value.saturating_add(GAS_RESERVE);
                    if value > 0 && balance < needed {
                        Err(SubmitError::Balance { balance, needed })
                    } else {
                        self.nonces.insert(sender, expected + 1);
                        Ok(self.send_value(sender, payload, value))
                    }
                };
                let _ = done.send(result);
            }
            Request::Nonce(account, reply) => {
                let _ = reply.send(self.nonces.get(&account).copied().unwrap_or(0));
            }
            Request::Balance(account, reply) => {
                let _ = reply.send(self.system.balance_of(account.0));
            }
            Request::Reply(id, reply) => {
                let _ = reply.send(self.replies.get(&id).cloned());
            }
            Request::DryRun {
                origin,
                payload,
                gas_limit,
                reply,
            } => {
                // A Vara node lends a dry run's origin the balance its gas needs, and
                // keeps nothing of it. Here an origin holding nothing is lent a
                // sender's funding and gives it back, so that dry runs from new
                // origins leave no account behind.
                let lent = self.system.balance_of(origin.0) == 0;
                let origin = self.funded(origin);
                let ran = self
                    .system
                    .calculate_reply_for_handle(origin, self.program, payload, gas_limit, 0)
                    .map(|info| ReplyInfo {
                        payload: info.payload,
                        value: info.value,
                        code: info.code,
                    });
                if lent {
                    let balance = self.system.balance_of(origin);
                    self.system.transfer(origin, lender(), balance, false);
                }
                let _ = reply.send(ran);
            }
        }
    }
}

/// Where what dry runs lent goes back to: an account no key signs for.
fn lender() -> ActorId {
    ActorId::from(blake2_256(b"w3bstreaming-devnode: what dry runs lent"))
}

fn wall_clock() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |since| since.as_millis() as u64)
}

fn blake2_256(bytes: &[u8]) -> [u8; 32] {
    use blake2::{digest::consts::U32, Blake2b, Digest};
    Blake2b::<U32>::digest(bytes).into()
}
