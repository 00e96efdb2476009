//! Charter's `url` checks for SSRF allow-lists, on URL strings: whether the
//! host is an IP literal in an internal range (in every notation browsers
//! accept for IPv4), whether userinfo is present, and whether the host is
//! already in its normal form. No DNS is consulted: a host name says nothing
//! here about the address it resolves to (contract/caveat-language.md,
//! "url").

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

use super::ext::{str_cost, Meter};
use super::value::Val;
use super::CaveatError;

/// The `url` functions.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum UrlFn {
    Host,
    HasUserinfo,
    HostIsInternal,
    HostIsNormal,
}

/// `url.host(s)`, `url.hasUserinfo(s)`, `url.hostIsInternal(s)`,
/// `url.hostIsNormal(s)`: the function, min and max arguments.
pub(crate) fn namespaced(name: &str) -> Option<(UrlFn, usize, usize)> {
    Some(match name {
        "host" => (UrlFn::Host, 1, 1),
        "hasUserinfo" => (UrlFn::HasUserinfo, 1, 1),
        "hostIsInternal" => (UrlFn::HostIsInternal, 1, 1),
        "hostIsNormal" => (UrlFn::HostIsNormal, 1, 1),
        _ => return None,
    })
}

/// The parts of an absolute URL `scheme://[userinfo@]host[:port][rest]`
/// these checks need. Refused, as ambiguous between parsers: anything
/// without `scheme://`, a backslash (browsers read it as `/` in http URLs,
/// Go and most servers do not), ASCII control characters, space and other
/// white space (browsers strip tabs and newlines inside a URL), and an
/// authority with more than one `@`.
struct Parts<'s> {
    userinfo: bool,
    host: &'s str,
}

fn parse(s: &str) -> Result<Parts<'_>, String> {
    if s.contains('\\') {
        return Err(format!(
            "URL {s:?} contains a backslash, which browsers read as '/' and other parsers do not"
        ));
    }
    if s.chars().any(|c| c.is_control() || c.is_whitespace()) {
        return Err(format!("URL {s:?} contains white space or a control character, which parsers strip or refuse differently"));
    }
    let (scheme, rest) = s
        .split_once("://")
        .ok_or_else(|| format!("URL {s:?} is not absolute (scheme://host...)"))?;
    let mut chars = scheme.chars();
    let valid_scheme = chars.next().is_some_and(|c| c.is_ascii_alphabetic())
        && chars.all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.'));
    if !valid_scheme {
        return Err(format!("URL {s:?} has no valid scheme"));
    }
    let end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
    let authority = &rest[..end];
    let (userinfo, hostport) = match authority.rsplit_once('@') {
        Some((u, h)) => {
            if u.contains('@') {
                return Err(format!("URL {s:?} has more than one '@' in its authority"));
            }
            (true, h)
        }
        None => (false, authority),
    };
    let host = if hostport.starts_with('[') {
        let close = hostport
            .find(']')
            .ok_or_else(|| format!("URL {s:?} has an unclosed '[' in its host"))?;
        let after = &hostport[close + 1..];
        if !(after.is_empty() || after.starts_with(':')) {
            return Err(format!("URL {s:?} has text after its IPv6 host"));
        }
        &hostport[..=close]
    } else {
        match hostport.rsplit_once(':') {
            Some((h, port)) if port.bytes().all(|b| b.is_ascii_digit()) => h,
            Some(_) => return Err(format!("URL {s:?} has a port that is not a number")),
            None => hostport,
        }
    };
    if host.is_empty() {
        return Err(format!("URL {s:?} has an empty host"));
    }
    Ok(Parts { userinfo, host })
}

/// One part of a WHATWG IPv4 address: decimal, `0x` hexadecimal, or octal
/// with a leading `0`, as browsers accept it.
fn v4_part(p: &str) -> Option<u64> {
    if p.is_empty() {
        return None;
    }
    let (digits, radix) = if let Some(h) = p.strip_prefix("0x").or_else(|| p.strip_prefix("0X")) {
        (h, 16)
    } else if p.len() > 1 && p.starts_with('0') {
        (&p[1..], 8)
    } else {
        (p, 10)
    };
    if digits.is_empty() {
        return Some(0);
    }
    if digits.len() > 20 {
        return None;
    }
    u64::from_str_radix(digits, radix).ok()
}

/// The WHATWG URL standard's IPv4 parser: one to four dot-separated parts
/// (a trailing dot allowed), the last filling the remaining bytes, so
/// `127.1`, `2130706433`, `0x7f.0.0.1` and `0177.0.0.1` are all 127.0.0.1.
/// `None` when the host is not an IPv4 address in that sense.
fn whatwg_v4(host: &str) -> Option<Ipv4Addr> {
    let h = host.strip_suffix('.').unwrap_or(host);
    let parts: Vec<&str> = h.split('.').collect();
    if parts.is_empty() || parts.len() > 4 {
        return None;
    }
    let nums: Vec<u64> = parts.iter().map(|p| v4_part(p)).collect::<Option<_>>()?;
    let (last, head) = nums.split_last()?;
    if head.iter().any(|&n| n > 255) {
        return None;
    }
    let room = 8 * (5 - nums.len() as u32);
    if room < 64 && *last >= 1u64 << room {
        return None;
    }
    let mut v: u64 = *last;
    for (i, n) in head.iter().enumerate() {
        v |= n << (8 * (3 - i as u32));
    }
    Some(Ipv4Addr::from(v as u32))
}

/// The host as an IP address, if it is a literal: bracketed IPv6, or IPv4
/// in any WHATWG notation.
fn host_ip(host: &str) -> Option<IpAddr> {
    if let Some(inner) = host.strip_prefix('[').and_then(|h| h.strip_suffix(']')) {
        let inner = inner.split('%').next().unwrap_or(inner);
        return inner.parse::<Ipv6Addr>().ok().map(IpAddr::V6);
    }
    whatwg_v4(host).map(IpAddr::V4)
}

/// Internal IPv4: this network `0.0.0.0/8`, private `10/8`, `172.16/12`,
/// `192.168/16`, shared `100.64/10`, loopback `127/8`, link-local
/// `169.254/16`, IETF protocol assignments `192.0.0.0/24`, benchmarking
/// `198.18/15`, multicast and reserved `224/3`.
fn v4_internal(a: Ipv4Addr) -> bool {
    let [o0, o1, o2, _] = a.octets();
    o0 == 0
        || o0 == 10
        || (o0 == 172 && (16..32).contains(&o1))
        || (o0 == 192 && o1 == 168)
        || (o0 == 100 && (64..128).contains(&o1))
        || o0 == 127
        || (o0 == 169 && o1 == 254)
        || (o0 == 192 && o1 == 0 && o2 == 0)
        || (o0 == 198 && (o1 == 18 || o1 == 19))
        || o0 >= 224
}

/// Internal IPv6: unspecified, loopback, unique local `fc00::/7`,
/// link-local `fe80::/10`, site-local `fec0::/10`, multicast `ff00::/8`, and
/// any address that embeds an IPv4 address (mapped `::ffff:0:0/96`,
/// compatible `::/96`, NAT64 `64:ff9b::/96`, 6to4 `2002::/16`) whose IPv4
/// address is internal.
fn v6_internal(a: Ipv6Addr) -> bool {
    let s = a.segments();
    let embedded =
        |hi: u16, lo: u16| v4_internal(Ipv4Addr::from((u32::from(hi) << 16) | u32::from(lo)));
    a.is_unspecified()
        || a.is_loopback()
        || (s[0] & 0xfe00) == 0xfc00
        || (s[0] & 0xffc0) == 0xfe80
        || (s[0] & 0xffc0) == 0xfec0
        || (s[0] & 0xff00) == 0xff00
        || (s[..5] == [0; 5] && (s[5] == 0xffff || s[5] == 0) && embedded(s[6], s[7]))
        || (s[..6] == [0x64, 0xff9b, 0, 0, 0, 0] && embedded(s[6], s[7]))
        || (s[0] == 0x2002 && embedded(s[1], s[2]))
}

/// Whether the host is already what a browser would send: lowercase ASCII
/// letters, digits, `-` and `.`, no trailing dot, no percent-encoding, no
/// non-ASCII (IDNA would map it to `xn--` form), unchanged by IDNA's
/// domain-to-ASCII, an IPv4 literal only in dotted decimal, an IPv6 literal
/// only in its canonical (RFC 5952) form.
fn host_is_normal(host: &str) -> bool {
    if let Some(inner) = host.strip_prefix('[').and_then(|h| h.strip_suffix(']')) {
        return inner
            .parse::<Ipv6Addr>()
            .is_ok_and(|a| a.to_string() == inner);
    }
    if host.ends_with('.')
        || host.starts_with('.')
        || host.contains("..")
        || !host
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-' || b == b'.')
    {
        return false;
    }
    match whatwg_v4(host) {
        Some(a) => a.to_string() == host,
        // Not an address: a final label of digits only would be read as one
        // by browsers and refused. Any other name must come out of the
        // URL Standard's domain-to-ASCII (UTS 46, non-transitional, as
        // browsers apply it) unchanged: that rejects a Punycode label
        // (`xn--...`) that does not decode, or decodes to text IDNA would
        // map, normalize or refuse (upper case, a disallowed code point, a
        // broken bidi rule), so the name compared is the name contacted.
        None => {
            !host
                .rsplit('.')
                .next()
                .is_some_and(|l| l.bytes().all(|b| b.is_ascii_digit()))
                && idna::domain_to_ascii_cow(host.as_bytes(), idna::AsciiDenyList::URL)
                    .is_ok_and(|a| a == host)
        }
    }
}

/// Calls `f` on evaluated arguments.
pub(crate) fn call<'a>(
    m: &mut dyn Meter,
    f: UrlFn,
    args: &[Val<'a>],
) -> Result<Val<'a>, CaveatError> {
    let name = match f {
        UrlFn::Host => "url.host",
        UrlFn::HasUserinfo => "url.hasUserinfo",
        UrlFn::HostIsInternal => "url.hostIsInternal",
        UrlFn::HostIsNormal => "url.hostIsNormal",
    };
    let Val::Str(s) = &args[0] else {
        return Err(CaveatError::eval(format!(
            "no such overload: {name}() needs a string, got {}",
            super::eval::a_type(&args[0])
        )));
    };
    let s = s.as_str();
    m.charge(str_cost(s.len()).saturating_add(1))?;
    let p = parse(s).map_err(CaveatError::eval)?;
    Ok(match f {
        UrlFn::Host => Val::owned_str(p.host.to_string()),
        UrlFn::HasUserinfo => Val::Bool(p.userinfo),
        UrlFn::HostIsInternal => {
            // Browsers percent-decode a host and map it through IDNA before
            // reading it as an address (`%31%32%37.0.0.1` and fullwidth
            // digits are 127.0.0.1): such a host cannot be judged here.
            if p.host.contains('%') && !p.host.starts_with('[') {
                return Err(CaveatError::eval(format!(
                    "URL {s:?} has a percent-encoded host, which browsers decode before reading it; refuse it"
                )));
            }
            if !p.host.is_ascii() {
                return Err(CaveatError::eval(format!(
                    "URL {s:?} has a non-ASCII host, which IDNA may map to an address; refuse it or require url.hostIsNormal"
                )));
            }
            let h = p.host.to_ascii_lowercase();
            let by_name = h == "localhost"
                || h == "localhost."
                || h.ends_with(".localhost")
                || h.ends_with(".localhost.");
            Val::Bool(
                by_name
                    || match host_ip(&h) {
                        Some(IpAddr::V4(a)) => v4_internal(a),
                        Some(IpAddr::V6(a)) => v6_internal(a),
                        None => false,
                    },
            )
        }
        UrlFn::HostIsNormal => Val::Bool(host_is_normal(p.host)),
    })
}
