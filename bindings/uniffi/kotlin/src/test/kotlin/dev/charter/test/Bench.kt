package dev.charter.test

import dev.charter.*

// A 4-caveat check from Kotlin (parse + chain + 4 caveats), median of batches.
// Run: scripts/test-uniffi.sh --bench

fun medianNanos(batches: Int, perBatch: Int, body: () -> Unit): Double {
    repeat(perBatch * 20) { body() } // warm-up (JIT)
    val samples = DoubleArray(batches)
    for (b in 0 until batches) {
        val t0 = System.nanoTime()
        repeat(perBatch) { body() }
        samples[b] = (System.nanoTime() - t0).toDouble() / perBatch
    }
    samples.sort()
    return samples[batches / 2]
}

fun bench() {
    val t0 = 1767225600L
    val root = RootKey.fromBytes(ByteArray(32) { 1 })
    val cap = Issuer(root).issue(
        agent = "shopper-7",
        actions = listOf("payments.refund", "orders.read"),
        audience = "tools.shop.example",
        expiresAt = t0 + 3600,
        issuedAt = t0,
    )
    check(cap.caveats.size == 4)
    val token = cap.serialize()
    val req = Request("shopper-7", "payments.refund", """{"amount":4200,"currency":"USD"}""")
    val verifier = Verifier(listOf(root), "tools.shop.example")
    check(verifier.check(cap, req, now = t0 + 60).allowed)

    val parseAndCheck = medianNanos(200, 200) {
        verifier.check(Capability.parse(token), req, now = t0 + 60)
    }
    val checkOnly = medianNanos(200, 200) { verifier.check(cap, req, now = t0 + 60) }
    val requestAndCheck = medianNanos(200, 200) {
        verifier.check(Capability.parse(token), Request("shopper-7", "payments.refund", """{"amount":4200,"currency":"USD"}"""), now = t0 + 60)
    }
    println("kotlin 4-caveat check, parse + check (median): %.2f us".format(parseAndCheck / 1000))
    println("kotlin 4-caveat check, pre-parsed capability (median): %.2f us".format(checkOnly / 1000))
    println("kotlin 4-caveat check, parse + new Request + check (median): %.2f us".format(requestAndCheck / 1000))
}
