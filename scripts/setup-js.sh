#!/usr/bin/env bash
# Installs the pinned npm packages of js/ (package-lock.json) when they are missing or
# the lock changed; returns at once otherwise.
set -euo pipefail
cd "$(dirname "$0")/../js"

command -v node >/dev/null && command -v npm >/dev/null ||
  { echo "[setup] error: node and npm are required for the client checks in js/" >&2; exit 1; }
if [ node_modules/.package-lock.json -nt package-lock.json ]; then
  exit 0
fi
echo "[setup] npm ci in js/ (@gear-js/api and its polkadot.js peers)" >&2
npm ci --no-audit --no-fund --loglevel=error >&2 || { echo "[setup] error: npm ci failed" >&2; exit 1; }
