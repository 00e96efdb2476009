#!/usr/bin/env bash
# The Python binding's checks: builds bindings/python into a cached venv and
# runs mypy --strict (package, stubs, examples), stubtest (the .pyi against the
# built module) and pytest (vectors, surface drift, hostile inputs, threads,
# pymacaroons and PyJWT interop, README quickstart, example, bench smoke test,
# and the framework integrations against the real MCP SDK, OpenAI Agents SDK,
# LangChain/LangGraph and FastAPI, each pinned exactly).
#
#   scripts/test-python.sh            # build (release) + every check
#   CHARTER_CACHE=/tmp/c scripts/test-python.sh
#
# Idempotent: the venv lives outside the repo, under
# ${CHARTER_CACHE:-$HOME/.cache/charter}/py-venv, and is reused when its pins
# match. Tool versions are pinned exactly (checked with `pip index versions`).
set -euo pipefail

# shellcheck source=scripts/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
cd "$CHARTER_ROOT"
ROOT="$CHARTER_ROOT"

# Its own name (not py-venv): the framework pins make it a different venv, and
# a checkout still on the old pins keeps its own instead of rebuilding this one.
VENV="$CHARTER_CACHE/py-venv-frameworks"
PY="${PYTHON:-python3}"
PINS=(
  "maturin==1.16.0"
  "pytest==9.2.0"
  "mypy==2.4.1"
  "pymacaroons==0.13.0"
  "pyjwt[crypto]==2.15.1"
  # The framework integrations' tests run against these exact releases.
  "mcp==2.3.0"
  "openai-agents==0.24.0"
  "langchain-core==1.8.1"
  "langgraph==1.2.22"
  "fastapi==0.163.2"
  "httpx==0.28.1"
)

# One run at a time per cache: two checkouts installing their wheels into the
# one shared venv would test each other's builds.
cache_lock py-venv-frameworks

section "python: venv $VENV"
pinned_venv "$VENV" -- "${PINS[@]}"
"$VENV/bin/python" --version

section "python: maturin develop --release (bindings/python)"
# maturin finds the venv through VIRTUAL_ENV; the wheel is abi3 (CPython >= 3.10).
(cd bindings/python && VIRTUAL_ENV="$VENV" "$VENV/bin/maturin" develop --release --quiet)

section "python: mypy --strict (package, stubs, examples, tests, bench)"
(cd bindings/python && "$VENV/bin/python" -m mypy --strict \
  python/charter "$ROOT/examples/python" bench.py tests)

section "python: stubtest (_charter.pyi against the built module)"
(cd bindings/python && "$VENV/bin/python" -m mypy.stubtest charter._charter \
  --allowlist stubtest-allowlist.txt)

section "python: packaging: one abi3 wheel, and pip install into a fresh venv"
DIST="$(mktemp -d)"
FRESH="$(mktemp -d)"
trap 'rm -rf "$DIST" "$FRESH"' EXIT
(cd bindings/python && "$VENV/bin/maturin" build --release --quiet --out "$DIST")
mapfile -t wheels < <(find "$DIST" -name '*.whl')
if [[ ${#wheels[@]} != 1 || "${wheels[0]}" != *-abi3-* ]]; then
  printf 'expected exactly one abi3 wheel, got: %s\n' "${wheels[*]}" >&2
  exit 1
fi
echo "wheel: $(basename "${wheels[0]}")"
"$PY" -m venv "$FRESH/venv"
"$FRESH/venv/bin/python" -m pip install --quiet --disable-pip-version-check ./bindings/python
"$FRESH/venv/bin/python" - <<'PY'
import charter
root = charter.RootKey.generate()
cap = charter.Issuer(root).issue(actions=["read"], never_expires=True)
d = charter.Verifier([root], "svc").check(cap, charter.Request("a", "read", {}))
assert d.allowed, d
print("pip install ./bindings/python: import and check OK")
PY

section "python: pytest"
(cd bindings/python && "$VENV/bin/python" -m pytest -q -p no:cacheprovider "$@")
