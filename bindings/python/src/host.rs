//! Python values across the boundary: JSON as native values (described to
//! the core's strict walker, `charter_core::host`) or as text, and the
//! argument types that raise `UsageError` instead of a bare `TypeError`
//! (str, bytes, times, classes).

use charter_core::host::{self, from_host, HostJson, HostValue};
use charter_core::{jcs, Error, ErrorCode, JsonInput};
use pyo3::prelude::*;
use pyo3::types::{
    PyBool, PyByteArray, PyBytes, PyDateTime, PyDict, PyFloat, PyInt, PyList, PyString, PyTuple,
};
use pyo3::PyClass;
use serde_json::Value;

use crate::error::{check, invalid};

/// A Python value as JSON sees it; the core checks every rule of JSON.
struct Json<'py>(Bound<'py, PyAny>);

impl HostJson for Json<'_> {
    fn view(&self) -> Result<HostValue<'_, Self>, Error> {
        let obj = &self.0;
        Ok(if obj.is_none() {
            HostValue::Null
        } else if let Ok(b) = obj.cast::<PyBool>() {
            HostValue::Bool(b.is_true())
        } else if obj.is_instance_of::<PyInt>() {
            match obj.extract::<i64>() {
                Ok(i) => HostValue::Int(i),
                Err(_) => HostValue::BigInt(obj.str().map(|s| s.to_string()).unwrap_or_default()),
            }
        } else if let Ok(f) = obj.cast::<PyFloat>() {
            HostValue::Float(f.value())
        } else if let Ok(s) = obj.cast::<PyString>() {
            HostValue::Str(utf8(s)?.to_string())
        } else if let Ok(d) = obj.cast::<PyDict>() {
            HostValue::Object(Box::new(d.iter().map(
                move |(k, v)| match k.cast::<PyString>() {
                    Ok(s) => Ok((utf8(s)?.to_string(), Json(v))),
                    Err(_) => Err(host::invalid(got(&k, "JSON object keys must be str"))),
                },
            )))
        } else if let Ok(l) = obj.cast::<PyList>() {
            HostValue::Array(Box::new(l.iter().map(|v| Ok(Json(v)))))
        } else if let Ok(t) = obj.cast::<PyTuple>() {
            HostValue::Array(Box::new(t.iter().map(|v| Ok(Json(v)))))
        } else {
            let expected = "JSON values are dict, list, tuple, str, int, float, bool or None";
            return Err(host::invalid(got(obj, expected)));
        })
    }
}

/// JSON given as `object | string`: a native value, or JSON text (parsed
/// strictly by the core, so its numbers stay exact).
pub fn json_input<'a>(obj: &'a Bound<'_, PyAny>, what: &str) -> PyResult<JsonInput<'a>> {
    match obj.cast::<PyString>() {
        Ok(s) => check(utf8(s)).map(JsonInput::Text),
        Err(_) => check(from_host(&Json(obj.clone()), what)).map(JsonInput::Value),
    }
}

/// As [`json_input`], parsed to a value.
pub fn json_value(obj: &Bound<'_, PyAny>, what: &str) -> PyResult<Value> {
    check(host::json_value(&Json(obj.clone()), what))
}

/// A JSON value as native Python values (the `json` module's reading).
pub fn to_python<'py>(py: Python<'py>, v: &Value) -> PyResult<Bound<'py, PyAny>> {
    let text = check(jcs::canonicalize(v))?;
    py.import("json")?.call_method1("loads", (text,))
}

/// `UsageError` naming what was expected and the type given.
pub fn wrong(obj: &Bound<'_, PyAny>, expected: &str) -> PyErr {
    invalid(got(obj, expected))
}

fn got(obj: &Bound<'_, PyAny>, expected: &str) -> String {
    let name = obj.get_type().name().map(|n| n.to_string());
    format!("{expected}, got {}", name.as_deref().unwrap_or("?"))
}

/// The text of a `str`; a lone surrogate is malformed, as in JSON text.
pub fn utf8<'a>(s: &'a Bound<'_, PyString>) -> Result<&'a str, Error> {
    let lone = "string has a lone surrogate; strings must be valid Unicode";
    s.to_str()
        .map_err(|_| Error::new(ErrorCode::Malformed, lone))
}

/// The text of a `str` argument, borrowed.
pub fn text<'a>(obj: &'a Bound<'_, PyAny>, what: &str) -> PyResult<&'a str> {
    let not_str = |_| wrong(obj, &format!("{what} must be a str"));
    check(utf8(obj.cast::<PyString>().map_err(not_str)?))
}

/// A `str` argument.
pub struct Text(pub String);

impl<'py> FromPyObject<'_, 'py> for Text {
    type Error = PyErr;
    fn extract(obj: Borrowed<'_, 'py, PyAny>) -> PyResult<Self> {
        text(&obj, "argument").map(|s| Text(s.to_string()))
    }
}

/// A `bytes` (or `bytearray`) argument.
pub struct Blob(pub Vec<u8>);

impl<'py> FromPyObject<'_, 'py> for Blob {
    type Error = PyErr;
    fn extract(obj: Borrowed<'_, 'py, PyAny>) -> PyResult<Self> {
        let bytes = obj.cast::<PyBytes>().map(|b| b.as_bytes().to_vec());
        let bytes = bytes.or_else(|_| obj.cast::<PyByteArray>().map(|b| b.to_vec()));
        bytes.map(Blob).map_err(|_| wrong(&obj, "expected bytes"))
    }
}

/// A time: int Unix seconds, or an aware `datetime` (floored to the second).
pub struct Time(pub i64);

impl<'py> FromPyObject<'_, 'py> for Time {
    type Error = PyErr;
    fn extract(obj: Borrowed<'_, 'py, PyAny>) -> PyResult<Self> {
        if obj.is_instance_of::<PyInt>() && !obj.is_instance_of::<PyBool>() {
            let range = "time is out of range (int Unix seconds, 64-bit)";
            return obj.extract().map(Time).map_err(|_| invalid(range));
        }
        if !obj.is_instance_of::<PyDateTime>() {
            return Err(wrong(
                &obj,
                "a time must be int Unix seconds or an aware datetime",
            ));
        }
        if obj.call_method0("utcoffset")?.is_none() {
            return Err(invalid("a naive datetime has no time zone; pass an aware one (e.g. tzinfo=timezone.utc) or int Unix seconds"));
        }
        let floored = obj.call_method0("timestamp")?.extract::<f64>()?.floor();
        if !floored.is_finite() || floored.abs() > 9.0e15 {
            return Err(invalid("time is out of range"));
        }
        Ok(Time(floored as i64))
    }
}

/// A `#[pyclass]` argument (`UsageError` on another type), cloned out of
/// its Python object: the wrappers hold keys, or `Arc`s of the core values.
pub struct Of<T>(pub T);

impl<'py, T: PyClass<Frozen = pyo3::pyclass::boolean_struct::True> + Clone + Sync>
    FromPyObject<'_, 'py> for Of<T>
{
    type Error = PyErr;
    fn extract(obj: Borrowed<'_, 'py, PyAny>) -> PyResult<Self> {
        let class = obj.cast::<T>();
        let class = class.map_err(|_| wrong(&obj, &format!("expected a {}", T::NAME)))?;
        Ok(Of(class.get().clone()))
    }
}

/// A list (or other iterable, not a str) of items, each mapped by `item`.
pub fn list<T>(
    obj: &Bound<'_, PyAny>,
    what: &str,
    item: impl Fn(&Bound<'_, PyAny>) -> PyResult<T>,
) -> PyResult<Vec<T>> {
    let not_list = || wrong(obj, &format!("{what} must be a list"));
    let iter = match obj.is_instance_of::<PyString>() {
        true => Err(not_list()),
        false => obj.try_iter().map_err(|_| not_list()),
    };
    iter?.map(|x| item(&x?)).collect()
}
