#!/usr/bin/env bash
# Regenerates contract/vectors/*.json and contract/errors.json from the Rust core.
# CI runs this and then `git diff --exit-code -- contract/`: vectors change only
# in the same commit as the code that changes them.
set -euo pipefail
# shellcheck source=scripts/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
cd "$CHARTER_ROOT"
cargo run --quiet -p charter-vectors -- contract
