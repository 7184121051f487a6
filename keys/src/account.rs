//! Account ids as clients write them: `0x`-prefixed hex of the 32-byte public key
//! (`decodedAddress` in `@gear-js/react-hooks`), or an SS58 address (`address`).
use blake2::{digest::consts::U64, Blake2b, Digest};
use std::{fmt, str::FromStr};

/// A Vara account: an sr25519 public key, which is also the program's `ActorId`.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct AccountId(pub [u8; 32]);

/// The longest SS58 address: a two-byte prefix, the key and the checksum, in base58.
const MAX_SS58_LEN: usize = 50;

impl AccountId {
    /// Reads `0x` + 64 hex digits or an SS58 address of any network prefix. Longer
    /// text is refused before any decoding, which would cost time in its length.
    pub fn parse(text: &str) -> Option<Self> {
        if text.len() > MAX_SS58_LEN.max(66) {
            return None;
        }
        match text.strip_prefix("0x") {
            Some(digits) => {
                let mut bytes = [0; 32];
                hex::decode_to_slice(digits, &mut bytes).ok()?;
                Some(Self(bytes))
            }
            None => ss58_decode(text),
        }
    }
}

impl AccountId {
    /// The SS58 address of this account on network `prefix` (Vara: [`VARA_SS58`]).
    pub fn to_ss58(&self, prefix: u16) -> String {
        let mut body = match prefix {
            0..=63 => vec![prefix as u8],
            _ => {
                // The two-byte form as SS58 packs it: six low bits, then the rest.
                let first = ((prefix & 0b1111_1100) >> 2) as u8 | 0b0100_0000;
                let second = (prefix >> 8) as u8 | ((prefix & 0b11) << 6) as u8;
                vec![first, second]
            }
        };
        body.extend_from_slice(&self.0);
        let hash = checksum(&body);
        body.extend_from_slice(&hash[..2]);
        bs58::encode(body).into_string()
    }
}

/// Vara's SS58 network prefix.
pub const VARA_SS58: u16 = 137;

impl fmt::Display for AccountId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "0x{}", hex::encode(self.0))
    }
}

impl fmt::Debug for AccountId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(self, f)
    }
}

impl FromStr for AccountId {
    type Err = String;
    fn from_str(text: &str) -> Result<Self, String> {
        Self::parse(text)
            .ok_or_else(|| format!("{text:?} is not an account id (0x + 64 hex digits, or SS58)"))
    }
}

#[cfg(feature = "serde")]
impl serde::Serialize for AccountId {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

#[cfg(feature = "serde")]
impl<'de> serde::Deserialize<'de> for AccountId {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = <std::borrow::Cow<'de, str>>::deserialize(deserializer)?;
        text.parse().map_err(serde::de::Error::custom)
    }
}

/// SS58: base58 of `prefix ++ public key ++ checksum`, where the prefix is one byte
/// for network ids below 64 and two bytes otherwise (Vara's 137), and the checksum is
/// the first two bytes of blake2b-512(`"SS58PRE" ++ prefix ++ key`).
fn ss58_decode(text: &str) -> Option<AccountId> {
    let bytes = bs58::decode(text).into_vec().ok()?;
    let prefix_len = match bytes.first()? {
        0..=63 => 1,
        64..=127 => 2,
        _ => return None,
    };
    if bytes.len() != prefix_len + 32 + 2 {
        return None;
    }
    let (body, sum) = bytes.split_at(prefix_len + 32);
    if checksum(body)[..2] != *sum {
        return None;
    }
    let mut key = [0; 32];
    key.copy_from_slice(&body[prefix_len..]);
    Some(AccountId(key))
}

fn checksum(body: &[u8]) -> [u8; 64] {
    Blake2b::<U64>::new()
        .chain_update(b"SS58PRE")
        .chain_update(body)
        .finalize()
        .into()
}

#[cfg(test)]
mod tests {
    use super::*;

    // Alice's well-known key and her addresses on the generic (42) and Vara (137) networks.
    const ALICE: &str = "0xd43593c715fdd31c61141abd04a99fd6822c8558854ccde39a5684e7a56da27d";

    #[test]
    fn reads_hex_and_ss58_of_one_and_two_byte_prefixes() {
        let alice = AccountId::parse(ALICE).unwrap();
        assert_eq!(alice.to_string(), ALICE);
        assert_eq!(
            AccountId::parse("5GrwvaEF5zXb26Fz9rcQpDWS57CtERHpNehXCPcNoHGKutQY"),
            Some(alice)
        );
        assert_eq!(
            AccountId::parse("kGkLEU3e3XXkJp2WK4eNpVmSab5xUNL9QtmLPh8QfCL2EgotW"),
            Some(alice)
        );
        assert_eq!(
            alice.to_ss58(42),
            "5GrwvaEF5zXb26Fz9rcQpDWS57CtERHpNehXCPcNoHGKutQY"
        );
        assert_eq!(
            alice.to_ss58(VARA_SS58),
            "kGkLEU3e3XXkJp2WK4eNpVmSab5xUNL9QtmLPh8QfCL2EgotW"
        );
    }

    #[test]
    fn refuses_damaged_ids() {
        for bad in [
            "",
            "0x",
            "0xd43593c715fdd31c61141abd04a99fd6822c8558854ccde39a5684e7a56da2",
            "0xz43593c715fdd31c61141abd04a99fd6822c8558854ccde39a5684e7a56da27d",
            "5GrwvaEF5zXb26Fz9rcQpDWS57CtERHpNehXCPcNoHGKutQZ",
            "5GrwvaEF5zXb26Fz9rcQpDWS57CtERHpNehXCPcNoHGKut",
            "0OIl",
            &"5".repeat(400_000),
        ] {
            assert_eq!(AccountId::parse(bad), None, "{bad:?}");
        }
    }
}
