//! What a sender signs to have the node queue a message: a canonical text naming this
//! chain, the program, the sender, its nonce and the payload, signed as a wallet's
//! `signRaw` signs bytes, and the value it carries when it carries any. The chain's genesis hash is random per start and the nonce
//! is spent on use, so a signature is accepted once, by one run of one node.
use w3bstreaming_keys::AccountId;

/// The text a sender signs (with `signRaw`, which wraps it in `<Bytes>`) to send
/// `payload` to `program` with `nonce`, carrying `value` (a last line, only when it is
/// not 0).
pub fn message_text(
    genesis: &[u8; 32],
    program: &AccountId,
    sender: &AccountId,
    nonce: u64,
    payload: &[u8],
    value: u128,
) -> String {
    let text = format!(
        "w3bstreaming devnode message\n\
         chain: 0x{}\n\
         program: {program}\n\
         sender: {sender}\n\
         nonce: {nonce}\n\
         payload: 0x{}",
        hex::encode(genesis),
        hex::encode(payload)
    );
    match value {
        0 => text,
        value => format!("{text}\nvalue: {value}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The web app builds the same text (web/src/chain/local.ts); this is its form.
    #[test]
    fn the_text_names_everything_the_signature_covers() {
        let text = message_text(
            &[1; 32],
            &AccountId([2; 32]),
            &AccountId([3; 32]),
            7,
            &[0xab, 0xcd],
            0,
        );
        let hex32 = |byte: &str| format!("0x{}", byte.repeat(32));
        assert_eq!(
            text,
            format!(
                "w3bstreaming devnode message\nchain: {}\nprogram: {}\nsender: {}\nnonce: 7\npayload: 0xabcd",
                hex32("01"),
                hex32("02"),
                hex32("03")
            )
        );
        let with_value = message_text(
            &[1; 32],
            &AccountId([2; 32]),
            &AccountId([3; 32]),
            7,
            &[],
            5,
        );
        assert!(
            with_value.ends_with("\npayload: 0x\nvalue: 5"),
            "{with_value}"
        );
    }
}
