//! Account ids as clients write them: `0x`-prefixed hex of the 32-byte public key
//! (`decodedAddress` in `@gear-js/react-hooks`), or an SS58 address (`address`).
use blake2::{digest::consts::U64, Blake2b, Digest};
use std::{fmt, str::FromStr};

/// A Vara account: an sr25519 public key, which is also the program's `ActorId`.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct AccountId(pub [u8; 32]);

impl AccountId {
    /// Reads `0x` + 64 hex digits or an SS58 address of any network prefix.
    pub fn parse(text: &str) -> Option<Self> {
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
    let (body, checksum) = bytes.split_at(prefix_len + 32);
    let hash = Blake2b::<U64>::new()
        .chain_update(b"SS58PRE")
        .chain_update(body)
        .finalize();
    if hash[..2] != *checksum {
        return None;
    }
    let mut key = [0; 32];
    key.copy_from_slice(&body[prefix_len..]);
    Some(AccountId(key))
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
        ] {
            assert_eq!(AccountId::parse(bad), None, "{bad:?}");
        }
    }
}
