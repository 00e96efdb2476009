//! Arguments in, values out. Every argument arrives as a `JsValue` and is
//! checked here, so a wrong type is a `UsageError` (`invalid_argument`) with a
//! message naming the parameter, never a silent coercion.

use charter_core::jcs::{self, JsonError, MAX_DEPTH, MAX_SAFE_INTEGER};
use charter_core::{Error, ErrorCode};
use js_sys::{Array, JsString, Object, Reflect, Uint8Array};
use serde_json::{Map, Number, Value};
use wasm_bindgen::{JsCast, JsValue};

use crate::err::{invalid, set};

/// What a JS value is, for messages.
pub fn type_name(v: &JsValue) -> String {
    if v.is_null() {
        "null".into()
    } else if Array::is_array(v) {
        "an array".into()
    } else {
        match v.js_typeof().as_string().as_deref() {
            Some("object") => "an object".into(),
            Some("undefined") => "undefined".into(),
            Some(t) => format!("a {t}"),
            None => "a value".into(),
        }
    }
}

pub fn is_absent(v: &JsValue) -> bool {
    v.is_undefined() || v.is_null()
}

/// A JS string as a Rust string, refusing lone surrogates (which a lossy
/// conversion would silently turn into U+FFFD).
pub fn js_string(v: &JsValue, what: &str) -> Result<String, Error> {
    let s = v
        .as_string()
        .ok_or_else(|| invalid(format!("{what} must be a string, got {}", type_name(v))))?;
    if s.contains('\u{FFFD}') && !v.unchecked_ref::<JsString>().is_valid_utf16() {
        return Err(JsonError::LoneSurrogate {
            code: first_lone_surrogate(v.unchecked_ref()),
        }
        .into());
    }
    Ok(s)
}

fn first_lone_surrogate(s: &JsString) -> u32 {
    char::decode_utf16(s.iter())
        .find_map(|r| r.err().map(|e| u32::from(e.unpaired_surrogate())))
        .unwrap_or(0xFFFD)
}

pub fn string(v: &JsValue, what: &str) -> Result<String, Error> {
    js_string(v, what)
}

pub fn opt_string(v: &JsValue, what: &str) -> Result<Option<String>, Error> {
    if is_absent(v) {
        Ok(None)
    } else {
        js_string(v, what).map(Some)
    }
}

/// An exact integer: a JS number that is a safe integer (|n| ≤ 2^53 − 1).
pub fn integer(v: &JsValue, what: &str) -> Result<i64, Error> {
    if let Some(n) = v.as_f64() {
        if !n.is_finite() || n.fract() != 0.0 {
            return Err(invalid(format!("{what} must be an integer, got {n}")));
        }
        if n.abs() > MAX_SAFE_INTEGER as f64 {
            return Err(invalid(format!(
                "{what} ({}) is not a safe integer (|n| > 2^53 − 1)",
                number_text(v)
            )));
        }
        return Ok(n as i64);
    }
    if v.is_bigint() {
        return bigint(v, what);
    }
    Err(invalid(format!(
        "{what} must be an integer number, got {}",
        type_name(v)
    )))
}

fn bigint(v: &JsValue, what: &str) -> Result<i64, Error> {
    let text = String::from(v.unchecked_ref::<js_sys::BigInt>().to_string(10).unwrap_or_else(|_| JsString::from("?")));
    match text.parse::<i64>() {
        Ok(n) if n.unsigned_abs() <= MAX_SAFE_INTEGER as u64 => Ok(n),
        _ => Err(invalid(format!(
            "{what} ({text}) is not a safe integer (|n| > 2^53 − 1)"
        ))),
    }
}

pub fn opt_integer(v: &JsValue, what: &str) -> Result<Option<i64>, Error> {
    if is_absent(v) {
        Ok(None)
    } else {
        integer(v, what).map(Some)
    }
}

/// Unix seconds now, from the platform clock (`Date.now()`).
pub fn clock_now() -> i64 {
    (js_sys::Date::now() / 1000.0).floor() as i64
}

/// `now?`: the given Unix seconds, or the platform clock.
pub fn now(v: &JsValue) -> Result<i64, Error> {
    Ok(opt_integer(v, "now")?.unwrap_or_else(clock_now))
}

fn number_text(v: &JsValue) -> String {
    v.unchecked_ref::<js_sys::Number>()
        .to_string_with_radix(10)
        .map(String::from)
        .unwrap_or_else(|_| "?".into())
}

/// Bytes: a `Uint8Array` (a Node `Buffer` is one).
pub fn bytes(v: &JsValue, what: &str) -> Result<Vec<u8>, Error> {
    v.dyn_ref::<Uint8Array>()
        .map(Uint8Array::to_vec)
        .ok_or_else(|| invalid(format!("{what} must be a Uint8Array, got {}", type_name(v))))
}

pub fn opt_bytes(v: &JsValue, what: &str) -> Result<Option<Vec<u8>>, Error> {
    if is_absent(v) {
        Ok(None)
    } else {
        bytes(v, what).map(Some)
    }
}

pub fn bytes_out(b: &[u8]) -> Uint8Array {
    Uint8Array::from(b)
}

/// An array of strings.
pub fn strings(v: &JsValue, what: &str) -> Result<Vec<String>, Error> {
    let arr = v
        .dyn_ref::<Array>()
        .ok_or_else(|| invalid(format!("{what} must be an array of strings, got {}", type_name(v))))?;
    let len = arr.length();
    if len as usize > charter_core::capability::MAX_CAVEATS * 64 {
        return Err(Error::new(
            ErrorCode::LimitExceeded,
            format!("{what} has {len} items, too many"),
        ));
    }
    (0..len)
        .map(|i| js_string(&arr.get(i), &format!("{what}[{i}]")))
        .collect()
}

pub fn strings_out<S: AsRef<str>>(items: impl IntoIterator<Item = S>) -> Array {
    items
        .into_iter()
        .map(|s| JsValue::from_str(s.as_ref()))
        .collect()
}

/// A JSON argument: JSON text (kept exact: parsed strictly by the core), or a
/// native value (plain objects, arrays, strings, booleans, null, safe numbers).
pub fn json(v: &JsValue, what: &str) -> Result<Value, Error> {
    if v.is_string() {
        let text = js_string(v, what)?;
        return Ok(jcs::parse(&text)?);
    }
    let value = from_js(v, what, 1)?;
    jcs::validate(&value)?;
    Ok(value)
}

fn from_js(v: &JsValue, path: &str, depth: usize) -> Result<Value, Error> {
    if depth > MAX_DEPTH {
        return Err(JsonError::TooDeep.into());
    }
    if v.is_null() {
        return Ok(Value::Null);
    }
    if let Some(b) = v.as_bool() {
        return Ok(Value::Bool(b));
    }
    if v.is_string() {
        return Ok(Value::String(js_string(v, path)?));
    }
    if let Some(n) = v.as_f64() {
        return number(n, v);
    }
    if v.is_bigint() {
        let n = bigint(v, path).map_err(|_| JsonError::UnsafeInteger {
            literal: String::from(
                v.unchecked_ref::<js_sys::BigInt>()
                    .to_string(10)
                    .unwrap_or_else(|_| JsString::from("?")),
            ),
        })?;
        return Ok(Value::Number(n.into()));
    }
    if let Some(arr) = v.dyn_ref::<Array>() {
        let len = arr.length();
        let mut out = Vec::with_capacity(len.min(1024) as usize);
        for i in 0..len {
            out.push(from_js(&arr.get(i), &format!("{path}[{i}]"), depth + 1)?);
        }
        return Ok(Value::Array(out));
    }
    if v.is_object() && !v.is_function() {
        let proto = Object::get_prototype_of(v);
        let plain = proto.is_null() || proto == Object::get_prototype_of(&Object::new().into());
        if !plain {
            return Err(invalid(format!(
                "{path} must be JSON: a plain object, array, string, number, boolean or null (got another kind of object)"
            )));
        }
        let obj: &Object = v.unchecked_ref();
        let keys = Object::keys(obj);
        let mut out = Map::new();
        for i in 0..keys.length() {
            let k = keys.get(i);
            let key = js_string(&k, &format!("a key of {path}"))?;
            let value = Reflect::get(obj, &k).map_err(|_| invalid(format!("{path}.{key} could not be read")))?;
            if value.is_undefined() {
                return Err(invalid(format!("{path}.{key} is undefined, which is not JSON")));
            }
            out.insert(key.clone(), from_js(&value, &format!("{path}.{key}"), depth + 1)?);
        }
        return Ok(Value::Object(out));
    }
    Err(invalid(format!("{path} must be JSON, got {}", type_name(v))))
}

fn number(n: f64, v: &JsValue) -> Result<Value, Error> {
    if !n.is_finite() {
        return Err(JsonError::NonFinite {
            literal: number_text(v),
        }
        .into());
    }
    if n.fract() == 0.0 {
        if n.abs() > MAX_SAFE_INTEGER as f64 {
            return Err(JsonError::UnsafeInteger {
                literal: number_text(v),
            }
            .into());
        }
        return Ok(Value::Number((n as i64).into()));
    }
    Number::from_f64(n)
        .map(Value::Number)
        .ok_or_else(|| JsonError::NonFinite { literal: number_text(v) }.into())
}

/// A JSON value out, as a native JS value (I-JSON only, so JSON.parse is exact).
pub fn json_out(v: &Value) -> Result<JsValue, Error> {
    let text = jcs::canonicalize(v)?;
    js_sys::JSON::parse(&text).map_err(|_| Error::new(ErrorCode::Malformed, "JSON.parse failed"))
}

pub fn obj() -> Object {
    Object::new()
}

pub fn put(o: &Object, key: &str, v: impl Into<JsValue>) {
    set(o, key, &v.into());
}

pub fn opt_str_out(v: Option<&str>) -> JsValue {
    v.map(JsValue::from_str).unwrap_or(JsValue::NULL)
}
