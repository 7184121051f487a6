//! [`Capacity`]: the totals the storage holds at most, the program's from
//! `w3bstreaming_io::limits`.
use w3bstreaming_io::limits::{
    MAX_ACCOUNTS, MAX_FOLLOWS, MAX_ROLES, MAX_STREAMS, MAX_TEXT_BYTES, MAX_TIPS, MAX_WATCHES,
};

/// The totals a [`Schedule`](crate::Schedule) holds at most.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Capacity {
    pub accounts: usize,
    pub streams: usize,
    pub follows: usize,
    pub watches: usize,
    pub text_bytes: usize,
    pub roles: usize,
    pub tips: usize,
}

impl Capacity {
    /// The program's totals, from `w3bstreaming_io::limits`.
    pub const LIMITS: Capacity = Capacity {
        accounts: MAX_ACCOUNTS,
        streams: MAX_STREAMS,
        follows: MAX_FOLLOWS,
        watches: MAX_WATCHES,
        text_bytes: MAX_TEXT_BYTES,
        roles: MAX_ROLES,
        tips: MAX_TIPS,
    };
}
