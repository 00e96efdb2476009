'use strict'
// Conformance: every vector in contract/vectors/ through the public API,
// every output reproduced byte for byte (error codes and messages included).
// A kind or type this runner does not know is a failure, never a skip.
const test = require('node:test')
const assert = require('node:assert/strict')
const fs = require('node:fs')
const path = require('node:path')
const { CONTRACT, charter, hex, toHex, readJson } = require('./helpers')

const {
  RootKey, SigningKey, PublicKey, KeySet, Issuer, Capability, Request, Holder, Verifier,
  CharterError, canonicalizeJson,
} = charter

const FAMILY = Object.fromEntries(readJson(path.join(CONTRACT, 'errors.json')).codes.map((c) => [c.code, c.family]))

/** Runs `fn`; returns its output, or `{error, message}` for a Charter error. */
function outcome(fn) {
  try {
    return fn()
  } catch (e) {
    if (!(e instanceof CharterError)) throw e
    assert.equal(e.name, FAMILY[e.code], `error class of ${e.code}`)
    assert.ok(e instanceof charter[FAMILY[e.code]], `instanceof ${FAMILY[e.code]}`)
    assert.ok(typeof e.stack === 'string' && e.stack.length > 0)
    return { error: e.code, message: e.message }
  }
}

const reasonOut = (r) => ({ code: r.code, caveat_index: r.caveatIndex, message: r.message })
const decisionOut = (d) => ({ allowed: d.allowed, reasons: d.reasons.map(reasonOut) })
const capabilityOut = (c) => ({
  token: c.serialize(),
  id: c.id(),
  token_id: c.tokenId(),
  root_kid: c.rootKid(),
  issued_at: c.issuedAt(),
  caveats: c.caveats(),
})

function decide(v, parsed) {
  let request
  try {
    request = Request.fromJson(v.request)
  } catch (e) {
    return outcome(() => {
      throw e
    })
  }
  const verifier = new Verifier(v.roots.map((r) => RootKey.fromBytes(hex(r))), v.audience)
  for (const id of v.revoked) verifier.revoke(id)
  let cap = v.token
  if (parsed) {
    try {
      cap = Capability.parse(v.token)
    } catch {
      return null // not parseable: only the text path applies
    }
  }
  const check = () => decisionOut(verifier.check(cap, request, v.proof, v.now))
  if (v.repeat) {
    assert.deepEqual(check(), { allowed: true, reasons: [] }, `${v.id}: first check`)
  }
  return check()
}

const RUNNERS = {
  jcs: (v) => outcome(() => ({ output: canonicalizeJson(v.input) })),
  keys: (v) => {
    switch (v.type) {
      case 'signing_key':
        return outcome(() => {
          const k = SigningKey.fromBytes(hex(v.seed))
          assert.equal(toHex(k.toBytes()), v.seed)
          return { kid: k.kid(), public: toHex(k.publicKey().toBytes()), jwk: canonicalizeJson(JSON.stringify(k.publicKey().toJwk())) }
        })
      case 'public_key':
        return outcome(() => {
          const k = PublicKey.fromBytes(hex(v.public))
          const jwk = canonicalizeJson(JSON.stringify(k.toJwk()))
          assert.equal(PublicKey.fromJwk(jwk).kid(), k.kid())
          return { kid: k.kid(), jwk }
        })
      case 'root_key':
        return outcome(() => {
          const k = RootKey.fromBytes(hex(v.secret))
          assert.equal(toHex(k.toBytes()), v.secret)
          return { kid: k.kid() }
        })
      case 'jwks':
        return outcome(() => {
          const set = KeySet.fromJwks(v.jwks)
          const kids = set.kids()
          assert.deepEqual(kids, [...kids].sort())
          for (const kid of kids) assert.equal(set.get(kid).kid(), kid)
          return { kids, jwks: set.toJwks() }
        })
      default:
        throw new Error(`unknown keys vector type ${v.type}`)
    }
  },
  capabilities: (v) => {
    switch (v.type) {
      case 'mint':
        return outcome(() => {
          const o = v.options
          let cap = new Issuer(RootKey.fromBytes(hex(v.root))).issue({
            agent: o.agent,
            actions: o.actions,
            audience: o.audience,
            notBefore: o.not_before,
            expiresAt: o.expires_at,
            caveats: o.caveats,
            tokenId: o.token_id === null ? null : hex(o.token_id),
            issuedAt: o.issued_at,
          })
          for (const c of v.attenuate) cap = cap.attenuate(c)
          if (v.holder !== null) cap = cap.bindHolder(v.holder)
          return capabilityOut(cap)
        })
      case 'parse':
        return outcome(() => capabilityOut(Capability.parse(v.token)))
      default:
        throw new Error(`unknown capabilities vector type ${v.type}`)
    }
  },
  caveats: (v) => {
    const text = decide(v, false)
    const parsed = decide(v, true)
    if (parsed !== null) assert.deepEqual(parsed, text, `${v.id}: parsed and text tokens decide alike`)
    return text
  },
  proofs: (v) =>
    outcome(() => {
      const holder = new Holder(SigningKey.fromBytes(hex(v.holder)))
      const proof = holder.prove(Capability.parse(v.token), Request.fromJson(v.request), v.audience, v.now, hex(v.nonce))
      return { proof, holder_kid: holder.kid() }
    }),
}
RUNNERS.checks = RUNNERS.caveats

const files = fs
  .readdirSync(path.join(CONTRACT, 'vectors'))
  .filter((f) => f.endsWith('.json'))
  .sort()

test('contract/vectors exists and is not empty', () => {
  assert.ok(files.length > 0, 'no vector files')
})

let expected = 0
let ran = 0
for (const file of files) {
  const doc = readJson(path.join(CONTRACT, 'vectors', file))
  expected += doc.vectors.length
  test(`vectors/${file} (${doc.kind})`, async (t) => {
    assert.equal(doc.version, 1)
    const run = RUNNERS[doc.kind]
    assert.ok(run, `unknown vector kind ${doc.kind}: the Node runner must learn it`)
    for (const v of doc.vectors) {
      await t.test(v.id, () => {
        assert.deepEqual(run(v), v.expect, v.description)
        ran++
      })
    }
  })
}

test('every vector ran', () => {
  assert.ok(expected > 0)
  assert.equal(ran, expected, `ran ${ran} of ${expected} vectors`)
  console.log(`# charter vectors: ${ran} of ${expected} run`)
})
