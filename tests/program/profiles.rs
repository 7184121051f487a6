//! EditProfile, Subscribe and Unsubscribe.

use crate::common::*;
use w3bstreaming_io::{limits::*, Action, Error, Event, Field, Profile, Subscription};

#[test]
fn edit_profile_registers_then_overwrites_the_three_fields() {
    let env = Env::new();
    assert_eq!(env.profile(ALICE), None);

    let reply = env.ok(
        ALICE,
        edit_profile(Some("Alice"), Some("Liddell"), Some("a.png")),
    );
    assert_eq!(reply, Event::ProfileEdited);
    assert_eq!(
        env.profile(ALICE),
        Some(Profile {
            name: Some("Alice".into()),
            surname: Some("Liddell".into()),
            img_link: Some("a.png".into()),
            ..Profile::default()
        })
    );

    env.register(BOB);
    env.ok(
        BOB,
        Action::Subscribe {
            account_id: actor(ALICE),
        },
    );
    let id = env.schedule(ALICE, "Tea party");
    env.ok(ALICE, edit_profile(None, Some("L."), None));
    let profile = env.profile(ALICE).unwrap();
    assert_eq!(
        (profile.name, profile.surname, profile.img_link),
        (None, Some("L.".into()), None)
    );
    assert_eq!(
        profile.stream_ids,
        vec![id],
        "streams survive a profile edit"
    );
    assert_eq!(
        profile.subscribers,
        vec![actor(BOB)],
        "followers survive a profile edit"
    );
}

#[test]
fn users_are_listed_in_account_order() {
    let env = Env::new();
    for account in [DAVE, ALICE, CAROL, BOB] {
        env.register(account);
    }
    let accounts: Vec<_> = env
        .users()
        .into_iter()
        .map(|(account, _)| account)
        .collect();
    let mut sorted = accounts.clone();
    sorted.sort();
    assert_eq!(accounts, sorted);
    assert_eq!(accounts.len(), 4);
}

#[test]
fn profile_strings_may_reach_their_limits() {
    let env = Env::new();
    let name = "n".repeat(MAX_NAME_LEN);
    let link = "l".repeat(MAX_LINK_LEN);
    env.ok(ALICE, edit_profile(Some(&name), Some(&name), Some(&link)));
    let profile = env.profile(ALICE).unwrap();
    assert_eq!(profile.name.as_deref(), Some(name.as_str()));
    assert_eq!(profile.surname.as_deref(), Some(name.as_str()));
    assert_eq!(profile.img_link.as_deref(), Some(link.as_str()));
}

#[test]
fn profile_strings_one_byte_over_their_limits_are_rejected() {
    let env = Env::new();
    env.register(ALICE);
    let long_name = "n".repeat(MAX_NAME_LEN + 1);
    let long_link = "l".repeat(MAX_LINK_LEN + 1);
    env.rejects(
        ALICE,
        edit_profile(Some(&long_name), None, None),
        Error::TooLong(Field::Name),
    );
    env.rejects(
        ALICE,
        edit_profile(None, Some(&long_name), None),
        Error::TooLong(Field::Surname),
    );
    env.rejects(
        BOB,
        edit_profile(None, None, Some(&long_link)),
        Error::TooLong(Field::ImgLink),
    );
    // Multi-byte characters count in bytes: 33 two-byte letters are 66 bytes.
    env.rejects(
        ALICE,
        edit_profile(Some(&"é".repeat(33)), None, None),
        Error::TooLong(Field::Name),
    );
    assert_eq!(
        env.profile(BOB),
        None,
        "a rejected registration registers nobody"
    );
}

#[test]
fn subscribe_records_both_sides_with_the_block_time() {
    let env = Env::new();
    env.register(ALICE);
    env.register(BOB);
    let now = env.next_block_time();
    assert_eq!(
        env.ok(
            BOB,
            Action::Subscribe {
                account_id: actor(ALICE)
            }
        ),
        Event::Subscribed
    );

    assert_eq!(env.profile(ALICE).unwrap().subscribers, vec![actor(BOB)]);
    assert_eq!(
        env.profile(BOB).unwrap().subscriptions,
        vec![Subscription {
            account_id: actor(ALICE),
            sub_date: now
        }]
    );
    assert!(env.profile(ALICE).unwrap().subscriptions.is_empty());
    assert!(env.profile(BOB).unwrap().subscribers.is_empty());
}

#[test]
fn unsubscribe_removes_both_sides_and_allows_a_new_subscription() {
    let env = Env::new();
    for account in [ALICE, BOB, CAROL] {
        env.register(account);
    }
    env.ok(
        BOB,
        Action::Subscribe {
            account_id: actor(ALICE),
        },
    );
    env.ok(
        CAROL,
        Action::Subscribe {
            account_id: actor(ALICE),
        },
    );

    let reply = env.ok(
        BOB,
        Action::Unsubscribe {
            account_id: actor(ALICE),
        },
    );
    assert_eq!(reply, Event::Unsubscribed);
    assert_eq!(env.profile(ALICE).unwrap().subscribers, vec![actor(CAROL)]);
    assert!(env.profile(BOB).unwrap().subscriptions.is_empty());

    env.ok(
        BOB,
        Action::Subscribe {
            account_id: actor(ALICE),
        },
    );
    assert_eq!(env.profile(ALICE).unwrap().subscribers.len(), 2);
}

#[test]
fn subscribe_rejections() {
    let env = Env::new();
    env.register(ALICE);
    env.register(BOB);
    let subscribe = |account: u64| Action::Subscribe {
        account_id: actor(account),
    };

    env.rejects(CAROL, subscribe(ALICE), Error::NotRegistered);
    env.rejects(BOB, subscribe(CAROL), Error::AccountNotFound);
    env.rejects(BOB, subscribe(BOB), Error::SelfSubscription);
    env.ok(BOB, subscribe(ALICE));
    env.rejects(BOB, subscribe(ALICE), Error::AlreadySubscribed);
    assert_eq!(
        env.profile(ALICE).unwrap().subscribers,
        vec![actor(BOB)],
        "no duplicate"
    );
}

#[test]
fn unsubscribe_rejections() {
    let env = Env::new();
    env.register(ALICE);
    env.register(BOB);
    let unsubscribe = |account: u64| Action::Unsubscribe {
        account_id: actor(account),
    };

    env.rejects(CAROL, unsubscribe(ALICE), Error::NotRegistered);
    env.rejects(BOB, unsubscribe(ALICE), Error::NotSubscribed);
    env.rejects(BOB, unsubscribe(CAROL), Error::NotSubscribed);
    env.ok(
        BOB,
        Action::Subscribe {
            account_id: actor(ALICE),
        },
    );
    env.rejects(ALICE, unsubscribe(BOB), Error::NotSubscribed);
    env.ok(BOB, unsubscribe(ALICE));
    env.rejects(BOB, unsubscribe(ALICE), Error::NotSubscribed);
}
