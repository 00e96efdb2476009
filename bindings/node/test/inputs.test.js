'use strict'
// Every alternative of every union in surface.json is accepted and decides
// the same, and the inconsistencies of issue 11 stay fixed: a plain-object
// request and JWKS text are accepted (Node once refused both with "Failed to
// recover `Request` type from napi value"), accessors are properties, and a
// `Denied` carries its reasons as data.
const test = require('node:test')
const assert = require('node:assert/strict')
const { charter } = require('./helpers')

const {
  RootKey, SigningKey, PublicKey, KeySet, Issuer, Capability, Request, Holder, Verifier,
  PermitIssuer, PermitVerifier, Receipt, AuditLog, Guard, Denied, hashJson, verifyBundle,
} = charter

const NOW = 1767225600
const root = RootKey.fromBytes(new Uint8Array(32).fill(9))
const cap = new Issuer(root).issue({ actions: ['pay'], issuedAt: NOW, expiresAt: NOW + 3600 }).attenuate('args.amount <= 100')
const json = { agent: 'a', action: 'pay', args: { amount: 50 }, resource: 'r/1' }
const requests = () => ({
  Request: new Request('a', 'pay', { amount: 50 }, 'r/1'),
  object: { ...json },
  'JSON text': JSON.stringify(json),
})
const over = { agent: 'a', action: 'pay', args: { amount: 500 } }

test('Verifier.check: Request | object | string and Capability | string decide alike', () => {
  const v = new Verifier([root], 'svc')
  for (const c of [cap, cap.serialize()]) {
    for (const [form, r] of Object.entries(requests())) {
      assert.deepEqual(v.check(c, r, null, NOW), { allowed: true, reasons: [] }, form)
    }
    const denials = [new Request('a', 'pay', over.args), over, JSON.stringify(over)].map((r) => v.check(c, r, null, NOW))
    assert.equal(denials[0].allowed, false)
    for (const d of denials) assert.deepEqual(d, denials[0])
  }
  assert.throws(() => v.check(cap, { agent: 'a' }, null, NOW), (e) => e.code === 'malformed' && /action/.test(e.message))
  assert.throws(() => v.check(cap, '{"agent":"a","action":"pay","extra":1}', null, NOW), (e) => e.code === 'malformed')
})

test('Guard.check and Guard.protect take every request form; Holder.prove too', () => {
  const key = SigningKey.fromBytes(new Uint8Array(32).fill(3))
  const holder = new Holder(key)
  const bound = cap.bindHolder(holder.kid)
  const nonce = new Uint8Array(16).fill(1)
  const proofs = Object.values(requests()).map((r) => holder.prove(bound, r, 'svc', NOW, nonce))
  for (const p of proofs) assert.equal(p, proofs[0])
  assert.equal(holder.prove(bound.serialize(), requests().object, 'svc', NOW, nonce), proofs[0])
  for (const [form, r] of Object.entries(requests())) {
    const log = AuditLog.inMemory(key)
    const guard = new Guard(new Verifier([root], 'svc'), new PermitIssuer(key, 'gw'), log)
    assert.equal(guard.check(cap, r, null, NOW).allowed, true, form)
    const permit = guard.protect(cap.serialize(), r, null, 'idem-1', NOW, 'jti-1')
    assert.equal(permit.claims.jti, 'jti-1', form)
    assert.equal(permit.claims.idem, 'idem-1', form)
    assert.equal(log.len(), 2)
  }
})

test('KeySet | object | string: PermitVerifier, Receipt.verify and verifyBundle verify alike', () => {
  const key = SigningKey.fromBytes(new Uint8Array(32).fill(4))
  const set = KeySet.fromKeys([key.publicKey()])
  const forms = { KeySet: set, object: JSON.parse(set.toJwks()), 'JWKS text': set.toJwks() }
  const issuer = new PermitIssuer(key, 'gw')
  const log = AuditLog.inMemory(key)
  new Guard(new Verifier([root], 'svc'), issuer, log).check(cap, requests().object, null, NOW)
  for (const [form, keys] of Object.entries(forms)) {
    const p = issuer.issue('a', 'svc', 'pay', { n: 1 }, cap.id, NOW, `jti-${form}`)
    assert.equal(new PermitVerifier(keys, 'svc').verify(p.token, 'pay', '{"n":1}', NOW).jti, `jti-${form}`, form)
    Receipt.parse(log.head().toJson()).verify(keys)
    assert.equal(verifyBundle(log.exportBundle(), keys).count, 1, form)
    assert.deepEqual(KeySet.fromJwks(form === 'KeySet' ? set.toJwks() : keys).kids(), set.kids())
  }
  const other = KeySet.fromKeys([SigningKey.generate().publicKey()]).toJwks()
  for (const keys of [other, JSON.parse(other)]) {
    assert.throws(() => verifyBundle(log.exportBundle(), keys), (e) => e.code === 'unknown_key')
  }
})

test('object | string: Request args, PermitIssuer args, PublicKey.fromJwk and hashJson alike', () => {
  const a = new Request('a', 'pay', { amount: 50, currency: 'USD' })
  const b = new Request('a', 'pay', '{"currency":"USD","amount":50}')
  assert.equal(a.toJson(), b.toJson())
  assert.deepEqual(b.args, { amount: 50, currency: 'USD' })
  assert.equal(hashJson({ b: 1, a: [true, null] }), hashJson('{"a":[true,null],"b":1}'))
  const key = SigningKey.fromBytes(new Uint8Array(32).fill(5))
  const issuer = new PermitIssuer(key, 'gw')
  const p1 = issuer.issue('a', 'svc', 'pay', { n: 1 }, cap.id, NOW, 'j')
  const p2 = issuer.issue('a', 'svc', 'pay', '{"n":1}', cap.id, NOW, 'j')
  assert.equal(p1.token, p2.token)
  const jwk = key.publicKey().toJwk()
  assert.equal(PublicKey.fromJwk(jwk).kid, PublicKey.fromJwk(JSON.stringify(jwk)).kid)
})

test('accessors are properties in every class (permit.token, cap.id, key.kid, ...)', () => {
  const key = SigningKey.fromBytes(new Uint8Array(32).fill(6))
  const permit = new PermitIssuer(key, 'gw').issue('a', 'svc', 'pay', {}, cap.id, NOW)
  assert.equal(typeof permit.token, 'string')
  assert.equal(Permit_parse(permit.token).claims.sub, 'a')
  assert.equal(typeof cap.id, 'string')
  assert.equal(typeof key.kid, 'string')
  assert.equal(root.kid, cap.rootKid)
  assert.equal(new Verifier([root], 'svc').audience, 'svc')
  assert.deepEqual(requests().Request.resource, 'r/1')
  assert.equal(new Request('a', 'b', {}).resource, null)
  assert.throws(() => {
    'use strict'
    cap.id = 'x'
  }, TypeError)
})
const Permit_parse = (t) => charter.Permit.parse(t)

test('Denied carries its reasons as data; the message is text, not JSON', () => {
  const key = SigningKey.generate()
  const guard = new Guard(new Verifier([root], 'svc'), new PermitIssuer(key, 'gw'), AuditLog.inMemory(key))
  const expected = guard.check(cap, over, null, NOW).reasons
  assert.throws(() => guard.protect(cap, over, null, null, NOW), (e) => {
    assert.ok(e instanceof Denied)
    assert.equal(e.code, 'denied')
    assert.ok(Array.isArray(e.reasons))
    assert.deepEqual(e.reasons, expected)
    assert.equal(e.reasons[0].code, 'caveat_failed')
    assert.equal(e.reasons[0].caveatIndex, 2)
    assert.doesNotMatch(e.message, /^\s*[{[]/)
    assert.ok(e.message.includes(e.reasons[0].message))
    assert.ok(e.stack.startsWith('Denied: '))
    return true
  })
  // An unparsable capability is a recorded denial, thrown the same way.
  assert.throws(() => guard.protect('garbage', over, null, null, NOW), (e) => e instanceof Denied && e.reasons[0].code === 'malformed')
})

test('every allow is the one frozen Decision; denials are fresh objects', () => {
  const v = new Verifier([root], 'svc')
  const a = v.check(cap, requests().object, null, NOW)
  const b = v.check(cap.serialize(), requests().Request, null, NOW)
  assert.equal(a, b)
  assert.ok(Object.isFrozen(a) && Object.isFrozen(a.reasons))
  const d1 = v.check(cap, over, null, NOW)
  const d2 = v.check(cap, over, null, NOW)
  assert.notEqual(d1, d2)
  assert.deepEqual(d1, d2)
})

test('Capability | string: a Capability, its text, or a refusal naming the type', () => {
  const v = new Verifier([root], 'svc')
  assert.equal(v.check(Capability.parse(cap.serialize()), requests().object, null, NOW).allowed, true)
  for (const bad of [42, {}, null, root]) {
    assert.throws(() => v.check(bad, requests().object, null, NOW), (e) => e.code === 'invalid_argument' && /Capability or its token text/.test(e.message))
  }
})
