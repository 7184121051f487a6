//! The memory budget: the most memory the schedule's data can take when every total
//! of a [`Capacity`] is reached at once and every leaf and chunk is as empty as it can
//! be. The program's totals are chosen so that this leaves room for a message's own
//! work in a Gear program's 2 GiB (see docs/design.md, "Memory budget").
use crate::{
    capacity::Capacity,
    collections::{
        paged_map::{LEAF_ALLOCATION, LEAF_DIRECTORY_BYTES, SPARE_LEAVES},
        ChunkedMap, ENTRY_HEADER, MIN_LEAF_BYTES,
    },
    schedule::StartKey,
    stream_number::StreamNumber,
    text::PackedText,
    tips::MOST_TIP_BYTES,
    user_no::UserNo,
};

/// Most bytes of a profile's record less its text: the account, two counts, the text's
/// header, and the record's entry header in its leaf.
pub const PROFILE_RECORD_BYTES: usize = 32 + 4 + 4 + PackedText::<3>::HEADER + ENTRY_HEADER;

/// Most bytes of a stream's record less its text (the id's digits count as text): the
/// broadcaster and its number, two times, the text's header, and the entry header.
pub const STREAM_RECORD_BYTES: usize = 32 + 8 + 8 + 8 + PackedText::<5>::HEADER + ENTRY_HEADER;

/// A Gear program's memory: 32,768 wasm pages of 64 KiB.
pub const PROGRAM_MEMORY: usize = 32_768 * 64 * 1024;

/// Memory kept for a message's own work beside the data: the 1 MiB stack, a payload of
/// up to Gear's 8 MiB read into the heap, the reply built there, and the allocator's
/// slack around them.
pub const MESSAGE_ROOM: usize = 128 * 1024 * 1024;

/// How the worst case of [`Capacity::LIMITS`] splits: each part's most bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Budget {
    /// Profiles and streams with their text, in leaves as empty as they get.
    pub records: usize,
    /// The start-time and broadcaster indices.
    pub stream_indices: usize,
    /// Both follow indices.
    pub follows: usize,
    /// Both indices of marks to watch.
    pub watches: usize,
    /// The channel roles' index.
    pub roles: usize,
    /// Tip receipts, in leaves as empty as they get, and their index.
    pub tips: usize,
}

impl Budget {
    pub const fn of(capacity: Capacity) -> Budget {
        let record_bytes = capacity.accounts * PROFILE_RECORD_BYTES
            + capacity.streams * STREAM_RECORD_BYTES
            + capacity.text_bytes;
        // Every leaf but the last of each map holds MIN_LEAF_BYTES or more; each map
        // may keep the rest of a block spare.
        let leaves = record_bytes.div_ceil(MIN_LEAF_BYTES) + 2 * (1 + SPARE_LEAVES);
        Budget {
            records: leaves * (LEAF_ALLOCATION + LEAF_DIRECTORY_BYTES),
            stream_indices: capacity.streams
                * (ChunkedMap::<StartKey, ()>::MOST_BYTES_PER_ENTRY
                    + ChunkedMap::<(UserNo, StreamNumber), ()>::MOST_BYTES_PER_ENTRY),
            follows: capacity.follows
                * (ChunkedMap::<(UserNo, UserNo), ()>::MOST_BYTES_PER_ENTRY
                    + ChunkedMap::<(UserNo, UserNo), u64>::MOST_BYTES_PER_ENTRY),
            watches: capacity.watches
                * (ChunkedMap::<(StreamNumber, UserNo), ()>::MOST_BYTES_PER_ENTRY
                    + ChunkedMap::<(UserNo, StreamNumber), ()>::MOST_BYTES_PER_ENTRY),
            roles: capacity.roles * ChunkedMap::<(UserNo, UserNo), u64>::MOST_BYTES_PER_ENTRY,
            tips: (capacity.tips * (MOST_TIP_BYTES + ENTRY_HEADER)).div_ceil(MIN_LEAF_BYTES)
                * (LEAF_ALLOCATION + LEAF_DIRECTORY_BYTES)
                + (1 + SPARE_LEAVES) * (LEAF_ALLOCATION + LEAF_DIRECTORY_BYTES)
                + capacity.tips * ChunkedMap::<(UserNo, u64), ()>::MOST_BYTES_PER_ENTRY,
        }
    }

    pub const fn total(&self) -> usize {
        self.records + self.stream_indices + self.follows + self.watches + self.roles + self.tips
    }
}

#[cfg(test)]
mod tests {
    extern crate std;
    use super::*;

    /// Sizes here are the native build's, which are at least the wasm build's (its
    /// pointers are half as long), so the figure is an upper bound for the program.
    #[test]
    fn the_totals_leave_room_for_a_message() {
        let budget = Budget::of(Capacity::LIMITS);
        std::println!("{budget:?}: {} MiB", budget.total() >> 20);
        assert!(
            budget.total() + MESSAGE_ROOM <= PROGRAM_MEMORY,
            "{budget:?}"
        );
    }
}
