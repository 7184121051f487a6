#!/usr/bin/env bash
# The gas benchmark (not part of the tests): fills the program through real messages to
# N users and N streams for each N given (default 0 100 1000 10000), in each workload
# (--shape spread|audience; default both), and prints the gas of every action and query
# as medians, with ratios to a floor program and the original program (docs/benchmark.md).
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/setup-toolchain.sh
# Built with the whole workspace, so that the dependencies keep the features the tests
# built them with: `cargo run -p` alone would compile gtest's runtime a second time.
cargo build --release --quiet --workspace --bins
exec target/release/w3bstreaming-bench "$@"
