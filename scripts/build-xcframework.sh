#!/usr/bin/env bash
# Builds CharterFFI.xcframework on macOS (run by .github/workflows/release.yml
# on a macOS runner): the static library libcharter_uniffi.a for macOS (arm64 +
# x86_64, one universal library), iOS devices (arm64) and the iOS simulator
# (arm64 + x86_64), each slice with the C headers and module map of
# bindings/uniffi/swift/Sources/CharterFFI/include, zipped for SwiftPM with its
# checksum. With --package-swift URL it also writes Package.swift at the
# repository root: the versioned SwiftPM manifest, whose CharterFFI is a
# binaryTarget(url: URL, checksum: ...) and which links nothing through
# unsafeFlags (SwiftPM refuses those in a versioned dependency). The release
# workflow commits that manifest on the release tag and uploads the zip to URL.
#
#   scripts/build-xcframework.sh                                 # out: bindings/uniffi/swift/dist/
#   scripts/build-xcframework.sh --package-swift https://…/CharterFFI.xcframework.zip
#   scripts/build-xcframework.sh --manifest-only URL CHECKSUM   # only Package.swift (any OS)
#
# Linux keeps using bindings/uniffi/swift/Package.swift (a path dependency
# linking target/release), as scripts/test-uniffi.sh does.
set -euo pipefail

# shellcheck source=scripts/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
cd "$CHARTER_ROOT"

url=""
manifest_only=""
checksum=""
while [[ $# -gt 0 ]]; do
  case "$1" in
    --package-swift)
      [[ $# -ge 2 ]] || die "--package-swift needs the URL the zip will be downloaded from"
      url=$2
      shift 2
      ;;
    --manifest-only)
      [[ $# -ge 3 ]] || die "--manifest-only needs the zip's URL and its checksum"
      url=$2 checksum=$3 manifest_only=1
      shift 3
      ;;
    *) die "build-xcframework.sh: unknown argument '$1' (usage: [--package-swift URL | --manifest-only URL CHECKSUM])" ;;
  esac
done

# write_manifest URL CHECKSUM: the versioned Package.swift at the repository root.
write_manifest() {
  section "xcframework: Package.swift (versioned, binaryTarget)"
  cat >"$CHARTER_ROOT/Package.swift" <<EOF
// swift-tools-version:5.9
// Charter for Swift, as a versioned SwiftPM dependency:
//   .package(url: "<this repository>", from: "<version>")
// CharterFFI is the prebuilt XCFramework of this release (macOS, iOS,
// iOS simulator), written by scripts/build-xcframework.sh; the Swift API is
// bindings/uniffi/swift/Sources/Charter. On Linux, use the path package in
// bindings/uniffi/swift (README there).
import PackageDescription

let package = Package(
    name: "Charter",
    platforms: [.macOS(.v11), .iOS(.v14)],
    products: [
        .library(name: "Charter", targets: ["Charter"]),
    ],
    targets: [
        .binaryTarget(
            name: "CharterFFI",
            url: "$1",
            checksum: "$2"
        ),
        .target(
            name: "Charter",
            dependencies: ["CharterFFI"],
            path: "bindings/uniffi/swift/Sources/Charter",
            // The Rust standard library's randomness on iOS.
            linkerSettings: [.linkedFramework("Security")]
        ),
    ]
)
EOF
  echo "wrote $CHARTER_ROOT/Package.swift for $1"
}

if [[ -n "$manifest_only" ]]; then
  write_manifest "$url" "$checksum"
  exit 0
fi

[[ "$(uname -s)" == Darwin ]] || die "build-xcframework.sh runs on macOS (it needs xcodebuild and lipo); the release workflow runs it on a macOS runner"
need_cmd xcodebuild "xcodebuild is not installed (Xcode command line tools)"
need_cmd lipo
need_cmd swift

TARGETS=(aarch64-apple-darwin x86_64-apple-darwin aarch64-apple-ios aarch64-apple-ios-sim x86_64-apple-ios)
installed="$(rustup target list --installed)"
for t in "${TARGETS[@]}"; do
  grep -qx "$t" <<<"$installed" || rustup target add "$t"
done

section "xcframework: cargo build --release -p charter-uniffi for ${TARGETS[*]}"
for t in "${TARGETS[@]}"; do
  cargo build --release --locked -p charter-uniffi --target "$t"
done

OUT="$CHARTER_ROOT/bindings/uniffi/swift/dist"
WORK="$(mktemp -d)"
trap 'rm -rf "$WORK"' EXIT
rm -rf "$OUT"
mkdir -p "$OUT" "$WORK/macos" "$WORK/ios-sim" "$WORK/headers"
lib=libcharter_uniffi.a
lipo -create "target/aarch64-apple-darwin/release/$lib" "target/x86_64-apple-darwin/release/$lib" -output "$WORK/macos/$lib"
lipo -create "target/aarch64-apple-ios-sim/release/$lib" "target/x86_64-apple-ios/release/$lib" -output "$WORK/ios-sim/$lib"
# The module map of the path package, less its `use` lines (Darwin's module
# names differ per SDK; the headers include what they need).
cp bindings/uniffi/swift/Sources/CharterFFI/include/*.h "$WORK/headers/"
grep -v '^ *use ' bindings/uniffi/swift/Sources/CharterFFI/include/module.modulemap >"$WORK/headers/module.modulemap"

section "xcframework: xcodebuild -create-xcframework"
xcodebuild -create-xcframework \
  -library "$WORK/macos/$lib" -headers "$WORK/headers" \
  -library "target/aarch64-apple-ios/release/$lib" -headers "$WORK/headers" \
  -library "$WORK/ios-sim/$lib" -headers "$WORK/headers" \
  -output "$OUT/CharterFFI.xcframework"
(cd "$OUT" && zip -qry CharterFFI.xcframework.zip CharterFFI.xcframework)
checksum="$(swift package compute-checksum "$OUT/CharterFFI.xcframework.zip")"
printf '%s\n' "$checksum" >"$OUT/CharterFFI.xcframework.zip.checksum"
echo "zip: $OUT/CharterFFI.xcframework.zip ($(du -k "$OUT/CharterFFI.xcframework.zip" | cut -f1) KiB), checksum $checksum"

if [[ -n "$url" ]]; then
  write_manifest "$url" "$checksum"
fi
