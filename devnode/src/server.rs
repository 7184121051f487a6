//! HTTP for the JSON-RPC methods: `POST /` takes one request object, `GET /healthz`
//! says the node is up. Browsers on the allowed origins may call it (CORS).
use crate::{
    chain::ChainHandle,
    rpc::{self, RpcError, MAX_PAYLOAD_BYTES},
};
use axum::{
    body::{to_bytes, Body},
    extract::{DefaultBodyLimit, State},
    http::{header, HeaderValue, Method, StatusCode},
    response::IntoResponse,
    routing::{get, post},
    Json, Router,
};
use serde_json::{json, Value};
use tower_http::cors::CorsLayer;

/// The largest request body: a payload of [`MAX_PAYLOAD_BYTES`] in hex, with room for
/// the rest of a `dev_sendMessage` request.
pub const MAX_BODY_BYTES: usize = 2 * MAX_PAYLOAD_BYTES + 64 * 1024;

/// The node's routes, serving `chain`, open to browsers on `allowed_origins`.
pub fn router(chain: ChainHandle, allowed_origins: &[String]) -> Result<Router, String> {
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
        .layer(cors)
        .with_state(chain))
}

async fn call(State(chain): State<ChainHandle>, body: Body) -> impl IntoResponse {
    match to_bytes(body, MAX_BODY_BYTES).await {
        Ok(body) => (StatusCode::OK, Json(rpc::handle(&chain, &body).await)),
        Err(_) => {
            let error = RpcError::invalid_request(format!(
                "the request body is larger than {MAX_BODY_BYTES} bytes"
            ));
            (
                StatusCode::PAYLOAD_TOO_LARGE,
                Json(rpc::response(Value::Null, Err(error))),
            )
        }
    }
}

async fn health(State(chain): State<ChainHandle>) -> Json<Value> {
    Json(json!({ "status": "ok", "block": chain.block().number }))
}
