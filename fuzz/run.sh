#!/usr/bin/env bash
# Runs one fuzz target with libFuzzer on stable Rust, niced, then folds what it found into
# the kept corpus (minimised).
#
#   fuzz/run.sh TARGET [SECONDS]        (default 600 s)
#   targets: sync_message load_document hydrate_check seed_parser form_value
#
# Builds with SanitizerCoverage through stable rustc flags (no nightly, no cargo-fuzz), in
# target/fuzz. New inputs go to fuzz/work/TARGET (not kept); crashes to
# fuzz/artifacts/TARGET. After the run, fuzz/corpus/TARGET keeps its seeds (seed-*, written
# by `cargo run -p fieldsync-fuzz --example seeds`), the fixed crashes (crash-*, which tests
# also read by name) and the fewest inputs that reach every covered edge;
# `cargo test -p fieldsync-fuzz` replays them.
set -euo pipefail
cd "$(dirname "$0")"
target=${1:?usage: fuzz/run.sh TARGET [SECONDS]}
seconds=${2:-600}
flags=(
  -Cpasses=sancov-module
  -Cllvm-args=-sanitizer-coverage-level=4
  -Cllvm-args=-sanitizer-coverage-inline-8bit-counters
  -Cllvm-args=-sanitizer-coverage-pc-table
  -Cllvm-args=-sanitizer-coverage-trace-compares
  --cfg fuzzing
  -Cdebug-assertions
  -Coverflow-checks
)
export RUSTFLAGS="${flags[*]}"
# An explicit --target keeps the instrumentation out of build scripts and proc macros.
host=$(rustc -vV | sed -n 's/^host: //p')
nice -n 19 cargo build --release --features libfuzzer --bin "$target" --target "$host" \
  --target-dir ../target/fuzz
binary=../target/fuzz/$host/release/$target
mkdir -p "work/$target" "artifacts/$target" "corpus/$target"
status=0
nice -n 19 "$binary" -max_total_time="$seconds" -rss_limit_mb=2048 -timeout=10 \
  -max_len=65536 -print_final_stats=1 -artifact_prefix="artifacts/$target/" \
  "work/$target" "corpus/$target" || status=$?
# Keep the corpus small: the seeds, plus the fewest inputs covering every edge reached
# (edges only, not hit counts or comparisons, which would keep ten times as many).
# KEEP_MAX_BYTES (e.g. 1024 for seed_parser, whose mutations of the 21 KB seed text add up
# to over 600 KB) keeps only findings up to that size.
fresh=$(mktemp -d)
found=$(mktemp -d)
find "corpus/$target" "work/$target" -type f ${KEEP_MAX_BYTES:+-size -$((KEEP_MAX_BYTES + 1))c} \
  -exec cp -t "$found" {} + 2>/dev/null || true # the same input may be in both directories
nice -n 19 "$binary" -merge=1 -use_counters=0 -use_cmp=0 -use_value_profile=0 -max_len=65536 \
  "$fresh" "$found" >"work/$target.merge.log" 2>&1
rm -rf "$found"
find "corpus/$target" -type f ! -name 'seed-*' ! -name 'crash-*' -delete
cp -n "$fresh"/* "corpus/$target/" 2>/dev/null || true
rm -rf "$fresh"
exit "$status"
