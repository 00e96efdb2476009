#!/usr/bin/env python3
"""Writes seed corpora for the fuzz targets from contract/vectors.

    python3 scripts/fuzz-seeds.py OUT_DIR

OUT_DIR/<target>/<sha1> holds one input each. Seeds are derived, not
committed: the vectors are the source, so a new vector seeds the fuzzers too.
"""
import base64
import hashlib
import json
import os
import sys

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..")
VECTORS = os.path.join(ROOT, "contract", "vectors")
TARGETS = ["capability", "caveat", "jcs", "request", "permit", "proof", "receipt", "bundle", "jwks"]
SEP = b"\xff"  # fuzz/src/lib.rs split2: two inputs in one


def load(name):
    with open(os.path.join(VECTORS, name + ".json"), encoding="utf-8") as f:
        return json.load(f)["vectors"]


def canonical(value):
    # JCS for the vectors' plain values (ASCII keys, integers, strings).
    return json.dumps(value, separators=(",", ":"), sort_keys=True, ensure_ascii=False)


def walk(value):
    """Every (key, value) pair in a JSON document."""
    if isinstance(value, dict):
        for k, v in value.items():
            yield k, v
            yield from walk(v)
    elif isinstance(value, list):
        for v in value:
            yield from walk(v)


def b64decode(text):
    try:
        return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
    except ValueError:
        return None


def main():
    if len(sys.argv) != 2:
        sys.exit("usage: fuzz-seeds.py OUT_DIR")
    seeds = {t: set() for t in TARGETS}

    def add(target, data):
        if isinstance(data, str):
            data = data.encode("utf-8")
        seeds[target].add(data)

    every = {name: load(name) for name in
             ["audit-files", "bundles", "capabilities", "caveats", "checks", "guard", "jcs",
              "keys", "permits", "proofs", "receipts"]}
    for name, vectors in every.items():
        for v in vectors:
            for key, value in walk(v):
                if not isinstance(value, str):
                    continue
                if key == "token" and value.startswith("Ag"):
                    add("capability", value)
                    raw = b64decode(value)
                    if raw:
                        add("capability", raw)
                elif key == "token" and value.startswith("ey"):
                    add("permit", value)
                elif key in ("caveat",):
                    add("caveat", value)
                elif key == "request":
                    add("request", value)
                    add("jcs", value)
                elif key in ("jwks", "trusted", "jwk"):
                    add("jwks", value)
                    add("jcs", value)
                elif key in ("args", "input"):
                    add("jcs", value)
            for key, value in walk(v):
                if key == "caveats" and isinstance(value, list):
                    for c in value:
                        if isinstance(c, str):
                            add("caveat", c)
                if key == "attenuate" and isinstance(value, list):
                    for c in value:
                        if isinstance(c, str):
                            add("caveat", c)
    for v in every["permits"]:
        token = v.get("token") or v.get("expect", {}).get("token")
        if token and isinstance(v.get("args"), str):
            add("permit", token.encode() + SEP + v["args"].encode())
    for v in every["proofs"]:
        proof = v.get("expect", {}).get("proof")
        if proof:
            add("proof", proof)
            add("proof", proof.encode() + SEP + v["request"].encode())
    for v in every["receipts"]:
        add("receipt", v["receipt"])
        add("jcs", v["receipt"])
    for v in every["bundles"]:
        add("bundle", v["bundle"])
        try:
            doc = json.loads(v["bundle"])
        except ValueError:
            continue
        if isinstance(doc, dict):
            for r in doc.get("receipts", []) if isinstance(doc.get("receipts"), list) else []:
                add("receipt", canonical(r))
            if "jwks" in doc:
                add("jwks", canonical(doc["jwks"]))
    for v in every["audit-files"]:
        for line in v.get("content", "").splitlines():
            if line.startswith("{"):
                add("receipt", line)

    # The caveat target's optional second part is args.fuzz.
    for src, arg in [
        ("args.fuzz.matches('^[a-z]+[0-9]*$')", "hello42"),
        ("args.fuzz.startsWith('ab') && args.fuzz.endsWith('yz')", "abxyz"),
        ("size(args.fuzz) <= 8 && args.fuzz.contains('\u00e9')", "caf\u00e9"),
        ("int(args.fuzz) < 100", "42"),
        ("double(args.fuzz) > 0.5", "1e3"),
        ("timestamp(args.fuzz) < now", "2025-01-01T00:00:00Z"),
        ("duration(args.fuzz) < duration('1h')", "1h30m"),
        ("bool(args.fuzz)", "true"),
    ]:
        add("caveat", src.encode() + SEP + arg.encode())
    # JSON objects of the jcs vectors as the args of a request.
    for v in every["jcs"]:
        try:
            doc = json.loads(v["input"])
        except ValueError:
            continue
        if isinstance(doc, dict):
            add("request", '{"action":"payments.refund","agent":"shopper-7","args":' + v["input"] + "}")

    out = sys.argv[1]
    for target, items in seeds.items():
        d = os.path.join(out, target)
        os.makedirs(d, exist_ok=True)
        for data in items:
            name = hashlib.sha1(data).hexdigest()
            path = os.path.join(d, name)
            if not os.path.exists(path):
                with open(path, "wb") as f:
                    f.write(data)
        print(f"{target}: {len(items)} seeds")


if __name__ == "__main__":
    main()
