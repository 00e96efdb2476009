package dev.charter.test

// A small strict JSON reader for the test harness (the JVM has none built in,
// and the tests need no dependency beyond JNA). Numbers keep their written
// text, so nothing is ever rounded; objects keep their member order.

data class JNum(val text: String) {
    fun toLong(): Long = text.toLong()
    override fun toString() = text
}

object JNull {
    override fun toString() = "null"
}

class JsonReader(private val s: String) {
    private var i = 0

    fun parse(): Any {
        val v = value()
        ws()
        require(i == s.length) { "trailing characters at $i" }
        return v
    }

    private fun ws() {
        while (i < s.length && s[i] in " \t\r\n") i++
    }

    private fun value(): Any {
        ws()
        require(i < s.length) { "unexpected end" }
        return when (val c = s[i]) {
            '{' -> obj()
            '[' -> arr()
            '"' -> str()
            't' -> lit("true", true)
            'f' -> lit("false", false)
            'n' -> lit("null", JNull)
            else -> if (c == '-' || c.isDigit()) num() else error("unexpected '$c' at $i")
        }
    }

    private fun lit(word: String, v: Any): Any {
        require(s.startsWith(word, i)) { "bad literal at $i" }
        i += word.length
        return v
    }

    private fun num(): JNum {
        val start = i
        while (i < s.length && (s[i].isDigit() || s[i] in "+-.eE")) i++
        return JNum(s.substring(start, i))
    }

    private fun str(): String {
        i++ // opening quote
        val sb = StringBuilder()
        while (true) {
            require(i < s.length) { "unterminated string" }
            val c = s[i++]
            when (c) {
                '"' -> return sb.toString()
                '\\' -> {
                    when (val e = s[i++]) {
                        '"' -> sb.append('"')
                        '\\' -> sb.append('\\')
                        '/' -> sb.append('/')
                        'b' -> sb.append('\b')
                        'f' -> sb.append('\u000c')
                        'n' -> sb.append('\n')
                        'r' -> sb.append('\r')
                        't' -> sb.append('\t')
                        'u' -> {
                            sb.append(s.substring(i, i + 4).toInt(16).toChar())
                            i += 4
                        }
                        else -> error("bad escape \\$e")
                    }
                }
                else -> sb.append(c)
            }
        }
    }

    private fun arr(): List<Any> {
        i++
        val out = ArrayList<Any>()
        ws()
        if (s[i] == ']') { i++; return out }
        while (true) {
            out.add(value())
            ws()
            when (s[i++]) {
                ',' -> continue
                ']' -> return out
                else -> error("expected , or ] at ${i - 1}")
            }
        }
    }

    private fun obj(): Map<String, Any> {
        i++
        val out = LinkedHashMap<String, Any>()
        ws()
        if (s[i] == '}') { i++; return out }
        while (true) {
            ws()
            val k = str()
            ws()
            require(s[i++] == ':') { "expected : at ${i - 1}" }
            out[k] = value()
            ws()
            when (s[i++]) {
                ',' -> continue
                '}' -> return out
                else -> error("expected , or } at ${i - 1}")
            }
        }
    }
}

fun parseJson(text: String): Any = JsonReader(text).parse()

// Accessors for the harness.
@Suppress("UNCHECKED_CAST")
fun Any?.obj(): Map<String, Any> = this as Map<String, Any>
@Suppress("UNCHECKED_CAST")
fun Any?.arr(): List<Any> = this as List<Any>
fun Any?.str(): String = this as String
fun Any?.strOrNull(): String? = if (this == null || this == JNull) null else this as String
fun Any?.long(): Long = (this as JNum).toLong()
fun Any?.longOrNull(): Long? = if (this == null || this == JNull) null else (this as JNum).toLong()
fun Any?.bool(): Boolean = this as Boolean
fun Any?.isNull(): Boolean = this == null || this == JNull

/** A value tree built by the harness, in the reader's shapes (numbers as JNum). */
fun jv(v: Any?): Any = when (v) {
    null -> JNull
    is Long -> JNum(v.toString())
    is Int -> JNum(v.toString())
    is UInt -> JNum(v.toString())
    is ULong -> JNum(v.toString())
    is List<*> -> v.map { jv(it) }
    is Map<*, *> -> v.entries.associate { (k, x) -> k as String to jv(x) }
    else -> v
}

/** Writes a value tree back as compact JSON (for failure messages). */
fun show(v: Any?): String = when (v) {
    null, JNull -> "null"
    is String -> "\"" + v.replace("\\", "\\\\").replace("\"", "\\\"").replace("\n", "\\n") + "\""
    is Map<*, *> -> v.entries.joinToString(",", "{", "}") { (k, x) -> show(k) + ":" + show(x) }
    is List<*> -> v.joinToString(",", "[", "]") { show(it) }
    else -> v.toString()
}

fun hex(s: String): ByteArray {
    require(s.length % 2 == 0)
    return ByteArray(s.length / 2) { s.substring(it * 2, it * 2 + 2).toInt(16).toByte() }
}
