package dev.charter.test

import dev.charter.*
import java.util.concurrent.Executors
import java.util.concurrent.TimeUnit

// Direct.kt's structure-free check must be on in this suite (so the vectors
// and every other test run through it) and must decide exactly as the
// generated uniffi call does: the same Decision, the same exception, the same
// receipts, the same refusal of a closed object.

/** The generated uniffi call (Direct.kt bypassed): capability parsed or text, request an object or JSON. */
fun uniffiCheck(target: Any, cap: Any, request: Any, proof: String? = null, now: Long? = null): Decision {
    val input = if (cap is Capability) CapabilityInput.Parsed(cap) else CapabilityInput.Text(cap as String)
    val options = CallOptions(proof = proof, now = now)
    fun run(r: Request) = if (target is Guard) target.check(input, r, options) else (target as Verifier).check(input, r, options)
    return if (request is Request) run(request) else Request.fromJson(request as String).use { run(it) }
}

/** Charter.kt's overloads (Direct.kt first) for the same four alternatives. */
fun directCheck(target: Any, cap: Any, request: Any, proof: String? = null, now: Long? = null): Decision = when (target) {
    is Verifier -> when {
        cap is Capability && request is Request -> target.check(cap, request, proof, now)
        cap is Capability -> target.check(cap, request as String, proof, now)
        request is Request -> target.check(cap as String, request, proof, now)
        else -> target.check(cap as String, request as String, proof, now)
    }
    is Guard -> when {
        cap is Capability && request is Request -> target.check(cap, request, proof, now)
        cap is Capability -> target.check(cap, request as String, proof, now)
        request is Request -> target.check(cap as String, request, proof, now)
        else -> target.check(cap as String, request as String, proof, now)
    }
    else -> error("not a checker: $target")
}

/** What a call did: its Decision, or its exception's class, code and message. */
fun outcomeOf(body: () -> Decision): String = try {
    "decision ${body()}"
} catch (e: CharterException) {
    "${e::class.simpleName} ${e.code} ${e.errorMessage}"
} catch (e: Throwable) {
    "${e::class.qualifiedName} ${e.message}"
}

fun directTests(t: Tests) {
    val t0 = 1767225600L
    val root = RootKey.fromBytes(ByteArray(32) { 7 })
    val holderKey = SigningKey.fromBytes(ByteArray(32) { 8 })
    val issuer = Issuer(root)
    val cap = issuer.issue(agent = "a", actions = listOf("x", "y"), expiresAt = t0 + 3600, issuedAt = t0, tokenId = ByteArray(16) { 1 })
        .attenuate("args.n <= 5")
    val bound = cap.bindHolder(Holder(holderKey).kid)

    t.test("direct: the structure-free check is on in this suite") {
        assertEq(true, Direct.enabled, "Direct.enabled")
    }

    t.test("direct: every alternative decides as the generated uniffi call (allow, deny, bad text, bad JSON, expiry)") {
        val v = Verifier(listOf(root), "svc")
        val caps: List<Any> = listOf(cap, cap.serialize(), "%%%", "", cap.serialize() + "A", bound)
        val requests: List<Any> = listOf(
            Request("a", "x", """{"n":1}"""), Request("a", "x", """{"n":9}"""), Request("b", "z", "{}"),
            """{"agent":"a","action":"y","args":{"n":5}}""", """{"agent":"a","action":"x","args":{"n":1.5}}""",
            """{"agent":"a","action":"x"}""", "not json", """{"agent":"a","action":"x","args":{"n":9007199254740993}}""",
        )
        var compared = 0
        for (c in caps) for (r in requests) for (now in listOf(t0, t0 + 7200, null)) {
            val want = outcomeOf { uniffiCheck(v, c, r, now = now) }
            assertEq(want, outcomeOf { directCheck(v, c, r, now = now) }, "verifier $c $r $now")
            compared++
        }
        assertEq(6 * 8 * 3, compared)
        // Both kinds of outcome occurred: an allow, a denial with reasons, an exception.
        val allowed = directCheck(v, cap, requests[0], now = t0)
        assertEq(true, allowed.allowed)
        assertEq(emptyList<Reason>(), allowed.reasons)
        val denied = directCheck(v, cap, requests[1], now = t0)
        assertEq(false, denied.allowed)
        check(denied.reasons.isNotEmpty() && denied.reasons.all { it.caveatIndex != null }) { "caveat reasons: ${denied.reasons}" }
        assertThrows<CharterException.FormatException> { directCheck(v, cap, "not json", now = t0) }
    }

    t.test("direct: a holder proof crosses as the uniffi call takes it (required, valid, for another request)") {
        val v = Verifier(listOf(root), "svc")
        val req = Request("a", "x", """{"n":1}""")
        val proof = Holder(holderKey).prove(bound, req, "svc", now = t0, nonce = ByteArray(16) { 9 })
        val other = Request("a", "x", """{"n":2}""")
        for (c in listOf<Any>(bound, bound.serialize())) for (p in listOf(null, proof, "garbage", "")) for (r in listOf<Any>(req, other, """{"agent":"a","action":"x","args":{"n":1}}""")) {
            // A proof is accepted once per verifier (replays are refused): a fresh one for each path.
            val want = outcomeOf { uniffiCheck(Verifier(listOf(root), "svc"), c, r, p, t0) }
            val fresh = Verifier(listOf(root), "svc")
            assertEq(want, outcomeOf { directCheck(fresh, c, r, p, t0) }, "proof $p $r")
            if (want.startsWith("decision Decision(allowed=true")) {
                assertEq(listOf("replayed"), directCheck(fresh, c, r, p, t0).reasons.map { it.code }, "a replayed proof")
            }
        }
        assertEq(true, v.check(bound, req, proof, t0).allowed)
        assertEq(listOf("proof_required"), v.check(bound, req, now = t0).reasons.map { it.code })
    }

    t.test("direct: Guard.check records one receipt per check and decides as the uniffi call") {
        val log = AuditLog.inMemory(SigningKey.fromBytes(ByteArray(32) { 10 }))
        val g = Guard(Verifier(listOf(root), "svc"), PermitIssuer(SigningKey.fromBytes(ByteArray(32) { 11 }), "gw"), log)
        var n = 0uL
        for (c in listOf<Any>(cap, cap.serialize(), "%%%")) for (r in listOf<Any>(Request("a", "x", """{"n":1}"""), """{"agent":"b","action":"x","args":{}}""")) {
            assertEq(outcomeOf { uniffiCheck(g, c, r, now = t0) }, outcomeOf { directCheck(g, c, r, now = t0) }, "guard $c $r")
            n += 2u
            assertEq(n, log.len(), "receipts after $c $r")
        }
        val receipts = log.receipts(0uL, n)
        assertEq(receipts[0].decision, receipts[1].decision, "the two paths' receipts")
        assertEq(receipts[0].reasons, receipts[1].reasons, "the two paths' receipt reasons")
    }

    t.test("direct: a revocation applies to the next check") {
        val v = Verifier(listOf(root), "svc")
        val req = Request("a", "x", """{"n":1}""")
        assertEq(true, v.check(cap, req, now = t0).allowed)
        v.revoke(cap.id)
        assertEq(listOf("revoked"), v.check(cap.serialize(), req, now = t0).reasons.map { it.code })
    }

    t.test("direct: a closed Verifier, Guard, Capability or Request is refused as by the uniffi call") {
        val req = Request("a", "x", """{"n":1}""")
        val v = Verifier(listOf(root), "svc").also { it.close() }
        val e = assertThrows<IllegalStateException> { v.check(cap, req, now = t0) }
        assertEq(outcomeOf { uniffiCheck(v, cap, req, now = t0) }, "java.lang.IllegalStateException ${e.message}")
        val live = Verifier(listOf(root), "svc")
        // A closed argument is refused too, by both paths (generate.sh makes
        // the generated lowering look at the call counter).
        val closedCap = Capability.parse(cap.serialize()).also { it.close() }
        assertEq("java.lang.IllegalStateException Capability object has already been destroyed", outcomeOf { live.check(closedCap, req, now = t0) })
        assertEq(outcomeOf { uniffiCheck(live, closedCap, req, now = t0) }, outcomeOf { live.check(closedCap, req, now = t0) })
        assertEq("java.lang.IllegalStateException Capability object has already been destroyed", outcomeOf { live.check(closedCap, """{"agent":"a","action":"x","args":{}}""", now = t0) })
        val closedReq = Request("a", "x", "{}").also { it.close() }
        assertEq("java.lang.IllegalStateException Request object has already been destroyed", outcomeOf { live.check(cap, closedReq, now = t0) })
        val g = Guard(live, PermitIssuer(SigningKey.fromBytes(ByteArray(32) { 11 }), "gw"), AuditLog.inMemory(SigningKey.fromBytes(ByteArray(32) { 10 })))
        g.close()
        assertThrows<IllegalStateException> { g.check(cap, req, now = t0) }
        // A fake built with NoHandle is refused, never dereferenced.
        assertEq(outcomeOf { uniffiCheck(Verifier(NoHandle), cap, req, now = t0) }, outcomeOf { Verifier(NoHandle).check(cap, req, now = t0) })
        assertEq("dev.charter.InternalException uniffiCloneHandle() called on NoHandle object", outcomeOf { live.check(Capability(NoHandle), req, now = t0) })
        assertEq("dev.charter.InternalException uniffiCloneHandle() called on NoHandle object", outcomeOf { live.check(cap, Request(NoHandle), now = t0) })
        // The live objects were not consumed by the refused calls.
        assertEq(true, live.check(cap, req, now = t0).allowed)
    }

    t.test("direct: text the uniffi encoder refuses (a lone surrogate) fails as the uniffi call does") {
        val v = Verifier(listOf(root), "svc")
        val req = Request("a", "x", """{"n":1}""")
        val lone = "\uD800" + cap.serialize()
        assertEq(outcomeOf { uniffiCheck(v, lone, req, now = t0) }, outcomeOf { v.check(lone, req, now = t0) })
        val loneJson = """{"agent":"a\uDC00","action":"x","args":{}}"""
        assertEq(outcomeOf { uniffiCheck(v, cap, loneJson, now = t0) }, outcomeOf { v.check(cap, loneJson, now = t0) })
        assertEq(outcomeOf { uniffiCheck(v, cap, req, "\uD800", t0) }, outcomeOf { v.check(cap, req, "\uD800", t0) })
    }

    t.test("direct: checks from 8 threads while objects are closed and collected stay correct") {
        val v = Verifier(listOf(root), "svc")
        val token = cap.serialize()
        val pool = Executors.newFixedThreadPool(8)
        val bad = java.util.concurrent.atomic.AtomicInteger()
        repeat(8) { w ->
            pool.execute {
                repeat(2000) { i ->
                    // A fresh Request per call, closed or left to the GC, and a
                    // Verifier closed under other threads' calls.
                    val r = Request("a", "x", """{"n":${i % 7}}""")
                    val d = v.check(token, r, now = t0)
                    if (d.allowed != (i % 7 <= 5)) bad.incrementAndGet()
                    if (w % 2 == 0) r.close()
                    if (i % 97 == 0) System.gc()
                }
            }
        }
        pool.shutdown()
        check(pool.awaitTermination(120, TimeUnit.SECONDS)) { "threads did not finish" }
        assertEq(0, bad.get(), "wrong decisions")
        // Closing while others check: every call either decides or is refused as closed.
        val v2 = Verifier(listOf(root), "svc")
        val req = Request("a", "x", """{"n":1}""")
        val pool2 = Executors.newFixedThreadPool(4)
        val odd = java.util.concurrent.atomic.AtomicInteger()
        repeat(4) {
            pool2.execute {
                repeat(5000) {
                    try {
                        if (!v2.check(token, req, now = t0).allowed) odd.incrementAndGet()
                    } catch (e: IllegalStateException) {
                        // closed under us: refused, as the uniffi call refuses
                    }
                }
            }
        }
        Thread.sleep(5)
        v2.close()
        pool2.shutdown()
        check(pool2.awaitTermination(120, TimeUnit.SECONDS)) { "threads did not finish" }
        assertEq(0, odd.get(), "denials while closing")
        assertThrows<IllegalStateException> { v2.check(token, req, now = t0) }
    }
}
