'use strict'
// Hostile and wrong inputs: every one is a Charter error with the right class
// and code — never a crash, a panic, a hang or a silent change.
const test = require('node:test')
const assert = require('node:assert/strict')
const { charter } = require('./helpers')

const {
  RootKey, SigningKey, PublicKey, KeySet, Issuer, Capability, Request, Holder, Verifier,
  canonicalizeJson, hashJson, CharterError, FormatError, UsageError,
} = charter

const NOW = 1767225600

function throwsCode(fn, cls, code, re) {
  assert.throws(fn, (e) => {
    assert.ok(e instanceof CharterError, `a CharterError, got ${e && e.constructor && e.constructor.name}: ${e && e.message}`)
    assert.ok(e instanceof cls, `${cls.name}, got ${e.name}`)
    assert.equal(e.code, code, e.message)
    assert.equal(e.name, cls.name)
    assert.ok(e.stack.startsWith(`${cls.name}: `))
    if (re) assert.match(e.message, re)
    return true
  })
}

const root = RootKey.fromBytes(new Uint8Array(32).fill(9))
const cap = new Issuer(root).issue({ actions: ['read'], issuedAt: NOW, expiresAt: NOW + 3600 })
const verifier = new Verifier([root], 'svc')
const req = new Request('agent', 'read', { n: 1 })

function deep(n, arrays) {
  let v = arrays ? [] : {}
  const top = v
  for (let i = 0; i < n; i++) {
    const next = arrays ? [] : {}
    if (arrays) v.push(next)
    else v.a = next
    v = next
  }
  return top
}

test('wrong types are UsageError invalid_argument', () => {
  throwsCode(() => RootKey.fromBytes('not bytes'), UsageError, 'invalid_argument', /RootKey\.fromBytes/)
  throwsCode(() => RootKey.fromBytes(), UsageError, 'invalid_argument')
  throwsCode(() => RootKey.fromBytes(new Uint16Array(32)), UsageError, 'invalid_argument')
  throwsCode(() => SigningKey.fromBytes(null), UsageError, 'invalid_argument')
  throwsCode(() => Capability.parse(42), UsageError, 'invalid_argument')
  throwsCode(() => new Issuer('root'), UsageError, 'invalid_argument')
  throwsCode(() => new Issuer(SigningKey.generate()), UsageError, 'invalid_argument')
  throwsCode(() => new Verifier([SigningKey.generate()], 'svc'), UsageError, 'invalid_argument')
  throwsCode(() => new Verifier([], 'svc'), UsageError, 'invalid_argument')
  throwsCode(() => verifier.check(root, req), UsageError, 'invalid_argument', /Capability or its token text/)
  throwsCode(() => verifier.check(cap, [1, 2]), FormatError, 'malformed', /request/)
  throwsCode(() => verifier.check(cap, req, 5), UsageError, 'invalid_argument')
  throwsCode(() => verifier.check(cap, req, null, 'now'), UsageError, 'invalid_argument')
  throwsCode(() => Object.getOwnPropertyDescriptor(RootKey.prototype, 'kid').get.call({}), UsageError, 'invalid_argument')
  throwsCode(() => Capability(), UsageError, 'invalid_argument', /use new Capability|is a class/)
  throwsCode(() => new Capability(), UsageError, 'invalid_argument', /no public constructor/)
  throwsCode(() => KeySet.fromKeys([root]), UsageError, 'invalid_argument')
  throwsCode(() => new Holder(root), UsageError, 'invalid_argument')
  // An object of another class is refused wherever a class is expected (napi's class registry).
  throwsCode(() => Capability.prototype.serialize.call(root), UsageError, 'invalid_argument')
  throwsCode(() => Object.getOwnPropertyDescriptor(Capability.prototype, 'id').get.call(root), UsageError, 'invalid_argument', /not an instance of class `Capability`/)
  throwsCode(() => new charter.Guard(root, root, root), UsageError, 'invalid_argument', /Verifier/)
  throwsCode(() => verifier.check(cap, root), UsageError, 'invalid_argument', /plain objects/)
  throwsCode(() => charter.verifyBundle('{}', root), UsageError, 'invalid_argument')
})

test('times and integers must be safe integers', () => {
  for (const bad of [1.5, NaN, Infinity, -Infinity, 2 ** 53, -(2 ** 60)]) {
    throwsCode(() => verifier.check(cap, req, null, bad), UsageError, 'invalid_argument', /safe integer/)
    throwsCode(() => new Issuer(root).issue({ expiresAt: bad }), UsageError, 'invalid_argument', /safe integer/)
  }
  throwsCode(() => new Issuer(root).issue({ expiresAt: '2026' }), UsageError, 'invalid_argument', /expiresAt/)
  throwsCode(() => new Verifier([root], 'svc', 1e9), UsageError, 'invalid_argument')
})

test('option objects refuse unknown members (a typo must not drop a limit)', () => {
  throwsCode(() => new Issuer(root).issue({ expiresat: NOW }), UsageError, 'invalid_argument', /unknown option "expiresat"/)
  throwsCode(() => new Issuer(root).issue('options'), UsageError, 'invalid_argument')
  throwsCode(() => new Issuer(root).issue({ actions: 'read' }), UsageError, 'invalid_argument', /array of strings/)
  throwsCode(() => new Issuer(root).issue({ actions: ['read', 7] }), UsageError, 'invalid_argument')
  throwsCode(() => new Issuer(root).issue({ actions: [] }), UsageError, 'invalid_argument')
  throwsCode(() => new Issuer(root).issue({ tokenId: new Uint8Array(3) }), UsageError, 'invalid_argument')
})

test('JSON values: unsafe numbers, non-JSON values, depth, size', () => {
  // The core's walker decides (charter_core::host): the same codes in every binding.
  throwsCode(() => new Request('a', 'b', { n: 2 ** 53 }), FormatError, 'malformed', /2\^53.*as a string/)
  throwsCode(() => new Request('a', 'b', { n: -(2 ** 60) }), FormatError, 'malformed', /2\^53/)
  throwsCode(() => new Request('a', 'b', { n: NaN }), FormatError, 'malformed', /NaN is not finite/)
  throwsCode(() => new Request('a', 'b', { n: Infinity }), FormatError, 'malformed', /not finite/)
  throwsCode(() => new Request('a', 'b', { [Symbol('s')]: 1 }), UsageError, 'invalid_argument', /symbol/)
  throwsCode(() => new Request('a', 'b', { n: undefined }), UsageError, 'invalid_argument', /undefined/)
  throwsCode(() => new Request('a', 'b', { n: 1n }), UsageError, 'invalid_argument', /BigInt/)
  throwsCode(() => new Request('a', 'b', { f() {} }), UsageError, 'invalid_argument')
  throwsCode(() => new Request('a', 'b', { d: new Date() }), UsageError, 'invalid_argument', /plain objects/)
  throwsCode(() => new Request('a', 'b', { m: new Map() }), UsageError, 'invalid_argument')
  throwsCode(() => new Request('a', 'b', [1, 2]), UsageError, 'invalid_argument', /object/)
  throwsCode(() => new Request('a', 'b', { s: 'x\ud800' }), FormatError, 'malformed', /lone surrogate/)
  throwsCode(() => new Request('a', 'b', deep(100000, false)), UsageError, 'limit_exceeded', /nesting/)
  throwsCode(() => new Request('a', 'b', { a: deep(100000, true) }), UsageError, 'limit_exceeded', /nesting/)
  throwsCode(() => new Request('a', 'b', { big: 'x'.repeat(2 * 1024 * 1024) }), UsageError, 'limit_exceeded')
  throwsCode(() => new Request('a', 'b', { many: new Array(2 * 1024 * 1024).fill(0) }), UsageError, 'limit_exceeded')
  // The same as text: exact, or refused by the strict parser.
  throwsCode(() => new Request('a', 'b', '{"n":9007199254740993}'), FormatError, 'malformed', /2\^53/)
  throwsCode(() => new Request('a', 'b', '{"n":1,"n":2}'), FormatError, 'malformed', /duplicate/)
  throwsCode(() => Request.fromJson('['.repeat(100000)), UsageError, 'limit_exceeded')
  throwsCode(() => canonicalizeJson('{"a":' + '['.repeat(100000)), UsageError, 'limit_exceeded')
  throwsCode(() => canonicalizeJson('"\ud800"'), FormatError, 'malformed', /lone surrogate/)
  throwsCode(() => hashJson({ n: 2 ** 60 }), FormatError, 'malformed')
  // A getter that throws: the caller's own exception passes through unchanged.
  const boom = new Error('boom')
  assert.throws(() => new Request('a', 'b', { get x() { throw boom } }), (e) => e === boom)
})

test('huge strings and bad base64 are refused with codes', () => {
  const huge = 'A'.repeat(20 * 1024 * 1024)
  throwsCode(() => Capability.parse(huge), UsageError, 'limit_exceeded')
  assert.deepEqual(verifier.check(huge, req).reasons.map((r) => r.code), ['limit_exceeded'])
  throwsCode(() => Capability.parse('AgJ='), FormatError, 'malformed', /base64url/)
  throwsCode(() => Capability.parse('!!!!'), FormatError, 'malformed')
  throwsCode(() => Capability.parse(''), FormatError, 'malformed')
  throwsCode(() => KeySet.fromJwks(huge), UsageError, 'limit_exceeded')
  throwsCode(() => KeySet.fromJwks('{"keys":[{"kty":"OKP","crv":"Ed25519","x":"AA=="}]}'), FormatError, 'malformed')
  throwsCode(() => PublicKey.fromJwk({ kty: 'OKP', crv: 'Ed25519', x: '!!' }), FormatError, 'malformed')
  throwsCode(() => cap.attenuate('x'.repeat(1024 * 1024)), UsageError, 'limit_exceeded')
  // A typo in a caveat is the caller's mistake (UsageError), not a 403.
  throwsCode(() => cap.attenuate('args.a == '), UsageError, 'invalid_caveat')
  throwsCode(() => new Issuer(root).issue({ caveats: ['args.x <'], neverExpires: true }), UsageError, 'invalid_caveat')
  throwsCode(() => Capability.parse(cap.serialize() + '\n'), FormatError, 'malformed', /whitespace.*strip it/)
  throwsCode(() => cap.bindHolder('not-a-kid'), UsageError, 'invalid_argument')
  assert.deepEqual(verifier.check(cap, req, 'x'.repeat(1e6), NOW).reasons.map((r) => r.code), ['limit_exceeded'])
})

test('wrong key lengths', () => {
  for (const n of [0, 31, 33, 64]) {
    throwsCode(() => SigningKey.fromBytes(new Uint8Array(n)), UsageError, 'invalid_argument', /32 bytes/)
    throwsCode(() => PublicKey.fromBytes(new Uint8Array(n)), UsageError, 'invalid_argument', /32 bytes/)
  }
  throwsCode(() => RootKey.fromBytes(new Uint8Array(31)), UsageError, 'invalid_argument')
  throwsCode(() => RootKey.fromBytes(new Uint8Array(1025)), UsageError, 'invalid_argument')
  throwsCode(() => new Holder(SigningKey.generate()).prove(cap, req, 'svc', NOW, new Uint8Array(8)), UsageError, 'invalid_argument')
})

test('an expiry is required, in the future, in seconds', () => {
  throwsCode(() => new Issuer(root).issue(), UsageError, 'invalid_argument', /expiresAt|expires_at/)
  throwsCode(() => new Issuer(root).issue({ agent: 'a' }), UsageError, 'invalid_argument', /never_?expires/i)
  throwsCode(() => new Issuer(root).issue({ expiresAt: NOW + 60, neverExpires: true, issuedAt: NOW }), UsageError, 'invalid_argument')
  throwsCode(() => new Issuer(root).issue({ expiresAt: NOW - 1, issuedAt: NOW }), UsageError, 'invalid_argument', /expired when minted/)
  // Date.now() + 3600_000: milliseconds, the year 58,000.
  throwsCode(() => new Issuer(root).issue({ expiresAt: NOW * 1000 + 3600000, issuedAt: NOW }), UsageError, 'invalid_argument', /seconds, not milliseconds/)
  throwsCode(() => new Issuer(root).issue({ neverExpires: 1 }), UsageError, 'invalid_argument', /neverExpires must be a boolean/)
  throwsCode(() => new Issuer(root).issue({ neverExpires: 'yes' }), UsageError, 'invalid_argument', /boolean/)
  assert.deepEqual(new Issuer(root).issue({ agent: 'a', neverExpires: true }).caveats, ['agent == "a"'])
})

test('a missing holder proof has its own code; a Denied names every reason', () => {
  const bound = cap.bindHolder(new Holder(SigningKey.generate()).kid)
  assert.deepEqual(verifier.check(bound, req, null, NOW).reasons.map((r) => r.code), ['proof_required'])
  const log = charter.AuditLog.inMemory(SigningKey.generate())
  const g = new charter.Guard(verifier, new charter.PermitIssuer(SigningKey.generate(), 'gw'), log)
  const two = cap.attenuate('args.n > 5').attenuate('args.n > 6')
  assert.throws(() => g.protect(two, req, null, null, NOW), (e) => {
    assert.ok(e instanceof charter.Denied)
    assert.equal(e.reasons.length, 2)
    assert.match(e.message, /^denied for 2 reasons: /)
    for (const r of e.reasons) assert.ok(e.message.includes(r.message), e.message)
    assert.ok(String(e).includes(e.reasons[1].message))
    return true
  })
})

test('a bad proof or token is a denial (data), not an exception', () => {
  const d = verifier.check('garbage', req, 'also.garbage', NOW)
  assert.equal(d.allowed, false)
  assert.equal(d.reasons[0].code, 'malformed')
  const p = verifier.check(cap, req, 'x.y', NOW)
  assert.equal(p.allowed, false)
  assert.equal(p.reasons[0].code, 'proof_invalid')
})

test('revoke refuses what is not a capability id, and a token id revokes its family', () => {
  const v = new Verifier([root], 'svc')
  for (const bad of ['', `${cap.id}=`, `${cap.id}==`, ` ${cap.id}`, cap.id.slice(1), `${cap.id}AA`, 'not a capability id']) {
    throwsCode(() => v.revoke(bad), UsageError, 'invalid_argument', /22 base64url characters/)
  }
  throwsCode(() => v.revoke(42), UsageError, 'invalid_argument')
  assert.equal(v.check(cap, req, null, NOW).allowed, true)
  v.revoke(cap.tokenId)
  const d = v.check(cap.attenuate('args.n == 1'), req, null, NOW)
  assert.deepEqual(d.reasons.map((r) => r.code), ['revoked'])
})

test('AuditLog.open(path, key, expectHead) refuses a log cut behind the kept head', () => {
  const fs = require('node:fs')
  const os = require('node:os')
  const path = require('node:path')
  const { AuditLog, Guard, PermitIssuer, AuditError } = charter
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'charter-expect-head-'))
  try {
    const file = path.join(dir, 'audit.jsonl')
    const key = SigningKey.fromBytes(new Uint8Array(32).fill(5))
    const root = RootKey.fromBytes(new Uint8Array(32).fill(7))
    const cap = new Issuer(root).issue({ actions: ['read'], issuedAt: NOW, tokenId: new Uint8Array(16), neverExpires: true })
    const log = AuditLog.open(file, key)
    const guard = new Guard(new Verifier([root], 'aud'), new PermitIssuer(key, 'gw'), log)
    for (let n = 0; n < 5; n++) guard.check(cap, new Request('agent', 'read', { n }), null, NOW)
    const kept = log.head().toJson()
    assert.equal(AuditLog.open(file, key, kept).len(), 5)
    assert.equal(AuditLog.open(file, key, null).len(), 5)
    const lines = fs.readFileSync(file, 'utf8').split('\n')
    fs.writeFileSync(file, lines.slice(0, 3).map((l) => l + '\n').join(''))
    assert.equal(AuditLog.open(file, key).len(), 3)
    throwsCode(() => AuditLog.open(file, key, kept), AuditError, 'chain_broken', /2 receipts are missing/)
    throwsCode(() => AuditLog.open(file, key, 'not a receipt'), FormatError, 'malformed', /expect_head/)
    throwsCode(() => AuditLog.open(file, key, 42), UsageError, 'invalid_argument')
  } finally {
    fs.rmSync(dir, { recursive: true, force: true })
  }
})
