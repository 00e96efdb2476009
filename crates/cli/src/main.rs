//! `charter`: make keys, mint, narrow, read and check capabilities, issue and
//! verify permits, keep and verify audit logs, from the shell.
//!
//! Exit status: 0 success (for a decision: allowed / valid), 1 denied or
//! refused, 2 error. Errors print `error[<code>]: <message>` with a stable code.

use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use charter_core::capability::rfc3339;
use charter_core::CallOptions;
use charter_core::{
    jcs, Capability, Decision, Error, ErrorCode, Holder, Issuer, KeySet, Reason, Request, RootKey,
    SigningKey, Verifier,
};
use clap::{Args, Parser, Subcommand, ValueEnum};
use serde_json::{json, Value};

mod audit;
mod demo;
mod guard;
mod keyfile;
mod permits;
mod replaydb;
mod store;

pub(crate) const EXIT_DENIED: u8 = 1;
const EXIT_ERROR: u8 = 2;
/// Most bytes read from stdin or from an `@file` argument.
const MAX_INPUT_BYTES: u64 = 1024 * 1024;

const TOP_AFTER_HELP: &str = "\
Quick start:
  charter keygen root --out root.json
  TOKEN=$(charter issue --root-key root.json --agent shopper --action search --action buy --expires-in 1h)
  SMALL=$(charter attenuate \"$TOKEN\" --caveat 'args.amount <= 50')
  charter inspect \"$SMALL\"
  charter check \"$SMALL\" --root-key root.json --audience shop --agent shopper \\
      --action buy --args '{\"amount\": 20}'
  charter demo                      # the whole story: capability, permit, receipts, audit

Exit status:
  0  success; for `check` / `guard protect`: ALLOWED; for `permit verify` /
     `audit verify`: VALID / VERIFIED
  1  DENIED (`check`, `guard protect`) or REFUSED / REJECTED (`permit verify`,
     `audit verify`); every reason is printed
  2  error: bad usage, malformed input, unreadable or unwritable file

Errors are printed on stderr as `error[<code>]: <message>`, where <code> is one of
Charter's stable error codes (malformed, invalid_argument, io, caveat_syntax, ...).
Every TOKEN argument may be `-` to read the token from standard input.";

const DEMO_AFTER_HELP: &str = "\
Examples:
  charter demo
  charter demo --dir /tmp/charter-demo
  CHARTER_HOME=/tmp/ch charter demo     # uses /tmp/ch/demo";

/// Offline authorization for AI agents: capabilities an agent can narrow but never widen.
#[derive(Parser, Debug)]
#[command(
    name = "charter",
    version,
    about = "Offline authorization for AI agents: mint, narrow, inspect and check capabilities",
    long_about = "Offline authorization for AI agents.\n\n\
        A capability is a token that says what an agent may do (which actions, which \
        arguments, until when). Whoever holds one can narrow it with more caveats, \
        offline, without any key; nobody can widen it. Whoever holds the root key \
        checks it, in process, with no server round trip.",
    after_help = TOP_AFTER_HELP
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand, Debug)]
enum Command {
    /// Generate a new secret key (a root key for capabilities, or an agent's signing key).
    #[command(
        long_about = "Generate a new secret key and print it (or write it with --out) as JSON.\n\n\
            root:    an HMAC root key; capabilities are minted and checked with it.\n\
            signing: an Ed25519 key an agent uses to prove it holds a capability bound to it\n         \
            (see `attenuate --holder` and `prove`). Its \"kid\" is what you bind to.\n\n\
            The output contains the SECRET. Keep it private. Files are created with mode 0600\n\
            and an existing file is never overwritten.",
        after_help = "Examples:\n  \
            charter keygen root --out root.json\n  \
            charter keygen signing --out agent.json"
    )]
    Keygen(KeygenArgs),
    /// Mint a new capability with a root key and print its token.
    #[command(
        long_about = "Mint a new capability with a root key and print its token on stdout.\n\n\
            Each option adds one caveat (a condition every later check must meet):\n  \
            --action buy --action search   ->  action in [\"buy\", \"search\"]\n  \
            --agent shopper                ->  agent == \"shopper\"\n  \
            --audience shop                ->  audience == \"shop\"\n  \
            --expires-in 1h                ->  now < timestamp(\"<now + 1h, RFC 3339>\")\n  \
            --caveat EXPR                  ->  EXPR, any caveat expression (a subset of CEL)\n\n\
            An expiry is required: give --expires-in, or --never-expires to say explicitly \
            that the capability is valid forever. A capability with no other caveat allows \
            everything; you are warned about it.",
        after_help = "Example:\n  \
            charter issue --root-key root.json --agent shopper --audience shop \\\n      \
            --action search --action buy --expires-in 1h --caveat 'args.amount <= 100'"
    )]
    Issue(IssueArgs),
    /// Narrow a capability with more caveats (no key needed) and print the new token.
    #[command(
        long_about = "Narrow a capability by appending caveats, and print the new token.\n\n\
            No key is needed: anyone holding a capability can narrow it, offline, before \
            handing it to a sub-agent. Nobody can remove a caveat, so the result can only \
            ever allow less than the input. With --holder KID the result is bound to an \
            agent's signing key: every check then needs a fresh proof from that key \
            (see `prove`).",
        after_help = "Examples:\n  \
            charter attenuate \"$TOKEN\" --caveat 'args.amount <= 50' --caveat 'action == \"buy\"'\n  \
            echo \"$TOKEN\" | charter attenuate - --holder \"$(jq -r .kid agent.json)\""
    )]
    Attenuate(AttenuateArgs),
    /// Decode a capability and show what it says (does NOT verify anything).
    #[command(
        long_about = "Decode a capability and print its ids, issue time and caveats.\n\n\
            inspect does NOT verify anything: not the signature, not the caveats, not the \
            key. Anyone can forge a token that inspects nicely. Use `charter check` to \
            decide whether a call is allowed.",
        after_help = "Examples:\n  \
            charter inspect \"$TOKEN\"\n  \
            charter inspect --json \"$TOKEN\""
    )]
    Inspect(InspectArgs),
    /// Decide one call: is this capability allowed to do this, here and now?
    #[command(
        long_about = "Decide one call with the root key(s): verify the token's chain, then \
            evaluate every caveat against the call. Prints ALLOWED, or DENIED followed by \
            every reason (stable code, index of the failing caveat, message).\n\n\
            Exit status 0 means allowed, 1 denied, 2 an error (for example a token that \
            does not even parse).\n\n\
            `now` is this machine's clock unless --now is given. A holder proof (--proof) \
            is checked for freshness; without --store this one-shot process cannot remember \
            proofs between runs, so replays are only caught inside a long-lived verifier. \
            With --store URL, proof nonces, revocations and budget caveats live in that \
            shared store (a check of a capability with a budget caveat needs one).",
        after_help = "Examples:\n  \
            charter check \"$TOKEN\" --root-key root.json --audience shop --agent shopper \\\n      \
            --action buy --args '{\"amount\": 20}'\n  \
            charter check - --root-key new.json --root-key old.json --audience shop \\\n      \
            --agent shopper --action buy --args @call.json --json < token.txt"
    )]
    Check(CheckArgs),
    /// Sign a holder proof for one call, with an agent's signing key.
    #[command(
        long_about = "Sign a holder proof: evidence that the caller holds the signing key a \
            capability was bound to (attenuate --holder). The proof covers the capability, \
            the exact call (agent, action, args, resource), the audience and the time; pass \
            it to `check --proof` with the very same call. It is fresh for 60 seconds.",
        after_help = "Example:\n  \
            PROOF=$(charter prove \"$BOUND\" --key agent.json --audience shop --agent shopper \\\n      \
            --action buy --args '{\"amount\": 20}')\n  \
            charter check \"$BOUND\" --root-key root.json --audience shop --agent shopper \\\n      \
            --action buy --args '{\"amount\": 20}' --proof \"$PROOF\""
    )]
    Prove(ProveArgs),
    /// Approve one exact call, as a human approver, with your signing key.
    #[command(
        long_about = "Approve one exact call for a capability with an approval(...) caveat: \
            shows the call in plain words (capability id, who it was issued to when the \
            capability says, action, arguments, audience, expiry), asks for confirmation \
            on a terminal, and prints the approval. The approval names the capability id, \
            the action, the arguments' hash and the audience, so it approves this call only; \
            the agent sends it with the call (`check --approval`, or the request's \
            \"approvals\"). Without a terminal it refuses unless --yes is given.",
        after_help = "Example:\n  \
            APPROVAL=$(charter approve \"$TOKEN\" --key alice.json --audience shop \\\n      \
            --action refund --args '{\"amount\": 5000}' --expires-in 10m)\n  \
            charter check \"$TOKEN\" --root-key root.json --audience shop --agent shopper \\\n      \
            --action refund --args '{\"amount\": 5000}' --approval \"$APPROVAL\""
    )]
    Approve(ApproveArgs),
    /// Revoke capability or token ids in a shared store (--store), or list them.
    #[command(
        long_about = "Revoke capability ids or token ids in a shared store: every verifier \
            using the same store (--store on check and guard protect, or a program opening \
            it) denies the capability, and every capability narrowed from it, from its next \
            check on (a store is read on every check; there is no cache). Revoking a token \
            id revokes every capability minted with it. --list prints the revoked ids.",
        after_help = "Examples:\n  \
            charter revoke --store sqlite:///var/lib/charter/charter.db \"$(charter inspect --json \"$TOKEN\" | jq -r .id)\"\n  \
            charter revoke --store sqlite:///var/lib/charter/charter.db --list"
    )]
    Revoke(store::RevokeArgs),
    /// Public key sets: `keys jwks` prints the JWKS of signing keys.
    #[command(subcommand)]
    Keys(permits::KeysCommand),
    /// Permits: sign one for an exact call, or verify one offline (once).
    #[command(subcommand)]
    Permit(permits::PermitCommand),
    /// Audit logs: append receipts, export bundles, verify them offline.
    #[command(subcommand)]
    Audit(audit::AuditCommand),
    /// The gateway step: check, then permit, then receipt.
    #[command(subcommand)]
    Guard(guard::GuardCommand),
    /// Run the whole story in process: capability, narrowing, permits, receipts, audit.
    #[command(
        long_about = "Run the story of scripts/demo.sh in this process, narrating each step:             a platform mints a capability for a shopping agent, the agent narrows it for a             sub-agent bound to its key, a gateway allows one refund (a permit) and denies             one over the limit, the payments tool verifies the permit once and refuses its             replay, and an auditor verifies the exported receipts and catches a tampered             copy.\n\n\
            Keys, the audit log and the bundles are written to --dir (default \
            $CHARTER_HOME/demo, else .charter/demo). Each run starts that directory afresh; \
            a directory that was not made by `charter demo` is never cleared. Exit 0 only \
            when every step came out as narrated.",
        after_help = DEMO_AFTER_HELP
    )]
    Demo(demo::DemoArgs),
}

#[derive(Clone, Copy, Debug, ValueEnum)]
enum KeyKind {
    /// HMAC root key: mints and checks capabilities.
    Root,
    /// Ed25519 signing key: an agent's identity for holder proofs.
    Signing,
}

#[derive(Args, Debug)]
struct KeygenArgs {
    /// Which kind of key.
    #[arg(value_enum)]
    kind: KeyKind,
    /// Write the key to this file (mode 0600, never overwritten) instead of stdout.
    #[arg(long, value_name = "FILE")]
    out: Option<PathBuf>,
}

#[derive(Args, Debug)]
struct IssueArgs {
    /// Root key file (from `charter keygen root`).
    #[arg(long, value_name = "FILE")]
    root_key: PathBuf,
    /// Allow this action; repeat for several (one caveat `action in [...]`).
    #[arg(long = "action", value_name = "A", allow_hyphen_values = true)]
    actions: Vec<String>,
    /// Only this agent may use the capability.
    #[arg(long, value_name = "NAME", allow_hyphen_values = true)]
    agent: Option<String>,
    /// Only this verifier (tool, service) accepts it.
    #[arg(long, value_name = "AUD", allow_hyphen_values = true)]
    audience: Option<String>,
    /// Expire after this long: e.g. 3600s, 30m, 1h, 7d (this or --never-expires is required).
    #[arg(long, value_name = "DURATION", value_parser = parse_duration)]
    expires_in: Option<i64>,
    /// Mint a capability that is valid forever (no expiry caveat), said explicitly.
    #[arg(long, conflicts_with = "expires_in")]
    never_expires: bool,
    /// Any caveat expression; repeat for several (all must hold).
    #[arg(long = "caveat", value_name = "EXPR", allow_hyphen_values = true)]
    caveats: Vec<String>,
}

#[derive(Args, Debug)]
struct AttenuateArgs {
    /// The capability token, or `-` to read it from stdin.
    #[arg(value_name = "TOKEN|-")]
    token: String,
    /// Caveat expression to append; repeat for several.
    #[arg(
        long = "caveat",
        value_name = "EXPR",
        required_unless_present = "holder",
        allow_hyphen_values = true
    )]
    caveats: Vec<String>,
    /// Bind to the signing key with this key id (the "kid" of `charter keygen signing`).
    #[arg(long, value_name = "KID", allow_hyphen_values = true)]
    holder: Option<String>,
}

#[derive(Args, Debug)]
struct InspectArgs {
    /// The capability token, or `-` to read it from stdin.
    #[arg(value_name = "TOKEN|-")]
    token: String,
    /// Print a JSON object instead of text.
    #[arg(long)]
    json: bool,
}

/// The call being decided (shared by `check`, `prove` and `guard protect`).
#[derive(Args, Debug)]
pub(crate) struct CallArgs {
    /// The verifier's own identity (what `audience` is in caveats).
    #[arg(long, value_name = "AUD", allow_hyphen_values = true)]
    pub(crate) audience: String,
    /// The agent making the call.
    #[arg(long, value_name = "A", allow_hyphen_values = true)]
    agent: String,
    /// The action (tool) being called.
    #[arg(long, value_name = "ACT", allow_hyphen_values = true)]
    action: String,
    /// The call's arguments: a JSON object, or @FILE to read it from a file.
    #[arg(long, value_name = "JSON|@FILE", allow_hyphen_values = true)]
    args: Option<String>,
    /// The resource acted on, if any.
    #[arg(long, value_name = "R", allow_hyphen_values = true)]
    resource: Option<String>,
    /// Use this time (Unix seconds) instead of the system clock.
    #[arg(long, value_name = "UNIX", allow_negative_numbers = true)]
    now: Option<i64>,
    /// A human approval of this call (from `charter approve`); repeat for
    /// several approvers. Ignored by `prove` (a proof does not cover them).
    #[arg(long = "approval", value_name = "TEXT", allow_hyphen_values = true)]
    approvals: Vec<String>,
}

#[derive(Args, Debug)]
struct ApproveArgs {
    /// The capability token the call is made with, or `-` to read it from stdin.
    #[arg(value_name = "TOKEN|-")]
    token: String,
    /// The approver's signing key file (from `charter keygen signing`).
    #[arg(long, value_name = "FILE")]
    key: PathBuf,
    /// The verifier's identity the call is made at.
    #[arg(long, value_name = "AUD", allow_hyphen_values = true)]
    audience: String,
    /// The action (tool) being approved.
    #[arg(long, value_name = "ACT", allow_hyphen_values = true)]
    action: String,
    /// The call's arguments: a JSON object, or @FILE to read it from a file.
    #[arg(long, value_name = "JSON|@FILE", allow_hyphen_values = true)]
    args: Option<String>,
    /// How long the approval counts (e.g. 10m; at most 1d).
    #[arg(long, value_name = "DURATION", value_parser = parse_duration, default_value = "15m")]
    expires_in: i64,
    /// Sign without asking (needed when standard input is not a terminal).
    #[arg(long)]
    yes: bool,
    /// Use this time (Unix seconds) instead of the system clock.
    #[arg(long, value_name = "UNIX", allow_negative_numbers = true)]
    now: Option<i64>,
}

#[derive(Args, Debug)]
struct CheckArgs {
    /// The capability token, or `-` to read it from stdin.
    #[arg(value_name = "TOKEN|-")]
    token: String,
    /// Root key file; repeat to trust several (key rotation).
    #[arg(long = "root-key", value_name = "FILE", required = true)]
    root_keys: Vec<PathBuf>,
    #[command(flatten)]
    call: CallArgs,
    /// Holder proof (from `charter prove`), for capabilities bound to a key.
    #[arg(long, value_name = "P", allow_hyphen_values = true)]
    proof: Option<String>,
    #[arg(long, value_name = "URL", help = store::STORE_HELP)]
    store: Option<String>,
    /// Print the decision as JSON: {"allowed":…,"reasons":[{"code","caveat_index","message"}]}.
    #[arg(long)]
    json: bool,
}

#[derive(Args, Debug)]
struct ProveArgs {
    /// The capability token, or `-` to read it from stdin.
    #[arg(value_name = "TOKEN|-")]
    token: String,
    /// Signing key file (from `charter keygen signing`).
    #[arg(long, value_name = "FILE")]
    key: PathBuf,
    #[command(flatten)]
    call: CallArgs,
}

/// `30`, `30s`, `15m`, `1h`, `7d` → seconds (positive, at most 100 years).
fn parse_duration(text: &str) -> Result<i64, String> {
    let text = text.trim();
    let split = text
        .find(|c: char| !c.is_ascii_digit())
        .unwrap_or(text.len());
    let (digits, unit) = text.split_at(split);
    let scale = match unit {
        "" | "s" => 1,
        "m" => 60,
        "h" => 3600,
        "d" => 86_400,
        _ => {
            return Err(format!(
                "unknown unit {unit:?}: use s, m, h or d (e.g. 30m)"
            ))
        }
    };
    let n: i64 = digits
        .parse()
        .map_err(|_| "expected a number followed by s, m, h or d (e.g. 1h)".to_string())?;
    let secs = n
        .checked_mul(scale)
        .filter(|s| (1..=100 * 365 * 86_400).contains(s))
        .ok_or_else(|| "duration must be between 1 second and 100 years".to_string())?;
    Ok(secs)
}

fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            use clap::error::ErrorKind;
            // --help and --version exit 0; a bare `charter` prints the help on
            // stderr and exits 2 (usage). Both are clap's own behaviour.
            if matches!(
                e.kind(),
                ErrorKind::DisplayHelp
                    | ErrorKind::DisplayVersion
                    | ErrorKind::DisplayHelpOnMissingArgumentOrSubcommand
            ) {
                e.exit();
            }
            let text = e.render().to_string();
            let text = text.strip_prefix("error: ").unwrap_or(&text);
            // clap's own text (multi-line on purpose); an argument it quotes
            // is escaped line by line.
            let text: String = text
                .split_inclusive('\n')
                .map(|l| match l.strip_suffix('\n') {
                    Some(l) => format!("{}\n", shown(l)),
                    None => shown(l).into_owned(),
                })
                .collect();
            eprint!("error[{}]: {text}", ErrorCode::InvalidArgument);
            return ExitCode::from(EXIT_ERROR);
        }
    };
    match run(cli.command) {
        Ok(code) => code,
        Err(e) => {
            eprintln!("error[{}]: {}", e.code(), shown(e.message()));
            ExitCode::from(EXIT_ERROR)
        }
    }
}

fn run(command: Command) -> Result<ExitCode, Error> {
    match command {
        Command::Keygen(a) => keygen(a),
        Command::Issue(a) => issue(a),
        Command::Attenuate(a) => attenuate(a),
        Command::Inspect(a) => inspect(a),
        Command::Check(a) => check(a),
        Command::Prove(a) => prove(a),
        Command::Approve(a) => approve(a),
        Command::Revoke(a) => store::revoke(a),
        Command::Keys(c) => permits::keys(c),
        Command::Permit(c) => permits::permit(c),
        Command::Audit(c) => audit::audit(c),
        Command::Guard(c) => guard::guard(c),
        Command::Demo(a) => demo::run(a),
    }
}

fn keygen(a: KeygenArgs) -> Result<ExitCode, Error> {
    let (value, kind) = match a.kind {
        KeyKind::Root => (keyfile::root_to_json(&RootKey::generate()), "root"),
        KeyKind::Signing => (keyfile::signing_to_json(&SigningKey::generate()), "signing"),
    };
    let text = keyfile::render(&value);
    match &a.out {
        Some(path) => {
            keyfile::write_secret(path, &text)?;
            eprintln!(
                "wrote a new {kind} key (kid {}) to {} with mode 0600.\n\
                 warning: this file holds a SECRET key: keep it private, never commit or share it.",
                value["kid"].as_str().unwrap_or_default(),
                path.display()
            );
        }
        None => {
            print!("{text}");
            eprintln!(
                "warning: the \"secret\" above is a SECRET {kind} key: keep it private, \
                 never commit or share it (use --out FILE to write it with mode 0600)."
            );
        }
    }
    Ok(ExitCode::SUCCESS)
}

fn issue(a: IssueArgs) -> Result<ExitCode, Error> {
    let root = keyfile::read_root(&a.root_key)?;
    let now = charter_core::unix_now();
    let issuer = Issuer::new(root);
    let mut builder = issuer.issue().issued_at(now);
    if !a.actions.is_empty() {
        if let Some(empty) = a.actions.iter().find(|s| s.is_empty()) {
            return Err(Error::new(
                ErrorCode::InvalidArgument,
                format!("--action must not be empty (got {empty:?})"),
            ));
        }
        builder = builder.actions(&a.actions);
    }
    if let Some(agent) = &a.agent {
        builder = builder.agent(agent);
    }
    if let Some(audience) = &a.audience {
        builder = builder.audience(audience);
    }
    match (a.expires_in, a.never_expires) {
        (Some(secs), _) => {
            let at = now.checked_add(secs).ok_or_else(|| {
                Error::new(
                    ErrorCode::InvalidArgument,
                    format!(
                        "--expires-in {secs}s from now ({now}) is beyond any representable time"
                    ),
                )
            })?;
            builder = builder.expires_at(at);
        }
        (None, true) => builder = builder.never_expires(),
        (None, false) => {
            return Err(Error::new(
                ErrorCode::InvalidArgument,
                "a capability needs an expiry: give --expires-in DURATION (e.g. 1h), or \
                 --never-expires to mint one that is valid forever",
            ))
        }
    }
    let unrestricted = a.actions.is_empty()
        && a.agent.is_none()
        && a.audience.is_none()
        && a.expires_in.is_none()
        && a.caveats.is_empty();
    for c in a.caveats {
        builder = builder.caveat(c);
    }
    let cap = builder.build()?;
    if unrestricted {
        eprintln!(
            "warning: this capability has no caveats: it allows every action, by any agent, \
             at any verifier, forever. Add --action, --agent or --audience, or give \
             --expires-in instead of --never-expires."
        );
    }
    println!("{}", cap.serialize());
    Ok(ExitCode::SUCCESS)
}

fn attenuate(a: AttenuateArgs) -> Result<ExitCode, Error> {
    let mut cap = parse_token(&a.token)?;
    for c in &a.caveats {
        cap = cap.attenuate(c)?;
    }
    if let Some(kid) = &a.holder {
        cap = cap.bind_holder(kid)?;
    }
    println!("{}", cap.serialize());
    Ok(ExitCode::SUCCESS)
}

fn inspect(a: InspectArgs) -> Result<ExitCode, Error> {
    let cap = parse_token(&a.token)?;
    if a.json {
        let out = json!({
            "verified": false,
            "note": "decoded only: nothing was verified; use `charter check`",
            "id": cap.id(),
            "token_id": cap.token_id(),
            "root_kid": cap.root_kid(),
            "issued_at": cap.issued_at(),
            "issued_at_rfc3339": rfc3339(cap.issued_at()),
            "caveats": cap.caveats(),
        });
        println!("{}", pretty(&out));
        return Ok(ExitCode::SUCCESS);
    }
    println!("Charter capability (decoded only: NOTHING was verified; use `charter check`)");
    println!("  id:           {}", cap.id());
    println!("  token id:     {}", cap.token_id());
    println!("  root key id:  {}", cap.root_kid());
    println!(
        "  issued at:    {} ({})",
        rfc3339(cap.issued_at()),
        cap.issued_at()
    );
    match cap.caveats().len() {
        0 => println!("  caveats:      none (this capability allows everything)"),
        n => {
            println!("  caveats:      {n} (all must hold)");
            for (i, c) in cap.caveats().iter().enumerate() {
                println!("    [{i}] {}", shown(c));
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}

fn check(a: CheckArgs) -> Result<ExitCode, Error> {
    let cap = parse_token(&a.token)?;
    let roots = a
        .root_keys
        .iter()
        .map(|p| keyfile::read_root(p))
        .collect::<Result<Vec<_>, _>>()?;
    let (request, now) = read_call(&a.call)?;
    let proof = a.proof.as_deref().map(str::trim);
    let store = a.store.as_deref().map(store::open).transpose()?;
    let verifier = Verifier::new(roots, a.call.audience.clone())?.with_state(store.as_ref());
    let decision = verifier.check(
        &cap,
        &request,
        &CallOptions {
            proof: proof.map(Into::into),
            ..CallOptions::at(now)
        },
    );
    print_decision(&decision, a.json);
    Ok(if decision.allowed {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(EXIT_DENIED)
    })
}

fn prove(a: ProveArgs) -> Result<ExitCode, Error> {
    let cap = parse_token(&a.token)?;
    let key = keyfile::read_signing(&a.key)?;
    let (request, now) = read_call(&a.call)?;
    let proof = Holder::new(key).prove(&cap, &request, &a.call.audience, now)?;
    println!("{proof}");
    Ok(ExitCode::SUCCESS)
}

/// `charter approve`: show the call, confirm, sign. The call goes to stderr
/// and the approval alone to stdout, so `$(charter approve ...)` captures it.
fn approve(a: ApproveArgs) -> Result<ExitCode, Error> {
    use std::io::{BufRead, IsTerminal, Write};
    let cap = parse_token(&a.token)?;
    let key = keyfile::read_signing(&a.key)?;
    let args = match a.args.as_deref() {
        None => json!({}),
        Some(text) => read_json_arg(text, "--args")?,
    };
    let request = Request::new("", a.action.clone(), args.clone());
    request.validate()?;
    let now = a.now.unwrap_or_else(charter_core::unix_now);
    let call = charter_core::ApprovedCall::of(&cap.id(), &request, &a.audience)?;
    let agents: Vec<&str> = cap
        .caveats()
        .iter()
        .filter_map(|c| c.strip_prefix("agent == "))
        .collect();
    let mut e = std::io::stderr().lock();
    let w = |e: &mut std::io::StderrLock<'_>, line: String| {
        let _ = writeln!(e, "{line}");
    };
    w(&mut e, "You are approving this call:".into());
    w(&mut e, format!("  capability:  {}", cap.id()));
    w(
        &mut e,
        format!(
            "  issued to:   {}",
            if agents.is_empty() {
                "any agent (the capability names none)".to_string()
            } else {
                shown(&agents.join(", ")).into_owned()
            }
        ),
    );
    w(&mut e, format!("  action:      {}", shown(&a.action)));
    w(&mut e, "  arguments:".into());
    for line in pretty(&args).lines() {
        w(&mut e, format!("    {}", shown(line)));
    }
    w(&mut e, format!("  args hash:   {}", call.args_hash));
    w(&mut e, format!("  audience:    {}", shown(&a.audience)));
    w(
        &mut e,
        format!(
            "  expires:     {} (in {}s)",
            rfc3339(now.saturating_add(a.expires_in)),
            a.expires_in
        ),
    );
    w(&mut e, format!("  approver:    {}", key.kid()));
    if !a.yes {
        if !std::io::stdin().is_terminal() {
            return Err(Error::new(
                ErrorCode::InvalidArgument,
                "standard input is not a terminal, so nobody can confirm: read the call above and pass --yes to sign it",
            ));
        }
        let _ = write!(e, "Sign this approval? [y/N] ");
        let _ = e.flush();
        let mut answer = String::new();
        std::io::stdin()
            .lock()
            .read_line(&mut answer)
            .map_err(|err| Error::new(ErrorCode::Io, format!("cannot read the answer: {err}")))?;
        if !matches!(answer.trim(), "y" | "Y" | "yes" | "YES" | "Yes") {
            w(&mut e, "not signed".into());
            return Ok(ExitCode::from(EXIT_DENIED));
        }
    }
    let approval = key.approve(&call, now, a.expires_in)?;
    println!("{approval}");
    Ok(ExitCode::SUCCESS)
}

fn print_decision(d: &Decision, as_json: bool) {
    if as_json {
        let value = serde_json::to_value(d).expect("a decision is plain data");
        println!("{}", pretty(&value));
        return;
    }
    if d.allowed {
        println!("ALLOWED");
        return;
    }
    println!("DENIED");
    print_reasons(&d.reasons);
}

pub(crate) fn print_reasons(reasons: &[Reason]) {
    for r in reasons {
        println!("  - {}", reason_line(r));
    }
}

pub(crate) fn reason_line(r: &Reason) -> String {
    let message = shown(&r.message);
    match r.caveat_index {
        Some(i) => format!("{} (caveat {i}): {message}", r.code),
        None => format!("{}: {message}", r.code),
    }
}

/// Text from outside (caveats, reasons, claims, messages quoting them) as it
/// may appear in human-readable output: control characters (newline, carriage
/// return, ANSI escape, DEL, C1), Unicode line separators and bidirectional
/// or invisible formatting characters are written as escapes (`\n`,
/// `\u{1b}`), so a caveat cannot start a line of its own ("ALLOWED") or
/// restyle the terminal. JSON output needs none of this: it is escaped JSON.
pub(crate) fn shown(text: &str) -> std::borrow::Cow<'_, str> {
    fn hostile(c: char) -> bool {
        c.is_control()
            || matches!(c,
                '\u{200b}'..='\u{200f}' // zero-width, LRM, RLM
                | '\u{2028}' | '\u{2029}' // line and paragraph separators
                | '\u{202a}'..='\u{202e}' // bidi embeddings and overrides
                | '\u{2060}'..='\u{2064}' // word joiner, invisible operators
                | '\u{2066}'..='\u{2069}' // bidi isolates
                | '\u{feff}') // BOM, zero-width no-break space
    }
    if !text.chars().any(hostile) {
        return text.into();
    }
    let mut out = String::with_capacity(text.len() + 16);
    for c in text.chars() {
        match c {
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if hostile(c) => out.push_str(&format!("\\u{{{:x}}}", c as u32)),
            c => out.push(c),
        }
    }
    out.into()
}

pub(crate) fn pretty(v: &Value) -> String {
    serde_json::to_string_pretty(v).expect("plain JSON")
}

/// A JSON argument given inline or as `@FILE`, parsed strictly (I-JSON).
pub(crate) fn read_json_arg(text: &str, flag: &str) -> Result<Value, Error> {
    let (text, from) = match text.strip_prefix('@') {
        Some(path) => (read_file(Path::new(path))?, format!(" in {path}")),
        None => (text.to_string(), String::new()),
    };
    jcs::parse(&text)
        .map_err(|e| Error::new(e.code(), format!("{flag}{from} is not valid JSON: {e}")))
}

/// A public key set (JWKS) file.
pub(crate) fn read_keyset(path: &Path) -> Result<KeySet, Error> {
    let text = read_file(path)?;
    KeySet::from_jwks(&text).map_err(|e| {
        Error::new(
            e.code(),
            format!("{} is not a usable JWKS: {}", path.display(), e.message()),
        )
    })
}

/// The request of `check` / `prove`, validated, and the time to decide at.
pub(crate) fn read_call(c: &CallArgs) -> Result<(Request, i64), Error> {
    let args = match c.args.as_deref() {
        None => json!({}),
        Some(text) => read_json_arg(text, "--args")?,
    };
    if !args.is_object() {
        return Err(Error::new(
            ErrorCode::InvalidArgument,
            "--args must be a JSON object, e.g. '{\"amount\": 20}'",
        ));
    }
    let mut request = Request::new(c.agent.clone(), c.action.clone(), args);
    if let Some(r) = &c.resource {
        request = request.with_resource(r.clone());
    }
    let request =
        request.with_approvals(c.approvals.iter().map(|a| a.trim().to_string()).collect());
    request.validate()?;
    Ok((request, c.now.unwrap_or_else(charter_core::unix_now)))
}

/// A token argument: the text itself, or `-` for stdin, trimmed of
/// surrounding whitespace (a trailing newline from `echo` or a file).
pub(crate) fn read_text_arg(arg: &str, what: &str) -> Result<String, Error> {
    let text = if arg == "-" {
        read_limited(std::io::stdin().lock(), "standard input", MAX_INPUT_BYTES)?
    } else {
        arg.to_string()
    };
    let text = text.trim();
    if text.is_empty() {
        return Err(Error::new(
            ErrorCode::Malformed,
            format!("the {what} is empty"),
        ));
    }
    Ok(text.to_string())
}

/// A capability token argument (see [`read_text_arg`]), parsed.
fn parse_token(arg: &str) -> Result<Capability, Error> {
    let text = read_text_arg(arg, "capability token")?;
    Capability::parse(&text).map_err(|e| Error::new(e.code(), e.to_string()))
}

fn read_file(path: &Path) -> Result<String, Error> {
    let file = std::fs::File::open(path).map_err(|e| keyfile::io_error(path, "read", e, ""))?;
    read_limited(file, &path.display().to_string(), MAX_INPUT_BYTES)
}

pub(crate) fn read_limited(r: impl Read, what: &str, limit: u64) -> Result<String, Error> {
    let mut buf = Vec::new();
    r.take(limit + 1)
        .read_to_end(&mut buf)
        .map_err(|e| Error::new(ErrorCode::Io, format!("cannot read {what}: {e}")))?;
    if buf.len() as u64 > limit {
        return Err(Error::new(
            ErrorCode::LimitExceeded,
            format!("{what} is larger than {limit} bytes"),
        ));
    }
    String::from_utf8(buf)
        .map_err(|_| Error::new(ErrorCode::Malformed, format!("{what} is not UTF-8")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations() {
        assert_eq!(parse_duration("3600s"), Ok(3600));
        assert_eq!(parse_duration("30m"), Ok(1800));
        assert_eq!(parse_duration("1h"), Ok(3600));
        assert_eq!(parse_duration("2d"), Ok(172_800));
        assert_eq!(parse_duration("90"), Ok(90));
        for bad in ["", "h", "0s", "-5m", "1w", "1.5h", "99999999999999999999d"] {
            assert!(parse_duration(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn values_may_start_with_a_hyphen() {
        // base64url key ids, proofs and caveats can begin with '-'.
        let cli = Cli::try_parse_from([
            "charter",
            "attenuate",
            "Ag",
            "--caveat",
            "-1 < args.n",
            "--holder",
            "-B0k",
        ])
        .unwrap();
        let Command::Attenuate(a) = cli.command else {
            panic!("parsed as another command")
        };
        assert_eq!(a.caveats, ["-1 < args.n"]);
        assert_eq!(a.holder.as_deref(), Some("-B0k"));
    }

    #[test]
    fn clap_definition_is_consistent() {
        use clap::CommandFactory;
        Cli::command().debug_assert();
    }
}
