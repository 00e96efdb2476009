//! Errors out: every core error crosses as a `CharterError` subclass named by
//! its family (`ErrorCode::family()`), with `.code`, and `.reasons` on
//! `Denied`. The classes live in `js/errors.js`; the package entry hands its
//! functions to `__setup` at load, with the record builders.

use std::cell::OnceCell;

use charter_core::Error;
use js_sys::Function;
use wasm_bindgen::prelude::*;

/// The JS side of the boundary (`js/errors.js`): `makeError(code, family,
/// message, reasonsJson)`, `record(json)` (keys camelCased), `allow()` (a
/// fresh allowing Decision) and `charterId(value)` (a registry id, or 0).
struct Glue(Function, Function, Function, Function);

thread_local! {
    static GLUE: OnceCell<Glue> = const { OnceCell::new() };
}

/// Called once by the package entry with the functions of [`Glue`].
#[wasm_bindgen(js_name = "__setup", skip_typescript)]
pub fn setup(error: Function, record: Function, allow: Function, id: Function) {
    GLUE.with(|g| g.set(Glue(error, record, allow, id)).ok());
}

fn with(f: impl FnOnce(&Glue) -> Result<JsValue, JsValue>) -> JsValue {
    GLUE.with(|g| match g.get() {
        Some(glue) => f(glue).unwrap_or_else(|thrown| thrown),
        None => js_sys::Error::new("charter: load the package entry, not charter_wasm.js").into(),
    })
}

const THIS: JsValue = JsValue::UNDEFINED;

/// A record (Decision, PermitClaims, BundleReport, Reason[]) through its JSON.
pub fn record<T: JsCast, V: serde::Serialize + ?Sized>(value: &V) -> T {
    let json = serde_json::to_string(value).unwrap_or_default();
    with(|g| g.1.call1(&THIS, &json.into())).unchecked_into()
}

/// The registry id behind a JS value (0 when it is not one of ours).
pub fn charter_id(v: &JsValue) -> f64 {
    with(|g| g.3.call1(&THIS, v)).as_f64().unwrap_or(0.0)
}

/// Reasons as JSON with `approval` always present (`null` unless the
/// reason is `approval_required`), as the Reason record declares it.
pub fn reasons_json(reasons: &[charter_core::Reason]) -> serde_json::Value {
    let mut v = serde_json::to_value(reasons).unwrap_or_default();
    for r in v.as_array_mut().into_iter().flatten().filter_map(|r| r.as_object_mut()) {
        r.entry("approval").or_insert(serde_json::Value::Null);
    }
    v
}

/// A Decision as a JS object (an allow is built without JSON).
pub fn decision(d: &charter_core::Decision) -> crate::host::Decision {
    if d.allowed {
        return with(|g| g.2.call0(&THIS)).unchecked_into();
    }
    record(&serde_json::json!({"allowed": false, "reasons": reasons_json(&d.reasons)}))
}

/// The JS error thrown for a core error: the one place codes map to classes.
pub struct Throw(JsValue);

impl From<Error> for Throw {
    fn from(e: Error) -> Self {
        let code = e.code();
        let reasons = reasons_json(e.reasons()).to_string();
        let family = code.family().class_name();
        let args = [code.as_str(), family, e.message(), &reasons].map(JsValue::from);
        Throw(with(|g| g.0.apply(&THIS, &args.iter().collect())))
    }
}

impl From<Throw> for JsValue {
    fn from(t: Throw) -> Self {
        t.0
    }
}

/// `Result` of an exported function: the error is the JS error thrown.
pub type JsResult<T> = Result<T, Throw>;
