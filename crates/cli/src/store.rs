//! `--store URL`: the shared state (single use, revocations, budgets,
//! idempotency, audit logs) of every stateful command, and `charter revoke`.

use std::process::ExitCode;

use charter_core::Error;
use charter_store::Store;
use clap::Args;

/// What `--store URL` means, in every command's help.
pub const STORE_HELP: &str = "Shared state in URL: sqlite:///abs/path.db, sqlite://relative/path.db or postgres://user@host:port/db. Every process using the same store agrees on used permits and proofs, revocations, budgets and idempotency keys";

/// Opens `--store URL`.
pub fn open(url: &str) -> Result<Store, Error> {
    charter_store::open(url)
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
            charter_core::ErrorCode::InvalidArgument,
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
