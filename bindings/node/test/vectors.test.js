'use strict'
// Conformance: every vector in contract/vectors/ through the package, by the
// JS harness shared with the WASM package (bindings/js-test/vectors.cjs).
const test = require('node:test')
const assert = require('node:assert/strict')
const fs = require('node:fs')
const os = require('node:os')
const path = require('node:path')
const { ROOT, CONTRACT, charter } = require('./helpers')
const { run } = require(path.join(ROOT, 'bindings', 'js-test', 'vectors.cjs'))

const VECTORS = path.join(CONTRACT, 'vectors')

run(charter, 'Node', {
  files: () => [
    ...fs.readdirSync(VECTORS).filter((f) => f.endsWith('.json')).sort(),
    ...fs.readdirSync(path.join(VECTORS, 'stateful')).filter((f) => f.endsWith('.json')).sort().map((f) => `stateful/${f}`),
  ],
  read: (name) => fs.readFileSync(path.join(VECTORS, name), 'utf8'),
  errors: () => fs.readFileSync(path.join(CONTRACT, 'errors.json'), 'utf8'),
  test,
  assert,
  withFile: (v, fn) => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'charter-audit-'))
    const file = path.join(dir, 'audit.jsonl')
    try {
      if (v.setup === 'directory') fs.mkdirSync(file)
      else fs.writeFileSync(file, v.content)
      return fn(file)
    } finally {
      fs.rmSync(dir, { recursive: true, force: true })
    }
  },
})
