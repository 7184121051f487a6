//! SetChannelRole and the two role queries: moderators and bans in a broadcaster's
//! channel.
use crate::common::*;
use w3bstreaming_io::{ChannelRole, Error, Event, StateQuery, StateReply};

const MODERATOR: Option<ChannelRole> = Some(ChannelRole::Moderator);
const BANNED: Option<ChannelRole> = Some(ChannelRole::Banned);

fn set_role(account: u64, role: Option<ChannelRole>) -> w3bstreaming_io::Action {
    w3bstreaming_io::Action::SetChannelRole {
        account_id: actor(account),
        role,
    }
}

fn role(env: &Env, broadcaster: u64, account: u64) -> Option<ChannelRole> {
    match env.query(StateQuery::ChannelRole {
        broadcaster: actor(broadcaster),
        account: actor(account),
    }) {
        StateReply::ChannelRole(role) => role,
        other => panic!("ChannelRole replied {other:?}"),
    }
}

fn roles_page(
    env: &Env,
    broadcaster: u64,
    after: Option<u64>,
    limit: u32,
) -> (Vec<(ActorId, ChannelRole)>, Option<ActorId>) {
    match env.query(StateQuery::ChannelRoles {
        broadcaster: actor(broadcaster),
        after: after.map(actor),
        limit,
    }) {
        StateReply::RolePage { roles, next } => (roles, next),
        other => panic!("ChannelRoles replied {other:?}"),
    }
}

#[test]
fn a_broadcaster_names_moderators_bans_and_takes_roles_away() {
    let env = Env::new();
    for account in ACCOUNTS {
        env.register(account);
    }
    assert_eq!(role(&env, ALICE, BOB), None);
    assert_eq!(
        env.ok(ALICE, set_role(BOB, MODERATOR)),
        Event::ChannelRoleSet
    );
    assert_eq!(
        env.ok(ALICE, set_role(CAROL, BANNED)),
        Event::ChannelRoleSet
    );
    assert_eq!(role(&env, ALICE, BOB), MODERATOR);
    assert_eq!(role(&env, ALICE, CAROL), BANNED);
    // A role is the channel's: Bob's channel bans nobody, and Carol moderates there.
    assert_eq!(role(&env, BOB, CAROL), None);
    env.ok(BOB, set_role(CAROL, MODERATOR));
    assert_eq!(role(&env, BOB, CAROL), MODERATOR);
    assert_eq!(role(&env, ALICE, CAROL), BANNED);

    // One role per account: a ban replaces a moderator's role, and back.
    env.ok(ALICE, set_role(BOB, BANNED));
    assert_eq!(role(&env, ALICE, BOB), BANNED);
    env.ok(ALICE, set_role(BOB, MODERATOR));
    assert_eq!(role(&env, ALICE, BOB), MODERATOR);

    let (mut all, next) = roles_page(&env, ALICE, None, 100);
    assert_eq!(next, None);
    all.sort();
    let mut expected = vec![
        (actor(BOB), ChannelRole::Moderator),
        (actor(CAROL), ChannelRole::Banned),
    ];
    expected.sort();
    assert_eq!(all, expected);

    env.ok(ALICE, set_role(CAROL, None));
    assert_eq!(role(&env, ALICE, CAROL), None);
    assert_eq!(
        roles_page(&env, ALICE, None, 100),
        (vec![(actor(BOB), ChannelRole::Moderator)], None)
    );
    // Roles are not follows, marks or profiles: the full reads do not change.
    assert!(env
        .users()
        .iter()
        .all(|(_, profile)| profile.subscribers.is_empty()));
}

#[test]
fn set_channel_role_rejections() {
    let env = Env::new();
    env.register(ALICE);
    env.register(BOB);
    env.rejects(CAROL, set_role(ALICE, BANNED), Error::NotRegistered);
    env.rejects(ALICE, set_role(CAROL, BANNED), Error::AccountNotFound);
    env.rejects(ALICE, set_role(ALICE, MODERATOR), Error::OwnChannel);
    env.rejects(ALICE, set_role(ALICE, None), Error::OwnChannel);
    env.rejects(ALICE, set_role(BOB, None), Error::NoChannelRole);
    env.ok(ALICE, set_role(BOB, BANNED));
    env.rejects(ALICE, set_role(BOB, BANNED), Error::AlreadyInRole);
    env.ok(ALICE, set_role(BOB, MODERATOR));
    env.rejects(ALICE, set_role(BOB, MODERATOR), Error::AlreadyInRole);
    // The moderator of a channel cannot change its roles: theirs is another channel.
    env.rejects(BOB, set_role(ALICE, None), Error::NoChannelRole);
    assert_eq!(role(&env, ALICE, BOB), MODERATOR);
    assert_eq!(role(&env, BOB, ALICE), None);
}

#[test]
fn role_queries_answer_for_unknown_accounts_and_page_in_a_stable_order() {
    let env = Env::new();
    let viewers: Vec<u64> = (200..207).collect();
    env.register(ALICE);
    for &viewer in &viewers {
        env.system.mint_to(viewer, 1_000 * gtest::constants::UNITS);
        env.register(viewer);
        let role = if viewer % 2 == 0 { BANNED } else { MODERATOR };
        env.ok(ALICE, set_role(viewer, role));
    }
    // Unknown accounts hold no role and list none.
    assert_eq!(role(&env, ALICE, 999), None);
    assert_eq!(role(&env, 999, ALICE), None);
    assert_eq!(roles_page(&env, 999, None, 10), (vec![], None));

    // Pages of three, each cursor the last account of its page, cover every role once.
    let mut seen = Vec::new();
    let mut after = None;
    loop {
        let reply = env.query(StateQuery::ChannelRoles {
            broadcaster: actor(ALICE),
            after,
            limit: 3,
        });
        let StateReply::RolePage { roles, next } = reply else {
            panic!("ChannelRoles replied {reply:?}")
        };
        assert!(roles.len() <= 3);
        if let Some(next) = next {
            assert_eq!(Some(&next), roles.last().map(|(account, _)| account));
        }
        seen.extend(roles);
        match next {
            Some(next) => after = Some(next),
            None => break,
        }
    }
    assert_eq!(seen.len(), viewers.len());
    for &viewer in &viewers {
        let expected = if viewer % 2 == 0 { BANNED } else { MODERATOR };
        assert!(
            seen.contains(&(actor(viewer), expected.unwrap())),
            "{viewer}"
        );
    }
    // A limit of 0 reads as 1; a cursor must be a registered account.
    assert_eq!(roles_page(&env, ALICE, None, 0).0.len(), 1);
    env.query_rejected(
        StateQuery::ChannelRoles {
            broadcaster: actor(ALICE),
            after: Some(actor(999)),
            limit: 3,
        },
        Error::UnknownCursorAccount,
    );
}
