#!/usr/bin/env bash
# The WASM package (bindings/wasm): installs what is missing, builds, tests.
#
#   scripts/test-wasm.sh            # setup + build + tsc + node --test (incl. the browser test)
#   scripts/test-wasm.sh --bench    # ...then the benchmark
#
# Idempotent; caches outside the repo under ${CHARTER_CACHE:-$HOME/.cache/charter}:
#   - rustup target wasm32-unknown-unknown
#   - wasm-bindgen-cli at exactly the version of the wasm-bindgen crate (pinned
#     with = in bindings/wasm/Cargo.toml), in $CHARTER_CACHE/wasm-bindgen-<version>
#   - npm dependencies from the committed package-lock.json (npm ci), and for
#     test/platforms (Vite, Deno, esbuild, workerd) from its own
#   - Debian's chromium (apt-get), for the headless browser test
set -euo pipefail

# shellcheck source=scripts/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
cd "$CHARTER_ROOT"
PKG="$CHARTER_ROOT/bindings/wasm"

# The wasm-bindgen version is whatever the crate pins (`wasm-bindgen = "=X.Y.Z"`).
WB_VERSION="$(sed -n 's/^wasm-bindgen = "=\([0-9.]*\)".*/\1/p' "$PKG/Cargo.toml")"
[[ -n "$WB_VERSION" ]] ||
  die "bindings/wasm/Cargo.toml must pin wasm-bindgen with = (wasm-bindgen = \"=X.Y.Z\")"
WB_ROOT="$CHARTER_CACHE/wasm-bindgen-$WB_VERSION"
WASM_BINDGEN="$WB_ROOT/bin/wasm-bindgen"

section "setup: rustup target wasm32-unknown-unknown"
if ! rustup target list --installed | grep -qx wasm32-unknown-unknown; then
  rustup target add wasm32-unknown-unknown
fi

section "setup: wasm-bindgen-cli $WB_VERSION"
if [[ ! -x "$WASM_BINDGEN" ]] || [[ "$("$WASM_BINDGEN" --version)" != "wasm-bindgen $WB_VERSION" ]]; then
  cargo install wasm-bindgen-cli --version "=$WB_VERSION" --locked --root "$WB_ROOT"
fi
"$WASM_BINDGEN" --version

section "setup: chromium (Debian) for the browser test"
if [[ ! -x /usr/bin/chromium ]]; then
  apt_install --no-install-recommends chromium
fi
/usr/bin/chromium --version

section "setup: npm ci (playwright-core, typescript; pinned in package-lock.json)"
# Reinstall only when the lock file changed since the last install.
npm_deps "$PKG" npm ci --no-audit --no-fund

section "setup: npm ci in test/platforms (vite, deno, esbuild, workerd; pinned in its package-lock.json)"
npm_deps "$PKG/test/platforms" npm ci --no-audit --no-fund

section "build: cargo build --target wasm32-unknown-unknown --release -p charter-wasm; wasm-bindgen --target nodejs|web"
(cd "$PKG" && WASM_BINDGEN="$WASM_BINDGEN" node build.mjs)

section "types: tsc --noEmit on the generated .d.ts and a typed example"
(cd "$PKG" && ./node_modules/.bin/tsc -p test/types/tsconfig.json)

section "test: node --test bindings/wasm/test/ (vectors, surface drift, hostile inputs, README, browser)"
(cd "$PKG" && node --test --test-reporter=spec test/*.test.cjs)

if [[ "${1:-}" == "--bench" ]]; then
  section "bench: node bindings/wasm/bench.mjs"
  (cd "$PKG" && node bench.mjs --native)
fi
