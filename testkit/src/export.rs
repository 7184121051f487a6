//! Calling a program's wasm export outside any message, the way a node serves
//! `gear_readMetahash`: the code instrumented as gtest and a node instrument it on
//! upload, run by core-processor.
use core_processor::{configs::BlockInfo, informational::execute_for_reply, Ext};
use gear_core::{
    code::{Code, CodeAndId, InstrumentedCodeAndMetadata, SyscallKind},
    gas_metering::Schedule,
};
use gear_lazy_pages_native_interface::LazyPagesNative;

/// `wasm` instrumented with gtest's schedule, the default one; the reason it is not
/// valid Gear code otherwise.
pub fn instrument(wasm: &[u8]) -> Result<Code, String> {
    let schedule = Schedule::default();
    Code::try_new(
        wasm.to_vec(),
        schedule.instruction_weights.version,
        |module| schedule.rules(module),
        schedule.limits.stack_height,
        schedule.limits.data_segments_amount.into(),
        schedule.limits.type_section_len.into(),
        schedule.limits.parameters.into(),
        SyscallKind::Vara,
    )
    .map_err(|error| format!("not valid Gear code: {error}"))
}

/// Calls the export `export` of `wasm` outside any message and returns its reply, or
/// why it failed. It runs on a gtest runtime of its own (for its lazy pages), which
/// must be gone before another is made on this thread.
pub fn call_export(wasm: &[u8], export: &str) -> Result<Vec<u8>, String> {
    let code = instrument(wasm)?;
    let _lazy_pages = gtest::System::new();
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
    .map_err(|error| format!("calling `{export}` failed: {error}"))
}
