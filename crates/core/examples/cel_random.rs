//! Prints random caveat expressions and Charter's result for each, one JSON
//! object a line, for the differential against a real CEL engine
//! (scripts/cel-differential.mjs). The grammar covers literals, arithmetic,
//! comparisons, logic, the macros (`all`, `exists`, `exists_one`, `map`,
//! `filter`) and the strings extension (with `format()`), over ASCII text,
//! where the engine it is compared with implements cel-go's meaning.
//!
//! Usage: cargo run -p charter-core --example cel_random -- COUNT SEED

use charter_core::caveat::testing::{eval_value, TestValue};
use charter_core::ErrorCode;
use serde_json::{json, Value};

/// xorshift64*: a fixed, seedable sequence with no dependency.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
    fn pick<'a>(&mut self, xs: &[&'a str]) -> &'a str {
        xs[self.below(xs.len() as u64) as usize]
    }
}

const WORDS: [&str; 8] = [
    "''", "'a'", "'ab'", "'a,b'", "' x '", "'Abc'", "'b,a,b'", "','",
];

fn int(r: &mut Rng, d: u32) -> String {
    if d == 0 || r.below(3) == 0 {
        return r
            .pick(&["0", "1", "2", "3", "-1", "7", "9223372036854775807"])
            .into();
    }
    match r.below(7) {
        0 => format!("({} + {})", int(r, d - 1), int(r, d - 1)),
        1 => format!("({} - {})", int(r, d - 1), int(r, d - 1)),
        2 => format!("({} * {})", int(r, d - 1), int(r, d - 1)),
        3 => format!("({} / {})", int(r, d - 1), int(r, d - 1)),
        4 => format!("size({})", string(r, d - 1)),
        5 => format!("{}.indexOf({})", string(r, d - 1), string(r, d - 1)),
        _ => format!("size({})", list(r, d - 1)),
    }
}

fn string(r: &mut Rng, d: u32) -> String {
    if d == 0 || r.below(3) == 0 {
        return r.pick(&WORDS).into();
    }
    match r.below(10) {
        9 => formatted(r, d - 1),
        0 => format!("({} + {})", string(r, d - 1), string(r, d - 1)),
        1 => format!("{}.lowerAscii()", string(r, d - 1)),
        2 => format!("{}.upperAscii()", string(r, d - 1)),
        3 => format!("{}.trim()", string(r, d - 1)),
        4 => format!("{}.charAt({})", string(r, d - 1), r.below(4)),
        5 => format!("{}.substring({})", string(r, d - 1), r.below(4)),
        6 => format!(
            "{}.replace({}, {})",
            string(r, d - 1),
            r.pick(&["'a'", "','", "'b'"]),
            string(r, d - 1)
        ),
        7 => format!("{}.join({})", slist(r, d - 1), r.pick(&["", "','", "'-'"])),
        _ => format!(
            "({} ? {} : {})",
            boolean(r, d - 1),
            string(r, d - 1),
            string(r, d - 1)
        ),
    }
}

/// `'...'.format([...])`: clauses and arguments drawn so that most agree in
/// type (and some do not, or are too few or too many), over values where
/// the engine compared with prints as cel-go does: doubles with few digits
/// (no rounding ties, which its `%e` breaks upward), `%e` only of
/// magnitudes of at least 1 (its `%e` writes `e-1` for `e-01`), map keys of
/// one case (it sorts them by locale).
fn formatted(r: &mut Rng, d: u32) -> String {
    const DOUBLES: [&str; 8] = [
        "1.5", "2.0", "-2.75", "100.0", "0.125", "12.5", "-0.5", "3.0",
    ];
    const BIG_DOUBLES: [&str; 5] = ["1.5", "2.0", "-2.75", "1052.5", "12.25"];
    let mut fmt = String::new();
    let mut args = Vec::new();
    for _ in 0..=r.below(3) {
        fmt.push_str(r.pick(&["", "x", " ", "a=", ", "]));
        let (clause, arg) = match r.below(12) {
            0 => ("%s", string(r, d)),
            1 => ("%s", int(r, d)),
            2 => ("%s", list(r, d)),
            3 => ("%s", boolean(r, d.min(1))),
            4 => ("%d", int(r, d)),
            5 => (r.pick(&["%x", "%X", "%o", "%b"]), int(r, d)),
            6 => (r.pick(&["%x", "%X"]), string(r, d)),
            7 => (
                r.pick(&["%f", "%.3f", "%.4f", "%s", "%d"]),
                r.pick(&DOUBLES).to_string(),
            ),
            8 => (r.pick(&["%e", "%.4e"]), r.pick(&BIG_DOUBLES).to_string()),
            9 => (
                "%s",
                r.pick(&[
                    "{'a': 1, 'b': [2]}",
                    "{'b': 'x', 'a': true}",
                    "[1.5, 'a', null]",
                ])
                .to_string(),
            ),
            10 => ("%%", String::new()),
            _ => (r.pick(&["%d", "%b", "%e", "%q"]), string(r, d)),
        };
        fmt.push_str(clause);
        if clause != "%%" {
            args.push(arg);
        }
    }
    match r.below(10) {
        0 => args.push("1".into()),
        1 => {
            args.pop();
        }
        _ => {}
    }
    format!("'{fmt}'.format([{}])", args.join(", "))
}

fn slist(r: &mut Rng, d: u32) -> String {
    if d == 0 || r.below(2) == 0 {
        return r
            .pick(&["[]", "['a']", "['a', 'b']", "['b', 'a', 'b']"])
            .into();
    }
    match r.below(3) {
        0 => format!(
            "{}.split({})",
            string(r, d - 1),
            r.pick(&["','", "'a'", "'b'"])
        ),
        1 => format!("{}.filter(s, {})", slist(r, d - 1), sbool(r, d - 1)),
        _ => format!("{}.map(s, {})", slist(r, d - 1), sexpr(r, d - 1)),
    }
}

/// An expression over the macro variable `s` (a string).
fn sexpr(r: &mut Rng, d: u32) -> String {
    match r.below(4) {
        0 => "s".into(),
        1 => "s.upperAscii()".into(),
        2 => format!("(s + {})", string(r, d.saturating_sub(1))),
        _ => format!("s.replace('a', {})", string(r, d.saturating_sub(1))),
    }
}

fn sbool(r: &mut Rng, d: u32) -> String {
    match r.below(4) {
        0 => format!("s == {}", string(r, d.saturating_sub(1))),
        1 => format!("s.startsWith({})", string(r, d.saturating_sub(1))),
        2 => format!("size(s) > {}", r.below(3)),
        _ => format!("s.indexOf({}) >= 0", string(r, d.saturating_sub(1))),
    }
}

fn list(r: &mut Rng, d: u32) -> String {
    if d == 0 || r.below(2) == 0 {
        return r.pick(&["[]", "[1]", "[1, 2, 3]", "[0, 2]"]).into();
    }
    match r.below(4) {
        0 => format!(
            "{}.map(x, {})",
            list(r, d - 1),
            r.pick(&["x * 2", "x - 1", "10 / x", "x"])
        ),
        1 => format!(
            "{}.filter(x, {})",
            list(r, d - 1),
            r.pick(&["x > 1", "x % 2 == 0", "10 / x > 2"])
        ),
        2 => format!("({} + {})", list(r, d - 1), list(r, d - 1)),
        _ => format!("{}.map(x, x > 0, x + 1)", list(r, d - 1)),
    }
}

fn boolean(r: &mut Rng, d: u32) -> String {
    if d == 0 {
        return r.pick(&["true", "false"]).into();
    }
    match r.below(10) {
        0 => format!("({} == {})", int(r, d - 1), int(r, d - 1)),
        1 => format!("({} < {})", int(r, d - 1), int(r, d - 1)),
        2 => format!("({} == {})", string(r, d - 1), string(r, d - 1)),
        3 => format!("({} && {})", boolean(r, d - 1), boolean(r, d - 1)),
        4 => format!("({} || {})", boolean(r, d - 1), boolean(r, d - 1)),
        5 => format!("!{}", boolean(r, d - 1)),
        6 => format!(
            "{}.all(x, {})",
            list(r, d - 1),
            r.pick(&["x > 0", "10 / x > 1", "x < 3"])
        ),
        7 => format!(
            "{}.exists(x, {})",
            list(r, d - 1),
            r.pick(&["x > 2", "10 / x > 4", "x == 1"])
        ),
        8 => format!(
            "{}.exists_one(x, {})",
            list(r, d - 1),
            r.pick(&["x > 1", "x == 2"])
        ),
        _ => format!("({} == {})", slist(r, d - 1), slist(r, d - 1)),
    }
}

fn tagged(v: &TestValue) -> Value {
    match v {
        TestValue::Null => json!({"null": null}),
        TestValue::Bool(b) => json!({"bool": b}),
        TestValue::Int(i) => json!({"int": i.to_string()}),
        TestValue::Uint(u) => json!({"uint": u.to_string()}),
        TestValue::String(s) => json!({"string": s}),
        TestValue::List(l) => json!({"list": l.iter().map(tagged).collect::<Vec<_>>()}),
        other => json!({"other": format!("{other:?}")}),
    }
}

fn main() {
    let mut args = std::env::args().skip(1);
    let count: usize = args.next().and_then(|a| a.parse().ok()).unwrap_or(1000);
    let seed: u64 = args.next().and_then(|a| a.parse().ok()).unwrap_or(1);
    let mut r = Rng(seed.wrapping_mul(0x9e37_79b9_7f4a_7c15) | 1);
    for _ in 0..count {
        let expr = match r.below(4) {
            0 => int(&mut r, 4),
            1 => string(&mut r, 4),
            2 => slist(&mut r, 3),
            _ => boolean(&mut r, 4),
        };
        let line = match eval_value(&expr, &[]) {
            Ok(v) => json!({"expr": expr, "value": tagged(&v)}),
            Err(e) if e.code() == ErrorCode::CaveatSyntax => {
                json!({"expr": expr, "refused": e.to_string()})
            }
            Err(e) => json!({"expr": expr, "error": e.to_string()}),
        };
        println!("{line}");
    }
}
