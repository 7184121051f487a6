#!/usr/bin/env bash
# Installs the pinned npm packages of the JavaScript test kit (testkit/js/) and of js/
# (each folder's package-lock.json) when they are missing or a lock changed, and
# Debian's redis-server when it is missing; returns at once otherwise.
set -euo pipefail
cd "$(dirname "$0")/../js"

command -v node >/dev/null && command -v npm >/dev/null ||
  { echo "[setup] error: node and npm are required for the client checks in js/" >&2; exit 1; }
# The tests of several signaling instances share their hub through a real Redis.
if ! command -v redis-server >/dev/null; then
  command -v apt-get >/dev/null || { echo "[setup] error: install redis-server" >&2; exit 1; }
  sudo=""
  [ "$(id -u)" = 0 ] || sudo="sudo"
  echo "[setup] apt-get install redis-server (the signaling cluster tests)" >&2
  $sudo apt-get update -qq && DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq \
    --no-install-recommends redis-server >/dev/null ||
    { echo "[setup] error: apt-get install redis-server failed" >&2; exit 1; }
fi
# js/ links the test kit, whose own packages npm leaves to its folder.
../scripts/npm-ci.sh testkit/js "the test kit: @polkadot/keyring, socket.io-client, ws"
../scripts/npm-ci.sh js "@gear-js/api and its polkadot.js peers"
