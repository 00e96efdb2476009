package dev.charter.test

import dev.charter.*

// A 4-caveat check from Kotlin, the token as text (parse + chain + 4
// caveats) and parsed, median of batches, through Charter.kt's overloads
// (Direct.kt's one structure-free call) and through the generated uniffi call;
// and the cost of one bare uniffi call.
// Run: scripts/test-uniffi.sh --bench

fun medianNanos(batches: Int, perBatch: Int, body: () -> Unit): Double {
    val warm = System.nanoTime() + 3_000_000_000L // warm-up: 3 s, so the JIT has compiled the call path
    while (System.nanoTime() < warm) body()
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
    check(Direct.enabled) { "the direct check path is off: the bench would measure the uniffi call twice" }

    val text = medianNanos(200, 200) { verifier.check(token, req, now = t0 + 60) }
    val parsed = medianNanos(200, 200) { verifier.check(cap, req, now = t0 + 60) }
    val newRequest = medianNanos(200, 200) {
        Request("shopper-7", "payments.refund", """{"amount":4200,"currency":"USD"}""").use { verifier.check(token, it, now = t0 + 60) }
    }
    val reqJson = """{"agent":"shopper-7","action":"payments.refund","args":{"amount":4200,"currency":"USD"}}"""
    val jsonRequest = medianNanos(200, 200) { verifier.check(token, reqJson, now = t0 + 60) }
    // The same checks through the generated uniffi call (Direct.kt bypassed), in the same run.
    val options = CallOptions(now = t0 + 60)
    val textUniffi = medianNanos(200, 200) { verifier.check(CapabilityInput.Text(token), req, options) }
    val parsedUniffi = medianNanos(200, 200) { verifier.check(CapabilityInput.Parsed(cap), req, options) }
    val crossing = medianNanos(200, 200) { verifier.audience }
    val log = AuditLog.inMemory(SigningKey.fromBytes(ByteArray(32) { 2 }))
    val bare = medianNanos(200, 200) { log.len() }
    println("kotlin 4-caveat check, token text (median): %.2f us".format(text / 1000))
    println("kotlin 4-caveat check, parsed capability (median): %.2f us".format(parsed / 1000))
    println("kotlin 4-caveat check, token text, generated uniffi call (median): %.2f us".format(textUniffi / 1000))
    println("kotlin 4-caveat check, parsed capability, generated uniffi call (median): %.2f us".format(parsedUniffi / 1000))
    println("kotlin 4-caveat check, token text + new Request (median): %.2f us".format(newRequest / 1000))
    println("kotlin 4-caveat check, token text + request JSON text (median): %.2f us".format(jsonRequest / 1000))
    println("kotlin one call returning a string (verifier.audience, median): %.2f us".format(crossing / 1000))
    println("kotlin one call returning an integer (log.len(), median): %.2f us".format(bare / 1000))
}
