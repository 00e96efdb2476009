package dev.charter.test

import dev.charter.*
import java.io.File

// Runs every vector of contract/vectors/ through the Kotlin API and compares
// the output with `expect`, byte for byte (codes and messages included).
// A kind or type this runner does not know is a failure, never a skip.

fun errorTree(e: CharterException): Any = jv(mapOf("error" to e.code, "message" to e.errorMessage))

/** Runs `f`; a CharterException becomes `{error, message}` as vectors write it. */
fun outcome(f: () -> Any?): Any = try {
    jv(f())
} catch (e: CharterException) {
    errorTree(e)
}

fun decisionTree(d: Decision): Any = jv(
    mapOf(
        "allowed" to d.allowed,
        "reasons" to d.reasons.map { mapOf("code" to it.code, "caveat_index" to it.caveatIndex, "message" to it.message) },
    ),
)

fun capabilityTree(c: Capability, withToken: Boolean = true): Map<String, Any?> {
    val m = linkedMapOf<String, Any?>(
        "id" to c.id(), "token_id" to c.tokenId(), "root_kid" to c.rootKid(),
        "issued_at" to c.issuedAt(), "caveats" to c.caveats(),
    )
    if (withToken) m["token"] = c.serialize()
    return m
}

class UnknownVector(msg: String) : Exception(msg)

fun runVector(kind: String, v: Map<String, Any>): Any = when (kind) {
    "jcs" -> outcome { mapOf("output" to canonicalizeJson(v["input"].str())) }
    "keys" -> when (val t = v["type"].str()) {
        "signing_key" -> outcome {
            val sk = SigningKey.fromBytes(hex(v["seed"].str()))
            mapOf(
                "kid" to sk.kid(),
                "public" to sk.publicKey().toBytes().joinToString("") { "%02x".format(it) },
                "jwk" to sk.publicKey().toJwk(),
            )
        }
        "public_key" -> outcome {
            val pk = PublicKey.fromBytes(hex(v["public"].str()))
            mapOf("kid" to pk.kid(), "jwk" to pk.toJwk())
        }
        "root_key" -> outcome { mapOf("kid" to RootKey.fromBytes(hex(v["secret"].str())).kid()) }
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
            val check = {
                // The API takes a parsed Capability; a token that does not parse
                // is a denial with the parse error as its one reason.
                val cap = try {
                    Capability.parse(v["token"].str())
                } catch (e: CharterException) {
                    null to e
                }
                if (cap is Capability) {
                    verifier.check(cap, request, proof = v["proof"].strOrNull(), now = v["now"].long())
                } else {
                    val e = (cap as Pair<*, *>).second as CharterException
                    Decision(false, listOf(Reason(e.code, null, e.errorMessage)))
                }
            }
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
            mapOf("proof" to proof, "holder_kid" to h.kid())
        }
        else -> throw UnknownVector("proofs type $t")
    }
    else -> throw UnknownVector("kind $kind")
}

/** Every vector file; returns (run, failures). */
fun runAllVectors(repo: File, t: Tests) {
    val dir = File(repo, "contract/vectors")
    val files = dir.listFiles { f -> f.name.endsWith(".json") }?.sortedBy { it.name } ?: emptyList()
    t.test("vectors: contract/vectors has files") { check(files.isNotEmpty()) { "no vector files in $dir" } }
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
