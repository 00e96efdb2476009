'use strict'
// Shared by the node --test suites: paths and small converters.
const path = require('node:path')
const fs = require('node:fs')

const ROOT = path.resolve(__dirname, '..', '..', '..')
const CONTRACT = path.join(ROOT, 'contract')
const charter = require('..')

const hex = (s) => new Uint8Array(Buffer.from(s, 'hex'))
const toHex = (b) => Buffer.from(b).toString('hex')
const readJson = (p) => JSON.parse(fs.readFileSync(p, 'utf8'))

/** camelCase of a snake_case surface name. */
const camel = (s) => s.replace(/_([a-z0-9])/g, (_, c) => c.toUpperCase())

module.exports = { ROOT, CONTRACT, charter, hex, toHex, readJson, camel }
