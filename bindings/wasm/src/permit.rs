//! PermitIssuer, Permit, PermitVerifier.

use charter_core as core;
use wasm_bindgen::prelude::*;

use crate::conv::{self, obj, put};
use crate::err::{IntoJs, JsResult};
use crate::handle::{lookup, Handle};

pub(crate) fn claims_to_js(c: &core::PermitClaims) -> JsValue {
    let o = obj();
    put(&o, "iss", c.iss.as_str());
    put(&o, "sub", c.sub.as_str());
    put(&o, "aud", c.aud.as_str());
    put(&o, "act", c.act.as_str());
    put(&o, "args", c.args.as_str());
    put(&o, "cap", c.cap.as_str());
    put(&o, "iat", c.iat as f64);
    put(&o, "exp", c.exp as f64);
    put(&o, "jti", c.jti.as_str());
    put(&o, "idem", conv::opt_str_out(c.idem.as_deref()));
    o.into()
}

/// Signs permits: one allowed call, short-lived, single-use.
#[wasm_bindgen]
pub struct PermitIssuer {
    pub(crate) h: Handle<core::PermitIssuer>,
}

#[wasm_bindgen]
impl PermitIssuer {
    #[wasm_bindgen(getter = __charterId, skip_typescript)]
    pub fn charter_id(&self) -> f64 {
        self.h.id()
    }

    /// `issuer` names the signer (the `iss` claim); `ttl` is the permits'
    /// lifetime in seconds (default 60, at most 3600).
    #[wasm_bindgen(constructor)]
    pub fn new(
        #[wasm_bindgen(js_name = signingKey, unchecked_param_type = "SigningKey")]
        signing_key: JsValue,
        #[wasm_bindgen(unchecked_param_type = "string")] issuer: JsValue,
        #[wasm_bindgen(unchecked_optional_param_type = "number | null")] ttl: JsValue,
    ) -> JsResult<PermitIssuer> {
        let key = lookup::<core::SigningKey>(&signing_key, "signingKey", "SigningKey").js()?;
        let issuer = conv::string(&issuer, "issuer").js()?;
        let ttl = conv::opt_integer(&ttl, "ttl").js()?;
        let mut p = core::PermitIssuer::new((*key).clone(), issuer);
        if let Some(t) = ttl {
            p = p.with_ttl(t).js()?;
        }
        Ok(PermitIssuer { h: Handle::new(p) })
    }

    /// A permit for one call. `args` is a JSON object or its text; `now`
    /// defaults to the platform clock, `jti` to 128 random bits.
    #[allow(clippy::too_many_arguments)]
    pub fn issue(
        &self,
        #[wasm_bindgen(unchecked_param_type = "string")] subject: JsValue,
        #[wasm_bindgen(unchecked_param_type = "string")] audience: JsValue,
        #[wasm_bindgen(unchecked_param_type = "string")] action: JsValue,
        #[wasm_bindgen(unchecked_param_type = "JsonObject | string")] args: JsValue,
        #[wasm_bindgen(js_name = capabilityId, unchecked_param_type = "string")]
        capability_id: JsValue,
        #[wasm_bindgen(unchecked_optional_param_type = "number | null")] now: JsValue,
        #[wasm_bindgen(unchecked_optional_param_type = "string | null")] jti: JsValue,
        #[wasm_bindgen(js_name = idempotencyKey, unchecked_optional_param_type = "string | null")]
        idempotency_key: JsValue,
    ) -> JsResult<Permit> {
        let subject = conv::string(&subject, "subject").js()?;
        let audience = conv::string(&audience, "audience").js()?;
        let action = conv::string(&action, "action").js()?;
        let args = conv::json(&args, "args").js()?;
        let cap = conv::string(&capability_id, "capabilityId").js()?;
        let now = conv::now(&now).js()?;
        let jti = conv::opt_string(&jti, "jti").js()?;
        let idem = conv::opt_string(&idempotency_key, "idempotencyKey").js()?;
        let mut req = core::PermitRequest::new(&subject, &audience, &action, &args, &cap);
        if let Some(j) = &jti {
            req = req.with_jti(j);
        }
        if let Some(k) = &idem {
            req = req.with_idempotency_key(k);
        }
        Ok(Permit::wrap(self.h.get().issue(&req, now).js()?))
    }

    /// The signing key's id (the permits' `kid`).
    pub fn kid(&self) -> String {
        self.h.get().kid().to_string()
    }
}

/// A permit token and its claims. `parse()` verifies nothing.
#[wasm_bindgen]
pub struct Permit {
    h: Handle<core::Permit>,
}

impl Permit {
    pub(crate) fn wrap(p: core::Permit) -> Permit {
        Permit { h: Handle::new(p) }
    }
}

#[wasm_bindgen]
impl Permit {
    #[wasm_bindgen(getter = __charterId, skip_typescript)]
    pub fn charter_id(&self) -> f64 {
        self.h.id()
    }

    /// Decodes a permit for inspection. This verifies NOTHING: use
    /// `PermitVerifier.verify` to decide.
    pub fn parse(
        #[wasm_bindgen(unchecked_param_type = "string")] token: JsValue,
    ) -> JsResult<Permit> {
        let t = conv::string(&token, "token").js()?;
        Ok(Permit::wrap(core::Permit::parse(&t).js()?))
    }

    /// The JWS compact token.
    pub fn token(&self) -> String {
        self.h.get().token().to_string()
    }

    #[wasm_bindgen(unchecked_return_type = "PermitClaims")]
    pub fn claims(&self) -> JsValue {
        claims_to_js(self.h.get().claims())
    }

    pub fn kid(&self) -> String {
        self.h.get().kid().to_string()
    }
}

/// Verifies permits offline with a public key set, each once.
#[wasm_bindgen]
pub struct PermitVerifier {
    h: Handle<core::PermitVerifier>,
}

#[wasm_bindgen]
impl PermitVerifier {
    #[wasm_bindgen(getter = __charterId, skip_typescript)]
    pub fn charter_id(&self) -> f64 {
        self.h.id()
    }

    /// Trusts `keys` for permits addressed to `audience`; `leeway` is the
    /// clock leeway in seconds (default 30, at most 300).
    #[wasm_bindgen(constructor)]
    pub fn new(
        #[wasm_bindgen(unchecked_param_type = "KeySet")] keys: JsValue,
        #[wasm_bindgen(unchecked_param_type = "string")] audience: JsValue,
        #[wasm_bindgen(unchecked_optional_param_type = "number | null")] leeway: JsValue,
    ) -> JsResult<PermitVerifier> {
        let keys = lookup::<core::KeySet>(&keys, "keys", "KeySet").js()?;
        let audience = conv::string(&audience, "audience").js()?;
        let leeway = conv::opt_integer(&leeway, "leeway").js()?;
        let mut v = core::PermitVerifier::new((*keys).clone(), audience);
        if let Some(l) = leeway {
            v = v.with_leeway(l).js()?;
        }
        Ok(PermitVerifier { h: Handle::new(v) })
    }

    /// Verifies `token` for this call (`action`, `args`) at `now` (default:
    /// the platform clock) and consumes its `jti`: the claims, or a throw.
    #[wasm_bindgen(unchecked_return_type = "PermitClaims")]
    pub fn verify(
        &self,
        #[wasm_bindgen(unchecked_param_type = "string")] token: JsValue,
        #[wasm_bindgen(unchecked_param_type = "string")] action: JsValue,
        #[wasm_bindgen(unchecked_param_type = "JsonObject | string")] args: JsValue,
        #[wasm_bindgen(unchecked_optional_param_type = "number | null")] now: JsValue,
    ) -> JsResult<JsValue> {
        let token = conv::string(&token, "token").js()?;
        let action = conv::string(&action, "action").js()?;
        let args = conv::json(&args, "args").js()?;
        let now = conv::now(&now).js()?;
        let claims = self.h.get().verify(&token, &action, &args, now).js()?;
        Ok(claims_to_js(&claims))
    }
}
