//! What the server asks the program, and how it reaches one: a node's JSON-RPC
//! ([`rpc`]), a Vara node's or the local chain's alike, one question at a time for
//! each of a few [`turns`] shared fairly among the clients asking.
mod decision;
pub mod rpc;
pub mod turns;

use crate::{address::AddressRange, roles::Role};
pub use decision::Decision;
use decision::{Asker, SharedTurn};
use moka::future::Cache;
use parity_scale_codec::{Decode, Encode};
use std::{fmt, future::Future, pin::Pin, sync::Arc, time::Duration};
use turns::{Turn, Turns};
use w3bstreaming_io::{ProfileSummary, StateQuery, StateReply};
use w3bstreaming_keys::AccountId;

/// A future that can be awaited on any runtime thread.
pub type BoxFuture<'a, T> = Pin<Box<dyn Future<Output = T> + Send + 'a>>;

/// A place where the program can be asked a query.
pub trait Chain: Send + Sync + 'static {
    /// The program's answer (a SCALE-encoded `StateReply`) to the SCALE-encoded
    /// `StateQuery`.
    fn answer(&self, query: Vec<u8>) -> BoxFuture<'_, Result<Vec<u8>, ChainError>>;
}

/// The chain could not answer; the server refuses rather than guess.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChainError(pub String);

impl fmt::Display for ChainError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// The on-chain facts a stream's signaling depends on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct StreamOwner {
    pub broadcaster: AccountId,
    /// Milliseconds since the Unix epoch.
    pub end_time: u64,
}

/// How much the server asks the chain, and how long it keeps the answers.
#[derive(Debug, Clone, Copy)]
pub struct Settings {
    /// How long an answer is reused.
    pub ttl: Duration,
    /// How long a failed query is answered with its failure instead of asked again.
    pub failure_ttl: Duration,
    /// Answers kept of each kind (stream owners, follows, profiles).
    pub capacity: u64,
    /// Queries in flight at once; the others wait for one of them to end, and the
    /// one that ends hands its turn to the asker holding the fewest.
    pub concurrent: usize,
    /// How long a query may wait for its turn before it is refused.
    pub wait: Duration,
}

/// The program's answers to the server's questions, through the targeted queries
/// `Stream`, `IsSubscribed`, `Profile` and `ChannelRole` (never the whole `Users` state).
/// Each answer is kept for a short time, so a crowd joining one stream asks the chain
/// once per viewer; a follow is kept, not its absence, and a role is kept either way
/// (almost every viewer holds none), until a change the broadcaster's page announces
/// replaces it ([`Authority::remember_role`]). Equal questions asked while one is in flight wait
/// for its answer instead of asking again, and a failure is remembered briefly, so a
/// client repeating a question costs the node one query. The caches admit a new entry
/// over an old one by how often each is asked (moka's TinyLFU), so a flood of
/// questions nobody else asks cannot push the common answers out.
pub struct Authority {
    chain: Arc<dyn Chain>,
    streams: Cache<String, Option<StreamOwner>>,
    /// Pairs (viewer, broadcaster) known to follow.
    follows: Cache<(AccountId, AccountId), ()>,
    /// What a chat message shows of its author.
    profiles: Cache<AccountId, Option<ProfileSummary>>,
    /// By (broadcaster, account).
    roles: Cache<(AccountId, AccountId), Option<Role>>,
    /// By the encoded query.
    failures: Cache<Vec<u8>, ChainError>,
    turns: Turns<AddressRange>,
    wait: Duration,
}

/// Why `IsSubscribed` gave no follow to keep.
#[derive(Debug, Clone)]
enum NoFollow {
    Refused,
    Failed(ChainError),
}

/// Whether a viewer may watch a broadcaster's streams, as the program says.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Admission {
    Admitted,
    /// The broadcaster banned the viewer from their channel.
    Banned,
    /// The viewer does not follow the broadcaster.
    NotFollower,
}

impl Authority {
    pub fn new(chain: Arc<dyn Chain>, settings: Settings) -> Self {
        Self {
            chain,
            streams: cache(settings.capacity, settings.ttl),
            follows: cache(settings.capacity, settings.ttl),
            profiles: cache(settings.capacity, settings.ttl),
            roles: cache(settings.capacity, settings.ttl),
            failures: cache(settings.capacity, settings.failure_ttl),
            turns: Turns::new(settings.concurrent),
            wait: settings.wait,
        }
    }

    /// Who scheduled stream `id` and when it ends; `None` if there is no such stream.
    /// A client in address range `by` asks (the node's turns are shared by range).
    pub async fn stream(
        &self,
        id: &str,
        by: AddressRange,
    ) -> Result<Option<StreamOwner>, ChainError> {
        let ask = async {
            match self
                .query(StateQuery::Stream { id: id.to_string() }, Asker::Client(by))
                .await?
            {
                StateReply::Stream(stream) => Ok(stream.map(|stream| StreamOwner {
                    broadcaster: AccountId(stream.broadcaster.into_bytes()),
                    end_time: stream.end_time,
                })),
                _ => Err(not_the_reply()),
            }
        };
        self.streams
            .try_get_with_by_ref(id, ask)
            .await
            .map_err(|error| (*error).clone())
    }

    /// Whether `viewer` follows `broadcaster` on chain, asked by a client in `by`.
    pub async fn follows(
        &self,
        viewer: AccountId,
        broadcaster: AccountId,
        by: AddressRange,
    ) -> Result<bool, ChainError> {
        self.follows_asked(viewer, broadcaster, Asker::Client(by))
            .await
    }

    /// Whether `viewer` may watch `broadcaster`'s streams: following it, and not banned
    /// from the channel. The follow is asked first and the role only of a follower, in
    /// the same turn at the node: a stranger's join costs the node one question and one
    /// turn, as when the follow was all a join asked, and a follower's waits for one
    /// turn.
    pub async fn admits(
        &self,
        viewer: AccountId,
        broadcaster: AccountId,
        by: AddressRange,
    ) -> Result<Admission, ChainError> {
        let decision = self.decision(by);
        if !decision.follows(viewer, broadcaster).await? {
            return Ok(Admission::NotFollower);
        }
        Ok(match decision.role(broadcaster, viewer).await? {
            Some(Role::Banned) => Admission::Banned,
            _ => Admission::Admitted,
        })
    }

    /// A [`Decision`] about a client in `by`.
    pub fn decision(&self, by: AddressRange) -> Decision<'_> {
        Decision {
            authority: self,
            turn: SharedTurn {
                by,
                turn: tokio::sync::OnceCell::new(),
            },
        }
    }

    async fn follows_asked(
        &self,
        viewer: AccountId,
        broadcaster: AccountId,
        asker: Asker<'_>,
    ) -> Result<bool, ChainError> {
        let ask = async {
            let query = StateQuery::IsSubscribed {
                subscriber: viewer.0.into(),
                broadcaster: broadcaster.0.into(),
            };
            match self.query(query, asker).await {
                Ok(StateReply::IsSubscribed(true)) => Ok(()),
                // A refusal is asked again next time: a viewer told to follow first,
                // who does, can then watch at once.
                Ok(StateReply::IsSubscribed(false)) => Err(NoFollow::Refused),
                Ok(_) => Err(NoFollow::Failed(not_the_reply())),
                Err(error) => Err(NoFollow::Failed(error)),
            }
        };
        match self.follows.try_get_with((viewer, broadcaster), ask).await {
            Ok(()) => Ok(true),
            Err(error) => match &*error {
                NoFollow::Refused => Ok(false),
                NoFollow::Failed(error) => Err(error.clone()),
            },
        }
    }

    /// `account`'s profile; `None` if it has not registered one. Asked by a client in
    /// `by`.
    pub async fn profile(
        &self,
        account: AccountId,
        by: AddressRange,
    ) -> Result<Option<ProfileSummary>, ChainError> {
        self.profile_asked(account, Asker::Client(by)).await
    }

    async fn profile_asked(
        &self,
        account: AccountId,
        asker: Asker<'_>,
    ) -> Result<Option<ProfileSummary>, ChainError> {
        let ask = async {
            let query = StateQuery::Profile {
                account: account.0.into(),
            };
            match self.query(query, asker).await? {
                StateReply::Profile(profile) => Ok(profile),
                _ => Err(not_the_reply()),
            }
        };
        self.profiles
            .try_get_with(account, ask)
            .await
            .map_err(|error| (*error).clone())
    }

    /// The role `account` holds in `broadcaster`'s channel, asked by a client in `by`.
    pub async fn role(
        &self,
        broadcaster: AccountId,
        account: AccountId,
        by: AddressRange,
    ) -> Result<Option<Role>, ChainError> {
        self.role_asked(broadcaster, account, Asker::Client(by))
            .await
    }

    async fn role_asked(
        &self,
        broadcaster: AccountId,
        account: AccountId,
        asker: Asker<'_>,
    ) -> Result<Option<Role>, ChainError> {
        self.roles
            .try_get_with(
                (broadcaster, account),
                self.ask_role(broadcaster, account, asker),
            )
            .await
            .map_err(|error| (*error).clone())
    }

    /// The role, asked of the chain now whatever is kept, and kept: after the
    /// broadcaster said it changed it.
    pub async fn fresh_role(
        &self,
        broadcaster: AccountId,
        account: AccountId,
        by: AddressRange,
    ) -> Result<Option<Role>, ChainError> {
        let role = self
            .ask_role(broadcaster, account, Asker::Client(by))
            .await?;
        self.roles.insert((broadcaster, account), role).await;
        Ok(role)
    }

    /// Keeps `role` as the answer for (`broadcaster`, `account`) from now on: what
    /// another instance heard from the chain when the role changed. Called where
    /// nothing can wait, it is kept a moment later, on a task of its own.
    pub fn remember_role(&self, broadcaster: AccountId, account: AccountId, role: Option<Role>) {
        let roles = self.roles.clone();
        tokio::spawn(async move { roles.insert((broadcaster, account), role).await });
    }

    async fn ask_role(
        &self,
        broadcaster: AccountId,
        account: AccountId,
        asker: Asker<'_>,
    ) -> Result<Option<Role>, ChainError> {
        let query = StateQuery::ChannelRole {
            broadcaster: broadcaster.0.into(),
            account: account.0.into(),
        };
        match self.query(query, asker).await? {
            StateReply::ChannelRole(role) => Ok(role.map(Role::from)),
            _ => Err(not_the_reply()),
        }
    }

    async fn query(&self, query: StateQuery, asker: Asker<'_>) -> Result<StateReply, ChainError> {
        let query = query.encode();
        if let Some(failure) = self.failures.get(&query).await {
            return Err(failure);
        }
        let reply = self.ask(query.clone(), asker).await;
        if let Err(failure) = &reply {
            self.failures.insert(query, failure.clone()).await;
        }
        reply
    }

    async fn ask(&self, query: Vec<u8>, asker: Asker<'_>) -> Result<StateReply, ChainError> {
        let own;
        let _turn = match asker {
            Asker::Client(by) => {
                own = self.turn(by).await?;
                &own
            }
            Asker::Sharing(shared) => shared.turn.get_or_try_init(|| self.turn(shared.by)).await?,
        };
        let bytes = self.chain.answer(query).await?;
        StateReply::decode(&mut bytes.as_slice())
            .map_err(|error| ChainError(format!("the program's reply does not decode: {error}")))
    }
}

impl Authority {
    /// A turn at the node for a client in `by`, or the refusal once it waited too long.
    async fn turn(&self, by: AddressRange) -> Result<Turn<AddressRange>, ChainError> {
        tokio::time::timeout(self.wait, self.turns.take(by))
            .await
            .map_err(|_| ChainError("too many queries are waiting for the node".into()))
    }
}

fn cache<K, V>(capacity: u64, ttl: Duration) -> Cache<K, V>
where
    K: std::hash::Hash + Eq + Send + Sync + 'static,
    V: Clone + Send + Sync + 'static,
{
    Cache::builder()
        .max_capacity(capacity)
        .time_to_live(ttl)
        .build()
}

/// The program answered with the reply of another query: a different or broken
/// program at that id.
pub(crate) fn not_the_reply() -> ChainError {
    ChainError("the program's reply is not the reply to the query".into())
}
