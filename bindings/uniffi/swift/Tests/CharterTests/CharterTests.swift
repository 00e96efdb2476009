import Charter
import Foundation
import XCTest

// Swift suite: every vector of contract/vectors (the stateful ones under
// contract/vectors/stateful/ included, each on a store opened with
// openStore("memory:")) through the Swift API, the
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

/// code -> family, from contract/errors.json.
let errorFamilies: [String: String] = {
    let doc = try! JSONSerialization.jsonObject(with: Data(contentsOf: repo.appendingPathComponent("contract/errors.json"))) as! [String: Any]
    return (doc["codes"] as! [[String: Any]]).reduce(into: [:]) { $0[$1["code"] as! String] = ($1["family"] as! String) }
}()

func outcome(_ body: () throws -> Any?) -> NSObject {
    do { return tree(try body()) } catch let e as CharterError {
        // An error outside the family errors.json gives its code fails the vector.
        if errorFamilies[e.code] != e.family { return tree(["family_mismatch": "\(e.code) as \(e.family)"]) }
        return tree(["error": e.code, "message": e.message])
    } catch { return tree(["unexpected": "\(error)"]) }
}

func capTree(_ c: Capability) -> [String: Any?] {
    ["token": c.serialize(), "id": c.id, "token_id": c.tokenId, "root_kid": c.rootKid,
     "issued_at": c.issuedAt, "caveats": c.caveats]
}

func reasonsTree(_ rs: [Reason]) -> [[String: Any?]] {
    rs.map { r in
        var m: [String: Any?] = ["code": r.code, "caveat_index": r.caveatIndex.map { NSNumber(value: $0) }, "message": r.message]
        if let a = r.approval {
            m["approval"] = ["required": NSNumber(value: a.required), "approvers": a.approvers, "valid": NSNumber(value: a.valid),
                             "capability": a.capability, "action": a.action, "args_hash": a.argsHash, "audience": a.audience] as [String: Any]
        }
        return m
    }
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
            return ["kid": sk.kid, "public": hexString(sk.publicKey().toBytes()), "jwk": try sk.publicKey().toJwk()]
        }
        case "public_key": return outcome {
            let pk = try PublicKey.fromBytes(bytes: hex(str(v["public"])!))
            return ["kid": pk.kid, "jwk": try pk.toJwk()]
        }
        case "root_key": return outcome { ["kid": try RootKey.fromBytes(bytes: hex(str(v["secret"])!)).kid] }
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
            // The token as text: one that does not parse is a denial with the
            // parse error as its one reason (the core's CapabilityRef::Text).
            func check() -> Decision {
                verifier.check(capability: str(v["token"])!, request: request, proof: str(v["proof"]), now: int(v["now"]))
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
            return ["proof": proof, "holder_kid": h.kid]
        }
    case "permits":
        switch str(v["type"])! {
        case "issue": return outcome {
            let issuer = try PermitIssuer(signingKey: SigningKey.fromBytes(bytes: hex(str(v["signing_key"])!)),
                                          issuer: str(v["issuer"])!, ttl: int(v["ttl"]))
            let p = try issuer.issue(subject: str(v["subject"])!, audience: str(v["audience"])!, action: str(v["action"])!,
                                     args: str(v["args"])!, capabilityId: str(v["capability_id"])!, now: int(v["now"]),
                                     jti: str(v["jti"]), idempotencyKey: str(v["idempotency_key"]))
            return ["token": p.token, "kid": p.kid, "claims": claimsTree(p.claims)]
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
            return ["hash": r.hash, "seq": r.seq, "prev": r.prev, "ts": r.ts, "agent": r.agent,
                    "action": r.action, "args": r.args, "cap": r.cap, "permit": r.permit,
                    "decision": r.decision, "reasons": reasonsTree(r.reasons), "kid": r.kid, "json": r.toJson()] as [String: Any?]
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
                got["permit"] = p.token
            } catch let e as CharterError {
                switch e { case .Denied, .ApprovalRequired: break; default: throw e }
                got["error"] = e.code
                got["message"] = e.message
                got["reasons"] = reasonsTree(e.reasons)
            }
        case "check":
            got["decision"] = decisionTree(guard_.check(capability: str(v["token"])!, request: request, proof: str(v["proof"]), now: int(v["now"])))
        case let m: throw UnknownVector(what: "guard mode \(m)")
        }
        got.updateValue(try log.head()?.toJson(), forKey: "receipt") // keeps the key when there is none
        return tree(got)
    case "guard-sequences":
        // One store for the sequence: the verifier's budgets, the issuer's idempotency keys.
        guard str(v["store"]) == "memory" else { throw UnknownVector(what: "guard-sequences store \(v["store"]!)") }
        let store = try openStore(url: "memory:")
        let log = AuditLog.inMemory(signingKey: try SigningKey.fromBytes(bytes: hex(str(v["audit_key"])!)))
        let guard_ = Guard(
            verifier: try Verifier(roots: (v["roots"] as! [String]).map { try RootKey.fromBytes(bytes: hex($0)) }, audience: str(v["audience"])!, store: store),
            permitIssuer: try PermitIssuer(signingKey: SigningKey.fromBytes(bytes: hex(str(v["permit_key"])!)), issuer: str(v["issuer"])!, store: store),
            auditLog: log)
        var results: [[String: Any?]] = []
        for c in v["calls"] as! [[String: Any]] {
            let request = try Request.fromJson(text: str(c["request"])!)
            do {
                let p = try guard_.protect(capability: str(v["token"])!, request: request, proof: str(v["proof"]),
                                           idempotencyKey: str(c["idempotency_key"]), now: int(c["now"]), permitId: str(c["permit_id"]))
                results.append(["permit": p.token])
            } catch let e as CharterError {
                // An error outside the family errors.json gives its code fails the vector.
                if errorFamilies[e.code] != e.family { results.append(["family_mismatch": "\(e.code) as \(e.family)"]); continue }
                // `reasons` is the decision's on a denial, empty for every other error.
                results.append(["error": e.code, "message": e.message, "reasons": reasonsTree(e.reasons)])
            }
        }
        var got: [String: Any?] = ["results": results, "receipts": try log.len()]
        got.updateValue(try log.head()?.toJson(), forKey: "receipt") // keeps the key when there is none
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
            return tree(["len": try log.len(), "head": try log.head()?.hash] as [String: Any?])
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
        let json = { (d: String) throws -> [String] in
            try FileManager.default.contentsOfDirectory(atPath: dir.appendingPathComponent(d).path).filter { $0.hasSuffix(".json") }.sorted()
        }
        let stateful = try json("stateful").map { "stateful/\($0)" }
        let files = try json(".") + stateful
        XCTAssertFalse(files.isEmpty, "no vector files")
        XCTAssertFalse(stateful.isEmpty, "no vector files in contract/vectors/stateful")
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
        let surface = forBinding(try JSONSerialization.jsonObject(with: Data(contentsOf: repo.appendingPathComponent("contract/surface.json"))) as! [String: Any], "swift")
        let sources = repo.appendingPathComponent("bindings/uniffi/swift/Sources/Charter")
        func read(_ f: String) throws -> String { try String(contentsOf: sources.appendingPathComponent(f), encoding: .utf8) }
        let api = SwiftAPI(generated: try read("Charter.swift"), records: try read("CharterCore.swift"), handWritten: try read("Charter+Surface.swift"))
        var problems: [String] = []
        let classes = surface["classes"] as! [String: [String: Any]]
        XCTAssertEqual(Set(api.classes.keys), Set(classes.keys), "exported classes")
        for (cls, spec) in classes {
            let c = api.classes[cls] ?? SwiftClass()
            if let ctor = spec["constructor"] as? [String] {
                problems += overloadProblems("\(cls).init", c.inits, ctor, nil)
            } else if !c.inits.isEmpty { problems.append("\(cls): unexpected init") }
            let statics = (spec["static"] as? [String: [String: Any]] ?? [:]).reduce(into: [String: [String: Any]]()) { $0[camel($1.key)] = $1.value }
            if Set(c.statics.map(\.name)) != Set(statics.keys) { problems.append("\(cls) static: want \(statics.keys.sorted()), got \(c.statics.map(\.name).sorted())") }
            for (n, m) in statics {
                problems += overloadProblems("\(cls).\(n)", c.statics.filter { $0.name == n }, m["params"] as! [String], m["returns"] as? String)
            }
            let members = (spec["members"] as? [String: [String: Any]] ?? [:]).reduce(into: [String: [String: Any]]()) { $0[camel($1.key)] = $1.value }
            let props = members.filter { $0.value["property"] != nil }
            let rawGetters = Set(props.keys.map { "get" + $0.prefix(1).uppercased() + $0.dropFirst() })
            let methodNames = Set(c.methods.map(\.name)).subtracting(rawGetters).subtracting(["uniffiCloneHandle", "uniffiClonePointer"])
            let wantMethods = Set(members.keys).subtracting(props.keys)
            if methodNames != wantMethods { problems.append("\(cls) methods: want \(wantMethods.sorted()), got \(methodNames.sorted())") }
            for (n, m) in members {
                if let t = m["property"] as? String {
                    guard let got = c.properties[n] else { problems.append("\(cls).\(n): not a property"); continue }
                    if !swiftTypeIs(t, got) { problems.append("\(cls).\(n): want \(t), got \(got)") }
                    if !c.methods.contains(where: { $0.name == "get" + n.prefix(1).uppercased() + n.dropFirst() }) { problems.append("\(cls).\(n): no exported getter") }
                } else {
                    problems += overloadProblems("\(cls).\(n)", c.methods.filter { $0.name == n }, m["params"] as! [String], m["returns"] as? String)
                }
            }
        }
        for (rec, fields) in surface["records"] as! [String: [String: String]] {
            guard let got = api.records[rec] else { problems.append("record \(rec) missing"); continue }
            if got.map(\.0) != surfaceOrder(surface, rec).map(camel) {
                problems.append("record \(rec): fields \(got.map(\.0))")
            }
            for (f, t) in got where !swiftTypeIs(fields[snake(f)] ?? "?", t) { problems.append("record \(rec).\(f): want \(fields[snake(f)] ?? "?"), got \(t)") }
        }
        let functions = (surface["functions"] as! [String: [String: Any]]).reduce(into: [String: [String: Any]]()) { $0[camel($1.key)] = $1.value }
        if Set(api.functions.map(\.name)) != Set(functions.keys).union(["version"]) { problems.append("functions: \(api.functions.map(\.name).sorted())") }
        for (n, f) in functions { problems += overloadProblems(n, api.functions.filter { $0.name == n }, f["params"] as! [String], f["returns"] as? String) }
        problems += overloadProblems("version", api.functions.filter { $0.name == "version" }, [], "string")
        for fam in (surface["errors"] as! [String: Any])["families"] as! [String] where !api.generated.contains("case \(fam)(") { problems.append("error case \(fam)") }
        XCTAssertEqual(problems, [], problems.joined(separator: "\n"))
        let cargo = try String(contentsOf: repo.appendingPathComponent("Cargo.toml"), encoding: .utf8)
        let v = cargo.split(separator: "\n").first { $0.hasPrefix("version = ") }!.split(separator: "\"")[1]
        XCTAssertEqual(version(), String(v))
    }

    func testErrorsAgainstErrorsJson() throws {
        let errors = try JSONSerialization.jsonObject(with: Data(contentsOf: repo.appendingPathComponent("contract/errors.json"))) as! [String: Any]
        let codes = errors["codes"] as! [[String: Any]]
        XCTAssertTrue(codes.contains { $0["code"] as? String == "internal" })
        for c in codes {
            let code = c["code"] as! String, fam = c["family"] as! String
            let e: CharterError
            switch fam {
            case "FormatError": e = .FormatError(code: code, detail: "m")
            case "UsageError": e = .UsageError(code: code, detail: "m")
            case "CryptoError": e = .CryptoError(code: code, detail: "m")
            case "AuthorizationError": e = .AuthorizationError(code: code, detail: "m")
            case "AuditError": e = .AuditError(code: code, detail: "m")
            case "EnvironmentError": e = .EnvironmentError(code: code, detail: "m")
            case "Denied": e = .Denied(code: code, detail: "m", reasons: [])
            default: XCTFail("unknown family \(fam) of \(code)"); continue
            }
            XCTAssertEqual(e.code, code); XCTAssertEqual(e.message, "m"); XCTAssertEqual(e.family, fam)
        }
        // Raised through the boundary: the family errors.json gives the code (vectors check every error the same way).
        for body in [{ _ = try Capability.parse(token: "%%%") }, { _ = try RootKey.fromBytes(bytes: Data(count: 1)) },
                     { _ = try KeySet.fromKeys(keys: []).get(kid: "x") }] as [() throws -> Void] {
            do { try body(); XCTFail("nothing thrown") } catch let e as CharterError { XCTAssertEqual(errorFamilies[e.code], e.family) }
        }
    }

    func testUnionsDecideAlike() throws {
        let t0: Int64 = 1767225600
        let root = try RootKey.fromBytes(bytes: Data(repeating: 3, count: 32))
        let cap = try Issuer(root: root).issue(agent: "a", actions: ["x"], expiresAt: t0 + 3600, tokenId: Data(count: 16), issuedAt: t0)
        let text = cap.serialize()
        let reqJson = #"{"agent":"a","action":"x","args":{"n":1}}"#, denyJson = #"{"agent":"b","action":"x","args":{}}"#
        let v = try Verifier(roots: [root], audience: "svc")
        let sk = try SigningKey.fromBytes(bytes: Data(repeating: 5, count: 32))
        let log = AuditLog.inMemory(signingKey: sk)
        let g = Guard(verifier: v, permitIssuer: try PermitIssuer(signingKey: sk, issuer: "gw"), auditLog: log)
        for rq in [reqJson, denyJson] {
            let r = try Request.fromJson(text: rq)
            let want = v.check(capability: cap, request: r, now: t0)
            for d in [v.check(capability: text, request: r, now: t0), try v.check(capability: cap, request: rq, now: t0),
                      try v.check(capability: text, request: rq, now: t0), g.check(capability: cap, request: r, now: t0),
                      g.check(capability: text, request: r, now: t0), try g.check(capability: text, request: rq, now: t0)] {
                XCTAssertEqual(d, want, rq)
            }
        }
        XCTAssertEqual(v.check(capability: "%%%", request: try Request.fromJson(text: reqJson), now: t0),
                       g.check(capability: "%%%", request: try Request.fromJson(text: reqJson), now: t0))
        let claims = try [g.protect(capability: cap, request: reqJson, now: t0, permitId: "p"),
                          g.protect(capability: text, request: try Request.fromJson(text: reqJson), now: t0, permitId: "p")].map(\.claims)
        XCTAssertEqual(claims[0], claims[1])
        let h = Holder(signingKey: try SigningKey.fromBytes(bytes: Data(repeating: 4, count: 32)))
        let nonce = Data(repeating: 9, count: 16)
        XCTAssertEqual(try h.prove(capability: cap, request: reqJson, audience: "svc", now: t0, nonce: nonce),
                       try h.prove(capability: text, request: try Request.fromJson(text: reqJson), audience: "svc", now: t0, nonce: nonce))
        // KeySet | object | string
        let jwks = log.keys().toJwks()
        let receipt = try log.head()!
        try receipt.verify(keys: log.keys())
        try receipt.verify(keys: jwks)
        let bundle = try log.exportBundle()
        XCTAssertEqual(try verifyBundle(bundle: bundle, trusted: log.keys()), try verifyBundle(bundle: bundle, trusted: jwks))
        let p1 = try PermitIssuer(signingKey: sk, issuer: "gw").issue(subject: "a", audience: "tool", action: "x", args: "{}", capabilityId: "c", now: t0, jti: "j1")
        let p2 = try PermitIssuer(signingKey: sk, issuer: "gw").issue(subject: "a", audience: "tool", action: "x", args: "{}", capabilityId: "c", now: t0, jti: "j2")
        let c1 = try PermitVerifier(keys: log.keys(), audience: "tool").verify(token: p1.token, action: "x", args: "{}", now: t0)
        let c2 = try PermitVerifier(keys: jwks, audience: "tool").verify(token: p2.token, action: "x", args: "{}", now: t0)
        XCTAssertEqual(c1.sub, c2.sub); XCTAssertEqual(c1.args, c2.args); XCTAssertEqual(c2.jti, "j2")
        // Properties read as properties, in every class.
        XCTAssertEqual(v.audience, "svc"); XCTAssertEqual(cap.rootKid, root.kid)
        XCTAssertEqual(try Request(agent: "a", action: "x", args: #"{"n":1}"#).args, #"{"n":1}"#)
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
        let bound = try cap.bindHolder(kid: Holder(signingKey: SigningKey.generate()).kid)
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
        expect("AuthorizationError", "args_mismatch") { try pv.verify(token: p.token, action: "x", args: "{\"n\":2}", now: 1767225600) }
        XCTAssertEqual(try pv.verify(token: p.token, action: "x", args: "{\"n\":1}", now: 1767225600).cap, "cap")
        expect("AuthorizationError", "replayed") { try pv.verify(token: p.token, action: "x", args: "{\"n\":1}", now: 1767225600) }
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
        XCTAssertEqual(try log.len(), 1)
        XCTAssertEqual(try log.head()?.decision, "deny")
        // Revoking through the verifier reaches the guard that shares it.
        XCTAssertTrue(guard_.check(capability: cap.serialize(), request: req, now: 1767225600).allowed)
        try verifier.revoke(capabilityId: cap.id)
        XCTAssertEqual(guard_.check(capability: cap.serialize(), request: req, now: 1767225600).reasons.map(\.code), ["revoked"])
        // Anything not shaped like a capability id is refused; a token id revokes its family.
        let fresh = try Verifier(roots: [root], audience: "aud")
        for bad in ["", cap.id + "=", cap.id + "==", " " + cap.id, String(cap.id.dropFirst()), cap.id + "AA", "not a capability id"] {
            expect("UsageError", "invalid_argument") { try fresh.revoke(capabilityId: bad) }
        }
        XCTAssertTrue(fresh.check(capability: cap, request: req, now: 1767225600).allowed)
        try fresh.revoke(capabilityId: cap.tokenId)
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
        let kept = try log.head()!.toJson()
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

    /// Shared stores, against a SQLite file and, when CHARTER_PG_URL names a
    /// server (scripts/test.sh uniffi starts one), PostgreSQL: a permit is
    /// accepted once across verifiers, a revocation through one is seen by the
    /// other, an audit log shared by two writers exports a bundle that
    /// verifies. The calls run on a background queue, as the README says.
    func testStores() throws {
        var urls = ["sqlite://" + FileManager.default.temporaryDirectory.appendingPathComponent("charter-swift-\(UUID().uuidString).db").path]
        let env = ProcessInfo.processInfo.environment
        if let pg = env["CHARTER_PG_URL"] { urls.append(pg) } else if env["CHARTER_REQUIRE_POSTGRES"] == "1" {
            XCTFail("CHARTER_REQUIRE_POSTGRES=1 but CHARTER_PG_URL is not set")
        }
        let now = Int64(Date().timeIntervalSince1970)
        let root = try RootKey.fromBytes(bytes: Data(repeating: 0x41, count: 32))
        let permitKey = try SigningKey.fromBytes(bytes: Data(repeating: 0x42, count: 32))
        let auditKey = try SigningKey.fromBytes(bytes: Data(repeating: 0x43, count: 32))
        let otherKey = try SigningKey.fromBytes(bytes: Data(repeating: 0x44, count: 32))
        let req = try Request(agent: "agent-1", action: "refund", args: "{\"amount\":5}")
        do { _ = try openStore(url: "redis://h/0"); XCTFail("redis:// was accepted") } catch let e as CharterError {
            XCTAssertEqual(e.code, "invalid_argument")
        }
        for url in urls {
            let keys = try KeySet.fromKeys(keys: [permitKey.publicKey()])
            let verifiers = [try PermitVerifier(keys: keys, audience: "tool", store: try openStore(url: url)),
                             try PermitVerifier(keys: keys, audience: "tool", store: try openStore(url: url))]
            let token = try PermitIssuer(signingKey: permitKey, issuer: "gw")
                .issue(subject: "agent-1", audience: "tool", action: "refund", args: "{}", capabilityId: "cap", jti: "jti-\(UUID().uuidString)").token
            let lock = NSLock()
            var results: [String] = []
            DispatchQueue.concurrentPerform(iterations: 8) { i in
                let r: String
                do { _ = try verifiers[i % 2].verify(token: token, action: "refund", args: "{}"); r = "accepted" } catch let e as CharterError { r = e.code } catch { r = "\(error)" }
                lock.lock(); results.append(r); lock.unlock()
            }
            XCTAssertEqual(results.sorted(), ["accepted"] + Array(repeating: "replayed", count: 7), url)
            let store = try openStore(url: url)
            let a = try Verifier(roots: [root], audience: "svc", store: try openStore(url: url))
            let b = try Verifier(roots: [root], audience: "svc", store: store)
            let cap = try Issuer(root: root).issue(actions: ["refund"], expiresAt: now + 3600)
            XCTAssertTrue(b.check(capability: cap, request: req).allowed)
            try a.revoke(capabilityId: cap.id)
            XCTAssertEqual(b.check(capability: cap, request: req).reasons.map { $0.code }, ["revoked"])
            XCTAssertTrue(try store.revoked().contains(cap.id))
            let name = "log-\(UUID().uuidString)"
            let guards = try [auditKey, otherKey].map { k in
                Guard(verifier: try Verifier(roots: [root], audience: "svc"), permitIssuer: try PermitIssuer(signingKey: permitKey, issuer: "gw"),
                      auditLog: try AuditLog.inStore(store: try openStore(url: url), name: name, signingKey: k))
            }
            let live = try Issuer(root: root).issue(actions: ["refund"], expiresAt: now + 3600)
            DispatchQueue.concurrentPerform(iterations: 10) { i in _ = guards[i % 2].check(capability: live, request: req) }
            let reader = try AuditLog.inStore(store: store, name: name, signingKey: auditKey)
            XCTAssertEqual(try reader.len(), 10)
            let report = try verifyBundle(bundle: try reader.exportBundle(), trusted: try KeySet.fromKeys(keys: [auditKey.publicKey(), otherKey.publicKey()]))
            XCTAssertEqual(report.count, 10)
        }
    }

    /// TLS to PostgreSQL (rustls, no OpenSSL in the library), when
    /// scripts/postgres.sh made the server speak it: CHARTER_PG_TLS_URL is a
    /// role admitted over TLS only, CHARTER_PG_TLS_CA the CA that signed the
    /// server's certificate for 127.0.0.1, CHARTER_PG_TLS_OTHER_CA a CA of the
    /// same name that did not (scripts/test-uniffi.sh copies both where the
    /// Swift chroot sees them).
    func testStoresOverTls() throws {
        let env = ProcessInfo.processInfo.environment
        let names = ["CHARTER_PG_TLS_URL", "CHARTER_PG_TLS_CA", "CHARTER_PG_TLS_OTHER_CA"]
        let values = names.map { env[$0] ?? "" }
        if values.contains("") {
            if env["CHARTER_REQUIRE_POSTGRES"] == "1" { XCTFail("CHARTER_REQUIRE_POSTGRES=1 but \(names.joined(separator: ", ")) are not set") }
            return
        }
        let (url, ca, otherCa) = (values[0], values[1], values[2])
        func withCa(_ mode: String, _ file: String) -> String {
            "\(url)?connect_timeout=5&sslmode=\(mode)&sslrootcert=\(file.addingPercentEncoding(withAllowedCharacters: .urlPathAllowed) ?? file)"
        }
        let root = try RootKey.fromBytes(bytes: Data(repeating: 0x45, count: 32))
        let req = try Request(agent: "agent-1", action: "refund", args: "{\"amount\":5}")
        let store = try openStore(url: withCa("verify-full", ca))
        let a = try Verifier(roots: [root], audience: "svc", store: try openStore(url: withCa("verify-full", ca)))
        let b = try Verifier(roots: [root], audience: "svc", store: store)
        let cap = try Issuer(root: root).issue(actions: ["refund"], expiresAt: Int64(Date().timeIntervalSince1970) + 3600)
        XCTAssertTrue(b.check(capability: cap, request: req).allowed)
        try a.revoke(capabilityId: cap.id)
        XCTAssertEqual(b.check(capability: cap, request: req).reasons.map { $0.code }, ["revoked"])
        XCTAssertTrue(try store.revoked().contains(cap.id))
        do { _ = try openStore(url: "\(url)?connect_timeout=5&sslmode=disable"); XCTFail("plaintext was accepted") } catch let e as CharterError {
            XCTAssertTrue(e.message.contains("no encryption"), e.message)
        }
        do { _ = try openStore(url: withCa("verify-full", otherCa)); XCTFail("a wrong CA was accepted") } catch let e as CharterError {
            XCTAssertEqual(e.code, "store_unavailable")
            XCTAssertTrue(e.message.contains("certificate"), e.message)
        }
    }

    /// The 4-caveat check from Swift (the Rust bench's `capability/check/4`: token
    /// text, parse + chain + 4 caveats), median of batches; run by
    /// `scripts/test-uniffi.sh --bench` (release build, CHARTER_BENCH=1).
    func testBench() throws {
        guard ProcessInfo.processInfo.environment["CHARTER_BENCH"] != nil else { throw XCTSkip("set CHARTER_BENCH=1 to run") }
        let t0: Int64 = 1767225600
        let root = try RootKey.fromBytes(bytes: Data(repeating: 1, count: 32))
        let cap = try Issuer(root: root).issue(agent: "shopper-7", actions: ["payments.refund", "orders.read"],
                                               audience: "tools.shop.example", expiresAt: t0 + 3600, issuedAt: t0)
        XCTAssertEqual(cap.caveats.count, 4)
        let token = cap.serialize()
        let req = try Request(agent: "shopper-7", action: "payments.refund", args: #"{"amount":4200,"currency":"USD"}"#)
        let verifier = try Verifier(roots: [root], audience: "tools.shop.example")
        XCTAssertTrue(verifier.check(capability: token, request: req, now: t0 + 60).allowed)
        func median(_ body: () -> Void) -> Double {
            let warm = DispatchTime.now().uptimeNanoseconds + 1_000_000_000
            while DispatchTime.now().uptimeNanoseconds < warm { body() }
            var samples: [Double] = []
            for _ in 0..<200 {
                let start = DispatchTime.now().uptimeNanoseconds
                for _ in 0..<200 { body() }
                samples.append(Double(DispatchTime.now().uptimeNanoseconds - start) / 200)
            }
            return samples.sorted()[100]
        }
        let text = median { _ = verifier.check(capability: token, request: req, now: t0 + 60) }
        let parsed = median { _ = verifier.check(capability: cap, request: req, now: t0 + 60) }
        let bare = median { _ = verifier.audience }
        print(String(format: "swift 4-caveat check, token text (median): %.2f us", text / 1000))
        print(String(format: "swift 4-caveat check, parsed capability (median): %.2f us", parsed / 1000))
        print(String(format: "swift one call returning a string (verifier.audience, median): %.2f us", bare / 1000))
    }

    func testQuickstart() throws {
        try quickstart()
    }

    /// Human approvals: SigningKey.approve, the request's "approvals", and CharterError.ApprovalRequired.
    func testApprovals() throws {
        let t0: Int64 = 1767225600
        let root = try RootKey.fromBytes(bytes: Data(repeating: 11, count: 32))
        let alice = try SigningKey.fromBytes(bytes: Data(repeating: 12, count: 32))
        let bob = try SigningKey.fromBytes(bytes: Data(repeating: 13, count: 32))
        let caveat = "approval(2, [\"\(alice.kid)\", \"\(bob.kid)\"], args.amount > 1000)"
        let cap = try Issuer(root: root).issue(agent: "shopper", actions: ["refund"], expiresAt: t0 + 3600, caveats: [caveat], issuedAt: t0)
        let args = #"{"amount":5000}"#
        func request(_ approvals: [String]) -> String {
            #"{"agent":"shopper","action":"refund","args":"# + args + #","approvals":["# + approvals.map { "\"\($0)\"" }.joined(separator: ",") + "]}"
        }
        let a = try alice.approve(capability: cap, action: "refund", args: args, audience: "shop", expiresIn: 300, now: t0)
        let b = try bob.approve(capability: cap.serialize(), action: "refund", args: args, audience: "shop", expiresIn: 300, now: t0)
        let v = try Verifier(roots: [root], audience: "shop")
        XCTAssertTrue(try v.check(capability: cap, request: request([a, b]), now: t0 + 1).allowed)
        let d = try v.check(capability: cap, request: request([a]), now: t0 + 1)
        XCTAssertEqual(d.reasons.map(\.code), ["approval_required"])
        let log = AuditLog.inMemory(signingKey: try SigningKey.fromBytes(bytes: Data(repeating: 14, count: 32)))
        let g = Guard(verifier: v, permitIssuer: try PermitIssuer(signingKey: SigningKey.fromBytes(bytes: Data(repeating: 15, count: 32)), issuer: "gw"), auditLog: log)
        do {
            _ = try g.protect(capability: cap, request: request([a, a]), now: t0 + 1)
            XCTFail("one approver twice must not be enough")
        } catch let e as CharterError {
            guard case let .ApprovalRequired(code, _, reasons) = e else { throw e }
            XCTAssertEqual(code, "approval_required"); XCTAssertEqual(e.family, "Denied")
            let need = try XCTUnwrap(reasons.first?.approval)
            XCTAssertEqual(need.required, 2); XCTAssertEqual(need.valid, 1)
            XCTAssertEqual(need.approvers, [alice.kid, bob.kid]); XCTAssertEqual(need.capability, cap.id)
            XCTAssertEqual(need.argsHash, try hashJson(text: args))
        }
        _ = try g.protect(capability: cap, request: request([a, b]), now: t0 + 1)
        let head = try XCTUnwrap(try log.head()).toJson()
        XCTAssertTrue(head.contains("\"approvers\":[") && head.contains(alice.kid) && head.contains(bob.kid), head)
        XCTAssertEqual(try XCTUnwrap(try log.head()).approvers, [alice.kid, bob.kid].sorted())
        XCTAssertThrowsError(try g.protect(capability: cap, request: request([a]), now: t0 + 1))
        XCTAssertEqual(try XCTUnwrap(try log.head()).approvers, [])
    }
}
