// An agent end to end, without an API key: the OpenAI Agents SDK runs a
// scripted model (the SDK's own ScriptedModel) that calls two guarded tools,
// and Charter decides every call before the tool runs (charter/openai-agents).
// It prints each call, allowed or denied with the reasons, and then verifies
// the receipts the guard recorded.
//
//   node examples/node/agent.mjs
//
// Needs the Node package built and its dev dependencies installed
// (scripts/test-node.sh does both).
import { createRequire } from 'node:module'

const require = createRequire(new URL('../../bindings/node/package.json', import.meta.url))
const { RootKey, SigningKey, Issuer, Verifier, PermitIssuer, AuditLog, Guard, verifyBundle } = require('charter')
const { guardTool, charterPermit } = require('charter/openai-agents')
const { Agent, run, tool, setTracingDisabled } = require('@openai/agents')
const { ScriptedModel, functionCall, assistantMessage } = require('@openai/agents-core/testing')
const { z } = require('zod')

// Nothing leaves the machine: no model API, no tracing export.
setTracingDisabled(true)

// The platform mints a capability for the support agent: look orders up,
// refund at most 50, and only until an hour from now.
const root = RootKey.generate()
const capability = new Issuer(root)
  .issue({ agent: 'support-bot', actions: ['lookup', 'refund'], expiresAt: Math.floor(Date.now() / 1000) + 3600 })
  .attenuate('action != "refund" || args.amount <= 50')

// The shop's guard: decide, sign a permit, record a receipt, every call.
const auditLog = AuditLog.inMemory(SigningKey.generate())
const guard = new Guard(new Verifier([root], 'tools.shop.example'), new PermitIssuer(SigningKey.generate(), 'shop'), auditLog)

const ran = []
const lookup = tool({
  name: 'lookup',
  description: 'Look an order up',
  parameters: z.object({ order: z.string() }),
  execute: ({ order }) => {
    ran.push(`lookup ${order}`)
    return JSON.stringify({ order, status: 'delivered', total: 120 })
  },
})
const refund = tool({
  name: 'refund',
  description: 'Refund part of an order',
  parameters: z.object({ order: z.string(), amount: z.number() }),
  execute: ({ order, amount }, _ctx, details) => {
    ran.push(`refund ${order} ${amount}`)
    return `refunded ${amount} on ${order} (permit ${charterPermit(details).permit.claims.jti})`
  },
})

const options = {
  guard,
  auditLog,
  agent: 'support-bot',
  onDecision: (d) => {
    const verdict = d.allowed ? 'ALLOWED' : `DENIED  ${d.reasons.map((r) => `${r.code}: ${r.message}`).join('; ')}`
    console.log(`${d.action} ${JSON.stringify(d.args)} -> ${verdict}`)
  },
}

// What the model would do, scripted: look up, refund within the limit,
// then try a refund over it, then delete something it was never given.
const model = new ScriptedModel([
  [functionCall('lookup', { order: 'A-1' }, { callId: 'c1' })],
  [functionCall('refund', { order: 'A-1', amount: 30 }, { callId: 'c2' })],
  [functionCall('refund', { order: 'A-1', amount: 90 }, { callId: 'c3' })],
  [functionCall('delete_order', { order: 'A-1' }, { callId: 'c4' })],
  [assistantMessage('Refunded 30 on A-1; a larger refund needs a person.')],
])
const deleteOrder = tool({
  name: 'delete_order',
  description: 'Delete an order',
  parameters: z.object({ order: z.string() }),
  execute: ({ order }) => {
    ran.push(`delete ${order}`)
    return 'deleted'
  },
})
const agent = new Agent({
  name: 'support',
  instructions: 'Help the customer.',
  model,
  tools: [lookup, refund, deleteOrder].map((t) => guardTool(t, options)),
})

const result = await run(agent, 'Please refund order A-1.', { context: { charter: { capability: capability.serialize() } } })
for (const item of result.newItems) {
  if (item.type === 'tool_call_output_item') console.log(`  tool output: ${item.output}`)
}
console.log(`agent: ${result.finalOutput}`)
console.log(`tool functions that ran: ${ran.join(', ')}`)
const report = verifyBundle(auditLog.exportBundle(), auditLog.keys())
const kinds = auditLog.receipts(0, auditLog.len()).map((r) => r.decision)
console.log(`receipts: ${report.count} verified (${kinds.join(', ')})`)
