//! The w3bstreaming program's storage, [`Schedule`], its indices, and the queries over
//! it: the full `Streams`/`Users` reads and the targeted, paginated ones.
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

mod budget;
mod chunked_map;
mod directory;
mod paged_map;
mod query;
mod records;
mod schedule;
mod stream_number;
mod text;

pub use budget::{Budget, MESSAGE_ROOM, PROGRAM_MEMORY};
pub use chunked_map::{ChunkedMap, Range, RevRange};
pub use paged_map::{PagedMap, ENTRY_HEADER, MAX_RECORD_BYTES, MIN_LEAF_BYTES, PAGE_BYTES};
pub use query::{page_len, Page, SKIP_BUDGET};
pub use records::{ProfileFields, StreamEdit, StreamFields, StreamRecord, UserRecord};
pub use schedule::{Capacity, Schedule, StartKey, UserNo};
pub use stream_number::StreamNumber;
pub use text::PackedText;

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
