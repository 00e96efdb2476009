//! Runs the simple cases of CEL's own conformance suite (extracted from npm
//! `@bufbuild/cel-spec` by scripts/cel-conformance.mjs) against Charter's
//! caveat evaluator. For every case Charter must either refuse the expression
//! at compile time (not in the subset) or give exactly CEL's result: the same
//! value, of the same type, or an error where CEL has an error.

use charter_core::caveat::testing::{eval_value, TestValue};
use charter_core::caveat::CaveatError;
use charter_core::ErrorCode;
use serde_json::Value;

fn num_str<T: std::str::FromStr>(v: &Value) -> T
where
    T::Err: std::fmt::Debug,
{
    v.as_str()
        .expect("number as string")
        .parse()
        .expect("number")
}

fn to_value(j: &Value) -> TestValue {
    let (tag, v) = j
        .as_object()
        .and_then(|o| o.iter().next())
        .expect("tagged value");
    match tag.as_str() {
        "null" => TestValue::Null,
        "bool" => TestValue::Bool(v.as_bool().expect("bool")),
        "int" => TestValue::Int(num_str(v)),
        "uint" => TestValue::Uint(num_str(v)),
        "double" => TestValue::Double(match v {
            Value::String(s) => match s.as_str() {
                "NaN" => f64::NAN,
                "Infinity" => f64::INFINITY,
                "-Infinity" => f64::NEG_INFINITY,
                other => other.parse().expect("double"),
            },
            n => n.as_f64().expect("double"),
        }),
        "string" => TestValue::String(v.as_str().expect("string").to_string()),
        "list" => TestValue::List(v.as_array().expect("list").iter().map(to_value).collect()),
        "map" => TestValue::Map(
            v.as_array()
                .expect("map")
                .iter()
                .map(|e| (to_value(&e[0]), to_value(&e[1])))
                .collect(),
        ),
        other => panic!("unknown tag {other}"),
    }
}

/// Same CEL value: same type, same content; doubles equal or both NaN; maps
/// regardless of entry order.
fn same(a: &TestValue, b: &TestValue) -> bool {
    use TestValue::*;
    match (a, b) {
        (Double(x), Double(y)) => x == y || (x.is_nan() && y.is_nan()),
        (List(x), List(y)) => x.len() == y.len() && x.iter().zip(y).all(|(p, q)| same(p, q)),
        (Map(x), Map(y)) => {
            x.len() == y.len()
                && x.iter().all(|(k, v)| {
                    y.iter()
                        .find(|(k2, _)| same(k, k2))
                        .is_some_and(|(_, v2)| same(v, v2))
                })
        }
        _ => a == b,
    }
}

fn rejected_at_compile(e: &CaveatError) -> bool {
    e.code() == ErrorCode::CaveatSyntax
        || matches!(
            e,
            CaveatError::TooLong { .. }
                | CaveatError::TooDeep { .. }
                | CaveatError::PatternTooLarge { .. }
                | CaveatError::PatternsTooLarge { .. }
        )
}

#[test]
fn cel_conformance() {
    let text = include_str!("cel_conformance.json");
    let doc: Value = serde_json::from_str(text).expect("conformance JSON");
    let cases = doc["cases"].as_array().expect("cases");
    let (mut agree, mut rejected, mut bool_agree, mut bool_rejected) = (0, 0, 0, 0);
    let mut failures = Vec::new();
    let mut rejections = Vec::new();
    for c in cases {
        let name = c["name"].as_str().expect("name");
        let expr = c["expr"].as_str().expect("expr");
        let bindings: Vec<(String, TestValue)> = c
            .get("bindings")
            .and_then(Value::as_object)
            .map(|o| o.iter().map(|(k, v)| (k.clone(), to_value(v))).collect())
            .unwrap_or_default();
        let refs: Vec<(&str, TestValue)> = bindings
            .iter()
            .map(|(k, v)| (k.as_str(), v.clone()))
            .collect();
        let expected = c.get("value").map(to_value);
        let is_bool = matches!(expected, Some(TestValue::Bool(_)));
        let got = eval_value(expr, &refs);
        match (&got, &expected) {
            (Err(e), _) if rejected_at_compile(e) => {
                rejected += 1;
                bool_rejected += usize::from(is_bool);
                rejections.push(format!("{name}: {e}"));
            }
            (Err(_), None) => agree += 1,
            (Ok(v), Some(want)) if same(v, want) => {
                agree += 1;
                bool_agree += usize::from(is_bool);
            }
            _ => failures.push(format!(
                "{name}: `{expr}` gave {got:?}, CEL gives {}",
                match &expected {
                    Some(v) => format!("{v:?}"),
                    None => format!("an error ({})", c["error"]),
                }
            )),
        }
    }
    if std::env::var_os("CEL_CONFORMANCE_VERBOSE").is_some() {
        for r in &rejections {
            println!("rejected {r}");
        }
    }
    println!(
        "CEL conformance ({} {}): {} cases, {agree} accepted and agree ({bool_agree} with bool results), {rejected} rejected at compile time ({bool_rejected} with bool results), {} disagree",
        doc["source"].as_str().unwrap_or("?"),
        doc["version"].as_str().unwrap_or("?"),
        cases.len(),
        failures.len()
    );
    assert!(
        failures.is_empty(),
        "{} cases disagree with CEL:\n{}",
        failures.len(),
        failures.join("\n")
    );
}
