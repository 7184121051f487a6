//! What the server asks the program, and how it reaches one: a node's JSON-RPC
//! ([`rpc`]), a Vara node's or the local chain's alike.
pub mod rpc;

use crate::cache::TtlCache;
use parity_scale_codec::{Decode, Encode};
use std::{fmt, future::Future, pin::Pin, sync::Arc, sync::Mutex, time::Duration};
use w3bstreaming_io::{StateQuery, StateReply};
use w3bstreaming_keys::AccountId;

/// A future that can be awaited on any runtime thread.
pub type BoxFuture<'a, T> = Pin<Box<dyn Future<Output = T> + Send + 'a>>;

/// A place where the program's `state` export can be called.
pub trait Chain: Send + Sync + 'static {
    /// The `state` export's reply to the SCALE-encoded `query`.
    fn read_state(&self, query: Vec<u8>) -> BoxFuture<'_, Result<Vec<u8>, ChainError>>;
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

/// The program's answers to the server's two questions, through the targeted queries
/// `Stream` and `IsSubscribed` (never the whole `Users` state), each kept for a short
/// time so a crowd joining one stream asks the chain once per viewer. A follow is kept,
/// not its absence.
pub struct Authority {
    chain: Arc<dyn Chain>,
    streams: Mutex<TtlCache<String, Option<StreamOwner>>>,
    /// Pairs (viewer, broadcaster) known to follow.
    follows: Mutex<TtlCache<(AccountId, AccountId), ()>>,
}

impl Authority {
    /// Answers are reused for `ttl`; at most `capacity` of each kind are kept.
    pub fn new(chain: Arc<dyn Chain>, ttl: Duration, capacity: usize) -> Self {
        Self {
            chain,
            streams: Mutex::new(TtlCache::new(ttl, capacity)),
            follows: Mutex::new(TtlCache::new(ttl, capacity)),
        }
    }

    /// Who scheduled stream `id` and when it ends; `None` if there is no such stream.
    pub async fn stream(&self, id: &str) -> Result<Option<StreamOwner>, ChainError> {
        if let Some(owner) = self.streams.lock().expect("cache lock").get(id) {
            return Ok(*owner);
        }
        let owner = match self
            .query(StateQuery::Stream { id: id.to_string() })
            .await?
        {
            StateReply::Stream(stream) => stream.map(|stream| StreamOwner {
                broadcaster: AccountId(stream.broadcaster.into_bytes()),
                end_time: stream.end_time,
            }),
            _ => return Err(not_the_reply()),
        };
        self.streams
            .lock()
            .expect("cache lock")
            .insert(id.to_string(), owner);
        Ok(owner)
    }

    /// Whether `viewer` follows `broadcaster` on chain.
    pub async fn follows(
        &self,
        viewer: AccountId,
        broadcaster: AccountId,
    ) -> Result<bool, ChainError> {
        let key = (viewer, broadcaster);
        if self.follows.lock().expect("cache lock").get(&key).is_some() {
            return Ok(true);
        }
        let query = StateQuery::IsSubscribed {
            subscriber: viewer.0.into(),
            broadcaster: broadcaster.0.into(),
        };
        let follows = match self.query(query).await? {
            StateReply::IsSubscribed(follows) => follows,
            _ => return Err(not_the_reply()),
        };
        // A refusal is asked again next time: a viewer told to follow first, who does,
        // can then watch at once.
        if follows {
            self.follows.lock().expect("cache lock").insert(key, ());
        }
        Ok(follows)
    }

    async fn query(&self, query: StateQuery) -> Result<StateReply, ChainError> {
        let bytes = self.chain.read_state(query.encode()).await?;
        StateReply::decode(&mut bytes.as_slice())
            .map_err(|error| ChainError(format!("the program's reply does not decode: {error}")))
    }
}

/// The program answered with the reply of another query: a different or broken
/// program at that id.
fn not_the_reply() -> ChainError {
    ChainError("the program's reply is not the reply to the query".into())
}
