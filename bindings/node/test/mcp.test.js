'use strict'
// charter/mcp against the real MCP SDK: an McpServer gated by guardServer and
// an SDK Client with attachCapability, over the SDK's InMemoryTransport and
// over stdio (the example server as a child process).
const test = require('node:test')
const assert = require('node:assert/strict')
const path = require('node:path')
const { McpServer } = require('@modelcontextprotocol/sdk/server/mcp.js')
const { Client } = require('@modelcontextprotocol/sdk/client/index.js')
const { InMemoryTransport } = require('@modelcontextprotocol/sdk/inMemory.js')
const { StdioClientTransport } = require('@modelcontextprotocol/sdk/client/stdio.js')
const { z } = require('zod')
const { guardServer, attachCapability, denialOf } = require('charter/mcp')
const { ROOT, toHex } = require('./helpers')
const { AUDIENCE, shop, watched, decisions } = require('./integrations.helpers')

async function connect(s, refund, clientOptions) {
  const server = guardServer(new McpServer({ name: 'shop', version: '1.0.0' }), {
    guard: s.guard,
    auditLog: s.auditLog,
    agent: 'shopper-7',
  })
  server.registerTool(
    'refund',
    { description: 'Refund an order', inputSchema: { order: z.string(), amount: z.number() } },
    refund,
  )
  const client = attachCapability(new Client({ name: 'agent', version: '1.0.0' }), clientOptions)
  const [a, b] = InMemoryTransport.createLinkedPair()
  await Promise.all([server.connect(a), client.connect(b)])
  return { server, client }
}

test('MCP: allowed calls run with their permit, denied ones never reach the tool', async () => {
  const s = shop()
  const refund = watched((args, extra) => ({
    content: [{ type: 'text', text: `refunded ${args.amount} (permit for ${extra.charter.permit.claims.act})` }],
  }))
  const { client, server } = await connect(s, refund, { capability: s.token, agent: 'shopper-7' })
  try {
    const tools = await client.listTools()
    assert.deepEqual(tools.tools.map((t) => t.name), ['refund'])

    const ok = await client.callTool({ name: 'refund', arguments: { order: 'A-1', amount: 40 } })
    assert.equal(ok.isError, undefined)
    assert.equal(ok.content[0].text, 'refunded 40 (permit for refund)')
    assert.equal(refund.calls.length, 1)

    const over = await client.callTool({ name: 'refund', arguments: { order: 'A-1', amount: 500 } })
    assert.equal(over.isError, true)
    assert.match(over.content[0].text, /^denied: caveat_failed: .*args\.amount <= 50$/)
    const denial = denialOf(over)
    assert.equal(denial.reasons[0].code, 'caveat_failed')
    assert.equal(denial.receipt, s.auditLog.head().hash)
    assert.equal(refund.calls.length, 1, 'the denied call never ran the tool')

    const unknown = await client.callTool({ name: 'delete_everything', arguments: {} })
    assert.equal(denialOf(unknown).reasons[0].code, 'caveat_failed')
    assert.deepEqual(decisions(s.auditLog), ['allow refund', 'deny refund', 'deny delete_everything'])
  } finally {
    await client.close()
    await server.close()
  }
})

test('MCP: a call without a capability, with a forged one, or from a claimed agent is denied and recorded', async () => {
  const s = shop()
  const refund = watched({ content: [{ type: 'text', text: 'ran' }] })
  const server = guardServer(new McpServer({ name: 'shop', version: '1.0.0' }), { guard: s.guard, auditLog: s.auditLog, agent: 'intern' })
  server.registerTool('refund', { inputSchema: { order: z.string(), amount: z.number() } }, refund)
  const client = new Client({ name: 'agent', version: '1.0.0' })
  const [a, b] = InMemoryTransport.createLinkedPair()
  await Promise.all([server.connect(a), client.connect(b)])
  try {
    const bare = await client.callTool({ name: 'refund', arguments: { order: 'A-1', amount: 1 } })
    assert.equal(denialOf(bare).reasons[0].code, 'invalid_argument')
    assert.match(bare.content[0].text, /no capability/)
    const forged = await client.callTool({
      name: 'refund',
      arguments: { order: 'A-1', amount: 1 },
      _meta: { 'dev.charter/capability': s.token.slice(0, -4) + 'AAAA', 'dev.charter/agent': 'shopper-7' },
    })
    assert.equal(denialOf(forged).reasons[0].code, 'bad_signature')
    // The server did not opt in to trusting the claimed agent: it decides for `intern`.
    const claimed = await client.callTool({
      name: 'refund',
      arguments: { order: 'A-1', amount: 1 },
      _meta: { 'dev.charter/capability': s.token, 'dev.charter/agent': 'shopper-7' },
    })
    assert.equal(denialOf(claimed).reasons[0].code, 'caveat_failed')
    assert.match(denialOf(claimed).reasons[0].message, /shopper-7/)
    assert.equal(refund.calls.length, 0)
    assert.deepEqual(decisions(s.auditLog), ['deny refund', 'deny refund', 'deny refund'])
  } finally {
    await client.close()
    await server.close()
  }
})

test('MCP: a holder-bound capability needs the fresh proof the client attaches to each call', async () => {
  const s = shop()
  const refund = watched({ content: [{ type: 'text', text: 'ran' }] })
  const { client, server } = await connect(s, refund, { capability: s.bound, agent: 'shopper-7', holder: s.holder, audience: AUDIENCE })
  const bare = new Client({ name: 'thief', version: '1.0.0' })
  attachCapability(bare, { capability: s.bound, agent: 'shopper-7' })
  try {
    for (const amount of [10, 20]) {
      const ok = await client.callTool({ name: 'refund', arguments: { order: 'A-1', amount } })
      assert.equal(ok.isError, undefined, JSON.stringify(ok))
    }
    assert.equal(refund.calls.length, 2)
    // Without the holder key the stolen token is not enough.
    const [a, b] = InMemoryTransport.createLinkedPair()
    const other = guardServer(new McpServer({ name: 'shop', version: '1.0.0' }), { guard: s.guard, auditLog: s.auditLog, agent: 'shopper-7' })
    other.registerTool('refund', { inputSchema: { order: z.string(), amount: z.number() } }, refund)
    await Promise.all([other.connect(a), bare.connect(b)])
    const stolen = await bare.callTool({ name: 'refund', arguments: { order: 'A-1', amount: 10 } })
    assert.equal(denialOf(stolen).reasons[0].code, 'proof_required')
    assert.equal(refund.calls.length, 2)
    assert.deepEqual(decisions(s.auditLog), ['allow refund', 'allow refund', 'deny refund'])
    await other.close()
  } finally {
    await bare.close()
    await client.close()
    await server.close()
  }
})

test('MCP: guardServer refuses a server whose tools are already registered', () => {
  const s = shop()
  const server = new McpServer({ name: 'shop', version: '1.0.0' })
  server.registerTool('refund', { inputSchema: { amount: z.number() } }, () => ({ content: [] }))
  assert.throws(() => guardServer(server, { guard: s.guard, auditLog: s.auditLog, agent: 'a' }), /before registering tools/)
  assert.throws(() => guardServer(new McpServer({ name: 'x', version: '1' }), { guard: s.guard }), /auditLog/)
  // A tools/call handler installed past the guard fails the registration, never serves unguarded.
  const bypassed = guardServer(new McpServer({ name: 'x', version: '1' }), { guard: s.guard, auditLog: s.auditLog, agent: 'a' })
  bypassed.server.setRequestHandler = Object.getPrototypeOf(bypassed.server).setRequestHandler
  assert.throws(() => bypassed.registerTool('refund', { inputSchema: { amount: z.number() } }, () => ({ content: [] })), /did not wrap/)
})

test('MCP: with trustClaimedAgent the server decides for the agent the client names', async () => {
  const s = shop()
  const refund = watched({ content: [{ type: 'text', text: 'ran' }] })
  const server = guardServer(new McpServer({ name: 'shop', version: '1.0.0' }), {
    guard: s.guard, auditLog: s.auditLog, agent: 'intern', trustClaimedAgent: true,
  })
  server.registerTool('refund', { inputSchema: { order: z.string(), amount: z.number() } }, refund)
  const client = attachCapability(new Client({ name: 'agent', version: '1.0.0' }), { capability: s.token, agent: 'shopper-7' })
  const [a, b] = InMemoryTransport.createLinkedPair()
  await Promise.all([server.connect(a), client.connect(b)])
  try {
    const ok = await client.callTool({ name: 'refund', arguments: { order: 'A-1', amount: 1 } })
    assert.equal(ok.isError, undefined)
    assert.equal(s.auditLog.head().agent, 'shopper-7')
    assert.equal(refund.calls.length, 1)
  } finally {
    await client.close()
    await server.close()
  }
})

test('MCP over stdio: the example server as a command, driven by an SDK client', async () => {
  const { charter } = require('./helpers')
  const root = charter.RootKey.generate()
  const holderKey = charter.SigningKey.generate()
  const holder = new charter.Holder(holderKey)
  const token = new charter.Issuer(root)
    .issue({ agent: 'shopper-7', actions: ['lookup', 'refund'], neverExpires: true })
    .attenuate('action != "refund" || args.amount <= 50')
    .bindHolder(holder.kid)
    .serialize()
  const transport = new StdioClientTransport({
    command: process.execPath,
    args: [path.join(ROOT, 'examples', 'node', 'mcp-server.mjs')],
    env: { ...process.env, CHARTER_ROOT_KEY: toHex(root.toBytes()), CHARTER_AUDIENCE: AUDIENCE, CHARTER_AGENT: 'shopper-7' },
    stderr: 'pipe',
  })
  const client = attachCapability(new Client({ name: 'agent', version: '1.0.0' }), {
    capability: token,
    agent: 'shopper-7',
    holder,
    audience: AUDIENCE,
  })
  await client.connect(transport)
  try {
    const names = (await client.listTools()).tools.map((t) => t.name).sort()
    assert.deepEqual(names, ['lookup', 'refund'])
    const ok = await client.callTool({ name: 'refund', arguments: { order: 'A-1', amount: 40 } })
    assert.equal(ok.isError, undefined, JSON.stringify(ok))
    assert.deepEqual(ok.structuredContent, { order: 'A-1', refunded: 40 })
    const over = await client.callTool({ name: 'refund', arguments: { order: 'A-1', amount: 90 } })
    assert.equal(denialOf(over).reasons[0].code, 'caveat_failed')
    assert.match(denialOf(over).receipt, /^[A-Za-z0-9_-]{43}$/)
  } finally {
    await client.close()
  }
})

test('MCP over stdio: the example client runner against the example server command', () => {
  const { execFileSync } = require('node:child_process')
  const { charter } = require('./helpers')
  const root = charter.RootKey.generate()
  const holderKey = charter.SigningKey.generate()
  const token = new charter.Issuer(root)
    .issue({ agent: 'shopper-7', actions: ['lookup', 'refund'], neverExpires: true })
    .attenuate('action != "refund" || args.amount <= 50')
    .bindHolder(holderKey.kid)
    .serialize()
  const out = execFileSync(process.execPath, [
    path.join(ROOT, 'examples', 'node', 'mcp-client.mjs'),
    '--capability', token, '--holder-key', toHex(holderKey.toBytes()), '--audience', AUDIENCE,
    '--call', 'refund', '{"order":"A-1","amount":40}',
    '--call', 'refund', '{"order":"A-1","amount":90}',
    '--', process.execPath, path.join(ROOT, 'examples', 'node', 'mcp-server.mjs'),
  ], { env: { ...process.env, CHARTER_ROOT_KEY: toHex(root.toBytes()), CHARTER_AUDIENCE: AUDIENCE }, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] })
  const lines = out.trim().split('\n').map((l) => JSON.parse(l))
  assert.deepEqual(lines.map((l) => [l.tool, l.allowed]), [['refund', true], ['refund', false]])
  assert.deepEqual(lines[0].structuredContent, { order: 'A-1', refunded: 40 })
  assert.equal(lines[1].denial.reasons[0].code, 'caveat_failed')
})
