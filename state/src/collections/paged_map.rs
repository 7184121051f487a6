use super::directory::Directory;
use alloc::{boxed::Box, vec::Vec};
use core::{
    fmt,
    mem::MaybeUninit,
    ops::{Deref, DerefMut},
    ptr::NonNull,
};

/// Bytes of a Gear memory page, the unit a message pays for touching.
pub const PAGE_BYTES: usize = 16 * 1024;

/// Leaves allocated at once. Aligning an allocation to a page may leave up to a page
/// unused in front of it, so a block of leaves wastes at most a sixteenth.
const LEAVES_PER_BLOCK: usize = 16;

/// Most bytes of memory one leaf takes: its page and its share of its block's waste.
pub(crate) const LEAF_ALLOCATION: usize = PAGE_BYTES + PAGE_BYTES / LEAVES_PER_BLOCK;

/// Most bytes of memory a leaf's entry in its map's directory takes.
pub(crate) const LEAF_DIRECTORY_BYTES: usize = Directory::<u64, LeafRef>::MOST_BYTES_PER_ENTRY;

/// Leaves a map may hold beyond those in use: the rest of its last block.
pub(crate) const SPARE_LEAVES: usize = LEAVES_PER_BLOCK;

/// Bytes of a leaf's slots and records: the page less the leaf's header.
const LEAF_BYTES: usize = PAGE_BYTES - 8;

/// Bytes a record takes in a leaf besides its own: its key, its length, and its slot.
pub const ENTRY_HEADER: usize = 8 + 2 + SLOT;

/// Bytes of a slot: where a record lies in its leaf.
const SLOT: usize = 2;

/// Bytes every leaf but the last holds at least: a split cuts within half an entry of
/// the middle, and a leaf that falls below half full takes records from a neighbour or
/// merges with it.
pub const MIN_LEAF_BYTES: usize = LEAF_BYTES / 2 - (ENTRY_HEADER + MAX_RECORD_BYTES);

/// Longest record a [`PagedMap`] stores: a stream's with every text at its limit
/// (`records.rs` checks that it fits). The shorter it is, the fuller leaves stay (see
/// [`MIN_LEAF_BYTES`]).
pub const MAX_RECORD_BYTES: usize = 1_536;

/// A record's bytes, which a [`PagedMap`] writes straight into their leaf: a record
/// is then not built on the stack first (a message pays to zero the stack it uses).
pub trait Record {
    /// Bytes of the record.
    fn len(&self) -> usize;
    /// Writes the record into `out`, which is `len()` bytes long.
    fn write(&self, out: &mut [u8]);
}

impl Record for &[u8] {
    fn len(&self) -> usize {
        <[u8]>::len(self)
    }

    fn write(&self, out: &mut [u8]) {
        out.copy_from_slice(self);
    }
}

/// Records of varying length under `u64` keys, kept in key order in leaves of one
/// memory page each, with a sorted `Directory` of the leaves: a B-tree of height
/// three whose leaves are pages.
///
/// Why: a Gear message pays for every 16 KiB page it touches. A record here, its
/// text included, lies on one page, and changing it writes that page alone (the
/// directory only changes when a leaf splits, merges or shares records, about once
/// per hundred changes). The map grows a page at a time with its records, so an empty
/// map costs nothing and the first records share one page.
pub struct PagedMap {
    /// Each leaf with the least key it may hold; the first leaf also holds every key
    /// below the second one's bound. Every leaf but the last holds at least
    /// [`MIN_LEAF_BYTES`], so the leaves take at most about 2.5 times the records' bytes.
    leaves: Directory<u64, LeafRef>,
    len: usize,
    pool: LeafPool,
}

/// One page of records. Its slots, from the start of `bytes`, hold where each record
/// lies, in key order, so that a lookup is a binary search; the records themselves
/// (key, 8 bytes little-endian; length, 2 bytes; then the record) fill the page from
/// its end down, in no order, so that an insert writes its record and moves only the
/// slots after it.
#[repr(C, align(16384))]
struct Leaf {
    count: u16,
    /// Where the records' area begins: `bytes[start..]`.
    start: u16,
    /// Bytes of the records' area that belong to no record (left by removals and by
    /// records that shrank or moved), reclaimed when room runs short.
    garbage: u16,
    _unused: u16,
    bytes: [u8; LEAF_BYTES],
}

/// Where a key is or would go in a leaf: the slot of its record, or of the first
/// record with a greater key (or the count).
type Position = Result<usize, usize>;

type Block = [Leaf; LEAVES_PER_BLOCK];

/// A leaf of a [`PagedMap`], which the map alone refers to.
struct LeafRef(NonNull<Leaf>);

impl Deref for LeafRef {
    type Target = Leaf;

    fn deref(&self) -> &Leaf {
        // SAFETY: `LeafPool::take` made the leaf valid; its block lives as long as the
        // map, and each leaf has one `LeafRef`, held by the map.
        unsafe { self.0.as_ref() }
    }
}

impl DerefMut for LeafRef {
    fn deref_mut(&mut self) -> &mut Leaf {
        // SAFETY: as for `deref`; `&mut self` is the only way to the leaf.
        unsafe { self.0.as_mut() }
    }
}

/// Where a map's leaves come from: blocks of [`LEAVES_PER_BLOCK`] pages, and the
/// leaves a merge gave back, kept for the next split.
struct LeafPool {
    /// The first leaf of every block, to free the blocks with the map.
    blocks: Vec<NonNull<Leaf>>,
    /// Leaves not in use; those never used are not initialised yet.
    spare: Vec<LeafRef>,
}

impl LeafPool {
    const fn new() -> Self {
        Self {
            blocks: Vec::new(),
            spare: Vec::new(),
        }
    }

    /// An empty leaf.
    fn take(&mut self) -> LeafRef {
        let leaf = self.spare.pop().unwrap_or_else(|| {
            let block = Box::into_raw(Box::<Block>::new_uninit()).cast::<Leaf>();
            let first = NonNull::new(block).expect("a box is not null");
            self.blocks.push(first);
            // SAFETY: the block holds LEAVES_PER_BLOCK leaves from `first` on.
            let spare = (1..LEAVES_PER_BLOCK)
                .rev()
                .map(|at| unsafe { first.add(at) });
            self.spare.extend(spare.map(LeafRef));
            LeafRef(first)
        });
        // SAFETY: the leaf lies in a live block, and all zeros is a valid, empty leaf.
        // Zeroing it touches its page alone, which the caller writes anyway.
        unsafe { leaf.0.as_ptr().write_bytes(0, 1) };
        leaf
    }

    fn give(&mut self, leaf: LeafRef) {
        self.spare.push(leaf);
    }
}

impl Drop for LeafPool {
    fn drop(&mut self) {
        for first in self.blocks.drain(..) {
            // SAFETY: `take` made each block with `Box::into_raw`, and the map that
            // refers to its leaves is being dropped.
            drop(unsafe { Box::from_raw(first.as_ptr().cast::<MaybeUninit<Block>>()) });
        }
    }
}

impl Leaf {
    fn count(&self) -> usize {
        usize::from(self.count)
    }

    /// Bytes in use by slots and records; all zeros (a new leaf) is empty, since a
    /// zero `start` reads as the end of the page.
    fn used(&self) -> usize {
        self.count() * SLOT + self.area() - usize::from(self.garbage)
    }

    fn start(&self) -> usize {
        match self.start {
            0 => LEAF_BYTES,
            start => usize::from(start),
        }
    }

    fn area(&self) -> usize {
        LEAF_BYTES - self.start()
    }

    fn offset(&self, slot: usize) -> usize {
        usize::from(u16::from_le_bytes([
            self.bytes[2 * slot],
            self.bytes[2 * slot + 1],
        ]))
    }

    fn set_offset(&mut self, slot: usize, offset: usize) {
        let offset = u16::try_from(offset).expect("offsets fit a page");
        self.bytes[2 * slot..2 * slot + 2].copy_from_slice(&offset.to_le_bytes());
    }

    fn key(&self, slot: usize) -> u64 {
        let at = self.offset(slot);
        u64::from_le_bytes(self.bytes[at..at + 8].try_into().expect("8 bytes"))
    }

    /// Where record `slot`'s own bytes lie.
    fn range(&self, slot: usize) -> core::ops::Range<usize> {
        let at = self.offset(slot) + 8;
        let len = usize::from(u16::from_le_bytes([self.bytes[at], self.bytes[at + 1]]));
        at + 2..at + 2 + len
    }

    /// Bytes record `slot` takes, its slot and header included.
    fn entry_len(&self, slot: usize) -> usize {
        ENTRY_HEADER + self.range(slot).len()
    }

    fn record(&self, slot: usize) -> &[u8] {
        &self.bytes[self.range(slot)]
    }

    fn first_key(&self) -> Option<u64> {
        (self.count > 0).then(|| self.key(0))
    }

    fn find(&self, key: u64) -> Position {
        let (mut low, mut high) = (0, self.count());
        while low < high {
            let middle = (low + high) / 2;
            match self.key(middle).cmp(&key) {
                core::cmp::Ordering::Less => low = middle + 1,
                core::cmp::Ordering::Greater => high = middle,
                core::cmp::Ordering::Equal => return Ok(middle),
            }
        }
        Err(low)
    }

    fn entries(&self) -> impl Iterator<Item = (u64, &[u8])> {
        (0..self.count()).map(|slot| (self.key(slot), self.record(slot)))
    }

    /// Writes a record at the bottom of the records' area; its offset. `replacing` is
    /// the slot whose record it replaces (whose bytes are already counted as garbage),
    /// if any, else it will take a new slot. Precondition: the leaf has room for it,
    /// garbage included.
    fn write_record(&mut self, key: u64, record: &dyn Record, replacing: Option<usize>) -> usize {
        let len = 10 + record.len();
        let slots = self.count() + usize::from(replacing.is_none());
        if self.start() < slots * SLOT + len {
            self.compact(replacing);
        }
        let at = self.start() - len;
        self.bytes[at..at + 8].copy_from_slice(&key.to_le_bytes());
        self.bytes[at + 8..at + 10].copy_from_slice(&(record.len() as u16).to_le_bytes());
        record.write(&mut self.bytes[at + 10..at + len]);
        self.start = at as u16;
        at
    }

    /// Inserts a record as slot `slot`. Precondition: it fits.
    fn insert_at(&mut self, slot: usize, key: u64, record: &dyn Record) {
        let at = self.write_record(key, record, None);
        let count = self.count();
        self.bytes
            .copy_within(slot * SLOT..count * SLOT, (slot + 1) * SLOT);
        self.set_offset(slot, at);
        self.count += 1;
    }

    /// Replaces record `slot`'s bytes. Precondition: the new ones fit.
    fn replace_at(&mut self, slot: usize, record: &dyn Record) {
        let old = self.range(slot);
        if record.len() <= old.len() {
            record.write(&mut self.bytes[old.start..old.start + record.len()]);
            let len_at = old.start - 2;
            self.bytes[len_at..old.start].copy_from_slice(&(record.len() as u16).to_le_bytes());
            self.garbage += (old.len() - record.len()) as u16;
        } else {
            let key = self.key(slot);
            // Garbage from now on, so that a compaction on the way reclaims them.
            self.garbage += (10 + old.len()) as u16;
            let at = self.write_record(key, record, Some(slot));
            self.set_offset(slot, at);
        }
    }

    /// Removes slots `range` and their records.
    fn remove_range(&mut self, range: core::ops::Range<usize>) {
        let freed: usize = range.clone().map(|slot| 10 + self.range(slot).len()).sum();
        let count = self.count();
        self.bytes
            .copy_within(range.end * SLOT..count * SLOT, range.start * SLOT);
        self.count -= range.len() as u16;
        if self.count == 0 {
            self.start = 0;
            self.garbage = 0;
        } else {
            self.garbage += freed as u16;
        }
    }

    /// Rewrites the records' area without garbage, and without the record of `skipped`
    /// (whose bytes are already counted as garbage), which keeps a stale offset.
    fn compact(&mut self, skipped: Option<usize>) {
        let mut area = [0u8; LEAF_BYTES];
        let mut start = LEAF_BYTES;
        for slot in 0..self.count() {
            if Some(slot) == skipped {
                continue;
            }
            let at = self.offset(slot);
            let len = 10 + self.range(slot).len();
            start -= len;
            area[start..start + len].copy_from_slice(&self.bytes[at..at + len]);
            self.set_offset(slot, start);
        }
        self.bytes[start..].copy_from_slice(&area[start..]);
        self.start = start as u16;
        self.garbage = 0;
    }

    /// The slot nearest to where `target` bytes of entries (counted from slot 0) end,
    /// other than 0 and the count (there are two records or more): where to cut the
    /// leaf so that one side keeps about `target` bytes, within half an entry.
    fn cut_near(&self, target: usize) -> usize {
        let mut cut = 1;
        let mut bytes = self.entry_len(0);
        while bytes < target && cut + 1 < self.count() {
            let next = bytes + self.entry_len(cut);
            if next > target && next - target > target - bytes {
                break;
            }
            bytes = next;
            cut += 1;
        }
        cut
    }

    /// Moves the records from slot `at` on to the front of `other`.
    fn move_tail_to(&mut self, at: usize, other: &mut Leaf) {
        for (to, slot) in (at..self.count()).enumerate() {
            let (key, range) = (self.key(slot), self.range(slot));
            other.insert_at(to, key, &&self.bytes[range]);
        }
        self.remove_range(at..self.count());
    }

    /// Moves the records before slot `at` to the end of `other`.
    fn move_head_to(&mut self, at: usize, other: &mut Leaf) {
        for slot in 0..at {
            let (key, range) = (self.key(slot), self.range(slot));
            other.insert_at(other.count(), key, &&self.bytes[range]);
        }
        self.remove_range(0..at);
    }
}

impl PagedMap {
    pub const fn new() -> Self {
        Self {
            leaves: Directory::new(),
            len: 0,
            pool: LeafPool::new(),
        }
    }

    pub fn len(&self) -> usize {
        self.len
    }

    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// The leaf that holds `key` if any does. Precondition: there is a leaf.
    fn leaf_for(&self, key: u64) -> usize {
        self.leaves.position_for(&key)
    }

    fn locate(&self, key: u64) -> Option<(usize, usize)> {
        if self.leaves.is_empty() {
            return None;
        }
        let at = self.leaf_for(key);
        let slot = self.leaves[at].1.find(key).ok()?;
        Some((at, slot))
    }

    pub fn get(&self, key: u64) -> Option<&[u8]> {
        let (at, slot) = self.locate(key)?;
        Some(self.leaves[at].1.record(slot))
    }

    /// The record under `key`, to change in place (its length stays).
    pub fn get_mut(&mut self, key: u64) -> Option<&mut [u8]> {
        let (at, slot) = self.locate(key)?;
        let leaf = self.leaf_mut(at);
        let range = leaf.range(slot);
        Some(&mut leaf.bytes[range])
    }

    pub fn contains_key(&self, key: u64) -> bool {
        self.locate(key).is_some()
    }

    /// Stores `record` under `key`, replacing the record there if any.
    ///
    /// Panics if `record` is longer than [`MAX_RECORD_BYTES`]: callers store records
    /// whose length their own limits bound.
    pub fn insert(&mut self, key: u64, record: &dyn Record) {
        assert!(record.len() <= MAX_RECORD_BYTES, "record within the limit");
        if self.leaves.is_empty() {
            let leaf = self.pool.take();
            self.leaves.push((key, leaf));
        }
        let at = self.leaf_for(key);
        let last = at + 1 == self.leaves.len();
        // The field itself, not `leaf_mut`: the pool is borrowed beside the leaf.
        let leaf = self.leaves.item_mut(at).expect("a leaf for every key");
        let new = ENTRY_HEADER + record.len();
        match leaf.find(key) {
            Ok(slot) => {
                let old = leaf.entry_len(slot);
                if leaf.used() - old + new > LEAF_BYTES {
                    self.remove(key);
                    return self.insert(key, record);
                }
                leaf.replace_at(slot, record);
                if new < old {
                    self.refill(at);
                }
            }
            Err(slot) if leaf.used() + new <= LEAF_BYTES => {
                leaf.insert_at(slot, key, record);
                self.len += 1;
            }
            Err(slot) => {
                // Records keyed in rising order (stream numbers) all arrive at the
                // end of the last leaf: leave it full and start a new one, instead of
                // halving it into two leaves that would never fill again.
                let cut = if slot == leaf.count() && last {
                    leaf.count()
                } else {
                    leaf.cut_near(leaf.used() / 2)
                };
                let mut upper = self.pool.take();
                leaf.move_tail_to(cut, &mut upper);
                let bound = upper.first_key().unwrap_or(key);
                self.leaves.insert(at + 1, (bound, upper));
                self.insert(key, record)
            }
        }
    }

    /// Removes `key`'s record; whether there was one. A leaf left below half full
    /// takes records from a neighbour, or merges with it.
    pub fn remove(&mut self, key: u64) -> bool {
        let Some((at, slot)) = self.locate(key) else {
            return false;
        };
        self.leaf_mut(at).remove_range(slot..slot + 1);
        self.len -= 1;
        if self.len == 0 {
            for (_, leaf) in self.leaves.take_all() {
                self.pool.give(leaf);
            }
        } else {
            self.refill(at);
        }
        true
    }

    /// Every record in key order.
    pub fn iter(&self) -> impl Iterator<Item = (u64, &[u8])> {
        self.leaves.iter().flat_map(|(_, leaf)| leaf.entries())
    }

    /// Brings leaf `at` back to half full if it fell below, with a neighbour (the next
    /// one, or the previous one for the last leaf): all of the right one's records
    /// move into the left one if they fit, else records move until both are about
    /// equally full.
    fn refill(&mut self, at: usize) {
        if self.leaves.len() < 2 || self.leaves[at].1.used() >= LEAF_BYTES / 2 {
            return;
        }
        let left = if at + 1 < self.leaves.len() {
            at
        } else {
            at - 1
        };
        let (first, second) = self.leaves.pair_mut(left, left + 1);
        let total = first.used() + second.used();
        if total <= LEAF_BYTES {
            let all = second.count();
            second.move_head_to(all, first);
            let (_, merged) = self.leaves.remove(left + 1);
            self.pool.give(merged);
            return;
        }
        if first.used() < second.used() {
            let cut = second.cut_near(total / 2 - first.used());
            second.move_head_to(cut, first);
        } else {
            let cut = first.cut_near(total / 2);
            first.move_tail_to(cut, second);
        }
        let bound = second.first_key().expect("a shared leaf keeps records");
        self.leaves.set_bound(left + 1, bound);
    }

    /// The leaf at position `at` of the directory, which holds that many.
    fn leaf_mut(&mut self, at: usize) -> &mut Leaf {
        self.leaves
            .item_mut(at)
            .expect("a leaf at a position found")
    }
}

impl Default for PagedMap {
    fn default() -> Self {
        Self::new()
    }
}

/// Equal when they hold the same records, however they are spread over leaves.
impl PartialEq for PagedMap {
    fn eq(&self, other: &Self) -> bool {
        self.len == other.len && self.iter().eq(other.iter())
    }
}

impl Eq for PagedMap {}

impl fmt::Debug for PagedMap {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_map().entries(self.iter()).finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloc::{collections::BTreeMap, vec};

    fn check_shape(map: &PagedMap) {
        let used: Vec<usize> = map.leaves.iter().map(|(_, leaf)| leaf.used()).collect();
        if let Some((_, all_but_last)) = used.split_last() {
            assert!(
                all_but_last.iter().all(|&bytes| bytes >= MIN_LEAF_BYTES),
                "a leaf below the least fill: {used:?}"
            );
        }
        assert_eq!(
            map.leaves
                .iter()
                .map(|(_, leaf)| leaf.entries().count())
                .sum::<usize>(),
            map.len()
        );
        for (at, (bound, leaf)) in map.leaves.iter().enumerate().skip(1) {
            assert!(leaf.entries().all(|(key, _)| key >= *bound), "leaf {at}");
        }
        assert!(map.iter().map(|(key, _)| key).is_sorted());
    }

    fn record(key: u64, step: u64) -> Vec<u8> {
        let len = ((key * 7 + step * 13) % 600) as usize;
        vec![(key ^ step) as u8; len]
    }

    /// Random inserts, replacements of other lengths and removals agree with a
    /// `BTreeMap`, through many splits, merges and shares.
    #[test]
    fn agrees_with_a_btree_map_under_churn() {
        let mut map = PagedMap::new();
        let mut model = BTreeMap::new();
        let mut next = crate::test_random::xorshift(0x9e37_79b9_7f4a_7c15);
        for step in 0..40_000u64 {
            let roll = next();
            let growing = (step / 8_000) % 2 == 0;
            let key = (roll >> 8) % 2_000;
            if (roll % 10 < 7) == growing {
                let bytes = record(key, step);
                map.insert(key, &&bytes[..]);
                model.insert(key, bytes);
            } else {
                assert_eq!(map.remove(key), model.remove(&key).is_some(), "step {step}");
            }
            assert_eq!(map.len(), model.len());
            if step % 500 == 0 {
                check_shape(&map);
                assert!(
                    map.iter().eq(model.iter().map(|(&k, v)| (k, v.as_slice()))),
                    "step {step}"
                );
            }
        }
        for key in 0..2_000 {
            assert_eq!(map.get(key), model.get(&key).map(Vec::as_slice));
        }
        for key in model.keys().copied().collect::<Vec<_>>() {
            assert!(map.remove(key));
        }
        assert!(map.is_empty() && map.leaves.is_empty());
        let blocks = map.pool.blocks.len();
        assert_eq!(
            map.pool.spare.len(),
            blocks * LEAVES_PER_BLOCK,
            "every leaf is back"
        );
    }

    /// Enough records for a directory of several nodes: leaves split and merge across
    /// node boundaries as the nodes split and merge.
    #[test]
    fn a_directory_of_several_nodes() {
        let mut map = PagedMap::new();
        let mut model = BTreeMap::new();
        let mut next = crate::test_random::xorshift(0x0123_4567_89ab_cdef);
        let mut most_nodes = 0;
        for step in 0..100_000u64 {
            let key = next() % 100_000;
            if step < 80_000 || next().is_multiple_of(4) {
                let bytes = record(key, step);
                map.insert(key, &&bytes[..]);
                model.insert(key, bytes);
            } else {
                assert_eq!(map.remove(key), model.remove(&key).is_some(), "step {step}");
            }
            most_nodes = most_nodes.max(map.leaves.node_count());
        }
        check_shape(&map);
        assert!(map.iter().eq(model.iter().map(|(&k, v)| (k, v.as_slice()))));
        for key in model.keys().copied().step_by(7).collect::<Vec<_>>() {
            assert!(map.remove(key));
        }
        model.retain(|&key, _| map.contains_key(key));
        assert_eq!(map.len(), model.len());
        check_shape(&map);
        assert!(most_nodes > 2, "{most_nodes} nodes");
        for key in model.keys().copied().collect::<Vec<_>>() {
            assert!(map.remove(key));
        }
        assert!(map.is_empty() && map.leaves.node_count() == 0);
    }

    #[test]
    fn records_in_rising_key_order_fill_their_leaves() {
        let mut map = PagedMap::new();
        for key in 0..10_000u64 {
            map.insert(key, &&[7u8; 90][..]);
        }
        let per_leaf = LEAF_BYTES / (ENTRY_HEADER + 90);
        assert_eq!(map.leaves.len(), 10_000usize.div_ceil(per_leaf));
        check_shape(&map);
    }

    #[test]
    fn a_record_changes_in_place_and_grows_past_its_leaf() {
        let mut map = PagedMap::new();
        for key in 0..200u64 {
            map.insert(key, &&[1u8; 100][..]);
        }
        map.get_mut(5).expect("stored")[0] = 9;
        assert_eq!(map.get(5).map(|r| r[0]), Some(9));
        map.insert(100, &&[2u8; MAX_RECORD_BYTES][..]);
        map.insert(101, &&[3u8; MAX_RECORD_BYTES][..]);
        map.insert(102, &&[4u8; MAX_RECORD_BYTES][..]);
        assert_eq!(map.get(101), Some(&[3; MAX_RECORD_BYTES][..]));
        assert_eq!(map.len(), 200);
        check_shape(&map);
        assert!(map.get(200).is_none() && !map.remove(200));
    }
}
