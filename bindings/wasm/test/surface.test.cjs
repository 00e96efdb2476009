// Surface drift: contract/surface.json, in camelCase, against what the package
// actually exports. Any difference, either way, fails.
"use strict";
const test = require("node:test");
const assert = require("node:assert/strict");
const fs = require("node:fs");
const path = require("node:path");
const { charter, contract } = require("./helpers.cjs");

const surface = JSON.parse(fs.readFileSync(path.join(contract, "surface.json"), "utf8"));
const camel = (s) => s.replace(/_([a-z0-9])/g, (_, c) => c.toUpperCase());
const params = (list) => list.map((p) => camel(p.replace(/\?$/, "")));
const sorted = (xs) => [...xs].sort();

// Language-idiomatic extras, listed explicitly: wasm-bindgen's `free()` and
// `[Symbol.dispose]` release the wasm memory of an object early (the GC does it
// otherwise); `__charterId` is the hidden handle the module uses to accept its
// own objects as arguments.
const INSTANCE_EXTRAS = new Set(["constructor", "free", "__charterId", "__destroy_into_raw"]);
const STATIC_EXTRAS = new Set(["length", "name", "prototype", "__wrap", "__unwrap"]);
// Module-level extras: nothing but the classes, functions and error classes.
const MODULE_EXTRAS = new Set([]);

// Documented deviation: Issuer.issue takes its optional parameters as one
// options object (`issue({agent, actions, ...})`), as is idiomatic in JS.
const OPTIONS_OBJECT = { "Issuer.issue": true };

const errorClasses = [surface.errors.base, ...surface.errors.families];

test("surface: the module exports exactly the surface", () => {
  const expected = [
    ...Object.keys(surface.classes),
    ...Object.keys(surface.functions).map(camel),
    ...errorClasses,
  ];
  const actual = Object.keys(charter).filter((n) => !MODULE_EXTRAS.has(n));
  assert.deepEqual(sorted(actual), sorted(expected));
});

for (const [name, spec] of Object.entries(surface.functions)) {
  test(`surface: function ${camel(name)}(${params(spec.params).join(", ")})`, () => {
    const f = charter[camel(name)];
    assert.equal(typeof f, "function");
    assert.equal(f.length, spec.params.length, "parameter count");
  });
}

function ownNames(obj, extras) {
  return Object.getOwnPropertyNames(obj).filter((n) => !extras.has(n));
}

for (const [name, spec] of Object.entries(surface.classes)) {
  test(`surface: class ${name}`, () => {
    const C = charter[name];
    assert.equal(typeof C, "function", `${name} is not exported as a class`);

    // Static members.
    const statics = Object.entries(spec.static || {});
    assert.deepEqual(
      sorted(ownNames(C, STATIC_EXTRAS)),
      sorted(statics.map(([m]) => camel(m))),
      `${name}: static members`,
    );
    for (const [m, ps] of statics) {
      assert.equal(typeof C[camel(m)], "function", `${name}.${camel(m)}`);
      assert.equal(C[camel(m)].length, ps.length, `${name}.${camel(m)}: parameter count`);
    }

    // Instance members: methods on the prototype (every member has a parameter
    // list in surface.json, so every member is a method, `kid()` included).
    const members = Object.entries(spec.members || {});
    const proto = C.prototype;
    const protoNames = ownNames(proto, INSTANCE_EXTRAS);
    assert.deepEqual(sorted(protoNames), sorted(members.map(([m]) => camel(m))), `${name}: members`);
    for (const [m, ps] of members) {
      const d = Object.getOwnPropertyDescriptor(proto, camel(m));
      assert.equal(typeof d.value, "function", `${name}.${camel(m)} must be a method`);
      const want = OPTIONS_OBJECT[`${name}.${camel(m)}`] ? 1 : ps.length;
      assert.equal(d.value.length, want, `${name}.${camel(m)}: parameter count`);
    }
    // The extras are what we say they are.
    for (const extra of Object.getOwnPropertyNames(proto).filter((n) => INSTANCE_EXTRAS.has(n))) {
      assert.ok(INSTANCE_EXTRAS.has(extra));
    }

    // Constructor: exists exactly when the surface names one.
    if (Object.hasOwn(spec, "constructor")) {
      assert.equal(C.length, spec.constructor.length, `${name}: constructor parameter count`);
    } else {
      // No public constructor: `new C()` gives an empty shell that holds no
      // Rust value, so every member refuses to work on it.
      const [first] = Object.keys(spec.members);
      assert.throws(() => new C()[camel(first)](), `${name}: a constructed shell must not work`);
    }
  });
}

test("surface: error classes", () => {
  const { CharterError } = charter;
  assert.ok(CharterError.prototype instanceof Error);
  for (const fam of surface.errors.families) {
    const C = charter[fam];
    assert.equal(typeof C, "function", fam);
    assert.ok(C.prototype instanceof CharterError, `${fam} extends CharterError`);
    assert.equal(C.prototype.name, fam);
  }
  const e = new charter.UsageError("m", "invalid_argument");
  for (const member of surface.errors.members) assert.ok(member in e, member);
  const d = new charter.Denied("m", []);
  for (const member of [...surface.errors.members, ...surface.errors.denied_members]) assert.ok(member in d, member);
  assert.equal(d.code, "denied");
});

test("surface: error families match errors.json", () => {
  const codes = JSON.parse(fs.readFileSync(path.join(contract, "errors.json"), "utf8")).codes;
  const fams = new Set(codes.map((c) => c.family));
  assert.deepEqual(sorted(fams), sorted(surface.errors.families));
});

test("surface: Issuer.issue options are the surface's parameters", () => {
  const root = charter.RootKey.generate();
  const issuer = new charter.Issuer(root);
  const opts = params(surface.classes.Issuer.members.issue);
  // Every option is accepted...
  const cap = issuer.issue({
    agent: "a",
    actions: ["x"],
    audience: "aud",
    notBefore: 1767225600,
    expiresAt: 1767229200,
    caveats: ["true"],
    tokenId: new Uint8Array(16),
    issuedAt: 1767225600,
  });
  assert.equal(cap.caveats.length, 6);
  // neverExpires excludes expiresAt, so it is accepted on a capability of its own.
  assert.deepEqual(issuer.issue({ neverExpires: true, issuedAt: 1767225600 }).caveats, []);
  assert.deepEqual(
    sorted(opts),
    sorted(["agent", "actions", "audience", "notBefore", "expiresAt", "neverExpires", "caveats", "tokenId", "issuedAt"]),
  );
  // ...and anything else is refused.
  assert.throws(() => issuer.issue({ agnet: "a" }), (e) => e.code === "invalid_argument" && /unknown option/.test(e.message));
});

function recordFields(name) {
  return sorted(surface.records[name].map(camel));
}

test("surface: records Decision and Reason", () => {
  const root = charter.RootKey.generate();
  const cap = new charter.Issuer(root).issue({ actions: ["read"], neverExpires: true });
  const v = new charter.Verifier([root], "aud");
  const ok = v.check(cap, { agent: "a", action: "read", args: {} });
  assert.deepEqual(sorted(Object.keys(ok)), recordFields("Decision"));
  const no = v.check(cap, { agent: "a", action: "write", args: {} });
  assert.equal(no.allowed, false);
  assert.deepEqual(sorted(Object.keys(no.reasons[0])), recordFields("Reason"));
});

module.exports = { recordFields };

test("surface: records PermitClaims, BundleReport and BundleHead", () => {
  const root = charter.RootKey.generate();
  const sk = charter.SigningKey.generate();
  const log = charter.AuditLog.inMemory(sk);
  const guard = new charter.Guard(new charter.Verifier([root], "aud"), new charter.PermitIssuer(sk, "iss"), log);
  const cap = new charter.Issuer(root).issue({ actions: ["read"], neverExpires: true });
  const permit = guard.protect(cap, { agent: "a", action: "read", args: {} }, null, "idem-1");
  assert.deepEqual(sorted(Object.keys(permit.claims)), recordFields("PermitClaims"));
  const report = charter.verifyBundle(log.exportBundle(), log.keys());
  assert.deepEqual(sorted(Object.keys(report)), recordFields("BundleReport"));
  assert.deepEqual(sorted(Object.keys(report.head)), recordFields("BundleHead"));
});
