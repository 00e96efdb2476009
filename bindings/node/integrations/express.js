'use strict'
// Charter for Express: `charter({ guard, auditLog, agent, action })` is a
// middleware that decides the request from its headers (contract/wire.md,
// "HTTP": Charter-Capability, Charter-Proof, Charter-Agent) before the route
// handler runs. A missing capability is 401 and a denial 403, each with the
// JSON body of the convention, and the handler never runs; an allowed
// request continues with `req.charter = {permit, receipt}`. The arguments
// decided are `args(req)`, by default the parsed JSON body (mount
// `express.json()` before it) or `{}`.
const { decideHttp, checkHttpOptions } = require('./core.js')

function defaultArgs(req) {
  const b = req.body
  if (b === undefined || b === null || Buffer.isBuffer(b) || typeof b === 'string') return {}
  if (typeof b === 'object' && !Array.isArray(b)) return b
  throw new TypeError('the JSON body is not an object: pass `args` to say what to decide')
}

/** The middleware. `action` is a string or `(req) => string`; `agent` a string or `(req) => string`. */
function charter(options) {
  checkHttpOptions('charter (express)', options)
  return function charterMiddleware(req, res, next) {
    let out
    try {
      const header = (name) => {
        const v = req.get(name)
        return v === undefined ? undefined : v
      }
      const action = typeof options.action === 'function' ? options.action(req) : options.action
      const args = options.args ? options.args(req) : defaultArgs(req)
      const resource = options.resource ? options.resource(req) : undefined
      out = decideHttp({ ...options, agent: typeof options.agent === 'function' ? () => options.agent(req) : options.agent }, header, action, args, resource)
    } catch (err) {
      if (err instanceof TypeError && !('code' in err)) {
        res.status(400).json({ error: 'malformed', message: `the request cannot be decided: ${err.message}` })
        return
      }
      next(err)
      return
    }
    if (!out.allowed) {
      res.status(out.status).json(out.body)
      return
    }
    req.charter = { permit: out.permit, receipt: out.receipt }
    next()
  }
}

module.exports = { charter }
