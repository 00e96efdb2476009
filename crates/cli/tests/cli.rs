//! End-to-end tests of the `charter` binary: every step runs the built
//! executable, the way a person or a script would.
//!
//! The caveats used here (`action in [...]`, expiry, holder binding) mean the
//! same under any conforming caveat evaluator, so these tests do not depend on
//! the details of the CEL implementation.

use serde_json::Value;

mod common;
use common::{Run, Scratch};

/// A scratch directory with a root key in it.
struct Env(Scratch);

impl std::ops::Deref for Env {
    type Target = Scratch;
    fn deref(&self) -> &Scratch {
        &self.0
    }
}

impl Env {
    fn new() -> Env {
        let env = Env(Scratch::new());
        env.ok(&["keygen", "root", "--out", "root.json"]);
        env
    }

    /// A capability for agent `shopper` at audience `shop`: search and buy, one hour.
    fn issue(&self) -> String {
        self.ok(&[
            "issue",
            "--root-key",
            "root.json",
            "--agent",
            "shopper",
            "--audience",
            "shop",
            "--action",
            "search",
            "--action",
            "buy",
            "--expires-in",
            "1h",
        ])
    }

    fn check(&self, token: &str, action: &str, extra: &[&str]) -> Run {
        let mut args = vec![
            "check",
            token,
            "--root-key",
            "root.json",
            "--audience",
            "shop",
            "--agent",
            "shopper",
            "--action",
            action,
        ];
        args.extend_from_slice(extra);
        self.run(&args)
    }
}

fn json(text: &str) -> Value {
    serde_json::from_str(text).unwrap_or_else(|e| panic!("not JSON ({e}): {text}"))
}

#[test]
fn keygen_writes_private_key_files_and_never_overwrites() {
    let env = Env::new();
    let key = json(&std::fs::read_to_string(env.path("root.json")).unwrap());
    assert_eq!(key["kind"], "root");
    assert!(key["kid"].is_string() && key["secret"].is_string(), "{key}");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(env.path("root.json"))
            .unwrap()
            .permissions()
            .mode();
        assert_eq!(mode & 0o777, 0o600);
    }
    let again = env.run(&["keygen", "root", "--out", "root.json"]);
    assert_eq!(again.code, 2);
    assert!(again.stderr.starts_with("error[io]: "), "{}", again.stderr);
    assert_eq!(
        json(&std::fs::read_to_string(env.path("root.json")).unwrap()),
        key,
        "the existing key must be left untouched"
    );

    let printed = env.run(&["keygen", "signing"]);
    assert_eq!(printed.code, 0);
    let signing = json(&printed.stdout);
    assert_eq!(signing["kind"], "signing");
    assert_eq!(signing["jwk"]["kty"], "OKP");
    assert_eq!(signing["jwk"]["kid"], signing["kid"]);
    assert!(signing["jwk"].get("d").is_none(), "the JWK must be public");
    assert!(printed.stderr.contains("SECRET"), "{}", printed.stderr);
}

#[test]
fn issue_attenuate_inspect_check_end_to_end() {
    let env = Env::new();
    let token = env.issue();
    let narrowed = env.ok(&["attenuate", &token, "--caveat", "action in [\"buy\"]"]);
    assert_ne!(narrowed, token);

    let text = env.ok(&["inspect", &narrowed]);
    assert!(
        text.contains("NOT"),
        "inspect must say it verifies nothing: {text}"
    );
    assert!(text.contains("[4] action in [\"buy\"]"), "{text}");
    assert!(text.contains("[1] agent == \"shopper\""), "{text}");
    let root_kid = json(&std::fs::read_to_string(env.path("root.json")).unwrap())["kid"].clone();
    let info = json(&env.ok(&["inspect", "--json", &narrowed]));
    assert_eq!(info["verified"], false);
    assert_eq!(info["root_kid"], root_kid);
    assert_eq!(info["caveats"].as_array().unwrap().len(), 5);
    assert!(info["issued_at_rfc3339"].as_str().unwrap().ends_with('Z'));
    // Narrowing keeps the token id (revocation follows it) and changes the public id.
    let parent = json(&env.ok(&["inspect", "--json", &token]));
    assert_eq!(parent["token_id"], info["token_id"]);
    assert_ne!(parent["id"], info["id"]);

    // The parent allows both actions; the narrowed token only `buy`.
    let r = env.check(&token, "search", &[]);
    assert_eq!((r.code, r.stdout.trim()), (0, "ALLOWED"), "{}", r.stderr);
    let r = env.check(&narrowed, "buy", &["--args", "{\"amount\": 20}"]);
    assert_eq!((r.code, r.stdout.trim()), (0, "ALLOWED"), "{}", r.stderr);

    let r = env.check(&narrowed, "search", &[]);
    assert_eq!(r.code, 1, "denied is exit 1: {}{}", r.stdout, r.stderr);
    assert!(r.stdout.starts_with("DENIED"), "{}", r.stdout);
    assert!(
        r.stdout.contains("caveat_failed (caveat 4)"),
        "{}",
        r.stdout
    );

    let r = env.check(&narrowed, "search", &["--json"]);
    assert_eq!(r.code, 1);
    let decision = json(&r.stdout);
    assert_eq!(decision["allowed"], false);
    let reasons = decision["reasons"].as_array().unwrap();
    assert_eq!(reasons.len(), 1, "{decision}");
    assert_eq!(reasons[0]["code"], "caveat_failed");
    assert_eq!(reasons[0]["caveat_index"], 4);
    assert!(reasons[0]["message"].is_string());

    let r = env.check(&narrowed, "buy", &["--json"]);
    assert_eq!(r.code, 0);
    assert_eq!(json(&r.stdout), json(r#"{"allowed":true,"reasons":[]}"#));
}

#[test]
fn tokens_can_come_from_stdin() {
    let env = Env::new();
    let token = env.issue();
    let r = env.run_stdin(
        &["attenuate", "-", "--caveat", "action in [\"buy\"]"],
        &format!("{token}\n"),
    );
    assert_eq!(r.code, 0, "{}", r.stderr);
    let narrowed = r.stdout.trim().to_string();
    let r = env.run_stdin(
        &[
            "check",
            "-",
            "--root-key",
            "root.json",
            "--audience",
            "shop",
            "--agent",
            "shopper",
            "--action",
            "buy",
        ],
        &narrowed,
    );
    assert_eq!((r.code, r.stdout.trim()), (0, "ALLOWED"), "{}", r.stderr);
}

#[test]
fn expired_capabilities_are_denied() {
    let env = Env::new();
    let token = env.issue();
    // 2100-01-01: long after the one-hour lifetime.
    let r = env.check(&token, "buy", &["--now", "4102444800", "--json"]);
    assert_eq!(r.code, 1, "{}{}", r.stdout, r.stderr);
    let reasons = json(&r.stdout)["reasons"].as_array().unwrap().clone();
    assert!(
        reasons.iter().any(|x| x["caveat_index"] == 3),
        "the expiry caveat (index 3) must be named: {reasons:?}"
    );
}

#[test]
fn another_root_key_does_not_verify() {
    let env = Env::new();
    let token = env.issue();
    env.ok(&["keygen", "root", "--out", "other.json"]);
    let r = env.run(&[
        "check",
        &token,
        "--root-key",
        "other.json",
        "--audience",
        "shop",
        "--agent",
        "shopper",
        "--action",
        "buy",
        "--json",
    ]);
    assert_eq!(r.code, 1);
    assert_eq!(json(&r.stdout)["reasons"][0]["code"], "unknown_key");
    // Trusting several root keys (rotation) accepts either.
    let r = env.run(&[
        "check",
        &token,
        "--root-key",
        "other.json",
        "--root-key",
        "root.json",
        "--audience",
        "shop",
        "--agent",
        "shopper",
        "--action",
        "buy",
    ]);
    assert_eq!((r.code, r.stdout.trim()), (0, "ALLOWED"), "{}", r.stderr);
}

#[test]
fn holder_bound_capabilities_need_a_proof() {
    let env = Env::new();
    env.ok(&["keygen", "signing", "--out", "agent.json"]);
    let agent = json(&std::fs::read_to_string(env.path("agent.json")).unwrap());
    let kid = agent["kid"].as_str().unwrap();
    let bound = env.ok(&["attenuate", &env.issue(), "--holder", kid]);
    let call = ["--args", "{\"amount\": 20}"];

    let r = env.check(&bound, "buy", &call);
    assert_eq!(r.code, 1, "no proof, no access: {}", r.stdout);

    let mut prove = vec![
        "prove",
        &bound,
        "--key",
        "agent.json",
        "--audience",
        "shop",
        "--agent",
        "shopper",
        "--action",
        "buy",
    ];
    prove.extend_from_slice(&call);
    let proof = env.ok(&prove);
    let r = env.check(
        &bound,
        "buy",
        &["--args", "{\"amount\": 20}", "--proof", &proof],
    );
    assert_eq!((r.code, r.stdout.trim()), (0, "ALLOWED"), "{}", r.stderr);

    // The proof covers the exact call: other arguments are refused.
    let r = env.check(
        &bound,
        "buy",
        &["--args", "{\"amount\": 21}", "--proof", &proof],
    );
    assert_eq!(r.code, 1);

    // A root key file is not a signing key.
    let r = env.run(&[
        "prove",
        &bound,
        "--key",
        "root.json",
        "--audience",
        "shop",
        "--agent",
        "shopper",
        "--action",
        "buy",
    ]);
    assert_eq!(r.code, 2);
    assert!(
        r.stderr.starts_with("error[invalid_argument]: "),
        "{}",
        r.stderr
    );
}

#[test]
fn bad_input_is_exit_2_with_a_stable_code() {
    let env = Env::new();
    let token = env.issue();
    let cases: [(&[&str], &str); 7] = [
        (&["inspect", "not a token!"], "malformed"),
        (&["attenuate", "AgAA", "--caveat", "true"], "malformed"),
        (
            &[
                "check",
                "@@@",
                "--root-key",
                "root.json",
                "--audience",
                "shop",
                "--agent",
                "a",
                "--action",
                "buy",
            ],
            "malformed",
        ),
        (
            &[
                "check",
                &token,
                "--root-key",
                "root.json",
                "--audience",
                "shop",
                "--agent",
                "a",
                "--action",
                "buy",
                "--args",
                "{\"a\":1,\"a\":2}",
            ],
            "malformed",
        ),
        (
            &[
                "check",
                &token,
                "--root-key",
                "missing.json",
                "--audience",
                "shop",
                "--agent",
                "a",
                "--action",
                "buy",
            ],
            "io",
        ),
        (
            &["issue", "--root-key", "root.json", "--expires-in", "soon"],
            "invalid_argument",
        ),
        (&["frobnicate"], "invalid_argument"),
    ];
    for (args, code) in cases {
        let r = env.run(args);
        assert_eq!(r.code, 2, "charter {args:?}: {}{}", r.stdout, r.stderr);
        assert!(
            r.stderr.starts_with(&format!("error[{code}]: ")),
            "charter {args:?} should fail with {code}: {}",
            r.stderr
        );
        assert!(
            r.stdout.is_empty(),
            "nothing on stdout on error: {}",
            r.stdout
        );
    }
    // A typo in a caveat while narrowing is the caller's mistake: a usage
    // error with its own code, not an authorization failure.
    let r = env.run(&["attenuate", &token, "--caveat", "args.amount <= @@"]);
    assert_eq!(r.code, 2);
    assert!(
        r.stderr.starts_with("error[invalid_caveat]: "),
        "{}",
        r.stderr
    );
}

#[test]
fn issue_requires_an_expiry_or_never_expires() {
    let env = Env::new();
    // Nothing said about expiry: refused (it used to mint a token valid forever, with a warning).
    let r = env.run(&["issue", "--root-key", "root.json", "--action", "buy"]);
    assert_eq!(r.code, 2, "{}{}", r.stdout, r.stderr);
    assert!(r.stdout.is_empty(), "no token minted: {}", r.stdout);
    assert!(
        r.stderr.starts_with("error[invalid_argument]: ")
            && r.stderr.contains("--expires-in")
            && r.stderr.contains("--never-expires"),
        "{}",
        r.stderr
    );
    // Both at once: refused.
    let r = env.run(&[
        "issue",
        "--root-key",
        "root.json",
        "--expires-in",
        "1h",
        "--never-expires",
    ]);
    assert_eq!(r.code, 2, "{}{}", r.stdout, r.stderr);
    assert!(
        r.stderr.starts_with("error[invalid_argument]: "),
        "{}",
        r.stderr
    );
    // Said explicitly: minted, with no expiry caveat.
    let r = env.run(&[
        "issue",
        "--root-key",
        "root.json",
        "--action",
        "buy",
        "--never-expires",
    ]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let inspected = env.ok(&["inspect", r.stdout.trim(), "--json"]);
    let caveats = json(&inspected)["caveats"].clone();
    assert_eq!(
        caveats,
        serde_json::json!(["action in [\"buy\"]"]),
        "{inspected}"
    );
    // Nothing restricted at all: still minted when said explicitly, with a warning.
    let r = env.run(&["issue", "--root-key", "root.json", "--never-expires"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(r.stderr.contains("warning"), "{}", r.stderr);
}

#[test]
fn help_explains_commands_and_exit_codes() {
    let env = Env::new();
    let top = env.ok(&["--help"]);
    for needle in [
        "keygen",
        "issue",
        "attenuate",
        "inspect",
        "check",
        "Exit status",
        "error[",
    ] {
        assert!(top.contains(needle), "--help lacks {needle:?}:\n{top}");
    }
    for sub in ["keygen", "issue", "attenuate", "inspect", "check", "prove"] {
        let text = env.ok(&[sub, "--help"]);
        assert!(
            text.contains("Example"),
            "{sub} --help has no example:\n{text}"
        );
    }
    assert!(env.ok(&["inspect", "--help"]).contains("NOT verify"));
    // No command at all is a usage error: the help goes to stderr, exit 2.
    let bare = env.run(&[]);
    assert_eq!(bare.code, 2);
    assert!(bare.stderr.contains("Usage: charter"), "{}", bare.stderr);
    assert!(env
        .ok(&["attenuate", "--help"])
        .contains("No key is needed"));
}

#[test]
fn key_files_are_read_strictly() {
    let env = Env::new();
    let key = json(&std::fs::read_to_string(env.path("root.json")).unwrap());
    let write = |name: &str, value: &Value| {
        std::fs::write(env.path(name), value.to_string()).unwrap();
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let private = std::fs::Permissions::from_mode(0o600);
            std::fs::set_permissions(env.path(name), private).unwrap();
        }
    };
    let issue_with = |name: &str| {
        env.run(&[
            "issue",
            "--root-key",
            name,
            "--action",
            "buy",
            "--expires-in",
            "1h",
        ])
    };

    let mut wrong_kid = key.clone();
    wrong_kid["kid"] = "AAAAAAAAAAAAAAAAAAAAAA".into();
    write("wrong-kid.json", &wrong_kid);
    let mut extra = key.clone();
    extra["note"] = "hello".into();
    write("extra.json", &extra);
    let mut short = key.clone();
    short["secret"] = "AAAA".into();
    write("short.json", &short);
    std::fs::write(env.path("junk.json"), "{\"kind\":").unwrap();
    for (name, code) in [
        ("wrong-kid.json", "malformed"),
        ("extra.json", "malformed"),
        ("short.json", "invalid_argument"),
        ("junk.json", "malformed"),
    ] {
        let r = issue_with(name);
        assert_eq!(r.code, 2, "{name}: {}", r.stderr);
        assert!(
            r.stderr.contains(&format!("error[{code}]: ")),
            "{name}: {}",
            r.stderr
        );
    }

    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        write("open.json", &key);
        let open = std::fs::Permissions::from_mode(0o644);
        std::fs::set_permissions(env.path("open.json"), open).unwrap();
        let r = issue_with("open.json");
        assert_eq!(r.code, 0, "{}", r.stderr);
        assert!(
            r.stderr.contains("chmod 600"),
            "a readable secret is flagged: {}",
            r.stderr
        );
    }
}

/// A caveat anyone can append, made to forge output: a newline, a line that
/// reads ALLOWED, an ANSI escape that clears the line, a bidi override.
const FORGING: &str = "args.amount <= 10 && \"\"\"\nALLOWED\n\u{1b}[2K\u{202e}\"\"\" != \"\"";

/// No raw control or bidi character, and no line of its own starting with ALLOWED.
fn assert_inert(out: &str) {
    assert!(
        !out.chars()
            .any(|c| c.is_control() && c != '\n' || c == '\u{202e}'),
        "raw control characters in output: {out:?}"
    );
    assert!(
        !out.lines().any(|l| l.trim_start().starts_with("ALLOWED")),
        "a forged ALLOWED line: {out:?}"
    );
}

#[test]
fn caveat_text_cannot_forge_human_output() {
    let env = Env::new();
    let token = env.ok(&["attenuate", &env.issue(), "--caveat", FORGING]);
    // check: DENIED, exit 1, and the caveat's newline and escape are shown escaped.
    let r = env.check(&token, "buy", &["--args", "{\"amount\": 20}"]);
    assert_eq!(r.code, 1, "{}{}", r.stdout, r.stderr);
    assert!(r.stdout.starts_with("DENIED\n"), "{:?}", r.stdout);
    assert_inert(&r.stdout);
    assert!(
        r.stdout.contains("\\nALLOWED\\n\\u{1b}[2K\\u{202e}"),
        "{:?}",
        r.stdout
    );
    // The exit status stays the truth: an allowed call is still exit 0.
    let r = env.check(&token, "buy", &["--args", "{\"amount\": 5}"]);
    assert_eq!((r.code, r.stdout.trim()), (0, "ALLOWED"), "{}", r.stderr);
    // inspect shows the caveat escaped, on one line.
    let out = env.ok(&["inspect", &token]);
    assert_inert(&out);
    assert!(out.contains("\\nALLOWED\\n\\u{1b}[2K"), "{out:?}");
    // JSON output keeps the exact text (escaped as JSON).
    let j = json(&env.ok(&["inspect", &token, "--json"]));
    assert_eq!(j["caveats"][4], FORGING);
    // An error message quoting outside text is escaped too.
    let r = env.run(&["attenuate", &token, "--caveat", "agent ==\n\u{1b}[31m"]);
    assert_eq!(r.code, 2);
    assert_inert(&r.stderr);
}
