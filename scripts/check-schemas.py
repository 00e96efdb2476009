#!/usr/bin/env python3
"""Validates contract/ against contract/schemas/ (JSON Schema 2020-12).

Every schema must itself be valid; every vector file, errors.json, and every
JSON instance the vectors carry (requests, decisions, JWKS, proof payloads,
and the objects added by later schemas) must match its schema.
"""
import base64
import json
import pathlib
import sys

from jsonschema import Draft202012Validator
from referencing import Registry, Resource

ROOT = pathlib.Path(__file__).resolve().parent.parent / "contract"


def load(path):
    return json.loads(path.read_text(encoding="utf-8"))


def b64(text):
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def main():
    schemas = {p.name: load(p) for p in sorted((ROOT / "schemas").glob("*.schema.json"))}
    registry = Registry().with_resources(
        (s["$id"], Resource.from_contents(s)) for s in schemas.values()
    )
    validators = {}
    for name, schema in schemas.items():
        Draft202012Validator.check_schema(schema)
        validators[name.removesuffix(".schema.json")] = Draft202012Validator(schema, registry=registry)

    checked = 0
    failures = []

    def check(kind, instance, where):
        nonlocal checked
        errors = sorted(validators[kind].iter_errors(instance), key=lambda e: list(e.path))
        for e in errors:
            failures.append(f"{where}: {kind}: {e.message} at {list(e.path)}")
        checked += 1

    check("errors", load(ROOT / "errors.json"), "errors.json")
    vector_files = sorted((ROOT / "vectors").glob("*.json"))
    vector_files += sorted((ROOT / "vectors" / "stateful").glob("*.json"))
    for path in vector_files:
        doc = load(path)
        check("vectors", doc, path.name)
        for v in doc["vectors"]:
            where = f"{path.name}:{v['id']}"
            expect = v["expect"]
            # Stateful vectors: each call's request, and each call's denial.
            for call in v.get("calls", []):
                check("request", json.loads(call["request"]), where)
            for result in expect.get("results", []):
                for reason in result.get("reasons", []):
                    check("decision", {"allowed": False, "reasons": [reason]}, where)
            if "request" in v and isinstance(v["request"], str) and "error" not in expect:
                check("request", json.loads(v["request"]), where)
            if "allowed" in expect:
                check("decision", expect, where)
            if v.get("type") == "jwks" and "error" not in expect:
                check("jwks", json.loads(v["jwks"]), where)
            if "jwk" in expect:
                check("jwk", json.loads(expect["jwk"]), where)
            if "proof" in expect:
                check("holder-proof", json.loads(b64(expect["proof"].split(".")[0])), where)
            for name, schema in EXTRA.items():
                for instance in schema(v):
                    check(name, instance, where)

    if failures:
        print("\n".join(failures))
        print(f"schema check: {len(failures)} failed, {checked} instances checked")
        return 1
    print(f"schema check: {checked} instances valid against {len(schemas)} schemas")
    return 0


def jws_part(token, index):
    return json.loads(b64(token.split(".")[index]))


def receipts_in(v):
    expect = v["expect"]
    if v.get("id", "").startswith("receipts/") and "json" in expect:
        yield json.loads(expect["json"])
    if isinstance(expect.get("receipt"), str):
        yield json.loads(expect["receipt"])


# Instances carried by the other vector kinds: schema name -> function(vector) -> instances.
EXTRA = {
    "permit-header": lambda v: [jws_part(v["expect"]["token"], 0)] if v["id"].startswith("permits/") and "token" in v["expect"] else [],
    "permit-claims": lambda v: [c for c in [v["expect"].get("claims")] if c] + ([jws_part(v["expect"]["permit"], 1)] if v["id"].startswith("guard/") and "permit" in v["expect"] else []),
    "receipt": lambda v: list(receipts_in(v)),
    "bundle": lambda v: [json.loads(v["bundle"])] if v.get("id", "").startswith("bundles/") and "report" in v["expect"] else [],
    "bundle-report": lambda v: [v["expect"]["report"]] if "report" in v["expect"] else [],
}

if __name__ == "__main__":
    sys.exit(main())
