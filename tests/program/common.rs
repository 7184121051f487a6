//! A w3bstreaming program deployed on the gtest runtime, and the helpers every test
//! module shares: sending actions block by block, reading the state, and checking that
//! a rejected action leaves the state exactly as it was.
use gtest::{constants::UNITS, Program, System};
use parity_scale_codec::{Decode, Encode};
use w3bstreaming_io::{Action, Error, Event, Profile, StateQuery, StateReply, Stream};
use w3bstreaming_testkit::{deploy_initialized, reply};

pub use gtest::constants::BLOCK_DURATION_IN_MSECS as BLOCK_MS;

pub type ActorId = gstd::ActorId;

/// Test accounts. gtest turns a `u64` into an account id.
pub const ALICE: u64 = 100;
pub const BOB: u64 = 101;
pub const CAROL: u64 = 102;
pub const DAVE: u64 = 103;
pub const ACCOUNTS: [u64; 4] = [ALICE, BOB, CAROL, DAVE];

pub const HOUR_MS: u64 = 60 * 60 * 1_000;

pub fn actor(account: u64) -> ActorId {
    ActorId::from(account)
}

/// The text of the error reply a rejected action gets.
pub fn error_reply(error: Error) -> String {
    format!("panicked with '{error}'")
}

pub struct Env {
    pub system: System,
    program_id: ActorId,
}

impl Env {
    /// A fresh runtime with the program deployed and initialised, and funded accounts.
    pub fn new() -> Self {
        let system = System::new();
        for account in ACCOUNTS {
            system.mint_to(account, 1_000_000 * UNITS);
        }
        let program_id = deploy_initialized(&system, 1, w3bstreaming::WASM_BINARY_OPT, ALICE).id();
        Self { system, program_id }
    }

    pub fn program(&self) -> Program<'_> {
        self.system
            .get_program(self.program_id)
            .expect("program is deployed")
    }

    /// Block time of the block the next message runs in.
    pub fn next_block_time(&self) -> u64 {
        self.system.block_timestamp() + BLOCK_MS
    }

    /// Sends `action` from `from` in a block of its own; its reply or error text.
    pub fn send(&self, from: u64, action: Action) -> Result<Event, String> {
        self.send_block(&[(from, action)]).remove(0)
    }

    /// Sends `action` carrying `value` from `from` in a block of its own; its reply or
    /// error text.
    pub fn send_value(&self, from: u64, action: Action, value: u128) -> Result<Event, String> {
        let id = self.program().send_with_value(from, action, value);
        let result = self.system.run_next_block();
        reply(&result, id)
            .map(|payload| Event::decode(&mut payload.as_slice()).expect("reply is an Event"))
    }

    /// Sends every action in one block, in order; their replies in the same order.
    pub fn send_block(&self, actions: &[(u64, Action)]) -> Vec<Result<Event, String>> {
        let program = self.program();
        let ids: Vec<_> = actions
            .iter()
            .map(|(from, action)| program.send(*from, action.clone()))
            .collect();
        let result = self.system.run_next_block();
        ids.into_iter()
            .map(|id| {
                reply(&result, id).map(|payload| {
                    Event::decode(&mut payload.as_slice()).expect("reply is an Event")
                })
            })
            .collect()
    }

    /// Sends `action` in a block of its own; its reply or error text, and the gas it
    /// burned.
    pub fn send_with_gas(&self, from: u64, action: Action) -> (Result<Event, String>, u64) {
        let id = self.program().send(from, action);
        let result = self.system.run_next_block();
        let event = reply(&result, id)
            .map(|payload| Event::decode(&mut payload.as_slice()).expect("reply is an Event"));
        (event, result.gas_burned[&id])
    }

    /// Sends raw payload bytes; the reply bytes or the error text.
    pub fn send_bytes(&self, from: u64, payload: impl Into<Vec<u8>>) -> Result<Vec<u8>, String> {
        let id = self.program().send_bytes(from, payload);
        let result = self.system.run_next_block();
        reply(&result, id)
    }

    /// Sends `action` and expects it to succeed.
    pub fn ok(&self, from: u64, action: Action) -> Event {
        self.send(from, action.clone())
            .unwrap_or_else(|error| panic!("{action:?} from {from} failed: {error}"))
    }

    /// Sends `action` and expects the error reply of `error`, with no change to the state.
    pub fn rejects(&self, from: u64, action: Action, error: Error) {
        let before = self.snapshot();
        let reply = self.send(from, action.clone());
        assert_eq!(reply, Err(error_reply(error)), "{action:?} from {from}");
        assert_eq!(self.snapshot(), before, "{action:?} changed the state");
    }

    /// Registers `account` with a profile named after it.
    pub fn register(&self, account: u64) {
        let name = format!("user {account}");
        self.ok(account, edit_profile(Some(&name), None, None));
    }

    /// Schedules a stream by `broadcaster` starting an hour from now; its id.
    pub fn schedule(&self, broadcaster: u64, title: &str) -> String {
        let start = self.next_block_time() + HOUR_MS;
        self.schedule_at(broadcaster, title, start, start + HOUR_MS)
    }

    /// Schedules a stream by `broadcaster` from `start` to `end`; its id.
    pub fn schedule_at(&self, broadcaster: u64, title: &str, start: u64, end: u64) -> String {
        match self.ok(broadcaster, new_stream(title, start, end)) {
            Event::StreamIsScheduled { id } => id,
            other => panic!("NewStream replied {other:?}"),
        }
    }

    /// The answer to `query`, asked both ways a client can: a state read, and an
    /// `Action::Query` in a dry run of `handle`; the two must agree.
    pub fn query(&self, query: StateQuery) -> StateReply {
        let read = self.read(query.clone());
        let asked = self.ask(query.clone()).expect("Action::Query");
        assert_eq!(asked, Event::QueryReply(read.clone()), "{query:?}");
        read
    }

    /// The state export's answer to `query` alone: the full reads of every snapshot
    /// ask only this way, which halves what they cost the tests.
    pub fn read(&self, query: StateQuery) -> StateReply {
        self.program().read_state(query).expect("state query")
    }

    /// Asks `query` both ways and expects the error reply of `error` from each.
    pub fn query_rejected(&self, query: StateQuery, error: Error) {
        let failure = self
            .program()
            .read_state_bytes(query.encode())
            .expect_err("the query is rejected");
        let expected = error_reply(error);
        assert!(
            failure.to_string().contains(&expected),
            "{failure} does not contain {expected}"
        );
        assert_eq!(self.ask(query), Err(expected));
    }

    /// The reply to `Action::Query(query)` in a dry run of `handle`
    /// (`gear_calculateReplyForHandle`), which changes nothing.
    pub fn ask(&self, query: StateQuery) -> Result<Event, String> {
        let reply = self
            .system
            .calculate_reply_for_handle(
                ALICE,
                self.program_id,
                Action::Query(query).encode(),
                gtest::constants::MAX_USER_GAS_LIMIT,
                0,
            )
            .expect("a reply");
        if reply.code.is_success() {
            Ok(Event::decode(&mut reply.payload.as_slice()).expect("reply is an Event"))
        } else {
            Err(String::from_utf8_lossy(&reply.payload).into_owned())
        }
    }

    /// Runs empty blocks until the block time is at least `time`.
    pub fn run_until(&self, time: u64) {
        let blocks = time
            .saturating_sub(self.system.block_timestamp())
            .div_ceil(BLOCK_MS);
        self.system
            .run_to_block(self.system.block_height() + blocks as u32);
    }

    pub fn streams(&self) -> Vec<(String, Stream)> {
        match self.read(StateQuery::Streams) {
            StateReply::Streams(streams) => streams,
            other => panic!("Streams replied {other:?}"),
        }
    }

    pub fn users(&self) -> Vec<(ActorId, Profile)> {
        match self.read(StateQuery::Users) {
            StateReply::Users(users) => users,
            other => panic!("Users replied {other:?}"),
        }
    }

    pub fn stream(&self, id: &str) -> Option<Stream> {
        self.streams()
            .into_iter()
            .find_map(|(stream_id, stream)| (stream_id == id).then_some(stream))
    }

    pub fn profile(&self, account: u64) -> Option<Profile> {
        self.users()
            .into_iter()
            .find_map(|(id, profile)| (id == actor(account)).then_some(profile))
    }

    /// Everything the program stores, as the bytes of its full state replies and of
    /// the first page of each account's channel roles and tips received (the tests'
    /// lists hold fewer than a page).
    pub fn snapshot(&self) -> Vec<u8> {
        let mut bytes = self.read(StateQuery::Streams).encode();
        let users = self.users();
        bytes.extend(users.encode());
        for (account, _) in users {
            let roles = StateQuery::ChannelRoles {
                broadcaster: account,
                after: None,
                limit: 100,
            };
            bytes.extend(self.read(roles).encode());
            let tips = StateQuery::TipsReceived {
                broadcaster: account,
                after: None,
                limit: 100,
            };
            bytes.extend(self.read(tips).encode());
        }
        bytes
    }
}

pub fn new_stream(title: &str, start_time: u64, end_time: u64) -> Action {
    Action::NewStream {
        title: title.into(),
        description: Some(format!("about {title}")),
        start_time,
        end_time,
        img_link: "https://example.com/banner.png".into(),
    }
}

pub fn edit_profile(name: Option<&str>, surname: Option<&str>, img_link: Option<&str>) -> Action {
    Action::EditProfile {
        name: name.map(Into::into),
        surname: surname.map(Into::into),
        img_link: img_link.map(Into::into),
    }
}

/// An `EditStream` that changes nothing but clears the description.
pub fn edit_nothing(stream_id: &str) -> Action {
    Action::EditStream {
        stream_id: stream_id.into(),
        start_time: None,
        end_time: None,
        title: None,
        img_link: None,
        description: None,
    }
}
