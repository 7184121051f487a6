//! Command-line flags, each also settable by an environment variable.
use crate::{cluster::log, hub::MAX_LISTENED, wire};
use clap::Parser;
use std::{net::SocketAddr, time::Duration};
use w3bstreaming_keys::AccountId;

/// What a packet carries besides a description, a candidate or stream ids: the
/// event's name, the user id, the other fields and the JSON around them.
const ENVELOPE_BYTES: usize = 1_024;

/// WebRTC signaling server for w3bstreaming.
#[derive(Debug, Clone, Parser)]
#[command(version, about)]
pub struct Config {
    /// Address to listen on; port 0 picks a free one (printed on start).
    #[arg(long, env = "SIGNALING_LISTEN", default_value = "127.0.0.1:3001")]
    pub listen: SocketAddr,
    /// Where to serve `/metrics` (Prometheus), apart from the public address: keep it
    /// on loopback or a private network. Not served when unset.
    #[arg(long, env = "SIGNALING_METRICS_LISTEN")]
    pub metrics_listen: Option<SocketAddr>,
    /// The URLs clients reach this server at (behind a proxy, its public https URL),
    /// comma-separated. A sign-in text names the one the client's `Host` header names,
    /// else the first; `http://` and the address listened on is always one of them.
    #[arg(
        long = "public-url",
        env = "SIGNALING_PUBLIC_URLS",
        value_delimiter = ','
    )]
    pub public_urls: Vec<String>,
    /// HTTP(S) JSON-RPC endpoint of a Vara node (e.g. https://testnet.vara.network),
    /// or of the local chain (`w3bstreaming-devnode`, http://127.0.0.1:9955).
    #[arg(long, env = "VARA_RPC_URL")]
    pub rpc_url: String,
    /// The deployed program's id (0x + 64 hex digits).
    #[arg(long, env = "PROGRAM_ID")]
    pub program_id: AccountId,
    /// How long one chain query may take before the client is refused.
    #[arg(long, env = "SIGNALING_RPC_TIMEOUT_MS", default_value_t = 5_000)]
    pub rpc_timeout_ms: u64,
    /// How long chain answers (stream owner, who follows whom) are reused.
    #[arg(long, env = "SIGNALING_CACHE_TTL_MS", default_value_t = 5_000)]
    pub cache_ttl_ms: u64,
    /// How long a failed chain query is answered with its failure instead of asked
    /// again.
    #[arg(long, env = "SIGNALING_CHAIN_FAILURE_TTL_MS", default_value_t = 1_000)]
    pub chain_failure_ttl_ms: u64,
    /// Chain queries in flight at once; the others wait up to `--rpc-timeout-ms`.
    #[arg(long, env = "SIGNALING_MAX_CHAIN_QUERIES", default_value_t = 32)]
    pub max_chain_queries: usize,
    /// Chain queries in flight at once for the connections of one IP address.
    #[arg(
        long,
        env = "SIGNALING_MAX_CHAIN_QUERIES_PER_ADDRESS",
        default_value_t = 4
    )]
    pub max_chain_queries_per_address: usize,
    /// Browser origins allowed to connect, comma-separated; `*` is refused.
    #[arg(
        long,
        env = "SIGNALING_ALLOWED_ORIGINS",
        value_delimiter = ',',
        default_value = "http://localhost:3000"
    )]
    pub allowed_origins: Vec<String>,
    /// ICE server URLs handed to authenticated clients, comma-separated; `turn:` and
    /// `turns:` URLs get short-lived credentials when `--turn-secret` is set.
    #[arg(
        long,
        env = "SIGNALING_ICE_SERVERS",
        value_delimiter = ',',
        default_value = "stun:stun.l.google.com:19302"
    )]
    pub ice_servers: Vec<String>,
    /// coturn's `static-auth-secret`.
    #[arg(long, env = "TURN_SECRET", hide_env_values = true)]
    pub turn_secret: Option<String>,
    /// Lifetime of TURN credentials.
    #[arg(long, env = "SIGNALING_TURN_TTL_SECS", default_value_t = 600)]
    pub turn_ttl_secs: u64,
    /// How long a connection's challenge may be answered.
    #[arg(long, env = "SIGNALING_CHALLENGE_TTL_MS", default_value_t = 60_000)]
    pub challenge_ttl_ms: u64,
    /// A connection that has neither signed in (`watch`, `broadcast`) nor sent `listen`
    /// this long after connecting is closed.
    #[arg(long, env = "SIGNALING_SIGN_IN_DEADLINE_MS", default_value_t = 60_000)]
    pub sign_in_deadline_ms: u64,
    /// A signed-in or listening connection that sends nothing for this long while it
    /// neither broadcasts nor watches is closed: listening is renewed by sending
    /// `listen` again within it (clients are told it in `caps`).
    #[arg(long, env = "SIGNALING_IDLE_TIMEOUT_MS", default_value_t = 300_000)]
    pub idle_timeout_ms: u64,
    /// TCP connections open at once (websockets, long-polling and HTTP alike); capped
    /// below the process's open-file limit.
    #[arg(long, env = "SIGNALING_MAX_CONNECTIONS", default_value_t = 10_000)]
    pub max_connections: usize,
    /// TCP connections open at once from one IP address. Behind a reverse proxy every
    /// connection comes from the proxy: raise this there and cap per client in the proxy.
    #[arg(
        long,
        env = "SIGNALING_MAX_CONNECTIONS_PER_ADDRESS",
        default_value_t = 64
    )]
    pub max_connections_per_address: usize,
    /// How long a request's head may take to arrive, on a new connection or between
    /// requests on a kept-alive one.
    #[arg(long, env = "SIGNALING_HEADER_TIMEOUT_MS", default_value_t = 10_000)]
    pub header_timeout_ms: u64,
    /// How long a request's body may take to arrive (long-polling posts).
    #[arg(long, env = "SIGNALING_BODY_TIMEOUT_MS", default_value_t = 10_000)]
    pub body_timeout_ms: u64,
    /// Also accept the old frontend's signature of its own address: replayable forever
    /// by anyone who saw it once (see docs/signaling.md).
    #[arg(long, env = "SIGNALING_LEGACY_SIGNATURES")]
    pub legacy_signatures: bool,
    /// Viewers one stream may have at once.
    #[arg(long, env = "SIGNALING_MAX_WATCHERS", default_value_t = 500)]
    pub max_watchers: usize,
    /// Events a connection may send per second, on average.
    #[arg(long, env = "SIGNALING_RATE_PER_SEC", default_value_t = 20)]
    pub rate_per_sec: u32,
    /// Events a connection may send at once.
    #[arg(long, env = "SIGNALING_RATE_BURST", default_value_t = 60)]
    pub rate_burst: u32,
    /// Joins (`watch`, `broadcast`) the connections of one IP address may send per
    /// second, on average; each costs a signature check and chain queries.
    #[arg(
        long,
        env = "SIGNALING_JOINS_PER_SEC_PER_ADDRESS",
        default_value_t = 20
    )]
    pub joins_per_sec_per_address: u32,
    /// Joins the connections of one IP address may send at once.
    #[arg(long, env = "SIGNALING_JOIN_BURST_PER_ADDRESS", default_value_t = 100)]
    pub join_burst_per_address: u32,
    /// Joins one signed-in account may send per second, on average, on all its
    /// connections.
    #[arg(long, env = "SIGNALING_JOINS_PER_SEC_PER_ACCOUNT", default_value_t = 2)]
    pub joins_per_sec_per_account: u32,
    /// Joins one signed-in account may send at once.
    #[arg(long, env = "SIGNALING_JOIN_BURST_PER_ACCOUNT", default_value_t = 10)]
    pub join_burst_per_account: u32,
    /// Chat messages one signed-in account may post per second, on average, on all its
    /// connections.
    #[arg(long, env = "SIGNALING_CHAT_PER_SEC_PER_ACCOUNT", default_value_t = 1)]
    pub chat_per_sec_per_account: u32,
    /// Chat messages one signed-in account may post at once.
    #[arg(long, env = "SIGNALING_CHAT_BURST_PER_ACCOUNT", default_value_t = 5)]
    pub chat_burst_per_account: u32,
    /// Chat messages the connections of one IP address may post per second, on
    /// average, whatever their accounts.
    #[arg(long, env = "SIGNALING_CHAT_PER_SEC_PER_ADDRESS", default_value_t = 10)]
    pub chat_per_sec_per_address: u32,
    /// Chat messages the connections of one IP address may post at once.
    #[arg(long, env = "SIGNALING_CHAT_BURST_PER_ADDRESS", default_value_t = 30)]
    pub chat_burst_per_address: u32,
    /// HTTP requests to the server's own routes (`/healthz`,
    /// `/is-already-having-stream`) one IP address may send per second, on average.
    #[arg(
        long,
        env = "SIGNALING_REQUESTS_PER_SEC_PER_ADDRESS",
        default_value_t = 10
    )]
    pub requests_per_sec_per_address: u32,
    /// HTTP requests to the server's own routes one IP address may send at once.
    #[arg(
        long,
        env = "SIGNALING_REQUEST_BURST_PER_ADDRESS",
        default_value_t = 30
    )]
    pub request_burst_per_address: u32,
    /// How often viewers are told a watcher count that changed (the broadcaster and
    /// the viewer joining or leaving hear it at once).
    #[arg(long, env = "SIGNALING_COUNT_INTERVAL_MS", default_value_t = 1_000)]
    pub count_interval_ms: u64,
    /// How often each viewer is asked about again: one who no longer follows the
    /// broadcaster (within `--cache-ttl-ms` more, the cached answer's life) stops
    /// watching.
    #[arg(long, env = "SIGNALING_RECHECK_FOLLOWS_MS", default_value_t = 30_000)]
    pub recheck_follows_ms: u64,
    /// Share who is live and who watches with the other instances of the server using
    /// this Redis server (`redis://host:port`); alone when unset. See docs/signaling.md,
    /// "More than one instance".
    #[arg(long, env = "SIGNALING_REDIS_URL")]
    pub redis_url: Option<String>,
    /// The most bytes the log that instances share takes in Redis: it keeps as many
    /// of its newest entries as fit, each counted as large as a relay may make it.
    #[arg(long, env = "SIGNALING_LOG_MAX_BYTES", default_value_t = 64 * 1024 * 1024)]
    pub log_max_bytes: usize,
    /// Serve websockets only, no long-polling: instances behind a proxy without sticky
    /// sessions need it, since a long-polling session lives on one instance.
    #[arg(long, env = "SIGNALING_WEBSOCKET_ONLY")]
    pub websocket_only: bool,
    /// How often engine.io pings each connection; one whose send buffer is too full to
    /// take the ping is closed.
    #[arg(long, env = "SIGNALING_PING_INTERVAL_MS", default_value_t = 25_000)]
    pub ping_interval_ms: u64,
    /// How long a connection may take to answer a ping before it is closed.
    #[arg(long, env = "SIGNALING_PING_TIMEOUT_MS", default_value_t = 20_000)]
    pub ping_timeout_ms: u64,
    /// Largest SDP description relayed, in bytes of JSON.
    #[arg(long, env = "SIGNALING_MAX_SDP_BYTES", default_value_t = 16_384)]
    pub max_sdp_bytes: usize,
    /// Janus's HTTP API (`http://127.0.0.1:8088/janus`): streams go through this media
    /// server while it answers (docs/live.md). Peer to peer when unset. Several, given
    /// again or separated by commas, share the viewers (docs/live.md, "Several media
    /// servers"): every signaling instance must be given the same list, in the same
    /// order, and each Janus takes the others' relays at the host of its URL.
    #[arg(
        long,
        env = "SIGNALING_JANUS_URL",
        requires = "janus_api_secret",
        value_delimiter = ',',
        num_args = 1..
    )]
    pub janus_url: Vec<String>,
    /// The `api_secret` every Janus requires of every request (scripts/janus.sh
    /// --api-secret).
    #[arg(long, env = "SIGNALING_JANUS_API_SECRET", hide_env_values = true)]
    pub janus_api_secret: Option<String>,
    /// How long a publisher's or a viewer's peer connection with Janus may take to come
    /// up: a publisher's stream then goes peer to peer, a viewer's subscription ends.
    #[arg(
        long,
        env = "SIGNALING_MEDIA_CONNECT_TIMEOUT_MS",
        default_value_t = 15_000
    )]
    pub media_connect_timeout_ms: u64,
    /// How long a viewer on Auto receives a smaller layer, without losing packets,
    /// before it is given the next larger one (twice as long after each try that
    /// brought losses back, up to 5 minutes).
    #[arg(long, env = "SIGNALING_AUTO_LAYER_UP_MS", default_value_t = 20_000)]
    pub auto_layer_up_ms: u64,
    /// How long Janus may take to answer one request.
    #[arg(long, env = "SIGNALING_JANUS_TIMEOUT_MS", default_value_t = 5_000)]
    pub janus_timeout_ms: u64,
    /// Largest ICE candidate relayed, in bytes of JSON.
    #[arg(long, env = "SIGNALING_MAX_CANDIDATE_BYTES", default_value_t = 2_048)]
    pub max_candidate_bytes: usize,
}

impl Config {
    /// How long a peer connection with the media server may take to come up, and an
    /// encoder's may stay silent.
    pub fn media_connect_timeout(&self) -> Duration {
        Duration::from_millis(self.media_connect_timeout_ms)
    }

    /// What the flags cannot say on their own.
    pub fn check(&self) -> Result<(), String> {
        if self
            .allowed_origins
            .iter()
            .any(|origin| origin.trim() == "*")
        {
            return Err("--allowed-origins: list the frontend's origins; `*` lets any site use your users' sessions".into());
        }
        if self.janus_url.len() > usize::from(u8::MAX) {
            return Err("--janus-url: at most 255 media servers".into());
        }
        if let Some((i, url)) = self
            .janus_url
            .iter()
            .enumerate()
            .find(|(i, url)| self.janus_url[..*i].contains(url))
        {
            return Err(format!("--janus-url: {url} is given twice (as number {i})"));
        }
        let entries = self.log_entries();
        if entries < log::MIN_ENTRIES {
            return Err(format!(
                "--log-max-bytes: {} bytes hold {entries} entries of the log; it needs room for {}",
                self.log_max_bytes,
                log::MIN_ENTRIES
            ));
        }
        Ok(())
    }

    /// How many entries the shared log keeps within `--log-max-bytes`.
    pub fn log_entries(&self) -> usize {
        log::entries_within(self.log_max_bytes, self.max_relay_bytes())
    }

    /// The largest socket.io packet a client needs to send: a relay of the largest
    /// description or candidate, or a `listen` of the most streams with the longest
    /// ids, each with its envelope. A larger one closes its connection before it is
    /// read whole; what a connection has once read, its buffers keep.
    pub fn max_packet_bytes(&self) -> usize {
        // Each id quoted, and a comma.
        let listen = MAX_LISTENED * (wire::MAX_STREAM_ID_BYTES + 3);
        self.max_relay_bytes().max(listen) + ENVELOPE_BYTES
    }

    fn max_relay_bytes(&self) -> usize {
        self.max_sdp_bytes.max(self.max_candidate_bytes)
    }
}
