//! JSON values crossing the boundary, exactly.
//!
//! JSON arguments arrive either as text (parsed by the core's strict I-JSON
//! parser: nothing is ever rounded) or as plain JS values, walked here with
//! counted bounds (depth, size) so no input can exhaust the native stack.
//! A JS number that is integral but not a safe integer is refused: it may
//! already have been rounded, and the caller should pass JSON text instead.

use std::ptr;

use charter_core::{jcs, ErrorCode};
use napi::bindgen_prelude::{JsValue, Unknown};
use napi::sys;
use serde_json::{Map, Number, Value};

use crate::errors::{self, Error, OrThrow, Result};

/// Largest JSON value accepted from JS values (counted like its text size).
pub const MAX_BYTES: usize = 1024 * 1024;

/// How a JSON argument is given: its text (exact) or a JS value.
pub fn arg(value: &Unknown, what: &str) -> Result<Value> {
    let env = value.value().env;
    let raw = value.raw();
    if type_of(env, raw)? == sys::ValueType::napi_string {
        let text = string(env, raw, what)?;
        if text.len() > MAX_BYTES {
            return Err(errors::new(
                ErrorCode::LimitExceeded,
                format!("{what} is larger than {MAX_BYTES} bytes"),
            ));
        }
        return jcs::parse(&text).or_throw();
    }
    let mut w = Walker::new(env, what)?;
    w.value(raw, 1)
}

/// As [`arg`], but for text only callers: JS value or text, returned as text
/// for core functions that parse themselves.
pub fn arg_text(value: &Unknown, what: &str) -> Result<String> {
    let env = value.value().env;
    let raw = value.raw();
    if type_of(env, raw)? == sys::ValueType::napi_string {
        return string(env, raw, what);
    }
    let v = Walker::new(env, what)?.value(raw, 1)?;
    jcs::canonicalize(&v).or_throw()
}

fn check(status: sys::napi_status) -> Result<()> {
    if status == sys::Status::napi_ok {
        Ok(())
    } else if status == sys::Status::napi_pending_exception {
        Err(errors::napi(napi::Error::from_status(
            napi::Status::PendingException,
        )))
    } else {
        Err(errors::invalid("could not read a JavaScript value"))
    }
}

fn type_of(env: sys::napi_env, v: sys::napi_value) -> Result<i32> {
    let mut t = 0;
    check(unsafe { sys::napi_typeof(env, v, &mut t) })?;
    Ok(t)
}

/// A JS string as Rust UTF-8; lone surrogates are refused, never replaced.
pub fn string(env: sys::napi_env, v: sys::napi_value, what: &str) -> Result<String> {
    let mut len = 0usize;
    check(unsafe { sys::napi_get_value_string_utf16(env, v, ptr::null_mut(), 0, &mut len) })?;
    let mut buf = vec![0u16; len + 1];
    let mut written = 0usize;
    check(unsafe {
        sys::napi_get_value_string_utf16(env, v, buf.as_mut_ptr(), len + 1, &mut written)
    })?;
    buf.truncate(written);
    String::from_utf16(&buf).map_err(|_| {
        errors::new(
            ErrorCode::Malformed,
            format!("{what}: string has a lone surrogate; strings must be valid Unicode"),
        )
    })
}

struct Walker {
    env: sys::napi_env,
    object_proto: sys::napi_value,
    what: String,
    path: Vec<String>,
    budget: usize,
}

impl Walker {
    fn new(env: sys::napi_env, what: &str) -> Result<Self> {
        let mut global = ptr::null_mut();
        check(unsafe { sys::napi_get_global(env, &mut global) })?;
        let mut object = ptr::null_mut();
        check(unsafe {
            sys::napi_get_named_property(env, global, c"Object".as_ptr(), &mut object)
        })?;
        let mut proto = ptr::null_mut();
        check(unsafe {
            sys::napi_get_named_property(env, object, c"prototype".as_ptr(), &mut proto)
        })?;
        Ok(Walker {
            env,
            object_proto: proto,
            what: what.to_string(),
            path: Vec::new(),
            budget: MAX_BYTES,
        })
    }

    fn at(&self) -> String {
        let mut s = self.what.clone();
        for p in &self.path {
            s.push_str(p);
        }
        s
    }

    fn fail(&self, code: ErrorCode, m: impl std::fmt::Display) -> Error {
        errors::new(code, format!("{}: {m}", self.at()))
    }

    fn spend(&mut self, n: usize) -> Result<()> {
        if n > self.budget {
            return Err(errors::new(
                ErrorCode::LimitExceeded,
                format!("{} is larger than {MAX_BYTES} bytes as JSON", self.what),
            ));
        }
        self.budget -= n;
        Ok(())
    }

    fn value(&mut self, v: sys::napi_value, depth: usize) -> Result<Value> {
        self.spend(1)?;
        let env = self.env;
        match type_of(env, v)? {
            sys::ValueType::napi_null => Ok(Value::Null),
            sys::ValueType::napi_boolean => {
                let mut b = false;
                check(unsafe { sys::napi_get_value_bool(env, v, &mut b) })?;
                Ok(Value::Bool(b))
            }
            sys::ValueType::napi_number => {
                let mut n = 0f64;
                check(unsafe { sys::napi_get_value_double(env, v, &mut n) })?;
                self.spend(8)?;
                self.number(n)
            }
            sys::ValueType::napi_string => {
                let s = string(env, v, &self.at())?;
                self.spend(s.len())?;
                Ok(Value::String(s))
            }
            sys::ValueType::napi_object => {
                if depth > jcs::MAX_DEPTH {
                    return Err(errors::new(
                        ErrorCode::LimitExceeded,
                        format!("{}: JSON nesting deeper than {} levels", self.what, jcs::MAX_DEPTH),
                    ));
                }
                let mut is_array = false;
                check(unsafe { sys::napi_is_array(env, v, &mut is_array) })?;
                if is_array {
                    self.array(v, depth)
                } else {
                    self.object(v, depth)
                }
            }
            sys::ValueType::napi_undefined => Err(self.fail(
                ErrorCode::InvalidArgument,
                "undefined is not JSON (use null, or leave the member out)",
            )),
            sys::ValueType::napi_bigint => Err(self.fail(
                ErrorCode::InvalidArgument,
                "a BigInt is not JSON; pass the request as JSON text to carry large integers exactly",
            )),
            _ => Err(self.fail(
                ErrorCode::InvalidArgument,
                "functions, symbols and externals are not JSON",
            )),
        }
    }

    fn number(&self, n: f64) -> Result<Value> {
        if !n.is_finite() {
            return Err(self.fail(
                ErrorCode::InvalidArgument,
                format!("number {n} is not finite"),
            ));
        }
        if n.fract() == 0.0 {
            if n.abs() > jcs::MAX_SAFE_INTEGER as f64 {
                return Err(self.fail(
                    ErrorCode::InvalidArgument,
                    format!(
                        "number {n:e} is not a safe integer (|n| > 2^53-1) and may already be rounded; \
                         pass the JSON as text to keep it exact"
                    ),
                ));
            }
            return Ok(Value::Number(Number::from(n as i64)));
        }
        Number::from_f64(n)
            .map(Value::Number)
            .ok_or_else(|| self.fail(ErrorCode::InvalidArgument, "number is not finite"))
    }

    fn array(&mut self, v: sys::napi_value, depth: usize) -> Result<Value> {
        let env = self.env;
        let mut len = 0u32;
        check(unsafe { sys::napi_get_array_length(env, v, &mut len) })?;
        self.spend(len as usize)?;
        let mut out = Vec::with_capacity(len as usize);
        for i in 0..len {
            let mut item = ptr::null_mut();
            check(unsafe { sys::napi_get_element(env, v, i, &mut item) })?;
            self.path.push(format!("[{i}]"));
            out.push(self.value(item, depth + 1)?);
            self.path.pop();
        }
        Ok(Value::Array(out))
    }

    fn object(&mut self, v: sys::napi_value, depth: usize) -> Result<Value> {
        let env = self.env;
        let mut proto = ptr::null_mut();
        check(unsafe { sys::napi_get_prototype(env, v, &mut proto) })?;
        let mut plain = false;
        check(unsafe { sys::napi_strict_equals(env, proto, self.object_proto, &mut plain) })?;
        if !plain {
            let mut t = 0;
            check(unsafe { sys::napi_typeof(env, proto, &mut t) })?;
            plain = t == sys::ValueType::napi_null;
        }
        if !plain {
            return Err(self.fail(
                ErrorCode::InvalidArgument,
                "only plain objects, arrays, strings, finite numbers, booleans and null are JSON \
                 (got a Date, Map, Buffer, class instance or similar)",
            ));
        }
        let mut keys = ptr::null_mut();
        check(unsafe {
            sys::napi_get_all_property_names(
                env,
                v,
                sys::KeyCollectionMode::own_only,
                sys::KeyFilter::enumerable | sys::KeyFilter::skip_symbols,
                sys::KeyConversion::numbers_to_strings,
                &mut keys,
            )
        })?;
        let mut len = 0u32;
        check(unsafe { sys::napi_get_array_length(env, keys, &mut len) })?;
        let mut out = Map::new();
        for i in 0..len {
            let mut key = ptr::null_mut();
            check(unsafe { sys::napi_get_element(env, keys, i, &mut key) })?;
            let name = string(env, key, &self.at())?;
            self.spend(name.len())?;
            let mut item = ptr::null_mut();
            check(unsafe { sys::napi_get_property(env, v, key, &mut item) })?;
            self.path.push(format!(".{name}"));
            let value = self.value(item, depth + 1)?;
            self.path.pop();
            out.insert(name, value);
        }
        Ok(Value::Object(out))
    }
}

/// A JSON value as a plain JS value (values here are already bounded).
pub fn to_js(env: sys::napi_env, v: &Value) -> Result<sys::napi_value> {
    let mut out = ptr::null_mut();
    match v {
        Value::Null => check(unsafe { sys::napi_get_null(env, &mut out) })?,
        Value::Bool(b) => check(unsafe { sys::napi_get_boolean(env, *b, &mut out) })?,
        Value::Number(n) => {
            let f = if let Some(i) = n.as_i64() {
                i as f64
            } else {
                n.as_f64().unwrap_or(f64::NAN)
            };
            check(unsafe { sys::napi_create_double(env, f, &mut out) })?
        }
        Value::String(s) => check(unsafe {
            sys::napi_create_string_utf8(env, s.as_ptr().cast(), s.len() as isize, &mut out)
        })?,
        Value::Array(a) => {
            check(unsafe { sys::napi_create_array_with_length(env, a.len(), &mut out) })?;
            for (i, item) in a.iter().enumerate() {
                let js = to_js(env, item)?;
                check(unsafe { sys::napi_set_element(env, out, i as u32, js) })?;
            }
        }
        Value::Object(o) => {
            check(unsafe { sys::napi_create_object(env, &mut out) })?;
            for (k, item) in o {
                let js = to_js(env, item)?;
                let mut key = ptr::null_mut();
                check(unsafe {
                    sys::napi_create_string_utf8(env, k.as_ptr().cast(), k.len() as isize, &mut key)
                })?;
                check(unsafe { sys::napi_set_property(env, out, key, js) })?;
            }
        }
    }
    Ok(out)
}

/// A JSON value returned to JS, as an `Unknown` napi can hand back.
pub struct JsJson(pub Value);

impl napi::bindgen_prelude::ToNapiValue for JsJson {
    unsafe fn to_napi_value(env: sys::napi_env, val: Self) -> napi::Result<sys::napi_value> {
        to_js(env, &val.0).map_err(|e| napi::Error::new(napi::Status::GenericFailure, e.reason))
    }
}

impl napi::bindgen_prelude::TypeName for JsJson {
    fn type_name() -> &'static str {
        "JsonValue"
    }
    fn value_type() -> napi::ValueType {
        napi::ValueType::Object
    }
}
