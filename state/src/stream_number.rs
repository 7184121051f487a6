/// The number at the start of a stream id, unique to one stream for the program's
/// whole life. It always has exactly [`StreamNumber::DIGITS`] decimal digits, so an id
/// splits into number and title without ambiguity, whatever the title starts with,
/// and two ids are equal only if their numbers are.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct StreamNumber(u64);

impl StreamNumber {
    /// Millisecond timestamps have 13 digits from September 2001 to November 2286.
    pub const DIGITS: usize = 13;
    const MIN: u64 = 1_000_000_000_000;
    const MAX: u64 = 9_999_999_999_999;
    /// The smallest number, as a bound for ranges over numbers.
    pub const FIRST: StreamNumber = StreamNumber(Self::MIN);
    /// The largest number, as a bound for ranges over numbers.
    pub const LAST: StreamNumber = StreamNumber(Self::MAX);

    /// The number for a stream scheduled at block time `now` (milliseconds) after
    /// `last`, the previous number given out: `now` itself if it is free, else the next
    /// free one. `None` once 13 digits no longer suffice.
    pub fn next(now: u64, last: Option<StreamNumber>) -> Option<StreamNumber> {
        let after_last = last.map_or(Self::MIN, |last| last.0.saturating_add(1));
        let number = now.max(after_last).max(Self::MIN);
        (number <= Self::MAX).then_some(StreamNumber(number))
    }

    /// The number an id starts with, if it starts with 13 digits followed by a title.
    pub fn parse_id(id: &str) -> Option<StreamNumber> {
        let digits = id.as_bytes().get(..Self::DIGITS)?;
        if id.len() == Self::DIGITS || !digits.iter().all(u8::is_ascii_digit) {
            return None;
        }
        let number = digits
            .iter()
            .fold(0u64, |n, digit| n * 10 + u64::from(digit - b'0'));
        (number >= Self::MIN).then_some(StreamNumber(number))
    }

    /// The number's [`StreamNumber::DIGITS`] decimal digits, which a stream's id starts
    /// with (its title follows them).
    pub fn digits(self) -> [u8; Self::DIGITS] {
        let mut digits = [b'0'; Self::DIGITS];
        let mut rest = self.0;
        for digit in digits.iter_mut().rev() {
            *digit = b'0' + (rest % 10) as u8;
            rest /= 10;
        }
        digits
    }

    pub fn get(self) -> u64 {
        self.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloc::string::String;

    const NOW: u64 = 1_700_000_000_000;

    #[test]
    fn first_number_is_the_block_time() {
        assert_eq!(StreamNumber::next(NOW, None), Some(StreamNumber(NOW)));
    }

    #[test]
    fn a_taken_millisecond_moves_to_the_next_free_one() {
        let first = StreamNumber::next(NOW, None).unwrap();
        let second = StreamNumber::next(NOW, Some(first)).unwrap();
        assert_eq!(second.get(), NOW + 1);
        assert_eq!(
            StreamNumber::next(NOW + 5_000, Some(second)).unwrap().get(),
            NOW + 5_000
        );
    }

    #[test]
    fn numbers_never_leave_13_digits() {
        assert_eq!(
            StreamNumber::next(5, None).unwrap().get(),
            StreamNumber::MIN
        );
        let last = StreamNumber(StreamNumber::MAX);
        assert_eq!(StreamNumber::next(NOW, Some(last)), None);
        assert_eq!(StreamNumber::next(u64::MAX, None), None);
    }

    #[test]
    fn ids_round_trip_whatever_the_title_starts_with() {
        for title in ["Live", "2024 recap", "0", "9 lives", "ü"] {
            let number = StreamNumber(NOW);
            let mut id = String::from_utf8(number.digits().to_vec()).unwrap();
            id.push_str(title);
            assert_eq!(&id[StreamNumber::DIGITS..], title);
            assert_eq!(StreamNumber::parse_id(&id), Some(number));
        }
    }

    #[test]
    fn ids_without_13_leading_digits_and_a_title_do_not_parse() {
        for id in [
            "",
            "1700000000000",
            "170000000000x title",
            "0000000000001title",
            "abc",
        ] {
            assert_eq!(StreamNumber::parse_id(id), None, "{id:?}");
        }
    }
}
