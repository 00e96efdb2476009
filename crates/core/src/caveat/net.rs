//! The Kubernetes CEL libraries for IP addresses and CIDR ranges
//! (`ip()`, `cidr()`, `isIP()`, `isCIDR()`, `ip.isCanonical()` and their
//! methods), with the meaning Kubernetes gives them: addresses parse as Go's
//! `netip.ParseAddr` does, with zones and IPv4-mapped IPv6 addresses refused.
//! Every function works on a bounded input (an address is at most 45 bytes
//! of text before it is refused), and costs its string's length like any
//! other string function.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

use super::ext::{str_cost, Meter};
use super::value::Val;
use super::CaveatError;

/// The IP and CIDR functions.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum NetFn {
    Ip,
    Cidr,
    IsIp,
    IsCidr,
    IsCanonical,
    Family,
    IsUnspecified,
    IsLoopback,
    IsLinkLocalMulticast,
    IsLinkLocalUnicast,
    IsGlobalUnicast,
    ContainsIp,
    ContainsCidr,
    PrefixLength,
    Masked,
}

/// Methods on IP and CIDR values: the function, min and max arguments besides
/// the receiver. `ip` is also a method (`cidr.ip()`).
pub(crate) fn method(name: &str) -> Option<(NetFn, usize, usize)> {
    use NetFn::*;
    Some(match name {
        "family" => (Family, 0, 0),
        "isUnspecified" => (IsUnspecified, 0, 0),
        "isLoopback" => (IsLoopback, 0, 0),
        "isLinkLocalMulticast" => (IsLinkLocalMulticast, 0, 0),
        "isLinkLocalUnicast" => (IsLinkLocalUnicast, 0, 0),
        "isGlobalUnicast" => (IsGlobalUnicast, 0, 0),
        "containsIP" => (ContainsIp, 1, 1),
        "containsCIDR" => (ContainsCidr, 1, 1),
        "prefixLength" => (PrefixLength, 0, 0),
        "masked" => (Masked, 0, 0),
        "ip" => (Ip, 0, 0),
        _ => return None,
    })
}

/// Global functions (`ip(s)`, `cidr(s)`, `isIP(s)`, `isCIDR(s)`).
pub(crate) fn global(name: &str) -> Option<(NetFn, usize, usize)> {
    use NetFn::*;
    Some(match name {
        "ip" => (Ip, 1, 1),
        "cidr" => (Cidr, 1, 1),
        "isIP" => (IsIp, 1, 1),
        "isCIDR" => (IsCidr, 1, 1),
        _ => return None,
    })
}

/// Namespaced functions (`ip.isCanonical(s)`).
pub(crate) fn namespaced(ns: &str, name: &str) -> Option<(NetFn, usize, usize)> {
    match (ns, name) {
        ("ip", "isCanonical") => Some((NetFn::IsCanonical, 1, 1)),
        _ => None,
    }
}

fn err<T>(msg: impl Into<String>) -> Result<T, CaveatError> {
    Err(CaveatError::eval(msg))
}

/// Go's `netip.ParseAddr` for IPv4: four decimal octets, no leading zeros.
fn parse_v4(s: &str) -> Option<Ipv4Addr> {
    let mut out = [0u8; 4];
    let mut parts = s.split('.');
    for o in &mut out {
        let p = parts.next()?;
        if p.is_empty() || p.len() > 3 || !p.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        if p.len() > 1 && p.starts_with('0') {
            return None;
        }
        *o = p.parse().ok()?;
    }
    if parts.next().is_some() {
        return None;
    }
    Some(Ipv4Addr::from(out))
}

/// Go's `netip.ParseAddr` for IPv6 (no zone): hexadecimal groups of at most
/// four digits, one `::`, an optional dotted IPv4 tail.
fn parse_v6(s: &str) -> Option<Ipv6Addr> {
    if !s
        .bytes()
        .all(|b| b.is_ascii_hexdigit() || b == b':' || b == b'.')
    {
        return None;
    }
    // The IPv4 tail, if any, must itself be valid (no leading zeros).
    if let Some(i) = s.rfind(':') {
        let tail = &s[i + 1..];
        if tail.contains('.') && parse_v4(tail).is_none() {
            return None;
        }
    }
    s.parse::<Ipv6Addr>().ok()
}

/// What `ip(s)` accepts, or why not.
pub(crate) fn parse_ip(s: &str) -> Result<IpAddr, String> {
    if s.len() > 45 {
        return Err(format!(
            "IP Address {s:?} parse error during conversion from string: too long"
        ));
    }
    if s.contains('%') {
        return Err("IP Address with zone value is not allowed".into());
    }
    let a =
        if s.contains(':') {
            IpAddr::V6(parse_v6(s).ok_or_else(|| {
                format!("IP Address {s:?} parse error during conversion from string")
            })?)
        } else {
            IpAddr::V4(parse_v4(s).ok_or_else(|| {
                format!("IP Address {s:?} parse error during conversion from string")
            })?)
        };
    if let IpAddr::V6(v6) = a {
        if v6.to_ipv4_mapped().is_some() {
            return Err("IPv4-mapped IPv6 address is not allowed".into());
        }
    }
    Ok(a)
}

/// What `cidr(s)` accepts: an address as for `ip()`, `/`, and a prefix length
/// in decimal without leading zeros, at most 32 (IPv4) or 128 (IPv6).
pub(crate) fn parse_cidr(s: &str) -> Result<(IpAddr, u8), String> {
    if s.contains('%') {
        return Err("CIDR with zone value is not allowed".into());
    }
    let bad = || format!("network address {s:?} parse error during conversion from string");
    let (a, p) = s.split_once('/').ok_or_else(bad)?;
    let ip = parse_ip(a).map_err(|e| {
        if e.starts_with("IPv4-mapped") {
            e
        } else {
            bad()
        }
    })?;
    if p.is_empty()
        || p.len() > 3
        || !p.bytes().all(|b| b.is_ascii_digit())
        || (p.len() > 1 && p.starts_with('0'))
    {
        return Err(bad());
    }
    let n: u8 = p.parse().map_err(|_| bad())?;
    let max = if ip.is_ipv4() { 32 } else { 128 };
    if n > max {
        return Err(bad());
    }
    Ok((ip, n))
}

fn bits(a: IpAddr) -> (u128, u8) {
    match a {
        IpAddr::V4(v) => (u128::from(u32::from(v)), 32),
        IpAddr::V6(v) => (u128::from(v), 128),
    }
}

fn from_bits(v: u128, width: u8) -> IpAddr {
    if width == 32 {
        IpAddr::V4(Ipv4Addr::from(v as u32))
    } else {
        IpAddr::V6(Ipv6Addr::from(v))
    }
}

/// `a` with all but its first `len` bits cleared.
pub(crate) fn mask(a: IpAddr, len: u8) -> IpAddr {
    let (v, w) = bits(a);
    let host = u32::from(w - len);
    let m = if host >= 128 { 0 } else { u128::MAX << host };
    let m = if w == 32 { m & 0xffff_ffff } else { m };
    from_bits(v & m, w)
}

/// Whether the range `net/len` holds address `a` (same family only).
pub(crate) fn contains(net: IpAddr, len: u8, a: IpAddr) -> bool {
    net.is_ipv4() == a.is_ipv4() && mask(a, len) == mask(net, len)
}

/// Go's `netip.Addr.IsGlobalUnicast`: not unspecified, loopback, multicast,
/// link-local, or the IPv4 broadcast address.
fn is_global_unicast(a: IpAddr) -> bool {
    match a {
        IpAddr::V4(v) => {
            !(v.is_unspecified()
                || v.is_loopback()
                || v.is_multicast()
                || v.is_link_local()
                || v.is_broadcast())
        }
        IpAddr::V6(v) => {
            let s = v.segments();
            !(v.is_unspecified()
                || v.is_loopback()
                || v.is_multicast()
                || (s[0] & 0xffc0) == 0xfe80)
        }
    }
}

fn is_link_local_multicast(a: IpAddr) -> bool {
    match a {
        IpAddr::V4(v) => {
            let o = v.octets();
            o[0] == 224 && o[1] == 0 && o[2] == 0
        }
        IpAddr::V6(v) => (v.segments()[0] & 0xff0f) == 0xff02,
    }
}

fn is_link_local_unicast(a: IpAddr) -> bool {
    match a {
        IpAddr::V4(v) => v.is_link_local(),
        IpAddr::V6(v) => (v.segments()[0] & 0xffc0) == 0xfe80,
    }
}

fn string_arg<'v>(f: &str, v: &'v Val<'_>) -> Result<&'v str, CaveatError> {
    match v {
        Val::Str(s) => Ok(s.as_str()),
        other => err(format!(
            "no such overload: {f}() needs a string, got {}",
            super::eval::a_type(other)
        )),
    }
}

/// Calls `f` on evaluated arguments (the receiver first).
pub(crate) fn call<'a>(
    m: &mut dyn Meter,
    f: NetFn,
    args: &[Val<'a>],
) -> Result<Val<'a>, CaveatError> {
    use NetFn::*;
    if let Some(Val::Str(s)) = args.first() {
        m.charge(str_cost(s.as_str().len()))?;
    }
    let bad = |name: &str| -> Result<Val<'a>, CaveatError> {
        err(format!(
            "no such overload: {name}() does not accept {}",
            args.iter()
                .map(super::eval::a_type)
                .collect::<Vec<_>>()
                .join(", ")
        ))
    };
    Ok(match (f, args) {
        (Ip, [Val::Str(s)]) => Val::Ip(parse_ip(s.as_str()).map_err(CaveatError::eval)?),
        (Ip, [Val::Cidr(a, _)]) => Val::Ip(*a),
        (Cidr, [Val::Str(s)]) => {
            let (a, n) = parse_cidr(s.as_str()).map_err(CaveatError::eval)?;
            Val::Cidr(a, n)
        }
        (IsIp, [v]) => Val::Bool(parse_ip(string_arg("isIP", v)?).is_ok()),
        (IsCidr, [v]) => Val::Bool(parse_cidr(string_arg("isCIDR", v)?).is_ok()),
        (IsCanonical, [v]) => {
            let s = string_arg("ip.isCanonical", v)?;
            let a = parse_ip(s).map_err(CaveatError::eval)?;
            Val::Bool(a.to_string() == s)
        }
        (Family, [Val::Ip(a)]) => Val::Int(if a.is_ipv4() { 4 } else { 6 }),
        (IsUnspecified, [Val::Ip(a)]) => Val::Bool(a.is_unspecified()),
        (IsLoopback, [Val::Ip(a)]) => Val::Bool(a.is_loopback()),
        (IsLinkLocalMulticast, [Val::Ip(a)]) => Val::Bool(is_link_local_multicast(*a)),
        (IsLinkLocalUnicast, [Val::Ip(a)]) => Val::Bool(is_link_local_unicast(*a)),
        (IsGlobalUnicast, [Val::Ip(a)]) => Val::Bool(is_global_unicast(*a)),
        (ContainsIp, [Val::Cidr(net, len), other]) => {
            let a = match other {
                Val::Ip(a) => *a,
                Val::Str(s) => {
                    m.charge(str_cost(s.as_str().len()))?;
                    parse_ip(s.as_str()).map_err(CaveatError::eval)?
                }
                _ => return bad("containsIP"),
            };
            Val::Bool(contains(*net, *len, a))
        }
        (ContainsCidr, [Val::Cidr(net, len), other]) => {
            let (a, n) = match other {
                Val::Cidr(a, n) => (*a, *n),
                Val::Str(s) => {
                    m.charge(str_cost(s.as_str().len()))?;
                    parse_cidr(s.as_str()).map_err(CaveatError::eval)?
                }
                _ => return bad("containsCIDR"),
            };
            Val::Bool(n >= *len && contains(*net, *len, a))
        }
        (PrefixLength, [Val::Cidr(_, n)]) => Val::Int(i64::from(*n)),
        (Masked, [Val::Cidr(a, n)]) => Val::Cidr(mask(*a, *n), *n),
        (f, _) => {
            let name = match f {
                Ip => "ip",
                Cidr => "cidr",
                Family => "family",
                IsUnspecified => "isUnspecified",
                IsLoopback => "isLoopback",
                IsLinkLocalMulticast => "isLinkLocalMulticast",
                IsLinkLocalUnicast => "isLinkLocalUnicast",
                IsGlobalUnicast => "isGlobalUnicast",
                ContainsIp => "containsIP",
                ContainsCidr => "containsCIDR",
                PrefixLength => "prefixLength",
                _ => "masked",
            };
            return bad(name);
        }
    })
}
