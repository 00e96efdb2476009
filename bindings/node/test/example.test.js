'use strict'
// Runs examples/node/agent.mjs as a user would: the scripted agent run prints
// each call with its verdict, only the allowed tool functions run, and every
// decision left a verified receipt.
const test = require('node:test')
const assert = require('node:assert/strict')
const path = require('node:path')
const { execFileSync } = require('node:child_process')
const { ROOT } = require('./helpers')

test('examples/node/agent.mjs runs end to end without an API key', () => {
  const out = execFileSync(process.execPath, [path.join(ROOT, 'examples', 'node', 'agent.mjs')], {
    encoding: 'utf8',
    env: { ...process.env, OPENAI_API_KEY: '' },
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  assert.match(out, /^lookup \{"order":"A-1"\} -> ALLOWED$/m)
  assert.match(out, /^refund \{"order":"A-1","amount":30\} -> ALLOWED$/m)
  assert.match(out, /^refund \{"order":"A-1","amount":90\} -> DENIED {2}caveat_failed: .*args\.amount <= 50$/m)
  assert.match(out, /^delete_order \{"order":"A-1"\} -> DENIED {2}caveat_failed: .*action in/m)
  assert.match(out, /^tool functions that ran: lookup A-1, refund A-1 30$/m)
  assert.match(out, /^receipts: 4 verified \(allow, allow, deny, deny\)$/m)
})
