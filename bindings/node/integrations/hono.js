'use strict'
// Charter for Hono: `charter({ guard, auditLog, agent, action })` is a
// middleware that decides the request from its headers (contract/wire.md,
// "HTTP") before the route handler runs. It imports no Charter package: pass
// a Guard and AuditLog from `charter` (Node) or `@charter/wasm` (Deno,
// Workers, browsers), and it works the same over either. A missing capability
// is 401 and a denial 403, each with the JSON body of the convention, and the
// handler never runs; an allowed request continues with
// `c.get('charter') = {permit, receipt}`. The arguments decided are
// `await args(c)`, by default the JSON body of a JSON request (Hono keeps it,
// so the handler can read it again) or `{}`.
const { decideHttp, checkHttpOptions } = require('./core.js')

async function defaultArgs(c) {
  const type = c.req.header('content-type') || ''
  if (!/^application\/(.+\+)?json\b/i.test(type)) return {}
  const body = await c.req.json()
  if (body !== null && typeof body === 'object' && !Array.isArray(body)) return body
  throw new TypeError('the JSON body is not an object: pass `args` to say what to decide')
}

/** The middleware. `action`, `agent` and `resource` are values or functions of the Hono context. */
function charter(options) {
  checkHttpOptions('charter (hono)', options)
  return async function charterMiddleware(c, next) {
    const action = typeof options.action === 'function' ? options.action(c) : options.action
    let args
    try {
      args = options.args ? await options.args(c) : await defaultArgs(c)
    } catch (e) {
      return c.json({ error: 'malformed', message: `the request body cannot be decided: ${e.message}` }, 400)
    }
    const resource = options.resource ? options.resource(c) : undefined
    const header = (name) => c.req.header(name)
    const out = decideHttp({ ...options, agent: typeof options.agent === 'function' ? () => options.agent(c) : options.agent }, header, action, args, resource)
    if (!out.allowed) return c.json(out.body, out.status)
    c.set('charter', { permit: out.permit, receipt: out.receipt })
    await next()
  }
}

module.exports = { charter }
