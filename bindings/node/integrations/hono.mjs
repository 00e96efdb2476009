// ES module entry of charter/hono: the same functions as hono.js.
import m from './hono.js'

export const { charter } = m
export default m
