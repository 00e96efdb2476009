//! JavaScript values into strict JSON, and the scalar arguments of calls.
//!
//! [`Js`] only says what each JS value is ([`HostJson`]); the core's walker
//! ([`host::from_host`]) owns depth, size, safe integers, finiteness and
//! duplicate keys. Strings are read as UTF-16 so a lone surrogate is refused,
//! never replaced.

use charter_core::host::{self, HostJson, HostValue};
use charter_core::{jcs, Error, ErrorCode};
use napi::bindgen_prelude::{
    ClassInstance, Env, FromNapiValue, JsObjectValue, JsValue, KeyCollectionMode, KeyConversion,
    KeyFilter, Object, Unknown, Utf16String, ValueType,
};
use serde_json::Value;

use crate::error::invalid;

type Res<T> = std::result::Result<T, Error>;

/// A JS value being read as JSON, with `Object.prototype` to tell plain
/// objects from class instances (a `Date`, a `Map`, a `Buffer`).
#[derive(Clone, Copy)]
pub struct Js<'e> {
    value: Unknown<'e>,
    plain: Unknown<'e>,
}

fn napi_err(e: napi::Error) -> Error {
    invalid(e.reason)
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

impl<'e> Js<'e> {
    fn new(value: Unknown<'e>) -> Res<Self> {
        let global = Env::from_raw(value.value().env).get_global().map_err(napi_err)?;
        let object: Unknown = global.get_named_property("Object").map_err(napi_err)?;
        let object = Object::from_unknown(object).map_err(napi_err)?;
        let plain = object.get_named_property("prototype").map_err(napi_err)?;
        Ok(Js { value, plain })
    }

    fn at(&self, value: Unknown<'e>) -> Self {
        Js { value, ..*self }
    }
}

impl HostJson for Js<'_> {
    fn view(&self) -> Res<HostValue<'_, Self>> {
        let v = self.value;
        let refuse = |m: &str| Err(invalid(m));
        Ok(match v.get_type().map_err(napi_err)? {
            ValueType::Null => HostValue::Null,
            ValueType::Boolean => HostValue::Bool(bool::from_unknown(v).map_err(napi_err)?),
            ValueType::Number => HostValue::Number(f64::from_unknown(v).map_err(napi_err)?),
            ValueType::String => HostValue::Str(text(v, "a JSON string")?),
            ValueType::Undefined => {
                return refuse("undefined is not JSON (use null, or leave the member out)")
            }
            ValueType::BigInt => {
                return refuse("a BigInt is not JSON; pass JSON text to carry large integers")
            }
            ValueType::Object if v.is_array().map_err(napi_err)? => {
                let arr = Object::from_unknown(v).map_err(napi_err)?;
                let len = arr.get_array_length().map_err(napi_err)?;
                HostValue::Array(Box::new((0..len).map(move |i| {
                    arr.get_element::<Unknown>(i)
                        .map(|x| self.at(x))
                        .map_err(napi_err)
                })))
            }
            ValueType::Object => {
                let obj = Object::from_unknown(v).map_err(napi_err)?;
                let proto = obj.get_prototype().map_err(napi_err)?;
                let env = Env::from_raw(v.value().env);
                let is_plain = env.strict_equals(proto, self.plain).map_err(napi_err)?
                    || proto.get_type().map_err(napi_err)? == ValueType::Null;
                if !is_plain {
                    return refuse("only plain objects, arrays, strings, finite numbers, booleans and null are JSON (got a Date, Map, Buffer, class instance or similar)");
                }
                let keys = obj
                    .get_all_property_names(
                        KeyCollectionMode::OwnOnly,
                        KeyFilter::Enumerable,
                        KeyConversion::NumbersToStrings,
                    )
                    .map_err(napi_err)?;
                let len = keys.get_array_length().map_err(napi_err)?;
                HostValue::Object(Box::new((0..len).map(move |i| {
                    let key: Unknown = keys.get_element(i).map_err(napi_err)?;
                    let name = text(key, "an object key (symbols are not JSON)")?;
                    let item: Unknown = obj.get_property(key).map_err(napi_err)?;
                    Ok((name, self.at(item)))
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
        if value.get_type().map_err(napi_err)? == ValueType::String {
            return text(value, what).map(JsonArg::Text);
        }
        Ok(JsonArg::Value(host::from_host(&Js::new(value)?, what)?))
    }

    /// The value (text parsed strictly).
    pub fn value(self) -> Res<Value> {
        match self {
            JsonArg::Text(t) => jcs::parse(&t),
            JsonArg::Value(v) => Ok(v),
        }
    }
}

/// A JSON argument's value: [`JsonArg::read`] then [`JsonArg::value`].
pub fn json(value: Unknown, what: &str) -> Res<Value> {
    JsonArg::read(value, what)?.value()
}

/// A class instance, or `None` when the value is something else.
pub fn instance<'e, T: 'e>(value: Unknown<'e>) -> Option<ClassInstance<'e, T>>
where
    ClassInstance<'e, T>: FromNapiValue,
{
    match value.get_type() {
        Ok(ValueType::Object) => ClassInstance::<T>::from_unknown(value).ok(),
        _ => None,
    }
}

/// A JS number that must be an integer within ±(2^53−1).
pub fn int(n: f64, what: &str) -> Res<i64> {
    if !n.is_finite() || n.fract() != 0.0 || n.abs() > jcs::MAX_SAFE_INTEGER as f64 {
        return Err(invalid(format!(
            "{what} must be a safe integer (|n| <= 2^53-1), got {n}"
        )));
    }
    Ok(n as i64)
}

/// An optional integer argument.
pub fn opt_int(n: Option<f64>, what: &str) -> Res<Option<i64>> {
    n.map(|n| int(n, what)).transpose()
}

/// A plain options object whose members are all known (a typo must not
/// drop a limit); `undefined`/`null` members count as absent.
pub struct Options<'e> {
    obj: Option<Object<'e>>,
    what: &'static str,
}

impl<'e> Options<'e> {
    /// Reads `value` (absent or `null`: no options), refusing unknown members.
    pub fn read(value: Option<Unknown<'e>>, what: &'static str, known: &[&str]) -> Res<Self> {
        let Some(value) = value.filter(|v| !nullish(*v)) else {
            return Ok(Options { obj: None, what });
        };
        if value.get_type().ok() != Some(ValueType::Object) || value.is_array().unwrap_or(true) {
            return Err(invalid(format!("{what} must be an object")));
        }
        let obj = Object::from_unknown(value).map_err(napi_err)?;
        let keys = obj
            .get_all_property_names(
                KeyCollectionMode::OwnOnly,
                KeyFilter::Enumerable,
                KeyConversion::NumbersToStrings,
            )
            .map_err(napi_err)?;
        for i in 0..keys.get_array_length().map_err(napi_err)? {
            let name = text(keys.get_element(i).map_err(napi_err)?, what)?;
            if !known.contains(&name.as_str()) {
                let m = format!(
                    "{what}: unknown member {name:?} (expected {})",
                    known.join(", ")
                );
                return Err(invalid(m));
            }
        }
        Ok(Options {
            obj: Some(obj),
            what,
        })
    }

    fn get(&self, name: &str) -> Res<Option<Unknown<'e>>> {
        let Some(obj) = &self.obj else {
            return Ok(None);
        };
        let v: Unknown = obj.get_named_property(name).map_err(napi_err)?;
        Ok(Some(v).filter(|v| !nullish(*v)))
    }

    /// A member of type `T` (`expected` names it in the error).
    pub fn typed<T: FromNapiValue>(&self, name: &str, expected: &str) -> Res<Option<T>> {
        let what = self.what;
        (self.get(name)?)
            .map(|v| {
                T::from_unknown(v).map_err(|_| invalid(format!("{what}.{name} must be {expected}")))
            })
            .transpose()
    }

    /// A string member.
    pub fn string(&self, name: &str) -> Res<Option<String>> {
        let what = format!("{}.{name}", self.what);
        self.get(name)?.map(|v| text(v, &what)).transpose()
    }

    /// An array-of-strings member.
    pub fn strings(&self, name: &str) -> Res<Option<Vec<String>>> {
        let what = format!("{}.{name}", self.what);
        let Some(v) = self.get(name)? else {
            return Ok(None);
        };
        let bad = || invalid(format!("{what} must be an array of strings"));
        if !v.is_array().map_err(napi_err)? {
            return Err(bad());
        }
        let arr = Object::from_unknown(v).map_err(napi_err)?;
        (0..arr.get_array_length().map_err(napi_err)?)
            .map(|i| {
                text(
                    arr.get_element(i).map_err(napi_err)?,
                    &format!("{what}[{i}]"),
                )
            })
            .collect::<Res<Vec<_>>>()
            .map(Some)
    }

    /// An integer member (a safe integer).
    pub fn int(&self, name: &str) -> Res<Option<i64>> {
        let what = format!("{}.{name}", self.what);
        (self.typed::<f64>(name, "a number")?)
            .map(|n| int(n, &what))
            .transpose()
    }
}

fn nullish(v: Unknown) -> bool {
    matches!(v.get_type(), Ok(ValueType::Undefined | ValueType::Null))
}
