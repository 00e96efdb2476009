#!/usr/bin/env bash
# Generates the Kotlin and Swift sources of charter-uniffi from the built
# library (uniffi "library mode": the metadata is read from the .so itself).
# The library holds two uniffi crates: charter_core (the records, derived in
# the core behind its `uniffi` feature) and charter_uniffi (objects,
# functions, the error); each gets its own generated file. uniffi.toml
# (beside this script) is the global config naming their packages and
# modules. Generated files are checked in and never edited by hand (one
# generated line is rewritten here, below, for a uniffi bug);
# scripts/test-uniffi.sh regenerates them and fails on any difference.
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
"$BINDGEN" generate "$LIB" --language kotlin --no-format --config "$HERE/uniffi.toml" \
  --out-dir "$TMP/kotlin" >/dev/null
# One Swift file per crate, both named after the module: generate them apart.
for crate in charter_core charter_uniffi; do
  "$BINDGEN" generate "$LIB" --crate "$crate" --language swift --no-format \
    --config "$HERE/uniffi.toml" --out-dir "$TMP/swift/$crate" >/dev/null
done

KT="$OUT/kotlin/src/main/kotlin/dev/charter"
SW="$OUT/swift/Sources"
mkdir -p "$KT/core" "$SW/Charter" "$SW/CharterFFI/include"
# uniffi 0.32's Kotlin lowers an object argument with a bare
# `uniffiCloneHandle()`, which does not look at the object's call counter:
# an argument already closed (`close()`/`destroy()`) would be cloned from
# freed memory on the Rust side. Lower it through `callWithHandle`, which
# refuses a closed object (IllegalStateException, as a method call on it
# does) and keeps it alive while its handle is cloned. Every object type has
# one such `lower`; the count is checked so a uniffi upgrade that changes
# the shape fails here instead of silently dropping the fix.
lowers="$(grep -c '^        return value.uniffiCloneHandle()$' "$TMP/kotlin/dev/charter/charter_uniffi.kt")"
objects="$(grep -c '^public object FfiConverterType[A-Za-z]*: FfiConverter<[A-Za-z]*, Long> {$' "$TMP/kotlin/dev/charter/charter_uniffi.kt")"
if [ "$lowers" -eq 0 ] || [ "$lowers" != "$objects" ]; then
  echo "generate.sh: expected one 'return value.uniffiCloneHandle()' per object converter, found $lowers for $objects objects: re-check the closed-argument fix against this uniffi version" >&2
  exit 1
fi
sed 's/^        return value.uniffiCloneHandle()$/        return value.callWithHandle { it }/' \
  "$TMP/kotlin/dev/charter/charter_uniffi.kt" > "$KT/charter_uniffi.kt"
cp "$TMP/kotlin/dev/charter/core/charter_core.kt" "$KT/core/charter_core.kt"
cp "$TMP/swift/charter_uniffi/Charter.swift" "$SW/Charter/Charter.swift"
cp "$TMP/swift/charter_core/Charter.swift" "$SW/Charter/CharterCore.swift"
cp "$TMP/swift/charter_uniffi/CharterFFI.h" "$SW/CharterFFI/include/CharterFFI.h"
cp "$TMP/swift/charter_core/CharterCoreFFI.h" "$SW/CharterFFI/include/CharterCoreFFI.h"
# One C module over both headers (each crate's generated map names only its own).
sed 's|^\( *\)header "CharterFFI.h"|\1header "CharterCoreFFI.h"\n\1header "CharterFFI.h"|' \
  "$TMP/swift/charter_uniffi/CharterFFI.modulemap" > "$SW/CharterFFI/include/module.modulemap"
grep -q 'header "CharterCoreFFI.h"' "$SW/CharterFFI/include/module.modulemap"
echo "generated: $KT/{charter_uniffi.kt,core/charter_core.kt} $SW/Charter/{Charter,CharterCore}.swift $SW/CharterFFI/include/{CharterFFI.h,CharterCoreFFI.h,module.modulemap}"
