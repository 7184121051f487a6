//! The deployable artifacts: the `.opt.wasm` and `.meta.txt` the build leaves side by
//! side, and the `metahash` export Gear IDEA uses to match them.

use crate::common::*;
use blake2::{digest::consts::U32, Blake2b, Digest};
use gmeta::{Metadata, MetadataRepr};
use std::{fs, path::Path};
use w3bstreaming_io::ProgramMetadata;
use w3bstreaming_testkit::export::call_export;

fn blake2b_256(bytes: &[u8]) -> [u8; 32] {
    Blake2b::<U32>::digest(bytes).into()
}

fn meta_txt() -> String {
    fs::read_to_string(w3bstreaming::META_TXT_PATH).expect("the build wrote .meta.txt")
}

#[test]
fn artifacts_lie_side_by_side_under_wasm32_gear_release() {
    let wasm = Path::new(w3bstreaming::OPT_WASM_PATH);
    let meta = Path::new(w3bstreaming::META_TXT_PATH);
    assert!(
        wasm.ends_with("wasm32-gear/release/w3bstreaming.opt.wasm"),
        "{wasm:?}"
    );
    assert_eq!(meta.parent(), wasm.parent());
    assert_eq!(meta.file_name().unwrap(), "w3bstreaming.meta.txt");
    assert_eq!(
        fs::read(wasm).unwrap(),
        w3bstreaming::WASM_BINARY_OPT,
        "tests run the deployable wasm"
    );
}

#[test]
fn metahash_export_replies_the_hash_of_the_written_meta_txt() {
    let bytes = hex::decode(meta_txt().trim()).expect(".meta.txt is hex");
    let reply = call_export(w3bstreaming::WASM_BINARY_OPT, "metahash").unwrap();
    assert_eq!(reply.len(), 32);
    assert_eq!(reply, blake2b_256(&bytes));
}

#[test]
fn meta_txt_is_the_metadata_of_the_io_crate() {
    let written = MetadataRepr::from_hex(meta_txt().trim()).expect(".meta.txt parses");
    assert_eq!(written, ProgramMetadata::repr());
    assert!(written.handle.input.is_some() && written.handle.output.is_some());
    assert!(written.state.input.is_some() && written.state.output.is_some());
    assert_eq!((written.init.input, written.init.output), (None, None));
}

#[test]
fn init_handle_and_state_answer() {
    let env = Env::new();
    env.register(ALICE);
    let id = env.schedule(ALICE, "Hello");
    assert_eq!(env.streams().len(), 1);
    assert_eq!(env.streams()[0].0, id);
}
