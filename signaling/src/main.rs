use clap::Parser;
use serde_json::json;
use socketioxide::SocketIo;
use std::{io::IsTerminal, process::ExitCode, sync::Arc, time::Duration};
use tokio::net::TcpListener;
use tracing::info;
use tracing_subscriber::EnvFilter;
use w3bstreaming_signaling::{
    chain::{embedded::EmbeddedChain, rpc::RpcChain, Chain},
    config::{ChainKind, Config},
    demo, server,
};

#[tokio::main]
async fn main() -> ExitCode {
    let config = Config::parse();
    if let Err(error) = config.check() {
        eprintln!("error: {error}");
        return ExitCode::from(2);
    }
    // Logs name accounts, streams and outcomes; never signatures or SDP.
    tracing_subscriber::fmt()
        .with_env_filter(
            EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| EnvFilter::new("w3bstreaming_signaling=info,warn")),
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
    let (chain, demo): (Arc<dyn Chain>, _) = match config.chain {
        ChainKind::Rpc => {
            let url = config.rpc_url.as_deref().expect("clap requires --rpc-url");
            let program = config.program_id.expect("clap requires --program-id");
            let timeout = Duration::from_millis(config.rpc_timeout_ms);
            (Arc::new(RpcChain::new(url, program, timeout)), None)
        }
        ChainKind::Embedded => {
            let wasm = std::fs::read(&config.program_wasm).map_err(|error| {
                format!(
                    "cannot read the program {}: {error}",
                    config.program_wasm.display()
                )
            })?;
            let chain = EmbeddedChain::start(wasm);
            let demo = match config.demo {
                true => Some(demo::setup(&chain, config.demo_viewers).await?),
                false => None,
            };
            (Arc::new(chain), demo)
        }
    };
    let server = server::build(&config, chain);
    let listener = TcpListener::bind(config.listen)
        .await
        .map_err(|error| format!("cannot listen on {}: {error}", config.listen))?;
    let address = listener.local_addr().map_err(|error| error.to_string())?;
    // One line on stdout, for scripts and tests that start the server.
    println!(
        "{}",
        json!({ "listening": address.to_string(), "demo": demo })
    );
    info!(%address, chain = ?config.chain, "listening");
    axum::serve(listener, server.router)
        .with_graceful_shutdown(shutdown(server.io))
        .await
        .map_err(|error| error.to_string())?;
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
