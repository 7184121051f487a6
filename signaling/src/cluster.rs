//! Several instances of the server (processes behind one address) sharing one hub
//! through Redis. Every change to the hub ([`Op`]) goes into one Redis stream, the
//! log, and every instance applies the whole log, in its order, to its own copy: so
//! all copies agree on who is live, who watches and how many, and each instance tells
//! its own connections what the log's changes say to them. A relay goes through the
//! log too, so it reaches a viewer after the join it answers, wherever either is.
//!
//! An instance proves it is alive with a key that expires ([`ALIVE_FOR`]), renewed
//! every [`BEAT`]; once an instance's key is gone, any other appends
//! [`Change::InstanceGone`] and every copy disconnects its connections: their
//! streams end and their viewers leave. A new instance announces itself
//! ([`Change::Hello`]); those already up write the hub as it stands at that point of
//! the log, and the newcomer starts from that snapshot.
use crate::{hub::Op, refusal::Refusal};
use redis::{
    aio::{ConnectionManager, ConnectionManagerConfig},
    streams::{StreamMaxlen, StreamReadOptions, StreamReadReply},
    AsyncCommands, AsyncConnectionConfig, Client,
};
use serde::{Deserialize, Serialize};
use socketioxide::socket::Sid;
use std::{
    collections::HashMap,
    fmt,
    str::FromStr,
    sync::{
        atomic::{AtomicU64, Ordering},
        Mutex,
    },
    time::Duration,
};
use tokio::sync::oneshot;
use tracing::warn;

/// How often an instance renews its alive key.
pub const BEAT: Duration = Duration::from_secs(1);
/// How long an alive key lasts unless renewed: an instance that dies is known to be
/// gone this long after its last beat, and its streams end within a beat more.
pub const ALIVE_FOR: Duration = Duration::from_secs(3);
/// How long a change may wait to come back through the log before its sender is
/// refused.
const APPLIED_WITHIN: Duration = Duration::from_secs(10);
/// How long a new instance waits for the others' snapshot.
const SNAPSHOT_WITHIN: Duration = Duration::from_secs(5);
/// How long a new instance waits for an answer to one hello before it says it again.
const HELLO_AGAIN: Duration = Duration::from_millis(500);
/// Entries kept in the log: a newcomer reads only what follows its own hello.
const LOG_LENGTH: usize = 100_000;
/// How long Redis may take to answer one command.
const REDIS_TIMEOUT: Duration = Duration::from_secs(2);

const LOG: &str = "w3bstreaming:signaling:log";
const ALIVE: &str = "w3bstreaming:signaling:alive:";
const SNAPSHOT: &str = "w3bstreaming:signaling:snapshot:";

fn snapshot_key(instance: InstanceId, attempt: u64) -> String {
    format!("{SNAPSHOT}{instance}:{attempt}")
}

/// One instance of the server, named at random when it starts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct InstanceId(pub u64);

impl InstanceId {
    pub fn random() -> Self {
        let mut bytes = [0; 8];
        getrandom::getrandom(&mut bytes).expect("the OS has a random source");
        Self(u64::from_le_bytes(bytes))
    }
}

impl fmt::Display for InstanceId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:016x}", self.0)
    }
}

/// A connection, on whichever instance holds it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ConnId {
    pub instance: InstanceId,
    pub sid: Sid,
}

impl fmt::Display for ConnId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", self.instance, self.sid)
    }
}

impl FromStr for ConnId {
    type Err = String;
    fn from_str(text: &str) -> Result<Self, String> {
        let bad = || format!("{text:?} is not a connection id");
        let (instance, sid) = text.split_once('/').ok_or_else(bad)?;
        Ok(Self {
            instance: InstanceId(u64::from_str_radix(instance, 16).map_err(|_| bad())?),
            sid: sid.parse().map_err(|_| bad())?,
        })
    }
}

// As text, so that it can key a JSON object (a snapshot's map of connections).
impl Serialize for ConnId {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for ConnId {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = <std::borrow::Cow<'de, str>>::deserialize(deserializer)?;
        text.parse().map_err(serde::de::Error::custom)
    }
}

/// What the log holds.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum Change {
    Op(Op<ConnId>),
    /// The instance stopped renewing its alive key: its connections are gone.
    InstanceGone(InstanceId),
    /// The instance started: write the hub as it stands here for it (for the attempt
    /// the entry's ticket numbers).
    Hello(InstanceId),
}

/// One entry of the log: a change, from which instance, and its number there (so the
/// instance that appended it can answer its sender once it is applied).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Entry {
    pub from: InstanceId,
    pub ticket: u64,
    pub change: Change,
}

/// This instance's end of the log.
pub struct Log {
    me: InstanceId,
    client: Client,
    /// Made again when Redis is lost and found again.
    commands: ConnectionManager,
    tickets: AtomicU64,
    /// The changes appended here and not yet applied, by ticket.
    waiting: Mutex<HashMap<u64, oneshot::Sender<Result<(), Refusal>>>>,
}

fn unreachable(error: &redis::RedisError) -> Refusal {
    warn!(%error, "Redis failed");
    Refusal::InstancesUnreachable
}

impl Log {
    /// Connects to the Redis server at `url` as instance `me`.
    pub async fn connect(url: &str, me: InstanceId) -> Result<Self, String> {
        let client = Client::open(url).map_err(|error| format!("{url}: {error}"))?;
        let config = ConnectionManagerConfig::new()
            .set_connection_timeout(REDIS_TIMEOUT)
            .set_response_timeout(REDIS_TIMEOUT)
            .set_number_of_retries(1);
        let commands = ConnectionManager::new_with_config(client.clone(), config)
            .await
            .map_err(|error| format!("cannot reach Redis at {url}: {error}"))?;
        Ok(Self {
            me,
            client,
            commands,
            tickets: AtomicU64::new(1),
            waiting: Mutex::new(HashMap::new()),
        })
    }

    async fn append(&self, ticket: u64, change: Change) -> redis::RedisResult<String> {
        let entry = Entry {
            from: self.me,
            ticket,
            change,
        };
        let text = serde_json::to_string(&entry).expect("an entry serializes");
        self.commands
            .clone()
            .xadd_maxlen(
                LOG,
                StreamMaxlen::Approx(LOG_LENGTH),
                "*",
                &[("entry", text)],
            )
            .await
    }

    /// Appends `op` and waits until this instance has applied it: then the hub's
    /// answer to it is known, and what it said to each connection is on its way.
    pub async fn submit(&self, op: Op<ConnId>) -> Result<(), Refusal> {
        let ticket = self.tickets.fetch_add(1, Ordering::Relaxed);
        let (answer, answered) = oneshot::channel();
        self.lock().insert(ticket, answer);
        let outcome = match self.append(ticket, Change::Op(op)).await {
            Ok(_) => tokio::time::timeout(APPLIED_WITHIN, answered)
                .await
                .unwrap_or(Ok(Err(Refusal::InstancesUnreachable)))
                .unwrap_or(Err(Refusal::InstancesUnreachable)),
            Err(error) => Err(unreachable(&error)),
        };
        self.lock().remove(&ticket);
        outcome
    }

    fn lock(
        &self,
    ) -> std::sync::MutexGuard<'_, HashMap<u64, oneshot::Sender<Result<(), Refusal>>>> {
        self.waiting.lock().expect("waiting changes lock")
    }

    /// After the entry `ticket` of instance `from` was applied with `outcome`: answers
    /// its sender if it came from here.
    pub fn applied(&self, from: InstanceId, ticket: u64, outcome: Result<(), Refusal>) {
        if from == self.me {
            if let Some(answer) = self.lock().remove(&ticket) {
                answer.send(outcome).ok();
            }
        }
    }

    /// Renews this instance's alive key.
    pub async fn beat(&self) -> redis::RedisResult<()> {
        self.commands
            .clone()
            .pset_ex(
                format!("{ALIVE}{}", self.me),
                1,
                ALIVE_FOR.as_millis() as u64,
            )
            .await
    }

    /// Which of `instances` have let their alive key expire.
    pub async fn gone(&self, instances: &[InstanceId]) -> redis::RedisResult<Vec<InstanceId>> {
        let mut gone = Vec::new();
        for &instance in instances {
            let alive: bool = self
                .commands
                .clone()
                .exists(format!("{ALIVE}{instance}"))
                .await?;
            if !alive {
                gone.push(instance);
            }
        }
        Ok(gone)
    }

    /// Tells every instance that `instance` is gone.
    pub async fn announce_gone(&self, instance: InstanceId) -> redis::RedisResult<String> {
        self.append(0, Change::InstanceGone(instance)).await
    }

    /// Announces this instance. Returns where in the log to start applying, and the hub
    /// as it stands there (as JSON) if other instances are up to write it: those with
    /// an alive key, which an instance sets once it follows the log. An instance that
    /// came up while this one announced itself may follow the log from after the
    /// hello, and so never write for it: a hello not answered in [`HELLO_AGAIN`] is
    /// made again, further on (the entry's ticket numbers the attempts, and names the
    /// snapshot written for it). The alive key of an instance that died lasts a little
    /// longer than the instance: one that expires while this one waits is not waited
    /// for.
    pub async fn hello(&self) -> Result<(String, Option<String>), String> {
        let failed = |error: redis::RedisError| format!("Redis: {error}");
        let deadline = tokio::time::Instant::now() + SNAPSHOT_WITHIN;
        for attempt in 0.. {
            let start = self
                .append(attempt, Change::Hello(self.me))
                .await
                .map_err(failed)?;
            let key = snapshot_key(self.me, attempt);
            let again = tokio::time::Instant::now() + HELLO_AGAIN;
            while tokio::time::Instant::now() < again {
                let snapshot: Option<String> =
                    self.commands.clone().get_del(&key).await.map_err(failed)?;
                if snapshot.is_some() {
                    return Ok((start, snapshot));
                }
                let alive: Vec<String> = self
                    .commands
                    .clone()
                    .keys(format!("{ALIVE}*"))
                    .await
                    .map_err(failed)?;
                let others = alive.len();
                if others == 0 {
                    return Ok((start, None));
                }
                if tokio::time::Instant::now() >= deadline {
                    return Err(format!(
                        "{others} other instances are up, but none wrote the hub within {SNAPSHOT_WITHIN:?}"
                    ));
                }
                tokio::time::sleep(Duration::from_millis(20)).await;
            }
        }
        unreachable!("the attempts end at the deadline")
    }

    /// Gives the new instance `to` the hub as it stands at its hello `attempt`.
    pub async fn give_snapshot(
        &self,
        to: InstanceId,
        attempt: u64,
        snapshot: String,
    ) -> redis::RedisResult<()> {
        self.commands
            .clone()
            .pset_ex(snapshot_key(to, attempt), snapshot, 60_000)
            .await
    }

    /// Reads the log after `start`, for as long as the server runs, and hands each
    /// entry to `apply` in order. A lost connection is made again, and the reading
    /// goes on where it stopped.
    pub async fn follow(&self, start: String, mut apply: impl FnMut(Entry)) {
        let mut last = start;
        let options = StreamReadOptions::default().block(1_000).count(1_000);
        let config = AsyncConnectionConfig::new()
            .set_connection_timeout(REDIS_TIMEOUT)
            .set_response_timeout(REDIS_TIMEOUT + Duration::from_secs(1));
        let mut reader = None;
        loop {
            let connection = match reader.as_mut() {
                Some(connection) => connection,
                None => match self
                    .client
                    .get_multiplexed_async_connection_with_config(&config)
                    .await
                {
                    Ok(connection) => reader.insert(connection),
                    Err(error) => {
                        warn!(%error, "cannot reach Redis to read the log");
                        tokio::time::sleep(BEAT).await;
                        continue;
                    }
                },
            };
            let read: redis::RedisResult<Option<StreamReadReply>> =
                connection.xread_options(&[LOG], &[&last], &options).await;
            let reply = match read {
                Ok(reply) => reply,
                Err(error) => {
                    warn!(%error, "reading the log failed");
                    reader = None;
                    tokio::time::sleep(BEAT).await;
                    continue;
                }
            };
            for key in reply.map(|reply| reply.keys).unwrap_or_default() {
                for item in key.ids {
                    last = item.id.clone();
                    let text: Option<String> = item.get("entry");
                    match text.as_deref().map(serde_json::from_str::<Entry>) {
                        Some(Ok(entry)) => apply(entry),
                        _ => warn!(id = item.id, "an entry of the log is not one"),
                    }
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::hub::Hub;
    use w3bstreaming_keys::AccountId;

    fn conn(instance: u64, sid: &str) -> ConnId {
        ConnId {
            instance: InstanceId(instance),
            sid: sid.parse().unwrap(),
        }
    }

    #[test]
    fn entries_and_snapshots_read_back_as_written() {
        let broadcaster = conn(0xab, "AAAAAAAAAAAAAAAB");
        let viewer = conn(7, "AAAAAAAAAAAAAAAC");
        assert_eq!(broadcaster.to_string(), "00000000000000ab/AAAAAAAAAAAAAAAB");
        let entry = Entry {
            from: InstanceId(7),
            ticket: 3,
            change: Change::Op(Op::Join {
                conn: viewer,
                viewer: AccountId([2; 32]),
                stream_id: "s".into(),
                broadcaster: AccountId([1; 32]),
            }),
        };
        let text = serde_json::to_string(&entry).unwrap();
        assert_eq!(serde_json::from_str::<Entry>(&text).unwrap(), entry);

        let mut hub = Hub::new(10);
        let ops = [
            Op::Broadcast {
                conn: broadcaster,
                broadcaster: AccountId([1; 32]),
                stream_id: "s".into(),
            },
            match entry.change {
                Change::Op(op) => op,
                _ => unreachable!(),
            },
        ];
        for op in ops {
            hub.apply(op).unwrap();
        }
        // A listener is this instance's own: not in what it shares.
        hub.listen(conn(7, "AAAAAAAAAAAAAAAD"), vec!["s".into()])
            .unwrap();
        assert_eq!(hub.conns().count(), 3);
        let snapshot = serde_json::to_string(&hub).unwrap();
        let mut copy: Hub<ConnId> = serde_json::from_str(&snapshot).unwrap();
        copy.set_max_viewers(10);
        assert_eq!(copy.viewers("s"), 1);
        assert_eq!(copy.peers(broadcaster), 1);
        assert_eq!(copy.conns().count(), 2);
        let outbox = copy.disconnect_where(|conn| conn.instance == InstanceId(0xab));
        assert!(outbox.iter().any(|(to, _)| *to == viewer), "{outbox:?}");
        assert!(!copy.is_streaming("s") && copy.conns().next().is_none());
        assert!("nope".parse::<ConnId>().is_err());
    }
}
