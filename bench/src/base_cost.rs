//! What a message costs before the program does any work of its own: what the node
//! charges for any message, measured on an empty program, and what it charges for the
//! program's code, computed as core-processor's precharge does. At N=0 these are most
//! of a message's gas, and the second grows with every byte of the program.
use gear_core::gas_metering::Schedule;
use gtest::System;
use w3bstreaming_testkit::{deploy, export::instrument};

/// `(module (import "env" "memory" (memory 1)) (func (export "handle")))`: the least a
/// Gear program can be.
const EMPTY_PROGRAM: [u8; 53] = [
    0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00, // magic, version
    0x01, 0x04, 0x01, 0x60, 0x00, 0x00, // types: () -> ()
    0x02, 0x0f, 0x01, 0x03, b'e', b'n', b'v', // import from env
    0x06, b'm', b'e', b'm', b'o', b'r', b'y', 0x02, 0x00, 0x01, // memory, at least 1 page
    0x03, 0x02, 0x01, 0x00, // one function of type 0
    0x07, 0x0a, 0x01, 0x06, b'h', b'a', b'n', b'd', b'l', b'e', 0x00, 0x00, // export
    0x0a, 0x04, 0x01, 0x02, 0x00, 0x0b, // its body: no locals, end
];

/// The charge for a program's code that every message to it pays.
pub struct CodeCharge {
    pub original_bytes: usize,
    pub instrumented_bytes: usize,
    pub gas: u64,
}

/// Instruments `wasm` as gtest and the node do, then adds what the precharge takes per
/// message: reading the instrumented code (per byte) and instantiating each section
/// (per byte, each section at its own weight).
pub fn code_charge(wasm: &[u8]) -> CodeCharge {
    let schedule = Schedule::default();
    let code = instrument(wasm).expect("the program is valid Gear code");
    let instrumented = code.instrumented_code();
    let sections = instrumented.instantiated_section_sizes();
    let weights = &schedule.instantiation_weights;
    let per_section = [
        (sections.code_section(), weights.code_section_per_byte),
        (sections.data_section(), weights.data_section_per_byte),
        (sections.global_section(), weights.global_section_per_byte),
        (sections.table_section(), weights.table_section_per_byte),
        (sections.element_section(), weights.element_section_per_byte),
        (sections.type_section(), weights.type_section_per_byte),
    ];
    let instrumented_bytes = instrumented.bytes().len();
    let read = schedule.db_weights.read_per_byte.ref_time() * instrumented_bytes as u64;
    let instantiate: u64 = per_section
        .iter()
        .map(|(bytes, weight)| u64::from(*bytes) * weight.ref_time())
        .sum();
    CodeCharge {
        original_bytes: wasm.len(),
        instrumented_bytes,
        gas: read + instantiate,
    }
}

/// The gas of a message to a program that does nothing, less its own tiny code charge:
/// what the node charges any message.
pub fn empty_message_gas() -> u64 {
    const SENDER: u64 = 100;
    let system = System::new();
    let (program, _) = deploy(&system, 1, &EMPTY_PROGRAM, SENDER);
    system.run_next_block();
    let id = program.send_bytes(SENDER, []);
    let burned = system.run_next_block().gas_burned[&id];
    burned - code_charge(&EMPTY_PROGRAM).gas
}
