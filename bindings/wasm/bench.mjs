// Benchmarks of the WASM package (the `nodejs` build), medians of timed
// batches. The 4-caveat check uses the same token, caveats and request as
// crates/core/benches/capability.rs, so the numbers compare with the native
// `capability/check/4` of `cargo bench -p charter-core --bench capability`.
//
//   node bench.mjs            (after `node build.mjs`)
import { createRequire } from "node:module";

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

console.log(`charter-wasm bench (node ${process.version}); medians of ${SAMPLES} batches`);
bench("check, 4 caveats (token text, Request)", () => verifier.check(token, request, null, NOW));
bench("check, 4 caveats (parsed Capability)", () => verifier.check(cap, request, null, NOW));
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
