'use strict'
// TLS to PostgreSQL from the npm package (rustls on ring: the addon links no
// OpenSSL), against the throwaway server of scripts/postgres.sh (scripts/test.sh
// node starts it): CHARTER_PG_TLS_URL is a role the server admits over TLS
// only, CHARTER_PG_TLS_CA the CA that signed the server's certificate for
// 127.0.0.1, CHARTER_PG_TLS_OTHER_CA a CA of the same name that did not sign
// it. CHARTER_REQUIRE_POSTGRES=1 makes a missing server a failure, not a skip.
const test = require('node:test')
const assert = require('node:assert/strict')
const fs = require('node:fs')
const os = require('node:os')
const path = require('node:path')
const { charter } = require('./helpers')

const { RootKey, Issuer, Request, Verifier, openStore, openStoreAsync } = charter

const NOW = Math.floor(Date.now() / 1000)
const ROOT_KEY = RootKey.fromBytes(new Uint8Array(32).fill(0x25))
const REQUEST = new Request('agent-1', 'refund', { amount: 5 })
const NAMES = ['CHARTER_PG_TLS_URL', 'CHARTER_PG_TLS_CA', 'CHARTER_PG_TLS_OTHER_CA']
const [URL, CA, OTHER_CA] = NAMES.map((n) => process.env[n] || '')
const withCa = (mode, ca) => `${URL}?connect_timeout=5&sslmode=${mode}&sslrootcert=${encodeURI(ca)}`

if (!(URL && CA && OTHER_CA)) {
  const why = `${NAMES.join(', ')} are not set (scripts/postgres.sh sets them when openssl is there)`
  if (process.env.CHARTER_REQUIRE_POSTGRES === '1') {
    test('PostgreSQL over TLS is required', () => assert.fail(`CHARTER_REQUIRE_POSTGRES=1 but ${why}`))
  } else {
    test('PostgreSQL over TLS', { skip: why }, () => {})
  }
} else {
  test('postgres TLS: verify-full against the server\'s CA shares revocations', async () => {
    const verified = withCa('verify-full', CA)
    const cap = new Issuer(ROOT_KEY).issue({ actions: ['refund'], expiresAt: NOW + 3600 })
    const a = new Verifier([ROOT_KEY], 'svc', undefined, undefined, await openStoreAsync(verified))
    const store = openStore(verified)
    const b = new Verifier([ROOT_KEY], 'svc', undefined, undefined, store)
    assert.equal(b.check(cap, REQUEST).allowed, true)
    a.revoke(cap.id)
    assert.equal(b.check(cap, REQUEST).reasons[0].code, 'revoked')
    assert.ok(store.revoked().includes(cap.id))
    // verify-ca (the chain, not the name) sees the same list.
    const c = new Verifier([ROOT_KEY], 'svc', undefined, undefined, openStore(withCa('verify-ca', CA)))
    assert.equal(c.check(cap, REQUEST).reasons[0].code, 'revoked')
    // The role is admitted over TLS only: the stores above spoke TLS.
    assert.throws(() => openStore(`${URL}?connect_timeout=5&sslmode=disable`), (e) => e instanceof charter.CharterError && /no encryption/.test(e.message))
  })

  test('postgres TLS: verify-full with a wrong CA is store_unavailable', async () => {
    await assert.rejects(openStoreAsync(withCa('verify-full', OTHER_CA)), (e) => {
      assert.ok(e instanceof charter.EnvironmentError, String(e))
      assert.equal(e.code, 'store_unavailable')
      assert.match(e.message, /certificate/)
      return true
    })
    // A CA file that is not PEM is the caller's mistake, found before connecting.
    const notPem = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'charter-tls-')), 'ca.der')
    fs.writeFileSync(notPem, Buffer.from([0x30, 0x82, 0x01, 0x02]))
    assert.throws(() => openStore(withCa('verify-full', notPem)), (e) => e instanceof charter.UsageError && e.code === 'invalid_argument' && /sslrootcert=/.test(e.message))
  })
}
