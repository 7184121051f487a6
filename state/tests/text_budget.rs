//! The schedule's count of stored text, which the program's text budget relies on,
//! follows every write.
use gstd::ActorId;
use w3bstreaming_io::limits::MAX_TEXT_BYTES;
use w3bstreaming_state::{Schedule, StreamEdit, StreamFields};

const T0: u64 = 1_700_000_000_000;
const HOUR: u64 = 3_600_000;

/// The text the full reads show: what the schedule should be counting.
fn shown_text(schedule: &Schedule) -> usize {
    let profiles: usize = schedule
        .all_users()
        .iter()
        .map(|(_, p)| {
            [&p.name, &p.surname, &p.img_link]
                .iter()
                .flat_map(|t| t.as_deref())
                .map(str::len)
                .sum::<usize>()
        })
        .sum();
    let streams: usize = schedule
        .all_streams()
        .iter()
        .map(|(id, s)| {
            id.len()
                + s.title.len()
                + s.img_link.len()
                + s.description.as_deref().map_or(0, str::len)
        })
        .sum();
    profiles + streams
}

#[test]
fn stored_text_is_counted_through_every_write() {
    let mut schedule = Schedule::new();
    let (alice, bob) = (ActorId::from(1u64), ActorId::from(2u64));
    schedule.set_profile(alice, Some("Alice"), None, Some("https://a.example"));
    schedule.set_profile(bob, None, Some("B"), None);
    schedule.set_profile(alice, Some("Al"), Some("Smith"), None);
    assert_eq!(schedule.text_bytes(), shown_text(&schedule));

    let fields = |title, description| StreamFields {
        start_time: T0 + HOUR,
        end_time: T0 + 2 * HOUR,
        title,
        img_link: "https://banner.example",
        description,
    };
    let mut ids = Vec::new();
    for (i, title) in ["First", "Second", "Third"].into_iter().enumerate() {
        let number = schedule.next_stream_number(T0 + i as u64).unwrap();
        ids.push(String::from(schedule.add_stream(
            number,
            alice,
            fields(title, Some("about it")),
        )));
    }
    assert_eq!(schedule.text_bytes(), shown_text(&schedule));

    let (number, record) = schedule.stream(&ids[0]).unwrap();
    let edit = StreamEdit {
        start_time: None,
        end_time: None,
        title: Some("First, renamed at length"),
        img_link: None,
        description: None,
    };
    let expected = StreamFields {
        title: "First, renamed at length",
        description: None,
        ..record.fields()
    };
    let predicted = w3bstreaming_state::StreamRecord::text_len_of(record.id_title(), &expected);
    let before = schedule.text_bytes() - record.text_len();
    schedule.edit_stream(number, &edit);
    assert_eq!(
        schedule.text_bytes(),
        before + predicted,
        "text_len_of predicts an edit"
    );
    assert_eq!(schedule.text_bytes(), shown_text(&schedule));

    let (number, _) = schedule.stream(&ids[1]).unwrap();
    schedule.remove_stream(number);
    assert_eq!(schedule.text_bytes(), shown_text(&schedule));
    assert_eq!(schedule.prune_ended(T0 + 2 * HOUR + 8 * 24 * HOUR, 5), 2);
    assert_eq!(schedule.text_bytes(), shown_text(&schedule));
    assert!(schedule.text_fits(0, MAX_TEXT_BYTES - schedule.text_bytes()));
    assert!(!schedule.text_fits(0, MAX_TEXT_BYTES - schedule.text_bytes() + 1));
}
