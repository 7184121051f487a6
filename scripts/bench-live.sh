#!/usr/bin/env bash
# The live video benchmark (not part of the tests): a broadcaster and 1, 5 and 10
# viewers in headless Chromium, peer to peer over loopback (docs/benchmark.md). Builds
# what it needs, then runs inside a network namespace with only `lo` up.
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/setup-toolchain.sh
scripts/setup-js.sh
scripts/setup-web.sh --browser
cargo build --release --workspace --bins --examples
(cd web && npm run --silent build)
cd web
exec ../scripts/loopback-only.sh node scripts/live-bench.mjs
