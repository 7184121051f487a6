//! Every reason the WHIP endpoint turns a request down: its HTTP status, its text (the
//! response's body) and a short label for the metrics. What the program, the hub or
//! the media server refuse keeps the words a browser's `broadcast` gets.
use crate::refusal::Refusal;
use axum::{
    http::{header, StatusCode},
    response::{IntoResponse, Response},
};
use std::fmt;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum WhipError {
    /// No media server is configured: an encoder has nothing to publish to.
    NoMediaServer,
    /// The body is not `application/sdp`.
    NotSdp,
    /// The body is over this many bytes.
    TooLarge(usize),
    /// The body is not an SDP offer, for this reason.
    NotAnOffer(&'static str),
    /// No `Authorization: Bearer` header.
    NoKey,
    /// The bearer token is no stream key, or one revoked.
    UnknownKey,
    /// The session to end is not live, or not this one.
    NoSuchSession,
    /// Candidates after the offer (trickle ICE) are not taken.
    NoTrickle,
    /// Refused as a browser's `broadcast` would be.
    Refused(Refusal),
}

impl From<Refusal> for WhipError {
    fn from(refusal: Refusal) -> Self {
        Self::Refused(refusal)
    }
}

impl WhipError {
    pub fn status(&self) -> StatusCode {
        match self {
            Self::NoMediaServer => StatusCode::SERVICE_UNAVAILABLE,
            Self::NotSdp => StatusCode::UNSUPPORTED_MEDIA_TYPE,
            Self::TooLarge(_) => StatusCode::PAYLOAD_TOO_LARGE,
            Self::NotAnOffer(_) => StatusCode::BAD_REQUEST,
            Self::NoKey | Self::UnknownKey => StatusCode::UNAUTHORIZED,
            Self::NoSuchSession => StatusCode::NOT_FOUND,
            Self::NoTrickle => StatusCode::METHOD_NOT_ALLOWED,
            Self::Refused(refusal) => match refusal {
                Refusal::NotScheduled(_) => StatusCode::NOT_FOUND,
                Refusal::NotTheBroadcaster(_) | Refusal::Ended(_) => StatusCode::FORBIDDEN,
                Refusal::AlreadyBroadcasting => StatusCode::CONFLICT,
                Refusal::TooManyJoinsByAccount
                | Refusal::TooManyJoinsFromAddress
                | Refusal::TooManyChainQueriesFromAddress => StatusCode::TOO_MANY_REQUESTS,
                Refusal::ChainUnavailable(_)
                | Refusal::InstancesUnreachable
                | Refusal::MediaUnavailable(_)
                | Refusal::StreamKeysUnavailable => StatusCode::SERVICE_UNAVAILABLE,
                _ => StatusCode::BAD_REQUEST,
            },
        }
    }

    /// A short fixed name of the reason, for metrics labels.
    pub fn reason(&self) -> &'static str {
        match self {
            Self::NoMediaServer => "no_media_server",
            Self::NotSdp => "not_sdp",
            Self::TooLarge(_) => "too_large",
            Self::NotAnOffer(_) => "not_an_offer",
            Self::NoKey => "no_key",
            Self::UnknownKey => "unknown_key",
            Self::NoSuchSession => "no_such_session",
            Self::NoTrickle => "no_trickle",
            Self::Refused(refusal) => refusal.reason(),
        }
    }
}

impl fmt::Display for WhipError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::NoMediaServer => write!(
                f,
                "This server has no media server: publish from the stream page in a browser"
            ),
            Self::NotSdp => write!(f, "Send the offer as application/sdp"),
            Self::TooLarge(max) => write!(f, "The offer is larger than {max} bytes"),
            Self::NotAnOffer(why) => write!(f, "The body is not an SDP offer: {why}"),
            Self::NoKey => write!(
                f,
                "Send your stream key as the bearer token (Authorization: Bearer <key>)"
            ),
            Self::UnknownKey => write!(
                f,
                "This stream key is not valid: it was revoked, or never made. Make one on the stream page"
            ),
            Self::NoSuchSession => write!(f, "No such WHIP session is live"),
            Self::NoTrickle => write!(
                f,
                "Candidates after the offer are not taken: put them in the offer"
            ),
            Self::Refused(refusal) => refusal.fmt(f),
        }
    }
}

impl IntoResponse for WhipError {
    fn into_response(self) -> Response {
        let status = self.status();
        let text = format!("{self}\n");
        let mut response = (
            status,
            [(header::CONTENT_TYPE, "text/plain; charset=utf-8")],
            text,
        )
            .into_response();
        let headers = response.headers_mut();
        match status {
            StatusCode::UNAUTHORIZED => {
                headers.insert(
                    header::WWW_AUTHENTICATE,
                    "Bearer".parse().expect("a header"),
                );
            }
            StatusCode::METHOD_NOT_ALLOWED => {
                headers.insert(header::ALLOW, "DELETE".parse().expect("a header"));
            }
            _ => {}
        }
        response
    }
}
