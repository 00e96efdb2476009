//! Capabilities: `Issuer`, `Capability`.

use charter_core as core;
use napi::bindgen_prelude::{ClassInstance, FromNapiValue, JsValue, Unknown};
use napi::sys;
use napi_derive::napi;

use crate::args::Options;
use crate::errors::{self, guard, OrThrow, Result};
use crate::keys::RootKey;

/// What `Issuer.issue()` accepts. Caveats are added in this order: agent,
/// actions, audience, notBefore, expiresAt, caveats. Exactly one of
/// `expiresAt` and `neverExpires: true` is required.
#[allow(dead_code)] // a type for index.d.ts; read member by member
#[napi(object)]
pub struct IssueOptions {
    /// Only this agent: `agent == "…"`.
    pub agent: Option<String>,
    /// Only these actions: `action in […]`.
    pub actions: Option<Vec<String>>,
    /// Only at this verifier: `audience == "…"`.
    pub audience: Option<String>,
    /// Valid from this Unix time on.
    pub not_before: Option<f64>,
    /// Valid strictly before this Unix time, in seconds (not milliseconds:
    /// `Math.floor(Date.now() / 1000) + 3600`); after `issuedAt`, before the
    /// year 10000.
    pub expires_at: Option<f64>,
    /// Says explicitly that the capability is valid forever; without it, a
    /// missing `expiresAt` is refused.
    pub never_expires: Option<bool>,
    /// Further caveat expressions.
    pub caveats: Option<Vec<String>>,
    /// Fixed 16-byte token id (tests); random by default.
    pub token_id: Option<napi::bindgen_prelude::Uint8Array>,
    /// Fixed issue time (tests); the system clock by default.
    pub issued_at: Option<f64>,
}

const ISSUE_OPTIONS: [&str; 9] = [
    "agent",
    "actions",
    "audience",
    "notBefore",
    "expiresAt",
    "neverExpires",
    "caveats",
    "tokenId",
    "issuedAt",
];

/// Mints capabilities with one root key.
#[napi]
pub struct Issuer {
    inner: core::Issuer,
}

#[napi]
impl Issuer {
    #[napi(constructor)]
    pub fn new(root: &RootKey) -> Result<Self> {
        guard(|| {
            Ok(Issuer {
                inner: core::Issuer::new(root.inner.clone()),
            })
        })
    }

    /// Mints a capability.
    #[napi]
    pub fn issue(
        &self,
        #[napi(ts_arg_type = "IssueOptions")] options: Option<Unknown>,
    ) -> Result<Capability> {
        guard(|| {
            let o = Options::read(options, "options", &ISSUE_OPTIONS)?;
            let opts = core::IssueOptions {
                agent: o.string("agent")?,
                actions: o.strings("actions")?,
                audience: o.string("audience")?,
                not_before: o.int("notBefore")?,
                expires_at: o.int("expiresAt")?,
                never_expires: o.boolean("neverExpires")?.unwrap_or(false),
                caveats: o.strings("caveats")?.unwrap_or_default(),
                token_id: o.bytes("tokenId")?,
                issued_at: o.int("issuedAt")?,
            };
            Ok(Capability {
                inner: self.inner.issue_with(&opts).or_throw()?,
            })
        })
    }
}

/// What an agent may do: a macaroon with CEL caveats.
#[napi]
#[derive(Clone)]
pub struct Capability {
    pub(crate) inner: core::Capability,
}

#[napi]
impl Capability {
    /// Parses a token strictly; verifies nothing (a `Verifier` does).
    #[napi(factory)]
    pub fn parse(token: String) -> Result<Capability> {
        guard(|| {
            Ok(Capability {
                inner: core::Capability::parse(&token).or_throw()?,
            })
        })
    }

    /// The token text (base64url of the V2 macaroon).
    #[napi]
    pub fn serialize(&self) -> String {
        self.inner.serialize()
    }

    /// A narrower capability: this one plus a caveat.
    #[napi]
    pub fn attenuate(&self, caveat: String) -> Result<Capability> {
        guard(|| {
            Ok(Capability {
                inner: self.inner.attenuate(&caveat).or_throw()?,
            })
        })
    }

    /// Binds to a holder key (its kid): checks then need that key's proof.
    #[napi]
    pub fn bind_holder(&self, kid: String) -> Result<Capability> {
        guard(|| {
            Ok(Capability {
                inner: self.inner.bind_holder(&kid).or_throw()?,
            })
        })
    }

    /// The stable public id (receipts, revocation).
    #[napi]
    pub fn id(&self) -> String {
        self.inner.id()
    }

    /// The random id shared with every narrowing of this capability.
    #[napi]
    pub fn token_id(&self) -> String {
        self.inner.token_id().to_string()
    }

    /// Id of the root key it was minted with.
    #[napi]
    pub fn root_kid(&self) -> String {
        self.inner.root_kid().to_string()
    }

    /// Issue time, Unix seconds.
    #[napi]
    pub fn issued_at(&self) -> i64 {
        self.inner.issued_at()
    }

    /// The caveat expressions, oldest first.
    #[napi]
    pub fn caveats(&self) -> Vec<String> {
        self.inner.caveats().to_vec()
    }
}

/// A capability argument: a `Capability`, or its token text.
pub enum CapabilityArg<'a> {
    Parsed(ClassInstance<'a, Capability>),
    Text(String),
}

impl<'a> CapabilityArg<'a> {
    pub fn read(value: &Unknown<'a>) -> Result<CapabilityArg<'a>> {
        let env = value.value().env;
        let raw = value.raw();
        let mut t = 0;
        unsafe { sys::napi_typeof(env, raw, &mut t) };
        if t == sys::ValueType::napi_string {
            return crate::json::string(env, raw, "capability").map(CapabilityArg::Text);
        }
        if t == sys::ValueType::napi_object {
            if let Ok(c) = unsafe {
                <ClassInstance<'a, Capability> as FromNapiValue>::from_napi_value(env, raw)
            } {
                return Ok(CapabilityArg::Parsed(c));
            }
        }
        Err(errors::invalid(
            "capability must be a Capability or its token text",
        ))
    }

    /// Parsed (throws on a malformed token).
    pub fn parsed(&self) -> Result<std::borrow::Cow<'_, core::Capability>> {
        match self {
            CapabilityArg::Parsed(c) => Ok(std::borrow::Cow::Borrowed(&c.inner)),
            CapabilityArg::Text(t) => Ok(std::borrow::Cow::Owned(
                core::Capability::parse(t).or_throw()?,
            )),
        }
    }
}
