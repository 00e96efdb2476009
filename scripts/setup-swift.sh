#!/usr/bin/env bash
# Provide a Swift toolchain for the uniffi Swift tests.
#
# - If `swift` is already on PATH, nothing is installed: prints "host".
# - Otherwise builds (once) a minimal Debian 13 "trixie" chroot with Debian's
#   `swiftlang` package in it, cached OUTSIDE the repo at
#   ${CHARTER_CACHE:-$HOME/.cache/charter}/swift-trixie, and prints its path.
#
# The chroot is considered complete only when the marker file
# .charter-swift-ready exists inside it; it is written last, after a successful
# install, so an interrupted run is redone from scratch the next time.
#
# Usage: scripts/setup-swift.sh            # prints "host" or the chroot path (last line)
set -euo pipefail

# shellcheck source=scripts/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

if command -v swift >/dev/null 2>&1; then
  echo host
  exit 0
fi

ROOT="$CHARTER_CACHE/swift-trixie"
MARKER="$ROOT/.charter-swift-ready"
MIRROR="${CHARTER_DEBIAN_MIRROR:-http://deb.debian.org/debian}"

cache_lock swift-trixie

if [ -f "$MARKER" ]; then
  echo "$ROOT"
  exit 0
fi

if ! command -v debootstrap >/dev/null 2>&1; then
  echo "setup-swift: installing debootstrap" >&2
  apt_install debootstrap
fi

# A previous attempt may have left mounts and a half-built tree behind.
for m in proc dev/pts dev sys; do
  if mountpoint -q "$ROOT/$m" 2>/dev/null; then as_root umount -l "$ROOT/$m" || true; fi
done
if [ -d "$ROOT" ]; then
  echo "setup-swift: removing incomplete chroot $ROOT" >&2
  as_root rm -rf --one-file-system "$ROOT"
fi

echo "setup-swift: debootstrap trixie into $ROOT (a few minutes)" >&2
as_root debootstrap --variant=minbase trixie "$ROOT" "$MIRROR" >&2

cleanup() {
  for m in dev/pts dev proc; do
    if mountpoint -q "$ROOT/$m" 2>/dev/null; then as_root umount -l "$ROOT/$m" || true; fi
  done
}
trap cleanup EXIT
as_root mount -t proc proc "$ROOT/proc"
as_root cp /etc/resolv.conf "$ROOT/etc/resolv.conf" 2>/dev/null || true

echo "setup-swift: installing swiftlang in the chroot" >&2
as_root chroot "$ROOT" /usr/bin/env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin HOME=/root \
  DEBIAN_FRONTEND=noninteractive sh -c \
  'apt-get update -qq && apt-get install -y -qq --no-install-recommends swiftlang libc6-dev ca-certificates && apt-get clean' >&2
as_root chroot "$ROOT" /usr/bin/env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin HOME=/root swift --version >&2

as_root touch "$MARKER"
echo "$ROOT"
