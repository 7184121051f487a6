//! A client of Janus's HTTP API (its "REST" transport): one session per signaling
//! instance, kept alive by a long poll that also brings the answers Janus gives later.
//! A plugin request is answered at once (`success`) or acknowledged (`ack`) and
//! answered by an event carrying the request's transaction. Every request carries the
//! API secret: without it Janus answers nothing, so only this server drives it.
use super::ServerId;
use crate::refusal::Refusal;
use serde_json::{json, Value};
use std::{
    collections::HashMap,
    fmt,
    sync::{
        atomic::{AtomicBool, AtomicU64, Ordering},
        Arc, Mutex,
    },
    time::Duration,
};
use tokio::sync::{mpsc::UnboundedSender, oneshot};
use tracing::{debug, warn};

/// Events one poll may bring.
const POLL_EVENTS: usize = 16;
/// Janus ends a poll after 30 s with a keepalive.
const POLL_WITHIN: Duration = Duration::from_secs(40);

/// Why Janus did not do what was asked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum JanusError {
    /// No answer at all: Janus is down, or out of reach.
    Unreachable(String),
    /// Janus, or its plugin, refused: its code and words.
    Refused { code: i64, reason: String },
    /// Acknowledged, but not answered within the time given.
    NoAnswer,
    /// The session the request belonged to has ended (Janus restarted, or timed it out).
    SessionGone,
    /// A peer connection with Janus did not come up within this many milliseconds.
    NotConnected(u64),
}

impl JanusError {
    /// Whether the media server is gone (down, hung, or its session ended), rather
    /// than that it turned the request down.
    pub fn is_loss(&self) -> bool {
        matches!(
            self,
            Self::Unreachable(_) | Self::NoAnswer | Self::SessionGone
        )
    }
}

impl fmt::Display for JanusError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Unreachable(error) => write!(f, "the media server is unreachable ({error})"),
            Self::Refused { code, reason } => {
                write!(f, "the media server refused ({code}: {reason})")
            }
            Self::NoAnswer => write!(f, "the media server did not answer in time"),
            Self::SessionGone => write!(f, "the media server's session ended"),
            Self::NotConnected(ms) => write!(
                f,
                "no peer connection with the media server came up within {ms} ms"
            ),
        }
    }
}

/// Janus's refusal as the client hears it: an offer Janus cannot read or take is the
/// client's to change; anything else is the media server's.
pub fn refusal_of(error: JanusError) -> Refusal {
    warn!(%error, "media server");
    match error {
        JanusError::Refused { code, .. } if OFFER_REFUSED.contains(&code) => {
            Refusal::OfferRefused(error.to_string())
        }
        error => Refusal::MediaUnavailable(error.to_string()),
    }
}

/// Janus's codes for an SDP it cannot take: the VideoRoom's invalid SDP type (431) and
/// invalid SDP (437); the core's invalid JSON object (455: the description is the only
/// object a client gives it), unknown JSEP type (464), invalid SDP (465), element of
/// the wrong type (467) and unexpected answer (469).
const OFFER_REFUSED: [i64; 7] = [431, 437, 455, 464, 465, 467, 469];

/// A plugin's answer: what it says, and the SDP it sent with it, if any.
#[derive(Debug, Clone)]
pub struct PluginAnswer {
    pub data: Value,
    pub jsep: Option<Value>,
}

/// One attachment to the VideoRoom plugin: a publisher's, a relay's or a subscriber's.
#[derive(Debug, Clone)]
pub struct Handle {
    session: Arc<Session>,
    id: HandleId,
}

/// A handle as Janus names it in what it says: the media server it is on, and its
/// number there.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct HandleId {
    pub server: ServerId,
    pub number: u64,
}

impl Handle {
    /// The session it belongs to, and goes with.
    pub fn session(&self) -> u64 {
        self.session.id
    }

    pub fn id(&self) -> HandleId {
        self.id
    }

    fn path(&self) -> String {
        format!("/{}/{}", self.session.id, self.id.number)
    }
}

#[derive(Debug)]
struct Session {
    id: u64,
    /// Requests acknowledged and not yet answered, by transaction.
    waiting: Mutex<HashMap<String, oneshot::Sender<Value>>>,
    alive: AtomicBool,
}

/// The client: which Janus, where it is, and the session in use.
pub struct Janus {
    server: ServerId,
    http: reqwest::Client,
    url: String,
    secret: String,
    answer_within: Duration,
    session: tokio::sync::Mutex<Option<Arc<Session>>>,
    transactions: AtomicU64,
    /// Told what Janus says of its own accord, and of each session lost.
    news: UnboundedSender<News>,
}

/// What Janus says without being asked, as far as the media tier listens.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum News {
    /// The session ended under the client: every handle in it is gone.
    SessionLost { server: ServerId, session: u64 },
    /// A handle's peer connection is up (ICE and DTLS done).
    Up(HandleId),
    /// A handle's peer connection is down (the other end hung up, or stopped
    /// answering).
    Down(HandleId),
    /// Video started or stopped arriving on a handle's peer connection (Janus tells
    /// after a second without).
    Media { handle: HandleId, receiving: bool },
    /// The other end of a handle's peer connection reports video packets lost, more
    /// than `slowlink_threshold` a second (janus/janus.jcfg).
    SlowLink(HandleId),
}

impl Janus {
    /// A client of `server`, whose HTTP API is at `url` (`http://host:8088/janus`),
    /// waiting at most `answer_within` for any answer; `news` hears what Janus says
    /// of its own accord.
    pub fn new(
        server: ServerId,
        url: &str,
        secret: &str,
        answer_within: Duration,
        news: UnboundedSender<News>,
    ) -> Self {
        Self {
            server,
            http: reqwest::Client::builder()
                .timeout(POLL_WITHIN)
                .build()
                .expect("a client without TLS settings builds"),
            url: url.trim_end_matches('/').to_string(),
            secret: secret.to_string(),
            answer_within,
            session: tokio::sync::Mutex::new(None),
            transactions: AtomicU64::new(0),
            news,
        }
    }

    /// Whether Janus answers: a session is open, or opens now.
    pub async fn reachable(&self) -> Result<(), JanusError> {
        self.session().await.map(drop)
    }

    /// A new handle on the VideoRoom plugin.
    pub async fn attach(&self) -> Result<Handle, JanusError> {
        let session = self.session().await?;
        let body = json!({ "janus": "attach", "plugin": "janus.plugin.videoroom" });
        let answer = self.post(&format!("/{}", session.id), body).await;
        let number = id_of(&session, answer)?;
        let id = HandleId {
            server: self.server,
            number,
        };
        Ok(Handle { session, id })
    }

    /// Sends the plugin `body` (with the SDP `jsep`) and returns its answer, whether
    /// it comes at once or later.
    pub async fn message(
        &self,
        handle: &Handle,
        body: Value,
        jsep: Option<Value>,
    ) -> Result<PluginAnswer, JanusError> {
        let transaction = self.transaction();
        let (tell, told) = oneshot::channel();
        handle
            .session
            .waiting
            .lock()
            .expect("waiting lock")
            .insert(transaction.clone(), tell);
        let mut request = json!({ "janus": "message", "body": body, "transaction": transaction });
        if let Some(jsep) = jsep {
            request["jsep"] = jsep;
        }
        let answer = self.post(&handle.path(), request).await;
        let answer = match answer {
            Ok(answer) if answer["janus"] == "ack" => {
                match tokio::time::timeout(self.answer_within, told).await {
                    Ok(Ok(event)) => Ok(event),
                    Ok(Err(_)) => Err(JanusError::SessionGone),
                    Err(_) => Err(JanusError::NoAnswer),
                }
            }
            other => other,
        };
        handle
            .session
            .waiting
            .lock()
            .expect("waiting lock")
            .remove(&transaction);
        let answer = answer.map_err(|error| lost(&handle.session, error))?;
        plugin_answer(answer)
    }

    /// Gives the handle's peer connection a remote ICE candidate (`null`: no more).
    pub async fn trickle(&self, handle: &Handle, candidate: Value) -> Result<(), JanusError> {
        let body = if candidate.is_null() {
            json!({ "janus": "trickle", "candidate": { "completed": true } })
        } else {
            json!({ "janus": "trickle", "candidate": candidate })
        };
        self.post(&handle.path(), body)
            .await
            .map(drop)
            .map_err(|error| lost(&handle.session, error))
    }

    /// Ends the handle, and with it its peer connection.
    pub async fn detach(&self, handle: &Handle) {
        if let Err(error) = self
            .post(&handle.path(), json!({ "janus": "detach" }))
            .await
        {
            // A handle of a session that is gone is gone with it.
            debug!(handle = handle.id.number, %error, "detach");
        }
    }

    /// The session in use, or a new one if there is none or it ended.
    async fn session(&self) -> Result<Arc<Session>, JanusError> {
        let mut current = self.session.lock().await;
        if let Some(session) = current.as_ref() {
            if session.alive.load(Ordering::Acquire) {
                return Ok(session.clone());
            }
        }
        let answer = self.post("", json!({ "janus": "create" })).await?;
        let id = answer["data"]["id"]
            .as_u64()
            .ok_or_else(|| malformed("a session without an id"))?;
        let session = Arc::new(Session {
            id,
            waiting: Mutex::new(HashMap::new()),
            alive: AtomicBool::new(true),
        });
        tokio::spawn(poll(
            self.server,
            self.http.clone(),
            format!(
                "{}/{id}?maxev={POLL_EVENTS}&apisecret={}",
                self.url, self.secret
            ),
            session.clone(),
            self.news.clone(),
        ));
        *current = Some(session.clone());
        Ok(session)
    }

    /// Posts `body` to the API at `path`, with a transaction and the secret; Janus's
    /// `error` answers become [`JanusError::Refused`].
    async fn post(&self, path: &str, mut body: Value) -> Result<Value, JanusError> {
        if body.get("transaction").is_none() {
            body["transaction"] = json!(self.transaction());
        }
        body["apisecret"] = json!(self.secret);
        let response = self
            .http
            .post(format!("{}{path}", self.url))
            .timeout(self.answer_within)
            .json(&body)
            .send()
            .await
            .map_err(unreachable)?;
        let answer: Value = response.json().await.map_err(unreachable)?;
        match answer["janus"].as_str() {
            Some("error") => Err(refused(&answer["error"])),
            _ => Ok(answer),
        }
    }

    fn transaction(&self) -> String {
        format!("t{}", self.transactions.fetch_add(1, Ordering::Relaxed))
    }
}

/// Reads `session`'s events for as long as it lives, handing each answer to the
/// request waiting for it and telling `news` of each peer connection that comes up. A
/// session Janus no longer knows (it restarted, or the session timed out) or that
/// cannot be read (Janus is down) ends here: every request waiting in it fails, and
/// `news` is told.
async fn poll(
    server: ServerId,
    http: reqwest::Client,
    url: String,
    session: Arc<Session>,
    news: UnboundedSender<News>,
) {
    loop {
        let events = match http.get(&url).send().await {
            Ok(response) => response.json::<Value>().await.map_err(unreachable),
            Err(error) => Err(unreachable(error)),
        };
        let events = match events {
            Ok(Value::Array(events)) => events,
            Ok(event) if event["janus"] == "error" => {
                warn!(session = session.id, error = %refused(&event["error"]), "the media server ended the session");
                break;
            }
            Ok(event) => vec![event],
            Err(error) => {
                warn!(session = session.id, %error, "lost the media server's session");
                break;
            }
        };
        for event in events {
            let waiting = event["transaction"].as_str().and_then(|transaction| {
                session
                    .waiting
                    .lock()
                    .expect("waiting lock")
                    .remove(transaction)
            });
            match waiting {
                Some(tell) => {
                    tell.send(event).ok();
                }
                None => match news_of(server, &event) {
                    Some(told) => {
                        news.send(told).ok();
                    }
                    None => debug!(session = session.id, janus = %event["janus"], "event"),
                },
            }
        }
    }
    session.alive.store(false, Ordering::Release);
    // Dropping the senders fails every request still waiting.
    session.waiting.lock().expect("waiting lock").clear();
    news.send(News::SessionLost {
        server,
        session: session.id,
    })
    .ok();
}

/// What an event Janus sends of its own accord tells the media tier, if anything.
fn news_of(server: ServerId, event: &Value) -> Option<News> {
    let handle = HandleId {
        server,
        number: event["sender"].as_u64()?,
    };
    match event["janus"].as_str()? {
        "webrtcup" => Some(News::Up(handle)),
        "hangup" => Some(News::Down(handle)),
        // Video only: an encoder may send no sound, or stop it while it mutes.
        "media" if event["type"] == "video" => Some(News::Media {
            handle,
            receiving: event["receiving"].as_bool()?,
        }),
        "slowlink" if event["media"] == "video" => Some(News::SlowLink(handle)),
        _ => None,
    }
}

fn id_of(session: &Session, answer: Result<Value, JanusError>) -> Result<u64, JanusError> {
    let answer = answer.map_err(|error| lost(session, error))?;
    answer["data"]["id"]
        .as_u64()
        .ok_or_else(|| malformed("a handle without an id"))
}

/// A plugin's answer, or its refusal: the VideoRoom answers a request it turns down
/// with an `error_code` in its data.
fn plugin_answer(answer: Value) -> Result<PluginAnswer, JanusError> {
    let data = answer["plugindata"]["data"].clone();
    if let Some(code) = data["error_code"].as_i64() {
        return Err(JanusError::Refused {
            code,
            reason: data["error"].as_str().unwrap_or("").to_string(),
        });
    }
    let jsep = answer.get("jsep").cloned();
    Ok(PluginAnswer { data, jsep })
}

/// Janus answers a request in a session it does not know with code 458: the session
/// is marked gone, so that the next request opens another.
fn lost(session: &Session, error: JanusError) -> JanusError {
    if matches!(
        error,
        JanusError::Refused { code: 458, .. } | JanusError::Unreachable(_)
    ) {
        session.alive.store(false, Ordering::Release);
    }
    error
}

fn refused(error: &Value) -> JanusError {
    JanusError::Refused {
        code: error["code"].as_i64().unwrap_or(0),
        reason: error["reason"].as_str().unwrap_or("").to_string(),
    }
}

fn unreachable(error: reqwest::Error) -> JanusError {
    JanusError::Unreachable(error.without_url().to_string())
}

fn malformed(what: &str) -> JanusError {
    JanusError::Refused {
        code: 0,
        reason: format!("Janus answered with {what}"),
    }
}
