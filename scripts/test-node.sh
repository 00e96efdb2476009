#!/usr/bin/env bash
# Builds and tests the Node binding (bindings/node), from any directory.
#
#   scripts/test-node.sh            # npm ci (cached), napi build --release, checks, node --test
#   CHARTER_NODE_DEBUG=1 scripts/test-node.sh   # a debug build (faster to compile)
#
# Steps: npm dependencies (pinned in package-lock.json; the npm cache lives in
# ${CHARTER_CACHE:-$HOME/.cache/charter}/npm and node_modules is reused while the
# lock file is unchanged), the native addon with @napi-rs/cli, a drift check of
# the generated index.d.ts and index.js loader against the committed ones,
# tsc --noEmit on the declarations and a typed example, then the node --test
# suites (vectors, surface drift, hostile inputs, interop, README, examples,
# npm install from a temp dir).
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."
ROOT="$(pwd)"
NODE_DIR="$ROOT/bindings/node"
CACHE="${CHARTER_CACHE:-$HOME/.cache/charter}"

section() {
  printf '\n==> node: %s\n' "$*"
}

command -v node >/dev/null || { echo "node is not installed (Node 20+ is needed)" >&2; exit 1; }
command -v npm >/dev/null || { echo "npm is not installed" >&2; exit 1; }
node -e 'if (+process.versions.node.split(".")[0] < 20) process.exit(1)' ||
  { echo "Node 20+ is needed, found $(node --version)" >&2; exit 1; }

cd "$NODE_DIR"

section "npm dependencies (package-lock.json)"
stamp="node_modules/.charter-lock"
lock_sum="$(sha256sum package-lock.json | cut -d' ' -f1)"
if [[ -f "$stamp" && "$(cat "$stamp")" == "$lock_sum" ]]; then
  echo "reusing node_modules (lock file unchanged)"
else
  # npm ci refuses this lock file (npm omits the optional per-platform packages
  # of @napi-rs/cli's wasm tools from it); npm install keeps every locked version.
  npm install --no-audit --no-fund --cache "$CACHE/npm" --prefer-offline
  echo "$lock_sum" >"$stamp"
fi

section "napi build"
if [[ "${CHARTER_NODE_DEBUG:-0}" == 1 ]]; then
  npx napi build --platform --js index.js --dts index.d.ts
else
  npx napi build --platform --release --js index.js --dts index.d.ts
fi

section "generated index.d.ts and index.js match the committed ones"
if git -C "$ROOT" rev-parse --git-dir >/dev/null 2>&1; then
  if ! git -C "$ROOT" diff --exit-code -- bindings/node/index.d.ts bindings/node/index.js; then
    echo "the generated index.d.ts / index.js differ from the committed ones: commit them" >&2
    exit 1
  fi
  echo "index.d.ts and index.js are up to date"
else
  echo "not a git checkout: drift check skipped"
fi

section "tsc --noEmit (declarations and the typed example)"
npx tsc -p test/types/tsconfig.json
echo "types OK"

section "node --test"
node --test test/*.test.js
