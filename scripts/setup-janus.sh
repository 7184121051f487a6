#!/usr/bin/env bash
# Installs Debian's janus (the media server tier, docs/live.md) when it is missing;
# returns at once otherwise. The project starts it with its own configuration
# (janus/), never the packaged one.
set -euo pipefail
if ! command -v janus >/dev/null; then
  command -v apt-get >/dev/null || { echo "[setup] error: install janus (1.1.2 or later)" >&2; exit 1; }
  sudo=""
  [ "$(id -u)" = 0 ] || sudo="sudo"
  echo "[setup] apt-get install janus (the media server tier)" >&2
  $sudo apt-get update -qq && DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq \
    --no-install-recommends janus >/dev/null ||
    { echo "[setup] error: apt-get install janus failed" >&2; exit 1; }
fi
