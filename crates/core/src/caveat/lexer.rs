//! Tokens of CEL's lexical grammar, written by hand so every literal is decoded
//! exactly as CEL decodes it and nothing outside the subset slips through.

use super::CaveatError;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Sym {
    EqEq,
    Ne,
    Lt,
    Le,
    Gt,
    Ge,
    AndAnd,
    OrOr,
    Not,
    Question,
    Colon,
    Plus,
    Minus,
    Star,
    Slash,
    Percent,
    Dot,
    Comma,
    LParen,
    RParen,
    LBracket,
    RBracket,
    LBrace,
    RBrace,
}

#[derive(Clone, Debug, PartialEq)]
pub(crate) enum Tok {
    /// Magnitude of an integer literal; the sign is applied by the parser
    /// (CEL folds `-9223372036854775808` into one literal).
    Int(u64),
    Uint(u64),
    Double(f64),
    Str(String),
    Ident(String),
    /// A backquoted field name: ``m.`content-type` ``.
    Quoted(String),
    Sym(Sym),
    Eof,
}

#[derive(Clone, Debug)]
pub(crate) struct Token {
    pub tok: Tok,
    pub at: usize,
}

fn syntax(at: usize, msg: impl Into<String>) -> CaveatError {
    CaveatError::Syntax {
        at,
        msg: msg.into(),
    }
}

fn unsupported(at: usize, what: impl Into<String>) -> CaveatError {
    CaveatError::Unsupported {
        at,
        what: what.into(),
    }
}

pub(crate) fn tokenize(src: &str) -> Result<Vec<Token>, CaveatError> {
    let b = src.as_bytes();
    let mut i = 0;
    let mut out = Vec::new();
    while i < b.len() {
        let c = b[i];
        match c {
            b' ' | b'\t' | b'\n' | b'\r' | 0x0c => {
                i += 1;
                continue;
            }
            b'/' if b.get(i + 1) == Some(&b'/') => {
                while i < b.len() && b[i] != b'\n' {
                    i += 1;
                }
                continue;
            }
            _ => {}
        }
        let at = i;
        // String literals, with optional raw prefix; bytes literals are refused.
        if c == b'"' || c == b'\'' {
            let (s, n) = string_lit(src, i, false)?;
            out.push(Token {
                tok: Tok::Str(s),
                at,
            });
            i = n;
            continue;
        }
        if (c == b'r' || c == b'R') && matches!(b.get(i + 1), Some(b'"' | b'\'')) {
            let (s, n) = string_lit(src, i + 1, true)?;
            out.push(Token {
                tok: Tok::Str(s),
                at,
            });
            i = n;
            continue;
        }
        if (c == b'b' || c == b'B')
            && (matches!(b.get(i + 1), Some(b'"' | b'\''))
                || (matches!(b.get(i + 1), Some(b'r' | b'R'))
                    && matches!(b.get(i + 2), Some(b'"' | b'\''))))
        {
            return Err(unsupported(at, "bytes literals"));
        }
        if c.is_ascii_alphabetic() || c == b'_' {
            let mut j = i + 1;
            while j < b.len() && (b[j].is_ascii_alphanumeric() || b[j] == b'_') {
                j += 1;
            }
            out.push(Token {
                tok: Tok::Ident(src[i..j].to_string()),
                at,
            });
            i = j;
            continue;
        }
        if c == b'`' {
            let mut j = i + 1;
            while j < b.len()
                && (b[j].is_ascii_alphanumeric()
                    || matches!(b[j], b'_' | b'.' | b'-' | b'/' | b' '))
            {
                j += 1;
            }
            if j >= b.len() || b[j] != b'`' || j == i + 1 {
                return Err(syntax(at, "unterminated or invalid backquoted field name"));
            }
            out.push(Token {
                tok: Tok::Quoted(src[i + 1..j].to_string()),
                at,
            });
            i = j + 1;
            continue;
        }
        if c.is_ascii_digit() || (c == b'.' && b.get(i + 1).is_some_and(u8::is_ascii_digit)) {
            let (t, n) = number(src, i)?;
            out.push(Token { tok: t, at });
            i = n;
            continue;
        }
        let two = if i + 1 < b.len() {
            &b[i..i + 2]
        } else {
            &b[i..i + 1]
        };
        let (sym, len) = match two {
            b"==" => (Sym::EqEq, 2),
            b"!=" => (Sym::Ne, 2),
            b"<=" => (Sym::Le, 2),
            b">=" => (Sym::Ge, 2),
            b"&&" => (Sym::AndAnd, 2),
            b"||" => (Sym::OrOr, 2),
            _ => match c {
                b'<' => (Sym::Lt, 1),
                b'>' => (Sym::Gt, 1),
                b'!' => (Sym::Not, 1),
                b'?' => (Sym::Question, 1),
                b':' => (Sym::Colon, 1),
                b'+' => (Sym::Plus, 1),
                b'-' => (Sym::Minus, 1),
                b'*' => (Sym::Star, 1),
                b'/' => (Sym::Slash, 1),
                b'%' => (Sym::Percent, 1),
                b'.' => (Sym::Dot, 1),
                b',' => (Sym::Comma, 1),
                b'(' => (Sym::LParen, 1),
                b')' => (Sym::RParen, 1),
                b'[' => (Sym::LBracket, 1),
                b']' => (Sym::RBracket, 1),
                b'{' => (Sym::LBrace, 1),
                b'}' => (Sym::RBrace, 1),
                _ => {
                    let ch = src[i..].chars().next().unwrap_or('?');
                    return Err(syntax(at, format!("unexpected character {ch:?}")));
                }
            },
        };
        out.push(Token {
            tok: Tok::Sym(sym),
            at,
        });
        i += len;
    }
    out.push(Token {
        tok: Tok::Eof,
        at: b.len(),
    });
    Ok(out)
}

fn number(src: &str, start: usize) -> Result<(Tok, usize), CaveatError> {
    let b = src.as_bytes();
    let mut i = start;
    let digits = |i: &mut usize| {
        let s = *i;
        while *i < b.len() && b[*i].is_ascii_digit() {
            *i += 1;
        }
        *i - s
    };
    // CEL's grammar (NUM_INT, NUM_UINT) has only a lowercase 0x prefix.
    if b[i] == b'0' && b.get(i + 1) == Some(&b'X') {
        return Err(syntax(
            start,
            "hexadecimal literals start with a lowercase 0x in CEL; write 0x, not 0X",
        ));
    }
    if b[i] == b'0' && b.get(i + 1) == Some(&b'x') {
        i += 2;
        let s = i;
        while i < b.len() && b[i].is_ascii_hexdigit() {
            i += 1;
        }
        if i == s {
            return Err(syntax(start, "hexadecimal literal without digits"));
        }
        let v = u64::from_str_radix(&src[s..i], 16)
            .map_err(|_| syntax(start, "hexadecimal literal out of range"))?;
        return int_suffix(b, i, v, start);
    }
    let int_len = digits(&mut i);
    let mut is_float = false;
    if i < b.len() && b[i] == b'.' && b.get(i + 1).is_some_and(u8::is_ascii_digit) {
        i += 1;
        digits(&mut i);
        is_float = true;
    }
    if i < b.len() && matches!(b[i], b'e' | b'E') {
        let mut j = i + 1;
        if j < b.len() && matches!(b[j], b'+' | b'-') {
            j += 1;
        }
        if b.get(j).is_some_and(u8::is_ascii_digit) {
            i = j;
            digits(&mut i);
            is_float = true;
        }
    }
    if is_float {
        // Nothing is rounded silently: a literal must be exactly the double it
        // becomes, by the rule request numbers follow (see jcs::exact_double).
        let text = &src[start..i];
        let v = crate::jcs::exact_double(text).map_err(|e| match e {
            crate::jcs::NumberError::NonFinite => {
                syntax(start, "floating-point literal out of range")
            }
            crate::jcs::NumberError::Inexact { nearest } => syntax(
                start,
                format!(
                    "floating-point literal {text} is not exactly representable as a double \
                     (it would read as {nearest}); write a value a double holds exactly, \
                     or compare with an integer"
                ),
            ),
        })?;
        return Ok((Tok::Double(v), i));
    }
    debug_assert!(int_len > 0);
    let v: u64 = src[start..i]
        .parse()
        .map_err(|_| syntax(start, "integer literal out of range"))?;
    int_suffix(b, i, v, start)
}

fn int_suffix(b: &[u8], i: usize, v: u64, start: usize) -> Result<(Tok, usize), CaveatError> {
    if matches!(b.get(i), Some(b'u' | b'U')) {
        return Ok((Tok::Uint(v), i + 1));
    }
    if v > 1 << 63 {
        return Err(syntax(start, "integer literal out of range for int"));
    }
    Ok((Tok::Int(v), i))
}

/// Decodes a quoted string starting at the opening quote `q`. Returns the value
/// and the index after the closing quote.
fn string_lit(src: &str, q: usize, raw: bool) -> Result<(String, usize), CaveatError> {
    let b = src.as_bytes();
    let quote = b[q];
    let triple = b.len() >= q + 3 && b[q + 1] == quote && b[q + 2] == quote;
    let mut i = if triple { q + 3 } else { q + 1 };
    let mut out = String::new();
    loop {
        if i >= b.len() {
            return Err(syntax(q, "unterminated string literal"));
        }
        let c = b[i];
        if c == quote {
            if !triple {
                return Ok((out, i + 1));
            }
            if b.len() >= i + 3 && b[i + 1] == quote && b[i + 2] == quote {
                return Ok((out, i + 3));
            }
        }
        if !triple && (c == b'\n' || c == b'\r') {
            return Err(syntax(i, "newline in a single-line string literal"));
        }
        if c == b'\\' && !raw {
            let (ch, n) = escape(src, i)?;
            out.push(ch);
            i = n;
            continue;
        }
        if c == b'\\' && raw {
            // A raw string keeps every backslash; the next quote still ends
            // it, as in CEL's grammar.
            out.push('\\');
            i += 1;
            continue;
        }
        let ch = src[i..]
            .chars()
            .next()
            .expect("i is below src.len() and on a char boundary");
        out.push(ch);
        i += ch.len_utf8();
    }
}

fn escape(src: &str, i: usize) -> Result<(char, usize), CaveatError> {
    let b = src.as_bytes();
    let Some(&e) = b.get(i + 1) else {
        return Err(syntax(i, "unterminated escape sequence"));
    };
    let simple = match e {
        b'\\' => Some('\\'),
        b'?' => Some('?'),
        b'"' => Some('"'),
        b'\'' => Some('\''),
        b'`' => Some('`'),
        b'a' => Some('\u{7}'),
        b'b' => Some('\u{8}'),
        b'f' => Some('\u{c}'),
        b'n' => Some('\n'),
        b'r' => Some('\r'),
        b't' => Some('\t'),
        b'v' => Some('\u{b}'),
        _ => None,
    };
    if let Some(ch) = simple {
        return Ok((ch, i + 2));
    }
    let hex = |from: usize, n: usize| -> Result<u32, CaveatError> {
        let s = src
            .get(from..from + n)
            .filter(|s| s.bytes().all(|c| c.is_ascii_hexdigit()))
            .ok_or_else(|| syntax(i, "malformed hexadecimal escape"))?;
        Ok(u32::from_str_radix(s, 16).expect("at most 8 hex digits, all checked"))
    };
    let (code, next) = match e {
        b'x' | b'X' => (hex(i + 2, 2)?, i + 4),
        b'u' => (hex(i + 2, 4)?, i + 6),
        b'U' => (hex(i + 2, 8)?, i + 10),
        b'0'..=b'3' => {
            let s = src
                .get(i + 1..i + 4)
                .filter(|s| s.bytes().all(|c| (b'0'..=b'7').contains(&c)))
                .ok_or_else(|| syntax(i, "malformed octal escape"))?;
            (
                u32::from_str_radix(s, 8).expect("3 octal digits, all checked"),
                i + 4,
            )
        }
        _ => return Err(syntax(i, "unknown escape sequence")),
    };
    let ch = char::from_u32(code).ok_or_else(|| {
        syntax(
            i,
            "escape is not a Unicode scalar value (surrogate or too large)",
        )
    })?;
    Ok((ch, next))
}
