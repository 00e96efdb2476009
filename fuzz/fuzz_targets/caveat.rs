//! Caveat expressions: compile, evaluate against the vectors' request, and
//! check through a verifier.
//!
//! Input: the caveat, optionally followed by 0xFF and a string the request
//! carries as `args.fuzz`.
//!
//! Properties:
//! - attenuation refuses exactly what does not compile, with the same code
//!   (or a usage error: a typo is the developer's mistake);
//! - evaluation is deterministic, and a result other than "steps exhausted"
//!   never charged more than the budget; exactly the steps it charged are
//!   enough and one fewer is not (the budget is a count, never a guess);
//! - `!(caveat)` evaluates to the opposite bool;
//! - the verifier's decision on a capability narrowed by the caveat is the
//!   caveat's value (allowed exactly when it is `true`, one reason naming
//!   caveat 0 otherwise), and the same again from its compiled-caveat cache;
//! - a no-op attenuation (`true`) changes nothing: what was allowed stays
//!   allowed, what was denied is denied for the same reasons;
//! - the narrowed token re-serializes to bytes that parse back to it.
#![no_main]

use charter_core::caveat::{testing, CaveatError, Context, Expr, Limits};
use charter_core::{CallOptions, Capability, ErrorCode, ErrorFamily};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let (src, extra) = charter_fuzz::split2(data);
    let Some(src) = charter_fuzz::text(src) else {
        return;
    };
    let f = charter_fuzz::fixtures();
    // An optional second part is one more argument, `args.fuzz`, so string
    // functions and regexes meet fuzzed input too.
    let mut request = f.request.clone();
    if let Some(extra) = charter_fuzz::text(extra).filter(|e| !e.is_empty()) {
        if let Some(args) = request.args.as_object_mut() {
            args.insert("fuzz".into(), serde_json::Value::String(extra.into()));
        }
    }
    let req = &request;
    let compiled = Expr::compile(src);
    let attenuated = f.bare.attenuate(src);
    let expr = match compiled {
        Err(e) => {
            let a = attenuated.expect_err("attenuate accepted a caveat that does not compile");
            // The same code, or one that reports a caller's mistake.
            assert!(
                a.code() == e.code() || a.code().family() == ErrorFamily::Usage,
                "attenuate and compile disagree on {src:?}: {a:?} vs {e:?}"
            );
            return;
        }
        Ok(expr) => expr,
    };
    assert_eq!(expr.source(), src);

    let ctx = Context {
        agent: &req.agent,
        action: &req.action,
        args: &req.args,
        resource: req.resource.as_deref(),
        audience: &f.audience,
        now: f.now,
        holder: None,
    };
    let limits = Limits::default();
    let (result, steps) = testing::eval_counted(&expr, &ctx, &limits);
    assert_eq!(expr.eval(&ctx), result, "eval is not deterministic");
    match &result {
        Err(CaveatError::StepsExhausted { max }) => {
            assert_eq!(*max, limits.max_steps);
            assert!(
                steps > limits.max_steps,
                "exhausted after only {steps} steps"
            );
        }
        _ => {
            assert!(
                steps <= limits.max_steps,
                "{steps} steps charged against a budget of {}",
                limits.max_steps
            );
            let exact = Limits {
                max_steps: steps,
                ..limits.clone()
            };
            let (again, again_steps) = testing::eval_counted(&expr, &ctx, &exact);
            assert_eq!(
                again, result,
                "a budget of exactly {steps} steps changed the result"
            );
            assert_eq!(again_steps, steps);
            if steps > 0 {
                let short = Limits {
                    max_steps: steps - 1,
                    ..limits.clone()
                };
                let (cut, _) = testing::eval_counted(&expr, &ctx, &short);
                assert!(
                    matches!(cut, Err(CaveatError::StepsExhausted { .. })),
                    "{} steps are not enough for a caveat that charged {steps}, yet it gave {cut:?}",
                    steps - 1
                );
            }
        }
    }

    // Negation agrees with the value: `!(src)` is the opposite bool (the
    // newline ends a trailing comment). A limit it meets (one more level, one
    // more step, four more bytes) is the only excuse.
    if let Ok(b) = result {
        match Expr::compile(&format!("!({src}\n)")) {
            Ok(not) => match not.eval(&ctx) {
                Ok(nb) => assert_eq!(nb, !b, "!({src}) is not the negation of {b}"),
                Err(e) => assert_eq!(e.code(), ErrorCode::LimitExceeded, "!({src}): {e:?}"),
            },
            Err(e) => assert_eq!(e.code(), ErrorCode::LimitExceeded, "!({src}): {e:?}"),
        }
    }

    let cap = match attenuated {
        Ok(cap) => cap,
        // A bound beyond the caveat language (the token's size) may refuse it.
        Err(e) => {
            assert_eq!(
                e.code(),
                ErrorCode::LimitExceeded,
                "attenuate refused {src:?}: {e:?}"
            );
            return;
        }
    };
    let verifier = f.verifier();
    let decision = verifier.check(&cap, req, &CallOptions::at(f.now));
    assert_eq!(
        decision.allowed,
        matches!(result, Ok(true)),
        "the verifier decided {decision:?} but the caveat gives {result:?}"
    );
    if !decision.allowed {
        assert_eq!(decision.reasons.len(), 1, "{decision:?}");
        let reason = &decision.reasons[0];
        assert_eq!(reason.caveat_index, Some(0));
        match &result {
            Err(e) => assert_eq!(reason.code, e.code()),
            _ => assert!(matches!(
                reason.code,
                ErrorCode::CaveatFailed | ErrorCode::Expired | ErrorCode::NotYetValid
            )),
        }
    }
    assert_eq!(
        verifier.check(&cap, req, &CallOptions::at(f.now)),
        decision,
        "the compiled-caveat cache changed the decision"
    );

    let noop = cap
        .attenuate("true")
        .expect("`true` narrows any capability");
    assert_eq!(
        verifier.check(&noop, req, &CallOptions::at(f.now)),
        decision,
        "attenuating with `true` changed the decision"
    );

    let text = cap.serialize();
    let back = Capability::parse(&text).expect("a narrowed token parses");
    assert_eq!(back, cap);
    assert_eq!(back.serialize(), text);
});
