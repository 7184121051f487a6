//! Builds the program to wasm (gear-wasm-builder) and writes beside the `.opt.wasm`
//! the `.meta.txt` that Gear IDEA and `@gear-js/api` read. The builder no longer
//! writes metadata itself, so this script does, from the same `ProgramMetadata` whose
//! hash the program's `metahash` export replies with.
use gmeta::Metadata;
use std::{env, fs, path::PathBuf};
use w3bstreaming_io::ProgramMetadata;

fn main() {
    let metadata = ProgramMetadata::repr();
    let out_dir = PathBuf::from(env::var("OUT_DIR").expect("cargo sets OUT_DIR"));
    // Read by the wasm build (the `metahash` export) as well as the native one.
    fs::write(out_dir.join("metahash"), metadata.hash()).expect("write metahash");
    rerun_only_when_the_program_changes();
    // Without `std` this is the wasm build itself (the builder's nested one, or a
    // check for wasm): the metadata hash is all it needs.
    #[cfg(feature = "std")]
    native::build_wasm(&out_dir, &metadata);
}

/// The wasm is made of these files alone.
fn rerun_only_when_the_program_changes() {
    for path in [
        "src",
        "io",
        "state",
        "Cargo.toml",
        "Cargo.lock",
        "rust-toolchain.toml",
        "scripts/wasm-rustc.sh",
    ] {
        println!("cargo:rerun-if-changed={path}");
    }
    println!("cargo:rerun-if-env-changed=__GEAR_WASM_BUILDER_NO_BUILD");
    println!("cargo:rerun-if-env-changed=RUSTC_WRAPPER");
}

#[cfg(feature = "std")]
mod native {
    use gmeta::MetadataRepr;
    use std::{env, fs, path::Path};
    use w3bstreaming_io::{limits, Error, Field};

    pub fn build_wasm(out_dir: &Path, metadata: &MetadataRepr) {
        name_crates_by_what_they_are();
        // Otherwise the builder has cargo rerun this script on every build (a stamp file
        // it rewrites in case features or the toolchain changed, both of which cargo tracks
        // itself), recompiling every crate that depends on this one, the servers and the
        // bench among them: minutes each time. `rerun_only_when_the_program_changes` names
        // what the wasm is made of instead.
        env::set_var("__GEAR_WASM_BUILDER_NO_FEATURES_TRACKING", "1");
        // CI lints this repository's crates while it compiles them, with clippy-driver
        // as cargo's workspace wrapper (.ci/run); clippy-driver compiles with MIR
        // optimizations off, and the wasm must come out of rustc as it does everywhere.
        env::remove_var("RUSTC_WORKSPACE_WRAPPER");
        // `None` when a check skips the wasm (`__GEAR_WASM_BUILDER_NO_BUILD`): there are
        // no artifacts to point at.
        let Some((_, opt_wasm)) = gear_wasm_builder::build() else {
            write_artifact_paths(out_dir, "", "");
            return;
        };
        let file_name = opt_wasm
            .file_name()
            .and_then(|name| name.to_str())
            .and_then(|name| name.strip_suffix(".opt.wasm"))
            .expect("the builder names its output <crate>.opt.wasm");
        let meta_txt = opt_wasm.with_file_name(format!("{file_name}.meta.txt"));
        fs::write(&meta_txt, metadata.hex()).expect("write .meta.txt");
        let rules = opt_wasm.with_file_name(format!("{file_name}.rules.json"));
        fs::write(&rules, client_rules()).expect("write .rules.json");
        write_artifact_paths(
            out_dir,
            &opt_wasm.display().to_string(),
            &meta_txt.display().to_string(),
        );
    }

    /// Makes the builder's nested cargo run `scripts/wasm-rustc.sh` (keeping a wrapper the
    /// build already has, such as sccache, behind it), so that the wasm's bytes do not
    /// depend on the checkout's path: the script says why.
    fn name_crates_by_what_they_are() {
        let root = env::var("CARGO_MANIFEST_DIR").expect("cargo sets CARGO_MANIFEST_DIR");
        let wrapper = Path::new(&root).join("scripts/wasm-rustc.sh");
        let wrapper = wrapper.to_str().expect("the checkout's path is UTF-8");
        if let Ok(outer) = env::var("RUSTC_WRAPPER") {
            if !outer.is_empty() && outer != wrapper {
                env::set_var("W3BSTREAMING_RUSTC_WRAPPER", outer);
            }
        }
        env::set_var("RUSTC_WRAPPER", wrapper);
        env::set_var("W3BSTREAMING_ROOT", &root);
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

    /// The limits and the texts of the errors a client can foresee, so that a frontend
    /// checks input before sending with the program's own figures and words.
    fn client_rules() -> String {
        let limits = serde_json::json!({
            "maxTitleLen": limits::MAX_TITLE_LEN,
            "maxDescriptionLen": limits::MAX_DESCRIPTION_LEN,
            "maxLinkLen": limits::MAX_LINK_LEN,
            "maxNameLen": limits::MAX_NAME_LEN,
            "maxStreamDurationMs": limits::MAX_STREAM_DURATION_MS,
            "maxScheduleAheadMs": limits::MAX_SCHEDULE_AHEAD_MS,
            "maxStreamsPerBroadcaster": limits::MAX_STREAMS_PER_BROADCASTER,
            "maxPageLen": limits::MAX_PAGE_LEN,
            "retentionMs": limits::RETENTION_MS,
            "minTip": u64::try_from(limits::MIN_TIP).expect("a minimum tip a client can hold"),
            "maxTipMessageLen": limits::MAX_TIP_MESSAGE_LEN,
        });
        let text = |error: Error| error.to_string();
        let errors = serde_json::json!({
            "emptyTitle": text(Error::EmptyTitle),
            "titleTooLong": text(Error::TooLong(Field::Title)),
            "descriptionTooLong": text(Error::TooLong(Field::Description)),
            "imgLinkTooLong": text(Error::TooLong(Field::ImgLink)),
            "nameTooLong": text(Error::TooLong(Field::Name)),
            "surnameTooLong": text(Error::TooLong(Field::Surname)),
            "endNotAfterStart": text(Error::EndNotAfterStart),
            "endInPast": text(Error::EndInPast),
            "streamTooLong": text(Error::StreamTooLong),
            "startTooFarAhead": text(Error::StartTooFarAhead),
            "tooManyStreams": text(Error::TooManyStreams),
            "notRegistered": text(Error::NotRegistered),
            "ownChannel": text(Error::OwnChannel),
            "alreadyInRole": text(Error::AlreadyInRole),
            "noChannelRole": text(Error::NoChannelRole),
            "tipMessageTooLong": text(Error::TooLong(Field::Message)),
            "tipWithoutValue": text(Error::TipWithoutValue),
            "tipTooSmall": text(Error::TipTooSmall),
            "tipOwnStream": text(Error::TipOwnStream),
        });
        serde_json::to_string_pretty(&serde_json::json!({ "limits": limits, "errors": errors }))
            .expect("JSON of numbers and strings")
    }
}
