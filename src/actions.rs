//! What each `Action` does to the [`Schedule`], given who sent it and the block time.
//! Every check runs before the first write, so a rejected action changes nothing.
use crate::{
    payload::{ActionRef, EventRef},
    validation::{check_profile, check_stream, check_tip},
};
use gstd::{prelude::*, ActorId};
use w3bstreaming_io::{
    limits::{MAX_STREAMS_PER_BROADCASTER, PRUNED_PER_MESSAGE},
    ChannelRole, Error,
};
#[cfg(test)]
use w3bstreaming_state::Capacity;
use w3bstreaming_state::{NewTip, Schedule, StreamFields, StreamNumber, StreamRecord, UserRecord};

/// Value the program passes on once an action is applied: what `handle` sends.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Payout {
    pub to: ActorId,
    pub value: u128,
}

/// What an applied action replies, and the value it passes on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Applied<'a> {
    pub event: EventRef<'a>,
    pub payout: Option<Payout>,
}

impl<'a> From<EventRef<'a>> for Applied<'a> {
    fn from(event: EventRef<'a>) -> Self {
        Applied {
            event,
            payout: None,
        }
    }
}

/// Applies `action` from `sender`, carrying `value`, at block time `now`
/// (milliseconds), after pruning up to [`PRUNED_PER_MESSAGE`] streams past their
/// retention and dropping some marks of removed streams (see
/// [`Schedule::drop_removed_marks`]). Only a tip carries value: `handle` refuses it
/// with anything else ([`Request::takes_value`](crate::payload::Request::takes_value)).
pub fn apply<'a>(
    schedule: &'a mut Schedule,
    sender: ActorId,
    now: u64,
    value: u128,
    action: ActionRef<'a>,
) -> Result<Applied<'a>, Error> {
    schedule.prune_ended(now, PRUNED_PER_MESSAGE);
    schedule.drop_removed_marks();
    match action {
        ActionRef::Tip { stream_id, message } => {
            tip(schedule, sender, now, value, stream_id, message)
        }
        _ => act(schedule, sender, now, action).map(Applied::from),
    }
}

/// Applies an action that carries no value.
fn act<'a>(
    schedule: &'a mut Schedule,
    sender: ActorId,
    now: u64,
    action: ActionRef<'a>,
) -> Result<EventRef<'a>, Error> {
    match action {
        ActionRef::NewStream(fields) => new_stream(schedule, sender, now, fields),
        ActionRef::DeleteStream { stream_id } => delete_stream(schedule, sender, stream_id),
        ActionRef::EditStream { stream_id, edit } => {
            let (number, _) = own_stream(schedule, sender, stream_id)?;
            schedule.edit_stream(number, &edit, |edited| check_stream(edited, now))?;
            Ok(EventRef::StreamEdited)
        }
        ActionRef::Subscribe { account_id } => {
            registered(schedule, sender)?;
            if schedule.user(account_id).is_none() {
                return Err(Error::AccountNotFound);
            }
            if account_id == sender {
                return Err(Error::SelfSubscription);
            }
            if schedule.follows(sender, account_id) {
                return Err(Error::AlreadySubscribed);
            }
            if schedule.follows_full() {
                return Err(Error::FollowsFull);
            }
            schedule.subscribe(sender, account_id, now);
            Ok(EventRef::Subscribed)
        }
        ActionRef::EditProfile(profile) => {
            check_profile(&profile)?;
            schedule.set_profile(sender, profile)?;
            Ok(EventRef::ProfileEdited)
        }
        ActionRef::Unsubscribe { account_id } => {
            registered(schedule, sender)?;
            if !schedule.follows(sender, account_id) {
                return Err(Error::NotSubscribed);
            }
            schedule.unsubscribe(sender, account_id);
            Ok(EventRef::Unsubscribed)
        }
        ActionRef::Watch { stream_id } => {
            registered(schedule, sender)?;
            let (number, record) = stream(schedule, stream_id)?;
            if record.broadcaster() == sender {
                return Err(Error::OwnStream);
            }
            if record.end_time() <= now {
                return Err(Error::StreamEnded);
            }
            if schedule.is_watching(number, sender) {
                return Err(Error::AlreadyWatching);
            }
            if schedule.watches_full() {
                return Err(Error::WatchesFull);
            }
            schedule.watch(number, sender);
            Ok(EventRef::WatchMarked)
        }
        ActionRef::Unwatch { stream_id } => {
            registered(schedule, sender)?;
            let (number, _) = stream(schedule, stream_id)?;
            if !schedule.is_watching(number, sender) {
                return Err(Error::NotWatching);
            }
            schedule.unwatch(number, sender);
            Ok(EventRef::WatchUnmarked)
        }
        ActionRef::SetChannelRole { account_id, role } => {
            set_channel_role(schedule, sender, account_id, role)
        }
        ActionRef::Tip { .. } => unreachable!("apply takes tips"),
    }
}

fn tip<'a>(
    schedule: &mut Schedule,
    sender: ActorId,
    now: u64,
    value: u128,
    stream_id: &str,
    message: &str,
) -> Result<Applied<'a>, Error> {
    registered(schedule, sender)?;
    check_tip(value, message)?;
    let (_, record) = stream(schedule, stream_id)?;
    let (broadcaster, broadcaster_no) = (record.broadcaster(), record.broadcaster_no());
    if broadcaster == sender {
        return Err(Error::TipOwnStream);
    }
    let receipt = NewTip {
        tipper: sender,
        broadcaster: broadcaster_no,
        stream_id,
        amount: value,
        time: now,
        message,
    };
    let number = schedule.add_tip(&receipt);
    Ok(Applied {
        event: EventRef::Tipped { number },
        payout: Some(Payout {
            to: broadcaster,
            value,
        }),
    })
}

fn set_channel_role<'a>(
    schedule: &mut Schedule,
    sender: ActorId,
    account: ActorId,
    role: Option<ChannelRole>,
) -> Result<EventRef<'a>, Error> {
    let broadcaster = schedule.user_no(sender).ok_or(Error::NotRegistered)?;
    let account = schedule.user_no(account).ok_or(Error::AccountNotFound)?;
    if account == broadcaster {
        return Err(Error::OwnChannel);
    }
    let held = schedule.role(broadcaster, account);
    if held == role {
        return Err(match role {
            Some(_) => Error::AlreadyInRole,
            None => Error::NoChannelRole,
        });
    }
    if held.is_none() && schedule.roles_full() {
        return Err(Error::RolesFull);
    }
    schedule.set_role(broadcaster, account, role);
    Ok(EventRef::ChannelRoleSet)
}

fn new_stream<'a>(
    schedule: &'a mut Schedule,
    sender: ActorId,
    now: u64,
    fields: StreamFields<'_>,
) -> Result<EventRef<'a>, Error> {
    registered(schedule, sender)?;
    check_stream(&fields, now)?;
    if schedule.stream_count(sender) >= MAX_STREAMS_PER_BROADCASTER {
        return Err(Error::TooManyStreams);
    }
    if schedule.streams_full() {
        return Err(Error::StreamsFull);
    }
    let number = schedule
        .next_stream_number(now)
        .ok_or(Error::StreamIdsExhausted)?;
    let id = schedule.add_stream(number, sender, fields)?;
    Ok(EventRef::StreamIsScheduled { id })
}

fn delete_stream<'a>(
    schedule: &mut Schedule,
    sender: ActorId,
    stream_id: &'a str,
) -> Result<EventRef<'a>, Error> {
    let (number, _) = own_stream(schedule, sender, stream_id)?;
    schedule.remove_stream(number);
    Ok(EventRef::StreamDeleted { id: stream_id })
}

fn registered(schedule: &Schedule, account: ActorId) -> Result<UserRecord<'_>, Error> {
    schedule.user(account).ok_or(Error::NotRegistered)
}

fn stream<'a>(
    schedule: &'a Schedule,
    stream_id: &str,
) -> Result<(StreamNumber, StreamRecord<'a>), Error> {
    schedule.stream(stream_id).ok_or(Error::StreamNotFound)
}

/// The sender's stream with this id: the sender must be registered and own it, and
/// an unregistered sender hears that first.
///
/// A stream's broadcaster was registered to schedule it, and accounts are never
/// removed: when the sender owns the stream, its profile is not looked up, which
/// spares the broadcaster's edit or deletion reading a page.
fn own_stream<'a>(
    schedule: &'a Schedule,
    sender: ActorId,
    stream_id: &str,
) -> Result<(StreamNumber, StreamRecord<'a>), Error> {
    match schedule.stream(stream_id) {
        Some((number, record)) if record.broadcaster() == sender => Ok((number, record)),
        found => {
            registered(schedule, sender)?;
            Err(match found {
                Some(_) => Error::NotBroadcaster,
                None => Error::StreamNotFound,
            })
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::payload::Request;
    use gstd::codec::{Decode, Encode};
    use w3bstreaming_io::{limits::MIN_TIP, Action, Event};

    /// Applies `action` at block time `now` as `handle` does, decoded from its bytes.
    fn apply_at(
        schedule: &mut Schedule,
        from: ActorId,
        now: u64,
        action: &Action,
    ) -> Result<Event, Error> {
        let bytes = action.encode();
        let Some(Request::Action(view)) = Request::decode(&bytes) else {
            panic!("{action:?} is not an action to apply")
        };
        let event = apply(schedule, from, now, 0, view)?.event.encode();
        Ok(Event::decode(&mut &event[..]).expect("an event's bytes"))
    }

    /// Needs a block time past the year 2286, which gtest's clock cannot reach.
    #[test]
    fn new_stream_fails_cleanly_when_13_digit_ids_run_out() {
        let last_millisecond = 9_999_999_999_999;
        let mut schedule = Schedule::new();
        let alice = ActorId::from(1u64);
        schedule.set_profile(alice, Default::default()).unwrap();
        let action = Action::NewStream {
            title: "Last".into(),
            description: None,
            start_time: last_millisecond,
            end_time: last_millisecond + 1,
            img_link: String::new(),
        };
        let first = apply_at(&mut schedule, alice, last_millisecond, &action);
        assert_eq!(
            first,
            Ok(Event::StreamIsScheduled {
                id: "9999999999999Last".into()
            })
        );
        let second = apply_at(&mut schedule, alice, last_millisecond, &action);
        assert_eq!(second, Err(Error::StreamIdsExhausted));
        assert_eq!(schedule.stream_count(alice), 1);
    }

    const NOW: u64 = 1_700_000_000_000;
    const HOUR: u64 = 3_600_000;

    /// Everything the full reads show, and the text count: unchanged by a rejection.
    fn snapshot(schedule: &Schedule) -> impl PartialEq + core::fmt::Debug {
        (
            schedule.all_streams(),
            schedule.all_users(),
            schedule.text_bytes(),
            schedule.role_count(),
        )
    }

    fn send(schedule: &mut Schedule, from: ActorId, action: Action) -> Result<Event, Error> {
        apply_at(schedule, from, NOW, &action)
    }

    fn rejects(schedule: &mut Schedule, from: ActorId, action: Action, error: Error) {
        let before = snapshot(schedule);
        assert_eq!(
            send(schedule, from, action.clone()),
            Err(error),
            "{action:?}"
        );
        assert_eq!(
            snapshot(schedule),
            before,
            "{action:?} changed the schedule"
        );
    }

    fn profile(name: &str) -> Action {
        Action::EditProfile {
            name: Some(name.into()),
            surname: None,
            img_link: None,
        }
    }

    fn new_stream(title: &str) -> Action {
        Action::NewStream {
            title: title.into(),
            description: None,
            start_time: NOW + HOUR,
            end_time: NOW + 2 * HOUR,
            img_link: String::new(),
        }
    }

    /// The totals of accounts and streams, at sizes a test can reach; the program's own
    /// figures are the same code with `Capacity::LIMITS` (tests/program/capacity.rs fills them
    /// on demand).
    #[test]
    fn accounts_and_streams_are_refused_past_their_totals() {
        let mut schedule = Schedule::with_capacity(Capacity {
            accounts: 2,
            streams: 2,
            ..Capacity::LIMITS
        });
        let [a, b, c] = [1u64, 2, 3].map(ActorId::from);
        send(&mut schedule, a, profile("A")).unwrap();
        send(&mut schedule, b, profile("B")).unwrap();
        rejects(&mut schedule, c, profile("C"), Error::AccountsFull);
        send(&mut schedule, a, profile("A, edited")).unwrap();
        send(&mut schedule, a, new_stream("One")).unwrap();
        let Ok(Event::StreamIsScheduled { id }) = send(&mut schedule, b, new_stream("Two")) else {
            panic!("scheduled")
        };
        rejects(&mut schedule, a, new_stream("Three"), Error::StreamsFull);
        send(&mut schedule, b, Action::DeleteStream { stream_id: id }).unwrap();
        send(&mut schedule, a, new_stream("Three")).unwrap();
        assert_eq!(schedule.stored_stream_count(), 2);
        assert_eq!(schedule.account_count(), 2);
    }

    /// The totals that protect the program's memory, at sizes a test can reach; the
    /// program's own figures are the same code with `Capacity::LIMITS`.
    #[test]
    fn follows_watches_and_text_are_refused_past_their_totals() {
        let mut schedule = Schedule::with_capacity(Capacity {
            accounts: 10,
            streams: 10,
            follows: 2,
            watches: 2,
            text_bytes: 90,
            ..Capacity::LIMITS
        });
        let [a, b, c] = [1u64, 2, 3].map(ActorId::from);
        for (account, name) in [(a, "A"), (b, "B"), (c, "C")] {
            send(&mut schedule, account, profile(name)).unwrap();
        }
        let follow = |account| Action::Subscribe {
            account_id: account,
        };
        send(&mut schedule, a, follow(b)).unwrap();
        send(&mut schedule, a, follow(c)).unwrap();
        rejects(&mut schedule, b, follow(a), Error::FollowsFull);
        send(&mut schedule, a, Action::Unsubscribe { account_id: c }).unwrap();
        send(&mut schedule, b, follow(a)).unwrap();

        // 13 digits and the title twice: 23 bytes a stream, 3 for the profiles.
        let Ok(Event::StreamIsScheduled { id }) = send(&mut schedule, a, new_stream("Live!"))
        else {
            panic!("scheduled")
        };
        let watch = |id: &str| Action::Watch {
            stream_id: id.into(),
        };
        send(&mut schedule, b, watch(&id)).unwrap();
        send(&mut schedule, c, watch(&id)).unwrap();
        let Ok(Event::StreamIsScheduled { id: other }) =
            send(&mut schedule, c, new_stream("Other"))
        else {
            panic!("scheduled")
        };
        rejects(&mut schedule, a, watch(&other), Error::WatchesFull);

        assert_eq!(schedule.text_bytes(), 3 + 2 * 23);
        send(&mut schedule, b, new_stream("Third")).unwrap();
        assert_eq!(schedule.text_bytes(), 3 + 3 * 23);
        rejects(&mut schedule, b, new_stream("Fourth"), Error::TextFull);
        rejects(&mut schedule, a, profile(&"x".repeat(30)), Error::TextFull);
        let longer_title = Action::EditStream {
            stream_id: id.clone(),
            start_time: None,
            end_time: None,
            title: Some("Live, and longer than it fits".into()),
            img_link: None,
            description: None,
        };
        rejects(&mut schedule, a, longer_title, Error::TextFull);
        // Shorter text always fits, and deleting frees room.
        send(&mut schedule, a, profile("")).unwrap();
        send(&mut schedule, a, Action::DeleteStream { stream_id: id }).unwrap();
        send(&mut schedule, b, new_stream("Fourth")).unwrap();
        assert_eq!(schedule.text_bytes(), 2 + 2 * 23 + 25);
    }

    /// The total of channel roles, at a size a test can reach: a role that replaces
    /// another always fits, and taking one away makes room.
    #[test]
    fn roles_are_refused_past_their_total() {
        let mut schedule = Schedule::with_capacity(Capacity {
            roles: 1,
            ..Capacity::LIMITS
        });
        let [a, b, c] = [1u64, 2, 3].map(ActorId::from);
        for (account, name) in [(a, "A"), (b, "B"), (c, "C")] {
            send(&mut schedule, account, profile(name)).unwrap();
        }
        let set = |account, role| Action::SetChannelRole {
            account_id: account,
            role,
        };
        let (moderator, banned) = (Some(ChannelRole::Moderator), Some(ChannelRole::Banned));
        send(&mut schedule, a, set(b, moderator)).unwrap();
        rejects(&mut schedule, a, set(c, banned), Error::RolesFull);
        rejects(&mut schedule, c, set(a, banned), Error::RolesFull);
        send(&mut schedule, a, set(b, banned)).unwrap();
        send(&mut schedule, a, set(b, None)).unwrap();
        send(&mut schedule, c, set(a, banned)).unwrap();
        assert_eq!(schedule.role_count(), 1);
    }

    /// The receipts kept, at a capacity a test can reach: a tip past it drops the
    /// oldest receipt, from its broadcaster's list too, and the value still moves.
    #[test]
    fn the_oldest_tip_receipt_goes_first() {
        let mut schedule = Schedule::with_capacity(Capacity {
            tips: 2,
            ..Capacity::LIMITS
        });
        let [a, b] = [1u64, 2].map(ActorId::from);
        for (account, name) in [(a, "A"), (b, "B")] {
            send(&mut schedule, account, profile(name)).unwrap();
        }
        let Ok(Event::StreamIsScheduled { id }) = send(&mut schedule, a, new_stream("Live")) else {
            panic!("scheduled")
        };
        let tip = Action::Tip {
            stream_id: id,
            message: "thanks".into(),
        };
        let bytes = tip.encode();
        let Some(Request::Action(view)) = Request::decode(&bytes) else {
            panic!("a tip decodes")
        };
        for number in 1..=3 {
            let applied = apply(&mut schedule, b, NOW, MIN_TIP, view).unwrap();
            assert_eq!(applied.event, EventRef::Tipped { number });
            assert_eq!(
                applied.payout,
                Some(Payout {
                    to: a,
                    value: MIN_TIP
                })
            );
        }
        assert_eq!(schedule.tip_count(), 2);
        assert_eq!(schedule.tip(1), None);
        let listed: Vec<u64> = schedule
            .tips_received(a, None, 100)
            .items
            .iter()
            .map(|(number, _)| *number)
            .collect();
        assert_eq!(listed, [3, 2]);
    }
}
