//! Builds the program to wasm (gear-wasm-builder) and writes beside the `.opt.wasm`
//! the `.meta.txt` that Gear IDEA and `@gear-js/api` read. The builder no longer
//! writes metadata itself, so this script does, from the same `ProgramMetadata` whose
//! hash the program's `metahash` export replies with.
use gmeta::Metadata;
use std::{
    env, fs,
    path::{Path, PathBuf},
};
use w3bstreaming_io::ProgramMetadata;

fn main() {
    let metadata = ProgramMetadata::repr();
    let out_dir = PathBuf::from(env::var("OUT_DIR").expect("cargo sets OUT_DIR"));
    // Read by the wasm build (the `metahash` export) as well as the native one.
    fs::write(out_dir.join("metahash"), metadata.hash()).expect("write metahash");

    // `None` inside the builder's own nested wasm build, and when a check skips the wasm
    // (`__GEAR_WASM_BUILDER_NO_BUILD`): there are no artifacts to point at.
    let Some((_, opt_wasm)) = gear_wasm_builder::build() else {
        write_artifact_paths(&out_dir, "", "");
        return;
    };
    let file_name = opt_wasm
        .file_name()
        .and_then(|name| name.to_str())
        .and_then(|name| name.strip_suffix(".opt.wasm"))
        .expect("the builder names its output <crate>.opt.wasm");
    let meta_txt = opt_wasm.with_file_name(format!("{file_name}.meta.txt"));
    fs::write(&meta_txt, metadata.hex()).expect("write .meta.txt");
    write_artifact_paths(
        &out_dir,
        &opt_wasm.display().to_string(),
        &meta_txt.display().to_string(),
    );
}

/// Tells native builds of the crate where the artifacts are (empty: not built).
fn write_artifact_paths(out_dir: &Path, opt_wasm: &str, meta_txt: &str) {
    fs::write(
        out_dir.join("artifacts.rs"),
        format!(
            "/// Path of the deployable optimized wasm; empty when the wasm was not built.\n\
             pub const OPT_WASM_PATH: &str = {opt_wasm:?};\n\
             /// Path of the `.meta.txt` written beside it; empty when it was not.\n\
             pub const META_TXT_PATH: &str = {meta_txt:?};\n"
        ),
    )
    .expect("write artifacts.rs");
}
