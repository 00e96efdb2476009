'use strict'
// Human approvals from Node: the suite shared with WASM (bindings/js-test/approvals.cjs).
const path = require('node:path')
const { ROOT, charter } = require('./helpers')
require(path.join(ROOT, 'bindings', 'js-test', 'approvals.cjs')).run(charter)
