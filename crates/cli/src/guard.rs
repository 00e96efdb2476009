//! `charter guard protect`: check → permit → receipt, in one step.

use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;

use charter_core::permit::DEFAULT_TTL;
use charter_core::CallOptions;
use charter_core::{AuditLog, Error, ErrorCode, Guard, PermitIssuer, Verifier};
use clap::{Args, Subcommand};
use serde_json::{json, Value};

use crate::audit::open_log;
use crate::{keyfile, pretty, read_call, read_text_arg, CallArgs, EXIT_DENIED};

#[derive(Subcommand, Debug)]
pub enum GuardCommand {
    /// Decide a call, sign a permit if it is allowed, and record a receipt either way.
    #[command(
        long_about = "What a gateway runs for every call, in one step: check the capability \
            against the call (as `charter check`), and if it is allowed sign a permit for \
            exactly that call, addressed to --audience (the tool that will run it). Either \
            way a signed receipt is appended to the audit log (--log); if it cannot be \
            recorded, the call is denied.\n\n\
            Prints the permit token (exit 0), or DENIED and every reason (exit 1). A token \
            that does not parse is a recorded denial too. Exit 2: a key, the log or an \
            argument cannot be used (nothing is recorded).\n\n\
            Holder proofs (--proof) are single use. With --store URL their nonces are \
            remembered across runs; WITHOUT it a replayed proof cannot be detected across \
            invocations (it stays fresh for 60 seconds).",
        after_help = "Example:\n  \
            PROOF=$(charter prove \"$SUB\" --key refund-bot.json --audience payments --agent shopper \\\n      \
            --action payments.refund --args '{\"amount_cents\": 1999, \"currency\": \"USD\"}')\n  \
            PERMIT=$(charter guard protect \"$SUB\" --root-key root.json --permit-key permits.json \\\n      \
            --log audit.log --log-key audit-key.json --audience payments --agent shopper \\\n      \
            --action payments.refund --args '{\"amount_cents\": 1999, \"currency\": \"USD\"}' \\\n      \
            --proof \"$PROOF\" --store sqlite://gateway-seen.db)"
    )]
    Protect(ProtectArgs),
}

#[derive(Args, Debug)]
pub struct ProtectArgs {
    /// The capability token, or `-` to read it from stdin.
    #[arg(value_name = "TOKEN|-")]
    token: String,
    /// Root key file; repeat to trust several (key rotation).
    #[arg(long = "root-key", value_name = "FILE", required = true)]
    root_keys: Vec<PathBuf>,
    /// Ed25519 signing key file that signs permits.
    #[arg(long, value_name = "FILE")]
    permit_key: PathBuf,
    /// The permits' issuer (`iss`): this gateway's name.
    #[arg(
        long,
        value_name = "ISS",
        default_value = "charter-guard",
        allow_hyphen_values = true
    )]
    issuer: String,
    /// Permit lifetime in seconds (1 to 3600).
    #[arg(long, value_name = "SECS", default_value_t = DEFAULT_TTL)]
    ttl: i64,
    /// The audit log file receipts are appended to (created if missing);
    /// without it, the log --log-name in --store.
    #[arg(long, value_name = "FILE", required_unless_present = "store")]
    log: Option<PathBuf>,
    /// The audit log's name in --store (when no --log FILE is given).
    #[arg(long, value_name = "NAME", default_value = "charter")]
    log_name: String,
    /// Ed25519 signing key file of the audit log.
    #[arg(long, value_name = "FILE")]
    log_key: PathBuf,
    #[command(flatten)]
    call: CallArgs,
    /// Holder proof (from `charter prove`), for capabilities bound to a key.
    #[arg(long, value_name = "P", allow_hyphen_values = true)]
    proof: Option<String>,
    /// The caller's idempotency key, carried in the permit (`idem`).
    #[arg(long, value_name = "K", allow_hyphen_values = true)]
    idempotency_key: Option<String>,
    /// Deprecated: the same as --store sqlite://FILE.
    #[arg(long, value_name = "FILE", conflicts_with = "store", hide = true)]
    replay_db: Option<PathBuf>,
    /// Shared state: proof nonces, revocations, budgets, idempotency keys (and
    /// the audit log, without --log). sqlite:///abs/path.db, sqlite://rel.db or
    /// postgres://user@host:port/db.
    #[arg(long, value_name = "URL")]
    store: Option<String>,
    /// Print {"allowed","permit"|"reasons","receipt"} as JSON.
    #[arg(long)]
    json: bool,
}

pub fn guard(cmd: GuardCommand) -> Result<ExitCode, Error> {
    match cmd {
        GuardCommand::Protect(a) => protect(a),
    }
}

fn protect(a: ProtectArgs) -> Result<ExitCode, Error> {
    let token = read_text_arg(&a.token, "capability token")?;
    let roots = a
        .root_keys
        .iter()
        .map(|p| keyfile::read_root(p))
        .collect::<Result<Vec<_>, _>>()?;
    let store = crate::store::open_either(a.store.as_deref(), a.replay_db.as_deref())?;
    let permits = PermitIssuer::new(keyfile::read_signing(&a.permit_key)?, a.issuer.clone())
        .with_ttl(Some(a.ttl))?
        .with_state(store.as_ref());
    let (request, now) = read_call(&a.call)?;
    let verifier = Verifier::new(roots, a.call.audience.clone())?.with_state(store.as_ref());
    let (log, log_where): (Arc<dyn AuditLog>, String) = match (&a.log, &store) {
        (Some(path), _) => (
            Arc::new(open_log(path, &a.log_key, true)?),
            path.display().to_string(),
        ),
        (None, Some(s)) => (
            s.audit_log(&a.log_name, keyfile::read_signing(&a.log_key)?)?,
            format!("log {:?} of {}", a.log_name, s.description()),
        ),
        (None, None) => {
            return Err(Error::new(
                ErrorCode::InvalidArgument,
                "give --log FILE or --store URL for the audit log",
            ))
        }
    };
    let before = log.len()?;
    let guard = Guard::new(verifier, permits, log.clone());
    let proof = a.proof.as_deref().map(str::trim);
    let result = guard.protect(
        &token,
        &request,
        &CallOptions {
            proof: proof.map(Into::into),
            idempotency_key: a.idempotency_key.as_deref().map(Into::into),
            ..CallOptions::at(now)
        },
    );
    let receipt = log.head()?.filter(|_| log.len().is_ok_and(|n| n > before));
    let receipt_json = receipt
        .as_ref()
        .map_or(Value::Null, |r| json!({"seq": r.seq(), "hash": r.hash()}));
    let note = |what: &str| match &receipt {
        Some(r) => eprintln!("{what}; recorded as receipt {} in {}", r.seq(), log_where),
        None => eprintln!("{what}; NOT recorded in {}", log_where),
    };
    let note = |what: &str| note(&crate::shown(what));
    match result {
        Ok(permit) => {
            if a.json {
                let out = json!({
                    "allowed": true,
                    "permit": permit.token(),
                    "claims": permit.claims(),
                    "receipt": receipt_json,
                });
                println!("{}", pretty(&out));
            } else {
                println!("{}", permit.token());
            }
            note(&format!(
                "allowed: permit {} for {} at {}, valid {} s",
                permit.claims().jti,
                permit.claims().act,
                permit.claims().aud,
                permit.claims().exp - permit.claims().iat
            ));
            Ok(ExitCode::SUCCESS)
        }
        Err(e) if matches!(e.code(), ErrorCode::Denied | ErrorCode::ApprovalRequired) => {
            if a.json {
                let out = json!({
                    "allowed": false,
                    "code": e.code(),
                    "reasons": e.reasons(),
                    "receipt": receipt_json,
                });
                println!("{}", pretty(&out));
            } else if e.code() == ErrorCode::ApprovalRequired {
                // Approvals are all that is missing: `charter approve` makes them.
                println!("DENIED: APPROVAL REQUIRED");
                crate::print_reasons(e.reasons());
            } else {
                println!("DENIED");
                crate::print_reasons(e.reasons());
            }
            note("denied");
            Ok(ExitCode::from(EXIT_DENIED))
        }
        Err(e) => Err(e),
    }
}
