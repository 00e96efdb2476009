//! JavaScript values into strict JSON, and the scalar arguments of calls.
//!
//! [`Js`] only says what each JS value is ([`HostJson`]); the core's walker
//! ([`host::from_host`]) owns depth, size, safe integers, finiteness and
//! duplicate keys. Nested strings are read as UTF-16, so a lone surrogate is
//! refused, never replaced.

use charter_core::host::{self, HostJson, HostValue};
use charter_core::{jcs, Error, ErrorCode};
use napi::bindgen_prelude::{ClassInstance, Env, FromNapiValue, JsObjectValue, JsValue};
use napi::bindgen_prelude::{KeyCollectionMode, KeyConversion, KeyFilter, Object, Unknown};
use napi::bindgen_prelude::{Utf16String, ValueType};
use serde::de::DeserializeOwned;
use serde_json::Value;

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

/// A top-level string argument, read as napi reads `String` parameters:
/// `charter.js` has refused lone surrogates in every top-level argument.
pub fn arg_text(value: Unknown, what: &str) -> Res<String> {
    String::from_unknown(value).map_err(|_| invalid(format!("{what} must be a string")))
}

fn own_keys<'e>(obj: &Object<'e>) -> Res<(Object<'e>, u32)> {
    let (own, enumerable) = (KeyCollectionMode::OwnOnly, KeyFilter::Enumerable);
    let keys = obj
        .get_all_property_names(own, enumerable, KeyConversion::NumbersToStrings)
        .js()?;
    Ok((keys, keys.get_array_length().js()?))
}

/// A JS value being read as JSON, with `Object.prototype` to tell plain
/// objects from class instances (a `Date`, a `Map`, a `Buffer`).
#[derive(Clone, Copy)]
pub struct Js<'e> {
    value: Unknown<'e>,
    plain: Unknown<'e>,
}

impl<'e> Js<'e> {
    fn new(value: Unknown<'e>) -> Res<Self> {
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
            ValueType::Undefined => {
                return refuse("undefined is not JSON (use null, or leave the member out)")
            }
            ValueType::BigInt => {
                return refuse("a BigInt is not JSON; pass JSON text to carry large integers")
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
                let (keys, len) = own_keys(&obj)?;
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

/// A JSON argument as given: text (parsed strictly by the core, so its
/// numbers stay exact) or a plain JS value (walked by the core).
pub enum JsonArg {
    /// JSON text.
    Text(String),
    /// A value built from a JS value.
    Value(Value),
}

impl JsonArg {
    /// Reads a string as text, anything else as a JS value.
    pub fn read(value: Unknown, what: &str) -> Res<Self> {
        if value.get_type().js()? == ValueType::String {
            return arg_text(value, what).map(JsonArg::Text);
        }
        Ok(JsonArg::Value(host::from_host(&Js::new(value)?, what)?))
    }
}

/// A JSON argument's value (text parsed strictly).
pub fn json(value: Unknown, what: &str) -> Res<Value> {
    match JsonArg::read(value, what)? {
        JsonArg::Text(t) => jcs::parse(&t),
        JsonArg::Value(v) => Ok(v),
    }
}

/// A class instance, or `None` when the value is something else.
pub fn instance<'e, T: 'e>(value: Unknown<'e>) -> Option<ClassInstance<'e, T>>
where
    ClassInstance<'e, T>: FromNapiValue,
{
    ClassInstance::<T>::from_unknown(value).ok()
}

/// What a time or count must be.
pub const SAFE_INT: &str = "a safe integer (|n| <= 2^53-1)";

/// A JS number that must be an integer within ±(2^53−1).
pub fn int(n: f64, what: &str) -> Res<i64> {
    if !n.is_finite() || n.fract() != 0.0 || n.abs() > jcs::MAX_SAFE_INTEGER as f64 {
        return Err(invalid(format!("{what} must be {SAFE_INT}, got {n}")));
    }
    Ok(n as i64)
}

/// An optional integer argument.
pub fn opt_int(n: Option<f64>, what: &str) -> Res<Option<i64>> {
    n.map(|n| int(n, what)).transpose()
}

/// `now?`: Unix seconds, or the system clock.
pub fn now(n: Option<f64>) -> Res<i64> {
    Ok(opt_int(n, "now")?.unwrap_or_else(charter_core::unix_now))
}

/// A plain options object whose members are all known (a typo must not
/// drop a limit); `undefined`/`null` members count as absent.
pub struct Options<'e>(Option<Object<'e>>, &'static str);

impl<'e> Options<'e> {
    /// Reads `value` (absent or `null`: no options), refusing unknown members.
    pub fn read(value: Option<Unknown<'e>>, what: &'static str, known: &[&str]) -> Res<Self> {
        let Some(value) = value.filter(|v| !nullish(*v)) else {
            return Ok(Options(None, what));
        };
        if value.get_type().js()? != ValueType::Object || value.is_array().js()? {
            return Err(invalid(format!("{what} must be an object")));
        }
        let obj = Object::from_unknown(value).js()?;
        let (keys, len) = own_keys(&obj)?;
        for i in 0..len {
            let name = text(keys.get_element(i).js()?, what)?;
            if !known.contains(&name.as_str()) {
                let m = format!(
                    "{what}: unknown member {name:?} (expected {})",
                    known.join(", ")
                );
                return Err(invalid(m));
            }
        }
        Ok(Options(Some(obj), what))
    }

    /// A member of type `T` (`expected` names it in the error).
    pub fn get<T: FromNapiValue>(&self, name: &str, expected: &str) -> Res<Option<T>> {
        let Some(obj) = &self.0 else { return Ok(None) };
        let v: Unknown = obj.get_named_property(name).js()?;
        let bad = |_| invalid(format!("{}.{name} must be {expected}", self.1));
        (!nullish(v))
            .then(|| T::from_unknown(v).map_err(bad))
            .transpose()
    }

    /// An integer member (a safe integer).
    pub fn int(&self, name: &str) -> Res<Option<i64>> {
        (self.get::<f64>(name, SAFE_INT)?)
            .map(|n| int(n, &format!("{}.{name}", self.1)))
            .transpose()
    }

    /// A JSON member (read by the core's walker) as `T`; `expected` names
    /// the type in the error. A lone surrogate stays `malformed`.
    pub fn json<T: DeserializeOwned>(&self, name: &str, expected: &str) -> Res<Option<T>> {
        let Some(v) = self.get::<Unknown>(name, expected)? else {
            return Ok(None);
        };
        let what = format!("{}.{name}", self.1);
        let bad = |e: Option<Error>| match e {
            Some(e) if e.code() == ErrorCode::Malformed => e,
            _ => invalid(format!("{what} must be {expected}")),
        };
        let value = host::from_host(&Js::new(v)?, &what).map_err(|e| bad(Some(e)))?;
        serde_json::from_value(value)
            .map(Some)
            .map_err(|_| bad(None))
    }
}

fn nullish(v: Unknown) -> bool {
    matches!(v.get_type(), Ok(ValueType::Undefined | ValueType::Null))
}
