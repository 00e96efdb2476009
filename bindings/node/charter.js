'use strict'
// The public entry point of the `charter` package: the native classes from
// the generated loader (index.js), with every call wrapped so that errors
// arrive as instances of one error class per family (`FormatError`, …,
// `Denied` with `.reasons`), each with the stable `.code` of
// contract/errors.json. The families come from the core (ErrorCode::family),
// so they are mapped in one place. Two mappings of return values: a check
// that allows returns the one frozen ALLOW decision (the native call returns
// null, so no object is built per allow), and a refused `Guard.protect`
// (returned natively as {message, reasons}) is thrown as `Denied`. The
// `*Async` methods (run on the libuv thread pool) get the same mappings on
// their promises: a rejection becomes its Charter class, an allow is ALLOW
// and a refused `protectAsync` rejects with `Denied`; they never throw (an
// argument they cannot read rejects too).

// The prebuilt binaries this package is published with (package.json,
// napi.targets): one optional dependency per platform.
const PREBUILT = [
  'linux-x64-gnu', 'linux-arm64-gnu', 'linux-x64-musl', 'linux-arm64-musl',
  'darwin-x64', 'darwin-arm64', 'win32-x64-msvc',
]

/** `linux-arm64-gnu`-style name of the running platform, as the packages are named. */
function platformName(isMusl) {
  const { platform, arch } = process
  if (platform === 'linux') return `${platform}-${arch}-${isMusl() ? 'musl' : 'gnu'}`
  if (platform === 'win32') return `${platform}-${arch}-msvc`
  return `${platform}-${arch}`
}

/** Whether this Linux runs on musl (Alpine), as the generated loader judges it. */
function linuxIsMusl() {
  const report = process.report && typeof process.report.getReport === 'function' ? process.report.getReport() : null
  if (report && report.header && report.header.glibcVersionRuntime) return false
  return Boolean(report && Array.isArray(report.sharedObjects) && report.sharedObjects.some((f) => f.includes('musl')))
}

// The generated loader throws a generic error when no binary matches: replace
// it with one that names the platform and says what to do, the loader's
// errors kept as the cause.
let native
try {
  native = require('./index.js')
} catch (err) {
  if (!/^(Cannot find|Failed to load) native binding/.test(String(err && err.message))) throw err
  const name = platformName(linuxIsMusl)
  const supported = PREBUILT.includes(name)
  const error = new Error(
    `charter: no native binary for this platform (${name}: platform ${process.platform}, ` +
      `arch ${process.arch}${process.platform === 'linux' ? `, libc ${name.endsWith('musl') ? 'musl' : 'glibc'}` : ''}). ` +
      (supported
        ? `The package charter-${name} should provide it: reinstall charter on this machine with optional ` +
          'dependencies enabled (no --omit=optional / --no-optional, and not a node_modules copied from another ' +
          'platform or architecture), so npm installs charter-' + name + '.'
        : `Prebuilt binaries exist for ${PREBUILT.join(', ')}; for ${name}, build the addon from a checkout ` +
          '(scripts/test-node.sh, then npm install ./bindings/node) or use the WASM package @charter/wasm.'),
  )
  error.code = 'ERR_CHARTER_NO_BINARY'
  error.cause = err
  throw error
}

/** Base of every error Charter throws; `.code` is the stable code. */
class CharterError extends Error {
  constructor(message, code) {
    super(message)
    this.code = code
  }
}
class FormatError extends CharterError {}
class UsageError extends CharterError {}
class CryptoError extends CharterError {}
class AuthorizationError extends CharterError {}
class AuditError extends CharterError {}
class EnvironmentError extends CharterError {}
/** `Guard.protect` refused the call; `.reasons` say why. */
class Denied extends CharterError {
  constructor(message, reasons) {
    super(message, 'denied')
    this.reasons = reasons
  }
}
/** `Guard.protect` refused the call only for want of human approvals; each reason's `.approval` says what is needed. */
class ApprovalRequired extends Denied {
  constructor(message, reasons) {
    super(message, reasons)
    this.code = 'approval_required'
  }
}
const ERROR_CLASSES = {
  CharterError,
  FormatError,
  UsageError,
  CryptoError,
  AuthorizationError,
  AuditError,
  EnvironmentError,
  Denied,
  ApprovalRequired,
}
for (const [name, cls] of Object.entries(ERROR_CLASSES)) {
  Object.defineProperty(cls.prototype, 'name', { value: name, writable: true, configurable: true })
}

/** Stable code -> family name, from charter-core. */
const FAMILIES = native.__errorFamilies()

// Statuses napi-rs itself raises when an argument has the wrong type.
const NAPI_STATUSES = new Set([
  'InvalidArg', 'ObjectExpected', 'StringExpected', 'NameExpected', 'FunctionExpected',
  'NumberExpected', 'BooleanExpected', 'ArrayExpected', 'GenericFailure', 'BigintExpected',
  'DateExpected', 'ArrayBufferExpected', 'DetachableArraybufferExpected',
])

/** The one mapping from a native error to its Charter class. */
function convert(err, where, frame) {
  if (err === null || typeof err !== 'object' || err instanceof CharterError) return err
  const code = err.code
  let out
  if (code === 'approval_required') {
    out = new ApprovalRequired(err.message, [])
  } else if (typeof code === 'string' && code !== 'denied' && Object.prototype.hasOwnProperty.call(FAMILIES, code)) {
    out = new ERROR_CLASSES[FAMILIES[code]](err.message, code)
  } else if (NAPI_STATUSES.has(code) || (err instanceof TypeError && code === undefined && err.message === 'Illegal invocation')) {
    out = new UsageError(`${where}: ${err.message}`, 'invalid_argument')
  } else {
    // Not Charter's: e.g. an exception thrown by a getter of a caller's object.
    return err
  }
  if (Error.captureStackTrace) Error.captureStackTrace(out, frame)
  return out
}

// napi reads strings as UTF-8 and would replace a lone surrogate with U+FFFD:
// refuse instead, so no argument is ever changed silently.
function checkStrings(args, where) {
  for (let i = 0; i < args.length; i++) {
    const a = args[i]
    if (typeof a === 'string' && !a.isWellFormed()) {
      throw new FormatError(
        `${where}: argument ${i + 1} has a lone surrogate; strings must be valid Unicode`,
        'malformed',
      )
    }
  }
}

function wrap(fn, where, post) {
  const isAsync = where.endsWith('Async')
  const wrapped = function (...args) {
    let out
    try {
      checkStrings(args, where)
      out = fn.apply(this, args)
    } catch (err) {
      // An `*Async` call never throws: an argument it cannot read rejects.
      if (isAsync) return Promise.reject(convert(err, where, wrapped))
      throw convert(err, where, wrapped)
    }
    if (isAsync) {
      return out.then(
        (value) => (post === undefined ? value : post(value, wrapped)),
        (err) => {
          throw convert(err, where, wrapped)
        },
      )
    }
    return post === undefined ? out : post(out, wrapped)
  }
  Object.defineProperty(wrapped, 'name', { value: fn.name })
  Object.defineProperty(wrapped, 'length', { value: fn.length })
  return wrapped
}

function wrapClass(cls) {
  const proto = cls.prototype
  for (const key of Object.getOwnPropertyNames(proto)) {
    const d = Object.getOwnPropertyDescriptor(proto, key)
    const where = `${cls.name}.${key}`
    if (key !== 'constructor' && typeof d.value === 'function') {
      const value = CHECKS.has(where) ? wrapCheck(d.value, where) : wrap(d.value, where, POST[where])
      Object.defineProperty(proto, key, { ...d, value })
    } else if (typeof d.get === 'function') {
      Object.defineProperty(proto, key, { ...d, get: wrap(d.get, where) })
    }
  }
  // A facade sharing the native prototype: instances made natively (by
  // factories and methods) are `instanceof` it, and its static members (not
  // configurable on napi classes) are wrapped copies.
  const name = cls.name
  const staticNames = Object.getOwnPropertyNames(cls).filter(
    (k) => !['length', 'name', 'prototype', 'arguments', 'caller'].includes(k) && typeof cls[k] === 'function',
  )
  const facade = {
    [name]: function (...args) {
      if (new.target === undefined) {
        throw new UsageError(`${name} is a class: use new ${name}(...)`, 'invalid_argument')
      }
      if (FACTORY_ONLY.includes(name)) {
        const makers = MADE_BY[name] || staticNames.map((k) => `${name}.${k}()`)
        throw new UsageError(`${name} has no public constructor; use ${makers.join(' or ')}`, 'invalid_argument')
      }
      checkStrings(args, `new ${name}`)
      try {
        return Reflect.construct(cls, args, new.target === facade ? cls : new.target)
      } catch (err) {
        throw convert(err, `new ${name}`, facade)
      }
    },
  }[name]
  Object.defineProperty(facade, 'length', { value: cls.length })
  Object.defineProperty(facade, 'prototype', { value: proto, writable: false })
  for (const key of staticNames) {
    {
      const fn = cls[key]
      const w = wrap(function (...args) {
        return fn.apply(cls, args)
      }, `${name}.${key}`)
      Object.defineProperty(w, 'name', { value: key })
      Object.defineProperty(facade, key, { value: w, writable: true, configurable: true })
    }
  }
  return facade
}

/** The decision of every allowed check: one frozen object, shared. */
const ALLOW = Object.freeze({ allowed: true, reasons: Object.freeze([]) })
function permitOrDenied(out, frame) {
  if (out instanceof native.Permit) return out
  const e = out.code === 'approval_required' ? new ApprovalRequired(out.message, out.reasons) : new Denied(out.message, out.reasons)
  if (Error.captureStackTrace) Error.captureStackTrace(e, frame)
  throw e
}
const allowOrDecision = (d) => (d === null ? ALLOW : d)
const POST = {
  'Guard.protect': permitOrDenied,
  'Guard.protectAsync': permitOrDenied,
  'Verifier.checkAsync': allowOrDecision,
  'Guard.checkAsync': allowOrDecision,
}
const bad = (s) => typeof s === 'string' && !s.isWellFormed()
/** `check(capability, request, proof?, now?)`, the hot path: the same checks and mappings as `wrap`, without a rest array. */
function wrapCheck(fn, where) {
  const wrapped = function (capability, request, proof, now) {
    if (bad(capability) || bad(request) || bad(proof)) checkStrings(arguments, where)
    let d
    try {
      d = fn.call(this, capability, request, proof, now)
    } catch (err) {
      throw convert(err, where, wrapped)
    }
    return d === null ? ALLOW : d
  }
  Object.defineProperty(wrapped, 'name', { value: fn.name })
  Object.defineProperty(wrapped, 'length', { value: fn.length })
  return wrapped
}
const CHECKS = new Set(['Verifier.check', 'Guard.check'])

const CLASSES = [
  'RootKey', 'SigningKey', 'PublicKey', 'KeySet', 'Issuer', 'Capability', 'Request', 'Holder',
  'Verifier', 'PermitIssuer', 'Permit', 'PermitVerifier', 'Receipt', 'AuditLog', 'Guard', 'Store',
]
// Classes made only by their static factories (no constructor in surface.json).
const FACTORY_ONLY = ['RootKey', 'SigningKey', 'PublicKey', 'KeySet', 'Capability', 'Permit', 'Receipt', 'AuditLog', 'Store']
// Classes made by a module function rather than a static factory.
const MADE_BY = { Store: ['openStore()', 'openStoreAsync()'] }
const FUNCTIONS = ['canonicalizeJson', 'hashJson', 'verifyBundle', 'openStore', 'openStoreAsync']

for (const name of CLASSES) {
  if (typeof native[name] === 'function') module.exports[name] = wrapClass(native[name])
}
for (const name of FUNCTIONS) {
  if (typeof native[name] === 'function') module.exports[name] = wrap(native[name], name)
}
Object.assign(module.exports, ERROR_CLASSES)
/** The package version (the workspace version). */
module.exports.version = native.VERSION
