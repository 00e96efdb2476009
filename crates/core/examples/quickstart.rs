//! Mint a capability, narrow it offline, and decide two calls with it.

use charter_core::{unix_now, CallOptions, Issuer, Request, RootKey, Verifier};
use serde_json::json;

fn main() -> Result<(), charter_core::Error> {
    // The platform mints a capability for its shopping agent.
    let root = RootKey::generate();
    let cap = Issuer::new(root.clone())
        .issue()
        .agent("shopper")
        .actions(&["search", "checkout"])
        .expires_at(unix_now() + 3600)
        .build()?;

    // The agent narrows it for a sub-agent: offline, no key needed.
    let token = cap.attenuate("args.amount <= 100")?.serialize();

    // The shop decides each call in process, with the root key. A capability
    // is accepted parsed or as its text; the options of a call (a holder
    // proof, a fixed time) are all absent here, so the system clock decides.
    let shop = Verifier::new([root], "shop")?;
    let small = Request::new("shopper", "checkout", json!({"amount": 80}));
    let large = Request::new("shopper", "checkout", json!({"amount": 250}));
    let options = CallOptions::default();
    assert!(shop.check(&token, &small, &options).allowed);
    let denied = shop.check(&token, &large, &options);
    assert!(!denied.allowed);
    println!("denied: {}", denied.reasons[0].message);
    Ok(())
}
