import Foundation

// The Swift API as declared in the package's sources: the generated
// Charter.swift (classes and functions), CharterCore.swift (records) and the
// hand-written Charter+Surface.swift (properties, union overloads), parsed
// into declarations with labels, types and defaults for the drift test.

struct SwiftDecl {
    var name: String
    var params: [(label: String, type: String, hasDefault: Bool)]
    var returns: String
}

struct SwiftClass {
    var inits: [SwiftDecl] = []
    var statics: [SwiftDecl] = []
    var methods: [SwiftDecl] = []
    var properties: [String: String] = [:]
}

/// Splits "a: A, b: [B]? = nil" at its top-level commas.
func splitParams(_ s: Substring) -> [String] {
    var out: [String] = [], cur = "", depth = 0
    for ch in s {
        if "([<".contains(ch) { depth += 1 } else if ")]>".contains(ch) { depth -= 1 }
        if ch == ",", depth == 0 { out.append(cur); cur = "" } else { cur.append(ch) }
    }
    if !cur.trimmingCharacters(in: .whitespaces).isEmpty { out.append(cur) }
    return out.map { $0.trimmingCharacters(in: .whitespaces) }
}

/// One declaration line: "open func name<C: P>(a: A, b: B = nil) throws -> R {".
func parseDecl(_ line: String, after prefix: String) -> SwiftDecl {
    var rest = Substring(line.dropFirst(prefix.count))
    let rawName = rest.prefix { $0 != "(" && $0 != "<" }
    let name = rawName.replacingOccurrences(of: "`", with: "")
    rest = rest.dropFirst(rawName.count)
    var generic: [String: String] = [:]
    if rest.hasPrefix("<") {
        let g = rest.dropFirst().prefix { $0 != ">" }
        for p in splitParams(g) { let kv = p.components(separatedBy: ": "); generic[kv[0]] = kv[1] }
        rest = rest.dropFirst(g.count + 2)
    }
    var depth = 0, end = rest.startIndex
    for i in rest.indices {
        if rest[i] == "(" { depth += 1 } else if rest[i] == ")" { depth -= 1; if depth == 0 { end = i; break } }
    }
    let inner = rest[rest.index(after: rest.startIndex)..<end]
    let params = splitParams(inner).map { p -> (label: String, type: String, hasDefault: Bool) in
        let label = String(p.prefix { $0 != ":" }).replacingOccurrences(of: "`", with: "")
        var type = p.dropFirst(label.count + 1).trimmingCharacters(in: .whitespaces)
        let hasDefault = type.contains(" = ")
        if hasDefault { type = String(type[..<type.range(of: " = ")!.lowerBound]) }
        return (label, generic[type] ?? type, hasDefault)
    }
    var returns = ""
    if let arrow = rest[end...].range(of: "->") {
        returns = rest[arrow.upperBound...].prefix { $0 != "{" }.trimmingCharacters(in: .whitespaces)
    }
    return SwiftDecl(name: name, params: params, returns: returns)
}

/// Declarations may span lines: joins each until its opening brace.
func logicalLines(_ text: String) -> [String] {
    var out: [String] = [], pending: String? = nil
    for raw in text.split(separator: "\n", omittingEmptySubsequences: false) {
        let l = String(raw)
        if var p = pending { p += " " + l.trimmingCharacters(in: .whitespaces); pending = p
            if l.contains("{") { out.append(p); pending = nil }
            continue
        }
        let t = l.trimmingCharacters(in: .whitespaces)
        if (t.hasPrefix("public func ") || t.hasPrefix("public convenience init(")) && !l.contains("{") { pending = l; continue }
        out.append(l)
    }
    return out
}

struct SwiftAPI {
    let generated: String
    var classes: [String: SwiftClass] = [:]
    var records: [String: [(String, String)]] = [:]
    var functions: [SwiftDecl] = []

    init(generated: String, records recordSource: String, handWritten: String) {
        self.generated = generated
        var current: String? = nil
        for l in logicalLines(generated) {
            if l.hasPrefix("open class ") {
                current = String(l.dropFirst("open class ".count).prefix { $0.isLetter || $0.isNumber })
                classes[current!] = SwiftClass()
            } else if l.hasPrefix("public struct ") || l.hasPrefix("public protocol ") || l.hasPrefix("public enum ") {
                current = nil
            } else if let c = current {
                if l.hasPrefix("public convenience init(") { classes[c]!.inits.append(parseDecl(l, after: "public convenience ")) }
                else if l.hasPrefix("open func ") { classes[c]!.methods.append(parseDecl(l, after: "open func ")) }
                else if l.hasPrefix("public static func ") { classes[c]!.statics.append(parseDecl(l, after: "public static func ")) }
            } else if l.hasPrefix("public func "), !l.hasPrefix("public func FfiConverter"), !l.hasPrefix("public func uniffi") {
                functions.append(parseDecl(l, after: "public func "))
            }
        }
        for l in logicalLines(handWritten) {
            let t = l.trimmingCharacters(in: .whitespaces)
            if l.hasPrefix("extension ") {
                current = String(l.dropFirst("extension ".count).prefix { $0.isLetter || $0.isNumber })
            } else if l.hasPrefix("}") {
                current = nil
            } else if l.hasPrefix("public func ") {
                functions.append(parseDecl(l, after: "public func "))
            } else if let c = current, classes[c] != nil {
                if t.hasPrefix("public convenience init(") { classes[c]!.inits.append(parseDecl(t, after: "public convenience ")) }
                else if t.hasPrefix("public func ") { classes[c]!.methods.append(parseDecl(t, after: "public func ")) }
                else if t.hasPrefix("public var ") {
                    let d = t.dropFirst("public var ".count)
                    let n = String(d.prefix { $0 != ":" })
                    classes[c]!.properties[n] = d.dropFirst(n.count + 1).prefix { $0 != "{" }.trimmingCharacters(in: .whitespaces)
                }
            }
        }
        var rec: String? = nil
        for l in recordSource.split(separator: "\n") {
            if l.hasPrefix("public struct "), !l.hasPrefix("public struct FfiConverter") {
                rec = String(l.dropFirst("public struct ".count).prefix { $0.isLetter || $0.isNumber }); records[rec!] = []
            } else if let r = rec {
                let t = l.trimmingCharacters(in: .whitespaces)
                if t.hasPrefix("public init(") || l.hasPrefix("}") { rec = nil }
                else if t.hasPrefix("public var ") {
                    let d = t.dropFirst("public var ".count), n = String(d.prefix { $0 != ":" })
                    records[r]!.append((n, d.dropFirst(n.count + 1).trimmingCharacters(in: .whitespaces)))
                }
            }
        }
    }
}

func snake(_ s: String) -> String {
    s.reduce(into: "") { $0 += $1.isUppercase ? "_" + $1.lowercased() : String($1) }
}

/// The order of a record's fields in surface.json (JSONSerialization loses it): read from the file's text.
func surfaceOrder(_ surface: [String: Any], _ rec: String) -> [String] {
    let text = try! String(contentsOf: repo.appendingPathComponent("contract/surface.json"), encoding: .utf8)
    guard let start = text.range(of: "\"\(rec)\": {", range: text.range(of: "\"records\"")!.upperBound..<text.endIndex) else { return [] }
    let body = text[start.upperBound...].prefix { $0 != "}" }
    return body.split(separator: "\n").compactMap { l in
        let t = l.trimmingCharacters(in: .whitespaces)
        return t.hasPrefix("\"") ? String(t.dropFirst().prefix { $0 != "\"" }) : nil
    }
}

/// Whether a Swift type is the surface type `spec` (one alternative, or "T | null").
func swiftTypeIs(_ spec: String, _ t: String) -> Bool {
    if spec.hasSuffix(" | null") { return t.hasSuffix("?") && swiftTypeIs(String(spec.dropLast(7)), String(t.dropLast())) }
    if spec.hasSuffix("[]") { return t.hasPrefix("[") && t.hasSuffix("]") && swiftTypeIs(String(spec.dropLast(2)), String(t.dropFirst().dropLast())) }
    switch spec {
    // ErrorCode: the core's code, a typealias of String (uniffi custom type).
    case "string", "object": return t == "String" || t == "ErrorCode"
    case "int": return ["Int64", "UInt64", "UInt32"].contains(t)
    case "time": return t == "Int64"
    case "bool": return t == "Bool"
    case "bytes": return t == "Data"
    case "null": return t == ""
    default: return t == spec
    }
}

/// Every union alternative of a spec'd member must have one overload (a
/// generic `C: CapabilityConvertible` covers Capability and string), and every
/// overload must be one of them or uniffi's raw form (CapabilityInput, CallOptions).
func overloadProblems(_ what: String, _ decls: [SwiftDecl], _ params: [String], _ returns: String?) -> [String] {
    let spec = params.map { p -> (name: String, optional: Bool, type: String) in
        let parts = p.components(separatedBy: ": ")
        return (camel(String(parts[0].replacingOccurrences(of: "?", with: ""))), parts[0].hasSuffix("?"), parts.dropFirst().joined(separator: ": "))
    }
    var combos: [[(name: String, optional: Bool, type: String)]] = [[]]
    for p in spec {
        let parts = p.type.components(separatedBy: " | ")
        let alts = parts.count == 2 && parts[1] == "null" ? [p.type] : Array(Set(parts.map { $0 == "object" ? "string" : $0 })).sorted()
        combos = combos.flatMap { c in alts.map { c + [(p.name, p.optional, $0)] } }
    }
    func typeMatches(_ spec: String, _ t: String) -> Bool {
        if t == "CapabilityConvertible" { return spec == "Capability" || spec == "string" }
        return swiftTypeIs(spec, t)
    }
    func matches(_ d: SwiftDecl, _ c: [(name: String, optional: Bool, type: String)]) -> Bool {
        guard d.params.count == c.count else { return false }
        for (g, w) in zip(d.params, c) {
            guard g.label == w.name, g.hasDefault == w.optional else { return false }
            if !(typeMatches(w.type, g.type) || (w.optional && g.type.hasSuffix("?") && typeMatches(w.type, String(g.type.dropLast())))) { return false }
        }
        return returns == nil || swiftTypeIs(returns!, d.returns.replacingOccurrences(of: "throws", with: "").trimmingCharacters(in: .whitespaces))
    }
    var problems: [String] = []
    for c in combos where !decls.contains(where: { matches($0, c) }) {
        problems.append("\(what): no overload \(c.map { "\($0.name)\($0.optional ? "?" : ""): \($0.type)" }) -> \(returns ?? "")")
    }
    for d in decls where !d.params.contains(where: { $0.type == "CapabilityInput" || $0.type == "CallOptions" }) && !combos.contains(where: { matches(d, $0) }) {
        problems.append("\(what): unexpected overload \(d.params.map { "\($0.label): \($0.type)" }) -> \(d.returns)")
    }
    // A generic CapabilityConvertible parameter takes a Capability and a String: the surface must say both.
    for d in decls {
        for (i, p) in d.params.enumerated() where p.type == "CapabilityConvertible" {
            let alts = i < spec.count ? spec[i].type.components(separatedBy: " | ") : []
            if !(alts.contains("Capability") && alts.contains("string")) { problems.append("\(what): \(p.label) takes Capability | string, the surface says \(i < spec.count ? spec[i].type : "nothing")") }
        }
    }
    return problems
}

/// The surface without what other bindings alone export ("bindings": [...], e.g. Node's *_async forms).
func forBinding(_ surface: [String: Any], _ binding: String) -> [String: Any] {
    func here(_ spec: Any) -> Bool { ((spec as? [String: Any])?["bindings"] as? [String]).map { $0.contains(binding) } ?? true }
    func only(_ m: Any?) -> [String: Any] { (m as? [String: Any] ?? [:]).filter { here($0.value) } }
    var out = surface
    out["functions"] = only(surface["functions"])
    out["classes"] = only(surface["classes"]).mapValues { c -> Any in
        var c = c as? [String: Any] ?? [:]
        for k in ["static", "members"] where c[k] != nil { c[k] = only(c[k]) }
        return c
    }
    return out
}
