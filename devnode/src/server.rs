//! HTTP for the JSON-RPC methods: `POST /` takes one request object, `GET /healthz`
//! says the node is up. Browsers on the allowed origins may call it (CORS). A request's
//! head and body must each arrive in time ([`Timeouts`]).
use crate::{
    chain::ChainHandle,
    rpc::{self, RpcError, MAX_PAYLOAD_BYTES},
};
use axum::{
    body::{Body, HttpBody},
    extract::{DefaultBodyLimit, State},
    http::{header, HeaderValue, Method, StatusCode},
    response::{IntoResponse, Response},
    routing::{get, post},
    Json, Router,
};
use hyper_util::{
    rt::{TokioIo, TokioTimer},
    service::TowerToHyperService,
};
use serde_json::{json, Value};
use std::{
    future::{poll_fn, Future},
    pin::pin,
    time::Duration,
};
use tokio::net::TcpListener;
use tower_http::{cors::CorsLayer, timeout::RequestBodyTimeoutLayer};
use tracing::warn;

/// How long a request may take to arrive.
#[derive(Debug, Clone, Copy)]
pub struct Timeouts {
    /// Its head, on a new connection or between requests on a kept-alive one.
    pub header: Duration,
    pub body: Duration,
}

/// The largest request body: a payload of [`MAX_PAYLOAD_BYTES`] in hex, with room for
/// the rest of a `dev_sendMessage` request.
pub const MAX_BODY_BYTES: usize = 2 * MAX_PAYLOAD_BYTES + 64 * 1024;

/// How much more than [`MAX_BODY_BYTES`] is read and dropped before a body is refused.
/// Closing a connection with bytes unread resets it, and a client still sending then
/// loses the refusal (fetch fails with EPIPE); read to the end, the 413 arrives.
const MAX_DRAINED_BYTES: usize = 4 * MAX_BODY_BYTES;

/// The node's routes, serving `chain`, open to browsers on `allowed_origins`, each
/// body within `timeouts.body`.
pub fn router(
    chain: ChainHandle,
    allowed_origins: &[String],
    timeouts: Timeouts,
) -> Result<Router, String> {
    let origins = allowed_origins
        .iter()
        .map(|origin| {
            HeaderValue::from_str(origin.trim()).map_err(|_| format!("{origin:?} is not an origin"))
        })
        .collect::<Result<Vec<_>, _>>()?;
    let cors = CorsLayer::new()
        .allow_origin(origins)
        .allow_methods([Method::POST, Method::GET])
        .allow_headers([header::CONTENT_TYPE]);
    Ok(Router::new()
        .route("/", post(call))
        .route("/healthz", get(health))
        .layer(DefaultBodyLimit::disable())
        .layer(RequestBodyTimeoutLayer::new(timeouts.body))
        .layer(cors)
        .with_state(chain))
}

/// Serves `router` on `listener` until `shutdown` completes, each request's head
/// within `timeouts.header`.
pub async fn serve(
    listener: TcpListener,
    router: Router,
    timeouts: Timeouts,
    shutdown: impl Future<Output = ()>,
) {
    let mut shutdown = pin!(shutdown);
    loop {
        let stream = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok((stream, _)) => stream,
                Err(error) => {
                    // Out of file descriptors, mostly: wait for some to close.
                    warn!(%error, "cannot accept a connection");
                    tokio::time::sleep(Duration::from_millis(100)).await;
                    continue;
                }
            },
            () = &mut shutdown => return,
        };
        let connection = hyper::server::conn::http1::Builder::new()
            .timer(TokioTimer::new())
            .header_read_timeout(timeouts.header)
            .serve_connection(
                TokioIo::new(stream),
                TowerToHyperService::new(router.clone()),
            );
        tokio::spawn(async move {
            // A client that leaves mid-request, or a head that timed out: nothing to tell.
            connection.await.ok();
        });
    }
}

async fn call(State(chain): State<ChainHandle>, body: Body) -> Response {
    match read_body(body).await {
        Ok(body) => Json(rpc::handle(&chain, &body).await).into_response(),
        Err(reason) => (
            reason.status(),
            [(header::CONNECTION, "close")],
            Json(rpc::response(
                Value::Null,
                Err(RpcError::invalid_request(reason.text())),
            )),
        )
            .into_response(),
    }
}

/// Why a request body was not read.
enum BodyRefusal {
    TooLarge,
    Broken,
}

impl BodyRefusal {
    fn status(&self) -> StatusCode {
        match self {
            Self::TooLarge => StatusCode::PAYLOAD_TOO_LARGE,
            Self::Broken => StatusCode::BAD_REQUEST,
        }
    }

    fn text(&self) -> String {
        match self {
            Self::TooLarge => format!("the request body is larger than {MAX_BODY_BYTES} bytes"),
            Self::Broken => "the request body could not be read".into(),
        }
    }
}

/// The body, if it holds at most [`MAX_BODY_BYTES`]; a larger one is read on, up to
/// [`MAX_DRAINED_BYTES`] more, and dropped, so that its refusal reaches the client.
async fn read_body(body: Body) -> Result<Vec<u8>, BodyRefusal> {
    let mut body = pin!(body);
    let mut kept = Vec::new();
    let mut seen = 0usize;
    while let Some(frame) = poll_fn(|cx| body.as_mut().poll_frame(cx)).await {
        let Ok(data) = frame.map_err(|_| BodyRefusal::Broken)?.into_data() else {
            continue;
        };
        seen = seen.saturating_add(data.len());
        if seen <= MAX_BODY_BYTES {
            kept.extend_from_slice(&data);
        } else if seen > MAX_BODY_BYTES + MAX_DRAINED_BYTES {
            break;
        }
    }
    if seen > MAX_BODY_BYTES {
        return Err(BodyRefusal::TooLarge);
    }
    Ok(kept)
}

async fn health(State(chain): State<ChainHandle>) -> Json<Value> {
    Json(json!({ "status": "ok", "block": chain.block().number }))
}
