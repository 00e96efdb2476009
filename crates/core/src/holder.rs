//! Proof of possession (DPoP-like): a holder signs the capability id, the
//! request hash, the verifier's audience, the time and a nonce, so a
//! capability bound to its key is useless to anyone who merely copied it.
//!
//! Proof text: `base64url(JCS payload) "." base64url(signature)`; payload
//! `{"aud","cap","iat","jwk":{"crv","kty","x"},"nonce","req","v":1}`; the
//! signature covers `charter/v1/holder-proof` 0x00 payload.

use serde_json::json;

use crate::call::CapabilityRef;
use crate::capability::Capability;
use crate::keys::{PublicKey, SigningKey};
use crate::replay::ReplayStore;
use crate::request::Request;
use crate::{b64, jcs, Error, ErrorCode};

const LABEL: &str = "charter/v1/holder-proof";
/// Largest proof text accepted.
pub const MAX_PROOF_BYTES: usize = 2048;

/// An agent's key, used to prove it holds a capability bound to it.
#[derive(Clone, Debug)]
pub struct Holder {
    key: SigningKey,
}

impl Holder {
    /// A holder proving with `key`; bind capabilities to its kid.
    pub fn new(key: SigningKey) -> Self {
        Holder { key }
    }

    /// The key id to bind capabilities to (`Capability::bind_holder`).
    pub fn kid(&self) -> String {
        self.key.kid()
    }

    /// Signs a proof for one request to one audience at `now`.
    pub fn prove(
        &self,
        capability: &Capability,
        request: &Request,
        audience: &str,
        now: i64,
    ) -> Result<String, Error> {
        let mut nonce = [0u8; 16];
        rand_core::RngCore::fill_bytes(&mut rand_core::OsRng, &mut nonce);
        self.prove_with_nonce(capability, request, audience, now, &nonce)
    }

    /// A proof for a capability as a binding receives it (parsed, or its
    /// text, which must parse) with the nonce the caller may fix (random
    /// when `None`): every binding's `prove` is this one call.
    pub fn prove_call<'a>(
        &self,
        capability: impl Into<CapabilityRef<'a>>,
        request: &Request,
        audience: &str,
        now: i64,
        nonce: Option<&[u8]>,
    ) -> Result<String, Error> {
        let cap = capability.into().resolve()?;
        match nonce {
            Some(n) => self.prove_with_nonce(&cap, request, audience, now, n),
            None => self.prove(&cap, request, audience, now),
        }
    }

    /// As [`Holder::prove`] with a fixed nonce (tests and vectors only: a
    /// repeated nonce is refused as a replay).
    pub fn prove_with_nonce(
        &self,
        capability: &Capability,
        request: &Request,
        audience: &str,
        now: i64,
        nonce: &[u8],
    ) -> Result<String, Error> {
        if nonce.len() < 16 || nonce.len() > 64 {
            return Err(Error::new(
                ErrorCode::InvalidArgument,
                "proof nonce must be 16 to 64 bytes",
            ));
        }
        let jwk = self.key.public_key().to_jwk();
        let payload = json!({
            "aud": audience,
            "cap": capability.id(),
            "iat": now,
            "jwk": {"crv": jwk["crv"], "kty": jwk["kty"], "x": jwk["x"]},
            "nonce": b64::encode(nonce),
            "req": request.hash()?,
            "v": 1,
        });
        let text = jcs::canonicalize(&payload)?;
        let sig = self.key.sign_labeled(LABEL, text.as_bytes());
        Ok(format!("{}.{}", b64::encode(text), b64::encode(sig)))
    }
}

/// Checks a proof; on success returns the holder's key id (the value of
/// `holder` in caveats).
#[allow(clippy::too_many_arguments)]
pub(crate) fn verify_proof(
    proof: &str,
    capability_id: &str,
    request: &Request,
    audience: &str,
    now: i64,
    window: i64,
    leeway: i64,
    replay: &dyn ReplayStore,
) -> Result<String, Error> {
    let invalid = |m: &str| Error::new(ErrorCode::ProofInvalid, format!("holder proof {m}"));
    if proof.len() > MAX_PROOF_BYTES {
        return Err(Error::new(
            ErrorCode::LimitExceeded,
            format!("holder proof is longer than {MAX_PROOF_BYTES} bytes"),
        ));
    }
    let (p, s) = proof
        .split_once('.')
        .ok_or_else(|| invalid("is not two base64url parts joined by '.'"))?;
    let payload_bytes =
        b64::decode(p).ok_or_else(|| invalid("payload is not canonical base64url"))?;
    let sig = b64::decode(s).ok_or_else(|| invalid("signature is not canonical base64url"))?;
    let text = std::str::from_utf8(&payload_bytes).map_err(|_| invalid("payload is not UTF-8"))?;
    let payload = jcs::parse(text).map_err(|e| invalid(&format!("payload: {e}")))?;
    if jcs::canonicalize(&payload).ok().as_deref() != Some(text) {
        return Err(invalid("payload is not canonical JSON (RFC 8785)"));
    }
    let obj = payload
        .as_object()
        .ok_or_else(|| invalid("payload is not an object"))?;
    const MEMBERS: [&str; 7] = ["aud", "cap", "iat", "jwk", "nonce", "req", "v"];
    if obj.len() != MEMBERS.len() || !MEMBERS.iter().all(|m| obj.contains_key(*m)) {
        return Err(invalid(
            "payload must have exactly aud, cap, iat, jwk, nonce, req and v",
        ));
    }
    if obj["v"] != json!(1) {
        return Err(Error::new(
            ErrorCode::UnsupportedVersion,
            "holder proof version must be 1",
        ));
    }
    let key = PublicKey::from_jwk(&obj["jwk"]).map_err(|e| invalid(&format!("key: {e}")))?;
    key.verify_labeled(LABEL, text.as_bytes(), &sig)
        .map_err(|_| invalid("signature does not verify"))?;
    let str_of = |k: &str| {
        obj[k]
            .as_str()
            .ok_or_else(|| invalid(&format!("\"{k}\" must be a string")))
    };
    if str_of("cap")? != capability_id {
        return Err(invalid("was made for another capability"));
    }
    if str_of("aud")? != audience {
        return Err(invalid(&format!(
            "was made for audience {:?}, not {audience:?}",
            str_of("aud")?
        )));
    }
    if str_of("req")? != request.hash()? {
        return Err(invalid(
            "was made for another request (agent, action, args or resource differ)",
        ));
    }
    let iat = obj["iat"]
        .as_i64()
        .ok_or_else(|| invalid("\"iat\" must be an integer"))?;
    // A proof is fresh on the half-open interval [iat − leeway, iat + window):
    // dated at most `leeway` seconds ahead of `now`, and less than `window`
    // seconds old. Exact arithmetic in i128: no clock value can wrap.
    let (iat_w, now_w) = (i128::from(iat), i128::from(now));
    let ahead = iat_w - now_w;
    if ahead > i128::from(leeway) {
        return Err(invalid(&format!(
            "is dated {ahead}s in the future (leeway {leeway}s)"
        )));
    }
    let age = now_w - iat_w;
    if age >= i128::from(window) {
        return Err(invalid(&format!(
            "is {age}s old; a proof must be less than {window}s old"
        )));
    }
    let nonce = str_of("nonce")?;
    if b64::decode(nonce).is_none_or(|n| n.len() < 16 || n.len() > 64) {
        return Err(invalid("nonce must be 16 to 64 bytes of base64url"));
    }
    replay
        .check_and_record(
            &format!("proof:{}:{nonce}", key.kid()),
            // Kept as long as the proof could still be accepted, and then some.
            iat.saturating_add(window).saturating_add(leeway),
            now,
        )
        .map_err(|e| match e.code() {
            ErrorCode::Replayed => Error::new(
                ErrorCode::Replayed,
                "this holder proof was already presented; sign a fresh proof for every request",
            ),
            _ => e,
        })?;
    Ok(key.kid().to_string())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{Issuer, RootKey};

    /// `prove_call` with a fixed nonce is `prove_with_nonce` for a parsed
    /// capability and for its text alike; without one the nonce is fresh;
    /// text that does not parse is its parse error, not a proof.
    #[test]
    fn prove_call_takes_either_form_and_an_optional_nonce() {
        let root = RootKey::from_bytes(&[7; 32]).unwrap();
        let cap = Issuer::new(root)
            .issue()
            .issued_at(0)
            .never_expires()
            .build()
            .unwrap();
        let holder = Holder::new(SigningKey::from_bytes(&[8; 32]).unwrap());
        let req = Request::new("bot", "read", json!({}));
        let nonce = [1u8; 16];
        let fixed = holder
            .prove_with_nonce(&cap, &req, "shop", 5, &nonce)
            .unwrap();
        let text = cap.serialize();
        for c in [CapabilityRef::Parsed(&cap), CapabilityRef::Text(&text)] {
            assert_eq!(
                holder.prove_call(c, &req, "shop", 5, Some(&nonce)).unwrap(),
                fixed
            );
        }
        let (a, b) = (
            holder.prove_call(&cap, &req, "shop", 5, None).unwrap(),
            holder.prove_call(&text, &req, "shop", 5, None).unwrap(),
        );
        assert!(a != b && a != fixed, "a random nonce each time");
        let e = holder
            .prove_call("not a capability", &req, "shop", 5, None)
            .unwrap_err();
        assert_eq!(
            e.code(),
            Capability::parse("not a capability").unwrap_err().code()
        );
        let short = holder
            .prove_call(&cap, &req, "shop", 5, Some(&[1u8; 15]))
            .unwrap_err();
        assert_eq!(short.code(), ErrorCode::InvalidArgument);
    }
}
