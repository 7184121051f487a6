//! The benchmark's chain: the program, the floor and the seed (the original program) on
//! one gtest runtime, filled to a size through real messages, then measured.
use crate::{
    accounts::{account, Shape},
    fixture::{targeted_queries, FIXTURE, FIXTURE_AHEAD_MS, FIXTURE_STREAMS, HOUR_MS, MINUTE_MS},
    probe,
    samples::{Row, Samples},
};
use gstd::ActorId;
use gtest::{constants::UNITS, Program, System};
use parity_scale_codec::{Decode, Encode};
use std::cell::Cell;
use w3bstreaming_io::{limits::MIN_TIP, Action, ChannelRole, Event, StateQuery};
use w3bstreaming_testkit::{deploy, reply};

/// Runs of each action and query; the median is reported.
const SAMPLES: u64 = 5;
/// Messages per block while filling.
const BATCH: usize = 100;

const FILLED_USERS: u64 = 1_000_000;
const SAMPLE_BROADCASTERS: u64 = 3_000_000;
const SAMPLE_VIEWERS: u64 = 4_000_000;

struct Sent {
    reply: Result<Vec<u8>, String>,
    gas: u64,
    written_pages: usize,
}

/// One action, as the program, the floor and the seed burned it.
struct SideBySide {
    ours: Sent,
    floor: u64,
    /// The seed's gas and written pages; `None` when the seed has no such action.
    seed: Option<(u64, usize)>,
}

/// Whether the seed has `action`: its five actions are the first five of ours.
fn seed_has(action: &Action) -> bool {
    matches!(
        action,
        Action::NewStream { .. }
            | Action::DeleteStream { .. }
            | Action::EditStream { .. }
            | Action::Subscribe { .. }
            | Action::EditProfile { .. }
    )
}

pub struct Measured {
    pub rows: Vec<Row>,
    /// Reply size in bytes of each full read, or why it failed.
    pub full_reads: Vec<(&'static str, Result<usize, String>)>,
}

pub struct Workload {
    system: System,
    program: ActorId,
    floor: ActorId,
    seed: ActorId,
    /// Stream ids of the filled users, by user index.
    stream_ids: Vec<String>,
    messages_sent: Cell<usize>,
    /// Gas the init message burned (the program exports no `init`: its state starts
    /// empty).
    init_gas: u64,
}

fn filled_user(index: usize) -> ActorId {
    account(FILLED_USERS + index as u64)
}

fn profile(name: String) -> Action {
    Action::EditProfile {
        name: Some(name),
        surname: Some("Benchmark".into()),
        img_link: Some("https://example.com/avatar.png".into()),
    }
}

fn new_stream(title: String, start_time: u64) -> Action {
    stream_lasting(title, start_time, 2 * HOUR_MS)
}

fn stream_lasting(title: String, start_time: u64, duration: u64) -> Action {
    Action::NewStream {
        title,
        description: Some("A stream scheduled by the benchmark".into()),
        start_time,
        end_time: start_time + duration,
        img_link: "https://example.com/banner.png".into(),
    }
}

impl Workload {
    /// A fresh runtime with `size` users, each with one stream, following others and
    /// marking a stream as `shape` says.
    pub fn filled(size: usize, shape: Shape) -> Self {
        let system = System::new();
        let (program, init) = deploy(&system, 1, w3bstreaming::WASM_BINARY_OPT, FILLED_USERS);
        let (floor, _) = deploy(
            &system,
            2,
            w3bstreaming_floor::WASM_BINARY_OPT,
            FILLED_USERS,
        );
        let (seed, _) = deploy(&system, 3, w3bstreaming_seed::WASM_BINARY_OPT, FILLED_USERS);
        let init_gas = system.run_next_block().gas_burned[&init];
        let mut workload = Self {
            program: program.id(),
            floor: floor.id(),
            seed: seed.id(),
            system,
            stream_ids: Vec::new(),
            messages_sent: Cell::new(0),
            init_gas,
        };
        for index in 0..size {
            workload.system.mint_to(filled_user(index), 1_000 * UNITS);
        }
        workload.send_all((0..size).map(|i| (filled_user(i), profile(format!("User {i}")))));
        // Starts a minute apart from an hour ago, each lasting a day: some streams are
        // live when measured, and at N=100000 none ends during the hours of block time
        // the fill takes.
        let first_start = workload.system.block_timestamp() - HOUR_MS;
        let scheduled = workload.send_all((0..size).map(|i| {
            let start = first_start + i as u64 * MINUTE_MS;
            let stream = stream_lasting(format!("Stream {i}"), start, 24 * HOUR_MS);
            (filled_user(i), stream)
        }));
        workload.stream_ids = scheduled
            .into_iter()
            .map(|event| match event {
                Event::StreamIsScheduled { id } => id,
                other => panic!("NewStream replied {other:?}"),
            })
            .collect();
        let follows = (0..size).flat_map(|i| {
            let follows = shape.follows(i, size).into_iter();
            follows.map(move |followed| {
                let account_id = filled_user(followed);
                (filled_user(i), Action::Subscribe { account_id })
            })
        });
        let follows: Vec<_> = follows.collect();
        workload.send_all(follows);
        let watches: Vec<_> = (0..size)
            .filter_map(|i| {
                let stream_id = workload.stream_ids[shape.marks(i, size)?].clone();
                Some((filled_user(i), Action::Watch { stream_id }))
            })
            .collect();
        workload.send_all(watches);
        // Each user tips the next one's stream: at N past `MAX_TIPS` the program keeps
        // the latest receipts only, and every later tip drops the oldest.
        let tips: Vec<_> = (0..size)
            .filter(|_| size > 1)
            .map(|i| {
                let stream_id = workload.stream_ids[(i + 1) % size].clone();
                (filled_user(i), tip(stream_id))
            })
            .collect();
        workload.send_all(tips);
        workload
    }

    pub fn init_gas(&self) -> u64 {
        self.init_gas
    }

    pub fn messages_sent(&self) -> usize {
        self.messages_sent.get()
    }

    fn program(&self, id: ActorId) -> Program<'_> {
        self.system.get_program(id).expect("deployed")
    }

    /// Sends every message, `BATCH` to a block, and expects each to succeed; those the
    /// seed has go to the seed too, in the same block, so that both hold the same data.
    fn send_all(&self, messages: impl IntoIterator<Item = (ActorId, Action)>) -> Vec<Event> {
        let messages: Vec<_> = messages.into_iter().collect();
        let mut events = Vec::with_capacity(messages.len());
        for batch in messages.chunks(BATCH) {
            let (program, seed) = (self.program(self.program), self.program(self.seed));
            let ids: Vec<_> = batch
                .iter()
                .map(|(from, action)| {
                    let to_seed = seed_has(action).then(|| seed.send_bytes(*from, action.encode()));
                    let value = value_of(action);
                    (
                        program.send_with_value(*from, action.clone(), value),
                        to_seed,
                    )
                })
                .collect();
            let result = self.system.run_next_block();
            probe::take_written_pages();
            for ((id, to_seed), (from, action)) in ids.into_iter().zip(batch) {
                let payload = reply(&result, id)
                    .unwrap_or_else(|error| panic!("{action:?} from {from}: {error}"));
                events.push(Event::decode(&mut payload.as_slice()).expect("an Event"));
                if let Some(to_seed) = to_seed {
                    reply(&result, to_seed).unwrap_or_else(|error| {
                        panic!("the seed: {action:?} from {from}: {error}")
                    });
                }
            }
            self.messages_sent
                .set(self.messages_sent.get() + batch.len());
        }
        events
    }

    /// Sends `action` to the floor, the seed if it has the action, and the program, in
    /// one block and in that order, so that the seed and the program see the same block
    /// time (and give a new stream the same id): the program's reply, the gas each
    /// burned and how many pages the program and the seed wrote.
    fn send_side_by_side(&self, from: ActorId, action: &Action) -> SideBySide {
        let payload = action.encode();
        let value = value_of(action);
        let floor = self
            .program(self.floor)
            .send_bytes_with_value(from, payload.clone(), value);
        let seed =
            seed_has(action).then(|| self.program(self.seed).send_bytes(from, payload.clone()));
        let id = self
            .program(self.program)
            .send_bytes_with_value(from, payload, value);
        let result = self.system.run_next_block();
        self.messages_sent.set(self.messages_sent.get() + 1);
        let mut written_pages = probe::take_written_pages();
        let ours_pages = written_pages.pop().expect("the program ran last");
        let seed_pages = seed.map(|_| written_pages.pop().expect("the seed ran before it"));
        if std::env::var_os("BENCH_PAGES").is_some() {
            eprintln!("{action:?}\n  wrote pages {ours_pages:?}, the seed {seed_pages:?}");
        }
        let written_pages = ours_pages;
        reply(&result, floor).expect("the floor replies");
        let seed = seed.zip(seed_pages).map(|(seed, pages)| {
            reply(&result, seed).unwrap_or_else(|error| panic!("the seed: {action:?}: {error}"));
            (result.gas_burned[&seed], pages.len())
        });
        SideBySide {
            ours: Sent {
                reply: reply(&result, id),
                gas: result.gas_burned[&id],
                written_pages: written_pages.len(),
            },
            floor: result.gas_burned[&floor],
            seed,
        }
    }

    /// Reads the state with `query` from `from`: the reply and, if it succeeded, the
    /// gas it burned.
    fn read(&self, from: ActorId, query: &StateQuery) -> (Result<Vec<u8>, String>, Option<u64>) {
        let reply = self
            .program(from)
            .read_state_bytes(query.encode())
            .map_err(|error| short(&error.to_string()));
        (reply, probe::take_read_gas())
    }

    /// Every action and query, `SAMPLES` times, each by fresh accounts.
    pub fn measure(&self) -> Measured {
        let mut samples = Samples::default();
        let (fixture_start, fixture_ids, fixture_tip) = self.add_fixture();
        for sample in 0..SAMPLES {
            let broadcaster = account(SAMPLE_BROADCASTERS + sample);
            let viewer = account(SAMPLE_VIEWERS + sample);
            for account in [broadcaster, viewer] {
                self.system.mint_to(account, 1_000 * UNITS);
            }
            let mut act = |name: &'static str, from: ActorId, action: Action| -> Event {
                let SideBySide { ours, floor, seed } = self.send_side_by_side(from, &action);
                let reply = ours
                    .reply
                    .unwrap_or_else(|error| panic!("{action:?}: {error}"));
                samples.add(name, Some(ours.gas), floor, Some(ours.written_pages));
                samples.add_seed(name, seed);
                Event::decode(&mut reply.as_slice()).expect("an Event")
            };
            act(
                "EditProfile (register)",
                broadcaster,
                profile(format!("Sample {sample}")),
            );
            act(
                "EditProfile (edit)",
                broadcaster,
                profile(format!("Sample {sample}, edited")),
            );
            act("EditProfile (register)", viewer, profile("Viewer".into()));
            let start = self.system.block_timestamp() + HOUR_MS;
            let Event::StreamIsScheduled { id } = act(
                "NewStream",
                broadcaster,
                new_stream(format!("Sample {sample}"), start),
            ) else {
                panic!("NewStream replies StreamIsScheduled")
            };
            act(
                "EditStream",
                broadcaster,
                Action::EditStream {
                    stream_id: id.clone(),
                    start_time: Some(start + MINUTE_MS),
                    end_time: None,
                    title: Some(format!("Sample {sample}, edited")),
                    img_link: None,
                    description: Some("Edited by the benchmark".into()),
                },
            );
            let account_id = broadcaster;
            act("Subscribe", viewer, Action::Subscribe { account_id });
            act("Tip", viewer, tip(id.clone()));
            for (name, role) in [
                ("SetChannelRole (ban)", Some(ChannelRole::Banned)),
                ("SetChannelRole (replace)", Some(ChannelRole::Moderator)),
                ("SetChannelRole (take away)", None),
            ] {
                let account_id = viewer;
                act(
                    name,
                    broadcaster,
                    Action::SetChannelRole { account_id, role },
                );
            }
            act(
                "Watch",
                viewer,
                Action::Watch {
                    stream_id: id.clone(),
                },
            );
            act(
                "Unwatch",
                viewer,
                Action::Unwatch {
                    stream_id: id.clone(),
                },
            );
            act("Unsubscribe", viewer, Action::Unsubscribe { account_id });
            act(
                "DeleteStream",
                broadcaster,
                Action::DeleteStream { stream_id: id },
            );
            for (name, asked, query) in targeted_queries(fixture_start, &fixture_ids, fixture_tip) {
                let (read, gas) = self.read(self.program, &query);
                let (_, floor) = self.read(self.floor, &query);
                // A state read fails once the program's memory is past what core-processor
                // lets one have (32 MiB): the row then shows no figure.
                if let Err(error) = &read {
                    eprintln!("{name}: {error}");
                }
                samples.add(name, gas, floor.expect("the floor answers"), None);
                // Sent as a message, it burns what a client's dry run of it does.
                let query = Action::Query(query);
                let SideBySide { ours, floor, .. } = self.send_side_by_side(viewer, &query);
                let answer = ours
                    .reply
                    .unwrap_or_else(|error| panic!("{query:?}: {error}"));
                if let Ok(read) = &read {
                    assert_eq!(answer.get(1..), Some(&read[..]), "{name}: two answers");
                }
                samples.add(asked, Some(ours.gas), floor, Some(ours.written_pages));
            }
        }
        let mut full_reads = Vec::new();
        for (name, query) in [
            ("Streams (full read)", StateQuery::Streams),
            ("Users (full read)", StateQuery::Users),
        ] {
            let (reply, gas) = self.read(self.program, &query);
            let (_, floor) = self.read(self.floor, &query);
            samples.add(name, gas, floor.expect("the floor answers"), None);
            full_reads.push((name, reply.map(|bytes| bytes.len())));
        }
        Measured {
            rows: samples.medians(),
            full_reads,
        }
    }

    /// A broadcaster with `FIXTURE_STREAMS` streams far in the future, all live at
    /// `FIXTURE_LIVE_AFTER_MS` past the first start, and as many followers: the same at
    /// every size, so that each targeted query answers with the same data at every size.
    fn add_fixture(&self) -> (u64, Vec<String>, u64) {
        let accounts: Vec<ActorId> = (0..=FIXTURE_STREAMS)
            .map(|i| account(FIXTURE + i))
            .collect();
        for &account in &accounts {
            self.system.mint_to(account, 1_000 * UNITS);
        }
        self.send_all(
            accounts
                .iter()
                .enumerate()
                .map(|(i, &account)| (account, profile(format!("Fixture {i}")))),
        );
        let first_start = self.system.block_timestamp() + FIXTURE_AHEAD_MS;
        let scheduled = self.send_all((0..FIXTURE_STREAMS).map(|i| {
            let start = first_start + i * HOUR_MS;
            (accounts[0], new_stream(format!("Fixture {i}"), start))
        }));
        self.send_all(accounts[1..].iter().map(|&follower| {
            let account_id = accounts[0];
            (follower, Action::Subscribe { account_id })
        }));
        let ids: Vec<String> = scheduled
            .into_iter()
            .map(|event| match event {
                Event::StreamIsScheduled { id } => id,
                other => panic!("NewStream replied {other:?}"),
            })
            .collect();
        // The first follower marks every fixture stream, for `MarkedStreams`.
        self.send_all(ids.iter().map(|id| {
            let stream_id = id.clone();
            (accounts[1], Action::Watch { stream_id })
        }));
        // Every follower holds a role in the broadcaster's channel, for `ChannelRoles`.
        self.send_all(accounts[1..].iter().enumerate().map(|(i, &account_id)| {
            let role = Some([ChannelRole::Moderator, ChannelRole::Banned][i % 2]);
            (accounts[0], Action::SetChannelRole { account_id, role })
        }));
        // Every follower tips the first stream, for `Tip` and `TipsReceived`.
        let tipped = self.send_all(
            accounts[1..]
                .iter()
                .map(|&follower| (follower, tip(ids[0].clone()))),
        );
        let Some(Event::Tipped { number }) = tipped.last() else {
            panic!("Tip replied {tipped:?}")
        };
        (first_start, ids, *number)
    }
}

fn short(error: &str) -> String {
    error.chars().take(120).collect()
}

/// A tip of the least value to the broadcaster of `stream_id`.
fn tip(stream_id: String) -> Action {
    let message = "Thanks for the stream".into();
    Action::Tip { stream_id, message }
}

/// The value a message carries: a tip the least it may, anything else none.
fn value_of(action: &Action) -> u128 {
    match action {
        Action::Tip { .. } => MIN_TIP,
        _ => 0,
    }
}
