package dev.charter.test

import dev.charter.*
import java.io.File
import java.lang.reflect.Modifier
import kotlin.reflect.KClass
import kotlin.reflect.KFunction
import kotlin.reflect.KParameter
import kotlin.reflect.KType
import kotlin.reflect.KVisibility
import kotlin.reflect.full.companionObject
import kotlin.reflect.full.declaredMemberFunctions
import kotlin.reflect.full.declaredMemberProperties
import kotlin.reflect.full.extensionReceiverParameter
import kotlin.reflect.jvm.kotlinFunction

// Surface drift: contract/surface.json, spelled in Kotlin's convention, must
// equal what the Kotlin API exports (the generated classes plus the
// hand-written Charter.kt): classes, constructors, static (companion)
// members, instance members, functions, records and error classes, with the
// same parameter names, the same optional ones, the same TYPES, properties
// where the surface says {"property": T}, and one overload for every
// alternative of a union ("Capability | string" is a Capability overload and
// a String one). Any difference either way fails. Tests that the
// alternatives of each union decide alike follow.

/** snake_case -> camelCase. */
fun camel(s: String): String {
    val parts = s.split('_')
    return parts.first() + parts.drop(1).joinToString("") { it.replaceFirstChar(Char::uppercase) }
}

/** uniffi's Kotlin convention: an error type or family named *Error is *Exception. */
fun kotlinErrorName(s: String) = if (s.endsWith("Error")) s.removeSuffix("Error") + "Exception" else s

/** One parameter as surface.json writes it: "not_before?: time". */
data class SpecParam(val name: String, val optional: Boolean, val type: String)

fun specParam(raw: String): SpecParam {
    val (n, t) = raw.split(": ", limit = 2)
    return SpecParam(camel(n.removeSuffix("?")), n.endsWith("?"), t)
}

/** Whether a Kotlin type is the surface type `spec` (one alternative, or `T | null`). */
fun typeIs(spec: String, t: KType): Boolean {
    val parts = spec.split(" | ")
    if (parts.size > 1) {
        check(parts.size == 2 && parts[1] == "null") { "not a single alternative: $spec" }
        return t.isMarkedNullable && typeIs(parts[0], t)
    }
    val k = t.classifier as? KClass<*> ?: return false
    if (spec.endsWith("[]")) return k == List::class && typeIs(spec.dropLast(2), t.arguments.single().type!!)
    return when (spec) {
        "string", "object" -> k == String::class
        "int" -> k in setOf(Long::class, ULong::class, UInt::class, Int::class)
        "time" -> k == Long::class
        "bool" -> k == Boolean::class
        "bytes" -> k == ByteArray::class
        "null" -> k == Unit::class
        else -> k.simpleName == spec && (k.qualifiedName == "dev.charter.$spec" || k.qualifiedName == "dev.charter.core.$spec")
    }
}

/** Every combination of union alternatives: "Request | object | string" is Request, then string. */
fun expand(params: List<SpecParam>): List<List<SpecParam>> = params.fold(listOf(emptyList())) { acc, p ->
    val parts = p.type.split(" | ")
    val alts = if (parts.size == 2 && parts[1] == "null") listOf(p.type)
        else parts.map { if (it == "object") "string" else it }.distinct()
    acc.flatMap { prefix -> alts.map { prefix + p.copy(type = it) } }
}

/** The value parameters of a function (receiver and instance excluded). */
fun valueParams(f: KFunction<*>) = f.parameters.filter { it.kind == KParameter.Kind.VALUE }

fun matches(f: KFunction<*>, want: List<SpecParam>, returns: String?): Boolean {
    val got = valueParams(f)
    if (got.size != want.size) return false
    for ((g, w) in got.zip(want)) {
        if (g.name != w.name || g.isOptional != w.optional) return false
        // An optional parameter is nullable (`= null`) unless it has a value default (`neverExpires = false`).
        val ok = typeIs(w.type, g.type) || (w.optional && g.type.isMarkedNullable && typeIs("${w.type} | null", g.type))
        if (!ok) return false
    }
    return returns == null || typeIs(returns, f.returnType)
}

/** The raw union form uniffi exports (`check(CapabilityInput, Request, CallOptions)`): Charter.kt's overloads wrap it. */
fun isRawUnionForm(f: KFunction<*>) = valueParams(f).any {
    (it.type.classifier as? KClass<*>)?.simpleName in setOf("CapabilityInput", "CallOptions")
}

/** Members every uniffi object has that are not Charter's surface. */
val OBJECT_EXTRAS = setOf("close", "destroy", "uniffiCloneHandle", "uniffiClonePointer", "toString", "equals", "hashCode")

/** Public top-level helpers of uniffi's generated file, not Charter's surface. */
val FACADE_EXTRAS = setOf("use", "uniffiEnsureInitialized", "uniffiTraitInterfaceCall", "uniffiTraitInterfaceCallWithError")

val handWritten: Class<*> = Class.forName("dev.charter.CharterKt")
val generated: Class<*> = Class.forName("dev.charter.Charter_uniffiKt")

fun topLevel(c: Class<*>): List<KFunction<*>> = c.declaredMethods
    .filter { Modifier.isPublic(it.modifiers) && Modifier.isStatic(it.modifiers) && !it.isSynthetic && it.name !in FACADE_EXTRAS }
    .mapNotNull { it.kotlinFunction }

/** Hand-written extension functions of `k`, by name. */
fun extensions(k: KClass<*>): List<KFunction<*>> = topLevel(handWritten).filter { it.extensionReceiverParameter?.type?.classifier == k }

/** Checks one overload set against a spec'd member; returns the problems. */
fun overloadProblems(what: String, fs: List<KFunction<*>>, params: List<String>, returns: String?): List<String> {
    val want = expand(params.map { specParam(it) })
    val problems = ArrayList<String>()
    for (combo in want) {
        if (fs.none { matches(it, combo, returns) }) problems.add("$what: no overload ${combo.map { "${it.name}${if (it.optional) "?" else ""}: ${it.type}" }} -> $returns")
    }
    for (f in fs) {
        if (!isRawUnionForm(f) && want.none { matches(f, it, returns) }) problems.add("$what: unexpected overload ${valueParams(f).map { "${it.name}: ${it.type}" }} -> ${f.returnType}")
    }
    return problems
}

/** Whether a hand-written extension property `k.name` of surface type `type` exists (JVM getter `getName(k)`). */
fun hasProperty(k: KClass<*>, name: String, type: String): Boolean {
    val getter = "get" + name.replaceFirstChar(Char::uppercase)
    return handWritten.declaredMethods.any { m ->
        (m.name == getter || m.name.startsWith("$getter-")) && Modifier.isStatic(m.modifiers) &&
            m.parameterTypes.singleOrNull() == k.java && javaTypeIs(type, m.returnType)
    }
}

fun javaTypeIs(spec: String, c: Class<*>): Boolean {
    val base = spec.removeSuffix(" | null")
    return when {
        base.endsWith("[]") -> c == java.util.List::class.java
        base == "string" || base == "object" -> c == String::class.java
        base == "int" -> c == java.lang.Long.TYPE || c == java.lang.Integer.TYPE || c == ULong::class.java
        else -> c.simpleName == base
    }
}

/** The surface without what other bindings alone export ("bindings": [...], e.g. Node's *_async forms). */
fun forBinding(surface: Map<String, Any>, binding: String): Map<String, Any> {
    fun here(spec: Any?) = (spec.obj()["bindings"] as? List<*>)?.contains(binding) ?: true
    fun only(m: Any?) = m.obj().filterValues { here(it) }
    val classes = only(surface["classes"]).mapValues { (_, c) ->
        c.obj().mapValues { (k, v) -> if (k == "static" || k == "members") only(v) else v }
    }
    return surface + mapOf("functions" to only(surface["functions"]), "classes" to classes)
}

fun surfaceTests(repo: File, t: Tests) {
    val surface = forBinding(parseJson(File(repo, "contract/surface.json").readText()).obj(), "kotlin")
    val pkg = "dev.charter"

    for ((name, rawSpec) in surface["classes"].obj()) {
        val s = rawSpec.obj()
        t.test("surface: class $name") {
            val k = Class.forName("$pkg.$name").kotlin
            val problems = ArrayList<String>()
            // constructor: the class's own, plus a hand-written factory of the same name (a union's text form)
            val ctors = k.constructors.filter { c -> c.visibility == KVisibility.PUBLIC && c.parameters.none { it.type.classifier.toString().contains("NoHandle") || it.name == "handle" } } +
                topLevel(handWritten).filter { it.name == name && it.extensionReceiverParameter == null }
            if (s.containsKey("constructor")) {
                problems += overloadProblems("constructor", ctors, s["constructor"].arr().map { it.str() }, name)
            } else if (ctors.isNotEmpty()) {
                problems.add("unexpected public constructor ${ctors.map { valueParams(it).map { p -> p.name } }}")
            }
            // static members (companion object)
            val wantStatic = (s["static"]?.obj() ?: emptyMap()).mapKeys { camel(it.key) }
            val companion = k.companionObject
            val gotStatic = if (companion == null) emptyList() else companion.declaredMemberFunctions.filter { it.visibility == KVisibility.PUBLIC && it.name !in OBJECT_EXTRAS }
            if (gotStatic.map { it.name }.toSet() != wantStatic.keys) problems.add("static: want ${wantStatic.keys}, got ${gotStatic.map { it.name }}")
            for ((n, spec) in wantStatic) {
                problems += overloadProblems("static $n", gotStatic.filter { it.name == n }, spec.obj()["params"].arr().map { it.str() }, spec.obj()["returns"].str())
            }
            // instance members: methods (members or Charter.kt overloads) and properties
            val members = k.declaredMemberFunctions.filter { it.visibility == KVisibility.PUBLIC && it.name !in OBJECT_EXTRAS }
            val wantMembers = (s["members"]?.obj() ?: emptyMap()).mapKeys { camel(it.key) }
            val props = wantMembers.filterValues { it.obj().containsKey("property") }
            val rawGetters = props.keys.map { "get" + it.replaceFirstChar(Char::uppercase) }.toSet()
            val methodNames = (members.map { it.name } + extensions(k).map { it.name }).toSet() - rawGetters
            val wantMethods = wantMembers.keys - props.keys
            if (methodNames != wantMethods) problems.add("methods: want ${wantMethods.sorted()}, got ${methodNames.sorted()}")
            for ((n, spec) in wantMembers) {
                val m = spec.obj()
                if (m.containsKey("property")) {
                    if (!hasProperty(k, n, m["property"].str())) problems.add("property $n: ${m["property"]} missing")
                    if (members.none { it.name == "get" + n.replaceFirstChar(Char::uppercase) }) problems.add("property $n: no exported getter")
                } else {
                    problems += overloadProblems(n, (members + extensions(k)).filter { it.name == n }, m["params"].arr().map { it.str() }, m["returns"].str())
                }
            }
            check(problems.isEmpty()) { problems.joinToString("; ") }
        }
    }

    t.test("surface: no exported class beyond surface.json") {
        // CapabilityInput and CallOptions are the raw union and options forms Charter.kt wraps.
        val want = surface["classes"].obj().keys + surface["records"].obj().keys + setOf("CapabilityInput", "CallOptions")
        val dir = File(repo, "bindings/uniffi/kotlin/src/main/kotlin/dev/charter")
        val text = File(dir, "charter_uniffi.kt").readText() + File(dir, "core/charter_core.kt").readText()
        val objects = Regex("""^(?:public )?open class (\w+)\s*:""", RegexOption.MULTILINE).findAll(text).map { it.groupValues[1] }.toSet()
        val records = Regex("""^data class (\w+)\s*\(""", RegexOption.MULTILINE).findAll(text).map { it.groupValues[1] }.toSet()
        val enums = Regex("""^sealed class (\w+)\s*:""", RegexOption.MULTILINE).findAll(text).map { it.groupValues[1] }.toSet() - "CharterException"
        val got = objects + records + enums - "RustBuffer" // RustBuffer: uniffi's FFI buffer (a JNA Structure)
        check(got == want) { "want ${want.sorted()}, got ${got.sorted()}" }
    }

    for ((name, fields) in surface["records"].obj()) {
        t.test("surface: record $name") {
            val k = Class.forName("$pkg.core.$name").kotlin
            check(k.isData) { "$name is not a data class" }
            val got = k.constructors.single().parameters
            val want = fields.obj().entries.toList()
            check(got.map { it.name } == want.map { camel(it.key) }) { "want ${want.map { camel(it.key) }}, got ${got.map { it.name }}" }
            for ((p, w) in got.zip(want)) check(typeIs(w.value.str(), p.type)) { "${p.name}: want ${w.value}, got ${p.type}" }
        }
    }

    t.test("surface: top-level functions and version()") {
        val fs = topLevel(generated) + topLevel(handWritten).filter { it.extensionReceiverParameter == null && it.name.first().isLowerCase() }
        val want = surface["functions"].obj().mapKeys { camel(it.key) }
        val problems = ArrayList<String>()
        val got = fs.map { it.name }.toSet()
        if (got != want.keys + "version") problems.add("want ${want.keys + "version"}, got $got")
        for ((n, f) in want) problems += overloadProblems(n, fs.filter { it.name == n }, f.obj()["params"].arr().map { it.str() }, f.obj()["returns"].str())
        problems += overloadProblems("version", fs.filter { it.name == "version" }, emptyList(), surface["constants"].obj()["version"].obj()["type"].str())
        check(problems.isEmpty()) { problems.joinToString("; ") }
        val cargo = File(repo, "Cargo.toml").readText()
        val v = Regex("""(?m)^version = "([^"]+)"""").find(cargo)!!.groupValues[1]
        assertEq(v, version(), "version()")
    }

    t.test("surface: error classes") {
        val e = surface["errors"].obj()
        val base = Class.forName("$pkg.${kotlinErrorName(e["base"].str())}").kotlin
        check(base.isSealed) { "${base.simpleName} is not sealed" }
        check(Throwable::class.java.isAssignableFrom(base.java)) { "${base.simpleName} is not a Throwable" }
        val want = (e["families"].arr() + e["code_classes"].obj().values).map { kotlinErrorName(it.str()) }.toSet()
        val got = base.sealedSubclasses.map { it.simpleName!! }.toSet()
        check(got == want) { "families: want $want, got $got" }
        val denied = e["denied_members"].arr().map { camel(it.str()) }
        for (sub in base.sealedSubclasses) {
            val props = sub.declaredMemberProperties.map { it.name }.toSet()
            // Kotlin's Throwable owns `message`: the core's message is the
            // field `detail` (read on the base class as `errorMessage`).
            val isDenial = sub.simpleName == "Denied" || sub.simpleName in e["code_classes"].obj().values.map { it.str() }
            val wantProps = setOf("code", "detail", "message") + (if (isDenial) denied else emptyList())
            check(props == wantProps) { "${sub.simpleName}: want $wantProps, got $props" }
        }
    }

    t.test("errors: the accessors against contract/errors.json, every code, every family") {
        val errors = parseJson(File(repo, "contract/errors.json").readText()).obj()
        val families = surface["errors"].obj()["families"].arr().map { it.str() }
        val codes = errors["codes"].arr().map { it.obj() }
        // Each family's class, built with each of its codes, reads back code, message and family.
        val make: Map<String, (String) -> CharterException> = mapOf(
            "FormatError" to { c -> CharterException.FormatException(c, "m") },
            "UsageError" to { c -> CharterException.UsageException(c, "m") },
            "CryptoError" to { c -> CharterException.CryptoException(c, "m") },
            "AuthorizationError" to { c -> CharterException.AuthorizationException(c, "m") },
            "AuditError" to { c -> CharterException.AuditException(c, "m") },
            "EnvironmentError" to { c -> CharterException.EnvironmentException(c, "m") },
            "Denied" to { c -> CharterException.Denied(c, "m", emptyList()) },
        )
        check(make.keys == families.toSet()) { "families: ${make.keys} vs $families" }
        for (c in codes) {
            val code = c["code"].str()
            val fam = c["family"].str()
            check(fam in families) { "code $code has unknown family $fam" }
            val ex = make.getValue(fam)(code)
            assertEq(code, ex.code, "code")
            assertEq("m", ex.errorMessage, "message")
            assertEq(fam, ex.family, "family of $code")
        }
        check(codes.any { it["code"] == "internal" }) { "errors.json lists internal" }
        // Errors raised through the boundary land in errors.json's family for their code
        // (every error of the vectors is checked the same way in Vectors.kt).
        val familyOf = codes.associate { it["code"].str() to it["family"].str() }
        val raised = listOf<() -> Unit>(
            { Capability.parse("%%%") }, { RootKey.fromBytes(ByteArray(1)) }, { KeySet.fromKeys(emptyList()).get("x") },
            { AuditLog.open("/nonexistent-charter-dir/x/log.jsonl", SigningKey.generate()) },
        )
        for (f in raised) {
            val ex = assertThrows<CharterException>(f)
            assertEq(familyOf[ex.code], ex.family, "family of raised ${ex.code}")
        }
    }
}

/** Every alternative of every union decides the same (surface.json: "the same inputs decide the same way"). */
fun unionTests(t: Tests) {
    val t0 = 1767225600L
    val root = RootKey.fromBytes(ByteArray(32) { 3 })
    val holderKey = SigningKey.fromBytes(ByteArray(32) { 4 })
    val cap = Issuer(root).issue(agent = "a", actions = listOf("x"), expiresAt = t0 + 3600, issuedAt = t0, tokenId = ByteArray(16))
    val text = cap.serialize()
    val reqJson = """{"agent":"a","action":"x","args":{"n":1}}"""
    val req = Request("a", "x", """{"n":1}""")
    val denyJson = """{"agent":"b","action":"x","args":{}}"""

    t.test("unions: Verifier.check and Guard.check take Capability | string and Request | object | string alike") {
        val v = Verifier(listOf(root), "svc")
        val g = Guard(v, PermitIssuer(SigningKey.fromBytes(ByteArray(32) { 5 }), "gw"), AuditLog.inMemory(SigningKey.fromBytes(ByteArray(32) { 6 })))
        for (rq in listOf(reqJson, denyJson)) {
            val r = Request.fromJson(rq)
            val want = v.check(cap, r, now = t0)
            for (d in listOf(v.check(text, r, now = t0), v.check(cap, rq, now = t0), v.check(text, rq, now = t0),
                    g.check(cap, r, now = t0), g.check(text, r, now = t0), g.check(cap, rq, now = t0), g.check(text, rq, now = t0))) {
                assertEq(want, d, "decision for $rq")
            }
        }
        // Text that does not parse is a denial in both classes, not an exception.
        val bad = v.check("%%%", req, now = t0)
        assertEq(false, bad.allowed)
        assertEq(bad, g.check("%%%", req, now = t0), "guard denial of bad text")
    }

    t.test("unions: Guard.protect takes every alternative and issues the same claims") {
        val g = Guard(Verifier(listOf(root), "svc"), PermitIssuer(SigningKey.fromBytes(ByteArray(32) { 5 }), "gw"), AuditLog.inMemory(SigningKey.fromBytes(ByteArray(32) { 6 })))
        val claims = listOf(
            g.protect(cap, req, now = t0, permitId = "p1"), g.protect(text, req, now = t0, permitId = "p1"),
            g.protect(cap, reqJson, now = t0, permitId = "p1"), g.protect(text, reqJson, now = t0, permitId = "p1"),
        ).map { it.claims }
        check(claims.distinct().size == 1) { "claims differ: $claims" }
        val e = assertThrows<CharterException.Denied> { g.protect(text, denyJson, now = t0) }
        assertEq("caveat_failed", e.reasons.single().code)
    }

    t.test("unions: Holder.prove takes Capability | string and Request | object | string alike") {
        val h = Holder(holderKey)
        val nonce = ByteArray(16) { 9 }
        val proofs = listOf(
            h.prove(cap, req, "svc", now = t0, nonce = nonce), h.prove(text, req, "svc", now = t0, nonce = nonce),
            h.prove(cap, reqJson, "svc", now = t0, nonce = nonce), h.prove(text, reqJson, "svc", now = t0, nonce = nonce),
        )
        check(proofs.distinct().size == 1) { "proofs differ" }
        expectCode<CharterException.FormatException>("malformed") { h.prove("%%%", req, "svc") }
    }

    t.test("unions: KeySet | object | string verify alike (PermitVerifier, Receipt.verify, verifyBundle)") {
        val sk = SigningKey.fromBytes(ByteArray(32) { 7 })
        val keys = KeySet.fromKeys(listOf(sk.publicKey()))
        val jwks = keys.toJwks()
        val issuer = PermitIssuer(sk, "gw")
        val p1 = issuer.issue("a", "tool", "x", "{}", "cap", now = t0)
        val p2 = issuer.issue("a", "tool", "x", "{}", "cap", now = t0)
        val c1 = PermitVerifier(keys, "tool").verify(p1.token, "x", "{}", now = t0)
        val c2 = PermitVerifier(jwks, "tool").verify(p2.token, "x", "{}", now = t0)
        assertEq(c1.copy(jti = ""), c2.copy(jti = ""), "claims")
        val log = AuditLog.inMemory(sk)
        Guard(Verifier(listOf(root), "svc"), issuer, log).check(cap, req, now = t0)
        val receipt = log.head()!!
        receipt.verify(log.keys())
        receipt.verify(log.keys().toJwks())
        val other = KeySet.fromKeys(listOf(SigningKey.fromBytes(ByteArray(32) { 8 }).publicKey()))
        expectCode<CharterException.CryptoException>("unknown_key") { receipt.verify(other) }
        expectCode<CharterException.CryptoException>("unknown_key") { receipt.verify(other.toJwks()) }
        val bundle = log.exportBundle()
        assertEq(verifyBundle(bundle, log.keys()), verifyBundle(bundle, log.keys().toJwks()), "bundle report")
        expectCode<CharterException.FormatException>("malformed") { PermitVerifier("{", "tool") }
    }

    t.test("properties: every {\"property\": T} reads as a Kotlin property, in every class") {
        assertEq(root.kid, Verifier(listOf(root), "svc").let { cap.rootKid })
        assertEq("svc", Verifier(listOf(root), "svc").audience)
        assertEq("""{"n":1}""", req.args)
        assertEq(null, req.resource)
        val p = PermitIssuer(holderKey, "gw").issue("a", "tool", "x", "{}", "cap", now = t0)
        assertEq(p.kid, holderKey.kid)
        assertEq("cap", p.claims.cap)
        check(p.token.count { it == '.' } == 2) { p.token }
    }
}
