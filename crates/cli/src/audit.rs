//! `charter audit append | export | verify | canonicalize | repair`: a signed,
//! hash-chained audit log file (one receipt per line) and the bundles exported
//! from it.

use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Arc;

use charter_core::audit::{Bundle, MAX_BUNDLE_BYTES};
use charter_core::capability::rfc3339;
use charter_core::{
    jcs, verify_bundle_with_anchor, AuditLog, BundleReport, Error, ErrorCode, FileAuditLog,
    Outcome, Reason, ReceiptInput, GENESIS,
};
use clap::{Args, Subcommand, ValueEnum};
use serde_json::json;

use crate::keyfile::{self, io_error};
use crate::{pretty, read_json_arg, read_keyset, read_limited, EXIT_DENIED};

#[derive(Subcommand, Debug)]
pub enum AuditCommand {
    /// Record one decision as a signed receipt at the end of an audit log file.
    #[command(
        long_about = "Sign one decision as a receipt and append it to an audit log file \
            (JSON Lines, created if missing), linked to the hash of the receipt before it. \
            The receipt is synced to disk before this command returns. Opening the log \
            verifies every receipt already in it.\n\n\
            `charter guard protect` appends receipts itself; use append to record decisions \
            made elsewhere.",
        after_help = "Examples:\n  \
            charter audit append --log audit.log --signing-key audit-key.json --agent shopper \\\n      \
            --action payments.refund --args '{\"amount_cents\": 7500}' --decision deny \\\n      \
            --reason 'caveat_failed:refunds are limited to 50.00 USD'\n  \
            charter audit append --log audit.log --signing-key audit-key.json --agent shopper \\\n      \
            --action orders.read --args '{}' --decision allow --permit \"$JTI\" --json"
    )]
    Append(AppendArgs),
    /// Export receipts of a log as a signed bundle an auditor can verify offline.
    #[command(
        long_about = "Export a contiguous run of receipts (all of them by default) as an audit \
            bundle: the receipts, the JWKS of the keys that signed them, and a head signed by \
            the log's key (count, first and last seq, the last receipt's hash).\n\n\
            A bundle from seq 0 verifies on its own. A bundle starting later (--from N) \
            verifies only against the hash of receipt N-1, which the auditor must already \
            trust (`audit verify --anchor`); export prints it.",
        after_help = "Examples:\n  \
            charter audit export --log audit.log --signing-key audit-key.json --out bundle.json\n  \
            charter audit export --log audit.log --signing-key audit-key.json --from 100 --to 199 > part.json"
    )]
    Export(ExportArgs),
    /// Verify an audit bundle offline: nothing removed, reordered or altered.
    #[command(
        long_about = "Verify an audit bundle offline with the log's public keys: every receipt's \
            signature, every hash link, no gap in seq, time never going back, the start (the \
            genesis, or --anchor) and the signed head. Prints VERIFIED with the count, the \
            first and last seq and the head hash (exit 0), or REJECTED naming the first bad \
            receipt and why (exit 1). Exit 2: the bundle or key file cannot be read, or the \
            bundle is merely not in canonical form (error[not_canonical], for example \
            pretty-printed: nothing was verified; `charter audit canonicalize` rewrites it).\n\n\
            The keys must come from the log's owner by a channel you trust: the JWKS inside \
            a bundle is only accepted where it matches --jwks.",
        after_help = "Examples:\n  \
            charter audit verify bundle.json --jwks audit-jwks.json\n  \
            charter audit verify - --jwks audit-jwks.json --anchor \"$LAST_HASH\" < part.json"
    )]
    Verify(VerifyArgs),
    /// Rewrite a re-serialized (e.g. pretty-printed) bundle in its canonical form.
    #[command(
        long_about = "Rewrite an audit bundle in its one canonical form (RFC 8785): what \
            `audit verify` needs after a tool pretty-printed, re-spaced or reordered it. The \
            input must be strict JSON and structurally a bundle; nothing is verified, and no \
            value changes (a number that would round is refused). Verify the result with \
            `charter audit verify`.",
        after_help = "Examples:\n  \
            charter audit canonicalize pretty.json --out bundle.json\n  \
            jq . bundle.json | charter audit canonicalize - | charter audit verify - --jwks audit-jwks.json"
    )]
    Canonicalize(CanonicalizeArgs),
    /// Cut off a torn last line (a write cut short by a crash) so the log opens again.
    #[command(
        long_about = "Cut off an incomplete last line of an audit log file: what a crash in the \
            middle of an append leaves behind, and what opening the log then reports as \
            `log_corrupt`. Such a line never held an acknowledged receipt (append returns \
            only after the full line is synced). Any other damage is left alone and still \
            fails.",
        after_help = "Example:\n  charter audit repair --log audit.log"
    )]
    Repair(RepairArgs),
}

#[derive(Clone, Copy, Debug, ValueEnum)]
enum DecisionArg {
    Allow,
    Deny,
}

#[derive(Args, Debug)]
pub struct LogArgs {
    /// The audit log file (JSON Lines, one receipt per line).
    #[arg(
        long,
        value_name = "FILE",
        required_unless_present = "store",
        conflicts_with = "store"
    )]
    log: Option<PathBuf>,
    /// Keep the log in a shared store instead: one chain that every process
    /// appending to the same store extends (sqlite:///abs/path.db, postgres://…).
    #[arg(long, value_name = "URL")]
    store: Option<String>,
    /// The log's name in --store.
    #[arg(long, value_name = "NAME", default_value = "charter")]
    log_name: String,
    /// The log's Ed25519 signing key file (from `charter keygen signing`).
    #[arg(long, value_name = "FILE")]
    signing_key: PathBuf,
}

#[derive(Args, Debug)]
pub struct AppendArgs {
    #[command(flatten)]
    log: LogArgs,
    /// The agent that made the call.
    #[arg(long, value_name = "A", allow_hyphen_values = true)]
    agent: String,
    /// The action (tool) called.
    #[arg(long, value_name = "ACT", allow_hyphen_values = true)]
    action: String,
    /// The call's arguments (JSON, or @FILE); the receipt holds their hash.
    #[arg(long, value_name = "JSON|@FILE", allow_hyphen_values = true)]
    args: String,
    /// What was decided.
    #[arg(long, value_enum)]
    decision: DecisionArg,
    /// Why it was denied, as CODE:MESSAGE (CODE a stable error code); repeat for several.
    #[arg(
        long = "reason",
        value_name = "CODE:MESSAGE",
        allow_hyphen_values = true
    )]
    reasons: Vec<String>,
    /// Id of the capability checked.
    #[arg(long, value_name = "ID", allow_hyphen_values = true)]
    capability_id: Option<String>,
    /// Id (jti) of the permit issued.
    #[arg(long, value_name = "JTI", allow_hyphen_values = true)]
    permit: Option<String>,
    /// Time of the decision (Unix seconds) instead of the system clock.
    #[arg(long, value_name = "UNIX", allow_negative_numbers = true)]
    now: Option<i64>,
    /// Print the receipt (canonical JSON) instead of a summary.
    #[arg(long)]
    json: bool,
}

#[derive(Args, Debug)]
pub struct ExportArgs {
    #[command(flatten)]
    log: LogArgs,
    /// First receipt (seq) to export.
    #[arg(long, value_name = "N", default_value_t = 0)]
    from: u64,
    /// Last receipt (seq, inclusive) to export; default: the last one.
    #[arg(long, value_name = "M")]
    to: Option<u64>,
    /// Write the bundle to FILE instead of stdout.
    #[arg(long, value_name = "FILE")]
    out: Option<PathBuf>,
    /// With --out: print the summary as JSON.
    #[arg(long)]
    json: bool,
}

#[derive(Args, Debug)]
pub struct VerifyArgs {
    /// The bundle file, or `-` to read it from stdin.
    #[arg(value_name = "BUNDLE|-")]
    bundle: String,
    /// The log's public keys (from `charter keys jwks`), from a source you trust.
    #[arg(long, value_name = "FILE")]
    jwks: PathBuf,
    /// For a bundle not starting at seq 0: the hash of the receipt before its first.
    #[arg(long, value_name = "HASH", allow_hyphen_values = true)]
    anchor: Option<String>,
    /// Print {"valid":…} as JSON.
    #[arg(long)]
    json: bool,
}

#[derive(Args, Debug)]
pub struct CanonicalizeArgs {
    /// The bundle file, or `-` to read it from stdin.
    #[arg(value_name = "BUNDLE|-")]
    bundle: String,
    /// Write the canonical bundle to FILE (atomically; it may be the input) instead of stdout.
    #[arg(long, value_name = "FILE")]
    out: Option<PathBuf>,
}

#[derive(Args, Debug)]
pub struct RepairArgs {
    /// The audit log file.
    #[arg(long, value_name = "FILE")]
    log: PathBuf,
}

pub fn audit(cmd: AuditCommand) -> Result<ExitCode, Error> {
    match cmd {
        AuditCommand::Append(a) => append(a),
        AuditCommand::Export(a) => export(a),
        AuditCommand::Verify(a) => verify(a),
        AuditCommand::Canonicalize(a) => canonicalize(a),
        AuditCommand::Repair(a) => repair(a),
    }
}

/// Opens (or, with `create`, creates) a log, verifying the receipts in it.
/// The log `args` name (a file or a store's log) and how to name it in messages.
fn open_any(args: &LogArgs, create: bool) -> Result<(Arc<dyn AuditLog>, String), Error> {
    match (&args.log, &args.store) {
        (Some(path), _) => Ok((
            Arc::new(open_log(path, &args.signing_key, create)?),
            path.display().to_string(),
        )),
        (None, Some(url)) => {
            let store = crate::store::open(url)?;
            let log = store.audit_log(&args.log_name, keyfile::read_signing(&args.signing_key)?)?;
            Ok((
                log,
                format!("log {:?} of {}", args.log_name, store.description()),
            ))
        }
        (None, None) => Err(Error::new(
            ErrorCode::InvalidArgument,
            "give --log FILE or --store URL",
        )),
    }
}

pub fn open_log(path: &Path, key_file: &Path, create: bool) -> Result<FileAuditLog, Error> {
    let key = keyfile::read_signing(key_file)?;
    if !create && !path.exists() {
        return Err(Error::new(
            ErrorCode::Io,
            format!("there is no audit log at {}", path.display()),
        ));
    }
    FileAuditLog::open(path, key).map_err(|e| {
        let hint = if e.code() == ErrorCode::LogCorrupt && e.message().contains("torn") {
            format!(
                " (to cut it off: charter audit repair --log {})",
                path.display()
            )
        } else {
            String::new()
        };
        Error::new(e.code(), format!("{}{hint}", e.message()))
    })
}

fn parse_reason(text: &str) -> Result<Reason, Error> {
    let bad = |why: &str| {
        Error::new(
            ErrorCode::InvalidArgument,
            format!("--reason {text:?}: {why}; expected CODE:MESSAGE, e.g. 'caveat_failed:over the limit'"),
        )
    };
    let (code, message) = text.split_once(':').ok_or_else(|| bad("no ':'"))?;
    let code = ErrorCode::parse(code.trim()).ok_or_else(|| {
        bad(&format!(
            "{:?} is not a Charter error code (one of: {})",
            code.trim(),
            ErrorCode::ALL.map(ErrorCode::as_str).join(", ")
        ))
    })?;
    let message = message.trim();
    if message.is_empty() {
        return Err(bad("the message is empty"));
    }
    Ok(Reason::new(code, None, message))
}

fn append(a: AppendArgs) -> Result<ExitCode, Error> {
    let args = read_json_arg(&a.args, "--args")?;
    let reasons = a
        .reasons
        .iter()
        .map(|r| parse_reason(r))
        .collect::<Result<Vec<_>, _>>()?;
    let decision = match a.decision {
        DecisionArg::Allow if !reasons.is_empty() => {
            return Err(Error::new(
                ErrorCode::InvalidArgument,
                "an allow has no reasons: drop --reason, or record --decision deny",
            ))
        }
        DecisionArg::Deny if reasons.is_empty() => {
            return Err(Error::new(
                ErrorCode::InvalidArgument,
                "a deny needs at least one --reason CODE:MESSAGE saying why",
            ))
        }
        DecisionArg::Allow => Outcome::Allow,
        DecisionArg::Deny => Outcome::Deny,
    };
    for (flag, v) in [("--agent", &a.agent), ("--action", &a.action)] {
        if v.is_empty() {
            return Err(Error::new(
                ErrorCode::InvalidArgument,
                format!("{flag} must not be empty"),
            ));
        }
    }
    let input = ReceiptInput {
        ts: a.now.unwrap_or_else(charter_core::unix_now),
        agent: a.agent,
        action: a.action,
        args: jcs::hash(&args)?,
        cap: a.capability_id,
        permit: a.permit,
        decision,
        reasons,
        approvers: Vec::new(),
    };
    let (log, log_where) = open_any(&a.log, true)?;
    let receipt = log.append(input)?;
    if a.json {
        println!("{}", receipt.to_json());
    } else {
        println!(
            "appended receipt {} ({}) to {}",
            receipt.seq(),
            receipt.decision().as_str(),
            log_where
        );
        println!("  hash: {}", receipt.hash());
    }
    Ok(ExitCode::SUCCESS)
}

fn export(a: ExportArgs) -> Result<ExitCode, Error> {
    let (log, log_where) = open_any(&a.log, false)?;
    let len = log.len()?;
    if len == 0 {
        return Err(Error::new(
            ErrorCode::InvalidArgument,
            format!("{} holds no receipts: nothing to export", log_where),
        ));
    }
    let to = a.to.unwrap_or(len - 1);
    if a.from > to || to >= len {
        return Err(Error::new(
            ErrorCode::InvalidArgument,
            format!(
                "--from {} --to {to} is not a range of this log's receipts (seq 0 to {})",
                a.from,
                len - 1
            ),
        ));
    }
    let bundle = log.export_bundle(a.from..to + 1)?;
    let head = bundle.head();
    let Some(out) = &a.out else {
        println!("{}", bundle.to_json());
        return Ok(ExitCode::SUCCESS);
    };
    write_atomic(out, &format!("{}\n", bundle.to_json()))?;
    if a.json {
        let summary = json!({
            "out": out.display().to_string(),
            "count": head.count,
            "first_seq": head.first_seq,
            "last_seq": head.last_seq,
            "anchor": head.anchor,
            "last_hash": head.last_hash,
        });
        println!("{}", pretty(&summary));
    } else {
        println!(
            "exported {} receipts (seq {} to {}) to {}",
            head.count,
            head.first_seq,
            head.last_seq,
            out.display()
        );
        println!("  head hash: {}", head.last_hash);
        if head.anchor != GENESIS {
            println!(
                "  starts after receipt {}: verify with --anchor {}",
                head.first_seq - 1,
                head.anchor
            );
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// Writes `text` to `path` through a temporary file and a rename, so a reader
/// never sees half a bundle.
pub fn write_atomic(path: &Path, text: &str) -> Result<(), Error> {
    let mut tmp = path.as_os_str().to_owned();
    tmp.push(".tmp");
    let tmp = PathBuf::from(tmp);
    std::fs::write(&tmp, text)
        .and_then(|_| std::fs::File::open(&tmp)?.sync_all())
        .map_err(|e| io_error(&tmp, "write", e, ""))?;
    std::fs::rename(&tmp, path).map_err(|e| io_error(path, "write", e, ""))
}

/// A bundle's text from a file, or from stdin for `-`, bounded by the bundle size limit.
fn read_bundle(arg: &str) -> Result<String, Error> {
    if arg == "-" {
        read_limited(
            std::io::stdin().lock(),
            "standard input",
            MAX_BUNDLE_BYTES as u64,
        )
    } else {
        let path = Path::new(arg);
        let file = std::fs::File::open(path).map_err(|e| io_error(path, "read", e, ""))?;
        read_limited(file, arg, MAX_BUNDLE_BYTES as u64)
    }
}

fn canonicalize(a: CanonicalizeArgs) -> Result<ExitCode, Error> {
    let text = read_bundle(&a.bundle)?;
    // Strict I-JSON in (duplicate keys, unsafe numbers refused), RFC 8785 out.
    let canonical = jcs::canonicalize_str(&text)?;
    // It must be a bundle; its signatures are left to `audit verify`.
    Bundle::parse(&canonical)?;
    match &a.out {
        None => println!("{canonical}"),
        Some(out) => {
            write_atomic(out, &format!("{canonical}\n"))?;
            eprintln!(
                "wrote the canonical form to {} (not verified: run charter audit verify {} --jwks KEYS)",
                out.display(),
                out.display()
            );
        }
    }
    Ok(ExitCode::SUCCESS)
}

fn verify(a: VerifyArgs) -> Result<ExitCode, Error> {
    let text = read_bundle(&a.bundle)?;
    let keys = read_keyset(&a.jwks)?;
    // A bundle file usually ends with a newline; the canonical text does not.
    let text = text.strip_suffix('\n').unwrap_or(&text);
    match verify_bundle_with_anchor(text, &keys, a.anchor.as_deref()) {
        Ok(report) => {
            print_report(&report, a.json);
            Ok(ExitCode::SUCCESS)
        }
        // Unreadable, or merely re-serialized: an error (exit 2) saying what to
        // do, never REJECTED, which means the bundle failed verification.
        Err(e) if matches!(e.code(), ErrorCode::Io | ErrorCode::NotCanonical) => Err(e),
        Err(e) => {
            if a.json {
                let out = json!({"valid": false, "code": e.code(), "message": e.message()});
                println!("{}", pretty(&out));
            } else {
                println!("REJECTED: {}", crate::shown(e.message()));
                println!("  code: {}", e.code());
            }
            Ok(ExitCode::from(EXIT_DENIED))
        }
    }
}

fn print_report(r: &BundleReport, as_json: bool) {
    let h = &r.head;
    if as_json {
        let out = json!({
            "valid": true,
            "count": r.count,
            "first_seq": r.first_seq,
            "last_seq": r.last_seq,
            "anchor": h.anchor,
            "last_hash": h.last_hash,
            "ts": h.ts,
            "kid": h.kid,
        });
        println!("{}", pretty(&out));
        return;
    }
    println!(
        "VERIFIED: {} receipts (seq {} to {}): every signature, link and the signed head check out",
        r.count, r.first_seq, r.last_seq
    );
    println!("  head hash:    {}", h.last_hash);
    println!("  last receipt: {} ({})", rfc3339(h.ts), h.ts);
    if h.anchor != GENESIS {
        println!("  anchored at:  {}", h.anchor);
    }
}

fn repair(a: RepairArgs) -> Result<ExitCode, Error> {
    match FileAuditLog::repair(&a.log)? {
        None => println!("{} ends cleanly: nothing to repair", a.log.display()),
        Some(t) => println!(
            "cut off the incomplete line {} of {} ({} bytes from byte {}); it was never acknowledged",
            t.line,
            a.log.display(),
            t.bytes,
            t.offset
        ),
    }
    Ok(ExitCode::SUCCESS)
}
