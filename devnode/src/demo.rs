//! A demo world, so that the app has something to show on a fresh chain: Substrate's
//! development accounts `//Alice` to `//Ferdie` with profiles, streams live, about to
//! end and upcoming, follows and marks to watch; and optionally more followers of
//! Alice (`//viewer-0`, `//viewer-1`, ...) for load tests. The keys are public: import
//! `//Alice` (the development phrase with that path) into a wallet to act as Alice.
use crate::chain::ChainState;
use parity_scale_codec::{Decode, Encode};
use serde::Serialize;
use w3bstreaming_io::{Action, Event};
use w3bstreaming_keys::{dev, AccountId, VARA_SS58};

const MINUTE_MS: u64 = 60_000;
const HOUR_MS: u64 = 60 * MINUTE_MS;
const DAY_MS: u64 = 24 * HOUR_MS;

/// A demo account and the derivation path that makes its key.
#[derive(Debug, Clone, Serialize)]
pub struct DemoAccount {
    pub name: String,
    pub uri: String,
    pub id: String,
    /// The Vara (SS58 137) address.
    pub address: String,
}

/// What the demo made, printed on start for people, scripts and tests.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Demo {
    pub accounts: Vec<DemoAccount>,
    /// The broadcaster's stream, live from the start: what the signaling demo streams.
    pub stream_id: String,
    /// Alice, live on `stream_id`.
    pub broadcaster: DemoAccount,
    /// Bob, who follows Alice.
    pub follower: DemoAccount,
    /// Ferdie, who follows no one and whom no one follows.
    pub stranger: DemoAccount,
    /// How many `//viewer-<i>` accounts follow Alice.
    pub viewers: usize,
}

struct Scheduled {
    by: usize,
    title: &'static str,
    description: &'static str,
    /// Start and end, relative to the chain's time.
    starts_in: i64,
    lasts: u64,
    banner: (&'static str, &'static str),
}

const NAMES: [&str; 6] = ["Alice", "Bob", "Charlie", "Dave", "Eve", "Ferdie"];
const ALICE: usize = 0;
const BOB: usize = 1;
const CHARLIE: usize = 2;
const DAVE: usize = 3;
const EVE: usize = 4;
const FERDIE: usize = 5;

const STREAMS: [Scheduled; 6] = [
    Scheduled {
        by: ALICE,
        title: "Writing Gear programs, live",
        description: "gstd from scratch: a program, its gtest suite, and deploying it with Gear IDEA. Questions welcome.",
        starts_in: -20 * MINUTE_MS as i64,
        lasts: 2 * HOUR_MS,
        banner: ("#7c3aed", "#0ea5e9"),
    },
    Scheduled {
        by: BOB,
        title: "Five-minute hello",
        description: "A short one: it ends a few minutes after the chain starts.",
        starts_in: -(MINUTE_MS as i64),
        lasts: 5 * MINUTE_MS,
        banner: ("#f59e0b", "#ef4444"),
    },
    Scheduled {
        by: CHARLIE,
        title: "Vara validator Q&A",
        description: "Running a validator: hardware, keys, staking and what to watch.",
        starts_in: 45 * MINUTE_MS as i64,
        lasts: HOUR_MS,
        banner: ("#10b981", "#3b82f6"),
    },
    Scheduled {
        by: DAVE,
        title: "Rust for smart contracts, part 3",
        description: "Traits, generics and no_std: what changes when the code runs on chain.",
        starts_in: (DAY_MS + 2 * HOUR_MS) as i64,
        lasts: 90 * MINUTE_MS,
        banner: ("#ec4899", "#8b5cf6"),
    },
    Scheduled {
        by: ALICE,
        title: "Signaling servers explained",
        description: "How two browsers find each other: offers, answers and ICE candidates.",
        starts_in: (2 * DAY_MS) as i64,
        lasts: HOUR_MS,
        banner: ("#0ea5e9", "#22c55e"),
    },
    Scheduled {
        by: EVE,
        title: "Speedrunning Gear IDEA",
        description: "Upload, initialize, send, read the state: how fast can it go?",
        starts_in: (3 * DAY_MS) as i64,
        lasts: HOUR_MS,
        banner: ("#f43f5e", "#f97316"),
    },
];

/// Who follows whom among the named accounts.
const FOLLOWS: [(usize, usize); 7] = [
    (BOB, ALICE),
    (CHARLIE, ALICE),
    (DAVE, ALICE),
    (EVE, ALICE),
    (BOB, CHARLIE),
    (EVE, CHARLIE),
    (ALICE, CHARLIE),
];

/// Who marked which of [`STREAMS`] to watch.
const MARKS: [(usize, usize); 4] = [(BOB, 0), (DAVE, 0), (BOB, 2), (EVE, 3)];

/// Fills the demo world on `chain`, with `viewers` more followers of Alice.
pub fn setup(chain: &mut ChainState, viewers: usize) -> Result<Demo, String> {
    let accounts = NAMES
        .iter()
        .map(|name| named(name, &format!("//{name}")))
        .collect::<Result<Vec<_>, _>>()?;
    let crowd = (0..viewers)
        .map(|i| dev::account(&format!("//viewer-{i}")))
        .collect::<Result<Vec<_>, _>>()?;
    let ids: Vec<AccountId> = accounts
        .iter()
        .map(|account| AccountId::parse(&account.id).expect("an id we printed"))
        .collect();

    let now = chain.now();
    let mut first: Vec<(AccountId, Action)> = ids
        .iter()
        .zip(NAMES)
        .map(|(&id, name)| (id, profile(Some(name), Some("Demo"))))
        .chain(crowd.iter().map(|&id| (id, profile(None, None))))
        .collect();
    first.extend(STREAMS.iter().map(|stream| {
        let start = now.saturating_add_signed(stream.starts_in);
        let action = Action::NewStream {
            title: stream.title.into(),
            description: Some(stream.description.into()),
            start_time: start,
            end_time: start + stream.lasts,
            img_link: banner(stream.banner),
        };
        (ids[stream.by], action)
    }));
    let follow = |follower: AccountId, followed: AccountId| {
        (
            follower,
            Action::Subscribe {
                account_id: followed.0.into(),
            },
        )
    };
    first.extend(
        FOLLOWS
            .iter()
            .map(|&(follower, followed)| follow(ids[follower], ids[followed]))
            .chain(crowd.iter().map(|&viewer| follow(viewer, ids[ALICE]))),
    );
    let events = run(chain, first)?;
    let follows = FOLLOWS.len() + crowd.len();
    let scheduled = events.len() - follows - STREAMS.len();
    let stream_ids: Vec<String> = events[scheduled..scheduled + STREAMS.len()]
        .iter()
        .map(|event| match event {
            Event::StreamIsScheduled { id } => Ok(id.clone()),
            other => Err(format!("NewStream replied {other:?}")),
        })
        .collect::<Result<_, _>>()?;

    let marks = MARKS
        .iter()
        .map(|&(watcher, stream)| {
            let stream_id = stream_ids[stream].clone();
            (ids[watcher], Action::Watch { stream_id })
        })
        .collect();
    run(chain, marks)?;

    Ok(Demo {
        stream_id: stream_ids[0].clone(),
        broadcaster: accounts[ALICE].clone(),
        follower: accounts[BOB].clone(),
        stranger: accounts[FERDIE].clone(),
        viewers,
        accounts,
    })
}

fn named(name: &str, uri: &str) -> Result<DemoAccount, String> {
    let account = dev::account(uri)?;
    Ok(DemoAccount {
        name: name.into(),
        uri: uri.into(),
        id: account.to_string(),
        address: account.to_ss58(VARA_SS58),
    })
}

fn profile(name: Option<&str>, surname: Option<&str>) -> Action {
    Action::EditProfile {
        name: name.map(Into::into),
        surname: surname.map(Into::into),
        img_link: None,
    }
}

/// A gradient banner as a `data:` URL, so the demo shows pictures without a network.
fn banner((from, to): (&str, &str)) -> String {
    let escape = |color: &str| color.replace('#', "%23");
    format!(
        "data:image/svg+xml,<svg xmlns='http://www.w3.org/2000/svg' viewBox='0 0 16 9'>\
         <linearGradient id='g'><stop stop-color='{}'/><stop offset='1' stop-color='{}'/>\
         </linearGradient><rect width='16' height='9' fill='url(%23g)'/></svg>",
        escape(from),
        escape(to)
    )
}

/// Sends every action in one block; their events, or the first refusal.
fn run(chain: &mut ChainState, actions: Vec<(AccountId, Action)>) -> Result<Vec<Event>, String> {
    let ids: Vec<_> = actions
        .into_iter()
        .map(|(from, action)| chain.send(from, action.encode()))
        .collect();
    chain
        .run_until_replied(&ids)
        .into_iter()
        .map(|reply| {
            let payload = reply
                .outcome
                .map_err(|error| format!("the demo setup was refused: {error}"))?;
            Event::decode(&mut payload.as_slice()).map_err(|error| error.to_string())
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use w3bstreaming_io::limits::MAX_LINK_LEN;

    #[test]
    fn banners_fit_the_link_limit() {
        for stream in &STREAMS {
            assert!(banner(stream.banner).len() <= MAX_LINK_LEN);
        }
    }
}
