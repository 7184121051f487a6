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
scripts/setup-janus.sh
cargo test --release --workspace
# Two test files at a time: most of their time is waiting for blocks and browsers,
# and two at a time halves it on two cores (docs/building.md, "The tests").
# --test-force-exit: werift (the tests' WebRTC ends without a browser) keeps some UDP
# sockets open after its peer connections close, and a test file whose tests are all
# done must not wait on them.
(cd js && node --test --test-concurrency=2 --test-force-exit)
# The browser tests, video among them, see only loopback (scripts/loopback-only.sh).
(cd web && npm run --silent build && ../scripts/loopback-only.sh node --test --test-concurrency=2 --test-force-exit tests/)
