"""Surface drift: what `charter` exports equals contract/surface.json v2.

Compared, for every function, class, member and record field:
- names (snake_case in Python), static or not, constructor parameters;
- parameter names and optionality, from the runtime signatures;
- parameter and return types, from the .pyi stubs (which stubtest holds to
  the built module), against surface.json's notation mapped to Python;
- property or method: {"property": T} is a property, typed T, everything
  else a method;
- every union input: each alternative is accepted and decides the same.
Python-only deviations are listed here explicitly, each with its reason.
"""

from __future__ import annotations

import ast
import inspect
import json
import pathlib
import re
from typing import Any

import pytest

import charter
from conftest import CONTRACT, ROOT



def for_python(surface: dict[str, Any]) -> dict[str, Any]:
    """The surface without what another binding alone exports ("bindings": [...])."""

    def here(spec: dict[str, Any]) -> bool:
        return "python" in spec.get("bindings", ["python"])

    for group in ("functions", "classes"):
        surface[group] = {k: v for k, v in surface[group].items() if here(v)}
    for spec in surface["classes"].values():
        for part in ("static", "members"):
            if part in spec:
                spec[part] = {k: v for k, v in spec[part].items() if here(v)}
    return surface


SURFACE = for_python(json.loads((CONTRACT / "surface.json").read_text(encoding="utf-8")))
STUB = pathlib.Path(charter.__file__).with_name("_charter.pyi")

# Idiomatic Python extras beyond surface.json (dunder methods are not listed:
# __repr__, __eq__, __hash__, __len__, __contains__, __str__ are all fine).
EXTRA_MODULE_NAMES = {
    "guard",  # the decorator (charter.decorators)
    "AsyncGuard",  # Guard for an event loop (charter.aio)
    "AsyncVerifier",  # Verifier for an event loop (charter.aio)
}
# Inputs Python accepts beyond surface.json's type, and why.
WIDER_PARAMS = {
    # a path is a str or any os.PathLike (pathlib.Path), as open() takes
    ("AuditLog.open", "path"): "str | os.PathLike[str]",
    # a store is a URL or a path (a SQLite file), str or os.PathLike
    ("open_store", "url"): "str | os.PathLike[str]",
}

# surface.json's notation -> the annotation the stubs spell.
UNIONS = {
    "Capability | string": "_CapabilityLike",
    "Request | object | string": "_RequestLike",
    "KeySet | object | string": "_Keys",
    "object | string": "_JsonObject",
}
SCALARS = {
    "string": "str",
    "int": "int",
    "bool": "bool",
    "bytes": "_Bytes",
    "time": "_Time",
    "object": "dict[str, Any]",
    "null": "None",
}


def py_type(t: str, param: bool) -> str:
    if t in UNIONS:
        return UNIONS[t]
    if t.endswith(" | null"):
        return py_type(t[: -len(" | null")], param) + " | None"
    if t.endswith("[]"):
        return ("Iterable[%s]" if param else "list[%s]") % py_type(t[:-2], param)
    if t == "bytes" and not param:
        return "bytes"
    return SCALARS.get(t, t)


def parse_param(spec: str) -> tuple[str, bool, str]:
    name, _, t = spec.partition(": ")
    return name.rstrip("?"), name.endswith("?"), t


def stub() -> dict[str, dict[str, Any]]:
    """Module-level defs and each class's members, as the stubs declare them."""
    tree = ast.parse(STUB.read_text(encoding="utf-8"))
    out: dict[str, dict[str, Any]] = {"": {}}

    def fn(f: ast.FunctionDef) -> dict[str, Any]:
        decorators = {ast.unparse(d) for d in f.decorator_list}
        args = [a for a in f.args.args if a.arg not in ("self", "cls")]
        defaults = [None] * (len(args) - len(f.args.defaults)) + list(f.args.defaults)
        return {
            "kind": "property" if "property" in decorators else
            "static" if "staticmethod" in decorators else "method",
            "params": [
                (a.arg, d is not None, ast.unparse(a.annotation) if a.annotation else "")
                for a, d in zip(args, defaults)
            ],
            "returns": ast.unparse(f.returns) if f.returns else "",
            "doc": ast.get_docstring(f),
        }

    for node in tree.body:
        if isinstance(node, ast.FunctionDef):
            out[""][node.name] = fn(node)
        elif isinstance(node, ast.ClassDef):
            members: dict[str, Any] = {"__doc__": ast.get_docstring(node)}
            for item in node.body:
                if isinstance(item, ast.FunctionDef):
                    members[item.name] = fn(item)
            out[node.name] = members
    return out


STUBS = stub()


def public(cls: type) -> set[str]:
    return {n for n in dir(cls) if not n.startswith("_")}


def runtime_params(fn: Any) -> list[tuple[str, bool]]:
    sig = inspect.signature(fn)
    return [
        (p.name, p.default is not inspect.Parameter.empty)
        for p in sig.parameters.values()
        if p.name not in ("self", "cls")
    ]


def check_callable(where: str, runtime: Any, declared: dict[str, Any], spec: list[str], returns: str | None) -> None:
    want = [parse_param(p) for p in spec]
    assert runtime_params(runtime) == [(n, o) for n, o, _ in want], where
    assert [(n, o) for n, o, _ in declared["params"]] == [(n, o) for n, o, _ in want], f"{where} (stub)"
    for (name, optional, t), (_, _, annotation) in zip(want, declared["params"]):
        expected = py_type(t, param=True)
        if optional and t != "bool" and not expected.endswith("| None"):
            expected += " | None"
        expected = WIDER_PARAMS.get((where, name), expected)
        assert annotation == expected, f"{where}({name}): stub says {annotation}, surface {t}"
    if returns is not None:
        assert declared["returns"] == py_type(returns, param=False), f"{where} returns"
    assert declared["doc"], f"{where} has no docstring in the stub"


def test_module_exports_exactly_the_surface() -> None:
    expected = (
        set(SURFACE["functions"])
        | set(SURFACE["classes"])
        | set(SURFACE["records"])
        | {SURFACE["errors"]["base"]}
        | set(SURFACE["errors"]["families"])
        | set(SURFACE["errors"]["code_classes"].values())
        | EXTRA_MODULE_NAMES
    )
    exported = set(charter.__all__) - {"__version__"}
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


def test_version_is_the_workspace_version() -> None:
    assert "version" in SURFACE["constants"]
    cargo = (ROOT / "Cargo.toml").read_text(encoding="utf-8")
    workspace = cargo[cargo.index("[workspace.package]"):]
    match = re.search(r'^version\s*=\s*"([^"]+)"', workspace, re.M)
    assert match, "no [workspace.package] version in Cargo.toml"
    assert charter.__version__ == match.group(1)
    assert charter._charter.__version__ == charter.__version__
    assert "__version__" in charter.__all__


def test_functions() -> None:
    for name, spec in SURFACE["functions"].items():
        fn = getattr(charter, name)
        assert fn.__doc__, f"{name} has no docstring"
        check_callable(name, fn, STUBS[""][name], spec["params"], spec["returns"])


def test_classes() -> None:
    for name, spec in SURFACE["classes"].items():
        cls = getattr(charter, name)
        declared = STUBS[name]
        assert cls.__doc__ and declared["__doc__"], f"{name} has no docstring"
        static = spec.get("static", {})
        members = spec.get("members", {})
        expected = set(static) | set(members)
        assert public(cls) == expected, (
            f"{name}: missing {sorted(expected - public(cls))}, "
            f"extra {sorted(public(cls) - expected)}"
        )
        for m, want in static.items():
            assert isinstance(inspect.getattr_static(cls, m), staticmethod), f"{name}.{m} must be static"
            assert declared[m]["kind"] == "static", f"{name}.{m} (stub)"
            assert getattr(cls, m).__doc__, f"{name}.{m} has no docstring"
            check_callable(f"{name}.{m}", getattr(cls, m), declared[m], want["params"], want["returns"])
        for m, want in members.items():
            attr = inspect.getattr_static(cls, m)
            assert not isinstance(attr, staticmethod), f"{name}.{m} must not be static"
            if "property" in want:
                assert not callable(attr) and hasattr(attr, "__get__"), f"{name}.{m} must be a property"
                assert declared[m]["kind"] == "property", f"{name}.{m} must be a @property in the stub"
                assert declared[m]["returns"] == py_type(want["property"], param=False), f"{name}.{m}"
                assert declared[m]["doc"], f"{name}.{m} has no docstring in the stub"
            else:
                assert callable(attr), f"{name}.{m} must be a method"
                assert declared[m]["kind"] == "method", f"{name}.{m} must be a method in the stub"
                check_callable(f"{name}.{m}", attr, declared[m], want["params"], want["returns"])
        for m, d in declared.items():
            if m != "__doc__":
                assert d["doc"], f"{name}.{m} has no docstring in the stub"
        if "constructor" in spec:
            check_callable(f"{name}()", cls, declared["__new__"], spec["constructor"], None)
        else:
            with pytest.raises(TypeError):
                cls()


def test_records() -> None:
    for name, fields in SURFACE["records"].items():
        cls = getattr(charter, name)
        assert cls.__doc__, f"{name} has no docstring"
        assert public(cls) == set(fields), (
            f"{name}: missing {sorted(set(fields) - public(cls))}, "
            f"extra {sorted(public(cls) - set(fields))}"
        )
        for field, t in fields.items():
            assert not callable(inspect.getattr_static(cls, field)), f"{name}.{field} must be a property"
            declared = STUBS[name][field]
            assert declared["kind"] == "property" and declared["returns"] == py_type(t, param=False), (
                f"{name}.{field}: stub says {declared['returns']}, surface {t}"
            )


def test_errors_follow_errors_json() -> None:
    spec = SURFACE["errors"]
    base = getattr(charter, spec["base"])
    assert issubclass(base, Exception)
    for fam in spec["families"]:
        cls = getattr(charter, fam)
        assert issubclass(cls, base) and cls is not base and cls.__doc__
    codes = json.loads((CONTRACT / "errors.json").read_text(encoding="utf-8"))["codes"]
    assert {c["family"] for c in codes} == set(spec["families"])
    assert "internal" in {c["code"] for c in codes}
    for own in spec["code_classes"].values():
        assert getattr(charter, own).__doc__, own
    for c in codes:
        e = charter._charter._error_for(c["code"], "m")
        want = spec["code_classes"].get(c["code"], c["family"])
        assert type(e) is getattr(charter, want), (c["code"], type(e).__name__, want)
        assert isinstance(e, getattr(charter, c["family"]))
        assert isinstance(e, base) and e.code == c["code"] and e.message == "m" == str(e)
        for m in spec["members"]:
            assert hasattr(e, m), m
        if c["family"] == "Denied":
            for m in spec["denied_members"]:
                assert hasattr(e, m), m
    with pytest.raises(charter.UsageError):
        charter._charter._error_for("no_such_code", "m")


# --- every union input: each alternative is accepted and decides the same ----

NOW = 1_767_225_600
ROOT_KEY = charter.RootKey.from_bytes(bytes(range(32)))
SK = charter.SigningKey.from_bytes(b"\x05" * 32)
CAP = charter.Issuer(ROOT_KEY).issue(actions=["refund"], never_expires=True, issued_at=NOW, caveats=["args.amount <= 100"])
ARGS = {"amount": 50, "note": "x"}
REQUEST = charter.Request("agent-1", "refund", ARGS)
REQUESTS = [REQUEST, json.loads(REQUEST.to_json()), REQUEST.to_json()]
DENIED = charter.Request("agent-1", "refund", {"amount": 500})


def test_capability_and_request_alternatives_decide_alike() -> None:
    v = charter.Verifier([ROOT_KEY], "svc")
    g = charter.Guard(v, charter.PermitIssuer(SK, "gw"), charter.AuditLog.in_memory(SK))
    for check in (v.check, g.check):  # Verifier.check and Guard.check take the same inputs
        decisions = [check(cap, req, None, NOW) for cap in (CAP, CAP.serialize()) for req in REQUESTS]
        assert all(d == decisions[0] for d in decisions) and decisions[0].allowed
        denials = [check(cap, req, None, NOW) for cap in (CAP, CAP.serialize())
                   for req in (DENIED, json.loads(DENIED.to_json()), DENIED.to_json())]
        assert all(d == denials[0] for d in denials) and not denials[0].allowed
    permits = [g.protect(cap, req, now=NOW, permit_id=f"p{i}") for i, (cap, req) in
               enumerate((c, r) for c in (CAP, CAP.serialize()) for r in REQUESTS)]
    assert len({(p.claims.args, p.claims.cap) for p in permits}) == 1
    # Holder.prove: the same alternatives give proofs the verifier accepts.
    holder = charter.Holder(SK)
    bound = CAP.bind_holder(holder.kid)
    for i, (cap, req) in enumerate((c, r) for c in (bound, bound.serialize()) for r in REQUESTS):
        proof = holder.prove(cap, req, "svc", NOW, bytes([i + 1]) * 16)
        assert v.check(bound, REQUEST, proof, NOW).allowed


def test_args_and_jwk_alternatives_are_alike() -> None:
    text = json.dumps(ARGS)
    assert charter.Request("a", "b", ARGS) == charter.Request("a", "b", text)
    issuer = charter.PermitIssuer(SK, "gw")
    p1 = issuer.issue("a", "tool", "refund", ARGS, CAP.id, NOW, "j1")
    p2 = issuer.issue("a", "tool", "refund", text, CAP.id, NOW, "j2")
    assert p1.claims.args == p2.claims.args == charter.hash_json(text)
    pv = charter.PermitVerifier(charter.KeySet.from_keys([SK.public_key()]), "tool")
    assert pv.verify(p1.token, "refund", text, NOW) == p1.claims
    assert pv.verify(p2.token, "refund", ARGS, NOW) == p2.claims
    jwk = SK.public_key().to_jwk()
    assert isinstance(jwk, dict) and jwk["kid"] == SK.public_key().kid  # the surface says object
    assert charter.PublicKey.from_jwk(jwk) == charter.PublicKey.from_jwk(json.dumps(jwk)) == SK.public_key()


def test_keyset_alternatives_verify_alike() -> None:
    log = charter.AuditLog.in_memory(SK)
    g = charter.Guard(charter.Verifier([ROOT_KEY], "svc"), charter.PermitIssuer(SK, "gw"), log)
    g.check(CAP, REQUEST, None, NOW)
    keys = log.keys()
    alternatives: list[Any] = [keys, json.loads(keys.to_jwks()), keys.to_jwks()]
    assert all(charter.KeySet.from_jwks(k) == keys for k in alternatives[1:])
    bundle = log.export_bundle()
    reports = [charter.verify_bundle(bundle, k) for k in alternatives]
    assert {(r.count, r.head.last_hash) for r in reports} == {(1, log.head().hash)}  # type: ignore[union-attr]
    head = log.head()
    assert head is not None
    for k in alternatives:
        head.verify(k)
    other = charter.KeySet.from_keys([charter.SigningKey.from_bytes(b"\x06" * 32).public_key()])
    for k in (other, json.loads(other.to_jwks()), other.to_jwks()):
        with pytest.raises(charter.CryptoError):
            head.verify(k)
    token = g.protect(CAP, REQUEST, now=NOW, permit_id="jk").token
    for i, k in enumerate(alternatives):
        pv = charter.PermitVerifier(k, "svc")
        assert pv.verify(token, "refund", ARGS, NOW).jti == "jk", i


def test_accessors_are_properties_in_every_class() -> None:
    # permit.token was a property here and a method in JS: the surface says property.
    p = charter.PermitIssuer(SK, "gw").issue("a", "t", "x", {}, CAP.id, NOW, "j")
    assert isinstance(p.token, str) and isinstance(p.claims, charter.PermitClaims)
    assert isinstance(charter.Verifier([ROOT_KEY], "svc").audience, str)
    log = charter.AuditLog.in_memory(SK)
    charter.Guard(charter.Verifier([ROOT_KEY], "svc"), charter.PermitIssuer(SK, "gw"), log).check(CAP, REQUEST, None, NOW)
    head = log.head()
    assert head is not None and isinstance(head.hash, str)
    assert log.len() == len(log) == 1


def test_records_are_frozen_values_with_a_full_repr() -> None:
    # The records are declared once, in the core (feature "python"): they must
    # stay frozen, compare by value and show every field in repr().
    log = charter.AuditLog.in_memory(SK)
    g = charter.Guard(charter.Verifier([ROOT_KEY], "svc"), charter.PermitIssuer(SK, "gw"), log)
    denied = g.check(CAP, DENIED, None, NOW)
    claims = g.protect(CAP, REQUEST, now=NOW, permit_id="rec").claims
    report = charter.verify_bundle(log.export_bundle(), log.keys())
    assert report == charter.verify_bundle(log.export_bundle(), log.keys().to_jwks())
    approver = charter.SigningKey.from_bytes(bytes(32))
    needs = CAP.attenuate(f'approval(1, ["{approver.kid}"])')
    with pytest.raises(charter.ApprovalRequired) as raised:
        g.protect(needs, REQUEST, now=NOW)
    need = raised.value.reasons[0].approval
    assert need is not None
    records: list[Any] = [denied, denied.reasons[0], claims, report, report.head, need]
    assert {type(r).__name__ for r in records} == set(SURFACE["records"])
    for r in records:
        fields = SURFACE["records"][type(r).__name__]
        for field in fields:
            with pytest.raises(AttributeError):
                setattr(r, field, getattr(r, field))
            assert f"{field}: " in repr(r), (type(r).__name__, field)
        assert type(r).__module__ == "charter"
    assert denied == g.check(CAP.serialize(), DENIED.to_json(), None, NOW) and denied != g.check(CAP, REQUEST, None, NOW)
    assert denied.reasons[0].code == "caveat_failed" and isinstance(denied.reasons[0].code, str)
