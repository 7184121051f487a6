//! Command-line flags, each also settable by an environment variable.
use clap::Parser;
use std::net::SocketAddr;
use w3bstreaming_keys::AccountId;

/// WebRTC signaling server for w3bstreaming.
#[derive(Debug, Clone, Parser)]
#[command(version, about)]
pub struct Config {
    /// Address to listen on; port 0 picks a free one (printed on start).
    #[arg(long, env = "SIGNALING_LISTEN", default_value = "127.0.0.1:3001")]
    pub listen: SocketAddr,
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
    /// How often viewers are told a watcher count that changed (the broadcaster and
    /// the viewer joining or leaving hear it at once).
    #[arg(long, env = "SIGNALING_COUNT_INTERVAL_MS", default_value_t = 1_000)]
    pub count_interval_ms: u64,
    /// Largest SDP description relayed, in bytes of JSON.
    #[arg(long, env = "SIGNALING_MAX_SDP_BYTES", default_value_t = 16_384)]
    pub max_sdp_bytes: usize,
    /// Largest ICE candidate relayed, in bytes of JSON.
    #[arg(long, env = "SIGNALING_MAX_CANDIDATE_BYTES", default_value_t = 2_048)]
    pub max_candidate_bytes: usize,
}

impl Config {
    /// What the flags cannot say on their own.
    pub fn check(&self) -> Result<(), String> {
        if self
            .allowed_origins
            .iter()
            .any(|origin| origin.trim() == "*")
        {
            return Err("--allowed-origins: list the frontend's origins; `*` lets any site use your users' sessions".into());
        }
        Ok(())
    }
}
