use alloc::{boxed::Box, string::String};
use core::fmt;

/// `N` optional strings of a record in one heap allocation.
///
/// A record's strings are written together and read together, and each separate
/// allocation may land in a page of its own, which a message then pays to write: one
/// allocation keeps that to one page. The strings' ends are kept inline, so reading
/// one touches only the record and the allocation.
#[derive(Clone, PartialEq, Eq)]
pub struct PackedText<const N: usize> {
    bytes: Box<str>,
    /// Where each string ends in `bytes`; a missing string is empty and flagged in
    /// `present`.
    ends: [u16; N],
    present: u8,
}

impl<const N: usize> PackedText<N> {
    /// Packs `parts`. Panics if they total more than `u16::MAX` bytes or `N` is over 8:
    /// the limits keep records far below both.
    pub fn new(parts: [Option<&str>; N]) -> Self {
        assert!(N <= 8, "presence flags fit in a u8");
        let total = parts.iter().flatten().map(|part| part.len()).sum();
        let mut bytes = String::with_capacity(total);
        let mut ends = [0; N];
        let mut present = 0;
        for (index, part) in parts.iter().enumerate() {
            if let Some(part) = part {
                bytes.push_str(part);
                present |= 1 << index;
            }
            ends[index] = u16::try_from(bytes.len()).expect("text fits in u16 offsets");
        }
        Self {
            bytes: bytes.into_boxed_str(),
            ends,
            present,
        }
    }

    /// The bytes of all the strings together.
    pub fn len(&self) -> usize {
        self.bytes.len()
    }

    pub fn is_empty(&self) -> bool {
        self.bytes.is_empty()
    }

    /// String `index`, if present.
    pub fn get(&self, index: usize) -> Option<&str> {
        self.span(index, index)
    }

    /// Strings `first` to `last` as one, if all are present.
    pub fn span(&self, first: usize, last: usize) -> Option<&str> {
        let flags = (first..=last).fold(0u8, |flags, index| flags | 1 << index);
        if self.present & flags != flags {
            return None;
        }
        let start = first.checked_sub(1).map_or(0, |before| self.ends[before]);
        self.bytes
            .get(usize::from(start)..usize::from(self.ends[last]))
    }
}

impl<const N: usize> fmt::Debug for PackedText<N> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_list().entries((0..N).map(|i| self.get(i))).finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_part_reads_back_as_packed() {
        let text = PackedText::new([Some("abc"), None, Some(""), Some("ü€")]);
        assert_eq!(
            [text.get(0), text.get(1), text.get(2), text.get(3)],
            [Some("abc"), None, Some(""), Some("ü€")]
        );
        assert_eq!(text.span(2, 3), Some("ü€"));
        assert_eq!(text.span(0, 1), None);
        let empty = PackedText::new([None, None]);
        assert_eq!([empty.get(0), empty.get(1)], [None, None]);
    }
}
