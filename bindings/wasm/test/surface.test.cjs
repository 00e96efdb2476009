// Surface drift: contract/surface.json, in camelCase, against what the package
// actually exports. Any difference, either way, fails.
"use strict";
const test = require("node:test");
const assert = require("node:assert/strict");
const fs = require("node:fs");
const path = require("node:path");
const { charter, contract } = require("./helpers.cjs");

// What other bindings alone export ("bindings": [...]: open_store, Store,
// AuditLog.in_store, Node's *_async forms) is not here: WebAssembly has no store.
function forWasm(s) {
  const here = (spec) => !spec.bindings || spec.bindings.includes("wasm");
  const only = (o) => Object.fromEntries(Object.entries(o).filter(([, spec]) => here(spec)));
  s.functions = only(s.functions);
  s.classes = only(s.classes);
  for (const spec of Object.values(s.classes)) {
    if (spec.static) spec.static = only(spec.static);
    if (spec.members) spec.members = only(spec.members);
  }
  return s;
}
const surface = forWasm(JSON.parse(fs.readFileSync(path.join(contract, "surface.json"), "utf8")));
const camel = (s) => s.replace(/_([a-z0-9])/g, (_, c) => c.toUpperCase());
const params = (list) => list.map((p) => camel(p.split(":")[0].trim().replace(/\?$/, "")));
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

const errorClasses = [surface.errors.base, ...surface.errors.families, ...Object.values(surface.errors.code_classes)];

test("surface: the module exports exactly the surface", () => {
  const expected = [
    ...Object.keys(surface.classes),
    ...Object.keys(surface.functions).map(camel),
    ...Object.keys(surface.constants).map(camel),
    ...errorClasses,
  ];
  const actual = Object.keys(charter).filter((n) => !MODULE_EXTRAS.has(n));
  assert.deepEqual(sorted(actual), sorted(expected));
});

test("surface: version is the workspace version", () => {
  const cargo = fs.readFileSync(path.join(contract, "..", "Cargo.toml"), "utf8");
  const workspace = /\[workspace\.package\][^[]*?\nversion\s*=\s*"([^"]+)"/.exec(cargo)[1];
  assert.equal(typeof charter.version, "string");
  assert.equal(charter.version, workspace);
  assert.equal(JSON.parse(fs.readFileSync(path.join(__dirname, "..", "package.json"), "utf8")).version, workspace);
});

// The parameter names of every function and method, from the generated .d.ts
// (what an IDE and TypeScript see), against surface.json's, in camelCase;
// optional ones must be optional (`name?:`), required ones required.
const dts = fs.readFileSync(path.join(__dirname, "..", "dist", "nodejs", "charter_wasm.d.ts"), "utf8");

/** `name(a: T, b?: U)` declared in `scope` (a class body or the module) -> ["a", "b?"]. */
function declared(scope, name) {
  const m = new RegExp(`(?:^|\\s)(?:static\\s+)?${name}\\(([^)]*)\\)`, "m").exec(scope);
  assert.ok(m, `${name} is not declared in the .d.ts`);
  return m[1].trim() === "" ? [] : m[1].split(/,\s*/).map((p) => p.split(":")[0].trim());
}

function classBody(name) {
  const start = dts.indexOf(`export class ${name} {`);
  assert.ok(start >= 0, `class ${name} is not declared in the .d.ts`);
  return dts.slice(start, dts.indexOf("\n}\n", start));
}

const wanted = (ps) => ps.map((p) => {
  const [name] = p.split(":");
  return camel(name.trim().replace(/\?$/, "")) + (name.trim().endsWith("?") ? "?" : "");
});

for (const [name, spec] of Object.entries(surface.functions)) {
  test(`surface: function ${camel(name)}(${wanted(spec.params).join(", ")})`, () => {
    const f = charter[camel(name)];
    assert.equal(typeof f, "function");
    assert.equal(f.length, spec.params.length, "parameter count");
    assert.deepEqual(declared(dts, camel(name)), wanted(spec.params), "parameter names and optionality");
  });
}

function ownNames(obj, extras) {
  return Object.getOwnPropertyNames(obj).filter((n) => !extras.has(n));
}

for (const [name, spec] of Object.entries(surface.classes)) {
  test(`surface: class ${name}`, () => {
    const C = charter[name];
    assert.equal(typeof C, "function", `${name} is not exported as a class`);
    const body = classBody(name);

    // Static members.
    const statics = Object.entries(spec.static || {});
    assert.deepEqual(
      sorted(ownNames(C, STATIC_EXTRAS)),
      sorted(statics.map(([m]) => camel(m))),
      `${name}: static members`,
    );
    for (const [m, ps] of statics) {
      assert.equal(typeof C[camel(m)], "function", `${name}.${camel(m)}`);
      assert.equal(C[camel(m)].length, ps.params.length, `${name}.${camel(m)}: parameter count`);
      assert.deepEqual(declared(body, camel(m)), wanted(ps.params), `${name}.${camel(m)}: parameters`);
    }

    // Instance members: a getter where surface.json says {"property": T}, a
    // method (with the surface's parameters) otherwise.
    const members = Object.entries(spec.members || {});
    const proto = C.prototype;
    assert.deepEqual(sorted(ownNames(proto, INSTANCE_EXTRAS)), sorted(members.map(([m]) => camel(m))), `${name}: members`);
    for (const [m, ps] of members) {
      const d = Object.getOwnPropertyDescriptor(proto, camel(m));
      if ("property" in ps) {
        assert.equal(typeof d.get, "function", `${name}.${camel(m)} must be a getter (surface.json: property)`);
        assert.equal(d.set, undefined, `${name}.${camel(m)} must be read-only`);
        assert.match(body, new RegExp(`\\sreadonly ${camel(m)}:`), `${name}.${camel(m)}: declared as a read-only property`);
        continue;
      }
      assert.equal(typeof d.value, "function", `${name}.${camel(m)} must be a method`);
      const want = OPTIONS_OBJECT[`${name}.${camel(m)}`] ? 1 : ps.params.length;
      assert.equal(d.value.length, want, `${name}.${camel(m)}: parameter count`);
      if (!OPTIONS_OBJECT[`${name}.${camel(m)}`]) {
        assert.deepEqual(declared(body, camel(m)), wanted(ps.params), `${name}.${camel(m)}: parameters`);
      }
    }

    // Constructor: exists exactly when the surface names one, with its parameters.
    if (Object.hasOwn(spec, "constructor")) {
      assert.equal(C.length, spec.constructor.length, `${name}: constructor parameter count`);
      assert.deepEqual(declared(body, "constructor"), wanted(spec.constructor), `${name}: constructor parameters`);
    } else {
      // No public constructor: `new C()` gives an empty shell that holds no
      // Rust value, so every member refuses to work on it.
      const [first, m] = Object.entries(spec.members)[0];
      assert.throws(() => ("property" in m ? new C()[camel(first)] : new C()[camel(first)]()), `${name}: a constructed shell must not work`);
    }
  });
}

// Types: every parameter, return and property type in the .d.ts, read in
// surface.json's notation, is the surface's. The .d.ts spells `object` as a
// JSON object type (JsonObject, Jwk, Jwks), `Request | object | string` as
// RequestLike, an int or time as number, and an optional parameter as
// `name?: T | null`.
const TS = {
  RequestLike: ["Request", "object", "string"], JsonObject: ["object"], Jwk: ["object"], Jwks: ["object"],
  number: ["int"], boolean: ["bool"], Uint8Array: ["bytes"], void: ["null"], time: ["int"],
  // The `store?` parameter: there is no Store here, so it is typed `never`
  // and refused with `unsupported` when given (test/hostile.test.cjs).
  never: ["Store"],
};
function norm(type) {
  const parts = type.split("|").map((t) => t.trim()).flatMap((t) => {
    if (t.endsWith("[]")) return [`${norm(t.slice(0, -2))}[]`];
    if (/^".*"$/.test(t)) return ["string"];
    return TS[t] || [t];
  });
  return [...new Set(parts)].sort().join(" | ");
}
const surfaceParam = (p) => {
  const [name, type] = p.split(":").map((x) => x.trim());
  return `${camel(name.replace(/\?$/, ""))}: ${norm(name.endsWith("?") ? `${type} | null` : type)}`;
};
/** `name(a: T, b?: U): R` in `scope` -> {params: ["a: T", "b: U | null"], returns: "R"}, normalized. */
function signature(scope, name) {
  const m = new RegExp(`(?:^|\\s)(?:static\\s+)?${name}\\(([^)]*)\\)(?::\\s*([^;]+))?;`, "m").exec(scope);
  assert.ok(m, `${name} is not declared in the .d.ts`);
  const params = m[1].trim() === "" ? [] : m[1].split(/,\s*/).map((p) => {
    const [n, t] = p.split(":").map((x) => x.trim());
    return `${n.replace(/\?$/, "")}: ${norm(t)}`;
  });
  return { params, returns: m[2] === undefined ? undefined : norm(m[2]) };
}

for (const [name, spec] of Object.entries(surface.functions)) {
  test(`surface types: function ${camel(name)}`, () => {
    const got = signature(dts, camel(name));
    assert.deepEqual(got.params, spec.params.map(surfaceParam), "parameter types");
    assert.equal(got.returns, norm(spec.returns), "return type");
  });
}

for (const [name, spec] of Object.entries(surface.classes)) {
  test(`surface types: class ${name}`, () => {
    const body = classBody(name);
    if (Object.hasOwn(spec, "constructor")) {
      assert.deepEqual(signature(body, "constructor").params, spec.constructor.map(surfaceParam), `${name}: constructor`);
    }
    for (const [m, ms] of [...Object.entries(spec.static || {}), ...Object.entries(spec.members || {})]) {
      const where = `${name}.${camel(m)}`;
      if ("property" in ms) {
        const t = new RegExp(`\\sreadonly ${camel(m)}: ([^;]+);`).exec(body);
        assert.ok(t, `${where}: no property declared`);
        assert.equal(norm(t[1]), norm(ms.property), `${where}: property type`);
        continue;
      }
      const got = signature(body, camel(m));
      if (!OPTIONS_OBJECT[where]) assert.deepEqual(got.params, ms.params.map(surfaceParam), `${where}: parameter types`);
      assert.equal(got.returns, norm(ms.returns), `${where}: return type`);
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
  for (const [code, own] of Object.entries(surface.errors.code_classes)) {
    const e = new charter[own]("m", []);
    assert.ok(e instanceof charter.Denied && e instanceof CharterError, `${own} extends Denied`);
    assert.equal(e.name, own);
    assert.equal(e.code, code);
    for (const member of [...surface.errors.members, ...surface.errors.denied_members]) assert.ok(member in e, member);
  }
});

test("surface: error families match errors.json", () => {
  const codes = JSON.parse(fs.readFileSync(path.join(contract, "errors.json"), "utf8")).codes;
  const fams = new Set(codes.map((c) => c.family));
  assert.deepEqual(sorted(fams), sorted(surface.errors.families));
});

test("surface: Issuer.issue options are the surface's parameters", () => {
  const root = charter.RootKey.generate();
  const issuer = new charter.Issuer(root);
  const opts = params(surface.classes.Issuer.members.issue.params);
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
  return sorted(Object.keys(surface.records[name]).map(camel));
}

/** Checks `value` against a surface type ("string", "int | null", "Reason[]", a record name). */
function typed(value, type, where) {
  if (type.endsWith(" | null")) {
    if (value === null) return;
    return typed(value, type.slice(0, -7), where);
  }
  if (type.endsWith("[]")) {
    assert.ok(Array.isArray(value), `${where}: ${type}`);
    return value.forEach((v, i) => typed(v, type.slice(0, -2), `${where}[${i}]`));
  }
  if (type in surface.records) return record(value, type, where);
  const check = { string: (v) => typeof v === "string", int: Number.isSafeInteger, bool: (v) => typeof v === "boolean" }[type];
  assert.ok(check, `${where}: unknown type ${type}`);
  assert.ok(check(value), `${where} must be ${type}, got ${JSON.stringify(value)}`);
}

/** A record: exactly its fields (camelCase), each of its type. */
function record(value, name, where = name) {
  assert.deepEqual(sorted(Object.keys(value)), recordFields(name), `${where}: fields`);
  for (const [field, type] of Object.entries(surface.records[name])) typed(value[camel(field)], type, `${where}.${camel(field)}`);
}

test("surface: records Decision and Reason, typed", () => {
  const root = charter.RootKey.generate();
  const cap = new charter.Issuer(root).issue({ actions: ["read"], neverExpires: true });
  const v = new charter.Verifier([root], "aud");
  record(v.check(cap, { agent: "a", action: "read", args: {} }), "Decision");
  const no = v.check(cap, { agent: "a", action: "write", args: {} });
  assert.equal(no.allowed, false);
  record(no, "Decision");
  record(v.check("not a capability", { agent: "a", action: "read", args: {} }), "Decision");
});

test("surface: records PermitClaims, BundleReport and BundleHead, typed", () => {
  const root = charter.RootKey.generate();
  const sk = charter.SigningKey.generate();
  const log = charter.AuditLog.inMemory(sk);
  const guard = new charter.Guard(new charter.Verifier([root], "aud"), new charter.PermitIssuer(sk, "iss"), log);
  const cap = new charter.Issuer(root).issue({ actions: ["read"], neverExpires: true });
  record(guard.protect(cap, { agent: "a", action: "read", args: {} }, null, "idem-1").claims, "PermitClaims");
  record(guard.protect(cap, { agent: "a", action: "read", args: {} }).claims, "PermitClaims");
  record(charter.verifyBundle(log.exportBundle(), log.keys()), "BundleReport");
  // Receipt members typed as surface.json says.
  const receipt = log.head();
  for (const [m, spec] of Object.entries(surface.classes.Receipt.members)) {
    if ("property" in spec) typed(receipt[camel(m)], spec.property === "string | null" ? "string | null" : spec.property, `Receipt.${camel(m)}`);
  }
});

test("surface: the TypeScript ErrorCode union is errors.json's codes, exactly", () => {
  const codes = JSON.parse(fs.readFileSync(path.join(contract, "errors.json"), "utf8")).codes.map((c) => c.code);
  assert.ok(codes.includes("internal"));
  for (const target of ["nodejs", "web"]) {
    const errorsDts = fs.readFileSync(path.join(__dirname, "..", "dist", target, "errors.d.ts"), "utf8");
    const union = /export type ErrorCode =([^;]*);/.exec(errorsDts)[1];
    const declared = [...union.matchAll(/"([a-z_]+)"/g)].map((m) => m[1]);
    assert.deepEqual(sorted(declared), sorted(codes), `${target}: ErrorCode`);
    assert.equal(declared.length, new Set(declared).size);
  }
});

test("surface: every union alternative is accepted and decides the same", () => {
  const { RootKey, SigningKey, Issuer, Verifier, Request, Holder, PermitIssuer, PermitVerifier, KeySet, PublicKey, AuditLog, Guard } = charter;
  const T0 = 1767225600;
  const root = RootKey.fromBytes(new Uint8Array(32).fill(1));
  const cap = new Issuer(root).issue({ actions: ["read"], caveats: ["args.n <= 5"], neverExpires: true, issuedAt: T0, tokenId: new Uint8Array(16) });
  const asObject = { agent: "a", action: "read", args: { n: 6 } };
  const requests = [new Request("a", "read", { n: 6 }), asObject, JSON.stringify(asObject), new Request("a", "read", '{"n":6}')];
  const caps = [cap, cap.serialize()];
  // Capability | string  x  Request | object | string: one decision.
  const decisions = [];
  for (const c of caps) for (const r of requests) decisions.push(new Verifier([root], "aud").check(c, r, null, T0));
  for (const d of decisions) assert.deepEqual(d, decisions[0]);
  assert.equal(decisions[0].allowed, false);
  // The same through Guard.check, Guard.protect and Holder.prove.
  const sk = SigningKey.fromBytes(new Uint8Array(32).fill(2));
  const guard = () => new Guard(new Verifier([root], "aud"), new PermitIssuer(sk, "iss"), AuditLog.inMemory(sk));
  for (const c of caps) for (const r of requests) {
    assert.deepEqual(guard().check(c, r, null, T0), decisions[0]);
    assert.throws(() => guard().protect(c, r, null, null, T0), (e) => e instanceof charter.Denied && e.reasons[0].code === "caveat_failed");
  }
  const holder = new Holder(sk);
  const nonce = new Uint8Array(16).fill(4);
  const proofs = new Set();
  for (const c of caps) for (const r of requests) proofs.add(holder.prove(c, r, "aud", T0, nonce));
  assert.equal(proofs.size, 1, "Holder.prove: every alternative signs the same proof");
  // surface.json: `nonce?: bytes`, and bytes only (as in the Node package).
  const text = Buffer.from(nonce).toString("base64url");
  assert.throws(() => holder.prove(cap, asObject, "aud", T0, text), (e) => e.code === "invalid_argument" && /nonce must be a Uint8Array/.test(e.message));
  // object | string for args (Request, PermitIssuer.issue, PermitVerifier.verify) and the JWK.
  assert.equal(new Request("a", "read", { n: 1 }).toJson(), new Request("a", "read", '{"n":1}').toJson());
  const permits = new PermitIssuer(sk, "iss");
  const a = permits.issue("a", "aud", "read", { n: 1 }, cap.id, T0, "j1");
  const b = permits.issue("a", "aud", "read", '{"n":1}', cap.id, T0, "j1");
  assert.equal(a.token, b.token);
  const pk = sk.publicKey();
  const jwks = KeySet.fromKeys([pk]).toJwks();
  for (const keys of [KeySet.fromKeys([pk]), JSON.parse(jwks), jwks]) {
    for (const args of [{ n: 1 }, '{"n":1}']) {
      assert.deepEqual(new PermitVerifier(keys, "aud").verify(a.token, "read", args, T0), a.claims);
    }
  }
  // surface.json: `to_jwk() -> object`; fromJwk takes the object or its text.
  const jwk = pk.toJwk();
  assert.equal(Object.getPrototypeOf(jwk), Object.prototype);
  assert.deepEqual(jwk, JSON.parse(jwks).keys[0]);
  assert.equal(PublicKey.fromJwk(jwk).kid, pk.kid);
  assert.equal(PublicKey.fromJwk(JSON.stringify(jwk)).kid, pk.kid);
  assert.deepEqual(KeySet.fromJwks(JSON.parse(jwks)).kids(), KeySet.fromJwks(jwks).kids());
});

test("surface: every declaration in the .d.ts files has JSDoc", () => {
  const missing = [];
  for (const target of ["nodejs", "web"]) {
    for (const f of ["charter_wasm.d.ts", "errors.d.ts", "index.d.ts"]) {
      const lines = fs.readFileSync(path.join(__dirname, "..", "dist", target, f), "utf8").split("\n");
      // The web target's loader block (InitInput, InitOutput: the raw wasm
      // exports, wasm-bindgen's) is not the package's surface.
      let loader = false;
      lines.forEach((line, i) => {
        if (/^export type InitInput/.test(line)) loader = true;
        if (/^\/\/ Appended by build\.mjs/.test(line)) loader = false;
        if (loader) return;
        const declaration = /^\s*(export |static |readonly |constructor\(|[a-zA-Z_[][\w.\]]*\(|[a-z]\w*\??:)/.test(line);
        const reexport = /^\s*(export \*|export type \*|export \{|import|export type ErrorCode)/.test(line);
        if (!declaration || reexport || /^\s*\/\*\*.*\*\/\s*\w/.test(line)) return;
        let j = i - 1;
        while (j >= 0 && lines[j].trim() === "") j--;
        if (j < 0 || !lines[j].trim().endsWith("*/")) missing.push(`${target}/${f}:${i + 1}: ${line.trim()}`);
      });
    }
  }
  assert.deepEqual(missing, []);
});
