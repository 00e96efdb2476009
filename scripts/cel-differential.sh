#!/usr/bin/env bash
# The random differential of the caveat language against a real CEL engine
# (npm @bufbuild/cel with its strings extension): COUNT random expressions
# (default 20000) from crates/core/examples/cel_random.rs, evaluated by both;
# fails on any expression Charter accepts whose result differs.
#
# Usage: scripts/cel-differential.sh [COUNT] [SEED]
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
count="${1:-20000}"
seed="${2:-1}"
cache="${CHARTER_CACHE:-$HOME/.cache/charter}"
pkg="$cache/celspec/node_modules/@bufbuild/cel"
if [[ ! -f "$pkg/package.json" ]] || ! grep -q '"version": "0.6.1"' "$pkg/package.json"; then
  npm install --silent --no-audit --no-fund --prefix "$cache/celspec" --cache "$cache/npm" @bufbuild/cel@0.6.1
fi
out="$(mktemp)"
trap 'rm -f "$out"' EXIT
cargo run --quiet -p charter-core --example cel_random -- "$count" "$seed" > "$out"
node scripts/cel-differential.mjs "$pkg" "$out"
