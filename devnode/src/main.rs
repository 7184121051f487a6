use clap::Parser;
use serde_json::json;
use std::{io::IsTerminal, net::SocketAddr, path::PathBuf, process::ExitCode};
use tokio::net::TcpListener;
use tracing::info;
use tracing_subscriber::EnvFilter;
use w3bstreaming_devnode::{
    chain::{ChainHandle, ChainState, BLOCK_MS},
    demo, server,
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
}

#[tokio::main]
async fn main() -> ExitCode {
    let config = Config::parse();
    tracing_subscriber::fmt()
        .with_env_filter(
            EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| EnvFilter::new("w3bstreaming_devnode=info,warn")),
        )
        .with_writer(std::io::stderr)
        .with_ansi(std::io::stderr().is_terminal())
        .init();
    match run(config).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("error: {error}");
            ExitCode::FAILURE
        }
    }
}

async fn run(config: Config) -> Result<(), String> {
    let wasm = std::fs::read(&config.program_wasm).map_err(|error| {
        format!(
            "cannot read the program {}: {error} (build it with cargo build --release)",
            config.program_wasm.display()
        )
    })?;
    let viewers = config.demo_viewers;
    let interval = config.block_interval_ms;
    let (chain, demo) = match config.demo {
        true => {
            let setup = move |state: &mut ChainState| demo::setup(state, viewers).map(Some);
            ChainHandle::start_every(interval, wasm, Box::new(setup))?
        }
        false => {
            let setup = |_: &mut ChainState| Ok(None);
            ChainHandle::start_every(interval, wasm, Box::new(setup))?
        }
    };
    let router = server::router(chain.clone(), &config.allowed_origins)?;
    let listener = TcpListener::bind(config.listen)
        .await
        .map_err(|error| format!("cannot listen on {}: {error}", config.listen))?;
    let address = listener.local_addr().map_err(|error| error.to_string())?;
    // One line on stdout, for scripts and tests that start the node.
    println!(
        "{}",
        json!({
            "rpc": format!("http://{address}"),
            "programId": chain.program_id.to_string(),
            "chain": format!("0x{}", hex::encode(chain.genesis)),
            "demo": demo,
        })
    );
    info!(%address, "listening");
    axum::serve(listener, router)
        .with_graceful_shutdown(shutdown())
        .await
        .map_err(|error| error.to_string())?;
    info!("stopped");
    Ok(())
}

async fn shutdown() {
    let interrupt = tokio::signal::ctrl_c();
    let mut terminate = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())
        .expect("install the SIGTERM handler");
    tokio::select! {
        _ = interrupt => {}
        _ = terminate.recv() => {}
    }
    info!("shutting down");
}
