//! Calling one of the program's wasm exports outside any message, shared by the tests
//! and the `bridge` example.
use core_processor::{configs::BlockInfo, informational::execute_for_reply, Ext};
use gear_core::{
    code::{Code, CodeAndId, InstrumentedCodeAndMetadata, SyscallKind},
    gas_metering::Schedule,
};
use gear_lazy_pages_native_interface::LazyPagesNative;

/// Calls a wasm export of the program outside any message, the way a node serves
/// `gear_readMetahash`: instrumented with gtest's schedule, run by core-processor.
pub fn call_export(export: &str) -> Vec<u8> {
    let _lazy_pages = gtest::System::new();
    let schedule = Schedule::default();
    let code = Code::try_new(
        w3bstreaming::WASM_BINARY_OPT.to_vec(),
        schedule.instruction_weights.version,
        |module| schedule.rules(module),
        schedule.limits.stack_height,
        schedule.limits.data_segments_amount.into(),
        schedule.limits.type_section_len.into(),
        schedule.limits.parameters.into(),
        SyscallKind::Vara,
    )
    .expect("the .opt.wasm is valid Gear code");
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
