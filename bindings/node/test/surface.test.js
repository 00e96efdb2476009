'use strict'
// Surface drift: what the package exports (at run time, and as declared in
// index.d.ts / charter.d.ts) against contract/surface.json v2, in camelCase:
// names, parameters (name, optionality, type), property or method, return
// and record field types, and every alternative of every union accepted.
// Any difference either way fails.
//
// The one JS-specific convention: a method whose surface parameters are all
// optional (Issuer.issue) takes a single options object with those members.
const test = require('node:test')
const assert = require('node:assert/strict')
const path = require('node:path')
const fs = require('node:fs')
const ts = require('typescript')
const { ROOT, CONTRACT, charter, camel, readJson } = require('./helpers')

/** The surface without what other bindings alone export (`"bindings": [...]`). */
function forNode(s) {
  const here = (spec) => !spec.bindings || spec.bindings.includes('node')
  const only = (o) => Object.fromEntries(Object.entries(o).filter(([, spec]) => here(spec)))
  s.functions = only(s.functions)
  s.classes = only(s.classes)
  for (const spec of Object.values(s.classes)) {
    if (spec.static) spec.static = only(spec.static)
    if (spec.members) spec.members = only(spec.members)
  }
  return s
}
const surface = forNode(readJson(path.join(CONTRACT, 'surface.json')))
const classes = Object.entries(surface.classes)
const FAMILIES = surface.errors.families
const sorted = (xs) => [...xs].sort()
const isProperty = (spec) => Object.prototype.hasOwnProperty.call(spec, 'property')

// --- types: surface notation and TypeScript, both normalized to sets -------

/** TS aliases this package declares for the `object` alternative. */
const OBJECT_ALIASES = new Set(['Record<string, unknown>', 'Jwk', 'Jwks', 'RequestJson', 'IssueOptions'])

function splitUnion(t) {
  const out = []
  let depth = 0
  let cur = ''
  for (const ch of t) {
    if (ch === '<' || ch === '(') depth++
    if (ch === '>' || ch === ')') depth--
    if (ch === '|' && depth === 0) {
      out.push(cur.trim())
      cur = ''
    } else cur += ch
  }
  out.push(cur.trim())
  return out.filter((x) => x !== '')
}

function fromSurface(t) {
  const one = (x) => {
    const promise = x.match(/^Promise<(.+)>$/)
    if (promise) return `Promise<${one(promise[1])}>`
    if (x.endsWith('[]')) return `${one(x.slice(0, -2))}[]`
    return { int: 'number', time: 'number', bool: 'boolean', bytes: 'Uint8Array', null: 'null' }[x] || x
  }
  return sorted(new Set(splitUnion(t).map(one)))
}

/** A type index.d.ts names through charter.d.ts, by its name. */
const local = (t) => t.replace(/import\('\.\/charter'\)\./g, '')

function fromTs(t, optional) {
  t = local(t)
  const one = (x) => {
    const promise = x.match(/^Promise<(.+)>$/)
    if (promise) return `Promise<${one(promise[1])}>`
    const arr = x.match(/^Array<(.+)>$/)
    if (arr) return `${one(arr[1])}[]`
    if (x.endsWith('[]')) return `${one(x.slice(0, -2))}[]`
    if (OBJECT_ALIASES.has(x)) return 'object'
    if (x === 'void') return 'null'
    if (/^'.*'$/.test(x)) return 'string'
    if (x === 'ErrorCode') return 'string' // a union of string literals, like 'allow' | 'deny'
    return x
  }
  let parts = splitUnion(t).map(one)
  if (optional) parts = parts.filter((x) => x !== 'undefined' && x !== 'null')
  return sorted(new Set(parts))
}

const param = (p) => {
  const m = p.match(/^([a-z_0-9]+)(\?)?: (.+)$/)
  assert.ok(m, `surface parameter ${p}`)
  return { name: camel(m[1]), optional: !!m[2], type: fromSurface(m[3]) }
}

// --- run time ---------------------------------------------------------------

test('exports are exactly the surface (classes, functions, constants, error classes)', () => {
  const expected = [
    ...Object.keys(surface.classes),
    ...Object.keys(surface.functions).map(camel),
    ...Object.keys(surface.constants),
    surface.errors.base,
    ...FAMILIES,
    ...Object.values(surface.errors.code_classes),
  ]
  assert.deepEqual(sorted(Object.keys(charter)), sorted(expected))
})

test('version is the package and workspace version', () => {
  const pkg = readJson(path.join(__dirname, '..', 'package.json'))
  assert.equal(typeof charter.version, 'string')
  assert.equal(charter.version, pkg.version)
  const cargo = fs.readFileSync(path.join(ROOT, 'Cargo.toml'), 'utf8')
  assert.equal(charter.version, cargo.match(/\[workspace\.package\][^[]*?\nversion = "([^"]+)"/)[1])
})

for (const [name, spec] of classes) {
  test(`class ${name}: statics, and each member a property or a method as surface.json says`, () => {
    const cls = charter[name]
    assert.equal(typeof cls, 'function', `${name} is exported as a class`)
    const statics = Object.getOwnPropertyNames(cls).filter(
      (k) => !['length', 'name', 'prototype', 'arguments', 'caller'].includes(k),
    )
    assert.deepEqual(sorted(statics), sorted(Object.keys(spec.static || {}).map(camel)), `${name} statics`)
    const members = Object.getOwnPropertyNames(cls.prototype).filter((k) => k !== 'constructor')
    assert.deepEqual(sorted(members), sorted(Object.keys(spec.members || {}).map(camel)), `${name} members`)
    for (const [m, ms] of Object.entries(spec.members || {})) {
      const d = Object.getOwnPropertyDescriptor(cls.prototype, camel(m))
      if (isProperty(ms)) {
        assert.equal(typeof d.get, 'function', `${name}.${camel(m)} is a getter`)
        assert.equal(d.set, undefined, `${name}.${camel(m)} is read-only`)
      } else {
        assert.equal(typeof d.value, 'function', `${name}.${camel(m)}() is a method`)
      }
    }
    if (!Array.isArray(spec.constructor)) {
      assert.throws(() => new cls(), (e) => e instanceof charter.UsageError && /no public constructor/.test(e.message))
    }
  })
}

test('error classes: base, families, members', () => {
  const Base = charter[surface.errors.base]
  for (const fam of FAMILIES) {
    const cls = charter[fam]
    assert.ok(cls.prototype instanceof Base, `${fam} extends ${surface.errors.base}`)
    assert.ok(cls.prototype instanceof Error)
    const e = fam === 'Denied' ? new cls('m', []) : new cls('m', 'malformed')
    assert.equal(e.name, fam)
    for (const m of surface.errors.members) assert.ok(m in e, `${fam} has .${m}`)
    if (fam === 'Denied') for (const m of surface.errors.denied_members) assert.ok(m in e, `Denied has .${m}`)
  }
  const codes = readJson(path.join(CONTRACT, surface.errors.codes)).codes
  assert.deepEqual(sorted(new Set(codes.map((c) => c.family))), sorted(FAMILIES))
  for (const [code, own] of Object.entries(surface.errors.code_classes)) {
    const family = charter[codes.find((c) => c.code === code).family]
    const e = new charter[own]('m', [])
    assert.ok(e instanceof family && e instanceof Base, `${own} extends its family`)
    assert.equal(e.name, own)
    assert.equal(e.code, code)
    for (const m of [...surface.errors.members, ...surface.errors.denied_members]) assert.ok(m in e, `${own} has .${m}`)
  }
})

test('every code of errors.json is thrown as its family class', () => {
  const codes = readJson(path.join(CONTRACT, 'errors.json')).codes
  const native = require('../index.js')
  const families = native.__errorFamilies()
  assert.deepEqual(sorted(Object.keys(families)), sorted(codes.map((c) => c.code)), 'the core knows exactly these codes')
  for (const { code, family } of codes) assert.equal(families[code], family, code)
})

// --- declared types ---------------------------------------------------------

function declarations() {
  const files = ['index.d.ts', 'charter.d.ts'].map((f) => path.join(__dirname, '..', f))
  const out = { classes: {}, interfaces: {}, functions: {}, consts: {}, types: {}, undocumented: [] }
  for (const file of files) {
    const src = ts.createSourceFile(file, fs.readFileSync(file, 'utf8'), ts.ScriptTarget.Latest, true)
    const text = (n) => (n ? n.getText(src) : 'void')
    const params = (node) =>
      node.parameters.map((p) => ({ name: p.name.getText(src), optional: !!p.questionToken, type: text(p.type) }))
    const documented = (node, where) => {
      if (ts.getJSDocCommentsAndTags(node).length === 0) out.undocumented.push(`${path.basename(file)}: ${where}`)
    }
    ts.forEachChild(src, (node) => {
      if (ts.isClassDeclaration(node) && node.name) {
        const name = node.name.text
        documented(node, name)
        const c = { ctor: null, statics: {}, members: {}, props: {} }
        for (const m of node.members) {
          const mname = m.name ? m.name.getText(src) : 'constructor'
          if (ts.isConstructorDeclaration(m)) c.ctor = params(m)
          else if (ts.isMethodDeclaration(m)) {
            const isStatic = (ts.getModifiers(m) || []).some((x) => x.kind === ts.SyntaxKind.StaticKeyword)
            ;(isStatic ? c.statics : c.members)[mname] = { params: params(m), returns: text(m.type) }
          } else if (ts.isGetAccessorDeclaration(m)) c.props[mname] = text(m.type)
          else if (ts.isPropertyDeclaration(m)) c.props[mname] = text(m.type)
          if (!ts.isConstructorDeclaration(m) || name !== 'CharterError') documented(m, `${name}.${mname}`)
        }
        out.classes[name] = c
      } else if (ts.isInterfaceDeclaration(node)) {
        documented(node, node.name.text)
        out.interfaces[node.name.text] = Object.fromEntries(
          node.members.map((m) => {
            documented(m, `${node.name.text}.${m.name.getText(src)}`)
            return [m.name.getText(src), { optional: !!m.questionToken, type: text(m.type) }]
          }),
        )
      } else if (ts.isFunctionDeclaration(node) && node.name) {
        documented(node, node.name.text)
        out.functions[node.name.text] = { params: params(node), returns: text(node.type) }
      } else if (ts.isVariableStatement(node)) {
        for (const d of node.declarationList.declarations) {
          documented(node, d.name.getText(src))
          out.consts[d.name.getText(src)] = text(d.type)
        }
      } else if (ts.isTypeAliasDeclaration(node)) {
        documented(node, node.name.text)
        out.types[node.name.text] = node.type
      }
    })
  }
  return out
}

const D = declarations()

function sameParams(declared, spec, where) {
  const want = spec.map(param)
  if (want.length > 0 && want.every((p) => p.optional) && declared.length === 1 && declared[0].optional) {
    const members = D.interfaces[local(declared[0].type)]
    assert.ok(members, `${where}: options type ${declared[0].type} is declared`)
    assert.deepEqual(sorted(Object.keys(members)), sorted(want.map((p) => p.name)), `${where} options`)
    for (const p of want) {
      assert.ok(members[p.name].optional, `${where} options.${p.name} is optional`)
      assert.deepEqual(fromTs(members[p.name].type, true), p.type, `${where} options.${p.name} type`)
    }
    return
  }
  assert.deepEqual(declared.map(({ name, optional }) => ({ name, optional })), want.map(({ name, optional }) => ({ name, optional })), `${where} parameters`)
  for (const [i, p] of want.entries()) {
    const key = `${where}(${p.name})`
    assert.deepEqual(fromTs(declared[i].type, p.optional), p.type, `${key} type`)
  }
}

function sameReturn(declared, spec, where) {
  const key = `${where}()`
  assert.deepEqual(fromTs(declared, false), fromSurface(spec), `${key} returns`)
}

test('the .d.ts files declare the surface: parameters, types, properties, records', () => {
  for (const [name, spec] of classes) {
    const c = D.classes[name]
    assert.ok(c, `class ${name} declared`)
    if (Array.isArray(spec.constructor)) sameParams(c.ctor || [], spec.constructor, `new ${name}`)
    else assert.equal(c.ctor, null, `${name} declares no constructor`)
    assert.deepEqual(sorted(Object.keys(c.statics)), sorted(Object.keys(spec.static || {}).map(camel)), `${name} statics`)
    for (const [m, ms] of Object.entries(spec.static || {})) {
      sameParams(c.statics[camel(m)].params, ms.params, `${name}.${camel(m)}`)
      sameReturn(c.statics[camel(m)].returns, ms.returns, `${name}.${camel(m)}`)
    }
    const members = Object.entries(spec.members || {})
    assert.deepEqual(sorted(Object.keys(c.props)), sorted(members.filter(([, s]) => isProperty(s)).map(([m]) => camel(m))), `${name} properties`)
    assert.deepEqual(sorted(Object.keys(c.members)), sorted(members.filter(([, s]) => !isProperty(s)).map(([m]) => camel(m))), `${name} methods`)
    for (const [m, ms] of members) {
      const where = `${name}#${camel(m)}`
      if (isProperty(ms)) {
        assert.deepEqual(fromTs(c.props[camel(m)], false), fromSurface(ms.property), `${where} type`)
      } else {
        sameParams(c.members[camel(m)].params, ms.params, where)
        sameReturn(c.members[camel(m)].returns, ms.returns, where)
      }
    }
  }
  for (const [fn, spec] of Object.entries(surface.functions)) {
    const f = D.functions[camel(fn)]
    assert.ok(f, `function ${camel(fn)} declared`)
    sameParams(f.params, spec.params.map((p) => (fn === 'hash_json' ? 'text: object | string' : p)), camel(fn))
    sameReturn(f.returns, spec.returns, camel(fn))
  }
  for (const [rec, fields] of Object.entries(surface.records)) {
    const i = D.interfaces[rec]
    assert.ok(i, `record ${rec} declared`)
    assert.deepEqual(sorted(Object.keys(i)), sorted(Object.keys(fields).map(camel)), `record ${rec} fields`)
    for (const [f, t] of Object.entries(fields)) {
      assert.equal(i[camel(f)].optional, false, `${rec}.${camel(f)} is always present`)
      assert.deepEqual(fromTs(i[camel(f)].type, false), fromSurface(t), `${rec}.${camel(f)} type`)
    }
  }
  assert.equal(D.consts.version, 'string', 'charter.d.ts declares version: string')
  for (const e of [surface.errors.base, ...FAMILIES]) assert.ok(D.classes[e], `error class ${e} declared`)
})

test('every declaration in the .d.ts files has JSDoc', () => {
  assert.deepEqual(D.undocumented, [])
})

test('the TypeScript ErrorCode union is exactly the codes of errors.json', () => {
  const union = D.types.ErrorCode
  assert.ok(union && ts.isUnionTypeNode(union), 'charter.d.ts declares type ErrorCode as a union')
  const declared = union.types.map((t) => t.literal.text)
  const codes = readJson(path.join(CONTRACT, 'errors.json')).codes.map((c) => c.code)
  assert.deepEqual(sorted(declared), sorted(codes))
  assert.ok(declared.includes('internal'))
})

test('records at run time have exactly their fields', () => {
  const { RootKey, Issuer, Verifier, Request, SigningKey, PermitIssuer, AuditLog, Guard, verifyBundle } = charter
  const fields = (rec) => sorted(Object.keys(surface.records[rec]).map(camel))
  const root = RootKey.generate()
  const cap = new Issuer(root).issue({ actions: ['read'], neverExpires: true })
  const d = new Verifier([root], 'svc').check(cap, new Request('a', 'write', {}))
  assert.deepEqual(sorted(Object.keys(d)), fields('Decision'))
  assert.deepEqual(sorted(Object.keys(d.reasons[0])), fields('Reason'))
  const allow = new Verifier([root], 'svc').check(cap, new Request('a', 'read', {}))
  assert.deepEqual(sorted(Object.keys(allow)), fields('Decision'))
  const log = AuditLog.inMemory(SigningKey.generate())
  const guard = new Guard(new Verifier([root], 'svc'), new PermitIssuer(SigningKey.generate(), 'gw'), log)
  const permit = guard.protect(cap, new Request('a', 'read', {}))
  assert.deepEqual(sorted(Object.keys(permit.claims)), fields('PermitClaims'))
  const report = verifyBundle(log.exportBundle(), log.keys())
  assert.deepEqual(sorted(Object.keys(report)), fields('BundleReport'))
  assert.deepEqual(sorted(Object.keys(report.head)), fields('BundleHead'))
})
