// Hand-written (Charter.swift and CharterCore.swift beside it are generated):
// the parts of contract/surface.json uniffi cannot spell. Nothing here
// decides anything; every line forwards to the generated API.
//  - properties where the surface has them (uniffi objects export methods
//    only: the Rust side exports `getX()`, read here as `x`);
//  - the accepted inputs of every union: `Capability | string` (any
//    CapabilityConvertible, wrapped as CapabilityInput, so text that does
//    not parse is a denial, as in the core), `Request | object | string`
//    (JSON text through Request.fromJson), `KeySet | object | string` (JWKS
//    text through KeySet.fromJwks);
//  - one call's options packed into one CallOptions (one crossing);
//  - the code, message, reasons and family of any CharterError.
import Foundation

// MARK: properties

extension RootKey {
    /// The public key id carried in every capability minted with this key.
    public var kid: String { getKid() }
}

extension SigningKey {
    /// RFC 7638 thumbprint of the public key.
    public var kid: String { getKid() }
}

extension PublicKey {
    /// RFC 7638 thumbprint.
    public var kid: String { getKid() }
}

extension Capability {
    /// The stable public id (for receipts and revocation).
    public var id: String { getId() }
    /// The id minted into the root (revokes every capability minted with it).
    public var tokenId: String { getTokenId() }
    /// The kid of the root key it was minted with.
    public var rootKid: String { getRootKid() }
    /// Unix seconds.
    public var issuedAt: Int64 { getIssuedAt() }
    /// The caveats, in order.
    public var caveats: [String] { getCaveats() }
}

extension Request {
    /// Who asks.
    public var agent: String { getAgent() }
    /// The tool or operation.
    public var action: String { getAction() }
    /// The arguments as canonical (JCS) JSON text.
    public var args: String { get throws { try getArgs() } }
    /// What the call acts on, when given.
    public var resource: String? { getResource() }
}

extension Holder {
    /// The key id to bind capabilities to.
    public var kid: String { getKid() }
}

extension Verifier {
    /// The identity caveats see as `audience`; permits are issued for it.
    public var audience: String { getAudience() }
}

extension Store {
    /// What the store is: its URL, without a password.
    public var url: String { getUrl() }
}

extension PermitIssuer {
    /// The kid of the signing key (what a verifier's JWKS must hold).
    public var kid: String { getKid() }
}

extension Permit {
    /// The compact JWS text to hand to the tool.
    public var token: String { getToken() }
    /// Its claims.
    public var claims: PermitClaims { getClaims() }
    /// The kid of the key that signed it.
    public var kid: String { getKid() }
}

extension Receipt {
    /// base64url SHA-256 of the canonical JSON: what the next receipt's `prev` holds.
    public var hash: String { getHash() }
    /// Position in its log, from 0.
    public var seq: UInt64 { getSeq() }
    /// Hash of the receipt before (the genesis value for seq 0).
    public var prev: String { getPrev() }
    /// Unix seconds.
    public var ts: Int64 { getTs() }
    /// The request's agent.
    public var agent: String { getAgent() }
    /// The request's action.
    public var action: String { getAction() }
    /// The arguments' hash.
    public var args: String { getArgs() }
    /// The capability id, when the token parsed.
    public var cap: String? { getCap() }
    /// The permit's jti, when one was issued.
    public var permit: String? { getPermit() }
    /// `"allow"` or `"deny"`.
    public var decision: String { getDecision() }
    /// Why it denied (empty when allowed).
    public var reasons: [Reason] { getReasons() }
    /// The kid of the audit key that signed it.
    public var kid: String { getKid() }
    /// Key ids of the approvers whose approvals counted, sorted; empty when none did.
    public var approvers: [String] { getApprovers() }
}

// MARK: Capability | string, Request | object | string

/// A capability as a caller holds it: a parsed `Capability`, or its text.
public protocol CapabilityConvertible {
    /// The capability as the core takes it.
    var capabilityInput: CapabilityInput { get }
}

extension Capability: CapabilityConvertible {
    /// The parsed capability.
    public var capabilityInput: CapabilityInput { .parsed(capability: self) }
}

extension String: CapabilityConvertible {
    /// Capability text, parsed at the check (a denial when it does not parse).
    public var capabilityInput: CapabilityInput { .text(token: self) }
}

extension Verifier {
    /// Decides one call. A denial is data (`allowed == false` with reasons), never an error.
    public func check<C: CapabilityConvertible>(capability: C, request: Request, proof: String? = nil, now: Int64? = nil) -> Decision {
        check(capability: capability.capabilityInput, request: request, options: CallOptions(proof: proof, now: now))
    }

    /// As `check`, the request as its JSON text `{"agent","action","args","resource"?}`.
    public func check<C: CapabilityConvertible>(capability: C, request: String, proof: String? = nil, now: Int64? = nil) throws -> Decision {
        check(capability: capability, request: try Request.fromJson(text: request), proof: proof, now: now)
    }
}

extension Guard {
    /// Decides and records the decision; returns it as data (a receipt that cannot be recorded is a denial).
    public func check<C: CapabilityConvertible>(capability: C, request: Request, proof: String? = nil, now: Int64? = nil) -> Decision {
        check(capability: capability.capabilityInput, request: request, options: CallOptions(proof: proof, now: now))
    }

    /// As `check`, the request as its JSON text.
    public func check<C: CapabilityConvertible>(capability: C, request: String, proof: String? = nil, now: Int64? = nil) throws -> Decision {
        check(capability: capability, request: try Request.fromJson(text: request), proof: proof, now: now)
    }

    /// A permit for exactly this call, or `Denied` carrying the reasons; a receipt
    /// is recorded either way. `permitId` fixes the permit's jti; random otherwise.
    public func protect<C: CapabilityConvertible>(capability: C, request: Request, proof: String? = nil, idempotencyKey: String? = nil,
                                                  now: Int64? = nil, permitId: String? = nil) throws -> Permit {
        try protect(capability: capability.capabilityInput, request: request,
                    options: CallOptions(proof: proof, idempotencyKey: idempotencyKey, permitId: permitId, now: now))
    }

    /// As `protect`, the request as its JSON text.
    public func protect<C: CapabilityConvertible>(capability: C, request: String, proof: String? = nil, idempotencyKey: String? = nil,
                                                  now: Int64? = nil, permitId: String? = nil) throws -> Permit {
        try protect(capability: capability, request: try Request.fromJson(text: request), proof: proof,
                    idempotencyKey: idempotencyKey, now: now, permitId: permitId)
    }
}

extension Holder {
    /// A proof for one request to one audience; `nonce` (16 to 64 bytes) only in tests.
    public func prove<C: CapabilityConvertible>(capability: C, request: Request, audience: String, now: Int64? = nil, nonce: Data? = nil) throws -> String {
        try prove(capability: capability.capabilityInput, request: request, audience: audience, now: now, nonce: nonce)
    }

    /// As `prove`, the request as its JSON text.
    public func prove<C: CapabilityConvertible>(capability: C, request: String, audience: String, now: Int64? = nil, nonce: Data? = nil) throws -> String {
        try prove(capability: capability, request: try Request.fromJson(text: request), audience: audience, now: now, nonce: nonce)
    }
}

extension SigningKey {
    /// An approval of one exact call (capability id, action, args hash, audience); `args` is JSON text.
    public func approve<C: CapabilityConvertible>(capability: C, action: String, args: String, audience: String, expiresIn: Int64, now: Int64? = nil) throws -> String {
        try approve(capability: capability.capabilityInput, action: action, args: args, audience: audience, expiresIn: expiresIn, now: now)
    }
}

// MARK: KeySet | object | string

extension PermitVerifier {
    /// A permit verifier trusting the keys of this JWKS text.
    public convenience init(keys: String, audience: String, leeway: Int64? = nil, store: Store? = nil) throws {
        try self.init(keys: KeySet.fromJwks(jwks: keys), audience: audience, leeway: leeway, store: store)
    }
}

extension Receipt {
    /// Checks the signature against the keys of this JWKS text.
    public func verify(keys: String) throws {
        try verify(keys: KeySet.fromJwks(jwks: keys))
    }
}

/// Verifies a bundle against the keys of this JWKS text.
public func verifyBundle(bundle: String, trusted: String, anchor: String? = nil) throws -> BundleReport {
    try verifyBundle(bundle: bundle, trusted: KeySet.fromJwks(jwks: trusted), anchor: anchor)
}

// MARK: errors

extension CharterError {
    /// The stable code from contract/errors.json (e.g. "malformed").
    public var code: String {
        switch self {
        case let .FormatError(code, _), let .UsageError(code, _), let .CryptoError(code, _),
             let .AuthorizationError(code, _), let .AuditError(code, _),
             let .EnvironmentError(code, _), let .Denied(code, _, _), let .ApprovalRequired(code, _, _):
            return code
        }
    }

    /// A message a person can act on.
    public var message: String {
        switch self {
        case let .FormatError(_, detail), let .UsageError(_, detail), let .CryptoError(_, detail),
             let .AuthorizationError(_, detail), let .AuditError(_, detail),
             let .EnvironmentError(_, detail), let .Denied(_, detail, _), let .ApprovalRequired(_, detail, _):
            return detail
        }
    }

    /// The decision's reasons when `protect` denied; empty for every other error.
    public var reasons: [Reason] {
        switch self {
        case let .Denied(_, _, reasons), let .ApprovalRequired(_, _, reasons): return reasons
        default: return []
        }
    }

    /// The family name from contract/errors.json (e.g. "FormatError").
    public var family: String {
        switch self {
        case .FormatError: return "FormatError"
        case .UsageError: return "UsageError"
        case .CryptoError: return "CryptoError"
        case .AuthorizationError: return "AuthorizationError"
        case .AuditError: return "AuditError"
        case .EnvironmentError: return "EnvironmentError"
        case .Denied, .ApprovalRequired: return "Denied"
        }
    }
}
