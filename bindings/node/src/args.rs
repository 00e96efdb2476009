//! Reading scalar arguments strictly: times and counts are safe integers,
//! option objects have no unknown members (a typo must not drop a limit).

use std::ptr;

use charter_core::jcs;
use napi::bindgen_prelude::{FromNapiValue, JsValue, Uint8Array, Unknown};
use napi::sys;

use crate::errors::{self, Result};

/// A JS number that must be an integer within ±(2^53−1).
pub fn int(n: f64, what: &str) -> Result<i64> {
    if !n.is_finite() || n.fract() != 0.0 || n.abs() > jcs::MAX_SAFE_INTEGER as f64 {
        return Err(errors::invalid(format!(
            "{what} must be a safe integer (|n| <= 2^53-1), got {n}"
        )));
    }
    Ok(n as i64)
}

/// `now?`: Unix seconds, or the system clock.
pub fn now(now: Option<f64>) -> Result<i64> {
    match now {
        Some(n) => int(n, "now (Unix seconds)"),
        None => Ok(charter_core::unix_now()),
    }
}

/// An optional integer argument.
pub fn opt_int(n: Option<f64>, what: &str) -> Result<Option<i64>> {
    n.map(|n| int(n, what)).transpose()
}

/// A plain options object, read member by member.
pub struct Options {
    env: sys::napi_env,
    obj: sys::napi_value,
    what: &'static str,
    members: Vec<(String, sys::napi_value)>,
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

fn is_nullish(env: sys::napi_env, v: sys::napi_value) -> Result<bool> {
    let t = type_of(env, v)?;
    Ok(t == sys::ValueType::napi_undefined || t == sys::ValueType::napi_null)
}

impl Options {
    /// `undefined`/`null` read as an empty object; members not in `known`
    /// are refused.
    pub fn read(value: Option<Unknown>, what: &'static str, known: &[&str]) -> Result<Options> {
        let Some(value) = value else {
            return Ok(Options {
                env: ptr::null_mut(),
                obj: ptr::null_mut(),
                what,
                members: Vec::new(),
            });
        };
        let env = value.value().env;
        let obj = value.raw();
        let mut o = Options {
            env,
            obj,
            what,
            members: Vec::new(),
        };
        if is_nullish(env, obj)? {
            o.obj = ptr::null_mut();
            return Ok(o);
        }
        let mut is_array = false;
        check(unsafe { sys::napi_is_array(env, obj, &mut is_array) })?;
        if type_of(env, obj)? != sys::ValueType::napi_object || is_array {
            return Err(errors::invalid(format!("{what} must be an object")));
        }
        let mut keys = ptr::null_mut();
        check(unsafe {
            sys::napi_get_all_property_names(
                env,
                obj,
                sys::KeyCollectionMode::own_only,
                sys::KeyFilter::enumerable | sys::KeyFilter::skip_symbols,
                sys::KeyConversion::numbers_to_strings,
                &mut keys,
            )
        })?;
        let mut len = 0u32;
        check(unsafe { sys::napi_get_array_length(env, keys, &mut len) })?;
        for i in 0..len {
            let mut key = ptr::null_mut();
            check(unsafe { sys::napi_get_element(env, keys, i, &mut key) })?;
            let name = crate::json::string(env, key, what)?;
            if !known.contains(&name.as_str()) {
                return Err(errors::invalid(format!(
                    "{what}: unknown member {name:?} (expected {})",
                    known.join(", ")
                )));
            }
            let mut item = ptr::null_mut();
            check(unsafe { sys::napi_get_property(env, obj, key, &mut item) })?;
            if !is_nullish(env, item)? {
                o.members.push((name, item));
            }
        }
        Ok(o)
    }

    fn get(&self, name: &str) -> Option<sys::napi_value> {
        self.members
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| *v)
    }

    fn typed<T: FromNapiValue>(&self, name: &str, expected: &str) -> Result<Option<T>> {
        let Some(v) = self.get(name) else {
            return Ok(None);
        };
        unsafe { T::from_napi_value(self.env, v) }
            .map(Some)
            .map_err(|_| errors::invalid(format!("{}.{name} must be {expected}", self.what)))
    }

    pub fn string(&self, name: &str) -> Result<Option<String>> {
        let Some(v) = self.get(name) else {
            return Ok(None);
        };
        if type_of(self.env, v)? != sys::ValueType::napi_string {
            return Err(errors::invalid(format!(
                "{}.{name} must be a string",
                self.what
            )));
        }
        crate::json::string(self.env, v, &format!("{}.{name}", self.what)).map(Some)
    }

    pub fn strings(&self, name: &str) -> Result<Option<Vec<String>>> {
        let Some(v) = self.get(name) else {
            return Ok(None);
        };
        let mut is_array = false;
        check(unsafe { sys::napi_is_array(self.env, v, &mut is_array) })?;
        if !is_array {
            return Err(errors::invalid(format!(
                "{}.{name} must be an array of strings",
                self.what
            )));
        }
        let mut len = 0u32;
        check(unsafe { sys::napi_get_array_length(self.env, v, &mut len) })?;
        let mut out = Vec::with_capacity(len as usize);
        for i in 0..len {
            let mut item = ptr::null_mut();
            check(unsafe { sys::napi_get_element(self.env, v, i, &mut item) })?;
            if type_of(self.env, item)? != sys::ValueType::napi_string {
                return Err(errors::invalid(format!(
                    "{}.{name}[{i}] must be a string",
                    self.what
                )));
            }
            out.push(crate::json::string(
                self.env,
                item,
                &format!("{}.{name}[{i}]", self.what),
            )?);
        }
        Ok(Some(out))
    }

    pub fn int(&self, name: &str) -> Result<Option<i64>> {
        match self.typed::<f64>(name, "a number")? {
            Some(n) => Ok(Some(int(n, &format!("{}.{name}", self.what))?)),
            None => Ok(None),
        }
    }

    /// A boolean, strictly (`1` or `"yes"` is refused, not coerced).
    pub fn boolean(&self, name: &str) -> Result<Option<bool>> {
        let Some(v) = self.get(name) else {
            return Ok(None);
        };
        if type_of(self.env, v)? != sys::ValueType::napi_boolean {
            return Err(errors::invalid(format!(
                "{}.{name} must be a boolean",
                self.what
            )));
        }
        self.typed::<bool>(name, "a boolean")
    }

    pub fn bytes(&self, name: &str) -> Result<Option<Vec<u8>>> {
        Ok(self
            .typed::<Uint8Array>(name, "a Uint8Array (or Buffer)")?
            .map(|b| b.to_vec()))
    }
}
