//! The server put together: socket.io with its caps, the hub (joined to the other
//! instances' when Redis is configured), the chain behind its cache, the event
//! handlers, the HTTP routers, and the tasks that run for as long as the server does
//! ([`build`]); and the process around it: its listeners and its shutdown ([`run`]).
use crate::{
    address::AddressRange,
    auth::AuthPolicy,
    chain::{self, rpc::RpcChain, Authority, Chain},
    cluster::{replica, InstanceId},
    config::Config,
    connections::{self, Admission, Caps},
    events, http,
    hub::Hub,
    media::{Encoders, Media},
    metrics::{Measured, Metrics},
    rates::{InFlight, PerKey, Rate},
    server::Signaling,
    stream_keys::Keys,
    whip,
};
use axum::Router;
use prometheus_client::metrics::{counter::Counter, family::Family};
use serde_json::json;
use socketioxide::{extract::SocketRef, handler::ConnectHandler, SocketIo, TransportType};
use std::{
    io::IsTerminal,
    sync::{Arc, Mutex},
    time::Duration,
};
use tokio::net::TcpListener;
use tracing::info;
use tracing_subscriber::EnvFilter;

/// socket.io's send buffer of every connection, in packets: a schedule page's
/// statuses and a viewer's join fit in it.
const BUFFERED_PACKETS: usize = 512;
/// Chain answers kept of each kind (stream owners, follows): a few MiB at most.
const CACHED_ANSWERS: u64 = 100_000;
/// Open files kept for what is not a client connection: the log, the chain client's
/// sockets, the runtime, and the operator's connections to `/metrics`.
const RESERVED_FILES: u64 = 64;
/// Connections to `/metrics` open at once: a scraper or two, and a person looking.
const METRICS_CONNECTIONS: usize = 8;

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
    metrics: Arc<Metrics>,
) -> Result<Server, String> {
    // On every transport (the library's defaults are 16 MiB frames and 64 MiB
    // messages).
    let max_packet_bytes = config.max_packet_bytes();
    let builder = SocketIo::builder()
        .max_payload(max_packet_bytes as u64)
        .ws_max_frame_size(max_packet_bytes)
        .ws_max_message_size(max_packet_bytes)
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
            let max_entries = config.log_entries();
            let (log, start, hub) =
                replica::join(url, me, max_entries, config.max_watchers).await?;
            (Some(log), Some(start), hub)
        }
        None => (None, None, Hub::new(config.max_watchers)),
    };
    let (media, media_news) = match config.janus_url.as_slice() {
        [] => (None, None),
        urls => {
            let secret = config.janus_api_secret.as_deref().unwrap_or_default();
            let timeout = Duration::from_millis(config.janus_timeout_ms);
            let auto_wait = Duration::from_millis(config.auto_layer_up_ms);
            let (media, news) = Media::new(urls, secret, timeout, auto_wait);
            (Some(Arc::new(media)), Some(news))
        }
    };
    let (media_tasks, media_queue) = match media {
        Some(_) => {
            let (tasks, queue) = tokio::sync::mpsc::unbounded_channel();
            (Some(tasks), Some(queue))
        }
        None => (None, None),
    };
    // With Redis, every instance reads the same keys, and they outlast restarts.
    let stream_keys = match &log {
        Some(log) => Keys::in_redis(log.redis()),
        None => Keys::in_memory(),
    };
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
        chat_by_address: PerKey::new(Rate {
            per_sec: config.chat_per_sec_per_address,
            burst: config.chat_burst_per_address,
        }),
        chat_by_account: PerKey::new(Rate {
            per_sec: config.chat_per_sec_per_account,
            burst: config.chat_burst_per_account,
        }),
        io: io.clone(),
        me,
        hub: Mutex::new(hub),
        in_order: Mutex::new(()),
        log: log.clone(),
        metrics,
        media,
        media_tasks,
        encoders: Encoders::default(),
        stream_keys,
    });
    if let Some(queue) = media_queue {
        tokio::spawn(events::media_tasks::run_tasks(signaling.clone(), queue));
    }
    if let Some(news) = media_news {
        tokio::spawn(events::media_servers::follow_news(signaling.clone(), news));
        tokio::spawn(events::media_servers::watch_servers(signaling.clone()));
        tokio::spawn(events::layers::steer_up(signaling.clone()));
        tokio::spawn(events::encoders::watch_keys(signaling.clone()));
    }
    if let (Some(log), Some(start)) = (log, start) {
        replica::run(log, signaling.clone(), start).await?;
    }
    let (prepare, greet) = (signaling.clone(), signaling.clone());
    let greet = move |socket: SocketRef| events::greet(greet.clone(), socket);
    let prepare = move |socket: SocketRef| events::prepare(prepare.clone(), socket);
    io.ns("/", greet.with(prepare));
    tokio::spawn(tell_counts(
        signaling.clone(),
        Duration::from_millis(config.count_interval_ms.max(1)),
    ));
    tokio::spawn(events::follows::recheck_follows(
        signaling.clone(),
        Duration::from_millis(config.recheck_follows_ms.max(1)),
    ));
    let whip = whip::routes(signaling.clone());
    let (router, requests_by_address) = http::router(signaling.clone(), layer, whip, config);
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

/// Every minute, the rate limiters forget the keys that have not been used lately,
/// and the memory freed since goes back to the system.
async fn forget_idle_keys(signaling: Arc<Signaling>, requests: Arc<PerKey<AddressRange>>) {
    let mut ticks = tokio::time::interval(Duration::from_secs(60));
    loop {
        ticks.tick().await;
        signaling.joins_by_address.forget_idle();
        signaling.joins_by_account.forget_idle();
        signaling.chat_by_address.forget_idle();
        signaling.chat_by_account.forget_idle();
        requests.forget_idle();
        give_back_freed_memory();
    }
}

/// glibc keeps what a crowd of connections freed for the next crowd, in pages spread
/// among what is still used, so a server stays as large as its largest crowd ever;
/// `malloc_trim` returns the free pages.
fn give_back_freed_memory() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    // SAFETY: malloc_trim only releases memory no allocation uses.
    unsafe {
        libc::malloc_trim(0);
    }
}

/// Logs to stderr, at `RUST_LOG`'s levels (this crate's info and everyone's warnings
/// by default). Logs name accounts, streams and outcomes; never signatures or SDP.
pub fn log_to_stderr() {
    tracing_subscriber::fmt()
        .with_env_filter(
            EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| EnvFilter::new("w3bstreaming_signaling=info,warn")),
        )
        .with_writer(std::io::stderr)
        .with_ansi(std::io::stderr().is_terminal())
        .init();
}

/// Serves the server `config` describes on a runtime of its own, until Ctrl-C or
/// SIGTERM: prints one line on stdout once it listens, for scripts and tests that
/// start it. It polls the server here, so that the future's code is compiled in this
/// crate, once, and not again in the binary that calls it.
pub fn run(config: Config) -> Result<(), String> {
    tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(|error| format!("cannot start the runtime: {error}"))?
        .block_on(serve(config))
}

async fn serve(config: Config) -> Result<(), String> {
    let timeout = Duration::from_millis(config.rpc_timeout_ms);
    let chain = Arc::new(RpcChain::new(&config.rpc_url, config.program_id, timeout));
    let caps = Caps {
        total: config.max_connections.min(connection_limit()),
        per_address: config.max_connections_per_address,
    };
    let metrics = Arc::new(Metrics::default());
    let admission = Admission::new(
        caps,
        metrics.refused_connections.clone(),
        metrics.evicted_connections.clone(),
    );
    let listener = TcpListener::bind(config.listen)
        .await
        .map_err(|error| format!("cannot listen on {}: {error}", config.listen))?;
    let address = listener.local_addr().map_err(|error| error.to_string())?;
    let mut public_urls: Vec<String> = config
        .public_urls
        .iter()
        .map(|url| url.trim().trim_end_matches('/').to_string())
        .filter(|url| !url.is_empty())
        .collect();
    public_urls.push(format!("http://{address}"));
    let server = build(&config, public_urls, chain, metrics).await?;
    let mut started = json!({ "listening": address.to_string() });
    if let Some(metrics_address) = config.metrics_listen {
        let listener = TcpListener::bind(metrics_address)
            .await
            .map_err(|error| format!("cannot listen on {metrics_address}: {error}"))?;
        let bound = listener.local_addr().map_err(|error| error.to_string())?;
        started["metrics"] = json!(bound.to_string());
        info!(address = %bound, "serving metrics");
        // Within the files kept for what is not a client, with the public listener's
        // head timeout.
        let caps = Caps {
            total: METRICS_CONNECTIONS,
            per_address: METRICS_CONNECTIONS,
        };
        let admission = Admission::new(caps, Family::default(), Counter::default());
        let header_timeout = Duration::from_millis(config.header_timeout_ms);
        tokio::spawn(connections::serve(
            listener,
            server.metrics,
            admission,
            header_timeout,
            Box::pin(std::future::pending()),
        ));
    }
    // One line on stdout, for scripts and tests that start the server.
    println!("{started}");
    info!(%address, program = %config.program_id, max_connections = caps.total, "listening");
    connections::serve(
        listener,
        server.router,
        admission,
        Duration::from_millis(config.header_timeout_ms),
        Box::pin(shutdown(server.io)),
    )
    .await;
    info!("stopped");
    Ok(())
}

/// Waits for Ctrl-C or SIGTERM, then closes every socket so clients see a clean
/// disconnect before the listener stops.
async fn shutdown(io: SocketIo) {
    let interrupt = tokio::signal::ctrl_c();
    let mut terminate = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())
        .expect("install the SIGTERM handler");
    tokio::select! {
        _ = interrupt => {}
        _ = terminate.recv() => {}
    }
    info!("shutting down");
    io.close().await;
}

/// How many client connections the open-file limit allows, after raising it as far as
/// the system lets a process: with the common default of 1,024, a thousand sockets
/// from anyone would otherwise leave the server unable to accept any more.
fn connection_limit() -> usize {
    let files = rlimit::increase_nofile_limit(u64::MAX).unwrap_or(1_024);
    usize::try_from(files.saturating_sub(RESERVED_FILES)).unwrap_or(usize::MAX)
}
