#!/usr/bin/env bash
# Runs every check, the same ones CI runs (.ci/run and .github/workflows/ci.yml).
#
#   scripts/test.sh                 # everything
#   scripts/test.sh fmt clippy      # only some steps (CI runs them one by one)
#
# Steps: fmt clippy test postgres quickstart demo vectors schemas fuzz python wasm node uniffi release actionlint shellcheck
# (wasm before node: the node step's Hono test also runs over the WASM build)
# It works from any directory: it moves to the repository root first.
# Extra tools (actionlint, shellcheck) are installed once, cached outside the
# repo, by scripts/setup-tools.sh.
set -euo pipefail

# shellcheck source=scripts/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
cd "$CHARTER_ROOT"

ALL_STEPS=(fmt clippy test postgres quickstart demo vectors schemas fuzz python wasm node uniffi release actionlint shellcheck)

tools_ready=0
need_tools() {
  if [[ $tools_ready == 0 ]]; then
    # shellcheck source=scripts/setup-tools.sh
    source "$CHARTER_ROOT/scripts/setup-tools.sh"
    tools_ready=1
  fi
}

# --- Rust core and CLI ------------------------------------------------------
# Cargo commands without -p act on the workspace's default-members (the core
# and the CLI). Bindings are workspace members outside default-members, so
# these steps never need a Python, Node or WASM toolchain.

step_fmt() {
  section "fmt: cargo fmt --all --check (and fuzz/, its own workspace)"
  cargo fmt --all --check
  cargo fmt --manifest-path fuzz/Cargo.toml --check
}

# Clippy runs on every crate with the workspace lints ([workspace.lints] in
# Cargo.toml, clippy.toml). The binding crates compile natively for linting:
# only pyo3's build script needs a host tool, a Python 3.10+ to configure its
# abi3 build (the one scripts/test-python.sh uses). Linking is never reached.
step_clippy() {
  section "clippy: cargo clippy --all-targets -- -D warnings (default members; the core without features)"
  cargo clippy --all-targets -- -D warnings

  local py
  py="$(command -v "${PYTHON:-python3}")" ||
    die "clippy: pyo3 (bindings/python) needs a Python 3.10+ to build: install python3 or set PYTHON"
  # Features unify across the workspace: the uniffi binding turns on the
  # core's uniffi feature, so this also lints the core's uniffi derives.
  # --keep-going: one crate's failure does not hide the next one's.
  section "clippy: cargo clippy --workspace --all-targets -- -D warnings (every crate, bindings included)"
  PYO3_PYTHON="$py" cargo clippy --workspace --all-targets --keep-going -- -D warnings

  # The WASM binding as scripts/test-wasm.sh builds it, where code behind
  # cfg(target_arch = "wasm32") is compiled.
  section "clippy: charter-wasm for wasm32-unknown-unknown"
  if ! rustup target list --installed | grep -qx wasm32-unknown-unknown; then
    rustup target add wasm32-unknown-unknown
  fi
  cargo clippy -p charter-wasm --target wasm32-unknown-unknown -- -D warnings
}

step_test() {
  # The interop tests (PyJWT, pymacaroons) run against the real libraries.
  need_tools
  charter_setup_interop
  if command -v cargo-nextest >/dev/null 2>&1; then
    section "test: cargo nextest run (default members), then doctests"
    cargo nextest run --no-fail-fast
    cargo test --doc
  else
    section "test: cargo test (default members; cargo-nextest not found)"
    cargo test --no-fail-fast
  fi
}

# The PostgreSQL store against a real server: scripts/postgres.sh installs
# PostgreSQL if missing, starts a throwaway cluster on a free local port,
# runs the suite with CHARTER_PG_URL/CHARTER_PG_CTL set and stops it. The
# suite fails (never skips) without a server. One test restarts the server,
# so the tests run one at a time (each starts its own processes and threads).
step_postgres() {
  # TLS (feature postgres-tls) is rustls on ring: no OpenSSL headers or
  # pkg-config to install; scripts/postgres.sh installs the openssl command
  # it makes the server's certificates with.
  section "postgres: cargo clippy -p charter-store --features postgres(-tls) --all-targets -- -D warnings"
  cargo clippy -p charter-store --features postgres --all-targets -- -D warnings
  cargo clippy -p charter-store --features postgres-tls,postgres-server-tests --all-targets -- -D warnings
  section "postgres: a build without TLS refuses sslmode=require/verify-* (no server needed)"
  cargo test -p charter-store --features postgres --lib postgres::tests
  section "postgres: charter-store --features postgres-tls against a throwaway PostgreSQL server"
  bash scripts/postgres.sh run \
    cargo test -p charter-store --features postgres-tls,postgres-server-tests --lib --test postgres --test stores -- --test-threads=1
  section "postgres: charter revoke --store over TLS (verify-full; a wrong CA is store_unavailable)"
  cargo build -q -p charter-cli
  bash scripts/postgres.sh run bash scripts/postgres-cli-smoke.sh "${CARGO_TARGET_DIR:-target}/debug/charter"
}

step_quickstart() {
  section "quickstart: README example == crates/core/examples/quickstart.rs, and it runs"
  local readme_code
  # The fenced rust block between the quickstart markers in README.md.
  readme_code="$(awk '
    /<!-- quickstart:begin -->/ { inside = 1; next }
    /<!-- quickstart:end -->/   { inside = 0 }
    inside && /^```/            { next }
    inside                      { print }
  ' README.md)"
  if [[ -z "$readme_code" ]]; then
    echo "README.md has no <!-- quickstart:begin --> ... <!-- quickstart:end --> block" >&2
    return 1
  fi
  if ! diff -u crates/core/examples/quickstart.rs <(printf '%s\n' "$readme_code"); then
    echo "README.md's quickstart differs from crates/core/examples/quickstart.rs: copy one onto the other" >&2
    return 1
  fi
  cargo run --quiet -p charter-core --example quickstart
}

step_demo() {
  section "demo: scripts/demo.sh must run to the end (keys in a throwaway CHARTER_HOME)"
  local home
  home="$(mktemp -d)"
  CHARTER_HOME="$home" bash scripts/demo.sh
  rm -rf "$home"
}

# --- Conformance vectors ----------------------------------------------------
# contract/vectors/ is generated from the Rust core and checked in; any change
# the generator makes, or any new file it writes, is drift and fails.

step_vectors() {
  section "vectors: regenerate contract/ and require no diff"
  if [[ ! -f scripts/gen-vectors.sh ]]; then
    echo "skipped: scripts/gen-vectors.sh does not exist yet (no vectors to regenerate)"
    return 0
  fi
  bash scripts/gen-vectors.sh
  if ! git diff --exit-code -- contract/; then
    echo "contract/ differs from what scripts/gen-vectors.sh writes: regenerate and commit it" >&2
    return 1
  fi
  local untracked
  untracked="$(git ls-files --others --exclude-standard -- contract/)"
  if [[ -n "$untracked" ]]; then
    printf 'the generator wrote files that are not committed:\n%s\n' "$untracked" >&2
    return 1
  fi
  echo "contract/ is up to date"
}

step_schemas() {
  section "schemas: contract/ against contract/schemas (JSON Schema 2020-12)"
  need_tools
  python scripts/check-schemas.py
}

# --- Fuzzing ------------------------------------------------------------------
# A smoke run of every libFuzzer target in fuzz/ (its own workspace), a few
# seconds each; longer runs: scripts/fuzz.sh TARGET SECONDS (docs/fuzzing.md).

step_fuzz() {
  local seconds="${CHARTER_FUZZ_SECONDS:-8}"
  section "fuzz: clippy on fuzz/, then every target for ${seconds}s each (scripts/fuzz.sh smoke)"
  CARGO_TARGET_DIR="${CHARTER_CACHE:-$HOME/.cache/charter}/fuzz/target-clippy" \
    cargo clippy --manifest-path fuzz/Cargo.toml --locked --bins -- -D warnings
  bash scripts/fuzz.sh smoke "$seconds"
  local seed="${CHARTER_CEL_SEED:-$RANDOM}"
  section "fuzz: the caveat language against a real CEL engine, 2000 random expressions, seed $seed (scripts/cel-differential.sh; CHARTER_CEL_SEED repeats a run)"
  bash scripts/cel-differential.sh 2000 "$seed"
}

# --- Bindings -----------------------------------------------------------------
# Each binding loads every vector in contract/vectors/ through its public API
# and checks its surface against contract/surface.json. Their scripts install
# what they need (idempotently, cached outside the repo) and can run alone.

# The binding suites run their store tests against SQLite and against a
# throwaway PostgreSQL server (scripts/postgres.sh, as in the postgres step):
# CHARTER_PG_URL names it, and CHARTER_REQUIRE_POSTGRES=1 makes a suite that
# does not get one fail instead of skipping those tests.
with_store_server() {
  bash scripts/postgres.sh run env CHARTER_REQUIRE_POSTGRES=1 "$@"
}

step_python() {
  section "python: bindings/python (maturin, mypy --strict, stubtest, pytest; stores on SQLite and PostgreSQL)"
  with_store_server bash scripts/test-python.sh
  python_ran=1
}

step_node() {
  section "node: bindings/node (napi-rs, tsc, node --test, jose interop, framework integrations)"
  # After the wasm and python steps of this run, the Hono-over-WASM test and
  # the cross-language MCP test (Python client and server) must not skip.
  CHARTER_REQUIRE_WASM="${wasm_built:-0}" CHARTER_REQUIRE_PYTHON="${python_ran:-0}" with_store_server bash scripts/test-node.sh
}

step_wasm() {
  section "wasm: bindings/wasm (wasm-bindgen, tsc, node --test, headless chromium)"
  bash scripts/test-wasm.sh
  wasm_built=1
}

step_uniffi() {
  section "uniffi: bindings/uniffi (clippy, generated-source drift, Kotlin on the JVM, Swift in a trixie chroot)"
  with_store_server bash scripts/test-uniffi.sh
}

# --- Repository hygiene -----------------------------------------------------

# The quick part of scripts/release-check.sh (which builds every package and is
# too slow for CI): every package names the same version and license.
step_release() {
  section "release: names, versions and licenses agree across packages (scripts/release-check.sh meta)"
  bash scripts/release-check.sh meta
}

step_actionlint() {
  section "actionlint: .github/workflows"
  need_tools
  actionlint -color=false
  echo "workflows OK"
}

step_shellcheck() {
  section "shellcheck: scripts/*.sh .ci/run"
  need_tools
  shellcheck -x scripts/*.sh .ci/run
  echo "scripts OK"
}

steps=("$@")
if [[ ${#steps[@]} == 0 ]]; then
  steps=("${ALL_STEPS[@]}")
fi
for s in "${steps[@]}"; do
  if ! declare -F "step_$s" >/dev/null; then
    echo "unknown step: $s (steps: ${ALL_STEPS[*]})" >&2
    exit 2
  fi
done
# A run must leave the checkout as it found it: a step that rewrites a
# tracked file (a lock file, a generated source) or leaves a file git does not
# ignore fails here, naming the files. On a clean clone (CI) that means
# `git status --porcelain` is empty at the end; in a working tree with edits
# of your own, only what the run itself changed is reported.
tree_state() {
  git status --porcelain=v1 --untracked-files=all
  git diff HEAD --binary | sha256sum
}
in_git=0
if git rev-parse --is-inside-work-tree >/dev/null 2>&1; then
  in_git=1
  tree_before="$(tree_state)"
fi
# Each step's wall time, printed at the end: CI must stay within its budget
# (README, "CI"), and this says which step to look at when it grows.
took=()
for s in "${steps[@]}"; do
  t0=$SECONDS
  "step_$s"
  took+=("$s $((SECONDS - t0))s")
done
if [[ $in_git == 1 ]]; then
  section "clean tree: the run changed no tracked file and left no untracked one"
  tree_after="$(tree_state)"
  if [[ "$tree_after" != "$tree_before" ]]; then
    git status --short >&2
    die "the run changed the checkout (above): commit what should be committed, or .gitignore what a run generates"
  fi
  echo "the checkout is as the run found it"
fi
printf '\n==> all passed: %s\n' "${steps[*]}"
printf 'time per step: %s\n' "$(printf '%s, ' "${took[@]}" | sed 's/, $//')"
