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

func decisionTree(_ d: Decision) -> [String: Any?] {
    ["allowed": d.allowed, "reasons": d.reasons.map { ["code": $0.code, "caveat_index": $0.caveatIndex.map { NSNumber(value: $0) }, "message": $0.message] as [String: Any?] }]
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
                notBefore: int(o["not_before"]), expiresAt: int(o["expires_at"]), caveats: o["caveats"] as? [String],
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
            for id in v["revoked"] as! [String] { verifier.revoke(capabilityId: id) }
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
        // public classes and their public funcs, parsed from the generated source
        var exported: [String: Set<String>] = [:]
        var current: String? = nil
        // In the generated file a class's members start at column 0 and its
        // region ends at its FfiConverter struct.
        for line in generated.split(separator: "\n", omittingEmptySubsequences: false) {
            let l = String(line)
            if l.hasPrefix("open class ") {
                let name = l.dropFirst("open class ".count).prefix { $0.isLetter || $0.isNumber }
                current = String(name)
                exported[current!] = []
            } else if l.hasPrefix("public struct ") || l.hasPrefix("public protocol ") || l.hasPrefix("public enum ") {
                current = nil
            } else if let c = current {
                if l.hasPrefix("public convenience init(") {
                    exported[c]!.insert("init")
                } else if l.hasPrefix("open func ") || l.hasPrefix("public static func ") {
                    let after = l.components(separatedBy: "func ")[1]
                    exported[c]!.insert(String(after.prefix { $0 != "(" }))
                }
            }
        }
        let extras: Set<String> = ["uniffiCloneHandle", "uniffiClonePointer"]
        let classes = surface["classes"] as! [String: [String: Any]]
        XCTAssertEqual(Set(exported.keys), Set(classes.keys), "exported classes")
        for (name, spec) in classes {
            var want = Set<String>()
            if spec["constructor"] != nil { want.insert("init") }
            for k in ["static", "members"] { for m in (spec[k] as? [String: Any] ?? [:]).keys { want.insert(camel(m)) } }
            XCTAssertEqual(exported[name, default: []].subtracting(extras), want, "class \(name)")
        }
        for (name, fields) in surface["records"] as! [String: [String]] {
            XCTAssertTrue(generated.contains("public struct \(name)"), "record \(name)")
            for f in fields { XCTAssertTrue(generated.contains("public var \(camel(f)): "), "\(name).\(camel(f))") }
        }
        for f in (surface["functions"] as! [String: Any]).keys {
            XCTAssertTrue(generated.contains("public func \(camel(f))("), "function \(f)")
        }
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
        let cap = try Issuer(root: root).issue(agent: "a", issuedAt: 1767225600)
        expect("AuthorizationError", "caveat_syntax") { try cap.attenuate(caveat: "args.amount <=") }
        let d = try Verifier(roots: [root], audience: "aud").check(capability: cap, request: Request(agent: "a", action: "x", args: "{}"), proof: String(repeating: "A", count: 5_000_000), now: 1767225600)
        XCTAssertFalse(d.allowed)
    }

    func testQuickstart() throws {
        try quickstart()
    }
}
