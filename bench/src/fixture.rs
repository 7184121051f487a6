//! The fixture every size holds (a broadcaster with three streams far ahead and three
//! followers, each holding a role in its channel and tipping its first stream) and the targeted queries the benchmark asks about it, which so answer
//! with the same data at every size.
use crate::accounts::account;
use w3bstreaming_io::StateQuery;

pub const MINUTE_MS: u64 = 60_000;
pub const HOUR_MS: u64 = 60 * MINUTE_MS;
/// The fixture broadcaster's account number; its followers have the next ones.
pub const FIXTURE: u64 = 5_000_000;
/// The fixture broadcaster's streams, and its followers.
pub const FIXTURE_STREAMS: u64 = 3;
/// The fixture's streams start after every filled one (those start within N minutes).
pub const FIXTURE_AHEAD_MS: u64 = 300 * 24 * HOUR_MS;
/// When, after the first fixture stream starts, all three are live.
pub const FIXTURE_LIVE_AFTER_MS: u64 = 2 * HOUR_MS + 30 * MINUTE_MS;

/// The targeted queries, each answering with the fixture's data, with the names of
/// their rows as a state read and as an `Action::Query` through `handle`.
pub fn targeted_queries(
    first_start: u64,
    ids: &[String],
    tip: u64,
) -> Vec<(&'static str, &'static str, StateQuery)> {
    let fixture = account(FIXTURE);
    let follower = account(FIXTURE + 1);
    let limit = FIXTURE_STREAMS as u32;
    vec![
        (
            "Stream",
            "Stream (asked)",
            StateQuery::Stream { id: ids[0].clone() },
        ),
        (
            "Profile",
            "Profile (asked)",
            StateQuery::Profile { account: fixture },
        ),
        (
            "IsSubscribed",
            "IsSubscribed (asked)",
            StateQuery::IsSubscribed {
                subscriber: follower,
                broadcaster: fixture,
            },
        ),
        (
            "BroadcasterStreams",
            "BroadcasterStreams (asked)",
            StateQuery::BroadcasterStreams {
                broadcaster: fixture,
                after: None,
                limit,
            },
        ),
        (
            "LiveStreams",
            "LiveStreams (asked)",
            StateQuery::LiveStreams {
                at: first_start + FIXTURE_LIVE_AFTER_MS,
                after: None,
                limit,
            },
        ),
        (
            "UpcomingStreams",
            "UpcomingStreams (asked)",
            StateQuery::UpcomingStreams {
                from: first_start - 1,
                after: None,
                limit,
            },
        ),
        (
            "Subscribers",
            "Subscribers (asked)",
            StateQuery::Subscribers {
                broadcaster: fixture,
                after: None,
                limit,
            },
        ),
        (
            "Subscriptions",
            "Subscriptions (asked)",
            StateQuery::Subscriptions {
                subscriber: follower,
                after: None,
                limit,
            },
        ),
        (
            "MarkedStreams",
            "MarkedStreams (asked)",
            StateQuery::MarkedStreams {
                watcher: follower,
                after: None,
                limit,
            },
        ),
        (
            "EndedStreams",
            "EndedStreams (asked)",
            StateQuery::EndedStreams {
                at: first_start + FIXTURE_STREAMS * HOUR_MS + 2 * HOUR_MS,
                after: None,
                limit,
            },
        ),
        (
            "ChannelRole",
            "ChannelRole (asked)",
            StateQuery::ChannelRole {
                broadcaster: fixture,
                account: follower,
            },
        ),
        (
            "ChannelRoles",
            "ChannelRoles (asked)",
            StateQuery::ChannelRoles {
                broadcaster: fixture,
                after: None,
                limit,
            },
        ),
        (
            "Tip receipt",
            "Tip receipt (asked)",
            StateQuery::Tip { number: tip },
        ),
        (
            "TipsReceived",
            "TipsReceived (asked)",
            StateQuery::TipsReceived {
                broadcaster: fixture,
                after: None,
                limit,
            },
        ),
    ]
}
