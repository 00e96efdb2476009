// Hostile inputs: wrong types, huge strings, deep nesting, bad base64, wrong
// key lengths, unsafe numbers, lone surrogates, forged objects. Each must be a
// CharterError of the right family with the right code; none may trap the wasm
// instance (a panic would: the test checks the module still works after each).
"use strict";
const test = require("node:test");
const assert = require("node:assert/strict");
const { charter } = require("./helpers.cjs");

const {
  CharterError,
  Capability,
  Holder,
  Issuer,
  KeySet,
  PublicKey,
  Request,
  RootKey,
  SigningKey,
  Verifier,
  canonicalizeJson,
  hashJson,
} = charter;

const T0 = 1767225600;
const root = RootKey.fromBytes(new Uint8Array(32).fill(7));
const cap = new Issuer(root).issue({ actions: ["read"], neverExpires: true, issuedAt: T0, tokenId: new Uint8Array(16) });
const verifier = new Verifier([root], "aud");
const req = new Request("agent", "read", { n: 1 });

function throwsCode(f, family, code, message) {
  let thrown;
  try {
    f();
  } catch (e) {
    thrown = e;
  }
  assert.ok(thrown, `expected ${family}/${code}, nothing was thrown`);
  assert.ok(thrown instanceof CharterError, `not a CharterError: ${thrown && thrown.stack}`);
  assert.ok(thrown instanceof charter[family], `expected ${family}, got ${thrown.name}: ${thrown.message}`);
  assert.equal(thrown.name, family);
  assert.equal(thrown.code, code, thrown.message);
  if (message) assert.match(thrown.message, message);
  // The instance is still alive and deciding.
  assert.equal(verifier.check(cap, req, null, T0).allowed, true);
  return thrown;
}

const wrongValues = [undefined, null, 42, 1.5, true, {}, [], () => 1, Symbol("s"), 10n, new Date(0)];

test("hostile: wrong types for strings", () => {
  for (const bad of wrongValues) {
    throwsCode(() => Capability.parse(bad), "UsageError", "invalid_argument", /token must be a string/);
    throwsCode(() => canonicalizeJson(bad), "UsageError", "invalid_argument");
    throwsCode(() => hashJson(bad), "UsageError", "invalid_argument");
    throwsCode(() => cap.attenuate(bad), "UsageError", "invalid_argument");
    throwsCode(() => new Verifier([root], bad), "UsageError", "invalid_argument");
  }
  // A number is never silently taken as its decimal string.
  throwsCode(() => new Request(1, "read", {}), "UsageError", "invalid_argument", /agent must be a string/);
});

test("hostile: wrong types for bytes and key lengths", () => {
  for (const bad of [undefined, null, "00".repeat(32), [1, 2, 3], new ArrayBuffer(32), 5, {}]) {
    throwsCode(() => RootKey.fromBytes(bad), "UsageError", "invalid_argument", /must be a Uint8Array/);
    throwsCode(() => SigningKey.fromBytes(bad), "UsageError", "invalid_argument");
    throwsCode(() => PublicKey.fromBytes(bad), "UsageError", "invalid_argument");
  }
  for (const n of [0, 1, 16, 31, 1025, 100000]) {
    throwsCode(() => RootKey.fromBytes(new Uint8Array(n)), "UsageError", "invalid_argument", /root key/);
  }
  for (const n of [0, 31, 33, 64]) {
    throwsCode(() => SigningKey.fromBytes(new Uint8Array(n)), "UsageError", "invalid_argument");
    throwsCode(() => PublicKey.fromBytes(new Uint8Array(n)), "UsageError", "invalid_argument");
  }
  // A Buffer is a Uint8Array and works.
  assert.equal(RootKey.fromBytes(Buffer.alloc(32, 7)).kid, root.kid);
});

test("hostile: wrong objects where a class is expected", () => {
  const sk = SigningKey.generate();
  for (const bad of [undefined, null, "root", 1, {}, [], sk, { __charterId: 1 }, { __charterId: -1 }, { __charterId: 1e300 }]) {
    throwsCode(() => new Issuer(bad), "UsageError", "invalid_argument", /root must be a RootKey/);
    throwsCode(() => new Holder(bad === sk ? root : bad), "UsageError", "invalid_argument");
  }
  throwsCode(() => new Verifier([root, sk], "aud"), "UsageError", "invalid_argument", /roots\[1\]/);
  throwsCode(() => KeySet.fromKeys([sk]), "UsageError", "invalid_argument", /keys\[0\]/);
  throwsCode(() => verifier.check(42, req), "UsageError", "invalid_argument", /capability/);
  throwsCode(() => verifier.check(root, req), "UsageError", "invalid_argument", /capability/);
  throwsCode(() => verifier.check(cap, 42), "UsageError", "invalid_argument", /request/);
  // A getter that throws is contained.
  const evil = {};
  Object.defineProperty(evil, "__charterId", {
    get() {
      throw new Error("boom");
    },
  });
  throwsCode(() => new Issuer(evil), "UsageError", "invalid_argument");
  // A freed object is refused, not dereferenced.
  const r = RootKey.generate();
  r.free();
  throwsCode(() => new Issuer(r), "UsageError", "invalid_argument");
  // Proxies whose traps throw are refused, not propagated.
  const trap = () => {
    throw new Error("trap");
  };
  throwsCode(() => verifier.check(cap, new Proxy({}, { getPrototypeOf: trap })), "UsageError", "invalid_argument", /could not be read/);
  throwsCode(() => verifier.check(cap, new Proxy({}, { ownKeys: trap })), "UsageError", "invalid_argument", /could not be read/);
  const revocable = Proxy.revocable({}, {});
  revocable.revoke();
  throwsCode(() => new Request("a", "read", revocable.proxy), "UsageError", "invalid_argument");
  throwsCode(() => RootKey.fromBytes(new Proxy(new Uint8Array(32), { getPrototypeOf: trap })), "UsageError", "invalid_argument");
});

test("hostile: bad base64 and garbage tokens are denials in check, errors in parse", () => {
  const good = cap.serialize();
  for (const bad of [good + "=", good + "!", good.slice(0, -1), "", "A", "====", "\u0000", "é".repeat(10)]) {
    const d = verifier.check(bad, req, null, T0);
    assert.equal(d.allowed, false, bad);
    assert.ok(["malformed", "unsupported_version", "limit_exceeded"].includes(d.reasons[0].code), d.reasons[0].code);
    assert.throws(() => Capability.parse(bad), (e) => e instanceof charter.FormatError || e instanceof charter.UsageError);
  }
  throwsCode(() => PublicKey.fromJwk({ kty: "OKP", crv: "Ed25519", x: "AAAA=" }), "FormatError", "malformed");
});

test("hostile: huge strings", () => {
  const huge = "A".repeat(20 * 1024 * 1024);
  throwsCode(() => Capability.parse(huge), "UsageError", "limit_exceeded");
  const d = verifier.check(huge, req, null, T0);
  assert.equal(d.allowed, false);
  assert.equal(d.reasons[0].code, "limit_exceeded");
  throwsCode(() => Request.fromJson(huge), "UsageError", "limit_exceeded");
  throwsCode(() => KeySet.fromJwks(huge), "UsageError", "limit_exceeded");
  throwsCode(() => cap.attenuate(huge), "UsageError", "limit_exceeded");
  const withHugeProof = verifier.check(cap, req, huge, T0);
  assert.equal(withHugeProof.allowed, false);
  // A big but legal string argument is fine.
  assert.equal(new Request("a", "read", { s: "x".repeat(100000) }).args.s.length, 100000);
});

test("hostile: deep nesting, as text and as objects", () => {
  const deepText = "[".repeat(100000) + "]".repeat(100000);
  throwsCode(() => canonicalizeJson(deepText), "UsageError", "limit_exceeded");
  throwsCode(() => new Request("a", "read", `{"x":${deepText}}`), "UsageError", "limit_exceeded");
  let deep = {};
  const top = deep;
  for (let i = 0; i < 100000; i++) deep = deep.x = {};
  throwsCode(() => new Request("a", "read", top), "UsageError", "limit_exceeded");
  const arr = [];
  let a = arr;
  for (let i = 0; i < 100000; i++) a = a[0] = [];
  throwsCode(() => new Request("a", "read", { arr }), "UsageError", "limit_exceeded");
  // A cycle is bounded the same way.
  const cyc = {};
  cyc.self = cyc;
  throwsCode(() => new Request("a", "read", cyc), "UsageError", "limit_exceeded");
  throwsCode(() => verifier.check(cap, { agent: "a", action: "read", args: cyc }), "UsageError", "limit_exceeded");
});

test("hostile: numbers that are not safe integers are refused, never rounded", () => {
  // However large: a JS number cannot say whether 1e21 is a double or an
  // integer the host already rounded, so every integral one beyond 2^53 - 1
  // is refused (no window from 9.3e18 up where it passed as a double).
  for (const n of [2 ** 53, -(2 ** 53), 9007199254740993, 9.2e18, 9.3e18, -9.3e18, 1e19, 1e21, 1e300, Number.MAX_VALUE, -Number.MAX_VALUE]) {
    throwsCode(() => new Request("a", "read", { n }), "FormatError", "malformed", /beyond/);
    throwsCode(() => verifier.check(cap, { agent: "a", action: "read", args: { n } }), "FormatError", "malformed", /beyond/);
  }
  // As JSON text, exponent notation says it is a double, and it is read as one.
  assert.equal(new Request("a", "read", '{"n":1e21}').toJson(), '{"action":"read","agent":"a","args":{"n":1e+21}}');
  for (const n of [NaN, Infinity, -Infinity]) {
    throwsCode(() => new Request("a", "read", { n }), "FormatError", "malformed", /not finite/);
  }
  throwsCode(() => new Request("a", "read", { n: 2n ** 60n }), "FormatError", "malformed", /beyond/);
  // Safe ones pass, as integers; doubles stay doubles.
  assert.deepEqual(new Request("a", "read", { n: 2 ** 53 - 1, b: 5n, f: 0.25, z: -0 }).args, { n: 2 ** 53 - 1, b: 5, f: 0.25, z: 0 });
  // As JSON text the number stays exact, and is refused.
  throwsCode(() => new Request("a", "read", '{"n":9007199254740993}'), "FormatError", "malformed", /9007199254740993/);
  // `now` and other integer parameters.
  for (const now of [2 ** 53, 1.5, NaN, "1767225600", {}]) {
    throwsCode(() => verifier.check(cap, req, null, now), "UsageError", "invalid_argument", /now/);
  }
  throwsCode(() => new Issuer(root).issue({ issuedAt: 1e16 }), "UsageError", "invalid_argument", /issuedAt/);
  throwsCode(() => new Issuer(root).issue({ expiresAt: 0.5 }), "UsageError", "invalid_argument", /expiresAt/);
});

test("hostile: non-JSON values in arguments", () => {
  for (const bad of [undefined, () => 1, Symbol("s"), new Date(0), new Map(), new Uint8Array(2), new (class X {})()]) {
    throwsCode(() => new Request("a", "read", { v: bad }), "UsageError", "invalid_argument");
  }
  throwsCode(() => new Request("a", "read", [1]), "UsageError", "invalid_argument", /args must be a JSON object/);
  throwsCode(() => new Request("a", "read", 5), "UsageError", "invalid_argument");
  throwsCode(() => new Request("a", "", {}), "UsageError", "invalid_argument", /action must not be empty/);
  // Objects with a null prototype are plain.
  const o = Object.create(null);
  o.k = 1;
  assert.deepEqual(new Request("a", "read", { o }).args, { o: { k: 1 } });
  // Unknown request members are refused, as in the text form.
  throwsCode(() => verifier.check(cap, { agent: "a", action: "read", args: {}, extra: 1 }), "FormatError", "malformed", /unknown member/);
});

test("hostile: lone surrogates are refused, never replaced", () => {
  throwsCode(() => new Request("a\ud800", "read", {}), "FormatError", "malformed", /lone surrogate/);
  throwsCode(() => new Request("a", "read", { k: "\udc00x" }), "FormatError", "malformed", /lone surrogate/);
  throwsCode(() => new Request("a", "read", { ["\ud800"]: 1 }), "FormatError", "malformed", /lone surrogate/);
  throwsCode(() => canonicalizeJson('"\ud800"'), "FormatError", "malformed", /lone surrogate/);
  // Long strings take another path into wasm (encodeInto): the same rules.
  const long = "é☕\ud83d\ude00x".repeat(40);
  assert.equal(new Request(long, "read", {}).agent, long);
  throwsCode(() => new Request(long + "\ud800", "read", {}), "FormatError", "malformed", /lone surrogate/);
  throwsCode(() => new Request("a".repeat(100) + "\udc00", "read", {}), "FormatError", "malformed", /lone surrogate/);
  // A real U+FFFD and real pairs are fine.
  assert.equal(new Request("\ufffd\ud83d\ude00", "read", {}).agent, "\ufffd\ud83d\ude00");
});

test("hostile: options objects", () => {
  const issuer = new Issuer(root);
  for (const bad of [5, "x", [], true]) {
    throwsCode(() => issuer.issue(bad), "UsageError", "invalid_argument", /options must be an object/);
  }
  throwsCode(() => issuer.issue({ actions: "read" }), "UsageError", "invalid_argument", /actions/);
  throwsCode(() => issuer.issue({ actions: [] }), "UsageError", "invalid_argument");
  throwsCode(() => issuer.issue({ caveats: [1] }), "UsageError", "invalid_argument", /caveats\[0\]/);
  throwsCode(() => issuer.issue({ tokenId: new Uint8Array(15) }), "UsageError", "invalid_argument", /16 bytes/);
  // A typo in a caveat is the caller's mistake (UsageError), not a 403.
  throwsCode(() => issuer.issue({ caveats: ["args.x <"], neverExpires: true }), "UsageError", "invalid_caveat");
  throwsCode(() => cap.attenuate("args.x <"), "UsageError", "invalid_caveat");
});

test("hostile: an expiry is required, in the future, in seconds", () => {
  const issuer = new Issuer(root);
  throwsCode(() => issuer.issue(), "UsageError", "invalid_argument", /never_expires/);
  throwsCode(() => issuer.issue({ agent: "a" }), "UsageError", "invalid_argument", /expires_at/);
  throwsCode(() => issuer.issue({ expiresAt: T0 + 60, neverExpires: true, issuedAt: T0 }), "UsageError", "invalid_argument");
  throwsCode(() => issuer.issue({ expiresAt: T0 - 1, issuedAt: T0 }), "UsageError", "invalid_argument", /expired when minted/);
  // Date.now() + 3600_000: milliseconds, the year 58,000.
  throwsCode(() => issuer.issue({ expiresAt: T0 * 1000 + 3600000, issuedAt: T0 }), "UsageError", "invalid_argument", /seconds, not milliseconds/);
  throwsCode(() => issuer.issue({ neverExpires: 1 }), "UsageError", "invalid_argument", /neverExpires must be a boolean/);
  assert.deepEqual(issuer.issue({ agent: "a", neverExpires: true }).caveats, ['agent == "a"']);
});

test("hostile: a missing proof has its own code; a token with a newline says strip it", () => {
  const bound = cap.bindHolder(new Holder(SigningKey.generate()).kid);
  assert.deepEqual(verifier.check(bound, req, null, T0).reasons.map((r) => r.code), ["proof_required"]);
  throwsCode(() => Capability.parse(cap.serialize() + "\n"), "FormatError", "malformed", /strip it/);
});

test("hostile: revoke refuses what is not a capability id; a token id revokes its family", () => {
  const v = new Verifier([root], "aud");
  for (const bad of ["", `${cap.id}=`, `${cap.id}==`, ` ${cap.id}`, cap.id.slice(1), `${cap.id}AA`, "not a capability id"]) {
    throwsCode(() => v.revoke(bad), "UsageError", "invalid_argument", /22 base64url characters/);
  }
  throwsCode(() => v.revoke(42), "UsageError", "invalid_argument");
  assert.equal(v.check(cap, req, null, T0).allowed, true);
  v.revoke(cap.tokenId);
  const d = v.check(cap.attenuate("args.n == 1"), req, null, T0);
  assert.deepEqual(d.reasons.map((r) => r.code), ["revoked"]);
});

test("AuditLog.open is unsupported, under Node too, and says why; its arguments are checked first", () => {
  const { AuditLog, EnvironmentError } = charter;
  const key = SigningKey.fromBytes(new Uint8Array(32).fill(3));
  for (const expect of [undefined, null, "not a receipt", "{}"]) {
    assert.throws(
      () => AuditLog.open("audit.jsonl", key, expect),
      (e) => e instanceof EnvironmentError && e.code === "unsupported" && /without WASI/.test(e.message) && /under Node/.test(e.message),
    );
  }
  throwsCode(() => AuditLog.open(5, key), "UsageError", "invalid_argument", /path must be a string/);
  throwsCode(() => AuditLog.open("a.jsonl", {}), "UsageError", "invalid_argument", /signingKey/);
});
