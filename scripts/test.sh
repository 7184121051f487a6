#!/usr/bin/env bash
# Runs every test: the Rust crates' native tests, the gtest suite on the built wasm, and
# the JavaScript checks of the built .meta.txt. Installs what is missing first.
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/setup-toolchain.sh
scripts/setup-js.sh
cargo test --release --workspace
(cd js && node --test)
