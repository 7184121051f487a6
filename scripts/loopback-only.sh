#!/usr/bin/env bash
# Runs the command given inside a network namespace of its own with only loopback up,
# so that WebRTC finds nothing but 127.0.0.1 and nothing leaves the machine; whatever
# the command starts (the local chain, the servers, Chromium) starts inside it.
# As root (CI) directly; otherwise as root of a new user namespace.
set -euo pipefail
as_root=()
[ "$(id -u)" = 0 ] || as_root=(--map-root-user)
exec unshare --net "${as_root[@]}" sh -c 'ip link set lo up && exec "$@"' sh "$@"
