#!/usr/bin/env bash
# A throwaway PostgreSQL server for the tests: a real server, never a mock.
#
#   bash scripts/postgres.sh run CMD...   # start a cluster, run CMD, stop it
#   bash scripts/postgres.sh install      # only install PostgreSQL (idempotent)
#
#   # shellcheck source=scripts/postgres.sh
#   source scripts/postgres.sh; with_postgres CMD...
#
# What it does:
#   1. Finds the newest PostgreSQL server (/usr/lib/postgresql/*/bin, Debian's
#      layout, or CHARTER_PG_BIN). When there is none it installs Debian's
#      `postgresql` package (apt-get install -y; `apt-get update` only when the
#      package is not found), and `openssl` when the command is missing.
#      Installed once, reused afterwards.
#   2. Makes a new cluster (initdb) in a temporary directory, owned by an
#      unprivileged user: the current user, or the `postgres` system user when
#      run as root (the server refuses to run as root).
#   3. Starts it on a free port on 127.0.0.1 only (its Unix socket in the same
#      temporary directory, nothing in /var/run), with trust authentication
#      for the one local user `charter`, and creates the database `charter`.
#   4. Runs CMD with these variables exported:
#        CHARTER_PG_URL    postgres://charter@127.0.0.1:PORT/charter
#        CHARTER_PG_CTL    a pg_ctl for this cluster (data dir and log bound,
#                          run as the cluster's owner): `$CHARTER_PG_CTL stop
#                          -m fast -w`, `$CHARTER_PG_CTL start -w`, `restart`
#        CHARTER_PG_DATA   the cluster's data directory
#      and, when `openssl` is there (the server then also speaks TLS):
#        CHARTER_PG_TLS_CA the CA (PEM) that signed the certificate the
#                          server presents for 127.0.0.1
#        CHARTER_PG_TLS_OTHER_CA  a CA (PEM) of the same name that did not
#                          sign it (a wrong CA: verification must fail)
#        CHARTER_PG_TLS_URL postgres://charter_tls@127.0.0.1:PORT/charter, a
#                          role the server admits over TLS only (add
#                          ?sslmode=verify-full&sslrootcert=$CHARTER_PG_TLS_CA)
#      The tests restart the server through CHARTER_PG_CTL.
#   5. Stops the server (pg_ctl stop -m immediate) and deletes the directory
#      when CMD ends, fails, or the script is interrupted: no cluster is left
#      running. The exit status is CMD's.
# Sourcing it only defines functions (with_postgres, pg_start, pg_stop,
# pg_install) and changes no shell option.

# shellcheck source=scripts/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

CHARTER_PG_BASE=""

# pg_bin_dir: prints the newest PostgreSQL bin directory, or fails.
pg_bin_dir() {
  if [[ -n "${CHARTER_PG_BIN:-}" ]]; then
    [[ -x "$CHARTER_PG_BIN/initdb" ]] || die "CHARTER_PG_BIN=$CHARTER_PG_BIN has no initdb"
    printf '%s\n' "$CHARTER_PG_BIN"
    return 0
  fi
  local dir
  dir="$(find /usr/lib/postgresql -mindepth 2 -maxdepth 2 -name bin -type d 2>/dev/null | sort -V | tail -n 1)"
  [[ -n "$dir" && -x "$dir/initdb" && -x "$dir/pg_ctl" ]] || return 1
  printf '%s\n' "$dir"
}

# pg_install: installs Debian's postgresql when no server is found, and
# openssl (the server's TLS certificates) when the command is missing.
pg_install() {
  local need=()
  pg_bin_dir >/dev/null || need+=(postgresql)
  command -v openssl >/dev/null 2>&1 || need+=(openssl)
  if ((${#need[@]} == 0)); then
    return 0
  fi
  echo "postgres: installing Debian's ${need[*]} (not found)" >&2
  local apt=(env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${need[@]}")
  if ! as_root "${apt[@]}" >&2; then
    echo "postgres: package not found in the apt lists; running apt-get update" >&2
    as_root apt-get update -qq >&2
    as_root "${apt[@]}" >&2
  fi
  # The package starts a system cluster on 5432; ours do not need it.
  pg_bin_dir >/dev/null || die "postgres: installed postgresql but found no /usr/lib/postgresql/*/bin/initdb"
}

# own PATH...: hands PATH to the cluster's owner (when run as root).
own() {
  if [[ "$(id -u)" == 0 ]]; then
    chown postgres: "$@"
  fi
}

# as_owner COMMAND...: runs COMMAND as the cluster's unprivileged owner.
as_owner() {
  if [[ "$(id -u)" == 0 ]]; then
    runuser -u postgres -- "$@"
  else
    "$@"
  fi
}

# pg_certificates BASE: in BASE, ca.pem (a throwaway CA), other-ca.pem (a CA
# of the same name that signed nothing) and data/server.{crt,key} (the
# server's certificate for 127.0.0.1, signed by ca.pem), valid for 2 days.
pg_certificates() {
  local base="$1" ca_name="/CN=charter throwaway test CA"
  openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj "$ca_name" \
    -keyout "$base/ca.key" -out "$base/ca.pem" &&
    openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj "$ca_name" \
      -keyout "$base/other-ca.key" -out "$base/other-ca.pem" &&
    openssl req -newkey rsa:2048 -nodes -subj "/CN=127.0.0.1" \
      -keyout "$base/data/server.key" -out "$base/server.csr" &&
    printf '%s\n' "basicConstraints = critical, CA:FALSE" \
      "keyUsage = critical, digitalSignature, keyEncipherment" \
      "extendedKeyUsage = serverAuth" "subjectAltName = IP:127.0.0.1" >"$base/server.ext" &&
    openssl x509 -req -in "$base/server.csr" -CA "$base/ca.pem" -CAkey "$base/ca.key" \
      -set_serial "0x$(od -An -N8 -tx1 /dev/urandom | tr -d ' \n')" -days 2 \
      -extfile "$base/server.ext" -out "$base/data/server.crt" &&
    chmod 600 "$base/data/server.key" &&
    rm -f "$base/ca.key" "$base/other-ca.key" "$base/server.csr" "$base/server.ext"
}

# pg_start: a new cluster, started; exports CHARTER_PG_URL, CHARTER_PG_CTL,
# CHARTER_PG_DATA and (with openssl) CHARTER_PG_TLS_CA, CHARTER_PG_TLS_OTHER_CA,
# CHARTER_PG_TLS_URL.
pg_start() {
  pg_install
  local bin base port try
  bin="$(pg_bin_dir)"
  if [[ "$(id -u)" == 0 ]]; then
    id postgres >/dev/null 2>&1 || die "postgres: run as root, but there is no 'postgres' user to own the cluster"
  fi
  base="$(mktemp -d "${TMPDIR:-/tmp}/charter-pg.XXXXXX")"
  CHARTER_PG_BASE="$base"
  chmod 700 "$base"
  own "$base"
  as_owner "$bin/initdb" -D "$base/data" -U charter -A trust -E UTF8 --locale=C.UTF-8 --no-sync \
    --no-instructions >"$base/initdb.log" 2>&1 ||
    { cat "$base/initdb.log" >&2; die "postgres: initdb failed"; }

  # TLS: a throwaway CA (2 days) and a server certificate it signs for
  # 127.0.0.1 (CA:FALSE, serverAuth: what a verifying client such as rustls
  # accepts; a self-signed CA certificate used as the server's is refused),
  # a second CA of the same name that signed nothing (a wrong CA), and a role
  # that the server admits over TLS only, so a test can tell TLS was used.
  local ssl_conf=""
  if command -v openssl >/dev/null 2>&1; then
    if pg_certificates "$base" >"$base/openssl.log" 2>&1; then
      own "$base/data/server.key" "$base/data/server.crt"
      ssl_conf="ssl = on"
      local hba
      hba="$(cat "$base/data/pg_hba.conf")"
      printf 'hostssl all charter_tls 127.0.0.1/32 trust\nhost all charter_tls 0.0.0.0/0 reject\n%s\n' \
        "$hba" >"$base/data/pg_hba.conf"
    else
      echo "postgres: openssl could not make the certificates; the server speaks no TLS" >&2
      cat "$base/openssl.log" >&2
    fi
  fi

  # pg_ctl bound to this cluster, runnable by the tests.
  cat >"$base/pg_ctl" <<EOF
#!/usr/bin/env bash
# pg_ctl for the throwaway cluster in $base (scripts/postgres.sh)
set -euo pipefail
if [[ "\$(id -u)" == 0 ]]; then
  exec runuser -u postgres -- "$bin/pg_ctl" -D "$base/data" -l "$base/server.log" "\$@"
fi
exec "$bin/pg_ctl" -D "$base/data" -l "$base/server.log" "\$@"
EOF
  chmod 755 "$base/pg_ctl"
  own "$base/pg_ctl"

  for try in 1 2 3 4 5 6 7 8; do
    port=$((20000 + RANDOM % 30000))
    # Everything the server needs to come up again after `pg_ctl stop` lives
    # in its config, so a plain `pg_ctl start` (the restart tests) reuses it.
    cat >"$base/data/postgresql.auto.conf" <<EOF
port = $port
listen_addresses = '127.0.0.1'
unix_socket_directories = '$base'
max_connections = 200
$ssl_conf
EOF
    own "$base/data/postgresql.auto.conf"
    if "$base/pg_ctl" start -w -t 30 >/dev/null 2>&1; then
      break
    fi
    echo "postgres: could not start on port $port (try $try); see below" >&2
    tail -n 3 "$base/server.log" >&2 || true
    port=""
  done
  [[ -n "$port" ]] || { pg_stop; die "postgres: the server did not start"; }
  as_owner "$bin/createdb" -h 127.0.0.1 -p "$port" -U charter charter
  if [[ -n "$ssl_conf" ]]; then
    as_owner "$bin/psql" -q -h 127.0.0.1 -p "$port" -U charter -d charter \
      -c "CREATE ROLE charter_tls LOGIN SUPERUSER" >/dev/null
    export CHARTER_PG_TLS_CA="$base/ca.pem"
    export CHARTER_PG_TLS_OTHER_CA="$base/other-ca.pem"
    export CHARTER_PG_TLS_URL="postgres://charter_tls@127.0.0.1:$port/charter"
  fi
  export CHARTER_PG_URL="postgres://charter@127.0.0.1:$port/charter"
  export CHARTER_PG_CTL="$base/pg_ctl"
  export CHARTER_PG_DATA="$base/data"
  echo "postgres: $("$bin/postgres" --version) at $CHARTER_PG_URL (data $CHARTER_PG_DATA)"
}

# pg_stop: stops the cluster pg_start made (if it runs) and deletes it.
pg_stop() {
  local base="$CHARTER_PG_BASE"
  [[ -n "$base" ]] || return 0
  CHARTER_PG_BASE=""
  if [[ -f "$base/data/postmaster.pid" ]]; then
    "$base/pg_ctl" stop -m immediate -w -t 30 >/dev/null 2>&1 ||
      echo "postgres: pg_ctl stop failed; see $base/server.log" >&2
  fi
  if [[ -f "$base/data/postmaster.pid" ]]; then
    echo "postgres: the server in $base is still running; kept for a look" >&2
    return 1
  fi
  rm -rf "$base"
  unset CHARTER_PG_URL CHARTER_PG_CTL CHARTER_PG_DATA CHARTER_PG_TLS_CA CHARTER_PG_TLS_OTHER_CA \
    CHARTER_PG_TLS_URL
}

# with_postgres CMD...: starts a cluster, runs CMD, stops the cluster even
# when CMD fails or the shell is interrupted; returns CMD's status.
with_postgres() {
  trap 'pg_stop' EXIT
  trap 'exit 130' INT
  trap 'exit 143' TERM
  pg_start
  local rc=0
  "$@" || rc=$?
  if [[ $rc != 0 && -n "$CHARTER_PG_BASE" ]]; then
    echo "postgres: last lines of the server log:" >&2
    tail -n 20 "$CHARTER_PG_BASE/server.log" >&2 || true
  fi
  pg_stop || rc=$((rc == 0 ? 1 : rc))
  trap - EXIT INT TERM
  return "$rc"
}

if [[ "${BASH_SOURCE[0]}" == "$0" ]]; then
  set -euo pipefail
  case "${1:-}" in
    run)
      shift
      [[ $# -gt 0 ]] || die "usage: scripts/postgres.sh run CMD..."
      with_postgres "$@"
      ;;
    install)
      pg_install
      echo "postgres: server binaries in $(pg_bin_dir)"
      ;;
    *)
      die "usage: scripts/postgres.sh run CMD... | install"
      ;;
  esac
fi
