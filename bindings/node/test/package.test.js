'use strict'
// The package as a user gets it: `npm install <bindings/node>` into a fresh
// project, then `require('charter')` and `import` — and the README's
// quickstart, exactly as written, run there.
const test = require('node:test')
const assert = require('node:assert/strict')
const fs = require('node:fs')
const os = require('node:os')
const path = require('node:path')
const { execFileSync } = require('node:child_process')

const PKG = path.resolve(__dirname, '..')
const CACHE = path.join(process.env.CHARTER_CACHE || path.join(os.homedir(), '.cache', 'charter'), 'npm')
// The Node that runs the installed copy: process.execPath, unless
// CHARTER_TEST_NODE names another (scripts/release-check.sh runs the suite
// with an arm64 Node under qemu, whose execPath the host cannot execute).
const NODE = process.env.CHARTER_TEST_NODE || process.execPath

/** The fenced block between the quickstart markers of README.md. */
function quickstart() {
  const readme = fs.readFileSync(path.join(PKG, 'README.md'), 'utf8')
  const m = readme.match(/<!-- quickstart:begin -->\n```js\n([\s\S]*?)```\n<!-- quickstart:end -->/)
  assert.ok(m, 'README.md has a quickstart block')
  return m[1]
}

let project
test.before(() => {
  project = fs.mkdtempSync(path.join(os.tmpdir(), 'charter-node-'))
  fs.writeFileSync(path.join(project, 'package.json'), JSON.stringify({ name: 'app', version: '1.0.0', private: true }))
  execFileSync('npm', ['install', '--install-links', '--no-audit', '--no-fund', '--offline', '--cache', CACHE, PKG], {
    cwd: project,
    stdio: 'pipe',
  })
})
test.after(() => {
  if (project) fs.rmSync(project, { recursive: true, force: true })
})

const run = (file, source) => {
  fs.writeFileSync(path.join(project, file), source)
  return execFileSync(NODE, [file], { cwd: project, encoding: 'utf8' })
}

test('require("charter") works from an installed copy', () => {
  const out = run('req.js', `
    const c = require('charter')
    const root = c.RootKey.generate()
    const cap = new c.Issuer(root).issue({ actions: ['read'], neverExpires: true })
    const d = new c.Verifier([root], 'svc').check(cap, new c.Request('a', 'read', {}))
    try { c.Capability.parse('x') } catch (e) { console.log(e instanceof c.FormatError, e.code) }
    console.log(d.allowed, require.resolve('charter').includes('node_modules'))
  `)
  assert.equal(out, 'true malformed\ntrue true\n')
})

test('import works from an installed copy (ESM, named and default)', () => {
  const out = run('imp.mjs', `
    import charter, { RootKey, Issuer, Verifier, Request, Denied, CharterError } from 'charter'
    const root = RootKey.generate()
    const cap = new Issuer(root).issue({ actions: ['read'], neverExpires: true })
    console.log(new Verifier([root], 'svc').check(cap, new Request('a', 'read', {})).allowed,
      charter.RootKey === RootKey, Denied.prototype instanceof CharterError)
  `)
  assert.equal(out, 'true true true\n')
})

test('the README quickstart runs as written', () => {
  const out = run('quickstart.js', quickstart())
  assert.match(out, /^denied: .*args\.amount <= 100.*\n$/)
})

test('the integration subpaths load from an installed copy without their frameworks (optional peers)', () => {
  const out = run('subpaths.js', `
    const names = ['mcp', 'openai-agents', 'ai', 'langchain', 'express', 'hono']
    const loaded = names.map((n) => Object.keys(require('charter/' + n)).sort().join(','))
    let peer = 'absent'
    try { require.resolve('hono') ; peer = 'present' } catch {}
    console.log(loaded.join(' | '), peer)
  `)
  assert.match(out, /^META,attachCapability,denialOf,denialResult,guardServer \| CallDenied,charterPermit,guardTool,guardTools \| CallDenied,guardTool,guardTools \| CallDenied,guardTool,guardTools \| charter \| charter absent\n$/)
})

test('the integration subpaths import as ES modules from an installed copy', () => {
  const out = run('subpaths.mjs', `
    import { charter } from 'charter/hono'
    import { guardServer } from 'charter/mcp'
    console.log(typeof charter, typeof guardServer)
  `)
  assert.equal(out, 'function function\n')
})
