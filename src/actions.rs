//! What each `Action` does to the [`Schedule`], given who sent it and the block time.
//! Every check runs before the first write, so a rejected action changes nothing.
use crate::validation::{check_profile, check_stream};
use gstd::{prelude::*, ActorId};
use w3bstreaming_io::{
    limits::{MAX_STREAMS_PER_BROADCASTER, PRUNED_PER_MESSAGE},
    Action, Error, Event,
};
use w3bstreaming_state::{Schedule, StreamFields, StreamNumber, StreamRecord, UserRecord};

/// Applies `action` from `sender` at block time `now` (milliseconds), after pruning
/// up to [`PRUNED_PER_MESSAGE`] streams past their retention.
pub fn apply(
    schedule: &mut Schedule,
    sender: ActorId,
    now: u64,
    action: Action,
) -> Result<Event, Error> {
    schedule.prune_ended(now, PRUNED_PER_MESSAGE);
    match action {
        Action::NewStream {
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
        Action::DeleteStream { stream_id } => delete_stream(schedule, sender, stream_id),
        Action::EditStream {
            stream_id,
            start_time,
            end_time,
            title,
            img_link,
            description,
        } => {
            let (number, record) = own_stream(schedule, sender, &stream_id)?;
            let current = record.fields();
            let edited = StreamFields {
                start_time: start_time.unwrap_or(current.start_time),
                end_time: end_time.unwrap_or(current.end_time),
                title: title.unwrap_or_else(|| current.title.clone()),
                img_link: img_link.unwrap_or_else(|| current.img_link.clone()),
                description,
            };
            check_stream(&edited, now)?;
            schedule.edit_stream(number, edited);
            Ok(Event::StreamEdited)
        }
        Action::Subscribe { account_id } => {
            let follower = registered(schedule, sender)?;
            if schedule.user(account_id).is_none() {
                return Err(Error::AccountNotFound);
            }
            if account_id == sender {
                return Err(Error::SelfSubscription);
            }
            if follower.follows(account_id) {
                return Err(Error::AlreadySubscribed);
            }
            schedule.subscribe(sender, account_id, now);
            Ok(Event::Subscribed)
        }
        Action::EditProfile {
            name,
            surname,
            img_link,
        } => {
            check_profile(&name, &surname, &img_link)?;
            schedule.set_profile(sender, name, surname, img_link);
            Ok(Event::ProfileEdited)
        }
        Action::Unsubscribe { account_id } => {
            if !registered(schedule, sender)?.follows(account_id) {
                return Err(Error::NotSubscribed);
            }
            schedule.unsubscribe(sender, account_id);
            Ok(Event::Unsubscribed)
        }
        Action::Watch { stream_id } => {
            registered(schedule, sender)?;
            let (number, record) = stream(schedule, &stream_id)?;
            if record.broadcaster() == sender {
                return Err(Error::OwnStream);
            }
            if record.fields().end_time <= now {
                return Err(Error::StreamEnded);
            }
            if record.is_watched_by(sender) {
                return Err(Error::AlreadyWatching);
            }
            schedule.watch(number, sender);
            Ok(Event::WatchMarked)
        }
        Action::Unwatch { stream_id } => {
            registered(schedule, sender)?;
            let (number, record) = stream(schedule, &stream_id)?;
            if !record.is_watched_by(sender) {
                return Err(Error::NotWatching);
            }
            schedule.unwatch(number, sender);
            Ok(Event::WatchUnmarked)
        }
    }
}

fn new_stream(
    schedule: &mut Schedule,
    sender: ActorId,
    now: u64,
    fields: StreamFields,
) -> Result<Event, Error> {
    let broadcaster = registered(schedule, sender)?;
    check_stream(&fields, now)?;
    if broadcaster.stream_count() >= MAX_STREAMS_PER_BROADCASTER {
        return Err(Error::TooManyStreams);
    }
    let number = schedule
        .next_stream_number(now)
        .ok_or(Error::StreamIdsExhausted)?;
    let id = schedule.add_stream(number, sender, fields);
    Ok(Event::StreamIsScheduled { id })
}

fn delete_stream(
    schedule: &mut Schedule,
    sender: ActorId,
    stream_id: String,
) -> Result<Event, Error> {
    let (number, _) = own_stream(schedule, sender, &stream_id)?;
    schedule.remove_stream(number);
    Ok(Event::StreamDeleted { id: stream_id })
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
        let first = apply(&mut schedule, alice, last_millisecond, action.clone());
        assert_eq!(
            first,
            Ok(Event::StreamIsScheduled {
                id: "9999999999999Last".into()
            })
        );
        let second = apply(&mut schedule, alice, last_millisecond, action);
        assert_eq!(second, Err(Error::StreamIdsExhausted));
        assert_eq!(schedule.user(alice).unwrap().stream_count(), 1);
    }
}
