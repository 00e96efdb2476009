//! `matches`: CEL patterns are RE2; Rust's `regex` is the same kind of
//! linear-time engine with nearly the same syntax. Where the two differ, the
//! pattern is translated (`\d`, `\w`, `\s`, `\b` are ASCII-only in RE2) or
//! refused, so an accepted pattern matches exactly what RE2 matches.

use regex::{Regex, RegexBuilder};

/// Compiled program size bound (bytes of the regex crate's internal program).
const SIZE_LIMIT: usize = 1 << 20;
/// Lazy DFA cache bound.
const DFA_SIZE_LIMIT: usize = 1 << 20;
/// Nesting bound of groups and repetitions inside one pattern.
const NEST_LIMIT: u32 = 32;

pub(crate) fn compile(pattern: &str) -> Result<Regex, String> {
    let translated = translate(pattern)?;
    RegexBuilder::new(&translated)
        .size_limit(SIZE_LIMIT)
        .dfa_size_limit(DFA_SIZE_LIMIT)
        .nest_limit(NEST_LIMIT)
        .build()
        .map_err(|e| {
            let first = e.to_string();
            let first = first
                .lines()
                .last()
                .unwrap_or("invalid pattern")
                .trim()
                .to_string();
            format!("regular expression {pattern:?} is not valid or too large: {first}")
        })
}

fn translate(p: &str) -> Result<String, String> {
    let refuse = |what: &str| {
        Err(format!("regular expression {p:?} uses {what}, which RE2 (CEL's regex syntax) reads differently; rewrite it without"))
    };
    let mut out = String::with_capacity(p.len() + 16);
    let mut chars = p.chars().peekable();
    let mut in_class = false;
    while let Some(c) = chars.next() {
        match c {
            '\\' => {
                let Some(e) = chars.next() else {
                    return Err(format!(
                        "regular expression {p:?} ends with a lone backslash"
                    ));
                };
                match (e, in_class) {
                    ('d', false) => out.push_str("[0-9]"),
                    ('D', false) => out.push_str("[^0-9]"),
                    ('w', false) => out.push_str("[0-9A-Za-z_]"),
                    ('W', false) => out.push_str("[^0-9A-Za-z_]"),
                    ('s', false) => out.push_str("[\\t\\n\\f\\r ]"),
                    ('S', false) => out.push_str("[^\\t\\n\\f\\r ]"),
                    ('d', true) => out.push_str("0-9"),
                    ('w', true) => out.push_str("0-9A-Za-z_"),
                    ('s', true) => out.push_str("\\t\\n\\f\\r "),
                    ('D' | 'W' | 'S', true) => {
                        return refuse("a negated class escape inside [...]")
                    }
                    ('b', false) => out.push_str("(?-u:\\b)"),
                    ('B', false) => out.push_str("(?-u:\\B)"),
                    ('p' | 'P' | 'x', _) => {
                        out.push('\\');
                        out.push(e);
                    }
                    ('A' | 'z' | 'a' | 'f' | 't' | 'n' | 'r' | 'v', _) => {
                        out.push('\\');
                        out.push(e);
                    }
                    ('<' | '>', _) => return refuse(&format!("the escape \\{e}")),
                    (e, _) if e.is_ascii_punctuation() => {
                        out.push('\\');
                        out.push(e);
                    }
                    _ => return refuse(&format!("the escape \\{e}")),
                }
            }
            '[' if in_class => {
                // Only POSIX classes like [:alpha:] nest in RE2; Rust would read
                // any other `[` as a nested class.
                if chars.peek() != Some(&':') {
                    return refuse("'[' inside a character class");
                }
                out.push('[');
                for c2 in chars.by_ref() {
                    out.push(c2);
                    if c2 == ']' {
                        break;
                    }
                }
            }
            '[' => {
                in_class = true;
                out.push('[');
                if chars.peek() == Some(&'^') {
                    out.push('^');
                    chars.next();
                }
                if chars.peek() == Some(&']') {
                    // A leading ']' is literal in both dialects.
                    out.push_str("\\]");
                    chars.next();
                }
            }
            ']' if in_class => {
                in_class = false;
                out.push(']');
            }
            '&' | '-' | '~' if in_class && chars.peek() == Some(&c) => {
                return refuse("'&&', '--' or '~~' inside a character class");
            }
            '(' if !in_class && chars.peek() == Some(&'?') => {
                out.push('(');
                out.push(chars.next().unwrap_or('?'));
                // Flags RE2 knows: i, m, s, U; and named groups `(?P<`, `(?<`.
                let mut rest = String::new();
                while let Some(&f) = chars.peek() {
                    if f == ':' || f == ')' || f == '<' || f == 'P' {
                        break;
                    }
                    if !matches!(f, 'i' | 'm' | 's' | 'U' | '-') {
                        return refuse(&format!("the flag {f:?}"));
                    }
                    rest.push(f);
                    chars.next();
                }
                out.push_str(&rest);
            }
            '{' if !in_class => {
                // RE2 refuses repetition counts above 1000; Rust would accept
                // them (up to its size limit).
                let digits: String = chars
                    .clone()
                    .take_while(|c| c.is_ascii_digit() || *c == ',')
                    .collect();
                if digits
                    .split(',')
                    .any(|d| d.len() > 4 || d.parse::<u32>().is_ok_and(|n| n > 1000))
                {
                    return refuse("a repetition count above 1000");
                }
                out.push('{');
            }
            _ => out.push(c),
        }
    }
    Ok(out)
}
