//! Node.js binding of charter-core (napi-rs): a table of mappings from JS
//! values to core calls, nothing more. Each file maps the core module of its
//! name; `host.rs` describes JS values to the core's JSON walker and reads
//! scalar arguments, `error.rs` maps errors. `charter.js` gives the errors
//! their classes and the one shared allow `Decision`.

/// The members of a class wrapping a core value (`self.0`, named by the
/// caller), a doc line and a definition each: those under `get` are read-only
/// JS properties (`{"property": T}` in surface.json), those under `fn`
/// methods, those under `try` fallible methods with arguments (any row may
/// put napi options in brackets before its name), those under `twin` calls
/// that may wait on a store (see [`twins!`]), those under `new` fallible
/// static factories, `ctor` the constructor (all run through [`error::guard`]).
/// (Docs are plain strings: napi-derive copies them into index.d.ts.)
macro_rules! accessors {
    ($class:ident |$v:ident|
        get { $($gd:literal $([$($go:tt)*])? $g:ident: $gt:ty = $ge:expr;)* }
        fn { $($fd:literal $([$($fo:tt)*])? $f:ident: $ft:ty = $fe:expr;)* }
        $(try { $($td:literal $([$($to:tt)*])? $t:ident($($(#[$tm:meta])* $ta:ident: $tat:ty),*) -> $tt:ty = $te:expr;)* })?
        $(twin { $($tw:tt)* })?
        $(new { $($nd:literal $n:ident($($(#[$nm:meta])* $na:ident: $nat:ty),*) -> $nt:ty = $ne:expr;)* })?
        $(ctor { $cd:literal ($($(#[$cm:meta])* $ca:ident: $cat:ty),*) = $ce:expr; })?) => {
        twins!(class_impl! { $class {
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
        } } $v $($($tw)*)?);
    };
}

/// Calls that may wait on a store, each declared once: a row is the sync
/// doc, the async doc, the two names, the JS signature (`&self` first for a
/// method, which binds the class's value as `$v`), the return type with its
/// TypeScript form and that of its promise, then the `let`s (in braces) that
/// read the arguments on the JS thread, each owning its value (a clone of
/// what JS holds), and `=> work`. `name` runs the work inline; `name_async`
/// on the libuv thread pool ([`task`]), with a clone of the class's value.
/// The functions go to `$cb!`, after `$pre`: [`class_impl!`] for a class,
/// `class_impl! {}` for module functions.
macro_rules! twins {
    ($cb:ident! { $($pre:tt)* } $v:ident $($d:literal $ad:literal $name:ident $aname:ident
        ($(&$s:ident $(,)?)? $($(#[$m:meta])* $a:ident: $at:ty),*) -> $rt:ty as $ts:literal $ats:literal
        { $(let $r:ident = $re:expr;)* } => $work:expr;)*) => {
        $cb! { $($pre)* {
            $(
                #[doc = $d]
                #[napi(ts_return_type = $ts)]
                #[allow(clippy::too_many_arguments)] // the positional JS signatures of surface.json
                pub fn $name($(&$s,)? $($(#[$m])* $a: $at),*) -> crate::error::Result<$rt> {
                    crate::error::guard(|| {
                        $(let $v = &$s.0;)?
                        $(let $r = $re;)*
                        Ok($work)
                    })
                }
                #[doc = $ad]
                #[napi(ts_return_type = $ats)]
                #[allow(clippy::too_many_arguments)] // the positional JS signatures of surface.json
                pub fn $aname($(&$s,)? $($(#[$m])* $a: $at),*) -> crate::error::Result<crate::task::Pool<$rt>> {
                    crate::error::guard(|| {
                        $(let $v = $s.0.clone();)?
                        $(let $r = $re;)*
                        Ok(crate::task::spawn(move || Ok($work)))
                    })
                }
            )*
        } }
    };
}

/// The napi impl block of a class (its members and its twins), or module
/// functions as they are (`class_impl! {}`: the twins of a module function).
macro_rules! class_impl {
    ($class:ident { $($items:tt)* } { $($twins:tt)* }) => {
        #[napi_derive::napi]
        impl $class { $($items)* $($twins)* }
    };
    ({ $($items:tt)* }) => { $($items)* };
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
