//! Unit tests of the caveat language: semantics, limits and error codes.

use serde_json::json;

use super::*;

const NOW: i64 = 1_700_000_000; // 2023-11-14T22:13:20Z

fn ctx(args: &serde_json::Value) -> Context<'_> {
    Context {
        agent: "agent-7",
        action: "payments.send",
        args,
        resource: Some("acct:42"),
        audience: "bank-tool",
        now: NOW,
        holder: None,
    }
}

fn run(src: &str, args: serde_json::Value) -> Result<bool, CaveatError> {
    Expr::compile(src)?.eval(&ctx(&args))
}

fn t(src: &str) -> bool {
    run(src, json!({})).unwrap_or_else(|e| panic!("{src}: {e}"))
}

fn code(src: &str, args: serde_json::Value) -> ErrorCode {
    match run(src, args) {
        Ok(v) => panic!("{src}: expected an error, got {v}"),
        Err(e) => e.code(),
    }
}

fn val(src: &str) -> testing::TestValue {
    testing::eval_value(src, &[]).unwrap_or_else(|e| panic!("{src}: {e}"))
}

#[test]
fn expr_is_send_sync_and_cheap_to_clone() {
    fn assert_send_sync<T: Send + Sync + Clone>() {}
    assert_send_sync::<Expr>();
    let e = Expr::compile("true").unwrap();
    assert_eq!(e.clone().source(), "true");
}

#[test]
fn precedence() {
    assert!(t("1 + 2 * 3 == 7"));
    assert!(t("(1 + 2) * 3 == 9"));
    assert!(t("1 - 2 - 3 == -4"));
    assert!(t("12 / 2 / 3 == 2"));
    assert!(t("7 % 4 * 2 == 6"));
    assert!(t("-2 * 3 == -6"));
    assert!(t("true || false && false"));
    assert!(!t("!true || false"));
    assert!(t("!false && !false"));
    assert_eq!(val("false ? 1 : true ? 2 : 3"), testing::TestValue::Int(2));
    assert!(t("1 < 2 == true"));
    assert!(t("'a' in ['a', 'b'] && 2 in [1, 2]"));
    assert!(t("!!true"));
    assert!(t("--1 == 1"));
    assert!(t("-9223372036854775808 < 0"));
}

#[test]
fn short_circuit_and_error_absorption() {
    assert!(!t("false && 1 / 0 == 1"));
    assert!(!t("1 / 0 == 1 && false"));
    assert!(t("true || 1 / 0 == 1"));
    assert!(t("1 / 0 == 1 || true"));
    assert!(!run("args.missing && false", json!({})).unwrap());
    assert!(run("args.missing || true", json!({})).unwrap());
    assert_eq!(
        code("args.missing && true", json!({})),
        ErrorCode::CaveatError
    );
    assert_eq!(
        code("false || args.missing", json!({})),
        ErrorCode::CaveatError
    );
    // Non-bool operands are errors, absorbed the same way.
    assert!(!t("'x' && false"));
    assert_eq!(code("'x' && true", json!({})), ErrorCode::CaveatError);
    // The conditional evaluates only the branch it takes.
    assert!(t("true ? true : 1 / 0 == 0"));
}

#[test]
fn variables() {
    assert!(t("agent == 'agent-7' && action.startsWith('payments.')"));
    assert!(t("audience == 'bank-tool' && resource == 'acct:42'"));
    assert!(t("now == timestamp('2023-11-14T22:13:20Z')"));
    assert!(t(
        "now > timestamp('2023-01-01T00:00:00Z') && now - duration('24h') < now"
    ));
    let args = json!({});
    let mut c = ctx(&args);
    c.resource = None;
    let e = Expr::compile("resource == 'x'")
        .unwrap()
        .eval(&c)
        .unwrap_err();
    assert_eq!(e.code(), ErrorCode::CaveatError);
    assert!(e.to_string().contains("resource"), "{e}");
    let e = Expr::compile("holder == 'x'")
        .unwrap()
        .eval(&c)
        .unwrap_err();
    // Its own code: the caller must present a proof, not fix an argument.
    assert_eq!(e.code(), ErrorCode::ProofRequired);
    assert!(e.to_string().contains("holder proof"), "{e}");
    // A bound holder is a string.
    c.holder = Some("thumb");
    assert!(Expr::compile("holder == 'thumb'")
        .unwrap()
        .eval(&c)
        .unwrap());
    // Unbound but never reached: fine (absorbed like any error).
    c.holder = None;
    assert!(Expr::compile("true || holder == 'x'")
        .unwrap()
        .eval(&c)
        .unwrap());
}

#[test]
fn exact_integers() {
    let e = Expr::compile("args.amount <= 5000").unwrap();
    let a = json!({"amount": 5000});
    assert!(e.eval(&ctx(&a)).unwrap());
    let a = json!({"amount": 5001});
    assert!(!e.eval(&ctx(&a)).unwrap());
    let a = json!({"amount": 5000.5});
    assert!(!e.eval(&ctx(&a)).unwrap());
    let e = Expr::compile(
        "args.n == 9007199254740991 && args.n - 1 == 9007199254740990 && args.n + 1 > args.n",
    )
    .unwrap();
    let a = json!({"n": 9_007_199_254_740_991_i64});
    assert!(e.eval(&ctx(&a)).unwrap());
    let e = Expr::compile("args.n < 9007199254740991").unwrap();
    assert!(!e.eval(&ctx(&a)).unwrap());
    // int and double compare as numbers, but never mix in arithmetic.
    assert!(t("1 == 1.0 && 2u > 1 && 1.5 > 1"));
    let err = run("1 + 1.0 == 2", json!({})).unwrap_err();
    assert_eq!(err.code(), ErrorCode::CaveatError);
    assert!(err.to_string().contains("int + double"), "{err}");
    assert_eq!(
        code("9223372036854775807 + 1 > 0", json!({})),
        ErrorCode::CaveatError
    );
    assert_eq!(
        code("-(-9223372036854775808) > 0", json!({})),
        ErrorCode::CaveatError
    );
    assert_eq!(code("1 / 0 == 0", json!({})), ErrorCode::CaveatError);
    assert_eq!(code("1 % 0 == 0", json!({})), ErrorCode::CaveatError);
    assert_eq!(code("0u - 1u == 0u", json!({})), ErrorCode::CaveatError);
    assert!(t("1.0 / 0.0 > 1e308"));
}

#[test]
fn int_double_comparisons_are_exact() {
    // Issue 10, item 6: CEL compares int/uint with double on the number line.
    let big = json!({"amount": 9_007_199_254_740_996.0_f64});
    assert!(!run("args.amount <= 9007199254740995", big.clone()).unwrap());
    assert!(run("args.amount > 9007199254740995", big.clone()).unwrap());
    assert!(!run("args.amount == 9007199254740995", big.clone()).unwrap());
    assert!(run("args.amount != 9007199254740995", big.clone()).unwrap());
    assert!(run("args.amount == 9007199254740996", big.clone()).unwrap());
    assert!(!run("args.amount <= 9007199254740995u", big.clone()).unwrap());
    assert!(!run("args.amount in [9007199254740995]", big.clone()).unwrap());
    assert!(!run("9007199254740993 == 9007199254740992.0", json!({})).unwrap());
    assert!(t("9007199254740993 > 9007199254740992.0"));
    assert!(t("9007199254740992.0 < 9007199254740993u"));
    assert!(t("9223372036854775807 < double(9223372036854775807)"));
    assert!(t(
        "9223372036854775807 < 1e19 && 18446744073709551615u < 1e19 == false"
    ));
    assert!(t("-9223372036854775808 == double(-9223372036854775808)"));
    assert!(t("18446744073709551615u < 18446744073709552000.0"));
    assert!(t(
        "0u > -0.5 && 1 > 0.5 && -1 < -0.5 && 2 > 1.9999999999999998"
    ));
    assert!(t("{9007199254740993: 'a'}[9007199254740993] == 'a'"));
    assert_eq!(
        code(
            "{9007199254740993: 'a'}[9007199254740992.0] == 'a'",
            json!({})
        ),
        ErrorCode::CaveatError
    );
    assert!(!run("args.x <= 0", json!({"x": 5e-324})).unwrap());
}

#[test]
fn inexact_double_literals_are_refused() {
    // Issue 10, item 6: a literal that would round is refused like a request number.
    for src in [
        "args.amount <= 5000.0000000000001",
        "args.amount <= 5000.00000000000000001",
        "args.x > 1e-400",
        "args.x < -1e-400",
        "args.x < 0.30000000000000001",
        "args.x < 9223372036854775807.0",
    ] {
        let e = Expr::compile(src).expect_err(src);
        assert_eq!(e.code(), ErrorCode::CaveatSyntax, "{src}: {e}");
        assert!(e.to_string().contains("not exactly"), "{src}: {e}");
    }
    assert!(
        Expr::compile("args.x <= 0.1 && args.x > .5e-1 && args.x < 1.7976931348623157e308").is_ok()
    );
}

#[test]
fn fields_indexing_and_has() {
    let a = json!({"user": {"name": "ann", "roles": ["admin", "ops"]}, "tags": {"env": "prod"}});
    assert!(run("args.user.name == 'ann'", a.clone()).unwrap());
    assert!(run(
        "args.user.roles[0] == 'admin' && size(args.user.roles) == 2",
        a.clone()
    )
    .unwrap());
    assert!(run("'ops' in args.user.roles && 'env' in args.tags", a.clone()).unwrap());
    assert!(run("args['tags']['env'] == 'prod'", a.clone()).unwrap());
    assert!(run("has(args.user) && !has(args.amount)", a.clone()).unwrap());
    assert!(run("has(args.user.name)", a.clone()).unwrap());
    let e = run("args.amount < 10", a.clone()).unwrap_err();
    assert_eq!(e.code(), ErrorCode::CaveatError);
    assert_eq!(e.to_string(), "no such key \"amount\" in args");
    let e = run("args.user.email == ''", a.clone()).unwrap_err();
    assert_eq!(e.to_string(), "no such key \"email\" in args.user");
    let e = run("args.user.roles[5] == ''", a.clone()).unwrap_err();
    assert!(e.to_string().contains("out of range"), "{e}");
    let e = run("args.user.name.first == ''", a.clone()).unwrap_err();
    assert!(e.to_string().contains("string"), "{e}");
    let e = run("args.user.name < 1", a).unwrap_err();
    assert_eq!(e.to_string(), "cannot compare string with int");
    assert!(t("{'a': 1}.a == 1 && {'a': {'b': true}}['a'].b"));
    assert!(t("[1, 2, 3][1] == 2 && [[1]][0][0] == 1"));
    assert!(t("{'content-type': 'json'}.`content-type` == 'json'"));
    assert_eq!(
        code("{'a': 1, 'a': 2}.a == 1", json!({})),
        ErrorCode::CaveatError
    );
    assert_eq!(
        code("{1.5: 1}[1.5] == 1", json!({})),
        ErrorCode::CaveatError
    );
}

#[test]
fn strings() {
    assert!(t(
        "size('héllo') == 5 && 'héllo'.size() == 5 && size('') == 0"
    ));
    assert!(t(
        "'payments.send'.startsWith('payments.') && !'x'.startsWith('xy')"
    ));
    assert!(t(
        "'report.pdf'.endsWith('.pdf') && 'abc'.contains('b') && 'abc'.contains('')"
    ));
    assert!(t("'ab' + 'cd' == 'abcd' && 'a' < 'b' && 'B' < 'a'"));
    assert!(t(
        "'\\u00e9' == 'é' && \"\\x41\" == 'A' && '\\101' == 'A' && r'\\n' != '\\n'"
    ));
    assert!(t("'''multi\nline''' == 'multi\\nline'"));
    assert_eq!(code("size(1) == 1", json!({})), ErrorCode::CaveatError);
    assert_eq!(code("'a'.startsWith(1)", json!({})), ErrorCode::CaveatError);
}

#[test]
fn matches_is_re2_and_linear() {
    assert!(t("'hubba'.matches('ubb') && matches('abc', '^a.c$')"));
    assert!(t(
        "'grey'.matches('gr(a|e)y') && !'gray1'.matches('^gr[ae]y$')"
    ));
    assert!(
        t("'a1'.matches('\\\\d') && !'\\u0661'.matches('\\\\d')"),
        "\\d is ASCII-only, as in RE2"
    );
    assert!(t("'x y'.matches('\\\\s') && !'\\u00a0'.matches('\\\\s')"));
    assert!(t("'A'.matches('(?i)a') && 'é'.matches('^.$')"));
    // The pattern must be a literal: compiled once, at compile time.
    let e = Expr::compile("'a'.matches(args.re)").unwrap_err();
    assert_eq!(e.code(), ErrorCode::CaveatSyntax);
    // Invalid, and differently-read, patterns are refused at compile time.
    assert_eq!(
        Expr::compile("'a'.matches('(')").unwrap_err().code(),
        ErrorCode::CaveatSyntax
    );
    assert_eq!(
        Expr::compile("'a'.matches('[a&&b]')").unwrap_err().code(),
        ErrorCode::CaveatSyntax
    );
    for bad in ["(?x)a", r"\\<a", "a{1001}", r"\\Qa", "[[a]]", "(?=a)"] {
        let src = format!("'a'.matches('{bad}')");
        let e = Expr::compile(&src).unwrap_err();
        assert_eq!(e.code(), ErrorCode::CaveatSyntax, "{src}");
    }
    assert!(t("'aaa'.matches('^a{3}$') && 'a<'.matches('[[:alpha:]]<')"));
    // A pattern that backtracking engines take exponential time on.
    let long = format!("{}b", "a".repeat(1_000));
    let e = Expr::compile("args.s.matches('(a+)+$')").unwrap();
    let a = json!({ "s": long });
    let limits = Limits {
        max_steps: 1_000_000,
        ..Limits::default()
    };
    assert!(!e.eval_with(&ctx(&a), &limits).unwrap());
    assert!(!e.eval(&ctx(&a)).unwrap());
    // Its cost is counted against the budget: input length x program size.
    let a = json!({ "s": "a".repeat(20_000) });
    assert_eq!(
        e.eval(&ctx(&a)).unwrap_err().code(),
        ErrorCode::LimitExceeded
    );
}

/// Steps a caveat needs: the smallest budget it evaluates within.
fn steps_needed(src: &str, args: &serde_json::Value) -> u64 {
    let big = Limits {
        max_steps: 1 << 40,
        ..Limits::default()
    };
    let e = Expr::compile_with(src, &big).unwrap();
    let (mut lo, mut hi) = (0u64, 1 << 40);
    while lo < hi {
        let mid = lo + (hi - lo) / 2;
        let limits = Limits {
            max_steps: mid,
            ..Limits::default()
        };
        match e.eval_with(&ctx(args), &limits) {
            Ok(_) => hi = mid,
            Err(err) => {
                assert_eq!(err.code(), ErrorCode::LimitExceeded, "{src}: {err}");
                lo = mid + 1;
            }
        }
    }
    lo
}

#[test]
fn regex_cost_is_the_compiled_program() {
    use super::regex::{
        COMPILE_BASE_STEPS, COMPILE_STEPS_PER_UNIT, MATCH_UNITS_PER_STEP, MAX_PROGRAM,
    };
    // Refused by compiled size, not source length: each is a few bytes long.
    for p in [
        "[^X]{600}",
        "[a-z]{1000}!",
        ".{300}",
        "(?:[^X]{100}){10}",
        r"\\pL{10}",
        r"(?i)\\pL",
        r"\\pL",
        r"(?i)[\\x{0}-\\x{FFFF}]",
    ] {
        let src = format!("args.s.matches('{p}')");
        let e = Expr::compile(&src).unwrap_err();
        assert_eq!(e.code(), ErrorCode::LimitExceeded, "{src}: {e}");
        assert!(
            e.to_string()
                .contains(&format!("more than {MAX_PROGRAM} program units")),
            "{e}"
        );
    }
    // Within the limit: ordinary patterns and one large Unicode class.
    for p in [
        "^orders/[A-Z]-[0-9]+$",
        r"\\p{Greek}",
        "[a-z]{400}",
        r"(?i)^[a-z0-9._-]+$",
    ] {
        let src = format!("args.s.matches('{p}')");
        Expr::compile(&src).unwrap_or_else(|e| panic!("{src}: {e}"));
    }
    // The patterns of one caveat share its budget at compile time.
    let e = Expr::compile("args.s.matches('[^X]{24}') || args.s.matches('[^Y]{24}')").unwrap_err();
    assert_eq!(e.code(), ErrorCode::LimitExceeded);
    assert!(
        e.to_string().contains("compiling the regular expressions"),
        "{e}"
    );

    // The brief's example: 33 bytes of caveat, 100 KB of argument. Refused
    // when compiled; its little brother is charged out of budget by count.
    let big = json!({ "s": "a".repeat(100_000) });
    assert_eq!(
        Expr::compile("args.s.matches('[a-z]{1000}!')")
            .unwrap_err()
            .code(),
        ErrorCode::LimitExceeded
    );
    let e = Expr::compile("args.s.matches('[a-z]{100}!')").unwrap();
    assert!(matches!(
        e.eval(&ctx(&big)),
        Err(CaveatError::StepsExhausted { max: 10_000 })
    ));

    // The charge is exact: compile base + 8 per unit, then (len + 1) x units / 2.
    let size = testing::pattern_size("[a-z]{100}!").unwrap();
    assert_eq!(size, 208);
    let src = "args.s.matches('[a-z]{100}!')";
    let at = |n: usize| steps_needed(src, &json!({ "s": "a".repeat(n) }));
    let (s0, s1) = (at(0), at(1000));
    assert_eq!(s1 - s0, 1000 * size / MATCH_UNITS_PER_STEP);
    assert!(s0 >= COMPILE_BASE_STEPS + COMPILE_STEPS_PER_UNIT * size + size / 2);
    // Cached or not, a compiled caveat starts with its compile cost spent.
    let e = Expr::compile(src).unwrap();
    let limits = Limits {
        max_steps: COMPILE_BASE_STEPS + COMPILE_STEPS_PER_UNIT * size - 1,
        ..Limits::default()
    };
    assert!(matches!(
        e.eval_with(&ctx(&json!({"s": ""})), &limits),
        Err(CaveatError::StepsExhausted { .. })
    ));
    // A smaller budget refuses at compile time.
    assert_eq!(
        Expr::compile_with(src, &limits).unwrap_err().code(),
        ErrorCode::LimitExceeded
    );
}

#[test]
fn conversions() {
    use testing::TestValue::*;
    assert_eq!(val("int('42')"), Int(42));
    assert_eq!(val("int(42u)"), Int(42));
    assert_eq!(val("int(-3.9)"), Int(-3));
    assert_eq!(val("uint(42)"), Uint(42));
    assert_eq!(val("double(2)"), Double(2.0));
    assert_eq!(val("double('1.5')"), Double(1.5));
    assert_eq!(val("string(42)"), String("42".into()));
    assert_eq!(val("string(1u)"), String("1".into()));
    assert_eq!(val("string(1.5)"), String("1.5".into()));
    assert_eq!(val("string(1e6)"), String("1e+06".into()));
    assert_eq!(val("string(123456.0)"), String("123456".into()));
    assert_eq!(val("string(0.0001)"), String("0.0001".into()));
    assert_eq!(val("string(0.00001)"), String("1e-05".into()));
    assert_eq!(val("string(true)"), String("true".into()));
    assert_eq!(val("bool('true')"), Bool(true));
    assert_eq!(val("dyn(3)"), Int(3));
    assert!(testing::eval_value("int('x')", &[]).is_err());
    assert!(testing::eval_value("uint(-1)", &[]).is_err());
    assert!(testing::eval_value("int(1e19)", &[]).is_err());
    assert!(testing::eval_value("double('1e400')", &[]).is_err());
    assert!(testing::eval_value("uint('+1')", &[]).is_err());
}

#[test]
fn timestamps_and_durations() {
    use testing::TestValue::*;
    assert!(t("timestamp('2024-01-01T00:00:00Z') + duration('1h30m') == timestamp('2024-01-01T01:30:00Z')"));
    assert!(t(
        "timestamp('2024-01-01T01:00:00+01:00') == timestamp('2024-01-01T00:00:00Z')"
    ));
    assert!(t(
        "timestamp('2024-01-02T00:00:00Z') - timestamp('2024-01-01T00:00:00Z') == duration('24h')"
    ));
    assert!(t(
        "duration('1m') < duration('61s') && duration('-1.5h') < duration('0')"
    ));
    assert!(t(
        "now < timestamp('2030-01-01T00:00:00Z') && now >= timestamp(1700000000)"
    ));
    assert!(t("int(now) == 1700000000"));
    assert_eq!(
        val("string(timestamp('2024-05-01T12:00:00.250Z'))"),
        String("2024-05-01T12:00:00.25Z".into())
    );
    assert_eq!(val("string(duration('1h'))"), String("3600s".into()));
    assert_eq!(val("duration('1ms')"), Duration(1_000_000));
    assert_eq!(
        code("timestamp('yesterday') < now", json!({})),
        ErrorCode::CaveatError
    );
    assert_eq!(
        code("duration('1d') < duration('2d')", json!({})),
        ErrorCode::CaveatError
    );
    assert_eq!(
        code(
            "timestamp('9999-12-31T23:59:59Z') + duration('1s') > now",
            json!({})
        ),
        ErrorCode::CaveatError
    );
    assert_eq!(code("now < 5", json!({})), ErrorCode::CaveatError);
    assert_eq!(code("now + now > now", json!({})), ErrorCode::CaveatError);
}

#[test]
fn time_accessors_in_utc() {
    // 2023-11-14T22:13:20Z, a Tuesday.
    assert!(t(
        "now.getFullYear() == 2023 && now.getMonth() == 10 && now.getDate() == 14"
    ));
    assert!(t(
        "now.getDayOfMonth() == 13 && now.getDayOfWeek() == 2 && now.getDayOfYear() == 317"
    ));
    assert!(t(
        "now.getHours() == 22 && now.getMinutes() == 13 && now.getSeconds() == 20"
    ));
    assert!(t(
        "timestamp('2024-01-01T00:00:00.5Z').getMilliseconds() == 500"
    ));
    assert!(t(
        "duration('3730s').getMinutes() == 62 && duration('1.25s').getMilliseconds() == 250"
    ));
    assert!(t("now.getHours() >= 9 || now.getHours() < 17"));
    let e = Expr::compile("now.getHours('Europe/Paris') > 1").unwrap_err();
    assert_eq!(e.code(), ErrorCode::CaveatSyntax);
    assert_eq!(
        code("'x'.getHours() == 1", json!({})),
        ErrorCode::CaveatError
    );
}

#[test]
fn macros() {
    let a = json!({"items": [{"price": 5}, {"price": 7}], "tags": {"a": 1, "b": 2}});
    assert!(run("args.items.all(i, i.price < 10)", a.clone()).unwrap());
    assert!(run("args.items.exists(i, i.price == 7)", a.clone()).unwrap());
    assert!(run("args.items.exists_one(i, i.price > 6)", a.clone()).unwrap());
    assert!(!run("args.items.exists_one(i, i.price > 0)", a.clone()).unwrap());
    assert!(run("args.tags.all(k, k in ['a', 'b'])", a.clone()).unwrap());
    assert!(t("[].all(x, false) && ![].exists(x, true)"));
    assert!(t("[1, 2].all(x, [3, 4].exists(y, y > x))"));
    // The iteration variable shadows a caveat variable inside the macro only.
    assert!(t("['x'].all(args, args == 'x') && args == {}"));
    // Errors are absorbed by a deciding element, as with &&/||.
    assert!(!t("[0, 1].all(x, 1 / x == 1 && false)"));
    assert!(t("[0, 1].exists(x, 1 / x == 1)"));
    assert_eq!(
        code("[0, 1].all(x, 1 / x == 1)", json!({})),
        ErrorCode::CaveatError
    );
    assert_eq!(
        code("[0, 1].exists_one(x, 1 / x == 1)", json!({})),
        ErrorCode::CaveatError
    );
    assert_eq!(code("[1].all(x, x)", json!({})), ErrorCode::CaveatError);
    assert_eq!(code("1.all(x, true)", json!({})), ErrorCode::CaveatError);
}

#[test]
fn outside_the_subset_is_caveat_syntax() {
    for src in [
        "b'abc' == b'abc'",
        "[1].transformList(x, x * 2) == [2]",
        "[1].filter(i, x, x > 0) == [1]",
        "[1].exists_one(i, v, v > 0)",
        "type(1) == int",
        "int == int",
        "google.protobuf.Timestamp{} == now",
        ".args == 1",
        "args.?x == 1",
        "[?args] == []",
        "'%s'.format() == 'a'",
        "math.nosuch(1, 2) == 2",
        "[1].sortBy(x) == [1]",
        "unknown_var == 1",
        "f(1)",
        "1 +",
        "(1",
        "'unterminated",
        "1 = 1",
        "has(args)",
        "'\\q' == ''",
        "9223372036854775808 > 0",
        "if == 1",
        "1e400 > 0.0",
        "0x8000000000000000 > 0",
        // CEL's grammar: NUM_INT is DIGIT+ | '0x' HEXDIGIT+, lowercase x only;
        // a float needs digits on both sides of '.', or an exponent.
        "0X10 == 16",
        "0X10u == 16u",
        "-0Xff == -255",
        "1. == 1.0",
        "1e == 1.0",
        "1e+ == 1.0",
        "1.5u == 1u",
        "1e3u == 1000u",
        "0x == 0",
        "0x1.8p1 == 3.0",
    ] {
        let e = Expr::compile(src).unwrap_err();
        assert_eq!(e.code(), ErrorCode::CaveatSyntax, "{src}: {e}");
    }
    // A function CEL defines is outside the subset; any other is unknown.
    let e = Expr::compile("type('a') == string").unwrap_err();
    assert!(
        e.to_string()
            .contains("type() (CEL or one of its extension libraries defines it)"),
        "{e}"
    );
    assert!(e.to_string().contains("not in Charter's CEL subset"), "{e}");
    let e = Expr::compile("args.x.frobnicate()").unwrap_err();
    assert!(matches!(e, CaveatError::UnknownFunction { .. }), "{e}");
    assert!(
        e.to_string().starts_with("unknown function frobnicate()"),
        "{e}"
    );
    let e = Expr::compile("math.nosuch(1)").unwrap_err();
    assert!(
        e.to_string().contains("unknown function math.nosuch()"),
        "{e}"
    );
    let e = Expr::compile("amount < 5").unwrap_err();
    assert!(e.to_string().contains("\"amount\""), "{e}");
}

/// Every numeric literal form CEL's grammar has, with the value CEL gives it.
#[test]
fn numeric_literals_follow_cel_grammar() {
    use testing::TestValue::*;
    for (src, want) in [
        ("0x10", Int(16)),
        ("0xFF", Int(255)),
        ("0xaBc", Int(0xabc)),
        ("0x10u", Uint(16)),
        ("0x10U", Uint(16)),
        ("10U", Uint(10)),
        ("10u", Uint(10)),
        ("010", Int(10)),
        ("1e3", Double(1000.0)),
        ("1E3", Double(1000.0)),
        ("1e+3", Double(1000.0)),
        ("1E-3", Double(0.001)),
        ("1.5e2", Double(150.0)),
        ("1.5E2", Double(150.0)),
        (".5", Double(0.5)),
        (".5e1", Double(5.0)),
        ("-0x10", Int(-16)),
    ] {
        assert_eq!(val(src), want, "{src}");
    }
    let e = Expr::compile("0X10 == 16").unwrap_err();
    assert!(e.to_string().contains("lowercase 0x"), "{e}");
}

#[test]
fn result_must_be_bool() {
    let e = run("1 + 1", json!({})).unwrap_err();
    assert_eq!(e.code(), ErrorCode::CaveatError);
    assert_eq!(e.to_string(), "caveat evaluated to an int, not a bool");
}

#[test]
fn size_limit() {
    let src = format!("'{}' == ''", "a".repeat(5000));
    let e = Expr::compile(&src).unwrap_err();
    assert_eq!(e.code(), ErrorCode::LimitExceeded);
    assert!(matches!(e, CaveatError::TooLong { .. }));
}

#[test]
fn deep_nesting_is_a_limit_not_a_stack_overflow() {
    let n = 100_000;
    let big = Limits {
        max_expr_bytes: 10_000_000,
        ..Limits::default()
    };
    let inputs = [
        format!("{}true{}", "(".repeat(n), ")".repeat(n)),
        format!("{}true", "!".repeat(n)),
        format!("{}1 > 0", "-".repeat(n)),
        format!("{}1{} == 1", "[".repeat(n), "]".repeat(n)),
        format!("{}1: 1{}", "{".repeat(n), "}".repeat(n)),
        format!("{}true{}", "(true ? ".repeat(n), " : false)".repeat(n)),
        format!("args{}", ".a".repeat(n)),
        format!("args{}", "[0]".repeat(n)),
        format!("1{}", " + 1".repeat(n)),
        format!("size({}1{})", "[".repeat(n), "]".repeat(n)),
        format!("{}true", "[1].all(x, ".repeat(n)),
    ];
    for src in &inputs {
        // Default limits: refused for its size before parsing.
        let e = Expr::compile(src).unwrap_err();
        assert_eq!(e.code(), ErrorCode::LimitExceeded, "{}", &src[..20]);
        // With room for the text, refused for its depth.
        match Expr::compile_with(src, &big) {
            Err(CaveatError::TooDeep { .. }) => {}
            other => panic!("{}: {:?}", &src[..20], other.map(|_| ())),
        }
    }
    // The hard cap holds whatever the caller asks for, and trees just under
    // it parse and evaluate on a test thread's 2 MiB stack.
    let huge = Limits {
        max_depth: usize::MAX,
        ..big.clone()
    };
    for src in &inputs {
        match Expr::compile_with(src, &huge) {
            Err(CaveatError::TooDeep { max: 100 }) => {}
            other => panic!("{}: {:?}", &src[..20], other.map(|_| ())),
        }
    }
    let n = 48;
    for src in [
        format!("{}1{} == 1", "(".repeat(n), ")".repeat(n)),
        format!("{}1{}[0] == 1", "[".repeat(n), "]".repeat(n)),
        format!("size({}1{}) == 1", "size([".repeat(n), "])".repeat(n)),
        format!("{}1 == 1{}", "[1].exists(x, ".repeat(n), ")".repeat(n)),
        format!("{}true", "!".repeat(2 * n)),
        format!("{} > 0", vec!["1"; 2 * n].join(" + ")),
        format!("{}true{}", "[1].all(x, ".repeat(n), ")".repeat(n)),
        format!("{}true{}", "(true ? ".repeat(n), " : false)".repeat(n)),
    ] {
        let e = Expr::compile_with(&src, &huge).unwrap_or_else(|e| panic!("{}: {e}", &src[..20]));
        let r = e.eval(&ctx(&json!({})));
        assert!(
            r.is_ok() || matches!(r, Err(CaveatError::Eval { .. })),
            "{}: {r:?}",
            &src[..20]
        );
    }
    // Long flat chains of && and || are not deep.
    let flat = vec!["true"; 1000].join(" && ");
    assert!(Expr::compile_with(&flat, &big)
        .unwrap()
        .eval(&ctx(&json!({})))
        .unwrap());
    // CEL's minimums: 32 repetitions of an operator, 12 levels of nesting.
    assert!(t(&format!("{} == 33", vec!["1"; 33].join(" + "))));
    assert!(t("size([[[[[[[[[[[[0]]]]]]]]]]]]) == 1"));
}

#[test]
fn step_budget() {
    let a = json!({ "xs": (0..2000).collect::<Vec<_>>() });
    let e = Expr::compile("args.xs.all(x, args.xs.exists(y, y == x))").unwrap();
    let err = e.eval(&ctx(&a)).unwrap_err();
    assert_eq!(err.code(), ErrorCode::LimitExceeded);
    assert!(matches!(err, CaveatError::StepsExhausted { max: 10_000 }));
    // An exhausted budget is never absorbed by && or ||.
    let e = Expr::compile("args.xs.all(x, args.xs.exists(y, y == x)) || true").unwrap();
    assert_eq!(
        e.eval(&ctx(&a)).unwrap_err().code(),
        ErrorCode::LimitExceeded
    );
    // Long strings cost in proportion to their length.
    let a = json!({ "s": "x".repeat(1_000_000) });
    let e = Expr::compile("args.s.contains('y')").unwrap();
    assert_eq!(
        e.eval(&ctx(&a)).unwrap_err().code(),
        ErrorCode::LimitExceeded
    );
    let small = json!({ "s": "x".repeat(1000) });
    assert!(!e.eval(&ctx(&small)).unwrap());
    // Work on huge values stops at the budget instead of finishing first.
    let big = json!({ "l": vec![1; 1_000_000], "m": (0..100_000).map(|i| (i.to_string(), json!(i))).collect::<serde_json::Map<_, _>>() });
    for src in [
        "args.l == args.l",
        "2 in args.l",
        "args.l.exists(x, x == 2)",
        "args.m == args.m",
        "args.m.all(k, true)",
        "args.l + args.l == []",
    ] {
        let e = Expr::compile(src).unwrap().eval(&ctx(&big)).unwrap_err();
        assert_eq!(e.code(), ErrorCode::LimitExceeded, "{src}");
    }
    // A tiny budget; the same expression and input always give the same answer.
    let tiny = Limits {
        max_steps: 3,
        ..Limits::default()
    };
    let e = Expr::compile("1 + 1 == 2").unwrap();
    assert_eq!(
        e.eval_with(&ctx(&json!({})), &tiny).unwrap_err().code(),
        ErrorCode::LimitExceeded
    );
    let e = Expr::compile("true").unwrap();
    assert!(e.eval_with(&ctx(&json!({})), &tiny).unwrap());
}

#[test]
fn errors_convert_with_their_code() {
    let e: crate::Error = Expr::compile("nope").unwrap_err().into();
    assert_eq!(e.code(), ErrorCode::CaveatSyntax);
    let e: crate::Error = run("args.x", json!({})).unwrap_err().into();
    assert_eq!(e.code(), ErrorCode::CaveatError);
    assert_eq!(e.message(), "no such key \"x\" in args");
}

mod props {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(256))]

        /// Integer comparisons and arithmetic on JSON integers are exact.
        #[test]
        fn int_comparisons_are_exact(a in -(1i64 << 53) + 1..(1i64 << 53), b in -(1i64 << 53) + 1..(1i64 << 53)) {
            let args = json!({"a": a, "b": b});
            let e = Expr::compile("(args.a <= args.b) == (args.b - args.a >= 0) && (args.a == args.b) == !(args.a != args.b)").unwrap();
            prop_assert!(e.eval(&ctx(&args)).unwrap());
            let le = Expr::compile("args.a <= args.b").unwrap();
            prop_assert_eq!(le.eval(&ctx(&args)).unwrap(), a <= b);
        }

        /// Arbitrary text never panics: it compiles or is refused, and what
        /// compiles evaluates or fails with a code.
        #[test]
        fn arbitrary_text_never_panics(src in "[ -~\\n\\t\\u{e9}\\u{1F600}]{0,60}") {
            if let Ok(e) = Expr::compile(&src) {
                let _ = e.eval(&ctx(&json!({"a": [1, "x", {"b": null}]})));
            }
        }

        /// Text built from CEL's own tokens, which reaches deeper into the parser.
        #[test]
        fn token_soup_never_panics(toks in proptest::collection::vec(prop_oneof![
            Just("args"), Just("."), Just("a"), Just("("), Just(")"), Just("["), Just("]"),
            Just("{"), Just("}"), Just(","), Just(":"), Just("?"), Just("!"), Just("-"),
            Just("+"), Just("*"), Just("/"), Just("%"), Just("=="), Just("<"), Just("&&"),
            Just("||"), Just(" in "), Just("1"), Just("2u"), Just("1.5"), Just("'s'"),
            Just("true"), Just("null"), Just("size"), Just("all"), Just("x"), Just("now"),
            Just("has"), Just("timestamp"), Just("duration"), Just("'1s'"), Just("matches"),
        ], 0..40)) {
            let src = toks.join(" ");
            if let Ok(e) = Expr::compile(&src) {
                let _ = e.eval(&ctx(&json!({"a": [1, "x", {"b": null}]})));
            }
        }
    }
}

#[test]
fn counted_eval_reports_the_steps_the_budget_is_checked_against() {
    let args = json!({"tags": ["a", "b", "c"], "s": "x".repeat(300)});
    for src in [
        "true",
        "args.tags.exists(t, t == 'c') && size(args.s) > 10",
        "args.tags.all(t, t.startsWith('a'))",
        "args.s.contains('y') || args.missing == 1",
    ] {
        let expr = Expr::compile(src).unwrap();
        let limits = Limits::default();
        let (result, steps) = testing::eval_counted(&expr, &ctx(&args), &limits);
        assert_eq!(result, expr.eval(&ctx(&args)), "{src}");
        assert!(steps >= 1 && steps <= limits.max_steps, "{src}: {steps}");
        let exact = Limits {
            max_steps: steps,
            ..Limits::default()
        };
        assert_eq!(
            testing::eval_counted(&expr, &ctx(&args), &exact),
            (result.clone(), steps),
            "{src}"
        );
        let short = Limits {
            max_steps: steps - 1,
            ..Limits::default()
        };
        let (cut, _) = testing::eval_counted(&expr, &ctx(&args), &short);
        assert!(
            matches!(cut, Err(CaveatError::StepsExhausted { .. })),
            "{src}: {cut:?}"
        );
    }
    let expr = Expr::compile("args.tags.all(t, t != 'z')").unwrap();
    let tiny = Limits {
        max_steps: 2,
        ..Limits::default()
    };
    let (result, steps) = testing::eval_counted(&expr, &ctx(&args), &tiny);
    assert!(matches!(
        result,
        Err(CaveatError::StepsExhausted { max: 2 })
    ));
    assert!(steps > 2);
}
