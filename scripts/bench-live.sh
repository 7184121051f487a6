#!/usr/bin/env bash
# The live video benchmark (not part of the tests; docs/live.md, "Benchmark"): peer to
# peer, a broadcaster and 1, 5 and 10 viewers in headless Chromium; then through the
# media server (Janus), 1, 10, 50 and 100 viewers, two of them in Chromium and the
# others without a browser. Builds what it needs, then runs inside the loopback-only
# network namespace. LIVE_BENCH_SIZES and MEDIA_BENCH_SIZES change the sizes.
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/setup-toolchain.sh
scripts/setup-js.sh
scripts/setup-web.sh --browser
scripts/setup-janus.sh
cargo build --release --workspace --bins --examples
(cd web && npm run --silent build)
cd web
echo "== peer to peer"
../scripts/loopback-only.sh node scripts/live-bench.mjs
echo "== through the media server"
exec ../scripts/loopback-only.sh node scripts/media-bench.mjs
