//! Timestamps and durations as CEL has them: RFC 3339 text, years 1..=9999,
//! Go duration syntax (`1h30m`), nanosecond precision, integer arithmetic only.

/// 0001-01-01T00:00:00Z and 9999-12-31T23:59:59Z in Unix seconds.
pub(crate) const MIN_SECS: i64 = -62_135_596_800;
pub(crate) const MAX_SECS: i64 = 253_402_300_799;
const NANOS: i128 = 1_000_000_000;

fn days_from_civil(y: i64, m: i64, d: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

fn civil_from_days(z: i64) -> (i64, i64, i64) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    (if m <= 2 { y + 1 } else { y }, m, d)
}

fn days_in_month(y: i64, m: i64) -> i64 {
    match m {
        4 | 6 | 9 | 11 => 30,
        2 if (y % 4 == 0 && y % 100 != 0) || y % 400 == 0 => 29,
        2 => 28,
        _ => 31,
    }
}

/// Checks that a (seconds, nanos) pair lies within CEL's timestamp range.
pub(crate) fn ts_in_range(secs: i64) -> Result<(), String> {
    if (MIN_SECS..=MAX_SECS).contains(&secs) {
        Ok(())
    } else {
        Err("timestamp out of range (years 1 to 9999)".into())
    }
}

/// Parses RFC 3339 (`2024-05-01T12:00:00Z`, `...T12:00:00.5+02:00`).
pub(crate) fn parse_timestamp(s: &str) -> Result<(i64, u32), String> {
    let bad = || format!("timestamp {s:?} is not RFC 3339 (like 2024-05-01T12:00:00Z)");
    let b = s.as_bytes();
    let num = |from: usize, n: usize| -> Result<i64, String> {
        let part = b.get(from..from + n).ok_or_else(bad)?;
        if !part.iter().all(u8::is_ascii_digit) {
            return Err(bad());
        }
        Ok(part.iter().fold(0i64, |a, c| a * 10 + i64::from(c - b'0')))
    };
    let lit = |at: usize, c: u8| -> Result<(), String> {
        if b.get(at) == Some(&c) {
            Ok(())
        } else {
            Err(bad())
        }
    };
    let year = num(0, 4)?;
    lit(4, b'-')?;
    let month = num(5, 2)?;
    lit(7, b'-')?;
    let day = num(8, 2)?;
    lit(10, b'T')?;
    let hour = num(11, 2)?;
    lit(13, b':')?;
    let min = num(14, 2)?;
    lit(16, b':')?;
    let sec = num(17, 2)?;
    let mut i = 19;
    let mut nanos: u32 = 0;
    if b.get(i) == Some(&b'.') {
        i += 1;
        let start = i;
        while i < b.len() && b[i].is_ascii_digit() {
            if i - start < 9 {
                nanos = nanos * 10 + u32::from(b[i] - b'0');
            }
            i += 1;
        }
        if i == start {
            return Err(bad());
        }
        for _ in (i - start)..9 {
            nanos *= 10;
        }
    }
    let offset = match b.get(i) {
        Some(b'Z') if i + 1 == b.len() => 0,
        Some(&c @ (b'+' | b'-')) if i + 6 == b.len() => {
            let oh = num(i + 1, 2)?;
            lit(i + 3, b':')?;
            let om = num(i + 4, 2)?;
            if oh > 23 || om > 59 {
                return Err(bad());
            }
            let o = oh * 3600 + om * 60;
            if c == b'-' {
                -o
            } else {
                o
            }
        }
        _ => return Err(bad()),
    };
    if !(1..=12).contains(&month)
        || day < 1
        || day > days_in_month(year, month)
        || hour > 23
        || min > 59
        || sec > 59
    {
        return Err(format!("timestamp {s:?} has a field out of range"));
    }
    let secs = days_from_civil(year, month, day) * 86_400 + hour * 3600 + min * 60 + sec - offset;
    ts_in_range(secs)?;
    Ok((secs, nanos))
}

/// UTC calendar fields of a timestamp, as CEL's accessors return them:
/// (year, month 0-11, day of year 0-365, day of month 0-30, day of week 0-6
/// from Sunday, hours, minutes, seconds).
pub(crate) fn fields(secs: i64) -> [i64; 8] {
    let days = secs.div_euclid(86_400);
    let rem = secs.rem_euclid(86_400);
    let (y, m, d) = civil_from_days(days);
    let doy = days - days_from_civil(y, 1, 1);
    // 1970-01-01 was a Thursday (4).
    let dow = (days + 4).rem_euclid(7);
    [
        y,
        m - 1,
        doy,
        d - 1,
        dow,
        rem / 3600,
        rem % 3600 / 60,
        rem % 60,
    ]
}

/// RFC 3339 in UTC with trailing zeros of the fraction removed (Go's RFC3339Nano).
pub(crate) fn format_timestamp(secs: i64, nanos: u32) -> String {
    let days = secs.div_euclid(86_400);
    let rem = secs.rem_euclid(86_400);
    let (y, m, d) = civil_from_days(days);
    let mut out = format!(
        "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}",
        rem / 3600,
        rem % 3600 / 60,
        rem % 60
    );
    if nanos > 0 {
        let frac = format!("{nanos:09}");
        out.push('.');
        out.push_str(frac.trim_end_matches('0'));
    }
    out.push('Z');
    out
}

/// Adds nanoseconds to a timestamp, failing outside years 1..=9999.
pub(crate) fn ts_add(secs: i64, nanos: u32, d: i128) -> Result<(i64, u32), String> {
    let total = i128::from(secs) * NANOS + i128::from(nanos) + d;
    let s = total.div_euclid(NANOS);
    let n = total.rem_euclid(NANOS) as u32;
    let s = i64::try_from(s).map_err(|_| "timestamp out of range".to_string())?;
    ts_in_range(s)?;
    Ok((s, n))
}

/// `t1 - t2` as a duration, failing when it does not fit (about ±292 years).
pub(crate) fn ts_sub(a: (i64, u32), b: (i64, u32)) -> Result<i64, String> {
    let d =
        (i128::from(a.0) * NANOS + i128::from(a.1)) - (i128::from(b.0) * NANOS + i128::from(b.1));
    i64::try_from(d).map_err(|_| "duration out of range (about ±292 years)".to_string())
}

/// Parses Go's duration syntax, as `time.ParseDuration`: `[-+]?(\d*(\.\d*)?unit)+`
/// with units ns, us, µs, ms, s, m, h; or a bare `0`.
pub(crate) fn parse_duration(orig: &str) -> Result<i64, String> {
    let bad = || format!("duration {orig:?} is not valid (like \"90s\", \"1h30m\", \"1.5h\")");
    let range = || format!("duration {orig:?} is out of range (about ±292 years)");
    let mut s = orig;
    let mut neg = false;
    if let Some(c) = s.chars().next() {
        if c == '-' || c == '+' {
            neg = c == '-';
            s = &s[1..];
        }
    }
    if s == "0" {
        return Ok(0);
    }
    if s.is_empty() {
        return Err(bad());
    }
    let mut d: u64 = 0;
    const LIMIT: u64 = 1 << 63;
    while !s.is_empty() {
        let b = s.as_bytes();
        let mut i = 0;
        let mut v: u64 = 0;
        while i < b.len() && b[i].is_ascii_digit() {
            v = v
                .checked_mul(10)
                .and_then(|v| v.checked_add(u64::from(b[i] - b'0')))
                .filter(|v| *v <= LIMIT)
                .ok_or_else(range)?;
            i += 1;
        }
        let pre = i > 0;
        let mut f: u64 = 0;
        let mut scale: f64 = 1.0;
        let mut post = false;
        if i < b.len() && b[i] == b'.' {
            i += 1;
            let start = i;
            let mut overflow = false;
            while i < b.len() && b[i].is_ascii_digit() {
                if !overflow {
                    if f > (LIMIT - 1) / 10 {
                        overflow = true;
                    } else {
                        f = f * 10 + u64::from(b[i] - b'0');
                        scale *= 10.0;
                    }
                }
                i += 1;
            }
            post = i > start;
        }
        if !pre && !post {
            return Err(bad());
        }
        let ustart = i;
        while i < b.len() && b[i] != b'.' && !b[i].is_ascii_digit() {
            i += 1;
        }
        let unit: u64 = match &s[ustart..i] {
            "ns" => 1,
            "us" | "\u{b5}s" | "\u{3bc}s" => 1_000,
            "ms" => 1_000_000,
            "s" => 1_000_000_000,
            "m" => 60_000_000_000,
            "h" => 3_600_000_000_000,
            "" => return Err(format!("duration {orig:?} is missing a unit")),
            u => return Err(format!("duration {orig:?} has unknown unit {u:?}")),
        };
        if v > LIMIT / unit {
            return Err(range());
        }
        v *= unit;
        if f > 0 {
            // Go computes the fraction in floating point; so do we.
            let extra = (f as f64 * (unit as f64 / scale)) as u64;
            v = v
                .checked_add(extra)
                .filter(|v| *v <= LIMIT)
                .ok_or_else(range)?;
        }
        d = d.checked_add(v).filter(|d| *d <= LIMIT).ok_or_else(range)?;
        s = &s[i..];
    }
    if neg {
        return Ok((d as i128).wrapping_neg() as i64);
    }
    if d > LIMIT - 1 {
        return Err(range());
    }
    Ok(d as i64)
}

/// `string(duration)` as cel-go prints it: Go's `d.Seconds()` (whole seconds
/// plus the nanoseconds as a double) in shortest fixed notation, then `s`
/// (`90s`, `1.5s`). Rust's `Display` for `f64` is the same shortest
/// round-trip fixed form as Go's `FormatFloat(x, 'f', -1, 64)`.
pub(crate) fn format_duration(nanos: i64) -> String {
    let secs = nanos / 1_000_000_000;
    let frac = nanos % 1_000_000_000;
    let f = secs as f64 + frac as f64 / 1e9;
    format!("{f}s")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn civil_round_trip() {
        for days in [-719_162, -1, 0, 1, 10_957, 2_932_896] {
            let (y, m, d) = civil_from_days(days);
            assert_eq!(days_from_civil(y, m, d), days);
        }
        assert_eq!(parse_timestamp("0001-01-01T00:00:00Z").unwrap().0, MIN_SECS);
        assert_eq!(parse_timestamp("9999-12-31T23:59:59Z").unwrap().0, MAX_SECS);
        assert_eq!(
            parse_timestamp("2009-02-13T23:31:30Z").unwrap(),
            (1_234_567_890, 0)
        );
        assert_eq!(
            parse_timestamp("2009-02-14T01:31:30.5+02:00").unwrap(),
            (1_234_567_890, 500_000_000)
        );
        assert!(parse_timestamp("2023-02-29T00:00:00Z").is_err());
        assert!(parse_timestamp("2024-02-29T00:00:00Z").is_ok());
        assert_eq!(
            format_timestamp(1_234_567_890, 120_000_000),
            "2009-02-13T23:31:30.12Z"
        );
    }

    #[test]
    fn durations() {
        assert_eq!(parse_duration("1h30m").unwrap(), 5_400_000_000_000);
        assert_eq!(parse_duration("-1.5s").unwrap(), -1_500_000_000);
        assert_eq!(parse_duration("0").unwrap(), 0);
        assert_eq!(parse_duration("1us").unwrap(), 1_000);
        assert!(parse_duration("1").is_err());
        assert!(parse_duration("1d").is_err());
        assert!(parse_duration("").is_err());
        assert!(parse_duration("320000000000s").is_err());
        assert_eq!(format_duration(1_500_000_000), "1.5s");
        assert_eq!(format_duration(-90_000_000_000), "-90s");
    }
}
