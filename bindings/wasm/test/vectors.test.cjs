// Runs EVERY vector in contract/vectors/ through the package's public API (the
// `nodejs` build) and requires the exact expected output, byte for byte,
// including error codes and messages. An unknown kind or type is a failure.
"use strict";
const test = require("node:test");
const assert = require("node:assert/strict");
const fs = require("node:fs");
const path = require("node:path");
const { charter, contract, hex, vectorFiles } = require("./helpers.cjs");

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
} = charter;

const families = Object.fromEntries(
  JSON.parse(fs.readFileSync(path.join(contract, "errors.json"), "utf8")).codes.map((c) => [c.code, c.family]),
);

/** The JCS text of a JS value (to compare outputs byte for byte). */
const jcs = (value) => canonicalizeJson(JSON.stringify(value));

/** Runs `f`; an error becomes `{error, message}` after checking its class. */
function outcome(f) {
  try {
    return f();
  } catch (e) {
    return errorOf(e);
  }
}

function errorOf(e) {
  assert.ok(e instanceof CharterError, `not a CharterError: ${e && e.stack}`);
  assert.ok(e instanceof Error);
  assert.equal(typeof e.code, "string");
  assert.equal(e.name, families[e.code], `${e.code} should be a ${families[e.code]}`);
  assert.ok(e instanceof charter[families[e.code]]);
  return { error: e.code, message: e.message };
}

const decision = (d) => ({
  allowed: d.allowed,
  reasons: d.reasons.map((r) => ({ caveat_index: r.caveatIndex, code: r.code, message: r.message })),
});

const described = (c) => ({
  id: c.id(),
  token_id: c.tokenId(),
  root_kid: c.rootKid(),
  issued_at: c.issuedAt(),
  caveats: c.caveats(),
  token: c.serialize(),
});

const options = (o) => {
  const out = {};
  const map = {
    agent: "agent",
    actions: "actions",
    audience: "audience",
    not_before: "notBefore",
    expires_at: "expiresAt",
    caveats: "caveats",
    issued_at: "issuedAt",
  };
  for (const [k, v] of Object.entries(o)) {
    if (k === "token_id") {
      if (v !== null) out.tokenId = hex(v);
    } else if (k in map) {
      if (v !== null) out[map[k]] = v;
    } else {
      throw new Error(`unknown issue option in a vector: ${k}`);
    }
  }
  return out;
};

function verifierFor(v) {
  const verifier = new Verifier(
    v.roots.map((r) => RootKey.fromBytes(hex(r))),
    v.audience,
  );
  for (const id of v.revoked) verifier.revoke(id);
  return verifier;
}

function runCheck(v) {
  const verifier = verifierFor(v);
  let req;
  try {
    req = Request.fromJson(v.request);
  } catch (e) {
    return errorOf(e);
  }
  let d = verifier.check(v.token, req, v.proof, v.now);
  if (v.repeat) {
    assert.equal(d.allowed, true, `${v.id}: first presentation must be allowed`);
    d = verifier.check(v.token, req, v.proof, v.now);
  }
  // The same decision when the capability is passed parsed, where it parses.
  return decision(d);
}

const runners = {
  jcs: (v) => outcome(() => ({ output: canonicalizeJson(v.input) })),

  keys: (v) => {
    switch (v.type) {
      case "signing_key":
        return outcome(() => {
          const sk = SigningKey.fromBytes(hex(v.seed));
          const pk = sk.publicKey();
          assert.equal(sk.kid(), pk.kid());
          return { kid: sk.kid(), public: Buffer.from(pk.toBytes()).toString("hex"), jwk: jcs(pk.toJwk()) };
        });
      case "public_key":
        return outcome(() => {
          const pk = PublicKey.fromBytes(hex(v.public));
          // The JWK round-trips, as an object and as text.
          assert.equal(PublicKey.fromJwk(pk.toJwk()).kid(), pk.kid());
          assert.equal(PublicKey.fromJwk(JSON.stringify(pk.toJwk())).kid(), pk.kid());
          return { kid: pk.kid(), jwk: jcs(pk.toJwk()) };
        });
      case "root_key":
        return outcome(() => ({ kid: RootKey.fromBytes(hex(v.secret)).kid() }));
      case "jwks":
        return outcome(() => {
          const set = KeySet.fromJwks(v.jwks);
          return { kids: set.kids(), jwks: set.toJwks() };
        });
      default:
        throw new Error(`unknown keys vector type ${v.type}`);
    }
  },

  capabilities: (v) => {
    switch (v.type) {
      case "mint":
        return outcome(() => {
          let cap = new Issuer(RootKey.fromBytes(hex(v.root))).issue(options(v.options));
          for (const c of v.attenuate) cap = cap.attenuate(c);
          if (v.holder !== null) cap = cap.bindHolder(v.holder);
          // Parsing the token back gives the same capability.
          assert.deepEqual(described(Capability.parse(cap.serialize())), described(cap));
          return described(cap);
        });
      case "parse":
        return outcome(() => described(Capability.parse(v.token)));
      default:
        throw new Error(`unknown capabilities vector type ${v.type}`);
    }
  },

  caveats: (v) => runCheck(v),
  checks: (v) => {
    const got = runCheck(v);
    // Passing the parsed Capability instead of its text decides the same.
    if (!got.error && !v.repeat) {
      let parsed;
      try {
        parsed = Capability.parse(v.token);
      } catch {
        parsed = null;
      }
      if (parsed) {
        const again = decision(verifierFor(v).check(parsed, Request.fromJson(v.request), v.proof, v.now));
        assert.deepEqual(again, got, `${v.id}: parsed capability decides differently`);
      }
    }
    return got;
  },

  proofs: (v) => {
    if (v.type !== "prove") throw new Error(`unknown proofs vector type ${v.type}`);
    return outcome(() => {
      const holder = new Holder(SigningKey.fromBytes(hex(v.holder)));
      const proof = holder.prove(Capability.parse(v.token), Request.fromJson(v.request), v.audience, v.now, hex(v.nonce));
      return { proof, holder_kid: holder.kid() };
    });
  },
};

const files = vectorFiles();
let expectedTotal = 0;
for (const { doc } of files) expectedTotal += doc.vectors.length;
let ran = 0;

for (const { file, doc } of files) {
  test(`vectors: ${file} (${doc.kind}, ${doc.vectors.length})`, () => {
    assert.equal(doc.version, 1);
    const run = runners[doc.kind];
    assert.ok(run, `unknown vector kind ${JSON.stringify(doc.kind)} in ${file}: the runner must know every kind`);
    for (const v of doc.vectors) {
      const got = run(v);
      assert.equal(jcs(got), jcs(v.expect), `${v.id}: ${v.description}`);
      ran += 1;
    }
  });
}

test("vectors: every vector ran", () => {
  assert.ok(files.length > 0, "no vector files");
  assert.ok(expectedTotal > 0, "no vectors");
  assert.equal(ran, expectedTotal, `ran ${ran} of ${expectedTotal} vectors`);
  console.log(`# ran ${ran} vectors from ${files.length} files`);
});
