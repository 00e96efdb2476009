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
  AuditLog,
  Guard,
  Permit,
  PermitIssuer,
  PermitVerifier,
  Receipt,
  canonicalizeJson,
  verifyBundle,
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
  id: c.id,
  token_id: c.tokenId,
  root_kid: c.rootKid,
  issued_at: c.issuedAt,
  caveats: c.caveats,
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
    never_expires: "neverExpires",
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
  if (!v.repeat) {
    // Request | object | string: each alternative decides the same.
    // An object holds what JSON.parse made of the text: a number that may
    // have been rounded (an integral one beyond 2^53 - 1) is refused
    // (malformed), never decided on; everything else decides as the text.
    const object = JSON.parse(v.request);
    const unsafe = (x) =>
      typeof x === "number" ? Number.isInteger(x) && !Number.isSafeInteger(x) : x !== null && typeof x === "object" && Object.values(x).some(unsafe);
    const exact = !unsafe(object);
    const again = (alt) => decision(verifierFor(v).check(v.token, alt, v.proof, v.now));
    assert.deepEqual(again(v.request), decision(d), `${v.id}: request as text`);
    const viaObject = outcome(() => again(object));
    if (exact || viaObject.error !== "malformed") assert.deepEqual(viaObject, decision(d), `${v.id}: request as an object`);
  }
  if (v.repeat) {
    assert.equal(d.allowed, true, `${v.id}: first presentation must be allowed`);
    d = verifier.check(v.token, req, v.proof, v.now);
  }
  // The same decision when the capability is passed parsed, where it parses.
  return decision(d);
}

/** Claims as the core writes them: `idem` only when present. */
const claims = (c) => {
  const out = { ...c };
  if (out.idem === null) delete out.idem;
  return out;
};

const reasonsOut = (rs) => rs.map((r) => ({ caveat_index: r.caveatIndex, code: r.code, message: r.message }));

const snakeHead = (h) => ({
  anchor: h.anchor,
  count: h.count,
  first_seq: h.firstSeq,
  kid: h.kid,
  last_hash: h.lastHash,
  last_seq: h.lastSeq,
  sig: h.sig,
  ts: h.ts,
  v: h.v,
});

const runners = {
  jcs: (v) => outcome(() => ({ output: canonicalizeJson(v.input) })),

  keys: (v) => {
    switch (v.type) {
      case "signing_key":
        return outcome(() => {
          const sk = SigningKey.fromBytes(hex(v.seed));
          const pk = sk.publicKey();
          assert.equal(sk.kid, pk.kid);
          return { kid: sk.kid, public: Buffer.from(pk.toBytes()).toString("hex"), jwk: pk.toJwk() };
        });
      case "public_key":
        return outcome(() => {
          const pk = PublicKey.fromBytes(hex(v.public));
          // toJwk is canonical JSON text; the JWK round-trips as text and as an object.
          assert.equal(canonicalizeJson(pk.toJwk()), pk.toJwk());
          assert.equal(PublicKey.fromJwk(pk.toJwk()).kid, pk.kid);
          assert.equal(PublicKey.fromJwk(JSON.parse(pk.toJwk())).kid, pk.kid);
          return { kid: pk.kid, jwk: pk.toJwk() };
        });
      case "root_key":
        return outcome(() => ({ kid: RootKey.fromBytes(hex(v.secret)).kid }));
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

  permits: (v) => {
    switch (v.type) {
      case "issue":
        return outcome(() => {
          const issuer = new PermitIssuer(SigningKey.fromBytes(hex(v.signing_key)), v.issuer, v.ttl);
          const p = issuer.issue(v.subject, v.audience, v.action, v.args, v.capability_id, v.now, v.jti, v.idempotency_key);
          // Permit.parse reads back the same claims.
          assert.deepEqual(Permit.parse(p.token).claims, p.claims);
          assert.equal(p.kid, issuer.kid);
          return { token: p.token, kid: p.kid, claims: claims(p.claims) };
        });
      case "verify":
        return outcome(() => {
          sameForEachKeyForm(v.jwks, (k) => {
            const pv = new PermitVerifier(k, v.audience, v.leeway);
            if (v.repeat) outcome(() => pv.verify(v.token, v.action, v.args, v.now));
            return claims(pv.verify(v.token, v.action, v.args, v.now));
          });
          const pv = new PermitVerifier(KeySet.fromJwks(v.jwks), v.audience, v.leeway);
          let got = () => pv.verify(v.token, v.action, v.args, v.now);
          if (v.repeat) {
            got();
          }
          return { claims: claims(got()) };
        });
      default:
        throw new Error(`unknown permits vector type ${v.type}`);
    }
  },

  receipts: (v) => {
    if (v.type !== "verify") throw new Error(`unknown receipts vector type ${v.type}`);
    return outcome(() => {
      const r = Receipt.parse(v.receipt);
      sameForEachKeyForm(v.jwks, (k) => r.verify(k));
      r.verify(KeySet.fromJwks(v.jwks));
      return {
        hash: r.hash,
        seq: r.seq,
        prev: r.prev,
        ts: r.ts,
        agent: r.agent,
        action: r.action,
        args: r.args,
        cap: r.cap,
        permit: r.permit,
        decision: r.decision,
        reasons: reasonsOut(r.reasons),
        kid: r.kid,
        json: r.toJson(),
      };
    });
  },

  bundles: (v) =>
    outcome(() => {
      const r = verifyBundle(v.bundle, KeySet.fromJwks(v.trusted), v.anchor);
      sameForEachKeyForm(v.trusted, (k) => verifyBundle(v.bundle, k, v.anchor));
      return { report: { count: r.count, first_seq: r.firstSeq, last_seq: r.lastSeq, head: snakeHead(r.head) } };
    }),

  guard: (v) => {
    const log = AuditLog.inMemory(SigningKey.fromBytes(hex(v.audit_key)));
    const guard = new Guard(
      new Verifier(v.roots.map((r) => RootKey.fromBytes(hex(r))), v.audience),
      new PermitIssuer(SigningKey.fromBytes(hex(v.permit_key)), v.issuer),
      log,
    );
    const request = Request.fromJson(v.request);
    let out;
    if (v.mode === "protect") {
      try {
        out = { permit: guard.protect(v.token, request, v.proof, v.idempotency_key, v.now, v.permit_id).token };
      } catch (e) {
        assert.ok(e instanceof charter.Denied, `not Denied: ${e && e.stack}`);
        out = { ...errorOf(e), reasons: reasonsOut(e.reasons) };
      }
    } else if (v.mode === "check") {
      out = { decision: decision(guard.check(v.token, request, v.proof, v.now)) };
    } else {
      throw new Error(`unknown guard vector mode ${v.mode}`);
    }
    const head = log.head();
    out.receipt = head === null ? null : head.toJson();
    return out;
  },

  // No file system here: every audit-file vector must give `without_files`.
  "audit-files": (v) => {
    if (v.type !== "open") throw new Error(`unknown audit-files vector type ${v.type}`);
    const got = outcome(() =>
      AuditLog.open(`/charter-vectors/${v.id}.jsonl`, SigningKey.fromBytes(hex(v.audit_key)), v.expect_head),
    );
    assert.equal(jcs(got), jcs(v.without_files), `${v.id}: without_files`);
    return null;
  },

  proofs: (v) => {
    if (v.type !== "prove") throw new Error(`unknown proofs vector type ${v.type}`);
    return outcome(() => {
      const holder = new Holder(SigningKey.fromBytes(hex(v.holder)));
      const proof = holder.prove(Capability.parse(v.token), Request.fromJson(v.request), v.audience, v.now, hex(v.nonce));
      return { proof, holder_kid: holder.kid };
    });
  },
};

/** KeySet | object | string: the three forms of a JWKS, which must verify the same. */
const keyForms = (jwks) => [KeySet.fromJwks(jwks), JSON.parse(jwks), jwks];

/** Runs `f` with each form of the keys and requires one outcome. */
function sameForEachKeyForm(jwks, f) {
  const [first, ...rest] = keyForms(jwks).map((k) => outcome(() => f(k)));
  for (const other of rest) assert.deepEqual(other, first, "a JWKS object or text must verify as the KeySet does");
  return first;
}

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
      // audit-files compares with `without_files` (checked inside the runner).
      if (doc.kind !== "audit-files") assert.equal(jcs(got), jcs(v.expect), `${v.id}: ${v.description}`);
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
