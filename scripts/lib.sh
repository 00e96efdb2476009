# shellcheck shell=bash
# Helpers shared by scripts/*.sh. Source it, never run it:
#
#   # shellcheck source=scripts/lib.sh
#   source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
#
# It defines functions and two variables and changes nothing else (no cd, no
# set -e), so sourcing it twice is harmless:
#
#   CHARTER_ROOT    the repository root (the parent of this file's directory)
#   CHARTER_CACHE   where downloads and builds are cached, outside the repo:
#                   ${CHARTER_CACHE:-$HOME/.cache/charter}

# shellcheck disable=SC2034 # read by the scripts that source this file
CHARTER_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
CHARTER_CACHE="${CHARTER_CACHE:-$HOME/.cache/charter}"

# section [TEXT...]: a heading in the log, "==> $SECTION_PREFIX TEXT". A script
# whose output is mixed into scripts/test.sh's sets SECTION_PREFIX ("node: ").
section() {
  printf '\n==> %s%s\n' "${SECTION_PREFIX:-}" "$*"
}

# die MESSAGE...: prints MESSAGE to stderr and exits 1.
die() {
  printf '%s\n' "$*" >&2
  exit 1
}

# need_cmd COMMAND [HINT]: fails with HINT unless COMMAND is on PATH.
need_cmd() {
  command -v "$1" >/dev/null 2>&1 || die "${2:-$1 is not installed}"
}

# as_root COMMAND...: runs COMMAND as root (directly when already root, else sudo).
as_root() {
  if [[ "$(id -u)" == 0 ]]; then "$@"; else sudo "$@"; fi
}

# apt_install [APT-GET OPTION...] PACKAGE...: installs Debian packages
# non-interactively, quietly, with apt-get's output on stderr (so a script whose
# stdout is its result keeps it clean). A failed `apt-get update` (no network,
# a stale mirror) is not fatal: the install then says what is missing.
apt_install() {
  as_root apt-get update -qq >&2 || true
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@" >&2
}

# stamp_matches STAMP TEXT: whether the file STAMP holds exactly TEXT.
# stamp_write STAMP TEXT: records TEXT in STAMP (written last, after the work
# it vouches for, so an interrupted run is redone the next time).
stamp_matches() {
  [[ -f "$1" && "$(cat "$1")" == "$2" ]]
}
stamp_write() {
  printf '%s' "$2" >"$1"
}

# pinned_venv DIR [PIP-OPTION...] -- REQUIREMENT...: a Python venv at DIR holding
# exactly REQUIREMENT... (pinned specifiers such as pytest==9.2.0). It is reused
# while its stamp lists the same requirements; otherwise it is made afresh with
# ${PYTHON:-python3} and pip installs them (with PIP-OPTION..., e.g.
# --only-binary :all:). Returns with DIR/bin/python ready.
pinned_venv() {
  local dir=$1 opts=() reqs
  shift
  while [[ $# -gt 0 && "$1" != -- ]]; do
    opts+=("$1")
    shift
  done
  [[ "${1:-}" == -- ]] || die "pinned_venv: usage: pinned_venv DIR [PIP-OPTION...] -- REQUIREMENT..."
  shift
  reqs="$*"
  local stamp="$dir/.charter-pins"
  if [[ -x "$dir/bin/python" ]] && stamp_matches "$stamp" "$reqs"; then
    echo "venv: reusing $dir ($reqs)"
    return 0
  fi
  echo "venv: installing $reqs into $dir"
  rm -rf "$dir"
  mkdir -p "$(dirname "$dir")"
  "${PYTHON:-python3}" -m venv "$dir"
  "$dir/bin/python" -m pip install --quiet --disable-pip-version-check "${opts[@]}" "$@"
  stamp_write "$stamp" "$reqs"
}

# cache_lock NAME: takes an exclusive lock on $CHARTER_CACHE/NAME.lock, held on
# file descriptor 9 until the script exits, waiting (and saying so) while another
# run holds it. For caches that two checkouts must not use at once.
cache_lock() {
  mkdir -p "$CHARTER_CACHE"
  exec 9>"$CHARTER_CACHE/$1.lock"
  if ! flock -n 9; then
    echo "${0##*/}: waiting for another run that uses $CHARTER_CACHE/$1.lock" >&2
    flock 9
  fi
}

# npm_deps DIR COMMAND...: runs COMMAND (npm ci, npm install ...) in DIR unless
# DIR/node_modules was installed from the same package-lock.json, judged by a
# SHA-256 stamp in node_modules.
npm_deps() {
  local dir=$1 stamp want
  shift
  stamp="$dir/node_modules/.charter-lock-sha256"
  want="$(sha256sum "$dir/package-lock.json" | cut -d' ' -f1)"
  if stamp_matches "$stamp" "$want"; then
    echo "reusing node_modules (package-lock.json unchanged)"
    return 0
  fi
  (cd "$dir" && "$@")
  stamp_write "$stamp" "$want"
}
