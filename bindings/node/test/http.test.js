'use strict'
// charter/express (a real Express server on 127.0.0.1, driven with fetch) and
// charter/hono (app.request()) over the Node package and the WASM package:
// the headers and the 401/403 bodies of contract/wire.md.
const test = require('node:test')
const assert = require('node:assert/strict')
const fs = require('node:fs')
const path = require('node:path')
const express = require('express')
const { Hono } = require('hono')
const { charter: expressCharter } = require('charter/express')
const { charter: honoCharter } = require('charter/hono')
const { ROOT } = require('./helpers')
const { AUDIENCE, shop, watched, decisions } = require('./integrations.helpers')

const WASM = path.join(ROOT, 'bindings', 'wasm', 'dist', 'nodejs', 'index.cjs')

/** The calls every HTTP integration must decide the same way; `send(path, headers, body)` returns a fetch Response. */
async function wireChecks(s, send, body) {
  const refund = (headers, amount) => send('/refund', headers, { order: 'A-1', amount })
  const ok = await refund({ 'Charter-Capability': s.token }, 40)
  assert.equal(ok.status, 200)
  assert.deepEqual(await ok.json(), { refunded: 40, act: 'refund' })

  const over = await refund({ 'Charter-Capability': s.token }, 400)
  assert.equal(over.status, 403)
  assert.match(over.headers.get('content-type'), /^application\/json/)
  const denied = await over.json()
  assert.deepEqual(Object.keys(denied).sort(), ['error', 'reasons', 'receipt'])
  assert.equal(denied.error, 'denied')
  assert.deepEqual(Object.keys(denied.reasons[0]).sort(), ['code', 'message'])
  assert.equal(denied.reasons[0].code, 'caveat_failed')
  assert.equal(denied.receipt, s.auditLog.head().hash)

  const missing = await refund({}, 4)
  assert.equal(missing.status, 401)
  const m = await missing.json()
  assert.deepEqual(Object.keys(m).sort(), ['error', 'message'])
  assert.equal(m.error, 'invalid_argument')

  const garbage = await refund({ 'Charter-Capability': 'not-a-token' }, 4)
  assert.equal(garbage.status, 403)
  assert.equal((await garbage.json()).reasons[0].code, 'malformed')

  // Holder-bound: a fresh proof per call for this audience, over the exact request.
  const prove = (amount) => s.holder.prove(s.bound, { agent: 'shopper-7', action: 'refund', args: { order: 'A-1', amount } }, AUDIENCE)
  const bound = await refund({ 'Charter-Capability': s.bound, 'Charter-Proof': prove(7) }, 7)
  assert.equal(bound.status, 200)
  const noProof = await refund({ 'Charter-Capability': s.bound }, 7)
  assert.equal((await noProof.json()).reasons[0].code, 'proof_required')
  const wrongArgs = await refund({ 'Charter-Capability': s.bound, 'Charter-Proof': prove(8) }, 9)
  assert.equal(wrongArgs.status, 403)

  // The server does not trust Charter-Agent: a claimed name changes nothing.
  const claimed = await refund({ 'Charter-Capability': s.token, 'Charter-Agent': 'admin' }, 41)
  assert.equal(claimed.status, 200)

  assert.equal(body.calls.length, 3, 'denied requests never ran the handler')
  assert.deepEqual(decisions(s.auditLog), [
    'allow refund', 'deny refund', 'deny refund', 'deny refund', 'allow refund', 'deny refund', 'deny refund', 'allow refund',
  ])
}

test('Express: the middleware decides each request from its headers before the handler', async () => {
  const s = shop()
  const body = watched((req, res) => res.json({ refunded: req.body.amount, act: req.charter.permit.claims.act }))
  const app = express()
  app.use(express.json())
  app.post('/refund', expressCharter({ guard: s.guard, auditLog: s.auditLog, agent: 'shopper-7', action: 'refund' }), body)
  const server = await new Promise((resolve) => {
    const srv = app.listen(0, '127.0.0.1', () => resolve(srv))
  })
  const base = `http://127.0.0.1:${server.address().port}`
  try {
    await wireChecks(s, (p, headers, json) => fetch(base + p, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...headers },
      body: JSON.stringify(json),
    }), body)
  } finally {
    await new Promise((r) => server.close(r))
  }
})

function honoApp(s, body) {
  const app = new Hono()
  app.post('/refund', honoCharter({ guard: s.guard, auditLog: s.auditLog, agent: 'shopper-7', action: 'refund' }), body)
  return (p, headers, json) => app.request(p, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify(json),
  })
}

test('Hono over the Node package: app.request() through the middleware', async () => {
  const s = shop()
  const body = watched(async (c) => c.json({ refunded: (await c.req.json()).amount, act: c.get('charter').permit.claims.act }))
  await wireChecks(s, honoApp(s, body), body)
})

test('Hono over the WASM package: the same middleware and checks with @charter/wasm', async (t) => {
  if (!fs.existsSync(WASM)) {
    // Built by scripts/test-wasm.sh; scripts/test.sh runs that step first and
    // then sets CHARTER_REQUIRE_WASM=1, so there a missing build fails.
    if (process.env.CHARTER_REQUIRE_WASM === '1') assert.fail(`${WASM} is missing: scripts/test-wasm.sh builds it`)
    t.skip('bindings/wasm/dist is not built (scripts/test-wasm.sh)')
    return
  }
  const wasm = require(WASM)
  const s = shop(wasm)
  assert.ok(!(s.guard instanceof require('charter').Guard), 'a WASM guard')
  const body = watched(async (c) => c.json({ refunded: (await c.req.json()).amount, act: c.get('charter').permit.claims.act }))
  await wireChecks(s, honoApp(s, body), body)
})

test('Hono with trustClaimedAgent decides for the Charter-Agent the client sends', async () => {
  const s = shop()
  const body = watched((c) => c.text('ok'))
  const app = new Hono()
  app.post('/refund', honoCharter({ guard: s.guard, auditLog: s.auditLog, agent: 'intern', action: 'refund', trustClaimedAgent: true }), body)
  const send = (headers) => app.request('/refund', { method: 'POST', headers: { 'content-type': 'application/json', 'Charter-Capability': s.token, ...headers }, body: '{"amount":1}' })
  assert.equal((await send({ 'Charter-Agent': 'shopper-7' })).status, 200)
  assert.equal((await send({})).status, 403, 'without the header it is the configured agent')
  assert.deepEqual(s.auditLog.receipts(0, 2).map((r) => r.agent), ['shopper-7', 'intern'])
  assert.equal(body.calls.length, 1)
})

test('HTTP middlewares refuse options they cannot work with', () => {
  const s = shop()
  assert.throws(() => expressCharter({ guard: s.guard, auditLog: s.auditLog, agent: 'a' }), /`action`/)
  assert.throws(() => honoCharter({ guard: {}, auditLog: s.auditLog, action: 'x' }), /`guard`/)
})
