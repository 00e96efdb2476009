//! Arguments in, values out. Every argument arrives as a `JsValue` and is
//! checked here, so a wrong type is a `UsageError` (`invalid_argument`) with a
//! message naming the parameter, never a silent coercion.

use charter_core::jcs::{self, JsonError, MAX_DEPTH, MAX_SAFE_INTEGER};
use charter_core::{Error, ErrorCode};
use js_sys::{Array, JsString, Object, Reflect, Uint8Array};
use serde_json::{Map, Number, Value};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;

// Operations on values a caller hands us go through `catch` imports only: a
// Proxy's trap (or a revoked Proxy) may throw, and an exception unwinding
// through Rust frames would skip their cleanup. Here it becomes an error.
#[wasm_bindgen]
extern "C" {
    #[wasm_bindgen(catch, js_namespace = Array, js_name = isArray)]
    fn js_is_array(v: &JsValue) -> Result<bool, JsValue>;
    #[wasm_bindgen(catch, js_namespace = Object, js_name = getPrototypeOf)]
    fn js_get_prototype_of(v: &JsValue) -> Result<JsValue, JsValue>;
    #[wasm_bindgen(catch, js_namespace = Object, js_name = keys)]
    fn js_object_keys(v: &JsValue) -> Result<Array, JsValue>;
    #[wasm_bindgen(js_namespace = ArrayBuffer, js_name = isView)]
    fn js_is_view(v: &JsValue) -> bool;
    #[wasm_bindgen(js_namespace = Object, js_name = prototype, thread_local_v2)]
    static OBJECT_PROTOTYPE: JsValue;
    #[wasm_bindgen(js_name = Uint8Array, thread_local_v2)]
    static UINT8ARRAY: JsValue;
}

fn unreadable(what: &str) -> Error {
    invalid(format!(
        "{what} could not be read (a getter or Proxy trap threw)"
    ))
}

/// `Array.isArray(v)`, refusing a value whose inspection throws.
pub fn is_array(v: &JsValue, what: &str) -> Result<bool, Error> {
    if !v.is_object() {
        return Ok(false);
    }
    js_is_array(v).map_err(|_| unreadable(what))
}

/// The items of an array, at most `max` of them.
pub fn array_items(v: &JsValue, what: &str, max: usize) -> Result<Vec<JsValue>, Error> {
    let len = Reflect::get(v, &JsValue::from_str("length"))
        .map_err(|_| unreadable(what))?
        .as_f64()
        .unwrap_or(0.0);
    if len > max as f64 {
        return Err(Error::new(
            ErrorCode::LimitExceeded,
            format!("{what} has {len} items; the limit is {max}"),
        ));
    }
    (0..len as u32)
        .map(|i| Reflect::get_u32(v, i).map_err(|_| unreadable(what)))
        .collect()
}

pub fn is_plain_object(v: &JsValue, what: &str) -> Result<bool, Error> {
    if !v.is_object() || v.is_function() {
        return Ok(false);
    }
    let proto = js_get_prototype_of(v).map_err(|_| unreadable(what))?;
    Ok(proto.is_null() || OBJECT_PROTOTYPE.with(|p| proto == *p))
}

/// The own enumerable keys of a plain object.
pub fn object_keys(v: &JsValue, what: &str) -> Result<Vec<JsValue>, Error> {
    Ok(js_object_keys(v)
        .map_err(|_| unreadable(what))?
        .iter()
        .collect())
}

/// `obj[key]`, refusing a getter or trap that throws.
pub fn get(v: &JsValue, key: &str, what: &str) -> Result<JsValue, Error> {
    Reflect::get(v, &JsValue::from_str(key)).map_err(|_| unreadable(what))
}

/// A `Uint8Array` (or subclass, e.g. Node's Buffer), checked without traps.
fn as_uint8array(v: &JsValue) -> Option<&Uint8Array> {
    // isView reads an internal slot: false for any Proxy.
    if !v.is_object() || !js_is_view(v) {
        return None;
    }
    // Function.prototype[Symbol.hasInstance] (inherited by the constructor),
    // through Reflect.apply, which catches a trap in v's prototype chain.
    let yes = UINT8ARRAY.with(|c| {
        let has_instance = Reflect::get(c, &js_sys::Symbol::has_instance()).ok()?;
        let f: &js_sys::Function = has_instance.dyn_ref()?;
        Reflect::apply(f, c, &Array::of1(v)).ok()
    })?;
    if yes.as_bool() == Some(true) {
        Some(v.unchecked_ref())
    } else {
        None
    }
}

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

/// A boolean, strictly (`1` or `"yes"` is refused, not coerced).
pub fn opt_bool(v: &JsValue, what: &str) -> Result<Option<bool>, Error> {
    if is_absent(v) {
        return Ok(None);
    }
    v.as_bool()
        .map(Some)
        .ok_or_else(|| crate::err::invalid(format!("{what} must be a boolean")))
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
    let text = String::from(
        v.unchecked_ref::<js_sys::BigInt>()
            .to_string(10)
            .unwrap_or_else(|_| JsString::from("?")),
    );
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
    as_uint8array(v)
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
    if !is_array(v, what)? {
        return Err(invalid(format!(
            "{what} must be an array of strings, got {}",
            type_name(v)
        )));
    }
    array_items(v, what, 4096)?
        .iter()
        .enumerate()
        .map(|(i, item)| js_string(item, &format!("{what}[{i}]")))
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
    let mut budget = MAX_NODES;
    let value = from_js(v, what, 1, &mut budget)?;
    jcs::validate(&value)?;
    Ok(value)
}

/// Most values (objects, arrays, scalars) one native JSON argument may hold.
const MAX_NODES: usize = 1 << 20;

fn from_js(v: &JsValue, path: &str, depth: usize, budget: &mut usize) -> Result<Value, Error> {
    if depth > MAX_DEPTH {
        return Err(JsonError::TooDeep.into());
    }
    if *budget == 0 {
        return Err(Error::new(
            ErrorCode::LimitExceeded,
            format!("{path}: a JSON argument holds at most {MAX_NODES} values"),
        ));
    }
    *budget -= 1;
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
    if is_array(v, path)? {
        let items = array_items(v, path, *budget)?;
        let mut out = Vec::with_capacity(items.len());
        for (i, item) in items.iter().enumerate() {
            out.push(from_js(item, &format!("{path}[{i}]"), depth + 1, budget)?);
        }
        return Ok(Value::Array(out));
    }
    if v.is_object() && !v.is_function() {
        if !is_plain_object(v, path)? {
            return Err(invalid(format!(
                "{path} must be JSON: a plain object, array, string, number, boolean or null (got another kind of object)"
            )));
        }
        let keys = js_object_keys(v).map_err(|_| unreadable(path))?;
        let mut out = Map::new();
        for i in 0..keys.length() {
            let k = keys.get(i);
            let key = js_string(&k, &format!("a key of {path}"))?;
            let value = Reflect::get(v, &k).map_err(|_| unreadable(&format!("{path}.{key}")))?;
            if value.is_undefined() {
                return Err(invalid(format!(
                    "{path}.{key} is undefined, which is not JSON"
                )));
            }
            let child = from_js(&value, &format!("{path}.{key}"), depth + 1, budget)?;
            out.insert(key, child);
        }
        return Ok(Value::Object(out));
    }
    Err(invalid(format!(
        "{path} must be JSON, got {}",
        type_name(v)
    )))
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
    Number::from_f64(n).map(Value::Number).ok_or_else(|| {
        JsonError::NonFinite {
            literal: number_text(v),
        }
        .into()
    })
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
