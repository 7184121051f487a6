//! The program's reference (docs/program.md) lists every error text clients may see.
use std::fs;
use w3bstreaming_io::{Error, Field};

fn all_errors() -> Vec<Error> {
    let fields = [
        Field::Title,
        Field::Description,
        Field::ImgLink,
        Field::Name,
        Field::Surname,
        Field::Message,
    ];
    let mut errors = vec![
        Error::MalformedAction,
        Error::MalformedQuery,
        Error::NotRegistered,
        Error::StreamNotFound,
        Error::NotBroadcaster,
        Error::EmptyTitle,
        Error::EndNotAfterStart,
        Error::EndInPast,
        Error::StreamTooLong,
        Error::StartTooFarAhead,
        Error::TooManyStreams,
        Error::AccountNotFound,
        Error::SelfSubscription,
        Error::AlreadySubscribed,
        Error::NotSubscribed,
        Error::OwnStream,
        Error::StreamEnded,
        Error::AlreadyWatching,
        Error::NotWatching,
        Error::StreamIdsExhausted,
        Error::BadCursor,
        Error::UnknownCursorAccount,
        Error::AccountsFull,
        Error::StreamsFull,
        Error::FollowsFull,
        Error::WatchesFull,
        Error::TextFull,
        Error::OwnChannel,
        Error::AlreadyInRole,
        Error::NoChannelRole,
        Error::RolesFull,
        Error::TipWithoutValue,
        Error::TipTooSmall,
        Error::TipOwnStream,
        Error::UnexpectedValue,
    ];
    errors.extend(fields.map(Error::TooLong));
    // Stops compiling when a variant is added, until it is added to the list above.
    for error in &errors {
        match error {
            Error::MalformedAction
            | Error::MalformedQuery
            | Error::NotRegistered
            | Error::StreamNotFound
            | Error::NotBroadcaster
            | Error::EmptyTitle
            | Error::TooLong(_)
            | Error::EndNotAfterStart
            | Error::EndInPast
            | Error::StreamTooLong
            | Error::StartTooFarAhead
            | Error::TooManyStreams
            | Error::AccountNotFound
            | Error::SelfSubscription
            | Error::AlreadySubscribed
            | Error::NotSubscribed
            | Error::OwnStream
            | Error::StreamEnded
            | Error::AlreadyWatching
            | Error::NotWatching
            | Error::StreamIdsExhausted
            | Error::UnknownCursorAccount
            | Error::AccountsFull
            | Error::StreamsFull
            | Error::FollowsFull
            | Error::WatchesFull
            | Error::TextFull
            | Error::OwnChannel
            | Error::AlreadyInRole
            | Error::NoChannelRole
            | Error::RolesFull
            | Error::TipWithoutValue
            | Error::TipTooSmall
            | Error::TipOwnStream
            | Error::UnexpectedValue
            | Error::BadCursor => {}
        }
    }
    errors
}

#[test]
fn the_reference_lists_every_error_text() {
    let reference =
        fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/docs/program.md")).unwrap();
    let texts: Vec<String> = all_errors().iter().map(ToString::to_string).collect();
    let missing: Vec<&String> = texts
        .iter()
        .filter(|text| !reference.contains(&format!("`{text}`")))
        .collect();
    assert!(
        missing.is_empty(),
        "docs/program.md does not list {missing:?}"
    );
    let mut unique = texts.clone();
    unique.sort();
    unique.dedup();
    assert_eq!(unique.len(), texts.len(), "two errors share a text");
}
