// Benchmarks of the WASM package (the `nodejs` build), medians of timed
// batches. The 4-caveat check uses the same token, caveats and request as
// crates/core/benches/capability.rs, so the numbers compare with the native
// `capability/check/4` of `cargo bench -p charter-core --bench capability`.
//
//   node bench.mjs            (after `node build.mjs`)
//   node bench.mjs --native   first runs the native `capability/check/4`
//                             (cargo bench) and prints WASM's ratio to it
import { execFileSync } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const require = createRequire(import.meta.url);
const {
  AuditLog,
  Capability,
  Guard,
  Issuer,
  KeySet,
  PermitIssuer,
  PermitVerifier,
  Request,
  RootKey,
  SigningKey,
  Verifier,
  verifyBundle,
} = require("./dist/nodejs/index.cjs");

const NOW = 1767225600;
const CAVEATS = [
  'action in ["payments.refund", "orders.read"]',
  'agent == "shopper-7"',
  'args.currency == "USD" && args.amount <= 5000',
  'now < timestamp("2026-01-01T01:00:00Z")',
];
const SAMPLES = Number(process.env.BENCH_SAMPLES || 25);

/** Median time per call, in µs, of `f` run in batches sized to ~20 ms. */
function bench(name, f, { perItem = 1 } = {}) {
  let batch = 1;
  for (;;) {
    const t = process.hrtime.bigint();
    for (let i = 0; i < batch; i++) f(i);
    if (Number(process.hrtime.bigint() - t) > 2e7 || batch >= 1 << 20) break;
    batch *= 2;
  }
  const samples = [];
  let k = 0;
  for (let s = 0; s < SAMPLES; s++) {
    const t = process.hrtime.bigint();
    for (let i = 0; i < batch; i++) f(k++);
    samples.push(Number(process.hrtime.bigint() - t) / 1000 / batch / perItem);
  }
  samples.sort((a, b) => a - b);
  const median = samples[samples.length >> 1];
  const unit = perItem > 1 ? "µs per receipt" : "µs";
  console.log(`${name.padEnd(44)} median ${median.toFixed(2).padStart(9)} ${unit}  (${SAMPLES} × ${batch})`);
  return median;
}

const root = RootKey.fromBytes(new Uint8Array(32).fill(9));
const verifier = new Verifier([root], "tools.shop.example");
const cap = new Issuer(root).issue({ caveats: CAVEATS, neverExpires: true, tokenId: new Uint8Array(16).fill(7), issuedAt: NOW });
const token = cap.serialize();
const args = { amount: 4200, currency: "USD" };
const request = new Request("shopper-7", "payments.refund", args);
if (!verifier.check(token, request, null, NOW).allowed) throw new Error("the benchmark capability must allow");

/** The native median of `capability/check/4`, in µs (criterion, same machine, same run). */
function native() {
  const root = join(dirname(fileURLToPath(import.meta.url)), "..", "..");
  const args = ["bench", "-q", "-p", "charter-core", "--bench", "capability", "--"];
  const out = execFileSync("cargo", [...args, "--warm-up-time", "1", "--measurement-time", "3", "check/4$"], {
    cwd: root,
    encoding: "utf8",
    stdio: ["ignore", "pipe", "pipe"],
    maxBuffer: 1 << 26,
  });
  const m = /capability\/check\/4\s+time:\s+\[\S+ \S+ (\S+) (\S+)/.exec(out);
  if (!m) throw new Error(`no capability/check/4 in cargo bench output:\n${out}`);
  const scale = { ns: 1e-3, "µs": 1, us: 1, ms: 1e3 }[m[2]];
  return Number(m[1]) * scale;
}

const load = () => (existsSync("/proc/loadavg") ? readFileSync("/proc/loadavg", "utf8").split(" ").slice(0, 3).join(" ") : "?");
const rust = process.argv.includes("--native") ? native() : null;
console.log(`charter-wasm bench (node ${process.version}); medians of ${SAMPLES} batches; load ${load()}`);
if (rust !== null) console.log(`${"native Rust capability/check/4 (criterion)".padEnd(44)} median ${rust.toFixed(2).padStart(9)} µs`);
const text = bench("check, 4 caveats (token text, Request)", () => verifier.check(token, request, null, NOW));
const parsed = bench("check, 4 caveats (parsed Capability)", () => verifier.check(cap, request, null, NOW));
if (rust !== null) {
  const ratio = (x) => `${(x / rust).toFixed(2)}× native (target ≤ 3×: ${x / rust <= 3 ? "met" : "not met"})`;
  console.log(`WASM/native, token text: ${ratio(text)}; parsed: ${ratio(parsed)}`);
}
const plain = { agent: "shopper-7", action: "payments.refund", args };
bench("check, 4 caveats (token, plain-object request)", () => verifier.check(token, plain, null, NOW));
bench("parse, 4 caveats", () => Capability.parse(token));
bench("attenuate (4 -> 5 caveats)", () => cap.attenuate("args.amount <= 1000"));

// Permits: each verification consumes its jti, so every iteration verifies a
// fresh permit, issued beforehand.
const sk = SigningKey.fromBytes(new Uint8Array(32).fill(3));
const permits = new PermitIssuer(sk, "gateway.shop.example");
const keys = KeySet.fromKeys([sk.publicKey()]);
const pool = 1 << 17;
const tokens = [];
for (let i = 0; i < pool; i++) {
  tokens.push(permits.issue("shopper-7", "payments.example", "payments.refund", args, cap.id, NOW, `jti-${i}`).token);
}
bench("permit issue", (i) => permits.issue("shopper-7", "payments.example", "payments.refund", args, cap.id, NOW, `i-${i}`));
{
  const pv = new PermitVerifier(keys, "payments.example");
  let next = 0;
  bench("permit verify", () => {
    if (next === pool) throw new Error("permit pool exhausted; lower BENCH_SAMPLES");
    pv.verify(tokens[next++], "payments.refund", args, NOW + 1);
  });
}

// Audit: a 1,000-receipt bundle, verified offline (batch Ed25519).
const log = AuditLog.inMemory(sk);
const guard = new Guard(verifier, permits, log);
for (let i = 0; i < 1000; i++) {
  guard.check(cap, { agent: "shopper-7", action: "payments.refund", args: { amount: i, currency: "USD" } }, null, NOW);
}
const bundle = log.exportBundle();
const logKeys = log.keys();
bench("bundle verify (1,000 receipts)", () => verifyBundle(bundle, logKeys), { perItem: 1000 });
bench("guard.check (check + signed receipt)", (i) =>
  guard.check(cap, { agent: "shopper-7", action: "payments.refund", args: { amount: i % 5000, currency: "USD" } }, null, NOW),
);
