'use strict'
// An MCP-style tool server: JSON-RPC 2.0 over plain node:http, no framework.
// Each `tools/call` is gated by Guard.protect: the caller presents a Charter
// capability (in `_meta.capability`), the guard checks it, signs a permit for
// exactly this call, and records a receipt either way. A denial is a JSON-RPC
// error carrying the reasons; the tool never runs.
//
//   node examples/node/mcp-server.js     # listens on 127.0.0.1:8787, prints a demo token
//
// Requires the built package (scripts/test-node.sh builds it).
const http = require('node:http')
const charter = require('../../bindings/node')

const { RootKey, SigningKey, Issuer, Verifier, PermitIssuer, AuditLog, Guard, Request, Denied, CharterError } = charter

const TOOLS = {
  'orders.read': {
    description: 'Read an order',
    run: (args) => ({ order: args.order, status: 'shipped' }),
  },
  'payments.refund': {
    description: 'Refund an order',
    run: (args) => ({ refunded: args.amount, currency: args.currency }),
  },
}

/** A server whose guard trusts `root`; returns {server, guard, log}. */
function createServer({ root, audience = 'tools.shop.example' }) {
  const log = AuditLog.inMemory(SigningKey.generate())
  const guard = new Guard(new Verifier([root], audience), new PermitIssuer(SigningKey.generate(), 'mcp-example'), log)

  function handle(msg) {
    if (msg.method === 'tools/list') {
      return { tools: Object.entries(TOOLS).map(([name, t]) => ({ name, description: t.description })) }
    }
    if (msg.method !== 'tools/call') throw Object.assign(new Error(`unknown method ${msg.method}`), { rpc: -32601 })
    const { name, arguments: args = {}, _meta: meta = {} } = msg.params || {}
    const tool = TOOLS[name]
    if (!tool) throw Object.assign(new Error(`unknown tool ${name}`), { rpc: -32602 })
    const request = new Request(String(meta.agent || ''), name, args)
    const permit = guard.protect(String(meta.capability || ''), request, meta.proof ?? null, null)
    return { content: [{ type: 'text', text: JSON.stringify(tool.run(args)) }], _meta: { permit: permit.token } }
  }

  const server = http.createServer((req, res) => {
    let body = ''
    req.setEncoding('utf8')
    req.on('data', (d) => {
      body += d
      if (body.length > 1 << 20) req.destroy()
    })
    req.on('end', () => {
      let msg = {}
      let reply
      try {
        msg = JSON.parse(body)
        reply = { jsonrpc: '2.0', id: msg.id ?? null, result: handle(msg) }
      } catch (e) {
        const error =
          e instanceof Denied
            ? { code: -32001, message: e.message, data: { code: e.code, reasons: e.reasons } }
            : e instanceof CharterError
              ? { code: -32602, message: e.message, data: { code: e.code } }
              : { code: e.rpc || -32700, message: e.message }
        reply = { jsonrpc: '2.0', id: msg.id ?? null, error }
      }
      res.writeHead(200, { 'content-type': 'application/json' })
      res.end(JSON.stringify(reply))
    })
  })
  return { server, guard, log }
}

module.exports = { createServer, TOOLS }

if (require.main === module) {
  const root = RootKey.generate()
  const token = new Issuer(root)
    .issue({ agent: 'shopper-7', actions: ['orders.read', 'payments.refund'], expiresAt: Math.floor(Date.now() / 1000) + 3600 })
    .attenuate('action != "payments.refund" || args.amount <= 50')
    .serialize()
  const { server } = createServer({ root })
  server.listen(8787, '127.0.0.1', () => {
    console.log('MCP-style tool server on http://127.0.0.1:8787')
    console.log(`capability for agent shopper-7:\n${token}`)
  })
}
