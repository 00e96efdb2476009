// ES module entry of charter/ai: the same functions as ai.js.
import m from './ai.js'

export const { guardTool, guardTools, CallDenied } = m
export default m
