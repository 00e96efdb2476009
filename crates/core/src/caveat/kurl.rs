//! The Kubernetes URL library (`url()`, `isURL()` and the `getScheme()`,
//! `getHost()`, ... accessors, k8s.io/apiserver/pkg/cel/library/urls.go):
//! a URL value is what Go's `net/url` makes of the text, because that is
//! what Kubernetes evaluates. `url(s)` succeeds when `url.ParseRequestURI(s)`
//! does and then holds `url.Parse(s)`; this file follows those two functions
//! (golang/go src/net/url/url.go) step by step, so an accepted caveat means
//! exactly what it means in a Kubernetes policy.

use std::rc::Rc;

use super::ext::{str_cost, Meter};
use super::value::{List, Map, Val};
use super::CaveatError;

/// The functions of the library.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum KurlFn {
    Url,
    IsUrl,
    GetScheme,
    GetHost,
    GetHostname,
    GetPort,
    GetEscapedPath,
    GetQuery,
}

/// Steps per 64 bytes parsed or escaped: Go's URL rules cost about four
/// times the work per byte of a plain string scan.
const PARSE_WEIGHT: u64 = 4;

/// Global functions: `url(s)`, `isURL(s)` (one argument each).
pub(crate) fn global(name: &str) -> Option<(KurlFn, usize, usize)> {
    Some(match name {
        "url" => (KurlFn::Url, 1, 1),
        "isURL" => (KurlFn::IsUrl, 1, 1),
        _ => return None,
    })
}

/// Methods of a URL value (no arguments besides the receiver).
pub(crate) fn method(name: &str) -> Option<(KurlFn, usize, usize)> {
    Some(match name {
        "getScheme" => (KurlFn::GetScheme, 0, 0),
        "getHost" => (KurlFn::GetHost, 0, 0),
        "getHostname" => (KurlFn::GetHostname, 0, 0),
        "getPort" => (KurlFn::GetPort, 0, 0),
        "getEscapedPath" => (KurlFn::GetEscapedPath, 0, 0),
        "getQuery" => (KurlFn::GetQuery, 0, 0),
        _ => return None,
    })
}

/// A parsed URL: the fields of Go's `url.URL` the accessors read. Host and
/// path are kept as bytes, as Go keeps them: percent-decoding can produce
/// bytes that are not UTF-8, and an accessor returning such text is an error.
#[derive(Debug, PartialEq, Eq)]
pub(crate) struct GoUrl {
    /// The text `url()` was given (for messages and tests).
    pub src: String,
    scheme: String,
    host: Vec<u8>,
    /// `Path`, decoded.
    path: Vec<u8>,
    /// The escaped path as written (Go's `RawPath` hint, before the check
    /// that drops it when it equals the default escaping).
    raw_path: String,
    raw_query: String,
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Mode {
    Path,
    Host,
    Zone,
    UserPassword,
    QueryComponent,
    Fragment,
}

fn is_alnum(c: u8) -> bool {
    c.is_ascii_alphanumeric()
}

/// Go's `shouldEscape` for the modes these functions use.
fn should_escape(c: u8, mode: Mode) -> bool {
    if is_alnum(c) {
        return false;
    }
    if (mode == Mode::Host || mode == Mode::Zone)
        && matches!(
            c,
            b'!' | b'$'
                | b'&'
                | b'\''
                | b'('
                | b')'
                | b'*'
                | b'+'
                | b','
                | b';'
                | b'='
                | b':'
                | b'['
                | b']'
                | b'<'
                | b'>'
                | b'"'
        )
    {
        return false;
    }
    match c {
        b'-' | b'_' | b'.' | b'~' => return false,
        b'$' | b'&' | b'+' | b',' | b'/' | b':' | b';' | b'=' | b'?' | b'@' => match mode {
            Mode::Path => return c == b'?',
            Mode::UserPassword => return matches!(c, b'@' | b'/' | b'?' | b':'),
            Mode::QueryComponent => return true,
            Mode::Fragment => return false,
            Mode::Host | Mode::Zone => {}
        },
        _ => {}
    }
    if mode == Mode::Fragment && matches!(c, b'!' | b'(' | b')' | b'*') {
        return false;
    }
    true
}

fn unhex(c: u8) -> u8 {
    match c {
        b'0'..=b'9' => c - b'0',
        b'a'..=b'f' => c - b'a' + 10,
        b'A'..=b'F' => c - b'A' + 10,
        _ => 0,
    }
}

/// Go's `unescape`: checks every `%` is followed by two hex digits (and, in
/// a host, that only non-ASCII bytes or `%25` are escaped; that a host has
/// no byte that needs escaping), then decodes (`+` is a space in a query).
fn unescape(s: &str, mode: Mode) -> Result<Vec<u8>, String> {
    let b = s.as_bytes();
    let mut i = 0;
    while i < b.len() {
        match b[i] {
            b'%' => {
                if i + 2 >= b.len()
                    || !b[i + 1].is_ascii_hexdigit()
                    || !b[i + 2].is_ascii_hexdigit()
                {
                    let end = (i + 3).min(b.len());
                    return Err(format!(
                        "invalid URL escape {:?}",
                        String::from_utf8_lossy(&b[i..end])
                    ));
                }
                let esc = &s[i..i + 3];
                if mode == Mode::Host && unhex(b[i + 1]) < 8 && esc != "%25" {
                    return Err(format!("invalid URL escape {esc:?}"));
                }
                if mode == Mode::Zone {
                    let v = (unhex(b[i + 1]) << 4) | unhex(b[i + 2]);
                    if esc != "%25" && v != b' ' && should_escape(v, Mode::Host) {
                        return Err(format!("invalid URL escape {esc:?}"));
                    }
                }
                i += 3;
            }
            c => {
                if (mode == Mode::Host || mode == Mode::Zone) && c < 0x80 && should_escape(c, mode)
                {
                    return Err(format!(
                        "invalid character {:?} in host name",
                        char::from(c)
                    ));
                }
                i += 1;
            }
        }
    }
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        match b[i] {
            b'%' => {
                out.push((unhex(b[i + 1]) << 4) | unhex(b[i + 2]));
                i += 3;
            }
            b'+' if mode == Mode::QueryComponent => {
                out.push(b' ');
                i += 1;
            }
            c => {
                out.push(c);
                i += 1;
            }
        }
    }
    Ok(out)
}

/// Go's `escape` in path mode (upper-case hex digits).
fn escape_path(s: &[u8]) -> String {
    const HEX: &[u8; 16] = b"0123456789ABCDEF";
    let mut out = String::with_capacity(s.len());
    for &c in s {
        if should_escape(c, Mode::Path) {
            out.push('%');
            out.push(char::from(HEX[usize::from(c >> 4)]));
            out.push(char::from(HEX[usize::from(c & 15)]));
        } else {
            out.push(char::from(c));
        }
    }
    out
}

/// Go's `validEncoded` in path mode.
fn valid_encoded_path(s: &str) -> bool {
    s.bytes().all(|c| {
        matches!(
            c,
            b'!' | b'$'
                | b'&'
                | b'\''
                | b'('
                | b')'
                | b'*'
                | b'+'
                | b','
                | b';'
                | b'='
                | b':'
                | b'@'
                | b'['
                | b']'
                | b'%'
        ) || !should_escape(c, Mode::Path)
    })
}

/// Go's `validOptionalPort`: empty, or `:` and digits.
fn valid_optional_port(p: &str) -> bool {
    p.is_empty() || (p.starts_with(':') && p[1..].bytes().all(|b| b.is_ascii_digit()))
}

/// Go's `validUserinfo` (RFC 3986 §3.2.1, plus `%` and `@`).
fn valid_userinfo(s: &str) -> bool {
    s.chars().all(|r| {
        r.is_ascii_alphanumeric()
            || matches!(
                r,
                '-' | '.'
                    | '_'
                    | ':'
                    | '~'
                    | '!'
                    | '$'
                    | '&'
                    | '\''
                    | '('
                    | ')'
                    | '*'
                    | '+'
                    | ','
                    | ';'
                    | '='
                    | '%'
                    | '@'
            )
    })
}

/// Go's `getScheme`: `(scheme, rest)`.
fn split_scheme(raw: &str) -> Result<(&str, &str), String> {
    for (i, c) in raw.bytes().enumerate() {
        match c {
            b'a'..=b'z' | b'A'..=b'Z' => {}
            b'0'..=b'9' | b'+' | b'-' | b'.' => {
                if i == 0 {
                    return Ok(("", raw));
                }
            }
            b':' => {
                if i == 0 {
                    return Err("missing protocol scheme".into());
                }
                return Ok((&raw[..i], &raw[i + 1..]));
            }
            _ => return Ok(("", raw)),
        }
    }
    Ok(("", raw))
}

/// Go's `parseHost`: the host (with its port), decoded.
fn parse_host(host: &str) -> Result<Vec<u8>, String> {
    if host.starts_with('[') {
        let i = host
            .rfind(']')
            .ok_or_else(|| "missing ']' in host".to_string())?;
        let colon_port = &host[i + 1..];
        if !valid_optional_port(colon_port) {
            return Err(format!("invalid port {colon_port:?} after host"));
        }
        if let Some(zone) = host[..i].find("%25") {
            let mut out = unescape(&host[..zone], Mode::Host)?;
            out.extend(unescape(&host[zone..i], Mode::Zone)?);
            out.extend(unescape(&host[i..], Mode::Host)?);
            return Ok(out);
        }
    } else if let Some(i) = host.rfind(':') {
        let colon_port = &host[i..];
        if !valid_optional_port(colon_port) {
            return Err(format!("invalid port {colon_port:?} after host"));
        }
    }
    unescape(host, Mode::Host)
}

/// Go's `parse(rawURL, viaRequest)`, without the fragment (which `Parse`
/// cuts off first and `ParseRequestURI` does not know).
fn parse(raw: &str, via_request: bool) -> Result<GoUrl, String> {
    if raw.bytes().any(|b| b < b' ' || b == 0x7f) {
        return Err("net/url: invalid control character in URL".into());
    }
    if raw.is_empty() && via_request {
        return Err("empty url".into());
    }
    let mut u = GoUrl {
        src: String::new(),
        scheme: String::new(),
        host: Vec::new(),
        path: Vec::new(),
        raw_path: String::new(),
        raw_query: String::new(),
    };
    if raw == "*" {
        u.path = b"*".to_vec();
        u.raw_path = "*".into();
        return Ok(u);
    }
    let (scheme, rest) = split_scheme(raw)?;
    u.scheme = scheme.to_ascii_lowercase();
    let mut rest = if rest.ends_with('?') && rest.matches('?').count() == 1 {
        &rest[..rest.len() - 1]
    } else {
        match rest.split_once('?') {
            Some((r, q)) => {
                u.raw_query = q.to_string();
                r
            }
            None => rest,
        }
    };
    if !rest.starts_with('/') {
        if !u.scheme.is_empty() {
            // A rootless path after a scheme is opaque (`mailto:a@b`): no
            // host, no path.
            return Ok(u);
        }
        if via_request {
            return Err("invalid URI for request".into());
        }
        let segment = rest.split('/').next().unwrap_or("");
        if segment.contains(':') {
            return Err("first path segment in URL cannot contain colon".into());
        }
    }
    if (!u.scheme.is_empty() || (!via_request && !rest.starts_with("///")))
        && rest.starts_with("//")
    {
        let mut authority = &rest[2..];
        rest = "";
        if let Some(i) = authority.find('/') {
            rest = &authority[i..];
            authority = &authority[..i];
        }
        u.host = match authority.rfind('@') {
            None => parse_host(authority)?,
            Some(i) => {
                let host = parse_host(&authority[i + 1..])?;
                let userinfo = &authority[..i];
                if !valid_userinfo(userinfo) {
                    return Err("net/url: invalid userinfo".into());
                }
                match userinfo.split_once(':') {
                    None => {
                        unescape(userinfo, Mode::UserPassword)?;
                    }
                    Some((user, pass)) => {
                        unescape(user, Mode::UserPassword)?;
                        unescape(pass, Mode::UserPassword)?;
                    }
                }
                host
            }
        };
    }
    u.path = unescape(rest, Mode::Path)?;
    u.raw_path = rest.to_string();
    Ok(u)
}

/// `isURL(s)`: Go's `url.ParseRequestURI(s)` succeeds.
fn is_url(s: &str) -> bool {
    parse(s, true).is_ok()
}

/// `url(s)`: `ParseRequestURI(s)` must succeed; the value is `Parse(s)`.
pub(crate) fn parse_k8s(s: &str) -> Result<GoUrl, String> {
    let bad =
        |e: String| format!("URL parse error during conversion from string: parse {s:?}: {e}");
    parse(s, true).map_err(bad)?;
    let (before, frag) = match s.split_once('#') {
        Some((b, f)) => (b, Some(f)),
        None => (s, None),
    };
    let mut u = parse(before, false).map_err(bad)?;
    if let Some(f) = frag {
        unescape(f, Mode::Fragment).map_err(bad)?;
    }
    u.src = s.to_string();
    Ok(u)
}

impl GoUrl {
    /// Go's `splitHostPort` on the host: `(hostname, port)`.
    fn split_host_port(&self) -> (&[u8], &[u8]) {
        let h = self.host.as_slice();
        let (mut host, mut port): (&[u8], &[u8]) = (h, b"");
        if let Some(colon) = h.iter().rposition(|&b| b == b':') {
            let tail = &h[colon..];
            if tail[1..].iter().all(u8::is_ascii_digit) {
                host = &h[..colon];
                port = &h[colon + 1..];
            }
        }
        if host.len() >= 2 && host.starts_with(b"[") && host.ends_with(b"]") {
            host = &host[1..host.len() - 1];
        }
        (host, port)
    }

    /// Go's `EscapedPath`: the path as written when it is a valid escaping
    /// that differs from the default one, else the default escaping.
    fn escaped_path(&self) -> String {
        let default = escape_path(&self.path);
        if self.raw_path != default && valid_encoded_path(&self.raw_path) {
            return self.raw_path.clone();
        }
        if self.path == b"*" {
            return "*".into();
        }
        default
    }
}

fn text<'a>(f: &str, b: &[u8]) -> Result<Val<'a>, CaveatError> {
    match std::str::from_utf8(b) {
        Ok(s) => Ok(Val::owned_str(s.to_string())),
        Err(_) => Err(CaveatError::eval(format!(
            "{f}(): the URL's percent-encoding decodes to bytes that are not UTF-8"
        ))),
    }
}

/// Calls `f` on evaluated arguments (the receiver first).
pub(crate) fn call<'a>(
    m: &mut dyn Meter,
    f: KurlFn,
    args: &[Val<'a>],
) -> Result<Val<'a>, CaveatError> {
    let name = match f {
        KurlFn::Url => "url",
        KurlFn::IsUrl => "isURL",
        KurlFn::GetScheme => "getScheme",
        KurlFn::GetHost => "getHost",
        KurlFn::GetHostname => "getHostname",
        KurlFn::GetPort => "getPort",
        KurlFn::GetEscapedPath => "getEscapedPath",
        KurlFn::GetQuery => "getQuery",
    };
    if matches!(f, KurlFn::Url | KurlFn::IsUrl) {
        let Val::Str(s) = &args[0] else {
            return Err(CaveatError::eval(format!(
                "no such overload: {name}() needs a string, got {}",
                super::eval::a_type(&args[0])
            )));
        };
        let s = s.as_str();
        // Parsing is linear in the text, about four times the work per byte
        // of the string functions (measured, docs/benchmarks.md), and
        // `url()` parses it twice.
        let per_parse = str_cost(s.len()).saturating_mul(PARSE_WEIGHT);
        let parses = if f == KurlFn::Url { 2 } else { 1 };
        m.charge(per_parse.saturating_mul(parses).saturating_add(1))?;
        return Ok(if f == KurlFn::IsUrl {
            Val::Bool(is_url(s))
        } else {
            Val::Url(Rc::new(parse_k8s(s).map_err(CaveatError::eval)?))
        });
    }
    let Val::Url(u) = &args[0] else {
        return Err(CaveatError::eval(format!(
            "no such overload: {name}() is a method of a URL (url(s).{name}()), got {}",
            super::eval::a_type(&args[0])
        )));
    };
    m.charge(str_cost(u.src.len()).saturating_add(1))?;
    match f {
        KurlFn::GetScheme => Ok(Val::owned_str(u.scheme.clone())),
        KurlFn::GetHost => text(name, &u.host),
        KurlFn::GetHostname => text(name, u.split_host_port().0),
        KurlFn::GetPort => text(name, u.split_host_port().1),
        KurlFn::GetEscapedPath => {
            // The escaped path is at most three times the decoded one, built
            // a byte at a time.
            m.charge(str_cost(u.path.len().saturating_mul(3)).saturating_mul(PARSE_WEIGHT))?;
            Ok(Val::owned_str(u.escaped_path()))
        }
        _ => query(m, &u.raw_query),
    }
}

/// Go's `URL.Query()`: `key=value` pairs split on `&`, keys and values
/// query-unescaped, repeated keys collecting their values in order; a pair
/// with a `;` or a bad escape is dropped silently (as `Query()` does).
fn query<'a>(m: &mut dyn Meter, raw: &str) -> Result<Val<'a>, CaveatError> {
    let mut entries: Vec<(String, Vec<Val<'a>>)> = Vec::new();
    for pair in raw.split('&') {
        m.charge(1)?;
        if pair.contains(';') || pair.is_empty() {
            continue;
        }
        let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
        let (Ok(k), Ok(v)) = (
            unescape(k, Mode::QueryComponent),
            unescape(v, Mode::QueryComponent),
        ) else {
            continue;
        };
        let (Ok(k), Ok(v)) = (String::from_utf8(k), String::from_utf8(v)) else {
            return Err(CaveatError::eval(
                "getQuery(): the URL's query decodes to bytes that are not UTF-8",
            ));
        };
        // Finding the key again costs one step per distinct key passed.
        let at = entries.iter().position(|(key, _)| *key == k);
        m.charge(at.map_or(entries.len(), |i| i + 1) as u64)?;
        match at {
            Some(i) => entries[i].1.push(Val::owned_str(v)),
            None => entries.push((k, vec![Val::owned_str(v)])),
        }
    }
    Ok(Val::Map(Map::Own(Rc::new(
        entries
            .into_iter()
            .map(|(k, vs)| (Val::owned_str(k), Val::List(List::Own(Rc::new(vs)))))
            .collect(),
    ))))
}
