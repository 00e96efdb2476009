//! Capabilities: macaroons whose caveats are CEL expressions.
//!
//! The binary form is libmacaroons' V2 format and the HMAC chain is
//! libmacaroons' own, so pymacaroons and other macaroon libraries can parse a
//! Charter capability and check its chain. Anyone holding a capability can
//! append a caveat (narrow it) offline; removing one would need the root key.
//!
//! Identifier: `charter/v1/capability ` followed by the JCS object
//! `{"iat":…,"kid":…,"tid":…}` — the version and domain label, the root key
//! id, a random 128-bit token id and the issue time (Unix seconds).

use serde_json::{json, Value};
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;

use crate::caveat;
use crate::keys::{labeled, RootKey};
use crate::{b64, jcs, Error, ErrorCode};

// The HMAC chain's SHA-256. On wasm32 it is sha2 0.11's, whose SIMD128
// backend the WASM build enables (Cargo.toml); the output is identical.
#[cfg(not(target_arch = "wasm32"))]
use {
    hmac::{Hmac, Mac},
    sha2::Sha256 as ChainSha256,
};
#[cfg(target_arch = "wasm32")]
use {
    hmac_simd::{Hmac, KeyInit, Mac},
    sha2_simd::Sha256 as ChainSha256,
};

pub(crate) type HmacSha256 = Hmac<ChainSha256>;

/// Largest capability text accepted (base64url characters).
pub const MAX_TOKEN_BYTES: usize = 16 * 1024;
/// Most caveats one capability may carry.
pub const MAX_CAVEATS: usize = 64;

/// The latest time the builder accepts (9999-12-31T23:59:59Z, the end of the
/// range CEL timestamps cover), in Unix seconds. A larger value is almost
/// always milliseconds passed where seconds belong.
pub const MAX_TIME: i64 = 253_402_300_799;

/// How the builder writes expiry and not-before caveats; verifiers report
/// these failing as `expired` and `not_yet_valid`.
pub const EXPIRES_PREFIX: &str = "now < timestamp(\"";
/// Prefix of the builder's not-before caveat (see [`EXPIRES_PREFIX`]).
pub const NOT_BEFORE_PREFIX: &str = "now >= timestamp(\"";
const ID_LABEL: &str = "charter/v1/capability ";
const ID_PREFIX: &str = "charter/";
const NON_EMPTY_LOCATION: &str = "capability has a non-empty location field; Charter capabilities carry none (an empty location, as pymacaroons writes, is accepted)";
const NON_EMPTY_CAVEAT_LOCATION: &str = "a caveat has a non-empty location field; Charter caveats carry none (an empty location is accepted)";
const FIELD_EOS: u8 = 0;
const FIELD_LOCATION: u8 = 1;
const FIELD_IDENTIFIER: u8 = 2;
const FIELD_VID: u8 = 4;
const FIELD_SIGNATURE: u8 = 6;

/// Why capability text or bytes were refused, or minting failed; each
/// variant maps to one [`ErrorCode`] ([`CapabilityError::code`]).
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum CapabilityError {
    /// The text is longer than [`MAX_TOKEN_BYTES`] (its length).
    #[error("capability is {0} bytes; the limit is {MAX_TOKEN_BYTES}")]
    TooLarge(usize),
    /// More caveats than [`MAX_CAVEATS`] (the count seen).
    #[error("capability has {0} caveats; the limit is {MAX_CAVEATS}")]
    TooManyCaveats(usize),
    /// Not canonical base64url.
    #[error("capability is not canonical base64url (RFC 4648 §5, no padding)")]
    Base64,
    /// Leading or trailing whitespace, usually a newline from a file.
    #[error("capability text has leading or trailing whitespace (a newline from a file or a shell?): strip it; the format itself is strict")]
    Whitespace,
    /// Trailing `=` padding, which Charter never writes.
    #[error("capability text ends in '=' padding: Charter writes base64url without padding (RFC 4648 §5); remove the trailing '='")]
    Padded,
    /// `+` or `/`: standard base64 rather than base64url.
    #[error("capability text has '+' or '/': it is standard base64, not base64url (RFC 4648 §5) as Charter writes it; was it re-encoded? Use the token exactly as serialize() wrote it")]
    StandardAlphabet,
    /// The macaroon V2 binary is not the shape Charter writes.
    #[error("malformed capability: {0}")]
    Format(&'static str),
    /// Not macaroon format V2.
    #[error("unsupported capability version: {0}")]
    Version(String),
    /// The identifier is not `charter/v1/capability {…}`.
    #[error("malformed capability identifier: {0}")]
    Identifier(String),
    /// Minted with a root key the verifier does not hold (its kid).
    #[error("capability was minted with root key {0:?}, which this verifier does not hold")]
    UnknownRoot(String),
    /// The HMAC chain does not end in the capability's tag.
    #[error("capability signature does not verify: it was altered, truncated, or minted with another root key")]
    BadTag,
    /// A caller's argument is out of range (times, token id).
    #[error("invalid argument: {0}")]
    Invalid(String),
}

impl CapabilityError {
    /// The stable code this failure is reported with.
    pub fn code(&self) -> ErrorCode {
        match self {
            CapabilityError::TooLarge(_) | CapabilityError::TooManyCaveats(_) => {
                ErrorCode::LimitExceeded
            }
            CapabilityError::Base64
            | CapabilityError::Whitespace
            | CapabilityError::Padded
            | CapabilityError::StandardAlphabet
            | CapabilityError::Format(_)
            | CapabilityError::Identifier(_) => ErrorCode::Malformed,
            CapabilityError::Version(_) => ErrorCode::UnsupportedVersion,
            CapabilityError::UnknownRoot(_) => ErrorCode::UnknownKey,
            CapabilityError::BadTag => ErrorCode::BadSignature,
            CapabilityError::Invalid(_) => ErrorCode::InvalidArgument,
        }
    }
}

impl From<CapabilityError> for Error {
    fn from(e: CapabilityError) -> Self {
        Error::new(e.code(), e.to_string())
    }
}

/// A parsed capability. Parsing checks structure only; a [`crate::Verifier`]
/// checks the chain and the caveats.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Capability {
    identifier: Vec<u8>,
    root_kid: String,
    token_id: String,
    issued_at: i64,
    caveats: Vec<String>,
    tag: [u8; 32],
}

impl Capability {
    /// Parses the base64url text of a V2 macaroon, strictly.
    pub fn parse(text: &str) -> Result<Capability, Error> {
        if text.len() > MAX_TOKEN_BYTES {
            return Err(CapabilityError::TooLarge(text.len()).into());
        }
        let bytes = b64::decode(text).ok_or_else(|| base64_problem(text))?;
        Capability::from_bytes(&bytes)
    }

    /// Parses the binary V2 macaroon.
    pub fn from_bytes(bytes: &[u8]) -> Result<Capability, Error> {
        let mut r = Reader { b: bytes, i: 0 };
        if r.byte()? != 2 {
            return Err(CapabilityError::Version(
                "only macaroon format V2 (first byte 0x02) is supported".into(),
            )
            .into());
        }
        let (mut kind, mut identifier) = r.field()?;
        if kind == FIELD_LOCATION {
            // An empty location is how pymacaroons (and other libmacaroons
            // peers) write "no location"; it is outside the HMAC chain, so it
            // is dropped: `serialize()` never writes one. A non-empty location
            // names a target Charter does not have, and is refused.
            if !identifier.is_empty() {
                return Err(CapabilityError::Format(NON_EMPTY_LOCATION).into());
            }
            (kind, identifier) = r.field()?;
        }
        if kind != FIELD_IDENTIFIER {
            return Err(CapabilityError::Format("expected the identifier field").into());
        }
        if r.byte()? != FIELD_EOS {
            return Err(CapabilityError::Format("expected the end of the header section").into());
        }
        let mut caveats = Vec::new();
        loop {
            match r.peek()? {
                FIELD_EOS => {
                    r.i += 1;
                    break;
                }
                FIELD_LOCATION | FIELD_IDENTIFIER => {}
                _ => return Err(CapabilityError::Format("unexpected field in a caveat").into()),
            }
            if caveats.len() == MAX_CAVEATS {
                return Err(CapabilityError::TooManyCaveats(MAX_CAVEATS + 1).into());
            }
            let (mut kind, mut cid) = r.field()?;
            let mut located = false;
            if kind == FIELD_LOCATION {
                // As for the header: an empty location is dropped, any other
                // refused (after a third-party caveat is named as such).
                located = !cid.is_empty();
                (kind, cid) = r.field()?;
            }
            if kind != FIELD_IDENTIFIER {
                return Err(CapabilityError::Format(
                    "expected a caveat identifier after its location",
                )
                .into());
            }
            match r.byte()? {
                FIELD_EOS => {}
                FIELD_VID => {
                    return Err(
                        CapabilityError::Format("third-party caveats are not supported").into(),
                    )
                }
                _ => return Err(CapabilityError::Format("expected the end of a caveat").into()),
            }
            if located {
                return Err(CapabilityError::Format(NON_EMPTY_CAVEAT_LOCATION).into());
            }
            let text = std::str::from_utf8(cid)
                .map_err(|_| CapabilityError::Format("caveat is not UTF-8"))?;
            caveats.push(text.to_string());
        }
        let (kind, sig) = r.field()?;
        if kind != FIELD_SIGNATURE || sig.len() != 32 {
            return Err(CapabilityError::Format("expected a 32-byte signature field").into());
        }
        if r.i != bytes.len() {
            return Err(CapabilityError::Format("trailing bytes after the signature").into());
        }
        let (root_kid, token_id, issued_at) = parse_identifier(identifier)?;
        Ok(Capability {
            identifier: identifier.to_vec(),
            root_kid,
            token_id,
            issued_at,
            caveats,
            tag: sig
                .try_into()
                .expect("the signature field was checked to be 32 bytes"),
        })
    }

    /// The binary V2 macaroon.
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(
            64 + self.identifier.len() + self.caveats.iter().map(|c| c.len() + 4).sum::<usize>(),
        );
        out.push(2);
        put_field(&mut out, FIELD_IDENTIFIER, &self.identifier);
        out.push(FIELD_EOS);
        for c in &self.caveats {
            put_field(&mut out, FIELD_IDENTIFIER, c.as_bytes());
            out.push(FIELD_EOS);
        }
        out.push(FIELD_EOS);
        put_field(&mut out, FIELD_SIGNATURE, &self.tag);
        out
    }

    /// The base64url text form.
    pub fn serialize(&self) -> String {
        b64::encode(self.to_bytes())
    }

    /// A stable public id: base64url of the first 16 bytes of
    /// SHA-256("charter/v1/capability-id" 0x00 tag). Receipts and revocation
    /// lists name capabilities by it; revoking an id revokes every capability
    /// narrowed from it too, since their chains pass through its tag.
    pub fn id(&self) -> String {
        id_of_tag(&self.tag)
    }

    /// The random id shared by this capability and every narrowing of it.
    pub fn token_id(&self) -> &str {
        &self.token_id
    }

    /// Id of the root key this capability was minted with.
    pub fn root_kid(&self) -> &str {
        &self.root_kid
    }

    /// Issue time, Unix seconds.
    pub fn issued_at(&self) -> i64 {
        self.issued_at
    }

    /// The caveat expressions, oldest first.
    pub fn caveats(&self) -> &[String] {
        &self.caveats
    }

    /// Appends a caveat. Checks that it is in the caveat language and within
    /// the limits, so a typo fails here and not at every later check: a caveat
    /// outside the language is `invalid_caveat` (a usage error, the caller's
    /// to fix), never an authorization error.
    pub fn attenuate(&self, caveat: &str) -> Result<Capability, Error> {
        check_caveat(caveat)?;
        if self.caveats.len() >= MAX_CAVEATS {
            return Err(CapabilityError::TooManyCaveats(self.caveats.len() + 1).into());
        }
        let mut next = self.clone();
        next.tag = chain_step(&self.tag, caveat.as_bytes());
        next.caveats.push(caveat.to_string());
        let size = b64_len(next.to_bytes().len());
        if size > MAX_TOKEN_BYTES {
            return Err(CapabilityError::TooLarge(size).into());
        }
        Ok(next)
    }

    /// Binds the capability to a holder key: only a request that carries a
    /// fresh proof signed by the key with this JWK thumbprint passes.
    pub fn bind_holder(&self, holder_kid: &str) -> Result<Capability, Error> {
        if b64::decode(holder_kid).is_none_or(|b| b.len() != 32) {
            return Err(CapabilityError::Invalid(format!(
                "holder must be a key id (a 43-character RFC 7638 thumbprint), got {holder_kid:?}"
            ))
            .into());
        }
        self.attenuate(&format!("holder == {}", quote(holder_kid)))
    }

    /// Recomputes the chain with `root` and compares it to the tag in
    /// constant time. Returns the tag after each caveat (index 0 = identifier).
    pub(crate) fn verify_chain(&self, root: &RootKey) -> Result<Vec<[u8; 32]>, CapabilityError> {
        let tags = chain(
            root,
            &self.identifier,
            self.caveats.iter().map(String::as_bytes),
        );
        let last = tags.last().expect("the identifier step is always there");
        if bool::from(last.ct_eq(&self.tag)) {
            Ok(tags)
        } else {
            Err(CapabilityError::BadTag)
        }
    }
}

/// Why capability text is not base64url, in terms of what to do about it.
/// Strict all the same: nothing here is accepted, only explained.
fn base64_problem(text: &str) -> CapabilityError {
    if text.trim() != text {
        CapabilityError::Whitespace
    } else if text.ends_with('=') {
        CapabilityError::Padded
    } else if text.contains(['+', '/']) {
        CapabilityError::StandardAlphabet
    } else {
        CapabilityError::Base64
    }
}

pub(crate) fn id_of_tag(tag: &[u8; 32]) -> String {
    b64::encode(&Sha256::digest(labeled("charter/v1/capability-id", tag))[..16])
}

/// libmacaroons' key derivation: HMAC("macaroons-key-generator", root).
pub(crate) fn derived_key(secret: &[u8]) -> [u8; 32] {
    let mut mac =
        HmacSha256::new_from_slice(b"macaroons-key-generator").expect("HMAC takes any key length");
    mac.update(secret);
    mac.finalize().into_bytes().into()
}

/// The HMAC keyed with a root's derived key, its two key blocks hashed once
/// (wasm32, where SHA-256 is half of a check: two compressions of about
/// twenty saved per check).
#[cfg(target_arch = "wasm32")]
pub(crate) fn keyed(derived: &[u8; 32]) -> HmacSha256 {
    HmacSha256::new_from_slice(derived).expect("HMAC takes any key length")
}

/// The identifier's tag: the first step of the chain, keyed by the root.
fn identifier_tag(root: &RootKey, identifier: &[u8]) -> [u8; 32] {
    #[cfg(target_arch = "wasm32")]
    {
        let mut mac = root.keyed().clone();
        mac.update(identifier);
        mac.finalize().into_bytes().into()
    }
    #[cfg(not(target_arch = "wasm32"))]
    chain_step(root.derived(), identifier)
}

fn chain_step(key: &[u8; 32], data: &[u8]) -> [u8; 32] {
    let mut mac = HmacSha256::new_from_slice(key).expect("HMAC takes any key length");
    mac.update(data);
    mac.finalize().into_bytes().into()
}

/// The macaroon HMAC chain: every intermediate tag, identifier first.
pub(crate) fn chain<'a>(
    root: &RootKey,
    identifier: &[u8],
    caveats: impl Iterator<Item = &'a [u8]>,
) -> Vec<[u8; 32]> {
    let mut tags = vec![identifier_tag(root, identifier)];
    for c in caveats {
        let next = chain_step(
            tags.last()
                .expect("the chain starts with the identifier's tag"),
            c,
        );
        tags.push(next);
    }
    tags
}

fn b64_len(n: usize) -> usize {
    (n * 4).div_ceil(3)
}

fn put_field(out: &mut Vec<u8>, kind: u8, data: &[u8]) {
    out.push(kind);
    let mut n = data.len();
    while n >= 0x80 {
        out.push((n as u8) | 0x80);
        n >>= 7;
    }
    out.push(n as u8);
    out.extend_from_slice(data);
}

struct Reader<'a> {
    b: &'a [u8],
    i: usize,
}

impl<'a> Reader<'a> {
    fn peek(&self) -> Result<u8, CapabilityError> {
        self.b
            .get(self.i)
            .copied()
            .ok_or(CapabilityError::Format("unexpected end of data"))
    }

    fn byte(&mut self) -> Result<u8, CapabilityError> {
        let b = self.peek()?;
        self.i += 1;
        Ok(b)
    }

    /// An unsigned LEB128 length; non-minimal encodings are refused.
    fn varint(&mut self) -> Result<usize, CapabilityError> {
        let mut n: usize = 0;
        for k in 0..3 {
            let b = self.byte()?;
            n |= ((b & 0x7f) as usize) << (7 * k);
            if b & 0x80 == 0 {
                if k > 0 && b == 0 {
                    return Err(CapabilityError::Format("non-minimal varint"));
                }
                return Ok(n);
            }
        }
        Err(CapabilityError::Format(
            "field length beyond the token size limit",
        ))
    }

    fn field(&mut self) -> Result<(u8, &'a [u8]), CapabilityError> {
        let kind = self.byte()?;
        let len = self.varint()?;
        let end = self
            .i
            .checked_add(len)
            .filter(|&e| e <= self.b.len())
            .ok_or(CapabilityError::Format("field runs past the end of data"))?;
        let data = &self.b[self.i..end];
        self.i = end;
        Ok((kind, data))
    }
}

/// Reads an identifier in its one canonical form without a JSON parser:
/// `{"iat":N,"kid":"<22>","tid":"<22>"}` after the label. Anything else goes
/// to [`parse_identifier_slow`], which refuses it with a precise message.
fn parse_identifier(id: &[u8]) -> Result<(String, String, i64), CapabilityError> {
    fast_identifier(id).map_or_else(|| parse_identifier_slow(id), Ok)
}

fn fast_identifier(id: &[u8]) -> Option<(String, String, i64)> {
    let rest = id
        .strip_prefix(ID_LABEL.as_bytes())?
        .strip_prefix(b"{\"iat\":")?;
    let digits = rest.iter().take_while(|b| b.is_ascii_digit()).count();
    if digits == 0 || digits > 16 || (digits > 1 && rest[0] == b'0') {
        return None;
    }
    let iat: i64 = std::str::from_utf8(&rest[..digits]).ok()?.parse().ok()?;
    if iat > jcs::MAX_SAFE_INTEGER {
        return None;
    }
    let rest = rest[digits..].strip_prefix(b",\"kid\":\"")?;
    let (kid, rest) = (rest.get(..22)?, rest.get(22..)?);
    let rest = rest.strip_prefix(b"\",\"tid\":\"")?;
    let (tid, rest) = (rest.get(..22)?, rest.get(22..)?);
    if rest != b"\"}" {
        return None;
    }
    let id16 = |b: &[u8]| -> Option<String> {
        let text = std::str::from_utf8(b).ok()?;
        (b64::decode(text)?.len() == 16).then(|| text.to_string())
    };
    Some((id16(kid)?, id16(tid)?, iat))
}

fn parse_identifier_slow(id: &[u8]) -> Result<(String, String, i64), CapabilityError> {
    let text =
        std::str::from_utf8(id).map_err(|_| CapabilityError::Identifier("not UTF-8".into()))?;
    let Some(body) = text.strip_prefix(ID_LABEL) else {
        if text.starts_with(ID_PREFIX) {
            let label = text.split(' ').next().unwrap_or(text);
            return Err(CapabilityError::Version(format!(
                "{label:?} (this build reads charter/v1)"
            )));
        }
        return Err(CapabilityError::Identifier(
            "not a Charter capability (no charter/v1 label)".into(),
        ));
    };
    let value = jcs::parse(body).map_err(|e| CapabilityError::Identifier(e.to_string()))?;
    if jcs::canonicalize(&value).ok().as_deref() != Some(body) {
        return Err(CapabilityError::Identifier(
            "identifier JSON is not canonical (RFC 8785)".into(),
        ));
    }
    let obj = value
        .as_object()
        .ok_or_else(|| CapabilityError::Identifier("expected a JSON object".into()))?;
    if obj.len() != 3 {
        return Err(CapabilityError::Identifier(
            "expected exactly the members iat, kid and tid".into(),
        ));
    }
    let iat = obj
        .get("iat")
        .and_then(Value::as_i64)
        .filter(|t| *t >= 0)
        .ok_or_else(|| CapabilityError::Identifier("iat must be a non-negative integer".into()))?;
    let kid = obj
        .get("kid")
        .and_then(Value::as_str)
        .filter(|k| b64::decode(k).is_some_and(|b| b.len() == 16))
        .ok_or_else(|| {
            CapabilityError::Identifier("kid must be a 16-byte base64url root key id".into())
        })?;
    let tid = obj
        .get("tid")
        .and_then(Value::as_str)
        .filter(|k| b64::decode(k).is_some_and(|b| b.len() == 16))
        .ok_or_else(|| {
            CapabilityError::Identifier("tid must be a 16-byte base64url token id".into())
        })?;
    Ok((kid.to_string(), tid.to_string(), iat))
}

/// A CEL string literal for `s`.
pub fn quote(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if c.is_control() => out.push_str(&format!("\\u{:04x}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// RFC 3339 UTC text of a Unix time, for `timestamp("…")` caveats.
pub fn rfc3339(unix: i64) -> String {
    let days = unix.div_euclid(86_400);
    let secs = unix.rem_euclid(86_400);
    // Howard Hinnant's civil_from_days.
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    format!(
        "{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}Z",
        secs / 3600,
        secs % 3600 / 60,
        secs % 60
    )
}

/// Mints capabilities with one root key.
#[derive(Clone, Debug)]
pub struct Issuer {
    root: RootKey,
}

impl Issuer {
    /// An issuer minting with `root`; verifiers need the same key.
    pub fn new(root: RootKey) -> Self {
        Issuer { root }
    }

    /// Starts a capability; add caveats, then [`CapabilityBuilder::build`].
    pub fn issue(&self) -> CapabilityBuilder<'_> {
        CapabilityBuilder {
            root: &self.root,
            caveats: Vec::new(),
            token_id: None,
            issued_at: None,
            expires: Vec::new(),
            not_before: Vec::new(),
            never_expires: false,
        }
    }
}

/// Everything a new capability can start with, as one value: what bindings
/// pass to `Issuer.issue(...)`. Caveats are added in this field order:
/// agent, actions, audience, not_before, expires_at, then `caveats`.
/// Exactly one of `expires_at` and `never_expires` must be given (see
/// [`CapabilityBuilder::build`]).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct IssueOptions {
    /// Only this agent may use the capability (`agent == …`).
    pub agent: Option<String>,
    /// Only these actions (`action in […]`).
    pub actions: Option<Vec<String>>,
    /// Only at this audience (`audience == …`).
    pub audience: Option<String>,
    /// Not valid before this time, Unix seconds.
    pub not_before: Option<i64>,
    /// Expires at this time, Unix seconds (exclusive).
    pub expires_at: Option<i64>,
    /// Says explicitly that the capability is valid forever (no expiry
    /// caveat). Without it, a missing `expires_at` is refused.
    pub never_expires: bool,
    /// Further CEL caveats, added after the ones above.
    pub caveats: Vec<String>,
    /// Fixed token id (tests and vectors); random when `None`.
    pub token_id: Option<Vec<u8>>,
    /// Fixed issue time (tests and vectors); the system clock when `None`.
    pub issued_at: Option<i64>,
}

impl Issuer {
    /// Mints a capability from options (see [`IssueOptions`] for the order).
    pub fn issue_with(&self, o: &IssueOptions) -> Result<Capability, Error> {
        let mut b = self.issue();
        if let Some(agent) = &o.agent {
            b = b.agent(agent);
        }
        if let Some(actions) = &o.actions {
            if actions.is_empty() {
                return Err(CapabilityError::Invalid(
                    "actions must not be empty; omit it to allow any action".into(),
                )
                .into());
            }
            b = b.actions(actions);
        }
        if let Some(audience) = &o.audience {
            b = b.audience(audience);
        }
        if let Some(t) = o.not_before {
            b = b.not_before(t);
        }
        if let Some(t) = o.expires_at {
            b = b.expires_at(t);
        }
        if o.never_expires {
            b = b.never_expires();
        }
        for c in &o.caveats {
            b = b.caveat(c.clone());
        }
        if let Some(id) = &o.token_id {
            let id: [u8; 16] = id.as_slice().try_into().map_err(|_| {
                CapabilityError::Invalid(format!("token id must be 16 bytes, got {}", id.len()))
            })?;
            b = b.token_id(id);
        }
        if let Some(t) = o.issued_at {
            b = b.issued_at(t);
        }
        b.build()
    }
}

/// Collects the first caveats of a new capability.
#[derive(Clone, Debug)]
pub struct CapabilityBuilder<'a> {
    root: &'a RootKey,
    caveats: Vec<String>,
    token_id: Option<[u8; 16]>,
    issued_at: Option<i64>,
    expires: Vec<i64>,
    not_before: Vec<i64>,
    never_expires: bool,
}

impl CapabilityBuilder<'_> {
    /// Any caveat expression.
    pub fn caveat(mut self, expr: impl Into<String>) -> Self {
        self.caveats.push(expr.into());
        self
    }

    /// Only this agent may use it: `agent == "…"`.
    pub fn agent(self, agent: &str) -> Self {
        self.caveat(format!("agent == {}", quote(agent)))
    }

    /// Only these actions: `action in ["…", …]`.
    pub fn actions<S: AsRef<str>>(self, actions: &[S]) -> Self {
        let list: Vec<String> = actions.iter().map(|a| quote(a.as_ref())).collect();
        self.caveat(format!("action in [{}]", list.join(", ")))
    }

    /// Only at this verifier: `audience == "…"`.
    pub fn audience(self, audience: &str) -> Self {
        self.caveat(format!("audience == {}", quote(audience)))
    }

    /// Valid strictly before this Unix time (seconds): `now < timestamp("…")`.
    /// [`build`](Self::build) refuses a time at or before the issue time, or
    /// after the year 9999 (milliseconds passed as seconds).
    pub fn expires_at(mut self, unix: i64) -> Self {
        self.expires.push(unix);
        self.caveat(format!("{EXPIRES_PREFIX}{}\")", rfc3339(unix)))
    }

    /// Valid from this Unix time (seconds) on: `now >= timestamp("…")`.
    pub fn not_before(mut self, unix: i64) -> Self {
        self.not_before.push(unix);
        self.caveat(format!("{NOT_BEFORE_PREFIX}{}\")", rfc3339(unix)))
    }

    /// Says explicitly that this capability never expires. Without it (or an
    /// [`expires_at`](Self::expires_at)), [`build`](Self::build) refuses, so a
    /// forgotten expiry cannot mint a token that is valid forever.
    pub fn never_expires(mut self) -> Self {
        self.never_expires = true;
        self
    }

    /// Fixes the token id (tests and vectors); random by default.
    pub fn token_id(mut self, id: [u8; 16]) -> Self {
        self.token_id = Some(id);
        self
    }

    /// Fixes the issue time (tests and vectors); the system clock by default.
    pub fn issued_at(mut self, unix: i64) -> Self {
        self.issued_at = Some(unix);
        self
    }

    /// Mints the capability. Refuses (`invalid_argument`) without an expiry
    /// unless [`CapabilityBuilder::never_expires`] was called, with an expiry at
    /// or before the issue time, or a time beyond [`MAX_TIME`]; a caveat that
    /// does not compile is `invalid_caveat`.
    pub fn build(self) -> Result<Capability, Error> {
        let token_id = self.token_id.unwrap_or_else(|| {
            let mut id = [0u8; 16];
            rand_core::RngCore::fill_bytes(&mut rand_core::OsRng, &mut id);
            id
        });
        let issued_at = self.issued_at.unwrap_or_else(crate::unix_now);
        if issued_at < 0 {
            return Err(
                CapabilityError::Invalid("issue time must not be before 1970".into()).into(),
            );
        }
        check_times(
            issued_at,
            &self.expires,
            &self.not_before,
            self.never_expires,
        )?;
        let body = jcs::canonicalize(
            &json!({"iat": issued_at, "kid": self.root.kid(), "tid": b64::encode(token_id)}),
        )?;
        let identifier = format!("{ID_LABEL}{body}").into_bytes();
        let tag = chain(self.root, &identifier, std::iter::empty())[0];
        let mut cap = Capability {
            identifier,
            root_kid: self.root.kid().to_string(),
            token_id: b64::encode(token_id),
            issued_at,
            caveats: Vec::new(),
            tag,
        };
        for c in &self.caveats {
            cap = cap.attenuate(c)?;
        }
        Ok(cap)
    }
}

/// The builder's time rules: exactly one of an expiry and `never_expires`;
/// every time a plausible Unix second (0 to [`MAX_TIME`]); the expiry after
/// the issue time (the issuer's clock, `issued_at`, injectable) and after
/// every not-before time.
fn check_times(
    issued_at: i64,
    expires: &[i64],
    not_before: &[i64],
    never_expires: bool,
) -> Result<(), CapabilityError> {
    let invalid = |m: String| Err(CapabilityError::Invalid(m));
    let plausible = |name: &str, t: i64| -> Result<(), CapabilityError> {
        if t > MAX_TIME {
            return invalid(format!(
                "{name} {t} is after the year 9999: times are Unix seconds, not milliseconds \
                 (divide a millisecond time such as JavaScript's Date.now() by 1000)"
            ));
        }
        if t < 0 {
            return invalid(format!(
                "{name} {t} is before 1970: times are Unix seconds since 1970-01-01T00:00:00Z"
            ));
        }
        Ok(())
    };
    plausible("issue time", issued_at)?;
    match (expires.is_empty(), never_expires) {
        (true, false) => {
            return invalid(
                "a capability needs an expiry: give expires_at (Unix seconds), or say \
                 never_expires explicitly to mint one that is valid forever"
                    .into(),
            )
        }
        (false, true) => {
            return invalid("both an expiry and never_expires were given: give exactly one".into())
        }
        _ => {}
    }
    for &t in not_before {
        plausible("not_before", t)?;
    }
    for &t in expires {
        plausible("expires_at", t)?;
        if t <= issued_at {
            return invalid(format!(
                "expires_at {t} ({}) is not after the issue time {issued_at} ({}): the \
                 capability would be expired when minted",
                rfc3339(t),
                rfc3339(issued_at)
            ));
        }
        if let Some(&nb) = not_before.iter().find(|&&nb| nb >= t) {
            return invalid(format!(
                "not_before {nb} ({}) is not before expires_at {t} ({}): the capability \
                 would never be valid",
                rfc3339(nb),
                rfc3339(t)
            ));
        }
    }
    Ok(())
}

/// Compiles a caveat the way a verifier will (for tools that lint caveats).
/// A caveat outside the language is `invalid_caveat`, as when minting.
pub fn check_caveat(expr: &str) -> Result<(), Error> {
    // An approval caveat is its own form (crate::approval), with a CEL condition.
    if let Some(parsed) = crate::approval::ApprovalCaveat::parse(expr) {
        return parsed.map(|_| ()).map_err(|e| match e.code() {
            ErrorCode::CaveatSyntax => Error::new(ErrorCode::InvalidCaveat, e.message()),
            _ => e,
        });
    }
    // A budget caveat is its own form (crate::budget), with a CEL amount.
    if let Some(parsed) = crate::budget::BudgetCaveat::parse(expr) {
        return parsed.map(|_| ()).map_err(|e| match e.code() {
            ErrorCode::CaveatSyntax => Error::new(ErrorCode::InvalidCaveat, e.message()),
            _ => e,
        });
    }
    caveat::Expr::compile(expr)
        .map(|_| ())
        .map_err(minting_error)
}

/// A caveat that does not compile while minting or narrowing is the caller's
/// mistake: `invalid_caveat` (UsageError) rather than the `caveat_syntax`
/// denial reason a verifier gives for the same text. Limits stay
/// `limit_exceeded`.
fn minting_error(e: caveat::CaveatError) -> Error {
    match e.code() {
        ErrorCode::CaveatSyntax => Error::new(ErrorCode::InvalidCaveat, e.to_string()),
        _ => Error::from(e),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn root() -> RootKey {
        RootKey::from_bytes(&[42; 32]).unwrap()
    }

    fn cap() -> Capability {
        Issuer::new(root())
            .issue()
            .token_id([1; 16])
            .issued_at(1_700_000_000)
            .actions(&["refund"])
            .never_expires()
            .build()
            .unwrap()
    }

    #[test]
    fn round_trips_and_chains() {
        let c = cap().attenuate("args.amount <= 5000").unwrap();
        let text = c.serialize();
        let back = Capability::parse(&text).unwrap();
        assert_eq!(back, c);
        assert_eq!(
            back.caveats(),
            ["action in [\"refund\"]", "args.amount <= 5000"]
        );
        assert_eq!(back.verify_chain(&root()).unwrap().len(), 3);
        let other = RootKey::from_bytes(&[43; 32]).unwrap();
        assert_eq!(
            back.verify_chain(&other).unwrap_err(),
            CapabilityError::BadTag
        );
    }

    #[test]
    fn strict_parsing() {
        let bytes = cap().to_bytes();
        let mut trailing = bytes.clone();
        trailing.push(0);
        assert_eq!(
            Capability::from_bytes(&trailing).unwrap_err().code(),
            ErrorCode::Malformed
        );
        let mut v1 = bytes.clone();
        v1[0] = 1;
        assert_eq!(
            Capability::from_bytes(&v1).unwrap_err().code(),
            ErrorCode::UnsupportedVersion
        );
        // A non-minimal varint for the identifier length (0x80|n, 0x00 is refused; here n<128).
        let mut nonmin = vec![2, FIELD_IDENTIFIER, (bytes[2] | 0x80), 0];
        nonmin.extend_from_slice(&bytes[3..]);
        assert_eq!(
            Capability::from_bytes(&nonmin).unwrap_err(),
            Error::from(CapabilityError::Format("non-minimal varint"))
        );
        let text = cap().serialize();
        assert_eq!(
            Capability::parse(&format!("{text}=")).unwrap_err(),
            Error::from(CapabilityError::Padded)
        );
        // Strict, but each refusal says what to do.
        for (bad, want, hint) in [
            (format!("{text}\n"), CapabilityError::Whitespace, "strip it"),
            (format!(" {text}"), CapabilityError::Whitespace, "strip it"),
            (
                format!("{text}\r\n"),
                CapabilityError::Whitespace,
                "strip it",
            ),
            (
                text.replace('-', "+") + "/",
                CapabilityError::StandardAlphabet,
                "base64url",
            ),
            (format!("{text}*"), CapabilityError::Base64, "base64url"),
        ] {
            let e = Capability::parse(&bad).unwrap_err();
            assert_eq!(e, Error::from(want), "{bad:?}");
            assert_eq!(e.code(), ErrorCode::Malformed);
            assert!(e.to_string().contains(hint), "{e}");
        }
        assert_eq!(
            Capability::parse(&"A".repeat(MAX_TOKEN_BYTES + 1))
                .unwrap_err()
                .code(),
            ErrorCode::LimitExceeded
        );
    }

    /// The V2 bytes of `cap` with a location field of `loc` before the
    /// identifier (`header`) and before each caveat's identifier (`caveats`).
    fn with_locations(cap: &Capability, header: Option<&[u8]>, caveats: Option<&[u8]>) -> Vec<u8> {
        let mut out = vec![2];
        if let Some(l) = header {
            put_field(&mut out, FIELD_LOCATION, l);
        }
        put_field(&mut out, FIELD_IDENTIFIER, &cap.identifier);
        out.push(FIELD_EOS);
        for c in &cap.caveats {
            if let Some(l) = caveats {
                put_field(&mut out, FIELD_LOCATION, l);
            }
            put_field(&mut out, FIELD_IDENTIFIER, c.as_bytes());
            out.push(FIELD_EOS);
        }
        out.push(FIELD_EOS);
        put_field(&mut out, FIELD_SIGNATURE, &cap.tag);
        out
    }

    #[test]
    fn empty_locations_are_accepted_and_dropped() {
        let c = cap().attenuate("args.amount <= 5000").unwrap();
        for (header, caveats) in [
            (Some(&b""[..]), None),
            (None, Some(&b""[..])),
            (Some(b""), Some(b"")),
        ] {
            let bytes = with_locations(&c, header, caveats);
            let back = Capability::from_bytes(&bytes).unwrap();
            assert_eq!(back, c);
            assert_eq!(
                back.to_bytes(),
                c.to_bytes(),
                "serialize() writes no location"
            );
            assert_eq!(back.id(), c.id());
            assert_eq!(back.verify_chain(&root()).unwrap().len(), 3);
        }
        for (header, caveats, message) in [
            (Some(&b"https://shop.example"[..]), None, NON_EMPTY_LOCATION),
            (None, Some(&b"x"[..]), NON_EMPTY_CAVEAT_LOCATION),
            (Some(b""), Some(b"x"), NON_EMPTY_CAVEAT_LOCATION),
        ] {
            let bytes = with_locations(&c, header, caveats);
            let e = Capability::from_bytes(&bytes).unwrap_err();
            assert_eq!(e, Error::from(CapabilityError::Format(message)));
            assert_eq!(e.code(), ErrorCode::Malformed);
        }
        // Two locations, or a location with no identifier after it, are refused.
        let mut twice = vec![2];
        put_field(&mut twice, FIELD_LOCATION, b"");
        twice.extend_from_slice(&with_locations(&c, Some(b""), None)[1..]);
        assert_eq!(
            Capability::from_bytes(&twice).unwrap_err(),
            Error::from(CapabilityError::Format("expected the identifier field"))
        );
        // A third-party caveat (a verification id) stays refused, location or not.
        let mut third = vec![2];
        put_field(&mut third, FIELD_LOCATION, b"");
        put_field(&mut third, FIELD_IDENTIFIER, &c.identifier);
        third.push(FIELD_EOS);
        put_field(&mut third, FIELD_LOCATION, b"");
        put_field(&mut third, FIELD_IDENTIFIER, b"third-party caveat id");
        put_field(&mut third, FIELD_VID, &[7; 48]);
        third.push(FIELD_EOS);
        third.push(FIELD_EOS);
        put_field(&mut third, FIELD_SIGNATURE, &c.tag);
        assert_eq!(
            Capability::from_bytes(&third).unwrap_err(),
            Error::from(CapabilityError::Format(
                "third-party caveats are not supported"
            ))
        );
    }

    #[test]
    fn an_expiry_is_required_plausible_and_in_the_future() {
        const NOW: i64 = 1_767_225_600;
        let issuer = Issuer::new(root());
        let issue = || issuer.issue().token_id([1; 16]).issued_at(NOW);
        let refused = |b: CapabilityBuilder<'_>| {
            let e = b.build().unwrap_err();
            assert_eq!(e.code(), ErrorCode::InvalidArgument, "{e}");
            e.message().to_string()
        };
        // Nothing said about expiry: refused, naming both ways out.
        let m = refused(issue().agent("a"));
        assert!(
            m.contains("expires_at") && m.contains("never_expires"),
            "{m}"
        );
        // Said explicitly: minted, with no expiry caveat.
        let forever = issue().agent("a").never_expires().build().unwrap();
        assert_eq!(forever.caveats(), ["agent == \"a\""]);
        // Both: refused.
        refused(issue().expires_at(NOW + 60).never_expires());
        // At or before the issuer's clock: refused.
        assert!(refused(issue().expires_at(NOW)).contains("expired when minted"));
        refused(issue().expires_at(NOW - 3600));
        assert!(issue().expires_at(NOW + 1).build().is_ok());
        // Milliseconds (JavaScript's Date.now() + 3600_000): refused, saying so.
        let m = refused(issue().expires_at(NOW * 1000 + 3_600_000));
        assert!(m.contains("seconds, not milliseconds"), "{m}");
        assert!(issue().expires_at(MAX_TIME).build().is_ok());
        refused(issue().expires_at(MAX_TIME + 1));
        let m = refused(issue().not_before(NOW * 1000).expires_at(NOW + 60));
        assert!(m.contains("milliseconds"), "{m}");
        let m = refused(issue().issued_at(NOW * 1000).never_expires());
        assert!(m.contains("milliseconds"), "{m}");
        // Never valid: not_before at or after the expiry.
        assert!(
            refused(issue().not_before(NOW + 60).expires_at(NOW + 60)).contains("never be valid")
        );
        assert!(issue()
            .not_before(NOW + 59)
            .expires_at(NOW + 60)
            .build()
            .is_ok());
        // The options form follows the same rules.
        let o = IssueOptions {
            issued_at: Some(NOW),
            ..IssueOptions::default()
        };
        assert_eq!(
            issuer.issue_with(&o).unwrap_err().code(),
            ErrorCode::InvalidArgument
        );
        let o = IssueOptions {
            never_expires: true,
            ..o
        };
        assert!(issuer.issue_with(&o).is_ok());
    }

    #[test]
    fn a_bad_caveat_when_narrowing_is_a_usage_error() {
        for bad in ["args.amount <=", "user == \"x\"", "args.x.foo()"] {
            let e = cap().attenuate(bad).unwrap_err();
            assert_eq!(e.code(), ErrorCode::InvalidCaveat, "{bad}: {e}");
            assert_eq!(e.code().family().class_name(), "UsageError");
            let e = Issuer::new(root())
                .issue()
                .never_expires()
                .caveat(bad)
                .build()
                .unwrap_err();
            assert_eq!(e.code(), ErrorCode::InvalidCaveat, "{bad}: {e}");
            assert_eq!(
                check_caveat(bad).unwrap_err().code(),
                ErrorCode::InvalidCaveat
            );
        }
        // Limits keep their own code.
        let deep = format!("{}true{}", "(".repeat(100), ")".repeat(100));
        assert_eq!(
            cap().attenuate(&deep).unwrap_err().code(),
            ErrorCode::LimitExceeded
        );
    }

    #[test]
    fn rfc3339_matches_known_dates() {
        assert_eq!(rfc3339(0), "1970-01-01T00:00:00Z");
        assert_eq!(rfc3339(1_700_000_000), "2023-11-14T22:13:20Z");
        assert_eq!(rfc3339(951_782_400), "2000-02-29T00:00:00Z");
        assert_eq!(rfc3339(253_402_300_799), "9999-12-31T23:59:59Z");
    }

    #[test]
    fn quotes_cel_strings() {
        assert_eq!(quote("a\"b\\c\n"), "\"a\\\"b\\\\c\\n\"");
    }

    #[test]
    fn caveat_count_is_bounded() {
        let mut c = Issuer::new(root())
            .issue()
            .token_id([1; 16])
            .issued_at(0)
            .never_expires()
            .build()
            .unwrap();
        for k in 0..MAX_CAVEATS {
            c = c.attenuate(&format!("agent != \"{k}\"")).unwrap();
        }
        assert_eq!(
            c.attenuate("true").unwrap_err().code(),
            ErrorCode::LimitExceeded
        );
    }
}
