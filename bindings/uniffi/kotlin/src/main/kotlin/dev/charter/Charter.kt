// Hand-written (charter_uniffi.kt and core/charter_core.kt are generated):
// the parts of contract/surface.json uniffi cannot spell. Nothing here
// decides anything; every line forwards to the generated API.
//  - the core's records, generated into dev.charter.core, under their names here;
//  - properties where the surface has them (uniffi objects export methods
//    only: the Rust side exports `getX()`, read here as `x`);
//  - the accepted inputs of every union: `Capability | string` (wrapped as
//    CapabilityInput, so text that does not parse is a denial, as in the
//    core), `Request | object | string` (JSON text through Request.fromJson),
//    `KeySet | object | string` (JWKS text through KeySet.fromJwks);
//  - one call's options packed into one CallOptions (one crossing);
//  - Verifier.check and Guard.check through Direct.kt's one structure-free
//    crossing when it is available (the generated call otherwise);
//  - the code, message, reasons and family of any CharterException.
package dev.charter

typealias Decision = dev.charter.core.Decision
typealias Reason = dev.charter.core.Reason
typealias PermitClaims = dev.charter.core.PermitClaims
typealias BundleReport = dev.charter.core.BundleReport
typealias BundleHead = dev.charter.core.BundleHead
typealias CallOptions = dev.charter.core.CallOptions

// --- properties ---------------------------------------------------------------
/** The public key id carried in every capability minted with this key. */
val RootKey.kid: String get() = getKid()
/** RFC 7638 thumbprint of the public key. */
val SigningKey.kid: String get() = getKid()
/** RFC 7638 thumbprint. */
val PublicKey.kid: String get() = getKid()
/** The stable public id (for receipts and revocation). */
val Capability.id: String get() = getId()
/** The id minted into the root (revokes every capability minted with it). */
val Capability.tokenId: String get() = getTokenId()
/** The kid of the root key it was minted with. */
val Capability.rootKid: String get() = getRootKid()
/** Unix seconds. */
val Capability.issuedAt: Long get() = getIssuedAt()
/** The caveats, in order. */
val Capability.caveats: List<String> get() = getCaveats()
/** Who asks. */
val Request.agent: String get() = getAgent()
/** The tool or operation. */
val Request.action: String get() = getAction()
/** The arguments as canonical (JCS) JSON text. */
val Request.args: String get() = getArgs()
/** What the call acts on, when given. */
val Request.resource: String? get() = getResource()
/** The key id to bind capabilities to. */
val Holder.kid: String get() = getKid()
/** The identity caveats see as `audience`; permits are issued for it. */
val Verifier.audience: String get() = getAudience()
/** What the store is: its URL, without a password. */
val Store.url: String get() = getUrl()
/** The kid of the signing key (what a verifier's JWKS must hold). */
val PermitIssuer.kid: String get() = getKid()
/** The compact JWS text to hand to the tool. */
val Permit.token: String get() = getToken()
/** Its claims. */
val Permit.claims: PermitClaims get() = getClaims()
/** The kid of the key that signed it. */
val Permit.kid: String get() = getKid()
/** base64url SHA-256 of the canonical JSON: what the next receipt's `prev` holds. */
val Receipt.hash: String get() = getHash()
/** Position in its log, from 0. */
val Receipt.seq: ULong get() = getSeq()
/** Hash of the receipt before (the genesis value for seq 0). */
val Receipt.prev: String get() = getPrev()
/** Unix seconds. */
val Receipt.ts: Long get() = getTs()
/** The request's agent. */
val Receipt.agent: String get() = getAgent()
/** The request's action. */
val Receipt.action: String get() = getAction()
/** The arguments' hash. */
val Receipt.args: String get() = getArgs()
/** The capability id, when the token parsed. */
val Receipt.cap: String? get() = getCap()
/** The permit's jti, when one was issued. */
val Receipt.permit: String? get() = getPermit()
/** `"allow"` or `"deny"`. */
val Receipt.decision: String get() = getDecision()
/** Why it denied (empty when allowed). */
val Receipt.reasons: List<Reason> get() = getReasons()
/** The kid of the audit key that signed it. */
val Receipt.kid: String get() = getKid()
/** Key ids of the approvers whose approvals counted, sorted; empty when none did. */
val Receipt.approvers: List<String> get() = getApprovers()

// --- Capability | string, Request | object | string ---------------------------
private fun input(c: Capability) = CapabilityInput.Parsed(c)
private fun input(c: String) = CapabilityInput.Text(c)

/** Decides one call. A denial is data (`allowed == false` with reasons), never an exception. */
fun Verifier.check(capability: Capability, request: Request, proof: String? = null, now: Long? = null): Decision =
    Direct.check(this, capability, null, request, null, proof, now)
        ?: check(input(capability), request, CallOptions(proof = proof, now = now))
/** As [check]; capability text that does not parse is a denial. */
fun Verifier.check(capability: String, request: Request, proof: String? = null, now: Long? = null): Decision =
    Direct.check(this, null, capability, request, null, proof, now)
        ?: check(input(capability), request, CallOptions(proof = proof, now = now))
/** As [check], the request as its JSON text `{"agent","action","args","resource"?}`. */
fun Verifier.check(capability: Capability, request: String, proof: String? = null, now: Long? = null): Decision =
    Direct.check(this, capability, null, null, request, proof, now)
        ?: Request.fromJson(request).use { check(capability, it, proof, now) }
/** As [check], capability and request as text. */
fun Verifier.check(capability: String, request: String, proof: String? = null, now: Long? = null): Decision =
    Direct.check(this, null, capability, null, request, proof, now)
        ?: Request.fromJson(request).use { check(capability, it, proof, now) }

/** Decides and records the decision; returns it as data (a receipt that cannot be recorded is a denial). */
fun Guard.check(capability: Capability, request: Request, proof: String? = null, now: Long? = null): Decision =
    Direct.check(this, capability, null, request, null, proof, now)
        ?: check(input(capability), request, CallOptions(proof = proof, now = now))
/** As [check]; capability text that does not parse is a recorded denial. */
fun Guard.check(capability: String, request: Request, proof: String? = null, now: Long? = null): Decision =
    Direct.check(this, null, capability, request, null, proof, now)
        ?: check(input(capability), request, CallOptions(proof = proof, now = now))
/** As [check], the request as its JSON text. */
fun Guard.check(capability: Capability, request: String, proof: String? = null, now: Long? = null): Decision =
    Direct.check(this, capability, null, null, request, proof, now)
        ?: Request.fromJson(request).use { check(capability, it, proof, now) }
/** As [check], capability and request as text. */
fun Guard.check(capability: String, request: String, proof: String? = null, now: Long? = null): Decision =
    Direct.check(this, null, capability, null, request, proof, now)
        ?: Request.fromJson(request).use { check(capability, it, proof, now) }

/**
 * A permit for exactly this call, or [CharterException.Denied] carrying the
 * reasons; a receipt is recorded either way. `permitId` fixes the permit's
 * jti (derive it from your own call id); random otherwise.
 */
fun Guard.protect(capability: Capability, request: Request, proof: String? = null, idempotencyKey: String? = null, now: Long? = null, permitId: String? = null): Permit =
    protect(input(capability), request, CallOptions(proof, idempotencyKey, permitId, now))
/** As [protect]; capability text that does not parse is a recorded denial. */
fun Guard.protect(capability: String, request: Request, proof: String? = null, idempotencyKey: String? = null, now: Long? = null, permitId: String? = null): Permit =
    protect(input(capability), request, CallOptions(proof, idempotencyKey, permitId, now))
/** As [protect], the request as its JSON text. */
fun Guard.protect(capability: Capability, request: String, proof: String? = null, idempotencyKey: String? = null, now: Long? = null, permitId: String? = null): Permit =
    Request.fromJson(request).use { protect(capability, it, proof, idempotencyKey, now, permitId) }
/** As [protect], capability and request as text. */
fun Guard.protect(capability: String, request: String, proof: String? = null, idempotencyKey: String? = null, now: Long? = null, permitId: String? = null): Permit =
    Request.fromJson(request).use { protect(capability, it, proof, idempotencyKey, now, permitId) }

/** A proof for one request to one audience; `nonce` (16 to 64 bytes) only in tests. */
fun Holder.prove(capability: Capability, request: Request, audience: String, now: Long? = null, nonce: ByteArray? = null): String =
    prove(input(capability), request, audience, now, nonce)
/** As [prove]; capability text that does not parse is its parse error. */
fun Holder.prove(capability: String, request: Request, audience: String, now: Long? = null, nonce: ByteArray? = null): String =
    prove(input(capability), request, audience, now, nonce)
/** As [prove], the request as its JSON text. */
fun Holder.prove(capability: Capability, request: String, audience: String, now: Long? = null, nonce: ByteArray? = null): String =
    Request.fromJson(request).use { prove(capability, it, audience, now, nonce) }
/** As [prove], capability and request as text. */
fun Holder.prove(capability: String, request: String, audience: String, now: Long? = null, nonce: ByteArray? = null): String =
    Request.fromJson(request).use { prove(capability, it, audience, now, nonce) }

/** An approval of one exact call (capability id, action, args hash, audience); `args` is JSON text. */
fun SigningKey.approve(capability: Capability, action: String, args: String, audience: String, expiresIn: Long, now: Long? = null): String =
    approve(input(capability), action, args, audience, expiresIn, now)
/** As [approve]; capability text that does not parse is its parse error. */
fun SigningKey.approve(capability: String, action: String, args: String, audience: String, expiresIn: Long, now: Long? = null): String =
    approve(input(capability), action, args, audience, expiresIn, now)

// --- KeySet | object | string ---------------------------------------------------
/** A permit verifier trusting the keys of this JWKS text. */
fun PermitVerifier(keys: String, audience: String, leeway: Long? = null, store: Store? = null): PermitVerifier =
    KeySet.fromJwks(keys).use { PermitVerifier(it, audience, leeway, store) }
/** Checks the signature against the keys of this JWKS text. */
fun Receipt.verify(keys: String) = KeySet.fromJwks(keys).use { verify(it) }
/** Verifies a bundle against the keys of this JWKS text. */
fun verifyBundle(bundle: String, trusted: String, anchor: String? = null): BundleReport =
    KeySet.fromJwks(trusted).use { verifyBundle(bundle, it, anchor) }

// --- errors -------------------------------------------------------------------
/** The stable code from contract/errors.json (e.g. "malformed"). */
val CharterException.code: String
    get() = when (this) {
        is CharterException.FormatException -> code
        is CharterException.UsageException -> code
        is CharterException.CryptoException -> code
        is CharterException.AuthorizationException -> code
        is CharterException.AuditException -> code
        is CharterException.EnvironmentException -> code
        is CharterException.Denied -> code
        is CharterException.ApprovalRequired -> code
    }

/** The core's message, without the code (`Throwable.message` reads "code=…, detail=…"). */
val CharterException.errorMessage: String
    get() = when (this) {
        is CharterException.FormatException -> detail
        is CharterException.UsageException -> detail
        is CharterException.CryptoException -> detail
        is CharterException.AuthorizationException -> detail
        is CharterException.AuditException -> detail
        is CharterException.EnvironmentException -> detail
        is CharterException.Denied -> detail
        is CharterException.ApprovalRequired -> detail
    }

/** The family of contract/errors.json ("FormatError", …, "Denied"); [CharterException.ApprovalRequired] is a "Denied". */
val CharterException.family: String
    get() = if (this is CharterException.ApprovalRequired) "Denied" else this::class.simpleName!!.replace(Regex("Exception$"), "Error")
