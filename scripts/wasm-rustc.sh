#!/usr/bin/env bash
# The rustc wrapper of the program's nested wasm build (build.rs sets it, see
# docs/building.md#a-reproducible-build). gear-wasm-builder builds the program as a
# dependency of a generated crate, so to cargo this repository's crates lie outside
# that build's workspace, and cargo then names each by a hash of its absolute path
# (`-C metadata`). rustc derives symbol names from that hash, and the symbol names
# decide the order of the constants the linker merges: the same source at two paths
# gave two different .opt.wasm files. For the crates of this repository, and the
# generated one, this wrapper replaces the hash with one of what identifies the crate
# whatever the checkout's path: its name, type, features and source path relative to
# the repository.
set -euo pipefail
root=${W3BSTREAMING_ROOT:?build.rs sets W3BSTREAMING_ROOT}
rustc=$1
shift
args=("$@")

source=
for arg in "${args[@]}"; do
  case $arg in
    *.rs) source=$arg ;;
  esac
done
case $source in
  "$root"/*) identity=${source#"$root"/} ;;
  /*) identity= ;; # a registry crate: cargo's hash is already path-free
  ?*) identity="generated/$source" ;;
  *) identity= ;; # not a compilation (cargo asking rustc for its version or target)
esac

if [[ -n $identity ]]; then
  for ((i = 0; i + 1 < ${#args[@]}; i++)); do
    case ${args[i]} in
      --crate-name | --crate-type | --cfg) identity+=" ${args[i]} ${args[i + 1]}" ;;
    esac
  done
  metadata=$(printf '%s' "$identity" | sha256sum | cut -c1-16)
  for ((i = 0; i < ${#args[@]}; i++)); do
    case ${args[i]} in
      metadata=*) args[i]="metadata=$metadata" ;;
    esac
  done
fi

exec ${W3BSTREAMING_RUSTC_WRAPPER:+"$W3BSTREAMING_RUSTC_WRAPPER"} "$rustc" "${args[@]}"
