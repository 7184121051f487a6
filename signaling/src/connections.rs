//! The TCP connections the server accepts: how many it holds at once, in all and from
//! one address, and how long an HTTP request may take to arrive. Every socket.io
//! connection (websocket or long-polling) and every HTTP request comes through here.
use crate::metrics::Label;
use axum::{extract::Request, Router};
use hyper::body::Incoming;
use hyper_util::{
    rt::{TokioIo, TokioTimer},
    service::TowerToHyperService,
};
use prometheus_client::metrics::{counter::Counter, family::Family};
use std::{
    collections::HashMap,
    future::Future,
    io,
    net::{IpAddr, SocketAddr},
    pin::Pin,
    sync::{Arc, Mutex},
    task::{Context, Poll},
    time::Duration,
};
use tokio::{
    io::{AsyncRead, AsyncWrite, ReadBuf},
    net::{TcpListener, TcpStream},
};
use tower::ServiceExt;
use tracing::{debug, warn};

/// The address a request came from, in every request's extensions (socket.io
/// connections read it from their request parts).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct ClientAddr(pub IpAddr);

/// How many connections may be open at once.
#[derive(Debug, Clone, Copy)]
pub struct Caps {
    pub total: usize,
    pub per_address: usize,
}

/// Why a connection was not admitted.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Full {
    Total,
    Address,
}

impl Full {
    /// Its label in the metrics.
    pub fn label(self) -> &'static str {
        match self {
            Self::Total => "total",
            Self::Address => "address",
        }
    }
}

/// Open connections, in all and per address.
#[derive(Debug)]
struct Open {
    caps: Caps,
    total: usize,
    by_address: HashMap<IpAddr, usize>,
}

impl Open {
    fn admit(&mut self, address: IpAddr) -> Result<(), Full> {
        if self.total >= self.caps.total {
            return Err(Full::Total);
        }
        let from_address = self.by_address.entry(address).or_default();
        if *from_address >= self.caps.per_address {
            return Err(Full::Address);
        }
        *from_address += 1;
        self.total += 1;
        Ok(())
    }

    fn release(&mut self, address: IpAddr) {
        self.total -= 1;
        if let Some(from_address) = self.by_address.get_mut(&address) {
            *from_address -= 1;
            if *from_address == 0 {
                self.by_address.remove(&address);
            }
        }
    }
}

/// The connections admitted so far and still open, and a count of those refused.
#[derive(Debug, Clone)]
pub struct Admission {
    open: Arc<Mutex<Open>>,
    refused: Family<Label, Counter>,
}

impl Admission {
    pub fn new(caps: Caps, refused: Family<Label, Counter>) -> Self {
        Self {
            open: Arc::new(Mutex::new(Open {
                caps,
                total: 0,
                by_address: HashMap::new(),
            })),
            refused,
        }
    }

    /// `stream` from `address`, counted until it is dropped, or why it may not open.
    pub fn admit<S>(&self, stream: S, address: IpAddr) -> Result<Counted<S>, Full> {
        self.lock().admit(address).inspect_err(|full| {
            self.refused.get_or_create(&[("cap", full.label())]).inc();
        })?;
        Ok(Counted {
            stream,
            address,
            admission: self.clone(),
        })
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Open> {
        self.open.lock().expect("admission lock")
    }
}

/// An admitted stream. It is counted for as long as it lives, which for a websocket is
/// past the HTTP upgrade, until the socket closes.
pub struct Counted<S> {
    stream: S,
    address: IpAddr,
    admission: Admission,
}

impl<S> Drop for Counted<S> {
    fn drop(&mut self) {
        self.admission.lock().release(self.address);
    }
}

impl<S: AsyncRead + Unpin> AsyncRead for Counted<S> {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        Pin::new(&mut self.stream).poll_read(cx, buf)
    }
}

impl<S: AsyncWrite + Unpin> AsyncWrite for Counted<S> {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.stream).poll_write(cx, buf)
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.stream).poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.stream).poll_shutdown(cx)
    }
}

/// Serves `router` on `listener` until `shutdown` completes (which closes the
/// socket.io connections first). A connection over a cap is closed as it is accepted;
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
    let service = router
        .clone()
        .map_request(move |mut request: Request<Incoming>| {
            request.extensions_mut().insert(ClientAddr(address));
            request
        });
    let connection = hyper::server::conn::http1::Builder::new()
        .timer(TokioTimer::new())
        .header_read_timeout(header_timeout)
        .serve_connection(TokioIo::new(stream), TowerToHyperService::new(service))
        .with_upgrades();
    Some(connection)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn caps_count_per_address_and_in_all_until_the_stream_is_dropped() {
        let refused = Family::<Label, Counter>::default();
        let admission = Admission::new(
            Caps {
                total: 3,
                per_address: 2,
            },
            refused.clone(),
        );
        let [a, b, c]: [IpAddr; 3] =
            [[127, 0, 0, 1], [127, 0, 0, 2], [127, 0, 0, 3]].map(Into::into);
        let first = admission.admit((), a).unwrap();
        let _second = admission.admit((), a).unwrap();
        assert_eq!(admission.admit((), a).err(), Some(Full::Address));
        let _third = admission.admit((), b).unwrap();
        assert_eq!(admission.admit((), c).err(), Some(Full::Total));
        let count = |cap| refused.get_or_create(&[("cap", cap)]).get();
        assert_eq!((count("address"), count("total")), (1, 1));
        drop(first);
        assert_eq!(admission.lock().total, 2);
        assert!(
            admission.admit((), a).is_ok(),
            "a closed one frees its place"
        );
    }
}
