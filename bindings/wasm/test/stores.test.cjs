// WebAssembly has no store (no file system, no sockets): the package exports
// no openStore or Store, and every constructor that takes a `store`
// elsewhere refuses one with EnvironmentError `unsupported` (never ignores
// it, which would keep single use and revocations in this instance only).
"use strict";
const test = require("node:test");
const assert = require("node:assert/strict");
const { charter } = require("./helpers.cjs");

const { RootKey, SigningKey, KeySet, Verifier, PermitIssuer, PermitVerifier, AuditLog, Guard } = charter;

test("stores: no openStore, no Store, no AuditLog.inStore", () => {
  for (const name of ["openStore", "openStoreAsync", "Store"]) assert.equal(charter[name], undefined, name);
  assert.equal(AuditLog.inStore, undefined);
});

test("stores: a store argument is refused with unsupported, saying what to do", () => {
  const root = RootKey.generate();
  const sk = SigningKey.generate();
  const refused = (e) => {
    assert.ok(e instanceof charter.EnvironmentError, String(e));
    assert.equal(e.code, "unsupported");
    assert.match(e.message, /store cannot be used in WebAssembly/);
    assert.match(e.message, /openStore/);
    return true;
  };
  for (const store of ["sqlite:///x.db", {}, "postgres://h/db", 0]) {
    assert.throws(() => new Verifier([root], "svc", undefined, undefined, store), refused);
    assert.throws(() => new PermitIssuer(sk, "gw", undefined, store), refused);
    assert.throws(() => new PermitVerifier(KeySet.fromKeys([sk.publicKey()]), "tool", undefined, store), refused);
    const parts = [new Verifier([root], "svc"), new PermitIssuer(sk, "gw"), AuditLog.inMemory(sk)];
    assert.throws(() => new Guard(...parts, store), refused);
  }
  // Left out (or null), everything is in memory, as before.
  assert.equal(new Verifier([root], "svc", undefined, undefined, null).audience, "svc");
  assert.ok(new Guard(new Verifier([root], "svc"), new PermitIssuer(sk, "gw"), AuditLog.inMemory(sk), undefined));
});
