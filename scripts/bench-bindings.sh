#!/usr/bin/env bash
# The 4-caveat check (token text) in Rust, Python, Node, WASM, Kotlin and Swift, one after
# the other in one run, so the binding overheads in docs/benchmarks.md are
# differences between numbers taken minutes apart on the same machine, not
# across days. Each bench uses the same root key, token, caveats and request
# (crates/core/benches/capability.rs, `capability/check/4`).
#
# Needs the bindings built first: scripts/test.sh python node wasm
# Usage: scripts/bench-bindings.sh
set -euo pipefail
# shellcheck source=scripts/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
cd "$CHARTER_ROOT"
PY="${CHARTER_PYTHON:-$CHARTER_CACHE/py-venv-frameworks/bin/python}"  # the venv scripts/test-python.sh builds

echo "== load: $(cut -d' ' -f1-3 /proc/loadavg)"
echo "== Rust (criterion): capability/check/4 is Verifier::check of the token text"
cargo bench -q -p charter-core --bench capability -- --warm-up-time 1 --measurement-time 3 'check/4$' 2>&1 \
  | grep -A1 '^capability/check/4'
echo "== Python: bindings/python/bench.py"
"$PY" bindings/python/bench.py | grep -E 'check, 4 caveats'
echo "== Node: bindings/node/bench.mjs (with its own same-process Rust loop)"
node bindings/node/bench.mjs | grep -E '^check, 4 caveats'
echo "== WASM (nodejs build): bindings/wasm/bench.mjs"
(cd bindings/wasm && node bench.mjs | grep -E '^check, 4 caveats')
echo "== Kotlin (JVM, JNA) and Swift (release): scripts/test-uniffi.sh --bench-only"
scripts/test-uniffi.sh --bench-only 2>&1 | grep -E '^(kotlin|swift) '
echo "== load: $(cut -d' ' -f1-3 /proc/loadavg)"
