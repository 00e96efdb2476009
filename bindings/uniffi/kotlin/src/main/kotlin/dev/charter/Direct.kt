// Hand-written: the structure-free path of Verifier.check and Guard.check
// (bindings/uniffi/src/direct.rs is the Rust side). Nothing here decides
// anything and nothing here is API: Charter.kt's check overloads try it
// first and fall back to the generated uniffi call when it is unavailable.
//
// Why: each generated uniffi call allocates JNA `Memory` blocks (a call
// status per crossing, a RustBuffer per buffer) that JNA 5.13 records in one
// static map until a GC, and a text check crosses six times; that, not the
// core, made a Kotlin check 17-19x Rust. Here a check is one JNA direct-mapped
// call with primitive and byte[] arguments only: the objects' uniffi handles
// (borrowed for the call under uniffi's own call counter, so no clone
// crossing), UTF-8 bytes, and the time. An allowed check allocates nothing
// native; a denial or an error comes back as one block, read with the
// generated converters (so the Decision and CharterException are the ones
// the uniffi path builds) and freed.
package dev.charter

import com.sun.jna.Native
import com.sun.jna.Pointer
import dev.charter.core.FfiConverterTypeDecision
import java.lang.ref.Reference
import java.lang.reflect.Field
import java.nio.ByteBuffer
import java.nio.charset.CharacterCodingException
import java.util.concurrent.atomic.AtomicLong

/**
 * uniffi's per-object call protocol (its generated `callWithHandle`) without
 * the handle clone: the object's call counter is raised for the call, so a
 * concurrent `close()` defers the free until [release], and the object is
 * kept reachable until then, so its Cleaner cannot free the handle mid-call.
 */
internal class Borrowed(private val cls: Class<*>) {
    private val handle: Field = field("handle")
    private val counter: Field = field("callCounter")
    private val cleanable: Field = field("cleanable")

    private fun field(name: String): Field = cls.getDeclaredField(name).also { it.isAccessible = true }

    /** The object's handle, valid until [release]; throws as the generated code does on a destroyed object. */
    fun acquire(o: Any): Long {
        val c = counter.get(o) as AtomicLong
        do {
            val n = c.get()
            if (n == 0L) throw IllegalStateException("${o.javaClass.simpleName} object has already been destroyed")
            if (n == Long.MAX_VALUE) throw IllegalStateException("${o.javaClass.simpleName} call counter would overflow")
        } while (!c.compareAndSet(n, n + 1L))
        val h = handle.getLong(o)
        if (h == 0L) {
            // A test fake built with NoHandle: refused as uniffiCloneHandle() refuses it.
            c.decrementAndGet()
            throw InternalException("uniffiCloneHandle() called on NoHandle object")
        }
        return h
    }

    /** Ends the call begun by [acquire]: the last one out after a `close()` frees the Rust object. */
    fun release(o: Any) {
        val c = counter.get(o) as AtomicLong
        if (c.decrementAndGet() == 0L) (cleanable.get(o) as UniffiCleaner.Cleanable?)?.clean()
        Reference.reachabilityFence(o)
    }
}

internal object Direct {
    /** Block kinds of bindings/uniffi/src/direct.rs. */
    private const val DECISION: Byte = 0
    private const val ERROR: Byte = 1
    private const val PANIC: Byte = 2

    private val objects: Map<Class<*>, Borrowed>?

    init {
        // Off when asked (-Ddev.charter.direct=false), or when anything it
        // relies on is missing: a library without the entry points, fields
        // renamed by a minifier, a runtime without reachabilityFence (Android
        // before API 28). Then every check takes the generated uniffi path.
        objects = try {
            check(System.getProperty("dev.charter.direct") != "false")
            UniffiLib.ensureInitialized() // the same library, loaded and checksummed by uniffi first
            Reference::class.java.getMethod("reachabilityFence", Any::class.java)
            Native.register(Direct::class.java, System.getProperty("uniffi.component.charter_uniffi.libraryOverride") ?: "charter_uniffi")
            listOf(Verifier::class.java, Guard::class.java, Capability::class.java, Request::class.java).associateWith { Borrowed(it) }
        } catch (e: Throwable) {
            null
        }
    }

    /** Whether checks take this path (for tests and the bench). */
    val enabled: Boolean get() = objects != null

    external fun charter_direct_verifier_check(
        verifier: Long, capability: Long, token: ByteArray?, tokenLen: Int, request: Long,
        requestJson: ByteArray?, requestJsonLen: Int, proof: ByteArray?, proofLen: Int, hasNow: Int, now: Long,
    ): Long

    external fun charter_direct_guard_check(
        guard: Long, capability: Long, token: ByteArray?, tokenLen: Int, request: Long,
        requestJson: ByteArray?, requestJsonLen: Int, proof: ByteArray?, proofLen: Int, hasNow: Int, now: Long,
    ): Long

    external fun charter_direct_free(block: Long)

    /** uniffi's own encoding of a String (it refuses malformed UTF-16); null when it refuses, so the caller takes the uniffi path and fails as it does. */
    private fun utf8(s: String?): ByteBuffer? = try {
        s?.let { FfiConverterString.toUtf8(it) }
    } catch (e: CharacterCodingException) {
        null
    }

    /**
     * The decision of `target` (a Verifier or a Guard) for a capability
     * (parsed, or `token`) and a request (a Request, or `requestJson`), or
     * null when this path is off or an input needs the uniffi path.
     */
    fun check(target: Any, capability: Capability?, token: String?, request: Request?, requestJson: String?, proof: String?, now: Long?): Decision? {
        val objects = objects ?: return null
        val tok = utf8(token)
        val json = utf8(requestJson)
        val prf = utf8(proof)
        if ((token != null && tok == null) || (requestJson != null && json == null) || (proof != null && prf == null)) return null
        val isGuard = target is Guard
        val t = objects.getValue(if (isGuard) Guard::class.java else Verifier::class.java)
        val c = objects.getValue(Capability::class.java)
        val r = objects.getValue(Request::class.java)
        val result: Long
        val th = t.acquire(target)
        try {
            val ch = if (capability != null) c.acquire(capability) else 0L
            try {
                val rh = if (request != null) r.acquire(request) else 0L
                try {
                    val tokLen = tok?.limit() ?: -1
                    val jsonLen = json?.limit() ?: -1
                    val prfLen = prf?.limit() ?: -1
                    val hasNow = if (now != null) 1 else 0
                    result = if (isGuard) {
                        charter_direct_guard_check(th, ch, tok?.array(), tokLen, rh, json?.array(), jsonLen, prf?.array(), prfLen, hasNow, now ?: 0L)
                    } else {
                        charter_direct_verifier_check(th, ch, tok?.array(), tokLen, rh, json?.array(), jsonLen, prf?.array(), prfLen, hasNow, now ?: 0L)
                    }
                } finally {
                    if (request != null) r.release(request)
                }
            } finally {
                if (capability != null) c.release(capability)
            }
        } finally {
            t.release(target)
        }
        if (result == 0L) return Decision(true, emptyList())
        return read(result)
    }

    /** Reads and frees a block: a Decision, or the exception it carries. */
    private fun read(block: Long): Decision {
        val bytes = try {
            val p = Pointer(block)
            p.getByteArray(4, p.getInt(0))
        } finally {
            charter_direct_free(block)
        }
        val body = ByteBuffer.wrap(bytes, 1, bytes.size - 1)
        when (bytes[0]) {
            DECISION -> {
                val d = FfiConverterTypeDecision.read(body)
                if (body.hasRemaining()) throw RuntimeException("junk remaining in buffer after lifting, something is very wrong!!")
                return d
            }
            ERROR -> throw FfiConverterTypeCharterError.read(body)
            PANIC -> throw InternalException(String(bytes, 1, bytes.size - 1, Charsets.UTF_8))
            else -> throw InternalException("unknown block kind ${bytes[0]} from charter_direct")
        }
    }
}
