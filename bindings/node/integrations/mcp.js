'use strict'
// Charter for the MCP TypeScript SDK (@modelcontextprotocol/sdk), both sides,
// on the wire convention of contract/wire.md:
//
// - `guardServer(mcpServer, options)`: every `tools/call` is decided by the
//   Guard before the tool runs, on the request as sent (the tool name and the
//   `arguments` before schema validation, so a holder proof made over them
//   verifies). A denial is a CallToolResult with `isError: true`, a text item
//   naming the reasons and `_meta["dev.charter/denial"]`; the tool function
//   never runs. An allowed call's handler finds `extra.charter = {permit, receipt}`.
// - `attachCapability(client, options)`: the client's `callTool` puts the
//   capability (and a fresh holder proof per call) into `params._meta`.
const { META, checkOptions, agentOf, argsOf, decide, wireReasons, denialText, usage } = require('./core.js')

const GUARDED = Symbol.for('dev.charter/mcp-guarded')

/** The JSON-RPC method a request schema of the SDK is for (zod 3 and zod 4 schemas). */
function methodOf(schema) {
  const shape = schema && (schema.shape || (schema._def && typeof schema._def.shape === 'function' ? schema._def.shape() : schema._def && schema._def.shape))
  const method = shape && shape.method
  if (!method) return undefined
  if (typeof method.value === 'string') return method.value
  const def = method._def || method.def
  if (def && typeof def.value === 'string') return def.value
  if (def && Array.isArray(def.values) && def.values.length === 1) return def.values[0]
  return undefined
}

/** The MCP result of a denial (contract/wire.md, "MCP"). */
function denialResult(outcome) {
  return {
    content: [{ type: 'text', text: denialText(null, outcome.reasons) }],
    isError: true,
    _meta: { [META.denial]: { reasons: wireReasons(outcome.reasons), receipt: outcome.receipt } },
  }
}

/**
 * Gates every tool of an `McpServer` (or a low-level `Server`). Call it right
 * after constructing the server, before registering tools: it wraps the
 * `tools/call` handler the SDK installs.
 */
function guardServer(server, options) {
  const where = 'guardServer'
  checkOptions(where, options)
  const low = server && server.server && typeof server.server.setRequestHandler === 'function' ? server.server : server
  if (!low || typeof low.setRequestHandler !== 'function') {
    throw usage(where, 'pass an McpServer or a Server from @modelcontextprotocol/sdk')
  }
  if (low[GUARDED]) throw usage(where, 'this server is already guarded')
  if (server._toolHandlersInitialized === true || (low._requestHandlers instanceof Map && low._requestHandlers.has('tools/call'))) {
    throw usage(where, 'a tools/call handler is already installed: call guardServer before registering tools')
  }
  let wrapped = false
  const original = low.setRequestHandler
  low.setRequestHandler = function (schema, handler) {
    if (methodOf(schema) !== 'tools/call') return original.call(this, schema, handler)
    wrapped = true
    return original.call(this, schema, async (request, extra) => {
      const params = request.params || {}
      const meta = params._meta || {}
      const action = typeof params.name === 'string' ? params.name : ''
      const agent = agentOf(options, meta[META.agent], request, extra)
      const call = { agent, action, args: argsOf(params.arguments) }
      const resource = options.resource === undefined ? undefined : options.resource(request, extra)
      if (resource !== undefined && resource !== null) call.resource = resource
      const outcome = decide(options, meta[META.capability], call, meta[META.proof])
      if (typeof options.onDecision === 'function') options.onDecision({ ...call, ...outcome })
      if (!outcome.allowed) return denialResult(outcome)
      return handler(request, { ...extra, charter: { permit: outcome.permit, receipt: outcome.receipt } })
    })
  }
  // Fail closed: if the SDK ever installed its tools/call handler by another
  // path than setRequestHandler, registering a tool throws instead of serving
  // unguarded calls.
  if (server !== low) {
    for (const name of ['registerTool', 'tool', 'registerToolTask']) {
      const register = server[name]
      if (typeof register !== 'function') continue
      server[name] = function (...args) {
        const out = register.apply(this, args)
        if (!wrapped) throw usage(where, `${name} installed a tools/call handler that guardServer did not wrap; this SDK version is not supported`)
        return out
      }
    }
  }
  Object.defineProperty(low, GUARDED, { value: true })
  return server
}

/**
 * Makes `client.callTool(params, ...)` carry a capability: `options` are
 * `{capability, agent?, holder?, audience?}` (a holder and the server's
 * audience make a fresh proof per call over exactly the request the server
 * decides: agent, tool name, arguments). Returns the client.
 */
function attachCapability(client, options) {
  const where = 'attachCapability'
  if (!client || typeof client.callTool !== 'function') throw usage(where, 'pass a Client from @modelcontextprotocol/sdk')
  if (!options || (typeof options.capability !== 'string' && (typeof options.capability !== 'object' || options.capability === null))) {
    throw usage(where, '`capability` must be a capability token (or a Capability)')
  }
  if (options.holder && (typeof options.audience !== 'string' || options.audience === '')) {
    throw usage(where, 'a holder proves for one audience: pass the server\'s `audience`')
  }
  const token = typeof options.capability === 'string' ? options.capability : options.capability.serialize()
  const callTool = client.callTool
  client.callTool = function (params, ...rest) {
    const meta = { ...(params && params._meta), [META.capability]: token }
    const agent = typeof options.agent === 'string' ? options.agent : ''
    if (options.sendAgent !== false && agent !== '') meta[META.agent] = agent
    if (options.holder) {
      const request = { agent, action: params.name, args: argsOf(params.arguments) }
      meta[META.proof] = options.holder.prove(token, request, options.audience)
    }
    return callTool.call(this, { ...params, _meta: meta }, ...rest)
  }
  return client
}

/** The denial a CallToolResult carries (`{reasons, receipt}`), or null when it is not a Charter denial. */
function denialOf(result) {
  return (result && result.isError && result._meta && result._meta[META.denial]) || null
}

module.exports = { guardServer, attachCapability, denialOf, denialResult, META }
