package dev.charter.test

import dev.charter.*
import java.io.File

// Runs every vector of contract/vectors/ through the Kotlin API and compares
// the output with `expect`, byte for byte (codes and messages included).
// A kind or type this runner does not know is a failure, never a skip. The
// stateful vectors (contract/vectors/stateful/) run too, each sequence on one
// store opened with openStore("memory:").

/** code -> family, from contract/errors.json (loaded by runAllVectors). */
var errorFamilies: Map<String, String> = emptyMap()

/** Also checks that the exception's class is the family errors.json gives its code. */
fun familyChecked(e: CharterException): CharterException {
    check(errorFamilies[e.code] == e.family) { "${e.code} raised as ${e.family}; errors.json says ${errorFamilies[e.code]}" }
    return e
}

fun errorTree(e: CharterException): Any = jv(mapOf("error" to familyChecked(e).code, "message" to e.errorMessage))

/** Runs `f`; a CharterException becomes `{error, message}` as vectors write it. */
fun outcome(f: () -> Any?): Any = try {
    jv(f())
} catch (e: CharterException) {
    errorTree(e)
}

fun decisionTree(d: Decision): Any = jv(mapOf("allowed" to d.allowed, "reasons" to reasonsTree(d.reasons)))

fun capabilityTree(c: Capability, withToken: Boolean = true): Map<String, Any?> {
    val m = linkedMapOf<String, Any?>(
        "id" to c.id, "token_id" to c.tokenId, "root_kid" to c.rootKid,
        "issued_at" to c.issuedAt, "caveats" to c.caveats,
    )
    if (withToken) m["token"] = c.serialize()
    return m
}

fun reasonsTree(rs: List<Reason>): List<Map<String, Any?>> =
    rs.map { r ->
        val m = linkedMapOf<String, Any?>("code" to r.code, "caveat_index" to r.caveatIndex, "message" to r.message)
        r.approval?.let { a ->
            m["approval"] = mapOf(
                "required" to a.required, "approvers" to a.approvers, "valid" to a.valid,
                "capability" to a.capability, "action" to a.action, "args_hash" to a.argsHash,
                "audience" to a.audience,
            )
        }
        m
    }

fun claimsTree(c: PermitClaims): Map<String, Any?> {
    val m = linkedMapOf<String, Any?>(
        "iss" to c.iss, "sub" to c.sub, "aud" to c.aud, "act" to c.act, "args" to c.args,
        "cap" to c.cap, "iat" to c.iat, "exp" to c.exp, "jti" to c.jti,
    )
    c.idem?.let { m["idem"] = it }
    return m
}

fun reportTree(r: BundleReport): Map<String, Any?> {
    val h = r.head
    return mapOf(
        "count" to r.count, "first_seq" to r.firstSeq, "last_seq" to r.lastSeq,
        "head" to mapOf(
            "anchor" to h.anchor, "count" to h.count, "first_seq" to h.firstSeq, "kid" to h.kid,
            "last_hash" to h.lastHash, "last_seq" to h.lastSeq, "sig" to h.sig, "ts" to h.ts, "v" to h.v,
        ),
    )
}

class UnknownVector(msg: String) : Exception(msg)

fun runVector(kind: String, v: Map<String, Any>): Any = when (kind) {
    "jcs" -> outcome { mapOf("output" to canonicalizeJson(v["input"].str())) }
    "keys" -> when (val t = v["type"].str()) {
        "signing_key" -> outcome {
            val sk = SigningKey.fromBytes(hex(v["seed"].str()))
            mapOf(
                "kid" to sk.kid,
                "public" to sk.publicKey().toBytes().joinToString("") { "%02x".format(it) },
                "jwk" to sk.publicKey().toJwk(),
            )
        }
        "public_key" -> outcome {
            val pk = PublicKey.fromBytes(hex(v["public"].str()))
            mapOf("kid" to pk.kid, "jwk" to pk.toJwk())
        }
        "root_key" -> outcome { mapOf("kid" to RootKey.fromBytes(hex(v["secret"].str())).kid) }
        "jwks" -> outcome {
            val ks = KeySet.fromJwks(v["jwks"].str())
            mapOf("kids" to ks.kids(), "jwks" to ks.toJwks())
        }
        else -> throw UnknownVector("keys type $t")
    }
    "capabilities" -> when (val t = v["type"].str()) {
        "mint" -> outcome {
            val o = v["options"].obj()
            var cap = Issuer(RootKey.fromBytes(hex(v["root"].str()))).issue(
                agent = o["agent"].strOrNull(),
                actions = if (o["actions"].isNull()) null else o["actions"].arr().map { it.str() },
                audience = o["audience"].strOrNull(),
                notBefore = o["not_before"].longOrNull(),
                expiresAt = o["expires_at"].longOrNull(),
                neverExpires = o["never_expires"].bool(),
                caveats = if (o["caveats"].isNull()) null else o["caveats"].arr().map { it.str() },
                tokenId = o["token_id"].strOrNull()?.let { hex(it) },
                issuedAt = o["issued_at"].longOrNull(),
            )
            for (c in v["attenuate"].arr()) cap = cap.attenuate(c.str())
            v["holder"].strOrNull()?.let { cap = cap.bindHolder(it) }
            capabilityTree(cap)
        }
        "parse" -> outcome { capabilityTree(Capability.parse(v["token"].str())) }
        else -> throw UnknownVector("capabilities type $t")
    }
    "caveats", "checks" -> {
        val verifier = Verifier(v["roots"].arr().map { RootKey.fromBytes(hex(it.str())) }, v["audience"].str())
        for (id in v["revoked"].arr()) verifier.revoke(id.str())
        try {
            val request = Request.fromJson(v["request"].str())
            // The token as text: one that does not parse is a denial with
            // the parse error as its one reason (the core's CapabilityRef::Text).
            val check = { verifier.check(v["token"].str(), request, proof = v["proof"].strOrNull(), now = v["now"].long()) }
            if (v["repeat"] == true) {
                val first = check()
                if (!first.allowed) error("${v["id"]}: the first presentation must be allowed")
            }
            decisionTree(check())
        } catch (e: CharterException) {
            errorTree(e)
        }
    }
    "proofs" -> when (val t = v["type"].str()) {
        "prove" -> outcome {
            val h = Holder(SigningKey.fromBytes(hex(v["holder"].str())))
            val proof = h.prove(
                Capability.parse(v["token"].str()), Request.fromJson(v["request"].str()),
                v["audience"].str(), now = v["now"].long(), nonce = hex(v["nonce"].str()),
            )
            mapOf("proof" to proof, "holder_kid" to h.kid)
        }
        else -> throw UnknownVector("proofs type $t")
    }
    "permits" -> when (val t = v["type"].str()) {
        "issue" -> outcome {
            val issuer = PermitIssuer(SigningKey.fromBytes(hex(v["signing_key"].str())), v["issuer"].str(), v["ttl"].longOrNull())
            val p = issuer.issue(
                v["subject"].str(), v["audience"].str(), v["action"].str(), v["args"].str(), v["capability_id"].str(),
                now = v["now"].long(), jti = v["jti"].strOrNull(), idempotencyKey = v["idempotency_key"].strOrNull(),
            )
            mapOf("token" to p.token, "kid" to p.kid, "claims" to claimsTree(p.claims))
        }
        "verify" -> outcome {
            val verifier = PermitVerifier(KeySet.fromJwks(v["jwks"].str()), v["audience"].str(), v["leeway"].longOrNull())
            var claims = verifier.verify(v["token"].str(), v["action"].str(), v["args"].str(), now = v["now"].long())
            if (v["repeat"] == true) claims = verifier.verify(v["token"].str(), v["action"].str(), v["args"].str(), now = v["now"].long())
            mapOf("claims" to claimsTree(claims))
        }
        else -> throw UnknownVector("permits type $t")
    }
    "receipts" -> when (val t = v["type"].str()) {
        "verify" -> outcome {
            val r = Receipt.parse(v["receipt"].str())
            r.verify(KeySet.fromJwks(v["jwks"].str()))
            mapOf(
                "hash" to r.hash, "seq" to r.seq, "prev" to r.prev, "ts" to r.ts, "agent" to r.agent,
                "action" to r.action, "args" to r.args, "cap" to r.cap, "permit" to r.permit,
                "decision" to r.decision, "reasons" to reasonsTree(r.reasons), "kid" to r.kid, "json" to r.toJson(),
            )
        }
        else -> throw UnknownVector("receipts type $t")
    }
    "bundles" -> {
        val trusted = KeySet.fromJwks(v["trusted"].str())
        outcome { mapOf("report" to reportTree(verifyBundle(v["bundle"].str(), trusted, v["anchor"].strOrNull()))) }
    }
    "guard" -> {
        val log = AuditLog.inMemory(SigningKey.fromBytes(hex(v["audit_key"].str())))
        val guard = Guard(
            Verifier(v["roots"].arr().map { RootKey.fromBytes(hex(it.str())) }, v["audience"].str()),
            PermitIssuer(SigningKey.fromBytes(hex(v["permit_key"].str())), v["issuer"].str()),
            log,
        )
        val request = Request.fromJson(v["request"].str())
        val got = linkedMapOf<String, Any?>()
        when (val mode = v["mode"].str()) {
            "protect" -> try {
                val p = guard.protect(
                    v["token"].str(), request, proof = v["proof"].strOrNull(),
                    idempotencyKey = v["idempotency_key"].strOrNull(), now = v["now"].long(), permitId = v["permit_id"].strOrNull(),
                )
                got["permit"] = p.token
            } catch (e: CharterException.Denied) {
                got["error"] = familyChecked(e).code
                got["message"] = e.errorMessage
                got["reasons"] = reasonsTree(e.reasons)
            } catch (e: CharterException.ApprovalRequired) {
                got["error"] = familyChecked(e).code
                got["message"] = e.errorMessage
                got["reasons"] = reasonsTree(e.reasons)
            }
            "check" -> got["decision"] = decisionTree(guard.check(v["token"].str(), request, proof = v["proof"].strOrNull(), now = v["now"].long()))
            else -> throw UnknownVector("guard mode $mode")
        }
        got["receipt"] = log.head()?.toJson()
        jv(got)
    }
    "guard-sequences" -> {
        // One store for the sequence: the verifier's budgets, the issuer's idempotency keys.
        val store = when (val kind = v["store"].str()) {
            "memory" -> openStore("memory:")
            else -> throw UnknownVector("guard-sequences store $kind")
        }
        val log = AuditLog.inMemory(SigningKey.fromBytes(hex(v["audit_key"].str())))
        val guard = Guard(
            Verifier(v["roots"].arr().map { RootKey.fromBytes(hex(it.str())) }, v["audience"].str(), store = store),
            PermitIssuer(SigningKey.fromBytes(hex(v["permit_key"].str())), v["issuer"].str(), store = store),
            log,
        )
        val results = v["calls"].arr().map { raw ->
            val c = raw.obj()
            try {
                val p = guard.protect(
                    v["token"].str(), Request.fromJson(c["request"].str()), proof = v["proof"].strOrNull(),
                    idempotencyKey = c["idempotency_key"].strOrNull(), now = c["now"].long(), permitId = c["permit_id"].strOrNull(),
                )
                mapOf("permit" to p.token)
            } catch (e: CharterException) {
                // The decision's reasons on a denial; none for every other error.
                val reasons = when (e) {
                    is CharterException.Denied -> reasonsTree(e.reasons)
                    is CharterException.ApprovalRequired -> reasonsTree(e.reasons)
                    else -> emptyList<Map<String, Any?>>()
                }
                mapOf("error" to familyChecked(e).code, "message" to e.errorMessage, "reasons" to reasons)
            }
        }
        jv(mapOf("results" to results, "receipts" to log.len(), "receipt" to log.head()?.toJson()))
    }
    "audit-files" -> when (val t = v["type"].str()) {
        "open" -> {
            check(v["without_files"].obj()["error"] == "unsupported")
            val dir = java.nio.file.Files.createTempDirectory("charter-audit")
            try {
                val path = dir.resolve(v["id"].str().replace("/", "_"))
                when (val setup = v["setup"].str()) {
                    "directory" -> java.nio.file.Files.createDirectory(path)
                    "file" -> java.nio.file.Files.write(path, v["content"].str().toByteArray(Charsets.UTF_8))
                    else -> throw UnknownVector("audit-files setup $setup")
                }
                try {
                    val log = AuditLog.open(
                        path.toString(),
                        SigningKey.fromBytes(hex(v["audit_key"].str())),
                        v["expect_head"].strOrNull(),
                    )
                    jv(mapOf("len" to log.len(), "head" to log.head()?.hash))
                } catch (e: CharterException) {
                    jv(mapOf("error" to familyChecked(e).code, "message" to e.errorMessage.replace(path.toString(), "{path}")))
                }
            } finally {
                dir.toFile().deleteRecursively()
            }
        }
        else -> throw UnknownVector("audit-files type $t")
    }
    else -> throw UnknownVector("kind $kind")
}

/** Every vector file; returns (run, failures). */
fun runAllVectors(repo: File, t: Tests) {
    errorFamilies = parseJson(File(repo, "contract/errors.json").readText()).obj()["codes"].arr()
        .associate { it.obj()["code"].str() to it.obj()["family"].str() }
    val dir = File(repo, "contract/vectors")
    val json = { d: File -> d.listFiles { f -> f.name.endsWith(".json") }?.sortedBy { it.name } ?: emptyList() }
    val stateful = json(File(dir, "stateful"))
    val files = json(dir) + stateful
    t.test("vectors: contract/vectors has files") { check(files.isNotEmpty()) { "no vector files in $dir" } }
    t.test("vectors: contract/vectors/stateful has files") { check(stateful.isNotEmpty()) { "no vector files in $dir/stateful" } }
    var declared = 0
    var ran = 0
    for (f in files) {
        val doc = parseJson(f.readText()).obj()
        val kind = doc["kind"].str()
        val vectors = doc["vectors"].arr()
        declared += vectors.size
        for (raw in vectors) {
            val v = raw.obj()
            t.test("vector ${v["id"]}") {
                ran++
                val got = runVector(kind, v)
                val want = v["expect"]
                check(got == want) { "expected ${show(want)}\n     got ${show(got)}" }
            }
        }
    }
    t.test("vectors: every vector ran ($declared in the files)") {
        check(ran == declared) { "ran $ran of $declared" }
        println("  vectors run: $ran of $declared")
    }
}
