import Charter
import Foundation
import XCTest

// Swift suite: every vector of contract/vectors through the Swift API, the
// surface drift check (public API parsed from the generated Charter.swift),
// and hostile inputs. CHARTER_REPO points at the repository root.

let repo = URL(fileURLWithPath: ProcessInfo.processInfo.environment["CHARTER_REPO"] ?? FileManager.default.currentDirectoryPath)

func hex(_ s: String) -> Data {
    var d = Data()
    var i = s.startIndex
    while i < s.endIndex {
        let j = s.index(i, offsetBy: 2)
        d.append(UInt8(s[i..<j], radix: 16)!)
        i = j
    }
    return d
}

func hexString(_ d: Data) -> String { d.map { String(format: "%02x", $0) }.joined() }

/// Vectors compare as NSObject trees (JSONSerialization's shapes).
func tree(_ v: Any?) -> NSObject {
    switch v {
    case nil: return NSNull()
    case let s as String: return s as NSString
    // JSON numbers arrive as NSNumber; match them before Bool, which an
    // NSNumber 0 or 1 would also match.
    case let n as NSNumber: return n
    case let b as Bool: return NSNumber(value: b)
    case let i as Int64: return NSNumber(value: i)
    case let u as UInt32: return NSNumber(value: u)
    case let u as UInt64: return NSNumber(value: u)
    case let a as [Any?]: return a.map { tree($0) } as NSArray
    case let m as [String: Any?]: return Dictionary(uniqueKeysWithValues: m.map { ($0.key, tree($0.value)) }) as NSDictionary
    case let o as NSObject: return o
    default: fatalError("unexpected \(String(describing: v))")
    }
}

func outcome(_ body: () throws -> Any?) -> NSObject {
    do { return tree(try body()) } catch let e as CharterError {
        return tree(["error": e.code, "message": e.message])
    } catch { return tree(["unexpected": "\(error)"]) }
}

func capTree(_ c: Capability) -> [String: Any?] {
    ["token": c.serialize(), "id": c.id(), "token_id": c.tokenId(), "root_kid": c.rootKid(),
     "issued_at": c.issuedAt(), "caveats": c.caveats()]
}

func reasonsTree(_ rs: [Reason]) -> [[String: Any?]] {
    rs.map { ["code": $0.code, "caveat_index": $0.caveatIndex.map { NSNumber(value: $0) }, "message": $0.message] }
}

func decisionTree(_ d: Decision) -> [String: Any?] {
    ["allowed": d.allowed, "reasons": reasonsTree(d.reasons)]
}

func claimsTree(_ c: PermitClaims) -> [String: Any?] {
    var m: [String: Any?] = ["iss": c.iss, "sub": c.sub, "aud": c.aud, "act": c.act, "args": c.args,
                             "cap": c.cap, "iat": c.iat, "exp": c.exp, "jti": c.jti]
    if let idem = c.idem { m["idem"] = idem }
    return m
}

func reportTree(_ r: BundleReport) -> [String: Any?] {
    let h = r.head
    return ["count": r.count, "first_seq": r.firstSeq, "last_seq": r.lastSeq,
            "head": ["anchor": h.anchor, "count": h.count, "first_seq": h.firstSeq, "kid": h.kid,
                     "last_hash": h.lastHash, "last_seq": h.lastSeq, "sig": h.sig, "ts": h.ts, "v": h.v] as [String: Any?]]
}

struct UnknownVector: Error { let what: String }

func str(_ v: Any?) -> String? { v as? String }
func int(_ v: Any?) -> Int64? { (v as? NSNumber)?.int64Value }

func runVector(_ kind: String, _ v: [String: Any]) throws -> NSObject {
    switch kind {
    case "jcs":
        return outcome { ["output": try canonicalizeJson(text: str(v["input"])!)] }
    case "keys":
        switch str(v["type"])! {
        case "signing_key": return outcome {
            let sk = try SigningKey.fromBytes(bytes: hex(str(v["seed"])!))
            return ["kid": sk.kid(), "public": hexString(sk.publicKey().toBytes()), "jwk": try sk.publicKey().toJwk()]
        }
        case "public_key": return outcome {
            let pk = try PublicKey.fromBytes(bytes: hex(str(v["public"])!))
            return ["kid": pk.kid(), "jwk": try pk.toJwk()]
        }
        case "root_key": return outcome { ["kid": try RootKey.fromBytes(bytes: hex(str(v["secret"])!)).kid()] }
        case "jwks": return outcome {
            let ks = try KeySet.fromJwks(jwks: str(v["jwks"])!)
            return ["kids": ks.kids(), "jwks": ks.toJwks()]
        }
        case let t: throw UnknownVector(what: "keys type \(t)")
        }
    case "capabilities":
        switch str(v["type"])! {
        case "mint": return outcome {
            let o = v["options"] as! [String: Any]
            var cap = try Issuer(root: RootKey.fromBytes(bytes: hex(str(v["root"])!))).issue(
                agent: str(o["agent"]), actions: o["actions"] as? [String], audience: str(o["audience"]),
                notBefore: int(o["not_before"]), expiresAt: int(o["expires_at"]),
                neverExpires: o["never_expires"] as! Bool, caveats: o["caveats"] as? [String],
                tokenId: str(o["token_id"]).map(hex), issuedAt: int(o["issued_at"]))
            for c in v["attenuate"] as! [String] { cap = try cap.attenuate(caveat: c) }
            if let h = str(v["holder"]) { cap = try cap.bindHolder(kid: h) }
            return capTree(cap)
        }
        case "parse": return outcome { capTree(try Capability.parse(token: str(v["token"])!)) }
        case let t: throw UnknownVector(what: "capabilities type \(t)")
        }
    case "caveats", "checks":
        return outcome {
            let verifier = try Verifier(roots: (v["roots"] as! [String]).map { try RootKey.fromBytes(bytes: hex($0)) }, audience: str(v["audience"])!)
            for id in v["revoked"] as! [String] { try verifier.revoke(capabilityId: id) }
            let request = try Request.fromJson(text: str(v["request"])!)
            func check() -> Decision {
                // A token that does not parse is a denial with the parse error as its reason.
                do {
                    let cap = try Capability.parse(token: str(v["token"])!)
                    return verifier.check(capability: cap, request: request, proof: str(v["proof"]), now: int(v["now"]))
                } catch let e as CharterError {
                    return Decision(allowed: false, reasons: [Reason(code: e.code, caveatIndex: nil, message: e.message)])
                } catch { fatalError("\(error)") }
            }
            if (v["repeat"] as? Bool) == true { precondition(check().allowed, "first presentation must be allowed") }
            return decisionTree(check())
        }
    case "proofs":
        return outcome {
            let h = Holder(signingKey: try SigningKey.fromBytes(bytes: hex(str(v["holder"])!)))
            let proof = try h.prove(capability: Capability.parse(token: str(v["token"])!),
                                    request: Request.fromJson(text: str(v["request"])!),
                                    audience: str(v["audience"])!, now: int(v["now"]), nonce: hex(str(v["nonce"])!))
            return ["proof": proof, "holder_kid": h.kid()]
        }
    case "permits":
        switch str(v["type"])! {
        case "issue": return outcome {
            let issuer = try PermitIssuer(signingKey: SigningKey.fromBytes(bytes: hex(str(v["signing_key"])!)),
                                          issuer: str(v["issuer"])!, ttl: int(v["ttl"]))
            let p = try issuer.issue(subject: str(v["subject"])!, audience: str(v["audience"])!, action: str(v["action"])!,
                                     args: str(v["args"])!, capabilityId: str(v["capability_id"])!, now: int(v["now"]),
                                     jti: str(v["jti"]), idempotencyKey: str(v["idempotency_key"]))
            return ["token": p.token(), "kid": p.kid(), "claims": claimsTree(p.claims())]
        }
        case "verify": return outcome {
            let verifier = try PermitVerifier(keys: KeySet.fromJwks(jwks: str(v["jwks"])!), audience: str(v["audience"])!,
                                              leeway: int(v["leeway"]))
            let verify = { try verifier.verify(token: str(v["token"])!, action: str(v["action"])!, args: str(v["args"])!, now: int(v["now"])) }
            var claims = try verify()
            if (v["repeat"] as? Bool) == true { claims = try verify() }
            return ["claims": claimsTree(claims)]
        }
        case let t: throw UnknownVector(what: "permits type \(t)")
        }
    case "receipts":
        guard str(v["type"]) == "verify" else { throw UnknownVector(what: "receipts type \(v["type"]!)") }
        return outcome {
            let r = try Receipt.parse(json: str(v["receipt"])!)
            try r.verify(keys: KeySet.fromJwks(jwks: str(v["jwks"])!))
            return ["hash": r.hash(), "seq": r.seq(), "prev": r.prev(), "ts": r.ts(), "agent": r.agent(),
                    "action": r.action(), "args": r.args(), "cap": r.cap(), "permit": r.permit(),
                    "decision": r.decision(), "reasons": reasonsTree(r.reasons()), "kid": r.kid(), "json": r.toJson()] as [String: Any?]
        }
    case "bundles":
        let trusted = try KeySet.fromJwks(jwks: str(v["trusted"])!)
        return outcome { ["report": reportTree(try verifyBundle(bundle: str(v["bundle"])!, trusted: trusted, anchor: str(v["anchor"])))] }
    case "guard":
        let log = AuditLog.inMemory(signingKey: try SigningKey.fromBytes(bytes: hex(str(v["audit_key"])!)))
        let guard_ = Guard(
            verifier: try Verifier(roots: (v["roots"] as! [String]).map { try RootKey.fromBytes(bytes: hex($0)) }, audience: str(v["audience"])!),
            permitIssuer: try PermitIssuer(signingKey: SigningKey.fromBytes(bytes: hex(str(v["permit_key"])!)), issuer: str(v["issuer"])!),
            auditLog: log)
        let request = try Request.fromJson(text: str(v["request"])!)
        var got: [String: Any?] = [:]
        switch str(v["mode"])! {
        case "protect":
            do {
                let p = try guard_.protect(capability: str(v["token"])!, request: request, proof: str(v["proof"]),
                                           idempotencyKey: str(v["idempotency_key"]), now: int(v["now"]), permitId: str(v["permit_id"]))
                got["permit"] = p.token()
            } catch let e as CharterError {
                guard case .Denied = e else { throw e }
                got["error"] = e.code
                got["message"] = e.message
                got["reasons"] = reasonsTree(e.reasons)
            }
        case "check":
            got["decision"] = decisionTree(guard_.check(capability: str(v["token"])!, request: request, proof: str(v["proof"]), now: int(v["now"])))
        case let m: throw UnknownVector(what: "guard mode \(m)")
        }
        got.updateValue(log.head()?.toJson(), forKey: "receipt") // keeps the key when there is none
        return tree(got)
    case "audit-files":
        guard str(v["type"]) == "open" else { throw UnknownVector(what: "audit-files type \(v["type"]!)") }
        precondition((v["without_files"] as! [String: Any])["error"] as? String == "unsupported")
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("charter-audit-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let path = dir.appendingPathComponent(str(v["id"])!.replacingOccurrences(of: "/", with: "_")).path
        switch str(v["setup"])! {
        case "directory": try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: false)
        case "file": try Data(str(v["content"])!.utf8).write(to: URL(fileURLWithPath: path))
        case let s: throw UnknownVector(what: "audit-files setup \(s)")
        }
        do {
            let log = try AuditLog.open(
                path: path, signingKey: SigningKey.fromBytes(bytes: hex(str(v["audit_key"])!)),
                expectHead: str(v["expect_head"]))
            return tree(["len": log.len(), "head": log.head()?.hash()] as [String: Any?])
        } catch let e as CharterError {
            return tree(["error": e.code, "message": e.message.replacingOccurrences(of: path, with: "{path}")])
        }
    default:
        throw UnknownVector(what: "kind \(kind)")
    }
}

func camel(_ s: String) -> String {
    let parts = s.split(separator: "_").map(String.init)
    return parts[0] + parts.dropFirst().map { $0.prefix(1).uppercased() + $0.dropFirst() }.joined()
}

final class CharterTests: XCTestCase {
    func testEveryVector() throws {
        let dir = repo.appendingPathComponent("contract/vectors")
        let files = try FileManager.default.contentsOfDirectory(atPath: dir.path).filter { $0.hasSuffix(".json") }.sorted()
        XCTAssertFalse(files.isEmpty, "no vector files")
        var declared = 0, ran = 0, failed = 0, passed = 0
        for f in files {
            let doc = try JSONSerialization.jsonObject(with: Data(contentsOf: dir.appendingPathComponent(f))) as! [String: Any]
            let kind = doc["kind"] as! String
            for v in doc["vectors"] as! [[String: Any]] {
                declared += 1
                do {
                    let got = try runVector(kind, v)
                    ran += 1
                    let want = tree(v["expect"] as? NSObject)
                    if got != want { failed += 1; XCTFail("\(v["id"]!): expected \(want), got \(got)") } else { passed += 1 }
                } catch {
                    failed += 1
                    XCTFail("\(v["id"]!): \(error)")
                }
            }
        }
        print("swift vectors: \(passed) passed, \(failed) failed (\(declared) in the files)")
        XCTAssertEqual(passed + failed, declared)
    }

    func testSurfaceDrift() throws {
        let surface = try JSONSerialization.jsonObject(with: Data(contentsOf: repo.appendingPathComponent("contract/surface.json"))) as! [String: Any]
        let generated = try String(contentsOf: repo.appendingPathComponent("bindings/uniffi/swift/Sources/Charter/Charter.swift"), encoding: .utf8)
        // surface.json's parameters in Swift's spelling: "not_before?" -> "notBefore?".
        func want(_ params: Any?) -> [String] {
            (params as? [String] ?? []).map { $0.hasSuffix("?") ? camel(String($0.dropLast())) + "?" : camel($0) }
        }
        // A generated declaration's parameter labels, "?" marking those with a default.
        func labels(_ line: String) -> [String] {
            guard let open = line.firstIndex(of: "("), let close = line.lastIndex(of: ")") else { return [] }
            let inner = line[line.index(after: open)..<close]
            if inner.trimmingCharacters(in: .whitespaces).isEmpty { return [] }
            return inner.components(separatedBy: ", ").map { p in
                let label = p.prefix { $0 != ":" }.replacingOccurrences(of: "`", with: "")
                return label + (p.contains(" = ") ? "?" : "")
            }
        }
        func name(after prefix: String, in line: String) -> String {
            String(line.dropFirst(prefix.count).prefix { $0 != "(" }).replacingOccurrences(of: "`", with: "")
        }
        // Public classes and their public members, parsed from the generated
        // source: a class's members start at column 0 and its region ends at
        // the next public struct, protocol or enum (its FfiConverter).
        var exported: [String: [String: [String]]] = [:]
        var current: String? = nil
        var functions: [String: [String]] = [:]
        for line in generated.split(separator: "\n", omittingEmptySubsequences: false) {
            let l = String(line)
            if l.hasPrefix("open class ") {
                current = String(l.dropFirst("open class ".count).prefix { $0.isLetter || $0.isNumber })
                exported[current!] = [:]
            } else if l.hasPrefix("public struct ") || l.hasPrefix("public protocol ") || l.hasPrefix("public enum ") {
                current = nil
            } else if let c = current {
                if l.hasPrefix("public convenience init(") {
                    exported[c]!["init"] = labels(l)
                } else if l.hasPrefix("open func ") {
                    exported[c]![name(after: "open func ", in: l)] = labels(l)
                } else if l.hasPrefix("public static func ") {
                    exported[c]![name(after: "public static func ", in: l)] = labels(l)
                }
            } else if l.hasPrefix("public func "), !l.hasPrefix("public func FfiConverter"), !l.hasPrefix("public func uniffi") {
                functions[name(after: "public func ", in: l)] = labels(l)
            }
        }
        let extras: Set<String> = ["uniffiCloneHandle", "uniffiClonePointer"]
        let classes = surface["classes"] as! [String: [String: Any]]
        XCTAssertEqual(Set(exported.keys), Set(classes.keys), "exported classes")
        for (cls, spec) in classes {
            var wanted: [String: [String]] = [:]
            if spec["constructor"] != nil { wanted["init"] = want(spec["constructor"]) }
            for k in ["static", "members"] {
                for (m, params) in spec[k] as? [String: Any] ?? [:] { wanted[camel(m)] = want(params) }
            }
            let got = exported[cls, default: [:]].filter { !extras.contains($0.key) }
            XCTAssertEqual(got, wanted, "class \(cls)")
        }
        for (rec, fields) in surface["records"] as! [String: [String]] {
            // A record's stored fields, in order, from "public struct Name" to its init.
            guard let start = generated.range(of: "public struct \(rec)[:{ ]", options: .regularExpression) else { XCTFail("record \(rec)"); continue }
            var got: [String] = []
            for line in generated[start.upperBound...].split(separator: "\n") {
                let l = line.trimmingCharacters(in: .whitespaces)
                if l.hasPrefix("public init(") { break }
                if l.hasPrefix("public var ") { got.append(String(l.dropFirst("public var ".count).prefix { $0 != ":" })) }
            }
            XCTAssertEqual(got, fields.map(camel), "record \(rec)")
        }
        let wantedFunctions = (surface["functions"] as! [String: [String: Any]]).reduce(into: [String: [String]]()) {
            $0[camel($1.key)] = want($1.value["params"])
        }
        XCTAssertEqual(functions, wantedFunctions, "top-level functions")
        let families = (surface["errors"] as! [String: Any])["families"] as! [String]
        for fam in families { XCTAssertTrue(generated.contains("case \(fam)("), "error case \(fam)") }
    }

    func testHostileInputs() throws {
        func expect(_ family: String, _ code: String, _ body: () throws -> Any) {
            do { _ = try body(); XCTFail("expected \(code), nothing thrown") } catch let e as CharterError {
                XCTAssertEqual(e.family, family); XCTAssertEqual(e.code, code); XCTAssertFalse(e.message.isEmpty)
            } catch { XCTFail("not a CharterError: \(error)") }
        }
        expect("UsageError", "invalid_argument") { try RootKey.fromBytes(bytes: Data(count: 16)) }
        expect("UsageError", "invalid_argument") { try SigningKey.fromBytes(bytes: Data(count: 31)) }
        expect("UsageError", "invalid_argument") { try PublicKey.fromBytes(bytes: Data(count: 33)) }
        expect("FormatError", "malformed") { try Capability.parse(token: "!!!not base64!!!") }
        expect("UsageError", "limit_exceeded") { try Capability.parse(token: String(repeating: "A", count: 10_000_000)) }
        expect("FormatError", "malformed") { try canonicalizeJson(text: "{\"amount\":9007199254740993}") }
        expect("FormatError", "malformed") { try Request(agent: "a", action: "x", args: "{\"amount\":9007199254740993}") }
        expect("UsageError", "invalid_argument") { try Request(agent: "a", action: "x", args: "[1]") }
        let deep = String(repeating: "[", count: 100_000) + String(repeating: "]", count: 100_000)
        expect("UsageError", "limit_exceeded") { try canonicalizeJson(text: deep) }
        expect("UsageError", "limit_exceeded") { try Request.fromJson(text: String(repeating: "x", count: 4_000_000)) }
        expect("UsageError", "invalid_argument") { try Verifier(roots: [], audience: "aud") }
        let root = try RootKey.fromBytes(bytes: Data(repeating: 7, count: 32))
        let cap = try Issuer(root: root).issue(agent: "a", neverExpires: true, issuedAt: 1767225600)
        // A typo in a caveat is the caller's mistake: a UsageError, not a 403.
        expect("UsageError", "invalid_caveat") { try cap.attenuate(caveat: "args.amount <=") }
        // An expiry is required, in the future, in seconds.
        expect("UsageError", "invalid_argument") { try Issuer(root: root).issue(agent: "a") }
        expect("UsageError", "invalid_argument") { try Issuer(root: root).issue(expiresAt: 1767225599, issuedAt: 1767225600) }
        expect("UsageError", "invalid_argument") { try Issuer(root: root).issue(expiresAt: 1767229200, neverExpires: true, issuedAt: 1767225600) }
        do {
            _ = try Issuer(root: root).issue(expiresAt: 1767229200000, issuedAt: 1767225600)
            XCTFail("an expiry in milliseconds was accepted")
        } catch let e as CharterError {
            XCTAssertTrue(e.message.contains("not milliseconds"), e.message)
        }
        // A missing holder proof has its own code; a token with a newline says strip it.
        let bound = try cap.bindHolder(kid: Holder(signingKey: SigningKey.generate()).kid())
        let unproven = try Verifier(roots: [root], audience: "aud").check(capability: bound, request: Request(agent: "a", action: "x", args: "{}"), now: 1767225600)
        XCTAssertEqual(unproven.reasons.map { $0.code }, ["proof_required"])
        do {
            _ = try Capability.parse(token: cap.serialize() + "\n")
            XCTFail("a token with a newline parsed")
        } catch let e as CharterError {
            XCTAssertEqual(e.code, "malformed")
            XCTAssertTrue(e.message.contains("strip it"), e.message)
        }
        let d = try Verifier(roots: [root], audience: "aud").check(capability: cap, request: Request(agent: "a", action: "x", args: "{}"), proof: String(repeating: "A", count: 5_000_000), now: 1767225600)
        XCTAssertFalse(d.allowed)

        // Permits, receipts, logs, bundles and the guard.
        let sk = try SigningKey.fromBytes(bytes: Data(repeating: 9, count: 32))
        let keys = try KeySet.fromKeys(keys: [sk.publicKey()])
        expect("UsageError", "invalid_argument") { try PermitIssuer(signingKey: sk, issuer: "gw", ttl: -1) }
        expect("UsageError", "invalid_argument") { try PermitVerifier(keys: keys, audience: "tool", leeway: 100_000) }
        let pv = try PermitVerifier(keys: keys, audience: "tool")
        expect("FormatError", "malformed") { try pv.verify(token: "not.a.jwt", action: "x", args: "{}") }
        expect("UsageError", "limit_exceeded") { try pv.verify(token: String(repeating: "A", count: 5_000_000), action: "x", args: "{}") }
        expect("FormatError", "malformed") { try Permit.parse(token: "%%%") }
        let p = try PermitIssuer(signingKey: sk, issuer: "gw").issue(subject: "a", audience: "tool", action: "x", args: "{\"n\":1}", capabilityId: "cap", now: 1767225600)
        expect("AuthorizationError", "args_mismatch") { try pv.verify(token: p.token(), action: "x", args: "{\"n\":2}", now: 1767225600) }
        XCTAssertEqual(try pv.verify(token: p.token(), action: "x", args: "{\"n\":1}", now: 1767225600).cap, "cap")
        expect("AuthorizationError", "replayed") { try pv.verify(token: p.token(), action: "x", args: "{\"n\":1}", now: 1767225600) }
        expect("FormatError", "malformed") { try Receipt.parse(json: "{}") }
        expect("UsageError", "limit_exceeded") { try verifyBundle(bundle: String(repeating: "[", count: 100_000), trusted: keys) }
        let log = AuditLog.inMemory(signingKey: try SigningKey.fromBytes(bytes: Data(repeating: 5, count: 32)))
        expect("UsageError", "invalid_argument") { try log.receipts(start: 1, end: 0) }
        expect("UsageError", "invalid_argument") { try log.receipts(start: 0, end: UInt64.max) }
        expect("EnvironmentError", "io") { try AuditLog.open(path: "/nonexistent-charter-dir/x/log.jsonl", signingKey: sk) }
        let verifier = try Verifier(roots: [root], audience: "aud")
        let guard_ = Guard(verifier: verifier, permitIssuer: try PermitIssuer(signingKey: sk, issuer: "gw"), auditLog: log)
        let req = try Request(agent: "a", action: "x", args: "{}")
        do {
            _ = try guard_.protect(capability: "%%%", request: req, now: 1767225600)
            XCTFail("garbage was allowed")
        } catch let e as CharterError {
            XCTAssertEqual(e.family, "Denied"); XCTAssertEqual(e.reasons.map(\.code), ["malformed"])
        }
        XCTAssertEqual(log.len(), 1)
        XCTAssertEqual(log.head()?.decision(), "deny")
        // Revoking through the verifier reaches the guard that shares it.
        XCTAssertTrue(guard_.check(capability: cap.serialize(), request: req, now: 1767225600).allowed)
        try verifier.revoke(capabilityId: cap.id())
        XCTAssertEqual(guard_.check(capability: cap.serialize(), request: req, now: 1767225600).reasons.map(\.code), ["revoked"])
        // Anything not shaped like a capability id is refused; a token id revokes its family.
        let fresh = try Verifier(roots: [root], audience: "aud")
        for bad in ["", cap.id() + "=", cap.id() + "==", " " + cap.id(), String(cap.id().dropFirst()), cap.id() + "AA", "not a capability id"] {
            expect("UsageError", "invalid_argument") { try fresh.revoke(capabilityId: bad) }
        }
        XCTAssertTrue(fresh.check(capability: cap, request: req, now: 1767225600).allowed)
        try fresh.revoke(capabilityId: cap.tokenId())
        XCTAssertEqual(try fresh.check(capability: cap.attenuate(caveat: "true"), request: req, now: 1767225600).reasons.map(\.code), ["revoked"])
    }

    func testExpectHeadCatchesACut() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("charter-expect-head-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let path = dir.appendingPathComponent("audit.jsonl").path
        let sk = try SigningKey.fromBytes(bytes: Data(repeating: 5, count: 32))
        let log = try AuditLog.open(path: path, signingKey: sk)
        let root = try RootKey.fromBytes(bytes: Data(repeating: 7, count: 32))
        let cap = try Issuer(root: root).issue(agent: "a", actions: ["x"], neverExpires: true, tokenId: Data(count: 16), issuedAt: 1767225600)
        let guard_ = Guard(verifier: try Verifier(roots: [root], audience: "aud"),
                           permitIssuer: try PermitIssuer(signingKey: sk, issuer: "gw"), auditLog: log)
        let req = try Request(agent: "a", action: "x", args: "{}")
        for _ in 0..<5 { _ = guard_.check(capability: cap.serialize(), request: req, now: 1767225600) }
        let kept = log.head()!.toJson()
        XCTAssertEqual(try AuditLog.open(path: path, signingKey: sk, expectHead: kept).len(), 5)
        let lines = try String(contentsOfFile: path, encoding: .utf8).split(separator: "\n")
        try Data(lines.prefix(3).map { $0 + "\n" }.joined().utf8).write(to: URL(fileURLWithPath: path))
        XCTAssertEqual(try AuditLog.open(path: path, signingKey: sk).len(), 3)
        func expect(_ family: String, _ code: String, _ needle: String, _ body: () throws -> Any) {
            do { _ = try body(); XCTFail("expected \(code), nothing thrown") } catch let e as CharterError {
                XCTAssertEqual(e.family, family); XCTAssertEqual(e.code, code)
                XCTAssertTrue(e.message.contains(needle), e.message)
            } catch { XCTFail("not a CharterError: \(error)") }
        }
        expect("AuditError", "chain_broken", "2 receipts are missing") { try AuditLog.open(path: path, signingKey: sk, expectHead: kept) }
        expect("FormatError", "malformed", "expect_head") { try AuditLog.open(path: path, signingKey: sk, expectHead: "{}") }
    }

    func testQuickstart() throws {
        try quickstart()
    }
}
