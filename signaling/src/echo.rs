//! What a refusal repeats of a client's input, or of a node's error: enough to
//! recognize it, never all of it. An unbounded echo is copied, escaped, into the
//! sender's buffer and the log.
use std::fmt;

/// Bytes of a client's text a refusal repeats.
pub const ECHOED_BYTES: usize = 64;
/// Bytes a client is shown of a message it did not write: a parser's about its input
/// (which may quote it), a node's error.
pub const MESSAGE_BYTES: usize = 240;

/// A client's text as a refusal shows it: quoted, and cut after [`ECHOED_BYTES`] with
/// its full length.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Echo {
    start: String,
    len: usize,
}

impl Echo {
    pub fn of(text: &str) -> Self {
        Self {
            start: head(text, ECHOED_BYTES).to_string(),
            len: text.len(),
        }
    }
}

impl fmt::Display for Echo {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:?}", self.start)?;
        if self.start.len() < self.len {
            write!(f, "… ({} bytes)", self.len)?;
        }
        Ok(())
    }
}

/// `message`, cut after [`MESSAGE_BYTES`].
pub fn bounded(message: &str) -> String {
    let start = head(message, MESSAGE_BYTES);
    if start.len() < message.len() {
        format!("{start}…")
    } else {
        message.to_string()
    }
}

/// The longest start of `text` of at most `max` bytes that ends on a character.
fn head(text: &str, max: usize) -> &str {
    let mut end = text.len().min(max);
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    &text[..end]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn short_texts_are_repeated_whole_and_long_ones_cut_on_a_character() {
        assert_eq!(Echo::of("nobody").to_string(), "\"nobody\"");
        let long = "é".repeat(100);
        let shown = Echo::of(&long).to_string();
        assert_eq!(shown, format!("{:?}… (200 bytes)", "é".repeat(32)));
        assert_eq!(bounded("short"), "short");
        let cut = bounded(&"ab".repeat(1_000));
        assert_eq!(cut.len(), MESSAGE_BYTES + "…".len());
        assert!(cut.ends_with('…'));
    }
}
