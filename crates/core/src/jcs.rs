//! Canonical JSON: a strict I-JSON (RFC 7493) parser and the RFC 8785 (JCS)
//! serializer. Hashes and signatures cover JCS bytes, so two peers agree on
//! them whatever their JSON library does with `100.0` or `1e21`.
//!
//! Numbers written without fraction or exponent are integers and must be safe
//! (|n| ≤ 2^53 − 1); others are IEEE doubles, and an integral double beyond
//! 2^53 is accepted only when it is exact. Nothing is ever silently rounded.

use serde_json::{Map, Number, Value};

/// Largest integer every peer (including JavaScript) represents exactly.
pub const MAX_SAFE_INTEGER: i64 = (1 << 53) - 1;
/// Nesting bound of JSON documents.
pub const MAX_DEPTH: usize = 64;

#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum JsonError {
    #[error("invalid JSON at byte {at}: {what}")]
    Syntax { at: usize, what: &'static str },
    #[error("duplicate key {key:?} in JSON object")]
    DuplicateKey { key: String },
    #[error(
        "JSON string has a lone surrogate \\u{code:04x}; I-JSON strings must be valid Unicode"
    )]
    LoneSurrogate { code: u32 },
    #[error("integer {literal} is beyond ±(2^53−1); pass it as a string to keep it exact")]
    UnsafeInteger { literal: String },
    #[error("number {literal} cannot be represented exactly as an IEEE double")]
    InexactNumber { literal: String },
    #[error("number {literal} is not finite")]
    NonFinite { literal: String },
    #[error("JSON nesting deeper than {MAX_DEPTH} levels")]
    TooDeep,
}

impl JsonError {
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
pub fn parse(text: &str) -> Result<Value, JsonError> {
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
pub fn validate(value: &Value) -> Result<(), JsonError> {
    fn walk(v: &Value, depth: usize) -> Result<(), JsonError> {
        if depth > MAX_DEPTH {
            return Err(JsonError::TooDeep);
        }
        match v {
            Value::Number(n) => check_number(n),
            Value::Array(a) => a.iter().try_for_each(|x| walk(x, depth + 1)),
            Value::Object(o) => o.values().try_for_each(|x| walk(x, depth + 1)),
            _ => Ok(()),
        }
    }
    walk(value, 1)
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
    } else if !n.as_f64().is_some_and(f64::is_finite) {
        return Err(JsonError::NonFinite {
            literal: n.to_string(),
        });
    }
    Ok(())
}

/// RFC 8785 canonical form of a valid value.
pub fn canonicalize(value: &Value) -> Result<String, JsonError> {
    validate(value)?;
    let mut out = String::new();
    write_value(&mut out, value);
    Ok(out)
}

/// Parses strictly, then canonicalizes.
pub fn canonicalize_str(text: &str) -> Result<String, JsonError> {
    let mut out = String::with_capacity(text.len());
    write_value(&mut out, &parse(text)?);
    Ok(out)
}

/// SHA-256 of the canonical form, as base64url: the `args` hash of permits and receipts.
pub fn hash(value: &Value) -> Result<String, JsonError> {
    use sha2::Digest;
    Ok(crate::b64::encode(sha2::Sha256::digest(
        canonicalize(value)?.as_bytes(),
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
        let f = n.as_f64().unwrap_or(0.0);
        if f == 0.0 {
            out.push('0'); // -0 serializes as 0 in ECMAScript
        } else {
            out.push_str(ryu_js::Buffer::new().format_finite(f));
        }
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
        let int_start = self.i;
        match self.s.get(self.i) {
            Some(b'0') => self.i += 1,
            Some(b'1'..=b'9') => {
                while let Some(b'0'..=b'9') = self.s.get(self.i) {
                    self.i += 1;
                }
            }
            _ => return Err(self.err("expected a digit")),
        }
        let int_digits = &self.s[int_start..self.i];
        let mut frac_digits: &[u8] = &[];
        if self.eat(b".") {
            let f = self.i;
            while let Some(b'0'..=b'9') = self.s.get(self.i) {
                self.i += 1;
            }
            if f == self.i {
                return Err(self.err("expected a digit after '.'"));
            }
            frac_digits = &self.s[f..self.i];
        }
        let mut exp: Option<i64> = None;
        if let Some(b'e' | b'E') = self.s.get(self.i) {
            self.i += 1;
            let neg = self.eat(b"-");
            if !neg {
                self.eat(b"+");
            }
            let e = self.i;
            while let Some(b'0'..=b'9') = self.s.get(self.i) {
                self.i += 1;
            }
            if e == self.i {
                return Err(self.err("expected a digit in the exponent"));
            }
            // Saturate: anything this large overflows or underflows a double anyway.
            let mag = std::str::from_utf8(&self.s[e..self.i])
                .unwrap_or("0")
                .parse::<i64>()
                .unwrap_or(100_000);
            exp = Some(if neg {
                -mag.min(100_000)
            } else {
                mag.min(100_000)
            });
        }
        let literal = std::str::from_utf8(&self.s[start..self.i])
            .unwrap_or_default()
            .to_string();
        if frac_digits.is_empty() && exp.is_none() {
            return match literal.parse::<i64>() {
                Ok(i) if i.unsigned_abs() <= MAX_SAFE_INTEGER as u64 => Ok(Value::Number(i.into())),
                _ => Err(JsonError::UnsafeInteger { literal }),
            };
        }
        let f: f64 = literal.parse().map_err(|_| self.err("bad number"))?;
        if !f.is_finite() {
            return Err(JsonError::NonFinite { literal });
        }
        if f.abs() > MAX_SAFE_INTEGER as f64 && f.fract() == 0.0 {
            // An integral value this large must be exactly the written one.
            let digits: Vec<u8> = int_digits.iter().chain(frac_digits).copied().collect();
            let shift = exp.unwrap_or(0) - frac_digits.len() as i64;
            if !integral_literal_equals(&digits, shift, f.abs()) {
                return Err(JsonError::InexactNumber { literal });
            }
        }
        Ok(Value::Number(
            Number::from_f64(f).ok_or(JsonError::NonFinite { literal })?,
        ))
    }
}

/// Whether `digits × 10^shift` is exactly the integer `value`.
fn integral_literal_equals(digits: &[u8], shift: i64, value: f64) -> bool {
    let exact = format!("{value:.0}"); // Rust prints every digit of an integral f64
    let trimmed: &[u8] = {
        let first = digits
            .iter()
            .position(|&d| d != b'0')
            .unwrap_or(digits.len());
        &digits[first..]
    };
    let mut written: Vec<u8> = trimmed.to_vec();
    if shift >= 0 {
        if shift > 400 {
            return false;
        }
        written.extend(std::iter::repeat_n(b'0', shift as usize));
    } else {
        let cut = (-shift) as usize;
        if cut > written.len() || written[written.len() - cut..].iter().any(|&d| d != b'0') {
            return false;
        }
        written.truncate(written.len() - cut);
    }
    written == exact.as_bytes()
}

#[cfg(test)]
mod tests {
    use super::*;

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
        // The shortest form of a double beyond 2^53 is not its exact value: refused, not rounded.
        assert!(matches!(
            parse("1.2345678901234568e20"),
            Err(JsonError::InexactNumber { .. })
        ));
        assert!(matches!(
            parse("123456789012345680000"),
            Err(JsonError::UnsafeInteger { .. })
        ));
        assert_eq!(jcs("9007199254740991"), "9007199254740991");
        assert_eq!(jcs("[1.5,-2.25e3]"), "[1.5,-2250]");
    }

    #[test]
    fn rejects_non_ijson() {
        assert!(matches!(
            parse("9007199254740992"),
            Err(JsonError::UnsafeInteger { .. })
        ));
        assert!(matches!(
            parse("-9007199254740992"),
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
    fn deep_nesting_is_a_limit_not_a_crash() {
        let deep = "[".repeat(100_000);
        assert_eq!(parse(&deep), Err(JsonError::TooDeep));
    }
}
