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
  PermitIssuer, PermitVerifier, Receipt, AuditLog, Guard, Denied,
  CharterError, canonicalizeJson, verifyBundle,
} = charter
const os = require('node:os')

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
            neverExpires: o.never_expires,
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

/** Claims as the vectors write them (no `idem` member when there is none). */
const claimsOut = (c) => {
  const out = { ...c }
  if (out.idem === null) delete out.idem
  return out
}
const headOut = (h) => ({
  anchor: h.anchor, count: h.count, first_seq: h.firstSeq, kid: h.kid, last_hash: h.lastHash,
  last_seq: h.lastSeq, sig: h.sig, ts: h.ts, v: h.v,
})

RUNNERS.permits = (v) => {
  switch (v.type) {
    case 'issue':
      return outcome(() => {
        const issuer = new PermitIssuer(SigningKey.fromBytes(hex(v.signing_key)), v.issuer, v.ttl)
        const p = issuer.issue(v.subject, v.audience, v.action, v.args, v.capability_id, v.now, v.jti, v.idempotency_key)
        assert.equal(p.kid(), issuer.kid())
        return { token: p.token(), kid: p.kid(), claims: claimsOut(p.claims()) }
      })
    case 'verify':
      return outcome(() => {
        const verifier = new PermitVerifier(KeySet.fromJwks(v.jwks), v.audience, v.leeway)
        const verify = () => ({ claims: claimsOut(verifier.verify(v.token, v.action, v.args, v.now)) })
        if (v.repeat) verify()
        return verify()
      })
    default:
      throw new Error(`unknown permits vector type ${v.type}`)
  }
}

RUNNERS.receipts = (v) => {
  assert.equal(v.type, 'verify', `unknown receipts vector type ${v.type}`)
  return outcome(() => {
    const r = Receipt.parse(v.receipt)
    r.verify(KeySet.fromJwks(v.jwks))
    return {
      hash: r.hash(), seq: r.seq(), prev: r.prev(), ts: r.ts(), agent: r.agent(), action: r.action(),
      args: r.args(), cap: r.cap(), permit: r.permit(), decision: r.decision(),
      reasons: r.reasons().map(reasonOut),
      kid: r.kid(), json: r.toJson(),
    }
  })
}

RUNNERS.bundles = (v) =>
  outcome(() => {
    const r = verifyBundle(v.bundle, KeySet.fromJwks(v.trusted), v.anchor)
    return { report: { count: r.count, first_seq: r.firstSeq, last_seq: r.lastSeq, head: headOut(r.head) } }
  })

RUNNERS.guard = (v) => {
  const log = AuditLog.inMemory(SigningKey.fromBytes(hex(v.audit_key)))
  const guard = new Guard(
    new Verifier(v.roots.map((r) => RootKey.fromBytes(hex(r))), v.audience),
    new PermitIssuer(SigningKey.fromBytes(hex(v.permit_key)), v.issuer),
    log,
  )
  const request = Request.fromJson(v.request)
  let out
  if (v.mode === 'protect') {
    try {
      out = { permit: guard.protect(v.token, request, v.proof, v.idempotency_key, v.now, v.permit_id).token() }
    } catch (e) {
      if (!(e instanceof Denied)) throw e
      assert.equal(e.name, 'Denied')
      out = { error: e.code, message: e.message, reasons: e.reasons.map(reasonOut) }
    }
  } else {
    assert.equal(v.mode, 'check', `unknown guard mode ${v.mode}`)
    out = { decision: decisionOut(guard.check(v.token, request, v.proof, v.now)) }
  }
  const head = log.head()
  out.receipt = head === null ? null : head.toJson()
  return out
}

RUNNERS['audit-files'] = (v) => {
  assert.equal(v.type, 'open', `unknown audit-files vector type ${v.type}`)
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'charter-audit-'))
  const file = path.join(dir, 'audit.jsonl')
  try {
    if (v.setup === 'directory') fs.mkdirSync(file)
    else fs.writeFileSync(file, v.content)
    const got = outcome(() => {
      const log = AuditLog.open(file, SigningKey.fromBytes(hex(v.audit_key)), v.expect_head)
      const head = log.head()
      return { len: log.len(), head: head === null ? null : head.hash() }
    })
    if (got.message) got.message = got.message.split(file).join('{path}')
    return got
  } finally {
    fs.rmSync(dir, { recursive: true, force: true })
  }
}

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
