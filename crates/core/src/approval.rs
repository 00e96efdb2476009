//! Human approvals: M-of-N sign-off on one exact call.
//!
//! A capability requires approvals with a whole caveat
//! `approval(M, ["kid", ...][, condition])`: when `condition` (a CEL bool over
//! the call; absent = always) holds, the call needs valid approvals from at
//! least `M` distinct keys among the listed key ids (RFC 7638 thumbprints).
//!
//! An approval is `base64url(JCS payload) "." base64url(signature)`, payload
//! `{"act","args","aud","cap","exp","iat","jwk":{"crv","kty","x"},"typ":"charter-approval","v":1}`,
//! signed with Ed25519 over `charter/v1/approval` 0x00 payload. It names the
//! capability id, the action, the SHA-256 of the JCS arguments (what permits
//! carry) and the audience, so it is good for that one call only, and it
//! carries the approver's public key, so it verifies offline. Approvals
//! travel with the request (`"approvals": [text, ...]`). See
//! `contract/approvals.md`.

use serde::{Deserialize, Serialize};
use serde_json::{json, Value};

use crate::keys::{PublicKey, SigningKey};
use crate::{b64, jcs, Error, ErrorCode};

/// Domain-separation label of approval signatures.
pub const APPROVAL_LABEL: &str = "charter/v1/approval";
/// The payload's `typ`.
pub const APPROVAL_TYPE: &str = "charter-approval";
/// Most approver keys one `approval(...)` caveat names.
pub const MAX_APPROVERS: usize = 16;
/// Most approvals one request carries.
pub const MAX_APPROVALS: usize = 32;
/// Longest approval text, bytes.
pub const MAX_APPROVAL_BYTES: usize = 2048;
/// Longest an approval may be valid (`exp - iat`): one day, in seconds.
pub const MAX_APPROVAL_LIFETIME: i64 = 86_400;

/// What a denial with code `approval_required` says is needed: which keys,
/// how many, how many valid ones were offered, and the exact call an
/// approval must name (what a tool shows a person before asking them).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
#[cfg_attr(
    feature = "python",
    pyo3::pyclass(get_all, frozen, eq, module = "charter")
)]
#[cfg_attr(feature = "napi", napi_derive::napi(object))]
pub struct ApprovalNeed {
    /// How many distinct approvers must sign (M).
    pub required: u32,
    /// The key ids that may approve (N of them).
    pub approvers: Vec<String>,
    /// How many distinct listed approvers signed a valid approval of this call.
    pub valid: u32,
    /// The capability id an approval must name.
    pub capability: String,
    /// The action an approval must name.
    pub action: String,
    /// base64url SHA-256 of the JCS arguments an approval must name.
    pub args_hash: String,
    /// The audience an approval must name.
    pub audience: String,
}

/// A caveat of the form `approval(M, ["kid", ...])` or
/// `approval(M, ["kid", ...], condition)`.
#[derive(Clone, Debug)]
pub struct ApprovalCaveat {
    /// How many distinct listed keys must approve.
    pub required: u32,
    /// The approver key ids, in the caveat's order, distinct.
    pub approvers: Vec<String>,
    /// When approval is needed; `None` is always.
    pub condition: Option<crate::caveat::Expr>,
}

fn syntax(src: &str, why: &str) -> Error {
    Error::new(
        ErrorCode::CaveatSyntax,
        format!(
            "approval caveat {src:?}: {why}; the form is approval(M, [\"key id\", ...][, condition])"
        ),
    )
}

/// A key id: base64url of 32 bytes (an RFC 7638 SHA-256 thumbprint).
fn is_kid(s: &str) -> bool {
    s.len() == 43 && b64::decode(s).is_some_and(|b| b.len() == 32)
}

impl ApprovalCaveat {
    /// `None` when `src` is not an approval caveat (it does not start with
    /// `approval(`), else the parsed caveat or a `caveat_syntax` error.
    pub fn parse(src: &str) -> Option<Result<ApprovalCaveat, Error>> {
        let body = src
            .trim()
            .strip_prefix("approval")?
            .trim_start()
            .strip_prefix('(')?;
        Some(Self::parse_body(src, body))
    }

    fn parse_body(src: &str, body: &str) -> Result<ApprovalCaveat, Error> {
        let body = body
            .trim_end()
            .strip_suffix(')')
            .ok_or_else(|| syntax(src, "it must end with ')'"))?;
        let (m, rest) = body
            .split_once(',')
            .ok_or_else(|| syntax(src, "a list of approver key ids must follow M"))?;
        let m = m.trim();
        if m.is_empty() || m.len() > 2 || !m.bytes().all(|b| b.is_ascii_digit()) {
            return Err(syntax(
                src,
                &format!("M must be an integer literal from 1 to {MAX_APPROVERS}"),
            ));
        }
        let required: u32 = m
            .parse()
            .map_err(|_| syntax(src, "M must be an integer literal"))?;
        let rest = rest
            .trim_start()
            .strip_prefix('[')
            .ok_or_else(|| syntax(src, "the approvers must be a list [\"key id\", ...]"))?;
        let (list, rest) = rest
            .split_once(']')
            .ok_or_else(|| syntax(src, "the approver list's ']' is missing"))?;
        let mut approvers: Vec<String> = Vec::new();
        for item in list.split(',') {
            let item = item.trim();
            let kid = item
                .strip_prefix('"')
                .and_then(|s| s.strip_suffix('"'))
                .or_else(|| item.strip_prefix('\'').and_then(|s| s.strip_suffix('\'')))
                .ok_or_else(|| syntax(src, "each approver is a quoted key id"))?;
            if !is_kid(kid) {
                return Err(syntax(
                    src,
                    &format!(
                        "approver {kid:?} is not a key id (the 43-character base64url RFC 7638 thumbprint of an Ed25519 key)"
                    ),
                ));
            }
            if approvers.iter().any(|a| a == kid) {
                return Err(syntax(src, &format!("approver {kid:?} is listed twice")));
            }
            approvers.push(kid.to_string());
        }
        if approvers.len() > MAX_APPROVERS {
            return Err(syntax(
                src,
                &format!("at most {MAX_APPROVERS} approvers may be listed"),
            ));
        }
        if required == 0 || required as usize > approvers.len() {
            return Err(syntax(
                src,
                &format!(
                    "M is {required}; it must be from 1 to the number of approvers ({})",
                    approvers.len()
                ),
            ));
        }
        let rest = rest.trim();
        let condition = if rest.is_empty() {
            None
        } else {
            let expr = rest
                .strip_prefix(',')
                .map(str::trim)
                .ok_or_else(|| syntax(src, "only a condition may follow the approver list"))?;
            if expr.is_empty() {
                return Err(syntax(src, "the condition is empty"));
            }
            Some(crate::caveat::Expr::compile(expr).map_err(Error::from)?)
        };
        Ok(ApprovalCaveat {
            required,
            approvers,
            condition,
        })
    }
}

/// The call an approval is for.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ApprovedCall {
    /// The capability id (`Capability::id`).
    pub capability: String,
    /// The action.
    pub action: String,
    /// base64url SHA-256 of the JCS arguments.
    pub args_hash: String,
    /// The audience (the verifier's).
    pub audience: String,
}

/// A parsed approval (signature checked, call and times not yet).
#[derive(Clone, Debug)]
pub struct Approval {
    /// The call it approves.
    pub call: ApprovedCall,
    /// The approver's key id.
    pub kid: String,
    /// When it was signed, Unix seconds.
    pub iat: i64,
    /// When it stops counting, Unix seconds (exclusive).
    pub exp: i64,
}

impl SigningKey {
    /// Signs an approval of exactly one call (capability id, action, the
    /// arguments' hash, audience), valid from `now` for `expires_in` seconds
    /// (1 to [`MAX_APPROVAL_LIFETIME`]). Returns the approval text to attach
    /// to the request's `approvals`.
    pub fn approve(&self, call: &ApprovedCall, now: i64, expires_in: i64) -> Result<String, Error> {
        if !(1..=MAX_APPROVAL_LIFETIME).contains(&expires_in) {
            return Err(Error::new(
                ErrorCode::InvalidArgument,
                format!(
                    "an approval expires 1 to {MAX_APPROVAL_LIFETIME} seconds after it is signed, got {expires_in}"
                ),
            ));
        }
        if !(0..=crate::capability::MAX_TIME).contains(&now) {
            return Err(Error::new(
                ErrorCode::InvalidArgument,
                format!("now {now} is not Unix seconds between 1970 and 9999"),
            ));
        }
        if call.action.is_empty() || !is_kid(&call.args_hash) {
            return Err(Error::new(
                ErrorCode::InvalidArgument,
                "an approval needs an action and the base64url SHA-256 of the arguments",
            ));
        }
        let jwk = self.public_key().to_jwk();
        let payload = json!({
            "act": call.action,
            "args": call.args_hash,
            "aud": call.audience,
            "cap": call.capability,
            "exp": now + expires_in,
            "iat": now,
            "jwk": {"crv": jwk["crv"], "kty": jwk["kty"], "x": jwk["x"]},
            "typ": APPROVAL_TYPE,
            "v": 1,
        });
        let text = jcs::canonicalize(&payload)?;
        let sig = self.sign_labeled(APPROVAL_LABEL, text.as_bytes());
        let out = format!("{}.{}", b64::encode(text), b64::encode(sig));
        if out.len() > MAX_APPROVAL_BYTES {
            return Err(Error::new(
                ErrorCode::LimitExceeded,
                format!("the approval would be longer than {MAX_APPROVAL_BYTES} bytes (a very long action or audience)"),
            ));
        }
        Ok(out)
    }
}

impl SigningKey {
    /// What every binding's `SigningKey.approve(capability, action, args,
    /// audience, expires_in, now?)` calls: the capability parsed or as text,
    /// the arguments as a value or JSON text (checked as a request's are),
    /// `now` the system clock when absent.
    pub fn approve_call(
        &self,
        capability: crate::CapabilityRef<'_>,
        action: &str,
        args: crate::JsonInput<'_>,
        audience: &str,
        expires_in: i64,
        now: Option<i64>,
    ) -> Result<String, Error> {
        let cap = capability.resolve()?;
        let request = crate::Request::build("", action, args, None)?;
        let call = ApprovedCall::of(&cap.id(), &request, audience)?;
        self.approve(&call, now.unwrap_or_else(crate::unix_now), expires_in)
    }
}

impl ApprovedCall {
    /// The call `request` makes with `capability_id` at `audience`.
    pub fn of(
        capability_id: &str,
        request: &crate::Request,
        audience: &str,
    ) -> Result<Self, Error> {
        Ok(ApprovedCall {
            capability: capability_id.to_string(),
            action: request.action.clone(),
            args_hash: request.args_hash()?,
            audience: audience.to_string(),
        })
    }
}

impl Approval {
    /// Parses approval text strictly and checks its signature: the only
    /// accepted form is what [`SigningKey::approve`] writes. Errors are
    /// `malformed`, `limit_exceeded`, `unsupported_version` or
    /// `bad_signature`.
    pub fn parse(text: &str) -> Result<Approval, Error> {
        let bad = |m: &str| Error::new(ErrorCode::Malformed, format!("approval {m}"));
        if text.len() > MAX_APPROVAL_BYTES {
            return Err(Error::new(
                ErrorCode::LimitExceeded,
                format!("approval is longer than {MAX_APPROVAL_BYTES} bytes"),
            ));
        }
        let (p, s) = text
            .split_once('.')
            .ok_or_else(|| bad("is not two base64url parts joined by '.'"))?;
        let payload = b64::decode(p).ok_or_else(|| bad("payload is not canonical base64url"))?;
        let sig = b64::decode(s).ok_or_else(|| bad("signature is not canonical base64url"))?;
        let payload = std::str::from_utf8(&payload).map_err(|_| bad("payload is not UTF-8"))?;
        let value = jcs::parse(payload).map_err(|e| bad(&format!("payload: {e}")))?;
        if jcs::canonicalize(&value).ok().as_deref() != Some(payload) {
            return Err(bad("payload is not canonical JSON (RFC 8785)"));
        }
        let obj = value
            .as_object()
            .ok_or_else(|| bad("payload is not an object"))?;
        if obj.get("v") != Some(&json!(1)) {
            return Err(Error::new(
                ErrorCode::UnsupportedVersion,
                "approval version must be 1",
            ));
        }
        const MEMBERS: [&str; 9] = ["act", "args", "aud", "cap", "exp", "iat", "jwk", "typ", "v"];
        if obj.len() != MEMBERS.len() || !MEMBERS.iter().all(|m| obj.contains_key(*m)) {
            return Err(bad(
                "payload must have exactly act, args, aud, cap, exp, iat, jwk, typ and v",
            ));
        }
        if obj["typ"] != json!(APPROVAL_TYPE) {
            return Err(bad(&format!("typ must be {APPROVAL_TYPE:?}")));
        }
        let key = PublicKey::from_jwk(&obj["jwk"]).map_err(|e| bad(&format!("key: {e}")))?;
        key.verify_labeled(APPROVAL_LABEL, payload.as_bytes(), &sig)
            .map_err(|_| {
                Error::new(
                    ErrorCode::BadSignature,
                    "approval signature does not verify",
                )
            })?;
        let string = |k: &str| {
            obj[k]
                .as_str()
                .map(str::to_string)
                .ok_or_else(|| bad(&format!("\"{k}\" must be a string")))
        };
        let int = |k: &str| {
            obj[k]
                .as_i64()
                .ok_or_else(|| bad(&format!("\"{k}\" must be an integer")))
        };
        let (iat, exp) = (int("iat")?, int("exp")?);
        if exp <= iat || exp - iat > MAX_APPROVAL_LIFETIME {
            return Err(bad(&format!(
                "lifetime exp - iat must be 1 to {MAX_APPROVAL_LIFETIME} seconds"
            )));
        }
        let call = ApprovedCall {
            capability: string("cap")?,
            action: string("act")?,
            args_hash: string("args")?,
            audience: string("aud")?,
        };
        Ok(Approval {
            call,
            kid: key.kid().to_string(),
            iat,
            exp,
        })
    }

    /// Whether this approval counts for `call` at `now`: `Err` says why not
    /// (another call, expired, dated ahead beyond `leeway` seconds).
    pub fn check(&self, call: &ApprovedCall, now: i64, leeway: i64) -> Result<(), String> {
        let c = &self.call;
        if c.capability != call.capability {
            return Err(format!(
                "it approves capability {}, not {}",
                c.capability, call.capability
            ));
        }
        if c.audience != call.audience {
            return Err(format!(
                "it approves a call at audience {:?}, not {:?}",
                c.audience, call.audience
            ));
        }
        if c.action != call.action {
            return Err(format!(
                "it approves action {:?}, not {:?}",
                c.action, call.action
            ));
        }
        if c.args_hash != call.args_hash {
            return Err(format!(
                "it approves other arguments (hash {}, this call's is {})",
                c.args_hash, call.args_hash
            ));
        }
        if i128::from(self.iat) - i128::from(now) > i128::from(leeway) {
            return Err(format!(
                "it is dated {}s in the future (leeway {leeway}s)",
                i128::from(self.iat) - i128::from(now)
            ));
        }
        if now >= self.exp {
            return Err(format!("it expired at {} (now {now})", self.exp));
        }
        Ok(())
    }
}

/// Each offered approval verified against one call: the approver's key id,
/// or why it does not count.
pub(crate) fn verify_offered(
    offered: &[String],
    call: &ApprovedCall,
    now: i64,
    leeway: i64,
) -> Vec<Result<String, String>> {
    offered
        .iter()
        .map(|text| match Approval::parse(text) {
            Err(e) => Err(e.message().to_string()),
            Ok(a) => a
                .check(call, now, leeway)
                .map(|()| a.kid.clone())
                .map_err(|why| format!("approval by {}: {why}", a.kid)),
        })
        .collect()
}

/// How one approval caveat fares with the verified offers: the approvers
/// counted, or the need and why each offer did not count.
pub(crate) fn tally(
    caveat: &ApprovalCaveat,
    verified: &[Result<String, String>],
) -> (Vec<String>, Vec<String>) {
    let mut counted: Vec<String> = Vec::new();
    let mut why_not = Vec::new();
    for (i, v) in verified.iter().enumerate() {
        match v {
            Err(why) => why_not.push(format!("approval {i}: {why}")),
            Ok(kid) if !caveat.approvers.contains(kid) => why_not.push(format!(
                "approval {i}: signed by {kid}, which is not one of the approvers"
            )),
            Ok(kid) if counted.contains(kid) => why_not.push(format!(
                "approval {i}: a second approval by {kid} (each approver counts once)"
            )),
            Ok(kid) => counted.push(kid.clone()),
        }
    }
    (counted, why_not)
}

/// The `approval_required` reason for one caveat short of approvals.
pub(crate) fn required_reason(
    index: u32,
    source: &str,
    caveat: &ApprovalCaveat,
    call: &ApprovedCall,
    counted: usize,
    why_not: &[String],
) -> crate::Reason {
    let mut message = format!(
        "caveat {index} ({source}): this call needs approvals from {} of [{}]; {counted} valid {} offered; an approval must name capability {}, action {:?}, args hash {}, audience {:?}",
        caveat.required,
        caveat.approvers.join(", "),
        if counted == 1 { "was" } else { "were" },
        call.capability,
        call.action,
        call.args_hash,
        call.audience,
    );
    if !why_not.is_empty() {
        message.push_str(&format!("; not counted: {}", why_not.join("; ")));
    }
    let mut reason = crate::Reason::new(ErrorCode::ApprovalRequired, Some(index), message);
    reason.approval = Some(ApprovalNeed {
        required: caveat.required,
        approvers: caveat.approvers.clone(),
        valid: counted as u32,
        capability: call.capability.clone(),
        action: call.action.clone(),
        args_hash: call.args_hash.clone(),
        audience: call.audience.clone(),
    });
    reason
}

/// Checks the request's `approvals` member: an array of at most
/// [`MAX_APPROVALS`] strings, each at most [`MAX_APPROVAL_BYTES`].
pub(crate) fn check_offered(offered: &[String]) -> Result<(), Error> {
    if offered.len() > MAX_APPROVALS {
        return Err(Error::new(
            ErrorCode::LimitExceeded,
            format!(
                "a request carries at most {MAX_APPROVALS} approvals, got {}",
                offered.len()
            ),
        ));
    }
    if let Some(long) = offered.iter().find(|a| a.len() > MAX_APPROVAL_BYTES) {
        return Err(Error::new(
            ErrorCode::LimitExceeded,
            format!(
                "an approval is {} bytes; the most is {MAX_APPROVAL_BYTES}",
                long.len()
            ),
        ));
    }
    Ok(())
}

/// The request's `approvals` member read from JSON.
pub(crate) fn from_json(value: Option<&Value>) -> Result<Vec<String>, Error> {
    let bad = |m: &str| Error::new(ErrorCode::Malformed, format!("request: {m}"));
    match value {
        None => Ok(Vec::new()),
        Some(Value::Array(items)) => {
            let out = items
                .iter()
                .map(|v| {
                    v.as_str()
                        .map(str::to_string)
                        .ok_or_else(|| bad("\"approvals\" must be an array of approval strings"))
                })
                .collect::<Result<Vec<_>, _>>()?;
            check_offered(&out)?;
            Ok(out)
        }
        Some(_) => Err(bad("\"approvals\" must be an array of approval strings")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{
        CallOptions, Capability, Guard, Issuer, MemoryAuditLog, PermitIssuer, Request, RootKey,
        Verifier,
    };
    use std::sync::Arc;

    const NOW: i64 = 1_700_000_000;
    const AUD: &str = "shop";

    fn key(n: u8) -> SigningKey {
        SigningKey::from_bytes(&[n; 32]).unwrap()
    }

    fn root() -> RootKey {
        RootKey::from_bytes(&[5; 32]).unwrap()
    }

    fn cap() -> Capability {
        Issuer::new(root())
            .issue()
            .token_id([3; 16])
            .issued_at(NOW)
            .actions(&["refund"])
            .expires_at(NOW + 3600)
            .build()
            .unwrap()
    }

    fn two_of_three(condition: &str) -> String {
        format!(
            "approval(2, [\"{}\", \"{}\", \"{}\"]{condition})",
            key(1).kid(),
            key(2).kid(),
            key(3).kid()
        )
    }

    fn request(amount: i64) -> Request {
        Request::new("shopper", "refund", serde_json::json!({"amount": amount}))
    }

    fn approve(k: &SigningKey, cap: &Capability, req: &Request) -> String {
        k.approve(&ApprovedCall::of(&cap.id(), req, AUD).unwrap(), NOW, 600)
            .unwrap()
    }

    fn check(cap: &Capability, req: &Request) -> crate::Decision {
        Verifier::new([root()], AUD)
            .unwrap()
            .check(cap, req, &CallOptions::at(NOW + 10))
    }

    fn codes(d: &crate::Decision) -> Vec<&'static str> {
        d.reasons.iter().map(|r| r.code.as_str()).collect()
    }

    #[test]
    fn caveats_parse_and_are_bounded() {
        let c = ApprovalCaveat::parse(&two_of_three(", args.amount > 1000"))
            .unwrap()
            .unwrap();
        assert_eq!((c.required, c.approvers.len()), (2, 3));
        assert_eq!(c.condition.unwrap().source(), "args.amount > 1000");
        assert!(ApprovalCaveat::parse(&two_of_three(""))
            .unwrap()
            .unwrap()
            .condition
            .is_none());
        assert!(ApprovalCaveat::parse("args.amount > 5").is_none());
        let k = key(1).kid();
        let many: Vec<String> = (1..=17).map(|n| format!("\"{}\"", key(n).kid())).collect();
        for bad in [
            format!("approval(0, [\"{k}\"])"),
            format!("approval(2, [\"{k}\"])"),
            format!("approval(1, [\"{k}\", \"{k}\"])"),
            format!("approval(1, [\"{k}\"]"),
            format!("approval(1, [\"{k}\"], )"),
            format!("approval(1, [\"{k}\"], args.)"),
            format!("approval(1, [\"{k}\"] args.x)"),
            format!("approval(-1, [\"{k}\"])"),
            format!("approval(x, [\"{k}\"])"),
            format!("approval(1, [{k}])"),
            "approval(1, [\"not-a-kid\"])".to_string(),
            "approval(1, [])".to_string(),
            format!("approval(1, [{}])", many.join(", ")),
        ] {
            let e = ApprovalCaveat::parse(&bad).unwrap().unwrap_err();
            assert_eq!(e.code(), ErrorCode::CaveatSyntax, "{bad}: {e}");
            assert_eq!(
                cap().attenuate(&bad).unwrap_err().code(),
                ErrorCode::InvalidCaveat,
                "{bad}"
            );
        }
        let sixteen = many[..16].join(", ");
        assert!(cap()
            .attenuate(&format!("approval(16, [{sixteen}])"))
            .is_ok());
    }

    #[test]
    fn m_of_n_distinct_approvers_of_this_exact_call() {
        let cap = cap().attenuate(&two_of_three("")).unwrap();
        let req = request(5000);
        // None, one, one twice: too few, and the need is structured.
        let d = check(&cap, &req);
        assert_eq!(codes(&d), ["approval_required"]);
        let need = d.reasons[0].approval.clone().unwrap();
        assert_eq!((need.required, need.valid), (2, 0));
        assert_eq!(need.capability, cap.id());
        assert_eq!(need.args_hash, req.args_hash().unwrap());
        assert_eq!(
            (need.action.as_str(), need.audience.as_str()),
            ("refund", AUD)
        );
        let one = approve(&key(1), &cap, &req);
        let twice = req.clone().with_approvals(vec![one.clone(), one.clone()]);
        let d = check(&cap, &twice);
        assert_eq!(codes(&d), ["approval_required"]);
        assert_eq!(d.reasons[0].approval.as_ref().unwrap().valid, 1);
        assert!(
            d.reasons[0].message.contains("counts once"),
            "{}",
            d.reasons[0].message
        );
        // Two distinct listed approvers: allowed.
        let two = req
            .clone()
            .with_approvals(vec![one.clone(), approve(&key(3), &cap, &req)]);
        assert!(check(&cap, &two).allowed);
        // A key not in the list does not count.
        let stranger = req
            .clone()
            .with_approvals(vec![one.clone(), approve(&key(9), &cap, &req)]);
        let d = check(&cap, &stranger);
        assert_eq!(codes(&d), ["approval_required"]);
        assert!(d.reasons[0].message.contains("not one of the approvers"));
        // An approval of another call (other args) or capability does not count.
        let other_args = approve(&key(2), &cap, &request(5001));
        let other_cap = approve(&key(2), &cap.attenuate("true").unwrap(), &req);
        for (other, why) in [
            (other_args, "other arguments"),
            (other_cap, "approves capability"),
        ] {
            let d = check(&cap, &req.clone().with_approvals(vec![one.clone(), other]));
            assert_eq!(codes(&d), ["approval_required"]);
            assert!(
                d.reasons[0].message.contains(why),
                "{}",
                d.reasons[0].message
            );
        }
        // Expired, dated ahead, tampered, garbage: none counts.
        let call = ApprovedCall::of(&cap.id(), &req, AUD).unwrap();
        let expired = key(2).approve(&call, NOW - 600, 600).unwrap();
        let ahead = key(2).approve(&call, NOW + 100, 600).unwrap();
        let mut tampered = approve(&key(2), &cap, &req).into_bytes();
        let last = tampered.len() - 2;
        tampered[last] = if tampered[last] == b'A' { b'B' } else { b'A' };
        let tampered = String::from_utf8(tampered).unwrap();
        for (bad, why) in [
            (expired, "expired"),
            (ahead, "in the future"),
            (tampered, "approval"),
            ("garbage".to_string(), "two base64url parts"),
        ] {
            let d = check(&cap, &req.clone().with_approvals(vec![one.clone(), bad]));
            assert_eq!(codes(&d), ["approval_required"], "{why}");
            assert!(
                d.reasons[0].message.contains(why),
                "{}",
                d.reasons[0].message
            );
        }
    }

    #[test]
    fn a_condition_says_when_approval_is_needed() {
        let cap = cap()
            .attenuate(&two_of_three(", args.amount > 1000"))
            .unwrap();
        assert!(check(&cap, &request(1000)).allowed);
        assert_eq!(codes(&check(&cap, &request(1001))), ["approval_required"]);
        // A condition that cannot be evaluated denies.
        let odd = Request::new("shopper", "refund", serde_json::json!({}));
        assert_eq!(codes(&check(&cap, &odd)), ["caveat_error"]);
    }

    #[test]
    fn narrowing_adds_or_raises_a_requirement_and_never_removes_one() {
        let parent = cap().attenuate(&two_of_three("")).unwrap();
        let req = request(5000);
        let one = |c: &Capability| approve(&key(1), c, &req);
        let two = |c: &Capability| approve(&key(2), c, &req);
        // A child that asks for 1 of the same keys does not lower the parent's 2.
        let lower = parent
            .attenuate(&format!("approval(1, [\"{}\"])", key(1).kid()))
            .unwrap();
        let d = check(&lower, &req.clone().with_approvals(vec![one(&lower)]));
        assert_eq!(codes(&d), ["approval_required"]);
        assert_eq!(d.reasons[0].caveat_index, Some(2));
        // A condition that is false in the child does not remove it either.
        let unless = parent
            .attenuate(&format!("approval(1, [\"{}\"], false)", key(1).kid()))
            .unwrap();
        assert_eq!(codes(&check(&unless, &req)), ["approval_required"]);
        // A child raising M to 3 needs all three.
        let raise = parent
            .attenuate(&two_of_three("").replace("(2,", "(3,"))
            .unwrap();
        let both = req.clone().with_approvals(vec![one(&raise), two(&raise)]);
        let d = check(&raise, &both);
        assert_eq!(codes(&d), ["approval_required"]);
        assert_eq!(d.reasons[0].caveat_index, Some(3));
        let all = both.with_approvals(vec![
            one(&raise),
            two(&raise),
            approve(&key(3), &raise, &req),
        ]);
        assert!(check(&raise, &all).allowed);
        // A child adding a requirement where there was none.
        let added = cap()
            .attenuate(&format!("approval(1, [\"{}\"])", key(4).kid()))
            .unwrap();
        assert!(check(&cap(), &req).allowed);
        assert_eq!(codes(&check(&added, &req)), ["approval_required"]);
    }

    #[test]
    fn approvals_are_strict_and_bounded() {
        let call = ApprovedCall::of(&cap().id(), &request(1), AUD).unwrap();
        let text = key(1).approve(&call, NOW, 600).unwrap();
        let a = Approval::parse(&text).unwrap();
        assert_eq!((a.kid, a.iat, a.exp), (key(1).kid(), NOW, NOW + 600));
        assert_eq!(a.call, call);
        for bad in [0, -1, MAX_APPROVAL_LIFETIME + 1] {
            assert_eq!(
                key(1).approve(&call, NOW, bad).unwrap_err().code(),
                ErrorCode::InvalidArgument
            );
        }
        assert!(key(1).approve(&call, NOW, MAX_APPROVAL_LIFETIME).is_ok());
        // Not canonical (a space in the payload), unknown member, other typ.
        let (p, s) = text.split_once('.').unwrap();
        let payload = String::from_utf8(b64::decode(p).unwrap()).unwrap();
        for (edit, code) in [
            (payload.replacen(':', ": ", 1), ErrorCode::Malformed),
            (payload.replacen('{', "{\"a\":1,", 1), ErrorCode::Malformed),
            (
                payload.replace("\"v\":1", "\"v\":2"),
                ErrorCode::UnsupportedVersion,
            ),
            (
                payload.replace("charter-approval", "charter-approvax"),
                ErrorCode::Malformed,
            ),
        ] {
            let forged = format!("{}.{s}", b64::encode(&edit));
            assert_eq!(Approval::parse(&forged).unwrap_err().code(), code, "{edit}");
        }
        // A holder-proof or receipt signature over the same bytes is not an approval.
        let other_label = key(1).sign_labeled("charter/v1/holder-proof", payload.as_bytes());
        let relabeled = format!("{p}.{}", b64::encode(other_label));
        assert_eq!(
            Approval::parse(&relabeled).unwrap_err().code(),
            ErrorCode::BadSignature
        );
        assert_eq!(
            Approval::parse(&format!("{text}=")).unwrap_err().code(),
            ErrorCode::Malformed
        );
        // A request carries a bounded number of bounded approvals.
        let many = request(1).with_approvals(vec![text.clone(); MAX_APPROVALS + 1]);
        assert_eq!(
            many.validate().unwrap_err().code(),
            ErrorCode::LimitExceeded
        );
        let json = format!(
            r#"{{"agent":"a","action":"refund","args":{{}},"approvals":["{}"]}}"#,
            "A".repeat(MAX_APPROVAL_BYTES + 1)
        );
        assert_eq!(
            Request::from_json(&json).unwrap_err().code(),
            ErrorCode::LimitExceeded
        );
        for bad in [r#""x""#, "[1]", "{}"] {
            let json = format!(r#"{{"agent":"a","action":"r","args":{{}},"approvals":{bad}}}"#);
            assert_eq!(
                Request::from_json(&json).unwrap_err().code(),
                ErrorCode::Malformed
            );
        }
        // Approvals round-trip through the request's JSON, and a holder proof does not cover them.
        let with = request(1).with_approvals(vec![text]);
        let back = Request::from_value(&with.to_value()).unwrap();
        assert_eq!(back, with);
        assert_eq!(with.hash().unwrap(), request(1).hash().unwrap());
    }

    #[test]
    fn the_guard_records_who_approved_and_protect_raises_approval_required() {
        let cap = cap().attenuate(&two_of_three("")).unwrap();
        let log = Arc::new(MemoryAuditLog::new(key(40)));
        let guard = Guard::new(
            Verifier::new([root()], AUD).unwrap(),
            PermitIssuer::new(key(41), AUD),
            log.clone(),
        );
        let req = request(5000);
        let e = guard
            .protect(&cap, &req, &CallOptions::at(NOW + 10))
            .unwrap_err();
        assert_eq!(e.code(), ErrorCode::ApprovalRequired);
        assert_eq!(e.code().family(), crate::ErrorFamily::Denied);
        assert!(e.reasons()[0].approval.is_some());
        // Approvals plus another failing caveat: a plain denial.
        let narrowed = cap.attenuate("args.amount < 10").unwrap();
        let e = guard
            .protect(&narrowed, &req, &CallOptions::at(NOW + 10))
            .unwrap_err();
        assert_eq!(e.code(), ErrorCode::Denied);
        let ok = req.clone().with_approvals(vec![
            approve(&key(2), &cap, &req),
            approve(&key(1), &cap, &req),
        ]);
        guard
            .protect(&cap, &ok, &CallOptions::at(NOW + 10))
            .unwrap();
        use crate::AuditLog;
        let receipts = log.receipts(0..log.len().unwrap()).unwrap();
        let mut want = vec![key(1).kid(), key(2).kid()];
        want.sort();
        assert_eq!(receipts.last().unwrap().approvers(), want.as_slice());
        assert!(receipts[0].approvers().is_empty());
        assert!(!receipts[0].to_json().contains("approvers"));
        let json = receipts.last().unwrap().to_json().to_string();
        assert!(json.contains("\"approvers\":["), "{json}");
        assert_eq!(
            crate::Receipt::parse(&json).unwrap().approvers(),
            want.as_slice()
        );
    }
}
