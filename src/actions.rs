//! What each `Action` does to the [`Schedule`], given who sent it and the block time.
//! Every check runs before the first write, so a rejected action changes nothing.
use crate::{
    payload::{ActionRef, EventRef},
    validation::{check_profile, check_stream},
};
use gstd::{prelude::*, ActorId};
use w3bstreaming_io::{
    limits::{MAX_STREAMS_PER_BROADCASTER, PRUNED_PER_MESSAGE},
    Error,
};
use w3bstreaming_state::{
    Schedule, StreamEdit, StreamFields, StreamNumber, StreamRecord, UserRecord,
};

/// Applies `action` from `sender` at block time `now` (milliseconds), after pruning
/// up to [`PRUNED_PER_MESSAGE`] streams past their retention.
pub fn apply<'a>(
    schedule: &'a mut Schedule,
    sender: ActorId,
    now: u64,
    action: ActionRef<'a>,
) -> Result<EventRef<'a>, Error> {
    schedule.prune_ended(now, PRUNED_PER_MESSAGE);
    match action {
        ActionRef::NewStream {
            title,
            description,
            start_time,
            end_time,
            img_link,
        } => new_stream(
            schedule,
            sender,
            now,
            StreamFields {
                start_time,
                end_time,
                title,
                img_link,
                description,
            },
        ),
        ActionRef::DeleteStream { stream_id } => delete_stream(schedule, sender, stream_id),
        ActionRef::EditStream {
            stream_id,
            start_time,
            end_time,
            title,
            img_link,
            description,
        } => {
            let (number, record) = own_stream(schedule, sender, stream_id)?;
            let edit = StreamEdit {
                start_time,
                end_time,
                title,
                img_link,
                description,
            };
            check_stream(&record.edited(&edit), now)?;
            schedule.edit_stream(number, &edit);
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
            schedule.subscribe(sender, account_id, now);
            Ok(EventRef::Subscribed)
        }
        ActionRef::EditProfile {
            name,
            surname,
            img_link,
        } => {
            check_profile(name, surname, img_link)?;
            if schedule.user(sender).is_none() && schedule.accounts_full() {
                return Err(Error::AccountsFull);
            }
            schedule.set_profile(sender, name, surname, img_link);
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
            if record.fields().end_time <= now {
                return Err(Error::StreamEnded);
            }
            if schedule.is_watching(number, sender) {
                return Err(Error::AlreadyWatching);
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
    }
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
    let id = schedule.add_stream(number, sender, fields);
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

fn registered(schedule: &Schedule, account: ActorId) -> Result<&UserRecord, Error> {
    schedule.user(account).ok_or(Error::NotRegistered)
}

fn stream<'a>(
    schedule: &'a Schedule,
    stream_id: &str,
) -> Result<(StreamNumber, &'a StreamRecord), Error> {
    schedule.stream(stream_id).ok_or(Error::StreamNotFound)
}

/// The sender's stream with this id: the sender must be registered and own it.
fn own_stream<'a>(
    schedule: &'a Schedule,
    sender: ActorId,
    stream_id: &str,
) -> Result<(StreamNumber, &'a StreamRecord), Error> {
    registered(schedule, sender)?;
    let (number, record) = stream(schedule, stream_id)?;
    if record.broadcaster() != sender {
        return Err(Error::NotBroadcaster);
    }
    Ok((number, record))
}

#[cfg(test)]
mod tests {
    use super::*;
    use w3bstreaming_io::Action;

    /// Needs a block time past the year 2286, which gtest's clock cannot reach.
    #[test]
    fn new_stream_fails_cleanly_when_13_digit_ids_run_out() {
        let last_millisecond = 9_999_999_999_999;
        let mut schedule = Schedule::new();
        let alice = ActorId::from(1u64);
        schedule.set_profile(alice, None, None, None);
        let action = Action::NewStream {
            title: "Last".into(),
            description: None,
            start_time: last_millisecond,
            end_time: last_millisecond + 1,
            img_link: String::new(),
        };
        let first = apply(&mut schedule, alice, last_millisecond, (&action).into());
        assert_eq!(
            first,
            Ok(EventRef::StreamIsScheduled {
                id: "9999999999999Last"
            })
        );
        let second = apply(&mut schedule, alice, last_millisecond, (&action).into());
        assert_eq!(second, Err(Error::StreamIdsExhausted));
        assert_eq!(schedule.stream_count(alice), 1);
    }
}
