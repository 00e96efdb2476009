'use strict'
// Human approvals through a JS package (Node's or WASM's): SigningKey.approve,
// the request's `approvals`, and ApprovalRequired (a Denied) from
// Guard.protect (contract/approvals.md). One suite for both packages, as
// vectors.cjs is; `charter` is the package under test.
const test = require('node:test')
const assert = require('node:assert/strict')

function run(charter) {
  const { RootKey, SigningKey, Issuer, Verifier, Guard, PermitIssuer, AuditLog, Receipt, ApprovalRequired, Denied, hashJson } = charter

  const T0 = 1767225600
  const seed = (n) => new Uint8Array(32).fill(n)
  const root = RootKey.fromBytes(seed(21))
  const alice = SigningKey.fromBytes(seed(22))
  const bob = SigningKey.fromBytes(seed(23))
  const cap = new Issuer(root).issue({
    agent: 'shopper', actions: ['refund'], expiresAt: T0 + 3600, issuedAt: T0,
    caveats: [`approval(2, ["${alice.kid}", "${bob.kid}"], args.amount > 1000)`],
  })
  const args = { amount: 5000 }
  const request = (...approvals) => ({ agent: 'shopper', action: 'refund', args, approvals })
  const guard = () => {
    const log = AuditLog.inMemory(SigningKey.fromBytes(seed(24)))
    return [new Guard(new Verifier([root], 'shop'), new PermitIssuer(SigningKey.fromBytes(seed(25)), 'gw'), log), log]
  }

  test('approvals: two distinct approvers allow, and the receipt names them', () => {
    const a = alice.approve(cap, 'refund', args, 'shop', 300, T0)
    const b = bob.approve(cap.serialize(), 'refund', JSON.stringify(args), 'shop', 300, T0)
    assert.equal(new Verifier([root], 'shop').check(cap, request(a, b), null, T0 + 1).allowed, true)
    const [g, log] = guard()
    g.protect(cap, request(a, b), null, null, T0 + 1)
    assert.deepEqual(JSON.parse(log.head().toJson()).approvers, [alice.kid, bob.kid].sort())
    assert.deepEqual(log.head().approvers, [alice.kid, bob.kid].sort())
    assert.deepEqual(Receipt.parse(log.head().toJson()).approvers, log.head().approvers)
    assert.throws(() => g.protect(cap, request(a), null, null, T0 + 1), ApprovalRequired)
    assert.deepEqual(log.head().approvers, [])
  })

  test('approvals: too few throws ApprovalRequired with the need', () => {
    const a = alice.approve(cap, 'refund', args, 'shop', 300, T0)
    const [g] = guard()
    for (const offered of [[a], [a, a], [a, bob.approve(cap, 'refund', { amount: 5001 }, 'shop', 300, T0)]]) {
      assert.throws(() => g.protect(cap, request(...offered), null, null, T0 + 1), (e) => {
        assert.ok(e instanceof ApprovalRequired && e instanceof Denied)
        assert.equal(e.code, 'approval_required')
        assert.equal(e.name, 'ApprovalRequired')
        const need = e.reasons[0].approval
        assert.deepEqual(need, {
          required: 2, approvers: [alice.kid, bob.kid], valid: 1, capability: cap.id,
          action: 'refund', argsHash: hashJson(JSON.stringify(args)), audience: 'shop',
        })
        return true
      })
    }
    // Another caveat failing too: a plain Denied.
    assert.throws(() => g.protect(cap.attenuate('args.amount < 10'), request(a), null, null, T0 + 1),
      (e) => e instanceof Denied && !(e instanceof ApprovalRequired) && e.code === 'denied')
    const d = new Verifier([root], 'shop').check(cap, request(a), null, T0 + 1)
    assert.equal(d.reasons[0].code, 'approval_required')
    assert.equal(d.reasons[0].approval.valid, 1)
    assert.equal(new Verifier([root], 'shop').check(cap, { agent: 'shopper', action: 'refund', args: { amount: 5 } }, null, T0).reasons.length, 0)
    assert.throws(() => alice.approve(cap, 'refund', args, 'shop', 0, T0), (e) => e.code === 'invalid_argument')
  })
}

module.exports = { run }
