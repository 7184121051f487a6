#!/usr/bin/env bash
# The main job: builds the deployable program (.opt.wasm + .meta.txt) and prints what
# Gear IDEA needs to know about it, then runs the whole system locally: the local chain
# with a demo world, the media server (Janus), the signaling server and the web app,
# and prints the app's URL and the demo accounts. Ctrl-C stops everything.
#
#   scripts/run.sh              # the artifacts, then the system
#   scripts/run.sh --scenario   # the artifacts and a short scenario on gtest, then exit
#
# Ports: WEB_PORT (3000), DEVNODE_PORT (9955), SIGNALING_PORT (3001), JANUS_PORT (8088).
# Installs what is missing first.
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/setup-toolchain.sh
# What the system runs, built with the whole workspace's features (as the tests build
# it), so that later runs rebuild nothing: `cargo run --example` or `-p` alone would
# compile gtest's runtime again with other features. The bench is not needed here.
cargo build --release --quiet --workspace --bin w3bstreaming-devnode \
  --bin w3bstreaming-signaling --example demo
if [ "${1:-}" = --scenario ]; then
  exec target/release/examples/demo --scenario
fi
scripts/setup-web.sh
scripts/setup-janus.sh
target/release/examples/demo
(cd web && npx vite build --logLevel error)

WEB_PORT=${WEB_PORT:-3000}
DEVNODE_PORT=${DEVNODE_PORT:-9955}
SIGNALING_PORT=${SIGNALING_PORT:-3001}
METRICS_PORT=${METRICS_PORT:-9464}
JANUS_PORT=${JANUS_PORT:-8088}
JANUS_SECRET=$(head -c 16 /dev/urandom | od -An -tx1 | tr -d ' \n')
ORIGINS="http://localhost:$WEB_PORT,http://127.0.0.1:$WEB_PORT"
RPC="http://127.0.0.1:$DEVNODE_PORT"

children=()
stop() {
  trap - INT TERM EXIT
  [ ${#children[@]} -eq 0 ] || kill "${children[@]}" 2>/dev/null || true
  wait 2>/dev/null || true
}
trap stop EXIT
trap 'echo; echo "Stopping."; exit 0' INT TERM

logs=target/run-logs
mkdir -p "$logs"
coproc DEVNODE {
  exec target/release/w3bstreaming-devnode --demo --listen "127.0.0.1:$DEVNODE_PORT" \
    --allowed-origins "$ORIGINS" 2>"$logs/devnode.log"
}
children+=("$DEVNODE_PID")
read -r started <&"${DEVNODE[0]}" || { cat "$logs/devnode.log" >&2; exit 1; }
scripts/janus.sh --port "$JANUS_PORT" --api-secret "$JANUS_SECRET" >"$logs/janus.log" 2>&1 &
children+=("$!")
# Started before Janus answers: the first stream to go live before it does goes peer to
# peer. The secret goes in the environment, off the command line.
SIGNALING_JANUS_API_SECRET=$JANUS_SECRET target/release/w3bstreaming-signaling --listen "127.0.0.1:$SIGNALING_PORT" --rpc-url "$RPC" \
  --program-id "$(node -p 'JSON.parse(process.argv[1]).programId' "$started")" \
  --janus-url "http://127.0.0.1:$JANUS_PORT/janus" \
  --allowed-origins "$ORIGINS" --metrics-listen "127.0.0.1:$METRICS_PORT" >/dev/null 2>"$logs/signaling.log" &
children+=("$!")
config=$(printf '{"network":"local","rpc":"%s","signaling":"http://127.0.0.1:%s"}' "$RPC" "$SIGNALING_PORT")
node web/scripts/serve.mjs --port "$WEB_PORT" --config "$config" >/dev/null &
children+=("$!")

node - "$started" "$WEB_PORT" "$SIGNALING_PORT" "$METRICS_PORT" "$JANUS_PORT" <<'SCRIPT'
const [started, port, signaling, metrics, janus] = process.argv.slice(2);
const { programId, rpc, demo } = JSON.parse(started);
console.log('The system, running locally:');
console.log(`  web app          http://127.0.0.1:${port}   <- open this`);
console.log(`  local chain      ${rpc}   program ${programId}`);
console.log(`  signaling        http://127.0.0.1:${signaling}   metrics http://127.0.0.1:${metrics}/metrics`);
console.log(`  media server     Janus, http://127.0.0.1:${janus}/janus (the signaling server's only)`);
console.log('  logs             target/run-logs/');
console.log('\nDemo accounts (pick one in the app, or import the phrase with its path into a wallet):');
for (const { name, uri, address } of demo.accounts) console.log(`  ${name.padEnd(8)} ${uri.padEnd(10)} ${address}`);
console.log('  phrase: bottom drive obey lake curtain smoke basket hold race lonely fit walk');
console.log(`\n"${demo.streamId.slice(13)}" by ${demo.broadcaster.name} is on now: open it as ${demo.broadcaster.name} and press Go live,`);
console.log(`and in another window as ${demo.follower.name} and press Watch. Ctrl-C stops everything.`);
SCRIPT
wait -n "${children[@]}" || true
echo "A server stopped; see $logs/." >&2
