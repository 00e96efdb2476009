//! Guard: check -> permit -> receipt, fail closed.

use charter_core as core;
use wasm_bindgen::prelude::*;

use crate::audit::SharedLog;
use crate::cap::{cap_arg, decision_to_js, request_arg, CapArg, VerifierInner};
use crate::conv;
use crate::err::{IntoJs, JsResult};
use crate::handle::{lookup, Handle};
use crate::permit::Permit;

/// check -> permit -> receipt, fail closed: `protect()` returns a Permit or
/// throws `Denied`, and records a receipt either way.
#[wasm_bindgen]
pub struct Guard {
    h: Handle<core::guard::Guard>,
}

#[wasm_bindgen]
impl Guard {
    #[wasm_bindgen(getter = __charterId, skip_typescript)]
    pub fn charter_id(&self) -> f64 {
        self.h.id()
    }

    /// Permits are issued for the verifier's audience (the tool that runs the
    /// call). The guard shares the verifier's revocations and replay store and
    /// writes to `auditLog`.
    #[wasm_bindgen(constructor)]
    pub fn new(
        #[wasm_bindgen(unchecked_param_type = "Verifier")] verifier: JsValue,
        #[wasm_bindgen(js_name = permitIssuer, unchecked_param_type = "PermitIssuer")]
        permit_issuer: JsValue,
        #[wasm_bindgen(js_name = auditLog, unchecked_param_type = "AuditLog")] audit_log: JsValue,
    ) -> JsResult<Guard> {
        let v = lookup::<VerifierInner>(&verifier, "verifier", "Verifier").js()?;
        let p =
            lookup::<core::PermitIssuer>(&permit_issuer, "permitIssuer", "PermitIssuer").js()?;
        let log = lookup::<SharedLog>(&audit_log, "auditLog", "AuditLog").js()?;
        let guard = core::guard::Guard::new(v.verifier.clone(), (*p).clone(), (*log).clone());
        Ok(Guard {
            h: Handle::new(guard),
        })
    }

    /// Decides and records the decision; returns it as data (`{allowed, reasons}`).
    #[wasm_bindgen(unchecked_return_type = "Decision")]
    pub fn check(
        &self,
        #[wasm_bindgen(unchecked_param_type = "Capability | string")] capability: JsValue,
        #[wasm_bindgen(unchecked_param_type = "RequestLike")] request: JsValue,
        #[wasm_bindgen(unchecked_optional_param_type = "string | null")] proof: JsValue,
        #[wasm_bindgen(unchecked_optional_param_type = "number | null")] now: JsValue,
    ) -> JsResult<JsValue> {
        let cap = cap_arg(&capability).js()?;
        let req = request_arg(&request).js()?;
        let proof = conv::opt_string(&proof, "proof").js()?;
        let now = conv::now(&now).js()?;
        let g = self.h.get();
        let d = match &cap {
            CapArg::Parsed(c) => g.check(c, &req, proof.as_deref(), now),
            CapArg::Text(t) => g.check_token(t, &req, proof.as_deref(), now),
        };
        Ok(decision_to_js(&d))
    }

    /// A permit for exactly this call, or a thrown `Denied` with `.reasons`.
    /// `permitId` fixes the permit's `jti`; `idempotencyKey` goes in its claims.
    pub fn protect(
        &self,
        #[wasm_bindgen(unchecked_param_type = "Capability | string")] capability: JsValue,
        #[wasm_bindgen(unchecked_param_type = "RequestLike")] request: JsValue,
        #[wasm_bindgen(unchecked_optional_param_type = "string | null")] proof: JsValue,
        #[wasm_bindgen(js_name = idempotencyKey, unchecked_optional_param_type = "string | null")]
        idempotency_key: JsValue,
        #[wasm_bindgen(unchecked_optional_param_type = "number | null")] now: JsValue,
        #[wasm_bindgen(js_name = permitId, unchecked_optional_param_type = "string | null")]
        permit_id: JsValue,
    ) -> JsResult<Permit> {
        let cap = cap_arg(&capability).js()?;
        let req = request_arg(&request).js()?;
        let proof = conv::opt_string(&proof, "proof").js()?;
        let idem = conv::opt_string(&idempotency_key, "idempotencyKey").js()?;
        let now = conv::now(&now).js()?;
        let jti = conv::opt_string(&permit_id, "permitId").js()?;
        let g = self.h.get();
        let p = match &cap {
            CapArg::Parsed(c) => g.protect(
                c,
                &req,
                proof.as_deref(),
                idem.as_deref(),
                now,
                jti.as_deref(),
            ),
            CapArg::Text(t) => g.protect_token(
                t,
                &req,
                proof.as_deref(),
                idem.as_deref(),
                now,
                jti.as_deref(),
            ),
        }
        .js()?;
        Ok(Permit::wrap(p))
    }
}
