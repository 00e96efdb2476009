//! Permits: one allowed call, short-lived, single-use, bound to its exact
//! arguments. A permit is a JWS compact token (RFC 7515) signed with Ed25519
//! (`alg: EdDSA`, RFC 8037), so stock JOSE libraries verify it with the JWKS.
//!
//! Wire form (both parts JCS-serialized, then base64url without padding):
//!
//! - header, exactly: `{"alg":"EdDSA","kid":"<RFC 7638 thumbprint>","typ":"permit+jwt"}`
//! - claims: `{"act","args","aud","cap","exp","iat","iss","jti","sub"}` and
//!   `idem` when an idempotency key was given. `args` is [`jcs::hash`] of the
//!   call's arguments; `iat`/`exp` are Unix seconds.
//!
//! [`PermitVerifier::verify`] fails closed, in this order: token size
//! (`limit_exceeded`), structure and canonical base64url (`malformed`), header
//! (`alg` other than EdDSA → `bad_signature`; any other deviation, e.g. `typ`,
//! `crit`, `jku`, `x5u`, `jwk`, `x5c` → `malformed`), `kid` (`unknown_key`),
//! strict Ed25519 (`bad_signature`), claims JSON strict and canonical
//! (`malformed`), lifetime (`exp − iat` beyond [`MAX_TTL`] → `limit_exceeded`),
//! time with leeway (`expired` / `not_yet_valid`), audience, action, argument
//! hash (`*_mismatch`), and last the single use of `jti` (`replayed`). Nothing
//! in the claims is looked at before the signature has verified.

use std::collections::HashMap;
use std::sync::Arc;

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::idempotency::{call_hash, settle, IdempotencyStore, Outcome as IdemOutcome};
use crate::keys::{KeySet, SigningKey};
use crate::replay::{MemoryReplayStore, ReplayStore};
use crate::{b64, jcs, Error, ErrorCode, SharedState};

/// The JWS `typ` of a permit.
pub const PERMIT_TYP: &str = "permit+jwt";
/// The only accepted JWS algorithm.
pub const PERMIT_ALG: &str = "EdDSA";
/// Default lifetime of an issued permit, in seconds.
pub const DEFAULT_TTL: i64 = 60;
/// Longest lifetime a permit may have (`exp − iat`), in seconds; issuers refuse
/// longer TTLs and verifiers refuse tokens that claim one.
pub const MAX_TTL: i64 = 3600;
/// Default clock leeway of a verifier, in seconds.
pub const DEFAULT_LEEWAY: i64 = 30;
/// Largest accepted clock leeway, in seconds.
pub const MAX_LEEWAY: i64 = 300;
/// Largest accepted token, in bytes.
pub const MAX_TOKEN_BYTES: usize = 8 * 1024;
/// Prefix of the replay-store key of a permit's `jti`.
pub const REPLAY_PREFIX: &str = "permit:";

/// Times must stay exact JSON integers (|t| ≤ 2^53 − 1) after adding a TTL.
const MAX_TIME: i64 = jcs::MAX_SAFE_INTEGER - MAX_TTL - MAX_LEEWAY;

/// Why a permit was refused or could not be issued; each variant maps
/// to one [`ErrorCode`].
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum PermitError {
    /// The token is longer than [`MAX_TOKEN_BYTES`] (its length).
    #[error("permit token is {0} bytes, more than the {MAX_TOKEN_BYTES}-byte limit")]
    TooLarge(usize),
    /// Not a compact JWS with Charter's header and claims.
    #[error("malformed permit: {0}")]
    Malformed(String),
    /// Any `alg` but EdDSA (`none`, HS256, …).
    #[error("permit algorithm {0} is refused: permits are signed with EdDSA (Ed25519) only")]
    BadAlgorithm(String),
    /// Signed by a key the verifier does not trust (its kid).
    #[error("permit is signed by key {0:?}, which is not in the trusted key set")]
    UnknownKey(String),
    /// The Ed25519 signature does not verify.
    #[error("permit signature does not verify")]
    BadSignature,
    /// `exp − iat` beyond [`MAX_TTL`] (the lifetime, seconds).
    #[error("permit lifetime (exp − iat) is {0} s, more than the {MAX_TTL} s maximum")]
    LifetimeTooLong(i64),
    /// At or after `exp + leeway`.
    #[error(
        "permit expired at {exp} (now {now}, leeway {leeway} s: valid while now < exp + leeway)"
    )]
    Expired {
        /// The permit's expiry, Unix seconds.
        exp: i64,
        /// The verifier's time, Unix seconds.
        now: i64,
        /// The clock skew tolerated, seconds.
        leeway: i64,
    },
    /// Before `iat - leeway`: issued in the verifier's future.
    #[error(
        "permit is not valid before {iat} (now {now}, leeway {leeway} s: valid from iat − leeway)"
    )]
    NotYetValid {
        /// The permit's issue time, Unix seconds.
        iat: i64,
        /// The verifier's time, Unix seconds.
        now: i64,
        /// The clock skew tolerated, seconds.
        leeway: i64,
    },
    /// Issued for another tool or service.
    #[error("permit is for audience {got:?}, this verifier is {expected:?}")]
    AudienceMismatch {
        /// This verifier's audience.
        expected: String,
        /// The permit's `aud`.
        got: String,
    },
    /// Issued for another action.
    #[error("permit is for action {got:?}, the call is {expected:?}")]
    ActionMismatch {
        /// The action being run.
        expected: String,
        /// The permit's `act`.
        got: String,
    },
    /// Issued for other arguments (their hashes differ).
    #[error("permit is bound to other arguments (hash {got}, the call's is {expected})")]
    ArgsMismatch {
        /// Hash of the call's arguments.
        expected: String,
        /// The permit's `args`.
        got: String,
    },
    /// A permit request or setting out of range.
    #[error("invalid permit request: {0}")]
    InvalidArgument(String),
}

impl PermitError {
    /// The stable code this failure is reported with.
    pub fn code(&self) -> ErrorCode {
        match self {
            PermitError::TooLarge(_) | PermitError::LifetimeTooLong(_) => ErrorCode::LimitExceeded,
            PermitError::Malformed(_) => ErrorCode::Malformed,
            PermitError::BadAlgorithm(_) | PermitError::BadSignature => ErrorCode::BadSignature,
            PermitError::UnknownKey(_) => ErrorCode::UnknownKey,
            PermitError::Expired { .. } => ErrorCode::Expired,
            PermitError::NotYetValid { .. } => ErrorCode::NotYetValid,
            PermitError::AudienceMismatch { .. } => ErrorCode::AudienceMismatch,
            PermitError::ActionMismatch { .. } => ErrorCode::ActionMismatch,
            PermitError::ArgsMismatch { .. } => ErrorCode::ArgsMismatch,
            PermitError::InvalidArgument(_) => ErrorCode::InvalidArgument,
        }
    }
}

impl From<PermitError> for Error {
    fn from(e: PermitError) -> Self {
        Error::new(e.code(), e.to_string())
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct Header {
    alg: String,
    kid: String,
    typ: String,
}

/// The claims of a permit.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
#[cfg_attr(
    feature = "python",
    pyo3::pyclass(get_all, frozen, eq, module = "charter")
)]
#[cfg_attr(feature = "napi", napi_derive::napi(object, use_nullable = true))]
pub struct PermitClaims {
    /// Issuer (the guard or gateway that decided).
    pub iss: String,
    /// Subject: the agent.
    pub sub: String,
    /// Audience: the tool or service that executes the call.
    pub aud: String,
    /// The action (tool name).
    pub act: String,
    /// [`jcs::hash`] of the call's arguments.
    pub args: String,
    /// The id of the capability the call was allowed under.
    pub cap: String,
    /// Issued at, Unix seconds.
    pub iat: i64,
    /// Expires at, Unix seconds (refused from `exp + leeway`).
    pub exp: i64,
    /// Unique id; a verifier accepts it once.
    pub jti: String,
    /// Idempotency key of the call, when the caller gave one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub idem: Option<String>,
}

/// What to put in a permit. Strings are borrowed; `jti` is random (128 bits)
/// when `None` (fix it only for test vectors).
#[derive(Clone, Copy, Debug)]
pub struct PermitRequest<'a> {
    /// The agent the permit is for (`sub`).
    pub subject: &'a str,
    /// The tool or service that will run the call (`aud`).
    pub audience: &'a str,
    /// The action (`act`).
    pub action: &'a str,
    /// The call's arguments; the permit carries their hash.
    pub args: &'a Value,
    /// The capability the call was allowed under (`cap`).
    pub capability_id: &'a str,
    /// A fixed `jti` (vectors, or an id derived from the caller's call id).
    pub jti: Option<&'a str>,
    /// Carried as `idem` so the tool can run the call at most once per key.
    pub idempotency_key: Option<&'a str>,
}

impl<'a> PermitRequest<'a> {
    /// A request with a random `jti` and no idempotency key.
    pub fn new(
        subject: &'a str,
        audience: &'a str,
        action: &'a str,
        args: &'a Value,
        capability_id: &'a str,
    ) -> Self {
        PermitRequest {
            subject,
            audience,
            action,
            args,
            capability_id,
            jti: None,
            idempotency_key: None,
        }
    }

    /// The same request with the `jti` fixed.
    pub fn with_jti(mut self, jti: &'a str) -> Self {
        self.jti = Some(jti);
        self
    }

    /// The same request carrying an idempotency key.
    pub fn with_idempotency_key(mut self, key: &'a str) -> Self {
        self.idempotency_key = Some(key);
        self
    }
}

/// A permit token with its decoded claims.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Permit {
    token: String,
    kid: String,
    claims: PermitClaims,
}

impl Permit {
    /// The JWS compact token.
    pub fn token(&self) -> &str {
        &self.token
    }

    /// The decoded claims (verified only if this permit came from
    /// [`PermitVerifier::verify`]).
    pub fn claims(&self) -> &PermitClaims {
        &self.claims
    }

    /// The id of the key that (claims to have) signed it.
    pub fn kid(&self) -> &str {
        &self.kid
    }

    /// Decodes a token for inspection. **This verifies nothing**: not the
    /// signature, not the key, not the time, not single use. It only checks
    /// that the token is well formed. Use [`PermitVerifier::verify`] to decide.
    pub fn parse(token: &str) -> Result<Permit, Error> {
        let parts = split(token)?;
        let header = decode_header(parts.header)?;
        let claims = decode_claims(parts.claims)?;
        Ok(Permit {
            token: token.to_string(),
            kid: header.kid,
            claims,
        })
    }
}

/// Mints permits with an Ed25519 key.
#[derive(Clone)]
pub struct PermitIssuer {
    key: SigningKey,
    kid: String,
    issuer: String,
    ttl: i64,
    header_b64: String,
    idempotency: Option<Arc<dyn IdempotencyStore>>,
}

impl std::fmt::Debug for PermitIssuer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PermitIssuer")
            .field("kid", &self.kid)
            .field("issuer", &self.issuer)
            .field("ttl", &self.ttl)
            .field("idempotency", &self.idempotency.is_some())
            .finish_non_exhaustive()
    }
}

impl PermitIssuer {
    /// An issuer signing with `signing_key` and naming itself `issuer` (`iss`),
    /// with the default TTL.
    pub fn new(signing_key: SigningKey, issuer: impl Into<String>) -> Self {
        let kid = signing_key.kid();
        let header = Header {
            alg: PERMIT_ALG.into(),
            kid: kid.clone(),
            typ: PERMIT_TYP.into(),
        };
        let header_json = header_json(&header);
        PermitIssuer {
            key: signing_key,
            kid,
            issuer: issuer.into(),
            ttl: DEFAULT_TTL,
            header_b64: b64::encode(header_json),
            idempotency: None,
        }
    }

    /// Remembers idempotency keys in `store`: a request with a key already
    /// used for the same call gets the permit issued then (the same token),
    /// and one with a key used for another call fails with
    /// `idempotency_conflict`. Entries live as long as the permit.
    pub fn with_idempotency_store(mut self, store: Arc<dyn IdempotencyStore>) -> Self {
        self.idempotency = Some(store);
        self
    }

    /// Keeps idempotency keys in `state` (one key, one call, one permit,
    /// across replicas); `None` keeps none, as a binding's absent `store`
    /// argument does.
    pub fn with_state<S: SharedState + ?Sized>(self, state: Option<&S>) -> Self {
        match state {
            Some(s) => self.with_idempotency_store(s.idempotency()),
            None => self,
        }
    }

    /// The idempotency store, when one was given.
    pub fn idempotency_store(&self) -> Option<&Arc<dyn IdempotencyStore>> {
        self.idempotency.as_ref()
    }

    /// Sets the lifetime of issued permits: 1 to [`MAX_TTL`] seconds;
    /// `None` keeps the default ([`DEFAULT_TTL`]), as a binding's absent
    /// argument does.
    pub fn with_ttl(mut self, secs: Option<i64>) -> Result<Self, Error> {
        let secs = secs.unwrap_or(DEFAULT_TTL);
        if !(1..=MAX_TTL).contains(&secs) {
            return Err(PermitError::InvalidArgument(format!(
                "ttl must be 1 to {MAX_TTL} seconds, got {secs}"
            ))
            .into());
        }
        self.ttl = secs;
        Ok(self)
    }

    /// Lifetime of issued permits, seconds.
    pub fn ttl(&self) -> i64 {
        self.ttl
    }

    /// Id of the signing key (the `kid` of every permit's header).
    pub fn kid(&self) -> &str {
        &self.kid
    }

    /// The `iss` written into permits.
    pub fn issuer(&self) -> &str {
        &self.issuer
    }

    /// Issues a permit valid from `now` for the issuer's TTL. With an
    /// idempotency store and a key ([`PermitRequest::with_idempotency_key`]),
    /// the key's earlier permit for the same call is returned instead (see
    /// [`PermitIssuer::with_idempotency_store`]).
    pub fn issue(&self, req: &PermitRequest<'_>, now: i64) -> Result<Permit, Error> {
        let permit = self.mint(req, now)?;
        match (req.idempotency_key, &self.idempotency) {
            (Some(key), Some(store)) => {
                let hash = call_hash(
                    req.capability_id,
                    req.audience,
                    req.subject,
                    req.action,
                    req.args,
                    None,
                )?;
                let mine = IdemOutcome::Permit(permit.token.clone());
                match settle(store.as_ref(), key, &hash, &mine, permit.claims.exp, now)? {
                    IdemOutcome::Permit(token) if token == permit.token => Ok(permit),
                    IdemOutcome::Permit(token) | IdemOutcome::Approved { token, .. } => {
                        Permit::parse(&token)
                    }
                    IdemOutcome::Denied(reasons) => Err(Error::denied(reasons)),
                }
            }
            _ => Ok(permit),
        }
    }

    /// Signs a permit for `req`, without consulting the idempotency store.
    pub(crate) fn mint(&self, req: &PermitRequest<'_>, now: i64) -> Result<Permit, Error> {
        let nonempty = |what: &str, v: &str| {
            if v.is_empty() {
                Err(PermitError::InvalidArgument(format!(
                    "{what} must not be empty"
                )))
            } else {
                Ok(())
            }
        };
        nonempty("issuer", &self.issuer)?;
        nonempty("subject", req.subject)?;
        nonempty("audience", req.audience)?;
        nonempty("action", req.action)?;
        nonempty("capability_id", req.capability_id)?;
        if let Some(j) = req.jti {
            nonempty("jti", j)?;
        }
        if let Some(k) = req.idempotency_key {
            nonempty("idempotency_key", k)?;
        }
        if !(-MAX_TIME..=MAX_TIME).contains(&now) {
            return Err(PermitError::InvalidArgument(format!(
                "now ({now}) is out of range for an exact JSON integer"
            ))
            .into());
        }
        let args = jcs::args_hash(req.args)?;
        let jti = match req.jti {
            Some(j) => j.to_string(),
            None => {
                let mut bytes = [0u8; 16];
                rand_core::RngCore::fill_bytes(&mut rand_core::OsRng, &mut bytes);
                b64::encode(bytes)
            }
        };
        let claims = PermitClaims {
            iss: self.issuer.clone(),
            sub: req.subject.to_string(),
            aud: req.audience.to_string(),
            act: req.action.to_string(),
            args,
            cap: req.capability_id.to_string(),
            iat: now,
            exp: now.checked_add(self.ttl).ok_or_else(|| {
                PermitError::InvalidArgument(format!("now ({now}) + ttl overflows"))
            })?,
            jti,
            idem: req.idempotency_key.map(str::to_string),
        };
        let claims_json = claims_json(&claims);
        let mut token =
            String::with_capacity(self.header_b64.len() + claims_json.len() * 4 / 3 + 2 + 88);
        token.push_str(&self.header_b64);
        token.push('.');
        token.push_str(&b64::encode(claims_json));
        let sig = self.key.sign_raw(token.as_bytes());
        token.push('.');
        token.push_str(&b64::encode(sig));
        if token.len() > MAX_TOKEN_BYTES {
            return Err(PermitError::TooLarge(token.len()).into());
        }
        Ok(Permit {
            token,
            kid: self.kid.clone(),
            claims,
        })
    }
}

/// Verifies permits offline with a trusted key set, once each.
#[derive(Clone)]
pub struct PermitVerifier {
    keys: KeySet,
    /// The exact base64url header of each trusted key: a token whose header is
    /// one of these skips header parsing (it is the only header accepted for that kid).
    headers: HashMap<String, String>,
    audience: String,
    leeway: i64,
    replay: Arc<dyn ReplayStore>,
}

impl std::fmt::Debug for PermitVerifier {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PermitVerifier")
            .field("keys", &self.keys)
            .field("audience", &self.audience)
            .field("leeway", &self.leeway)
            .finish_non_exhaustive()
    }
}

impl PermitVerifier {
    /// A verifier for permits addressed to `audience`, with a fresh in-memory
    /// replay store and the default leeway.
    pub fn new(keys: KeySet, audience: impl Into<String>) -> Self {
        let headers = keys
            .kids()
            .map(|kid| {
                let h = Header {
                    alg: PERMIT_ALG.into(),
                    kid: kid.to_string(),
                    typ: PERMIT_TYP.into(),
                };
                (b64::encode(header_json(&h)), kid.to_string())
            })
            .collect();
        PermitVerifier {
            keys,
            headers,
            audience: audience.into(),
            leeway: DEFAULT_LEEWAY,
            replay: Arc::new(MemoryReplayStore::new()),
        }
    }

    /// Clock leeway: 0 to [`MAX_LEEWAY`] seconds; `None` keeps the default
    /// ([`DEFAULT_LEEWAY`]).
    pub fn with_leeway(mut self, secs: Option<i64>) -> Result<Self, Error> {
        let secs = secs.unwrap_or(DEFAULT_LEEWAY);
        if !(0..=MAX_LEEWAY).contains(&secs) {
            return Err(PermitError::InvalidArgument(format!(
                "leeway must be 0 to {MAX_LEEWAY} seconds, got {secs}"
            ))
            .into());
        }
        self.leeway = secs;
        Ok(self)
    }

    /// Shares a replay store (e.g. between verifiers, or backed by a database).
    pub fn with_replay_store(mut self, store: Arc<dyn ReplayStore>) -> Self {
        self.replay = store;
        self
    }

    /// Remembers permit `jti`s in `state` (a permit is used once across
    /// every verifier on one store); `None` keeps them in this verifier's
    /// memory.
    pub fn with_state<S: SharedState + ?Sized>(self, state: Option<&S>) -> Self {
        match state {
            Some(s) => self.with_replay_store(s.replay()),
            None => self,
        }
    }

    /// The audience permits must name (`aud`).
    pub fn audience(&self) -> &str {
        &self.audience
    }

    /// Clock skew tolerated on `iat` and `exp`, seconds.
    pub fn leeway(&self) -> i64 {
        self.leeway
    }

    /// Verifies `token` for the call (`action`, `args`) at `now` (Unix seconds)
    /// and consumes its `jti`. Returns the claims only when every check passes.
    pub fn verify(
        &self,
        token: &str,
        action: &str,
        args: &Value,
        now: i64,
    ) -> Result<PermitClaims, Error> {
        let parts = split(token)?;
        let kid = match self.headers.get(parts.header) {
            Some(kid) => kid.as_str(),
            None => &decode_header(parts.header)?.kid.clone(),
        };
        let key = self
            .keys
            .get(kid)
            .map_err(|_| PermitError::UnknownKey(kid.to_string()))?;
        let sig = b64::decode(parts.sig)
            .ok_or_else(|| malformed("signature is not canonical base64url"))?;
        if sig.len() != 64 {
            return Err(malformed(format!("signature is {} bytes, not 64", sig.len())).into());
        }
        key.verify_raw(parts.signing_input.as_bytes(), &sig)
            .map_err(|_| PermitError::BadSignature)?;

        // Only now are the claims trusted.
        let claims = decode_claims(parts.claims)?;
        let leeway = self.leeway;
        // Both times are within ±(2^53 − 1) (decode_claims), so i128 is exact
        // for them and for any `now`: no clock value can wrap.
        let (iat, exp, at, slack) = (
            i128::from(claims.iat),
            i128::from(claims.exp),
            i128::from(now),
            i128::from(leeway),
        );
        let lifetime = exp - iat;
        if lifetime > i128::from(MAX_TTL) {
            return Err(PermitError::LifetimeTooLong(claims.exp.saturating_sub(claims.iat)).into());
        }
        // Valid on the half-open interval [iat − leeway, exp + leeway): RFC 7519
        // §4.1.4 wants the current time strictly before `exp`, and `iat` acts
        // as `nbf` (§4.1.5: on or after it).
        if at >= exp + slack {
            return Err(PermitError::Expired {
                exp: claims.exp,
                now,
                leeway,
            }
            .into());
        }
        if iat > at + slack {
            return Err(PermitError::NotYetValid {
                iat: claims.iat,
                now,
                leeway,
            }
            .into());
        }
        if claims.aud != self.audience {
            return Err(PermitError::AudienceMismatch {
                expected: self.audience.clone(),
                got: claims.aud,
            }
            .into());
        }
        if claims.act != action {
            return Err(PermitError::ActionMismatch {
                expected: action.to_string(),
                got: claims.act,
            }
            .into());
        }
        let hash = jcs::args_hash(args)?;
        if claims.args != hash {
            return Err(PermitError::ArgsMismatch {
                expected: hash,
                got: claims.args,
            }
            .into());
        }
        let mut replay_key = String::with_capacity(REPLAY_PREFIX.len() + claims.jti.len());
        replay_key.push_str(REPLAY_PREFIX);
        replay_key.push_str(&claims.jti);
        self.replay
            .check_and_record(&replay_key, claims.exp.saturating_add(leeway), now)?;
        Ok(claims)
    }
}

fn malformed(msg: impl Into<String>) -> PermitError {
    PermitError::Malformed(msg.into())
}

struct Parts<'a> {
    header: &'a str,
    claims: &'a str,
    sig: &'a str,
    signing_input: &'a str,
}

fn split(token: &str) -> Result<Parts<'_>, PermitError> {
    if token.len() > MAX_TOKEN_BYTES {
        return Err(PermitError::TooLarge(token.len()));
    }
    let mut it = token.split('.');
    let (Some(header), Some(claims), Some(sig), None) =
        (it.next(), it.next(), it.next(), it.next())
    else {
        return Err(malformed(
            "a permit has exactly three dot-separated parts (JWS compact)",
        ));
    };
    Ok(Parts {
        header,
        claims,
        sig,
        signing_input: &token[..header.len() + 1 + claims.len()],
    })
}

/// Decodes one base64url JSON part, strictly; returns the value and its text.
fn decode_json(part: &str, what: &str) -> Result<(Value, String), PermitError> {
    let bytes =
        b64::decode(part).ok_or_else(|| malformed(format!("{what} is not canonical base64url")))?;
    let text = String::from_utf8(bytes).map_err(|_| malformed(format!("{what} is not UTF-8")))?;
    let value = jcs::parse(&text).map_err(|e| malformed(format!("{what}: {e}")))?;
    Ok((value, text))
}

fn check_canonical<T: Serialize>(typed: &T, text: &str, what: &str) -> Result<(), PermitError> {
    let canonical = serde_json::to_value(typed)
        .ok()
        .and_then(|v| jcs::canonicalize(&v).ok());
    if canonical.as_deref() != Some(text) {
        return Err(malformed(format!(
            "{what} is not canonical JSON (RFC 8785)"
        )));
    }
    Ok(())
}

fn decode_header(part: &str) -> Result<Header, PermitError> {
    let (value, text) = decode_json(part, "header")?;
    // The algorithm is checked first so that `none` and HMAC are named as such.
    match value.get("alg") {
        Some(Value::String(alg)) if alg == PERMIT_ALG => {}
        Some(alg) => return Err(PermitError::BadAlgorithm(alg.to_string())),
        None => return Err(malformed("header has no \"alg\"")),
    }
    let header: Header = serde_json::from_value(value).map_err(|e| {
        malformed(format!(
            "header must be exactly {{\"alg\",\"kid\",\"typ\"}} (no crit, jku, x5u, jwk, x5c): {e}"
        ))
    })?;
    if header.typ != PERMIT_TYP {
        return Err(malformed(format!(
            "header typ is {:?}, not {PERMIT_TYP:?}",
            header.typ
        )));
    }
    check_canonical(&header, &text, "header")?;
    Ok(header)
}

fn header_json(h: &Header) -> String {
    let mut out = String::with_capacity(96);
    out.push_str("{\"alg\":");
    jcs::write_string(&mut out, &h.alg);
    out.push_str(",\"kid\":");
    jcs::write_string(&mut out, &h.kid);
    out.push_str(",\"typ\":");
    jcs::write_string(&mut out, &h.typ);
    out.push('}');
    out
}

/// RFC 8785 text of the claims, written directly: fixed ASCII member names
/// and safe integers (times are bounded on issue and by the strict parser).
fn claims_json(c: &PermitClaims) -> String {
    let mut out = String::with_capacity(256);
    out.push('{');
    let member = |out: &mut String, name: &str, first: bool| {
        if !first {
            out.push(',');
        }
        out.push('"');
        out.push_str(name);
        out.push_str("\":");
    };
    member(&mut out, "act", true);
    jcs::write_string(&mut out, &c.act);
    member(&mut out, "args", false);
    jcs::write_string(&mut out, &c.args);
    member(&mut out, "aud", false);
    jcs::write_string(&mut out, &c.aud);
    member(&mut out, "cap", false);
    jcs::write_string(&mut out, &c.cap);
    member(&mut out, "exp", false);
    out.push_str(&c.exp.to_string());
    member(&mut out, "iat", false);
    out.push_str(&c.iat.to_string());
    if let Some(idem) = &c.idem {
        member(&mut out, "idem", false);
        jcs::write_string(&mut out, idem);
    }
    member(&mut out, "iss", false);
    jcs::write_string(&mut out, &c.iss);
    member(&mut out, "jti", false);
    jcs::write_string(&mut out, &c.jti);
    member(&mut out, "sub", false);
    jcs::write_string(&mut out, &c.sub);
    out.push('}');
    out
}

fn decode_claims(part: &str) -> Result<PermitClaims, PermitError> {
    let bytes = b64::decode(part).ok_or_else(|| malformed("claims are not canonical base64url"))?;
    // Fast path: typed parsing, then the text must be exactly the canonical
    // form of what was parsed (which also rules out duplicate members,
    // whitespace, escapes and number spellings). Anything else goes through
    // the strict I-JSON parser for a precise error.
    let claims = match serde_json::from_slice::<PermitClaims>(&bytes) {
        Ok(c) if claims_json(&c).as_bytes() == bytes.as_slice() => c,
        _ => {
            let (value, text) = decode_json(part, "claims")?;
            let claims: PermitClaims =
                serde_json::from_value(value).map_err(|e| malformed(format!("claims: {e}")))?;
            if claims_json(&claims) != text {
                return Err(malformed("claims are not canonical JSON (RFC 8785)"));
            }
            claims
        }
    };
    let safe = jcs::MAX_SAFE_INTEGER;
    if claims.iat.unsigned_abs() > safe as u64 || claims.exp.unsigned_abs() > safe as u64 {
        return Err(malformed("claims: iat or exp beyond 2^53 − 1"));
    }
    if claims.exp < claims.iat {
        return Err(malformed("claims: exp is before iat"));
    }
    Ok(claims)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    const NOW: i64 = 1_700_000_000;

    fn setup() -> (PermitIssuer, PermitVerifier) {
        let sk = SigningKey::from_bytes(&[3; 32]).unwrap();
        let keys = KeySet::from_keys([sk.public_key()]).unwrap();
        (
            PermitIssuer::new(sk, "guard"),
            PermitVerifier::new(keys, "tool"),
        )
    }

    fn req(args: &Value) -> PermitRequest<'_> {
        PermitRequest::new("agent-1", "tool", "send_email", args, "cap-1")
    }

    /// Signs arbitrary header/claims text with the issuer's key.
    fn forge(issuer: &PermitIssuer, header: &str, claims: &str) -> String {
        let input = format!("{}.{}", b64::encode(header), b64::encode(claims));
        let sig = issuer.key.sign_raw(input.as_bytes());
        format!("{input}.{}", b64::encode(sig))
    }

    #[test]
    fn integral_double_args_never_pass_for_an_int() {
        // Issue 10, item 7: {"a":1} and {"a":1.0} have one JCS form but are an
        // int and a double to a caveat, so the double form is refused.
        let (issuer, verifier) = setup();
        let int = crate::jcs::parse(r#"{"a":1}"#).unwrap();
        let double = crate::jcs::parse(r#"{"a":1.0}"#).unwrap();
        let p = issuer.issue(&req(&int), NOW).unwrap();
        let e = verifier
            .verify(p.token(), "send_email", &double, NOW)
            .unwrap_err();
        assert_eq!(e.code(), ErrorCode::Malformed, "{e}");
        assert!(e.message().contains("as the integer 1"), "{e}");
        // The jti was not consumed: the right arguments still verify once.
        verifier.verify(p.token(), "send_email", &int, NOW).unwrap();
        let e = issuer.issue(&req(&double), NOW).unwrap_err();
        assert_eq!(e.code(), ErrorCode::Malformed, "{e}");
    }

    #[test]
    fn issue_and_verify_once() {
        let (issuer, verifier) = setup();
        let args = json!({"to": "a@example.com", "n": 1});
        let p = issuer.issue(&req(&args).with_jti("j1"), NOW).unwrap();
        let header = String::from_utf8(b64::decode(p.token().split('.').next().unwrap()).unwrap());
        assert_eq!(
            header.unwrap(),
            format!(
                r#"{{"alg":"EdDSA","kid":"{}","typ":"permit+jwt"}}"#,
                issuer.kid()
            )
        );
        assert_eq!(Permit::parse(p.token()).unwrap(), p);
        for c in [
            p.claims().clone(),
            PermitClaims {
                idem: Some("é\"\u{1}😀".into()),
                sub: "\u{2028}\\".into(),
                ..p.claims().clone()
            },
        ] {
            let generic = jcs::canonicalize(&serde_json::to_value(&c).unwrap()).unwrap();
            assert_eq!(claims_json(&c), generic);
        }
        let claims = verifier
            .verify(p.token(), "send_email", &args, NOW + 5)
            .unwrap();
        assert_eq!(&claims, p.claims());
        assert_eq!(claims.exp, NOW + DEFAULT_TTL);
        let again = verifier.verify(p.token(), "send_email", &args, NOW + 6);
        assert_eq!(again.unwrap_err().code(), ErrorCode::Replayed);
    }

    #[test]
    fn random_jti_and_idem() {
        let (issuer, verifier) = setup();
        let args = json!([]);
        let a = issuer.issue(&req(&args), NOW).unwrap();
        let b = issuer
            .issue(&req(&args).with_idempotency_key("k-9"), NOW)
            .unwrap();
        assert_ne!(a.claims().jti, b.claims().jti);
        assert_eq!(b64::decode(&a.claims().jti).unwrap().len(), 16);
        assert_eq!(b.claims().idem.as_deref(), Some("k-9"));
        verifier
            .verify(b.token(), "send_email", &args, NOW)
            .unwrap();
    }

    #[test]
    fn each_check_has_its_code() {
        let (issuer, verifier) = setup();
        let args = json!({"x": 1});
        let code = |token: &str, action: &str, args: &Value, now: i64| {
            verifier
                .verify(token, action, args, now)
                .unwrap_err()
                .code()
        };
        let p = issuer.issue(&req(&args), NOW).unwrap();
        let t = p.token();
        assert_eq!(
            code(t, "send_email", &args, NOW + 60 + 31),
            ErrorCode::Expired
        );
        assert_eq!(
            code(t, "send_email", &args, NOW - 31),
            ErrorCode::NotYetValid
        );
        assert_eq!(code(t, "delete", &args, NOW), ErrorCode::ActionMismatch);
        assert_eq!(
            code(t, "send_email", &json!({"x": 2}), NOW),
            ErrorCode::ArgsMismatch
        );
        let other = PermitVerifier::new(verifier.keys.clone(), "other-tool");
        assert_eq!(
            other
                .verify(t, "send_email", &args, NOW)
                .unwrap_err()
                .code(),
            ErrorCode::AudienceMismatch
        );
        // Within leeway both ways.
        verifier.verify(t, "send_email", &args, NOW + 89).unwrap();
        let p = issuer.issue(&req(&args), NOW).unwrap();
        verifier
            .verify(p.token(), "send_email", &args, NOW - 30)
            .unwrap();
        // Unknown key.
        let stranger = PermitIssuer::new(SigningKey::from_bytes(&[4; 32]).unwrap(), "guard");
        let p = stranger.issue(&req(&args), NOW).unwrap();
        assert_eq!(
            code(p.token(), "send_email", &args, NOW),
            ErrorCode::UnknownKey
        );
        // Too large.
        let big = "a".repeat(MAX_TOKEN_BYTES + 1);
        assert_eq!(
            code(&big, "send_email", &args, NOW),
            ErrorCode::LimitExceeded
        );
        // Args equal as JSON values hash equal whatever their spelling...
        let spelled = crate::jcs::parse(r#"{"x":0.150e1}"#).unwrap();
        let p = issuer.issue(&req(&json!({"x": 1.5})), NOW).unwrap();
        verifier
            .verify(p.token(), "send_email", &spelled, NOW)
            .unwrap();
        // ...but an integral double is not an int (issue 10, item 7).
        assert_eq!(
            issuer
                .issue(&req(&json!({"x": 1.0})), NOW)
                .unwrap_err()
                .code(),
            ErrorCode::Malformed
        );
    }

    #[test]
    fn ttl_and_leeway_are_bounded() {
        let (issuer, verifier) = setup();
        assert!(issuer.clone().with_ttl(Some(0)).is_err());
        assert!(issuer.clone().with_ttl(Some(MAX_TTL + 1)).is_err());
        assert!(verifier.clone().with_leeway(Some(-1)).is_err());
        assert!(verifier.clone().with_leeway(Some(MAX_LEEWAY + 1)).is_err());
        let long = issuer.clone().with_ttl(Some(MAX_TTL)).unwrap();
        let args = json!(null);
        let p = long.issue(&req(&args), NOW).unwrap();
        verifier
            .verify(p.token(), "send_email", &args, NOW)
            .unwrap();
        // A validly signed token claiming a longer lifetime is refused.
        let claims = format!(
            r#"{{"act":"send_email","args":"{}","aud":"tool","cap":"c","exp":{},"iat":{NOW},"iss":"guard","jti":"j","sub":"a"}}"#,
            jcs::hash(&args).unwrap(),
            NOW + MAX_TTL + 1
        );
        let header = format!(
            r#"{{"alg":"EdDSA","kid":"{}","typ":"permit+jwt"}}"#,
            issuer.kid()
        );
        let t = forge(&issuer, &header, &claims);
        assert_eq!(
            verifier
                .verify(&t, "send_email", &args, NOW)
                .unwrap_err()
                .code(),
            ErrorCode::LimitExceeded
        );
        assert_eq!(
            issuer
                .issue(&req(&args), jcs::MAX_SAFE_INTEGER)
                .unwrap_err()
                .code(),
            ErrorCode::InvalidArgument
        );
        let empty = PermitRequest::new("", "tool", "a", &args, "c");
        assert_eq!(
            issuer.issue(&empty, NOW).unwrap_err().code(),
            ErrorCode::InvalidArgument
        );
    }

    #[test]
    fn headers_are_exact() {
        let (issuer, verifier) = setup();
        let args = json!({});
        let kid = issuer.kid().to_string();
        let claims = format!(
            r#"{{"act":"a","args":"{}","aud":"tool","cap":"c","exp":{},"iat":{NOW},"iss":"guard","jti":"j","sub":"s"}}"#,
            jcs::hash(&args).unwrap(),
            NOW + 60
        );
        let cases: Vec<(String, ErrorCode)> = vec![
            (r#"{"alg":"none"}"#.into(), ErrorCode::BadSignature),
            (
                format!(r#"{{"alg":"HS256","kid":"{kid}","typ":"permit+jwt"}}"#),
                ErrorCode::BadSignature,
            ),
            (
                format!(r#"{{"alg":"ES256","kid":"{kid}","typ":"permit+jwt"}}"#),
                ErrorCode::BadSignature,
            ),
            (
                format!(r#"{{"alg":"EdDSA","crit":["exp"],"kid":"{kid}","typ":"permit+jwt"}}"#),
                ErrorCode::Malformed,
            ),
            (
                format!(r#"{{"alg":"EdDSA","jku":"https://x","kid":"{kid}","typ":"permit+jwt"}}"#),
                ErrorCode::Malformed,
            ),
            (
                format!(r#"{{"alg":"EdDSA","jwk":{{}},"kid":"{kid}","typ":"permit+jwt"}}"#),
                ErrorCode::Malformed,
            ),
            (
                format!(r#"{{"alg":"EdDSA","kid":"{kid}","typ":"JWT"}}"#),
                ErrorCode::Malformed,
            ),
            (
                format!(r#"{{"alg":"EdDSA","kid":"{kid}"}}"#),
                ErrorCode::Malformed,
            ),
            (
                format!(r#"{{"kid":"{kid}","alg":"EdDSA","typ":"permit+jwt"}}"#),
                ErrorCode::Malformed,
            ),
            (
                format!(r#"{{"alg":"EdDSA", "kid":"{kid}","typ":"permit+jwt"}}"#),
                ErrorCode::Malformed,
            ),
            (
                r#"{"alg":"EdDSA","kid":"nope","typ":"permit+jwt"}"#.into(),
                ErrorCode::UnknownKey,
            ),
        ];
        for (header, expected) in cases {
            let t = forge(&issuer, &header, &claims);
            let got = verifier.verify(&t, "a", &args, NOW).unwrap_err();
            assert_eq!(got.code(), expected, "{header}: {got}");
        }
        // The well-formed control passes.
        let ok = forge(
            &issuer,
            &format!(r#"{{"alg":"EdDSA","kid":"{kid}","typ":"permit+jwt"}}"#),
            &claims,
        );
        verifier.verify(&ok, "a", &args, NOW).unwrap();
    }

    #[test]
    fn claims_are_strict_and_canonical() {
        let (issuer, verifier) = setup();
        let args = json!({});
        let h = jcs::hash(&args).unwrap();
        let header = format!(
            r#"{{"alg":"EdDSA","kid":"{}","typ":"permit+jwt"}}"#,
            issuer.kid()
        );
        let bad = [
            // unknown claim
            format!(
                r#"{{"act":"a","args":"{h}","aud":"tool","cap":"c","exp":{},"iat":{NOW},"iss":"g","jti":"j","nbf":1,"sub":"s"}}"#,
                NOW + 60
            ),
            // missing claim
            format!(
                r#"{{"act":"a","args":"{h}","aud":"tool","exp":{},"iat":{NOW},"iss":"g","jti":"j","sub":"s"}}"#,
                NOW + 60
            ),
            // idem null instead of absent
            format!(
                r#"{{"act":"a","args":"{h}","aud":"tool","cap":"c","exp":{},"iat":{NOW},"idem":null,"iss":"g","jti":"j","sub":"s"}}"#,
                NOW + 60
            ),
            // aud as array
            format!(
                r#"{{"act":"a","args":"{h}","aud":["tool"],"cap":"c","exp":{},"iat":{NOW},"iss":"g","jti":"j","sub":"s"}}"#,
                NOW + 60
            ),
            // float time
            format!(
                r#"{{"act":"a","args":"{h}","aud":"tool","cap":"c","exp":{}.5,"iat":{NOW},"iss":"g","jti":"j","sub":"s"}}"#,
                NOW + 60
            ),
            // not sorted
            format!(
                r#"{{"args":"{h}","act":"a","aud":"tool","cap":"c","exp":{},"iat":{NOW},"iss":"g","jti":"j","sub":"s"}}"#,
                NOW + 60
            ),
            // duplicate key
            format!(
                r#"{{"act":"a","act":"a","args":"{h}","aud":"tool","cap":"c","exp":{},"iat":{NOW},"iss":"g","jti":"j","sub":"s"}}"#,
                NOW + 60
            ),
            // exp before iat
            format!(
                r#"{{"act":"a","args":"{h}","aud":"tool","cap":"c","exp":{},"iat":{NOW},"iss":"g","jti":"j","sub":"s"}}"#,
                NOW - 1
            ),
        ];
        for claims in bad {
            let t = forge(&issuer, &header, &claims);
            let e = verifier.verify(&t, "a", &args, NOW).unwrap_err();
            assert_eq!(e.code(), ErrorCode::Malformed, "{claims}: {e}");
        }
        for t in ["a.b", "a.b.c.d", "", "..", "e30.e30.AA=="] {
            assert_eq!(
                verifier.verify(t, "a", &args, NOW).unwrap_err().code(),
                ErrorCode::Malformed,
                "{t}"
            );
        }
    }

    /// Each bound of [iat − leeway, exp + leeway) at, one second before and one
    /// after, with the default leeway and with none.
    #[test]
    fn time_bounds_are_half_open() {
        let (issuer, _) = setup();
        let keys = KeySet::from_keys([issuer.key.public_key()]).unwrap();
        let args = json!({"x": 1});
        let p = issuer.issue(&req(&args), NOW).unwrap();
        let exp = NOW + DEFAULT_TTL;
        for leeway in [DEFAULT_LEEWAY, 0, MAX_LEEWAY] {
            let verify = |now: i64| {
                PermitVerifier::new(keys.clone(), "tool")
                    .with_leeway(Some(leeway))
                    .unwrap()
                    .verify(p.token(), "send_email", &args, now)
                    .map(|_| ())
                    .map_err(|e| e.code())
            };
            assert_eq!(verify(exp + leeway - 1), Ok(()), "leeway {leeway}");
            assert_eq!(
                verify(exp + leeway),
                Err(ErrorCode::Expired),
                "leeway {leeway}"
            );
            assert_eq!(verify(exp + leeway + 1), Err(ErrorCode::Expired));
            assert_eq!(verify(NOW - leeway - 1), Err(ErrorCode::NotYetValid));
            assert_eq!(verify(NOW - leeway), Ok(()), "leeway {leeway}");
            assert_eq!(verify(NOW - leeway + 1), Ok(()));
        }
        let e = PermitVerifier::new(keys, "tool")
            .verify(p.token(), "send_email", &args, exp + DEFAULT_LEEWAY)
            .unwrap_err();
        assert_eq!(
            e.message(),
            format!(
                "permit expired at {exp} (now {}, leeway 30 s: valid while now < exp + leeway)",
                exp + DEFAULT_LEEWAY
            )
        );
    }

    /// Extreme clocks neither wrap nor panic (debug builds check overflow).
    #[test]
    fn extreme_clocks_fail_closed() {
        let (issuer, _) = setup();
        let keys = KeySet::from_keys([issuer.key.public_key()]).unwrap();
        let args = json!({});
        let p = issuer.issue(&req(&args), NOW).unwrap();
        for leeway in [0, MAX_LEEWAY] {
            let v = PermitVerifier::new(keys.clone(), "tool")
                .with_leeway(Some(leeway))
                .unwrap();
            let code = |now| {
                v.verify(p.token(), "send_email", &args, now)
                    .unwrap_err()
                    .code()
            };
            assert_eq!(code(i64::MAX), ErrorCode::Expired);
            assert_eq!(code(i64::MIN), ErrorCode::NotYetValid);
        }
        for now in [i64::MAX, i64::MIN, MAX_TIME + 1, -MAX_TIME - 1] {
            assert_eq!(
                issuer.issue(&req(&args), now).unwrap_err().code(),
                ErrorCode::InvalidArgument,
                "{now}"
            );
        }
        // The largest accepted issue time still gives an exact exp.
        let long = issuer.clone().with_ttl(Some(MAX_TTL)).unwrap();
        let p = long.issue(&req(&args), MAX_TIME).unwrap();
        assert_eq!(p.claims().exp, MAX_TIME + MAX_TTL);
        let v = PermitVerifier::new(keys, "tool")
            .with_leeway(Some(MAX_LEEWAY))
            .unwrap();
        v.verify(p.token(), "send_email", &args, MAX_TIME).unwrap();
    }

    #[test]
    fn every_bit_flip_is_rejected() {
        let (issuer, _) = setup();
        let args = json!({"path": "/tmp/x", "mode": 420});
        let p = issuer
            .issue(&req(&args).with_jti("flip").with_idempotency_key("k"), NOW)
            .unwrap();
        let token = p.token().as_bytes().to_vec();
        let keys = KeySet::from_keys([issuer.key.public_key()]).unwrap();
        for i in 0..token.len() {
            for bit in 0..8 {
                let mut t = token.clone();
                t[i] ^= 1 << bit;
                let Ok(text) = std::str::from_utf8(&t) else {
                    continue; // not a &str: cannot even be presented
                };
                // A fresh verifier each time, so only the flip can cause a rejection.
                let v = PermitVerifier::new(keys.clone(), "tool");
                assert!(
                    v.verify(text, "send_email", &args, NOW).is_err(),
                    "flip of bit {bit} of byte {i} was accepted: {text}"
                );
            }
        }
        let v = PermitVerifier::new(keys, "tool");
        v.verify(p.token(), "send_email", &args, NOW).unwrap();
    }
}
