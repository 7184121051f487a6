#!/usr/bin/env bash
# `npm ci` in the folder $1 when its packages are missing or its package-lock.json
# changed since they were installed; says what it installs ($2). Quick otherwise.
set -euo pipefail
dir="$(dirname "$0")/../$1"
if [ "$dir/node_modules/.package-lock.json" -nt "$dir/package-lock.json" ]; then
  exit 0
fi
echo "[setup] npm ci in $1/ ($2)" >&2
(cd "$dir" && npm ci --no-audit --no-fund --loglevel=error >&2) ||
  { echo "[setup] error: npm ci in $1/ failed" >&2; exit 1; }
