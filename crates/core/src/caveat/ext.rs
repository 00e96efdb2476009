//! CEL's extension libraries as cel-go defines them (and Kubernetes enables
//! them): the `strings` extension, `math`, `sets` and `lists`. Every function
//! is charged by the size of its input (and, where it builds a value, of its
//! output, before building it), so the budget bounds its worst case.

use std::cmp::Ordering;
use std::rc::Rc;

use super::value::{compare, equals, List, Val};
use super::CaveatError;

/// Where a function charges its work: the evaluator's step budget.
pub(crate) trait Meter {
    /// Adds `n` steps; an error once the budget is spent.
    fn charge(&mut self, n: u64) -> Result<(), CaveatError>;
    /// Steps left before the budget is spent.
    fn remaining(&self) -> u64;
}

/// The extension functions. Receiver-style ones take the receiver as their
/// first argument.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Ext {
    CharAt,
    IndexOf,
    LastIndexOf,
    LowerAscii,
    UpperAscii,
    Replace,
    Split,
    Substring,
    Trim,
    Join,
    Reverse,
    Quote,
    Format,
    Greatest,
    Least,
    Abs,
    Ceil,
    Floor,
    Round,
    Trunc,
    Sign,
    Sqrt,
    IsNaN,
    IsInf,
    IsFinite,
    BitAnd,
    BitOr,
    BitXor,
    BitNot,
    BitShiftLeft,
    BitShiftRight,
    SetsContains,
    SetsEquivalent,
    SetsIntersects,
    ListsRange,
    Distinct,
    Flatten,
    Slice,
    Sort,
    Net(super::net::NetFn),
    Path(super::path::PathFn),
    Url(super::url::UrlFn),
    Kurl(super::kurl::KurlFn),
}

/// Receiver-style functions (`s.f(...)`): the function, and the number of
/// arguments it takes besides the receiver, min and max.
pub(crate) fn method(name: &str) -> Option<(Ext, usize, usize)> {
    use Ext::*;
    Some(match name {
        "charAt" => (CharAt, 1, 1),
        "indexOf" => (IndexOf, 1, 2),
        "lastIndexOf" => (LastIndexOf, 1, 2),
        "lowerAscii" => (LowerAscii, 0, 0),
        "upperAscii" => (UpperAscii, 0, 0),
        "replace" => (Replace, 2, 3),
        "split" => (Split, 1, 2),
        "substring" => (Substring, 1, 2),
        "trim" => (Trim, 0, 0),
        "join" => (Join, 0, 1),
        "reverse" => (Reverse, 0, 0),
        "format" => (Format, 1, 1),
        "distinct" => (Distinct, 0, 0),
        "flatten" => (Flatten, 0, 1),
        "slice" => (Slice, 2, 2),
        "sort" => (Sort, 0, 0),
        _ => {
            if let Some((f, lo, hi)) = super::kurl::method(name) {
                return Some((Kurl(f), lo, hi));
            }
            return super::net::method(name).map(|(f, lo, hi)| (Net(f), lo, hi));
        }
    })
}

/// Namespaced functions (`math.abs(x)`): the function and its argument count,
/// min and max (`usize::MAX` for variadic).
pub(crate) fn namespaced(ns: &str, name: &str) -> Option<(Ext, usize, usize)> {
    use Ext::*;
    Some(match (ns, name) {
        ("strings", "quote") => (Quote, 1, 1),
        ("math", "greatest") => (Greatest, 1, usize::MAX),
        ("math", "least") => (Least, 1, usize::MAX),
        ("math", "abs") => (Abs, 1, 1),
        ("math", "ceil") => (Ceil, 1, 1),
        ("math", "floor") => (Floor, 1, 1),
        ("math", "round") => (Round, 1, 1),
        ("math", "trunc") => (Trunc, 1, 1),
        ("math", "sign") => (Sign, 1, 1),
        ("math", "sqrt") => (Sqrt, 1, 1),
        ("math", "isNaN") => (IsNaN, 1, 1),
        ("math", "isInf") => (IsInf, 1, 1),
        ("math", "isFinite") => (IsFinite, 1, 1),
        ("math", "bitAnd") => (BitAnd, 2, 2),
        ("math", "bitOr") => (BitOr, 2, 2),
        ("math", "bitXor") => (BitXor, 2, 2),
        ("math", "bitNot") => (BitNot, 1, 1),
        ("math", "bitShiftLeft") => (BitShiftLeft, 2, 2),
        ("math", "bitShiftRight") => (BitShiftRight, 2, 2),
        ("sets", "contains") => (SetsContains, 2, 2),
        ("sets", "equivalent") => (SetsEquivalent, 2, 2),
        ("sets", "intersects") => (SetsIntersects, 2, 2),
        ("lists", "range") => (ListsRange, 1, 1),
        ("path", _) => return super::path::namespaced(name).map(|(f, lo, hi)| (Path(f), lo, hi)),
        ("url", _) => return super::url::namespaced(name).map(|(f, lo, hi)| (Url(f), lo, hi)),
        _ => {
            return super::net::namespaced(ns, name).map(|(f, lo, hi)| (Net(f), lo, hi));
        }
    })
}

/// The namespaces whose functions are written `ns.f(...)`.
pub(crate) const NAMESPACES: [&str; 7] = ["strings", "math", "sets", "lists", "path", "ip", "url"];

/// Functions of CEL's standard library and of the extension libraries that
/// Charter does not support: a caveat naming one is told it is outside the
/// subset, not that the function does not exist.
pub(crate) const KNOWN_UNSUPPORTED: &[&str] = &[
    "first",
    "last",
    "transformMapEntry",
    "optMap",
    "optFlatMap",
    "orValue",
    "hasValue",
    "value",
    "or",
    "type",
    "bytes",
    "getTimezone",
    "isSorted",
    "sum",
    "min",
    "max",
    "base64",
    "encode",
    "decode",
    "bind",
    "block",
    "index",
    "exists_two",
    "quantity",
    "isQuantity",
    "semver",
    "isSemver",
];

fn err<T>(msg: impl Into<String>) -> Result<T, CaveatError> {
    Err(CaveatError::eval(msg))
}

fn a_type(v: &Val<'_>) -> String {
    super::eval::a_type(v)
}

/// Steps charged for touching `len` bytes of string.
pub(crate) fn str_cost(len: usize) -> u64 {
    (len / 64) as u64
}

fn string_arg<'v, 'a>(f: &str, v: &'v Val<'a>, what: &str) -> Result<&'v str, CaveatError> {
    match v {
        Val::Str(s) => Ok(s.as_str()),
        other => err(format!(
            "no such overload: {f}() needs a string {what}, got {}",
            a_type(other)
        )),
    }
}

fn int_arg(f: &str, v: &Val<'_>, what: &str) -> Result<i64, CaveatError> {
    match v {
        Val::Int(i) => Ok(*i),
        other => err(format!(
            "no such overload: {f}() needs an int {what}, got {}",
            a_type(other)
        )),
    }
}

fn list_arg<'v, 'a>(f: &str, v: &'v Val<'a>) -> Result<&'v List<'a>, CaveatError> {
    match v {
        Val::List(l) => Ok(l),
        other => err(format!(
            "no such overload: {f}() needs a list, got {}",
            a_type(other)
        )),
    }
}

fn owned_list<'a>(v: Vec<Val<'a>>) -> Val<'a> {
    Val::List(List::Own(Rc::new(v)))
}

fn out_of_range(i: i64) -> CaveatError {
    CaveatError::eval(format!("index out of range: {i}"))
}

/// Code point index of byte offset `b` in `s`.
fn cp_index(s: &str, b: usize) -> i64 {
    s[..b].chars().count() as i64
}

/// Byte offset of code point `i` in `s` (`i` at most the count).
fn byte_at(s: &str, i: usize) -> usize {
    s.char_indices().nth(i).map_or(s.len(), |(b, _)| b)
}

/// Calls `f` on evaluated arguments (the receiver first).
pub(crate) fn call<'a>(
    m: &mut dyn Meter,
    f: Ext,
    args: Vec<Val<'a>>,
) -> Result<Val<'a>, CaveatError> {
    use Ext::*;
    match f {
        Reverse if matches!(args[0], Val::List(_)) => {
            let l = list_arg("reverse", &args[0])?;
            m.charge(l.len() as u64)?;
            Ok(owned_list((0..l.len()).rev().map(|i| l.get(i)).collect()))
        }
        Sort => {
            let l = list_arg("sort", &args[0])?;
            m.charge(l.len() as u64)?;
            let items: Vec<Val<'a>> = (0..l.len()).map(|i| l.get(i)).collect();
            Ok(owned_list(sort_by_keys(m, "sort", items.clone(), &items)?))
        }
        CharAt | IndexOf | LastIndexOf | LowerAscii | UpperAscii | Replace | Split | Substring
        | Trim | Join | Reverse | Quote => strings(m, f, &args),
        Format => {
            let fmt = string_arg("format", &args[0], "receiver")?;
            let list = list_arg("format", &args[1])?;
            super::format::format(m, fmt, list)
        }
        Greatest | Least => extremum(m, f == Greatest, &args),
        Distinct | Flatten | Slice | ListsRange => lists(m, f, &args),
        SetsContains | SetsEquivalent | SetsIntersects => sets(m, f, &args),
        Net(n) => super::net::call(m, n, &args),
        Path(p) => super::path::call(m, p, &args),
        Url(u) => super::url::call(m, u, &args),
        Kurl(u) => super::kurl::call(m, u, &args),
        _ => math(f, &args),
    }
}

fn strings<'a>(m: &mut dyn Meter, f: Ext, args: &[Val<'a>]) -> Result<Val<'a>, CaveatError> {
    use Ext::*;
    let name = match f {
        CharAt => "charAt",
        IndexOf => "indexOf",
        LastIndexOf => "lastIndexOf",
        LowerAscii => "lowerAscii",
        UpperAscii => "upperAscii",
        Replace => "replace",
        Split => "split",
        Substring => "substring",
        Trim => "trim",
        Join => "join",
        Reverse => "reverse",
        _ => "strings.quote",
    };
    if f == Join {
        return join(m, args);
    }
    let s = string_arg(name, &args[0], "receiver")?;
    m.charge(str_cost(s.len()))?;
    Ok(match f {
        CharAt => {
            let i = int_arg(name, &args[1], "index")?;
            let n = s.chars().count() as i64;
            if i < 0 || i > n {
                return Err(out_of_range(i));
            }
            match s.chars().nth(i as usize) {
                Some(c) => Val::owned_str(c.to_string()),
                None => Val::owned_str(String::new()),
            }
        }
        IndexOf | LastIndexOf => {
            let sub = string_arg(name, &args[1], "argument")?;
            m.charge(str_cost(sub.len()))?;
            let n = s.chars().count() as i64;
            let m_len = sub.chars().count() as i64;
            let off = match args.get(2) {
                Some(v) => {
                    let o = int_arg(name, v, "offset")?;
                    // cel-go has returned both an error and -1 for an offset
                    // past the end; the conformance data pins the error, and
                    // an error is the answer that cannot allow by mistake.
                    if o < 0 || o > n || (o == n && !sub.is_empty()) {
                        return Err(out_of_range(o));
                    }
                    Some(o)
                }
                None => None,
            };
            Val::Int(if f == IndexOf {
                let o = off.unwrap_or(0);
                if sub.is_empty() {
                    o
                } else {
                    let b = byte_at(s, o as usize);
                    match s[b..].find(sub) {
                        Some(p) => o + cp_index(&s[b..], p),
                        None => -1,
                    }
                }
            } else {
                match off {
                    None if sub.is_empty() => n,
                    Some(o) if sub.is_empty() => o,
                    _ if m_len > n => -1,
                    _ => {
                        // The last match starting at or before the offset.
                        let o = off.unwrap_or(n - 1).min(n - m_len);
                        let mut end = (byte_at(s, o as usize) + sub.len()).min(s.len());
                        while !s.is_char_boundary(end) {
                            end -= 1;
                        }
                        match s[..end].rfind(sub) {
                            Some(p) => cp_index(s, p),
                            None => -1,
                        }
                    }
                }
            })
        }
        LowerAscii => Val::owned_str(s.to_ascii_lowercase()),
        UpperAscii => Val::owned_str(s.to_ascii_uppercase()),
        Trim => Val::owned_str(s.trim().to_string()),
        Reverse => Val::owned_str(s.chars().rev().collect()),
        Quote => Val::owned_str(quote(s)),
        Replace => {
            let old = string_arg(name, &args[1], "argument")?;
            let new = string_arg(name, &args[2], "replacement")?;
            let limit = match args.get(3) {
                Some(v) => int_arg(name, v, "count")?,
                None => -1,
            };
            m.charge(str_cost(old.len() + new.len()))?;
            // Count the replacements first and charge the result's size
            // before building it: `s.replace('', x)` grows with |s| x |x|.
            // Each replacement costs a step, and counting stops once the
            // budget could not pay for more.
            let cap = usize::try_from(m.remaining())
                .unwrap_or(usize::MAX)
                .saturating_add(1);
            let found = if old.is_empty() {
                s.chars().count() + 1
            } else {
                s.matches(old).take(cap).count()
            };
            let k = if limit < 0 {
                found
            } else {
                found.min(usize::try_from(limit).unwrap_or(usize::MAX))
            };
            m.charge(k as u64)?;
            let out_len =
                (s.len() - k.saturating_mul(old.len())).saturating_add(k.saturating_mul(new.len()));
            m.charge(str_cost(out_len))?;
            Val::owned_str(s.replacen(old, new, k))
        }
        Split => {
            let sep = string_arg(name, &args[1], "separator")?;
            let limit = match args.get(2) {
                Some(v) => int_arg(name, v, "limit")?,
                None => -1,
            };
            m.charge(str_cost(sep.len()))?;
            // The pieces are counted, and charged, before the list is built.
            let cap = usize::try_from(m.remaining())
                .unwrap_or(usize::MAX)
                .saturating_add(1);
            let found = if sep.is_empty() {
                s.chars().count()
            } else {
                s.matches(sep).take(cap).count() + 1
            };
            let count = match usize::try_from(limit) {
                Ok(n) => found.min(n),
                Err(_) => found,
            };
            m.charge(count as u64)?;
            let pieces = split(s, sep, limit);
            owned_list(
                pieces
                    .into_iter()
                    .map(|p| Val::owned_str(p.to_string()))
                    .collect(),
            )
        }
        Substring => {
            let n = s.chars().count() as i64;
            let start = int_arg(name, &args[1], "start")?;
            let end = match args.get(2) {
                Some(v) => int_arg(name, v, "end")?,
                None => n,
            };
            if args.len() > 2 && start > end {
                return err(format!(
                    "invalid substring range. start: {start}, end: {end}"
                ));
            }
            if start < 0 || start > n {
                return Err(out_of_range(start));
            }
            if end < 0 || end > n {
                return Err(out_of_range(end));
            }
            let (b0, b1) = (byte_at(s, start as usize), byte_at(s, end as usize));
            Val::owned_str(s[b0..b1].to_string())
        }
        _ => unreachable!("only string functions are dispatched here"),
    })
}

/// Go's `strings.SplitN`: `limit` < 0 all pieces, 0 none, n at most n (the
/// last holds the rest); an empty separator splits after every code point.
fn split<'s>(s: &'s str, sep: &str, limit: i64) -> Vec<&'s str> {
    if limit == 0 {
        return Vec::new();
    }
    let max = if limit < 0 {
        usize::MAX
    } else {
        usize::try_from(limit).unwrap_or(usize::MAX)
    };
    if sep.is_empty() {
        let mut out = Vec::new();
        let mut rest = s;
        while !rest.is_empty() {
            if out.len() + 1 == max {
                out.push(rest);
                return out;
            }
            let w = rest.chars().next().map_or(1, char::len_utf8);
            out.push(&rest[..w]);
            rest = &rest[w..];
        }
        return out;
    }
    s.splitn(max, sep).collect()
}

/// cel-go's `strings.quote`: double quotes around the text, CEL's escapes for
/// the control characters it names, `\\` and `"`; everything else as is.
fn quote(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '\u{7}' => out.push_str("\\a"),
            '\u{8}' => out.push_str("\\b"),
            '\u{c}' => out.push_str("\\f"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '\u{b}' => out.push_str("\\v"),
            '\\' => out.push_str("\\\\"),
            '"' => out.push_str("\\\""),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

fn join<'a>(m: &mut dyn Meter, args: &[Val<'a>]) -> Result<Val<'a>, CaveatError> {
    let l = list_arg("join", &args[0])?;
    let sep = match args.get(1) {
        Some(v) => string_arg("join", v, "separator")?,
        None => "",
    };
    m.charge(l.len() as u64)?;
    let mut parts = Vec::with_capacity(l.len());
    let mut total = 0usize;
    for i in 0..l.len() {
        match l.get(i) {
            Val::Str(s) => {
                total = total.saturating_add(s.as_str().len() + sep.len());
                parts.push(s);
            }
            other => {
                return err(format!(
                    "join() needs a list of strings, got {} at index {i}",
                    a_type(&other)
                ))
            }
        }
    }
    m.charge(str_cost(total))?;
    let strs: Vec<&str> = parts.iter().map(|s| s.as_str()).collect();
    Ok(Val::owned_str(strs.join(sep)))
}

fn is_num(v: &Val<'_>) -> bool {
    matches!(v, Val::Int(_) | Val::Uint(_) | Val::Double(_))
}

/// `math.greatest` / `math.least` over the arguments, or over the elements of
/// a single list argument. Ties keep the earlier value (its type too), as in
/// cel-go; numbers compare exactly across types, as `<` does.
fn extremum<'a>(m: &mut dyn Meter, max: bool, args: &[Val<'a>]) -> Result<Val<'a>, CaveatError> {
    let name = if max { "math.greatest" } else { "math.least" };
    let items: Vec<Val<'a>> = match args {
        [Val::List(l)] => {
            m.charge(l.len() as u64)?;
            if l.len() == 0 {
                return err(format!("{name}(list) argument must not be empty"));
            }
            (0..l.len()).map(|i| l.get(i)).collect()
        }
        _ => args.to_vec(),
    };
    let mut best = items[0].clone();
    for v in items {
        if !is_num(&v) {
            return err(format!(
                "no such overload: {name}() takes numbers, got {}",
                a_type(&v)
            ));
        }
        let better = match compare(&best, &v)? {
            Some(o) => {
                o == if max {
                    Ordering::Less
                } else {
                    Ordering::Greater
                }
            }
            None => return err(format!("{name}(): NaN values cannot be ordered")),
        };
        if better {
            best = v;
        }
    }
    Ok(best)
}

fn math<'a>(f: Ext, args: &[Val<'a>]) -> Result<Val<'a>, CaveatError> {
    use Ext::*;
    use Val::{Double, Int, Uint};
    let name = match f {
        Abs => "math.abs",
        Ceil => "math.ceil",
        Floor => "math.floor",
        Round => "math.round",
        Trunc => "math.trunc",
        Sign => "math.sign",
        Sqrt => "math.sqrt",
        IsNaN => "math.isNaN",
        IsInf => "math.isInf",
        IsFinite => "math.isFinite",
        BitAnd => "math.bitAnd",
        BitOr => "math.bitOr",
        BitXor => "math.bitXor",
        BitNot => "math.bitNot",
        BitShiftLeft => "math.bitShiftLeft",
        _ => "math.bitShiftRight",
    };
    let bad = || {
        err(format!(
            "no such overload: {name}({})",
            args.iter()
                .map(|a| a.type_name())
                .collect::<Vec<_>>()
                .join(", ")
        ))
    };
    Ok(match (f, args) {
        (Abs, [Int(i)]) => Int(i
            .checked_abs()
            .ok_or_else(|| CaveatError::eval("math.abs() overflow: integer overflow"))?),
        (Abs, [Uint(u)]) => Uint(*u),
        (Abs, [Double(d)]) => Double(d.abs()),
        (Ceil, [Double(d)]) => Double(d.ceil()),
        (Floor, [Double(d)]) => Double(d.floor()),
        // Go's math.Round: half away from zero, as Rust's f64::round.
        (Round, [Double(d)]) => Double(d.round()),
        (Trunc, [Double(d)]) => Double(d.trunc()),
        (Sign, [Int(i)]) => Int(i.signum()),
        (Sign, [Uint(u)]) => Uint(u64::from(*u != 0)),
        (Sign, [Double(d)]) => Double(if d.is_nan() {
            *d
        } else if *d > 0.0 {
            1.0
        } else if *d < 0.0 {
            -1.0
        } else {
            0.0
        }),
        (Sqrt, [Double(d)]) => Double(d.sqrt()),
        (Sqrt, [Int(i)]) => Double((*i as f64).sqrt()),
        (Sqrt, [Uint(u)]) => Double((*u as f64).sqrt()),
        (IsNaN, [Double(d)]) => Val::Bool(d.is_nan()),
        (IsInf, [Double(d)]) => Val::Bool(d.is_infinite()),
        (IsFinite, [Double(d)]) => Val::Bool(d.is_finite()),
        (BitAnd, [Int(a), Int(b)]) => Int(a & b),
        (BitAnd, [Uint(a), Uint(b)]) => Uint(a & b),
        (BitOr, [Int(a), Int(b)]) => Int(a | b),
        (BitOr, [Uint(a), Uint(b)]) => Uint(a | b),
        (BitXor, [Int(a), Int(b)]) => Int(a ^ b),
        (BitXor, [Uint(a), Uint(b)]) => Uint(a ^ b),
        (BitNot, [Int(a)]) => Int(!a),
        (BitNot, [Uint(a)]) => Uint(!a),
        (BitShiftLeft | BitShiftRight, [v @ (Int(_) | Uint(_)), Int(n)]) => {
            if *n < 0 {
                return err(format!("{name}() negative offset: {n}"));
            }
            // Go's shifts: a count of 64 or more gives 0; a right shift of
            // an int is logical (cel-go shifts it as a uint).
            let bits = |u: u64| -> u64 {
                if *n >= 64 {
                    0
                } else if f == BitShiftLeft {
                    u << n
                } else {
                    u >> n
                }
            };
            match v {
                Int(i) => Int(bits(*i as u64) as i64),
                Uint(u) => Uint(bits(*u)),
                _ => unreachable!("matched int or uint"),
            }
        }
        _ => return bad(),
    })
}

fn sets<'a>(m: &mut dyn Meter, f: Ext, args: &[Val<'a>]) -> Result<Val<'a>, CaveatError> {
    let name = match f {
        Ext::SetsContains => "sets.contains",
        Ext::SetsEquivalent => "sets.equivalent",
        _ => "sets.intersects",
    };
    let a = list_arg(name, &args[0])?;
    let b = list_arg(name, &args[1])?;
    // Whether every element of `y` is in `x` (CEL equality), charging each
    // comparison like `in` does.
    let contains = |m: &mut dyn Meter, x: &List<'a>, y: &List<'a>| -> Result<bool, CaveatError> {
        for j in 0..y.len() {
            let e = y.get(j);
            let mut found = false;
            for i in 0..x.len() {
                let mut cost = 0;
                let eq = equals(&x.get(i), &e, &mut cost, m.remaining(), 0)?;
                m.charge(cost)?;
                if eq {
                    found = true;
                    break;
                }
            }
            if !found {
                return Ok(false);
            }
        }
        Ok(true)
    };
    Ok(Val::Bool(match f {
        Ext::SetsContains => contains(m, a, b)?,
        Ext::SetsEquivalent => contains(m, a, b)? && contains(m, b, a)?,
        _ => {
            let mut any = false;
            'outer: for j in 0..b.len() {
                let e = b.get(j);
                for i in 0..a.len() {
                    let mut cost = 0;
                    let eq = equals(&a.get(i), &e, &mut cost, m.remaining(), 0)?;
                    m.charge(cost)?;
                    if eq {
                        any = true;
                        break 'outer;
                    }
                }
            }
            any
        }
    }))
}

fn lists<'a>(m: &mut dyn Meter, f: Ext, args: &[Val<'a>]) -> Result<Val<'a>, CaveatError> {
    match f {
        Ext::ListsRange => {
            let n = int_arg("lists.range", &args[0], "argument")?;
            let n = n.max(0);
            // Charged before the list is built.
            m.charge(u64::try_from(n).unwrap_or(u64::MAX))?;
            Ok(owned_list((0..n).map(Val::Int).collect()))
        }
        Ext::Distinct => {
            let l = list_arg("distinct", &args[0])?;
            let mut out: Vec<Val<'a>> = Vec::new();
            for i in 0..l.len() {
                m.charge(1)?;
                let v = l.get(i);
                let mut dup = false;
                for o in &out {
                    let mut cost = 0;
                    let eq = equals(o, &v, &mut cost, m.remaining(), 0)?;
                    m.charge(cost)?;
                    if eq {
                        dup = true;
                        break;
                    }
                }
                if !dup {
                    out.push(v);
                }
            }
            Ok(owned_list(out))
        }
        Ext::Flatten => {
            let l = list_arg("flatten", &args[0])?;
            let depth = match args.get(1) {
                Some(v) => int_arg("flatten", v, "depth")?,
                None => 1,
            };
            if depth < 0 {
                return err("flatten(): level must be non-negative");
            }
            let mut out = Vec::new();
            flatten(m, l, depth, &mut out)?;
            Ok(owned_list(out))
        }
        _ => {
            let l = list_arg("slice", &args[0])?;
            let start = int_arg("slice", &args[1], "start")?;
            let end = int_arg("slice", &args[2], "end")?;
            let n = l.len() as i64;
            if start < 0 || end < 0 {
                return err(format!(
                    "cannot slice({start}, {end}), negative indexes not supported"
                ));
            }
            if start > end {
                return err(format!(
                    "cannot slice({start}, {end}), start index must be less than or equal to end index"
                ));
            }
            if end > n {
                return err(format!("cannot slice({start}, {end}), list is length {n}"));
            }
            m.charge((end - start) as u64)?;
            Ok(owned_list(
                (start as usize..end as usize).map(|i| l.get(i)).collect(),
            ))
        }
    }
}

/// Above this many elements Go's `sort.Slice` (pdqsort, Go 1.19 and later)
/// is not stable; up to it, it is an insertion sort, which is.
const GO_STABLE_SORT_MAX: usize = 12;

/// cel-go's `sort()` and `sortBy()` (`@sortByAssociatedKeys`): `items`
/// ordered by `keys`, which must all have one comparable type (int, uint,
/// double, bool, string, timestamp, duration). Where cel-go's result depends
/// on the order Go's unstable sort leaves equal keys in, Charter refuses:
/// keys that compare equal but are not the same value (`0.0` and `-0.0`, or
/// two elements with one `sortBy` key) in a list of more than 12 elements,
/// and NaN, which Go's comparison cannot order.
pub(crate) fn sort_by_keys<'a>(
    m: &mut dyn Meter,
    name: &str,
    items: Vec<Val<'a>>,
    keys: &[Val<'a>],
) -> Result<Vec<Val<'a>>, CaveatError> {
    let Some(first) = keys.first() else {
        return Ok(items);
    };
    let comparable = matches!(
        first,
        Val::Int(_)
            | Val::Uint(_)
            | Val::Double(_)
            | Val::Bool(_)
            | Val::Str(_)
            | Val::Ts(..)
            | Val::Dur(_)
    );
    if !comparable {
        return err(format!(
            "{name}(): list elements must be comparable, got {}",
            a_type(first)
        ));
    }
    let mut max_len = 0usize;
    for k in keys {
        if std::mem::discriminant(k) != std::mem::discriminant(first) {
            return err(format!(
                "{name}(): list elements must have the same type, got {} and {}",
                a_type(first),
                a_type(k)
            ));
        }
        match k {
            Val::Double(d) if d.is_nan() => {
                return err(format!("{name}(): NaN values cannot be ordered"))
            }
            Val::Str(s) => max_len = max_len.max(s.as_str().len()),
            _ => {}
        }
    }
    // n log n comparisons, each of up to the longest key, charged first.
    let n = keys.len() as u64;
    let per = 1 + str_cost(max_len);
    m.charge(
        n.saturating_mul(u64::from(64 - n.leading_zeros()))
            .saturating_mul(per),
    )?;
    let mut order: Vec<usize> = (0..keys.len()).collect();
    let mut failed = None;
    order.sort_by(|&i, &j| match compare(&keys[i], &keys[j]) {
        Ok(Some(o)) => o,
        Ok(None) | Err(_) => {
            failed.get_or_insert(());
            Ordering::Equal
        }
    });
    if failed.is_some() {
        return err(format!("{name}(): the list's elements cannot be ordered"));
    }
    if keys.len() > GO_STABLE_SORT_MAX {
        for w in order.windows(2) {
            let (a, b) = (&keys[w[0]], &keys[w[1]]);
            let tie = compare(a, b)? == Some(Ordering::Equal);
            let same = match (a, b) {
                (Val::Double(x), Val::Double(y)) => x.to_bits() == y.to_bits(),
                _ => true,
            };
            if tie && (name == "sortBy" || !same) {
                return err(format!(
                    "{name}(): in a list of more than {GO_STABLE_SORT_MAX} elements, equal keys are left in an order cel-go does not define; make the keys distinct"
                ));
            }
        }
    }
    let mut slots: Vec<Option<Val<'a>>> = items.into_iter().map(Some).collect();
    Ok(order.into_iter().filter_map(|i| slots[i].take()).collect())
}

fn flatten<'a>(
    m: &mut dyn Meter,
    l: &List<'a>,
    depth: i64,
    out: &mut Vec<Val<'a>>,
) -> Result<(), CaveatError> {
    for i in 0..l.len() {
        m.charge(1)?;
        match l.get(i) {
            Val::List(inner) if depth > 0 => flatten(m, &inner, depth - 1, out)?,
            v => out.push(v),
        }
    }
    Ok(())
}
