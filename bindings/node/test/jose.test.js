'use strict'
// Interop: stock JOSE (the npm `jose` package) verifies Charter permits with
// the vector JWKS, and refuses tampered ones.
const test = require('node:test')
const assert = require('node:assert/strict')
const path = require('node:path')
const { CONTRACT, charter, hex, readJson } = require('./helpers')

const { PermitIssuer, SigningKey, KeySet } = charter
const vectors = readJson(path.join(CONTRACT, 'vectors', 'permits.json')).vectors

test('jose.jwtVerify accepts a vector permit with the vector JWKS', async () => {
  const jose = await import('jose')
  const issued = vectors.find((v) => v.type === 'issue' && !('error' in v.expect))
  const withJwks = vectors.find((v) => v.type === 'verify' && v.token === issued.expect.token)
  assert.ok(withJwks, 'a verify vector for the issued permit carries its JWKS')
  const jwks = jose.createLocalJWKSet(JSON.parse(withJwks.jwks))
  const { payload, protectedHeader } = await jose.jwtVerify(issued.expect.token, jwks, {
    algorithms: ['EdDSA'],
    audience: issued.audience,
    currentDate: new Date(issued.now * 1000),
  })
  assert.equal(protectedHeader.typ, 'permit+jwt')
  assert.equal(protectedHeader.kid, issued.expect.kid)
  assert.deepEqual(payload, issued.expect.claims)
})

test('a permit issued here verifies with jose; tampering is refused', async () => {
  const jose = await import('jose')
  const key = SigningKey.fromBytes(hex('11'.repeat(32)))
  const now = Math.floor(Date.now() / 1000)
  const permit = new PermitIssuer(key, 'gateway').issue('agent-1', 'payments', 'refund', { amount: 5 }, 'cap-id', now)
  const jwks = jose.createLocalJWKSet(JSON.parse(KeySet.fromKeys([key.publicKey()]).toJwks()))
  const { payload } = await jose.jwtVerify(permit.token, jwks, { algorithms: ['EdDSA'], audience: 'payments' })
  assert.deepEqual({ ...payload, idem: null }, permit.claims)
  const [h, c, s] = permit.token.split('.')
  const forged = Buffer.from(JSON.stringify({ ...JSON.parse(Buffer.from(c, 'base64url')), act: 'delete' })).toString('base64url')
  await assert.rejects(jose.jwtVerify(`${h}.${forged}.${s}`, jwks, { algorithms: ['EdDSA'], audience: 'payments' }))
  await assert.rejects(jose.jwtVerify(permit.token, jwks, { algorithms: ['EdDSA'], audience: 'elsewhere' }))
})
