//! Node.js binding of charter-core (napi-rs): a table of mappings from JS
//! values to core calls, nothing more. Each file maps the core module of its
//! name; `host.rs` describes JS values to the core's JSON walker and reads
//! scalar arguments, `error.rs` maps errors. `charter.js` gives the errors
//! their classes and the one shared allow `Decision`.

#![deny(clippy::all)]

mod audit;
mod capability;
mod error;
mod guard;
mod holder;
mod host;
mod jcs;
mod keys;
mod permit;
mod receipt;
mod request;
mod verifier;

use napi_derive::napi;

/// The package version (the workspace version, e.g. `0.1.0`).
#[napi]
pub const VERSION: &str = env!("CARGO_PKG_VERSION");
