//! `charter keys jwks`, `charter permit issue`, `charter permit verify`.

use std::path::PathBuf;
use std::process::ExitCode;

use charter_core::capability::rfc3339;
use charter_core::permit::{DEFAULT_LEEWAY, DEFAULT_TTL, MAX_LEEWAY};
use charter_core::{
    Error, ErrorCode, KeySet, PermitClaims, PermitIssuer, PermitRequest, PermitVerifier,
};
use clap::{Args, Subcommand};
use serde_json::json;

use crate::{keyfile, pretty, read_json_arg, read_keyset, read_text_arg, shown, EXIT_DENIED};

#[derive(Subcommand, Debug)]
pub enum KeysCommand {
    /// Print the public key set (JWKS) of signing keys, for whoever verifies what they sign.
    #[command(
        long_about = "Print the JWKS (RFC 7517) of the public halves of signing keys.\n\n\
            Give it to whoever verifies what those keys sign: a tool verifying permits \
            (`permit verify --jwks`), an auditor verifying a bundle (`audit verify --jwks`). \
            It holds public keys only; it is safe to share. Several keys (rotation) may be \
            given at once.",
        after_help = "Examples:\n  \
            charter keys jwks --signing-key permits.json > jwks.json\n  \
            charter keys jwks --signing-key new.json --signing-key old.json > jwks.json"
    )]
    Jwks(JwksArgs),
}

#[derive(Args, Debug)]
pub struct JwksArgs {
    /// Signing key file (from `charter keygen signing`); repeat for several.
    #[arg(long = "signing-key", value_name = "FILE", required = true)]
    signing_keys: Vec<PathBuf>,
}

#[derive(Subcommand, Debug)]
pub enum PermitCommand {
    /// Sign a permit for one exact call (decides nothing: the caller already did).
    #[command(
        long_about = "Sign a permit: a short-lived, single-use Ed25519 JWT that authorizes one \
            exact call (agent, audience, action and the SHA-256 of the canonical arguments), \
            and print its token.\n\n\
            permit issue decides NOTHING: it signs what it is told. It is for a gateway that \
            has already decided; `charter guard protect` checks a capability, issues the \
            permit and records a receipt in one step. The tool that runs the call verifies \
            the permit offline with `charter permit verify` and the JWKS of the signing key.",
        after_help = "Example:\n  \
            charter permit issue --signing-key permits.json --issuer gateway --agent shopper \\\n      \
            --audience payments --action payments.refund \\\n      \
            --args '{\"amount_cents\": 1999, \"currency\": \"USD\"}' --capability-id \"$CAP_ID\""
    )]
    Issue(PermitIssueArgs),
    /// Verify a permit offline for one call, and consume it (single use).
    #[command(
        long_about = "Verify a permit offline with a public key set (JWKS): EdDSA only, a \
            trusted key id, the signature, the lifetime (with clock leeway), the audience, \
            the action and the exact arguments, and last its single use. Prints VALID and \
            the claims (exit 0), or REFUSED and why (exit 1). A token that does not parse \
            is an error (exit 2).\n\n\
            Single use needs memory: with --store URL the permit's id is recorded in that \
            shared store (committed before this command returns) and a second \
            presentation, by any process using the store, is refused as `replayed`. \
            WITHOUT --store every run starts with an empty memory, so a replay cannot be \
            detected across invocations.",
        after_help = "Examples:\n  \
            charter permit verify \"$PERMIT\" --jwks jwks.json --audience payments \\\n      \
            --action payments.refund --args '{\"amount_cents\": 1999, \"currency\": \"USD\"}' \\\n      \
            --store sqlite://seen.db\n  \
            charter permit verify - --jwks jwks.json --audience payments --action orders.read \\\n      \
            --args @call.json --json < permit.txt"
    )]
    Verify(PermitVerifyArgs),
}

#[derive(Args, Debug)]
pub struct PermitIssueArgs {
    /// Ed25519 signing key file (from `charter keygen signing`).
    #[arg(long, value_name = "FILE")]
    signing_key: PathBuf,
    /// Who issues it (the gateway's name): the `iss` claim.
    #[arg(long, value_name = "ISS", allow_hyphen_values = true)]
    issuer: String,
    /// The agent making the call: the `sub` claim.
    #[arg(long, value_name = "A", allow_hyphen_values = true)]
    agent: String,
    /// The tool or service that will run the call: the `aud` claim.
    #[arg(long, value_name = "AUD", allow_hyphen_values = true)]
    audience: String,
    /// The action (tool) allowed.
    #[arg(long, value_name = "ACT", allow_hyphen_values = true)]
    action: String,
    /// The call's exact arguments (JSON, or @FILE); the permit holds their hash.
    #[arg(long, value_name = "JSON|@FILE", allow_hyphen_values = true)]
    args: String,
    /// Id of the capability the call was allowed under (`charter inspect` shows it).
    #[arg(long, value_name = "ID", allow_hyphen_values = true)]
    capability_id: String,
    /// Lifetime in seconds (1 to 3600).
    #[arg(long, value_name = "SECS", default_value_t = DEFAULT_TTL)]
    ttl: i64,
    /// The caller's idempotency key for the call: the `idem` claim.
    #[arg(long, value_name = "K", allow_hyphen_values = true)]
    idempotency_key: Option<String>,
    /// Issue at this time (Unix seconds) instead of the system clock.
    #[arg(long, value_name = "UNIX", allow_negative_numbers = true)]
    now: Option<i64>,
    /// With --idempotency-key: a key already used for the same call prints that
    /// call's permit again; for another call it is `idempotency_conflict`.
    #[arg(long, value_name = "URL")]
    store: Option<String>,
    /// Print {"token","kid","claims"} as JSON instead of the bare token.
    #[arg(long)]
    json: bool,
}

#[derive(Args, Debug)]
pub struct PermitVerifyArgs {
    /// The permit token, or `-` to read it from stdin.
    #[arg(value_name = "TOKEN|-")]
    token: String,
    /// The trusted public keys (from `charter keys jwks`).
    #[arg(long, value_name = "FILE")]
    jwks: PathBuf,
    /// This tool's own identity: the permit must be addressed to it.
    #[arg(long, value_name = "AUD", allow_hyphen_values = true)]
    audience: String,
    /// The action about to run.
    #[arg(long, value_name = "ACT", allow_hyphen_values = true)]
    action: String,
    /// The arguments about to be used (JSON, or @FILE); must be exactly the permitted ones.
    #[arg(long, value_name = "JSON|@FILE", allow_hyphen_values = true)]
    args: String,
    /// Clock leeway in seconds (0 to 300).
    #[arg(long, value_name = "S", default_value_t = DEFAULT_LEEWAY)]
    leeway: i64,
    /// Verify at this time (Unix seconds) instead of the system clock.
    #[arg(long, value_name = "UNIX", allow_negative_numbers = true)]
    now: Option<i64>,
    /// Deprecated: the same as --store sqlite://FILE.
    #[arg(long, value_name = "FILE", conflicts_with = "store", hide = true)]
    replay_db: Option<PathBuf>,
    #[arg(long, value_name = "URL", help = crate::store::STORE_HELP)]
    store: Option<String>,
    /// Print {"valid":true,"claims":{…}} or {"valid":false,"code","message"}.
    #[arg(long)]
    json: bool,
}

pub fn keys(cmd: KeysCommand) -> Result<ExitCode, Error> {
    match cmd {
        KeysCommand::Jwks(a) => {
            let mut set = KeySet::new();
            for path in &a.signing_keys {
                set.insert(keyfile::read_signing(path)?.public_key())?;
            }
            println!("{}", set.to_jwks());
            Ok(ExitCode::SUCCESS)
        }
    }
}

pub fn permit(cmd: PermitCommand) -> Result<ExitCode, Error> {
    match cmd {
        PermitCommand::Issue(a) => issue(a),
        PermitCommand::Verify(a) => verify(a),
    }
}

fn issue(a: PermitIssueArgs) -> Result<ExitCode, Error> {
    let key = keyfile::read_signing(&a.signing_key)?;
    let args = read_json_arg(&a.args, "--args")?;
    let store = a.store.as_deref().map(crate::store::open).transpose()?;
    let issuer = PermitIssuer::new(key, a.issuer.clone())
        .with_ttl(Some(a.ttl))?
        .with_state(store.as_ref());
    let mut req = PermitRequest::new(&a.agent, &a.audience, &a.action, &args, &a.capability_id);
    if let Some(k) = &a.idempotency_key {
        req = req.with_idempotency_key(k);
    }
    let permit = issuer.issue(&req, a.now.unwrap_or_else(charter_core::unix_now))?;
    if a.json {
        let out = json!({"token": permit.token(), "kid": permit.kid(), "claims": permit.claims()});
        println!("{}", pretty(&out));
    } else {
        println!("{}", permit.token());
    }
    Ok(ExitCode::SUCCESS)
}

fn verify(a: PermitVerifyArgs) -> Result<ExitCode, Error> {
    let token = read_text_arg(&a.token, "permit token")?;
    let keys = read_keyset(&a.jwks)?;
    let args = read_json_arg(&a.args, "--args")?;
    if !(0..=MAX_LEEWAY).contains(&a.leeway) {
        return Err(Error::new(
            ErrorCode::InvalidArgument,
            format!(
                "--leeway must be 0 to {MAX_LEEWAY} seconds, got {}",
                a.leeway
            ),
        ));
    }
    let store = crate::store::open_either(a.store.as_deref(), a.replay_db.as_deref())?;
    let verifier = PermitVerifier::new(keys, a.audience.clone())
        .with_leeway(Some(a.leeway))?
        .with_state(store.as_ref());
    let now = a.now.unwrap_or_else(charter_core::unix_now);
    match verifier.verify(&token, &a.action, &args, now) {
        Ok(claims) => {
            print_claims(&claims, a.json);
            Ok(ExitCode::SUCCESS)
        }
        Err(e) if is_error(e.code()) => Err(e),
        Err(e) => {
            if a.json {
                let out = json!({"valid": false, "code": e.code(), "message": e.message()});
                println!("{}", pretty(&out));
            } else {
                println!("REFUSED");
                println!("  - {}: {}", e.code(), shown(e.message()));
            }
            Ok(ExitCode::from(EXIT_DENIED))
        }
    }
}

/// Codes that mean the input could not be read or used (exit 2), as opposed
/// to a permit that was read and refused (exit 1).
fn is_error(code: ErrorCode) -> bool {
    matches!(
        code,
        ErrorCode::Malformed
            | ErrorCode::UnsupportedVersion
            | ErrorCode::InvalidArgument
            | ErrorCode::Io
    )
}

fn print_claims(c: &PermitClaims, as_json: bool) {
    if as_json {
        println!("{}", pretty(&json!({"valid": true, "claims": c})));
        return;
    }
    println!("VALID");
    println!("  issuer:      {}", shown(&c.iss));
    println!("  agent:       {}", shown(&c.sub));
    println!("  audience:    {}", shown(&c.aud));
    println!("  action:      {}", shown(&c.act));
    println!("  args hash:   {}", c.args);
    println!("  capability:  {}", shown(&c.cap));
    println!("  issued at:   {} ({})", rfc3339(c.iat), c.iat);
    println!("  expires at:  {} ({})", rfc3339(c.exp), c.exp);
    println!("  permit id:   {}", shown(&c.jti));
    if let Some(k) = &c.idem {
        println!("  idempotency: {}", shown(k));
    }
}
