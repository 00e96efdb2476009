// ES module entry of charter/express: the same functions as express.js.
import m from './express.js'

export const { charter } = m
export default m
