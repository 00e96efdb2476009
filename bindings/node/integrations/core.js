'use strict'
// What every framework integration shares: one decision through a Guard, its
// receipt, and the shape of a denial (contract/wire.md). It imports neither the
// Node package nor the WASM one: it works over the Guard and AuditLog objects
// the caller passes (from `charter` or `@charter/wasm`), so the Hono module can
// run on Deno and Workers too.

/** The MCP `_meta` keys of contract/wire.md. */
const META = Object.freeze({
  capability: 'dev.charter/capability',
  proof: 'dev.charter/proof',
  agent: 'dev.charter/agent',
  denial: 'dev.charter/denial',
})

/** The HTTP headers of contract/wire.md (lower case, as Node and fetch give them). */
const HEADERS = Object.freeze({
  capability: 'charter-capability',
  proof: 'charter-proof',
  agent: 'charter-agent',
})

/** A tool call that was not allowed: `.reasons` say why, `.receipt` is the hash of its receipt (or null). */
class CallDenied extends Error {
  constructor(action, reasons, receipt) {
    super(denialText(action, reasons))
    this.name = 'CallDenied'
    this.code = 'denied'
    this.action = action
    this.reasons = reasons
    this.receipt = receipt
  }
}

/** `<action> denied: code: message; code: message` (the text agents show), or `denied: ...` without an action (MCP's, contract/wire.md). */
function denialText(action, reasons) {
  const why = reasons.map((r) => `${r.code}: ${r.message}`).join('; ')
  return action === null ? `denied: ${why}` : `${action} denied: ${why}`
}

function usage(where, message) {
  const e = new TypeError(`${where}: ${message}`)
  e.code = 'invalid_argument'
  return e
}

/** Checks the options every integration takes: a guard, its audit log, and how to name the agent. */
function checkOptions(where, options) {
  if (options === null || typeof options !== 'object') throw usage(where, 'pass an options object: { guard, auditLog, agent }')
  const { guard, auditLog, agent } = options
  if (!guard || typeof guard.protect !== 'function') {
    throw usage(where, '`guard` must be a Guard (new Guard(verifier, permitIssuer, auditLog))')
  }
  if (!auditLog || typeof auditLog.len !== 'function' || typeof auditLog.head !== 'function') {
    throw usage(where, '`auditLog` must be the AuditLog the guard records in (receipts are named by its hash)')
  }
  if (agent !== undefined && typeof agent !== 'string' && typeof agent !== 'function') {
    throw usage(where, '`agent` must be the agent name (a string) or a function of the call that returns it')
  }
  return options
}

/** The agent decided for: the configured name (or function), or the client's claim when the server opted in to trusting it. */
function agentOf(options, claimed, ...callArgs) {
  if (options.trustClaimedAgent === true && typeof claimed === 'string' && claimed !== '') return claimed
  const a = typeof options.agent === 'function' ? options.agent(...callArgs) : options.agent
  return typeof a === 'string' ? a : ''
}

/** The arguments as sent, `{}` when absent (the guard refuses anything that is not a JSON object). */
function argsOf(args) {
  if (args === undefined || args === null) return {}
  return args
}

/**
 * Decides one call through the guard: `{allowed: true, permit, receipt}` or
 * `{allowed: false, reasons, receipt}`. Every decision the guard makes leaves
 * a receipt (its hash is `receipt`); an input the guard refuses to decide
 * (arguments that are not strict JSON, over a limit) is a denial with that
 * error's code and `receipt: null`. A missing capability is decided as the
 * empty token (so the attempt is recorded) and reported as `invalid_argument`.
 */
function decide(options, capability, request, proof) {
  const { guard, auditLog } = options
  const before = auditLog.len()
  const receipt = () => (auditLog.len() > before ? auditLog.head().hash : null)
  const missing = capability === undefined || capability === null || capability === ''
  const token = missing ? '' : capability
  let permit
  try {
    permit = guard.protect(token, request, proof === undefined || proof === '' ? null : proof)
  } catch (err) {
    if (err !== null && typeof err === 'object' && err.code === 'denied' && Array.isArray(err.reasons)) {
      const reasons = missing
        ? [{ code: 'invalid_argument', caveatIndex: null, message: 'no capability was sent with the call: send the capability token (contract/wire.md)' }]
        : err.reasons.map((r) => ({ code: r.code, caveatIndex: r.caveatIndex ?? null, message: r.message }))
      return { allowed: false, missing, reasons, receipt: receipt() }
    }
    if (err !== null && typeof err === 'object' && typeof err.code === 'string') {
      return { allowed: false, missing, reasons: [{ code: err.code, caveatIndex: null, message: err.message }], receipt: receipt() }
    }
    throw err
  }
  return { allowed: true, permit, receipt: receipt() }
}

/** The capability, proof and holder a framework context carries (`{capability, proof?, holder?}`). */
function credentialsOf(value, where) {
  if (value === undefined || value === null) return {}
  if (typeof value === 'string') return { capability: value }
  if (typeof value !== 'object') throw usage(where, 'the charter context must be a capability token or { capability, proof?, holder? }')
  return value
}

/**
 * A fresh holder proof for this request when the context carries a holder and
 * the integration knows the audience; otherwise the proof given (or none).
 */
function proofFor(creds, request, audience, where) {
  if (creds.holder !== undefined && creds.holder !== null) {
    if (typeof audience !== 'string' || audience === '') {
      throw usage(where, 'a holder needs the verifier audience: pass `audience` in the options')
    }
    return creds.holder.prove(creds.capability, request, audience)
  }
  return typeof creds.proof === 'function' ? creds.proof(request) : creds.proof
}

/** The JSON reasons of a denial on the wire (code and message, in order). */
function wireReasons(reasons) {
  return reasons.map((r) => ({ code: r.code, message: r.message }))
}

/**
 * Decides one HTTP call from its headers (contract/wire.md, "HTTP"):
 * `{allowed: true, permit, receipt, call}` or `{allowed: false, status, body, call}`
 * with the 401 / 403 JSON body of the convention.
 */
function decideHttp(options, header, action, args, resource) {
  const claimed = header(HEADERS.agent)
  const call = { agent: agentOf(options, claimed ?? undefined, header), action, args: argsOf(args) }
  if (resource !== undefined && resource !== null) call.resource = resource
  const capability = header(HEADERS.capability)
  const proof = header(HEADERS.proof)
  const outcome = decide(options, capability ?? '', call, proof ?? null)
  if (typeof options.onDecision === 'function') options.onDecision({ ...call, ...outcome })
  if (outcome.allowed) return { ...outcome, call }
  if (outcome.missing) {
    return {
      ...outcome,
      call,
      status: 401,
      body: { error: 'invalid_argument', message: 'no Charter-Capability header: send the capability token in it (and Charter-Proof for a holder-bound one)' },
    }
  }
  return { ...outcome, call, status: 403, body: { error: 'denied', reasons: wireReasons(outcome.reasons), receipt: outcome.receipt } }
}

/** Checks the HTTP options: an action (string or function of the request) on top of checkOptions. */
function checkHttpOptions(where, options) {
  checkOptions(where, options)
  if (typeof options.action !== 'string' && typeof options.action !== 'function') {
    throw usage(where, '`action` must name the tool this route is (a string) or be a function of the request that returns it')
  }
  if (options.args !== undefined && typeof options.args !== 'function') throw usage(where, '`args` must be a function of the request')
  if (options.resource !== undefined && typeof options.resource !== 'function') throw usage(where, '`resource` must be a function of the request')
  return options
}

module.exports = { decideHttp, checkHttpOptions, META, HEADERS, CallDenied, denialText, usage, checkOptions, agentOf, argsOf, decide, credentialsOf, proofFor, wireReasons }
