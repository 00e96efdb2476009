package dev.charter.test

import dev.charter.*

/** Human approvals from Kotlin: SigningKey.approve, the request's "approvals", and CharterException.ApprovalRequired. */
fun approvalTests(t: Tests) {
    val t0 = 1767225600L
    val root = RootKey.fromBytes(ByteArray(32) { 11 })
    val alice = SigningKey.fromBytes(ByteArray(32) { 12 })
    val bob = SigningKey.fromBytes(ByteArray(32) { 13 })
    val caveat = """approval(2, ["${alice.kid}", "${bob.kid}"], args.amount > 1000)"""
    val cap = Issuer(root).issue(agent = "shopper", actions = listOf("refund"), expiresAt = t0 + 3600, issuedAt = t0, caveats = listOf(caveat))
    val args = """{"amount":5000}"""
    fun request(vararg approvals: String) =
        """{"agent":"shopper","action":"refund","args":$args,"approvals":[${approvals.joinToString(",") { "\"$it\"" }}]}"""

    t.test("approvals: enough approvals allow, and the receipt names the approvers") {
        val log = AuditLog.inMemory(SigningKey.fromBytes(ByteArray(32) { 14 }))
        val g = Guard(Verifier(listOf(root), "shop"), PermitIssuer(SigningKey.fromBytes(ByteArray(32) { 15 }), "gw"), log)
        val a = alice.approve(cap, "refund", args, "shop", 300, t0)
        val b = bob.approve(cap.serialize(), "refund", args, "shop", 300, t0)
        check(Verifier(listOf(root), "shop").check(cap, request(a, b), now = t0 + 1).allowed) { "two approvals allow" }
        g.protect(cap, request(a, b), now = t0 + 1)
        val head = log.head()!!.toJson()
        check(head.contains("\"approvers\":[")) { head }
        check(head.contains(alice.kid) && head.contains(bob.kid)) { head }
        assertEq(listOf(alice.kid, bob.kid).sorted(), log.head()!!.approvers, "the receipt's approvers")
        assertThrows<CharterException.ApprovalRequired> { g.protect(cap, request(a), now = t0 + 1) }
        assertEq(emptyList<String>(), log.head()!!.approvers, "a denial names no approvers")
    }

    t.test("approvals: too few is ApprovalRequired with the need") {
        val g = Guard(Verifier(listOf(root), "shop"), PermitIssuer(SigningKey.fromBytes(ByteArray(32) { 15 }), "gw"),
            AuditLog.inMemory(SigningKey.fromBytes(ByteArray(32) { 14 })))
        val a = alice.approve(cap, "refund", args, "shop", 300, t0)
        val e = assertThrows<CharterException.ApprovalRequired> { g.protect(cap, request(a, a), now = t0 + 1) }
        assertEq("approval_required", e.code, "code")
        assertEq("Denied", e.family, "family")
        val need = e.reasons.single().approval!!
        assertEq(2u, need.required, "required")
        assertEq(1u, need.valid, "valid")
        assertEq(listOf(alice.kid, bob.kid), need.approvers, "approvers")
        assertEq(cap.id, need.capability, "capability")
        assertEq(hashJson(args), need.argsHash, "args hash")
        val d = Verifier(listOf(root), "shop").check(cap, request(a), now = t0 + 1)
        assertEq("approval_required", d.reasons.single().code, "decision")
        expectCode<CharterException.UsageException>("invalid_argument") { alice.approve(cap, "refund", args, "shop", 0, t0) }
    }
}
