//! Host values (a Python object, a JavaScript value) into strict JSON.
//!
//! Every binding accepts JSON as a native value as well as text. The rules a
//! native value must meet are the ones [`crate::jcs::parse`] applies to text:
//! bounded depth and size, integers within ±(2^53−1), finite numbers, string
//! keys, no duplicate key. They live here once; a binding only says what each
//! host value is ([`HostJson::view`]), and [`from_host`] walks it, counting as
//! it goes, so a hostile value is refused after at most [`MAX_HOST_BYTES`] of
//! work, however large it is.
//!
//! The same views serve the scalar readers every binding needs ([`int`],
//! [`issue_options`], [`with_json`]), so a JS binding reads an options
//! object or a "text or value" argument by the same rules, with the same
//! messages, as every other binding.

use std::any::Any;
use std::cell::{Cell, RefCell};
use std::collections::HashMap;
use std::rc::Rc;

use serde_json::{Map, Number, Value};

use crate::jcs::{self, JsonError, MAX_DEPTH, MAX_SAFE_INTEGER};
use crate::{Error, ErrorCode, IssueOptions, JsonInput};

/// Largest JSON a host value may become (bytes of its compact JSON text,
/// counted while walking).
pub const MAX_HOST_BYTES: usize = 1024 * 1024;

/// What one host value is, as JSON sees it.
pub enum HostValue<'h, H> {
    /// `None`, `null`.
    Null,
    /// JavaScript's `undefined`: an absent option, but never JSON (the
    /// walk refuses it rather than dropping or nulling it silently).
    Undefined,
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
    /// A byte array (a `Uint8Array`, Python `bytes`): an option may be
    /// bytes (a token id), JSON may not.
    Bytes(Vec<u8>),
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
    walk(value.view()?, what)
}

fn walk<H: HostJson>(view: HostValue<'_, H>, what: &str) -> Result<Value, Error> {
    let mut walk = Walk {
        budget: MAX_HOST_BYTES,
        what,
    };
    walk.view(view, 1)
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
        self.view(value.view()?, depth)
    }

    fn view<H: HostJson>(&mut self, view: HostValue<'_, H>, depth: usize) -> Result<Value, Error> {
        Ok(match view {
            HostValue::Undefined => {
                let m = "undefined is not JSON (use null, or leave the member out)";
                return Err(invalid(format!("{}: {m}", self.what)));
            }
            HostValue::Bytes(_) => {
                let m = "bytes are not JSON (pass them as a base64url string)";
                return Err(invalid(format!("{}: {m}", self.what)));
            }
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

/// A usage error (`invalid_argument`) saying what was wrong with an
/// argument: the error every binding raises for a value it cannot read.
pub fn invalid(message: impl Into<String>) -> Error {
    Error::new(ErrorCode::InvalidArgument, message)
}

/// What a time, count or sequence number must be, as messages say it.
pub const SAFE_INT: &str = "a safe integer (|n| <= 2^53-1)";

/// A host number that must be an integer within ±(2^53−1) (a time, a
/// count): never rounded, truncated or coerced from another type.
pub fn safe_int(n: f64, what: &str) -> Result<i64, Error> {
    if !n.is_finite() || n.fract() != 0.0 || n.abs() > MAX_SAFE_INTEGER as f64 {
        return Err(invalid(format!("{what} must be {SAFE_INT}, got {n}")));
    }
    Ok(n as i64)
}

/// A sequence number (an audit log position): a safe integer, not negative.
pub fn seq(n: i64, what: &str) -> Result<u64, Error> {
    u64::try_from(n).map_err(|_| invalid(format!("{what} must not be negative")))
}

/// An integer argument as the host holds it: a number ([`safe_int`]) or a
/// host integer within the same bound; anything else (text, a boolean) is
/// `invalid_argument`, never parsed or coerced.
pub fn int<H: HostJson>(value: &H, what: &str) -> Result<i64, Error> {
    int_of(value.view().ok(), what)
}

fn int_of<H>(view: Option<HostValue<'_, H>>, what: &str) -> Result<i64, Error> {
    match view {
        Some(HostValue::Number(n)) => safe_int(n, what),
        Some(HostValue::Int(i)) if i.unsigned_abs() <= MAX_SAFE_INTEGER as u64 => Ok(i),
        Some(HostValue::Int(i)) => Err(invalid(format!("{what} must be {SAFE_INT}, got {i}"))),
        Some(HostValue::BigInt(t)) => Err(invalid(format!("{what} must be {SAFE_INT}, got {t}"))),
        _ => Err(invalid(format!("{what} must be {SAFE_INT}"))),
    }
}

/// Most strings one list option may hold (actions, caveats).
pub const MAX_OPTION_ITEMS: usize = 4096;

fn text_of<H>(view: HostValue<'_, H>, what: &str) -> Result<String, Error> {
    match view {
        HostValue::Str(s) => Ok(s),
        _ => Err(invalid(format!("{what} must be a string"))),
    }
}

fn texts_of<H: HostJson>(view: HostValue<'_, H>, what: &str) -> Result<Vec<String>, Error> {
    let HostValue::Array(items) = view else {
        return Err(invalid(format!("{what} must be an array of strings")));
    };
    let mut out = Vec::new();
    for (i, item) in items.enumerate() {
        if i == MAX_OPTION_ITEMS {
            let m = format!("{what} has more than {MAX_OPTION_ITEMS} items");
            return Err(Error::new(ErrorCode::LimitExceeded, m));
        }
        out.push(text_of(item?.view()?, &format!("{what}[{i}]"))?);
    }
    Ok(out)
}

/// The members of the options object of `Issuer.issue`, as the JS bindings
/// spell them (camelCase): the fields of [`IssueOptions`].
pub const ISSUE_OPTIONS: [&str; 9] = [
    "agent",
    "actions",
    "audience",
    "notBefore",
    "expiresAt",
    "neverExpires",
    "caveats",
    "tokenId",
    "issuedAt",
];

/// [`IssueOptions`] from a host options object named by [`ISSUE_OPTIONS`]
/// (none, `null` or `undefined`: no options). A member that is `null` or
/// `undefined` is absent; an unknown member is refused (a typo must not
/// drop a limit), and each member must have its type exactly: integers by
/// [`safe_int`], `tokenId` bytes, `neverExpires` a boolean.
pub fn issue_options<H: HostJson>(options: Option<&H>) -> Result<IssueOptions, Error> {
    let mut o = IssueOptions::default();
    let members = match options.map(HostJson::view).transpose()? {
        None | Some(HostValue::Null | HostValue::Undefined) => return Ok(o),
        Some(HostValue::Object(members)) => members,
        Some(_) => return Err(invalid("options must be an object")),
    };
    for member in members {
        let (name, item) = member?;
        let what = format!("options.{name}");
        let value = match item.view()? {
            HostValue::Null | HostValue::Undefined => continue,
            v => v,
        };
        match (name.as_str(), value) {
            ("agent", v) => o.agent = Some(text_of(v, &what)?),
            ("actions", v) => o.actions = Some(texts_of(v, &what)?),
            ("audience", v) => o.audience = Some(text_of(v, &what)?),
            ("notBefore", v) => o.not_before = Some(int_of(Some(v), &what)?),
            ("expiresAt", v) => o.expires_at = Some(int_of(Some(v), &what)?),
            ("neverExpires", HostValue::Bool(b)) => o.never_expires = b,
            ("neverExpires", _) => return Err(invalid(format!("{what} must be a boolean"))),
            ("caveats", v) => o.caveats = texts_of(v, &what)?,
            ("tokenId", HostValue::Bytes(b)) => o.token_id = Some(b),
            ("tokenId", _) => return Err(invalid(format!("{what} must be bytes"))),
            ("issuedAt", v) => o.issued_at = Some(int_of(Some(v), &what)?),
            (name, _) => known_options([name], &ISSUE_OPTIONS, "options")?,
        };
    }
    Ok(o)
}

/// A JSON argument that may be text or a host value, as the core's
/// [`JsonInput`] for `f`: text stays text (the core parses it strictly, so
/// its numbers stay exact), any other value is walked by [`from_host`].
pub fn with_json<H: HostJson, R>(
    value: &H,
    what: &str,
    f: impl FnOnce(JsonInput<'_>) -> Result<R, Error>,
) -> Result<R, Error> {
    match value.view()? {
        HostValue::Str(text) => f(JsonInput::Text(&text)),
        view => f(JsonInput::Value(walk(view, what)?)),
    }
}

/// A JSON argument (text or a host value, as [`with_json`]) as a value.
pub fn json_value<H: HostJson>(value: &H, what: &str) -> Result<Value, Error> {
    with_json(value, what, |input| match input {
        JsonInput::Text(text) => jcs::parse(text),
        JsonInput::Value(v) => Ok(v),
    })
}

/// A record (a `BundleReport`) as a JS binding hands it out: its JSON form
/// with every member name in camelCase (`first_seq` becomes `firstSeq`), at
/// every depth, values as they are.
pub fn js_record<T: serde::Serialize>(record: &T) -> Result<Value, Error> {
    let json = serde_json::to_value(record);
    json.map(camel_case)
        .map_err(|e| Error::new(ErrorCode::Internal, e.to_string()))
}

fn camel_case(value: Value) -> Value {
    match value {
        Value::Object(members) => {
            let camel = members.into_iter().map(|(k, v)| (camel(&k), camel_case(v)));
            Value::Object(camel.collect())
        }
        Value::Array(items) => Value::Array(items.into_iter().map(camel_case).collect()),
        v => v,
    }
}

fn camel(key: &str) -> String {
    let mut out = String::with_capacity(key.len());
    let mut chars = key.chars().peekable();
    while let Some(c) = chars.next() {
        match chars.peek() {
            Some(&n) if c == '_' && n.is_ascii_lowercase() => {
                out.push(n.to_ascii_uppercase());
                chars.next();
            }
            _ => out.push(c),
        }
    }
    out
}

thread_local! {
    static REGISTRY: RefCell<HashMap<u32, Rc<dyn Any>>> = RefCell::new(HashMap::new());
    static NEXT: Cell<u32> = const { Cell::new(1) };
}

/// A core value owned by a host object and registered, per thread, under a
/// nonzero id: a host that cannot hand its own objects back to Rust (a
/// WASM union argument arrives as a plain JS value) finds the value again
/// by id with [`registered`]. A forged id finds nothing or another live
/// value, checked by type: no memory is read through it. Dropping the
/// handle (the host object freed or collected) unregisters it.
pub struct Handle<T: 'static> {
    /// The id the host object carries.
    pub id: u32,
    /// The value, shared with the registry.
    pub rc: Rc<T>,
}

impl<T: 'static> Handle<T> {
    /// Registers `value` under a fresh id.
    pub fn new(value: T) -> Self {
        let rc = Rc::new(value);
        let id = NEXT.with(|n| n.replace(n.get().checked_add(1).unwrap_or(1)));
        REGISTRY.with(|r| r.borrow_mut().insert(id, rc.clone() as Rc<dyn Any>));
        Handle { id, rc }
    }
}

impl<T: 'static> Drop for Handle<T> {
    fn drop(&mut self) {
        let _ = REGISTRY.try_with(|r| r.try_borrow_mut().map(|mut r| r.remove(&self.id)));
    }
}

/// The value registered under `id` by a live [`Handle`], if it is a `T`.
pub fn registered<T: 'static>(id: u32) -> Option<Rc<T>> {
    REGISTRY
        .with(|r| r.borrow().get(&id).cloned())?
        .downcast::<T>()
        .ok()
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

    #[test]
    fn invalid_is_a_usage_error_with_the_message() {
        let e = invalid("keys must be an array");
        assert_eq!(
            (e.code(), e.message()),
            (ErrorCode::InvalidArgument, "keys must be an array")
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

    #[test]
    fn records_go_out_in_camel_case_at_every_depth() {
        let v = serde_json::json!({"first_seq": 1, "head": {"last_hash": "h_x", "v": 1}, "l": [{"a_b": null}], "x_1": 2});
        let want = serde_json::json!({"firstSeq": 1, "head": {"lastHash": "h_x", "v": 1}, "l": [{"aB": null}], "x_1": 2});
        assert_eq!(camel_case(v), want);
    }

    #[test]
    fn a_registered_value_is_found_by_id_and_type_until_dropped() {
        let h = Handle::new(5u8);
        assert_eq!(registered::<u8>(h.id).as_deref(), Some(&5));
        assert!(
            registered::<u16>(h.id).is_none(),
            "another type is not found"
        );
        assert!(registered::<u8>(0).is_none());
        let id = h.id;
        drop(h);
        assert!(registered::<u8>(id).is_none());
    }

    /// A JS-like options object: members with host-only shapes.
    enum Opt {
        Obj(Vec<(&'static str, Opt)>),
        Json(Value),
        Bytes(Vec<u8>),
        Undefined,
    }

    impl HostJson for Opt {
        fn view(&self) -> Result<HostValue<'_, Self>, Error> {
            Ok(match self {
                Opt::Obj(m) => HostValue::Object(Box::new(m.iter().map(|(k, v)| {
                    let v = match v {
                        Opt::Json(j) => Opt::Json(j.clone()),
                        Opt::Bytes(b) => Opt::Bytes(b.clone()),
                        _ => Opt::Undefined,
                    };
                    Ok((k.to_string(), v))
                }))),
                Opt::Json(v) => match Fake::Json(v.clone()).view()? {
                    HostValue::Array(_) => {
                        let items = v.as_array().into_iter().flatten();
                        HostValue::Array(Box::new(items.map(|i| Ok(Opt::Json(i.clone())))))
                    }
                    HostValue::Null => HostValue::Null,
                    HostValue::Bool(b) => HostValue::Bool(b),
                    HostValue::Int(i) => HostValue::Number(i as f64),
                    HostValue::Number(n) => HostValue::Number(n),
                    HostValue::Str(s) => HostValue::Str(s),
                    _ => HostValue::Undefined,
                },
                Opt::Bytes(b) => HostValue::Bytes(b.clone()),
                Opt::Undefined => HostValue::Undefined,
            })
        }
    }

    fn issue(members: Vec<(&'static str, Opt)>) -> Result<IssueOptions, Error> {
        issue_options(Some(&Opt::Obj(members)))
    }

    #[test]
    fn issue_options_are_read_by_name_and_type() {
        let j = |v: Value| Opt::Json(v);
        let o = issue(vec![
            ("agent", j(serde_json::json!("a"))),
            ("actions", j(serde_json::json!(["read", "write"]))),
            ("expiresAt", j(serde_json::json!(1_700_000_060))),
            ("neverExpires", j(serde_json::json!(false))),
            ("tokenId", Opt::Bytes(vec![1; 16])),
            ("audience", Opt::Undefined),
            ("notBefore", j(Value::Null)),
        ])
        .unwrap();
        assert_eq!(o.agent.as_deref(), Some("a"));
        assert_eq!(o.actions, Some(vec!["read".into(), "write".into()]));
        assert_eq!(o.expires_at, Some(1_700_000_060));
        assert_eq!(o.token_id, Some(vec![1; 16]));
        assert_eq!((o.audience, o.not_before), (None, None));
        assert_eq!(issue_options::<Opt>(None).unwrap(), IssueOptions::default());
        assert_eq!(
            issue_options(Some(&Opt::Undefined)).unwrap(),
            IssueOptions::default()
        );
        let msg = |m: Vec<(&'static str, Opt)>| issue(m).unwrap_err().message().to_string();
        assert!(msg(vec![("expiresat", j(serde_json::json!(1)))])
            .contains("unknown option \"expiresat\""));
        assert!(msg(vec![("neverExpires", j(serde_json::json!(1)))])
            .contains("neverExpires must be a boolean"));
        assert!(msg(vec![("expiresAt", j(serde_json::json!(1.5)))]).contains("safe integer"));
        assert!(
            msg(vec![("expiresAt", j(serde_json::json!("2026")))]).contains("options.expiresAt")
        );
        assert!(msg(vec![("actions", j(serde_json::json!("read")))]).contains("array of strings"));
        assert!(msg(vec![("caveats", j(serde_json::json!([1])))]).contains("options.caveats[0]"));
        assert!(msg(vec![("tokenId", j(serde_json::json!("x")))]).contains("must be bytes"));
        let e = issue_options(Some(&Opt::Json(serde_json::json!(5)))).unwrap_err();
        assert_eq!(e.message(), "options must be an object");
    }

    #[test]
    fn integers_are_safe_integers_never_coerced() {
        assert_eq!(safe_int(3.0, "n").unwrap(), 3);
        for bad in [1.5, f64::NAN, f64::INFINITY, 9007199254740992.0] {
            assert!(safe_int(bad, "n")
                .unwrap_err()
                .message()
                .contains("safe integer"));
        }
        assert_eq!(int(&HostNumber(-7.0), "now").unwrap(), -7);
        assert!(int(&Fake::Json(serde_json::json!("1")), "now").is_err());
        assert!(int(&Fake::Big("1".repeat(30)), "now").is_err());
        assert_eq!(seq(4, "start").unwrap(), 4);
        assert_eq!(
            seq(-1, "start").unwrap_err().message(),
            "start must not be negative"
        );
    }

    #[test]
    fn json_arguments_are_text_or_values_and_never_json_undefined_or_bytes() {
        let text = Fake::Json(serde_json::json!(r#"{"n":1e21}"#));
        let exact = with_json(&text, "args", |i| {
            Ok(matches!(i, JsonInput::Text(t) if t == r#"{"n":1e21}"#))
        });
        assert!(exact.unwrap());
        assert_eq!(
            json_value(&text, "args").unwrap(),
            serde_json::json!({"n": 1e21})
        );
        let value = Fake::Json(serde_json::json!({"b": 1, "a": [true]}));
        let walked = with_json(&value, "args", |i| match i {
            JsonInput::Value(v) => jcs::canonicalize(&v),
            JsonInput::Text(_) => Ok("text".into()),
        });
        assert_eq!(walked.unwrap(), r#"{"a":[true],"b":1}"#);
        for bad in [Opt::Undefined, Opt::Bytes(vec![1])] {
            let e = json_value(&Opt::Obj(vec![("k", bad)]), "args").unwrap_err();
            assert_eq!(e.code(), ErrorCode::InvalidArgument);
        }
    }
}
