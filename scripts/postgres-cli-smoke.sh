#!/usr/bin/env bash
# The `charter` CLI against the throwaway PostgreSQL server over TLS, run by
# `scripts/test.sh postgres` as:
#
#   bash scripts/postgres.sh run bash scripts/postgres-cli-smoke.sh PATH/TO/charter
#
# As the TLS-only role (CHARTER_PG_TLS_URL): a revoke with sslmode=verify-full
# and the server's CA commits, and another process (sslmode=verify-ca) lists
# it; the same revoke with a CA that did not sign the server's certificate
# exits 2 with error[store_unavailable], and a CA file that is not PEM with
# error[invalid_argument].
set -euo pipefail

# shellcheck source=scripts/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

charter="${1:?usage: scripts/postgres-cli-smoke.sh PATH/TO/charter}"
for v in CHARTER_PG_TLS_URL CHARTER_PG_TLS_CA CHARTER_PG_TLS_OTHER_CA; do
  [[ -n "${!v:-}" ]] || die "$v is not set: run this under scripts/postgres.sh run (it sets it when openssl is there)"
done
store() { # sslmode ca-file
  printf '%s?connect_timeout=5&sslmode=%s&sslrootcert=%s' "$CHARTER_PG_TLS_URL" "$1" "$2"
}
# A fresh capability id: 16 random bytes, base64url without padding.
id="$(head -c 16 /dev/urandom | base64 | tr '+/' '-_' | tr -d '=\n')"

"$charter" revoke --store "$(store verify-full "$CHARTER_PG_TLS_CA")" "$id"
"$charter" revoke --store "$(store verify-ca "$CHARTER_PG_TLS_CA")" --list | grep -qxF "$id" ||
  die "cli smoke: the revoked id $id is not listed by a second process"
echo "cli smoke: revoked over verify-full, listed over verify-ca"

expect_error() { # code store-url
  local out rc=0
  out="$("$charter" revoke --store "$2" "$id" 2>&1)" || rc=$?
  [[ $rc == 2 && "$out" == *"error[$1]"* ]] ||
    die "cli smoke: expected exit 2 and error[$1], got exit $rc: $out"
  echo "cli smoke: error[$1] as expected: ${out:0:160}"
}
expect_error store_unavailable "$(store verify-full "$CHARTER_PG_TLS_OTHER_CA")"
not_pem="$(mktemp)"
trap 'rm -f "$not_pem"' EXIT
printf 'not a certificate\n' >"$not_pem"
expect_error invalid_argument "$(store verify-full "$not_pem")"
