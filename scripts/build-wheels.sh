#!/usr/bin/env bash
# Builds the Python binding's publishable Linux wheels and its sdist here:
# manylinux2014 and musllinux_1_2, x86_64 and aarch64, all abi3 (one wheel for
# every CPython >= 3.10), cross-linked by maturin --zig (the ziglang package),
# and checks each manylinux wheel with auditwheel show (each musllinux one with
# readelf: auditwheel judges musl only on a musl host): the platform tag auditwheel
# finds must be the one in the file name, and the wheel must need no shared
# library beyond the system ones the tag allows.
#
#   scripts/build-wheels.sh                  # every wheel and the sdist
#   scripts/build-wheels.sh aarch64-gnu      # only some (x86_64-gnu aarch64-gnu x86_64-musl aarch64-musl sdist)
#   CHARTER_DIST=/tmp/dist scripts/build-wheels.sh
#
# Out: ${CHARTER_DIST:-$CHARTER_CACHE/dist}/python (emptied of earlier charter
# wheels first). Tools are pinned and installed once into
# $CHARTER_CACHE/pkg/wheel-venv; the Rust targets are added with rustup; the
# build directory is $CHARTER_CACHE/pkg/target (outside the repo, reused).
# macOS and Windows wheels are built by .github/workflows/release.yml on
# their runners.
set -euo pipefail

# shellcheck source=scripts/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
cd "$CHARTER_ROOT"

PINS=("maturin==1.16.0" "ziglang==0.17.0" "auditwheel==6.8.2")
VENV="$CHARTER_CACHE/pkg/wheel-venv"
DIST="${CHARTER_DIST:-$CHARTER_CACHE/dist}/python"
export CARGO_TARGET_DIR="${CHARTER_PKG_TARGET:-$CHARTER_CACHE/pkg/target}"
export CARGO_INCREMENTAL=0

ALL=(x86_64-gnu aarch64-gnu x86_64-musl aarch64-musl sdist)
wanted=("$@")
[[ ${#wanted[@]} -gt 0 ]] || wanted=("${ALL[@]}")

# triple, maturin --compatibility, and the auditwheel tag the wheel must carry.
spec() {
  case "$1" in
    x86_64-gnu) echo "x86_64-unknown-linux-gnu manylinux2014 manylinux_2_17_x86_64" ;;
    aarch64-gnu) echo "aarch64-unknown-linux-gnu manylinux2014 manylinux_2_17_aarch64" ;;
    x86_64-musl) echo "x86_64-unknown-linux-musl musllinux_1_2 musllinux_1_2_x86_64" ;;
    aarch64-musl) echo "aarch64-unknown-linux-musl musllinux_1_2 musllinux_1_2_aarch64" ;;
    *) die "build-wheels.sh: unknown wheel '$1' (known: ${ALL[*]})" ;;
  esac
}
for w in "${wanted[@]}"; do [[ $w == sdist ]] || spec "$w" >/dev/null; done

cache_lock pkg-target
section "wheels: tools ($VENV)"
pinned_venv "$VENV" -- "${PINS[@]}"
MATURIN="$VENV/bin/maturin"
# maturin --zig runs `python -m ziglang`: the venv's python must come first.
export PATH="$VENV/bin:$PATH"
mkdir -p "$DIST"

for w in "${wanted[@]}"; do
  if [[ $w == sdist ]]; then
    section "wheels: sdist"
    rm -f "$DIST"/charter-*.tar.gz
    (cd bindings/python && "$MATURIN" sdist --out "$DIST")
    continue
  fi
  read -r triple compat tag <<<"$(spec "$w")"
  section "wheels: $w ($triple, $compat)"
  if ! rustup target list --installed | grep -qx "$triple"; then
    rustup target add "$triple"
  fi
  rm -f "$DIST"/charter-*-"$tag"*.whl "$DIST"/charter-*."$tag"*.whl
  (cd bindings/python &&
    nice "$MATURIN" build --release --target "$triple" --zig --compatibility "$compat" --out "$DIST")
  mapfile -t built < <(find "$DIST" -name "charter-*-cp310-abi3-*$tag*.whl")
  [[ ${#built[@]} == 1 ]] || die "expected one abi3 wheel tagged $tag in $DIST, found: ${built[*]:-none}"
  if [[ $w == *-musl ]]; then
    # auditwheel judges musllinux only on a musl host (it reads the running
    # libc): check the extension's ELF directly instead. It must need musl's
    # libc.so and nothing else, and no glibc symbol.
    unz="$(mktemp -d)"
    "$VENV/bin/python" -m zipfile -e "${built[0]}" "$unz"
    mapfile -t exts < <(find "$unz" -name '*.so')
    [[ ${#exts[@]} == 1 ]] || die "${built[0]##*/}: expected one extension module, found ${#exts[@]}"
    needed="$(readelf -d "${exts[0]}" | sed -n 's/.*(NEEDED).*\[\(.*\)\]/\1/p' | tr '\n' ' ')"
    echo "${exts[0]##*/}: NEEDED $needed"
    [[ $needed == "libc.so " ]] || die "${built[0]##*/} needs $needed (only musl's libc.so is allowed)"
    ! readelf -V "${exts[0]}" | grep -q GLIBC_ || die "${built[0]##*/} references glibc symbols"
    rm -rf "$unz"
    echo "ok: ${built[0]##*/} ($(du -k "${built[0]}" | cut -f1) KiB)"
    continue
  fi
  report="$("$VENV/bin/auditwheel" show "${built[0]}")"
  printf '%s\n' "$report"
  # auditwheel wraps its lines: join them before matching.
  flat="$(tr '\n' ' ' <<<"$report")"
  [[ $flat == *"consistent with the following platform tag: \"$tag\""* ]] ||
    die "auditwheel: ${built[0]##*/} is not consistent with $tag (see above)"
  [[ $flat != *"external shared libraries are required"* ]] ||
    die "auditwheel: ${built[0]##*/} needs external shared libraries (see above)"
  echo "ok: ${built[0]##*/} ($(du -k "${built[0]}" | cut -f1) KiB)"
done

section "wheels: built"
ls -l "$DIST"
