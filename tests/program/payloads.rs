//! Payloads that are not what an entry point expects.

use crate::common::*;
use parity_scale_codec::Encode;
use w3bstreaming_io::{Action, Error, Event, StateQuery, StateReply};

#[test]
fn malformed_action_payloads_are_rejected_without_changes() {
    let env = Env::new();
    env.register(ALICE);
    env.schedule(ALICE, "Existing");
    let valid = Action::EditProfile {
        name: Some("Alice".into()),
        surname: None,
        img_link: None,
    }
    .encode();
    let mut trailing = valid.clone();
    trailing.push(0);
    let unknown_variant = vec![0xff];
    let truncated = valid[..valid.len() - 1].to_vec();
    // A NewStream whose title claims 1 GiB but carries 3 bytes.
    let lying_length = [vec![0x00, 0x03, 0x00, 0x00, 0x40], b"abc".to_vec()].concat();
    let not_utf8 = [vec![0x04, 0x01, 0x08], vec![0xff, 0xfe]].concat();

    for payload in [
        vec![],
        unknown_variant,
        truncated,
        trailing,
        lying_length,
        not_utf8,
    ] {
        let before = env.snapshot();
        let reply = env.send_bytes(ALICE, payload.clone());
        assert_eq!(
            reply,
            Err(error_reply(Error::MalformedAction)),
            "{payload:x?}"
        );
        assert_eq!(env.snapshot(), before, "{payload:x?}");
    }
    // The same bytes without the damage are accepted.
    assert_eq!(
        env.send_bytes(ALICE, valid),
        Ok(Event::ProfileEdited.encode())
    );
}

#[test]
fn a_state_query_sent_to_handle_is_rejected() {
    let env = Env::new();
    let before = env.snapshot();
    // `Users` is variant 1; as an Action it is a DeleteStream missing its id.
    let reply = env.send_bytes(ALICE, StateQuery::Users.encode());
    assert_eq!(reply, Err(error_reply(Error::MalformedAction)));
    assert_eq!(env.snapshot(), before);
}

#[test]
fn malformed_state_queries_are_rejected() {
    let env = Env::new();
    for payload in [vec![], vec![0xff], vec![0, 0]] {
        let error = env
            .program()
            .read_state_bytes(payload.clone())
            .expect_err("a malformed query fails");
        let text = error.to_string();
        assert!(
            text.contains(&error_reply(Error::MalformedQuery)),
            "{payload:x?}: {text}"
        );
    }
}

#[test]
fn a_malformed_query_sent_as_an_action_is_rejected_as_a_malformed_action() {
    let env = Env::new();
    let before = env.snapshot();
    let query = Action::Query(StateQuery::Stream { id: "x".into() }).encode();
    for payload in [vec![8], vec![8, 0xff], query[..query.len() - 1].to_vec(), {
        let mut longer = query.clone();
        longer.push(0);
        longer
    }] {
        let reply = env.send_bytes(ALICE, payload.clone());
        assert_eq!(
            reply,
            Err(error_reply(Error::MalformedAction)),
            "{payload:x?}"
        );
    }
    assert_eq!(
        env.send_bytes(ALICE, query),
        Ok(Event::QueryReply(StateReply::Stream(None)).encode())
    );
    assert_eq!(env.snapshot(), before);
}
