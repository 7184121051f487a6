//! What `scripts/run.sh` prints first: the deployable artifacts; with `--scenario`,
//! then a short scenario on the embedded gtest runtime and the resulting schedule.
use blake2::{digest::consts::U32, Blake2b, Digest};
use gstd::ActorId;
use gtest::{constants::UNITS, System};
use parity_scale_codec::Decode;
use std::{fs, path::Path};
use w3bstreaming_io::{Action, ChannelRole, Event, Profile, StateQuery, StateReply, Stream};
use w3bstreaming_testkit::{deploy_initialized, reply};

const ALICE: u64 = 100;
const BOB: u64 = 101;
const CAROL: u64 = 102;
const MINUTE_MS: u64 = 60_000;

fn main() {
    describe_artifacts();
    if std::env::args().any(|arg| arg == "--scenario") {
        run_scenario();
    }
}

fn blake2b_256_hex(bytes: &[u8]) -> String {
    format!("0x{}", hex::encode(Blake2b::<U32>::digest(bytes)))
}

fn describe_artifacts() {
    let wasm = fs::read(w3bstreaming::OPT_WASM_PATH).expect("the build wrote the .opt.wasm");
    let meta = fs::read_to_string(w3bstreaming::META_TXT_PATH).expect("the build wrote .meta.txt");
    let meta_bytes = hex::decode(meta.trim()).expect(".meta.txt is hex");
    println!("Deployable artifacts (upload both in Gear IDEA):");
    let rules = w3bstreaming::META_TXT_PATH.replace(".meta.txt", ".rules.json");
    for path in [w3bstreaming::OPT_WASM_PATH, w3bstreaming::META_TXT_PATH] {
        let size = fs::metadata(path).expect("artifact exists").len();
        println!("  {:<60} {size:>7} bytes", relative(path));
    }
    println!("  code id   {}", blake2b_256_hex(&wasm));
    println!("  metahash  {}", blake2b_256_hex(&meta_bytes));
    println!("For clients: {} (limits and error texts)", relative(&rules));
    println!();
}

/// `path` relative to the working directory when it lies under it.
fn relative(path: &str) -> String {
    let cwd = std::env::current_dir().expect("working directory");
    Path::new(path)
        .strip_prefix(&cwd)
        .map_or_else(|_| path.to_string(), |p| p.display().to_string())
}

struct Demo {
    system: System,
    program: ActorId,
}

impl Demo {
    fn send(&self, who: (&str, u64), action: Action) -> Event {
        self.send_value(who, action, 0)
    }

    fn send_value(&self, who: (&str, u64), action: Action, value: u128) -> Event {
        let program = self.system.get_program(self.program).expect("deployed");
        let id = program.send_with_value(who.1, action.clone(), value);
        let result = self.system.run_next_block();
        let gas = result.gas_burned[&id] as f64 / 1e9;
        let name = action_name(&action);
        let payload = reply(&result, id)
            .unwrap_or_else(|error| panic!("{name} from {} failed: {error}", who.0));
        let event = Event::decode(&mut payload.as_slice()).expect("reply is an Event");
        println!("  {:<6} {name:<12} -> {event:?}  ({gas:.3} Ggas)", who.0);
        event
    }

    fn query(&self, query: StateQuery) -> StateReply {
        let program = self.system.get_program(self.program).expect("deployed");
        program.read_state(query).expect("state query")
    }
}

fn action_name(action: &Action) -> &'static str {
    match action {
        Action::NewStream { .. } => "NewStream",
        Action::DeleteStream { .. } => "DeleteStream",
        Action::EditStream { .. } => "EditStream",
        Action::Subscribe { .. } => "Subscribe",
        Action::EditProfile { .. } => "EditProfile",
        Action::Unsubscribe { .. } => "Unsubscribe",
        Action::Watch { .. } => "Watch",
        Action::Unwatch { .. } => "Unwatch",
        Action::Query(_) => "Query",
        Action::SetChannelRole { .. } => "SetChannelRole",
        Action::Tip { .. } => "Tip",
    }
}

fn profile(name: &str) -> Action {
    Action::EditProfile {
        name: Some(name.into()),
        surname: None,
        img_link: Some(format!("https://example.com/{}.png", name.to_lowercase())),
    }
}

fn run_scenario() {
    let system = System::new();
    for account in [ALICE, BOB, CAROL] {
        system.mint_to(account, 1_000 * UNITS);
    }
    let program = deploy_initialized(&system, 1, w3bstreaming::WASM_BINARY_OPT, ALICE).id();
    let demo = Demo { program, system };
    println!("Scenario on the embedded gtest runtime:");
    let (alice, bob, carol) = (("Alice", ALICE), ("Bob", BOB), ("Carol", CAROL));
    demo.send(alice, profile("Alice"));
    demo.send(bob, profile("Bob"));
    demo.send(carol, profile("Carol"));
    let now = demo.system.block_timestamp();
    let schedule = |title: &str, description: &str, in_minutes: u64, minutes: u64| {
        let start = now + in_minutes * MINUTE_MS;
        Action::NewStream {
            title: title.into(),
            description: Some(description.into()),
            start_time: start,
            end_time: start + minutes * MINUTE_MS,
            img_link: "https://example.com/banner.png".into(),
        }
    };
    let Event::StreamIsScheduled { id } = demo.send(
        alice,
        schedule("Writing Gear programs", "gstd from scratch", 60, 90),
    ) else {
        unreachable!("NewStream replies StreamIsScheduled")
    };
    demo.send(carol, schedule("Vara validator Q&A", "Ask anything", 0, 45));
    demo.send(
        bob,
        Action::Subscribe {
            account_id: ALICE.into(),
        },
    );
    demo.send(
        bob,
        Action::Watch {
            stream_id: id.clone(),
        },
    );
    demo.send(
        alice,
        Action::EditStream {
            stream_id: id.clone(),
            start_time: None,
            end_time: None,
            title: Some("Writing Gear programs, live".into()),
            img_link: None,
            description: Some("gstd from scratch, questions welcome".into()),
        },
    );
    demo.send(
        alice,
        Action::SetChannelRole {
            account_id: BOB.into(),
            role: Some(ChannelRole::Moderator),
        },
    );
    let before = demo.system.balance_of(ALICE);
    demo.send_value(
        bob,
        Action::Tip {
            stream_id: id,
            message: "See you there!".into(),
        },
        2 * UNITS,
    );
    let received = demo.system.balance_of(ALICE) - before;
    println!("  Alice's balance grew by {} VARA", received / UNITS);
    println!();
    print_schedule(&demo);
}

fn print_schedule(demo: &Demo) {
    let StateReply::Users(users) = demo.query(StateQuery::Users) else {
        unreachable!("Users replies Users")
    };
    let StateReply::Streams(mut streams) = demo.query(StateQuery::Streams) else {
        unreachable!("Streams replies Streams")
    };
    let name_of = |account: ActorId| {
        users
            .iter()
            .find(|(id, _)| *id == account)
            .and_then(|(_, profile)| profile.name.clone())
            .unwrap_or_else(|| format!("{account}"))
    };
    let now = demo.system.block_timestamp();
    streams.sort_by_key(|(_, stream)| stream.start_time);
    println!("Schedule at {} UTC:", utc(now));
    for (id, stream) in &streams {
        print_stream(id, stream, now, &name_of);
    }
    println!("Profiles:");
    for (_, profile) in &users {
        let Profile {
            name,
            stream_ids,
            subscribers,
            subscriptions,
            ..
        } = profile;
        let follows: Vec<_> = subscriptions
            .iter()
            .map(|s| name_of(s.account_id))
            .collect();
        println!(
            "  {:<6} {} stream(s), {} follower(s), follows {}",
            name.as_deref().unwrap_or("?"),
            stream_ids.len(),
            subscribers.len(),
            if follows.is_empty() {
                "nobody".into()
            } else {
                follows.join(", ")
            }
        );
    }
}

fn print_stream(id: &str, stream: &Stream, now: u64, name_of: &dyn Fn(ActorId) -> String) {
    let status = if stream.start_time <= now {
        "LIVE NOW"
    } else {
        "upcoming"
    };
    println!(
        "  [{status}] {:?} by {}",
        stream.title,
        name_of(stream.broadcaster)
    );
    println!(
        "      {} to {} UTC ({} min)",
        utc(stream.start_time),
        &utc(stream.end_time)[11..],
        (stream.end_time - stream.start_time) / MINUTE_MS
    );
    if let Some(description) = &stream.description {
        println!("      {description}");
    }
    let watchers: Vec<_> = stream.watchers.iter().map(|&w| name_of(w)).collect();
    println!(
        "      watchers: {}",
        if watchers.is_empty() {
            "none yet".into()
        } else {
            watchers.join(", ")
        }
    );
    println!("      id: {id}");
}

/// A Unix time in milliseconds as `YYYY-MM-DD HH:MM` (UTC).
fn utc(ms: u64) -> String {
    let secs = ms / 1_000;
    let (days, day_secs) = (secs / 86_400, secs % 86_400);
    // Days since 1970-01-01 to a civil date (Howard Hinnant's algorithm).
    let z = days as i64 + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1_460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    format!(
        "{year:04}-{month:02}-{day:02} {:02}:{:02}",
        day_secs / 3_600,
        day_secs % 3_600 / 60
    )
}
