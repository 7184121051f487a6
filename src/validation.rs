//! The limits of `w3bstreaming_io::limits`, applied. Every action checks its input here
//! and nowhere else.
use gstd::prelude::*;
use w3bstreaming_io::{
    limits::{MAX_SCHEDULE_AHEAD_MS, MAX_STREAM_DURATION_MS, MIN_TIP},
    Error, Field,
};
use w3bstreaming_state::{ProfileFields, StreamFields};

/// A stream as scheduled, or as it would be after an edit, at block time `now`.
pub fn check_stream(fields: &StreamFields<'_>, now: u64) -> Result<(), Error> {
    if fields.title.trim().is_empty() {
        return Err(Error::EmptyTitle);
    }
    check_len(Field::Title, fields.title)?;
    check_len(Field::ImgLink, fields.img_link)?;
    check_opt_len(Field::Description, fields.description)?;
    if fields.end_time <= fields.start_time {
        return Err(Error::EndNotAfterStart);
    }
    if fields.end_time <= now {
        return Err(Error::EndInPast);
    }
    if fields.end_time - fields.start_time > MAX_STREAM_DURATION_MS {
        return Err(Error::StreamTooLong);
    }
    if fields.start_time > now.saturating_add(MAX_SCHEDULE_AHEAD_MS) {
        return Err(Error::StartTooFarAhead);
    }
    Ok(())
}

/// The three fields of `EditProfile`.
pub fn check_profile(profile: &ProfileFields<'_>) -> Result<(), Error> {
    check_opt_len(Field::Name, profile.name)?;
    check_opt_len(Field::Surname, profile.surname)?;
    check_opt_len(Field::ImgLink, profile.img_link)
}

/// A tip's value and message.
pub fn check_tip(value: u128, message: &str) -> Result<(), Error> {
    check_len(Field::Message, message)?;
    if value == 0 {
        return Err(Error::TipWithoutValue);
    }
    if value < MIN_TIP {
        return Err(Error::TipTooSmall);
    }
    Ok(())
}

fn check_len(field: Field, text: &str) -> Result<(), Error> {
    let (_, limit) = field.name_and_limit();
    if text.len() > limit {
        return Err(Error::TooLong(field));
    }
    Ok(())
}

fn check_opt_len(field: Field, text: Option<&str>) -> Result<(), Error> {
    text.map_or(Ok(()), |text| check_len(field, text))
}
