//! The chat beside a live stream: what one message may hold (the one place for the
//! rule, [`ChatText::parse`]), what every reader receives of it ([`ChatMessage`]), how
//! much of it a new reader is shown ([`HISTORY`]), and the bounds of its moderation
//! ([`ChatSettings`], [`timeout_ms`]).
use crate::refusal::Refusal;
use serde::{Deserialize, Serialize};
use w3bstreaming_io::ProfileSummary;
use w3bstreaming_keys::AccountId;

/// The most bytes of UTF-8 one message may have.
pub const MAX_CHAT_BYTES: usize = 500;

/// The last messages of a live stream a reader is shown when it opens the chat; the
/// hub keeps no more, and none once the stream ends unless its broadcaster chose to
/// keep them ([`ChatSettings::keep`]).
pub const HISTORY: usize = 100;

/// The most ended chats the hub keeps at once, for the broadcasters who chose to keep
/// theirs: a newer one pushes the oldest out.
pub const KEPT_CHATS: usize = 100;

/// How long after its last message a kept chat is still shown: a day.
pub const KEPT_FOR_MS: u64 = 24 * 60 * 60 * 1_000;

/// One message as every reader receives it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ChatMessage {
    /// Counts up from 1 within one live stream: every instance gives the same id,
    /// since each applies the same log in the same order.
    pub id: u64,
    /// The account that posted it: shown beside the name, so that a name cannot pass
    /// for another account's.
    pub author: AccountId,
    /// The author's profile name on chain when it posted, if it set one.
    pub name: Option<String>,
    pub text: String,
    /// When the instance that took it received it, in milliseconds since the epoch.
    pub at_ms: u64,
    /// Set when the message is a tip the program confirmed: its text is the tip's
    /// message, shown highlighted.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tip: Option<TipShown>,
}

/// A tip as the chat shows it, from its receipt on chain.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct TipShown {
    /// The receipt's number in the program.
    pub number: u64,
    /// The value, in the chain's smallest unit (10^12 make 1 VARA), as a decimal
    /// string: a `u128` does not fit a JSON number.
    pub amount: String,
}

/// The longest slow mode: one message per this many seconds.
pub const MAX_SLOW_SECS: u32 = 300;

/// The longest time out, in minutes: a day.
pub const MAX_TIMEOUT_MINUTES: u32 = 24 * 60;

/// How a chat lets people post, as its broadcaster set it for the live stream.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ChatSettings {
    /// Only followers of the broadcaster on chain may post.
    pub followers_only: bool,
    /// Each account may post once per this many seconds; 0: no slow mode.
    pub slow_secs: u32,
    /// The broadcaster keeps the chat after the stream ends: it is shown for
    /// [`KEPT_FOR_MS`] after its last message (at most [`KEPT_CHATS`] at once).
    #[serde(default)]
    pub keep: bool,
}

impl ChatSettings {
    /// `self`, if within [`MAX_SLOW_SECS`].
    pub fn check(self) -> Result<Self, Refusal> {
        if self.slow_secs > MAX_SLOW_SECS {
            return Err(Refusal::SlowModeOutOfRange { max: MAX_SLOW_SECS });
        }
        Ok(self)
    }
}

/// A time out of `minutes`, from 1 to [`MAX_TIMEOUT_MINUTES`], in milliseconds.
pub fn timeout_ms(minutes: u32) -> Result<u64, Refusal> {
    if !(1..=MAX_TIMEOUT_MINUTES).contains(&minutes) {
        return Err(Refusal::TimeoutOutOfRange {
            max: MAX_TIMEOUT_MINUTES,
        });
    }
    Ok(u64::from(minutes) * 60_000)
}

/// A message's text that keeps the rule: not empty, at most [`MAX_CHAT_BYTES`], on
/// one line, and no character that would change how the text around it reads.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChatText(String);

impl ChatText {
    /// `text` without its surrounding white space, if it keeps the rule.
    pub fn parse(text: &str) -> Result<Self, Refusal> {
        let text = text.trim();
        if text.is_empty() {
            return Err(Refusal::ChatEmpty);
        }
        if text.len() > MAX_CHAT_BYTES {
            return Err(Refusal::ChatTooLong {
                size: text.len(),
                max: MAX_CHAT_BYTES,
            });
        }
        if let Some(bad) = text.chars().find(|&c| forbidden(c)) {
            return Err(Refusal::ChatCharacter(u32::from(bad)));
        }
        Ok(Self(text.to_string()))
    }

    pub fn into_inner(self) -> String {
        self.0
    }
}

/// Control characters (line breaks included: a message is one line) and the Unicode
/// bidirectional controls, which can make a message read as another (the "Trojan
/// Source" trick), and the zero-width characters that hide one name inside another.
fn forbidden(c: char) -> bool {
    c.is_control()
        || matches!(
            c,
            '\u{200B}'..='\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2060}'..='\u{2069}' | '\u{FEFF}'
        )
}

/// `text` from the chain (a name, a tip's message), which the program bounds but does
/// not judge, as the chat shows it: without the characters a message may not hold,
/// and without surrounding white space.
pub fn shown(text: &str) -> String {
    let kept: String = text.chars().filter(|&c| !forbidden(c)).collect();
    kept.trim().to_string()
}

/// The name an account posts under: its profile's name and surname, as the app shows
/// them (the program bounds each), without the characters a message may not hold.
/// `None` when it set neither.
pub fn name_of(profile: &ProfileSummary) -> Option<String> {
    let parts: Vec<String> = [profile.name.as_deref(), profile.surname.as_deref()]
        .into_iter()
        .flatten()
        .map(shown)
        .filter(|part| !part.is_empty())
        .collect();
    (!parts.is_empty()).then(|| parts.join(" "))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_message_is_trimmed_and_kept_whole() {
        assert_eq!(
            ChatText::parse("  hello <b>there</b> javascript:alert(1) ")
                .unwrap()
                .into_inner(),
            "hello <b>there</b> javascript:alert(1)"
        );
        let longest = "é".repeat(MAX_CHAT_BYTES / 2);
        assert_eq!(ChatText::parse(&longest).unwrap().into_inner(), longest);
    }

    #[test]
    fn empty_long_and_hidden_characters_are_refused() {
        assert_eq!(ChatText::parse(" \t "), Err(Refusal::ChatEmpty));
        assert_eq!(
            ChatText::parse(&"a".repeat(MAX_CHAT_BYTES + 1)),
            Err(Refusal::ChatTooLong {
                size: MAX_CHAT_BYTES + 1,
                max: MAX_CHAT_BYTES
            })
        );
        for (text, code) in [
            ("one\ntwo", 0x0A),
            ("bell\u{7}", 0x07),
            ("abc\u{202E}fed", 0x202E),
            ("isolate\u{2066}x", 0x2066),
            ("zero\u{200B}width", 0x200B),
            ("nul\0", 0),
        ] {
            assert_eq!(ChatText::parse(text), Err(Refusal::ChatCharacter(code)));
        }
        assert_eq!(
            Refusal::ChatCharacter(0x202E).to_string(),
            "A chat message cannot hold the character U+202E"
        );
    }

    #[test]
    fn settings_and_time_outs_keep_their_bounds() {
        let slow = |slow_secs| ChatSettings {
            followers_only: true,
            slow_secs,
            keep: false,
        };
        assert_eq!(slow(MAX_SLOW_SECS).check(), Ok(slow(MAX_SLOW_SECS)));
        assert_eq!(
            slow(MAX_SLOW_SECS + 1).check(),
            Err(Refusal::SlowModeOutOfRange { max: 300 })
        );
        assert_eq!(timeout_ms(1), Ok(60_000));
        assert_eq!(timeout_ms(MAX_TIMEOUT_MINUTES), Ok(86_400_000));
        for minutes in [0, MAX_TIMEOUT_MINUTES + 1] {
            assert_eq!(
                timeout_ms(minutes),
                Err(Refusal::TimeoutOutOfRange { max: 1_440 })
            );
        }
    }

    #[test]
    fn a_name_is_the_profile_name_and_surname() {
        let profile = |name: Option<&str>, surname: Option<&str>| ProfileSummary {
            name: name.map(str::to_string),
            surname: surname.map(str::to_string),
            img_link: None,
            stream_count: 0,
            subscriber_count: 0,
            subscription_count: 0,
        };
        assert_eq!(
            name_of(&profile(Some("Alice"), Some("Liddell"))).as_deref(),
            Some("Alice Liddell")
        );
        assert_eq!(name_of(&profile(None, Some("Bob"))).as_deref(), Some("Bob"));
        assert_eq!(name_of(&profile(Some(" "), None)), None);
        assert_eq!(
            name_of(&profile(Some("Eve\u{202E}ecilA"), None)).as_deref(),
            Some("EveecilA")
        );
    }
}
