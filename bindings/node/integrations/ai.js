'use strict'
// Charter for the Vercel AI SDK (`ai`): `guardTools({ name: tool({...}) }, options)`
// wraps each tool's `execute` so it runs only when the Guard allows the call.
// The tool's name is its key in the record, as `generateText({ tools })` uses
// it. The capability comes from `options.credentials(input, executeOptions)`
// or `options.capability` (a token, or `{capability, holder?, proof?}`), never
// from the model. A denial throws `CallDenied` (with `.reasons` and
// `.receipt`), which the SDK reports as a tool error to the model; the
// original `execute` never runs. An allowed call's `execute(input, options)`
// finds `options.charter = {permit, receipt}`.
const { checkOptions, agentOf, decide, credentialsOf, proofFor, usage, CallDenied } = require('./core.js')

/** One tool, named `name`, whose `execute` is decided first. Tools without `execute` (client-side) are returned unchanged. */
function guardTool(name, tool, options) {
  const where = 'guardTool'
  checkOptions(where, options)
  if (typeof name !== 'string' || name === '') throw usage(where, 'the tool name (its key in `tools`) must be a non-empty string')
  if (!tool || typeof tool !== 'object') throw usage(where, `tool ${name} must be a tool({...}) definition`)
  if (typeof tool.execute !== 'function') return tool
  const execute = tool.execute
  return {
    ...tool,
    execute: async (input, executeOptions) => {
      const raw = typeof options.credentials === 'function' ? options.credentials(input, executeOptions) : options.capability
      const creds = credentialsOf(raw, where)
      const call = { agent: agentOf(options, undefined, input, executeOptions), action: name, args: input ?? {} }
      const outcome = decide(options, creds.capability, call, proofFor(creds, call, options.audience, where))
      if (typeof options.onDecision === 'function') options.onDecision({ ...call, ...outcome })
      if (!outcome.allowed) throw new CallDenied(name, outcome.reasons, outcome.receipt)
      return execute.call(tool, input, { ...executeOptions, charter: { permit: outcome.permit, receipt: outcome.receipt } })
    },
  }
}

/** `guardTool` over every entry of a tool set (`{ name: tool }`). */
function guardTools(tools, options) {
  if (!tools || typeof tools !== 'object') throw usage('guardTools', 'pass a tool set: { name: tool({...}) }')
  return Object.fromEntries(Object.entries(tools).map(([name, t]) => [name, guardTool(name, t, options)]))
}

module.exports = { guardTool, guardTools, CallDenied }
