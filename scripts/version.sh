#!/usr/bin/env bash
# The one version of every package. It is set in one place, the workspace's
# Cargo.toml ([workspace.package] version): the crates inherit it, the Python
# wheel takes it from Cargo through maturin, Kotlin and Swift return the core's
# version(). Only the two npm manifests (and their locks) repeat it, because npm
# reads nothing else; this script keeps them equal.
#
#   scripts/version.sh            # prints the version
#   scripts/version.sh --check    # fails, naming the file, where a package disagrees
#   scripts/version.sh --set 0.2.0
set -euo pipefail

# shellcheck source=scripts/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
cd "$CHARTER_ROOT"

NPM_DIRS=(bindings/node bindings/wasm)

workspace_version() {
  # The first `version = "..."` after [workspace.package].
  sed -n '/^\[workspace\.package\]/,/^\[/s/^version = "\(.*\)"$/\1/p' Cargo.toml | head -n 1
}

# npm_versions DIR: "file version" lines for the manifest and both lock entries.
npm_versions() {
  # shellcheck disable=SC2016 # JavaScript template literals, not shell
  node -e '
    const fs = require("fs"), d = process.argv[1];
    const pkg = JSON.parse(fs.readFileSync(d + "/package.json", "utf8"));
    const lock = JSON.parse(fs.readFileSync(d + "/package-lock.json", "utf8"));
    console.log(`${d}/package.json ${pkg.version}`);
    console.log(`${d}/package-lock.json ${lock.version}`);
    console.log(`${d}/package-lock.json#packages[""] ${(lock.packages[""] || {}).version}`);
  ' "$1"
}

check() {
  local want=$1 bad=0 file got
  # The dependency entry for charter-core must carry the same version for crates.io.
  got="$(sed -n 's/^charter-core = {.*version = "\([^"]*\)".*/\1/p' Cargo.toml)"
  if [[ "$got" != "$want" ]]; then
    echo "Cargo.toml [workspace.dependencies] charter-core: $got, not $want" >&2
    bad=1
  fi
  for d in "${NPM_DIRS[@]}"; do
    while read -r file got; do
      if [[ "$got" != "$want" ]]; then
        echo "$file: $got, not $want (run scripts/version.sh --set $want)" >&2
        bad=1
      fi
    done < <(npm_versions "$d")
  done
  [[ $bad == 0 ]] || die "versions disagree with Cargo.toml's $want"
  echo "every package is at $want"
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
  cargo update --workspace --offline >/dev/null 2>&1 || cargo update --workspace
  check "$v"
}

case "${1:-}" in
  "") workspace_version ;;
  --check) check "$(workspace_version)" ;;
  --set) set_version "${2:?usage: scripts/version.sh --set VERSION}" ;;
  *) die "usage: scripts/version.sh [--check | --set VERSION]" ;;
esac
