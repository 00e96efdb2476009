// A real MCP server (the official SDK, stdio transport) whose every tools/call
// is decided by Charter before the tool runs (charter/mcp, contract/wire.md).
//
//   CHARTER_ROOT_KEY=<hex of the root key bytes> node examples/node/mcp-server.mjs
//
// Environment: CHARTER_ROOT_KEY (required: the root key the capabilities are
// minted with, hex), CHARTER_AUDIENCE (default tools.shop.example),
// CHARTER_AGENT (the agent this server decides for, default shopper-7),
// CHARTER_TRUST_AGENT=1 to decide for the agent the client names instead
// (a claim, not an identity, unless the capability is holder-bound).
// It speaks MCP on stdin/stdout; decisions are logged to stderr. Any MCP
// client can drive it (examples/node/mcp-client.mjs, the Python client).
// Needs the Node package built and its dev dependencies installed
// (scripts/test-node.sh does both).
import { createRequire } from 'node:module'

// Resolve `charter` and the SDK from bindings/node, where they are installed.
const require = createRequire(new URL('../../bindings/node/package.json', import.meta.url))
const { RootKey, SigningKey, Verifier, PermitIssuer, AuditLog, Guard } = require('charter')
const { guardServer } = require('charter/mcp')
const { McpServer } = require('@modelcontextprotocol/sdk/server/mcp.js')
const { StdioServerTransport } = require('@modelcontextprotocol/sdk/server/stdio.js')
const { z } = require('zod')

const hex = process.env.CHARTER_ROOT_KEY
if (!hex || !/^([0-9a-f]{2}){32,1024}$/i.test(hex)) {
  process.stderr.write('mcp-server: set CHARTER_ROOT_KEY to the hex bytes of the root key (32 bytes or more)\n')
  process.exit(2)
}
const root = RootKey.fromBytes(Buffer.from(hex, 'hex'))
const audience = process.env.CHARTER_AUDIENCE || 'tools.shop.example'
const auditLog = AuditLog.inMemory(SigningKey.generate())
const guard = new Guard(new Verifier([root], audience), new PermitIssuer(SigningKey.generate(), 'mcp-server.example'), auditLog)

const server = guardServer(new McpServer({ name: 'charter-shop', version: '1.0.0' }), {
  guard,
  auditLog,
  agent: process.env.CHARTER_AGENT || 'shopper-7',
  trustClaimedAgent: process.env.CHARTER_TRUST_AGENT === '1',
  onDecision: (d) => {
    const why = d.allowed ? 'allowed' : `denied (${d.reasons.map((r) => r.code).join(', ')})`
    process.stderr.write(`mcp-server: ${d.agent} ${d.action} ${JSON.stringify(d.args)}: ${why}, receipt ${d.receipt}\n`)
  },
})

const orders = { 'A-1': { order: 'A-1', status: 'shipped' } }
server.registerTool(
  'lookup',
  { description: 'Look an order up', inputSchema: { order: z.string() }, outputSchema: { order: z.string(), status: z.string() } },
  ({ order }) => {
    const out = orders[order] ?? { order, status: 'unknown' }
    return { content: [{ type: 'text', text: JSON.stringify(out) }], structuredContent: out }
  },
)
server.registerTool(
  'refund',
  {
    description: 'Refund part of an order',
    inputSchema: { order: z.string(), amount: z.number() },
    outputSchema: { order: z.string(), refunded: z.number() },
  },
  ({ order, amount }, extra) => {
    // Runs only when allowed; the permit for exactly this call is here.
    const out = { order, refunded: amount }
    process.stderr.write(`mcp-server: refund ran under permit ${extra.charter.permit.claims.jti}\n`)
    return { content: [{ type: 'text', text: JSON.stringify(out) }], structuredContent: out }
  },
)

await server.connect(new StdioServerTransport())
