//! Runtime values. JSON arguments are viewed in place (never copied), so a
//! caveat that reads one field of a large argument object costs one lookup.

use std::cmp::Ordering;
use std::rc::Rc;

use serde_json::Value as Json;

use super::parser::Const;
use super::testing::TestValue;
use super::CaveatError;

/// A string: borrowed from the caveat, the context or the JSON arguments, or
/// computed during evaluation.
#[derive(Clone, Debug)]
pub(crate) enum Str<'a> {
    B(&'a str),
    O(Rc<str>),
}

impl Str<'_> {
    pub fn as_str(&self) -> &str {
        match self {
            Str::B(s) => s,
            Str::O(s) => s,
        }
    }
}

#[derive(Clone, Debug)]
pub(crate) enum List<'a> {
    Json(&'a [Json]),
    /// A list literal of constants, straight from the compiled caveat.
    Const(&'a [Const]),
    Own(Rc<Vec<Val<'a>>>),
}

#[derive(Clone, Debug)]
pub(crate) enum Map<'a> {
    Json(&'a serde_json::Map<String, Json>),
    Own(Rc<Vec<(Val<'a>, Val<'a>)>>),
}

#[derive(Clone, Debug)]
pub(crate) enum Val<'a> {
    Null,
    Bool(bool),
    Int(i64),
    Uint(u64),
    Double(f64),
    Str(Str<'a>),
    List(List<'a>),
    Map(Map<'a>),
    /// Seconds since the Unix epoch and nanoseconds (0..1e9), within years 1..=9999.
    Ts(i64, u32),
    /// Nanoseconds, as Go's `time.Duration` (the range cel-go enforces).
    Dur(i64),
    /// Kubernetes' `net.IP` (`ip('10.0.0.1')`).
    Ip(std::net::IpAddr),
    /// Kubernetes' `net.CIDR` (`cidr('10.0.0.0/8')`): the address as written
    /// and the prefix length.
    Cidr(std::net::IpAddr, u8),
    /// Kubernetes' `kubernetes.URL` (`url('https://example.com/')`): what
    /// Go's `net/url` parsed.
    Url(Rc<super::kurl::GoUrl>),
}

/// Deepest value nesting compared or converted; JSON arguments are limited to
/// 64 levels already, literals by the expression depth.
const MAX_VALUE_DEPTH: usize = 128;

impl<'a> Val<'a> {
    pub fn type_name(&self) -> &'static str {
        match self {
            Val::Null => "null",
            Val::Bool(_) => "bool",
            Val::Int(_) => "int",
            Val::Uint(_) => "uint",
            Val::Double(_) => "double",
            Val::Str(_) => "string",
            Val::List(_) => "list",
            Val::Map(_) => "map",
            Val::Ts(..) => "timestamp",
            Val::Dur(_) => "duration",
            Val::Ip(_) => "net.IP",
            Val::Cidr(..) => "net.CIDR",
            Val::Url(_) => "kubernetes.URL",
        }
    }

    pub fn from_json(j: &'a Json) -> Val<'a> {
        match j {
            Json::Null => Val::Null,
            Json::Bool(b) => Val::Bool(*b),
            Json::Number(n) => {
                if let Some(i) = n.as_i64() {
                    Val::Int(i)
                } else if let Some(u) = n.as_u64() {
                    Val::Uint(u)
                } else {
                    Val::Double(n.as_f64().unwrap_or(f64::NAN))
                }
            }
            Json::String(s) => Val::Str(Str::B(s)),
            Json::Array(a) => Val::List(List::Json(a)),
            Json::Object(o) => Val::Map(Map::Json(o)),
        }
    }

    pub fn from_const(c: &'a Const) -> Val<'a> {
        match c {
            Const::Null => Val::Null,
            Const::Bool(b) => Val::Bool(*b),
            Const::Int(i) => Val::Int(*i),
            Const::Uint(u) => Val::Uint(*u),
            Const::Double(d) => Val::Double(*d),
            Const::Str(s) => Val::str(s),
            Const::Ts(s, n) => Val::Ts(*s, *n),
            Const::Dur(d) => Val::Dur(*d),
        }
    }

    pub fn str(s: &'a str) -> Val<'a> {
        Val::Str(Str::B(s))
    }

    pub fn owned_str(s: String) -> Val<'a> {
        Val::Str(Str::O(Rc::from(s)))
    }

    pub fn from_test(t: &'a TestValue) -> Val<'a> {
        match t {
            TestValue::Null => Val::Null,
            TestValue::Bool(b) => Val::Bool(*b),
            TestValue::Int(i) => Val::Int(*i),
            TestValue::Uint(u) => Val::Uint(*u),
            TestValue::Double(d) => Val::Double(*d),
            TestValue::String(s) => Val::str(s),
            TestValue::List(l) => {
                Val::List(List::Own(Rc::new(l.iter().map(Val::from_test).collect())))
            }
            TestValue::Map(m) => Val::Map(Map::Own(Rc::new(
                m.iter()
                    .map(|(k, v)| (Val::from_test(k), Val::from_test(v)))
                    .collect(),
            ))),
            TestValue::Timestamp(s, n) => Val::Ts(*s, *n),
            TestValue::Duration(d) => Val::Dur(*d),
            TestValue::Ip(a) => Val::Ip(*a),
            TestValue::Cidr(a, n) => Val::Cidr(*a, *n),
            TestValue::Url(s) => Val::str(s),
        }
    }

    pub fn to_test(&self) -> TestValue {
        match self {
            Val::Null => TestValue::Null,
            Val::Bool(b) => TestValue::Bool(*b),
            Val::Int(i) => TestValue::Int(*i),
            Val::Uint(u) => TestValue::Uint(*u),
            Val::Double(d) => TestValue::Double(*d),
            Val::Str(s) => TestValue::String(s.as_str().to_string()),
            Val::List(l) => TestValue::List((0..l.len()).map(|i| l.get(i).to_test()).collect()),
            Val::Map(m) => TestValue::Map(
                m.entries()
                    .into_iter()
                    .map(|(k, v)| (k.to_test(), v.to_test()))
                    .collect(),
            ),
            Val::Ts(s, n) => TestValue::Timestamp(*s, *n),
            Val::Dur(d) => TestValue::Duration(*d),
            Val::Ip(a) => TestValue::Ip(*a),
            Val::Cidr(a, n) => TestValue::Cidr(*a, *n),
            Val::Url(u) => TestValue::Url(u.src.clone()),
        }
    }
}

impl<'a> List<'a> {
    pub fn len(&self) -> usize {
        match self {
            List::Json(a) => a.len(),
            List::Const(c) => c.len(),
            List::Own(v) => v.len(),
        }
    }

    pub fn get(&self, i: usize) -> Val<'a> {
        match self {
            List::Json(a) => Val::from_json(&a[i]),
            List::Const(c) => Val::from_const(&c[i]),
            List::Own(v) => v[i].clone(),
        }
    }
}

impl<'a> Map<'a> {
    pub fn len(&self) -> usize {
        match self {
            Map::Json(m) => m.len(),
            Map::Own(v) => v.len(),
        }
    }

    /// Entries in iteration order (JSON maps: key order; literals: source order).
    pub fn entries(&self) -> Vec<(Val<'a>, Val<'a>)> {
        match self {
            Map::Json(m) => m
                .iter()
                .map(|(k, v)| (Val::str(k.as_str()), Val::from_json(v)))
                .collect(),
            Map::Own(v) => v.as_ref().clone(),
        }
    }

    /// The first `n` keys (macros never need more than their step budget).
    pub fn keys(&self, n: usize) -> Vec<Val<'a>> {
        match self {
            Map::Json(m) => m.keys().take(n).map(|k| Val::str(k.as_str())).collect(),
            Map::Own(v) => v.iter().take(n).map(|(k, _)| k.clone()).collect(),
        }
    }

    /// Looks a key up with CEL's key equality (`1`, `1u` and `1.0` are the same key).
    /// Returns the value and the number of entries examined (for the step count).
    pub fn get(&self, key: &Val<'_>) -> (Option<Val<'a>>, usize) {
        match self {
            Map::Json(m) => match key {
                Val::Str(s) => (m.get(s.as_str()).map(Val::from_json), 1),
                _ => (None, 1),
            },
            Map::Own(v) => {
                for (i, (k, val)) in v.iter().enumerate() {
                    if key_eq(k, key) {
                        return (Some(val.clone()), i + 1);
                    }
                }
                (None, v.len().max(1))
            }
        }
    }

    pub fn get_str(&self, key: &str) -> Option<Val<'a>> {
        match self {
            Map::Json(m) => m.get(key).map(Val::from_json),
            Map::Own(v) => v.iter().find_map(|(k, val)| match k {
                Val::Str(s) if s.as_str() == key => Some(val.clone()),
                _ => None,
            }),
        }
    }
}

pub(crate) fn key_eq(a: &Val<'_>, b: &Val<'_>) -> bool {
    match (a, b) {
        (Val::Str(x), Val::Str(y)) => x.as_str() == y.as_str(),
        (Val::Bool(x), Val::Bool(y)) => x == y,
        _ => num_cmp(a, b) == Some(Ordering::Equal),
    }
}

/// CEL's heterogeneous numeric comparison: `int`, `uint` and `double` compare
/// as the numbers they are, on one number line (CEL's language definition),
/// exactly: `9007199254740995 < 9007199254740996.0` although the int rounds to
/// that double. `None` for NaN or non-numbers.
pub(crate) fn num_cmp(a: &Val<'_>, b: &Val<'_>) -> Option<Ordering> {
    match (a, b) {
        (Val::Int(x), Val::Int(y)) => Some(x.cmp(y)),
        (Val::Uint(x), Val::Uint(y)) => Some(x.cmp(y)),
        (Val::Double(x), Val::Double(y)) => x.partial_cmp(y),
        (Val::Int(x), Val::Uint(y)) => Some(if *x < 0 {
            Ordering::Less
        } else {
            (*x as u64).cmp(y)
        }),
        (Val::Uint(_), Val::Int(_)) => num_cmp(b, a).map(Ordering::reverse),
        (Val::Int(x), Val::Double(y)) => int_double_cmp(i128::from(*x), *y),
        (Val::Uint(x), Val::Double(y)) => int_double_cmp(i128::from(*x), *y),
        (Val::Double(_), Val::Int(_) | Val::Uint(_)) => num_cmp(b, a).map(Ordering::reverse),
        _ => None,
    }
}

/// Compares an integer (any `int` or `uint`) with a double, exactly.
fn int_double_cmp(x: i128, y: f64) -> Option<Ordering> {
    /// 2^64: every int and uint lies strictly between -LIMIT and LIMIT.
    const LIMIT: f64 = 18_446_744_073_709_551_616.0;
    if y.is_nan() {
        return None;
    }
    if y >= LIMIT {
        return Some(Ordering::Less);
    }
    if y <= -LIMIT {
        return Some(Ordering::Greater);
    }
    // |y| < 2^64: its integer part is exact in an i128, and so is the cast.
    let whole = y.trunc();
    Some(x.cmp(&(whole as i128)).then_with(|| {
        let frac = y - whole;
        if frac > 0.0 {
            Ordering::Less
        } else if frac < 0.0 {
            Ordering::Greater
        } else {
            Ordering::Equal
        }
    }))
}

fn is_num(v: &Val<'_>) -> bool {
    matches!(v, Val::Int(_) | Val::Uint(_) | Val::Double(_))
}

/// CEL equality: total (values of different types are unequal, never an
/// error), numbers compare across int/uint/double, NaN equals nothing.
/// `cost` counts the work done, for the step budget; once it passes `cap`
/// the comparison stops early (its answer is then meaningless: the caller's
/// charge fails), so equality of huge values is bounded like everything else.
pub(crate) fn equals(
    a: &Val<'_>,
    b: &Val<'_>,
    cost: &mut u64,
    cap: u64,
    depth: usize,
) -> Result<bool, CaveatError> {
    if depth > MAX_VALUE_DEPTH {
        return Err(CaveatError::eval("values nest too deeply to compare"));
    }
    *cost += 1;
    if *cost > cap {
        return Ok(false);
    }
    if matches!(a, Val::Url(_)) || matches!(b, Val::Url(_)) {
        // Kubernetes compares URLs by Go's re-encoded text, which Charter
        // does not build: refuse rather than answer differently.
        return Err(CaveatError::eval(
            "URL values cannot be compared; compare their parts (getHost(), getEscapedPath(), ...)",
        ));
    }
    Ok(match (a, b) {
        _ if is_num(a) && is_num(b) => num_cmp(a, b) == Some(Ordering::Equal),
        (Val::Null, Val::Null) => true,
        (Val::Bool(x), Val::Bool(y)) => x == y,
        (Val::Str(x), Val::Str(y)) => {
            *cost += (x.as_str().len().min(y.as_str().len()) / 64) as u64;
            x.as_str() == y.as_str()
        }
        (Val::Ts(s1, n1), Val::Ts(s2, n2)) => s1 == s2 && n1 == n2,
        (Val::Dur(x), Val::Dur(y)) => x == y,
        (Val::Ip(x), Val::Ip(y)) => x == y,
        (Val::Cidr(x, n), Val::Cidr(y, m)) => x == y && n == m,
        (Val::List(x), Val::List(y)) => {
            if x.len() != y.len() {
                return Ok(false);
            }
            for i in 0..x.len() {
                if !equals(&x.get(i), &y.get(i), cost, cap, depth + 1)? {
                    return Ok(false);
                }
            }
            true
        }
        (Val::Map(x), Val::Map(y)) => {
            if x.len() != y.len() {
                return Ok(false);
            }
            let mut check = |k: Val<'_>, v: Val<'_>| -> Result<bool, CaveatError> {
                let (found, n) = y.get(&k);
                *cost += n as u64;
                match found {
                    Some(w) => equals(&v, &w, cost, cap, depth + 1),
                    None => Ok(false),
                }
            };
            match x {
                Map::Json(m) => {
                    for (k, v) in m.iter() {
                        if !check(Val::str(k), Val::from_json(v))? {
                            return Ok(false);
                        }
                    }
                }
                Map::Own(m) => {
                    for (k, v) in m.iter() {
                        if !check(k.clone(), v.clone())? {
                            return Ok(false);
                        }
                    }
                }
            }
            true
        }
        _ => false,
    })
}

/// CEL ordering (`<` and friends): numbers (across types), strings (by code
/// point), bools, timestamps, durations. `Ok(None)` when a NaN is involved.
pub(crate) fn compare(a: &Val<'_>, b: &Val<'_>) -> Result<Option<Ordering>, CaveatError> {
    if is_num(a) && is_num(b) {
        return Ok(num_cmp(a, b));
    }
    Ok(Some(match (a, b) {
        (Val::Str(x), Val::Str(y)) => x.as_str().cmp(y.as_str()),
        (Val::Bool(x), Val::Bool(y)) => x.cmp(y),
        (Val::Ts(s1, n1), Val::Ts(s2, n2)) => (s1, n1).cmp(&(s2, n2)),
        (Val::Dur(x), Val::Dur(y)) => x.cmp(y),
        _ => {
            return Err(CaveatError::eval(format!(
                "cannot compare {} with {}",
                a.type_name(),
                b.type_name()
            )))
        }
    }))
}
