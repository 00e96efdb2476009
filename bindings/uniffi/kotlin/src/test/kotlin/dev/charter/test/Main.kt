package dev.charter.test

import java.io.File

// A tiny test runner (no JUnit on this machine's JVM classpath): each test is a
// named block; the run ends with "N passed, M failed" and exits non-zero on
// any failure.

class Tests {
    var passed = 0
    var failed = 0
    private val failures = ArrayList<String>()

    fun test(name: String, body: () -> Unit) {
        try {
            body()
            passed++
        } catch (e: Throwable) {
            failed++
            val msg = "FAIL $name: ${e::class.qualifiedName}: ${e.message}"
            failures.add(msg)
            println(msg)
        }
    }

    fun summary(): Int {
        println("${passed} passed, ${failed} failed")
        return if (failed == 0) 0 else 1
    }
}

inline fun <reified E : Throwable> assertThrows(body: () -> Unit): E {
    try {
        body()
    } catch (e: Throwable) {
        if (e is E) return e
        throw AssertionError("expected ${E::class.simpleName}, got ${e::class.qualifiedName}: ${e.message}", e)
    }
    throw AssertionError("expected ${E::class.simpleName}, nothing was thrown")
}

fun assertEq(want: Any?, got: Any?, what: String = "") {
    if (want != got) throw AssertionError("$what expected <$want>, got <$got>")
}

fun main(args: Array<String>) {
    val repo = File(args.firstOrNull() ?: System.getenv("CHARTER_REPO") ?: ".").absoluteFile
    val only = System.getenv("CHARTER_ONLY")
    val t = Tests()
    if (only == null || only == "vectors") runAllVectors(repo, t)
    if (only == null || only == "surface") surfaceTests(repo, t)
    if (only == null || only == "unions") unionTests(t)
    if (only == null || only == "hostile") hostileTests(t)
    if (only == null || only == "direct") directTests(t)
    if (only == null || only == "quickstart") quickstartTests(t)
    if (only == null || only == "stores") storeTests(t)
    if (only == null || only == "approvals") approvalTests(t)
    if (only == "bench") {
        bench()
        return
    }
    kotlin.system.exitProcess(t.summary())
}

/** The README's Kotlin quickstart, extracted by scripts/test-uniffi.sh into quickstart(). */
fun quickstartTests(t: Tests) {
    t.test("quickstart (README)") { quickstart() }
}
