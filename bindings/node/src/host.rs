//! JavaScript values into strict JSON, and the scalar arguments of calls.
//!
//! [`Js`] only says what each JS value is ([`HostJson`]); the core's walker
//! ([`host::from_host`]) owns depth, size, safe integers, finiteness and
//! duplicate keys. Nested strings are read as UTF-16, so a lone surrogate is
//! refused, never replaced.

use charter_core::host::{self, HostJson, HostValue};
use charter_core::{Error, ErrorCode};
use napi::bindgen_prelude::{Env, FromNapiValue, JsObjectValue, JsValue};
use napi::bindgen_prelude::{KeyCollectionMode, KeyConversion, KeyFilter, Object, Uint8Array};
use napi::bindgen_prelude::{Unknown, Utf16String, ValueType};

use crate::error::invalid;

type Res<T> = std::result::Result<T, Error>;

/// A napi failure reading an argument: the argument has the wrong type.
pub trait OrInvalid<T> {
    /// As `invalid_argument`.
    fn js(self) -> Res<T>;
}

impl<T> OrInvalid<T> for napi::Result<T> {
    fn js(self) -> Res<T> {
        self.map_err(|e| invalid(e.reason))
    }
}

/// A JS string as Rust text; a lone surrogate is `malformed`.
pub fn text(value: Unknown, what: &str) -> Res<String> {
    let units = Utf16String::from_unknown(value)
        .map_err(|_| invalid(format!("{what} must be a string")))?;
    String::from_utf16(&units).map_err(|_| {
        let m = format!("{what}: string has a lone surrogate; strings must be valid Unicode");
        Error::new(ErrorCode::Malformed, m)
    })
}

/// A JS value being read as JSON, with `Object.prototype` to tell plain
/// objects from class instances (a `Date`, a `Map`, a `Buffer`).
#[derive(Clone, Copy)]
pub struct Js<'e> {
    value: Unknown<'e>,
    plain: Unknown<'e>,
}

impl<'e> Js<'e> {
    /// `value`, to be read by the core (`charter_core::host`).
    pub fn new(value: Unknown<'e>) -> Res<Self> {
        let global = Env::from_raw(value.value().env).get_global().js()?;
        let object = Object::from_unknown(global.get_named_property("Object").js()?).js()?;
        Ok(Js {
            value,
            plain: object.get_named_property("prototype").js()?,
        })
    }
}

impl HostJson for Js<'_> {
    fn view(&self) -> Res<HostValue<'_, Self>> {
        let v = self.value;
        let at = move |value| Js { value, ..*self };
        let refuse = |m: &str| Err(invalid(m));
        Ok(match v.get_type().js()? {
            ValueType::Null => HostValue::Null,
            ValueType::Boolean => HostValue::Bool(bool::from_unknown(v).js()?),
            ValueType::Number => HostValue::Number(f64::from_unknown(v).js()?),
            ValueType::String => HostValue::Str(text(v, "a JSON string")?),
            ValueType::Undefined => HostValue::Undefined,
            ValueType::BigInt => {
                return refuse("a BigInt is not JSON; pass JSON text to carry large integers")
            }
            ValueType::Object if v.is_typedarray().js()? => {
                HostValue::Bytes(Uint8Array::from_unknown(v).js()?.to_vec())
            }
            ValueType::Object if v.is_array().js()? => {
                let arr = Object::from_unknown(v).js()?;
                let items =
                    (0..arr.get_array_length().js()?).map(move |i| arr.get_element(i).js().map(at));
                HostValue::Array(Box::new(items))
            }
            ValueType::Object => {
                let obj = Object::from_unknown(v).js()?;
                let proto = obj.get_prototype().js()?;
                let env = Env::from_raw(v.value().env);
                if !env.strict_equals(proto, self.plain).js()?
                    && proto.get_type().js()? != ValueType::Null
                {
                    return refuse("only plain objects, arrays, strings, finite numbers, booleans and null are JSON (got a Date, Map, Buffer, class instance or similar)");
                }
                let (own, enumerable) = (KeyCollectionMode::OwnOnly, KeyFilter::Enumerable);
                let names =
                    obj.get_all_property_names(own, enumerable, KeyConversion::NumbersToStrings);
                let keys = names.js()?;
                let len = keys.get_array_length().js()?;
                HostValue::Object(Box::new((0..len).map(move |i| {
                    let key: Unknown = keys.get_element(i).js()?;
                    let name = text(key, "an object key (symbols are not JSON)")?;
                    Ok((name, at(obj.get_property(key).js()?)))
                })))
            }
            _ => return refuse("functions, symbols and externals are not JSON"),
        })
    }
}

/// A JSON argument's value: text parsed strictly, a JS value walked.
pub fn json(value: Unknown, what: &str) -> Res<serde_json::Value> {
    host::json_value(&Js::new(value)?, what)
}

/// An optional integer argument (a safe integer).
pub fn opt_int(n: Option<f64>, what: &str) -> Res<Option<i64>> {
    n.map(|n| host::safe_int(n, what)).transpose()
}

/// `now?`: Unix seconds, or the system clock.
pub fn now(n: Option<f64>) -> Res<i64> {
    Ok(opt_int(n, "now")?.unwrap_or_else(charter_core::unix_now))
}
