//! How values cross: argument types that raise `UsageError` (not a bare
//! `TypeError`) on a wrong type, times as int Unix seconds or aware
//! `datetime`, and JSON as native Python values or as JSON text.
//!
//! Python values become `serde_json::Value` here, by hand: no float that is
//! NaN or infinite, no key that is not a `str`, no nesting beyond the core's
//! bound, no type JSON does not have. Integers beyond ±(2^53−1) are refused by
//! the core's `jcs::validate`, with the same message as in JSON text.

use charter_core::jcs::{self, JsonError};
use charter_core::Error;
use pyo3::prelude::*;
use pyo3::types::{
    PyBool, PyByteArray, PyBytes, PyDict, PyFloat, PyInt, PyList, PyString, PyTuple,
};
use serde_json::{Map, Number, Value};

use crate::errors::{invalid, to_py};

fn type_name(obj: &Bound<'_, PyAny>) -> String {
    obj.get_type()
        .name()
        .map(|n| n.to_string())
        .unwrap_or_else(|_| "?".into())
}

fn str_of(obj: &Bound<'_, PyString>) -> PyResult<String> {
    match obj.to_str() {
        Ok(s) => Ok(s.to_string()),
        Err(_) => Err(to_py(
            obj.py(),
            &Error::new(
                charter_core::ErrorCode::Malformed,
                "string has a lone surrogate; strings must be valid Unicode",
            ),
        )),
    }
}

/// A `str` argument.
pub struct Text(pub String);

impl<'py> FromPyObject<'_, 'py> for Text {
    type Error = PyErr;
    fn extract(obj: Borrowed<'_, 'py, PyAny>) -> PyResult<Self> {
        match obj.cast::<PyString>() {
            Ok(s) => str_of(&s).map(Text),
            Err(_) => Err(invalid(
                obj.py(),
                format!("expected str, got {}", type_name(&obj)),
            )),
        }
    }
}

/// A `bytes` (or `bytearray`) argument.
pub struct Blob(pub Vec<u8>);

impl<'py> FromPyObject<'_, 'py> for Blob {
    type Error = PyErr;
    fn extract(obj: Borrowed<'_, 'py, PyAny>) -> PyResult<Self> {
        if let Ok(b) = obj.cast::<PyBytes>() {
            return Ok(Blob(b.as_bytes().to_vec()));
        }
        if let Ok(b) = obj.cast::<PyByteArray>() {
            return Ok(Blob(b.to_vec()));
        }
        Err(invalid(
            obj.py(),
            format!("expected bytes, got {}", type_name(&obj)),
        ))
    }
}

/// A time: int Unix seconds, or an aware `datetime` (floored to the second).
pub struct Time(pub i64);

impl<'py> FromPyObject<'_, 'py> for Time {
    type Error = PyErr;
    fn extract(obj: Borrowed<'_, 'py, PyAny>) -> PyResult<Self> {
        let py = obj.py();
        if obj.is_instance_of::<PyBool>() {
            return Err(invalid(py, "a time must be int Unix seconds, not bool"));
        }
        if obj.is_instance_of::<PyInt>() {
            return obj
                .extract::<i64>()
                .map(Time)
                .map_err(|_| invalid(py, "time is out of range (int Unix seconds, 64-bit)"));
        }
        let datetime = py.import("datetime")?.getattr("datetime")?;
        if obj.is_instance(&datetime)? {
            if obj.call_method0("utcoffset")?.is_none() {
                return Err(invalid(
                    py,
                    "a naive datetime has no time zone; pass an aware one (e.g. tzinfo=timezone.utc) or int Unix seconds",
                ));
            }
            let ts: f64 = obj.call_method0("timestamp")?.extract()?;
            let floored = ts.floor();
            if !floored.is_finite() || floored.abs() > 9.0e15 {
                return Err(invalid(py, "time is out of range"));
            }
            return Ok(Time(floored as i64));
        }
        Err(invalid(
            py,
            format!(
                "a time must be int Unix seconds or an aware datetime, got {}",
                type_name(&obj)
            ),
        ))
    }
}

/// JSON given as a native value (dict, list, str, int, float, bool, None) —
/// or, when it is a `str`, as JSON text parsed strictly (for exactness).
pub struct JsonArg(pub Value);

impl<'py> FromPyObject<'_, 'py> for JsonArg {
    type Error = PyErr;
    fn extract(obj: Borrowed<'_, 'py, PyAny>) -> PyResult<Self> {
        let py = obj.py();
        if let Ok(s) = obj.cast::<PyString>() {
            let text = str_of(&s)?;
            return crate::errors::check(py, jcs::parse(&text)).map(JsonArg);
        }
        from_py(&obj).map(JsonArg)
    }
}

/// Converts a native Python value to JSON and validates it (I-JSON rules).
pub fn from_py(obj: &Bound<'_, PyAny>) -> PyResult<Value> {
    let py = obj.py();
    let v = convert(obj, 1)?;
    crate::errors::check(py, jcs::validate(&v))?;
    Ok(v)
}

fn convert(obj: &Bound<'_, PyAny>, depth: usize) -> PyResult<Value> {
    let py = obj.py();
    if depth > jcs::MAX_DEPTH {
        return Err(to_py(py, &JsonError::TooDeep.into()));
    }
    if obj.is_none() {
        return Ok(Value::Null);
    }
    if let Ok(b) = obj.cast::<PyBool>() {
        return Ok(Value::Bool(b.is_true()));
    }
    if obj.is_instance_of::<PyInt>() {
        if let Ok(i) = obj.extract::<i64>() {
            return Ok(Value::Number(i.into()));
        }
        let literal = obj.str()?.to_string();
        return Err(to_py(py, &JsonError::UnsafeInteger { literal }.into()));
    }
    if let Ok(f) = obj.cast::<PyFloat>() {
        let x = f.value();
        return match Number::from_f64(x) {
            Some(n) => Ok(Value::Number(n)),
            None => Err(to_py(
                py,
                &JsonError::NonFinite {
                    literal: obj.repr()?.to_string(),
                }
                .into(),
            )),
        };
    }
    if let Ok(s) = obj.cast::<PyString>() {
        return str_of(s).map(Value::String);
    }
    if let Ok(d) = obj.cast::<PyDict>() {
        let mut map = Map::new();
        for (k, v) in d.iter() {
            let key = match k.cast::<PyString>() {
                Ok(s) => str_of(s)?,
                Err(_) => {
                    return Err(invalid(
                        py,
                        format!("JSON object keys must be str, got {}", type_name(&k)),
                    ))
                }
            };
            map.insert(key, convert(&v, depth + 1)?);
        }
        return Ok(Value::Object(map));
    }
    if let Ok(l) = obj.cast::<PyList>() {
        let mut out = Vec::with_capacity(l.len());
        for item in l.iter() {
            out.push(convert(&item, depth + 1)?);
        }
        return Ok(Value::Array(out));
    }
    if let Ok(t) = obj.cast::<PyTuple>() {
        let mut out = Vec::with_capacity(t.len());
        for item in t.iter() {
            out.push(convert(&item, depth + 1)?);
        }
        return Ok(Value::Array(out));
    }
    Err(invalid(
        py,
        format!(
            "cannot convert {} to JSON (use dict, list, tuple, str, int, float, bool or None)",
            type_name(obj)
        ),
    ))
}

/// A JSON value as native Python values (integers as int, other numbers as float).
pub fn to_py_value<'py>(py: Python<'py>, v: &Value) -> PyResult<Bound<'py, PyAny>> {
    Ok(match v {
        Value::Null => py.None().into_bound(py),
        Value::Bool(b) => PyBool::new(py, *b).to_owned().into_any(),
        Value::Number(n) => {
            if let Some(i) = n.as_i64() {
                i.into_pyobject(py)?.into_any()
            } else if let Some(u) = n.as_u64() {
                u.into_pyobject(py)?.into_any()
            } else {
                n.as_f64().unwrap_or(f64::NAN).into_pyobject(py)?.into_any()
            }
        }
        Value::String(s) => PyString::new(py, s).into_any(),
        Value::Array(a) => {
            let list = PyList::empty(py);
            for x in a {
                list.append(to_py_value(py, x)?)?;
            }
            list.into_any()
        }
        Value::Object(o) => {
            let dict = PyDict::new(py);
            for (k, x) in o {
                dict.set_item(k, to_py_value(py, x)?)?;
            }
            dict.into_any()
        }
    })
}

/// Extracts a `#[pyclass]` argument, raising `UsageError` on another type.
pub fn class<'a, 'py, T: pyo3::PyClass>(
    obj: &'a Bound<'py, PyAny>,
    what: &str,
) -> PyResult<&'a Bound<'py, T>> {
    obj.cast::<T>().map_err(|_| {
        invalid(
            obj.py(),
            format!("{what} must be a {}, got {}", T::NAME, type_name(obj)),
        )
    })
}
