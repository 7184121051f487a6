//! A demo world on the embedded chain, so the server can be tried without a node:
//! a broadcaster with a live stream, a follower, a stranger who follows no one, and
//! optionally more followers. Their keys come from their names, so a test or a wallet
//! can make the same ones (`@polkadot/util-crypto`:
//! `sr25519PairFromSeed(blake2AsU8a('w3bstreaming demo ' + name, 256))`).
use crate::{account::AccountId, chain::embedded::EmbeddedChain};
use blake2::{digest::consts::U32, Blake2b, Digest};
use schnorrkel::{ExpansionMode, MiniSecretKey};
use serde::Serialize;
use w3bstreaming_io::{Action, Event};

const HOUR_MS: u64 = 3_600_000;

/// A demo account: its 32-byte sr25519 seed and public key.
#[derive(Debug, Clone, Serialize)]
pub struct DemoAccount {
    pub name: String,
    pub seed: String,
    pub account: String,
    #[serde(skip)]
    pub id: AccountId,
}

impl DemoAccount {
    pub fn named(name: &str) -> Self {
        let seed: [u8; 32] = Blake2b::<U32>::digest(format!("w3bstreaming demo {name}")).into();
        let public = MiniSecretKey::from_bytes(&seed)
            .expect("32 bytes are a mini secret key")
            .expand_to_keypair(ExpansionMode::Ed25519)
            .public;
        let id = AccountId(public.to_bytes());
        Self {
            name: name.to_string(),
            seed: format!("0x{}", hex::encode(seed)),
            account: id.to_string(),
            id,
        }
    }
}

/// What the demo made: printed on start for frontends and tests.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Demo {
    pub stream_id: String,
    pub broadcaster: DemoAccount,
    pub follower: DemoAccount,
    pub stranger: DemoAccount,
    /// Followers named `viewer 0`, `viewer 1`, ...
    pub viewers: usize,
}

/// Registers everyone, schedules a six-hour stream starting now, and has the follower
/// and the viewers follow the broadcaster.
pub async fn setup(chain: &EmbeddedChain, viewers: usize) -> Result<Demo, String> {
    let broadcaster = DemoAccount::named("broadcaster");
    let follower = DemoAccount::named("follower");
    let stranger = DemoAccount::named("stranger");
    let crowd: Vec<AccountId> = (0..viewers)
        .map(|i| DemoAccount::named(&format!("viewer {i}")).id)
        .collect();

    let named = [&broadcaster, &follower, &stranger];
    let profiles = named
        .iter()
        .map(|demo| (demo.id, profile(Some(demo.name.clone()))))
        .chain(crowd.iter().map(|&id| (id, profile(None))))
        .collect();
    run(chain, profiles).await?;

    let now = chain.now().await.map_err(|error| error.to_string())?;
    let schedule = Action::NewStream {
        title: "Demo stream".into(),
        description: Some("Scheduled by the signaling server's demo".into()),
        start_time: now,
        end_time: now + 6 * HOUR_MS,
        img_link: "https://vara.network/favicon.ico".into(),
    };
    let stream_id = match run(chain, vec![(broadcaster.id, schedule)]).await?.pop() {
        Some(Event::StreamIsScheduled { id }) => id,
        other => return Err(format!("NewStream replied {other:?}")),
    };

    let follow = |id| {
        (
            id,
            Action::Subscribe {
                account_id: broadcaster.id.0.into(),
            },
        )
    };
    run(
        chain,
        std::iter::once(follower.id)
            .chain(crowd)
            .map(follow)
            .collect(),
    )
    .await?;
    Ok(Demo {
        stream_id,
        broadcaster,
        follower,
        stranger,
        viewers,
    })
}

fn profile(name: Option<String>) -> Action {
    Action::EditProfile {
        name,
        surname: None,
        img_link: None,
    }
}

async fn run(
    chain: &EmbeddedChain,
    messages: Vec<(AccountId, Action)>,
) -> Result<Vec<Event>, String> {
    chain
        .handle(messages)
        .await
        .map_err(|error| error.to_string())?
        .into_iter()
        .collect::<Result<_, _>>()
        .map_err(|error| format!("the demo setup was refused: {error}"))
}
