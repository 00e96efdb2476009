'use strict'
// charter/ai against the real AI SDK: generateText with the SDK's mock model
// (ai/test) calling guarded tools, and a tool's execute called as
// generateText calls it.
const test = require('node:test')
const assert = require('node:assert/strict')
const { generateText, tool, stepCountIs } = require('ai')
const { MockLanguageModelV4 } = require('ai/test')
const { z } = require('zod')
const { guardTools } = require('charter/ai')
const { AUDIENCE, shop, watched, decisions } = require('./integrations.helpers')

const usage = { inputTokens: { total: 1, noCache: 1 }, outputTokens: { total: 1, text: 1 } }
const stop = (content, unified) => ({ content, finishReason: { unified, raw: unified }, usage, warnings: [] })

test('AI SDK: generateText runs allowed tool calls and reports denied ones as tool errors, never running them', async () => {
  const s = shop()
  const refund = watched((input, options) => ({ refunded: input.amount, permit: options.charter.permit.claims.act }))
  const tools = guardTools(
    { refund: tool({ description: 'Refund an order', inputSchema: z.object({ order: z.string(), amount: z.number() }), execute: refund }) },
    { guard: s.guard, auditLog: s.auditLog, agent: 'shopper-7', capability: s.token },
  )
  const model = new MockLanguageModelV4({
    doGenerate: [
      stop(
        [
          { type: 'tool-call', toolCallId: 'c1', toolName: 'refund', input: '{"order":"A-1","amount":20}' },
          { type: 'tool-call', toolCallId: 'c2', toolName: 'refund', input: '{"order":"A-2","amount":200}' },
        ],
        'tool-calls',
      ),
      stop([{ type: 'text', text: 'one refund done' }], 'stop'),
    ],
  })
  const result = await generateText({ model, tools, prompt: 'refund', stopWhen: stepCountIs(3) })
  assert.equal(result.text, 'one refund done')
  const parts = result.steps[0].content
  const ok = parts.find((p) => p.type === 'tool-result')
  assert.deepEqual(ok.output, { refunded: 20, permit: 'refund' })
  const err = parts.find((p) => p.type === 'tool-error')
  assert.equal(err.toolCallId, 'c2')
  assert.equal(err.error.code, 'denied')
  assert.equal(err.error.reasons[0].code, 'caveat_failed')
  assert.equal(refund.calls.length, 1, 'the denied call never ran the tool')
  assert.deepEqual(decisions(s.auditLog).sort(), ['allow refund', 'deny refund'])
})

test('AI SDK: credentials per call, a holder proof each time, and a denial without one', async () => {
  const s = shop()
  const refund = watched(() => 'ok')
  let creds = { capability: s.bound, holder: s.holder }
  const { refund: guarded } = guardTools(
    { refund: tool({ inputSchema: z.object({ amount: z.number() }), execute: refund }) },
    { guard: s.guard, auditLog: s.auditLog, agent: 'shopper-7', audience: AUDIENCE, credentials: () => creds },
  )
  const options = { toolCallId: 'c1', messages: [], context: undefined }
  assert.equal(await guarded.execute({ amount: 5 }, options), 'ok')
  assert.equal(await guarded.execute({ amount: 6 }, options), 'ok')
  creds = { capability: s.bound }
  await assert.rejects(guarded.execute({ amount: 5 }, options), (e) => e.reasons[0].code === 'proof_required' && e.receipt === s.auditLog.head().hash)
  creds = undefined
  await assert.rejects(guarded.execute({ amount: 5 }, options), (e) => e.reasons[0].code === 'invalid_argument')
  assert.equal(refund.calls.length, 2)
  assert.deepEqual(decisions(s.auditLog), ['allow refund', 'allow refund', 'deny refund', 'deny refund'])
})
