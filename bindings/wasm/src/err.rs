//! Errors: every failure crosses to JavaScript as a real `Error` whose class is
//! its family (`FormatError`, `UsageError`, … `Denied`), all subclasses of
//! `CharterError`, with the stable `.code` (and `.reasons` on `Denied`).
//!
//! The classes live in the package's JS entry (`js/errors.js`), which hands
//! this module a factory at load time (`__setErrorFactory`). Without it (the
//! raw wasm-bindgen module used directly) errors are plain `Error`s with the
//! same `name`, `code`, `message` and `reasons`.

use std::cell::RefCell;

use charter_core::{Error, ErrorCode, Reason};
use js_sys::{Array, Function, Object, Reflect};
use wasm_bindgen::prelude::*;

thread_local! {
    static FACTORY: RefCell<Option<Function>> = const { RefCell::new(None) };
}

/// Called once by the package entry with `makeError(code, family, message, reasons)`.
#[wasm_bindgen(js_name = "__setErrorFactory", skip_typescript)]
pub fn set_error_factory(factory: Function) {
    FACTORY.with(|f| *f.borrow_mut() = Some(factory));
}

/// `Result` of an exported function: the error is the JS value thrown.
pub type JsResult<T> = Result<T, JsValue>;

pub fn invalid(message: impl Into<String>) -> Error {
    Error::new(ErrorCode::InvalidArgument, message)
}

pub fn set(obj: &Object, key: &str, value: &JsValue) {
    // Reflect.set on a fresh plain object cannot fail.
    let _ = Reflect::set(obj, &JsValue::from_str(key), value);
}

pub fn reason_to_js(r: &Reason) -> JsValue {
    let o = Object::new();
    set(&o, "code", &JsValue::from_str(r.code.as_str()));
    set(
        &o,
        "caveatIndex",
        &match r.caveat_index {
            Some(i) => JsValue::from_f64(f64::from(i)),
            None => JsValue::NULL,
        },
    );
    set(&o, "message", &JsValue::from_str(&r.message));
    o.into()
}

pub fn reasons_to_js(reasons: &[Reason]) -> JsValue {
    reasons.iter().map(reason_to_js).collect::<Array>().into()
}

/// The JS error for a core error. This is the one place codes map to classes.
pub fn to_js(e: &Error) -> JsValue {
    let code = e.code();
    let family = code.family();
    let reasons = reasons_to_js(e.reasons());
    let made = FACTORY.with(|f| {
        f.borrow().as_ref().and_then(|f| {
            let args = Array::of4(
                &JsValue::from_str(code.as_str()),
                &JsValue::from_str(family),
                &JsValue::from_str(e.message()),
                &reasons,
            );
            f.apply(&JsValue::UNDEFINED, &args).ok()
        })
    });
    if let Some(err) = made {
        return err;
    }
    let err = js_sys::Error::new(e.message());
    err.set_name(family);
    set(&err, "code", &JsValue::from_str(code.as_str()));
    if code == ErrorCode::Denied {
        set(&err, "reasons", &reasons);
    }
    err.into()
}

/// Maps a core result into what an exported function returns.
pub trait IntoJs<T> {
    fn js(self) -> JsResult<T>;
}

impl<T, E: Into<Error>> IntoJs<T> for Result<T, E> {
    fn js(self) -> JsResult<T> {
        self.map_err(|e| to_js(&e.into()))
    }
}
