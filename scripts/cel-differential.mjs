// The random differential: random CEL expressions (crates/core/examples/
// cel_random.rs) evaluated by Charter and by a real CEL engine, npm
// @bufbuild/cel (Buf's implementation, which runs cel-spec's conformance
// suite) with its strings extension. Every expression Charter accepts must
// give the same value, or an error in both. Exits 1 on any disagreement.
//
// Usage:
//   npm install --prefix /tmp/celspec @bufbuild/cel@0.6.1
//   cargo run -q -p charter-core --example cel_random -- 20000 1 > /tmp/cel-random.jsonl
//   node scripts/cel-differential.mjs /tmp/celspec/node_modules/@bufbuild/cel /tmp/cel-random.jsonl

import { readFileSync } from "node:fs";
import { join } from "node:path";
import { pathToFileURL } from "node:url";

const [pkgDir = "/tmp/celspec/node_modules/@bufbuild/cel", input = "/tmp/cel-random.jsonl"] =
  process.argv.slice(2);
const cel = await import(pathToFileURL(join(pkgDir, "dist/esm/index.js")).href);
const ext = await import(pathToFileURL(join(pkgDir, "dist/esm/ext/index.js")).href);
const funcs = ext.strings;

// A CEL result as the tagged form the example prints.
function tag(v) {
  if (v === null) return { null: null };
  if (typeof v === "boolean") return { bool: v };
  if (typeof v === "bigint") return { int: v.toString() };
  if (typeof v === "string") return { string: v };
  if (cel.isCelUint(v)) return { uint: v.value.toString() };
  if (cel.isCelList(v)) {
    const out = [];
    for (let i = 0; i < v.size; i++) out.push(tag(v.get(i)));
    return { list: out };
  }
  return { other: String(v) };
}

const lines = readFileSync(input, "utf8").split("\n").filter(Boolean);
let agree = 0, refused = 0, bothError = 0;
const disagree = [];
for (const line of lines) {
  const c = JSON.parse(line);
  if (c.refused !== undefined) {
    refused++;
    continue;
  }
  let got;
  try {
    got = cel.run(c.expr, {}, { funcs });
  } catch (e) {
    got = cel.celError(String(e));
  }
  const isErr = cel.isCelError(got);
  if (c.error !== undefined) {
    if (isErr) bothError++;
    else disagree.push(`${c.expr}: Charter error (${c.error}), CEL ${JSON.stringify(tag(got))}`);
    continue;
  }
  if (isErr) {
    disagree.push(`${c.expr}: Charter ${JSON.stringify(c.value)}, CEL error (${got.message})`);
    continue;
  }
  if (JSON.stringify(tag(got)) === JSON.stringify(c.value)) agree++;
  else disagree.push(`${c.expr}: Charter ${JSON.stringify(c.value)}, CEL ${JSON.stringify(tag(got))}`);
}
console.log(
  `${lines.length} expressions: ${agree + bothError} accepted and agreeing (${bothError} of them errors in both), ${refused} refused, ${disagree.length} disagreeing`,
);
for (const d of disagree.slice(0, 40)) console.log("  " + d);
process.exit(disagree.length ? 1 : 0);
