'use strict'
// charter/openai-agents against the real Agents SDK: the SDK's tool
// invocation entry point (invokeFunctionTool) and a whole run with the SDK's
// ScriptedModel (no API key, no network).
const test = require('node:test')
const assert = require('node:assert/strict')
const { tool, invokeFunctionTool, RunContext, Agent, run, setTracingDisabled } = require('@openai/agents')
const { ScriptedModel, functionCall, assistantMessage } = require('@openai/agents-core/testing')
const { z } = require('zod')
const { guardTool, charterPermit } = require('charter/openai-agents')
const { AUDIENCE, shop, watched, decisions } = require('./integrations.helpers')

setTracingDisabled(true)

function refundTool() {
  const body = watched((input, _ctx, details) => `refunded ${input.amount} under permit ${charterPermit(details).permit.claims.jti}`)
  const t = tool({
    name: 'refund',
    description: 'Refund an order',
    parameters: z.object({ order: z.string(), amount: z.number() }),
    execute: body,
  })
  return { t, body }
}

test('Agents: invokeFunctionTool runs an allowed call and returns a denial to the model without running the tool', async () => {
  const s = shop()
  const { t, body } = refundTool()
  const guarded = guardTool(t, { guard: s.guard, auditLog: s.auditLog, agent: 'shopper-7' })
  assert.equal(guarded.name, 'refund')
  assert.deepEqual(guarded.parameters, t.parameters)
  const runContext = new RunContext({ charter: { capability: s.token } })
  const ok = await invokeFunctionTool({ tool: guarded, runContext, input: '{"order":"A-1","amount":40}' })
  assert.match(ok, /^refunded 40 under permit [A-Za-z0-9_-]{22}$/)
  const over = await invokeFunctionTool({ tool: guarded, runContext, input: '{"order":"A-1","amount":400}' })
  assert.match(over, /^refund denied: caveat_failed: .*args\.amount <= 50/)
  const none = await invokeFunctionTool({ tool: guarded, runContext: new RunContext({}), input: '{"order":"A-1","amount":4}' })
  assert.match(none, /^refund denied: invalid_argument: no capability/)
  assert.equal(body.calls.length, 1, 'denied calls never ran the tool')
  assert.deepEqual(decisions(s.auditLog), ['allow refund', 'deny refund', 'deny refund'])
})

test('Agents: a holder in the run context proves each call; onDenied can stop the run', async () => {
  const s = shop()
  const { t, body } = refundTool()
  const guarded = guardTool(t, {
    guard: s.guard,
    auditLog: s.auditLog,
    agent: 'shopper-7',
    audience: AUDIENCE,
    onDenied: (denial) => {
      throw denial
    },
  })
  const ok = await invokeFunctionTool({ tool: guarded, runContext: new RunContext({ charter: { capability: s.bound, holder: s.holder } }), input: '{"order":"A-1","amount":5}' })
  assert.match(ok, /^refunded 5/)
  await assert.rejects(
    invokeFunctionTool({ tool: guarded, runContext: new RunContext({ charter: { capability: s.bound } }), input: '{"order":"A-1","amount":5}' }),
    (e) => e.code === 'denied' && e.reasons[0].code === 'proof_required' && e.receipt === s.auditLog.head().hash,
  )
  assert.equal(body.calls.length, 1)
  assert.deepEqual(decisions(s.auditLog), ['allow refund', 'deny refund'])
})

test('Agents: a whole run with a scripted model: the denied call is reported to the model, the allowed one runs', async () => {
  const s = shop()
  const { t, body } = refundTool()
  const model = new ScriptedModel([
    [functionCall('refund', { order: 'A-1', amount: 30 }, { callId: 'c1' }), functionCall('refund', { order: 'A-2', amount: 300 }, { callId: 'c2' })],
    [assistantMessage('done')],
  ])
  const agent = new Agent({ name: 'shopper', model, tools: [guardTool(t, { guard: s.guard, auditLog: s.auditLog, agent: 'shopper-7' })] })
  const result = await run(agent, 'refund both orders', { context: { charter: { capability: s.token } } })
  assert.equal(result.finalOutput, 'done')
  const outputs = result.newItems.filter((i) => i.type === 'tool_call_output_item').map((i) => String(i.output))
  assert.equal(outputs.length, 2)
  assert.match(outputs[0], /^refunded 30/)
  assert.match(outputs[1], /^refund denied: caveat_failed/)
  assert.equal(body.calls.length, 1)
  assert.deepEqual(decisions(s.auditLog).sort(), ['allow refund', 'deny refund'])
})
