#!/usr/bin/env bash
# Runs the signaling server on 127.0.0.1:3001 against the local chain
# (w3bstreaming-devnode on 127.0.0.1:9955) with its demo world: Alice live on a stream,
# Bob who follows her, Ferdie who follows no one. Extra flags go to the server
# (`-- --help` lists them). Ctrl-C stops both. Installs what is missing first.
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/setup-toolchain.sh
cargo build --release --quiet --workspace --bins
coproc DEVNODE { exec target/release/w3bstreaming-devnode --demo; }
trap 'kill "$DEVNODE_PID" 2>/dev/null' EXIT
read -r started <&"${DEVNODE[0]}"
echo "$started"
program=$(sed -E 's/.*"programId":"(0x[0-9a-f]{64})".*/\1/' <<<"$started")
target/release/w3bstreaming-signaling --rpc-url http://127.0.0.1:9955 --program-id "$program" "$@"
