#!/usr/bin/env bash
# Checks that the program's build is reproducible: the tracked tree, copied to another
# path, builds to the same .opt.wasm bytes (so the same code id) as this checkout.
# CI runs it; run it by hand with `scripts/check-reproducible.sh`.
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/setup-toolchain.sh
cargo build --release -p w3bstreaming --lib
built=target/wasm32-gear/release/w3bstreaming.opt.wasm

# A path longer than most checkouts', so that a path that leaks into the build changes
# its length too.
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
here="$work/here.opt.wasm"
there="$work/there.opt.wasm"
cp "$built" "$here"
copy="$work/a/second/copy/of/w3bstreaming"
mkdir -p "$copy"
# What this checkout builds from: the tracked files and the new ones not ignored, as
# they are in the working tree (a file deleted but not yet committed stays out).
git ls-files -z --cached --others --exclude-standard |
  tar --null --ignore-failed-read -cf - -T - 2>/dev/null | tar -xf - -C "$copy"
echo "== building the copy at $copy"
# The copy builds into this checkout's target directory, so that crates from the
# registry (whose artifacts name no checkout) are not compiled a second time; this
# repository's crates, at another path, are cargo's other packages and are compiled
# again, the program's nested wasm build included. `check` is enough: the wasm comes
# from the build script, which a check runs too. The copy's build writes the shared
# `.opt.wasm`, which is put back afterwards.
target=$(pwd)/target
(cd "$copy" && CARGO_TARGET_DIR="$target" cargo check --release -p w3bstreaming --lib)
cp "$built" "$there"
cp "$here" "$built"

# A code id is the blake2b-256 hash of the uploaded wasm.
code_id() { echo "0x$(b2sum -l 256 "$1" | cut -d' ' -f1)"; }
echo "code id here:  $(code_id "$here") ($(stat -c %s "$here") bytes)"
echo "code id there: $(code_id "$there") ($(stat -c %s "$there") bytes)"
if ! cmp -s "$here" "$there"; then
  echo "the two builds differ: $(cmp -l "$here" "$there" | wc -l) bytes" >&2
  exit 1
fi
echo "reproducible: the same .opt.wasm from both paths"
