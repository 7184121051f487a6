//! What an instance does to keep its copy of the hub the same as the others': it joins
//! them from the hub as they hold it, applies the log in its order, writes the hub for
//! each newcomer, renews its alive key, and tells the others when an instance stops
//! renewing its own.
use super::{Change, ConnId, Entry, InstanceId, Log, BEAT};
use crate::{
    hub::{Hub, Op},
    refusal::Refusal,
};
use std::sync::Arc;
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
/// instances whose connections are in the hub but whose key has expired.
async fn keep_alive(log: Arc<Log>, replica: Arc<dyn Replica>) {
    let mut ticks = tokio::time::interval(BEAT);
    loop {
        ticks.tick().await;
        if let Err(error) = log.beat().await {
            warn!(%error, "cannot renew this instance's alive key");
            continue;
        }
        match log.gone(&replica.others()).await {
            Ok(gone) => {
                for instance in gone {
                    warn!(%instance, "instance stopped renewing its alive key");
                    log.announce_gone(instance).await.ok();
                }
            }
            Err(error) => warn!(%error, "cannot check the other instances"),
        }
    }
}
