//! WHIP (RFC 9725): an encoder such as OBS publishes a stream to the media server
//! with one HTTP request, its SDP offer, carrying a stream key as bearer token
//! ([`crate::stream_keys`]); the answer comes back in the response, with the address of the
//! session, which a DELETE ends. The stream is then live exactly as a browser's is:
//! the same checks of the program (scheduled, this account's, not ended), the same
//! hub, and the same followers watching. Its connection in the hub is a name made up
//! here (`events::encoders`), which no socket holds. Without ICE from the encoder after its
//! offer (OBS sends none), a PATCH is answered 405, as the RFC asks.
mod refusals;

pub use refusals::WhipError;

use crate::{
    address::AddressRange,
    cluster::ConnId,
    connections::ClientAddr,
    events::{media::publish_feed, media_servers::first_reachable},
    hub::{Op, Via},
    refusal::Refusal,
    server::Signaling,
    stream_keys::KeyDigest,
    wire,
};
use axum::{
    body::Bytes,
    extract::{rejection::BytesRejection, DefaultBodyLimit, Path, State},
    http::{header, HeaderMap, StatusCode},
    response::{IntoResponse, Response},
    routing::post,
    Extension, Router,
};
use serde_json::json;
use socketioxide::socket::Sid;
use std::{
    net::{IpAddr, Ipv4Addr},
    sync::Arc,
};
use tracing::info;
use w3bstreaming_keys::AccountId;

/// `POST /whip/{stream id}` and `DELETE /whip/{stream id}/{session}`.
pub(crate) fn routes(signaling: Arc<Signaling>) -> Router {
    let max_sdp = signaling.config.max_sdp_bytes;
    Router::new()
        .route("/whip/{stream_id}", post(offer))
        .route(
            "/whip/{stream_id}/{session}",
            axum::routing::delete(end).patch(no_trickle),
        )
        .layer(DefaultBodyLimit::max(max_sdp))
        .with_state(signaling)
}

async fn offer(
    State(signaling): State<Arc<Signaling>>,
    Path(stream_id): Path<String>,
    client: Option<Extension<ClientAddr>>,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Response {
    let range = range_of(client);
    let outcome = publish(&signaling, &stream_id, &headers, body, range).await;
    signaling
        .metrics
        .whip_request("publish", outcome_label(&outcome));
    match outcome {
        Ok((session, answer)) => {
            let location = format!("/whip/{}/{session}", encode_segment(&stream_id));
            (
                StatusCode::CREATED,
                [
                    (header::CONTENT_TYPE, "application/sdp".to_string()),
                    (header::LOCATION, location),
                ],
                answer,
            )
                .into_response()
        }
        Err(error) => error.into_response(),
    }
}

/// Checks an encoder's offer as a browser's `broadcast` is checked, puts its stream
/// live and publishes it: the session's name and the media server's SDP answer.
async fn publish(
    signaling: &Arc<Signaling>,
    stream_id: &str,
    headers: &HeaderMap,
    body: Result<Bytes, BytesRejection>,
    range: AddressRange,
) -> Result<(String, String), WhipError> {
    if signaling.media.is_none() {
        return Err(WhipError::NoMediaServer);
    }
    let content_type = headers
        .get(header::CONTENT_TYPE)
        .and_then(|value| value.to_str().ok())
        .unwrap_or("");
    if !is_sdp(content_type) {
        return Err(WhipError::NotSdp);
    }
    let body = body.map_err(|rejection| match rejection.status() {
        StatusCode::PAYLOAD_TOO_LARGE => WhipError::TooLarge(signaling.config.max_sdp_bytes),
        _ => WhipError::NotAnOffer("its body could not be read"),
    })?;
    let sdp = sdp_offer(&body)?;
    let (account, key) = bearer_account(signaling, headers).await?;
    let stream_id = wire::stream_id(stream_id)?;
    if !signaling.joins_by_account.allow(&account) {
        return Err(Refusal::TooManyJoinsByAccount.into());
    }
    crate::events::may_broadcast(signaling, account, stream_id, range).await?;
    let media = signaling.media.as_ref().expect("checked above");
    first_reachable(signaling, media)
        .await
        .map_err(|error| Refusal::MediaUnavailable(error.to_string()))?;
    let conn = ConnId {
        instance: signaling.me,
        sid: Sid::new(),
    };
    // Known before the hub hears of it, which then takes it for a connection that is
    // open.
    signaling.encoders.add(conn.sid, key);
    let live = signaling
        .change(Op::Broadcast {
            conn,
            broadcaster: account,
            stream_id: stream_id.into(),
            via: Via::MediaServer,
        })
        .await;
    if let Err(refusal) = live {
        signaling.encoders.forget(conn.sid);
        return Err(refusal.into());
    }
    let offer = json!({ "type": "offer", "sdp": sdp });
    // The simulcast layers of an encoder come largest first (RFC 8853's order), which
    // Janus assumes.
    match publish_feed(signaling, conn, stream_id, offer, None).await {
        Ok(answer) => {
            info!(%account, stream_id, "an encoder publishes over WHIP");
            let answer = answer["sdp"].as_str().unwrap_or_default().to_string();
            Ok((session_name(conn), answer))
        }
        Err(refusal) => {
            let stop = Op::StopBroadcast {
                conn,
                stream_id: stream_id.into(),
            };
            signaling.change(stop).await.ok();
            signaling.encoders.forget(conn.sid);
            Err(refusal.into())
        }
    }
}

/// `DELETE` on the session's address: the stream ends, as a browser's End stream ends it.
async fn end(
    State(signaling): State<Arc<Signaling>>,
    Path((stream_id, session)): Path<(String, String)>,
    headers: HeaderMap,
) -> Response {
    let outcome = stop(&signaling, &stream_id, &session, &headers).await;
    signaling
        .metrics
        .whip_request("end", outcome_label(&outcome));
    match outcome {
        Ok(()) => StatusCode::OK.into_response(),
        Err(error) => error.into_response(),
    }
}

async fn stop(
    signaling: &Arc<Signaling>,
    stream_id: &str,
    session: &str,
    headers: &HeaderMap,
) -> Result<(), WhipError> {
    let (account, _) = bearer_account(signaling, headers).await?;
    let conn = parse_session(session).ok_or(WhipError::NoSuchSession)?;
    match signaling.lock().broadcast_of(stream_id) {
        Some((live, broadcaster)) if live == conn && broadcaster == account => {}
        Some((live, _)) if live == conn => {
            return Err(Refusal::NotTheBroadcaster(stream_id.into()).into())
        }
        _ => return Err(WhipError::NoSuchSession),
    }
    let stream_id = stream_id.to_string();
    info!(%account, stream_id, "an encoder ends its stream over WHIP");
    Ok(signaling
        .change(Op::StopBroadcast { conn, stream_id })
        .await?)
}

async fn no_trickle(State(signaling): State<Arc<Signaling>>) -> Response {
    signaling
        .metrics
        .whip_request("trickle", WhipError::NoTrickle.reason());
    WhipError::NoTrickle.into_response()
}

/// The account whose stream key the request carries as its bearer token.
/// The account whose stream key the request shows, and the key's digest.
async fn bearer_account(
    signaling: &Signaling,
    headers: &HeaderMap,
) -> Result<(AccountId, KeyDigest), WhipError> {
    let secret = headers
        .get(header::AUTHORIZATION)
        .and_then(|value| value.to_str().ok())
        .and_then(|value| value.strip_prefix("Bearer "))
        .ok_or(WhipError::NoKey)?;
    signaling
        .stream_keys
        .owner(secret.trim())
        .await?
        .ok_or(WhipError::UnknownKey)
}

fn is_sdp(content_type: &str) -> bool {
    content_type
        .split(';')
        .next()
        .is_some_and(|kind| kind.trim().eq_ignore_ascii_case("application/sdp"))
}

/// The body, if it is an SDP offer with something to send.
fn sdp_offer(body: &[u8]) -> Result<&str, WhipError> {
    let sdp = std::str::from_utf8(body).map_err(|_| WhipError::NotAnOffer("it is not UTF-8"))?;
    if !sdp.starts_with("v=0") {
        return Err(WhipError::NotAnOffer("it does not start with v=0"));
    }
    if !sdp.lines().any(|line| line.starts_with("m=")) {
        return Err(WhipError::NotAnOffer("it has no media"));
    }
    Ok(sdp)
}

/// An encoder's session is named by the connection it is in the hub, so that any
/// instance can end it.
fn session_name(conn: ConnId) -> String {
    format!("{}.{}", conn.instance, conn.sid)
}

fn parse_session(name: &str) -> Option<ConnId> {
    let (instance, sid) = name.split_once('.')?;
    Some(ConnId {
        instance: crate::cluster::InstanceId(u64::from_str_radix(instance, 16).ok()?),
        sid: sid.parse().ok()?,
    })
}

/// How a request ended, as the metrics label it.
fn outcome_label<T>(outcome: &Result<T, WhipError>) -> &'static str {
    outcome.as_ref().map_or_else(WhipError::reason, |_| "ok")
}

/// `text` as one path segment.
fn encode_segment(text: &str) -> String {
    text.bytes()
        .map(|byte| match byte {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' => {
                (byte as char).to_string()
            }
            _ => format!("%{byte:02X}"),
        })
        .collect()
}

fn range_of(client: Option<Extension<ClientAddr>>) -> AddressRange {
    client
        .map_or(IpAddr::V4(Ipv4Addr::UNSPECIFIED), |Extension(client)| {
            client.0
        })
        .into()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_session_name_reads_back_and_nothing_else_does() {
        let conn = ConnId {
            instance: crate::cluster::InstanceId(0x0123_4567_89ab_cdef),
            sid: Sid::new(),
        };
        assert_eq!(parse_session(&session_name(conn)), Some(conn));
        for name in ["", ".", "x.y", "0123456789abcdef", "zz.AAAAAAAAAAAAAAAA"] {
            assert_eq!(parse_session(name), None, "{name}");
        }
    }

    #[test]
    fn only_an_sdp_offer_with_media_is_one() {
        assert!(is_sdp("application/sdp"));
        assert!(is_sdp("Application/SDP; charset=utf-8"));
        assert!(!is_sdp("application/json"));
        assert!(!is_sdp(""));
        assert!(sdp_offer(b"v=0\r\nm=video 9 UDP/TLS/RTP/SAVPF 96\r\n").is_ok());
        assert_eq!(
            sdp_offer(b"v=0\r\ns=-\r\n"),
            Err(WhipError::NotAnOffer("it has no media"))
        );
        assert_eq!(
            sdp_offer(b"{\"sdp\":1}"),
            Err(WhipError::NotAnOffer("it does not start with v=0"))
        );
        assert_eq!(
            sdp_offer(&[b'v', b'=', b'0', 0xff]),
            Err(WhipError::NotAnOffer("it is not UTF-8"))
        );
    }

    #[test]
    fn a_stream_id_is_one_path_segment() {
        assert_eq!(
            encode_segment("12 a/b?c#d%é"),
            "12%20a%2Fb%3Fc%23d%25%C3%A9"
        );
        assert_eq!(encode_segment("Az09-._~"), "Az09-._~");
    }
}
