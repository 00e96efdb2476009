//! The worst case of each new caveat function family at the default step
//! budget, beside a normal check: the budget, not the input, bounds the time.
//! Each worst-case expression is built to run until the budget is spent (or
//! just under it), on the largest argument the budget lets it touch.

#![allow(
    missing_docs,
    reason = "criterion_group! generates a pub fn that cannot carry a doc comment"
)]

use charter_core::caveat::{testing, Context, Expr, Limits};
use criterion::{criterion_group, criterion_main, Criterion};
use serde_json::json;

fn ctx(args: &serde_json::Value) -> Context<'_> {
    Context {
        agent: "agent-1",
        action: "files.read",
        args,
        resource: None,
        audience: "fs-tool",
        now: 1_700_000_000,
        holder: None,
    }
}

fn bench(c: &mut Criterion) {
    let long = "a,".repeat(200_000);
    let nums: Vec<i64> = (0..100_000).collect();
    let other: Vec<i64> = (100_000..200_000).collect();
    let args = json!({
        "amount": 4200,
        "file": "/data/reports/2026/q1.csv",
        "s": long,
        "l": nums,
        "m": other,
        "host": "169.254.169.254",
        "u": format!("https://api.example.com/{}", "é".repeat(15_000)),
        "q": format!("https://api.example.com/?{}", (0..3000).map(|i| format!("k{i}=v")).collect::<Vec<_>>().join("&")),
        "f": "%.100000f",
        "url": "https://api.example.com:8443/v1/refunds?id=7&id=8",
    });
    let cases = [
        ("normal check", "args.amount <= 5000 && path.within(args.file, '/data') && !ip(args.host).isLinkLocalUnicast()"),
        ("map over a long list", "args.l.map(x, x * 2).size() > 0"),
        ("filter over a long list", "args.l.filter(x, x % 2 == 0).size() > 0"),
        ("split a long string", "args.s.split(',').size() > 0"),
        ("replace growing a string", "args.s.replace('a', 'bbbbbbbbbbbbbbbb').size() > 0"),
        ("lowerAscii of a long string", "args.s.lowerAscii().lowerAscii().lowerAscii().size() > 0"),
        ("indexOf in a long string", "args.s.indexOf('zz') == -1 && args.s.lastIndexOf('zz') == -1"),
        ("findAll on a long string", "args.s.findAll('a').size() > 0"),
        ("sets.intersects of long lists", "sets.intersects(args.l, args.m)"),
        ("distinct of a long list", "args.l.distinct().size() > 0"),
        ("math.greatest of a long list", "math.greatest(args.l) > 0"),
        ("path.within of a long path", "path.within('/data/' + args.s, '/data')"),
        ("cidr checks", "cidr('10.0.0.0/8').containsIP(args.host) || cidr('169.254.0.0/16').containsIP(args.host)"),
        ("url() accessors", "url(args.url).getHostname() == 'api.example.com' && url(args.url).getQuery()['id'] == ['7', '8']"),
        ("url() escaping a long path", "url(args.u).getEscapedPath() != ''"),
        ("url() query of many keys", "size(url(args.q).getQuery()) > 0"),
        ("format %s of a long list", "'%s'.format([args.l]) != ''"),
        ("format with a huge precision", "args.f.format([1.5]) != ''"),
        ("transformMap over a long list", "args.l.transformMap(i, v, v * 2).size() > 0"),
        ("two-variable exists over a long list", "args.l.exists(i, v, v < 0)"),
        ("sortBy over a long list", "args.l.sortBy(x, -x).size() > 0"),
        ("sort of a 1000-element list", "args.l.slice(0, 1000).reverse().sort().size() > 0"),
    ];
    let limits = Limits::default();
    let mut g = c.benchmark_group("caveat_ext");
    for (name, src) in cases {
        let e = Expr::compile(src).expect("bench caveats compile");
        let cx = ctx(&args);
        let (r, steps) = testing::eval_counted(&e, &cx, &limits);
        println!(
            "{name}: {steps} steps, {}",
            match &r {
                Ok(b) => format!("{b}"),
                Err(err) => format!("{:?}", err.code()),
            }
        );
        g.bench_function(name, |b| b.iter(|| testing::eval_counted(&e, &cx, &limits)));
    }
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
