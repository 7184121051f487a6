//! The HTTP side: the public router (socket.io, `/healthz`, `/is-already-having-stream`,
//! and the WHIP routes given)
//! with its origin guard, CORS, body timeout and per-address request limit, and the
//! operator's router (`/metrics`). The routes see the server only through [`Status`].
use crate::{
    address::AddressRange,
    config::Config,
    connections::ClientAddr,
    rates::{PerKey, Rate},
    wire,
};
use axum::{
    extract::{Query, Request, State},
    http::{header, HeaderValue, Method, StatusCode},
    middleware::{self, Next},
    response::{IntoResponse, Response},
    routing::get,
    Json, Router,
};
use serde::Deserialize;
use serde_json::{json, Value};
use socketioxide::layer::SocketIoLayer;
use std::{sync::Arc, time::Duration};
use tower_http::{
    cors::{AllowOrigin, CorsLayer},
    timeout::RequestBodyTimeoutLayer,
};
use tracing::info;
use w3bstreaming_keys::AccountId;

/// What the routes ask of the server.
pub trait Status: Send + Sync + 'static {
    /// Whether `account` is broadcasting now.
    fn is_broadcasting(&self, account: AccountId) -> bool;
    /// Every metric, in the Prometheus text format, brought up to date.
    fn metrics_text(&self) -> String;
}

type Server = Arc<dyn Status>;

/// The public router, with `routes` (WHIP's) beside its own, and the per-address
/// request limit of both (whose idle keys the server forgets now and then).
pub fn router(
    server: Server,
    socket_io: SocketIoLayer,
    routes: Router,
    config: &Config,
) -> (Router, Arc<PerKey<AddressRange>>) {
    let requests_by_address = Arc::new(PerKey::new(Rate {
        per_sec: config.requests_per_sec_per_address,
        burst: config.request_burst_per_address,
    }));
    let origins: Vec<HeaderValue> = config
        .allowed_origins
        .iter()
        .filter_map(|origin| HeaderValue::from_str(origin.trim()).ok())
        .collect();
    let cors = CorsLayer::new()
        .allow_origin(AllowOrigin::list(origins.clone()))
        .allow_methods([Method::GET, Method::POST])
        .allow_headers([header::CONTENT_TYPE]);
    let router = Router::new()
        .route("/healthz", get(healthz))
        .route("/is-already-having-stream", get(is_already_having_stream))
        .with_state(server)
        .merge(routes)
        .route_layer(middleware::from_fn_with_state(
            requests_by_address.clone(),
            limit_requests,
        ))
        .layer(socket_io)
        .layer(RequestBodyTimeoutLayer::new(Duration::from_millis(
            config.body_timeout_ms,
        )))
        .layer(cors)
        .layer(middleware::from_fn_with_state(
            Arc::new(origins),
            only_allowed_origins,
        ));
    (router, requests_by_address)
}

/// The operator's router: `/metrics` in the Prometheus text format.
pub fn metrics_router(server: Server) -> Router {
    Router::new()
        .route("/metrics", get(metrics))
        .with_state(server)
}

/// That the server answers; how much it serves is in `/metrics`, for its operator only.
async fn healthz() -> Json<Value> {
    Json(json!({ "status": "ok" }))
}

async fn metrics(State(server): State<Server>) -> Response {
    (
        [(
            header::CONTENT_TYPE,
            "application/openmetrics-text; version=1.0.0; charset=utf-8",
        )],
        server.metrics_text(),
    )
        .into_response()
}

#[derive(Deserialize)]
struct AddressQuery {
    address: String,
}

/// Whether `address` is broadcasting now: what the frontend asks before going live.
async fn is_already_having_stream(
    State(server): State<Server>,
    Query(query): Query<AddressQuery>,
) -> Response {
    match wire::account(&query.address) {
        Ok(account) => Json(server.is_broadcasting(account)).into_response(),
        Err(refusal) => (StatusCode::BAD_REQUEST, refusal.to_string()).into_response(),
    }
}

/// The server's own routes, limited per client address: each may reach the hub's lock.
async fn limit_requests(
    State(limit): State<Arc<PerKey<AddressRange>>>,
    request: Request,
    next: Next,
) -> Response {
    let address = request
        .extensions()
        .get::<ClientAddr>()
        .map(|client| AddressRange::from(client.0));
    if address.is_some_and(|address| !limit.allow(&address)) {
        return (
            StatusCode::TOO_MANY_REQUESTS,
            "Too many requests: slow down",
        )
            .into_response();
    }
    next.run(request).await
}

/// Browsers always send `Origin`; a page of any other site is turned away, for HTTP
/// and for websocket upgrades alike (CORS alone does not cover websockets). Requests
/// without one come from programs, which could send any origin anyway.
async fn only_allowed_origins(
    State(allowed): State<Arc<Vec<HeaderValue>>>,
    request: Request,
    next: Next,
) -> Response {
    match request.headers().get(header::ORIGIN) {
        Some(origin) if !allowed.contains(origin) => {
            info!(origin = ?origin, "origin refused");
            (StatusCode::FORBIDDEN, "origin not allowed").into_response()
        }
        _ => next.run(request).await,
    }
}
