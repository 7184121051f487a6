//! Randomized model checking: long random sequences of actions from several accounts,
//! valid and not, across blocks far apart (so streams start, end and are pruned), sent
//! to the program on gtest. After every message the reply (event or exact error text)
//! and the whole state must equal the plain reference model's (`model/reference.rs`),
//! and the program's own lists and indices must agree with each other.
//!
//! Each seed prints before it runs; `MODEL_SEED=<seed>` replays one, and
//! `MODEL_MESSAGES=<n>` sets the messages per seed (default 500, three seeds).
//!
//! A second run goes to scale: 300 accounts, hundreds of streams and follower lists
//! hundreds long, first growing and then shrinking, so that every index of the storage
//! splits chunks and merges them, which it asserts on a native copy of the program's
//! storage fed the same messages. There the replies are compared after every message
//! and the whole state every `SCALE_FULL_CHECK_EVERY` messages (`MODEL_SCALE_MESSAGES`
//! sets its length, `MODEL_SCALE_SEED` its seed).
mod reference;

use crate::common::*;
use parity_scale_codec::{Decode, DecodeAll, Encode};
use reference::Reference;
use std::collections::BTreeSet;
use w3bstreaming::{actions, payload::Request};
use w3bstreaming_io::{
    limits::{
        MAX_DESCRIPTION_LEN, MAX_LINK_LEN, MAX_NAME_LEN, MAX_TIP_MESSAGE_LEN, MAX_TITLE_LEN,
        MIN_TIP,
    },
    Action, ChannelRole, Error, Event, Profile, StateQuery, StateReply, Stream, StreamCursor, Tip,
};
use w3bstreaming_state::Schedule;

const DEFAULT_SEEDS: [u64; 3] = [0x5eed_0001, 0x5eed_0002, 0x5eed_0003];
const DEFAULT_MESSAGES: usize = 500;
/// With the three small runs' 1,500, 20,000 random messages per run of the suite.
const DEFAULT_SCALE_MESSAGES: usize = 18_500;
const DEFAULT_SCALE_SEED: u64 = 0x5ca1_e001;
const SCALE_ACCOUNTS: u64 = 300;
const SCALE_FIRST_ACCOUNT: u64 = 1_000;
/// The accounts most follows and marks go to, so that their lists grow long.
const SCALE_POPULAR: u64 = 8;
const SCALE_FULL_CHECK_EVERY: usize = 500;
/// Accounts that send actions; any of them may be unregistered at a given step.
const SENDERS: [u64; 6] = [ALICE, BOB, CAROL, DAVE, 104, 105];
const DAY_MS: u64 = 24 * HOUR_MS;

/// xorshift64*: small, seedable, and the same everywhere.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }

    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }

    fn chance(&mut self, percent: u64) -> bool {
        self.below(100) < percent
    }

    fn pick<T: Clone>(&mut self, items: &[T]) -> T {
        items[self.below(items.len() as u64) as usize].clone()
    }
}

/// A string that is usually short and valid, sometimes empty, blank, or one byte too
/// long for `limit`.
fn text(rng: &mut Rng, limit: usize) -> String {
    match rng.below(20) {
        0 => String::new(),
        1 => "  ".into(),
        2 => "é".repeat(limit / 2) + "x",
        3 => "x".repeat(limit),
        _ => format!("t{}", rng.below(1_000)),
    }
}

fn opt_text(rng: &mut Rng, limit: usize) -> Option<String> {
    rng.chance(75).then(|| text(rng, limit))
}

/// A time around `now`: past, near, far, or beyond the schedule's horizon; sometimes a
/// few blocks ahead exactly, so that later messages land on its boundary.
fn time(rng: &mut Rng, now: u64) -> u64 {
    match rng.below(9) {
        7 | 8 => now + BLOCK_MS * rng.below(4),
        0 => now.saturating_sub(2 * HOUR_MS),
        1 => now,
        2 => now + 1 + rng.below(HOUR_MS),
        3 => now + rng.below(3 * DAY_MS),
        4 => now + 366 * DAY_MS,
        _ => now + HOUR_MS + rng.below(6 * HOUR_MS),
    }
}

fn duration(rng: &mut Rng) -> u64 {
    match rng.below(8) {
        0 => 0,
        1 => 8 * DAY_MS,
        2..=4 => BLOCK_MS * (1 + rng.below(3)),
        _ => 1 + rng.below(3 * HOUR_MS),
    }
}

fn stream_id(rng: &mut Rng, known: &[String], gone: &[String]) -> String {
    match rng.below(10) {
        0 if !gone.is_empty() => rng.pick(gone),
        1 => format!("{}nope", 1_700_000_000_000 + rng.below(1_000)),
        2 => "not an id".into(),
        _ if !known.is_empty() => rng.pick(known),
        _ => "1700000000000none".into(),
    }
}

/// A random action at block time `now`; `known` are the stored streams' ids, `gone`
/// those deleted or pruned, `ending_now` those that end at `now`.
fn random_action(
    rng: &mut Rng,
    now: u64,
    known: &[String],
    gone: &[String],
    ending_now: &[String],
) -> Action {
    let account = |rng: &mut Rng| actor(rng.pick(&SENDERS[..]));
    // A stream ending right now is where `Watch` turns from allowed to refused.
    if !ending_now.is_empty() && rng.chance(50) {
        return Action::Watch {
            stream_id: rng.pick(ending_now),
        };
    }
    match rng.below(17) {
        0 | 1 => Action::EditProfile {
            name: opt_text(rng, MAX_NAME_LEN),
            surname: opt_text(rng, MAX_NAME_LEN),
            img_link: opt_text(rng, MAX_LINK_LEN),
        },
        2..=4 => {
            let start = time(rng, now);
            Action::NewStream {
                title: text(rng, MAX_TITLE_LEN),
                description: opt_text(rng, MAX_DESCRIPTION_LEN),
                start_time: start,
                end_time: start + duration(rng),
                img_link: text(rng, MAX_LINK_LEN),
            }
        }
        5 => Action::DeleteStream {
            stream_id: stream_id(rng, known, gone),
        },
        6 | 7 => {
            let start = rng.chance(50).then(|| time(rng, now));
            Action::EditStream {
                stream_id: stream_id(rng, known, gone),
                start_time: start,
                end_time: rng.chance(50).then(|| start.unwrap_or(now) + duration(rng)),
                title: rng.chance(40).then(|| text(rng, MAX_TITLE_LEN)),
                img_link: rng.chance(20).then(|| text(rng, MAX_LINK_LEN)),
                description: opt_text(rng, MAX_DESCRIPTION_LEN),
            }
        }
        8 | 9 => Action::Subscribe {
            account_id: account(rng),
        },
        10 => Action::Unsubscribe {
            account_id: account(rng),
        },
        11 | 12 => Action::Watch {
            stream_id: stream_id(rng, known, gone),
        },
        13 => Action::Unwatch {
            stream_id: stream_id(rng, known, gone),
        },
        14 | 15 => Action::SetChannelRole {
            account_id: account(rng),
            role: rng.pick(&[
                None,
                Some(ChannelRole::Moderator),
                Some(ChannelRole::Banned),
            ]),
        },
        _ => Action::Tip {
            stream_id: stream_id(rng, known, gone),
            message: text(rng, MAX_TIP_MESSAGE_LEN),
        },
    }
}

/// The value a message carries: a tip's is none, too little, or enough; now and then
/// another action carries some too.
fn random_value(rng: &mut Rng, action: &Action) -> u128 {
    match action {
        Action::Tip { .. } => rng.pick(&[0, MIN_TIP - 1, MIN_TIP, 7 * MIN_TIP / 2]),
        _ if rng.chance(2) => MIN_TIP,
        _ => 0,
    }
}

/// Every item of a list query, read in pages of two: `query` asks the page after a
/// cursor, `page` takes its items and the next cursor from the reply.
fn all_pages<T, C>(
    env: &Env,
    query: impl Fn(Option<C>) -> StateQuery,
    page: impl Fn(StateReply) -> (Vec<T>, Option<C>),
) -> Vec<T> {
    let mut items = Vec::new();
    let mut after = None;
    loop {
        let (got, next) = page(env.query(query(after)));
        items.extend(got);
        match next {
            Some(next) => after = Some(next),
            None => return items,
        }
    }
}

/// Every tip `broadcaster` received, the latest first; each one agrees with its
/// receipt asked alone.
fn tips_of(env: &Env, broadcaster: gstd::ActorId) -> Vec<(u64, Tip)> {
    let tips = all_pages(
        env,
        |after| StateQuery::TipsReceived {
            broadcaster,
            after,
            limit: 2,
        },
        |reply| match reply {
            StateReply::TipPage { tips, next } => (tips, next),
            other => panic!("TipsReceived replied {other:?}"),
        },
    );
    for (number, tip) in &tips {
        let asked = env.query(StateQuery::Tip { number: *number });
        assert_eq!(asked, StateReply::Tip(Some(tip.clone())), "one tip agrees");
    }
    tips
}

/// Every role in `broadcaster`'s channel, in account order.
fn roles_of(env: &Env, broadcaster: gstd::ActorId) -> Vec<(gstd::ActorId, ChannelRole)> {
    let mut roles = all_pages(
        env,
        |after| StateQuery::ChannelRoles {
            broadcaster,
            after,
            limit: 2,
        },
        |reply| match reply {
            StateReply::RolePage { roles, next } => (roles, next),
            other => panic!("ChannelRoles replied {other:?}"),
        },
    );
    for &(account, role) in &roles {
        let asked = env.query(StateQuery::ChannelRole {
            broadcaster,
            account,
        });
        assert_eq!(
            asked,
            StateReply::ChannelRole(Some(role)),
            "one role agrees"
        );
    }
    roles.sort();
    roles
}

/// The ids among `known` that `reference` no longer holds.
fn no_longer_stored(known: Vec<String>, reference: &Reference) -> Vec<String> {
    let stored: BTreeSet<String> = reference.stream_ids().into_iter().collect();
    known
        .into_iter()
        .filter(|id| !stored.contains(id))
        .collect()
}

/// The full `Streams` and `Users` replies.
type FullState = (Vec<(String, Stream)>, Vec<(gstd::ActorId, Profile)>);

/// The program's full state with every list sorted, to compare with the reference's.
fn normalized(env: &Env) -> FullState {
    let mut streams = env.streams();
    for (_, stream) in &mut streams {
        stream.watchers.sort();
    }
    let mut users = env.users();
    for (_, profile) in &mut users {
        profile.subscribers.sort();
        profile.subscriptions.sort_by_key(|s| s.account_id);
    }
    (streams, users)
}

/// The program's own consistency, read through its full and targeted queries.
fn check_invariants(env: &Env, now: u64) {
    let streams = env.streams();
    let users = env.users();
    let registered: BTreeSet<_> = users.iter().map(|(account, _)| *account).collect();
    for (id, stream) in &streams {
        let owners: Vec<_> = users
            .iter()
            .filter(|(_, profile)| profile.stream_ids.contains(id))
            .map(|(account, _)| *account)
            .collect();
        assert_eq!(
            owners,
            [stream.broadcaster],
            "{id} is listed by its broadcaster alone"
        );
        let watchers: BTreeSet<_> = stream.watchers.iter().collect();
        assert_eq!(
            watchers.len(),
            stream.watchers.len(),
            "{id}: duplicate watchers"
        );
        assert!(
            stream.watchers.iter().all(|w| registered.contains(w)),
            "{id}: unknown watcher"
        );
    }
    let ids: BTreeSet<_> = streams.iter().map(|(id, _)| id.clone()).collect();
    for (account, profile) in &users {
        let own: BTreeSet<_> = profile.stream_ids.iter().cloned().collect();
        assert_eq!(own.len(), profile.stream_ids.len(), "duplicate stream ids");
        assert!(own.is_subset(&ids), "a listed stream exists");
        let subscribers: BTreeSet<_> = profile.subscribers.iter().collect();
        assert_eq!(
            subscribers.len(),
            profile.subscribers.len(),
            "duplicate subscribers"
        );
        for subscriber in &profile.subscribers {
            let mirror = &users
                .iter()
                .find(|(a, _)| a == subscriber)
                .expect("registered")
                .1;
            assert!(
                mirror
                    .subscriptions
                    .iter()
                    .any(|s| s.account_id == *account),
                "mirror"
            );
        }
        for follow in &profile.subscriptions {
            let followed = &users
                .iter()
                .find(|(a, _)| *a == follow.account_id)
                .expect("registered")
                .1;
            assert!(
                followed.subscribers.contains(account),
                "mirror of a subscription"
            );
        }
        let summary = match env.query(StateQuery::Profile { account: *account }) {
            StateReply::Profile(Some(summary)) => summary,
            other => panic!("Profile replied {other:?}"),
        };
        assert_eq!(
            (
                summary.stream_count,
                summary.subscriber_count,
                summary.subscription_count
            ),
            (
                profile.stream_ids.len() as u32,
                profile.subscribers.len() as u32,
                profile.subscriptions.len() as u32
            ),
            "counts agree with the lists"
        );
        let listed = stream_ids(env, |after| StateQuery::BroadcasterStreams {
            broadcaster: *account,
            after,
            limit: 2,
        });
        assert_eq!(listed, profile.stream_ids, "broadcaster index agrees");
        let marked: Vec<_> = streams
            .iter()
            .filter(|(_, stream)| stream.watchers.contains(account))
            .map(|(id, _)| id.clone())
            .collect();
        let listed = stream_ids(env, |after| StateQuery::MarkedStreams {
            watcher: *account,
            after,
            limit: 2,
        });
        assert_eq!(listed, marked, "marked index agrees");
    }
    let mut by_start: Vec<_> = streams.iter().collect();
    by_start.sort_by_key(|(id, stream)| (stream.start_time, id[..13].to_string()));
    let upcoming: Vec<_> = by_start
        .iter()
        .filter(|(_, s)| s.start_time > now)
        .map(|(id, _)| id.clone())
        .collect();
    let live: Vec<_> = by_start
        .iter()
        .filter(|(_, s)| s.start_time <= now && now < s.end_time)
        .map(|(id, _)| id.clone())
        .collect();
    let from = |after| StateQuery::UpcomingStreams {
        from: now,
        after,
        limit: 3,
    };
    assert_eq!(
        stream_ids(env, from),
        upcoming,
        "start-time index: upcoming"
    );
    let at = |after| StateQuery::LiveStreams {
        at: now,
        after,
        limit: 3,
    };
    assert_eq!(stream_ids(env, at), live, "start-time index: live");
    let ended: Vec<_> = by_start
        .iter()
        .rev()
        .filter(|(_, s)| s.end_time <= now)
        .map(|(id, _)| id.clone())
        .collect();
    let before = |after| StateQuery::EndedStreams {
        at: now,
        after,
        limit: 3,
    };
    assert_eq!(stream_ids(env, before), ended, "start-time index: ended");
}

/// Every id of a stream list, following `next` to the end.
fn stream_ids(env: &Env, query: impl Fn(Option<StreamCursor>) -> StateQuery) -> Vec<String> {
    all_pages(env, query, |reply| match reply {
        StateReply::StreamPage { streams, next } => {
            (streams.into_iter().map(|(id, _)| id).collect(), next)
        }
        other => panic!("a stream list replied {other:?}"),
    })
}

fn run(seed: u64, messages: usize) {
    println!("model seed {seed:#x}, {messages} messages (replay: MODEL_SEED={seed:#x})");
    let mut rng = Rng(seed.wrapping_mul(0x9e37_79b9_7f4a_7c15) | 1);
    let env = Env::new();
    for &account in &SENDERS {
        env.system
            .mint_to(account, 1_000_000 * gtest::constants::UNITS);
    }
    let mut reference = Reference::default();
    let mut gone: Vec<String> = Vec::new();
    let mut accepted = 0;
    for step in 0..messages {
        if rng.chance(4) {
            // Hours to days later: streams start and end, and some pass retention.
            let later = env.next_block_time() + rng.below(9 * DAY_MS);
            env.run_until(later);
        }
        let now = env.next_block_time();
        let known = reference.stream_ids();
        let sender = rng.pick(&SENDERS[..]);
        let ending_now = reference.ids_ending_at(now);
        let action = random_action(&mut rng, now, &known, &gone, &ending_now);
        let value = random_value(&mut rng, &action);
        let expected = reference.apply(actor(sender), now, value, &action);
        let got = env.send_value(sender, action.clone(), value);
        let context =
            format!("seed {seed:#x} step {step}: {action:?} with {value} from {sender} at {now}");
        assert_eq!(got, expected.clone().map_err(error_reply), "{context}");
        accepted += usize::from(expected.is_ok());
        gone.extend(no_longer_stored(known, &reference));
        let (streams, users) = normalized(&env);
        assert_eq!(streams, reference.streams(), "{context}: streams");
        assert_eq!(users, reference.users(), "{context}: users");
        let channel = actor(sender);
        let roles = roles_of(&env, channel);
        assert_eq!(roles, reference.roles(channel), "{context}: roles");
        let tips = tips_of(&env, channel);
        assert_eq!(tips, reference.tips_received(channel), "{context}: tips");
        if step % 10 == 0 {
            check_invariants(&env, now);
        }
    }
    check_invariants(&env, env.system.block_timestamp());
    println!(
        "  {accepted} accepted, {} rejected; {} streams and {} accounts at the end, {} streams gone",
        messages - accepted,
        reference.streams().len(),
        reference.users().len(),
        gone.len()
    );
}

/// One of the scale run's accounts, with `popular_percent` chance one of the first
/// `SCALE_POPULAR`, the popular ones.
fn scale_account(rng: &mut Rng, popular_percent: u64) -> u64 {
    let among = if rng.chance(popular_percent) {
        SCALE_POPULAR
    } else {
        SCALE_ACCOUNTS
    };
    SCALE_FIRST_ACCOUNT + rng.below(among)
}

/// A sender and an action for the scale run. While `growing`, most actions add
/// profiles, streams, follows, marks and channel roles, half of those aimed at the
/// popular accounts and their streams (every role in their channels); afterwards most take them away again, aimed at what exists, so
/// that the lists shrink. A tenth are the small run's actions, valid or not.
fn scale_action(
    rng: &mut Rng,
    reference: &Reference,
    now: u64,
    known: &[String],
    gone: &[String],
    growing: bool,
) -> (u64, Action) {
    let sender = scale_account(rng, 0);
    if rng.chance(10) {
        let ending_now = reference.ids_ending_at(now);
        return (sender, random_action(rng, now, known, gone, &ending_now));
    }
    let popular = SCALE_FIRST_ACCOUNT..SCALE_FIRST_ACCOUNT + SCALE_POPULAR;
    let popular_streams =
        reference.stream_ids_by(|broadcaster| popular.clone().any(|a| actor(a) == broadcaster));
    let roll = rng.below(100);
    let action = if growing {
        match roll {
            0..=9 => Action::EditProfile {
                name: Some(format!("n{}", rng.below(1_000))),
                surname: None,
                img_link: opt_text(rng, MAX_LINK_LEN),
            },
            10..=34 => {
                let start = now + rng.below(3 * HOUR_MS);
                let sender = scale_account(rng, 30);
                let action = Action::NewStream {
                    title: format!("s{}", rng.below(10_000)),
                    description: opt_text(rng, MAX_DESCRIPTION_LEN),
                    start_time: start,
                    end_time: start + HOUR_MS + rng.below(DAY_MS),
                    img_link: text(rng, MAX_LINK_LEN),
                };
                return (sender, action);
            }
            35..=59 => Action::Subscribe {
                account_id: actor(scale_account(rng, 60)),
            },
            60..=84 => {
                let targets = if rng.chance(60) && !popular_streams.is_empty() {
                    &popular_streams[..]
                } else {
                    known
                };
                Action::Watch {
                    stream_id: stream_id(rng, targets, gone),
                }
            }
            85..=92 => {
                // Roles in the popular channels, so that their lists grow long.
                let role = rng.pick(&[ChannelRole::Moderator, ChannelRole::Banned]);
                let action = Action::SetChannelRole {
                    account_id: actor(scale_account(rng, 0)),
                    role: Some(role),
                };
                return (scale_account(rng, 100), action);
            }
            93..=96 => Action::Unsubscribe {
                account_id: actor(scale_account(rng, 0)),
            },
            _ => Action::Unwatch {
                stream_id: stream_id(rng, known, gone),
            },
        }
    } else {
        match roll {
            0..=29 => match rng_pick(rng, &reference.followed_by(actor(sender))) {
                Some(account_id) => Action::Unsubscribe { account_id },
                None => Action::Unsubscribe {
                    account_id: actor(scale_account(rng, 100)),
                },
            },
            30..=59 => match rng_pick(rng, &reference.marked_by(actor(sender))) {
                Some(stream_id) => Action::Unwatch { stream_id },
                None => Action::Unwatch {
                    stream_id: stream_id(rng, known, gone),
                },
            },
            60..=79 => {
                // A stream of its own, when it has one, so that most deletions succeed.
                let own = reference.stream_ids_by(|broadcaster| broadcaster == actor(sender));
                Action::DeleteStream {
                    stream_id: rng_pick(rng, &own).unwrap_or_else(|| stream_id(rng, known, gone)),
                }
            }
            80..=92 => {
                let channel = scale_account(rng, 100);
                let held = reference.roles(actor(channel));
                let account_id = rng_pick(rng, &held)
                    .map_or_else(|| actor(scale_account(rng, 0)), |(account, _)| account);
                let action = Action::SetChannelRole {
                    account_id,
                    role: None,
                };
                return (channel, action);
            }
            _ => Action::Subscribe {
                account_id: actor(scale_account(rng, 0)),
            },
        }
    };
    (sender, action)
}

fn rng_pick<T: Clone>(rng: &mut Rng, items: &[T]) -> Option<T> {
    (!items.is_empty()).then(|| rng.pick(items))
}

/// How often each index of a storage changed its number of chunks.
#[derive(Default)]
struct ChunkChanges {
    last: Vec<usize>,
    splits: Vec<usize>,
    merges: Vec<usize>,
    most: Vec<usize>,
}

impl ChunkChanges {
    fn observe(&mut self, schedule: &Schedule) {
        let counts: Vec<usize> = schedule.index_chunks().iter().map(|&(_, n)| n).collect();
        if self.last.is_empty() {
            self.splits = vec![0; counts.len()];
            self.merges = vec![0; counts.len()];
            self.most = counts.clone();
        } else {
            for (i, (&now, &before)) in counts.iter().zip(&self.last).enumerate() {
                // A first chunk is an index begun, not a split; a count back to zero is
                // an index emptied, not a merge.
                self.splits[i] += usize::from(now > before && before > 0);
                self.merges[i] += usize::from(now < before && now > 0);
                self.most[i] = self.most[i].max(now);
            }
        }
        self.last = counts;
    }
}

fn run_at_scale(seed: u64, messages: usize) {
    println!(
        "model at scale: seed {seed:#x}, {messages} messages, {SCALE_ACCOUNTS} accounts \
         (replay: MODEL_SCALE_SEED={seed:#x})"
    );
    let mut rng = Rng(seed.wrapping_mul(0x9e37_79b9_7f4a_7c15) | 1);
    let env = Env::new();
    for account in SCALE_FIRST_ACCOUNT..SCALE_FIRST_ACCOUNT + SCALE_ACCOUNTS {
        env.system
            .mint_to(account, 1_000_000 * gtest::constants::UNITS);
    }
    let mut reference = Reference::default();
    // The program's own code on its own storage, natively: what shows the chunks.
    let mut twin = Schedule::new();
    let mut changes = ChunkChanges::default();
    changes.observe(&twin);
    let mut gone: Vec<String> = Vec::new();
    let (mut accepted, mut most_streams, mut most_followers) = (0, 0, 0);
    for step in 0..messages {
        let growing = step < messages * 3 / 5;
        if rng.chance(3) {
            // Minutes to hours, so that streams go live and end; once the lists shrink,
            // now and then days too, so that ended streams are pruned.
            let later = match rng.below(10) {
                0 if !growing => 8 * DAY_MS,
                _ => rng.below(2 * HOUR_MS),
            };
            env.run_until(env.next_block_time() + later);
        }
        let now = env.next_block_time();
        let known = reference.stream_ids();
        let (sender, action) = scale_action(&mut rng, &reference, now, &known, &gone, growing);
        let expected = reference.apply(actor(sender), now, 0, &action);
        let got = env.send(sender, action.clone());
        let context = format!("seed {seed:#x} step {step}: {action:?} from {sender} at {now}");
        assert_eq!(got, expected.clone().map_err(error_reply), "{context}");
        // Gear discards a rejected message's changes, its pruning too; natively nothing
        // would, so the copy takes only the messages the program accepted.
        if expected.is_ok() {
            let bytes = action.encode();
            let native = match Request::decode(&bytes).expect("the action decodes") {
                Request::Action(view) => actions::apply(&mut twin, actor(sender), now, 0, view)
                    .map(|applied| {
                        Event::decode(&mut &applied.event.encode()[..]).expect("an event")
                    }),
                Request::Query(query) => {
                    let mut answer = Vec::new();
                    twin.answer(query, &mut answer).map(|()| {
                        Event::QueryReply(
                            StateReply::decode_all(&mut &answer[..]).expect("a reply"),
                        )
                    })
                }
            };
            assert_eq!(native, expected, "{context}: the native storage");
            changes.observe(&twin);
        }
        accepted += usize::from(expected.is_ok());
        gone.extend(no_longer_stored(known, &reference));
        if step % SCALE_FULL_CHECK_EVERY == 0 || step + 1 == messages {
            let (streams, users) = normalized(&env);
            assert_eq!(streams, reference.streams(), "{context}: streams");
            assert_eq!(users, reference.users(), "{context}: users");
            most_streams = most_streams.max(streams.len());
            let followers = users.iter().map(|(_, p)| p.subscribers.len()).max();
            most_followers = most_followers.max(followers.unwrap_or(0));
        }
        // At the largest, when the lists start shrinking.
        if step + 1 == messages * 3 / 5 {
            check_invariants(&env, now);
        }
    }
    check_invariants(&env, env.system.block_timestamp());
    println!(
        "  {accepted} accepted; at most {most_streams} streams and {most_followers} followers \
         of one account at a full check; {} streams at the end",
        reference.streams().len()
    );
    for (i, (name, _)) in twin.index_chunks().into_iter().enumerate() {
        println!(
            "  index {name}: {} splits, {} merges, at most {} chunks",
            changes.splits[i], changes.merges[i], changes.most[i]
        );
        assert!(
            changes.splits[i] > 0,
            "the {name} index never split a chunk"
        );
        assert!(
            changes.merges[i] > 0,
            "the {name} index never merged chunks"
        );
    }
}

#[test]
fn the_program_behaves_as_the_reference_at_scale() {
    let messages = std::env::var("MODEL_SCALE_MESSAGES")
        .map(|n| n.parse().expect("MODEL_SCALE_MESSAGES is a number"))
        .unwrap_or(DEFAULT_SCALE_MESSAGES);
    let seed = std::env::var("MODEL_SCALE_SEED").map_or(DEFAULT_SCALE_SEED, |seed| {
        u64::from_str_radix(seed.trim_start_matches("0x"), 16)
            .expect("MODEL_SCALE_SEED is hex, as printed")
    });
    run_at_scale(seed, messages);
}

#[test]
fn the_program_behaves_as_the_reference_under_random_messages() {
    let messages = std::env::var("MODEL_MESSAGES")
        .map(|n| n.parse().expect("MODEL_MESSAGES is a number"))
        .unwrap_or(DEFAULT_MESSAGES);
    match std::env::var("MODEL_SEED") {
        Ok(seed) => {
            let seed = u64::from_str_radix(seed.trim_start_matches("0x"), 16)
                .expect("MODEL_SEED is hex, as printed");
            run(seed, messages);
        }
        Err(_) => DEFAULT_SEEDS
            .into_iter()
            .for_each(|seed| run(seed, messages)),
    }
}

/// Random bytes, and valid payloads cut short or sent to the wrong entry point: each
/// gets the malformed-payload error and changes nothing.
#[test]
fn hostile_payloads_are_refused_and_change_nothing() {
    let env = Env::new();
    env.register(ALICE);
    env.register(BOB);
    let id = env.schedule(ALICE, "Target");
    env.ok(
        BOB,
        Action::Watch {
            stream_id: id.clone(),
        },
    );
    let before = env.snapshot();
    let mut rng = Rng(0x4057_11e5);
    let valid = parity_scale_codec::Encode::encode(&Action::EditStream {
        stream_id: id,
        start_time: None,
        end_time: None,
        title: Some("x".repeat(300)),
        img_link: None,
        description: None,
    });
    let mut refused = 0;
    for round in 0..300 {
        let payload: Vec<u8> = match round % 3 {
            // An unknown variant byte, then anything.
            0 => std::iter::once(8 + rng.below(248) as u8)
                .chain((0..rng.below(64)).map(|_| rng.next() as u8))
                .collect(),
            1 => valid[..rng.below(valid.len() as u64) as usize].to_vec(),
            _ => parity_scale_codec::Encode::encode(&StateQuery::Stream {
                id: format!("{}", rng.next()),
            }),
        };
        match env.send_bytes(BOB, payload.clone()) {
            Err(text) => {
                assert_eq!(text, error_reply(Error::MalformedAction), "{payload:x?}");
                refused += 1;
            }
            Ok(reply) => panic!("{payload:x?} was taken as an action: {reply:x?}"),
        }
        assert_eq!(env.snapshot(), before, "{payload:x?}");
    }
    assert_eq!(refused, 300);
    // An action sent to `state` is not a query (`Streams` takes no bytes after its tag).
    let action = parity_scale_codec::Encode::encode(&new_stream("Late", 1, 2));
    let error = env.program().read_state_bytes(action).expect_err("refused");
    assert!(error
        .to_string()
        .contains(&error_reply(Error::MalformedQuery)));
}
