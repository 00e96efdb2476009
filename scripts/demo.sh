#!/usr/bin/env bash
# The Charter story, told with the `charter` command. A platform gives its
# shopping agent a capability; the agent narrows it for a sub-agent; a gateway
# turns the sub-agent's allowed refund into a permit and denies one over the
# limit; the payments tool verifies the permit offline, once; an auditor
# verifies the signed receipts and catches a tampered copy. Every step runs for
# real and its outcome (exit status) is checked.
#
#   scripts/demo.sh
#
# Files go to ${CHARTER_HOME:-.charter}/demo, which every run starts afresh.
# `charter demo` tells the same story in one process. This script exits 0 only
# if every step behaved as narrated.
set -euo pipefail

# shellcheck source=scripts/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
cd "$CHARTER_ROOT"
ROOT="$CHARTER_ROOT"
HOME_DIR="${CHARTER_HOME:-$ROOT/.charter}"
DEMO="$HOME_DIR/demo"
MARKER=.charter-demo

if [[ -t 1 ]]; then
  bold=$'\033[1m' plain=$'\033[0m'
else
  bold='' plain=''
fi
say() { printf '\n%s%s%s\n' "$bold" "$*" "$plain"; }
detail() { printf '%s\n' "$@" | sed 's/^/   /'; }
fail() {
  printf '\ndemo FAILED: %s\n' "$1" >&2
  [[ -z "${2:-}" ]] || printf '%s\n' "$2" | sed 's/^/   | /' >&2
  exit 1
}

# run STATUS charter ARGS...: runs a command, keeps its stdout in $OUT and its
# stderr in $ERR, and fails the demo unless it exits with STATUS. It shows the
# command up to its first option (the full commands are in this script).
run() {
  local want=$1 shown=() a status=0
  shift
  for a in "$@"; do
    [[ "$a" == --* ]] && break
    # shellcheck disable=SC2016 # the variable names are shown literally, on purpose
    case "$a" in
      "${CAP:-}") a='"$CAP"' ;;
      "${SUB:-}") a='"$SUB"' ;;
      "${PERMIT:-}") a='"$PERMIT"' ;;
    esac
    shown+=("$a")
  done
  printf '   $ %s …\n' "${shown[*]}"
  OUT="$("$@" 2>"$DEMO/stderr.txt")" || status=$?
  ERR="$(<"$DEMO/stderr.txt")"
  [[ $status == "$want" ]] || fail "expected exit status $want, got $status: $*" "$ERR"
}

say "Building the charter command (cargo build -p charter-cli)"
cargo build --quiet -p charter-cli
CHARTER="${CARGO_TARGET_DIR:-$ROOT/target}/debug/charter"
[[ -x "$CHARTER" ]] || fail "built binary not found at $CHARTER"
charter() { "$CHARTER" "$@"; }
command -v python3 >/dev/null || fail "python3 is needed to tamper with a bundle in step 10"

# A fresh demo directory on every run; never clear a directory we did not make.
if [[ -e "$DEMO" ]]; then
  if [[ -n "$(ls -A "$DEMO")" && ! -f "$DEMO/$MARKER" ]]; then
    fail "refusing to clear $DEMO: it was not made by this demo (no $MARKER file)"
  fi
  rm -rf "$DEMO"
fi
mkdir -p "$DEMO"
echo "made by scripts/demo.sh; cleared on its next run" >"$DEMO/$MARKER"
cd "$DEMO"

say "1. Four keys. The platform's root key mints and checks capabilities; the gateway signs
   permits with its own key; the audit log signs receipts with another; the sub-agent
   (refund-bot) has a key of its own."
for key in permits audit-key refund-bot; do
  run 0 charter keygen signing --out "$key.json"
done
run 0 charter keygen root --out root.json
BOT_KID="$(sed -n 's/^  "kid": "\(.*\)",$/\1/p' refund-bot.json)"
[[ -n "$BOT_KID" ]] || fail "no kid in refund-bot.json"

say "2. The platform mints a capability for its shopping agent: refunds of at most 50.00 USD
   (amounts in cents, exact integers) and reading orders, for one hour."
LIMIT='action != "payments.refund" || (args.amount_cents <= 5000 && args.currency == "USD")'
run 0 charter issue --root-key root.json --agent shopper \
  --action payments.refund --action orders.read --expires-in 1h --caveat "$LIMIT"
CAP="$OUT"
detail "$(charter inspect "$CAP" | sed -n 's/^    //p')"

say "3. The shopping agent narrows it for its sub-agent, offline and with no key: refunds only,
   and only for whoever holds refund-bot's key."
run 0 charter attenuate "$CAP" --caveat 'action == "payments.refund"' --holder "$BOT_KID"
SUB="$OUT"
detail "$(charter inspect "$SUB" | sed -n 's/^    \(\[[45]\]\)/\1/p')"

# The gateway in front of the payments tool: its keys, its audit log, its memory of proofs.
GATEWAY=(--root-key root.json --permit-key permits.json --issuer shop-gateway
  --log audit.log --log-key audit-key.json --store sqlite://gateway-seen.db --audience payments)
SMALL='{"amount_cents": 1999, "currency": "USD", "order": "A-1001"}'
LARGE='{"amount_cents": 7500, "currency": "USD", "order": "A-1002"}'

say "4. refund-bot asks the payments gateway to refund 19.99 USD, with a proof that it holds its
   key. The gateway checks every caveat, signs a permit for exactly this call, records it."
run 0 charter prove "$SUB" --key refund-bot.json --audience payments --agent shopper \
  --action payments.refund --args "$SMALL"
PROOF="$OUT"
run 0 charter guard protect "$SUB" "${GATEWAY[@]}" --agent shopper \
  --action payments.refund --args "$SMALL" --proof "$PROOF"
PERMIT="$OUT"
detail "ALLOWED: permit ${PERMIT:0:32}… (${#PERMIT} characters)" "$ERR"

say "5. refund-bot asks for 75.00 USD: over the platform's limit, so the gateway denies it and
   says which caveat failed (exit status 1). The denial is recorded too."
run 0 charter prove "$SUB" --key refund-bot.json --audience payments --agent shopper \
  --action payments.refund --args "$LARGE"
PROOF="$OUT"
run 1 charter guard protect "$SUB" "${GATEWAY[@]}" --agent shopper \
  --action payments.refund --args "$LARGE" --proof "$PROOF"
[[ "$OUT" == *"caveat_failed (caveat 3)"* ]] || fail "the denial should name the refund limit (caveat 3)" "$OUT"
detail "$OUT" "$ERR"

say "6. The payments tool verifies the permit offline, with only the gateway's public keys
   (a JWKS), before it moves any money: signature, audience, action, exact arguments, once."
run 0 charter keys jwks --signing-key permits.json
printf '%s\n' "$OUT" >jwks.json
run 0 charter permit verify "$PERMIT" --jwks jwks.json --audience payments \
  --action payments.refund --args "$SMALL" --store sqlite://payments-seen.db
detail "$(printf '%s\n' "$OUT" | sed -n '1p;/agent:/p;/action:/p;/permit id:/p')"

say "7. Someone replays the same permit (a new process, the same store): refused, it is
   single-use (exit status 1)."
run 1 charter permit verify "$PERMIT" --jwks jwks.json --audience payments \
  --action payments.refund --args "$SMALL" --store sqlite://payments-seen.db
[[ "$OUT" == *"replayed"* ]] || fail "the replay should be refused as replayed" "$OUT"
detail "$OUT"

say "8. Every decision is a signed receipt, hash-chained to the one before, one line each in
   audit.log on disk."
[[ "$(wc -l <audit.log)" -eq 2 ]] || fail "audit.log should hold 2 receipts" "$(cat audit.log)"
detail "$(sed -n 's/.*"decision":"\([a-z]*\)".*"seq":\([0-9]*\).*/receipt \2: \1/p' audit.log)"

say "9. The log is exported as a bundle; an auditor verifies it offline with the log's public
   key: nothing removed, reordered or altered."
run 0 charter audit export --log audit.log --signing-key audit-key.json --out bundle.json
run 0 charter keys jwks --signing-key audit-key.json
printf '%s\n' "$OUT" >audit-jwks.json
run 0 charter audit verify bundle.json --jwks audit-jwks.json
detail "$OUT"

say "10. Someone edits a copy to turn the denied refund into an allowed one. The auditor's
    check rejects it and names the altered receipt (exit status 1)."
python3 - bundle.json bundle-tampered.json <<'EOF'
import json, sys
with open(sys.argv[1], encoding="utf-8") as f:
    bundle = json.load(f)
bundle["receipts"][1]["decision"] = "allow"
bundle["receipts"][1]["reasons"] = []
with open(sys.argv[2], "w", encoding="utf-8") as f:
    f.write(json.dumps(bundle, sort_keys=True, separators=(",", ":"), ensure_ascii=False) + "\n")
EOF
run 1 charter audit verify bundle-tampered.json --jwks audit-jwks.json
[[ "$OUT" == *"receipt 1 "* ]] || fail "the rejection should name receipt 1" "$OUT"
detail "$OUT"

rm -f stderr.txt
say "Done: every step behaved as told, offline. Files are in $DEMO."
