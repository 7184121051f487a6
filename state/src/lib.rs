//! The w3bstreaming program's storage, [`Schedule`], its indices, and the queries over
//! it: the full `Streams`/`Users` reads and the targeted, paginated ones.
//!
//! From the top: `query.rs` and `answer.rs` answer the queries over `schedule.rs`,
//! which keeps the records (`records.rs`: profiles and streams, their texts in
//! `text.rs`, their keys `stream_number.rs` and `user_no.rs`) and the indices, with
//! `follows.rs`, `marks.rs` (marks to watch), `roles.rs` (channel roles) and `tips.rs`
//! (tip receipts) each holding one part's indices; `capacity.rs` is the totals
//! and `budget.rs` the memory they may take. All of it is built on `collections/`,
//! the generic maps, which know nothing of the domain.
//!
//! Plain `no_std` Rust with no message I/O: the program keeps one `Schedule` in a
//! static and answers its `state` export with [`Schedule::query`]; Rust clients and
//! tests can build a `Schedule` and ask it the same questions natively.
//!
//! The storage keeps its own invariants: a stream is always in its broadcaster's list,
//! every subscription has its mirror subscriber entry, and a stream's watchers are
//! dropped with the stream. Which actions are *allowed* (validation, ownership, limits)
//! is the program's business, not this crate's.
#![no_std]

extern crate alloc;

mod answer;
mod budget;
mod capacity;
mod collections;
mod follows;
mod marks;
mod query;
mod query_ref;
mod records;
mod roles;
mod schedule;
mod stream_number;
mod text;
mod tips;
mod user_no;

pub use budget::{Budget, MESSAGE_ROOM, PROGRAM_MEMORY};
pub use capacity::Capacity;
pub use collections::{
    ChunkedMap, PagedMap, Range, RevRange, ENTRY_HEADER, MAX_RECORD_BYTES, MIN_LEAF_BYTES,
    PAGE_BYTES,
};
pub use query::{page_len, Page, SKIP_BUDGET};
pub use query_ref::{CursorRef, QueryRef};
pub use records::{ProfileFields, StreamEdit, StreamFields, StreamRecord, UserRecord};
pub use schedule::{Schedule, StartKey};
pub use stream_number::StreamNumber;
pub use text::PackedText;
pub use tips::{NewTip, TipRecord, MOST_TIP_BYTES};
pub use user_no::UserNo;

#[cfg(test)]
mod test_random {
    /// A fixed xorshift sequence, for the maps' randomized tests.
    pub fn xorshift(mut seed: u64) -> impl FnMut() -> u64 {
        move || {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            seed
        }
    }
}
