//! Property: attenuation only narrows. If a narrowed capability allows a
//! request, every capability it was narrowed from allows it too; and a
//! narrowing never changes the caveats it inherited.

use charter_core::capability::IssueOptions;
use charter_core::CallOptions;
use charter_core::{Issuer, Request, RootKey, Verifier};
use proptest::prelude::*;
use serde_json::json;

const NOW: i64 = 1_767_225_600;

fn caveat() -> impl Strategy<Value = String> {
    prop_oneof![
        (0i64..200).prop_map(|n| format!("args.amount <= {n}")),
        (0i64..200).prop_map(|n| format!("args.amount > {n}")),
        prop::sample::select(vec!["read", "write", "refund"])
            .prop_map(|a| format!("action == \"{a}\"")),
        prop::sample::select(vec!["a", "b"]).prop_map(|a| format!("agent != \"{a}\"")),
        prop::sample::select(vec!["gift", "sale"]).prop_map(|t| format!("\"{t}\" in args.tags")),
        (0i64..200).prop_map(|n| format!("args.amount % 2 == 0 || args.amount < {n}")),
        Just("has(args.coupon)".to_string()),
        Just("args.coupon == 1".to_string()),
        (0i64..5).prop_map(|n| format!("size(args.tags) >= {n}")),
    ]
}

fn request() -> impl Strategy<Value = Request> {
    (
        prop::sample::select(vec!["a", "b", "c"]),
        prop::sample::select(vec!["read", "write", "refund"]),
        0i64..200,
        prop::collection::vec(prop::sample::select(vec!["gift", "sale", "x"]), 0..4),
    )
        .prop_map(|(agent, action, amount, tags)| {
            Request::new(agent, action, json!({"amount": amount, "tags": tags}))
        })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]
    #[test]
    fn narrowing_never_widens(first in prop::collection::vec(caveat(), 0..4), more in prop::collection::vec(caveat(), 1..5), reqs in prop::collection::vec(request(), 1..8)) {
        let root = RootKey::from_bytes(&[1; 32]).unwrap();
        let verifier = Verifier::new([root.clone()], "svc").unwrap();
        let parent = Issuer::new(root).issue_with(&IssueOptions { caveats: first, token_id: Some(vec![0; 16]), issued_at: Some(NOW), never_expires: true, ..Default::default() }).unwrap();
        let mut chain = vec![parent];
        for c in &more {
            let next = chain.last().unwrap().attenuate(c).unwrap();
            prop_assert_eq!(&next.caveats()[..next.caveats().len() - 1], chain.last().unwrap().caveats());
            chain.push(next);
        }
        for req in &reqs {
            let allowed: Vec<bool> = chain.iter().map(|c| verifier.check(c, req, &CallOptions::at(NOW)).allowed).collect();
            for k in 1..allowed.len() {
                prop_assert!(!allowed[k] || allowed[k - 1], "narrowing {k} allows {req:?} but its parent denies it");
            }
        }
    }
}
