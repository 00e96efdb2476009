'use strict'
// Charter for the OpenAI Agents SDK (@openai/agents): `guardTool(tool, options)`
// wraps a function tool so each call is decided by the Guard before the tool
// runs. The capability comes from the run context, not from the model: pass
// `run(agent, input, { context: { charter: { capability, holder? } } })` (or
// a `credentials(runContext)` option). A denial is returned to the model as
// the tool's output (`"<tool> denied: <code>: <message>"`, the SDK's idiom for
// a rejected call) and the tool function never runs; `onDenied` changes what
// is returned (throw from it to stop the run). An allowed call's permit is
// `charterPermit(details)` inside the tool's `execute(input, runContext, details)`.
const { checkOptions, agentOf, decide, credentialsOf, proofFor, denialText, usage, CallDenied } = require('./core.js')

const PERMITS = new WeakMap()

/** The decision of the call whose `details` the tool's `execute` received: `{permit, receipt}` (undefined outside a guarded call). */
function charterPermit(details) {
  return details === undefined || details === null ? undefined : PERMITS.get(details)
}

/** A function tool whose every call is decided first; the tool's name, schema and options are unchanged. */
function guardTool(tool, options) {
  const where = 'guardTool'
  checkOptions(where, options)
  if (!tool || tool.type !== 'function' || typeof tool.invoke !== 'function') {
    throw usage(where, 'pass a function tool (tool({...}) from @openai/agents)')
  }
  const invoke = tool.invoke
  const guarded = {
    ...tool,
    invoke: async (runContext, input, details) => {
      let args
      try {
        args = input === undefined || input === '' ? {} : JSON.parse(input)
      } catch (e) {
        args = undefined
      }
      const creds = credentialsOf(
        typeof options.credentials === 'function' ? options.credentials(runContext) : runContext?.context?.charter,
        where,
      )
      const call = { agent: agentOf(options, undefined, runContext), action: tool.name, args }
      let outcome
      if (args === null || typeof args !== 'object' || Array.isArray(args)) {
        outcome = { allowed: false, reasons: [{ code: 'malformed', caveatIndex: null, message: 'the tool input is not a JSON object' }], receipt: null }
      } else {
        outcome = decide(options, creds.capability, call, proofFor(creds, call, options.audience, where))
      }
      if (typeof options.onDecision === 'function') options.onDecision({ ...call, ...outcome })
      if (!outcome.allowed) {
        if (typeof options.onDenied === 'function') return options.onDenied(new CallDenied(tool.name, outcome.reasons, outcome.receipt), runContext)
        return denialText(tool.name, outcome.reasons)
      }
      const d = details ?? {}
      PERMITS.set(d, { permit: outcome.permit, receipt: outcome.receipt })
      return invoke.call(tool, runContext, input, d)
    },
  }
  return guarded
}

/** `guardTool` over each tool of a list. */
function guardTools(tools, options) {
  return tools.map((t) => guardTool(t, options))
}

module.exports = { guardTool, guardTools, charterPermit, CallDenied }
