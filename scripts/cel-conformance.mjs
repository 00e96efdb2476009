// Extracts the simple cases of CEL's conformance suite (npm @bufbuild/cel-spec)
// into crates/core/tests/cel_conformance.json, which the Rust test
// crates/core/tests/cel_conformance.rs runs against Charter's caveat evaluator.
//
// "Simple" means: no container, no check-only or typed-result cases, bindings
// (if any) with plain identifier names and plain values, and an expected
// result that is a plain value (null, bool, int, uint, double, string, list,
// map) or an evaluation error. Protobuf messages, bytes, types and enums are
// left out because Charter's caveats have no such values.
//
// Usage:
//   npm install --prefix /tmp/celspec @bufbuild/cel-spec
//   node scripts/cel-conformance.mjs /tmp/celspec/node_modules/@bufbuild/cel-spec

import { readFileSync, writeFileSync } from "node:fs";
import { join, dirname } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

const pkgDir = process.argv[2] ?? "/tmp/celspec/node_modules/@bufbuild/cel-spec";
const pkg = JSON.parse(readFileSync(join(pkgDir, "package.json"), "utf8"));
const readme = readFileSync(join(pkgDir, "README.md"), "utf8");
const upstream = (readme.match(/upstreamCelSpecRef -->([^<]+)</) ?? [])[1] ?? "unknown";
const { tests } = await import(
  pathToFileURL(join(pkgDir, "dist/esm/testdata/conformance.js")).href
);

class Skip extends Error {}

// protobuf-JSON ExprValue.value -> tagged value
function conv(v) {
  const keys = Object.keys(v);
  if (keys.length !== 1) throw new Skip("value shape");
  const [k] = keys;
  const x = v[k];
  switch (k) {
    case "nullValue":
      return { null: null };
    case "boolValue":
      return { bool: x };
    case "int64Value":
      return { int: String(x) };
    case "uint64Value":
      return { uint: String(x) };
    case "doubleValue":
      // As text: JS prints the shortest round-trip form, and the Rust test
      // parses it exactly (serde_json's default float parsing may be 1 ulp off).
      return { double: String(x) };
    case "stringValue":
      return { string: x };
    case "listValue":
      return { list: (x.values ?? []).map(conv) };
    case "mapValue":
      return { map: (x.entries ?? []).map((e) => [conv(e.key), conv(e.value)]) };
    default:
      throw new Skip(k);
  }
}

const cases = [];
const skipped = {};
function walk(suite, path) {
  for (const t of suite.tests ?? []) {
    const o = t.original;
    const name = [...path, o.name].join("/");
    try {
      if (o.container) throw new Skip("container");
      if (o.checkOnly) throw new Skip("checkOnly");
      if (o.typedResult) throw new Skip("typedResult");
      if (o.disableMacros) throw new Skip("disableMacros");
      const c = { name, expr: o.expr };
      if (o.bindings) {
        c.bindings = {};
        for (const [n, b] of Object.entries(o.bindings)) {
          if (!/^[_a-zA-Z][_a-zA-Z0-9]*$/.test(n)) throw new Skip("qualified binding");
          if (!b.value) throw new Skip("binding without value");
          c.bindings[n] = conv(b.value);
        }
      }
      if (o.evalError) c.error = (o.evalError.errors ?? []).map((e) => e.message).join("; ") || "error";
      else if (o.value) c.value = conv(o.value);
      // simple.proto: a test without a result matcher expects `true`.
      else c.value = { bool: true };
      cases.push(c);
    } catch (e) {
      if (!(e instanceof Skip)) throw e;
      skipped[e.message] = (skipped[e.message] ?? 0) + 1;
    }
  }
  for (const s of suite.suites ?? []) walk(s, [...path, s.name]);
}
walk(tests, []);

const here = dirname(fileURLToPath(import.meta.url));
const out = join(here, "..", "crates", "core", "tests", "cel_conformance.json");
const doc = {
  source: pkg.name,
  version: pkg.version,
  cel_spec: upstream.trim(),
  generated_by: "scripts/cel-conformance.mjs",
  cases,
};
// One case per line keeps diffs readable.
const head = JSON.stringify({ ...doc, cases: undefined }, null, 1).replace(/\n}$/, "");
const body = cases.map((c) => "  " + JSON.stringify(c)).join(",\n");
writeFileSync(out, `${head},\n "cases": [\n${body}\n ]\n}\n`);
console.log(`${cases.length} cases written to ${out}`);
console.log("skipped:", skipped);
