#!/usr/bin/env bash
# The main job: builds the deployable program (.opt.wasm + .meta.txt), prints what Gear
# IDEA needs to know about it, and runs a short scenario on the embedded gtest runtime.
# Installs what is missing first.
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/setup-toolchain.sh
cargo run --release --quiet --example demo
