//! The TCP connections the server accepts: how many it holds at once ([`admission`]),
//! and how long an HTTP request may take to arrive. Every socket.io connection
//! (websocket or long-polling) and every HTTP request comes through here.
mod admission;

pub use admission::{Admission, Caps, Counted, Full, Place};
use axum::{extract::Request, Router};
use hyper::body::Incoming;
use hyper_util::{
    rt::{TokioIo, TokioTimer},
    service::TowerToHyperService,
};
use std::{
    future::Future,
    net::{IpAddr, SocketAddr},
    pin::Pin,
    time::Duration,
};
use tokio::net::{TcpListener, TcpStream};
use tower::ServiceExt;
use tracing::{debug, warn};

/// The address a request came from, in every request's extensions beside its
/// connection's [`Place`] (socket.io connections read both from their request parts).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct ClientAddr(pub IpAddr);

/// Serves `router` on `listener` until `shutdown` completes (which closes the
/// socket.io connections first). A connection over a cap is closed as it is accepted
/// (or takes the place of a stranger's, see [`admission`]);
/// a request whose head has not arrived `header_timeout` after the connection was
/// ready for it (a new connection, or a kept-alive one between requests) is dropped.
pub async fn serve(
    listener: TcpListener,
    router: Router,
    admission: Admission,
    header_timeout: Duration,
    mut shutdown: Pin<Box<dyn Future<Output = ()> + Send>>,
) {
    loop {
        let (stream, peer) = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok(accepted) => accepted,
                Err(error) => {
                    // Out of file descriptors, mostly: wait for some to close.
                    warn!(%error, "cannot accept a connection");
                    tokio::time::sleep(Duration::from_millis(100)).await;
                    continue;
                }
            },
            () = &mut shutdown => break,
        };
        if let Some(connection) = connection(&admission, stream, peer, &router, header_timeout) {
            tokio::spawn(async move {
                // A peer that leaves mid-request, or a timed-out head: nothing to tell.
                connection.await.ok();
            });
        }
    }
}

/// The HTTP connection that serves `stream`, if a cap lets it open.
fn connection(
    admission: &Admission,
    stream: TcpStream,
    peer: SocketAddr,
    router: &Router,
    header_timeout: Duration,
) -> Option<impl Future<Output = Result<(), hyper::Error>> + Send> {
    let address = peer.ip();
    let stream = match admission.admit(stream, address) {
        Ok(stream) => stream,
        Err(full) => {
            debug!(%address, ?full, "connection refused: too many open");
            return None;
        }
    };
    let place = stream.place().clone();
    let service = router
        .clone()
        .map_request(move |mut request: Request<Incoming>| {
            request.extensions_mut().insert(ClientAddr(address));
            request.extensions_mut().insert(place.clone());
            request
        });
    let connection = hyper::server::conn::http1::Builder::new()
        .timer(TokioTimer::new())
        .header_read_timeout(header_timeout)
        .serve_connection(TokioIo::new(stream), TowerToHyperService::new(service))
        .with_upgrades();
    Some(connection)
}
