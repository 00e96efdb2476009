// ES module entry of charter/langchain: the same functions as langchain.js.
import m from './langchain.js'

export const { guardTool, guardTools, CallDenied } = m
export default m
