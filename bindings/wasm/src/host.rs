//! Host values in: JS values described to the core's strict JSON walker
//! (`impl HostJson`), the typed arguments of every method, and the registry
//! through which the module's own objects come back as arguments.

use std::rc::Rc;

use charter_core::host::{self as core_host, invalid, registered, HostJson, HostValue};
use charter_core::jcs::JsonError;
use charter_core::{call::CapabilityArg, Capability, Error};
use js_sys::{Array, JsString, Reflect, Uint8Array};
use serde_json::Value;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;

use crate::error::charter_id;

/// JS values typed for the `.d.ts` only: the glue passes them unchecked and
/// `host` checks each one, so a wrong type is a `UsageError`, never a coercion.
macro_rules! ts_types {
    ($($name:ident = $ts:literal,)*) => {
        #[wasm_bindgen]
        extern "C" {
            $(#[doc = $ts] #[wasm_bindgen(typescript_type = $ts)] pub type $name;)*
        }
    };
}

ts_types! {
    Str = "string", Int = "number", Bytes = "Uint8Array",
    JsonArg = "JsonObject | string", JwkArg = "Jwk | string", JwksArg = "Jwks | string",
    KeysArg = "KeySet | Jwks | string", CapArg = "Capability | string", ReqArg = "RequestLike",
    Jwk = "Jwk", Options = "IssueOptions", RootKeys = "RootKey[]",
    PublicKeys = "PublicKey[]", RootKeyArg = "RootKey", SigningKeyArg = "SigningKey",
    VerifierArg = "Verifier", PermitIssuerArg = "PermitIssuer", AuditLogArg = "AuditLog",
    OptStr = "string | null", Decision = "Decision", Claims = "PermitClaims",
    Report = "BundleReport", Reasons = "Reason[]", JsonObject = "JsonObject",
    OptReceipt = "Receipt | null", Outcome = "\"allow\" | \"deny\"", NoStore = "never",
}

/// The `store` parameter of the constructors that take one elsewhere:
/// WebAssembly has no store (no file system, no sockets), so any value but
/// `undefined`/`null` is refused (`unsupported`) rather than ignored, which
/// would quietly keep single use, revocations and budgets in this one
/// instance's memory.
pub fn no_store(store: &Option<NoStore>) -> Result<(), Error> {
    match store {
        None => Ok(()),
        Some(_) => Err(Error::new(
            charter_core::ErrorCode::Unsupported,
            "a store cannot be used in WebAssembly (no file system or network): state stays in this instance's memory, so leave store out, or run the check where the database is reachable (the Node or Python package with openStore)",
        )),
    }
}

/// Reads arguments in place, each by the reader `host::f` and named by its
/// parameter; `?f` for an optional one (absent when `undefined` or `null`):
/// `args!(string: agent, action; ?int: ttl;)`.
macro_rules! args {
    () => {};
    (? $f:ident: $($a:ident),*; $($rest:tt)*) => {
        $(let $a = $crate::host::opt(&$a, stringify!($a), $crate::host::$f)?;)*
        $crate::host::args!($($rest)*);
    };
    ($f:ident: $($a:ident),*; $($rest:tt)*) => {
        $(let $a = $crate::host::$f(&$a, stringify!($a))?;)*
        $crate::host::args!($($rest)*);
    };
}
pub(crate) use args;

/// One argument read in place, as by [`args!`]: `arg!(string: caveat)`, `arg!(?int: ttl)`.
macro_rules! arg {
    (? $f:ident: $a:ident) => {
        $crate::host::opt(&$a, stringify!($a), $crate::host::$f)?
    };
    ($f:ident: $a:ident) => {
        $crate::host::$f(&$a, stringify!($a))?
    };
}
pub(crate) use arg;

// Inspecting a caller's value goes through `catch` imports: a Proxy trap may
// throw, and an exception unwinding through Rust frames would skip cleanup.
#[wasm_bindgen]
extern "C" {
    #[wasm_bindgen(catch, js_namespace = Array, js_name = isArray)]
    fn is_array(v: &JsValue) -> Result<bool, JsValue>;
    #[wasm_bindgen(catch, js_namespace = Object, js_name = getPrototypeOf)]
    fn prototype_of(v: &JsValue) -> Result<JsValue, JsValue>;
    #[wasm_bindgen(catch, js_namespace = Object, js_name = keys)]
    fn keys_of(v: &JsValue) -> Result<Array, JsValue>;
    #[wasm_bindgen(js_namespace = ArrayBuffer, js_name = isView)]
    fn is_view(v: &JsValue) -> bool;
    #[wasm_bindgen(js_namespace = Object, js_name = prototype, thread_local_v2)]
    static OBJECT_PROTOTYPE: JsValue;
}

pub use charter_core::host::Handle;

/// The `T` behind one of the module's objects, if `v` is one.
pub fn try_obj<T: 'static>(v: &JsValue) -> Option<Rc<T>> {
    registered(v.is_object().then(|| charter_id(v) as u32)?)
}

/// A core value wrapped by one of the module's classes, named `NAME` in JS.
pub trait Class: 'static {
    const NAME: &'static str;
}

/// The value behind one of the module's objects, cloned out, or
/// `invalid_argument` naming the parameter and class.
pub fn class<T: Class + Clone>(v: &JsValue, what: &str) -> Result<T, Error> {
    let o = try_obj::<T>(v).ok_or_else(|| match v.is_object() {
        true => {
            invalid(format!("{what} must be a {}, got another object (or a freed one)", T::NAME))
        }
        false => wrong(what, &format!("a {}", T::NAME), v),
    })?;
    Ok((*o).clone())
}

/// An array of the module's objects (at most `max`), each cloned out.
pub fn objs<T: Class + Clone>(v: &JsValue, what: &str, max: usize) -> Result<Vec<T>, Error> {
    let all = items(v, what, max)?.into_iter().enumerate();
    all.map(|(i, o)| class(&o, &format!("{what}[{i}]"))).collect()
}

/// `invalid_argument`: "`what` must be `want`, got (the type of `v`)".
pub fn wrong(what: &str, want: &str, v: &JsValue) -> Error {
    let got = match v.js_typeof().as_string().as_deref() {
        _ if v.is_null() => "null".into(),
        Some("object") if is_array(v).unwrap_or(false) => "an array".into(),
        Some("object") => "an object".into(),
        Some("undefined") => "undefined".into(),
        Some(t) => format!("a {t}"),
        None => "a value".into(),
    };
    invalid(format!("{what} must be {want}, got {got}"))
}

fn unreadable(what: &str) -> Error {
    invalid(format!("{what} could not be read (a getter or Proxy trap threw)"))
}

/// A string, refusing lone surrogates (which a lossy conversion would turn
/// into U+FFFD silently).
pub fn string(v: &JsValue, what: &str) -> Result<String, Error> {
    let s = v.as_string().ok_or_else(|| wrong(what, "a string", v))?;
    let js: &JsString = v.unchecked_ref();
    // ASCII first: `contains` of a non-ASCII char is a substring search,
    // a fiftieth of a text check, and capability text is ASCII.
    if !s.is_ascii() && s.contains('\u{FFFD}') && !js.is_valid_utf16() {
        let lone = char::decode_utf16(js.iter()).find_map(|r| r.err());
        let code = lone.map_or(0xFFFD, |e| u32::from(e.unpaired_surrogate()));
        return Err(JsonError::LoneSurrogate { code }.into());
    }
    Ok(s)
}

/// An integer: a safe-integer number or BigInt, never coerced.
pub fn int(v: &JsValue, what: &str) -> Result<i64, Error> {
    match v.as_f64() {
        Some(n) => core_host::safe_int(n, what),
        None if v.is_bigint() => core_host::int(&Js(v.clone()), what),
        None => Err(wrong(what, "an integer", v)),
    }
}

/// An optional argument (absent when `undefined` or `null`), by `read`.
pub fn opt<T, A: AsRef<JsValue>>(
    v: &Option<A>,
    what: &str,
    read: fn(&JsValue, &str) -> Result<T, Error>,
) -> Result<Option<T>, Error> {
    v.as_ref().map(|v| read(v.as_ref(), what)).transpose()
}

/// A non-negative integer (a sequence number).
pub fn seq(v: &JsValue, what: &str) -> Result<u64, Error> {
    core_host::seq(int(v, what)?, what)
}

/// `now?`: the given Unix seconds, or the platform clock (`Date.now()`).
pub fn now<A: AsRef<JsValue>>(v: &Option<A>, what: &str) -> Result<i64, Error> {
    Ok(opt(v, what, int)?.unwrap_or_else(clock))
}

pub fn clock() -> i64 {
    (js_sys::Date::now() / 1000.0).floor() as i64
}

/// Bytes: a `Uint8Array` (a Node `Buffer` is one); `isView` is false for a
/// Proxy, so no trap runs.
pub fn bytes(v: &JsValue, what: &str) -> Result<Vec<u8>, Error> {
    match v.dyn_ref::<Uint8Array>() {
        Some(a) if is_view(v) => Ok(a.to_vec()),
        _ => Err(wrong(what, "a Uint8Array", v)),
    }
}

/// The items of an array, at most `max`.
pub fn items(v: &JsValue, what: &str, max: usize) -> Result<Vec<JsValue>, Error> {
    if !v.is_object() || !is_array(v).map_err(|_| unreadable(what))? {
        return Err(wrong(what, "an array", v));
    }
    let len = member(v, &"length".into(), what)?.as_f64().unwrap_or(0.0);
    if len > max as f64 {
        return Err(invalid(format!("{what} has {len} items; the limit is {max}")));
    }
    let item = |i| Reflect::get_u32(v, i).map_err(|_| unreadable(what));
    (0..len as u32).map(item).collect()
}

/// A JSON value out, as a native JS value.
pub fn json_out<T: JsCast>(v: &Value) -> T {
    js_sys::JSON::parse(&v.to_string()).unwrap_or_default().unchecked_into()
}

/// An optional string out: the string, or `null`.
pub fn opt_out(s: Option<&str>) -> OptStr {
    s.map_or(JsValue::NULL, JsValue::from_str).unchecked_into()
}

/// `v[key]`, refusing a getter or trap that throws.
pub fn member(v: &JsValue, key: &JsValue, what: &str) -> Result<JsValue, Error> {
    Reflect::get(v, key).map_err(|_| unreadable(what))
}

/// Whether `v` is a plain object (`{}` or `Object.create(null)`).
pub fn is_plain(v: &JsValue, what: &str) -> Result<bool, Error> {
    if !v.is_object() || is_array(v).map_err(|_| unreadable(what))? {
        return Ok(false);
    }
    let proto = prototype_of(v).map_err(|_| unreadable(what))?;
    Ok(proto.is_null() || OBJECT_PROTOTYPE.with(|p| proto == *p))
}

/// A JS value as the core's host JSON walker sees it.
pub struct Js(pub JsValue);

impl HostJson for Js {
    fn view(&self) -> Result<HostValue<'_, Self>, Error> {
        let v = &self.0;
        Ok(match () {
            _ if v.is_null() => HostValue::Null,
            _ if v.is_undefined() => HostValue::Undefined,
            _ if v.as_bool().is_some() => HostValue::Bool(v.as_bool() == Some(true)),
            _ if v.as_f64().is_some() => HostValue::Number(v.as_f64().unwrap_or(f64::NAN)),
            _ if v.is_string() => HostValue::Str(string(v, "a JSON string")?),
            _ if is_view(v) && v.dyn_ref::<Uint8Array>().is_some() => {
                HostValue::Bytes(v.unchecked_ref::<Uint8Array>().to_vec())
            }
            _ if v.is_bigint() => {
                let text = v.unchecked_ref::<js_sys::BigInt>().to_string(10);
                let text = text.map(String::from).unwrap_or_default();
                text.parse().map_or(HostValue::BigInt(text), HostValue::Int)
            }
            _ if v.is_object() && is_array(v).map_err(|_| unreadable("an array"))? => {
                let all = items(v, "a JSON array", usize::MAX)?;
                HostValue::Array(Box::new(all.into_iter().map(|i| Ok(Js(i)))))
            }
            _ if is_plain(v, "an object")? => {
                let keys = keys_of(v).map_err(|_| unreadable("an object"))?;
                HostValue::Object(Box::new(keys.into_iter().map(move |k| {
                    let key = string(&k, "a key")?;
                    let item = member(v, &k, &key)?;
                    Ok((key, Js(item)))
                })))
            }
            _ => {
                let want = "a plain object, array, string, number, boolean or null";
                return Err(wrong("JSON", want, v));
            }
        })
    }
}

/// One of the module's objects, or else a plain object or its JSON text
/// read by `parse`: the `KeySet | Jwks | string` and `Request | object |
/// string` arguments; anything else is `invalid_argument` wanting `want`.
pub fn obj_or_json<T: 'static>(
    v: &JsValue,
    what: &str,
    want: &str,
    parse: impl FnOnce(&Js) -> Result<T, Error>,
) -> Result<Rc<T>, Error> {
    if let Some(o) = try_obj::<T>(v) {
        return Ok(o);
    }
    if !v.is_string() && !is_plain(v, what)? {
        return Err(wrong(what, want, v));
    }
    parse(&Js(v.clone())).map(Rc::new)
}

/// A JSON argument as a value: text parsed strictly, or a native value walked.
pub fn json_value(v: &JsValue, what: &str) -> Result<Value, Error> {
    core_host::json_value(&Js(v.clone()), what)
}

/// A capability argument: a `Capability` (shared with its object), or its text.
pub fn cap(v: &JsValue) -> Result<CapabilityArg<Rc<Capability>>, Error> {
    match try_obj::<Capability>(v) {
        Some(cap) => Ok(CapabilityArg::Parsed(cap)),
        None if v.is_string() => Ok(CapabilityArg::Text(string(v, "capability")?)),
        None => Err(wrong("capability", "a Capability or its text", v)),
    }
}
