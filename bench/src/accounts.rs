//! The benchmark's accounts and the shapes of the follows between them.
use gstd::ActorId;

/// The account with this number: 32 bytes mixed from it, as unrelated to each other as
/// a chain's accounts (public keys and hashes) are, so that they land anywhere in the
/// program's maps. Accounts made from consecutive numbers would be kind to it: each
/// new one would go to the end of the last leaf.
pub fn account(number: u64) -> ActorId {
    let mut bytes = [0; 32];
    for (word, out) in bytes.chunks_exact_mut(8).enumerate() {
        out.copy_from_slice(&mix(number, word as u64).to_le_bytes());
    }
    ActorId::new(bytes)
}

/// splitmix64's output function over the number and the word's place.
fn mix(number: u64, word: u64) -> u64 {
    let mut z = number
        .wrapping_mul(4)
        .wrapping_add(word)
        .wrapping_add(1)
        .wrapping_mul(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// Who the filled accounts follow and which stream each marks to watch.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Shape {
    /// Each account follows the next two and marks the next one's stream: every list
    /// is short.
    Spread,
    /// Every account follows the first and marks its stream: one broadcaster with the
    /// whole audience, whose follower and watcher lists hold everyone.
    Audience,
}

impl Shape {
    pub const ALL: [Shape; 2] = [Shape::Spread, Shape::Audience];

    pub fn name(self) -> &'static str {
        match self {
            Shape::Spread => "spread",
            Shape::Audience => "audience",
        }
    }

    pub fn describe(self) -> &'static str {
        match self {
            Shape::Spread => "each account follows the next two and marks the next one's stream",
            Shape::Audience => "every account follows the first and marks its stream",
        }
    }

    /// The accounts (by fill index) that `index` follows, among `size`.
    pub fn follows(self, index: usize, size: usize) -> Vec<usize> {
        match self {
            Shape::Spread => (1..=2.min(size.saturating_sub(1)))
                .map(|step| (index + step) % size)
                .collect(),
            Shape::Audience if index > 0 => vec![0],
            Shape::Audience => Vec::new(),
        }
    }

    /// The account (by fill index) whose stream `index` marks, if any.
    pub fn marks(self, index: usize, size: usize) -> Option<usize> {
        match self {
            Shape::Spread => (size > 1).then(|| (index + 1) % size),
            Shape::Audience => (index > 0).then_some(0),
        }
    }
}
