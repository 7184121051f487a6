#!/usr/bin/env bash
# Runs every test: the Rust crates' native tests and the gtest suite on the built wasm;
# the JavaScript checks of the metadata, the local chain and the signaling server; and
# the web app in headless Chromium against the local chain. Installs what is missing
# first.
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/setup-toolchain.sh
scripts/setup-js.sh
scripts/setup-web.sh --browser
cargo test --release --workspace
(cd js && node --test)
# The browser tests, video among them, see only loopback (scripts/loopback-only.sh).
(cd web && npm run --silent build && ../scripts/loopback-only.sh node --test tests/)
