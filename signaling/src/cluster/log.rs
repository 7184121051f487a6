//! This instance's end of the log in Redis: appending a change and waiting until it
//! comes back applied, reading the log in order, the alive keys, and the hellos and
//! snapshots a new instance starts from.
use super::{Change, ConnId, Entry, InstanceId, ALIVE_FOR, BEAT};
use crate::{hub::Op, refusal::Refusal};
use redis::{
    aio::{ConnectionManager, ConnectionManagerConfig},
    streams::{StreamMaxlen, StreamReadOptions, StreamReadReply},
    AsyncCommands, AsyncConnectionConfig, Client,
};
use std::{
    collections::HashMap,
    sync::{
        atomic::{AtomicU64, Ordering},
        Mutex,
    },
    time::Duration,
};
use tokio::sync::oneshot;
use tracing::warn;

/// How long a change may wait to come back through the log before its sender is
/// refused.
const APPLIED_WITHIN: Duration = Duration::from_secs(10);
/// How long a new instance waits for the others' snapshot.
const SNAPSHOT_WITHIN: Duration = Duration::from_secs(5);
/// How long a new instance waits for an answer to one hello before it says it again.
const HELLO_AGAIN: Duration = Duration::from_millis(500);
/// Room in an entry beside a relayed description or candidate: the change's name,
/// its connection, accounts and stream id (at most 256 bytes, six as JSON escapes
/// each), and Redis's own bookkeeping.
const ENTRY_OVERHEAD_BYTES: usize = 2_048;
/// The fewest entries the log may be sized for.
pub const MIN_ENTRIES: usize = 100;

/// How many of its newest entries the log keeps to stay within `max_bytes`, each
/// counted as large as an entry can be: a relay of `largest_relay_bytes` with its
/// overhead. A newcomer reads only what follows its own hello, so only an instance
/// this far behind would miss entries.
pub fn entries_within(max_bytes: usize, largest_relay_bytes: usize) -> usize {
    max_bytes / (largest_relay_bytes + ENTRY_OVERHEAD_BYTES)
}
/// How long Redis may take to answer one command.
const REDIS_TIMEOUT: Duration = Duration::from_secs(2);

const LOG: &str = "w3bstreaming:signaling:log";
const ALIVE: &str = "w3bstreaming:signaling:alive:";
const SNAPSHOT: &str = "w3bstreaming:signaling:snapshot:";

fn snapshot_key(instance: InstanceId, attempt: u64) -> String {
    format!("{SNAPSHOT}{instance}:{attempt}")
}

/// This instance's end of the log.
pub struct Log {
    me: InstanceId,
    client: Client,
    /// Made again when Redis is lost and found again.
    commands: ConnectionManager,
    tickets: AtomicU64,
    /// How many of its newest entries the log keeps.
    max_entries: usize,
    /// The changes appended here and not yet applied, by ticket.
    waiting: Mutex<HashMap<u64, oneshot::Sender<Result<(), Refusal>>>>,
}

fn unreachable(error: &redis::RedisError) -> Refusal {
    warn!(%error, "Redis failed");
    Refusal::InstancesUnreachable
}

impl Log {
    /// Connects to the Redis server at `url` as instance `me`, keeping the log to its
    /// newest `max_entries`.
    pub async fn connect(url: &str, me: InstanceId, max_entries: usize) -> Result<Self, String> {
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
            max_entries,
            waiting: Mutex::new(HashMap::new()),
        })
    }

    /// A connection to the same Redis, for what else the instances share there.
    pub fn redis(&self) -> ConnectionManager {
        self.commands.clone()
    }

    /// The instance this end is.
    pub fn me(&self) -> InstanceId {
        self.me
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
                StreamMaxlen::Approx(self.max_entries),
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
