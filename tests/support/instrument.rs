//! A program's code instrumented as gtest and a node instrument it on upload, shared
//! by the tests, the `bridge` example and the benchmark.
use gear_core::{
    code::{Code, SyscallKind},
    gas_metering::Schedule,
};

/// `wasm` instrumented with gtest's schedule, the default one.
pub fn instrument(wasm: &[u8]) -> Code {
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
    .expect("the program is valid Gear code")
}
