#!/usr/bin/env bash
# Builds the Node binding's npm packages for Linux here: the per-platform
# packages charter-linux-x64-gnu and charter-linux-arm64-gnu (the napi
# create-npm-dirs layout in bindings/node/npm/, each with its .node file), and
# the main package `charter` with optionalDependencies on every platform
# package at the same version (what `napi pre-publish` writes at release).
# The arm64 addon is cross-linked with zig (maturin's `zig cc`, from the
# venv scripts/build-wheels.sh installs). Each addon is checked to be an ELF
# for its architecture that needs no shared library beyond libc/libm/libgcc_s
# and no glibc symbol newer than 2.17.
#
#   scripts/build-npm.sh                         # linux-x64-gnu and linux-arm64-gnu
#   scripts/build-npm.sh linux-arm64-gnu         # only some (also linux-x64-musl linux-arm64-musl)
#
# Out: ${CHARTER_DIST:-$CHARTER_CACHE/dist}/npm/*.tgz (npm pack). The
# repository is left as it was: the build goes to $CHARTER_CACHE/pkg/target-npm
# and a temporary directory, and the
# packages are staged outside the repo. The darwin and win32 packages are built
# by .github/workflows/release.yml on their runners.
set -euo pipefail

# shellcheck source=scripts/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
cd "$CHARTER_ROOT"
NODE_DIR="$CHARTER_ROOT/bindings/node"

VENV="$CHARTER_CACHE/pkg/wheel-venv"
PINS=("maturin==1.16.0" "ziglang==0.17.0" "auditwheel==6.8.2")
DIST="${CHARTER_DIST:-$CHARTER_CACHE/dist}/npm"
# Its own build directory: the wheels build the same crates with other
# features and linkers, and sharing one would rebuild both each time.
export CARGO_TARGET_DIR="${CHARTER_PKG_TARGET:-$CHARTER_CACHE/pkg/target-npm}"
export CARGO_INCREMENTAL=0

ALL=(linux-x64-gnu linux-arm64-gnu linux-x64-musl linux-arm64-musl)
wanted=("$@")
[[ ${#wanted[@]} -gt 0 ]] || wanted=(linux-x64-gnu linux-arm64-gnu)

# napi platform -> Rust triple, zig target, ELF machine (readelf -h).
spec() {
  case "$1" in
    linux-x64-gnu) echo "x86_64-unknown-linux-gnu x86_64-linux-gnu.2.17 X86-64" ;;
    linux-arm64-gnu) echo "aarch64-unknown-linux-gnu aarch64-linux-gnu.2.17 AArch64" ;;
    linux-x64-musl) echo "x86_64-unknown-linux-musl x86_64-linux-musl X86-64" ;;
    linux-arm64-musl) echo "aarch64-unknown-linux-musl aarch64-linux-musl AArch64" ;;
    *) die "build-npm.sh: unknown package '$1' (known: ${ALL[*]})" ;;
  esac
}
for p in "${wanted[@]}"; do spec "$p" >/dev/null; done

need_cmd node "node is not installed (Node 20+ is needed)"
need_cmd readelf "readelf is not installed (Debian: binutils)"
cache_lock pkg-target-npm
pinned_venv "$VENV" -- "${PINS[@]}" >/dev/null

section "npm: dependencies of bindings/node (@napi-rs/cli)"
npm_deps "$NODE_DIR" npm install --no-audit --no-fund --cache "$CHARTER_CACHE/npm" --prefer-offline
# npm install may rewrite the lock file (issue 9): leave the tree as it was.
git -C "$CHARTER_ROOT" checkout -- bindings/node/package-lock.json 2>/dev/null || true

WORK="$(mktemp -d)"
trap 'rm -rf "$WORK"' EXIT
# The linker wrappers live at a fixed path: cargo's fingerprint includes the
# linker's path, so a new one each run would rebuild everything.
ZIG_WRAPPERS="$CHARTER_CACHE/pkg/zig-cc"
mkdir -p "$DIST" "$ZIG_WRAPPERS"
version="$(node -p 'require(process.argv[1]).version' "$NODE_DIR/package.json")"

for p in "${wanted[@]}"; do
  read -r triple zigtarget machine <<<"$(spec "$p")"
  section "npm: charter-$p ($triple)"
  if ! rustup target list --installed | grep -qx "$triple"; then
    rustup target add "$triple"
  fi
  # A linker for cargo and a C compiler for the build scripts that compile C
  # (ring's assembly and C for TLS, the bundled SQLite): zig's cc for the
  # target, through maturin (which passes only the flags zig understands).
  cc="$ZIG_WRAPPERS/cc-$p"
  cat >"$cc" <<EOF
#!/bin/sh
export CARGO_ZIGBUILD_ZIG_COMMAND="$VENV/bin/python"
export CARGO_ZIGBUILD_ZIG_COMMAND_ARGS="-m ziglang"
exec "$VENV/bin/maturin" zig cc -- -target $zigtarget "\$@"
EOF
  chmod +x "$cc"
  envtriple="$(tr 'a-z-' 'A-Z_' <<<"$triple")"
  out="$WORK/out-$p"
  mkdir -p "$out"
  (cd "$NODE_DIR" && env "CARGO_TARGET_${envtriple}_LINKER=$cc" "CC_${triple//-/_}=$cc" \
    nice npx napi build --platform --release --target "$triple" --no-const-enum \
    --no-js --output-dir "$out")
  node_file="$out/charter.$p.node"
  [[ -f "$node_file" ]] || die "napi build wrote no $node_file"
  readelf -h "$node_file" | grep -q "Machine:.*$machine" || die "$node_file is not an $machine ELF"
  needed="$(readelf -d "$node_file" | sed -n 's/.*(NEEDED).*\[\(.*\)\]/\1/p' | tr '\n' ' ')"
  for lib in $needed; do
    case "$lib" in
      libc.so.6 | libm.so.6 | libgcc_s.so.1 | libpthread.so.0 | libdl.so.2 | librt.so.1 | ld-linux-*.so.* | libc.musl-*.so.1) ;;
      *) die "$node_file needs $lib, which is not part of the C runtime" ;;
    esac
  done
  newest="$(readelf -V "$node_file" | grep -o 'GLIBC_[0-9.]*' | sort -uV | tail -n 1 || true)"
  if [[ -n "$newest" && "$(printf '%s\n' "$newest" GLIBC_2.17 | sort -V | tail -n 1)" != GLIBC_2.17 ]]; then
    die "$node_file needs $newest (newer than glibc 2.17)"
  fi
  echo "addon: ${node_file##*/} ($(du -k "$node_file" | cut -f1) KiB), needs: $needed${newest:+($newest)}"

  stage="$WORK/stage-$p"
  cp -r "$NODE_DIR/npm/$p" "$stage"
  cp "$node_file" "$stage/"
  rm -f "$DIST/charter-$p-"*.tgz
  (cd "$stage" && npm pack --silent --pack-destination "$DIST" >/dev/null)
  echo "package: $DIST/charter-$p-$version.tgz"
done

section "npm: charter (main package, optionalDependencies on every platform package)"
stage="$WORK/stage-main"
mkdir -p "$stage"
node -e '
  const fs = require("fs"), path = require("path")
  const [src, dst] = process.argv.slice(1)
  const pkg = JSON.parse(fs.readFileSync(path.join(src, "package.json"), "utf8"))
  // What napi pre-publish does: one optional dependency per napi target.
  pkg.optionalDependencies = {}
  for (const d of fs.readdirSync(path.join(src, "npm")).sort()) {
    const sub = JSON.parse(fs.readFileSync(path.join(src, "npm", d, "package.json"), "utf8"))
    pkg.optionalDependencies[sub.name] = pkg.version
  }
  delete pkg.devDependencies
  fs.writeFileSync(path.join(dst, "package.json"), JSON.stringify(pkg, null, 2) + "\n")
  // A "files" entry may be a directory (integrations/): copied whole, as npm packs it.
  for (const f of pkg.files.filter((f) => !f.includes("*"))) fs.cpSync(path.join(src, f), path.join(dst, f), { recursive: true })
  for (const f of ["README.md"]) if (fs.existsSync(path.join(src, f))) fs.copyFileSync(path.join(src, f), path.join(dst, f))
' "$NODE_DIR" "$stage"
rm -f "$DIST/charter-$version.tgz"
(cd "$stage" && npm pack --silent --pack-destination "$DIST" >/dev/null)
echo "package: $DIST/charter-$version.tgz"

section "npm: built"
ls -l "$DIST"
