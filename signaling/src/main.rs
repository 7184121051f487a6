use clap::Parser;
use serde_json::json;
use socketioxide::SocketIo;
use std::{io::IsTerminal, process::ExitCode, sync::Arc, time::Duration};
use tokio::net::TcpListener;
use tracing::info;
use tracing_subscriber::EnvFilter;
use w3bstreaming_signaling::{
    app,
    chain::rpc::RpcChain,
    config::Config,
    connections::{self, Admission, Caps},
};

/// Open files kept for what is not a client connection: the log, the chain client's
/// sockets, the runtime.
const RESERVED_FILES: u64 = 64;

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
    let timeout = Duration::from_millis(config.rpc_timeout_ms);
    let chain = Arc::new(RpcChain::new(&config.rpc_url, config.program_id, timeout));
    let caps = Caps {
        total: config.max_connections.min(connection_limit()),
        per_address: config.max_connections_per_address,
    };
    let admission = Admission::new(caps);
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
    let server = app::build(&config, public_urls, chain).await?;
    let mut started = json!({ "listening": address.to_string() });
    if let Some(metrics_address) = config.metrics_listen {
        let listener = TcpListener::bind(metrics_address)
            .await
            .map_err(|error| format!("cannot listen on {metrics_address}: {error}"))?;
        let bound = listener.local_addr().map_err(|error| error.to_string())?;
        started["metrics"] = json!(bound.to_string());
        info!(address = %bound, "serving metrics");
        let metrics = server.metrics;
        tokio::spawn(async move { axum::serve(listener, metrics).await });
    }
    // One line on stdout, for scripts and tests that start the server.
    println!("{started}");
    info!(%address, program = %config.program_id, max_connections = caps.total, "listening");
    connections::serve(
        listener,
        server.router,
        admission,
        Duration::from_millis(config.header_timeout_ms),
        shutdown(server.io),
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
