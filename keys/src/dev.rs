//! Substrate's development accounts: keys derived from the public development phrase
//! with hard junctions, as `@polkadot/keyring` makes them for `//Alice` (written
//! `bottom drive obey ... walk//Alice` in full). Anyone can make these keys: they are
//! for local chains only.
use crate::{signature::account_of, AccountId};
use blake2::{digest::consts::U32, Blake2b, Digest};
use schnorrkel::{derive::ChainCode, ExpansionMode, Keypair};

/// The phrase every Substrate tool derives development accounts from.
pub const DEV_PHRASE: &str =
    "bottom drive obey lake curtain smoke basket hold race lonely fit walk";

/// The key pair of a derivation path of hard junctions such as `//Alice` or
/// `//viewer-3`, from [`DEV_PHRASE`]. Soft junctions (`/x`) and passwords (`///x`) are
/// not supported.
pub fn keypair(path: &str) -> Result<Keypair, String> {
    let junctions = path
        .strip_prefix("//")
        .ok_or_else(|| format!("{path:?} is not a path of hard junctions (//Name)"))?;
    let entropy = bip39::Mnemonic::parse_normalized(DEV_PHRASE)
        .map_err(|error| error.to_string())?
        .to_entropy();
    let mut pair = substrate_bip39::mini_secret_from_entropy(&entropy, "")
        .map_err(|error| format!("{error:?}"))?
        .expand_to_keypair(ExpansionMode::Ed25519);
    for junction in junctions.split("//") {
        if junction.is_empty() || junction.contains('/') {
            return Err(format!("{path:?} is not a path of hard junctions (//Name)"));
        }
        let (mini, _) = pair
            .secret
            .hard_derive_mini_secret_key(Some(ChainCode(chain_code(junction))), b"");
        pair = mini.expand_to_keypair(ExpansionMode::Ed25519);
    }
    Ok(pair)
}

/// The account of [`keypair`]`(path)`.
pub fn account(path: &str) -> Result<AccountId, String> {
    keypair(path).map(|pair| account_of(&pair))
}

/// A junction's chain code as Substrate makes it: a number as its 8 little-endian
/// bytes, anything else SCALE-encoded (compact length, then the bytes), hashed with
/// blake2b-256 when longer than 32 bytes, zero-padded to 32.
fn chain_code(junction: &str) -> [u8; 32] {
    let encoded = match junction.parse::<u64>() {
        Ok(number) => number.to_le_bytes().to_vec(),
        Err(_) => {
            let mut encoded = compact_len(junction.len());
            encoded.extend_from_slice(junction.as_bytes());
            encoded
        }
    };
    let mut code = [0u8; 32];
    if encoded.len() > 32 {
        code = Blake2b::<U32>::digest(&encoded).into();
    } else {
        code[..encoded.len()].copy_from_slice(&encoded);
    }
    code
}

/// SCALE's compact encoding of a length.
fn compact_len(len: usize) -> Vec<u8> {
    match len {
        0..=0x3f => vec![(len as u8) << 2],
        0x40..=0x3fff => ((len as u16) << 2 | 1).to_le_bytes().to_vec(),
        _ => ((len as u32) << 2 | 2).to_le_bytes().to_vec(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The well-known development accounts, as polkadot.js apps lists them, and two
    /// more paths as `@polkadot/keyring` derives them.
    #[test]
    fn derives_the_well_known_development_accounts() {
        for (path, id) in [
            (
                "//Alice",
                "0xd43593c715fdd31c61141abd04a99fd6822c8558854ccde39a5684e7a56da27d",
            ),
            (
                "//Bob",
                "0x8eaf04151687736326c9fea17e25fc5287613693c912909cb226aa4794f26a48",
            ),
            (
                "//Alice//stash",
                "0xbe5ddb1579b72e84524fc29e78609e3caf42e85aa118ebfe0b0ad404b5bdd25f",
            ),
            // Checked against `new Keyring({ type: 'sr25519' }).addFromUri(path)`.
            (
                "//viewer-0",
                "0xac3cd3e4d0d50c1821064e4882b750ef8e9e7403e05e01b7e57ab86bd5db1922",
            ),
            (
                "//7",
                "0xba8e2c7594dd74730f3ca835e95455d199261897edc9735d602ea29615e2b10b",
            ),
        ] {
            assert_eq!(account(path).unwrap().to_string(), id, "{path}");
        }
    }

    #[test]
    fn refuses_what_is_not_a_hard_path() {
        for bad in [
            "Alice",
            "/Alice",
            "//",
            "//Alice/soft",
            "//Alice///password",
        ] {
            assert!(keypair(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn long_and_numeric_junctions_have_their_own_chain_codes() {
        let long = "a junction longer than thirty-two bytes in all";
        assert_eq!(chain_code(long), {
            let mut encoded = compact_len(long.len());
            encoded.extend_from_slice(long.as_bytes());
            <[u8; 32]>::from(Blake2b::<U32>::digest(&encoded))
        });
        assert_eq!(chain_code("7")[..8], 7u64.to_le_bytes());
        assert_ne!(chain_code("7"), chain_code("x7"));
    }
}
