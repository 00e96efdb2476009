'use strict'
// Runs every `<!-- readme-example:NAME -->` block of README.md as an ES module
// from this package's directory (where `charter/...` and the frameworks
// resolve), so the framework and store sections stay runnable as written.
const test = require('node:test')
const assert = require('node:assert/strict')
const fs = require('node:fs')
const path = require('node:path')
const { execFileSync } = require('node:child_process')

const PKG = path.resolve(__dirname, '..')
const readme = fs.readFileSync(path.join(PKG, 'README.md'), 'utf8')
const blocks = [...readme.matchAll(/<!-- readme-example:([a-z-]+) -->\n```js\n([\s\S]*?)```\n/g)]

const expected = {
  mcp: /^refunded 40 under permit [A-Za-z0-9_-]{22}\ntrue caveat_failed\n$/,
  'openai-agents': /^refunded 40 \(refund\)\nrefund denied: caveat_failed: .*args\.amount <= 50\n$/,
  ai: /^\{ refunded: 40, permit: '[A-Za-z0-9_-]{22}' \}\ndenied caveat_failed true\n$/,
  langchain: /^refunded 40 \(refund\)\nrefund denied: caveat_failed: .*args\.amount <= 50\n$/,
  stores: /^refund revoked\n2 deny \[ '[A-Za-z0-9_-]{22}' \]\n2\n$/,
  http: /^200\n\{\n {2}error: 'denied',\n {2}reasons: \[[\s\S]*caveat_failed[\s\S]*\],\n {2}receipt: '[A-Za-z0-9_-]{43}'\n\}\n401\n$/,
}

test('README.md has a runnable example per framework section', () => {
  assert.deepEqual(blocks.map((m) => m[1]).sort(), Object.keys(expected).sort())
})

for (const [, name, source] of blocks) {
  test(`README example "${name}" runs as written`, () => {
    const file = path.join(PKG, `.readme-example-${name}.mjs`)
    fs.writeFileSync(file, source)
    try {
      const out = execFileSync(process.execPath, [file], { cwd: PKG, encoding: 'utf8', env: { ...process.env, OPENAI_AGENTS_DISABLE_TRACING: '1' } })
      assert.match(out, expected[name])
    } finally {
      fs.rmSync(file, { force: true })
    }
  })
}
