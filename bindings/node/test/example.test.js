'use strict'
// Drives examples/node/mcp-server.js on 127.0.0.1: allowed calls run and get
// a permit, denied ones return the reasons, and every decision is recorded.
const test = require('node:test')
const assert = require('node:assert/strict')
const path = require('node:path')
const { ROOT, charter } = require('./helpers')

const { createServer } = require(path.join(ROOT, 'examples', 'node', 'mcp-server.js'))
const { RootKey, Issuer, Permit, verifyBundle } = charter

test('the MCP-style example gates every tool call with Guard.protect', async () => {
  const root = RootKey.generate()
  const token = new Issuer(root)
    .issue({ agent: 'shopper-7', actions: ['orders.read', 'payments.refund'], neverExpires: true })
    .attenuate('action != "payments.refund" || args.amount <= 50')
    .serialize()
  const { server, log } = createServer({ root })
  await new Promise((r) => server.listen(0, '127.0.0.1', r))
  const url = `http://127.0.0.1:${server.address().port}/`
  let id = 0
  const rpc = async (method, params) => {
    const res = await fetch(url, { method: 'POST', body: JSON.stringify({ jsonrpc: '2.0', id: ++id, method, params }) })
    return res.json()
  }
  const call = (name, args, meta = { agent: 'shopper-7', capability: token }) => rpc('tools/call', { name, arguments: args, _meta: meta })
  try {
    assert.deepEqual((await rpc('tools/list')).result.tools.map((t) => t.name), ['orders.read', 'payments.refund'])

    const ok = await call('payments.refund', { amount: 40, currency: 'USD' })
    assert.equal(JSON.parse(ok.result.content[0].text).refunded, 40)
    assert.equal(Permit.parse(ok.result._meta.permit).claims.act, 'payments.refund')

    const over = await call('payments.refund', { amount: 500, currency: 'USD' })
    assert.equal(over.error.code, -32001)
    assert.equal(over.error.data.code, 'denied')
    assert.equal(over.error.data.reasons[0].code, 'caveat_failed')

    const stranger = await call('orders.read', { order: 'A-1' }, { agent: 'someone-else', capability: token })
    assert.equal(stranger.error.data.reasons[0].code, 'caveat_failed')
    const forged = await call('orders.read', { order: 'A-1' }, { agent: 'shopper-7', capability: token.slice(0, -4) + 'AAAA' })
    assert.equal(forged.error.data.code, 'denied')

    assert.equal(log.len(), 4)
    assert.deepEqual(log.receipts(0, 4).map((r) => r.decision), ['allow', 'deny', 'deny', 'deny'])
    assert.equal(verifyBundle(log.exportBundle(), log.keys()).count, 4)
  } finally {
    await new Promise((r) => server.close(r))
  }
})
