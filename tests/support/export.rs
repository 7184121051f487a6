//! Calling one of the program's wasm exports outside any message, shared by the tests
//! and the `bridge` example.
#[path = "instrument.rs"]
mod instrument;

use core_processor::{configs::BlockInfo, informational::execute_for_reply, Ext};
use gear_core::code::{CodeAndId, InstrumentedCodeAndMetadata, SyscallKind};
use gear_lazy_pages_native_interface::LazyPagesNative;

/// Calls a wasm export of the program outside any message, the way a node serves
/// `gear_readMetahash`: instrumented with gtest's schedule, run by core-processor.
pub fn call_export(export: &str) -> Vec<u8> {
    let _lazy_pages = gtest::System::new();
    let code = instrument::instrument(w3bstreaming::WASM_BINARY_OPT);
    let (code, _) = CodeAndId::new(code).into_parts();
    let (instrumented, metadata) = InstrumentedCodeAndMetadata::from(code).into_parts();
    execute_for_reply::<Ext<LazyPagesNative>, _>(
        export.to_string(),
        instrumented,
        metadata,
        None,
        None,
        Vec::new(),
        gtest::constants::MAX_USER_GAS_LIMIT,
        BlockInfo::default(),
        SyscallKind::Vara,
    )
    .unwrap_or_else(|error| panic!("calling `{export}` failed: {error}"))
}
