//! Host values (a Python object, a JavaScript value) into strict JSON.
//!
//! Every binding accepts JSON as a native value as well as text. The rules a
//! native value must meet are the ones [`crate::jcs::parse`] applies to text:
//! bounded depth and size, integers within ±(2^53−1), finite numbers, string
//! keys, no duplicate key. They live here once; a binding only says what each
//! host value is ([`HostJson::view`]), and [`from_host`] walks it, counting as
//! it goes, so a hostile value is refused after at most [`MAX_HOST_BYTES`] of
//! work, however large it is.

use serde_json::{Map, Number, Value};

use crate::jcs::{JsonError, MAX_DEPTH, MAX_SAFE_INTEGER};
use crate::{Error, ErrorCode};

/// Largest JSON a host value may become (bytes of its compact JSON text,
/// counted while walking).
pub const MAX_HOST_BYTES: usize = 1024 * 1024;

/// What one host value is, as JSON sees it.
pub enum HostValue<'h, H> {
    /// `None`, `null` (and, by the binding's choice, `undefined`).
    Null,
    /// A boolean.
    Bool(bool),
    /// An integer the host keeps exact (Python `int`); beyond ±(2^53−1) it
    /// is refused, as in text.
    Int(i64),
    /// An integer the host holds beyond 64 bits, as its decimal literal:
    /// always refused (pass it as a string to keep it exact).
    BigInt(String),
    /// A floating-point value the host types as such (Python `float`).
    Float(f64),
    /// A number the host does not type as int or float (a JavaScript
    /// number): integral values are integers (refused beyond ±(2^53−1)),
    /// others doubles.
    Number(f64),
    /// A string (the binding refuses lone surrogates before it gets here).
    Str(String),
    /// An array's items, read lazily so a huge one stops at the size bound.
    Array(Box<dyn Iterator<Item = Result<H, Error>> + 'h>),
    /// An object's members, read lazily; a key that is not a string is the
    /// binding's error to give.
    Object(Box<dyn Iterator<Item = Result<(String, H), Error>> + 'h>),
}

/// A host value a binding can describe to [`from_host`].
pub trait HostJson: Sized {
    /// What this value is; a value JSON has no form for (a function, a
    /// date, a set) is an error naming its type.
    fn view(&self) -> Result<HostValue<'_, Self>, Error>;
}

/// The strict JSON form of a host value, or the error text would give.
/// `what` names the argument in messages ("args", "jwk").
pub fn from_host<H: HostJson>(value: &H, what: &str) -> Result<Value, Error> {
    let mut walk = Walk {
        budget: MAX_HOST_BYTES,
        what,
    };
    walk.value(value, 1)
}

struct Walk<'w> {
    budget: usize,
    what: &'w str,
}

impl Walk<'_> {
    fn spend(&mut self, bytes: usize) -> Result<(), Error> {
        match self.budget.checked_sub(bytes) {
            Some(left) => {
                self.budget = left;
                Ok(())
            }
            None => Err(Error::new(
                ErrorCode::LimitExceeded,
                format!(
                    "{} is larger than {MAX_HOST_BYTES} bytes as JSON",
                    self.what
                ),
            )),
        }
    }

    fn value<H: HostJson>(&mut self, value: &H, depth: usize) -> Result<Value, Error> {
        if depth > MAX_DEPTH {
            return Err(Error::new(
                ErrorCode::LimitExceeded,
                format!("{}: {}", self.what, JsonError::TooDeep),
            ));
        }
        Ok(match value.view()? {
            HostValue::Null => {
                self.spend(4)?;
                Value::Null
            }
            HostValue::Bool(b) => {
                self.spend(5)?;
                Value::Bool(b)
            }
            HostValue::Int(i) => {
                self.spend(20)?;
                Value::Number(self.safe(i, || i.to_string())?.into())
            }
            HostValue::BigInt(literal) => {
                return Err(JsonError::UnsafeInteger { literal }.into());
            }
            HostValue::Float(x) => {
                self.spend(24)?;
                Value::Number(finite(x)?)
            }
            HostValue::Number(x) => {
                self.spend(24)?;
                // An integral number is an integer, and beyond ±(2^53−1) it
                // is refused, not rounded or read as a double: the host cannot
                // say whether `1e21` was meant as a double or was an integer
                // already rounded (text can: pass `1e21` as JSON text).
                // (`as` saturates, so a huge value stays beyond the bound.)
                if x.is_finite() && x.fract() == 0.0 {
                    Value::Number(self.safe(x as i64, || format!("{x:.0}"))?.into())
                } else {
                    Value::Number(finite(x)?)
                }
            }
            HostValue::Str(s) => {
                self.spend(s.len() + 2)?;
                Value::String(s)
            }
            HostValue::Array(items) => {
                self.spend(2)?;
                let mut out = Vec::new();
                for item in items {
                    self.spend(1)?;
                    out.push(self.value(&item?, depth + 1)?);
                }
                Value::Array(out)
            }
            HostValue::Object(members) => {
                self.spend(2)?;
                let mut out = Map::new();
                for member in members {
                    let (key, item) = member?;
                    self.spend(key.len() + 4)?;
                    let v = self.value(&item, depth + 1)?;
                    if out.contains_key(&key) {
                        return Err(JsonError::DuplicateKey { key }.into());
                    }
                    out.insert(key, v);
                }
                Value::Object(out)
            }
        })
    }

    fn safe(&self, i: i64, literal: impl FnOnce() -> String) -> Result<i64, Error> {
        if i.unsigned_abs() > MAX_SAFE_INTEGER as u64 {
            return Err(JsonError::UnsafeInteger { literal: literal() }.into());
        }
        Ok(i)
    }
}

fn finite(x: f64) -> Result<Number, Error> {
    Number::from_f64(x).ok_or_else(|| {
        JsonError::NonFinite {
            literal: x.to_string(),
        }
        .into()
    })
}

/// Refuses an options object (`what`) with a member not in `known`: every
/// binding that takes options as an object names a misspelt one the same way.
pub fn known_options<S: AsRef<str>>(
    names: impl IntoIterator<Item = S>,
    known: &[&str],
    what: &str,
) -> Result<(), Error> {
    match names.into_iter().find(|n| !known.contains(&n.as_ref())) {
        Some(n) => Err(Error::new(
            ErrorCode::InvalidArgument,
            format!(
                "{what}: unknown option {:?}; expected one of {}",
                n.as_ref(),
                known.join(", ")
            ),
        )),
        None => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_unknown_option_is_refused_by_name() {
        let known = ["agent", "expiresAt"];
        assert!(known_options(["agent", "expiresAt"], &known, "options").is_ok());
        assert!(known_options(Vec::<String>::new(), &known, "options").is_ok());
        let e = known_options(["agent", "agnet"], &known, "options").unwrap_err();
        assert_eq!(e.code(), ErrorCode::InvalidArgument);
        assert_eq!(
            e.message(),
            "options: unknown option \"agnet\"; expected one of agent, expiresAt"
        );
    }

    /// A host whose values are `serde_json` values with JS-like numbers,
    /// plus the host-only shapes the walk must refuse.
    #[derive(Clone)]
    enum Fake {
        Json(Value),
        Big(String),
        Float(f64),
        Dup,
        Wide(usize),
    }

    impl HostJson for Fake {
        fn view(&self) -> Result<HostValue<'_, Self>, Error> {
            Ok(match self {
                Fake::Big(s) => HostValue::BigInt(s.clone()),
                Fake::Float(x) => HostValue::Float(*x),
                Fake::Dup => HostValue::Object(Box::new(
                    ["a", "a"]
                        .into_iter()
                        .map(|k| Ok((k.to_string(), Fake::Json(Value::Null)))),
                )),
                Fake::Wide(n) => {
                    HostValue::Array(Box::new((0..*n).map(|_| Ok(Fake::Json(Value::Bool(true))))))
                }
                Fake::Json(v) => match v {
                    Value::Null => HostValue::Null,
                    Value::Bool(b) => HostValue::Bool(*b),
                    Value::Number(n) => match n.as_i64() {
                        Some(i) => HostValue::Int(i),
                        None => HostValue::Number(n.as_f64().unwrap_or(f64::NAN)),
                    },
                    Value::String(s) => HostValue::Str(s.clone()),
                    Value::Array(a) => {
                        HostValue::Array(Box::new(a.iter().map(|v| Ok(Fake::Json(v.clone())))))
                    }
                    Value::Object(o) => HostValue::Object(Box::new(
                        o.iter()
                            .map(|(k, v)| Ok((k.clone(), Fake::Json(v.clone())))),
                    )),
                },
            })
        }
    }

    fn code(h: Fake) -> ErrorCode {
        from_host(&h, "args").unwrap_err().code()
    }

    #[test]
    fn builds_what_text_would_parse() {
        let v =
            serde_json::json!({"a": [1, 2.5, "x", null, true], "b": {"c": -9007199254740991i64}});
        assert_eq!(from_host(&Fake::Json(v.clone()), "args").unwrap(), v);
    }

    #[test]
    fn refuses_what_text_would_refuse() {
        assert_eq!(
            code(Fake::Big("123456789012345678901".into())),
            ErrorCode::Malformed
        );
        assert_eq!(
            code(Fake::Json(serde_json::json!(9007199254740992i64))),
            ErrorCode::Malformed
        );
        assert_eq!(code(Fake::Float(f64::NAN)), ErrorCode::Malformed);
        assert_eq!(code(Fake::Float(f64::INFINITY)), ErrorCode::Malformed);
        assert_eq!(code(Fake::Dup), ErrorCode::Malformed);
        let mut deep = Value::Null;
        for _ in 0..MAX_DEPTH {
            deep = Value::Array(vec![deep]);
        }
        assert_eq!(code(Fake::Json(deep)), ErrorCode::LimitExceeded);
    }

    #[test]
    fn js_numbers_are_ints_when_integral() {
        let host = |x: f64| from_host(&HostNumber(x), "n");
        assert_eq!(host(3.0).unwrap(), serde_json::json!(3));
        assert_eq!(host(2.5).unwrap(), serde_json::json!(2.5));
        assert_eq!(
            host(9007199254740992.0).unwrap_err().code(),
            ErrorCode::Malformed
        );
        assert_eq!(host(1e21).unwrap_err().code(), ErrorCode::Malformed);
        assert_eq!(host(-0.0).unwrap(), serde_json::json!(0));
        assert_eq!(
            host(-9007199254740991.0).unwrap(),
            serde_json::json!(-9007199254740991i64)
        );
        assert_eq!(host(f64::NAN).unwrap_err().code(), ErrorCode::Malformed);
    }

    struct HostNumber(f64);
    impl HostJson for HostNumber {
        fn view(&self) -> Result<HostValue<'_, Self>, Error> {
            Ok(HostValue::Number(self.0))
        }
    }

    #[test]
    fn a_huge_value_stops_at_the_size_bound() {
        // Ten million items are never all read: the walk stops at 1 MiB.
        let e = from_host(&Fake::Wide(10_000_000), "args").unwrap_err();
        assert_eq!(e.code(), ErrorCode::LimitExceeded);
        assert!(
            e.message().contains("args is larger than"),
            "{}",
            e.message()
        );
    }
}
