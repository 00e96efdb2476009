#!/usr/bin/env bash
# The one version of every package. It is set in one place, the workspace's
# Cargo.toml ([workspace.package] version): the crates inherit it, the Python
# wheel takes it from Cargo through maturin, Kotlin and Swift return the core's
# version(). Only the npm manifests (the two packages, their locks and the napi
# per-platform packages in bindings/node/npm/) repeat it, because npm reads
# nothing else; this script sets them all.
#
#   scripts/version.sh            # prints the version
#   scripts/version.sh --set 0.2.0
#
# `scripts/test.sh release` (scripts/check-release-meta.py) fails, naming the
# file, wherever a package disagrees.
set -euo pipefail

# shellcheck source=scripts/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
cd "$CHARTER_ROOT"

NPM_DIRS=(bindings/node bindings/wasm)

workspace_version() {
  # The first `version = "..."` after [workspace.package].
  sed -n '/^\[workspace\.package\]/,/^\[/s/^version = "\(.*\)"$/\1/p' Cargo.toml | head -n 1
}

set_version() {
  local v=$1
  [[ "$v" =~ ^[0-9]+\.[0-9]+\.[0-9]+(-[0-9A-Za-z.-]+)?$ ]] ||
    die "not a semantic version: $v (e.g. 0.2.0 or 0.2.0-rc.1)"
  sed -i "/^\[workspace\.package\]/,/^\[/s/^version = \".*\"$/version = \"$v\"/" Cargo.toml
  sed -i "s/^\(charter-core = {.*version = \"\)[^\"]*\(\".*\)/\1$v\2/" Cargo.toml
  for d in "${NPM_DIRS[@]}"; do
    # The manifest's own top-level line, so the rest of its layout stays.
    sed -i "0,/^  \"version\": \".*\",\$/s//  \"version\": \"$v\",/" "$d/package.json"
    # The lock as npm writes it (two-space JSON).
    # shellcheck disable=SC2016 # JavaScript template literals, not shell
    node -e '
      const fs = require("fs"), [d, v] = process.argv.slice(1);
      const p = `${d}/package-lock.json`, j = JSON.parse(fs.readFileSync(p, "utf8"));
      j.version = v;
      if (j.packages && j.packages[""]) j.packages[""].version = v;
      fs.writeFileSync(p, JSON.stringify(j, null, 2) + "\n");
    ' "$d" "$v"
  done
  for f in bindings/node/npm/*/package.json; do
    sed -i "0,/^  \"version\": \".*\",\$/s//  \"version\": \"$v\",/" "$f"
  done
  cargo update --workspace --offline >/dev/null 2>&1 || cargo update --workspace
  python3 scripts/check-release-meta.py
}

case "${1:-}" in
  "") workspace_version ;;
  --set) set_version "${2:?usage: scripts/version.sh --set VERSION}" ;;
  *) die "usage: scripts/version.sh [--set VERSION]" ;;
esac
