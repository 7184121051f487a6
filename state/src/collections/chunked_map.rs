use super::directory::Directory;
use alloc::{boxed::Box, vec::Vec};
use core::{
    fmt, iter,
    ops::{Bound, RangeBounds},
};

/// Entries per chunk. With the schedule's 8 to 24 byte entries a chunk is 0.5 to
/// 1.5 KiB: a small part of one 16 KiB page.
const CHUNK_LEN: usize = 64;

/// An ordered map kept as a sorted `Directory` of chunks of up to [`CHUNK_LEN`]
/// sorted entries: a B-tree of height three.
///
/// Why not `BTreeMap`: a Gear message pays for every 16 KiB memory page it touches,
/// and `BTreeMap` nodes are small separate allocations. Finding a key reads a node per
/// level (five levels for 40,000 entries), and splitting a node rewrites the parent
/// link of every child it moves, each in a page of its own. Here a lookup reads the
/// directory's list of nodes, one of its nodes and one chunk, and an insert or removal
/// writes that chunk, plus a neighbour and a directory node when a chunk splits, merges
/// or shares entries (about one change in thirty).
pub struct ChunkedMap<K, V> {
    /// Each chunk with the least key it may hold; the first chunk also holds every key
    /// below the second one's bound. Every chunk but a lone one is at least half full,
    /// as in a B-tree, so the chunks take at most twice the entries' memory whatever
    /// the order of inserts and removals.
    chunks: Directory<K, Box<Chunk<K, V>>>,
    len: usize,
}

struct Chunk<K, V> {
    len: usize,
    /// Entries `..len` are sorted by key; the rest are copies left over from earlier
    /// contents, never read.
    entries: [(K, V); CHUNK_LEN],
}

impl<K: Ord + Copy, V: Copy> Chunk<K, V> {
    /// An empty chunk; `filler` only initialises the unused entries.
    fn new(filler: (K, V)) -> Box<Self> {
        Box::new(Chunk {
            len: 0,
            entries: [filler; CHUNK_LEN],
        })
    }

    fn entries(&self) -> &[(K, V)] {
        &self.entries[..self.len]
    }

    fn search(&self, key: &K) -> Result<usize, usize> {
        self.entries()
            .binary_search_by(|(stored, _)| stored.cmp(key))
    }

    fn insert_at(&mut self, index: usize, entry: (K, V)) {
        self.entries.copy_within(index..self.len, index + 1);
        self.entries[index] = entry;
        self.len += 1;
    }

    fn remove_at(&mut self, index: usize) -> (K, V) {
        let entry = self.entries[index];
        self.entries.copy_within(index + 1..self.len, index);
        self.len -= 1;
        entry
    }

    /// Moves the entries from `at` on into a new chunk.
    fn split_off(&mut self, at: usize) -> Box<Self> {
        let mut upper = Chunk::new(self.entries[at]);
        upper.len = self.len - at;
        upper.entries[..upper.len].copy_from_slice(&self.entries[at..self.len]);
        self.len = at;
        upper
    }

    fn append(&mut self, other: &Self) {
        self.entries[self.len..self.len + other.len].copy_from_slice(other.entries());
        self.len += other.len;
    }
}

impl<K, V> ChunkedMap<K, V> {
    /// Most bytes of memory one entry takes: its share of a chunk at half full (a
    /// chunk is never emptier, unless it is the only one), with the allocator's word in
    /// front of the chunk and the chunk's share of the directory.
    pub const MOST_BYTES_PER_ENTRY: usize = (size_of::<Chunk<K, V>>()
        + size_of::<usize>()
        + Directory::<K, Box<Chunk<K, V>>>::MOST_BYTES_PER_ENTRY)
        .div_ceil(CHUNK_LEN / 2);

    pub const fn new() -> Self {
        Self {
            chunks: Directory::new(),
            len: 0,
        }
    }

    pub fn len(&self) -> usize {
        self.len
    }

    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// How many chunks hold the entries: it rises when a chunk splits and falls when
    /// chunks merge or empty, which is how tests tell that an index did both.
    pub fn chunk_count(&self) -> usize {
        self.chunks.len()
    }
}

impl<K: Ord + Copy, V: Copy> ChunkedMap<K, V> {
    /// The chunk that holds `key` if anything does. Precondition: there is a chunk.
    fn chunk_for(&self, key: &K) -> usize {
        self.chunks.position_for(key)
    }

    /// The entries of the chunk at position `at`, if there is one.
    fn chunk_entries(&self, at: usize) -> Option<&[(K, V)]> {
        Some(self.chunks.get(at)?.1.entries())
    }

    pub fn get(&self, key: &K) -> Option<&V> {
        let (_, chunk) = self.chunks.get(self.chunk_for(key))?;
        let index = chunk.search(key).ok()?;
        Some(&chunk.entries[index].1)
    }

    pub fn contains_key(&self, key: &K) -> bool {
        self.get(key).is_some()
    }

    /// Stores `value` under `key`; the value it replaces, if any.
    pub fn insert(&mut self, key: K, value: V) -> Option<V> {
        if self.chunks.is_empty() {
            self.chunks.push((key, Chunk::new((key, value))));
        }
        let at = self.chunk_for(&key);
        let chunk = self.chunks.item_mut(at).expect("a chunk for every key");
        match chunk.search(&key) {
            Ok(index) => Some(core::mem::replace(&mut chunk.entries[index].1, value)),
            Err(index) if chunk.len < CHUNK_LEN => {
                chunk.insert_at(index, (key, value));
                self.len += 1;
                None
            }
            Err(_) => {
                let upper = chunk.split_off(CHUNK_LEN / 2);
                self.chunks.insert(at + 1, (upper.entries[0].0, upper));
                self.insert(key, value)
            }
        }
    }

    /// Removes `key`'s entry and returns its value, refilling its chunk from a
    /// neighbour when it drops below half full.
    pub fn remove(&mut self, key: &K) -> Option<V> {
        let at = self.chunk_for(key);
        let chunk = self.chunks.item_mut(at)?;
        let index = chunk.search(key).ok()?;
        let (_, value) = chunk.remove_at(index);
        self.len -= 1;
        if self.len == 0 {
            self.chunks.clear();
        } else {
            self.refill(at);
        }
        Some(value)
    }

    /// Entries with keys in `range`, in key order.
    pub fn range(&self, range: impl RangeBounds<K>) -> Range<'_, K, V> {
        let (chunk, index) = self.position(range.start_bound());
        Range {
            map: self,
            chunk,
            entries: self.chunk_entries(chunk).unwrap_or_default(),
            index,
            end: range.end_bound().cloned(),
        }
    }

    /// Entries with keys in `range`, in descending key order: what a list read from
    /// its end (the most recent first) walks.
    pub fn range_rev(&self, range: impl RangeBounds<K>) -> RevRange<'_, K, V> {
        let (chunk, end) = self.end_position(range.end_bound());
        RevRange {
            map: self,
            chunk,
            entries: self.chunk_entries(chunk).unwrap_or_default(),
            end,
            start: range.start_bound().cloned(),
        }
    }

    /// Removes every entry with a key in `range`; how many it removed. A run of entries
    /// costs the chunks that hold them, not a lookup per entry: chunks the range covers
    /// are dropped whole.
    pub fn remove_range(&mut self, range: impl RangeBounds<K>) -> usize {
        let (first, mut from) = self.position(range.start_bound());
        let mut at = first;
        let mut removed = 0;
        while let Some(chunk) = self.chunks.item_mut(at) {
            let len = chunk.len;
            let to = from
                + chunk.entries()[from..]
                    .iter()
                    .take_while(|(key, _)| range.contains(key))
                    .count();
            // A chunk with nothing to remove is left unwritten: writing costs its page.
            if to > from {
                chunk.entries.copy_within(to..len, from);
                chunk.len -= to - from;
                removed += to - from;
            }
            if to < len {
                break;
            }
            at += 1;
            from = 0;
        }
        if removed == 0 {
            return 0;
        }
        self.len -= removed;
        // Every chunk strictly between the first and the last one touched was emptied;
        // those two may keep entries. Dropping just that run leaves the rest of the
        // directory unread.
        let last = at.min(self.chunks.len() - 1);
        let kept = |at: usize| self.chunks[at].1.len > 0;
        let drop_from = if kept(first) { first + 1 } else { first };
        let drop_to = if kept(last) { last } else { last + 1 };
        if drop_from < drop_to {
            self.chunks.remove_sorted(drop_from..drop_to);
        }
        if self.len == 0 {
            self.chunks.clear();
        } else {
            // Only the two chunks the range started and ended in lost part of their
            // entries, and they are now neighbours at `first` and the one after it.
            for at in [first + 1, first] {
                if at < self.chunks.len() {
                    self.refill(at);
                }
            }
        }
        removed
    }

    /// Removes each of `keys`, given in ascending order, that is present; how many it
    /// removed. Each chunk holding some of them is rewritten once, whatever their
    /// number, and the chunks left below half full are then merged or refilled: what
    /// a removal per key, each searching the directory and refilling its chunk, would
    /// pay for every key.
    pub fn remove_sorted(&mut self, keys: impl IntoIterator<Item = K>) -> usize {
        let mut keys = keys.into_iter().peekable();
        let mut removed = 0;
        let mut thinned = Vec::new();
        // The keys that fall in one chunk, so that the pass over its entries is a
        // plain loop over two sorted slices.
        let mut here = Vec::new();
        while let Some(&first) = keys.peek() {
            if self.chunks.is_empty() {
                break;
            }
            let at = self.chunk_for(&first);
            let next_bound = self.chunks.get(at + 1).map(|(bound, _)| *bound);
            here.clear();
            here.extend(iter::from_fn(|| {
                keys.next_if(|key| next_bound.is_none_or(|bound| *key < bound))
            }));
            let chunk = self.chunks.item_mut(at).expect("a chunk for every key");
            // Entries before the first key's place stay where they are, unwritten.
            let (Ok(from) | Err(from)) = chunk.search(&here[0]);
            let (mut wanted, mut kept) = (0, from);
            for read in from..chunk.len {
                let key = chunk.entries[read].0;
                while wanted < here.len() && here[wanted] < key {
                    wanted += 1;
                }
                if wanted < here.len() && here[wanted] == key {
                    wanted += 1;
                    continue;
                }
                if kept != read {
                    chunk.entries[kept] = chunk.entries[read];
                }
                kept += 1;
            }
            if kept < chunk.len {
                removed += chunk.len - kept;
                chunk.len = kept;
                thinned.push(at);
            }
        }
        if removed == 0 {
            return 0;
        }
        self.len -= removed;
        if self.len == 0 {
            self.chunks.clear();
            return removed;
        }
        // Each thinned chunk below half full takes entries from the next chunk that has
        // any (or gives them to the previous one, at the end); chunks left empty stay
        // in place until one removal from the directory drops them all. Only thinned
        // and merged chunks are looked into: every other chunk's page stays untouched.
        let is_empty = |chunks: &Directory<K, Box<Chunk<K, V>>>, at: usize| chunks[at].1.len == 0;
        let emptied: Vec<usize> = thinned
            .iter()
            .copied()
            .filter(|&at| is_empty(&self.chunks, at))
            .collect();
        // Chunks merged away, in ascending order too: a chunk's merge partner is the
        // first chunk after it with entries, which no later thinned chunk passes.
        let mut merged = Vec::new();
        for at in thinned {
            // Merging takes in the next chunk whole, which may still leave `at` short.
            loop {
                let len = self.chunks[at].1.len;
                if len == 0 || len >= CHUNK_LEN / 2 {
                    break;
                }
                let next = (at + 1..self.chunks.len()).find(|&j| !is_empty(&self.chunks, j));
                let previous = || (0..at).rev().find(|&j| !is_empty(&self.chunks, j));
                let (left, right) = match next {
                    Some(right) => (at, right),
                    None => match previous() {
                        Some(left) => (left, at),
                        None => break,
                    },
                };
                if !self.balance(left, right) {
                    break;
                }
                self.chunks.item_mut(right).expect("a chunk").len = 0;
                merged.push(right);
            }
        }
        // Both lists ascend, and no chunk is in both: merge them into one ascending.
        let mut emptied = emptied.into_iter().peekable();
        let mut merged = merged.into_iter().peekable();
        let gone = iter::from_fn(|| match (emptied.peek(), merged.peek()) {
            (Some(e), Some(m)) if e < m => emptied.next(),
            (Some(_), None) => emptied.next(),
            _ => merged.next(),
        });
        self.chunks.remove_sorted(gone);
        removed
    }

    /// The entries with keys in `range` as runs of consecutive entries, one per chunk
    /// they lie in: a walk over a long range with a slice loop per chunk costs a
    /// fraction of [`Self::range`]'s entry-by-entry steps.
    pub fn runs_in(&self, range: impl RangeBounds<K>) -> impl Iterator<Item = &[(K, V)]> {
        let (first, from) = self.position(range.start_bound());
        let end = range.end_bound().cloned();
        let within = move |key: &K| match &end {
            Bound::Unbounded => true,
            Bound::Included(end) => key <= end,
            Bound::Excluded(end) => key < end,
        };
        let mut done = false;
        self.chunks
            .iter_from(first.min(self.chunks.len()))
            .enumerate()
            .map_while(move |(i, (_, chunk))| {
                if done {
                    return None;
                }
                let entries = &chunk.entries()[if i == 0 { from } else { 0 }..];
                let upto = entries.partition_point(|(key, _)| within(key));
                done = upto < entries.len();
                Some(&entries[..upto])
            })
    }

    /// The keys in `range`, in order: what a set (a map to `()`) is read with.
    pub fn keys_in(&self, range: impl RangeBounds<K>) -> impl Iterator<Item = K> + Clone + '_ {
        self.range(range).map(|(&key, _)| key)
    }

    pub fn iter(&self) -> Range<'_, K, V> {
        self.range(..)
    }

    pub fn first(&self) -> Option<(&K, &V)> {
        self.iter().next()
    }

    /// Where the entries from `start` on begin: a chunk and an index in it.
    fn position(&self, start: Bound<&K>) -> (usize, usize) {
        let (start, excluded) = match start {
            _ if self.chunks.is_empty() => return (0, 0),
            Bound::Unbounded => return (0, 0),
            Bound::Included(start) => (start, false),
            Bound::Excluded(start) => (start, true),
        };
        let at = self.chunk_for(start);
        let index = match self.chunks[at].1.search(start) {
            Ok(found) if excluded => found + 1,
            Ok(index) | Err(index) => index,
        };
        (at, index)
    }

    /// Where the entries up to `end` stop: a chunk and the index one past the last
    /// entry in it that is within `end`.
    fn end_position(&self, end: Bound<&K>) -> (usize, usize) {
        let (end, included) = match end {
            _ if self.chunks.is_empty() => return (0, 0),
            Bound::Unbounded => {
                let last = self.chunks.len() - 1;
                return (last, self.chunks[last].1.len);
            }
            Bound::Included(end) => (end, true),
            Bound::Excluded(end) => (end, false),
        };
        let at = self.chunk_for(end);
        let index = match self.chunks[at].1.search(end) {
            Ok(found) if included => found + 1,
            Ok(index) | Err(index) => index,
        };
        (at, index)
    }

    /// Brings chunk `at` back to half full if it fell below, with a neighbour (the
    /// next one, or the previous one for the last chunk): see [`Self::balance`].
    fn refill(&mut self, at: usize) {
        if self.chunks.len() < 2 || self.chunks[at].1.len >= CHUNK_LEN / 2 {
            return;
        }
        let left = if at + 1 < self.chunks.len() {
            at
        } else {
            at - 1
        };
        if self.balance(left, left + 1) {
            self.chunks.remove(left + 1);
        }
    }

    /// Evens out two chunks, `left` before `right` with only empty chunks between: all
    /// of `right`'s entries move into `left` if they fit (then true: the caller drops
    /// `right`, or marks it empty), else they share their entries evenly.
    fn balance(&mut self, left: usize, right: usize) -> bool {
        let (first, second) = self.chunks.pair_mut(left, right);
        let total = first.len + second.len;
        if total <= CHUNK_LEN {
            first.append(second);
            return true;
        }
        let keep = total / 2;
        if first.len > keep {
            let moved = first.len - keep;
            second.entries.copy_within(..second.len, moved);
            second.entries[..moved].copy_from_slice(&first.entries[keep..first.len]);
        } else {
            let moved = keep - first.len;
            first.entries[first.len..keep].copy_from_slice(&second.entries[..moved]);
            second.entries.copy_within(moved..second.len, 0);
        }
        first.len = keep;
        second.len = total - keep;
        let bound = second.entries[0].0;
        self.chunks.set_bound(right, bound);
        false
    }
}

/// The entries of a [`ChunkedMap::range`].
#[derive(Clone)]
pub struct Range<'a, K, V> {
    map: &'a ChunkedMap<K, V>,
    /// The position of the chunk being walked, and its entries: the directory is
    /// searched once per chunk, not once per entry.
    chunk: usize,
    entries: &'a [(K, V)],
    index: usize,
    end: Bound<K>,
}

impl<'a, K: Ord + Copy, V: Copy> Iterator for Range<'a, K, V> {
    type Item = (&'a K, &'a V);

    fn next(&mut self) -> Option<Self::Item> {
        loop {
            let Some((key, value)) = self.entries.get(self.index) else {
                self.chunk += 1;
                self.entries = self.map.chunk_entries(self.chunk)?;
                self.index = 0;
                continue;
            };
            let within = match &self.end {
                Bound::Unbounded => true,
                Bound::Included(end) => key <= end,
                Bound::Excluded(end) => key < end,
            };
            if !within {
                self.chunk = self.map.chunks.len();
                self.entries = &[];
                return None;
            }
            self.index += 1;
            return Some((key, value));
        }
    }
}

/// The entries of a [`ChunkedMap::range_rev`], from the last one down.
#[derive(Clone)]
pub struct RevRange<'a, K, V> {
    map: &'a ChunkedMap<K, V>,
    /// As in [`Range`]: the chunk being walked and its entries.
    chunk: usize,
    entries: &'a [(K, V)],
    /// One past the next entry to yield in `entries`.
    end: usize,
    start: Bound<K>,
}

impl<'a, K: Ord + Copy, V: Copy> Iterator for RevRange<'a, K, V> {
    type Item = (&'a K, &'a V);

    fn next(&mut self) -> Option<Self::Item> {
        loop {
            if self.end == 0 {
                if self.chunk == 0 {
                    return None;
                }
                self.chunk -= 1;
                self.entries = self.map.chunk_entries(self.chunk)?;
                self.end = self.entries.len();
                continue;
            }
            let (key, value) = &self.entries[self.end - 1];
            let within = match &self.start {
                Bound::Unbounded => true,
                Bound::Included(start) => key >= start,
                Bound::Excluded(start) => key > start,
            };
            if !within {
                self.chunk = 0;
                self.end = 0;
                return None;
            }
            self.end -= 1;
            return Some((key, value));
        }
    }
}

impl<K, V> Default for ChunkedMap<K, V> {
    fn default() -> Self {
        Self::new()
    }
}

impl<K: Ord + Copy, V: Copy + PartialEq> PartialEq for ChunkedMap<K, V> {
    fn eq(&self, other: &Self) -> bool {
        self.len == other.len && self.iter().eq(other.iter())
    }
}

impl<K: Ord + Copy, V: Copy + Eq> Eq for ChunkedMap<K, V> {}

impl<K: Ord + Copy + fmt::Debug, V: Copy + fmt::Debug> fmt::Debug for ChunkedMap<K, V> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_map().entries(self.iter()).finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloc::collections::BTreeMap;

    fn check_shape(map: &ChunkedMap<u32, u32>) {
        let lens: Vec<usize> = map.chunks.iter().map(|(_, chunk)| chunk.len).collect();
        assert_eq!(lens.iter().sum::<usize>(), map.len());
        if lens.len() > 1 {
            assert!(
                lens.iter().all(|&len| len >= CHUNK_LEN / 2),
                "a chunk below half full: {lens:?}"
            );
        }
        for (at, (bound, chunk)) in map.chunks.iter().enumerate().skip(1) {
            assert!(
                chunk.entries().iter().all(|(key, _)| key >= bound),
                "chunk {at}"
            );
        }
    }

    /// Random inserts, replacements, removals and range reads agree with a
    /// `BTreeMap`, through many splits and merges.
    #[test]
    fn agrees_with_a_btree_map_under_churn() {
        let mut map = ChunkedMap::new();
        let mut model = BTreeMap::new();
        let mut next = crate::test_random::xorshift(0x9e37_79b9_7f4a_7c15);
        for step in 0..60_000u32 {
            let roll = next();
            // Phases of growth and shrinking, so chunks both split and merge.
            let growing = (step / 10_000) % 2 == 0;
            let key = (roll >> 8) as u32 % 3_000;
            if (roll % 10 < 7) == growing {
                assert_eq!(
                    map.insert(key, step),
                    model.insert(key, step),
                    "step {step}"
                );
            } else {
                assert_eq!(map.remove(&key), model.remove(&key), "step {step}");
            }
            assert_eq!(map.len(), model.len());
            if step % 1_499 == 0 {
                // A sorted sample, some present and some not, removed at once.
                let mut wanted: Vec<u32> =
                    (0..next() % 300).map(|_| (next() % 3_000) as u32).collect();
                wanted.sort_unstable();
                wanted.dedup();
                let before = model.len();
                for key in &wanted {
                    model.remove(key);
                }
                assert_eq!(
                    map.remove_sorted(wanted.iter().copied()),
                    before - model.len(),
                    "step {step}"
                );
                check_shape(&map);
                assert!(map.iter().eq(model.iter()), "step {step}");
            }
            if step % 997 == 0 {
                let low = (next() % 3_000) as u32;
                let high = low + (next() % 400) as u32;
                let before = model.len();
                model.retain(|key, _| !(low..=high).contains(key));
                assert_eq!(
                    map.remove_range(low..=high),
                    before - model.len(),
                    "step {step}"
                );
                check_shape(&map);
            }
            if step % 500 == 0 {
                check_shape(&map);
                let low = (next() % 3_000) as u32;
                let high = low + (next() % 200) as u32;
                let got: Vec<_> = map.range(low..high).collect();
                let want: Vec<_> = model.range(low..high).collect();
                assert_eq!(got, want, "range {low}..{high} at step {step}");
                let got: Vec<_> = map
                    .range((Bound::Excluded(low), Bound::Included(high)))
                    .collect();
                let want: Vec<_> = model
                    .range((Bound::Excluded(low), Bound::Included(high)))
                    .collect();
                assert_eq!(got, want, "range ({low}, {high}] at step {step}");
                let got: Vec<_> = map.range_rev(low..high).collect();
                let want: Vec<_> = model.range(low..high).rev().collect();
                assert_eq!(got, want, "reverse range {low}..{high} at step {step}");
                let got: Vec<_> = map
                    .range_rev((Bound::Excluded(low), Bound::Included(high)))
                    .collect();
                let want: Vec<_> = model
                    .range((Bound::Excluded(low), Bound::Included(high)))
                    .rev()
                    .collect();
                assert_eq!(got, want, "reverse range ({low}, {high}] at step {step}");
                assert!(map.range_rev(..).eq(model.iter().rev()), "step {step}");
            }
        }
        assert!(map.iter().eq(model.iter()));
        for key in 0..3_000 {
            assert_eq!(map.get(&key), model.get(&key));
        }
        for key in model.keys().copied().collect::<Vec<_>>() {
            map.remove(&key);
        }
        assert!(map.is_empty() && map.chunks.is_empty() && map.first().is_none());
        assert_eq!(map.range_rev(..).next(), None);
    }

    /// Enough entries for a directory of several nodes, removed one by one, by ranges
    /// and by sorted runs.
    #[test]
    fn a_directory_of_several_nodes() {
        let mut map = ChunkedMap::new();
        let mut model = BTreeMap::new();
        let mut next = crate::test_random::xorshift(0x0123_4567_89ab_cdef);
        for step in 0..100_000u32 {
            let key = (next() % 400_000) as u32;
            assert_eq!(map.insert(key, step), model.insert(key, step));
        }
        let most_nodes = map.chunks.node_count();
        check_shape(&map);
        assert!(most_nodes > 2, "{most_nodes} nodes");
        for _ in 0..20 {
            let low = (next() % 400_000) as u32;
            let high = low + (next() % 20_000) as u32;
            let before = model.len();
            model.retain(|key, _| !(low..high).contains(key));
            assert_eq!(map.remove_range(low..high), before - model.len());
            let wanted: Vec<u32> = model
                .keys()
                .copied()
                .filter(|_| next().is_multiple_of(3))
                .collect();
            assert_eq!(map.remove_sorted(wanted.iter().copied()), wanted.len());
            model.retain(|key, _| wanted.binary_search(key).is_err());
            for _ in 0..500 {
                let key = (next() % 400_000) as u32;
                assert_eq!(map.remove(&key), model.remove(&key));
            }
            check_shape(&map);
            assert!(map.iter().eq(model.iter()));
            assert!(map.range_rev(..).eq(model.iter().rev()));
        }
        assert!(map.chunks.node_count() < most_nodes);
    }

    #[test]
    fn removing_a_range_drops_the_chunks_it_covers() {
        let mut map = ChunkedMap::new();
        for key in 0..5_000u32 {
            map.insert(key, key);
        }
        assert_eq!(map.remove_range(100..4_900), 4_800);
        check_shape(&map);
        assert!(map.keys_in(..).eq((0..100).chain(4_900..5_000)));
        assert_eq!(
            map.remove_range((Bound::Excluded(4_950), Bound::Unbounded)),
            49
        );
        assert_eq!(map.remove_range(200..300), 0);
        check_shape(&map);
        assert_eq!(map.remove_range(..), 151);
        assert!(map.is_empty() && map.chunks.is_empty());
    }

    #[test]
    fn removing_sorted_keys_keeps_chunks_half_full() {
        let mut map = ChunkedMap::new();
        for key in 0..5_000u32 {
            map.insert(key, ());
        }
        // Every other key, then everything but a few: chunks empty and merge.
        assert_eq!(map.remove_sorted((0..5_000).step_by(2)), 2_500);
        check_shape_of(&map);
        assert!(map.keys_in(..).eq((1..5_000).step_by(2)));
        assert_eq!(
            map.remove_sorted((0..6_000).filter(|k| k % 1_000 != 1)),
            2_495
        );
        check_shape_of(&map);
        assert!(map.keys_in(..).eq([1, 1_001, 2_001, 3_001, 4_001]));
        assert_eq!(map.remove_sorted([0, 1, 2, 4_001, 9_999]), 2);
        assert_eq!(map.remove_sorted(0..10_000), 3);
        assert!(map.is_empty() && map.chunks.is_empty());
        assert_eq!(map.remove_sorted([1]), 0);
    }

    fn check_shape_of(map: &ChunkedMap<u32, ()>) {
        let lens: Vec<usize> = map.chunks.iter().map(|(_, chunk)| chunk.len).collect();
        assert_eq!(lens.iter().sum::<usize>(), map.len());
        if lens.len() > 1 {
            assert!(lens.iter().all(|&len| len >= CHUNK_LEN / 2), "{lens:?}");
        }
    }

    #[test]
    fn keys_below_every_bound_go_to_the_first_chunk() {
        let mut map = ChunkedMap::new();
        for key in 1_000..1_200u32 {
            map.insert(key, ());
        }
        for key in (0..100u32).rev() {
            map.insert(key, ());
        }
        assert_eq!(map.first(), Some((&0, &())));
        assert_eq!(map.range(..).count(), 300);
        assert_eq!(map.range(50..1_050).count(), 100);
    }
}
