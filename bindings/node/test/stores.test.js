'use strict'
// Shared stores: state that holds across verifiers and processes, and the
// *Async forms that keep the event loop running while a store answers.
// Every test runs against a SQLite file and, when CHARTER_PG_URL names a
// server (scripts/test.sh node starts a throwaway one with
// scripts/postgres.sh), against PostgreSQL; CHARTER_REQUIRE_POSTGRES=1 makes
// a missing server a failure instead of a skip.
const test = require('node:test')
const assert = require('node:assert/strict')
const fs = require('node:fs')
const os = require('node:os')
const path = require('node:path')
const crypto = require('node:crypto')
const { spawn, execFileSync } = require('node:child_process')
const { charter } = require('./helpers')

const {
  RootKey, SigningKey, KeySet, Issuer, Request, Verifier, PermitIssuer, PermitVerifier, AuditLog, Guard,
  Store, openStore, openStoreAsync, verifyBundle,
} = charter

const NOW = Math.floor(Date.now() / 1000)
const ROOT_KEY = RootKey.fromBytes(new Uint8Array(32).fill(0x21))
const PERMIT_KEY = SigningKey.fromBytes(new Uint8Array(32).fill(0x22))
const AUDIT_KEY = SigningKey.fromBytes(new Uint8Array(32).fill(0x23))
const OTHER_KEY = SigningKey.fromBytes(new Uint8Array(32).fill(0x24))
const REQUEST = new Request('agent-1', 'refund', { amount: 5 })
const PG_URL = process.env.CHARTER_PG_URL
const PACKAGE = path.join(__dirname, '..')

const unique = (label) => `${label}-${crypto.randomUUID()}`
const capability = (...caveats) => new Issuer(ROOT_KEY).issue({ actions: ['refund'], expiresAt: NOW + 3600, caveats })
const tmp = () => fs.mkdtempSync(path.join(os.tmpdir(), 'charter-stores-'))

/** The backends to run against: a fresh SQLite file, and PostgreSQL when given. */
const BACKENDS = [['sqlite', () => `sqlite://${path.join(tmp(), 'charter.db')}`]]
if (PG_URL) BACKENDS.push(['postgres', () => PG_URL])
else if (process.env.CHARTER_REQUIRE_POSTGRES === '1') {
  test('PostgreSQL is required', () => assert.fail('CHARTER_REQUIRE_POSTGRES=1 but CHARTER_PG_URL is not set'))
}

/** Runs `code` in a new Node process that has `charter` loaded; its stdout. */
function child(code, ...args) {
  const script = `const charter = require(${JSON.stringify(PACKAGE)});\n${code}`
  return execFileSync(process.execPath, ['-e', script, '--', ...args], { encoding: 'utf8', timeout: 60000 }).trim()
}

test('openStore: URLs, plain paths and their errors', async () => {
  const file = path.join(tmp(), 'plain.db')
  const store = openStore(file)
  assert.ok(store instanceof Store)
  assert.equal(store.url, `sqlite://${file}`)
  assert.ok(fs.existsSync(file))
  assert.equal(openStore('memory:').url, 'memory:')
  assert.equal((await openStoreAsync(file)).url, store.url)
  for (const bad of ['redis://h/0', 'sqlite:x', '']) {
    assert.throws(() => openStore(bad), (e) => e instanceof charter.UsageError && e.code === 'invalid_argument')
  }
  assert.throws(() => new Store(), (e) => e instanceof charter.UsageError && /openStore\(\)/.test(e.message))
  assert.throws(() => new Verifier([ROOT_KEY], 'svc', undefined, undefined, 'sqlite:///x.db'), charter.UsageError)
  // Nothing listens on port 1: refused, fail closed, the password never echoed.
  await assert.rejects(openStoreAsync('postgres://charter:secret@127.0.0.1:1/charter?connect_timeout=2'), (e) => {
    assert.ok(e instanceof charter.EnvironmentError, String(e))
    assert.equal(e.code, 'store_unavailable')
    assert.ok(!e.message.includes('secret'))
    return true
  })
})

for (const [backend, makeUrl] of BACKENDS) {
  test(`${backend}: a permit is accepted once across verifiers and processes`, async () => {
    const url = makeUrl()
    const keys = KeySet.fromKeys([PERMIT_KEY.publicKey()])
    const first = new PermitVerifier(keys, 'tool', undefined, openStore(url))
    const second = new PermitVerifier(keys, 'tool', undefined, openStore(url))
    const issuer = new PermitIssuer(PERMIT_KEY, 'gw')
    const permit = issuer.issue('agent-1', 'tool', 'refund', { amount: 5 }, 'cap', undefined, unique('jti'))
    assert.equal((await first.verifyAsync(permit.token, 'refund', { amount: 5 })).jti, permit.claims.jti)
    await assert.rejects(second.verifyAsync(permit.token, 'refund', { amount: 5 }), (e) => e instanceof charter.AuthorizationError && e.code === 'replayed')
    assert.throws(() => second.verify(permit.token, 'refund', { amount: 5 }), (e) => e.code === 'replayed')
    const code = `
      const [url, jwks, token] = process.argv.slice(-3)
      const v = new charter.PermitVerifier(jwks, 'tool', undefined, charter.openStore(url))
      try { v.verify(token, 'refund', { amount: 5 }); console.log('accepted') } catch (e) { console.log(e.code) }`
    assert.equal(child(code, url, keys.toJwks(), permit.token), 'replayed')
    const fresh = issuer.issue('agent-1', 'tool', 'refund', { amount: 5 }, 'cap', undefined, unique('jti'))
    assert.equal(child(code, url, keys.toJwks(), fresh.token), 'accepted')
    assert.throws(() => first.verify(fresh.token, 'refund', { amount: 5 }), (e) => e.code === 'replayed')
    // Eight presentations at once on the thread pool: one wins.
    const once = issuer.issue('agent-1', 'tool', 'refund', {}, 'cap', undefined, unique('jti'))
    const results = await Promise.allSettled(Array.from({ length: 8 }, (_, i) => (i % 2 ? first : second).verifyAsync(once.token, 'refund', {})))
    assert.equal(results.filter((r) => r.status === 'fulfilled').length, 1)
    assert.deepEqual(results.filter((r) => r.status === 'rejected').map((r) => r.reason.code), Array(7).fill('replayed'))
  })

  test(`${backend}: a revocation through one is seen by every verifier`, async () => {
    const url = makeUrl()
    const store = openStore(url)
    const a = new Verifier([ROOT_KEY], 'svc', undefined, undefined, openStore(url))
    const b = new Verifier([ROOT_KEY], 'svc', undefined, undefined, store)
    const [cap, other] = [capability(), capability()]
    assert.equal(a.check(cap, REQUEST).allowed, true)
    assert.equal((await b.checkAsync(cap, REQUEST)).allowed, true)
    await a.revokeAsync(cap.id)
    assert.equal((await b.checkAsync(cap, REQUEST)).reasons[0].code, 'revoked')
    await store.revokeAsync(other.id)
    assert.equal(a.check(other, REQUEST).reasons[0].code, 'revoked')
    assert.ok(store.revoked().includes(cap.id) && store.revoked().includes(other.id))
    const code = `
      const [url, token] = process.argv.slice(-2)
      const root = charter.RootKey.fromBytes(new Uint8Array(32).fill(0x21))
      const v = new charter.Verifier([root], 'svc', undefined, undefined, charter.openStore(url))
      const d = v.check(token, new charter.Request('agent-1', 'refund', { amount: 5 }))
      console.log(d.allowed ? 'allowed' : d.reasons[0].code)`
    assert.equal(child(code, url, other.serialize()), 'revoked')
    assert.equal(child(code, url, capability().serialize()), 'allowed')
    await assert.rejects(store.revokeAsync('not-an-id'), (e) => e instanceof charter.UsageError)
  })

  test(`${backend}: an audit log shared by two writers exports a bundle that verifies`, async () => {
    const url = makeUrl()
    const name = unique('log')
    const logs = [AuditLog.inStore(openStore(url), name, AUDIT_KEY), AuditLog.inStore(openStore(url), name, OTHER_KEY)]
    const guards = logs.map((log) => new Guard(new Verifier([ROOT_KEY], 'svc'), new PermitIssuer(PERMIT_KEY, 'gw'), log))
    const cap = capability('args.amount <= 10')
    const calls = []
    for (let i = 0; i < 20; i++) calls.push(guards[i % 2].checkAsync(cap, new Request('agent-1', 'refund', { amount: i })))
    const decisions = await Promise.all(calls)
    assert.equal(decisions.filter((d) => d.allowed).length, 11)
    const reader = AuditLog.inStore(openStore(url), name, AUDIT_KEY)
    assert.equal(reader.len(), 20)
    const trusted = KeySet.fromKeys([AUDIT_KEY.publicKey(), OTHER_KEY.publicKey()])
    const report = verifyBundle(await reader.exportBundleAsync(), trusted)
    assert.deepEqual([report.count, report.firstSeq, report.lastSeq], [20, 0, 19])
    assert.deepEqual(reader.receipts(0, 20).map((r) => r.seq), [...Array(20).keys()])
  })

  test(`${backend}: every store read and AuditLog.inStore has an async twin that resolves as it returns`, async () => {
    const store = openStore(makeUrl())
    const name = unique('log')
    const log = await AuditLog.inStoreAsync(store, name, AUDIT_KEY)
    assert.ok(log instanceof AuditLog)
    assert.deepEqual([await log.lenAsync(), await log.headAsync()], [log.len(), log.head()])
    assert.deepEqual([log.len(), log.head()], [0, null])
    const guard = new Guard(new Verifier([ROOT_KEY], 'svc'), new PermitIssuer(PERMIT_KEY, 'gw'), log)
    const cap = capability('args.amount <= 1')
    for (let i = 0; i < 3; i++) await guard.checkAsync(cap, new Request('agent-1', 'refund', { amount: i }))
    // A second writer's handle on the same chain, opened both ways.
    const [other, otherAsync] = [AuditLog.inStore(store, name, OTHER_KEY), await AuditLog.inStoreAsync(store, name, OTHER_KEY)]
    assert.deepEqual([await otherAsync.lenAsync(), other.len()], [3, 3])
    assert.equal((await log.headAsync()).toJson(), log.head().toJson())
    assert.equal(log.head().decision, 'deny')
    const json = (receipts) => receipts.map((r) => r.toJson())
    assert.deepEqual(json(await log.receiptsAsync(1, 3)), json(log.receipts(1, 3)))
    assert.deepEqual(json(await otherAsync.receiptsAsync(0, 3)), json(log.receipts(0, 3)))
    assert.equal(await log.exportBundleAsync(), log.exportBundle())
    assert.equal(await log.exportBundleAsync(1, 2), log.exportBundle(1, 2))
    assert.equal(verifyBundle(await other.exportBundleAsync(), KeySet.fromKeys([AUDIT_KEY.publicKey(), OTHER_KEY.publicKey()])).count, 3)
    await store.revokeAsync(cap.id)
    assert.deepEqual(await store.revokedAsync(), store.revoked())
    assert.ok(store.revoked().includes(cap.id))
  })

  test(`${backend}: the async twins reject with the class, code and message their sync forms throw`, async () => {
    const store = openStore(makeUrl())
    const log = AuditLog.inStore(store, unique('log'), AUDIT_KEY)
    const codes = []
    const twins = [
      [() => AuditLog.inStore(store, 'a name with spaces', AUDIT_KEY), () => AuditLog.inStoreAsync(store, 'a name with spaces', AUDIT_KEY)],
      [() => AuditLog.inStore('sqlite::memory:', 'log', AUDIT_KEY), () => AuditLog.inStoreAsync('sqlite::memory:', 'log', AUDIT_KEY)],
      [() => log.exportBundle(), () => log.exportBundleAsync()],
      [() => log.exportBundle(0.5), () => log.exportBundleAsync(0.5)],
      [() => log.receipts(0, 1), () => log.receiptsAsync(0, 1)],
      [() => log.receipts(-1, 0), () => log.receiptsAsync(-1, 0)],
      [() => store.revoke('not-an-id'), () => store.revokeAsync('not-an-id')],
    ]
    for (const [sync, async] of twins) codes.push(await rejectsAsTwin(sync, async))
    assert.deepEqual(codes, Array(codes.length).fill('invalid_argument'))
  })

  test(`${backend}: idempotency keys and budgets live in the store`, async () => {
    const url = makeUrl()
    const cap = capability()
    const guards = [0, 1].map(() => new Guard(new Verifier([ROOT_KEY], 'svc'), new PermitIssuer(PERMIT_KEY, 'gw'), AuditLog.inMemory(AUDIT_KEY), openStore(url)))
    const key = unique('idem')
    const p1 = await guards[0].protectAsync(cap, REQUEST, undefined, key)
    const p2 = guards[1].protect(cap, REQUEST, undefined, key)
    assert.equal(p1.token, p2.token)
    await assert.rejects(guards[1].protectAsync(cap, new Request('agent-1', 'refund', { amount: 6 }), undefined, key), (e) => e.code === 'idempotency_conflict')
    const issuers = [0, 1].map(() => new PermitIssuer(PERMIT_KEY, 'gw', undefined, openStore(url)))
    const ikey = unique('idem')
    const t1 = await issuers[0].issueAsync('agent-1', 'tool', 'refund', { amount: 5 }, cap.id, undefined, undefined, ikey)
    const t2 = issuers[1].issue('agent-1', 'tool', 'refund', { amount: 5 }, cap.id, undefined, undefined, ikey)
    assert.equal(t1.token, t2.token)
    const budgeted = capability(`budget("${unique('refunds')}", 3, 86400)`)
    const verifiers = [0, 1].map(() => new Verifier([ROOT_KEY], 'svc', undefined, undefined, openStore(url)))
    const decisions = await Promise.all(Array.from({ length: 6 }, (_, i) => verifiers[i % 2].checkAsync(budgeted, REQUEST)))
    assert.equal(decisions.filter((d) => d.allowed).length, 3)
    assert.deepEqual(decisions.filter((d) => !d.allowed).map((d) => d.reasons[0].code), Array(3).fill('budget_exhausted'))
    // A denied protectAsync rejects with Denied, as protect throws it: this
    // guard's verifier has no store, so a budget is never unenforced there.
    await assert.rejects(guards[0].protectAsync(budgeted, REQUEST), (e) => e instanceof charter.Denied && e.reasons[0].code === 'store_unavailable')
  })
}

/**
 * Asserts that `promised()`, the async twin of `sync`, rejects (never throws)
 * with what `sync()` throws: the same Charter class, code and message.
 * Returns the code.
 */
async function rejectsAsTwin(sync, promised) {
  let thrown
  assert.throws(sync, (e) => (thrown = e) instanceof charter.CharterError, String(sync))
  let promise
  assert.doesNotThrow(() => (promise = promised()), String(promised))
  await assert.rejects(promise, (e) => {
    assert.equal(e.constructor, thrown.constructor, String(promised))
    // The same message, but for the name of the call a binding-level refusal names.
    assert.deepEqual([e.code, e.message.replace(/^(\S+)Async: /, '$1: ')], [thrown.code, thrown.message])
    return true
  })
  return thrown.code
}

/** Runs `sql` on the SQLite file `file` from another process (python3's sqlite3). */
function sqlite(file, sql) {
  const python = process.env.CHARTER_PYTHON || 'python3'
  const script = 'import sqlite3, sys\ndb = sqlite3.connect(sys.argv[1])\ndb.executescript(sys.argv[2])\ndb.commit()'
  execFileSync(python, ['-c', script, file, sql])
}

test('sqlite: a broken log rejects the async reads as their sync forms throw', async () => {
  const file = path.join(tmp(), 'broken.db')
  const store = openStore(file)
  const log = AuditLog.inStore(store, 'broken', AUDIT_KEY)
  new Guard(new Verifier([ROOT_KEY], 'svc'), new PermitIssuer(PERMIT_KEY, 'gw'), log).check(capability(), REQUEST)
  sqlite(file, "UPDATE charter_audit SET receipt = '{}'")
  const codes = []
  codes.push(await rejectsAsTwin(() => log.head(), () => log.headAsync()))
  codes.push(await rejectsAsTwin(() => log.receipts(0, 1), () => log.receiptsAsync(0, 1)))
  codes.push(await rejectsAsTwin(() => log.exportBundle(), () => log.exportBundleAsync()))
  codes.push(await rejectsAsTwin(() => AuditLog.inStore(store, 'broken', AUDIT_KEY), () => AuditLog.inStoreAsync(store, 'broken', AUDIT_KEY)))
  assert.deepEqual(codes, Array(4).fill('malformed'))
  sqlite(file, 'DROP TABLE charter_audit; DROP TABLE charter_revocations')
  for (const [sync, promised] of [[() => log.len(), () => log.lenAsync()], [() => store.revoked(), () => store.revokedAsync()]]) {
    assert.equal(await rejectsAsTwin(sync, promised), 'store_unavailable')
    await assert.rejects(promised(), charter.EnvironmentError)
  }
})

/**
 * A process holding a lock until `release()`: `command args` prints
 * `locked` once it holds it (after reading `take` on its stdin) and lets go
 * when it reads `give` and its stdin ends.
 */
async function holder(command, args, take, give) {
  const proc = spawn(command, args, { stdio: ['pipe', 'pipe', 'inherit'] })
  proc.stdin.write(take)
  await new Promise((resolve, reject) => {
    proc.on('error', reject)
    proc.stdout.once('data', (d) => (String(d).trim() === 'locked' ? resolve() : reject(new Error(String(d)))))
  })
  return {
    release: () => new Promise((resolve) => {
      proc.on('exit', resolve)
      proc.stdin.end(give)
    }),
  }
}

/**
 * Another process holding the write lock of the SQLite file `file` until
 * `release()`: a store call on that file waits for it (SQLite's busy
 * timeout), as it would behind a long write of another replica. (Reads do
 * not wait: WAL mode.)
 */
function holdLock(file) {
  const hold = [
    'import sqlite3, sys',
    'db = sqlite3.connect(sys.argv[1], isolation_level=None)',
    "db.execute('BEGIN IMMEDIATE')",
    "print('locked', flush=True)",
    'sys.stdin.readline()',
    "db.execute('COMMIT')",
  ].join('\n')
  return holder(process.env.CHARTER_PYTHON || 'python3', ['-c', hold, file], '', '\n')
}

/**
 * A psql session holding `tables` of the PostgreSQL database `url` locked
 * (ACCESS EXCLUSIVE: reads wait too) until `release()`.
 */
function holdTables(url, tables) {
  const take = `BEGIN;\nLOCK TABLE ${tables.join(', ')} IN ACCESS EXCLUSIVE MODE;\n\\echo locked\n`
  return holder(process.env.CHARTER_PSQL || 'psql', ['-X', '-q', '-v', 'ON_ERROR_STOP=1', url], take, 'COMMIT;\n')
}

/**
 * Starts `calls()` while `lock` is held: after 300 ms they must still be
 * waiting, with a 10 ms timer firing all along (the loop was never
 * blocked). Then releases the lock and returns what they resolved to.
 */
async function waitsWithoutBlocking(lock, calls) {
  let ticks = 0
  const timer = setInterval(() => ticks++, 10)
  let settled = false
  const all = Promise.all(calls()).finally(() => (settled = true))
  try {
    await new Promise((resolve) => setTimeout(resolve, 300))
    assert.equal(settled, false, 'the calls did not wait for the lock')
    assert.ok(ticks >= 10, `the timer fired ${ticks} times in 300 ms`)
  } finally {
    await lock.release()
  }
  try {
    return await all
  } finally {
    clearInterval(timer)
  }
}

test('checkAsync keeps the event loop running while the store waits', async () => {
  const file = path.join(tmp(), 'busy.db')
  const store = openStore(file)
  const verifier = new Verifier([ROOT_KEY], 'svc', undefined, undefined, store)
  const guard = new Guard(verifier, new PermitIssuer(PERMIT_KEY, 'gw'), AuditLog.inStore(store, 'busy', AUDIT_KEY))
  // Each check spends from a budget: a write, which waits for the lock.
  const cap = capability(`budget("${unique('b')}", 5, 86400)`)
  const lock = await holdLock(file)
  const [decision, permit] = await waitsWithoutBlocking(lock, () => [verifier.checkAsync(cap, REQUEST), guard.protectAsync(cap, REQUEST)])
  assert.equal(decision.allowed, true)
  assert.ok(permit instanceof charter.Permit)
})

test('inStoreAsync and revokeAsync keep the event loop running while the SQLite lock is held', async () => {
  const file = path.join(tmp(), 'busy.db')
  const store = openStore(file)
  const cap = capability()
  const lock = await holdLock(file)
  // Opening a store log registers its key: a write.
  const [log] = await waitsWithoutBlocking(lock, () => [AuditLog.inStoreAsync(store, 'busy', AUDIT_KEY), store.revokeAsync(cap.id)])
  assert.equal(log.len(), 0)
  assert.deepEqual(store.revoked(), [cap.id])
})

test('the async log reads keep the event loop running while PostgreSQL holds the tables locked', { skip: !PG_URL && 'CHARTER_PG_URL is not set' }, async () => {
  const store = openStore(PG_URL)
  const log = AuditLog.inStore(store, unique('log'), AUDIT_KEY)
  const guard = new Guard(new Verifier([ROOT_KEY], 'svc'), new PermitIssuer(PERMIT_KEY, 'gw'), log)
  for (let i = 0; i < 2; i++) guard.check(capability(), REQUEST)
  store.revoke(capability().id)
  const lock = await holdTables(PG_URL, ['charter_audit', 'charter_audit_head', 'charter_audit_keys', 'charter_revocations'])
  const reads = await waitsWithoutBlocking(lock, () => [log.lenAsync(), log.headAsync(), log.receiptsAsync(0, 2), log.exportBundleAsync(), store.revokedAsync()])
  const [len, head, receipts, bundle, revoked] = reads
  assert.deepEqual([len, head.toJson(), receipts.map((r) => r.seq), bundle, revoked], [2, log.head().toJson(), [0, 1], log.exportBundle(), store.revoked()])
})
