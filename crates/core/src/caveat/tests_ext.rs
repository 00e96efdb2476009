//! Unit tests of the extension libraries (strings, math, sets, lists, regex
//! find), the Kubernetes IP and CIDR libraries, Charter's `path` library and
//! the `map`/`filter` macros: meaning, errors and cost.

use serde_json::json;

use super::*;

fn ctx(args: &serde_json::Value) -> Context<'_> {
    Context {
        agent: "agent-7",
        action: "files.read",
        args,
        resource: None,
        audience: "fs-tool",
        now: 1_700_000_000,
        holder: None,
    }
}

fn run(src: &str, args: serde_json::Value) -> Result<bool, CaveatError> {
    Expr::compile(src)?.eval(&ctx(&args))
}

fn t(src: &str) -> bool {
    run(src, json!({})).unwrap_or_else(|e| panic!("{src}: {e}"))
}

fn eval_err(src: &str, args: serde_json::Value) -> String {
    match run(src, args) {
        Ok(v) => panic!("{src}: expected an error, got {v}"),
        Err(e) => {
            assert_eq!(e.code(), ErrorCode::CaveatError, "{src}: {e}");
            e.to_string()
        }
    }
}

fn steps(src: &str, args: serde_json::Value) -> (Result<bool, CaveatError>, u64) {
    let e = Expr::compile(src).unwrap_or_else(|e| panic!("{src}: {e}"));
    let a = args;
    testing::eval_counted(&e, &ctx(&a), &Limits::default())
}

#[test]
fn map_and_filter_macros() {
    assert!(t("[1, 2, 3].map(x, x * 2) == [2, 4, 6]"));
    assert!(t("[1, 2, 3].map(x, x > 1, x * 10) == [20, 30]"));
    assert!(t("[1, 2, 3, 4].filter(x, x % 2 == 0) == [2, 4]"));
    assert!(t("{'a': 1, 'b': 2}.map(k, k) == ['a', 'b']"));
    assert!(t("{'a': 1, 'b': 2}.filter(k, k == 'b') == ['b']"));
    assert!(t("[].map(x, x) == []"));
    assert!(t(
        "[[1], [2, 3]].map(l, l.filter(x, x > 1)) == [[], [2, 3]]"
    ));
    // The iteration variable shadows and goes out of scope.
    assert!(run("[1].map(x, x) == [1] && x == 1", json!({})).is_err());
    // Errors are not absorbed, and a non-bool filter is an error.
    assert!(eval_err("[0, 1].map(x, 1 / x) == [1]", json!({})).contains("division by zero"));
    assert!(eval_err("[1].filter(x, 1) == []", json!({})).contains("must be a bool"));
    assert!(eval_err("1.map(x, x) == []", json!({})).contains("needs a list or map"));
    // Charged per iteration: a big argument list runs out of budget.
    let big: Vec<i64> = (0..20_000).collect();
    let (r, _) = steps("args.l.map(x, x).size() > 0", json!({"l": big}));
    assert_eq!(r.unwrap_err().code(), ErrorCode::LimitExceeded);
}

#[test]
fn strings_extension() {
    assert!(t("'TacoCat'.lowerAscii() == 'tacocat'"));
    assert!(t("'TacoCÆt'.upperAscii() == 'TACOCÆT'"));
    assert!(t("'  a b \\n'.trim() == 'a b'"));
    assert!(t("'tacocat'.charAt(3) == 'o' && 'tacocat'.charAt(7) == ''"));
    assert!(t(
        "'ta©o©αT'.indexOf('©', 3) == 4 && 'ta©o©αT'.lastIndexOf('©') == 4"
    ));
    assert!(t("''.indexOf('a') == -1 && ''.lastIndexOf('a') == -1"));
    assert!(t("'bananananana'.lastIndexOf('nana', 7) == 6"));
    assert!(t("'a,b,,c'.split(',') == ['a', 'b', '', 'c']"));
    assert!(t(
        "'a,b,c'.split(',', 2) == ['a', 'b,c'] && 'abc'.split('') == ['a', 'b', 'c']"
    ));
    assert!(t(
        "'abc'.split('', 2) == ['a', 'bc'] && ''.split('') == [] && ''.split(',') == ['']"
    ));
    assert!(t(
        "'a,b'.split(',', 0) == [] && 'a,b'.split(',', -1) == ['a', 'b']"
    ));
    assert!(t(
        "'aaa'.replace('a', 'b', 2) == 'bba' && 'ab'.replace('', '-') == '-a-b-'"
    ));
    assert!(t(
        "'ta©o©αT'.substring(2, 6) == '©o©α' && 'abc'.substring(1) == 'bc'"
    ));
    assert!(t("['a', 'b'].join('/') == 'a/b' && [].join() == ''"));
    assert!(t("'αβγ'.reverse() == 'γβα'"));
    assert!(t(r#"strings.quote("a\"b\n") == "\"a\\\"b\\n\"""#));
    assert!(eval_err("'abc'.charAt(4) == ''", json!({})).contains("index out of range: 4"));
    assert!(eval_err("'abc'.substring(2, 1) == ''", json!({})).contains("invalid substring range"));
    assert!(eval_err("'abc'.indexOf('a', 3) == -1", json!({})).contains("index out of range"));
    assert!(eval_err("['a', 1].join() == ''", json!({})).contains("list of strings"));
    assert!(eval_err("args.n.trim() == ''", json!({"n": 1})).contains("no such overload"));
    // Argument counts are checked when the caveat is compiled.
    let e = Expr::compile("'a'.charAt()").unwrap_err();
    assert_eq!(e.code(), ErrorCode::CaveatSyntax);
}

#[test]
fn string_functions_are_charged_by_size() {
    // `replace('', x)` multiplies the input: its result is charged before it
    // is built, so a long input runs out of budget instead of memory.
    let s = "a".repeat(4000);
    let (r, _) = steps("args.s.replace('', args.s).size() > 0", json!({"s": s}));
    assert_eq!(r.unwrap_err().code(), ErrorCode::LimitExceeded);
    let (r, n) = steps(
        "args.s.lowerAscii().size() > 0",
        json!({"s": "A".repeat(6400)}),
    );
    assert!(r.unwrap());
    assert!(n >= 200, "{n}");
}

#[test]
fn math_extension() {
    assert!(t(
        "math.greatest(1, 2.5, 3u) == 3u && math.least([3, -1.5, 2]) == -1.5"
    ));
    assert!(t("math.greatest(-5) == -5"));
    assert!(t(
        "math.ceil(1.2) == 2.0 && math.floor(-1.2) == -2.0 && math.round(-1.5) == -2.0"
    ));
    assert!(t(
        "math.trunc(-1.7) == -1.0 && math.abs(-3) == 3 && math.sign(-2.5) == -1.0"
    ));
    assert!(t(
        "math.isNaN(0.0 / 0.0) && math.isInf(1.0 / 0.0) && math.isFinite(1.0)"
    ));
    assert!(t(
        "math.bitAnd(6, 3) == 2 && math.bitOr(1u, 2u) == 3u && math.bitNot(0) == -1"
    ));
    assert!(t(
        "math.bitShiftLeft(1, 200) == 0 && math.bitShiftRight(-1024, 3) == 2305843009213693824"
    ));
    assert!(t("math.sqrt(16) == 4.0"));
    assert!(eval_err("math.abs(-9223372036854775808) == 0", json!({})).contains("overflow"));
    assert!(eval_err("math.greatest([]) == 0", json!({})).contains("must not be empty"));
    assert!(eval_err("math.greatest(1, 'a') == 1", json!({})).contains("takes numbers"));
    assert!(eval_err("math.ceil(1) == 1.0", json!({})).contains("no such overload"));
    assert!(eval_err("math.bitShiftLeft(1, -1) == 0", json!({})).contains("negative offset"));
}

#[test]
fn sets_and_lists() {
    assert!(t(
        "sets.contains([1, 2, 3], [3, 1.0]) && !sets.contains([1], [2])"
    ));
    assert!(t(
        "sets.equivalent([1, 2, 2], [2, 1]) && !sets.equivalent([1], [1, 3])"
    ));
    assert!(t(
        "sets.intersects(['a', 'b'], ['c', 'b']) && !sets.intersects([], [1])"
    ));
    assert!(t("[1, 2, 1, 3].distinct() == [1, 2, 3]"));
    assert!(t(
        "[1, [2, [3]]].flatten() == [1, 2, [3]] && [1, [2, [3]]].flatten(2) == [1, 2, 3]"
    ));
    assert!(t(
        "[1, 2, 3, 4].slice(1, 3) == [2, 3] && lists.range(3) == [0, 1, 2]"
    ));
    assert!(eval_err("[1].slice(0, 2) == []", json!({})).contains("list is length 1"));
    // Pairwise comparison is charged: two large lists exhaust the budget.
    let l: Vec<i64> = (0..500).collect();
    let m: Vec<i64> = (1000..1500).collect();
    let (r, _) = steps("sets.intersects(args.a, args.b)", json!({"a": l, "b": m}));
    assert_eq!(r.unwrap_err().code(), ErrorCode::LimitExceeded);
}

#[test]
fn regex_find() {
    assert!(t("'abc 123 def 456'.find('[0-9]+') == '123'"));
    assert!(t("'abc'.find('[0-9]+') == ''"));
    assert!(t("'abc 123 def 456'.findAll('[0-9]+') == ['123', '456']"));
    assert!(t("'abc 123 def 456'.findAll('[0-9]+', 1) == ['123']"));
    assert!(t("'a1b2'.findAll('[0-9]', 0) == []"));
    // Empty matches next to a previous match are skipped, as in Go.
    assert!(t("'abc'.findAll('b*') == ['', 'b', '']"));
    assert!(t("'ab'.findAll('') == ['', '', '']"));
    let e = Expr::compile("args.s.find(args.re) == ''").unwrap_err();
    assert_eq!(e.code(), ErrorCode::CaveatSyntax);
    // Every search is charged for the rest of the input.
    let (r, _) = steps(
        "args.s.findAll('a').size() > 0",
        json!({"s": "a".repeat(3000)}),
    );
    assert_eq!(r.unwrap_err().code(), ErrorCode::LimitExceeded);
}

#[test]
fn ip_and_cidr() {
    assert!(t(
        "isIP('10.0.0.1') && !isIP('010.0.0.1') && !isIP('1.2.3') && !isIP('fe80::1%eth0')"
    ));
    assert!(t(
        "!isIP('::ffff:10.0.0.1') && !isIP('::ffff:a00:1') && isIP('2001:db8::1')"
    ));
    assert!(t("ip('10.0.0.1').family() == 4 && ip('::1').family() == 6"));
    assert!(t(
        "ip('127.0.0.2').isLoopback() && ip('::1').isLoopback() && !ip('10.0.0.1').isLoopback()"
    ));
    assert!(t(
        "ip('0.0.0.0').isUnspecified() && ip('::').isUnspecified()"
    ));
    assert!(t(
        "ip('169.254.169.254').isLinkLocalUnicast() && ip('fe80::1').isLinkLocalUnicast()"
    ));
    assert!(t(
        "ip('224.0.0.1').isLinkLocalMulticast() && ip('ff02::1').isLinkLocalMulticast()"
    ));
    assert!(t(
        "ip('10.0.0.1').isGlobalUnicast() && !ip('255.255.255.255').isGlobalUnicast()"
    ));
    assert!(t(
        "ip.isCanonical('2001:db8::1') && !ip.isCanonical('2001:DB8::1')"
    ));
    assert!(t(
        "ip('10.0.0.1') == ip('10.0.0.1') && string(ip('::1')) == '::1'"
    ));
    assert!(t("cidr('10.0.0.0/8').containsIP(ip('10.1.2.3')) && cidr('10.0.0.0/8').containsIP('10.1.2.3')"));
    assert!(t(
        "!cidr('10.0.0.0/8').containsIP('11.0.0.1') && !cidr('::/0').containsIP('1.2.3.4')"
    ));
    assert!(t("cidr('10.0.0.0/8').containsCIDR('10.1.0.0/16') && !cidr('10.1.0.0/16').containsCIDR('10.0.0.0/8')"));
    assert!(t("cidr('192.168.1.5/24').masked() == cidr('192.168.1.0/24') && cidr('192.168.1.5/24').prefixLength() == 24"));
    assert!(t(
        "cidr('192.168.1.5/24').ip() == ip('192.168.1.5') && string(cidr('::1/128')) == '::1/128'"
    ));
    assert!(t("isCIDR('10.0.0.0/8') && !isCIDR('10.0.0.0/33') && !isCIDR('10.0.0.0/08') && !isCIDR('10.0.0.0')"));
    assert!(eval_err("ip('nope').family() == 4", json!({})).contains("parse error"));
    assert!(eval_err("ip('::ffff:1.2.3.4').family() == 6", json!({})).contains("IPv4-mapped"));
    assert!(eval_err("ip('fe80::1%1').family() == 6", json!({})).contains("zone"));
    assert!(eval_err("ip('1.2.3.4') < ip('1.2.3.5')", json!({})).contains("cannot compare"));
    assert!(eval_err("ip(args.a).isLoopback()", json!({"a": 1})).contains("does not accept"));
}

#[test]
fn path_within() {
    assert!(t("path.within('/data/a/b.txt', '/data')"));
    assert!(t(
        "path.within('/data', '/data') && path.within('/data/', '/data/')"
    ));
    assert!(t(
        "path.within('/data/./a//b', '/data') && path.within('/data/x/../a', '/data')"
    ));
    assert!(t(
        "!path.within('/data/../etc/passwd', '/data') && !path.within('/database', '/data')"
    ));
    assert!(t(
        "!path.within('/data/../../data2', '/data') && path.within('/../data/a', '/data')"
    ));
    assert!(t(
        "path.within('/anything', '/') && path.within('///data/a', '/data')"
    ));
    assert!(t(
        "path.clean('/a/./b/../c//d/') == '/a/c/d' && path.clean('/..') == '/'"
    ));
    assert!(eval_err("path.within('data/a', '/data')", json!({})).contains("not absolute"));
    assert!(eval_err(
        "path.within(args.p, '/data')",
        json!({"p": "/data/a\\..\\..\\etc"})
    )
    .contains("backslash"));
    assert!(eval_err("path.within(args.p, '/data')", json!({"p": "/data/a\u{0}"})).contains("NUL"));
    assert!(eval_err("path.within('//data/a', '/data')", json!({})).contains("two slashes"));
    assert!(eval_err("path.within('/data/a', 'data')", json!({})).contains("not absolute"));
    assert!(eval_err("path.within(1, '/data')", json!({})).contains("no such overload"));
}

#[test]
fn namespaces_yield_to_variables() {
    // A variable named like a namespace is the variable.
    let e = testing::eval_value(
        "math.x",
        &[(
            "math",
            testing::TestValue::Map(vec![(
                testing::TestValue::String("x".into()),
                testing::TestValue::Int(1),
            )]),
        )],
    );
    assert_eq!(e, Ok(testing::TestValue::Int(1)));
}

#[test]
fn url_checks() {
    assert!(t(
        "url.host('https://api.example.com:8443/v1?q=1') == 'api.example.com'"
    ));
    assert!(t(
        "url.host('http://[::1]:80/') == '[::1]' && url.host('http://u:p@h/') == 'h'"
    ));
    assert!(t(
        "url.hasUserinfo('https://user@evil.example/') && !url.hasUserinfo('https://a.example/@x')"
    ));
    // Every IPv4 notation a browser accepts.
    for host in [
        "127.0.0.1",
        "127.1",
        "2130706433",
        "0x7f000001",
        "0177.0.0.1",
        "0x7f.0.0.1",
        "169.254.169.254",
        "10.0.0.1",
        "192.168.1.1",
        "172.16.0.1",
        "0.0.0.0",
        "100.64.0.1",
        "[::1]",
        "[::ffff:127.0.0.1]",
        "[::ffff:7f00:1]",
        "[fe80::1]",
        "[fd00::1]",
        "[64:ff9b::a9fe:a9fe]",
        "localhost",
        "LOCALHOST",
        "a.localhost",
        "127.0.0.1.",
    ] {
        let src = format!("url.hostIsInternal('http://{host}/')");
        assert!(t(&src), "{src}");
    }
    for host in [
        "example.com",
        "8.8.8.8",
        "[2001:4860::8888]",
        "172.32.0.1",
        "1.2.3.4.5",
    ] {
        let src = format!("!url.hostIsInternal('http://{host}:80/x')");
        assert!(t(&src), "{src}");
    }
    assert!(t("url.hostIsNormal('https://api.example.com/') && !url.hostIsNormal('https://API.example.com/')"));
    assert!(t("!url.hostIsNormal('http://127.1/') && !url.hostIsNormal('http://example.com./') && !url.hostIsNormal('http://ex%41mple.com/')"));
    assert!(t("!url.hostIsNormal('http://bücher.example/') && url.hostIsNormal('http://[::1]/') && !url.hostIsNormal('http://[0::1]/')"));
    // IDNA: a Punycode label is normal only if domain-to-ASCII keeps it.
    assert!(t("url.hostIsNormal('https://xn--bcher-kva.example/')"));
    for host in [
        // Decodes to "bÜcher": IDNA maps Ü to ü, so a browser would not send this.
        "xn--bcher-2pa.example",
        // Decodes to "a" and U+0080, which UTS 46 disallows.
        "xn--a-ba.example",
        // Decodes to "ab" and a soft hyphen, which UTS 46 maps away.
        "xn--ab-6da.example",
        // Decodes to "Ⅳx": the Roman numeral maps to "iv".
        "xn--x-d0n.example",
        // An empty Punycode label.
        "xn--.example",
    ] {
        let src = format!("!url.hostIsNormal('https://{host}/')");
        assert!(t(&src), "{src}");
    }
    assert!(
        eval_err("url.hostIsInternal('http://%31%32%37.0.0.1/')", json!({}))
            .contains("percent-encoded")
    );
    assert!(eval_err(
        "url.hostIsInternal(args.u)",
        json!({"u": "http://１２７.0.0.1/"})
    )
    .contains("non-ASCII"));
    assert!(eval_err(
        "url.host(args.u) == ''",
        json!({"u": "http://a.example\\@127.0.0.1/"})
    )
    .contains("backslash"));
    assert!(eval_err(
        "url.host(args.u) == ''",
        json!({"u": "http://a\t.example/"})
    )
    .contains("white space"));
    assert!(eval_err("url.host('/just/a/path') == ''", json!({})).contains("not absolute"));
    assert!(eval_err("url.host('http://a@b@c/') == ''", json!({})).contains("more than one"));
    // The namespace and the Kubernetes url() function live side by side.
    assert!(t(
        "url.host('https://a.example/') == url('https://a.example/').getHost()"
    ));
}

fn value(src: &str) -> testing::TestValue {
    testing::eval_value(src, &[]).unwrap_or_else(|e| panic!("{src}: {e}"))
}

fn s(v: &str) -> testing::TestValue {
    testing::TestValue::String(v.into())
}

#[test]
fn kubernetes_urls() {
    // The examples of k8s.io/apiserver/pkg/cel/library/urls.go.
    for (src, want) in [
        ("url('/path').getScheme()", ""),
        ("url('https://example.com/').getScheme()", "https"),
        ("url('HTTPS://example.com/').getScheme()", "https"),
        ("url('https://example.com:80/').getHost()", "example.com:80"),
        ("url('https://example.com/').getHost()", "example.com"),
        ("url('https://[::1]:80/').getHost()", "[::1]:80"),
        ("url('https://[::1]/').getHost()", "[::1]"),
        ("url('/path').getHost()", ""),
        (
            "url('https://example.com:80/').getHostname()",
            "example.com",
        ),
        ("url('https://127.0.0.1:80/').getHostname()", "127.0.0.1"),
        ("url('https://[::1]:80/').getHostname()", "::1"),
        ("url('/path').getHostname()", ""),
        ("url('https://example.com:80/').getPort()", "80"),
        ("url('https://example.com/').getPort()", ""),
        ("url('/path').getPort()", ""),
        ("url('https://example.com/path').getEscapedPath()", "/path"),
        (
            "url('https://example.com/path with spaces/').getEscapedPath()",
            "/path%20with%20spaces/",
        ),
        ("url('https://example.com').getEscapedPath()", ""),
        // Go keeps a valid escaping as written, and re-escapes otherwise.
        (
            "url('https://example.com/a%2fb').getEscapedPath()",
            "/a%2fb",
        ),
        ("url('https://example.com/a!b').getEscapedPath()", "/a!b"),
        (
            "url('https://example.com/caf%C3%A9').getEscapedPath()",
            "/caf%C3%A9",
        ),
        (
            "url('https://example.com/café').getEscapedPath()",
            "/caf%C3%A9",
        ),
        ("url('*').getEscapedPath()", "*"),
        // The host is percent-decoded (only non-ASCII bytes may be escaped).
        (
            "url('https://caf%C3%A9.example/').getHost()",
            "café.example",
        ),
        // Userinfo is not part of the host; the last '@' ends it.
        ("url('https://u:p@a@example.com/').getHost()", "example.com"),
        // An opaque URL has no host and no path.
        ("url('mailto:someone@example.com').getHost()", ""),
        ("url('mailto:someone@example.com').getScheme()", "mailto"),
        // ParseRequestURI leaves '//x' a path; Parse, whose value url() keeps,
        // reads an authority.
        ("url('//evil.example/x').getHost()", "evil.example"),
        ("url('https://example.com/p?q#frag').getEscapedPath()", "/p"),
        ("url('https:/path').getEscapedPath()", "/path"),
    ] {
        assert_eq!(value(src), s(want), "{src}");
    }
    let q = |src: &str, want: &[(&str, &[&str])]| {
        let want = testing::TestValue::Map(
            want.iter()
                .map(|(k, vs)| {
                    (
                        s(k),
                        testing::TestValue::List(vs.iter().map(|v| s(v)).collect()),
                    )
                })
                .collect(),
        );
        assert_eq!(value(src), want, "{src}");
    };
    q(
        "url('https://example.com/path?k1=a&k2=b&k2=c').getQuery()",
        &[("k1", &["a"]), ("k2", &["b", "c"])],
    );
    q(
        "url('https://example.com/path?key with spaces=value with spaces').getQuery()",
        &[("key with spaces", &["value with spaces"])],
    );
    q("url('https://example.com/path?').getQuery()", &[]);
    q("url('https://example.com/path').getQuery()", &[]);
    // '+' is a space, a key without '=' has an empty value, pairs with a ';'
    // or a bad escape are dropped (Go's Query() drops them silently).
    q(
        "url('https://e.example/?a+b=c%20d&e&x;y=1&bad=%zz&=v').getQuery()",
        &[("a b", &["c d"]), ("e", &[""]), ("", &["v"])],
    );
    assert!(t(
        "url('https://e.example/?to=a&to=b').getQuery()['to'][1] == 'b'"
    ));
    assert!(t(
        "isURL('https://user:pass@example.com:80/path?query=val#fragment')"
    ));
    assert!(t(
        "isURL('/absolute-path') && isURL('*') && isURL('mailto:a@b')"
    ));
    for bad in [
        "https://a:b:c/",
        "../relative-path",
        "",
        "example.com",
        ":foo",
        "https://exa mple.com/",
        "https://example.com#frag",
        "https://ex%41mple.com/",
        "https://[::1/",
        "https://[::1]x/",
        "https://exa\\\\mple.com/",
        "https://us er@example.com/",
        "https://example.com/%zz",
        "http://a\\u0001b/",
    ] {
        let src = format!("!isURL('{bad}')");
        assert!(t(&src), "{src}");
        let e = eval_err(&format!("url('{bad}').getHost() == ''"), json!({}));
        assert!(e.contains("URL parse error"), "{bad}: {e}");
    }
    // After a query, a fragment with a bad escape passes ParseRequestURI
    // (which reads it as part of the query) but not Parse.
    assert!(t("isURL('/a?x#%zz') && !isURL('/a#%zz')"));
    assert!(eval_err("url('/a?x#%zz').getHost() == ''", json!({})).contains("invalid URL escape"));
    // Accessors are methods of a URL, not of a string; URLs do not compare.
    assert!(eval_err("'https://a/'.getHost() == 'a'", json!({})).contains("method of a URL"));
    assert!(eval_err("url('/a') == url('/a')", json!({})).contains("cannot be compared"));
    assert!(eval_err("url('/a') in ['/a']", json!({})).contains("cannot be compared"));
    assert!(eval_err("isURL(1)", json!({})).contains("needs a string"));
    assert!(eval_err("string(url('/a')) == '/a'", json!({})).contains("kubernetes.URL"));
    assert!(eval_err("size(url('/a')) == 2", json!({})).contains("kubernetes.URL"));
    // A host decoding to bytes that are not UTF-8 cannot be returned as text.
    assert!(eval_err("url('https://%ff.example/').getHost() == ''", json!({})).contains("UTF-8"));
    assert!(t("url('https://%ff.example/').getEscapedPath() == '/'"));
    // Arguments from the call.
    assert!(run(
        "url(args.u).getHostname() in ['api.example.com'] && url(args.u).getScheme() == 'https'",
        json!({"u": "https://api.example.com:443/v1?x=1"})
    )
    .unwrap());
}

#[test]
fn kubernetes_urls_are_bounded() {
    // A long URL costs in proportion to its length, and a query of many
    // pairs (or many distinct keys) stops at the budget.
    let long = format!("https://example.com/{}", "a".repeat(700_000));
    let (r, _) = steps("url(args.u).getEscapedPath() != ''", json!({"u": long}));
    assert!(
        matches!(r, Err(CaveatError::StepsExhausted { .. })),
        "{r:?}"
    );
    let (r, _) = steps("isURL(args.u)", json!({"u": long}));
    assert!(
        matches!(r, Err(CaveatError::StepsExhausted { .. })),
        "{r:?}"
    );
    let pairs: Vec<String> = (0..5000).map(|i| format!("k{i}=v")).collect();
    let u = format!("https://e.example/?{}", pairs.join("&"));
    let (r, _) = steps("size(url(args.u).getQuery()) > 0", json!({"u": u}));
    assert!(
        matches!(r, Err(CaveatError::StepsExhausted { .. })),
        "{r:?}"
    );
    let u = format!("https://e.example/?{}", "&".repeat(20_000));
    let (r, _) = steps("size(url(args.u).getQuery()) == 0", json!({"u": u}));
    assert!(
        matches!(r, Err(CaveatError::StepsExhausted { .. })),
        "{r:?}"
    );
    // A short one is cheap.
    let (r, n) = steps(
        "url('https://e.example/?a=1').getQuery()['a'] == ['1']",
        json!({}),
    );
    assert_eq!(r, Ok(true));
    assert!(n < 30, "{n}");
}

#[test]
fn two_variable_macros() {
    assert!(t("[10, 20].all(i, v, v == (i + 1) * 10)"));
    assert!(t("{'a': 1, 'b': 2}.exists(k, v, k == 'b' && v == 2)"));
    assert!(t("[5, 7, 8].existsOne(i, v, v % 5 == i)"));
    assert!(t("[2, 4].transformList(i, v, v + i) == [2, 5]"));
    assert!(t("[2, 4].transformList(i, v, i > 0, v) == [4]"));
    assert!(t(
        "{'a': 1}.transformMap(k, v, k + string(v)) == {'a': 'a1'}"
    ));
    assert!(t("['x', 'y'].transformMap(i, v, v) == {0: 'x', 1: 'y'}"));
    assert!(t(
        "{'a': 1, 'b': 2}.transformMap(k, v, v > 1, v * 10) == {'b': 20}"
    ));
    assert!(run(
        "args.tags.all(k, v, k.startsWith('team-') && v != '')",
        json!({"tags": {"team-a": "x", "team-b": "y"}})
    )
    .unwrap());
    // The variables shadow, go out of scope, and must differ.
    assert!(run("[1].all(i, v, true) && v == 1", json!({})).is_err());
    let e = Expr::compile("[1].all(x, x, true)").unwrap_err();
    assert!(matches!(e, CaveatError::Syntax { .. }), "{e}");
    let e = Expr::compile("[1].transformList(x, x * 2) == [2]").unwrap_err();
    assert!(matches!(e, CaveatError::Syntax { .. }), "{e}");
    let e = Expr::compile("[1].existsOne(x, x == 1)").unwrap_err();
    assert!(matches!(e, CaveatError::Unsupported { .. }), "{e}");
    let e = Expr::compile("[1].exists_one(i, v, v == 1)").unwrap_err();
    assert!(matches!(e, CaveatError::Unsupported { .. }), "{e}");
    let e = Expr::compile("{'a': 1}.transformMapEntry(k, v, {v: k}) == {}").unwrap_err();
    assert!(matches!(e, CaveatError::Unsupported { .. }), "{e}");
    // Errors: absorbed by all/exists as in the one-variable forms, never by
    // existsOne and the transforms.
    assert!(t("[0, 1].exists(i, v, 1 / v == 1)"));
    assert!(eval_err("[0, 1].existsOne(i, v, 1 / v == 1)", json!({})).contains("division by zero"));
    assert!(
        eval_err("[0].transformList(i, v, 1 / v) == []", json!({})).contains("division by zero")
    );
    assert!(eval_err("[0].transformMap(i, v, 1, v) == {}", json!({})).contains("must be a bool"));
    assert!(eval_err("'ab'.all(i, v, true)", json!({})).contains("list or map"));
}

#[test]
fn two_variable_macros_are_bounded() {
    // Over a large argument every form stops at the budget, and a nested
    // pair multiplies its iterations (each one charged).
    let big: Vec<i64> = (0..50_000).collect();
    for src in [
        "args.l.all(i, v, v >= 0)",
        "args.l.exists(i, v, v < 0)",
        "args.l.existsOne(i, v, v == 1)",
        "size(args.l.transformList(i, v, v)) > 0",
        "size(args.l.transformMap(i, v, v > 0, v)) > 0",
        "args.s.all(i, v, args.s.all(j, w, i + j >= 0))",
    ] {
        let l: Vec<i64> = if src.contains("args.s") {
            (0..200).collect()
        } else {
            big.clone()
        };
        let (r, n) = steps(src, json!({"l": l, "s": l}));
        assert!(
            matches!(r, Err(CaveatError::StepsExhausted { .. })),
            "{src}: {r:?}"
        );
        assert!(n > Limits::default().max_steps, "{src}: {n}");
    }
    let mut m = serde_json::Map::new();
    for i in 0..20_000 {
        m.insert(format!("k{i}"), json!(i));
    }
    let (r, _) = steps("args.m.all(k, v, v >= 0)", json!({"m": m}));
    assert!(
        matches!(r, Err(CaveatError::StepsExhausted { .. })),
        "{r:?}"
    );
}

#[test]
fn format_verbs() {
    for (src, want) in [
        (
            "'%d|%x|%X|%o|%b'.format([-30, -30, 255, -8, -5])",
            "-30|-1e|FF|-10|-101",
        ),
        ("'%x'.format([18446744073709551615u])", "ffffffffffffffff"),
        ("'%x'.format(['é'])", "c3a9"),
        ("'%s'.format([-0.0])", "-0"),
        (
            "'%s %s'.format([1e21, 1e-7])",
            "1000000000000000000000 0.0000001",
        ),
        ("'%d'.format([double('-Infinity')])", "-Infinity"),
        ("'%.3s'.format(['abcdef'])", "abcdef"),
        (
            "'%.2f %.2f %.0f %.0f'.format([1.125, 0.125, 0.5, -0.5])",
            "1.12 0.12 0 -0",
        ),
        (
            "'%.1e %e %e'.format([1.25, 1e-300, 0.0])",
            "1.2e+00 1.000000e-300 0.000000e+00",
        ),
        (
            "'%f %e'.format([3, 18446744073709551615u])",
            "3.000000 1.844674e+19",
        ),
        ("'%.0f'.format([1e20])", "100000000000000000000"),
        (
            "'héllo %s, ünïcode'.format(['wörld'])",
            "héllo wörld, ünïcode",
        ),
        (
            "'%s'.format([{'b': [1, 'x'], 'a': {2: null}}])",
            "{a: {2: null}, b: [1, x]}",
        ),
        ("'%s'.format([duration('1.5s')])", "1.5s"),
        (
            "'%s'.format([timestamp('2024-05-01T12:00:00.120Z')])",
            "2024-05-01T12:00:00.12Z",
        ),
        ("'100%%'.format([])", "100%"),
    ] {
        assert_eq!(value(src), s(want), "{src}");
    }
    assert!(run(
        "args.f.format([args.n]) == 'n=7'",
        json!({"f": "n=%d", "n": 7})
    )
    .unwrap());
    for (src, msg) in [
        ("'%d'.format([])", "out of range"),
        ("'%d'.format([1, 2])", "too many arguments"),
        ("'%'.format([1])", "unexpected end"),
        ("'%.'.format([1])", "precision"),
        ("'%.f'.format([1.0])", "precision"),
        ("'%q'.format([1])", "unrecognized"),
        ("'%é'.format([1])", "unrecognized"),
        ("'%d'.format(['1'])", "decimal clause"),
        ("'%d'.format([2.5])", "implementations disagree"),
        ("'%s'.format([ip('10.0.0.1')])", "string clause"),
        ("'%s'.format([[url('/a')]])", "string clause"),
        ("'%e'.format([null])", "scientific clause"),
        ("'%b'.format([1.0])", "binary"),
        ("'%o'.format([true])", "octal"),
        ("'%x'.format([1.5])", "hex"),
        ("'%s'.format('x')", "needs a list"),
    ] {
        let e = eval_err(&format!("{src} == ''"), json!({}));
        assert!(e.contains(msg), "{src}: {e}");
    }
    let e = Expr::compile("'%s'.format()").unwrap_err();
    assert!(matches!(e, CaveatError::Syntax { .. }), "{e}");
}

#[test]
fn format_is_bounded() {
    // A precision from the arguments, a long format string, many clauses,
    // a large list printed with %s and a string printed as hex all stop at
    // the budget.
    let cases = [
        ("args.f.format([1.0]) != ''", json!({"f": "%.100000000f"})),
        ("args.f.format([]) != ''", json!({"f": "x".repeat(700_000)})),
        (
            "args.f.format(args.l) != ''",
            json!({"f": "%d".repeat(20_000), "l": vec![1; 20_000]}),
        ),
        ("'%s'.format([args.l]) != ''", json!({"l": vec![1; 20_000]})),
        (
            "'%x'.format([args.s]) != ''",
            json!({"s": "a".repeat(400_000)}),
        ),
    ];
    for (src, args) in cases {
        let (r, _) = steps(src, args);
        assert!(
            matches!(r, Err(CaveatError::StepsExhausted { .. })),
            "{src}: {r:?}"
        );
    }
    let mut m = serde_json::Map::new();
    for i in 0..5000 {
        m.insert(format!("k{i}"), json!(i));
    }
    let (r, _) = steps("'%s'.format([args.m]) != ''", json!({"m": m}));
    assert!(
        matches!(r, Err(CaveatError::StepsExhausted { .. })),
        "{r:?}"
    );
    // Precisions past what Rust's formatter takes (65535) print as Go
    // prints them: the exact digits, then zeros.
    for (f, p) in [
        ("%.70000f", 70_000usize),
        ("%.70000e", 70_000),
        ("%.1100f", 1100),
        ("%.1101e", 1101),
    ] {
        let v = testing::eval_value(&format!("'{f}'.format([0.1])"), &[]).unwrap();
        let testing::TestValue::String(out) = v else {
            panic!("{f}: {v:?}")
        };
        let frac = out.split_once('.').map(|(_, r)| r).unwrap_or("");
        let frac = frac.split_once('e').map_or(frac, |(m, _)| m);
        assert_eq!(frac.len(), p, "{f}");
        assert!(
            out.starts_with(if f.ends_with('f') {
                "0.1000000000000000055511151231257827"
            } else {
                "1.000000000000000055511151231257827"
            }),
            "{f}: {}",
            &out[..40]
        );
        assert!(frac.trim_end_matches('0').len() < 1100, "{f}");
    }
    let (testing::TestValue::String(a), testing::TestValue::String(b)) = (
        value("'%.2000e'.format([5e-324])"),
        value("'%.1100e'.format([5e-324])"),
    ) else {
        panic!("format gives strings")
    };
    assert_eq!(a, b.replace("e-324", &format!("{}e-324", "0".repeat(900))));
    let (r, n) = steps("'%s=%d'.format(['a', 1]) == 'a=1'", json!({}));
    assert_eq!(r, Ok(true));
    assert!(n < 20, "{n}");
}

#[test]
fn lists_sort_and_reverse() {
    assert!(t(
        "[3, 1, 2].sort() == [1, 2, 3] && ['b', 'c', 'a'].sort() == ['a', 'b', 'c']"
    ));
    assert!(t(
        "[true, false].sort() == [false, true] && [].sort() == []"
    ));
    assert!(t(
        "[duration('2s'), duration('1s')].sort() == [duration('1s'), duration('2s')]"
    ));
    assert!(t(
        "[5, 3, 1, 2].reverse() == [2, 1, 3, 5] && 'abc'.reverse() == 'cba'"
    ));
    assert!(t("[].reverse() == []"));
    assert!(t(
        "[{'n': 'foo', 's': 0}, {'n': 'bar', 's': -10}, {'n': 'baz', 's': 1000}].sortBy(e, e.s).map(e, e.n) == ['bar', 'foo', 'baz']"
    ));
    // Ties keep their order up to 12 elements, where Go's sort is stable.
    assert!(t(
        "[[1, 'a'], [0, 'b'], [1, 'c']].sortBy(p, p[0]).map(p, p[1]) == ['b', 'a', 'c']"
    ));
    assert!(t(
        "['0.0', '-0.0'].map(s, double(s)).sort().map(d, string(d)) == ['0', '-0']"
    ));
    assert!(run(
        "args.l.sort() == args.l.sortBy(x, x)",
        json!({"l": (0..40).rev().collect::<Vec<i64>>()})
    )
    .unwrap());
    // Equal ints in a long list are the same value: no ambiguity.
    assert!(run(
        "args.l.sort()[0] == 0",
        json!({"l": (0..40).map(|i| i % 3).collect::<Vec<i64>>()})
    )
    .unwrap());
    for (src, msg) in [
        ("[1, 'b'].sort() == []", "same type"),
        ("[1, 1u].sort() == []", "same type"),
        ("[[1]].sort() == []", "comparable"),
        ("[null].sort() == []", "comparable"),
        ("[1.0, double('NaN')].sort() == []", "NaN"),
        ("[1, 2].sortBy(x, x > 1 ? 'a' : 1) == []", "same type"),
        ("[0, 1].sortBy(x, 1 / x) == []", "division by zero"),
        ("'ab'.sort() == ''", "needs a list"),
        ("'ab'.sortBy(x, x) == ''", "needs a list"),
    ] {
        let e = eval_err(src, json!({}));
        assert!(e.contains(msg), "{src}: {e}");
    }
    // Above 12 elements ties whose order cel-go leaves to Go's unstable sort
    // are refused.
    let l: Vec<i64> = (0..13).map(|i| i % 2).collect();
    let e = eval_err("args.l.sortBy(x, x) == []", json!({"l": l}));
    assert!(e.contains("equal keys"), "{e}");
    let e = eval_err(
        "args.l.map(s, double(s)).sort() == []",
        json!({"l": ["0.0", "-0.0", "1", "2", "3", "4", "5", "6", "7", "8", "9", "10", "11"]}),
    );
    assert!(e.contains("equal keys"), "{e}");
    let e = Expr::compile("[1].first() == 1").unwrap_err();
    assert!(matches!(e, CaveatError::Unsupported { .. }), "{e}");
}

#[test]
fn lists_sort_is_bounded() {
    let big: Vec<i64> = (0..9000).rev().collect();
    let long: Vec<String> = (0..300)
        .map(|i| format!("{i:0>4}{}", "x".repeat(2000)))
        .collect();
    for (src, args) in [
        ("size(args.l.sort()) > 0", json!({"l": big.clone()})),
        ("size(args.l.sortBy(x, -x)) > 0", json!({"l": big.clone()})),
        (
            "size(args.l.reverse()) > 0",
            json!({"l": (0..20_000).collect::<Vec<i64>>()}),
        ),
        ("size(args.l.sort()) > 0", json!({"l": long})),
    ] {
        let (r, _) = steps(src, args);
        assert!(
            matches!(r, Err(CaveatError::StepsExhausted { .. })),
            "{src}: {r:?}"
        );
    }
}
