use serde::Deserialize;

/// Which simulcast layer a viewer receives, as its player's quality menu names it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Layer {
    /// The best layer arriving: Janus's choice, dropping to a lower one while a higher
    /// one stops coming.
    Auto,
    High,
    Medium,
    Low,
}

impl Layer {
    /// Janus's substream: 0 the smallest.
    pub(super) fn substream(self) -> u8 {
        match self {
            Self::Auto | Self::High => 2,
            Self::Medium => 1,
            Self::Low => 0,
        }
    }
}
