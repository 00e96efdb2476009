// Benchmarks of the Node binding, medians of repeated batches:
//   node bindings/node/bench.mjs        (after scripts/test-node.sh built the release addon)
//
// 4-caveat check: the token, caveats and request of crates/core/benches/capability.rs,
// beside the core's own check in a Rust loop in the same process (the Node overhead
// per call is the difference); attenuate; permit verify; audit bundle verify.
import { createRequire } from 'node:module'

const require = createRequire(import.meta.url)
const charter = require('./charter.js')
const native = require('./index.js')
const { RootKey, Issuer, Request, Verifier, Capability } = charter

const NOW = 1767225600
const CAVEATS = [
  'action in ["payments.refund", "orders.read"]',
  'agent == "shopper-7"',
  'args.currency == "USD" && args.amount <= 5000',
  'now < timestamp("2026-01-01T01:00:00Z")',
]

/** Median ns per op over `batches` batches of `n` calls of `fn(i)`. */
function bench(fn, n = 20000, batches = 15) {
  for (let i = 0; i < n; i++) fn(i) // warm up
  const per = []
  for (let b = 0; b < batches; b++) {
    const t0 = process.hrtime.bigint()
    for (let i = 0; i < n; i++) fn((b + 1) * n + i)
    per.push(Number(process.hrtime.bigint() - t0) / n)
  }
  per.sort((x, y) => x - y)
  return per[Math.floor(per.length / 2)]
}

function median(xs) {
  const s = [...xs].sort((x, y) => x - y)
  return s[Math.floor(s.length / 2)]
}

const fmt = (ns) => (ns >= 1000 ? `${(ns / 1000).toFixed(2)} µs` : `${ns.toFixed(0)} ns`)
const rows = []
const row = (name, ns, note = '') => {
  rows.push([name, ns, note])
  console.log(`${name.padEnd(44)} ${fmt(ns).padStart(10)}  ${note}`)
}

// --- capability check, 4 caveats ---------------------------------------------
const root = RootKey.fromBytes(new Uint8Array(32).fill(9))
const verifier = new Verifier([root], 'tools.shop.example')
const request = new Request('shopper-7', 'payments.refund', { amount: 4200, currency: 'USD' })
const cap = new Issuer(root).issue({ caveats: CAVEATS, neverExpires: true, tokenId: new Uint8Array(16).fill(7), issuedAt: NOW })
const token = cap.serialize()
if (!verifier.check(token, request, null, NOW).allowed) throw new Error('bench token must be allowed')

/** Node and the same-process Rust loop, batch by batch in turn (so both see the same machine load): medians. */
function paired(cap, n = 20000, batches = 21) {
  const node = []
  const rust = []
  for (let i = 0; i < n; i++) verifier.check(cap, request, null, NOW) // warm up
  for (let b = 0; b < batches; b++) {
    const t0 = process.hrtime.bigint()
    for (let i = 0; i < n; i++) verifier.check(cap, request, null, NOW)
    node.push(Number(process.hrtime.bigint() - t0) / n)
    rust.push(native.__benchNativeCheck(verifier, cap, request, NOW, n))
  }
  return [median(node), median(rust)]
}
const [nodeText, rustText] = paired(token)
const [nodeParsed, rustParsed] = paired(cap)
row('check, 4 caveats, token text (Node)', nodeText)
row('check, 4 caveats, token text (Rust, same run)', rustText, `Node overhead ${fmt(nodeText - rustText)}`)
row('check, 4 caveats, parsed Capability (Node)', nodeParsed)
row('check, 4 caveats, parsed Capability (Rust)', rustParsed, `Node overhead ${fmt(nodeParsed - rustParsed)}`)
row('Capability.parse', bench(() => Capability.parse(token)))
row('attenuate', bench(() => cap.attenuate('args.amount <= 1000')))
row('new Request (object args)', bench(() => new Request('shopper-7', 'payments.refund', { amount: 4200, currency: 'USD' })))

// --- permit verify (each permit once: the verifier consumes its jti) ----------
const { SigningKey, PermitIssuer, PermitVerifier, KeySet, AuditLog, Guard, verifyBundle } = charter
const permitKey = SigningKey.fromBytes(new Uint8Array(32).fill(3))
const issuer = new PermitIssuer(permitKey, 'gateway.shop.example')
const N = 5000
const args = { amount: 4200, currency: 'USD' }
const argsText = JSON.stringify(args)
const tokens = Array.from({ length: N * 16 }, (_, i) =>
  issuer.issue('shopper-7', 'payments.example', 'payments.refund', argsText, 'cap', NOW, `jti-${i}`).token)
const permits = new PermitVerifier(KeySet.fromKeys([permitKey.publicKey()]), 'payments.example')
row('permit issue', bench((i) => issuer.issue('shopper-7', 'payments.example', 'payments.refund', argsText, 'cap', NOW, `x-${i}`), 5000, 9))
row('permit verify (args as JSON text)', bench((i) => permits.verify(tokens[i], 'payments.refund', argsText, NOW), N, 15))

// --- audit bundle verify -----------------------------------------------------
const log = AuditLog.inMemory(SigningKey.fromBytes(new Uint8Array(32).fill(4)))
const guard = new Guard(verifier, issuer, log)
for (let i = 0; i < 1000; i++) guard.check(token, request, null, NOW + i)
const bundle = log.exportBundle()
const keys = log.keys()
const perBundle = bench(() => verifyBundle(bundle, keys), 5, 15)
row('bundle verify, 1000 receipts', perBundle, `${fmt(perBundle / 1000)} per receipt`)
