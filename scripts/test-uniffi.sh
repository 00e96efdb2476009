#!/usr/bin/env bash
# Swift and Kotlin bindings (uniffi): installs what is missing (kotlinc from
# npm, JNA from Debian, a Swift toolchain via scripts/setup-swift.sh), builds
# libcharter_uniffi (release), checks the checked-in generated sources against
# a fresh generation, then runs the Kotlin suite on the JVM and the Swift suite
# (XCTest). Each suite ends with a line "N passed, M failed".
#
# Usage: scripts/test-uniffi.sh [--regen] [--bench|--bench-only] [--kotlin-only|--swift-only]
#   --regen       rewrite the generated sources instead of failing on drift
#   --bench       also run the Kotlin and Swift 4-caveat check benchmarks
#   --bench-only  the benchmarks without the suites (scripts/bench-bindings.sh)
# Caches (outside the repo): ${CHARTER_CACHE:-$HOME/.cache/charter}
set -euo pipefail

# shellcheck source=scripts/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
REPO="$CHARTER_ROOT"
KOTLIN_VERSION=2.4.20
TARGET="${CARGO_TARGET_DIR:-$REPO/target}"
LIBDIR="$TARGET/release"
BUILD="$TARGET/uniffi-test"
REGEN=0 BENCH=0 SUITES=1 KOTLIN=1 SWIFT=1
for a in "$@"; do
  case "$a" in
    --regen) REGEN=1 ;;
    --bench) BENCH=1 ;;
    --bench-only) BENCH=1 SUITES=0 ;;
    --kotlin-only) SWIFT=0 ;;
    --swift-only) KOTLIN=0 ;;
    *) echo "unknown option $a" >&2; exit 2 ;;
  esac
done
SECTION_PREFIX="uniffi: "
mkdir -p "$BUILD"
cd "$REPO"
# One run at a time per cache: the Swift chroot's bind mounts are shared, and a
# run that unmounts them on exit would pull them from under another.
cache_lock uniffi

# --- toolchains -------------------------------------------------------------
KOTLIN_HOME="$CHARTER_CACHE/kotlinc-$KOTLIN_VERSION/node_modules/kotlin-compiler"
if [ "$KOTLIN" = 1 ] && [ ! -x "$KOTLIN_HOME/bin/kotlinc" ]; then
  section "installing kotlinc $KOTLIN_VERSION (npm kotlin-compiler) into $CHARTER_CACHE"
  mkdir -p "$CHARTER_CACHE/kotlinc-$KOTLIN_VERSION"
  npm install --no-save --no-audit --no-fund --prefix "$CHARTER_CACHE/kotlinc-$KOTLIN_VERSION" \
    "kotlin-compiler@$KOTLIN_VERSION" >/dev/null
fi
JNA=/usr/share/java/jna.jar
if [ "$KOTLIN" = 1 ] && [ ! -f "$JNA" ]; then
  section "installing JNA (Debian libjna-java)"
  apt_install libjna-java
fi
if [ "$SWIFT" = 1 ]; then
  section "Swift toolchain"
  SWIFT_ROOT="$("$REPO/scripts/setup-swift.sh" | tail -n 1)"
fi

# --- library and generated sources -----------------------------------------
section "clippy (charter-uniffi)"
# --no-deps: the lints judge this crate; the core is linted by its own run.
cargo clippy -q --no-deps -p charter-uniffi -p charter-uniffi-bindgen --all-targets -- -D warnings
if [ "$SUITES" = 1 ]; then
  # The Rust unit tests: the direct check's blocks (a panic, a null handle,
  # text that is not UTF-8) and the error mapping, which no foreign suite reaches.
  section "unit tests (charter-uniffi --lib)"
  cargo test -q -p charter-uniffi --lib
fi
section "building libcharter_uniffi (release)"
cargo build --release -q -p charter-uniffi -p charter-uniffi-bindgen
LIB="$LIBDIR/libcharter_uniffi.so"

if [ "$REGEN" = 1 ]; then
  bindings/uniffi/generate.sh "$LIB"
else
  section "checking generated sources against a fresh generation"
  FRESH="$BUILD/fresh"
  rm -rf "$FRESH"
  bindings/uniffi/generate.sh "$LIB" "$FRESH" >/dev/null
  for f in kotlin/src/main/kotlin/dev/charter/charter_uniffi.kt kotlin/src/main/kotlin/dev/charter/core/charter_core.kt \
           swift/Sources/Charter/Charter.swift swift/Sources/Charter/CharterCore.swift swift/Sources/CharterFFI/include/CharterCoreFFI.h \
           swift/Sources/CharterFFI/include/CharterFFI.h swift/Sources/CharterFFI/include/module.modulemap; do
    if ! diff -q "$FRESH/$f" "bindings/uniffi/$f" >/dev/null; then
      echo "generated source bindings/uniffi/$f is stale: run scripts/test-uniffi.sh --regen" >&2
      diff -u "bindings/uniffi/$f" "$FRESH/$f" | head -40 >&2
      exit 1
    fi
  done
fi

# Extracts the first ```LANG block of the README, wrapped in a function.
quickstart() { # lang function-header closing
  awk -v lang="$1" '
    $0 == "```" lang { inblock = 1; next }
    inblock && $0 == "```" { exit }
    inblock { print }
  ' bindings/uniffi/README.md
}

rc=0
# --- Kotlin -----------------------------------------------------------------
if [ "$KOTLIN" = 1 ]; then
  section "Kotlin"
  KT_OUT="$BUILD/kotlin"
  mkdir -p "$KT_OUT/src"
  {
    echo "// Extracted from bindings/uniffi/README.md by scripts/test-uniffi.sh."
    echo "package dev.charter.test"
    quickstart kotlin | grep '^import '
    echo "fun quickstart() {"
    quickstart kotlin | grep -v '^import '
    echo "}"
  } > "$KT_OUT/src/Quickstart.kt"
  SOURCES=(bindings/uniffi/kotlin/src/main/kotlin/dev/charter/*.kt bindings/uniffi/kotlin/src/main/kotlin/dev/charter/core/*.kt
           bindings/uniffi/kotlin/src/test/kotlin/dev/charter/test/*.kt
           "$KT_OUT/src/Quickstart.kt")
  STAMP="$(cat "${SOURCES[@]}" | sha256sum | cut -c1-16)-$KOTLIN_VERSION"
  if [ ! -f "$KT_OUT/classes/.stamp-$STAMP" ]; then
    rm -rf "$KT_OUT/classes"
    JAVA_OPTS="-Xmx1g" "$KOTLIN_HOME/bin/kotlinc" -nowarn -java-parameters \
      -cp "$JNA:$KOTLIN_HOME/lib/kotlin-reflect.jar" -d "$KT_OUT/classes" "${SOURCES[@]}" 2>&1 \
      | grep -v "^warning: unable to find kotlin-stdlib.jar" || true
    [ -f "$KT_OUT/classes/dev/charter/test/MainKt.class" ] || { echo "kotlinc failed" >&2; exit 1; }
    touch "$KT_OUT/classes/.stamp-$STAMP"
  fi
  CP="$KT_OUT/classes:$JNA:$KOTLIN_HOME/lib/kotlin-stdlib.jar:$KOTLIN_HOME/lib/kotlin-reflect.jar"
  if [ "$SUITES" = 1 ]; then
    java -Xss16m -Djna.library.path="$LIBDIR" -cp "$CP" dev.charter.test.MainKt "$REPO" || rc=1
  fi
  if [ "$BENCH" = 1 ]; then
    # -Xmn8m: the JVM setting the README recommends for callers. JNA tracks every
    # native block it allocates (one per uniffi call status and buffer) in a map
    # that is only emptied after a GC; a small young generation collects often,
    # so the map stays small. Measured: about 2x faster checks than the default.
    CHARTER_ONLY=bench java -Xmn8m -Djna.library.path="$LIBDIR" -cp "$CP" dev.charter.test.MainKt "$REPO"
  fi
fi

# --- Swift ------------------------------------------------------------------
if [ "$SWIFT" = 1 ]; then
  section "Swift"
  QS=bindings/uniffi/swift/Tests/CharterTests/QuickstartExtracted.swift
  {
    echo "// Extracted from bindings/uniffi/README.md by scripts/test-uniffi.sh (not checked in)."
    quickstart swift | grep '^import '
    echo "func quickstart() throws {"
    quickstart swift | grep -v '^import '
    echo "}"
  } > "$QS"
  # Runs `swift test ARGS` in the package (on the host or in the chroot), output to LOG.
  run_swift() { # log env-assignment swift-test-args...
    local log="$1" extra_env="$2"; shift 2
    local cmd="cd '$REPO/bindings/uniffi/swift' && swift test $* --scratch-path '${SWIFT_SCRATCH:-/tmp/charter-swift-build}' 2>&1"
    if [ "$SWIFT_ROOT" = host ]; then
      ( export CHARTER_LIB_DIR="$LIBDIR" CHARTER_REPO="$REPO" LD_LIBRARY_PATH="$LIBDIR" SWIFT_SCRATCH="$BUILD/swift-build"
        [ -z "$extra_env" ] || export "${extra_env?}"
        cd "$REPO/bindings/uniffi/swift" && swift test "$@" --scratch-path "$SWIFT_SCRATCH" 2>&1 ) | tee "$log" || true
    else
      as_root chroot "$SWIFT_ROOT" /usr/bin/env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin HOME=/root \
        CHARTER_LIB_DIR="$LIBDIR" CHARTER_REPO="$REPO" LD_LIBRARY_PATH="$LIBDIR" ${extra_env:+"$extra_env"} \
        ${CHARTER_PG_URL:+"CHARTER_PG_URL=$CHARTER_PG_URL"} ${CHARTER_REQUIRE_POSTGRES:+"CHARTER_REQUIRE_POSTGRES=$CHARTER_REQUIRE_POSTGRES"} \
        ${CHARTER_PG_TLS_URL:+"CHARTER_PG_TLS_URL=$CHARTER_PG_TLS_URL"} \
        ${SWIFT_PG_TLS_CA:+"CHARTER_PG_TLS_CA=$SWIFT_PG_TLS_CA"} ${SWIFT_PG_TLS_OTHER_CA:+"CHARTER_PG_TLS_OTHER_CA=$SWIFT_PG_TLS_OTHER_CA"} \
        sh -c "$cmd" | tee "$log" || true
    fi
  }
  LOG="$BUILD/swift-test.log"
  # The PostgreSQL server's CA files (scripts/postgres.sh) live in its
  # temporary directory, which the chroot does not see; copies under $BUILD do.
  SWIFT_PG_TLS_CA="${CHARTER_PG_TLS_CA:-}" SWIFT_PG_TLS_OTHER_CA="${CHARTER_PG_TLS_OTHER_CA:-}"
  if [ "$SWIFT_ROOT" != host ] && [ -n "$SWIFT_PG_TLS_CA" ] && [ -n "$SWIFT_PG_TLS_OTHER_CA" ]; then
    mkdir -p "$BUILD/pg-tls"
    cp "$SWIFT_PG_TLS_CA" "$BUILD/pg-tls/ca.pem"
    cp "$SWIFT_PG_TLS_OTHER_CA" "$BUILD/pg-tls/other-ca.pem"
    SWIFT_PG_TLS_CA="$BUILD/pg-tls/ca.pem" SWIFT_PG_TLS_OTHER_CA="$BUILD/pg-tls/other-ca.pem"
  fi
  MOUNTS=()
  if [ "$SWIFT_ROOT" != host ]; then
    cleanup() {
      for ((i=${#MOUNTS[@]}-1; i>=0; i--)); do as_root umount -l "${MOUNTS[$i]}" 2>/dev/null || true; done
    }
    trap cleanup EXIT
    bindmount() { # src dst
      as_root mkdir -p "$2"
      if ! mountpoint -q "$2"; then as_root mount --bind "$1" "$2"; MOUNTS+=("$2"); fi
    }
    bindmount "$REPO" "$SWIFT_ROOT$REPO"
    case "$LIBDIR/" in "$REPO"/*) ;; *) bindmount "$TARGET" "$SWIFT_ROOT$TARGET" ;; esac
    bindmount /dev "$SWIFT_ROOT/dev"
    if ! mountpoint -q "$SWIFT_ROOT/proc"; then as_root mount -t proc proc "$SWIFT_ROOT/proc"; MOUNTS+=("$SWIFT_ROOT/proc"); fi
  fi
  if [ "$BENCH" = 1 ]; then
    run_swift "$BUILD/swift-bench.log" CHARTER_BENCH=1 -c release --filter CharterTests.CharterTests/testBench >/dev/null
    grep -E '^swift ' "$BUILD/swift-bench.log" || { echo "swift bench did not run" >&2; rc=1; }
  fi
  if [ "$SUITES" = 1 ]; then
    run_swift "$LOG" ""
  fi
  if [ "$SWIFT_ROOT" != host ]; then
    cleanup
    MOUNTS=()
  fi
  # One line per XCTest test case, restated as the plain closing line.
  if [ "$SUITES" = 1 ]; then
    n="$(grep -cE "^Test Case '.*' passed" "$LOG" || true)"
    f="$(grep -cE "^Test Case '.*' failed" "$LOG" || true)"
    if ! grep -qE '^[[:space:]]*Executed [0-9]+ tests?' "$LOG"; then
      echo "swift: the test run did not complete" >&2
      f=$((f + 1))
    fi
    echo "swift: $n passed, $f failed"
    [ "$f" = 0 ] || rc=1
  fi
fi
exit "$rc"
