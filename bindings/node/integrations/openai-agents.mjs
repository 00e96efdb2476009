// ES module entry of charter/openai-agents: the same functions as openai-agents.js.
import m from './openai-agents.js'

export const { guardTool, guardTools, charterPermit, CallDenied } = m
export default m
