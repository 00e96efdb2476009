package dev.charter.test

import dev.charter.*

// Hostile inputs: every one must raise a CharterException of the right family
// with the right code (or, for checks, deny) — never crash the JVM, never
// surface a Rust panic.

inline fun <reified E : CharterException> expectCode(code: String, body: () -> Unit) {
    val e = assertThrows<CharterException>(body)
    if (e !is E) throw AssertionError("expected ${E::class.simpleName}, got ${e::class.simpleName} (${e.code}: ${e.errorMessage})")
    assertEq(code, e.code, "code")
    check(e.errorMessage.isNotEmpty()) { "empty message" }
}

fun hostileTests(t: Tests) {
    val root = RootKey.fromBytes(ByteArray(32) { 7 })
    val cap = Issuer(root).issue(agent = "a", actions = listOf("x"), neverExpires = true, issuedAt = 1767225600L, tokenId = ByteArray(16))
    val req = Request("a", "x", """{"n":1}""")
    val verifier = Verifier(listOf(root), "aud")

    t.test("hostile: a closed object passed as an argument is refused, never read after it is freed") {
        val closed = "has already been destroyed"
        fun refused(what: String, body: () -> Unit) {
            val e = assertThrows<IllegalStateException>(body)
            check(e.message.orEmpty().endsWith(closed)) { "$what: ${e.message}" }
        }
        val signing = SigningKey.fromBytes(ByteArray(32) { 9 })
        val log = AuditLog.inMemory(signing)
        val permits = PermitIssuer(signing, "gw")
        val guard = Guard(verifier, permits, log)
        refused("Guard.protect(closed Capability)") {
            guard.protect(Capability.parse(cap.serialize()).also { it.close() }, req, now = 1767225600L)
        }
        refused("Guard.protect(closed Request)") {
            guard.protect(cap, Request("a", "x", "{}").also { it.close() }, now = 1767225600L)
        }
        refused("Guard(closed Verifier)") { Guard(Verifier(listOf(root), "aud").also { it.close() }, permits, log) }
        refused("Guard(closed PermitIssuer)") { Guard(verifier, PermitIssuer(signing, "gw").also { it.close() }, log) }
        refused("Guard(closed AuditLog)") { Guard(verifier, permits, AuditLog.inMemory(signing).also { it.close() }) }
        refused("Verifier(closed RootKey)") { Verifier(listOf(RootKey.generate().also { it.close() }), "aud") }
        refused("Issuer(closed RootKey)") { Issuer(RootKey.generate().also { it.close() }) }
        refused("PermitIssuer(closed SigningKey)") { PermitIssuer(SigningKey.generate().also { it.close() }, "gw") }
        refused("Holder(closed SigningKey)") { Holder(SigningKey.generate().also { it.close() }) }
        // The live objects still work after the refused calls.
        assertEq(true, verifier.check(cap, req, now = 1767225600L).allowed)
        assertEq(0UL, log.len())
    }

    t.test("hostile: wrong key lengths") {
        expectCode<CharterException.UsageException>("invalid_argument") { RootKey.fromBytes(ByteArray(16)) }
        expectCode<CharterException.UsageException>("invalid_argument") { RootKey.fromBytes(ByteArray(0)) }
        expectCode<CharterException.UsageException>("invalid_argument") { RootKey.fromBytes(ByteArray(1025)) }
        expectCode<CharterException.UsageException>("invalid_argument") { SigningKey.fromBytes(ByteArray(31)) }
        expectCode<CharterException.UsageException>("invalid_argument") { SigningKey.fromBytes(ByteArray(64)) }
        expectCode<CharterException.UsageException>("invalid_argument") { PublicKey.fromBytes(ByteArray(33)) }
        // the identity point: small order
        expectCode<CharterException.UsageException>("invalid_argument") { PublicKey.fromBytes(ByteArray(32).also { it[0] = 1 }) }
        expectCode<CharterException.UsageException>("invalid_argument") { Issuer(root).issue(tokenId = ByteArray(3)) }
    }

    t.test("hostile: bad base64 and bad tokens") {
        expectCode<CharterException.FormatException>("malformed") { Capability.parse("!!!not base64!!!") }
        expectCode<CharterException.FormatException>("malformed") { Capability.parse(cap.serialize() + "=") }
        expectCode<CharterException.FormatException>("malformed") { Capability.parse("") }
        expectCode<CharterException.UsageException>("limit_exceeded") { Capability.parse("A".repeat(10_000_000)) }
        expectCode<CharterException.UsageException>("invalid_argument") { cap.bindHolder("not a kid") }
        // A bad proof is a denial, not an exception.
        val d = verifier.check(cap, req, proof = "%%%.%%%", now = 1767225600L)
        check(!d.allowed) { "a garbage proof must not allow" }
        val big = verifier.check(cap, req, proof = "A".repeat(5_000_000), now = 1767225600L)
        check(!big.allowed && big.reasons.single().code == "limit_exceeded") { "huge proof: $big" }
    }

    t.test("hostile: JSON that is not I-JSON") {
        expectCode<CharterException.FormatException>("malformed") { canonicalizeJson("{\"amount\":9007199254740993}") }
        expectCode<CharterException.FormatException>("malformed") { Request("a", "x", "{\"amount\":9007199254740993}") }
        expectCode<CharterException.FormatException>("malformed") { Request.fromJson("{\"agent\":\"a\",\"action\":\"x\",\"args\":{\"n\":1e400}}") }
        expectCode<CharterException.FormatException>("malformed") { canonicalizeJson("{\"a\":1,\"a\":2}") }
        expectCode<CharterException.FormatException>("malformed") { hashJson("not json") }
        expectCode<CharterException.FormatException>("malformed") { PublicKey.fromJwk("{") }
        expectCode<CharterException.FormatException>("malformed") { KeySet.fromJwks("[]") }
    }

    t.test("hostile: wrong JSON types") {
        expectCode<CharterException.UsageException>("invalid_argument") { Request("a", "x", "[1,2]") }
        expectCode<CharterException.UsageException>("invalid_argument") { Request("a", "x", "\"text\"") }
        expectCode<CharterException.UsageException>("invalid_argument") { Request("a", "", "{}") }
        expectCode<CharterException.FormatException>("malformed") { Request.fromJson("[]") }
        expectCode<CharterException.FormatException>("malformed") { Request.fromJson("{\"agent\":1,\"action\":\"x\"}") }
        expectCode<CharterException.FormatException>("malformed") { PublicKey.fromJwk("[\"kty\"]") }
    }

    t.test("hostile: 100,000-deep JSON") {
        val deep = "[".repeat(100_000) + "]".repeat(100_000)
        expectCode<CharterException.UsageException>("limit_exceeded") { canonicalizeJson(deep) }
        expectCode<CharterException.UsageException>("limit_exceeded") { hashJson(deep) }
        expectCode<CharterException.UsageException>("limit_exceeded") { Request("a", "x", "{\"d\":$deep}") }
        val deepObj = "{\"a\":".repeat(100_000) + "1" + "}".repeat(100_000)
        expectCode<CharterException.UsageException>("limit_exceeded") { Request.fromJson("{\"agent\":\"a\",\"action\":\"x\",\"args\":$deepObj}") }
    }

    t.test("hostile: huge strings") {
        val huge = "x".repeat(4_000_000)
        expectCode<CharterException.UsageException>("limit_exceeded") { Request.fromJson(huge) }
        expectCode<CharterException.UsageException>("limit_exceeded") { Request("a", "x", "{\"s\":\"$huge\"}") }
        expectCode<CharterException.UsageException>("limit_exceeded") { cap.attenuate("agent == \"$huge\"") }
        expectCode<CharterException.UsageException>("limit_exceeded") { KeySet.fromJwks(huge) }
    }

    t.test("hostile: caveats outside the language") {
        // The caller's typo: a UsageException, not an authorization failure.
        expectCode<CharterException.UsageException>("invalid_caveat") { cap.attenuate("args.amount <=") }
        expectCode<CharterException.UsageException>("invalid_caveat") { cap.attenuate("\u0000") }
    }

    t.test("hostile: an expiry is required, in the future, in seconds") {
        val t0 = 1767225600L
        expectCode<CharterException.UsageException>("invalid_argument") { Issuer(root).issue() }
        expectCode<CharterException.UsageException>("invalid_argument") { Issuer(root).issue(agent = "a") }
        expectCode<CharterException.UsageException>("invalid_argument") { Issuer(root).issue(expiresAt = t0 + 60, neverExpires = true, issuedAt = t0) }
        expectCode<CharterException.UsageException>("invalid_argument") { Issuer(root).issue(expiresAt = t0 - 1, issuedAt = t0) }
        try {
            Issuer(root).issue(expiresAt = t0 * 1000 + 3_600_000, issuedAt = t0)
            throw AssertionError("an expiry in milliseconds was accepted")
        } catch (e: CharterException.UsageException) {
            check(e.errorMessage.contains("not milliseconds")) { e.errorMessage }
        }
        check(Issuer(root).issue(agent = "a", neverExpires = true).caveats == listOf("agent == \"a\""))
    }

    t.test("hostile: a missing holder proof has its own code; a token with a newline says strip it") {
        val bound = cap.bindHolder(Holder(SigningKey.generate()).kid)
        val d = verifier.check(bound, req, null, 1767225600L)
        check(d.reasons.map { it.code } == listOf("proof_required")) { d.reasons.toString() }
        try {
            Capability.parse(cap.serialize() + "\n")
            throw AssertionError("a token with a newline parsed")
        } catch (e: CharterException.FormatException) {
            check(e.code == "malformed" && e.errorMessage.contains("strip it")) { e.errorMessage }
        }
    }

    t.test("hostile: unusable configuration") {
        expectCode<CharterException.UsageException>("invalid_argument") { Verifier(emptyList(), "aud") }
        expectCode<CharterException.UsageException>("invalid_argument") { Verifier(listOf(root), "aud", proofWindow = -1) }
        expectCode<CharterException.UsageException>("invalid_argument") { Verifier(listOf(root), "aud", leeway = 601) }
        expectCode<CharterException.UsageException>("invalid_argument") {
            Holder(SigningKey.fromBytes(ByteArray(32))).prove(cap, req, "aud", nonce = ByteArray(8))
        }
        expectCode<CharterException.CryptoException>("unknown_key") { KeySet.fromKeys(emptyList()).get("nope") }
    }

    t.test("hostile: strings that are not valid Unicode") {
        // A lone surrogate cannot be UTF-8: the binding must refuse or
        // replace it, never crash.
        // uniffi's string lowering refuses it with a CharacterCodingException
        // before any Rust code runs.
        try {
            canonicalizeJson("\"\uD800\"")
            throw AssertionError("a lone surrogate was accepted")
        } catch (e: CharterException) {
            assertEq("malformed", e.code)
        } catch (e: java.nio.charset.CharacterCodingException) {
            // refused on the Kotlin side
        }
    }

    t.test("hostile: a denial is data, with the caveat named") {
        val d = verifier.check(cap, Request("b", "x", "{}"), now = 1767225600L)
        check(!d.allowed) { "agent b must be denied" }
        assertEq("caveat_failed", d.reasons.single().code)
        assertEq(0u, d.reasons.single().caveatIndex)
    }

    t.test("hostile: permits") {
        val sk = SigningKey.fromBytes(ByteArray(32) { 9 })
        val issuer = PermitIssuer(sk, "gw")
        val keys = KeySet.fromKeys(listOf(sk.publicKey()))
        expectCode<CharterException.UsageException>("invalid_argument") { PermitIssuer(sk, "gw", ttl = -1) }
        expectCode<CharterException.UsageException>("invalid_argument") { PermitVerifier(keys, "tool", leeway = 100_000) }
        expectCode<CharterException.FormatException>("malformed") { issuer.issue("a", "tool", "x", "{\"n\":9007199254740993}", "cap") }
        val pv = PermitVerifier(keys, "tool")
        expectCode<CharterException.FormatException>("malformed") { pv.verify("not.a.jwt", "x", "{}") }
        expectCode<CharterException.FormatException>("malformed") { pv.verify("", "x", "{}") }
        expectCode<CharterException.UsageException>("limit_exceeded") { pv.verify("A".repeat(5_000_000), "x", "{}") }
        expectCode<CharterException.FormatException>("malformed") { Permit.parse("%%%") }
        val p = issuer.issue("a", "tool", "x", "{\"n\":1}", "cap", now = 1767225600L)
        expectCode<CharterException.AuthorizationException>("args_mismatch") { pv.verify(p.token, "x", "{\"n\":2}", now = 1767225600L) }
        assertEq("cap", pv.verify(p.token, "x", "{\"n\":1}", now = 1767225600L).cap)
        expectCode<CharterException.AuthorizationException>("replayed") { pv.verify(p.token, "x", "{\"n\":1}", now = 1767225600L) }
    }

    t.test("hostile: receipts, logs and bundles") {
        expectCode<CharterException.FormatException>("malformed") { Receipt.parse("{}") }
        expectCode<CharterException.FormatException>("malformed") { Receipt.parse("not json") }
        expectCode<CharterException.UsageException>("limit_exceeded") { Receipt.parse("[".repeat(100_000)) }
        val keys = KeySet.fromJwks("{\"keys\":[]}")
        expectCode<CharterException.FormatException>("malformed") { verifyBundle("{}", keys) }
        expectCode<CharterException.UsageException>("limit_exceeded") { verifyBundle("[".repeat(100_000), keys) }
        val log = AuditLog.inMemory(SigningKey.fromBytes(ByteArray(32) { 5 }))
        expectCode<CharterException.UsageException>("invalid_argument") { log.receipts(1uL, 0uL) }
        expectCode<CharterException.UsageException>("invalid_argument") { log.receipts(0uL, ULong.MAX_VALUE) }
        expectCode<CharterException.UsageException>("invalid_argument") { log.exportBundle(start = 3uL) }
        expectCode<CharterException.EnvironmentException>("io") { AuditLog.open("/nonexistent-charter-dir/x/log.jsonl", SigningKey.fromBytes(ByteArray(32))) }
        expectCode<CharterException.EnvironmentException>("io") { AuditLog.open("bad\u0000path", SigningKey.fromBytes(ByteArray(32))) }
    }

    t.test("file log: an expected head catches a log cut behind it") {
        val dir = java.nio.file.Files.createTempDirectory("charter-expect-head")
        try {
            val path = dir.resolve("audit.jsonl")
            val key = SigningKey.fromBytes(ByteArray(32) { 5 })
            val log = AuditLog.open(path.toString(), key)
            val guard = Guard(verifier, PermitIssuer(SigningKey.fromBytes(ByteArray(32) { 6 }), "gw"), log)
            repeat(5) { guard.check(cap.serialize(), req, now = 1767225600L) }
            val kept = log.head()!!.toJson()
            assertEq(5uL, AuditLog.open(path.toString(), key, kept).len())
            val lines = java.nio.file.Files.readAllLines(path)
            java.nio.file.Files.write(path, lines.take(3).map { it + "\n" }.joinToString("").toByteArray())
            assertEq(3uL, AuditLog.open(path.toString(), key).len())
            val e = assertThrows<CharterException.AuditException> { AuditLog.open(path.toString(), key, kept) }
            assertEq("chain_broken", e.code)
            check(e.errorMessage.contains("2 receipts are missing")) { e.errorMessage }
            expectCode<CharterException.FormatException>("malformed") { AuditLog.open(path.toString(), key, "{}") }
        } finally {
            dir.toFile().deleteRecursively()
        }
    }

    t.test("hostile: the guard records garbage as denials") {
        val log = AuditLog.inMemory(SigningKey.fromBytes(ByteArray(32) { 5 }))
        val guard = Guard(verifier, PermitIssuer(SigningKey.fromBytes(ByteArray(32) { 6 }), "gw"), log)
        val e = assertThrows<CharterException.Denied> { guard.protect("%%%", req, now = 1767225600L) }
        assertEq("denied", e.code)
        assertEq("malformed", e.reasons.single().code)
        val big = guard.check(cap.serialize(), req, proof = "A".repeat(5_000_000), now = 1767225600L)
        check(!big.allowed) { "huge proof: $big" }
        assertEq(2uL, log.len())
        assertEq("deny", log.head()!!.decision)
        // Revoking through the verifier reaches the guard that shares it.
        assertEq(true, guard.check(cap.serialize(), req, now = 1767225600L).allowed)
        verifier.revoke(cap.id)
        assertEq("revoked", guard.check(cap.serialize(), req, now = 1767225600L).reasons.single().code)
    }

    t.test("hostile: revoke refuses what is not a capability id; a token id revokes its family") {
        val fresh = Verifier(listOf(root), "aud")
        for (bad in listOf("", cap.id + "=", cap.id + "==", " " + cap.id, cap.id.drop(1), cap.id + "AA", "not a capability id")) {
            expectCode<CharterException.UsageException>("invalid_argument") { fresh.revoke(bad) }
        }
        assertEq(true, fresh.check(cap, req, now = 1767225600L).allowed)
        fresh.revoke(cap.tokenId)
        assertEq("revoked", fresh.check(cap.attenuate("true"), req, now = 1767225600L).reasons.single().code)
    }
}
