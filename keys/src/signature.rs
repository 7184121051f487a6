//! sr25519 signatures of raw bytes as polkadot-js extensions make them for
//! `signRaw({ type: 'bytes' })`: over `<Bytes>message</Bytes>`, so that a signed text
//! can never be a valid transaction, in the signing context `substrate`.
use crate::AccountId;
use schnorrkel::{Keypair, PublicKey, Signature};

/// The signing context of every Substrate sr25519 signature.
const SIGNING_CONTEXT: &[u8] = b"substrate";

/// What an extension signs for `signRaw` of `message`.
pub fn wrap_bytes(message: &[u8]) -> Vec<u8> {
    [b"<Bytes>", message, b"</Bytes>"].concat()
}

/// Whether `signature_hex` (`0x` + 128 hex digits, as `signRaw` returns it) is
/// `account`'s signature of `message`.
pub fn verify(account: &AccountId, message: &[u8], signature_hex: &str) -> bool {
    let mut signature = [0u8; 64];
    let digits = signature_hex.strip_prefix("0x").unwrap_or(signature_hex);
    if hex::decode_to_slice(digits, &mut signature).is_err() {
        return false;
    }
    let (Ok(key), Ok(signature)) = (
        PublicKey::from_bytes(&account.0),
        Signature::from_bytes(&signature),
    ) else {
        return false;
    };
    key.verify_simple(SIGNING_CONTEXT, &wrap_bytes(message), &signature)
        .is_ok()
}

/// `pair`'s signature of `message`, as `signRaw` would return it.
pub fn sign(pair: &Keypair, message: &[u8]) -> String {
    let signature = pair.sign_simple(SIGNING_CONTEXT, &wrap_bytes(message));
    format!("0x{}", hex::encode(signature.to_bytes()))
}

/// The account `pair` signs for.
pub fn account_of(pair: &Keypair) -> AccountId {
    AccountId(pair.public.to_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::dev;

    #[test]
    fn a_signature_verifies_for_its_signer_and_message_only() {
        let alice = dev::keypair("//Alice").unwrap();
        let bob = dev::keypair("//Bob").unwrap();
        let signature = sign(&alice, b"hello");
        assert!(verify(&account_of(&alice), b"hello", &signature));
        assert!(!verify(&account_of(&bob), b"hello", &signature));
        assert!(!verify(&account_of(&alice), b"hellO", &signature));
        let unwrapped = alice.sign_simple(SIGNING_CONTEXT, b"hello");
        let unwrapped = format!("0x{}", hex::encode(unwrapped.to_bytes()));
        assert!(
            !verify(&account_of(&alice), b"hello", &unwrapped),
            "only the <Bytes> form is accepted"
        );
        for damaged in ["", "0x", "0x00", &signature[..signature.len() - 2], "zz"] {
            assert!(
                !verify(&account_of(&alice), b"hello", damaged),
                "{damaged:?}"
            );
        }
    }
}
