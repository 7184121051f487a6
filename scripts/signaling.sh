#!/usr/bin/env bash
# Runs the signaling server on 127.0.0.1:3001 with the program on an embedded gtest
# chain and a demo world (a broadcaster live on a stream, its follower, a stranger);
# prints the demo's stream id and seeds. Extra flags go to the server (`-- --help`
# lists them). Ctrl-C stops it. Installs what is missing first.
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/setup-toolchain.sh
# The program the embedded chain runs.
cargo build --release --quiet -p w3bstreaming
cargo run --release --quiet -p w3bstreaming-signaling -- --chain embedded --demo "$@"
