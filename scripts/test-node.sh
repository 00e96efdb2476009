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
# npm install from a temp dir, and the framework integrations against their
# real packages: MCP SDK over in-memory and stdio transports, OpenAI Agents,
# AI SDK, LangChain, Express on 127.0.0.1, Hono over the Node package and,
# when bindings/wasm/dist is built, the WASM package; CHARTER_REQUIRE_WASM=1
# makes a missing WASM build a failure instead of a skip), and the
# cross-language MCP test against the Python server and client runner of
# examples/python (CHARTER_REQUIRE_PYTHON=1: a Python that cannot run them fails).
set -euo pipefail

# shellcheck source=scripts/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
ROOT="$CHARTER_ROOT"
NODE_DIR="$ROOT/bindings/node"
SECTION_PREFIX="node: "

need_cmd node "node is not installed (Node 20+ is needed)"
need_cmd npm
node -e 'if (+process.versions.node.split(".")[0] < 20) process.exit(1)' ||
  die "Node 20+ is needed, found $(node --version)"

cd "$NODE_DIR"

section "npm dependencies (package-lock.json)"
# npm ci installs exactly the lock. The lock lists every platform's optional
# packages; after changing package.json, refresh it with
# `npm install --package-lock-only` (CONTRIBUTING.md), which keeps them.
npm_deps "$NODE_DIR" npm ci --no-audit --no-fund --cache "$CHARTER_CACHE/npm" --prefer-offline

section "napi build"
if [[ "${CHARTER_NODE_DEBUG:-0}" == 1 ]]; then
  npx napi build --platform --no-const-enum --js index.js --dts index.d.ts
else
  npx napi build --platform --release --no-const-enum --js index.js --dts index.d.ts
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
