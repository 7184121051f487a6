use core::fmt;

/// `N` optional strings of a record, packed into the record's own bytes: a byte of
/// presence flags, where each string ends (a little-endian `u16` each), then the
/// strings back to back.
///
/// A record's strings are written together and read together; kept inside the record
/// they lie on its page, so reading or changing a record touches that page alone.
#[derive(Clone, Copy, PartialEq, Eq)]
pub struct PackedText<'a, const N: usize> {
    bytes: &'a [u8],
}

impl<'a, const N: usize> PackedText<'a, N> {
    /// Bytes in front of the strings.
    pub const HEADER: usize = 1 + 2 * N;

    /// The bytes [`PackedText::write`] writes for `parts`.
    pub fn packed_len(parts: [Option<&str>; N]) -> usize {
        Self::HEADER + parts.iter().flatten().map(|part| part.len()).sum::<usize>()
    }

    /// Packs `parts` at the start of `out`; the bytes written. Panics if `out` is too
    /// short or `N` is over 8: records are sized for their limits, far below both.
    pub fn write(parts: [Option<&str>; N], out: &mut [u8]) -> usize {
        assert!(N <= 8, "presence flags fit in a byte");
        let mut present = 0u8;
        let mut end = 0usize;
        let (header, strings) = out.split_at_mut(Self::HEADER);
        for (index, part) in parts.iter().enumerate() {
            if let Some(part) = part {
                strings[end..end + part.len()].copy_from_slice(part.as_bytes());
                end += part.len();
                present |= 1 << index;
            }
            let end = u16::try_from(end).expect("text fits in u16 offsets");
            header[1 + 2 * index..3 + 2 * index].copy_from_slice(&end.to_le_bytes());
        }
        header[0] = present;
        Self::HEADER + end
    }

    /// The packed text at the start of `bytes`, which [`PackedText::write`] wrote:
    /// the strings are read back without checking their UTF-8 again.
    pub(crate) fn read(bytes: &'a [u8]) -> Self {
        Self { bytes }
    }

    fn end(&self, index: usize) -> usize {
        let at = 1 + 2 * index;
        usize::from(u16::from_le_bytes([self.bytes[at], self.bytes[at + 1]]))
    }

    /// The bytes of all the strings together.
    pub fn len(&self) -> usize {
        self.end(N - 1)
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// String `index`, if present.
    pub fn get(&self, index: usize) -> Option<&'a str> {
        self.span(index, index)
    }

    /// Strings `first` to `last` as one, if all are present.
    pub fn span(&self, first: usize, last: usize) -> Option<&'a str> {
        let flags = (first..=last).fold(0u8, |flags, index| flags | 1 << index);
        if self.bytes[0] & flags != flags {
            return None;
        }
        let start = first.checked_sub(1).map_or(0, |before| self.end(before));
        let strings = &self.bytes[Self::HEADER..];
        let bytes = &strings[start..self.end(last)];
        // SAFETY: `write` copied whole `str`s back to back, and a span starts and ends
        // where they do, so it is valid UTF-8; `read`'s bytes are only ever ones
        // `write` wrote (records are stored by this crate alone).
        Some(unsafe { core::str::from_utf8_unchecked(bytes) })
    }
}

impl<const N: usize> fmt::Debug for PackedText<'_, N> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_list().entries((0..N).map(|i| self.get(i))).finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_part_reads_back_as_packed() {
        let parts = [Some("abc"), None, Some(""), Some("ü€")];
        let mut bytes = [0u8; 64];
        let written = PackedText::write(parts, &mut bytes);
        assert_eq!(written, PackedText::<4>::HEADER + "abcü€".len());
        let text = PackedText::<4>::read(&bytes[..written]);
        assert_eq!(
            [text.get(0), text.get(1), text.get(2), text.get(3)],
            [Some("abc"), None, Some(""), Some("ü€")]
        );
        assert_eq!(text.len(), 8);
        assert_eq!(text.span(2, 3), Some("ü€"));
        assert_eq!(text.span(0, 1), None);
        let written = PackedText::write([None, None], &mut bytes);
        let empty = PackedText::<2>::read(&bytes[..written]);
        assert_eq!([empty.get(0), empty.get(1)], [None, None]);
        assert!(empty.is_empty());
    }
}
