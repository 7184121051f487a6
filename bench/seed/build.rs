fn main() {
    // Without `std` this is the wasm build itself: nothing to do (see the manifest).
    #[cfg(feature = "std")]
    build_wasm();
}

#[cfg(feature = "std")]
fn build_wasm() {
    // As the program's build.rs says: without the first line, every build reruns the
    // wasm build and recompiles the bench after it (the wasm is made of the files below
    // alone); without the second, the clippy-driver CI lints with would compile the wasm.
    std::env::set_var("__GEAR_WASM_BUILDER_NO_FEATURES_TRACKING", "1");
    std::env::remove_var("RUSTC_WORKSPACE_WRAPPER");
    for path in ["src", "Cargo.toml", "../../Cargo.lock"] {
        println!("cargo:rerun-if-changed={path}");
    }
    gear_wasm_builder::build();
}
