'use strict'
// When no prebuilt binary matches the machine, require('charter') fails with
// an error that names the platform, the architecture and the libc, and says
// what to do; it keeps the generated loader's errors as its cause.
const test = require('node:test')
const assert = require('node:assert/strict')
const fs = require('node:fs')
const os = require('node:os')
const path = require('node:path')
const { execFileSync } = require('node:child_process')

const PKG = path.resolve(__dirname, '..')
// The Node that runs child processes: process.execPath, unless
// CHARTER_TEST_NODE names another (scripts/release-check.sh runs this suite
// with an arm64 Node under qemu, whose execPath the host cannot execute).
const NODE = process.env.CHARTER_TEST_NODE || process.execPath

// The package's JavaScript without any .node file, as an install that left out
// the optional per-platform dependency has it.
let dir
test.before(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'charter-loader-'))
  for (const f of ['charter.js', 'index.js', 'package.json']) fs.copyFileSync(path.join(PKG, f), path.join(dir, f))
})
test.after(() => {
  if (dir) fs.rmSync(dir, { recursive: true, force: true })
})

/** Runs PRELUDE then require('./charter.js') in a child; returns the error it threw. */
function loadError(prelude) {
  const script = `${prelude}
    try { require('./charter.js'); console.log(JSON.stringify({ loaded: true })) }
    catch (e) { console.log(JSON.stringify({ message: e.message, code: e.code, cause: String(e.cause && e.cause.message) })) }`
  return JSON.parse(execFileSync(NODE, ['-e', script], { cwd: dir, encoding: 'utf8', env: { ...process.env, NAPI_RS_NATIVE_LIBRARY_PATH: '' } }))
}

test('a supported platform without its binary: names it and says to reinstall with optional dependencies', () => {
  const e = loadError('')
  assert.equal(e.loaded, undefined, 'no .node file: the load must fail')
  assert.equal(e.code, 'ERR_CHARTER_NO_BINARY')
  const name = process.platform === 'linux'
    ? `${process.platform}-${process.arch}-${isMusl() ? 'musl' : 'gnu'}`
    : process.platform === 'win32' ? `win32-${process.arch}-msvc` : `${process.platform}-${process.arch}`
  assert.match(e.message, new RegExp(`no native binary for this platform \\(${name}: platform ${process.platform}, arch ${process.arch}`))
  if (process.platform === 'linux') assert.match(e.message, /, libc (glibc|musl)\)/)
  assert.match(e.message, new RegExp(`charter-${name} should provide it`))
  assert.match(e.message, /optional\s+dependencies enabled/)
  assert.match(e.cause, /Cannot find native binding/)
})

test('an unsupported architecture: lists the prebuilt ones and says to build from a checkout or use WASM', () => {
  const e = loadError("Object.defineProperty(process, 'arch', { value: 'riscv64' })")
  assert.equal(e.code, 'ERR_CHARTER_NO_BINARY')
  assert.match(e.message, new RegExp(`\\(${process.platform}-riscv64.*: platform ${process.platform}, arch riscv64`))
  assert.match(e.message, /Prebuilt binaries exist for linux-x64-gnu, linux-arm64-gnu, .*win32-x64-msvc/)
  assert.match(e.message, /build the addon from a checkout/)
  assert.match(e.message, /@charter\/wasm/)
})

function isMusl() {
  const r = process.report.getReport()
  return !(r.header && r.header.glibcVersionRuntime)
}
