'use strict'
// Shared by the framework integration tests: a shop with one root key, a
// guard recording in an in-memory log, and a watched tool function.
const { charter } = require('./helpers')

const { RootKey, SigningKey, Issuer, Verifier, PermitIssuer, AuditLog, Guard, Holder, verifyBundle } = charter

const AUDIENCE = 'tools.shop.example'

/** A guard over a fresh root (or the given charter module), its log, and tokens for agent shopper-7. */
function shop(lib = charter) {
  const root = lib.RootKey.generate()
  const auditLog = lib.AuditLog.inMemory(lib.SigningKey.generate())
  const verifier = new lib.Verifier([root], AUDIENCE)
  const guard = new lib.Guard(verifier, new lib.PermitIssuer(lib.SigningKey.generate(), 'gateway.shop.example'), auditLog)
  const cap = new lib.Issuer(root).issue({
    agent: 'shopper-7',
    actions: ['refund', 'lookup'],
    expiresAt: Math.floor(Date.now() / 1000) + 3600,
  })
  const token = cap.attenuate('action != "refund" || args.amount <= 50').serialize()
  const holderKey = lib.SigningKey.generate()
  const holder = new lib.Holder(holderKey)
  const bound = cap.attenuate('action != "refund" || args.amount <= 50').bindHolder(holder.kid).serialize()
  return { lib, root, auditLog, verifier, guard, token, bound, holder }
}

/** A tool body that counts its runs, so a test can see a denied call never ran it. */
function watched(result) {
  const fn = (...args) => {
    fn.calls.push(args)
    return typeof result === 'function' ? result(...args) : result
  }
  fn.calls = []
  return fn
}

/** The decisions of the log, oldest first, and that its bundle verifies. */
function decisions(auditLog) {
  const n = auditLog.len()
  const out = auditLog.receipts(0, n).map((r) => `${r.decision} ${r.action}`)
  if (n > 0 && verifyBundle(auditLog.exportBundle(), auditLog.keys().toJwks()).count !== n) throw new Error('bundle does not verify')
  return out
}

module.exports = { AUDIENCE, shop, watched, decisions, RootKey, SigningKey, Issuer, Verifier, PermitIssuer, AuditLog, Guard, Holder }
