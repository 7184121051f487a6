use super::*;
use serde_json::json;

const B: AccountId = AccountId([1; 32]);
const V: AccountId = AccountId([2; 32]);
const W: AccountId = AccountId([3; 32]);
const STRANGER: AccountId = AccountId([9; 32]);
// Connection ids.
const BC: u32 = 10;
const VC: u32 = 20;
const WC: u32 = 30;

fn route(stream_id: &str, via: Via) -> Notice {
    Notice::Route {
        stream_id: stream_id.into(),
        via,
    }
}

/// What the broadcaster on `BC` hears going live.
fn went_live(stream_id: &str, via: Via) -> Outbox<u32> {
    vec![(BC, Notice::IsStreaming(true)), (BC, route(stream_id, via))]
}

fn live_with_viewers() -> Hub<u32> {
    let mut hub = Hub::new(2);
    hub.broadcast(BC, B, "s", Via::Peers).unwrap();
    hub.join(VC, V, "s").unwrap();
    hub.join(WC, W, "s").unwrap();
    hub
}

#[test]
fn a_join_tells_the_broadcaster_and_the_viewer_at_once() {
    let mut hub = Hub::new(10);
    assert_eq!(
        hub.broadcast(BC, B, "s", Via::Peers),
        Ok(went_live("s", Via::Peers))
    );
    assert!(hub.is_broadcasting(B) && hub.is_streaming("s"));
    let outbox = hub.join(VC, V, "s").unwrap();
    assert_eq!(
        outbox,
        vec![
            (
                BC,
                Notice::Watch {
                    viewer: V,
                    stream_id: "s".into()
                }
            ),
            (BC, Notice::WatchersCount(1)),
            (VC, Notice::WatchersCount(1)),
            (VC, Notice::IsStreaming(true)),
            (VC, route("s", Via::Peers)),
        ]
    );
}

#[test]
fn the_other_viewers_hear_a_changed_count_once() {
    let mut hub = Hub::new(10);
    hub.broadcast(BC, B, "s", Via::Peers).unwrap();
    assert_eq!(hub.flush_counts(), []);
    hub.join(VC, V, "s").unwrap();
    let outbox = hub.join(WC, W, "s").unwrap();
    assert!(!outbox.iter().any(|(conn, _)| *conn == VC), "{outbox:?}");
    hub.join(99, STRANGER, "s").unwrap();
    // The last to join heard 3 already.
    let counts = [
        (VC, Notice::WatchersCount(3)),
        (WC, Notice::WatchersCount(3)),
    ];
    assert_eq!(hub.flush_counts(), counts);
    assert_eq!(hub.flush_counts(), []);
    hub.leave(WC, "s").unwrap();
    let counts = [
        (VC, Notice::WatchersCount(2)),
        (99, Notice::WatchersCount(2)),
    ];
    assert_eq!(hub.flush_counts(), counts);
    // Left and back between two flushes: heard on joining, and the others' count
    // is what they were told.
    hub.leave(99, "s").unwrap();
    hub.join(99, STRANGER, "s").unwrap();
    assert_eq!(hub.flush_counts(), []);
    hub.stop_broadcast(BC, "s").unwrap();
    assert_eq!(hub.flush_counts(), []);
}

#[test]
fn peers_are_a_broadcasters_viewers_and_a_viewers_broadcasters() {
    let mut hub = live_with_viewers();
    assert_eq!((hub.peers(BC), hub.peers(VC), hub.peers(99)), (2, 1, 0));
    hub.broadcast(WC, W, "w's", Via::Peers).unwrap();
    hub.join(VC, V, "w's").unwrap();
    assert_eq!((hub.peers(BC), hub.peers(VC), hub.peers(WC)), (2, 2, 2));
    hub.disconnect(VC);
    assert_eq!((hub.peers(BC), hub.peers(VC), hub.peers(WC)), (1, 0, 1));
}

#[test]
fn refusals() {
    let mut hub = live_with_viewers();
    let before = format!("{hub:?}");
    assert_eq!(
        hub.broadcast(99, B, "other", Via::Peers),
        Err(Refusal::AlreadyBroadcasting)
    );
    assert_eq!(
        hub.join(99, STRANGER, "nope"),
        Err(Refusal::NotStarted("nope".into()))
    );
    assert_eq!(
        hub.join(99, STRANGER, "s"),
        Err(Refusal::Full {
            stream_id: "s".into(),
            cap: 2
        })
    );
    assert_eq!(
        hub.stop_broadcast(VC, "s"),
        Err(Refusal::NotBroadcasting("s".into()))
    );
    assert_eq!(hub.leave(99, "s"), Err(Refusal::NotWatching("s".into())));
    assert_eq!(hub.offer(VC, W, json!({})), Err(Refusal::NoSuchViewer(W)));
    assert_eq!(
        hub.offer(BC, STRANGER, json!({})),
        Err(Refusal::NoSuchViewer(STRANGER))
    );
    assert_eq!(
        hub.answer(99, B, json!({})),
        Err(Refusal::NotWatching(B.to_string()))
    );
    assert_eq!(
        hub.answer(VC, W, json!({})),
        Err(Refusal::NotWatching(W.to_string()))
    );
    assert_eq!(hub.candidate(VC, W, json!({})), Err(Refusal::NoPeer(W)));
    assert_eq!(hub.candidate(99, B, json!({})), Err(Refusal::NoPeer(B)));
    assert_eq!(format!("{hub:?}"), before, "a refusal changes nothing");
    // A viewer already in may rejoin (a new tab) although the stream is full.
    assert!(hub.join(99, V, "s").is_ok());
    assert_eq!(hub.viewers("s"), 2);
    assert_eq!(hub.leave(VC, "s"), Err(Refusal::NotWatching("s".into())));
    assert_eq!((hub.peers(VC), hub.peers(99)), (0, 1));
}

#[test]
fn relays_go_only_between_a_broadcaster_and_its_viewers() {
    let hub = live_with_viewers();
    let sdp = json!({ "type": "offer", "sdp": "v=0" });
    assert_eq!(
        hub.offer(BC, V, sdp.clone()),
        Ok(vec![(
            VC,
            Notice::Offer {
                broadcaster: B,
                stream_id: "s".into(),
                viewer: V,
                description: sdp.clone()
            }
        )])
    );
    assert_eq!(
        hub.answer(WC, B, sdp.clone()),
        Ok(vec![(
            BC,
            Notice::Answer {
                broadcaster: B,
                stream_id: "s".into(),
                viewer: W,
                description: sdp
            }
        )])
    );
    let candidate = json!({ "candidate": "candidate:1" });
    assert_eq!(
        hub.candidate(BC, W, candidate.clone()),
        Ok(vec![(
            WC,
            Notice::Candidate {
                from: B,
                stream_id: "s".into(),
                candidate: candidate.clone()
            }
        )])
    );
    assert_eq!(
        hub.candidate(VC, B, candidate.clone()),
        Ok(vec![(
            BC,
            Notice::Candidate {
                from: V,
                stream_id: "s".into(),
                candidate
            }
        )])
    );
}

#[test]
fn a_check_gives_the_answer_apply_would_and_changes_nothing() {
    let leave = |conn, stream_id: &str| Op::Leave {
        conn,
        stream_id: stream_id.into(),
    };
    let stop = |conn, stream_id: &str| Op::StopBroadcast {
        conn,
        stream_id: stream_id.into(),
    };
    let offer = |conn, viewer| Op::Offer {
        conn,
        viewer,
        description: json!({}),
    };
    let answer = |conn, broadcaster| Op::Answer {
        conn,
        broadcaster,
        description: json!({}),
    };
    let candidate = |conn, to| Op::Candidate {
        conn,
        to,
        candidate: json!({}),
    };
    let ops = [
        leave(VC, "s"),
        leave(99, "s"),
        leave(VC, "other"),
        stop(BC, "s"),
        stop(VC, "s"),
        stop(99, "x".repeat(1_000).as_str()),
        offer(BC, V),
        offer(BC, STRANGER),
        offer(VC, W),
        answer(WC, B),
        answer(99, B),
        answer(VC, W),
        candidate(BC, W),
        candidate(VC, B),
        candidate(VC, W),
        candidate(99, B),
    ];
    let refused = ops
        .iter()
        .filter(|op| live_with_viewers().check(op).is_err())
        .count();
    assert_eq!(refused, 10);
    for op in ops {
        let hub = live_with_viewers();
        let before = format!("{hub:?}");
        let checked = hub.check(&op);
        assert_eq!(
            format!("{hub:?}"),
            before,
            "{op:?}: a check changes nothing"
        );
        let mut applied = live_with_viewers();
        assert_eq!(checked, applied.apply(op.clone()).map(drop), "{op:?}");
    }
    // A join, a broadcast or a disconnect is for apply to judge.
    let hub = live_with_viewers();
    assert_eq!(hub.check(&Op::Disconnect { conn: 99 }), Ok(()));
    assert_eq!(
        hub.check(&Op::Broadcast {
            conn: 99,
            broadcaster: STRANGER,
            stream_id: "t".into(),
            via: Via::Peers
        }),
        Ok(())
    );
}

#[test]
fn stopping_tells_every_viewer_and_frees_the_broadcaster() {
    let mut hub = live_with_viewers();
    let outbox = hub.stop_broadcast(BC, "s").unwrap();
    assert_eq!(outbox[0], (BC, Notice::IsStreaming(false)));
    for (conn, viewer) in [(VC, V), (WC, W)] {
        assert!(outbox.contains(&(conn, Notice::IsStreaming(false))));
        let stop = Notice::StopBroadcasting {
            broadcaster: B,
            stream_id: "s".into(),
            viewer,
        };
        assert!(outbox.contains(&(conn, stop)));
    }
    assert!(!hub.is_streaming("s") && !hub.is_broadcasting(B));
    assert!(hub.broadcast(BC, B, "s", Via::Peers).is_ok());
}

#[test]
fn a_disconnect_ends_what_the_connection_was_part_of() {
    let mut hub = live_with_viewers();
    let outbox = hub.disconnect(VC);
    assert_eq!(
        outbox[0],
        (
            BC,
            Notice::StopWatching {
                viewer: V,
                stream_id: "s".into()
            }
        )
    );
    assert!(outbox.contains(&(BC, Notice::WatchersCount(1))));
    assert_eq!(hub.flush_counts(), [(WC, Notice::WatchersCount(1))]);
    assert_eq!(hub.viewers("s"), 1);
    let outbox = hub.disconnect(BC);
    assert!(outbox.contains(&(
        WC,
        Notice::StopBroadcasting {
            broadcaster: B,
            stream_id: "s".into(),
            viewer: W
        }
    )));
    assert_eq!(hub.live_streams(), 0);
    assert!(hub.disconnect(WC).is_empty());
    assert!(hub.parts.is_empty() && hub.broadcasting.is_empty());
}
fn status(stream_id: &str, live: bool, watchers: usize) -> Notice {
    Notice::Status {
        stream_id: stream_id.into(),
        live,
        watchers,
    }
}

const LC: u32 = 40;
const MC: u32 = 50;

#[test]
fn listeners_hear_a_stream_go_live_its_count_change_and_end() {
    let mut hub = Hub::new(10);
    let ids = vec!["s".to_string(), "t".to_string(), "s".to_string()];
    assert_eq!(hub.listen(LC, ids), Ok(vec![]), "neither is live");
    hub.listen(MC, vec!["s".into()]).unwrap();
    let mut outbox = hub.broadcast(BC, B, "s", Via::Peers).unwrap();
    outbox.sort_by_key(|(conn, _)| *conn);
    assert_eq!(
        outbox,
        [
            (BC, Notice::IsStreaming(true)),
            (BC, route("s", Via::Peers)),
            (LC, status("s", true, 0)),
            (MC, status("s", true, 0)),
        ]
    );
    let outbox = hub.join(VC, V, "s").unwrap();
    assert!(!outbox.iter().any(|(conn, _)| *conn == LC), "{outbox:?}");
    hub.join(WC, W, "s").unwrap();
    let mut outbox = hub.flush_counts();
    outbox.sort_by_key(|(conn, _)| *conn);
    assert_eq!(
        outbox,
        [
            (VC, Notice::WatchersCount(2)),
            (LC, status("s", true, 2)),
            (MC, status("s", true, 2)),
        ]
    );
    assert_eq!(hub.flush_counts(), [], "told once");
    // Listening again replaces what was listened to.
    assert_eq!(hub.listen(MC, vec!["t".into()]), Ok(vec![]));
    let outbox = hub.stop_broadcast(BC, "s").unwrap();
    assert!(outbox.contains(&(LC, status("s", false, 0))), "{outbox:?}");
    assert!(!outbox.iter().any(|(conn, _)| *conn == MC), "{outbox:?}");
}

#[test]
fn a_listener_that_leaves_or_asks_too_much_hears_nothing() {
    let mut hub = Hub::new(10);
    let many = (0..=MAX_LISTENED).map(|i| i.to_string()).collect();
    assert_eq!(
        hub.listen(LC, many),
        Err(Refusal::TooManyListened(MAX_LISTENED))
    );
    assert_eq!(
        Refusal::TooManyListened(MAX_LISTENED).to_string(),
        "Listen to at most 200 streams on one connection"
    );
    hub.listen(LC, vec!["s".into()]).unwrap();
    hub.listen(MC, vec!["s".into()]).unwrap();
    hub.listen(MC, Vec::new()).unwrap();
    assert!(hub.disconnect(LC).is_empty());
    assert_eq!(
        hub.broadcast(BC, B, "s", Via::Peers),
        Ok(went_live("s", Via::Peers))
    );
    assert!(hub.listeners.is_empty() && !hub.takes_part(LC) && !hub.takes_part(MC));
}

#[test]
fn a_listener_is_told_at_once_only_what_is_live_and_new_and_takes_part_in_nothing() {
    let mut hub = Hub::new(10);
    hub.broadcast(BC, B, "s", Via::Peers).unwrap();
    assert_eq!(
        hub.listen(LC, vec!["t".into(), "s".into(), "t".into()]),
        Ok(vec![(LC, status("s", true, 0))]),
        "at once, what is live"
    );
    assert_eq!(
        hub.listen(LC, vec!["s".into(), "t".into()]),
        Ok(vec![]),
        "a renewal"
    );
    hub.broadcast(WC, W, "u", Via::Peers).unwrap();
    assert_eq!(
        hub.listen(LC, vec!["s".into(), "u".into()]),
        Ok(vec![(LC, status("u", true, 0))])
    );
    hub.listen(MC, vec!["s".into()]).unwrap();
    assert!(!hub.takes_part(LC), "a listener takes part in nothing");
    assert!(hub.takes_part(BC));
    let outbox = hub.stop_broadcast(BC, "s").unwrap();
    assert!(outbox.contains(&(LC, status("s", false, 0))), "{outbox:?}");
    assert!(outbox.contains(&(MC, status("s", false, 0))), "{outbox:?}");
    hub.disconnect(LC);
    hub.disconnect(MC);
    assert!(hub.listeners.is_empty());
}

#[test]
fn a_broadcast_asked_again_on_its_own_connection_changes_nothing() {
    let mut hub = live_with_viewers();
    let before = format!("{hub:?}");
    assert_eq!(
        hub.broadcast(BC, B, "s", Via::Peers),
        Ok(went_live("s", Via::Peers))
    );
    assert_eq!(format!("{hub:?}"), before);
    assert_eq!(
        hub.broadcast(99, B, "s", Via::Peers),
        Err(Refusal::AlreadyBroadcasting)
    );
}
