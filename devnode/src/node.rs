//! The local chain as a process: reads the program, starts the chain (with the demo
//! world if asked), serves it until Ctrl-C or SIGTERM. The binary only reads its
//! flags; this runs on a runtime of its own, so that its code is compiled in this
//! crate once, not again in the binary.
use crate::{
    chain::{ChainHandle, ChainState},
    demo,
    server::{self, Timeouts},
};
use serde_json::json;
use std::{io::IsTerminal, net::SocketAddr, path::PathBuf};
use tokio::net::TcpListener;
use tracing::info;
use tracing_subscriber::EnvFilter;

/// What the node serves, and how.
pub struct Options {
    pub listen: SocketAddr,
    pub program_wasm: PathBuf,
    pub allowed_origins: Vec<String>,
    /// The demo world, with this many more followers of Alice; none without.
    pub demo_viewers: Option<usize>,
    pub block_interval_ms: u64,
    pub timeouts: Timeouts,
}

/// Logs to stderr at `RUST_LOG`'s levels (this crate's info and everyone's warnings
/// by default): each queued message with its sender and nonce.
pub fn log_to_stderr() {
    tracing_subscriber::fmt()
        .with_env_filter(
            EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| EnvFilter::new("w3bstreaming_devnode=info,warn")),
        )
        .with_writer(std::io::stderr)
        .with_ansi(std::io::stderr().is_terminal())
        .init();
}

/// Runs the node until Ctrl-C or SIGTERM. Prints one JSON line on stdout once it
/// serves, for people and scripts.
pub fn run(options: Options) -> Result<(), String> {
    tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(|error| format!("cannot start the runtime: {error}"))?
        .block_on(serve(options))
}

async fn serve(options: Options) -> Result<(), String> {
    let wasm = std::fs::read(&options.program_wasm).map_err(|error| {
        format!(
            "cannot read the program {}: {error} (build it with cargo build --release)",
            options.program_wasm.display()
        )
    })?;
    let interval = options.block_interval_ms;
    let (chain, demo) = match options.demo_viewers {
        Some(viewers) => {
            let setup = move |state: &mut ChainState| demo::setup(state, viewers).map(Some);
            ChainHandle::start_every(interval, wasm, Box::new(setup))?
        }
        None => {
            let setup = |_: &mut ChainState| Ok(None);
            ChainHandle::start_every(interval, wasm, Box::new(setup))?
        }
    };
    let router = server::router(chain.clone(), &options.allowed_origins, options.timeouts)?;
    let listener = TcpListener::bind(options.listen)
        .await
        .map_err(|error| format!("cannot listen on {}: {error}", options.listen))?;
    let address = listener.local_addr().map_err(|error| error.to_string())?;
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
    server::serve(listener, router, options.timeouts, shutdown()).await;
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
