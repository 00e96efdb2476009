//! Canonical JSON: a strict I-JSON (RFC 7493) parser and the RFC 8785 (JCS)
//! serializer. Hashes and signatures cover JCS bytes, so two peers agree on
//! them whatever their JSON library does with `100.0` or `1e21`.
//!
//! Numbers written without fraction or exponent within ±(2^53 − 1) are
//! integers; any other number is an IEEE double and must be written as exactly
//! the decimal its canonical form prints (its shortest round-trip form, give or
//! take zeros), so what Charter writes it reads back and nothing is ever
//! silently rounded. Between 2^53 and 2^64 in magnitude that form must also be
//! the double's exact value (see `exact_double`).

use serde_json::{Map, Number, Value};

/// Largest integer every peer (including JavaScript) represents exactly.
pub const MAX_SAFE_INTEGER: i64 = (1 << 53) - 1;
/// Nesting bound of JSON documents.
pub const MAX_DEPTH: usize = 64;

/// Why JSON text or a value was refused by the strict I-JSON rules.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum JsonError {
    /// Not JSON.
    #[error("invalid JSON at byte {at}: {what}")]
    Syntax {
        /// Byte offset in the text.
        at: usize,
        /// What was expected there.
        what: &'static str,
    },
    /// An object names a key twice (I-JSON forbids it: parsers disagree on which wins).
    #[error("duplicate key {key:?} in JSON object")]
    DuplicateKey {
        /// The repeated key.
        key: String,
    },
    /// A `\u` escape of half a surrogate pair: not Unicode text.
    #[error(
        "JSON string has a lone surrogate \\u{code:04x}; I-JSON strings must be valid Unicode"
    )]
    LoneSurrogate {
        /// The surrogate's code unit.
        code: u32,
    },
    /// An integer beyond ±(2^53−1), which a double (and so JavaScript) would round.
    #[error("integer {literal} is beyond ±(2^53−1); pass it as a string to keep it exact")]
    UnsafeInteger {
        /// The number as written.
        literal: String,
    },
    /// A decimal that no double equals exactly: reading it would round silently.
    #[error(
        "number {literal} is not exactly representable as an IEEE double (it would read as {nearest}); \
         pass it as a string, or as an integer in smaller units (cents, not dollars), to keep it exact"
    )]
    InexactNumber {
        /// The number as written.
        literal: String,
        /// The double it would have become.
        nearest: String,
    },
    /// In `args`, an integral value written as a double (`1.0`): caveats tell
    /// int from double and the args hash cannot, so it is refused.
    #[error(
        "a number in args with the integral value {literal} is written as a double (with a \
         fraction or an exponent, such as {literal}.0); write it as the integer {literal}: caveats \
         tell an int from a double, and the args hash (JCS) cannot"
    )]
    IntegralDouble {
        /// The integer it should be written as.
        literal: String,
    },
    /// NaN or an infinity: a value built in memory, or a literal too large
    /// for a double (`1e400`).
    #[error("number {literal} is not finite")]
    NonFinite {
        /// How the number prints.
        literal: String,
    },
    /// Nested deeper than [`MAX_DEPTH`].
    #[error("JSON nesting deeper than {MAX_DEPTH} levels")]
    TooDeep,
}

impl JsonError {
    /// The stable code this failure is reported with (too deep is a limit,
    /// everything else malformed).
    pub fn code(&self) -> crate::ErrorCode {
        match self {
            JsonError::TooDeep => crate::ErrorCode::LimitExceeded,
            _ => crate::ErrorCode::Malformed,
        }
    }
}

impl From<JsonError> for crate::Error {
    fn from(e: JsonError) -> Self {
        crate::Error::new(e.code(), e.to_string())
    }
}

/// Parses I-JSON strictly: one value, no trailing bytes, no duplicate keys.
pub fn parse(text: &str) -> Result<Value, crate::Error> {
    Ok(parse_raw(text)?)
}

/// [`parse`] with the precise [`JsonError`] (what other modules convert).
pub(crate) fn parse_raw(text: &str) -> Result<Value, JsonError> {
    let mut p = Parser {
        s: text.as_bytes(),
        i: 0,
    };
    p.ws();
    let v = p.value(0)?;
    p.ws();
    if p.i != p.s.len() {
        return Err(p.err("trailing characters after the JSON value"));
    }
    Ok(v)
}

/// Checks a value built in memory (not parsed) against the same rules.
pub fn validate(value: &Value) -> Result<(), crate::Error> {
    Ok(walk(value, 1, false)?)
}

fn walk(v: &Value, depth: usize, args: bool) -> Result<(), JsonError> {
    if depth > MAX_DEPTH {
        return Err(JsonError::TooDeep);
    }
    match v {
        Value::Number(n) => {
            check_number(n)?;
            if args && !n.is_i64() && !n.is_u64() {
                let f = n.as_f64().unwrap_or(f64::NAN);
                if f.fract() == 0.0 && f.abs() <= MAX_SAFE_INTEGER as f64 {
                    return Err(JsonError::IntegralDouble {
                        literal: shortest(f),
                    });
                }
            }
            Ok(())
        }
        Value::Array(a) => a.iter().try_for_each(|x| walk(x, depth + 1, args)),
        Value::Object(o) => o.values().try_for_each(|x| walk(x, depth + 1, args)),
        _ => Ok(()),
    }
}

fn check_number(n: &Number) -> Result<(), JsonError> {
    if let Some(i) = n.as_i64() {
        if i.unsigned_abs() > MAX_SAFE_INTEGER as u64 {
            return Err(JsonError::UnsafeInteger {
                literal: i.to_string(),
            });
        }
    } else if let Some(u) = n.as_u64() {
        return Err(JsonError::UnsafeInteger {
            literal: u.to_string(),
        });
    } else {
        let f = n.as_f64().unwrap_or(f64::NAN);
        if !f.is_finite() {
            return Err(JsonError::NonFinite {
                literal: n.to_string(),
            });
        }
        // A double is valid when its canonical form reads back as itself. Its
        // shortest round-trip form always does, except where that form must
        // also be exact: integral doubles between 2^53 and 2^64.
        if !(TWO_53..TWO_64).contains(&f.abs()) {
            return Ok(());
        }
        let text = shortest(f);
        match exact_double(&text) {
            Ok(g) if g == f => {}
            Ok(_) | Err(NumberError::NonFinite) => {
                return Err(JsonError::InexactNumber {
                    nearest: text.clone(),
                    literal: text,
                })
            }
            Err(NumberError::Inexact { nearest }) => {
                return Err(JsonError::InexactNumber {
                    literal: text,
                    nearest,
                })
            }
        }
    }
    Ok(())
}

/// Checks JSON arguments (of a request or a permit): [`validate`], and no
/// double with an integral value within ±(2^53 − 1). Such a double (`1.0`) has
/// the same canonical form, and so the same args hash, as the integer (`1`),
/// yet caveats see a double where the hash promises an int; it is refused so
/// a permit or proof for `{"a":1}` can never stand for `{"a":1.0}`.
pub(crate) fn validate_args(value: &Value) -> Result<(), JsonError> {
    walk(value, 1, true)
}

/// [`hash`] of arguments checked by [`validate_args`].
pub(crate) fn args_hash(value: &Value) -> Result<String, crate::Error> {
    validate_args(value)?;
    hash(value)
}

/// ECMAScript's (and so JCS's) text of a finite double.
fn shortest(f: f64) -> String {
    if f == 0.0 {
        "0".to_string()
    } else {
        ryu_js::Buffer::new().format_finite(f).to_string()
    }
}

/// Why a decimal is not accepted as a double.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum NumberError {
    /// Too large for a double.
    NonFinite,
    /// Not the decimal of a double; `nearest` is what it would have become.
    Inexact { nearest: String },
}

/// 2^53 and 2^64 as doubles.
const TWO_53: f64 = 9_007_199_254_740_992.0;
const TWO_64: f64 = 18_446_744_073_709_551_616.0;

/// Reads a decimal `[-]int[.frac][(e|E)[+|-]exp]` (its grammar already
/// checked; `int` may be empty, as in CEL's `.5`) as an IEEE double, and
/// accepts it only when nothing is rounded away: its value must equal the
/// double's shortest round-trip form (the decimal JCS and ECMAScript print,
/// so trailing zeros and exponent style do not matter). When the double lies
/// between 2^53 and 2^64 in magnitude, where a CEL `int` or `uint` can fall
/// between a double's exact value and its shortest form, the shortest form must
/// also be the exact value. Work is linear in the length of the text: a
/// significand of more than 17 digits is never a shortest form.
pub(crate) fn exact_double(text: &str) -> Result<f64, NumberError> {
    let f: f64 = text.parse().map_err(|_| NumberError::NonFinite)?;
    if !f.is_finite() {
        return Err(NumberError::NonFinite);
    }
    let inexact = || {
        Err(NumberError::Inexact {
            nearest: if (TWO_53..TWO_64).contains(&f.abs()) {
                // Every digit of an integral double, and the form JCS writes.
                let exact = format!("{f:.0}");
                let short = shortest(f);
                if exact == short {
                    exact
                } else {
                    format!("{exact}, which JCS writes as {short}")
                }
            } else {
                shortest(f)
            },
        })
    };
    let Some((sig, pow)) = decimal_parts(text) else {
        return inexact(); // more than 17 significant digits
    };
    if sig.is_empty() {
        return Ok(f); // zero, however written
    }
    if f == 0.0 {
        return inexact(); // underflow
    }
    // The very form JCS writes, not merely some shortest form: when two
    // 17-digit decimals lie equally near a double (1448229986570578.25), only
    // the one ECMAScript picks is its name, so each double has one.
    if decimal_parts(&shortest(f.abs())) != Some((sig.clone(), pow)) {
        return inexact();
    }
    if (TWO_53..TWO_64).contains(&f.abs()) {
        // The value is an integer of at most 20 digits: compare every digit.
        let exact = format!("{:.0}", f.abs());
        let written_len = sig.len() as i64 + pow;
        if written_len != exact.len() as i64
            || !exact.as_bytes().starts_with(&sig)
            || exact.as_bytes()[sig.len()..].iter().any(|&d| d != b'0')
        {
            return inexact();
        }
    }
    Ok(f)
}

/// The significant digits `sig` (no leading or trailing zeros; empty for
/// zero) and the power of ten `pow` of a decimal in [`exact_double`]'s
/// grammar, so that its magnitude is `sig × 10^pow`. `None` when it has more
/// than 17 significant digits (no double's shortest form has).
fn decimal_parts(text: &str) -> Option<(Vec<u8>, i64)> {
    let b = text.as_bytes();
    let body = b.strip_prefix(b"-").unwrap_or(b);
    let (mantissa, exp_part) = match body.iter().position(|&c| c == b'e' || c == b'E') {
        Some(k) => (&body[..k], Some(&body[k + 1..])),
        None => (body, None),
    };
    let (int_digits, frac_digits) = match mantissa.iter().position(|&c| c == b'.') {
        Some(k) => (&mantissa[..k], &mantissa[k + 1..]),
        None => (mantissa, &[][..]),
    };
    // The exponent, saturated far beyond any double's range.
    let mut exp: i64 = 0;
    if let Some(e) = exp_part {
        let (neg, digits) = match e.first() {
            Some(b'-') => (true, &e[1..]),
            Some(b'+') => (false, &e[1..]),
            _ => (false, e),
        };
        for &d in digits {
            exp = (exp * 10 + i64::from(d.wrapping_sub(b'0'))).min(1 << 40);
        }
        if neg {
            exp = -exp;
        }
    }
    let all = || int_digits.iter().chain(frac_digits.iter()).copied();
    let total = int_digits.len() + frac_digits.len();
    let Some(first) = all().position(|d| d != b'0') else {
        return Some((Vec::new(), 0));
    };
    let last = total - 1 - all().rev().position(|d| d != b'0').unwrap_or(0);
    let sig_len = last + 1 - first;
    if sig_len > 17 {
        return None;
    }
    let sig: Vec<u8> = all().skip(first).take(sig_len).collect();
    // Lengths are far below 2^40, so nothing overflows.
    let pow = exp - frac_digits.len() as i64 + (total - 1 - last) as i64;
    Some((sig, pow))
}

/// RFC 8785 canonical form of a valid value.
pub fn canonicalize(value: &Value) -> Result<String, crate::Error> {
    Ok(canonicalize_raw(value)?)
}

fn canonicalize_raw(value: &Value) -> Result<String, JsonError> {
    walk(value, 1, false)?;
    let mut out = String::new();
    write_value(&mut out, value);
    Ok(out)
}

/// Parses strictly, then canonicalizes.
pub fn canonicalize_str(text: &str) -> Result<String, crate::Error> {
    let mut out = String::with_capacity(text.len());
    write_value(&mut out, &parse_raw(text)?);
    Ok(out)
}

/// SHA-256 of the canonical form, as base64url. Permits and receipts carry it
/// for the call's arguments, which are checked first by the stricter rules
/// for arguments (no integral doubles; `validate_args`, `args_hash`).
pub fn hash(value: &Value) -> Result<String, crate::Error> {
    use sha2::Digest;
    Ok(crate::b64::encode(sha2::Sha256::digest(
        canonicalize_raw(value)?.as_bytes(),
    )))
}

fn write_value(out: &mut String, v: &Value) {
    match v {
        Value::Null => out.push_str("null"),
        Value::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        Value::Number(n) => write_number(out, n),
        Value::String(s) => write_string(out, s),
        Value::Array(a) => {
            out.push('[');
            for (k, x) in a.iter().enumerate() {
                if k > 0 {
                    out.push(',');
                }
                write_value(out, x);
            }
            out.push(']');
        }
        Value::Object(o) => {
            let mut entries: Vec<(&String, &Value)> = o.iter().collect();
            // JCS orders keys by their UTF-16 code units, not by UTF-8 bytes.
            entries.sort_by(|a, b| a.0.encode_utf16().cmp(b.0.encode_utf16()));
            out.push('{');
            for (k, (key, x)) in entries.into_iter().enumerate() {
                if k > 0 {
                    out.push(',');
                }
                write_string(out, key);
                out.push(':');
                write_value(out, x);
            }
            out.push('}');
        }
    }
}

fn write_number(out: &mut String, n: &Number) {
    if let Some(i) = n.as_i64() {
        out.push_str(&i.to_string());
    } else if let Some(u) = n.as_u64() {
        out.push_str(&u.to_string());
    } else {
        // -0 serializes as 0 in ECMAScript.
        out.push_str(&shortest(n.as_f64().unwrap_or(0.0)));
    }
}

pub(crate) fn write_string(out: &mut String, s: &str) {
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\u{08}' => out.push_str("\\b"),
            '\t' => out.push_str("\\t"),
            '\n' => out.push_str("\\n"),
            '\u{0c}' => out.push_str("\\f"),
            '\r' => out.push_str("\\r"),
            c if (c as u32) < 0x20 => out.push_str(&format!("\\u{:04x}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
}

struct Parser<'a> {
    s: &'a [u8],
    i: usize,
}

impl Parser<'_> {
    fn err(&self, what: &'static str) -> JsonError {
        JsonError::Syntax { at: self.i, what }
    }

    fn ws(&mut self) {
        while let Some(b' ' | b'\t' | b'\n' | b'\r') = self.s.get(self.i) {
            self.i += 1;
        }
    }

    fn eat(&mut self, lit: &[u8]) -> bool {
        if self.s[self.i..].starts_with(lit) {
            self.i += lit.len();
            true
        } else {
            false
        }
    }

    fn value(&mut self, depth: usize) -> Result<Value, JsonError> {
        if depth >= MAX_DEPTH {
            return Err(JsonError::TooDeep);
        }
        match self.s.get(self.i) {
            None => Err(self.err("unexpected end of input")),
            Some(b'{') => self.object(depth),
            Some(b'[') => self.array(depth),
            Some(b'"') => Ok(Value::String(self.string()?)),
            Some(b'-' | b'0'..=b'9') => self.number(),
            Some(_) if self.eat(b"true") => Ok(Value::Bool(true)),
            Some(_) if self.eat(b"false") => Ok(Value::Bool(false)),
            Some(_) if self.eat(b"null") => Ok(Value::Null),
            Some(_) => Err(self.err("expected a JSON value")),
        }
    }

    fn object(&mut self, depth: usize) -> Result<Value, JsonError> {
        self.i += 1;
        let mut map = Map::new();
        self.ws();
        if self.eat(b"}") {
            return Ok(Value::Object(map));
        }
        loop {
            self.ws();
            if self.s.get(self.i) != Some(&b'"') {
                return Err(self.err("expected a string key"));
            }
            let key = self.string()?;
            self.ws();
            if !self.eat(b":") {
                return Err(self.err("expected ':' after an object key"));
            }
            self.ws();
            let v = self.value(depth + 1)?;
            if map.contains_key(&key) {
                return Err(JsonError::DuplicateKey { key });
            }
            map.insert(key, v);
            self.ws();
            if self.eat(b",") {
                continue;
            }
            if self.eat(b"}") {
                return Ok(Value::Object(map));
            }
            return Err(self.err("expected ',' or '}' in an object"));
        }
    }

    fn array(&mut self, depth: usize) -> Result<Value, JsonError> {
        self.i += 1;
        let mut items = Vec::new();
        self.ws();
        if self.eat(b"]") {
            return Ok(Value::Array(items));
        }
        loop {
            self.ws();
            items.push(self.value(depth + 1)?);
            self.ws();
            if self.eat(b",") {
                continue;
            }
            if self.eat(b"]") {
                return Ok(Value::Array(items));
            }
            return Err(self.err("expected ',' or ']' in an array"));
        }
    }

    fn hex4(&mut self) -> Result<u32, JsonError> {
        let digits = self
            .s
            .get(self.i..self.i + 4)
            .ok_or_else(|| self.err("short \\u escape"))?;
        let text = std::str::from_utf8(digits).map_err(|_| self.err("bad \\u escape"))?;
        if !text.bytes().all(|b| b.is_ascii_hexdigit()) {
            return Err(self.err("bad \\u escape"));
        }
        self.i += 4;
        u32::from_str_radix(text, 16).map_err(|_| self.err("bad \\u escape"))
    }

    fn string(&mut self) -> Result<String, JsonError> {
        self.i += 1; // opening quote
        let mut out = String::new();
        loop {
            let start = self.i;
            while let Some(&b) = self.s.get(self.i) {
                if b == b'"' || b == b'\\' || b < 0x20 {
                    break;
                }
                self.i += 1;
            }
            // The input is a &str, and we stop only at ASCII bytes, so this slice is UTF-8.
            out.push_str(
                std::str::from_utf8(&self.s[start..self.i])
                    .map_err(|_| self.err("invalid UTF-8"))?,
            );
            match self.s.get(self.i) {
                None => return Err(self.err("unterminated string")),
                Some(b'"') => {
                    self.i += 1;
                    return Ok(out);
                }
                Some(b'\\') => {
                    self.i += 1;
                    let esc = *self
                        .s
                        .get(self.i)
                        .ok_or_else(|| self.err("unterminated escape"))?;
                    self.i += 1;
                    match esc {
                        b'"' => out.push('"'),
                        b'\\' => out.push('\\'),
                        b'/' => out.push('/'),
                        b'b' => out.push('\u{08}'),
                        b'f' => out.push('\u{0c}'),
                        b'n' => out.push('\n'),
                        b'r' => out.push('\r'),
                        b't' => out.push('\t'),
                        b'u' => {
                            let hi = self.hex4()?;
                            let code = if (0xD800..0xDC00).contains(&hi) {
                                if !self.eat(b"\\u") {
                                    return Err(JsonError::LoneSurrogate { code: hi });
                                }
                                let lo = self.hex4()?;
                                if !(0xDC00..0xE000).contains(&lo) {
                                    return Err(JsonError::LoneSurrogate { code: hi });
                                }
                                0x10000 + ((hi - 0xD800) << 10) + (lo - 0xDC00)
                            } else if (0xDC00..0xE000).contains(&hi) {
                                return Err(JsonError::LoneSurrogate { code: hi });
                            } else {
                                hi
                            };
                            out.push(
                                char::from_u32(code).ok_or_else(|| self.err("bad \\u escape"))?,
                            );
                        }
                        _ => return Err(self.err("unknown escape")),
                    }
                }
                Some(_) => return Err(self.err("control character in string")),
            }
        }
    }

    fn number(&mut self) -> Result<Value, JsonError> {
        let start = self.i;
        self.eat(b"-");
        match self.s.get(self.i) {
            Some(b'0') => self.i += 1,
            Some(b'1'..=b'9') => {
                while let Some(b'0'..=b'9') = self.s.get(self.i) {
                    self.i += 1;
                }
            }
            _ => return Err(self.err("expected a digit")),
        }
        let mut has_frac = false;
        if self.eat(b".") {
            let f = self.i;
            while let Some(b'0'..=b'9') = self.s.get(self.i) {
                self.i += 1;
            }
            if f == self.i {
                return Err(self.err("expected a digit after '.'"));
            }
            has_frac = true;
        }
        let mut has_exp = false;
        if let Some(b'e' | b'E') = self.s.get(self.i) {
            self.i += 1;
            if !self.eat(b"-") {
                self.eat(b"+");
            }
            let e = self.i;
            while let Some(b'0'..=b'9') = self.s.get(self.i) {
                self.i += 1;
            }
            if e == self.i {
                return Err(self.err("expected a digit in the exponent"));
            }
            has_exp = true;
        }
        // The slice holds only ASCII digits, signs, '.' and 'e'.
        let literal = String::from_utf8_lossy(&self.s[start..self.i]).into_owned();
        if !has_frac && !has_exp {
            if let Ok(i) = literal.parse::<i64>() {
                if i.unsigned_abs() <= MAX_SAFE_INTEGER as u64 {
                    return Ok(Value::Number(i.into()));
                }
            }
            // Beyond ±(2^53 − 1): a double, when it is exactly one (so JCS's
            // own `100000000000000000000` for 1e20 reads back).
            return match exact_double(&literal) {
                Ok(f) => Number::from_f64(f)
                    .map(Value::Number)
                    .ok_or(JsonError::UnsafeInteger { literal }),
                Err(_) => Err(JsonError::UnsafeInteger { literal }),
            };
        }
        match exact_double(&literal) {
            Ok(f) => Number::from_f64(f)
                .map(Value::Number)
                .ok_or(JsonError::NonFinite { literal }),
            Err(NumberError::NonFinite) => Err(JsonError::NonFinite { literal }),
            Err(NumberError::Inexact { nearest }) => {
                Err(JsonError::InexactNumber { literal, nearest })
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    // The precise error of each refusal: the public functions give the same
    // as the umbrella `Error`.
    fn parse(text: &str) -> Result<Value, JsonError> {
        parse_raw(text)
    }
    fn canonicalize(value: &Value) -> Result<String, JsonError> {
        canonicalize_raw(value)
    }

    fn jcs(s: &str) -> String {
        canonicalize_str(s).unwrap()
    }

    #[test]
    fn numbers_follow_ecmascript() {
        assert_eq!(jcs("100.0"), "100");
        assert_eq!(jcs("1e21"), "1e+21");
        assert_eq!(jcs("1e-7"), "1e-7");
        assert_eq!(jcs("-0"), "0");
        assert_eq!(jcs("-0.0"), "0");
        assert_eq!(jcs("0.000001"), "0.000001");
        assert_eq!(jcs("4.5e15"), "4500000000000000");
        // Between 2^53 and 2^64 the shortest form of a double must be its exact value.
        assert!(matches!(
            parse("1.2345678901234567e18"),
            Err(JsonError::InexactNumber { .. })
        ));
        assert!(matches!(
            parse("123456789012345678901"),
            Err(JsonError::UnsafeInteger { .. })
        ));
        assert_eq!(jcs("9007199254740991"), "9007199254740991");
        // Above 2^53 an integer written with a fraction digit of 0 is still
        // its exact value (found by the decimals property).
        assert_eq!(jcs("95370382282724180e-1"), "9537038228272418");
        assert_eq!(jcs("[1.5,-2.25e3]"), "[1.5,-2250]");
    }

    #[test]
    fn rejects_non_ijson() {
        assert!(matches!(
            parse("9007199254740993"),
            Err(JsonError::UnsafeInteger { .. })
        ));
        assert!(matches!(
            parse("-9007199254740993"),
            Err(JsonError::UnsafeInteger { .. })
        ));
        assert!(matches!(
            parse("9007199254740993.0"),
            Err(JsonError::InexactNumber { .. })
        ));
        assert!(parse("1e21").is_ok());
        assert!(matches!(parse("1e400"), Err(JsonError::NonFinite { .. })));
        assert!(matches!(
            parse(r#"{"a":1,"a":2}"#),
            Err(JsonError::DuplicateKey { .. })
        ));
        assert!(matches!(
            parse(r#""\ud800""#),
            Err(JsonError::LoneSurrogate { .. })
        ));
        assert!(matches!(
            parse(r#""\udc00x""#),
            Err(JsonError::LoneSurrogate { .. })
        ));
        assert!(parse("NaN").is_err());
        assert!(parse("[1,]").is_err());
        assert!(parse("01").is_err());
        assert!(parse("1 2").is_err());
        assert!(parse("\"a\u{1}\"").is_err());
    }

    #[test]
    fn keys_sort_by_utf16_and_strings_escape_minimally() {
        // U+1F600 (UTF-16 D83D DE00) sorts before U+E000 in UTF-16, after it in UTF-8.
        assert_eq!(
            jcs("{\"\u{E000}\":2,\"\u{1F600}\":1,\"b\":3,\"a\":4}"),
            "{\"a\":4,\"b\":3,\"\u{1F600}\":1,\"\u{E000}\":2}"
        );
        assert_eq!(
            jcs(r#""\u00e9\ud83d\ude00\u001f\u2028/""#),
            "\"é😀\\u001f\u{2028}/\""
        );
    }

    #[test]
    fn decimals_that_are_not_doubles_are_refused() {
        // Issue 10, item 5: each of these would silently become another number.
        for text in [
            "5000.0000000000001",
            "5000.00000000000000001",
            "1e-400",
            "-1e-400",
            "0.30000000000000001",
            "2.4703282292062328e-324",
        ] {
            let e = parse(text).expect_err(text);
            assert!(matches!(e, JsonError::InexactNumber { .. }), "{text}: {e}");
            let m = e.to_string();
            assert!(m.contains("as a string"), "{text}: {m}");
        }
        assert!(parse("5000.0000000000001")
            .unwrap_err()
            .to_string()
            .contains("it would read as 5000)"));
        // Written exactly as the double's shortest form, or with spare zeros: fine.
        for (text, out) in [
            ("5000.000000000001", "5000.000000000001"),
            ("0.1", "0.1"),
            ("0.10000", "0.1"),
            ("0.50e1", "5"),
            ("5e-324", "5e-324"),
            ("1.7976931348623157e308", "1.7976931348623157e+308"),
            ("0e999999999999999999999", "0"),
        ] {
            assert_eq!(canonicalize_str(text).as_deref(), Ok(out), "{text}");
        }
        // Two 17-digit decimals lie equally near 1448229986570578.25: only the
        // one ECMAScript (and so JCS) writes names it.
        assert_eq!(
            canonicalize_str("-1448229986570578.2").as_deref(),
            Ok("-1448229986570578.2")
        );
        let e = parse("-1448229986570578.3").unwrap_err();
        assert!(
            e.to_string()
                .contains("it would read as -1448229986570578.2)"),
            "{e}"
        );
        // Bounded work: a long literal is refused by counting digits.
        let long = format!("1.{}", "0".repeat(200_000) + "1");
        assert!(matches!(parse(&long), Err(JsonError::InexactNumber { .. })));
        let long = format!("1.{}e5", "0".repeat(200_000));
        assert_eq!(canonicalize_str(&long).as_deref(), Ok("100000"));
    }

    #[test]
    fn canonical_output_reads_back() {
        // Issue 10, item 8: what Charter writes, Charter reads, to the same value.
        for (text, out) in [
            ("1e20", "100000000000000000000"),
            ("9007199254740992.0", "9007199254740992"),
            ("-9007199254740992.0", "-9007199254740992"),
            ("2.669624328417371e+125", "2.669624328417371e+125"),
            ("1.2345678901234568e20", "123456789012345680000"),
            ("18446744073709552000.0", "18446744073709552000"),
        ] {
            let once = canonicalize_str(text).unwrap_or_else(|e| panic!("{text}: {e}"));
            assert_eq!(once, out, "{text}");
            assert_eq!(canonicalize_str(&once).as_deref(), Ok(out), "{text} twice");
            assert_eq!(parse(&once).unwrap(), parse(text).unwrap(), "{text}");
        }
        // Between 2^53 and 2^64 a CEL int or uint can fall between a double's
        // exact value and its shortest form, so there the two must agree.
        for text in [
            "9223372036854775808.0",
            "9223372036854776000.0",
            "9223372036854776000",
            "1.2345678901234567e18",
            "18446744073709551616",
        ] {
            assert!(parse(text).is_err(), "{text}");
        }
        assert_eq!(
            canonicalize_str("[9007199254740994,1e19]").as_deref(),
            Ok("[9007199254740994,10000000000000000000]")
        );
        // In memory: a double whose canonical form would not read back is refused.
        let v = Value::from(9_223_372_036_854_775_808.0_f64);
        assert!(matches!(
            canonicalize(&v),
            Err(JsonError::InexactNumber { .. })
        ));
        assert_eq!(
            canonicalize(&Value::from(1e20)).as_deref(),
            Ok("100000000000000000000")
        );
    }

    mod props {
        use super::*;
        use proptest::prelude::*;

        proptest! {
            #![proptest_config(ProptestConfig::with_cases(2048))]

            /// Every finite double is written in a form that reads back as the
            /// same double, except where that form is not exact (and a CEL int
            /// could fall between): integral doubles between 2^53 and 2^64.
            #[test]
            fn every_double_reads_back(bits in any::<u64>(), small in -1e18f64..1e18) {
                for f in [f64::from_bits(bits), small, small.trunc()] {
                    if !f.is_finite() {
                        continue;
                    }
                    let v = Value::from(f);
                    let sensitive = (TWO_53..TWO_64).contains(&f.abs());
                    match canonicalize(&v) {
                        Ok(text) => {
                            let back = parse(&text).unwrap_or_else(|e| panic!("{text}: {e}"));
                            prop_assert_eq!(back.as_f64(), Some(f), "{}", text);
                            prop_assert_eq!(canonicalize(&back), Ok(text.clone()));
                        }
                        Err(e) => {
                            prop_assert!(sensitive, "{f:e} refused: {e}");
                            prop_assert_ne!(format!("{f:.0}"), shortest(f.abs()));
                        }
                    }
                }
            }

            /// A decimal written with up to 17 digits is accepted exactly when it
            /// is the value of the double it parses to, digit for digit.
            #[test]
            fn decimals_are_accepted_only_when_exact(m in 1u64..100_000_000_000_000_000, e in -340i32..320) {
                let text = format!("{m}e{e}");
                let f: f64 = text.parse().unwrap();
                let got = parse(&text);
                if let Ok(v) = &got {
                    prop_assert_eq!(v.as_f64(), Some(f));
                }
                // Independent oracle: Rust's own shortest digits of f, normalized,
                // against the written digits, normalized.
                let norm = |digits: String, pow: i64| {
                    let t = digits.trim_end_matches('0');
                    (t.to_string(), pow + (digits.len() - t.len()) as i64)
                };
                let written = norm(m.to_string(), i64::from(e));
                // ECMAScript's form, read back as digits and a power of ten.
                let shortest_form = if f == 0.0 || !f.is_finite() {
                    None
                } else {
                    let js = ryu_js::Buffer::new().format_finite(f).to_string();
                    let (mant, x) = js.split_once('e').unwrap_or((&js, "0"));
                    let x: i64 = x.trim_start_matches('+').parse().unwrap();
                    let (int, frac) = mant.split_once('.').unwrap_or((mant, ""));
                    let digits = format!("{int}{frac}").trim_start_matches('0').to_string();
                    Some(norm(digits, x - frac.len() as i64))
                };
                // Between 2^53 and 2^64 the written value must be the double's
                // exact integer value (written normalized, so `…80e-1` is `…8`).
                let written_int = match u64::try_from(written.1) {
                    Ok(zeros) => format!("{}{}", written.0, "0".repeat(zeros as usize)),
                    Err(_) => String::new(),
                };
                let sensitive_ok =
                    !(TWO_53..TWO_64).contains(&f.abs()) || format!("{f:.0}") == written_int;
                let exact = shortest_form.as_ref() == Some(&written) && sensitive_ok;
                prop_assert_eq!(got.is_ok(), exact, "{}", text);
            }
        }
    }

    #[test]
    fn integral_doubles_in_args_are_refused() {
        // Issue 10, item 7: {"a":1.0} and {"a":1} hash alike but are an int and a double.
        for text in [
            r#"{"a":1.0}"#,
            r#"{"a":[1e0]}"#,
            r#"{"a":-0.0}"#,
            r#"{"a":4.5e15}"#,
        ] {
            let v = parse(text).unwrap();
            let e = validate_args(&v).expect_err(text);
            assert!(matches!(e, JsonError::IntegralDouble { .. }), "{text}: {e}");
        }
        let e = validate_args(&parse(r#"{"a":1.0}"#).unwrap()).unwrap_err();
        assert!(e.to_string().contains("as the integer 1"), "{e}");
        for text in [
            r#"{"a":1}"#,
            r#"{"a":1.5}"#,
            r#"{"a":1e21}"#,
            r#"{"a":9007199254740992}"#,
        ] {
            validate_args(&parse(text).unwrap()).unwrap_or_else(|e| panic!("{text}: {e}"));
        }
    }

    #[test]
    fn deep_nesting_is_a_limit_not_a_crash() {
        let deep = "[".repeat(100_000);
        assert_eq!(parse(&deep), Err(JsonError::TooDeep));
    }
}
