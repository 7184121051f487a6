#!/usr/bin/env bash
# Starts Janus in the foreground as the media server tier (docs/live.md): the
# configuration in janus/, its HTTP API on IP:PORT for the signaling server only
# (every request must carry the API secret, which goes into the configuration, not
# onto Janus's command line), media on the RTP ports given.
#   scripts/janus.sh --port 8088 --api-secret SECRET [--ip 127.0.0.1]
#                    [--rtp-ports 20000-40000] [-- more janus options]
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
port=8088 ip=127.0.0.1 secret= rtp_ports=20000-40000
while [ $# -gt 0 ]; do
  case $1 in
    --port) port=$2; shift 2 ;;
    --ip) ip=$2; shift 2 ;;
    --api-secret) secret=$2; shift 2 ;;
    --rtp-ports) rtp_ports=$2; shift 2 ;;
    --) shift; break ;;
    *) echo "scripts/janus.sh: unknown option $1" >&2; exit 2 ;;
  esac
done
[[ $secret =~ ^[A-Za-z0-9._~-]+$ ]] ||
  { echo "scripts/janus.sh: --api-secret is required: letters, digits and . _ ~ - only" >&2; exit 2; }
command -v janus >/dev/null || "$root/scripts/setup-janus.sh"

config=$(mktemp -d)
pid=
# Once, whatever ends the script: a second signal (Ctrl-C reaches the whole process
# group) does not cut the cleanup short.
cleanup() {
  trap '' INT TERM
  trap - EXIT
  [ -z "$pid" ] || { kill "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; }
  rm -rf "$config"
}
trap cleanup EXIT
trap 'exit 143' INT TERM
cp "$root/janus/janus.plugin.videoroom.jcfg" "$config/"
sed -e "s|@API_SECRET@|$secret|" "$root/janus/janus.jcfg" >"$config/janus.jcfg"
sed -e "s/@PORT@/$port/" -e "s/@IP@/$ip/" "$root/janus/janus.transport.http.jcfg.in" \
  >"$config/janus.transport.http.jcfg"
janus -F "$config" --rtp-port-range="$rtp_ports" --disable-colors "$@" &
pid=$!
wait "$pid"
