//! The schedule's count of stored text, which the program's text budget relies on,
//! follows every write.
use gstd::ActorId;
use w3bstreaming_io::Error;
use w3bstreaming_state::{Capacity, ProfileFields, Schedule, StreamEdit, StreamFields};

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
    schedule
        .set_profile(
            alice,
            ProfileFields {
                name: Some("Alice"),
                surname: None,
                img_link: Some("https://a.example"),
            },
        )
        .unwrap();
    schedule
        .set_profile(
            bob,
            ProfileFields {
                name: None,
                surname: Some("B"),
                img_link: None,
            },
        )
        .unwrap();
    schedule
        .set_profile(
            alice,
            ProfileFields {
                name: Some("Al"),
                surname: Some("Smith"),
                img_link: None,
            },
        )
        .unwrap();
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
        let id = schedule.add_stream(number, alice, fields(title, Some("about it")));
        ids.push(String::from(id.unwrap()));
    }
    assert_eq!(schedule.text_bytes(), shown_text(&schedule));

    let (number, _) = schedule.stream(&ids[0]).unwrap();
    let edit = StreamEdit {
        start_time: None,
        end_time: None,
        title: Some("First, renamed at length"),
        img_link: None,
        description: None,
    };
    let mut seen = None;
    schedule
        .edit_stream(number, &edit, |fields| {
            seen = Some((
                fields.title.to_owned(),
                fields.description.map(str::to_owned),
            ));
            Ok(())
        })
        .unwrap();
    assert_eq!(
        seen,
        Some(("First, renamed at length".into(), None)),
        "the check sees the edited fields"
    );
    assert_eq!(schedule.text_bytes(), shown_text(&schedule));

    let (number, _) = schedule.stream(&ids[1]).unwrap();
    schedule.remove_stream(number);
    assert_eq!(schedule.text_bytes(), shown_text(&schedule));
    assert_eq!(schedule.prune_ended(T0 + 2 * HOUR + 8 * 24 * HOUR, 5), 2);
    assert_eq!(schedule.text_bytes(), shown_text(&schedule));
}

/// The last byte of the budget fits and one more does not, for each kind of write; a
/// refused write counts nothing and stores nothing.
#[test]
fn text_past_the_budget_is_refused_and_counts_nothing() {
    // "Alice", then 13 digits, "ab" twice and a 22-byte link: 44 bytes.
    let mut schedule = Schedule::with_capacity(Capacity {
        text_bytes: 44,
        ..Capacity::LIMITS
    });
    let alice = ActorId::from(1u64);
    let name = |name| ProfileFields {
        name: Some(name),
        ..ProfileFields::default()
    };
    schedule.set_profile(alice, name("Alice")).unwrap();
    let fields = StreamFields {
        start_time: T0 + HOUR,
        end_time: T0 + 2 * HOUR,
        title: "ab",
        img_link: "https://banner.example",
        description: None,
    };
    let number = schedule.next_stream_number(T0).unwrap();
    let id = String::from(schedule.add_stream(number, alice, fields).unwrap());
    assert_eq!(schedule.text_bytes(), 44);

    let full = Err(Error::TextFull);
    assert_eq!(schedule.set_profile(alice, name("Alice!")), full);
    let number = schedule.next_stream_number(T0 + 1).unwrap();
    let empty = StreamFields {
        title: "",
        img_link: "",
        ..fields
    };
    assert_eq!(schedule.add_stream(number, alice, empty).map(|_| ()), full);
    let (number, _) = schedule.stream(&id).unwrap();
    let longer = StreamEdit {
        start_time: None,
        end_time: None,
        title: Some("abc"),
        img_link: None,
        description: None,
    };
    assert_eq!(schedule.edit_stream(number, &longer, |_| Ok(())), full);
    assert_eq!(schedule.text_bytes(), 44);
    assert_eq!(
        schedule.user(alice).and_then(|user| user.name()),
        Some("Alice")
    );
    assert_eq!(
        schedule.stream(&id).map(|(_, record)| record.fields()),
        Some(fields)
    );
    assert_eq!(schedule.stored_stream_count(), 1);

    assert_eq!(schedule.set_profile(alice, name("Al")), Ok(()));
    assert_eq!(schedule.text_bytes(), 41);
}
