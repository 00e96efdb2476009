'use strict'
// Conformance for the JavaScript packages (Node, WASM): every vector in
// contract/vectors/ through a package's public API, every output reproduced
// byte for byte (error codes and messages included). A kind or type this
// runner does not know is a failure, never a skip.
//
//   require('../../js-test/vectors.cjs').run(charter, 'Node', io)
//
// `charter` is the loaded package object; `io` gives what the host provides:
//   io.files()         names of the vector files (sorted), those under
//                      contract/vectors/stateful/ as 'stateful/<name>'
//   io.read(name)      the text of contract/vectors/<name>
//   io.errors()        the text of contract/errors.json
//   io.test(name, fn)  registers one test (node:test's `test`: fn gets `t`
//                      with t.test for one subtest per vector)
//   io.assert          deepStrictEqual / equal / ok (node:assert/strict)
//   io.withFile(v, fn) runs fn(path) on a temporary file holding v.content
//                      (or a directory when v.setup is "directory"), for the
//                      audit-files vectors; a host without files omits it and
//                      each of those vectors must give its `without_files`
//                      outcome instead of `expect`
//   io.noStore         set by a host whose package cannot open a store: the
//                      reason, which must be exactly 'no store in WASM'; the
//                      stateful vectors are then counted as not run for that
//                      reason (each one still checked to be a known kind), and
//                      the package must indeed have no openStore
// It uses nothing of Node itself, so any JS host that can read the contract
// files can run it.

function run(charter, name, io) {
  const { assert } = io
  const {
    RootKey, SigningKey, PublicKey, KeySet, Issuer, Capability, Request, Holder, Verifier,
    PermitIssuer, PermitVerifier, Receipt, AuditLog, Guard, Denied, CharterError,
    canonicalizeJson, verifyBundle,
  } = charter
  const FAMILY = Object.fromEntries(JSON.parse(io.errors()).codes.map((c) => [c.code, c.family]))
  const hex = (s) => Uint8Array.from(s.match(/../g) || [], (b) => parseInt(b, 16))
  const toHex = (b) => Array.from(b, (x) => x.toString(16).padStart(2, '0')).join('')

  /** Runs `fn`; returns its output, or `{error, message}` for a Charter error. */
  function outcome(fn) {
    try {
      return fn()
    } catch (e) {
      if (!(e instanceof CharterError)) throw e
      assert.equal(e.name, FAMILY[e.code], `error class of ${e.code}`)
      assert.ok(e instanceof charter[FAMILY[e.code]], `instanceof ${FAMILY[e.code]}`)
      assert.ok(typeof e.stack === 'string' && e.stack.length > 0)
      return { error: e.code, message: e.message }
    }
  }

  const needOut = (a) => ({
    required: a.required, approvers: a.approvers, valid: a.valid, capability: a.capability,
    action: a.action, args_hash: a.argsHash, audience: a.audience,
  })
  const reasonOut = (r) => {
    const out = { code: r.code, caveat_index: r.caveatIndex, message: r.message }
    if (r.approval !== null && r.approval !== undefined) out.approval = needOut(r.approval)
    return out
  }
  const decisionOut = (d) => ({ allowed: d.allowed, reasons: d.reasons.map(reasonOut) })
  const capabilityOut = (c) => ({
    token: c.serialize(), id: c.id, token_id: c.tokenId, root_kid: c.rootKid,
    issued_at: c.issuedAt, caveats: c.caveats,
  })

  /** One check; `form` is how the capability and request are passed. */
  function decide(v, form) {
    let request
    try {
      request = Request.fromJson(v.request)
    } catch (e) {
      return outcome(() => {
        throw e
      })
    }
    const verifier = new Verifier(v.roots.map((r) => RootKey.fromBytes(hex(r))), v.audience)
    for (const id of v.revoked) verifier.revoke(id)
    let cap = v.token
    if (form === 'parsed') {
      try {
        cap = Capability.parse(v.token)
      } catch {
        return null // not parseable: only the text path applies
      }
    }
    // The request as a Request, as its JSON text, and as a plain object.
    const req = form === 'text' ? v.request : form === 'object' ? JSON.parse(v.request) : request
    const check = () => decisionOut(verifier.check(cap, req, v.proof, v.now))
    if (v.repeat) assert.deepStrictEqual(check(), { allowed: true, reasons: [] }, `${v.id}: first check`)
    return check()
  }

  /** Numbers beyond 2^53 cannot cross as JS values: the text form is exact. */
  const objectSafe = (text) => !/\d{16,}/.test(text)

  const RUNNERS = {
    jcs: (v) => outcome(() => ({ output: canonicalizeJson(v.input) })),
    keys: (v) => {
      switch (v.type) {
        case 'signing_key':
          return outcome(() => {
            const k = SigningKey.fromBytes(hex(v.seed))
            assert.equal(toHex(k.toBytes()), v.seed)
            return { kid: k.kid, public: toHex(k.publicKey().toBytes()), jwk: canonicalizeJson(JSON.stringify(k.publicKey().toJwk())) }
          })
        case 'public_key':
          return outcome(() => {
            const k = PublicKey.fromBytes(hex(v.public))
            const jwk = canonicalizeJson(JSON.stringify(k.toJwk()))
            assert.equal(PublicKey.fromJwk(jwk).kid, k.kid)
            assert.equal(PublicKey.fromJwk(JSON.parse(jwk)).kid, k.kid)
            return { kid: k.kid, jwk }
          })
        case 'root_key':
          return outcome(() => {
            const k = RootKey.fromBytes(hex(v.secret))
            assert.equal(toHex(k.toBytes()), v.secret)
            return { kid: k.kid }
          })
        case 'jwks':
          return outcome(() => {
            const set = KeySet.fromJwks(v.jwks)
            const kids = set.kids()
            assert.deepStrictEqual(kids, [...kids].sort())
            for (const kid of kids) assert.equal(set.get(kid).kid, kid)
            assert.deepStrictEqual(KeySet.fromJwks(JSON.parse(v.jwks)).toJwks(), set.toJwks(), 'JWKS object and text')
            return { kids, jwks: set.toJwks() }
          })
        default:
          throw new Error(`unknown keys vector type ${v.type}`)
      }
    },
    capabilities: (v) => {
      switch (v.type) {
        case 'mint':
          return outcome(() => {
            const o = v.options
            let cap = new Issuer(RootKey.fromBytes(hex(v.root))).issue({
              agent: o.agent, actions: o.actions, audience: o.audience, notBefore: o.not_before,
              expiresAt: o.expires_at, neverExpires: o.never_expires, caveats: o.caveats,
              tokenId: o.token_id === null ? null : hex(o.token_id), issuedAt: o.issued_at,
            })
            for (const c of v.attenuate) cap = cap.attenuate(c)
            if (v.holder !== null) cap = cap.bindHolder(v.holder)
            return capabilityOut(cap)
          })
        case 'parse':
          return outcome(() => capabilityOut(Capability.parse(v.token)))
        default:
          throw new Error(`unknown capabilities vector type ${v.type}`)
      }
    },
    caveats: (v) => {
      const text = decide(v, 'token')
      const parsed = decide(v, 'parsed')
      if (parsed !== null) assert.deepStrictEqual(parsed, text, `${v.id}: parsed and text capabilities decide alike`)
      if (!v.repeat && !v.proof) {
        assert.deepStrictEqual(decide(v, 'text'), text, `${v.id}: a request as JSON text decides alike`)
        if (objectSafe(v.request)) assert.deepStrictEqual(decide(v, 'object'), text, `${v.id}: a request as an object decides alike`)
      }
      return text
    },
    proofs: (v) =>
      outcome(() => {
        const holder = new Holder(SigningKey.fromBytes(hex(v.holder)))
        const proof = holder.prove(Capability.parse(v.token), Request.fromJson(v.request), v.audience, v.now, hex(v.nonce))
        assert.equal(holder.prove(v.token, v.request, v.audience, v.now, hex(v.nonce)), proof, 'text inputs prove alike')
        return { proof, holder_kid: holder.kid }
      }),
  }
  RUNNERS.checks = RUNNERS.caveats

  /** Claims as the vectors write them (no `idem` member when there is none). */
  const claimsOut = (c) => {
    const out = { ...c }
    if (out.idem === null) delete out.idem
    return out
  }
  const headOut = (h) => ({
    anchor: h.anchor, count: h.count, first_seq: h.firstSeq, kid: h.kid, last_hash: h.lastHash,
    last_seq: h.lastSeq, sig: h.sig, ts: h.ts, v: h.v,
  })

  RUNNERS.permits = (v) => {
    switch (v.type) {
      case 'issue':
        return outcome(() => {
          const issuer = new PermitIssuer(SigningKey.fromBytes(hex(v.signing_key)), v.issuer, v.ttl)
          const p = issuer.issue(v.subject, v.audience, v.action, v.args, v.capability_id, v.now, v.jti, v.idempotency_key)
          assert.equal(p.kid, issuer.kid)
          return { token: p.token, kid: p.kid, claims: claimsOut(p.claims) }
        })
      case 'verify':
        return outcome(() => {
          // The JWKS as text, and (for a second verifier) as an object.
          const keys = v.repeat ? v.jwks : outcome(() => JSON.parse(v.jwks))
          const verifier = new PermitVerifier(keys, v.audience, v.leeway)
          const verify = () => ({ claims: claimsOut(verifier.verify(v.token, v.action, v.args, v.now)) })
          if (v.repeat) verify()
          return verify()
        })
      default:
        throw new Error(`unknown permits vector type ${v.type}`)
    }
  }

  RUNNERS.receipts = (v) => {
    assert.equal(v.type, 'verify', `unknown receipts vector type ${v.type}`)
    return outcome(() => {
      const r = Receipt.parse(v.receipt)
      r.verify(KeySet.fromJwks(v.jwks))
      return {
        hash: r.hash, seq: r.seq, prev: r.prev, ts: r.ts, agent: r.agent, action: r.action,
        args: r.args, cap: r.cap, permit: r.permit, decision: r.decision,
        reasons: r.reasons.map(reasonOut), kid: r.kid, json: r.toJson(),
      }
    })
  }

  RUNNERS.bundles = (v) =>
    outcome(() => {
      const r = verifyBundle(v.bundle, v.trusted, v.anchor)
      return { report: { count: r.count, first_seq: r.firstSeq, last_seq: r.lastSeq, head: headOut(r.head) } }
    })

  RUNNERS.guard = (v) => {
    const log = AuditLog.inMemory(SigningKey.fromBytes(hex(v.audit_key)))
    const guard = new Guard(
      new Verifier(v.roots.map((r) => RootKey.fromBytes(hex(r))), v.audience),
      new PermitIssuer(SigningKey.fromBytes(hex(v.permit_key)), v.issuer),
      log,
    )
    // Alternate the request forms: a Request, then JSON text.
    const request = v.id.length % 2 === 0 ? Request.fromJson(v.request) : v.request
    let out
    if (v.mode === 'protect') {
      try {
        out = { permit: guard.protect(v.token, request, v.proof, v.idempotency_key, v.now, v.permit_id).token }
      } catch (e) {
        if (!(e instanceof Denied)) throw e
        // A denial for want of approvals alone is its own subclass.
        assert.equal(e.name, e.code === 'approval_required' ? 'ApprovalRequired' : 'Denied')
        out = { error: e.code, message: e.message, reasons: e.reasons.map(reasonOut) }
      }
    } else {
      assert.equal(v.mode, 'check', `unknown guard mode ${v.mode}`)
      out = { decision: decisionOut(guard.check(v.token, request, v.proof, v.now)) }
    }
    const head = log.head()
    out.receipt = head === null ? null : head.toJson()
    return out
  }

  /**
   * A stateful sequence: calls in order on one guard whose verifier (budgets)
   * and issuer (idempotency keys) share one store opened with openStore('memory:').
   */
  RUNNERS['guard-sequences'] = (v) => {
    assert.equal(v.store, 'memory', `${v.id}: unknown guard-sequences store ${v.store}`)
    const store = charter.openStore('memory:')
    const log = AuditLog.inMemory(SigningKey.fromBytes(hex(v.audit_key)))
    const guard = new Guard(
      new Verifier(v.roots.map((r) => RootKey.fromBytes(hex(r))), v.audience, undefined, undefined, store),
      new PermitIssuer(SigningKey.fromBytes(hex(v.permit_key)), v.issuer, undefined, store),
      log,
    )
    const results = v.calls.map((c) => {
      try {
        return { permit: guard.protect(v.token, Request.fromJson(c.request), v.proof, c.idempotency_key, c.now, c.permit_id).token }
      } catch (e) {
        if (!(e instanceof CharterError)) throw e
        assert.equal(e.name, FAMILY[e.code], `error class of ${e.code}`)
        return { error: e.code, message: e.message, reasons: e instanceof Denied ? e.reasons.map(reasonOut) : [] }
      }
    })
    const head = log.head()
    return { results, receipts: log.len(), receipt: head === null ? null : head.toJson() }
  }
  /** The kinds that need a store, all under contract/vectors/stateful/. */
  const STATEFUL = new Set(['guard-sequences'])

  RUNNERS['audit-files'] = (v) => {
    assert.equal(v.type, 'open', `unknown audit-files vector type ${v.type}`)
    if (!io.withFile) {
      // No file system: opening refuses, after checking its arguments.
      const path = `/charter-vectors/${v.id}.jsonl`
      return outcome(() => AuditLog.open(path, SigningKey.fromBytes(hex(v.audit_key)), v.expect_head))
    }
    return io.withFile(v, (file) => {
      const got = outcome(() => {
        const log = AuditLog.open(file, SigningKey.fromBytes(hex(v.audit_key)), v.expect_head)
        const head = log.head()
        return { len: log.len(), head: head === null ? null : head.hash }
      })
      if (got.message) got.message = got.message.split(file).join('{path}')
      return got
    })
  }

  const NO_STORE = 'no store in WASM'
  const files = io.files()
  let expected = 0
  let ran = 0
  let storeless = 0 // stateful vectors not run, for the one reason NO_STORE
  let statefulTotal = 0
  io.test(`${name}: contract/vectors exists and is not empty`, () => {
    assert.ok(files.length > 0, 'no vector files')
    assert.ok(files.some((f) => f.startsWith('stateful/')), 'no vector files in contract/vectors/stateful/')
  })
  io.test(`${name}: a store exactly when the host says so`, () => {
    if (io.noStore === undefined) {
      assert.equal(typeof charter.openStore, 'function', `${name} has no openStore: it cannot run the stateful vectors`)
    } else {
      assert.equal(io.noStore, NO_STORE, 'the only reason not to run a stateful vector')
      assert.equal(charter.openStore, undefined, `${name} has openStore: it must run the stateful vectors`)
      assert.equal(charter.Store, undefined, `${name} has Store: it must run the stateful vectors`)
    }
  })
  for (const file of files) {
    const doc = JSON.parse(io.read(file))
    const stateful = file.startsWith('stateful/')
    expected += doc.vectors.length
    if (stateful) statefulTotal += doc.vectors.length
    io.test(`${name}: vectors/${file} (${doc.kind})`, async (t) => {
      assert.equal(doc.version, 1)
      assert.equal(`${stateful ? 'stateful/' : ''}${doc.kind}.json`, file, 'a file is named by its kind')
      assert.equal(STATEFUL.has(doc.kind), stateful, `${doc.kind}: stateful kinds live in stateful/, and only they`)
      const runner = RUNNERS[doc.kind]
      assert.ok(runner, `unknown vector kind ${doc.kind}: the ${name} runner must learn it`)
      if (stateful && io.noStore !== undefined) {
        for (const v of doc.vectors) {
          assert.equal(v.store, 'memory', `${v.id}: unknown store ${v.store}`)
          storeless++
        }
        return
      }
      for (const v of doc.vectors) {
        await t.test(v.id, () => {
          const want = doc.kind === 'audit-files' && !io.withFile ? v.without_files : v.expect
          assert.ok(want !== undefined, `${v.id}: no expected outcome for ${name}`)
          assert.deepStrictEqual(runner(v), want, v.description)
          ran++
        })
      }
    })
  }
  io.test(`${name}: every vector ran`, () => {
    assert.ok(expected > 0)
    assert.ok(statefulTotal > 0)
    if (io.noStore === undefined) {
      assert.equal(storeless, 0)
      assert.equal(ran, expected, `ran ${ran} of ${expected} vectors`)
      console.log(`# charter vectors (${name}): ${ran} of ${expected} run`)
    } else {
      // Every vector not run is a stateful one, and every stateful one is not run.
      assert.equal(storeless, statefulTotal, `${storeless} of ${statefulTotal} stateful vectors counted`)
      assert.equal(ran, expected - statefulTotal, `ran ${ran} of ${expected - statefulTotal} stateless vectors`)
      console.log(`# charter vectors (${name}): ${ran} of ${expected} run; ${storeless} stateful not run: ${io.noStore}`)
    }
  })
}

module.exports = { run }
