#!/usr/bin/env bash
# Generates the Kotlin and Swift sources of charter-uniffi from the built
# library (uniffi "library mode": the metadata is read from the .so itself).
# uniffi.toml (beside this script, in the crate root) is found through cargo
# metadata. Generated files are checked in and never edited by hand; CI regenerates them
# and fails on any difference (scripts/test-uniffi.sh).
#
# Usage: bindings/uniffi/generate.sh [LIBRARY] [OUT_ROOT]
#   LIBRARY   default: target/release/libcharter_uniffi.so (built if missing)
#   OUT_ROOT  default: bindings/uniffi (writes kotlin/src/main/kotlin/… and
#             swift/Sources/…); a temporary directory for the drift check.
set -euo pipefail
HERE="$(cd "$(dirname "$0")" && pwd)"
REPO="$(cd "$HERE/../.." && pwd)"
TARGET="${CARGO_TARGET_DIR:-$REPO/target}"
LIB="${1:-$TARGET/release/libcharter_uniffi.so}"
OUT="${2:-$HERE}"

cd "$REPO"
if [ ! -f "$LIB" ]; then
  cargo build --release -p charter-uniffi
fi
cargo build --release -q -p charter-uniffi-bindgen
BINDGEN="$TARGET/release/uniffi-bindgen"

TMP="$(mktemp -d)"
trap 'rm -rf "$TMP"' EXIT
"$BINDGEN" generate --library "$LIB" --language kotlin --no-format \
  --out-dir "$TMP/kotlin" >/dev/null
"$BINDGEN" generate --library "$LIB" --language swift --no-format \
  --out-dir "$TMP/swift" >/dev/null

KT="$OUT/kotlin/src/main/kotlin/dev/charter"
SW="$OUT/swift/Sources"
mkdir -p "$KT" "$SW/Charter" "$SW/CharterFFI/include"
cp "$TMP/kotlin/dev/charter/charter_uniffi.kt" "$KT/charter_uniffi.kt"
cp "$TMP/swift/Charter.swift" "$SW/Charter/Charter.swift"
cp "$TMP/swift/CharterFFI.h" "$SW/CharterFFI/include/CharterFFI.h"
cp "$TMP/swift/CharterFFI.modulemap" "$SW/CharterFFI/include/module.modulemap"
echo "generated: $KT/charter_uniffi.kt $SW/Charter/Charter.swift $SW/CharterFFI/include/{CharterFFI.h,module.modulemap}"
