#!/usr/bin/env bash
# Makes the toolchain pinned in rust-toolchain.toml usable: Rust 1.96.0 with the
# wasm32v1-none target, rustfmt, clippy, and binaryen's wasm-opt.
#
# gear-wasm-builder drives `rustup run <toolchain> cargo rustc --target=wasm32v1-none`,
# so the toolchain must be a rustup toolchain under its official name. Where rustup can
# download it, that is what we use. Where it cannot (machines that only reach package
# registries), Debian's security archive ships the same Rust 1.96.0; we register it with
# rustup under the official name and build the wasm32v1-none sysroot from the shipped
# library source. Idempotent: when everything is in place it only checks and returns.
set -euo pipefail

VERSION=1.96.0
TARGET=wasm32v1-none
HOST=x86_64-unknown-linux-gnu
TOOLCHAIN="$VERSION-$HOST"
RUSTUP_HOME="${RUSTUP_HOME:-$HOME/.rustup}"
TOOLCHAIN_DIR="$RUSTUP_HOME/toolchains/$TOOLCHAIN"
DEBIAN_PACKAGES=(rustc-web cargo-web rust-web-src rust-web-llvm lld-22 rust-web-clippy rustfmt-web)
# How long rustup may try to download before we fall back: on some machines the
# download hangs instead of failing.
RUSTUP_TIMEOUT="${RUSTUP_TIMEOUT:-60}"

say() { printf '[setup] %s\n' "$*" >&2; }
die() { printf '[setup] error: %s\n' "$*" >&2; exit 1; }

run_rustc() { RUSTUP_AUTO_INSTALL=0 rustup run "$VERSION" rustc "$@" 2>/dev/null; }

toolchain_version_ok() {
  run_rustc --version | grep -q "^rustc $VERSION "
}

target_installed() {
  local sysroot
  sysroot=$(run_rustc --print sysroot) || return 1
  compgen -G "$sysroot/lib/rustlib/$TARGET/lib/libcore-*.rlib" >/dev/null
}

tools_present() {
  RUSTUP_AUTO_INSTALL=0 rustup run "$VERSION" cargo fmt --version >/dev/null 2>&1 &&
    RUSTUP_AUTO_INSTALL=0 rustup run "$VERSION" cargo clippy --version >/dev/null 2>&1
}

apt_install() {
  command -v apt-get >/dev/null || die "apt-get not found: install $* by hand"
  local sudo=""
  [ "$(id -u)" = 0 ] || sudo="sudo"
  if [ -z "${APT_UPDATED:-}" ]; then
    say "apt-get update"
    $sudo apt-get update -qq || die "apt-get update failed"
    APT_UPDATED=1
  fi
  say "apt-get install $*"
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "$@" >/dev/null ||
    die "apt-get install $* failed"
}

ensure_wasm_opt() {
  command -v wasm-opt >/dev/null && return 0
  say "installing binaryen (wasm-opt shrinks the wasm and the gas it burns)"
  apt_install binaryen
}

try_rustup_download() {
  say "trying rustup's own download of $VERSION (timeout ${RUSTUP_TIMEOUT}s)"
  if timeout "$RUSTUP_TIMEOUT" rustup toolchain install "$VERSION" --profile minimal \
    --target "$TARGET" --component rustfmt,clippy >/dev/null 2>&1; then
    return 0
  fi
  say "rustup could not download $VERSION with $TARGET; falling back to Debian's Rust $VERSION"
  # A download cut off midway can leave a toolchain directory that is not ours.
  if [ -d "$TOOLCHAIN_DIR" ] && [ ! -L "$TOOLCHAIN_DIR/bin/rustc" ]; then
    rustup toolchain uninstall "$TOOLCHAIN" >/dev/null 2>&1 || rm -rf "$TOOLCHAIN_DIR"
  fi
  return 1
}

install_debian_rust() {
  if ! /usr/bin/rustc --version 2>/dev/null | grep -q "^rustc $VERSION" ||
    ! command -v rust-lld >/dev/null || ! command -v lld-22 >/dev/null ||
    [ ! -d /usr/lib/rustlib/src/rust/library ] || [ ! -x /usr/bin/cargo-clippy ] ||
    [ ! -x /usr/bin/rustfmt ]; then
    apt_install "${DEBIAN_PACKAGES[@]}"
  fi
  local found
  found=$(/usr/bin/rustc --version 2>/dev/null || echo "no /usr/bin/rustc")
  case "$found" in
    "rustc $VERSION"*) ;;
    *) die "Debian's rustc-web is '$found', not $VERSION. The security archive only keeps its newest Rust; update VERSION here and in rust-toolchain.toml to that version (and check that gear-wasm-builder still accepts it) instead of building with a mismatched compiler." ;;
  esac

  say "registering /usr/bin's Rust $VERSION with rustup as $TOOLCHAIN"
  mkdir -p "$TOOLCHAIN_DIR/bin"
  local tool
  for tool in cargo rustc rustdoc cargo-fmt rustfmt cargo-clippy clippy-driver; do
    [ -x "/usr/bin/$tool" ] || die "/usr/bin/$tool is missing after installing ${DEBIAN_PACKAGES[*]}"
    ln -sfn "/usr/bin/$tool" "$TOOLCHAIN_DIR/bin/$tool"
  done
}

build_debian_sysroot() {
  local sysroot libdir work
  sysroot=$(run_rustc --print sysroot) || die "rustc $VERSION does not run"
  libdir="$sysroot/lib/rustlib/$TARGET/lib"
  say "building the $TARGET standard library from $sysroot/lib/rustlib/src (about 20 s)"
  work=$(mktemp -d)
  mkdir -p "$work/src"
  printf '[package]\nname = "sysroot-probe"\nversion = "0.0.0"\nedition = "2021"\n' >"$work/Cargo.toml"
  printf '#![no_std]\n' >"$work/src/lib.rs"
  (
    cd "$work" &&
      RUSTC_BOOTSTRAP=1 RUSTFLAGS=-Cembed-bitcode=yes CARGO_TARGET_DIR="$work/target" \
        rustup run "$VERSION" cargo build --quiet --release -Zbuild-std=core,alloc \
        --target "$TARGET"
  ) || die "building core and alloc for $TARGET failed"
  mkdir -p "$libdir"
  local deps="$work/target/$TARGET/release/deps" lib
  for lib in core alloc compiler_builtins; do
    compgen -G "$deps/lib$lib-*.rlib" >/dev/null || die "lib$lib for $TARGET was not built"
    cp "$deps"/lib"$lib"-*.rlib "$libdir/"
  done
  rm -rf "$work"
  say "installed $TARGET sysroot into $libdir"
}

main() {
  command -v rustup >/dev/null || die "rustup is required (https://rustup.rs)"

  if toolchain_version_ok && target_installed && tools_present; then
    ensure_wasm_opt
    say "Rust $VERSION with $TARGET is ready"
    return 0
  fi

  if ! toolchain_version_ok || ! target_installed; then
    if ! try_rustup_download; then
      install_debian_rust
    fi
  fi
  toolchain_version_ok || die "rustup run $VERSION rustc does not report $VERSION"
  target_installed || build_debian_sysroot
  target_installed || die "$TARGET is still missing from the $VERSION sysroot"
  tools_present || die "cargo fmt / cargo clippy are missing from toolchain $VERSION"
  ensure_wasm_opt
  say "Rust $VERSION with $TARGET is ready"
}

main "$@"
