//! What an instance does to keep its copy of the hub the same as the others': it joins
//! them from the hub as they hold it, applies the log in its order, writes the hub for
//! each newcomer, renews its alive key, and tells the others when an instance stops
//! renewing its own.
use super::{Change, ConnId, Entry, InstanceId, Log, ALIVE_FOR, BEAT};
use crate::{
    hub::{Hub, Op},
    refusal::Refusal,
};
use std::{collections::HashMap, sync::Arc, time::Instant};
use tracing::{info, warn};

/// An instance's copy of the hub, as the log changes it.
pub trait Replica: Send + Sync + 'static {
    /// Applies a change from the log, and tells this instance's connections what it
    /// says to them.
    fn apply(&self, op: Op<ConnId>) -> Result<(), Refusal>;
    /// Disconnects every connection of `instance`, which is gone.
    fn forget(&self, instance: InstanceId);
    /// The hub as it stands, as JSON, for a newcomer.
    fn snapshot(&self) -> String;
    /// The other instances that hold connections in the hub.
    fn others(&self) -> Vec<InstanceId>;
}

/// Joins the instances sharing the hub through the Redis server at `url`, as `me`:
/// the log (kept to `max_entries`), where in it to start applying, and the hub as the
/// others hold it there (empty when none is up), admitting at most `max_viewers` to
/// one stream.
pub async fn join(
    url: &str,
    me: InstanceId,
    max_entries: usize,
    max_viewers: usize,
) -> Result<(Arc<Log>, String, Hub<ConnId>), String> {
    let log = Log::connect(url, me, max_entries).await?;
    let (start, snapshot) = log.hello().await?;
    let mut hub = Hub::new(max_viewers);
    if let Some(snapshot) = snapshot {
        hub = serde_json::from_str(&snapshot)
            .map_err(|error| format!("the other instances' hub: {error}"))?;
        hub.set_max_viewers(max_viewers);
    }
    info!(instance = %me, "sharing the hub through Redis");
    Ok((Arc::new(log), start, hub))
}

/// Applies the log to `replica` from `start` on and keeps this instance alive, for as
/// long as the server runs. Once it returns, the instance is counted on to give
/// newcomers the hub, so it must return before any client connects.
pub async fn run(log: Arc<Log>, replica: Arc<dyn Replica>, start: String) -> Result<(), String> {
    tokio::spawn(follow(log.clone(), replica.clone(), start));
    log.beat()
        .await
        .map_err(|error| format!("Redis: {error}"))?;
    tokio::spawn(keep_alive(log, replica));
    Ok(())
}

async fn follow(log: Arc<Log>, replica: Arc<dyn Replica>, start: String) {
    log.follow(start, |entry| apply_entry(&log, &replica, entry))
        .await;
}

fn apply_entry(log: &Arc<Log>, replica: &Arc<dyn Replica>, entry: Entry) {
    match entry.change {
        // Only a change from a connection has a sender waiting for its answer.
        Change::Op(op) => log.applied(entry.from, entry.ticket, replica.apply(op)),
        Change::InstanceGone(instance) => {
            replica.forget(instance);
            info!(%instance, "instance gone");
        }
        Change::Hello(instance) if instance != log.me() => {
            let snapshot = replica.snapshot();
            let (log, attempt) = (log.clone(), entry.ticket);
            tokio::spawn(async move {
                if let Err(error) = log.give_snapshot(instance, attempt, snapshot).await {
                    warn!(%error, "cannot give a new instance the hub");
                }
            });
        }
        Change::Hello(_) => {}
    }
}

/// Every beat, renews this instance's alive key, and tells the others of the
/// instances whose connections are in the hub but whose key has been missing for
/// [`ALIVE_FOR`] on end. A key found missing once is not enough: a Redis server that
/// restarted has lost every key, and the instances alive set theirs again within a
/// beat of reaching it.
async fn keep_alive(log: Arc<Log>, replica: Arc<dyn Replica>) {
    let mut ticks = tokio::time::interval(BEAT);
    let mut missing = Missing::default();
    loop {
        ticks.tick().await;
        if let Err(error) = log.beat().await {
            warn!(%error, "cannot renew this instance's alive key");
            missing.forget_all();
            continue;
        }
        match log.gone(&replica.others()).await {
            Ok(without_key) => {
                for instance in missing.still(&without_key, Instant::now()) {
                    warn!(%instance, "instance stopped renewing its alive key");
                    log.announce_gone(instance).await.ok();
                }
            }
            Err(error) => warn!(%error, "cannot check the other instances"),
        }
    }
}

/// Since when each instance's alive key has been found missing.
#[derive(Debug, Default)]
struct Missing(HashMap<InstanceId, Instant>);

impl Missing {
    /// Of the instances found without a key at `now`, those missing it for
    /// [`ALIVE_FOR`] on end; the others found with one are forgotten.
    fn still(&mut self, without_key: &[InstanceId], now: Instant) -> Vec<InstanceId> {
        self.0.retain(|instance, _| without_key.contains(instance));
        let mut gone = Vec::new();
        for instance in without_key {
            let since = *self.0.entry(*instance).or_insert(now);
            if now.duration_since(since) >= ALIVE_FOR {
                self.0.remove(instance);
                gone.push(*instance);
            }
        }
        gone
    }

    /// This instance could not reach Redis: what it saw before proves nothing.
    fn forget_all(&mut self) {
        self.0.clear();
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    #[test]
    fn an_instance_is_gone_only_once_its_key_stays_missing() {
        let (a, b) = (InstanceId(1), InstanceId(2));
        let start = Instant::now();
        let at = |ms: u64| start + Duration::from_millis(ms);
        let mut missing = Missing::default();
        // A restarted Redis: both keys gone at once, b's back a beat later.
        assert_eq!(missing.still(&[a, b], at(0)), []);
        assert_eq!(missing.still(&[a], at(1_000)), []);
        assert_eq!(missing.still(&[a], at(2_000)), []);
        assert_eq!(missing.still(&[a], at(3_000)), [a], "missing for ALIVE_FOR");
        // b missing again starts counting from then, not from the first time.
        assert_eq!(missing.still(&[b], at(4_000)), []);
        assert_eq!(missing.still(&[b], at(6_000)), []);
        missing.forget_all();
        assert_eq!(
            missing.still(&[b], at(7_000)),
            [],
            "counted again after losing Redis"
        );
        assert_eq!(missing.still(&[b], at(10_000)), [b]);
    }
}
