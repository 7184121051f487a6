//! Stream keys: what an encoder (OBS, GStreamer) shows the WHIP endpoint (`whip/`) in place of
//! a wallet, which it cannot hold. A broadcaster's signed-in connection makes one
//! (`createStreamKey`); the key is shown that once, and only its digest is kept, with
//! its account, a short id to name it by and when it was made; the broadcaster lists
//! and revokes them by id. With Redis configured every instance reads the same keys,
//! and they outlast restarts; without it they live as long as the process.
use crate::{echo::Echo, refusal::Refusal};
use blake2::{digest::consts::U32, Blake2b, Digest};
use redis::{aio::ConnectionManager, AsyncCommands};
use serde::Serialize;
use std::{collections::HashMap, sync::Mutex};
use tracing::warn;
use w3bstreaming_keys::AccountId;

/// Keys one account may hold at once: an encoder or two, and one being replaced.
pub const MAX_KEYS_PER_ACCOUNT: usize = 5;
/// Every key starts with it, so that one pasted in the wrong place is recognised.
const PREFIX: &str = "w3bs_";
/// 256 random bits, in base64url: 43 characters.
const KEY_BYTES: usize = 32;

/// A key as its owner sees it in the list: never the key itself.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct KeyInfo {
    /// 8 hex characters, unique among the account's keys.
    pub id: String,
    /// Milliseconds since the Unix epoch.
    pub created_at: u64,
}

/// A key as what opened something: its digest, by which [`Keys::holds`] finds it
/// still there or revoked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KeyDigest(String);

/// A key just made: the secret, shown once, and how it is listed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewKey {
    pub secret: String,
    pub info: KeyInfo,
}

/// What is kept of one key: whose it is, its id and when it was made.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Kept {
    account: AccountId,
    info: KeyInfo,
}

/// The keys, where they are kept.
pub struct Keys(Store);

enum Store {
    /// By digest.
    Memory(Mutex<HashMap<String, Kept>>),
    Redis(ConnectionManager),
}

impl Keys {
    /// Keys kept in this process.
    pub fn in_memory() -> Self {
        Self(Store::Memory(Mutex::new(HashMap::new())))
    }

    /// Keys kept in the Redis `redis` is connected to.
    pub fn in_redis(redis: ConnectionManager) -> Self {
        Self(Store::Redis(redis))
    }

    /// Makes a key for `account` at `now_ms`.
    pub async fn create(&self, account: AccountId, now_ms: u64) -> Result<NewKey, Refusal> {
        let held = self.list(account).await?;
        if held.len() >= MAX_KEYS_PER_ACCOUNT {
            return Err(Refusal::TooManyStreamKeys(MAX_KEYS_PER_ACCOUNT));
        }
        let (secret, digest) = new_secret();
        let info = KeyInfo {
            id: digest[..8].to_string(),
            created_at: now_ms,
        };
        let kept = Kept {
            account,
            info: info.clone(),
        };
        match &self.0 {
            Store::Memory(keys) => {
                keys.lock().expect("keys lock").insert(digest, kept);
            }
            Store::Redis(redis) => {
                let mut redis = redis.clone();
                let () = redis
                    .hset(account_key(account), &info.id, &digest)
                    .await
                    .map_err(unavailable)?;
                let () = redis
                    .set(digest_key(&digest), kept.to_text())
                    .await
                    .map_err(unavailable)?;
            }
        }
        Ok(NewKey { secret, info })
    }

    /// The keys `account` holds, oldest first.
    pub async fn list(&self, account: AccountId) -> Result<Vec<KeyInfo>, Refusal> {
        let mut infos = match &self.0 {
            Store::Memory(keys) => keys
                .lock()
                .expect("keys lock")
                .values()
                .filter(|kept| kept.account == account)
                .map(|kept| kept.info.clone())
                .collect(),
            Store::Redis(redis) => {
                let mut redis = redis.clone();
                let digests: HashMap<String, String> = redis
                    .hgetall(account_key(account))
                    .await
                    .map_err(unavailable)?;
                let mut infos = Vec::with_capacity(digests.len());
                for digest in digests.values() {
                    let text: Option<String> =
                        redis.get(digest_key(digest)).await.map_err(unavailable)?;
                    infos.extend(text.and_then(|text| Kept::from_text(&text)).map(|k| k.info));
                }
                infos
            }
        };
        infos.sort_by(|a: &KeyInfo, b| (a.created_at, &a.id).cmp(&(b.created_at, &b.id)));
        Ok(infos)
    }

    /// Revokes `account`'s key `id`: from now on it opens nothing.
    pub async fn revoke(&self, account: AccountId, id: &str) -> Result<(), Refusal> {
        let missing = || Refusal::NoSuchStreamKey(Echo::of(id));
        match &self.0 {
            Store::Memory(keys) => {
                let mut keys = keys.lock().expect("keys lock");
                let before = keys.len();
                keys.retain(|_, kept| !(kept.account == account && kept.info.id == id));
                if keys.len() == before {
                    return Err(missing());
                }
            }
            Store::Redis(redis) => {
                let mut redis = redis.clone();
                let digest: Option<String> = redis
                    .hget(account_key(account), id)
                    .await
                    .map_err(unavailable)?;
                let digest = digest.ok_or_else(missing)?;
                let () = redis.del(digest_key(&digest)).await.map_err(unavailable)?;
                let () = redis
                    .hdel(account_key(account), id)
                    .await
                    .map_err(unavailable)?;
            }
        }
        Ok(())
    }

    /// The account whose key `secret` is, if it is one that was made and not revoked,
    /// and the key's digest.
    pub async fn owner(&self, secret: &str) -> Result<Option<(AccountId, KeyDigest)>, Refusal> {
        if !well_formed(secret) {
            return Ok(None);
        }
        let digest = KeyDigest(digest(secret));
        let account = self.kept(&digest).await?.map(|kept| kept.account);
        Ok(account.map(|account| (account, digest)))
    }

    /// Whether the key of `digest` is still there: not revoked.
    pub async fn holds(&self, digest: &KeyDigest) -> Result<bool, Refusal> {
        Ok(self.kept(digest).await?.is_some())
    }

    async fn kept(&self, KeyDigest(digest): &KeyDigest) -> Result<Option<Kept>, Refusal> {
        Ok(match &self.0 {
            Store::Memory(keys) => keys.lock().expect("keys lock").get(digest).cloned(),
            Store::Redis(redis) => {
                let text: Option<String> = redis
                    .clone()
                    .get(digest_key(digest))
                    .await
                    .map_err(unavailable)?;
                text.and_then(|text| Kept::from_text(&text))
            }
        })
    }
}

impl Kept {
    fn to_text(&self) -> String {
        format!("{} {} {}", self.account, self.info.id, self.info.created_at)
    }

    fn from_text(text: &str) -> Option<Self> {
        let mut parts = text.split(' ');
        let account = AccountId::parse(parts.next()?)?;
        let id = parts.next()?.to_string();
        let created_at = parts.next()?.parse().ok()?;
        Some(Self {
            account,
            info: KeyInfo { id, created_at },
        })
    }
}

/// A fresh key and its digest.
fn new_secret() -> (String, String) {
    use base64::Engine;
    let mut bytes = [0; KEY_BYTES];
    getrandom::getrandom(&mut bytes).expect("the OS has a random source");
    let secret = format!(
        "{PREFIX}{}",
        base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
    );
    let digest = digest(&secret);
    (secret, digest)
}

/// What a key looks like; anything else is no key, and costs no lookup.
fn well_formed(secret: &str) -> bool {
    secret.len() == PREFIX.len() + 43
        && secret.starts_with(PREFIX)
        && secret[PREFIX.len()..]
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
}

fn digest(secret: &str) -> String {
    hex::encode(Blake2b::<U32>::digest(secret.as_bytes()))
}

fn account_key(account: AccountId) -> String {
    format!("w3bstreaming:stream-keys:{account}")
}

fn digest_key(digest: &str) -> String {
    format!("w3bstreaming:stream-key:{digest}")
}

fn unavailable(error: redis::RedisError) -> Refusal {
    warn!(%error, "Redis failed: stream keys");
    Refusal::StreamKeysUnavailable
}

#[cfg(test)]
mod tests {
    use super::*;

    const A: AccountId = AccountId([1; 32]);
    const B: AccountId = AccountId([2; 32]);

    async fn owner(keys: &Keys, secret: &str) -> Result<Option<AccountId>, Refusal> {
        Ok(keys.owner(secret).await?.map(|(account, _)| account))
    }

    #[tokio::test]
    async fn a_key_opens_for_its_account_until_revoked_and_is_never_listed() {
        let keys = Keys::in_memory();
        let made = keys.create(A, 7).await.unwrap();
        assert!(well_formed(&made.secret), "{}", made.secret);
        let (_, digest) = keys.owner(&made.secret).await.unwrap().unwrap();
        assert_eq!(owner(&keys, &made.secret).await, Ok(Some(A)));
        assert_eq!(keys.holds(&digest).await, Ok(true));
        assert_eq!(keys.list(A).await, Ok(vec![made.info.clone()]));
        assert_eq!(keys.list(B).await, Ok(vec![]));
        // Another account cannot revoke it.
        assert_eq!(
            keys.revoke(B, &made.info.id).await,
            Err(Refusal::NoSuchStreamKey(Echo::of(&made.info.id)))
        );
        assert_eq!(owner(&keys, &made.secret).await, Ok(Some(A)));
        keys.revoke(A, &made.info.id).await.unwrap();
        assert_eq!(owner(&keys, &made.secret).await, Ok(None));
        assert_eq!(
            keys.holds(&digest).await,
            Ok(false),
            "what it opened sees it revoked"
        );
        assert_eq!(keys.list(A).await, Ok(vec![]));
    }

    #[tokio::test]
    async fn what_is_not_a_key_opens_nothing() {
        let keys = Keys::in_memory();
        let made = keys.create(A, 7).await.unwrap();
        let mut changed = made.secret.clone().into_bytes();
        let last = changed.len() - 1;
        changed[last] = if changed[last] == b'A' { b'B' } else { b'A' };
        let changed = String::from_utf8(changed).unwrap();
        for secret in [
            "",
            "w3bs_",
            &made.secret[1..],
            &changed,
            &format!("{}x", made.secret),
        ] {
            assert_eq!(owner(&keys, secret).await, Ok(None), "{secret}");
        }
    }

    #[tokio::test]
    async fn an_account_holds_a_few_keys() {
        let keys = Keys::in_memory();
        for at in 0..MAX_KEYS_PER_ACCOUNT as u64 {
            keys.create(A, at).await.unwrap();
        }
        assert_eq!(
            keys.create(A, 9).await,
            Err(Refusal::TooManyStreamKeys(MAX_KEYS_PER_ACCOUNT))
        );
        let listed = keys.list(A).await.unwrap();
        let times: Vec<u64> = listed.iter().map(|info| info.created_at).collect();
        assert_eq!(times, (0..MAX_KEYS_PER_ACCOUNT as u64).collect::<Vec<_>>());
        keys.revoke(A, &listed[0].id).await.unwrap();
        keys.create(A, 9).await.unwrap();
        assert!(keys.create(B, 9).await.is_ok());
    }

    #[test]
    fn what_is_kept_reads_back() {
        let kept = Kept {
            account: A,
            info: KeyInfo {
                id: "0123abcd".into(),
                created_at: 42,
            },
        };
        assert_eq!(Kept::from_text(&kept.to_text()), Some(kept));
        assert_eq!(Kept::from_text("nonsense"), None);
    }
}
