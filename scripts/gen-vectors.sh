#!/usr/bin/env bash
# Regenerates contract/vectors/*.json and contract/errors.json from the Rust core.
# CI runs this and then `git diff --exit-code -- contract/`: vectors change only
# in the same commit as the code that changes them.
set -euo pipefail
cd "$(dirname "$0")/.."
cargo run --quiet -p charter-vectors -- contract
