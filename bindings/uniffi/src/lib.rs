//! Swift and Kotlin bindings for Charter (uniffi): a table of mappings over
//! `charter-core`, whose records (its `uniffi` feature) make a second uniffi
//! namespace, `charter_core`. JSON crosses as text (numbers stay exact), bytes
//! as `ByteArray` / `Data`; uniffi stops panics at the boundary.

uniffi::setup_scaffolding!();

mod audit;
mod call;
mod capability;
mod direct;
mod error;
mod guard;
mod holder;
mod jcs;
mod keys;
mod permit;
mod receipt;
mod request;
mod store;
mod verifier;

pub use self::{audit::*, call::*, capability::*, error::*, guard::*, holder::*, keys::*};
pub use self::{permit::*, receipt::*, request::*, store::*, verifier::*};
use {charter_core as core, std::sync::Arc};

/// What every fallible export returns.
pub type Result<T, E = CharterError> = std::result::Result<T, E>;

/// The package version (the workspace version, e.g. `0.1.0`).
#[uniffi::export]
pub fn version() -> String {
    env!("CARGO_PKG_VERSION").to_string()
}

/// A core result as an export returns it: the value into its object (or
/// itself), the error into [`CharterError`].
pub(crate) fn wrap<T, O: From<T>>(result: core::Result<T>) -> Result<O> {
    Ok(O::from(result?))
}

/// The mapping table of one object. `Name(Inner)` declares the object (a
/// `uniffi::Object` wrapping the core value, with `From<Inner>` for [`wrap`]);
/// each entry `fn name(args) -> Ret = body;` is one exported method, or a
/// constructor when it has no `&self` (a `#[uniffi::constructor(..)]` with
/// defaults comes first). Objects are returned as `Self` or by name: uniffi
/// hands them out in an `Arc`. `get_<property>` entries are read through the
/// properties of `Charter.kt` / `Charter+Surface.swift`.
macro_rules! export {
    ($(#[$doc:meta])* $ty:ident($inner:ty) { $($rows:tt)* }) => {
        $(#[$doc])*
        #[derive(uniffi::Object)]
        pub struct $ty(pub(crate) $inner);

        impl From<$inner> for $ty {
            fn from(inner: $inner) -> Self {
                $ty(inner)
            }
        }

        export!($ty { $($rows)* });
    };
    ($ty:ident { $($(#[$($m:tt)*])* fn $name:ident($($args:tt)*) -> $ret:ty = $body:expr;)* }) => {
        $(export!(@ $ty [$(#[$($m)*])*] $name ($($args)*) $ret, $body);)*
    };
    (@ $ty:ident [$($m:tt)*] $name:ident (&$s:tt $(, $a:ident: $t:ty)*) $ret:ty, $body:expr) => {
        #[uniffi::export] impl $ty { $($m)* pub fn $name(&$s $(, $a: $t)*) -> $ret { $body } }
    };
    (@ $ty:ident [# [uniffi::constructor $($c:tt)*] $($m:tt)*] $name:ident ($($a:ident: $t:ty),*) $ret:ty, $body:expr) => {
        #[uniffi::export] impl $ty { $($m)* #[uniffi::constructor $($c)*] pub fn $name($($a: $t),*) -> $ret { $body } }
    };
    (@ $ty:ident [$($m:tt)*] $name:ident ($($a:ident: $t:ty),*) $ret:ty, $body:expr) => {
        #[uniffi::export] impl $ty { $($m)* #[uniffi::constructor] pub fn $name($($a: $t),*) -> $ret { $body } }
    };
}
pub(crate) use export;
