package dev.charter.test

import dev.charter.*
import java.io.File
import java.nio.file.Files
import java.util.UUID
import java.util.concurrent.Callable
import java.util.concurrent.Executors

// Shared stores: state that holds across verifiers and threads, against a
// SQLite file and, when CHARTER_PG_URL names a server (scripts/test.sh
// uniffi starts a throwaway one with scripts/postgres.sh), PostgreSQL.
// Store calls run on a background pool here, as the README tells callers to.

fun storeTests(t: Tests) {
    val backends = mutableListOf("sqlite" to { "sqlite://" + File(Files.createTempDirectory("charter-kt").toFile(), "charter.db").path })
    val pg = System.getenv("CHARTER_PG_URL")
    if (pg != null) backends.add("postgres" to { pg })
    else if (System.getenv("CHARTER_REQUIRE_POSTGRES") == "1") t.test("stores: PostgreSQL is required") { error("CHARTER_REQUIRE_POSTGRES=1 but CHARTER_PG_URL is not set") }
    val now = System.currentTimeMillis() / 1000
    val root = RootKey.fromBytes(ByteArray(32) { 0x31 })
    val permitKey = SigningKey.fromBytes(ByteArray(32) { 0x32 })
    val auditKey = SigningKey.fromBytes(ByteArray(32) { 0x33 })
    val otherKey = SigningKey.fromBytes(ByteArray(32) { 0x34 })
    val request = Request("agent-1", "refund", """{"amount":5}""")
    fun unique(label: String) = "$label-${UUID.randomUUID()}"
    fun cap(vararg caveats: String) = Issuer(root).issue(actions = listOf("refund"), expiresAt = now + 3600, caveats = caveats.toList())
    val pool = Executors.newFixedThreadPool(4)

    t.test("stores: openStore URLs, paths and errors") {
        val file = File(Files.createTempDirectory("charter-kt").toFile(), "plain.db")
        assertEq("sqlite://${file.path}", openStore(file.path).url, "url")
        check(file.exists()) { "no file" }
        expectCode<CharterException.UsageException>("invalid_argument") { openStore("redis://h/0") }
        expectCode<CharterException.EnvironmentException>("store_unavailable") {
            openStore("postgres://charter@127.0.0.1:1/charter?connect_timeout=2")
        }
    }

    for ((backend, url) in backends) {
        t.test("stores $backend: a permit is accepted once across verifiers") {
            val u = url()
            val keys = KeySet.fromKeys(listOf(permitKey.publicKey()))
            val verifiers = listOf(PermitVerifier(keys, "tool", store = openStore(u)), PermitVerifier(keys, "tool", store = openStore(u)))
            val token = PermitIssuer(permitKey, "gw").issue("agent-1", "tool", "refund", "{}", "cap", jti = unique("jti")).token
            val results = (0 until 8).map { i ->
                pool.submit(Callable { try { verifiers[i % 2].verify(token, "refund", "{}"); "accepted" } catch (e: CharterException) { e.code } })
            }.map { it.get() }
            assertEq(listOf("accepted") + List(7) { "replayed" }, results.sorted(), "results")
        }
        t.test("stores $backend: a revocation through one is seen by every verifier") {
            val u = url()
            val store = openStore(u)
            val a = Verifier(listOf(root), "svc", store = openStore(u))
            val b = Verifier(listOf(root), "svc", store = store)
            val (c1, c2) = cap() to cap()
            check(b.check(c1, request).allowed)
            pool.submit(Callable { a.revoke(c1.id) }).get()
            assertEq("revoked", b.check(c1, request).reasons.single().code, "through a verifier")
            store.revoke(c2.id)
            assertEq("revoked", a.check(c2, request).reasons.single().code, "through the store")
            check(store.revoked().containsAll(listOf(c1.id, c2.id)))
        }
        t.test("stores $backend: an audit log shared by two writers exports a bundle that verifies") {
            val u = url()
            val name = unique("log")
            val guards = listOf(auditKey, otherKey).map { k ->
                Guard(Verifier(listOf(root), "svc"), PermitIssuer(permitKey, "gw"), AuditLog.inStore(openStore(u), name, k))
            }
            val c = cap()
            (0 until 20).map { i -> pool.submit(Callable { guards[i % 2].check(c, Request("agent-1", "refund", """{"i":$i}""")) }) }.forEach { check(it.get().allowed) }
            val reader = AuditLog.inStore(openStore(u), name, auditKey)
            assertEq(20UL, reader.len(), "len")
            val report = verifyBundle(reader.exportBundle(), KeySet.fromKeys(listOf(auditKey.publicKey(), otherKey.publicKey())))
            assertEq(20L, report.count.toLong(), "count")
        }
        t.test("stores $backend: idempotency and budgets live in the store") {
            val u = url()
            val c = cap()
            val guards = (0 until 2).map { Guard(Verifier(listOf(root), "svc"), PermitIssuer(permitKey, "gw"), AuditLog.inMemory(auditKey), store = openStore(u)) }
            val key = unique("idem")
            assertEq(guards[0].protect(c, request, idempotencyKey = key).token, guards[1].protect(c, request, idempotencyKey = key).token, "same permit")
            expectCode<CharterException.UsageException>("idempotency_conflict") { guards[1].protect(c, Request("agent-1", "refund", """{"amount":6}"""), idempotencyKey = key) }
            val budgeted = cap("budget(\"${unique("refunds")}\", 3, 86400)")
            val verifiers = (0 until 2).map { Verifier(listOf(root), "svc", store = openStore(u)) }
            val decisions = (0 until 6).map { i -> pool.submit(Callable { verifiers[i % 2].check(budgeted, request) }) }.map { it.get() }
            assertEq(3, decisions.count { it.allowed }, "allowed")
            assertEq(List(3) { "budget_exhausted" }, decisions.filter { !it.allowed }.map { it.reasons.single().code }, "denied")
        }
    }

    // TLS (rustls, no OpenSSL in the library): CHARTER_PG_TLS_URL is a role the
    // server admits over TLS only, CHARTER_PG_TLS_CA the CA that signed its
    // certificate for 127.0.0.1, CHARTER_PG_TLS_OTHER_CA a CA of the same name
    // that did not (scripts/postgres.sh).
    val tlsNames = listOf("CHARTER_PG_TLS_URL", "CHARTER_PG_TLS_CA", "CHARTER_PG_TLS_OTHER_CA")
    val tls = tlsNames.map { System.getenv(it).orEmpty() }
    if (tls.any { it.isEmpty() }) {
        if (System.getenv("CHARTER_REQUIRE_POSTGRES") == "1") t.test("stores: PostgreSQL over TLS is required") { error("CHARTER_REQUIRE_POSTGRES=1 but ${tlsNames.joinToString()} are not set") }
    } else {
        val (tlsUrl, ca, otherCa) = tls
        fun withCa(mode: String, file: String) = "$tlsUrl?connect_timeout=5&sslmode=$mode&sslrootcert=" + file.replace("%", "%25").replace(" ", "%20").replace("&", "%26")
        t.test("stores postgres TLS: verify-full against the server's CA shares revocations") {
            val verified = withCa("verify-full", ca)
            val store = pool.submit(Callable { openStore(verified) }).get()
            val a = Verifier(listOf(root), "svc", store = openStore(verified))
            val b = Verifier(listOf(root), "svc", store = store)
            val c = cap()
            check(b.check(c, request).allowed)
            pool.submit(Callable { a.revoke(c.id) }).get()
            assertEq("revoked", b.check(c, request).reasons.single().code, "through a verifier")
            check(store.revoked().contains(c.id))
            val byChain = Verifier(listOf(root), "svc", store = openStore(withCa("verify-ca", ca)))
            assertEq("revoked", byChain.check(c, request).reasons.single().code, "verify-ca")
            // The role is admitted over TLS only: the stores above spoke TLS.
            val e = assertThrows<CharterException>() { openStore("$tlsUrl?connect_timeout=5&sslmode=disable") }
            check(e.errorMessage.contains("no encryption")) { e.errorMessage }
        }
        t.test("stores postgres TLS: verify-full with a wrong CA is store_unavailable") {
            val e = assertThrows<CharterException.EnvironmentException>() { openStore(withCa("verify-full", otherCa)) }
            assertEq("store_unavailable", e.code, "code")
            check(e.errorMessage.contains("certificate")) { e.errorMessage }
            val notPem = File(Files.createTempDirectory("charter-kt").toFile(), "ca.der")
            notPem.writeBytes(byteArrayOf(0x30, 0x82.toByte(), 0x01, 0x02))
            expectCode<CharterException.UsageException>("invalid_argument") { openStore(withCa("verify-full", notPem.path)) }
        }
    }
    pool.shutdown()
}
