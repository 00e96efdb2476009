#!/usr/bin/env bash
# A short, real walk through Charter with the `charter` command: a platform
# gives a shopping agent a capability, the agent narrows it for a sub-agent,
# and the shop decides two calls. Every step runs for real and is checked.
#
#   scripts/demo.sh
#
# Keys are kept in ${CHARTER_HOME:-.charter} (ignored by git) and reused on the
# next run. The demo exits 0 only if every decision comes out as narrated.
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."
ROOT="$(pwd)"
HOME_DIR="${CHARTER_HOME:-$ROOT/.charter}"

if [[ -t 1 ]]; then
  bold=$'\033[1m' plain=$'\033[0m'
else
  bold='' plain=''
fi
say() { printf '\n%s%s%s\n' "$bold" "$*" "$plain"; }
# Echoes a command (on stderr, so $(show ...) captures only its output), then runs it.
# Tokens are shown by their variable names, other arguments quoted as needed.
show() {
  local shown=() a
  # shellcheck disable=SC2016 # the variable names are shown literally, on purpose
  for a in "$@"; do
    if [[ -n "${TOKEN:-}" && "$a" == "$TOKEN" ]]; then
      shown+=('"$TOKEN"')
    elif [[ -n "${BUDGET:-}" && "$a" == "$BUDGET" ]]; then
      shown+=('"$BUDGET"')
    elif [[ "$a" =~ ^[A-Za-z0-9_./=-]+$ ]]; then
      shown+=("$a")
    else
      shown+=("'$a'")
    fi
  done
  printf '  $ %s\n' "${shown[*]}" >&2
  "$@"
}
fail() {
  printf '\ndemo FAILED: %s\n' "$*" >&2
  exit 1
}

say "Building the charter command (cargo build -p charter-cli)"
cargo build --quiet -p charter-cli
CHARTER="${CARGO_TARGET_DIR:-$ROOT/target}/debug/charter"
[[ -x "$CHARTER" ]] || fail "built binary not found at $CHARTER"
charter() { "$CHARTER" "$@"; }

mkdir -p "$HOME_DIR"
cd "$HOME_DIR"

say "1. The platform owner makes a root key. Only the platform and the shop (the verifier) ever hold it."
if [[ -f root.json ]]; then
  echo "  (reusing $HOME_DIR/root.json from an earlier run)"
else
  show charter keygen root --out root.json
fi

say "2. The platform mints a capability for its shopping agent: search and checkout, at the shop, for one hour."
TOKEN="$(show charter issue --root-key root.json --agent shopper --audience shop \
  --action search --action checkout --expires-in 1h)"
echo "  token: ${TOKEN:0:60}... (${#TOKEN} characters)"

say "3. Anyone can read a token. Reading is not trusting: inspect verifies nothing."
show charter inspect "$TOKEN"

say "4. The agent hands a sub-agent a narrower copy: checkouts of at most 100. No key is needed to narrow."
BUDGET="$(show charter attenuate "$TOKEN" --caveat 'args.amount <= 100')"
show charter inspect "$BUDGET" | tail -n 2

say "5. The shop decides a checkout of 80: every caveat holds."
show charter check "$BUDGET" --root-key root.json --audience shop --agent shopper \
  --action checkout --args '{"amount": 80}' || fail "a checkout of 80 should be allowed"

say "6. The shop decides a checkout of 250: the sub-agent's budget caveat fails (exit status 1)."
status=0
show charter check "$BUDGET" --root-key root.json --audience shop --agent shopper \
  --action checkout --args '{"amount": 250}' || status=$?
[[ $status == 1 ]] || fail "a checkout of 250 should be denied with exit status 1, got $status"

say "7. Narrowing never widens: an action the original token never allowed stays denied."
status=0
show charter check "$BUDGET" --root-key root.json --audience shop --agent shopper \
  --action delete_account --args '{"amount": 0}' || status=$?
[[ $status == 1 ]] || fail "delete_account should be denied with exit status 1, got $status"

say "8. A token from another platform (another root key) is refused."
[[ -f other-root.json ]] || charter keygen root --out other-root.json 2>/dev/null
status=0
show charter check "$BUDGET" --root-key other-root.json --audience shop --agent shopper \
  --action checkout --args '{"amount": 80}' || status=$?
[[ $status == 1 ]] || fail "an unknown root key should deny with exit status 1, got $status"

say "Done. Every decision above was made offline, in process. Keys are in $HOME_DIR."
