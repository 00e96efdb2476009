#!/usr/bin/env bash
# Coverage-guided fuzzing of every parser and evaluator that takes outside
# input (libFuzzer targets in fuzz/, see docs/fuzzing.md), on the stable
# toolchain: the targets are built with cargo and the same sanitizer-coverage
# flags cargo-fuzz passes, so nothing beyond crates.io is needed.
#
#   scripts/fuzz.sh TARGET SECONDS [LIBFUZZER_FLAG...]   # fuzz one target
#   scripts/fuzz.sh TARGET FILE...                       # replay inputs (a crash)
#   scripts/fuzz.sh smoke SECONDS                        # every target, SECONDS each
#   scripts/fuzz.sh build | list
#
# Builds, corpora and crashes live under ${CHARTER_CACHE:-$HOME/.cache/charter}/fuzz
# (corpus/TARGET grows across runs; crashes go to artifacts/TARGET/). Seeds
# are regenerated from contract/vectors at every run.
# CHARTER_FUZZ_SANITIZER=address adds AddressSanitizer (needs RUSTC_BOOTSTRAP,
# which the script sets for that build only).
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."
ROOT="$(pwd)"
CACHE="${CHARTER_CACHE:-$HOME/.cache/charter}/fuzz"
TARGETS=(capability caveat jcs request permit proof receipt bundle jwks)
SANITIZER="${CHARTER_FUZZ_SANITIZER:-none}"

usage() {
  sed -n '7,11p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//' >&2
  echo "targets: ${TARGETS[*]}" >&2
  exit 2
}

for tool in cargo rustc python3 flock; do
  command -v "$tool" >/dev/null || { echo "fuzz: $tool is needed and not on PATH" >&2; exit 2; }
done
# libfuzzer-sys compiles libFuzzer (C++) with the cc crate.
if ! command -v "${CXX:-c++}" >/dev/null && ! command -v g++ >/dev/null && ! command -v clang++ >/dev/null; then
  echo "fuzz: a C++ compiler is needed to build libFuzzer (Debian: apt-get install g++)" >&2
  exit 2
fi
host="$(rustc -vV | sed -n 's/^host: //p')"

# Two checkouts sharing the cache would build into, and run, each other's
# binaries: one run at a time.
mkdir -p "$CACHE"
exec 9>"$CACHE/fuzz.lock"
if ! flock -n 9; then
  echo "fuzz: waiting for another run that uses $CACHE" >&2
  flock 9
fi
target_dir="$CACHE/target-$SANITIZER"

build() {
  local flags=(
    -Cpasses=sancov-module
    -Cllvm-args=-sanitizer-coverage-level=4
    -Cllvm-args=-sanitizer-coverage-inline-8bit-counters
    -Cllvm-args=-sanitizer-coverage-pc-table
    -Cllvm-args=-sanitizer-coverage-trace-compares
    -Cllvm-args=-sanitizer-coverage-stack-depth
    --cfg fuzzing
    -Cdebug-assertions
    -Coverflow-checks
  )
  local env=()
  case "$SANITIZER" in
    none) ;;
    address)
      flags+=(-Zsanitizer=address)
      env+=(RUSTC_BOOTSTRAP=1)
      ;;
    *)
      echo "CHARTER_FUZZ_SANITIZER must be none or address, not $SANITIZER" >&2
      exit 2
      ;;
  esac
  echo "==> building fuzz targets ($host, sanitizer: $SANITIZER) into $target_dir" >&2
  # --target keeps the flags off build scripts and proc macros.
  env "${env[@]}" RUSTFLAGS="${flags[*]}" CARGO_TARGET_DIR="$target_dir" \
    cargo build --manifest-path "$ROOT/fuzz/Cargo.toml" --locked --release \
    --target "$host" --bins
}

binary() {
  echo "$target_dir/$host/release/$1"
}

seeds() {
  python3 "$ROOT/scripts/fuzz-seeds.py" "$CACHE/seeds" >/dev/null
}

known_target() {
  local t
  for t in "${TARGETS[@]}"; do
    [[ $t == "$1" ]] && return 0
  done
  return 1
}

# run TARGET SECONDS [flags...]: fuzz for SECONDS; a crash keeps the input
# under artifacts/TARGET/ and fails with the command that replays it.
run() {
  local target="$1" seconds="$2"
  shift 2
  local corpus="$CACHE/corpus/$target" artifacts="$CACHE/artifacts/$target"
  mkdir -p "$corpus" "$artifacts"
  echo "==> fuzz $target for ${seconds}s (corpus $corpus)" >&2
  local dict=()
  case "$target" in
    caveat) dict=(-dict="$ROOT/fuzz/dicts/caveat.dict") ;;
    jcs | request | jwks | receipt | bundle) dict=(-dict="$ROOT/fuzz/dicts/json.dict") ;;
  esac
  local status=0
  # -timeout: one input taking over 10 s is a finding (unbounded work).
  "$(binary "$target")" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 \
    -print_final_stats=1 -artifact_prefix="$artifacts/" "${dict[@]}" "$@" \
    "$corpus" "$CACHE/seeds/$target" || status=$?
  if [[ $status != 0 ]]; then
    echo "fuzz target $target failed (exit $status); the input is in $artifacts/" >&2
    echo "replay it with: scripts/fuzz.sh $target $artifacts/<file>" >&2
    return "$status"
  fi
}

[[ $# -ge 1 ]] || usage
case "$1" in
  list)
    printf '%s\n' "${TARGETS[@]}"
    ;;
  build)
    build
    ;;
  smoke)
    [[ $# == 2 && $2 =~ ^[0-9]+$ ]] || usage
    build
    seeds
    for t in "${TARGETS[@]}"; do
      run "$t" "$2"
    done
    echo "all ${#TARGETS[@]} fuzz targets ran ${2}s each without a finding"
    ;;
  *)
    known_target "$1" || { echo "unknown fuzz target: $1" >&2; usage; }
    [[ $# -ge 2 ]] || usage
    target="$1"
    shift
    if [[ $1 =~ ^[0-9]+$ ]]; then
      seconds="$1"
      shift
      build
      seeds
      run "$target" "$seconds" "$@"
    else
      build
      # Replays the given inputs (no fuzzing): exit 0 when every one passes.
      "$(binary "$target")" "$@"
    fi
    ;;
esac
