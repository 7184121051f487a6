//! The server put together: socket.io with its caps, the hub (joined to the other
//! instances' when Redis is configured), the chain behind its cache, the event
//! handlers, the HTTP routers, and the tasks that run for as long as the server does.
use crate::{
    auth::AuthPolicy,
    chain::{self, Authority, Chain},
    cluster::{replica, InstanceId},
    config::Config,
    events, http,
    hub::Hub,
    metrics::{Measured, Metrics},
    rates::{InFlight, PerKey, Rate},
    server::Signaling,
};
use axum::Router;
use socketioxide::{extract::SocketRef, SocketIo, TransportType};
use std::{
    net::IpAddr,
    sync::{Arc, Mutex},
    time::Duration,
};

/// Largest socket.io packet accepted (an SDP description and its envelope), on every
/// transport: a websocket frame or message over it closes the connection before it
/// is read whole (the library's defaults are 16 MiB frames and 64 MiB messages).
const MAX_PACKET_BYTES: usize = 64 * 1024;
/// socket.io's send buffer of every connection, in packets: a schedule page's
/// statuses and a viewer's join fit in it.
const BUFFERED_PACKETS: usize = 512;
/// Chain answers kept of each kind (stream owners, follows): a few MiB at most.
const CACHED_ANSWERS: u64 = 100_000;

/// The server: the public router, the operator's (`/metrics`), and the socket.io
/// handle to close on shutdown.
pub struct Server {
    pub router: Router,
    pub metrics: Router,
    pub io: SocketIo,
}

/// Builds the server reading the program from `chain`; clients reach it at
/// `public_urls` (the first unless a request's `Host` names another). With a Redis URL
/// configured it joins the other instances there, starting from their hub.
pub async fn build(
    config: &Config,
    public_urls: Vec<String>,
    chain: Arc<dyn Chain>,
) -> Result<Server, String> {
    let builder = SocketIo::builder()
        .max_payload(MAX_PACKET_BYTES as u64)
        .ws_max_frame_size(MAX_PACKET_BYTES)
        .ws_max_message_size(MAX_PACKET_BYTES)
        .max_buffer_size(BUFFERED_PACKETS)
        .ping_interval(Duration::from_millis(config.ping_interval_ms.max(1)))
        .ping_timeout(Duration::from_millis(config.ping_timeout_ms.max(1)));
    // Long-polling sends each request of a session to the instance that holds it, which
    // only a proxy with sticky sessions does.
    let builder = if config.websocket_only {
        builder.transports([TransportType::Websocket])
    } else {
        builder
    };
    let (layer, io) = builder.build_layer();
    let me = InstanceId::random();
    let (log, start, hub) = match &config.redis_url {
        Some(url) => {
            let (log, start, hub) = replica::join(url, me, config.max_watchers).await?;
            (Some(log), Some(start), hub)
        }
        None => (None, None, Hub::new(config.max_watchers)),
    };
    let metrics = Arc::new(Metrics::default());
    let measured = Arc::new(Measured {
        chain,
        metrics: metrics.clone(),
    });
    let signaling = Arc::new(Signaling {
        config: config.clone(),
        public_urls,
        auth: AuthPolicy {
            challenge_ttl_ms: config.challenge_ttl_ms,
            legacy_signatures: config.legacy_signatures,
        },
        authority: Authority::new(
            measured,
            chain::Settings {
                ttl: Duration::from_millis(config.cache_ttl_ms),
                failure_ttl: Duration::from_millis(config.chain_failure_ttl_ms),
                capacity: CACHED_ANSWERS,
                concurrent: config.max_chain_queries.max(1),
                wait: Duration::from_millis(config.rpc_timeout_ms),
            },
        ),
        chain_queries: InFlight::new(config.max_chain_queries_per_address),
        joins_by_address: PerKey::new(Rate {
            per_sec: config.joins_per_sec_per_address,
            burst: config.join_burst_per_address,
        }),
        joins_by_account: PerKey::new(Rate {
            per_sec: config.joins_per_sec_per_account,
            burst: config.join_burst_per_account,
        }),
        io: io.clone(),
        me,
        hub: Mutex::new(hub),
        log: log.clone(),
        metrics,
    });
    if let (Some(log), Some(start)) = (log, start) {
        replica::run(log, signaling.clone(), start).await?;
    }
    let on_connect = signaling.clone();
    io.ns("/", move |socket: SocketRef| {
        events::connect(on_connect.clone(), socket)
    });
    tokio::spawn(tell_counts(
        signaling.clone(),
        Duration::from_millis(config.count_interval_ms.max(1)),
    ));
    let (router, requests_by_address) = http::router(signaling.clone(), layer, config);
    tokio::spawn(forget_idle_keys(signaling.clone(), requests_by_address));
    Ok(Server {
        router,
        metrics: http::metrics_router(signaling),
        io,
    })
}

/// Tells viewers the watcher counts that changed, every `interval`, for as long as the
/// server runs.
async fn tell_counts(signaling: Arc<Signaling>, interval: Duration) {
    let mut ticks = tokio::time::interval(interval);
    ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        ticks.tick().await;
        let outbox = signaling.lock().flush_counts();
        signaling.deliver(outbox);
    }
}

/// Every minute, the rate limiters forget the keys that have not been used lately.
async fn forget_idle_keys(signaling: Arc<Signaling>, requests: Arc<PerKey<IpAddr>>) {
    let mut ticks = tokio::time::interval(Duration::from_secs(60));
    loop {
        ticks.tick().await;
        signaling.joins_by_address.forget_idle();
        signaling.joins_by_account.forget_idle();
        requests.forget_idle();
    }
}
