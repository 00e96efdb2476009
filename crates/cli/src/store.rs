//! `--store URL`: the shared state (single use, revocations, budgets,
//! idempotency, audit logs) of every stateful command, and `charter revoke`.

use std::path::Path;
use std::process::ExitCode;

use charter_core::{Error, ErrorCode};
use charter_store::Store;
use clap::Args;

/// What `--store URL` means, in every command's help.
pub const STORE_HELP: &str = "Shared state in URL: sqlite:///abs/path.db, sqlite://relative/path.db or postgres://user@host:port/db (TLS: ?sslmode=verify-full&sslrootcert=/path/ca.pem). Every process using the same store agrees on used permits and proofs, revocations, budgets and idempotency keys";

/// Opens `--store URL`.
pub fn open(url: &str) -> Result<Store, Error> {
    charter_store::open(url)
}

/// The first bytes of every SQLite database file.
const SQLITE_HEADER: &[u8] = b"SQLite format 3\0";

/// `--replay-db FILE`: the old spelling of `--store sqlite://FILE`, kept
/// (hidden) so existing scripts keep working; warns once on stderr. A file
/// in the line format older releases wrote is refused, not reinterpreted.
pub fn open_replay_db(path: &Path) -> Result<Store, Error> {
    eprintln!(
        "charter: --replay-db FILE is deprecated; use --store sqlite://{} (the same SQLite store)",
        path.display()
    );
    let mut head = [0u8; 16];
    let read = std::fs::File::open(path)
        .and_then(|mut f| std::io::Read::read(&mut f, &mut head))
        .unwrap_or(0);
    if read > 0 && head[..read] != SQLITE_HEADER[..read.min(SQLITE_HEADER.len())] {
        return Err(Error::new(
            ErrorCode::InvalidArgument,
            format!(
                "--replay-db {}: the file is not a SQLite database (it looks like an older release's replay file, one `<key> <expires_at>` per line); --replay-db now means --store sqlite://FILE: give a new file, or delete this one once its permits have expired",
                path.display()
            ),
        ));
    }
    charter_store::sqlite::open_path(path)
}

/// The store of a command with `--store URL` and the deprecated
/// `--replay-db FILE` (clap makes them exclusive).
pub fn open_either(url: Option<&str>, replay_db: Option<&Path>) -> Result<Option<Store>, Error> {
    match (url, replay_db) {
        (Some(url), _) => open(url).map(Some),
        (None, Some(path)) => open_replay_db(path).map(Some),
        (None, None) => Ok(None),
    }
}

#[derive(Args, Debug)]
pub struct RevokeArgs {
    /// Capability ids or token ids to revoke (as `charter inspect` prints them).
    #[arg(value_name = "ID")]
    ids: Vec<String>,
    #[arg(long, value_name = "URL", help = STORE_HELP)]
    store: String,
    /// Print every revoked id in the store (after revoking IDs, if given).
    #[arg(long)]
    list: bool,
}

pub fn revoke(a: RevokeArgs) -> Result<ExitCode, Error> {
    if a.ids.is_empty() && !a.list {
        return Err(Error::new(
            ErrorCode::InvalidArgument,
            "give the ids to revoke, or --list to show the revoked ones",
        ));
    }
    let store = open(&a.store)?;
    let list = store.revocations();
    for id in &a.ids {
        list.revoke(id)?;
        eprintln!("revoked {id} in {}", store.description());
    }
    if a.list {
        for id in list.revoked()? {
            println!("{id}");
        }
    }
    Ok(ExitCode::SUCCESS)
}
