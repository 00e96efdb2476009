// An MCP client runner (the official SDK, stdio transport) that carries a
// Charter capability and a fresh holder proof per call (charter/mcp,
// contract/wire.md). It starts any MCP server command, makes the calls
// given, and prints one JSON line per call, so a test in any language can
// drive a server written in any other.
//
//   node examples/node/mcp-client.mjs --capability TOKEN [--holder-key HEX]
//       [--audience AUD] [--agent NAME] --call TOOL JSON [--call TOOL JSON ...]
//       -- COMMAND [ARG...]
//
// --holder-key is the hex seed of the holder's signing key (for a
// holder-bound capability; a proof is made per call for --audience, default
// tools.shop.example). --agent (default shopper-7) is the agent the proof is
// made for and is sent as dev.charter/agent. Each output line is
//   {"tool", "allowed", "structuredContent", "text", "denial"}
// where denial is the server's _meta["dev.charter/denial"] or null. Exit
// status: 0 when every call got a result (allowed or denied), 2 on a usage or
// connection error.
import { createRequire } from 'node:module'

const require = createRequire(new URL('../../bindings/node/package.json', import.meta.url))
const { SigningKey, Holder } = require('charter')
const { attachCapability, denialOf } = require('charter/mcp')
const { Client } = require('@modelcontextprotocol/sdk/client/index.js')
const { StdioClientTransport } = require('@modelcontextprotocol/sdk/client/stdio.js')

function usage(message) {
  process.stderr.write(`mcp-client: ${message}\n`)
  process.exit(2)
}

const argv = process.argv.slice(2)
const opts = { audience: 'tools.shop.example', agent: 'shopper-7', calls: [] }
let command = null
for (let i = 0; i < argv.length; i++) {
  const a = argv[i]
  if (a === '--') {
    command = argv.slice(i + 1)
    break
  } else if (a === '--call') {
    if (i + 2 >= argv.length) usage('--call needs a tool name and its JSON arguments')
    let args
    try {
      args = JSON.parse(argv[i + 2])
    } catch (e) {
      usage(`--call ${argv[i + 1]}: the arguments are not JSON: ${e.message}`)
    }
    opts.calls.push({ name: argv[i + 1], arguments: args })
    i += 2
  } else if (['--capability', '--holder-key', '--audience', '--agent'].includes(a)) {
    if (i + 1 >= argv.length) usage(`${a} needs a value`)
    opts[a.slice(2).replace('-key', 'Key')] = argv[++i]
  } else {
    usage(`unknown argument ${a}`)
  }
}
if (!opts.capability) usage('--capability TOKEN is required')
if (!command || command.length === 0) usage('give the server command after --')

const holder = opts.holderKey ? new Holder(SigningKey.fromBytes(Buffer.from(opts.holderKey, 'hex'))) : undefined
const client = attachCapability(new Client({ name: 'charter-mcp-client', version: '1.0.0' }), {
  capability: opts.capability,
  agent: opts.agent,
  holder,
  audience: opts.audience,
})
const transport = new StdioClientTransport({ command: command[0], args: command.slice(1), env: process.env, stderr: 'inherit' })
try {
  await client.connect(transport)
} catch (e) {
  usage(`could not start or reach ${command.join(' ')}: ${e.message}`)
}
try {
  for (const call of opts.calls) {
    const result = await client.callTool(call)
    const denial = denialOf(result)
    const text = (result.content || []).filter((c) => c.type === 'text').map((c) => c.text).join('\n')
    const line = { tool: call.name, allowed: !result.isError, structuredContent: result.structuredContent ?? null, text, denial }
    process.stdout.write(`${JSON.stringify(line)}\n`)
  }
} finally {
  await client.close()
}
