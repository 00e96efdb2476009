#!/usr/bin/env bash
# Builds, on this machine, every release artifact that can be built on Linux
# and tests each on both architectures (aarch64 under qemu-user), the local
# half of .github/workflows/release.yml:
#
#   1. metadata: names, versions and licenses agree across Cargo, pyproject,
#      the npm packages (main, per platform, WASM) and Gradle
#      (scripts/check-release-meta.py);
#   2. Python: manylinux2014 and musllinux_1_2 wheels for x86_64 and aarch64
#      (abi3) and the sdist (scripts/build-wheels.sh, auditwheel-checked); the
#      pytest suite on the x86_64 manylinux wheel, on the aarch64 one under
#      qemu, and on a wheel pip builds from the sdist;
#   3. Node: the npm packages charter-linux-x64-gnu, charter-linux-arm64-gnu
#      and charter (scripts/build-npm.sh); each platform package installed
#      from its tarball into a fresh project with the main package and the
#      README quickstart run there (arm64 with an arm64 Node under qemu), and
#      the whole node --test suite run against each addon;
#   4. crates: cargo package for charter-core and charter-cli (--no-verify:
#      the tests ran in scripts/test.sh);
#   5. WASM: scripts/test-wasm.sh, then npm pack of @charter/wasm, and its
#      vectors run by an arm64 Node under qemu.
#
#   scripts/release-check.sh              # everything (about 45 minutes on 2 busy cores, cold; see README)
#   scripts/release-check.sh meta python  # only some steps: meta python node crates wasm (node-test)
#
# Not part of scripts/test.sh (too slow for CI); `scripts/test.sh release`
# runs step 1 alone. Artifacts: ${CHARTER_DIST:-$CHARTER_CACHE/dist}
# (python/, npm/, crates/, wasm/). Builds go to $CHARTER_CACHE/pkg/target.
# The musllinux wheels and musl npm packages are built and checked (auditwheel,
# readelf) but not run: this machine has no musl Python or Node.
set -euo pipefail

# shellcheck source=scripts/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
# shellcheck source=scripts/setup-aarch64.sh
source "$CHARTER_ROOT/scripts/setup-aarch64.sh"
cd "$CHARTER_ROOT"

ALL_STEPS=(meta python node crates wasm)
# node-test: the tests of node, on the packages a previous run built.
KNOWN_STEPS=("${ALL_STEPS[@]}" node-test)
steps=("$@")
[[ ${#steps[@]} -gt 0 ]] || steps=("${ALL_STEPS[@]}")
for s in "${steps[@]}"; do
  [[ " ${KNOWN_STEPS[*]} " == *" $s "* ]] || die "release-check.sh: unknown step '$s' (steps: ${KNOWN_STEPS[*]})"
done

export CHARTER_DIST="${CHARTER_DIST:-$CHARTER_CACHE/dist}"
export CARGO_INCREMENTAL=0
PY_PINS=("pytest==9.2.0" "pymacaroons==0.13.0" "pyjwt[crypto]==2.15.1")
started=$SECONDS
# The tree as it was: the check fails if the builds change it.
tree_before="$(git status --porcelain 2>/dev/null || true)"
summary=()
done_step() {
  summary+=("$1")
  echo "ok: $1"
}

step_meta() {
  section "release: metadata agrees across every package"
  python3 scripts/check-release-meta.py
  done_step "metadata"
}

# run_pytest PYTHON SITE LABEL: the binding's pytest suite, charter imported
# from SITE (a --target install) when SITE is set, else from PYTHON's venv.
run_pytest() {
  local py=$1 site=$2 label=$3 out
  section "release: pytest on $label"
  out="$(cd bindings/python && PYTHONPATH="$site" "$py" -c 'import charter, platform; print(platform.machine(), charter.__file__)')"
  echo "charter from: $out"
  [[ $out != *"/bindings/python/"* ]] || die "pytest on $label would import the source tree, not the wheel"
  (cd bindings/python && PYTHONPATH="$site" "$py" -m pytest -q -p no:cacheprovider)
  done_step "pytest: $label"
}

step_python() {
  bash scripts/build-wheels.sh
  local dist="$CHARTER_DIST/python" whl
  charter_aarch64_setup

  # x86_64: a venv of the host's Python with the test pins and the wheel.
  local venv="$CHARTER_CACHE/pkg/x86_64-test-venv"
  pinned_venv "$venv" -- "${PY_PINS[@]}"
  whl="$(find "$dist" -name 'charter-*-manylinux*_x86_64.whl')"
  "$venv/bin/python" -m pip install --quiet --disable-pip-version-check --force-reinstall --no-deps "$whl"
  run_pytest "$venv/bin/python" "" "${whl##*/} (x86_64)"

  # aarch64: the wheel and the test pins installed for aarch64 into a
  # directory, imported by Debian's arm64 Python under qemu.
  local site="$CHARTER_CACHE/pkg/aarch64-site"
  whl="$(find "$dist" -name 'charter-*-manylinux*_aarch64.whl')"
  rm -rf "$site"
  python3 -m pip install --quiet --disable-pip-version-check --target "$site" \
    --platform manylinux2014_aarch64 --platform manylinux_2_17_aarch64 --platform manylinux_2_28_aarch64 \
    --python-version 3.11 --implementation cp --only-binary=:all: "${PY_PINS[@]}" "$whl"
  run_pytest "$AARCH64_PYTHON" "$site" "${whl##*/} (aarch64, qemu)"

  # The sdist: pip builds a wheel from it (maturin, the pinned backend), then the suite.
  section "release: pip install of the sdist into a fresh venv"
  local sdist fresh
  sdist="$(find "$dist" -name 'charter-*.tar.gz')"
  fresh="$(mktemp -d)"
  python3 -m venv "$fresh/venv"
  "$fresh/venv/bin/python" -m pip install --quiet --disable-pip-version-check "${PY_PINS[@]}"
  CARGO_TARGET_DIR="$CHARTER_CACHE/pkg/target" nice "$fresh/venv/bin/python" -m pip install --quiet --disable-pip-version-check "$sdist"
  run_pytest "$fresh/venv/bin/python" "" "${sdist##*/} (built by pip, x86_64)"
  rm -rf "$fresh"
}

# node_quickstart NODE PLATFORM CPU: installs charter and charter-PLATFORM from
# their tarballs into a fresh project with npm run by NODE, and runs the
# README quickstart there.
node_quickstart() {
  local node=$1 platform=$2 cpu=$3 dist="$CHARTER_DIST/npm" project version
  version="$(node -p 'require("./bindings/node/package.json").version')"
  section "release: npm install charter + charter-$platform (tarballs) and the README quickstart, $cpu"
  project="$(mktemp -d)"
  printf '{"name":"app","version":"1.0.0","private":true}\n' >"$project/package.json"
  # --offline: the other platforms' optional packages are not fetched (and
  # are left out, as npm does for a platform that does not match).
  # npm itself runs on NODE: npm refuses a package whose cpu is not the one
  # it runs on, as it would for a user on that machine.
  local npm_cli
  npm_cli="$(npm root -g)/npm/bin/npm-cli.js"
  (cd "$project" && "$node" "$npm_cli" install --no-audit --no-fund --offline --cache "$CHARTER_CACHE/npm" \
    "$dist/charter-$version.tgz" "$dist/charter-$platform-$version.tgz" >/dev/null)
  [[ -f "$project/node_modules/charter-$platform/charter.$platform.node" ]] ||
    die "npm did not install charter-$platform's addon"
  awk '/<!-- quickstart:begin -->/ { inside = 1; next } /<!-- quickstart:end -->/ { inside = 0 }
    inside && /^```/ { next } inside { print }' bindings/node/README.md >"$project/quickstart.js"
  local out
  out="$(cd "$project" && "$node" quickstart.js)"
  printf '%s\n' "$out"
  [[ $out == "denied: "*"args.amount <= 100"* ]] || die "the quickstart printed something else on $platform"
  (cd "$project" && "$node" -e 'const p = require.resolve("charter-'"$platform"'"); if (!p.includes("node_modules")) process.exit(1)')
  rm -rf "$project"
  done_step "npm quickstart: charter-$platform"
}

# node_suite NODE PLATFORM ADDON: the whole node --test suite with ADDON as
# bindings/node/charter.PLATFORM.node (git-ignored). Each file runs in its own
# process started by the script (node --test would start them through
# process.execPath, which the host cannot execute for an aarch64 Node).
node_suite() {
  local node=$1 platform=$2 addon=$3 f failed=0
  section "release: node test suite against charter.$platform.node ($node)"
  cp "$addon" "bindings/node/charter.$platform.node"
  for f in bindings/node/test/*.test.js; do
    echo "--- ${f##*/}"
    (cd bindings/node && CHARTER_TEST_NODE="$node" "$node" "test/${f##*/}") || failed=1
  done
  [[ $failed == 0 ]] || die "the node suite failed on $platform (see above)"
  done_step "node suite: $platform"
}

step_node() {
  bash scripts/build-npm.sh linux-x64-gnu linux-arm64-gnu
  step_node_test
}

# The tests of step node, on the packages already in $CHARTER_DIST/npm.
step_node_test() {
  charter_aarch64_setup
  local dist="$CHARTER_DIST/npm" version tgz addons
  version="$(node -p 'require("./bindings/node/package.json").version')"
  addons="$(mktemp -d)"
  for p in linux-x64-gnu linux-arm64-gnu; do
    tgz="$dist/charter-$p-$version.tgz"
    tar -xzf "$tgz" -C "$addons" package/"charter.$p.node"
    mv "$addons/package/charter.$p.node" "$addons/"
  done
  node_quickstart node linux-x64-gnu x64
  node_quickstart "$AARCH64_NODE" linux-arm64-gnu arm64
  # The host's own addon (from scripts/test-node.sh) is put back afterwards.
  local saved=""
  if [[ -f bindings/node/charter.linux-x64-gnu.node ]]; then
    saved="$addons/host.node"
    cp bindings/node/charter.linux-x64-gnu.node "$saved"
  fi
  npm_deps bindings/node npm install --no-audit --no-fund --cache "$CHARTER_CACHE/npm" --prefer-offline
  git checkout -- bindings/node/package-lock.json 2>/dev/null || true
  node_suite node linux-x64-gnu "$addons/charter.linux-x64-gnu.node"
  rm -f bindings/node/charter.linux-x64-gnu.node
  node_suite "$AARCH64_NODE" linux-arm64-gnu "$addons/charter.linux-arm64-gnu.node"
  rm -f bindings/node/charter.linux-arm64-gnu.node
  [[ -z "$saved" ]] || cp "$saved" bindings/node/charter.linux-x64-gnu.node
  rm -rf "$addons"
}

step_crates() {
  section "release: cargo package charter-core charter-cli (--no-verify)"
  local out="$CHARTER_DIST/crates"
  mkdir -p "$out"
  CARGO_TARGET_DIR="$CHARTER_CACHE/pkg/target" cargo package --locked --no-verify --allow-dirty -p charter-core -p charter-cli
  cp "$CHARTER_CACHE/pkg/target/package/"charter-{core,cli}-*.crate "$out/"
  ls -l "$out"
  done_step "crates: $(cd "$out" && echo *.crate)"
}

step_wasm() {
  bash scripts/test-wasm.sh
  section "release: npm pack @charter/wasm"
  local out="$CHARTER_DIST/wasm"
  mkdir -p "$out"
  rm -f "$out"/*.tgz
  (cd bindings/wasm && npm pack --silent --pack-destination "$out" >/dev/null)
  ls -l "$out"
  charter_aarch64_setup
  section "release: WASM vectors under an arm64 Node (qemu)"
  (cd bindings/wasm && "$AARCH64_NODE" test/vectors.test.cjs)
  done_step "wasm: $(cd "$out" && echo *.tgz), vectors on arm64"
}

for s in "${steps[@]}"; do
  "step_${s//-/_}"
done

section "release-check: done in $(((SECONDS - started) / 60)) min $(((SECONDS - started) % 60)) s"
printf '  %s\n' "${summary[@]}"
tree_after="$(git status --porcelain 2>/dev/null || true)"
if [[ "$tree_after" != "$tree_before" ]]; then
  diff <(printf '%s\n' "$tree_before") <(printf '%s\n' "$tree_after") >&2 || true
  die "release-check changed the working tree (above: git status --porcelain before and after)"
fi
