use alloc::vec::Vec;
use core::ops::Index;

/// Bytes a node's entries take when it is full: half a memory page, so that shifting a
/// node's entries (an insert or removal in it) touches at most two pages.
const NODE_BYTES: usize = 8 * 1024;

/// The sorted directory of a map's chunks or leaves: `(bound, item)` entries in bound
/// order, addressed by position like a `Vec`, kept in nodes of up to [`NODE_BYTES`].
///
/// Why not a `Vec`: a directory of a million streams' leaves or index chunks spans
/// dozens of pages, and a split or merge that inserts or removes an entry in a `Vec`
/// moves every entry after it: a read and a write of each of those pages. Here it
/// moves the entries of one node, and the list of nodes (a few dozen at a million
/// entries, each naming its length) is all that is read to find a position.
pub(crate) struct Directory<K, T> {
    /// Every node holds at least one entry, and all but a lone one at least half of
    /// [`Self::NODE_LEN`], so nodes take at most twice their entries' memory.
    nodes: Vec<Node<K, T>>,
    len: usize,
}

struct Node<K, T> {
    /// The bound of the node's first entry: what a search by key compares without
    /// reading the node (never for the first node).
    bound: K,
    entries: Vec<(K, T)>,
}

impl<K, T> Directory<K, T> {
    /// Most entries a node holds.
    const NODE_LEN: usize = {
        let len = NODE_BYTES / size_of::<(K, T)>();
        assert!(len >= 8, "directory entries of at most a kilobyte");
        len
    };

    /// Most bytes of memory an entry takes: its share of a node at half full with the
    /// node's allocation word, and of the node's place in the list of nodes, counted
    /// twice for the room a growing `Vec` keeps. A lone node may be emptier: at most
    /// one node's worth more per directory.
    pub(crate) const MOST_BYTES_PER_ENTRY: usize = {
        let half = Self::NODE_LEN / 2;
        (2 * half * size_of::<(K, T)>() + size_of::<usize>() + 2 * size_of::<Node<K, T>>())
            .div_ceil(half)
    };

    pub(crate) const fn new() -> Self {
        Self {
            nodes: Vec::new(),
            len: 0,
        }
    }

    pub(crate) fn len(&self) -> usize {
        self.len
    }

    pub(crate) fn is_empty(&self) -> bool {
        self.len == 0
    }

    pub(crate) fn clear(&mut self) {
        self.nodes.clear();
        self.len = 0;
    }

    /// Takes every entry out, in order, leaving the directory empty.
    pub(crate) fn take_all(&mut self) -> impl Iterator<Item = (K, T)> {
        self.len = 0;
        core::mem::take(&mut self.nodes)
            .into_iter()
            .flat_map(|node| node.entries)
    }

    /// The node and the place in it of position `at`, which may be `len` (then: one
    /// past the last entry of the last node). Reads only the list of nodes.
    fn locate(&self, mut at: usize) -> (usize, usize) {
        for (index, node) in self.nodes.iter().enumerate() {
            if at < node.entries.len() {
                return (index, at);
            }
            at -= node.entries.len();
        }
        let last = self.nodes.len().saturating_sub(1);
        (
            last,
            at + self.nodes.get(last).map_or(0, |node| node.entries.len()),
        )
    }

    /// The position of node `index`'s first entry.
    fn start(&self, index: usize) -> usize {
        self.nodes[..index]
            .iter()
            .map(|node| node.entries.len())
            .sum()
    }

    pub(crate) fn get(&self, at: usize) -> Option<&(K, T)> {
        if at >= self.len {
            return None;
        }
        let (node, place) = self.locate(at);
        Some(&self.nodes[node].entries[place])
    }

    /// The item at `at`, to change; its bound is changed with [`Self::set_bound`].
    pub(crate) fn item_mut(&mut self, at: usize) -> Option<&mut T> {
        if at >= self.len {
            return None;
        }
        let (node, place) = self.locate(at);
        Some(&mut self.nodes[node].entries[place].1)
    }

    /// The items at `left` and `right`, `left < right`, to change together.
    pub(crate) fn pair_mut(&mut self, left: usize, right: usize) -> (&mut T, &mut T) {
        assert!(left < right && right < self.len, "two distinct positions");
        let (left_node, left_place) = self.locate(left);
        let (right_node, right_place) = self.locate(right);
        if left_node == right_node {
            let (head, tail) = self.nodes[left_node].entries.split_at_mut(right_place);
            (&mut head[left_place].1, &mut tail[0].1)
        } else {
            let (head, tail) = self.nodes.split_at_mut(right_node);
            (
                &mut head[left_node].entries[left_place].1,
                &mut tail[0].entries[right_place].1,
            )
        }
    }

    /// Every entry from position `at` on, in order.
    pub(crate) fn iter_from(&self, at: usize) -> impl Iterator<Item = &(K, T)> {
        let (node, place) = self.locate(at);
        self.nodes
            .get(node..)
            .unwrap_or_default()
            .iter()
            .enumerate()
            .flat_map(move |(index, node)| &node.entries[if index == 0 { place } else { 0 }..])
    }

    pub(crate) fn iter(&self) -> impl Iterator<Item = &(K, T)> {
        self.nodes.iter().flat_map(|node| &node.entries)
    }

    /// How many nodes hold the entries: tests tell from it that a directory split.
    #[cfg(test)]
    pub(crate) fn node_count(&self) -> usize {
        self.nodes.len()
    }
}

impl<K: Ord + Copy, T> Directory<K, T> {
    /// The position of the entry whose range holds `key`: the last one with a bound
    /// at most `key`, or the first one, whose range takes in every key below the
    /// second one's bound (its own bound is never compared, so a map need not lower
    /// it for a new least key). 0 when the directory is empty. Reads the list of
    /// nodes and one node.
    pub(crate) fn position_for(&self, key: &K) -> usize {
        let Some(later) = self.nodes.get(1..) else {
            return 0;
        };
        let index = later.partition_point(|node| node.bound <= *key);
        let entries = &self.nodes[index].entries;
        self.start(index) + entries[1..].partition_point(|(bound, _)| bound <= key)
    }

    /// Changes the bound of the entry at `at`; the caller keeps bounds in order.
    pub(crate) fn set_bound(&mut self, at: usize, bound: K) {
        let (index, place) = self.locate(at);
        let node = &mut self.nodes[index];
        node.entries[place].0 = bound;
        if place == 0 {
            node.bound = bound;
        }
    }

    pub(crate) fn push(&mut self, entry: (K, T)) {
        self.insert(self.len, entry);
    }

    /// Puts `entry` at position `at`, moving the entries from there on up one; a full
    /// node splits in two.
    pub(crate) fn insert(&mut self, at: usize, entry: (K, T)) {
        assert!(at <= self.len, "a position within the directory");
        if self.nodes.is_empty() {
            self.nodes.push(Node {
                bound: entry.0,
                entries: Vec::new(),
            });
        }
        // A position between two nodes goes to the end of the first one, which leaves
        // the second one's bound as it is.
        let (mut index, mut place) = self.locate(at);
        if place == 0 && index > 0 {
            index -= 1;
            place = self.nodes[index].entries.len();
        }
        if self.nodes[index].entries.len() == Self::NODE_LEN {
            let upper = self.nodes[index].entries.split_off(Self::NODE_LEN / 2);
            let node = Node {
                bound: upper[0].0,
                entries: upper,
            };
            self.nodes.insert(index + 1, node);
            if place > Self::NODE_LEN / 2 {
                index += 1;
                place -= Self::NODE_LEN / 2;
            }
        }
        let node = &mut self.nodes[index];
        if node.entries.len() == node.entries.capacity() {
            // Grow as a `Vec` does, but never beyond a node.
            let room = (2 * node.entries.len()).clamp(4, Self::NODE_LEN);
            node.entries.reserve_exact(room - node.entries.len());
        }
        if place == 0 {
            node.bound = entry.0;
        }
        node.entries.insert(place, entry);
        self.len += 1;
    }

    /// Takes out the entry at `at`; a node left below half full takes entries from a
    /// neighbour or merges with it.
    pub(crate) fn remove(&mut self, at: usize) -> (K, T) {
        assert!(at < self.len, "a position within the directory");
        let (index, place) = self.locate(at);
        let node = &mut self.nodes[index];
        let entry = node.entries.remove(place);
        if let Some(&(first, _)) = node.entries.first() {
            node.bound = first;
        }
        self.len -= 1;
        self.refill(index);
        entry
    }

    /// Takes out the entries at `positions`, given in ascending order (a range among
    /// them). Positions do not move when nodes split, merge or share, so each later one
    /// is only lowered by the removals before it.
    pub(crate) fn remove_sorted(&mut self, positions: impl IntoIterator<Item = usize>) {
        for (removed, at) in positions.into_iter().enumerate() {
            self.remove(at - removed);
        }
    }

    /// Brings node `index` back to half full if it fell below (or drops it if empty),
    /// with a neighbour: the next one, or the previous one for the last node.
    fn refill(&mut self, index: usize) {
        if self.nodes[index].entries.is_empty() {
            self.nodes.remove(index);
            return;
        }
        if self.nodes.len() < 2 || self.nodes[index].entries.len() >= Self::NODE_LEN / 2 {
            return;
        }
        let left = index.min(self.nodes.len() - 2);
        let (head, tail) = self.nodes.split_at_mut(left + 1);
        let (first, second) = (&mut head[left], &mut tail[0]);
        let total = first.entries.len() + second.entries.len();
        if total <= Self::NODE_LEN {
            first.entries.reserve_exact(second.entries.len());
            first.entries.append(&mut second.entries);
            self.nodes.remove(left + 1);
            return;
        }
        // Both ways by splitting and appending, which allocate exactly what they
        // keep, so that no node's room passes a node.
        let keep = total / 2;
        if first.entries.len() > keep {
            let mut entries = first.entries.split_off(keep);
            entries.reserve_exact(second.entries.len());
            entries.append(&mut second.entries);
            second.entries = entries;
        } else {
            let rest = second.entries.split_off(keep - first.entries.len());
            first.entries.reserve_exact(keep - first.entries.len());
            first.entries.append(&mut second.entries);
            second.entries = rest;
        }
        second.bound = second.entries[0].0;
    }
}

impl<K, T> Index<usize> for Directory<K, T> {
    type Output = (K, T);

    fn index(&self, at: usize) -> &(K, T) {
        self.get(at).expect("a position within the directory")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    type Small = Directory<u64, u64>;

    fn check(directory: &Small, model: &[(u64, u64)]) {
        assert_eq!(directory.len(), model.len());
        assert!(directory.iter().eq(model.iter()));
        let lens: Vec<usize> = directory.nodes.iter().map(|n| n.entries.len()).collect();
        if lens.len() > 1 {
            assert!(
                lens.iter().all(|&len| len >= Small::NODE_LEN / 2),
                "{lens:?}"
            );
        }
        assert!(lens.iter().all(|&len| len > 0 && len <= Small::NODE_LEN));
        assert!(directory
            .nodes
            .iter()
            .all(|n| n.entries.capacity() <= Small::NODE_LEN));
        for pair in directory.nodes.windows(2) {
            let (before, after) = (&pair[0], &pair[1]);
            assert!(before.entries.iter().all(|(key, _)| *key < after.bound));
            assert!(after.bound == after.entries[0].0);
        }
        for (at, entry) in model.iter().enumerate() {
            assert_eq!(directory.get(at), Some(entry));
            assert_eq!(directory.position_for(&entry.0), at);
            assert_eq!(directory.position_for(&(entry.0 - 1)), at.saturating_sub(1));
        }
    }

    /// Inserts, removals, runs and sorted removals by position agree with a `Vec`
    /// through many node splits and merges.
    #[test]
    fn agrees_with_a_vec() {
        let mut directory = Small::new();
        let mut model: Vec<(u64, u64)> = Vec::new();
        let mut next = crate::test_random::xorshift(0x2545_f491_4f6c_dd1d);
        let mut splits_and_merges = (0, 0);
        for step in 0..40_000u64 {
            let nodes = directory.nodes.len();
            let growing = (step / 8_000) % 2 == 0;
            // Keys are multiples of 4, so a key between two neighbours usually exists.
            if (next() % 10 < 7) == growing {
                let key = 4 * (next() % 100_000) + 4;
                let at = model.partition_point(|(k, _)| *k <= key);
                if at > 0 && model[at - 1].0 == key {
                    continue;
                }
                assert_eq!(directory.position_for(&key), at.saturating_sub(1));
                directory.insert(at, (key, step));
                model.insert(at, (key, step));
            } else if !model.is_empty() {
                let at = (next() as usize) % model.len();
                assert_eq!(directory.remove(at), model.remove(at));
            }
            match directory.nodes.len().cmp(&nodes) {
                core::cmp::Ordering::Greater => splits_and_merges.0 += 1,
                core::cmp::Ordering::Less => splits_and_merges.1 += 1,
                core::cmp::Ordering::Equal => {}
            }
            if step % 2_003 == 0 && !model.is_empty() {
                let from = (next() as usize) % model.len();
                let to = (from + (next() as usize) % 700).min(model.len());
                directory.remove_sorted(from..to);
                model.drain(from..to);
                check(&directory, &model);
            }
            if step % 3_001 == 0 && !model.is_empty() {
                let mut positions: Vec<usize> = (0..next() % 900)
                    .map(|_| (next() as usize) % model.len())
                    .collect();
                positions.sort_unstable();
                positions.dedup();
                for &at in positions.iter().rev() {
                    model.remove(at);
                }
                directory.remove_sorted(positions);
                check(&directory, &model);
            }
            if step % 997 == 0 {
                check(&directory, &model);
                let at = (next() as usize) % (model.len() + 1);
                assert!(directory.iter_from(at).eq(model[at..].iter()));
            }
        }
        assert!(
            splits_and_merges.0 > 20 && splits_and_merges.1 > 20,
            "{splits_and_merges:?}"
        );
        let all: Vec<_> = directory.take_all().collect();
        assert_eq!(all, model);
        assert!(directory.is_empty() && directory.nodes.is_empty());
    }

    #[test]
    fn pairs_within_and_across_nodes() {
        let mut directory = Small::new();
        for key in 0..2_000 {
            directory.push((4 * key, key));
        }
        assert!(directory.nodes.len() > 2);
        let boundary = directory.nodes[0].entries.len();
        for (left, right) in [(0, 1), (boundary - 1, boundary), (5, 1_999)] {
            let (a, b) = directory.pair_mut(left, right);
            (*a, *b) = (*b, *a);
            assert_eq!(directory[left].1, right as u64);
            assert_eq!(directory[right].1, left as u64);
        }
        let lower = 4 * boundary as u64 - 1;
        directory.set_bound(boundary, lower);
        assert_eq!(directory.nodes[1].bound, lower);
        assert_eq!(directory.position_for(&lower), boundary);
        assert_eq!(directory.position_for(&(lower - 1)), boundary - 1);
    }
}
