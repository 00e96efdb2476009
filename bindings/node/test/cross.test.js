'use strict'
// The cross-language MCP test (contract/wire.md, "The cross-language test
// harness"), both ways: the Node client runner against the Python server
// command, and the Python client runner against the Node server command, a
// holder-bound capability with a fresh proof per call. It needs the Python
// binding and its MCP SDK (scripts/test-python.sh installs them into
// $CHARTER_CACHE/py-venv-frameworks; CHARTER_CROSS_PYTHON picks another python.
// Not CHARTER_PYTHON: scripts/test.sh's test step sets that to the interop venv,
// which has PyJWT and pymacaroons but not charter).
// Without them it skips, unless CHARTER_REQUIRE_PYTHON=1 (scripts/test.sh sets
// it after its python step), where a Python that cannot run the examples fails.
// A checkout without the Python examples skips either way.
const test = require('node:test')
const assert = require('node:assert/strict')
const fs = require('node:fs')
const os = require('node:os')
const path = require('node:path')
const { spawnSync } = require('node:child_process')
const { ROOT, charter, toHex } = require('./helpers')

const CACHE = process.env.CHARTER_CACHE || path.join(os.homedir(), '.cache', 'charter')
const PYTHON = process.env.CHARTER_CROSS_PYTHON || path.join(CACHE, 'py-venv-frameworks', 'bin', 'python')
const PY_EXAMPLES = path.join(process.env.CHARTER_CROSS_PYTHON_ROOT || ROOT, 'examples', 'python')
const NODE_EXAMPLES = path.join(ROOT, 'examples', 'node')

/** Whether this checkout has the Python halves of the harness at all. */
function pythonExamples() {
  return ['mcp_stdio_server.py', 'mcp_wire_client.py'].every((f) => fs.existsSync(path.join(PY_EXAMPLES, f)))
}

/** Why the Python side cannot run here, or null when it can. */
function pythonMissing() {
  if (!fs.existsSync(PYTHON)) return `${PYTHON} is missing`
  const probe = spawnSync(PYTHON, ['-c', 'import charter, charter.mcp, mcp; print(charter.__file__)'], { encoding: 'utf8' })
  if (probe.status !== 0) return `${PYTHON} cannot import charter, charter.mcp and mcp: ${probe.stderr.trim().split('\n').pop()}`
  // The venv is shared by checkouts: its charter must be this checkout's (the last test-python.sh run here).
  const pyRoot = path.resolve(PY_EXAMPLES, '..', '..')
  const where = probe.stdout.trim()
  return where.startsWith(pyRoot + path.sep) ? null : `${PYTHON} imports charter from ${where}, not from ${pyRoot} (run scripts/test-python.sh in this checkout)`
}

const AUDIENCE = 'tools.shop.example'
const CALLS = [
  ['lookup', { order: 'A-1' }],
  ['refund', { order: 'A-1', amount: 40 }],
  ['refund', { order: 'A-1', amount: 90 }],
  ['delete_order', { order: 'A-1' }],
]

function setup() {
  const root = charter.RootKey.generate()
  const holderKey = charter.SigningKey.generate()
  const cap = new charter.Issuer(root)
    .issue({ agent: 'shopper-7', actions: ['lookup', 'refund'], expiresAt: Math.floor(Date.now() / 1000) + 3600 })
    .attenuate('action != "refund" || args.amount <= 50')
  return { root, holderKey, bound: cap.bindHolder(holderKey.kid).serialize(), bearer: cap.serialize() }
}

/** Runs `runner` (a command line) against `server` (a command line) and returns its JSON lines and the server's stderr. */
function drive(runner, server, s, token, holder) {
  const args = [...runner.slice(1), '--capability', token, '--audience', AUDIENCE]
  if (holder) args.push('--holder-key', toHex(s.holderKey.toBytes()))
  for (const [tool, a] of CALLS) args.push('--call', tool, JSON.stringify(a))
  args.push('--', ...server)
  const r = spawnSync(runner[0], args, {
    encoding: 'utf8',
    timeout: 60_000,
    env: { ...process.env, CHARTER_ROOT_KEY: toHex(s.root.toBytes()), CHARTER_AUDIENCE: AUDIENCE, CHARTER_AGENT: 'shopper-7' },
  })
  assert.equal(r.status, 0, `${runner.join(' ')} exited ${r.status}: ${r.stderr}`)
  return { lines: r.stdout.trim().split('\n').map((l) => JSON.parse(l)), stderr: r.stderr }
}

function checkRun({ lines, stderr }, expectProofRequired) {
  assert.deepEqual(lines.map((l) => l.tool), CALLS.map((c) => c[0]))
  if (expectProofRequired) {
    for (const l of lines) {
      assert.equal(l.allowed, false)
      assert.ok(l.denial.reasons.some((r) => r.code === 'proof_required'), JSON.stringify(l.denial))
    }
    assert.doesNotMatch(stderr, /refund ran under permit/)
    return
  }
  assert.deepEqual(lines.map((l) => l.allowed), [true, true, false, false])
  assert.deepEqual(lines[0].structuredContent, { order: 'A-1', status: 'shipped' })
  assert.deepEqual(lines[1].structuredContent, { order: 'A-1', refunded: 40 })
  assert.equal(lines[2].denial.reasons[0].code, 'caveat_failed')
  assert.match(lines[2].denial.reasons[0].message, /args\.amount <= 50/)
  assert.match(lines[2].text, /^denied: caveat_failed: /)
  assert.equal(lines[3].denial.reasons[0].code, 'caveat_failed')
  // The tool ran exactly once (the allowed refund), and every decision is on the server's log with its receipt.
  assert.equal(stderr.match(/refund ran under permit [A-Za-z0-9_-]{22}/g).length, 1)
  for (const l of lines.filter((x) => !x.allowed)) {
    assert.match(l.denial.receipt, /^[A-Za-z0-9_-]{43}$/)
    assert.ok(stderr.includes(`receipt ${l.denial.receipt}`), `the server logged receipt ${l.denial.receipt}`)
  }
  assert.equal((stderr.match(/^mcp-server: shopper-7 /gm) || []).length, 4)
}

const NODE_SERVER = [process.execPath, path.join(NODE_EXAMPLES, 'mcp-server.mjs')]
const NODE_CLIENT = [process.execPath, path.join(NODE_EXAMPLES, 'mcp-client.mjs')]
const PY_SERVER = [PYTHON, path.join(PY_EXAMPLES, 'mcp_stdio_server.py')]
const PY_CLIENT = [PYTHON, path.join(PY_EXAMPLES, 'mcp_wire_client.py')]

function needPython(t) {
  if (!pythonExamples()) {
    t.skip(`this checkout has no examples/python/mcp_stdio_server.py and mcp_wire_client.py`)
    return false
  }
  const why = pythonMissing()
  if (why === null) return true
  if (process.env.CHARTER_REQUIRE_PYTHON === '1') assert.fail(`the Python side of the cross test cannot run: ${why}`)
  t.skip(`Python side not available (${why}); scripts/test-python.sh sets it up`)
  return false
}

test('cross-language MCP: Node client runner -> Python server command', (t) => {
  if (!needPython(t)) return
  const s = setup()
  checkRun(drive(NODE_CLIENT, PY_SERVER, s, s.bound, true), false)
})

test('cross-language MCP: Python client runner -> Node server command', (t) => {
  if (!needPython(t)) return
  const s = setup()
  checkRun(drive(PY_CLIENT, NODE_SERVER, s, s.bound, true), false)
})

test('the Node pair itself passes the same harness (Node client -> Node server), and a bound capability without its proof is denied', () => {
  const s = setup()
  checkRun(drive(NODE_CLIENT, NODE_SERVER, s, s.bound, true), false)
  checkRun(drive(NODE_CLIENT, NODE_SERVER, s, s.bearer, false), false)
  checkRun(drive(NODE_CLIENT, NODE_SERVER, s, s.bound, false), true)
})
