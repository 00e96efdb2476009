#!/usr/bin/env python3
"""Checks that every package Charter publishes agrees on name, version and metadata.

Run by scripts/release-check.sh first, and by `scripts/test.sh release-meta`
(it takes well under a second). The version is the workspace's
([workspace.package] in Cargo.toml); every other package must carry it or
inherit it:

- the crates (charter-core, charter-cli) inherit version and license from the
  workspace, and the workspace's charter-core dependency names that version;
- the Python package (bindings/python/pyproject.toml) takes its version from
  Cargo (dynamic) and its license is the workspace's;
- the npm package `charter` (bindings/node/package.json) and each per-platform
  package in bindings/node/npm/<platform> (named charter-<platform>, one per
  napi target, the same version, license and engines) and the loader's list
  of prebuilt platforms (charter.js PREBUILT);
- the WASM package (bindings/wasm/package.json);
- the Kotlin/JVM library (bindings/uniffi/kotlin/build.gradle.kts reads the
  version from Cargo.toml and must not set one of its own) and its Maven group.

Exit status 1 with one line per disagreement, each saying which file to fix.
"""

import json
import re
import sys
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
problems: list[str] = []


def fail(msg: str) -> None:
    problems.append(msg)


def toml(path: str) -> dict:
    return tomllib.loads((ROOT / path).read_text())


def pkg_json(path: Path) -> dict:
    return json.loads(path.read_text())


# Node's napi target triple -> the platform directory napi create-npm-dirs makes.
NAPI_PLATFORM = {
    "x86_64-unknown-linux-gnu": "linux-x64-gnu",
    "aarch64-unknown-linux-gnu": "linux-arm64-gnu",
    "x86_64-unknown-linux-musl": "linux-x64-musl",
    "aarch64-unknown-linux-musl": "linux-arm64-musl",
    "x86_64-apple-darwin": "darwin-x64",
    "aarch64-apple-darwin": "darwin-arm64",
    "x86_64-pc-windows-msvc": "win32-x64-msvc",
}


def main() -> int:
    ws = toml("Cargo.toml")["workspace"]
    version = ws["package"]["version"]
    license_ = ws["package"]["license"]
    core_dep = ws.get("dependencies", {}).get("charter-core", {})
    if core_dep.get("version") != version:
        fail(f"Cargo.toml: [workspace.dependencies] charter-core version {core_dep.get('version')!r} != workspace version {version!r}")

    for crate in ("crates/core", "crates/cli"):
        pkg = toml(f"{crate}/Cargo.toml")["package"]
        for key in ("version", "license", "edition", "rust-version"):
            if pkg.get(key) != {"workspace": True}:
                fail(f"{crate}/Cargo.toml: {key} must be inherited ({key}.workspace = true) so one edit sets it")
        if pkg.get("publish") is False:
            fail(f"{crate}/Cargo.toml: publish = false, but the release publishes {pkg['name']}")
        for key in ("description",):
            if not pkg.get(key):
                fail(f"{crate}/Cargo.toml: no {key} (crates.io needs one)")

    py = toml("bindings/python/pyproject.toml")
    project = py["project"]
    if project.get("name") != "charter":
        fail(f"bindings/python/pyproject.toml: name {project.get('name')!r}, expected 'charter'")
    if "version" in project and project["version"] != version:
        fail(f"bindings/python/pyproject.toml: version {project['version']!r} != {version!r}")
    if "version" not in project and "version" not in project.get("dynamic", []):
        fail("bindings/python/pyproject.toml: neither a version nor dynamic = [\"version\"] (from Cargo)")
    if project.get("license") != license_:
        fail(f"bindings/python/pyproject.toml: license {project.get('license')!r} != {license_!r}")
    if not project.get("readme"):
        fail("bindings/python/pyproject.toml: no readme (PyPI shows it)")
    pycargo = toml("bindings/python/Cargo.toml")["package"]
    if pycargo.get("version") != {"workspace": True}:
        fail("bindings/python/Cargo.toml: version must be inherited (maturin takes the wheel's version from it)")

    node_dir = ROOT / "bindings/node"
    node = pkg_json(node_dir / "package.json")
    if node.get("name") != "charter":
        fail(f"bindings/node/package.json: name {node.get('name')!r}, expected 'charter'")
    if node.get("version") != version:
        fail(f"bindings/node/package.json: version {node.get('version')!r} != {version!r}")
    if node.get("license") != license_:
        fail(f"bindings/node/package.json: license {node.get('license')!r} != {license_!r}")
    binary = node.get("napi", {}).get("binaryName")
    targets = node.get("napi", {}).get("targets", [])
    expected_dirs = set()
    for t in targets:
        if t not in NAPI_PLATFORM:
            fail(f"bindings/node/package.json: napi target {t!r} has no known platform directory")
            continue
        expected_dirs.add(NAPI_PLATFORM[t])
    missing = set(NAPI_PLATFORM.values()) - expected_dirs
    if missing:
        fail(f"bindings/node/package.json: napi.targets lacks {sorted(missing)}")
    npm_dir = node_dir / "npm"
    dirs = {p.name for p in npm_dir.iterdir() if p.is_dir()} if npm_dir.is_dir() else set()
    if dirs != expected_dirs:
        fail(f"bindings/node/npm: directories {sorted(dirs)} != napi targets {sorted(expected_dirs)} (run npx napi create-npm-dirs)")
    for d in sorted(dirs & expected_dirs):
        sub = pkg_json(npm_dir / d / "package.json")
        where = f"bindings/node/npm/{d}/package.json"
        if sub.get("name") != f"charter-{d}":
            fail(f"{where}: name {sub.get('name')!r}, expected 'charter-{d}'")
        if sub.get("version") != version:
            fail(f"{where}: version {sub.get('version')!r} != {version!r} (npx napi version)")
        if sub.get("license") != node.get("license"):
            fail(f"{where}: license {sub.get('license')!r} != the main package's {node.get('license')!r}")
        if sub.get("engines") != node.get("engines"):
            fail(f"{where}: engines {sub.get('engines')!r} != the main package's {node.get('engines')!r}")
        if sub.get("main") != f"{binary}.{d}.node":
            fail(f"{where}: main {sub.get('main')!r}, expected '{binary}.{d}.node'")
    for dep in node.get("optionalDependencies", {}) or {}:
        spec = node["optionalDependencies"][dep]
        if spec != version:
            fail(f"bindings/node/package.json: optionalDependencies {dep} {spec!r} != {version!r}")
    loader = (node_dir / "charter.js").read_text()
    m = re.search(r"const PREBUILT = \[([^\]]*)\]", loader)
    if not m:
        fail("bindings/node/charter.js: no PREBUILT list (the loader's error names the prebuilt platforms)")
    elif set(re.findall(r"'([^']+)'", m.group(1))) != expected_dirs:
        fail(f"bindings/node/charter.js: PREBUILT {sorted(re.findall(chr(39) + '([^' + chr(39) + ']+)' + chr(39), m.group(1)))} != napi targets {sorted(expected_dirs)}")

    # npm ci installs the lock, so its own copies of the version must agree too.
    for d in ("bindings/node", "bindings/wasm"):
        lock = pkg_json(ROOT / d / "package-lock.json")
        for where, got in (("version", lock.get("version")), ('packages[""].version', lock.get("packages", {}).get("", {}).get("version"))):
            if got != version:
                fail(f"{d}/package-lock.json: {where} {got!r} != {version!r} (scripts/version.sh --set {version})")

    wasm = pkg_json(ROOT / "bindings/wasm/package.json")
    if wasm.get("version") != version:
        fail(f"bindings/wasm/package.json: version {wasm.get('version')!r} != {version!r}")
    if wasm.get("license") != license_:
        fail(f"bindings/wasm/package.json: license {wasm.get('license')!r} != {license_!r}")

    gradle = ROOT / "bindings/uniffi/kotlin/build.gradle.kts"
    if not gradle.is_file():
        fail("bindings/uniffi/kotlin/build.gradle.kts is missing (the Kotlin/JVM library's Maven coordinates)")
    else:
        text = gradle.read_text()
        if re.search(r'^\s*version\s*=\s*"', text, re.M):
            fail("bindings/uniffi/kotlin/build.gradle.kts: sets a literal version; it must read Cargo.toml's")
        if 'group = "dev.charter"' not in text:
            fail("bindings/uniffi/kotlin/build.gradle.kts: Maven group must be dev.charter (the Kotlin package)")
        if 'workspaceKey("version")' not in text or 'workspaceKey("license")' not in text:
            fail("bindings/uniffi/kotlin/build.gradle.kts: version and POM license must come from Cargo.toml (workspaceKey)")

    if problems:
        for p in problems:
            print(f"release metadata: {p}", file=sys.stderr)
        return 1
    print(f"release metadata: every package is version {version}, license {license_}; "
          f"{len(expected_dirs)} npm platform packages match napi.targets")
    return 0


if __name__ == "__main__":
    sys.exit(main())
