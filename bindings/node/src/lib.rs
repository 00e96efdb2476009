//! Node.js binding of charter-core (napi-rs): a table of mappings from JS
//! values to core calls, nothing more. Each file maps the core module of its
//! name; `host.rs` describes JS values to the core's JSON walker and reads
//! scalar arguments, `error.rs` maps errors. `charter.js` gives the errors
//! their classes and the one shared allow `Decision`.

/// The members of a class wrapping a core value (`self.0`, named by the
/// caller), a doc line and a definition each: those under `get` are read-only
/// JS properties (`{"property": T}` in surface.json), those under `fn`
/// methods, those under `try` fallible methods with arguments (any row may
/// put napi options in brackets before its name), those under
/// `new` fallible static factories, `ctor` the constructor (all three run
/// through [`error::guard`]).
/// (Docs are plain strings: napi-derive copies them into index.d.ts.)
macro_rules! accessors {
    ($class:ident |$v:ident|
        get { $($gd:literal $([$($go:tt)*])? $g:ident: $gt:ty = $ge:expr;)* }
        fn { $($fd:literal $([$($fo:tt)*])? $f:ident: $ft:ty = $fe:expr;)* }
        $(try { $($td:literal $([$($to:tt)*])? $t:ident($($(#[$tm:meta])* $ta:ident: $tat:ty),*) -> $tt:ty = $te:expr;)* })?
        $(new { $($nd:literal $n:ident($($(#[$nm:meta])* $na:ident: $nat:ty),*) -> $nt:ty = $ne:expr;)* })?
        $(ctor { $cd:literal ($($(#[$cm:meta])* $ca:ident: $cat:ty),*) = $ce:expr; })?) => {
        #[napi_derive::napi]
        impl $class {
            $(#[doc = $gd] #[napi(getter $(, $($go)*)?)] pub fn $g(&self) -> $gt { let $v = &self.0; $ge })*
            $(#[doc = $fd] #[napi($($($fo)*)?)] pub fn $f(&self) -> $ft { let $v = &self.0; $fe })*
            $($(#[doc = $td] #[napi($($($to)*)?)] pub fn $t(&self, $($(#[$tm])* $ta: $tat),*) -> crate::error::Result<$tt> {
                let $v = &self.0;
                crate::error::guard(|| Ok($te))
            })*)?
            $($(#[doc = $nd] #[napi(factory)] pub fn $n($($(#[$nm])* $na: $nat),*) -> crate::error::Result<$nt> {
                crate::error::guard(|| Ok($ne))
            })*)?
            $(#[doc = $cd] #[napi(constructor)] pub fn new($($(#[$cm])* $ca: $cat),*) -> crate::error::Result<Self> {
                crate::error::guard(|| Ok($ce))
            })?
        }
    };
}

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
mod store;
mod task;
mod verifier;

/// The package version (the workspace version, e.g. `0.1.0`).
#[napi_derive::napi]
pub const VERSION: &str = env!("CARGO_PKG_VERSION");
