fn main() {
    // Without `std` this is the wasm build itself: nothing to do (see the manifest).
    #[cfg(feature = "std")]
    build_wasm();
}

#[cfg(feature = "std")]
fn build_wasm() {
    // As the program's build.rs says: without this, every build reruns the wasm build
    // and recompiles the bench after it (the wasm is made of the files below alone);
    // and the wasm comes out of rustc, not out of the clippy-driver CI lints with.
    std::env::set_var("__GEAR_WASM_BUILDER_NO_FEATURES_TRACKING", "1");
    std::env::remove_var("RUSTC_WORKSPACE_WRAPPER");
    for path in ["src", "Cargo.toml", "../../Cargo.lock"] {
        println!("cargo:rerun-if-changed={path}");
    }
    gear_wasm_builder::build();
}
