//! Relays: a stream published to one media server (its origin) is forwarded to a room
//! on each other one, where a VideoRoom "remote publisher" stands for the broadcaster,
//! so that viewers on every media server subscribe to it as to any feed (simulcast
//! layers included). The origin sends plain RTP (Janus 1.1 has no SRTP for it) to
//! the host of the other's URL, where the other takes it: the relay network must be
//! the media servers' own (docs/live.md, "Several media servers").
use super::{create_room, handles::Relay, random_id, Feed, JanusError, Media, ServerId};
use serde_json::{json, Value};
use socketioxide::socket::Sid;
use std::net::IpAddr;
use tracing::warn;

impl Media {
    /// Forwards what the broadcaster on `sid` publishes to a new room on `to`: the feed
    /// viewers on `to` subscribe to.
    pub async fn relay(&self, sid: Sid, stream_id: &str, to: ServerId) -> Result<Feed, JanusError> {
        let origin = self.handles.with_publisher(sid, |p| {
            (p.handle.clone(), p.room, p.id, p.streams.clone(), p.layers)
        });
        let Some((origin, origin_room, origin_id, streams, layers)) = origin else {
            return Err(refused("nothing is published to relay"));
        };
        let edge = self.janus(to);
        let handle = edge.attach().await?;
        let room = random_id();
        let host = self.servers[usize::from(to.0)].relay_host.as_str();
        let made = async {
            edge.message(&handle, create_room(room, stream_id), None)
                .await?;
            let mut add = json!({
                "request": "add_remote_publisher",
                "room": room,
                "display": stream_id,
                "streams": streams,
            });
            // Takes the origin's packets on the relay network only.
            if host.parse::<IpAddr>().is_ok() {
                add["iface"] = json!(host);
            }
            let added = edge.message(&handle, add, None).await?.data;
            let (Some(publisher), Some(port), Some(rtcp_port)) = (
                added["id"].as_u64(),
                added["port"].as_u64(),
                added["rtcp_port"].as_u64(),
            ) else {
                return Err(refused("a remote publisher came without its id and ports"));
            };
            let forward = json!({
                "request": "publish_remotely",
                "room": origin_room,
                "publisher_id": origin_id,
                "remote_id": room.to_string(),
                "host": host,
                "port": port,
                // Keyframe requests from viewers on `to` reach the broadcaster.
                "rtcp_port": rtcp_port,
            });
            self.janus(origin.id().server)
                .message(&origin, forward, None)
                .await?;
            Ok(publisher)
        }
        .await;
        let publisher = match made {
            Ok(publisher) => publisher,
            Err(error) => {
                self.end_room(&handle, room).await;
                return Err(error);
            }
        };
        let relay = Relay { handle, room };
        let kept = self.handles.with_publisher(sid, |p| {
            (p.handle.id() == origin.id()).then(|| p.relays.push(relay))
        });
        if kept.flatten().is_none() {
            // Unpublished while the relay was made.
            self.end_room_of(to, room).await;
            return Err(refused("the stream was unpublished meanwhile"));
        }
        Ok(Feed {
            server: to,
            room,
            publisher,
            layers,
        })
    }

    /// Ends the relay of the broadcaster on `sid` into `server`, if it has one: the
    /// origin stops forwarding, and the relay's room goes (with `server`, if it died).
    pub async fn unrelay(&self, sid: Sid, server: ServerId) {
        let taken = self.handles.with_publisher(sid, |p| {
            let at = p.relays.iter().position(|relay| relay.server() == server)?;
            Some((p.handle.clone(), p.room, p.id, p.relays.remove(at)))
        });
        let Some((origin, origin_room, origin_id, relay)) = taken.flatten() else {
            return;
        };
        let stop = json!({
            "request": "unpublish_remotely",
            "room": origin_room,
            "publisher_id": origin_id,
            "remote_id": relay.remote_id(),
        });
        let janus = self.janus(origin.id().server);
        if let Err(error) = janus.message(&origin, stop, None).await {
            warn!(%server, %error, "could not stop a relay's forwarding");
        }
        self.end_room(&relay.handle, relay.room).await;
    }

    /// Destroys `room` on `server` through a handle of its own.
    async fn end_room_of(&self, server: ServerId, room: u64) {
        match self.janus(server).attach().await {
            Ok(handle) => self.end_room(&handle, room).await,
            Err(error) => warn!(%server, room, %error, "could not destroy a room"),
        }
    }
}

fn refused(reason: &str) -> JanusError {
    JanusError::Refused {
        code: 0,
        reason: reason.into(),
    }
}

/// The host of a media server's URL, without its port or brackets.
pub(super) fn host_of(url: &str) -> &str {
    let rest = url.split_once("://").map_or(url, |(_, rest)| rest);
    let authority = rest.split('/').next().unwrap_or(rest);
    let authority = authority
        .rsplit_once('@')
        .map_or(authority, |(_, host)| host);
    match authority.strip_prefix('[') {
        Some(bracketed) => bracketed.split(']').next().unwrap_or(bracketed),
        None => authority.split(':').next().unwrap_or(authority),
    }
}

/// What a publisher sends, as a remote publisher describes it to another media server:
/// one entry per m-line of the SDP `offer` and Janus's `answer`, in their order (a
/// relay's packets are told apart by their m-line's index), with the codec Janus
/// took and whether the video comes in simulcast layers.
pub(super) fn streams(offer: &Value, answer: &Value) -> Value {
    let offered = sections(offer["sdp"].as_str().unwrap_or(""));
    let answered = sections(answer["sdp"].as_str().unwrap_or(""));
    let described = answered.iter().enumerate().map(|(mindex, section)| {
        let mut m_line = section[0].trim_start_matches("m=").split_whitespace();
        let kind = match m_line.next() {
            Some("audio") => "audio",
            Some("video") => "video",
            _ => "data",
        };
        let rejected = m_line.next() == Some("0");
        let payload_type = m_line.nth(1);
        let mid = attribute(section, "mid").map_or_else(|| mindex.to_string(), str::to_string);
        let mut stream = json!({ "type": kind, "mindex": mindex, "mid": mid });
        if kind == "data" {
            if rejected {
                stream["disabled"] = json!(true);
            }
            return stream;
        }
        let codec = payload_type.and_then(|pt| codec_of(section, pt));
        if rejected || codec.is_none() {
            stream["disabled"] = json!(true);
        }
        // A codec is asked for every audio and video stream, also one that is off.
        let fallback = if kind == "audio" { "opus" } else { "vp8" };
        stream["codec"] = json!(codec.unwrap_or_else(|| fallback.into()));
        let simulcast = offered.get(mindex).is_some_and(|offered| {
            offered.iter().any(|line| {
                line.starts_with("a=simulcast:") || line.starts_with("a=ssrc-group:SIM")
            })
        });
        if kind == "video" && simulcast {
            stream["simulcast"] = json!(true);
        }
        stream
    });
    Value::Array(described.collect())
}

/// How many simulcast layers the video of the SDP `offer` has: its first video
/// section's `a=rid` lines that send, or the SSRCs of its simulcast group; 1 without.
pub(super) fn layers(offer: &Value) -> u8 {
    let sdp = offer["sdp"].as_str().unwrap_or("");
    let Some(video) = sections(sdp)
        .into_iter()
        .find(|s| s[0].starts_with("m=video"))
    else {
        return 1;
    };
    let rids = video
        .iter()
        .filter(|line| line.starts_with("a=rid:") && line.ends_with(" send"))
        .count();
    let grouped = video
        .iter()
        .find_map(|line| line.strip_prefix("a=ssrc-group:SIM "))
        .map_or(0, |ssrcs| ssrcs.split_whitespace().count());
    u8::try_from(rids.max(grouped).clamp(1, 3)).expect("at most 3")
}

/// The SDP's media sections, each as its lines from its `m=` line on.
fn sections(sdp: &str) -> Vec<Vec<&str>> {
    let mut sections: Vec<Vec<&str>> = Vec::new();
    for line in sdp.lines().map(str::trim_end) {
        if line.starts_with("m=") {
            sections.push(vec![line]);
        } else if let Some(section) = sections.last_mut() {
            section.push(line);
        }
    }
    sections
}

fn attribute<'a>(section: &[&'a str], name: &str) -> Option<&'a str> {
    section.iter().find_map(|line| {
        line.strip_prefix("a=")?
            .strip_prefix(name)?
            .strip_prefix(':')
    })
}

/// The codec of `payload_type` in the section's `rtpmap`, lowercase.
fn codec_of(section: &[&str], payload_type: &str) -> Option<String> {
    section.iter().find_map(|line| {
        let (pt, encoding) = line.strip_prefix("a=rtpmap:")?.split_once(' ')?;
        let name = encoding.split('/').next()?;
        (pt == payload_type).then(|| name.to_ascii_lowercase())
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const OFFER: &str = "v=0\r\no=- 1 2 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\n\
        m=audio 9 UDP/TLS/RTP/SAVPF 111 0\r\na=mid:0\r\na=rtpmap:111 opus/48000/2\r\n\
        m=video 9 UDP/TLS/RTP/SAVPF 96 102\r\na=mid:1\r\na=rtpmap:96 VP8/90000\r\n\
        a=rtpmap:102 H264/90000\r\na=rid:l send\r\na=rid:m send\r\na=rid:h send\r\n\
        a=simulcast:send l;m;h\r\n\
        m=application 9 UDP/DTLS/SCTP webrtc-datachannel\r\na=mid:2\r\n";
    const ANSWER: &str = "v=0\r\no=- 3 4 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\n\
        m=audio 9 UDP/TLS/RTP/SAVPF 111\r\na=mid:0\r\na=rtpmap:111 opus/48000/2\r\n\
        m=video 9 UDP/TLS/RTP/SAVPF 96\r\na=mid:1\r\na=rtpmap:96 VP8/90000\r\n\
        a=simulcast:recv l;m;h\r\n\
        m=application 0 UDP/DTLS/SCTP webrtc-datachannel\r\na=mid:2\r\n";

    #[test]
    fn a_publisher_is_described_per_m_line_with_the_codec_janus_took() {
        let streams = streams(&json!({ "sdp": OFFER }), &json!({ "sdp": ANSWER }));
        assert_eq!(
            streams,
            json!([
                { "type": "audio", "mindex": 0, "mid": "0", "codec": "opus" },
                { "type": "video", "mindex": 1, "mid": "1", "codec": "vp8", "simulcast": true },
                { "type": "data", "mindex": 2, "mid": "2", "disabled": true },
            ])
        );
    }

    #[test]
    fn a_rejected_or_unknown_stream_is_described_as_off() {
        let answer = ANSWER
            .replace(
                "m=audio 9 UDP/TLS/RTP/SAVPF 111",
                "m=audio 0 UDP/TLS/RTP/SAVPF 0",
            )
            .replace("a=rtpmap:96 VP8/90000\r\n", "");
        let streams = streams(&json!({ "sdp": OFFER }), &json!({ "sdp": answer }));
        assert_eq!(streams[0]["disabled"], json!(true));
        assert_eq!(streams[0]["codec"], json!("opus"));
        assert_eq!(streams[1]["disabled"], json!(true));
        assert_eq!(streams[1]["codec"], json!("vp8"));
        // Without SDP, nothing.
        assert_eq!(super::streams(&json!({}), &json!(null)), json!([]));
    }

    #[test]
    fn the_layers_are_counted_from_the_offers_rids_or_its_simulcast_group() {
        assert_eq!(layers(&json!({ "sdp": OFFER })), 3);
        let two = OFFER.replace("a=rid:m send\r\n", "");
        assert_eq!(layers(&json!({ "sdp": two })), 2);
        let grouped = "m=video 9 UDP/TLS/RTP/SAVPF 96\r\na=ssrc-group:SIM 1 2\r\n";
        assert_eq!(layers(&json!({ "sdp": grouped })), 2);
        let plain = "m=audio 9 RTP 111\r\nm=video 9 RTP 96\r\na=rid:h send\r\n";
        assert_eq!(layers(&json!({ "sdp": plain })), 1);
        assert_eq!(layers(&json!({ "sdp": "m=audio 9 RTP 111\r\n" })), 1);
        assert_eq!(layers(&json!("not an offer")), 1);
    }

    #[test]
    fn the_relay_host_is_the_host_of_the_url() {
        assert_eq!(host_of("http://127.0.0.1:8088/janus"), "127.0.0.1");
        assert_eq!(host_of("http://[::1]:8088/janus"), "::1");
        assert_eq!(host_of("https://janus.example/janus"), "janus.example");
        assert_eq!(host_of("http://user:pw@10.0.0.2:8088"), "10.0.0.2");
    }
}
