'use strict'
// charter/langchain against the real @langchain/core: guarded tools keep their
// schema, take the capability from the run config, and are invoked with
// tool.invoke (arguments, and a model's ToolCall).
const test = require('node:test')
const assert = require('node:assert/strict')
const { tool } = require('@langchain/core/tools')
const { z } = require('zod')
const { guardTools } = require('charter/langchain')
const { AUDIENCE, shop, watched, decisions } = require('./integrations.helpers')

function refundTool() {
  const body = watched((input, config) => `refunded ${input.amount} (${config.configurable.charterPermit.permit.claims.act})`)
  const t = tool(async (input, config) => body(input, config), {
    name: 'refund',
    description: 'Refund an order',
    schema: z.object({ order: z.string(), amount: z.number() }),
  })
  return { t, body }
}

test('LangChain: the schema is unchanged and the capability comes from the run config', async () => {
  const s = shop()
  const { t, body } = refundTool()
  const [guarded] = guardTools([t], { guard: s.guard, auditLog: s.auditLog, agent: 'shopper-7' })
  assert.equal(guarded.name, 'refund')
  assert.equal(guarded.description, 'Refund an order')
  assert.equal(guarded.schema, t.schema)
  const config = { configurable: { charter: { capability: s.token } } }
  assert.equal(await guarded.invoke({ order: 'A-1', amount: 40 }, config), 'refunded 40 (refund)')
  await assert.rejects(guarded.invoke({ order: 'A-1', amount: 400 }, config), (e) => e.code === 'denied' && e.reasons[0].code === 'caveat_failed')
  await assert.rejects(guarded.invoke({ order: 'A-1', amount: 4 }), (e) => e.reasons[0].code === 'invalid_argument')
  // A model's tool call: the same decision, and a ToolMessage back.
  const msg = await guarded.invoke({ type: 'tool_call', id: 'call-1', name: 'refund', args: { order: 'A-2', amount: 10 } }, config)
  assert.equal(msg.tool_call_id, 'call-1')
  assert.equal(msg.content, 'refunded 10 (refund)')
  // Arguments the schema refuses never reach the decision or the tool.
  await assert.rejects(guarded.invoke({ order: 'A-1', amount: 'lots' }, config))
  assert.equal(body.calls.length, 2, 'denied calls never ran the tool')
  assert.deepEqual(decisions(s.auditLog), ['allow refund', 'deny refund', 'deny refund', 'allow refund'])
})

test('LangChain: a holder in the config proves each call', async () => {
  const s = shop()
  const { t, body } = refundTool()
  const [guarded] = guardTools([t], { guard: s.guard, auditLog: s.auditLog, agent: 'shopper-7', audience: AUDIENCE })
  const config = { configurable: { charter: { capability: s.bound, holder: s.holder } } }
  assert.equal(await guarded.invoke({ order: 'A-1', amount: 1 }, config), 'refunded 1 (refund)')
  assert.equal(await guarded.invoke({ order: 'A-1', amount: 2 }, config), 'refunded 2 (refund)')
  await assert.rejects(
    guarded.invoke({ order: 'A-1', amount: 3 }, { configurable: { charter: { capability: s.bound } } }),
    (e) => e.reasons[0].code === 'proof_required' && e.receipt === s.auditLog.head().hash,
  )
  assert.equal(body.calls.length, 2)
  assert.deepEqual(decisions(s.auditLog), ['allow refund', 'allow refund', 'deny refund'])
})
