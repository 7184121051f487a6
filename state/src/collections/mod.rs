//! The generic collections the storage is made of, which know nothing of streams or
//! accounts: [`PagedMap`], records in pages of at most 16 KiB, and [`ChunkedMap`], an
//! ordered index in chunks, each with its [`directory`] of pages or chunks (a B-tree
//! of height three). They hold their own invariants with `unsafe` code reviewed in
//! place; the domain (`schedule.rs`, `records.rs`, `query.rs`) uses them only through
//! their public methods.
pub(crate) mod chunked_map;
pub(crate) mod directory;
pub(crate) mod paged_map;

pub use chunked_map::{ChunkedMap, Range, RevRange};
pub use paged_map::{PagedMap, Record, ENTRY_HEADER, MAX_RECORD_BYTES, MIN_LEAF_BYTES, PAGE_BYTES};
