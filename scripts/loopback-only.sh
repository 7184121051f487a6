#!/usr/bin/env bash
# Runs the command given inside a network namespace of its own, so that WebRTC finds
# nothing but this machine and nothing leaves it; whatever the command starts (the
# local chain, the servers, Janus, Chromium) starts inside it. It has loopback, and a
# veth pair whose two ends are both inside (media0, 10.213.0.1): Janus never gathers
# ICE candidates on a loopback interface, so it uses media0 (scripts/janus.sh is
# started with --ice-enforce-list=media0 in the tests). As root (CI) directly;
# otherwise as root of a new user namespace.
set -euo pipefail
as_root=()
[ "$(id -u)" = 0 ] || as_root=(--map-root-user)
exec unshare --net "${as_root[@]}" sh -c '
  ip link set lo up &&
  ip link add media0 type veth peer name media1 &&
  ip addr add 10.213.0.1/24 dev media0 &&
  ip link set media1 up && ip link set media0 up &&
  exec "$@"' sh "$@"
