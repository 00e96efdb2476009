//! `--store URL`: state shared by separate runs of the CLI (each run is a process).

use std::path::Path;
use std::process::Command;

fn charter(dir: &Path, args: &[&str]) -> (i32, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_charter"))
        .current_dir(dir)
        .args(args)
        .output()
        .expect("charter runs");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn runs_share_budgets_revocations_permits_and_logs() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    for (kind, file) in [
        ("root", "root.json"),
        ("signing", "log.json"),
        ("signing", "pk.json"),
    ] {
        assert_eq!(charter(d, &["keygen", kind, "--out", file]).0, 0);
    }
    let (_, token, _) = charter(
        d,
        &[
            "issue",
            "--root-key",
            "root.json",
            "--action",
            "buy",
            "--never-expires",
            "--caveat",
            "budget(\"buys\", 2, 3600)",
        ],
    );
    let token = token.trim();
    let store = "sqlite://state.db";
    let check = |extra: &[&str]| {
        let mut args = vec![
            "check",
            token,
            "--root-key",
            "root.json",
            "--audience",
            "shop",
            "--agent",
            "a",
            "--action",
            "buy",
            "--args",
            "{}",
        ];
        args.extend_from_slice(extra);
        charter(d, &args)
    };
    // The budget holds across runs; without a store the check fails closed.
    assert_eq!(check(&["--store", store]).0, 0);
    assert_eq!(check(&["--store", store]).0, 0);
    let (code, out, _) = check(&["--store", store]);
    assert_eq!(code, 1);
    assert!(out.contains("budget_exhausted"), "{out}");
    let (code, out, _) = check(&[]);
    assert_eq!(code, 1);
    assert!(out.contains("store_unavailable"), "{out}");

    // A revocation by one run is honoured by the next.
    let (_, inspected, _) = charter(d, &["inspect", "--json", token]);
    let id = serde_json::from_str::<serde_json::Value>(&inspected).unwrap()["id"]
        .as_str()
        .unwrap()
        .to_string();
    assert_eq!(charter(d, &["revoke", "--store", store, &id]).0, 0);
    let (_, listed, _) = charter(d, &["revoke", "--store", store, "--list"]);
    assert_eq!(listed.trim(), id);
    let (code, out, _) = check(&["--store", store]);
    assert_eq!(code, 1);
    assert!(out.contains("revoked"), "{out}");

    // A permit is accepted by one run and refused by the next.
    let (_, permit, _) = charter(
        d,
        &[
            "permit",
            "issue",
            "--signing-key",
            "pk.json",
            "--issuer",
            "gw",
            "--agent",
            "a",
            "--audience",
            "shop",
            "--action",
            "buy",
            "--args",
            "{}",
            "--capability-id",
            "c",
        ],
    );
    let (_, jwks, _) = charter(d, &["keys", "jwks", "--signing-key", "pk.json"]);
    std::fs::write(d.join("jwks.json"), jwks).unwrap();
    let verify = || {
        charter(
            d,
            &[
                "permit",
                "verify",
                permit.trim(),
                "--jwks",
                "jwks.json",
                "--audience",
                "shop",
                "--action",
                "buy",
                "--args",
                "{}",
                "--store",
                store,
            ],
        )
    };
    assert_eq!(verify().0, 0);
    let (code, out, _) = verify();
    assert_eq!(code, 1);
    assert!(out.contains("replayed"), "{out}");

    // Receipts appended by separate runs form one chain in the store.
    for _ in 0..3 {
        let (code, _, err) = charter(
            d,
            &[
                "audit",
                "append",
                "--store",
                store,
                "--signing-key",
                "log.json",
                "--agent",
                "a",
                "--action",
                "x",
                "--args",
                "{}",
                "--decision",
                "allow",
            ],
        );
        assert_eq!(code, 0, "{err}");
    }
    let (code, bundle, err) = charter(
        d,
        &[
            "audit",
            "export",
            "--store",
            store,
            "--signing-key",
            "log.json",
        ],
    );
    assert_eq!(code, 0, "{err}");
    assert!(bundle.contains("\"count\":3"), "{bundle}");
}
