use charter_core::CallOptions;
use charter_core::{unix_now, Issuer, Request, RootKey, Verifier};
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

    // The shop decides each call in process, with the root key.
    let shop = Verifier::new([root], "shop")?;
    let small = Request::new("shopper", "checkout", json!({"amount": 80}));
    let large = Request::new("shopper", "checkout", json!({"amount": 250}));
    assert!(
        shop.check(&token, &small, &CallOptions::at(unix_now()))
            .allowed
    );
    let denied = shop.check(&token, &large, &CallOptions::at(unix_now()));
    assert!(!denied.allowed);
    println!("denied: {}", denied.reasons[0].message);
    Ok(())
}
