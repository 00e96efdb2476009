"""Surface drift: what `charter` exports equals contract/surface.json.

Names stay snake_case in Python. Zero-argument members are either
properties (values: kid, id, caveats, ...) or methods (conversions and
containers: to_bytes, serialize, kids, len, ...); both count as the member.
Parameter names and optionality are compared too (`?` = has a default).
Python-only extras are listed here explicitly, nothing else is allowed.
"""

from __future__ import annotations

import inspect
import json
from typing import Any

import charter
from conftest import CONTRACT

SURFACE = json.loads((CONTRACT / "surface.json").read_text(encoding="utf-8"))

# Idiomatic Python extras beyond surface.json (dunder methods are not listed:
# __repr__, __eq__, __hash__, __len__, __contains__, __str__ are all fine).
EXTRA_MODULE_NAMES = {"guard"}  # the decorator (charter.decorators)
EXTRA_MEMBERS: dict[str, set[str]] = {}
# Extra parameters beyond surface.json: none.
EXTRA_PARAMS: dict[str, list[str]] = {}


def public(cls: type) -> set[str]:
    return {n for n in dir(cls) if not n.startswith("_")}


def params(fn: Any) -> list[str]:
    sig = inspect.signature(fn)
    out = []
    for p in sig.parameters.values():
        if p.name in ("self", "cls"):
            continue
        out.append(p.name + ("?" if p.default is not inspect.Parameter.empty else ""))
    return out


def test_module_exports_exactly_the_surface() -> None:
    expected = (
        set(SURFACE["functions"])
        | set(SURFACE["classes"])
        | set(SURFACE["records"])
        | {SURFACE["errors"]["base"]}
        | set(SURFACE["errors"]["families"])
        | EXTRA_MODULE_NAMES
    )
    exported = set(charter.__all__)
    assert exported == expected, (
        f"missing: {sorted(expected - exported)}, extra: {sorted(exported - expected)}"
    )
    for name in exported:
        assert hasattr(charter, name), name
    native = {n for n in dir(charter._charter) if not n.startswith("_")}
    assert native == expected - EXTRA_MODULE_NAMES, (
        f"native module: missing {sorted(expected - EXTRA_MODULE_NAMES - native)}, "
        f"extra {sorted(native - (expected - EXTRA_MODULE_NAMES))}"
    )


def test_functions() -> None:
    for name, spec in SURFACE["functions"].items():
        fn = getattr(charter, name)
        assert callable(fn), name
        assert params(fn) == spec["params"] + EXTRA_PARAMS.get(name, []), name
        assert fn.__doc__, f"{name} has no docstring"


def test_classes() -> None:
    for name, spec in SURFACE["classes"].items():
        cls = getattr(charter, name)
        assert cls.__doc__, f"{name} has no docstring"
        static = spec.get("static", {})
        members = spec.get("members", {})
        expected = set(static) | set(members) | EXTRA_MEMBERS.get(name, set())
        assert public(cls) == expected, (
            f"{name}: missing {sorted(expected - public(cls))}, "
            f"extra {sorted(public(cls) - expected)}"
        )
        for m, want in static.items():
            attr = inspect.getattr_static(cls, m)
            assert isinstance(attr, staticmethod), f"{name}.{m} must be static"
            assert params(getattr(cls, m)) == want, f"{name}.{m}"
            assert getattr(cls, m).__doc__, f"{name}.{m} has no docstring"
        for m, want in members.items():
            attr = inspect.getattr_static(cls, m)
            if isinstance(attr, staticmethod):
                raise AssertionError(f"{name}.{m} must not be static")
            if callable(attr):
                assert params(attr) == want, f"{name}.{m}"
            else:
                assert want == [], f"{name}.{m} takes {want}: it cannot be a property"
        if "constructor" in spec:
            assert params(cls) == spec["constructor"], f"{name}()"
        else:
            try:
                cls()
            except TypeError:
                pass
            else:
                raise AssertionError(f"{name} must not be constructible directly")


def test_records() -> None:
    for name, fields in SURFACE["records"].items():
        cls = getattr(charter, name)
        assert cls.__doc__, f"{name} has no docstring"
        assert public(cls) == set(fields), (
            f"{name}: missing {sorted(set(fields) - public(cls))}, "
            f"extra {sorted(public(cls) - set(fields))}"
        )


def test_errors() -> None:
    spec = SURFACE["errors"]
    base = getattr(charter, spec["base"])
    assert issubclass(base, Exception)
    families = {getattr(charter, f) for f in spec["families"]}
    for fam in families:
        assert issubclass(fam, base) and fam is not base
        assert fam.__doc__
    codes = json.loads((CONTRACT / "errors.json").read_text(encoding="utf-8"))["codes"] if (
        CONTRACT / "errors.json"
    ).exists() else []
    assert {c["family"] for c in codes} <= set(spec["families"])
    # Members: every raised error has code and message; Denied also reasons.
    try:
        charter.RootKey.from_bytes(b"short")
    except base as e:
        for m in spec["members"]:
            assert hasattr(e, m), m
    else:
        raise AssertionError("no error raised")
    assert spec["denied_members"] == ["reasons"]
