//! `s.format(list)` of cel-go's strings extension, as its current formatter
//! (cel-go `ext/formatting_v2.go`) defines it and cel-spec's `string_ext`
//! conformance data pins it: `%s %d %f %e %b %o %x %X` and `%%`, an optional
//! `.precision` for `%f` and `%e`. Numbers print exactly as Go's `strconv`
//! and `fmt` print them: both Go and Rust format a double from its exact
//! binary value, correctly rounded, so `%.2f` and `%e` agree digit for digit.
//! The output is charged before it is built, so the budget bounds it.

use super::ext::{str_cost, Meter};
use super::time;
use super::value::{List, Map, Val};
use super::CaveatError;

fn err<T>(msg: impl Into<String>) -> Result<T, CaveatError> {
    Err(CaveatError::eval(msg))
}

fn type_name(v: &Val<'_>) -> &'static str {
    match v {
        Val::Null => "null_type",
        Val::Ts(..) => "google.protobuf.Timestamp",
        Val::Dur(_) => "google.protobuf.Duration",
        other => other.type_name(),
    }
}

fn clause_err<T>(what: &str, v: &Val<'_>) -> Result<T, CaveatError> {
    err(format!(
        "error during formatting: {what}, was given {}",
        type_name(v)
    ))
}

/// A double as Go's `FormatFloat(d, 'f', -1, 64)` prints it (the shortest
/// digits that read back as `d`, never an exponent), with cel-go's words for
/// NaN and the infinities. Rust's `Display` for `f64` is that same form.
fn plain_double(d: f64) -> String {
    if d.is_nan() {
        "NaN".into()
    } else if d.is_infinite() {
        if d > 0.0 {
            "Infinity".into()
        } else {
            "-Infinity".into()
        }
    } else {
        format!("{d}")
    }
}

/// Upper bound of the bytes `plain_double` or `%.Nf` prints before the
/// fraction: a sign and 309 digits.
const MAX_INT_DIGITS: usize = 310;

/// Fraction digits after which a double's exact expansion has ended.
const EXACT_DIGITS: usize = 1100;

/// Formats `args` into `fmt` (the receiver).
pub(crate) fn format<'a>(
    m: &mut dyn Meter,
    fmt: &str,
    args: &List<'a>,
) -> Result<Val<'a>, CaveatError> {
    m.charge(str_cost(fmt.len()))?;
    let b = fmt.as_bytes();
    let mut out = String::new();
    let mut i = 0;
    let mut next_arg = 0usize;
    // Text between clauses is copied in runs, so multi-byte characters stay
    // whole (a clause starts only at an ASCII '%').
    let mut run_start = 0;
    while i < b.len() {
        if b[i] != b'%' {
            i += 1;
            continue;
        }
        out.push_str(&fmt[run_start..i]);
        if b.get(i + 1) == Some(&b'%') {
            out.push('%');
            i += 2;
            run_start = i;
            continue;
        }
        if i + 1 >= b.len() {
            return err("could not parse formatting clause: unexpected end of string");
        }
        if next_arg >= args.len() {
            return err(format!("index {next_arg} out of range"));
        }
        let arg = args.get(next_arg);
        next_arg += 1;
        i += 1;
        let mut precision = 6usize;
        if b[i] == b'.' {
            i += 1;
            let start = i;
            while i < b.len() && b[i].is_ascii_digit() {
                i += 1;
            }
            if i >= b.len() {
                return err("could not parse formatting clause: error while parsing precision: could not find end of precision specifier");
            }
            precision = fmt[start..i].parse().map_err(|_| {
                CaveatError::eval(format!(
                    "could not parse formatting clause: error while parsing precision: {:?} is not a precision",
                    &fmt[start..i]
                ))
            })?;
        }
        let verb = b[i];
        i += 1;
        run_start = i;
        let piece = clause(m, verb, precision, &arg)?;
        m.charge(1 + str_cost(piece.len()))?;
        out.push_str(&piece);
    }
    out.push_str(&fmt[run_start..]);
    if next_arg < args.len() {
        // cel-go refuses this when it can see it (a literal format string
        // and a list literal); an error is the answer that never allows by
        // mistake where it cannot.
        return err(format!(
            "too many arguments supplied to string.format (expected {next_arg}, got {})",
            args.len()
        ));
    }
    Ok(Val::owned_str(out))
}

fn clause(
    m: &mut dyn Meter,
    verb: u8,
    precision: usize,
    v: &Val<'_>,
) -> Result<String, CaveatError> {
    match verb {
        b's' => {
            let mut s = String::new();
            string_of(m, v, &mut s, 0)?;
            Ok(s)
        }
        b'd' => match v {
            Val::Int(i) => Ok(i.to_string()),
            Val::Uint(u) => Ok(u.to_string()),
            // cel-go's current formatter prints a finite double under %d as
            // %s does; its older formatter and cel-es refuse it. Where CEL
            // implementations disagree Charter gives the error, which never
            // allows by mistake; NaN and the infinities print as words.
            Val::Double(d) if !d.is_finite() => Ok(plain_double(*d)),
            Val::Double(_) => err(
                "error during formatting: decimal clause of a finite double (CEL implementations disagree: format it with %s or %f)",
            ),
            _ => clause_err(
                "decimal clause can only be used on ints, uints, and doubles",
                v,
            ),
        },
        b'f' | b'e' => {
            let d = match v {
                Val::Int(i) => *i as f64,
                Val::Uint(u) => *u as f64,
                Val::Double(d) => *d,
                _ if verb == b'f' => {
                    return clause_err(
                        "fixed-point clause can only be used on ints, uints, and doubles",
                        v,
                    )
                }
                _ => {
                    return clause_err(
                        "scientific clause can only be used on ints, uints, and doubles",
                        v,
                    )
                }
            };
            if !d.is_finite() {
                return Ok(plain_double(d));
            }
            // Charged before the digits are produced: a precision from the
            // call's arguments can ask for any number of them.
            m.charge(str_cost(precision.saturating_add(MAX_INT_DIGITS)))?;
            // Rust's formatter takes a precision of at most 65535. A double's
            // exact decimal expansion ends within 1074 fraction digits (and
            // has at most 767 significant ones), so beyond EXACT_DIGITS every
            // further digit Go prints is a zero, and no rounding happens.
            let p = precision.min(EXACT_DIGITS);
            let zeros = "0".repeat(precision - p);
            Ok(if verb == b'f' {
                format!("{d:.p$}{zeros}")
            } else {
                let e = go_exp(d, p);
                match e.split_once('e') {
                    Some((mant, exp)) => format!("{mant}{zeros}e{exp}"),
                    None => e,
                }
            })
        }
        b'b' => match v {
            Val::Bool(b) => Ok(if *b { "1" } else { "0" }.into()),
            Val::Int(i) => Ok(signed_radix(*i, |u| format!("{u:b}"))),
            Val::Uint(u) => Ok(format!("{u:b}")),
            _ => clause_err("only ints, uints, and bools can be formatted as binary", v),
        },
        b'o' => match v {
            Val::Int(i) => Ok(signed_radix(*i, |u| format!("{u:o}"))),
            Val::Uint(u) => Ok(format!("{u:o}")),
            _ => clause_err("octal clause can only be used on ints and uints", v),
        },
        b'x' | b'X' => {
            let s = match v {
                Val::Int(i) => signed_radix(*i, |u| format!("{u:x}")),
                Val::Uint(u) => format!("{u:x}"),
                Val::Str(s) => {
                    let s = s.as_str();
                    m.charge(str_cost(s.len().saturating_mul(2)))?;
                    s.bytes().map(|b| format!("{b:02x}")).collect()
                }
                _ => {
                    return clause_err(
                        "only ints, uints, bytes, and strings can be formatted as hex",
                        v,
                    )
                }
            };
            Ok(if verb == b'X' {
                s.to_ascii_uppercase()
            } else {
                s
            })
        }
        other => err(format!(
            "could not parse formatting clause: unrecognized formatting clause {:?}",
            char::from(other)
        )),
    }
}

/// Go's `FormatInt(i, base)` / `%x` of an int64: a minus sign, then the
/// magnitude.
fn signed_radix(i: i64, f: impl Fn(u64) -> String) -> String {
    if i < 0 {
        format!("-{}", f(i.unsigned_abs()))
    } else {
        f(i.unsigned_abs())
    }
}

/// Go's `%1.Ne`: `d.ddddde+XX`, at least two exponent digits.
fn go_exp(d: f64, precision: usize) -> String {
    let s = format!("{d:.precision$e}");
    let (mant, exp) = s.split_once('e').unwrap_or((&s, "0"));
    let (sign, digits) = match exp.strip_prefix('-') {
        Some(e) => ('-', e),
        None => ('+', exp),
    };
    format!("{mant}e{sign}{digits:0>2}")
}

/// `%s` of any value cel-go's formatter accepts, appended to `out`; each
/// value visited costs a step, each string its length.
fn string_of(
    m: &mut dyn Meter,
    v: &Val<'_>,
    out: &mut String,
    depth: usize,
) -> Result<(), CaveatError> {
    if depth > 64 {
        return err("error during formatting: values nest too deeply");
    }
    m.charge(1)?;
    match v {
        Val::Null => out.push_str("null"),
        Val::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        Val::Int(i) => out.push_str(&i.to_string()),
        Val::Uint(u) => out.push_str(&u.to_string()),
        Val::Double(d) => out.push_str(&plain_double(*d)),
        Val::Str(s) => {
            m.charge(str_cost(s.as_str().len()))?;
            out.push_str(s.as_str());
        }
        Val::Ts(s, n) => out.push_str(&time::format_timestamp(*s, *n)),
        Val::Dur(d) => out.push_str(&time::format_duration(*d)),
        Val::List(l) => {
            out.push('[');
            for i in 0..l.len() {
                if i > 0 {
                    out.push_str(", ");
                }
                string_of(m, &l.get(i), out, depth + 1)?;
            }
            out.push(']');
        }
        Val::Map(map) => {
            let mut ents = Vec::with_capacity(map.len());
            let mut each = |k: &Val<'_>, val: &Val<'_>| -> Result<(), CaveatError> {
                let mut ks = String::new();
                string_of(m, k, &mut ks, depth + 1)?;
                let mut vs = String::new();
                string_of(m, val, &mut vs, depth + 1)?;
                ents.push((ks, vs));
                Ok(())
            };
            match map {
                Map::Json(j) => {
                    for (k, val) in j.iter() {
                        each(&Val::str(k), &Val::from_json(val))?;
                    }
                }
                Map::Own(o) => {
                    for (k, val) in o.iter() {
                        each(k, val)?;
                    }
                }
            }
            // Go's sort.SliceStable by the keys' text, byte order; charged
            // as n log n comparisons before sorting.
            let n = ents.len() as u64;
            m.charge(n.saturating_mul(u64::from(64 - n.leading_zeros())))?;
            ents.sort_by(|a, b| a.0.as_bytes().cmp(b.0.as_bytes()));
            out.push('{');
            for (i, (k, val)) in ents.iter().enumerate() {
                if i > 0 {
                    out.push_str(", ");
                }
                out.push_str(k);
                out.push_str(": ");
                out.push_str(val);
            }
            out.push('}');
        }
        Val::Ip(_) | Val::Cidr(..) | Val::Url(_) => {
            return clause_err(
                "string clause can only be used on strings, bools, bytes, ints, doubles, maps, lists, types, durations, and timestamps",
                v,
            )
        }
    }
    Ok(())
}
