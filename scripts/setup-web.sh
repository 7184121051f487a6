#!/usr/bin/env bash
# Installs the pinned npm packages of web/ (package-lock.json) when they are missing or
# the lock changed, and with `--browser` what the browser tests need (Debian's Chromium,
# iproute2) when it is missing. Returns at once when everything is there.
set -euo pipefail
cd "$(dirname "$0")/../web"

say() { printf '[setup] %s\n' "$*" >&2; }
die() { printf '[setup] error: %s\n' "$*" >&2; exit 1; }

command -v node >/dev/null && command -v npm >/dev/null || die "node and npm are required for the web app"
node -e 'const [a, b] = process.versions.node.split(".").map(Number); process.exit(a > 20 || (a === 20 && b >= 19) ? 0 : 1)' ||
  die "the web app's build (Vite 8) needs Node.js 20.19 or later; this is $(node --version)"
../scripts/npm-ci.sh web "Vite, React, @gear-js/api, playwright-core"

# The browser tests need Chromium, and `ip` (iproute2) to bring up the loopback of the
# network namespace the video tests run in.
missing=()
if [ "${1:-}" = --browser ]; then
  # The browser tests start the servers through the test kit, which web/ links.
  ../scripts/npm-ci.sh testkit/js "the test kit: @polkadot/keyring, socket.io-client, ws"
  [ -x /usr/bin/chromium ] || missing+=(chromium)
  command -v ip >/dev/null || missing+=(iproute2)
fi
if [ ${#missing[@]} -gt 0 ]; then
  command -v apt-get >/dev/null || die "apt-get not found: install ${missing[*]} by hand"
  sudo=""
  [ "$(id -u)" = 0 ] || sudo="sudo"
  say "apt-get install ${missing[*]} (the browser tests drive Chromium headless)"
  $sudo apt-get update -qq || die "apt-get update failed"
  # Without --no-install-recommends it pulls about 130 packages (systemd, udev, avahi).
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null ||
    die "apt-get install ${missing[*]} failed"
fi
