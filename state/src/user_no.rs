//! [`UserNo`]: the short number an account is known by in the storage.
use gstd::ActorId;

/// An account's number, which keys its profile and its entries in the indices: eight
/// bytes instead of 32, so that index entries are small (more per memory page) and
/// compare in one instruction.
///
/// It is the account id's four 8-byte words xor-ed together, or, if a registered
/// account already has that number, the next free one after it. Accounts are never
/// removed, so an account keeps its number for good, and the number of an id can be
/// found again by the same steps. Ids are public keys or hashes, which nobody chooses,
/// so two of them sharing a number is a chance of about one in 2^64 per pair.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct UserNo(u64);

impl UserNo {
    pub(crate) const MIN: UserNo = UserNo(0);
    pub(crate) const MAX: UserNo = UserNo(u64::MAX);

    pub(crate) fn new(number: u64) -> Self {
        UserNo(number)
    }

    pub fn get(self) -> u64 {
        self.0
    }

    /// The number an account gets if no registered account has it yet.
    pub(crate) fn first_choice(account: ActorId) -> Self {
        let words = account
            .as_ref()
            .chunks_exact(8)
            .map(|word| u64::from_le_bytes(word.try_into().expect("8 bytes")));
        UserNo(words.fold(0, |folded, word| folded ^ word))
    }

    pub(crate) fn next(self) -> Self {
        UserNo(self.0.wrapping_add(1))
    }
}
