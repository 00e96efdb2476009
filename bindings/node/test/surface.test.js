'use strict'
// Surface drift: what the package exports (at run time, and as declared in
// index.d.ts / charter.d.ts) against contract/surface.json, in camelCase.
// Any difference either way fails.
//
// The one JS-specific convention: a method whose surface parameters are all
// optional (Issuer.issue) takes a single options object with those members.
const test = require('node:test')
const assert = require('node:assert/strict')
const path = require('node:path')
const fs = require('node:fs')
const ts = require('typescript')
const { CONTRACT, charter, camel, readJson } = require('./helpers')

const surface = readJson(path.join(CONTRACT, 'surface.json'))
const classes = Object.entries(surface.classes)
const FAMILIES = surface.errors.families
// Idiomatic extras the binding is allowed: none so far.
const EXTRAS = []

const sorted = (xs) => [...xs].sort()
const param = (p) => ({ name: camel(p.replace(/\?$/, '')), optional: p.endsWith('?') })

test('exports are exactly the surface (classes, functions, error classes)', () => {
  const expected = [
    ...Object.keys(surface.classes),
    ...Object.keys(surface.functions).map(camel),
    surface.errors.base,
    ...FAMILIES,
    ...EXTRAS,
  ]
  assert.deepEqual(sorted(Object.keys(charter)), sorted(expected))
})

for (const [name, spec] of classes) {
  test(`class ${name}: static and instance members`, () => {
    const cls = charter[name]
    assert.equal(typeof cls, 'function', `${name} is exported as a class`)
    const statics = Object.getOwnPropertyNames(cls).filter(
      (k) => !['length', 'name', 'prototype', 'arguments', 'caller'].includes(k),
    )
    assert.deepEqual(sorted(statics), sorted(Object.keys(spec.static || {}).map(camel)), `${name} statics`)
    const members = Object.getOwnPropertyNames(cls.prototype).filter((k) => k !== 'constructor')
    assert.deepEqual(sorted(members), sorted(Object.keys(spec.members || {}).map(camel)), `${name} members`)
    for (const m of members) assert.equal(typeof cls.prototype[m], 'function', `${name}.${m} is a method`)
    if (!spec.constructor || !Array.isArray(spec.constructor)) {
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
})

// --- declared types -------------------------------------------------------

function declarations() {
  const files = ['index.d.ts', 'charter.d.ts'].map((f) => path.join(__dirname, '..', f))
  const out = { classes: {}, interfaces: {}, functions: {} }
  for (const file of files) {
    const src = ts.createSourceFile(file, fs.readFileSync(file, 'utf8'), ts.ScriptTarget.Latest, true)
    const params = (node) => node.parameters.map((p) => ({ name: p.name.getText(src), optional: !!p.questionToken, type: p.type && p.type.getText(src) }))
    ts.forEachChild(src, (node) => {
      if (ts.isClassDeclaration(node) && node.name) {
        const c = { ctor: null, statics: {}, members: {}, props: [] }
        for (const m of node.members) {
          if (ts.isConstructorDeclaration(m)) c.ctor = params(m)
          else if (ts.isMethodDeclaration(m)) {
            const isStatic = (ts.getModifiers(m) || []).some((x) => x.kind === ts.SyntaxKind.StaticKeyword)
            ;(isStatic ? c.statics : c.members)[m.name.getText(src)] = params(m)
          } else if (ts.isPropertyDeclaration(m)) c.props.push(m.name.getText(src))
        }
        out.classes[node.name.text] = c
      } else if (ts.isInterfaceDeclaration(node)) {
        out.interfaces[node.name.text] = node.members.map((m) => m.name.getText(src))
      } else if (ts.isFunctionDeclaration(node) && node.name) {
        out.functions[node.name.text] = params(node)
      }
    })
  }
  return out
}

function sameParams(declared, spec, where, interfaces) {
  const want = spec.map(param)
  if (want.length > 0 && want.every((p) => p.optional) && declared.length === 1 && declared[0].optional) {
    const members = interfaces[declared[0].type]
    assert.ok(members, `${where}: options type ${declared[0].type} is declared`)
    assert.deepEqual(sorted(members), sorted(want.map((p) => p.name)), `${where} options`)
    return
  }
  assert.deepEqual(declared.map(({ name, optional }) => ({ name, optional })), want, `${where} parameters`)
}

test('index.d.ts declares the surface, parameter by parameter', () => {
  const d = declarations()
  for (const [name, spec] of classes) {
    const c = d.classes[name]
    assert.ok(c, `class ${name} declared`)
    if (Array.isArray(spec.constructor)) sameParams(c.ctor || [], spec.constructor, `new ${name}`, d.interfaces)
    else assert.equal(c.ctor, null, `${name} declares no constructor`)
    assert.deepEqual(sorted(Object.keys(c.statics)), sorted(Object.keys(spec.static || {}).map(camel)))
    assert.deepEqual(sorted(Object.keys(c.members)), sorted(Object.keys(spec.members || {}).map(camel)))
    for (const [m, ps] of Object.entries(spec.static || {})) sameParams(c.statics[camel(m)], ps, `${name}.${camel(m)}`, d.interfaces)
    for (const [m, ps] of Object.entries(spec.members || {})) sameParams(c.members[camel(m)], ps, `${name}#${camel(m)}`, d.interfaces)
  }
  for (const [fn, spec] of Object.entries(surface.functions)) {
    assert.ok(d.functions[camel(fn)], `function ${camel(fn)} declared`)
    sameParams(d.functions[camel(fn)], spec.params, camel(fn), d.interfaces)
  }
  for (const [rec, fields] of Object.entries(surface.records)) {
    assert.ok(d.interfaces[rec], `record ${rec} declared`)
    assert.deepEqual(sorted(d.interfaces[rec]), sorted(fields.map(camel)), `record ${rec} fields`)
  }
  for (const e of [surface.errors.base, ...FAMILIES]) assert.ok(d.classes[e], `error class ${e} declared`)
})

test('records at run time have exactly their fields', () => {
  const { RootKey, Issuer, Verifier, Request } = charter
  const root = RootKey.generate()
  const cap = new Issuer(root).issue({ actions: ['read'], neverExpires: true })
  const d = new Verifier([root], 'svc').check(cap, new Request('a', 'write', {}))
  assert.deepEqual(sorted(Object.keys(d)), sorted(surface.records.Decision.map(camel)))
  assert.deepEqual(sorted(Object.keys(d.reasons[0])), sorted(surface.records.Reason.map(camel)))
  const { SigningKey, PermitIssuer, AuditLog, Guard, verifyBundle } = charter
  const log = AuditLog.inMemory(SigningKey.generate())
  const guard = new Guard(new Verifier([root], 'svc'), new PermitIssuer(SigningKey.generate(), 'gw'), log)
  const permit = guard.protect(cap, new Request('a', 'read', {}))
  assert.deepEqual(sorted(Object.keys(permit.claims())), sorted(surface.records.PermitClaims.map(camel)))
  const report = verifyBundle(log.exportBundle(), log.keys())
  assert.deepEqual(sorted(Object.keys(report)), sorted(surface.records.BundleReport.map(camel)))
  assert.deepEqual(sorted(Object.keys(report.head)), sorted(surface.records.BundleHead.map(camel)))
})
