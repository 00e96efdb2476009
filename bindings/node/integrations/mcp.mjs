// ES module entry of charter/mcp: the same functions as mcp.js.
import m from './mcp.js'

export const { guardServer, attachCapability, denialOf, denialResult, META } = m
export default m
