//! Finding a message's reply in a gtest block, shared by the tests, the `bridge`
//! example, the benchmark and the signaling server's embedded chain.
use gtest::BlockRunResult;

/// The reply to message `id` in `result`: its payload, or its text if it is an error.
pub fn reply(result: &BlockRunResult, id: gstd::MessageId) -> Result<Vec<u8>, String> {
    let log = result
        .log()
        .iter()
        .find(|log| log.reply_to() == Some(id))
        .unwrap_or_else(|| panic!("no reply to {id:?}: {result:?}"));
    let code = log.reply_code().expect("a reply has a reply code");
    if code.is_success() {
        Ok(log.payload().to_vec())
    } else {
        Err(String::from_utf8_lossy(log.payload()).into_owned())
    }
}
