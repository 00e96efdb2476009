package dev.charter.test

import dev.charter.*
import java.io.File
import java.lang.reflect.Modifier
import kotlin.reflect.KClass
import kotlin.reflect.KFunction
import kotlin.reflect.KParameter
import kotlin.reflect.KVisibility
import kotlin.reflect.full.companionObject
import kotlin.reflect.full.declaredMemberFunctions
import kotlin.reflect.full.declaredMemberProperties
import kotlin.reflect.full.memberProperties
import kotlin.reflect.jvm.kotlinFunction

// Surface drift: contract/surface.json, spelled in Kotlin's convention, must
// equal what the generated Kotlin API exports — classes, constructors, static
// (companion) members, instance members, functions, records' fields and error
// classes — with the same parameters and the same optional ones. Any
// difference either way fails.

/** snake_case -> camelCase. */
fun camel(s: String): String {
    val parts = s.split('_')
    return parts.first() + parts.drop(1).joinToString("") { it.replaceFirstChar(Char::uppercase) }
}

/** uniffi's Kotlin convention: an error type or family named *Error is *Exception. */
fun kotlinErrorName(s: String) = if (s.endsWith("Error")) s.removeSuffix("Error") + "Exception" else s

/** "not_before?" -> "notBefore?" */
fun spec(params: List<Any>): List<String> = params.map { p ->
    val s = p.str()
    if (s.endsWith("?")) camel(s.dropLast(1)) + "?" else camel(s)
}

fun sig(f: KFunction<*>): List<String> =
    f.parameters.filter { it.kind == KParameter.Kind.VALUE }.map { it.name!! + if (it.isOptional) "?" else "" }

/** Members every uniffi object has that are not Charter's surface (idiomatic extras). */
val OBJECT_EXTRAS = setOf("close", "destroy", "uniffiCloneHandle", "uniffiClonePointer", "toString", "equals", "hashCode")

/** Public top-level helpers of uniffi's generated file, not Charter's surface. */
val FACADE_EXTRAS = setOf("use", "uniffiEnsureInitialized", "uniffiTraitInterfaceCall", "uniffiTraitInterfaceCallWithError")

fun publicFunctions(k: KClass<*>): Map<String, KFunction<*>> =
    k.declaredMemberFunctions.filter { it.visibility == KVisibility.PUBLIC }.associateBy { it.name }

fun surfaceTests(repo: File, t: Tests) {
    val surface = parseJson(File(repo, "contract/surface.json").readText()).obj()
    val pkg = "dev.charter"

    for ((name, rawSpec) in surface["classes"].obj()) {
        val s = rawSpec.obj()
        t.test("surface: class $name") {
            val k = Class.forName("$pkg.$name").kotlin
            val problems = ArrayList<String>()
            // constructor
            val ctor = k.constructors.filter { c -> c.visibility == KVisibility.PUBLIC && c.parameters.none { it.type.classifier.toString().contains("NoHandle") || it.name == "handle" } }
            if (s.containsKey("constructor")) {
                val want = spec(s["constructor"].arr())
                val got = ctor.map { sig(it) }
                if (got != listOf(want)) problems.add("constructor: want $want, got $got")
            } else if (ctor.isNotEmpty()) {
                problems.add("unexpected public constructor ${ctor.map { sig(it) }}")
            }
            // static members (companion object)
            val wantStatic = (s["static"]?.obj() ?: emptyMap()).entries.associate { (n, p) -> camel(n) to spec(p.arr()) }
            val companion = k.companionObject
            val gotStatic = if (companion == null) emptyMap() else publicFunctions(companion).filterKeys { it !in OBJECT_EXTRAS }.mapValues { sig(it.value) }
            if (wantStatic != gotStatic) problems.add("static: want $wantStatic, got $gotStatic")
            // instance members
            val wantMembers = (s["members"]?.obj() ?: emptyMap()).entries.associate { (n, p) -> camel(n) to spec(p.arr()) }
            val gotMembers = publicFunctions(k).filterKeys { it !in OBJECT_EXTRAS }.mapValues { sig(it.value) }
            if (wantMembers != gotMembers) problems.add("members: want $wantMembers, got $gotMembers")
            check(problems.isEmpty()) { problems.joinToString("; ") }
        }
    }

    t.test("surface: no exported class beyond surface.json") {
        // Every uniffi object implements <Name>Interface; list them all.
        val want = surface["classes"].obj().keys + surface["records"].obj().keys
        val generated = File(repo, "bindings/uniffi/kotlin/src/main/kotlin/dev/charter/charter_uniffi.kt").readText()
        val objects = Regex("""^(?:public )?open class (\w+)\s*:""", RegexOption.MULTILINE).findAll(generated).map { it.groupValues[1] }.toSet()
        val records = Regex("""^data class (\w+)\s*\(""", RegexOption.MULTILINE).findAll(generated).map { it.groupValues[1] }.toSet()
        val got = objects + records - "RustBuffer" // RustBuffer: uniffi's FFI buffer (a JNA Structure)
        check(got == want) { "want ${want.sorted()}, got ${got.sorted()}" }
    }

    for ((name, fields) in surface["records"].obj()) {
        t.test("surface: record $name") {
            val k = Class.forName("$pkg.$name").kotlin
            check(k.isData) { "$name is not a data class" }
            val got = k.constructors.single().parameters.map { it.name }
            val want = fields.arr().map { camel(it.str()) }
            check(got == want) { "want $want, got $got" }
        }
    }

    t.test("surface: top-level functions") {
        val facade = Class.forName("$pkg.Charter_uniffiKt")
        val got = facade.declaredMethods
            .filter { Modifier.isPublic(it.modifiers) && Modifier.isStatic(it.modifiers) && !it.isSynthetic && it.name !in FACADE_EXTRAS }
            .associate { m -> m.name to sig(m.kotlinFunction ?: error("no Kotlin function for ${m.name}")) }
        val want = surface["functions"].obj().entries.associate { (n, f) -> camel(n) to spec(f.obj()["params"].arr()) }
        check(got == want) { "want $want, got $got" }
    }

    t.test("surface: error classes") {
        val e = surface["errors"].obj()
        val base = Class.forName("$pkg.${kotlinErrorName(e["base"].str())}").kotlin
        check(base.isSealed) { "${base.simpleName} is not sealed" }
        check(Throwable::class.java.isAssignableFrom(base.java)) { "${base.simpleName} is not a Throwable" }
        val want = e["families"].arr().map { kotlinErrorName(it.str()) }.toSet()
        val got = base.sealedSubclasses.map { it.simpleName!! }.toSet()
        check(got == want) { "families: want $want, got $got" }
        val members = e["members"].arr().map { camel(it.str()) }
        val denied = e["denied_members"].arr().map { camel(it.str()) }
        for (sub in base.sealedSubclasses) {
            val props = sub.declaredMemberProperties.map { it.name }.toSet()
            // Kotlin's Throwable owns `message`: the core's message is the
            // field `detail` (read on the base class as `errorMessage`).
            val wantProps = members.map { if (it == "message") "detail" else it }.toSet() +
                (if (sub.simpleName == "Denied") denied else emptyList()) + "message"
            check(props == wantProps) { "${sub.simpleName}: want $wantProps, got $props" }
        }
        // Base-class accessors (hand-written CharterException.kt).
        val sample: CharterException = CharterException.FormatException("malformed", "m")
        assertEq("malformed", sample.code)
        assertEq("m", sample.errorMessage)
    }

    t.test("surface: every code of errors.json maps to its family") {
        val errors = parseJson(File(repo, "contract/errors.json").readText()).obj()
        val families = surface["errors"].obj()["families"].arr().map { it.str() }.toSet()
        for (c in errors["codes"].arr()) {
            val fam = c.obj()["family"].str()
            check(fam in families) { "code ${c.obj()["code"]} has unknown family $fam" }
        }
    }
}
