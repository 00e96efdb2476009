'use strict'
// Charter for LangChain.js (@langchain/core): `guardTools([tool, ...], options)`
// returns tools with the same name, description and schema whose every call
// is decided by the Guard before the wrapped tool runs. The capability comes
// from the run config, never from the model's arguments:
// `tool.invoke(input, { configurable: { charter: { capability, holder? } } })`
// (agents and graphs pass `configurable` down to their tools). The call is
// decided on the arguments after schema validation, which are what the tool
// runs with. A denial throws `CallDenied` (`.reasons`, `.receipt`); the
// wrapped tool never runs. An allowed call's tool finds
// `config.configurable.charterPermit = {permit, receipt}`.
const { checkOptions, agentOf, decide, credentialsOf, proofFor, usage, CallDenied } = require('./core.js')

function loadTools() {
  return require('@langchain/core/tools')
}

/** One tool wrapped: name, description, schema and response format unchanged. */
function guardTool(inner, options) {
  const where = 'guardTool'
  checkOptions(where, options)
  if (!inner || typeof inner.invoke !== 'function' || typeof inner.name !== 'string') {
    throw usage(where, 'pass a LangChain tool (tool(fn, {...}) or a StructuredTool)')
  }
  const { tool } = loadTools()
  const fn = async (input, config) => {
    const creds = credentialsOf(
      typeof options.credentials === 'function' ? options.credentials(config) : config?.configurable?.charter,
      where,
    )
    const call = { agent: agentOf(options, undefined, input, config), action: inner.name, args: input ?? {} }
    const outcome = decide(options, creds.capability, call, proofFor(creds, call, options.audience, where))
    if (typeof options.onDecision === 'function') options.onDecision({ ...call, ...outcome })
    if (!outcome.allowed) throw new CallDenied(inner.name, outcome.reasons, outcome.receipt)
    const configurable = { ...config?.configurable, charterPermit: { permit: outcome.permit, receipt: outcome.receipt } }
    const { toolCall, ...rest } = config ?? {}
    void toolCall
    return inner.invoke(input, { ...rest, configurable })
  }
  return tool(fn, {
    name: inner.name,
    description: inner.description,
    schema: inner.schema,
    responseFormat: inner.responseFormat,
    returnDirect: inner.returnDirect,
    metadata: inner.metadata,
    tags: inner.tags,
  })
}

/** `guardTool` over each tool of a list. */
function guardTools(tools, options) {
  if (!Array.isArray(tools)) throw usage('guardTools', 'pass an array of tools')
  return tools.map((t) => guardTool(t, options))
}

module.exports = { guardTool, guardTools, CallDenied }
