//! The local chain's flags and logs; `node::run` does the rest.
use clap::Parser;
use std::{net::SocketAddr, path::PathBuf, process::ExitCode, time::Duration};
use w3bstreaming_devnode::{
    chain::BLOCK_MS,
    node::{self, Options},
    server::Timeouts,
};

/// A local chain for w3bstreaming: the program on gtest behind a Vara-like JSON-RPC.
#[derive(Debug, Parser)]
#[command(version, about)]
struct Config {
    /// Address to listen on; port 0 picks a free one (printed on start).
    #[arg(long, env = "DEVNODE_LISTEN", default_value = "127.0.0.1:9955")]
    listen: SocketAddr,
    /// The program to run (any release build of the workspace writes it).
    #[arg(
        long,
        env = "DEVNODE_PROGRAM_WASM",
        default_value = "target/wasm32-gear/release/w3bstreaming.opt.wasm"
    )]
    program_wasm: PathBuf,
    /// Browser origins allowed to call the node, comma-separated.
    #[arg(
        long,
        env = "DEVNODE_ALLOWED_ORIGINS",
        value_delimiter = ',',
        default_value = "http://localhost:3000,http://127.0.0.1:3000"
    )]
    allowed_origins: Vec<String>,
    /// Fill a demo world: development accounts, streams, follows and marks.
    #[arg(long)]
    demo: bool,
    /// With `--demo`: this many more followers of Alice (`//viewer-0`, ...).
    #[arg(long, default_value_t = 0, requires = "demo")]
    demo_viewers: usize,
    /// Milliseconds of wall clock between blocks. Block time advances 3 s a block
    /// whatever this is, so anything shorter than 3000 makes it run ahead of the
    /// clock: for tests that send many messages one after another.
    #[arg(long, env = "DEVNODE_BLOCK_INTERVAL_MS", default_value_t = BLOCK_MS)]
    block_interval_ms: u64,
    /// How long a request's head may take to arrive, on a new connection or between
    /// requests on a kept-alive one.
    #[arg(long, env = "DEVNODE_HEADER_TIMEOUT_MS", default_value_t = 10_000)]
    header_timeout_ms: u64,
    /// How long a request's body may take to arrive.
    #[arg(long, env = "DEVNODE_BODY_TIMEOUT_MS", default_value_t = 30_000)]
    body_timeout_ms: u64,
}

fn main() -> ExitCode {
    let config = Config::parse();
    node::log_to_stderr();
    let options = Options {
        listen: config.listen,
        program_wasm: config.program_wasm,
        allowed_origins: config.allowed_origins,
        demo_viewers: config.demo.then_some(config.demo_viewers),
        block_interval_ms: config.block_interval_ms,
        timeouts: Timeouts {
            header: Duration::from_millis(config.header_timeout_ms),
            body: Duration::from_millis(config.body_timeout_ms),
        },
    };
    match node::run(options) {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("error: {error}");
            ExitCode::FAILURE
        }
    }
}
