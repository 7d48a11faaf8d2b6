#!/usr/bin/env bash
# Long mutation fuzzing of the scenario file through the `manto` binary.
#
#   scripts/fuzz-long.sh [SECONDS] [SEED]
#
# Runs the suite's fuzz tests (crates/cli/tests/fuzz.rs: mutated scenarios, then damaged
# partial results through `manto merge`) for SECONDS each (default 300) with
# SEED (default: the clock), each run under a wall-clock limit (MANTO_FUZZ_TIMEOUT seconds,
# default 60) and an address-space limit (MANTO_FUZZ_MEM_MB, default 2048, via ulimit -v;
# /usr/bin/time -v reports the largest resident size when present). It prints the runs,
# the exit codes, panics, over-time and over-memory runs, the slowest run and the largest;
# it fails (exit 1) if any run panicked, aborted, was killed, ran over time or memory, or
# exited 2 without `error:`. Failing inputs are kept in $TMPDIR/manto-fuzz-PID/.
# MANTO_FUZZ_BIN=path fuzzes another manto binary. Builds with CARGO_BUILD_JOBS=1 unless set.
set -euo pipefail
seconds="${1:-300}"
seed="${2:-$(date +%s)}"
cd "$(dirname "$0")/.."
export CARGO_BUILD_JOBS="${CARGO_BUILD_JOBS:-1}"
cargo test -p manto --test fuzz --no-run
echo "fuzzing for ${seconds} s, seed ${seed}" >&2
MANTO_FUZZ_SECONDS="$seconds" \
MANTO_FUZZ_SEED="$seed" \
MANTO_FUZZ_TIMEOUT="${MANTO_FUZZ_TIMEOUT:-60}" \
MANTO_FUZZ_MEM_MB="${MANTO_FUZZ_MEM_MB:-2048}" \
    cargo test -p manto --test fuzz -- --nocapture --test-threads 1
