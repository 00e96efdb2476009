//! Charter for browsers, edge runtimes, Deno and Node: a table of mappings
//! from wasm-bindgen to `charter-core`. Names are `contract/surface.json` in
//! camelCase, `{"property": T}` members are getters, and every error is a
//! `CharterError` subclass with the stable `.code` of `contract/errors.json`.
//!
//! Nothing here may panic (a panic in wasm is a trap that kills the
//! instance): arguments are read in `host`, errors mapped in `error`, and the
//! core's clock (`SystemTime`, absent on wasm32-unknown-unknown) is never
//! reached: `now` is always passed, from `Date.now()` when the caller gives none.

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

use wasm_bindgen::prelude::*;

/// The package version; the entry exports it as the constant `version`.
#[wasm_bindgen(js_name = "__version", skip_typescript)]
pub fn version() -> String {
    env!("CARGO_PKG_VERSION").to_string()
}

/// Declares an exported class around a core value: its infallible methods
/// and getters (`(getter) name: T = |value| ...;`), its methods
/// (`fn { name(&value, arg: T, ...) -> R = a Result; }`), its static
/// functions and constructors (`static { name(arg: T, ...) = a core result; }`),
/// each section maybe empty. The value is registered in
/// [`host::Handle`] (the hidden getter `__charterId`) so that the object can
/// come back as an argument.
macro_rules! class {
    ($(#[$m:meta])* $name:ident($inner:ty) {
        $($(#[$gm:meta])* ($($attr:tt)*) $js:ident: $t:ty = |$r:ident| $body:expr;)*
    } fn {
        $($(#[$fm:meta])* $fjs:ident(&$fr:ident $(, $fa:ident: $fat:ty)*) -> $ft:ty = $fbody:expr;)*
    } static {
        $($(#[$sm:meta])* $sjs:ident($($arg:ident: $at:ty),*) = $sbody:expr;)*
    }) => {
        $(#[$m])*
        #[wasm_bindgen]
        pub struct $name {
            h: $crate::host::Handle<$inner>,
        }
        impl $crate::host::Class for $inner {
            const NAME: &'static str = stringify!($name);
        }
        impl $name {
            pub(crate) fn wrap(v: $inner) -> Self {
                $name { h: $crate::host::Handle::new(v) }
            }
        }
        #[wasm_bindgen]
        #[allow(non_snake_case)]
        impl $name {
            /// The registry id of this object (internal).
            #[wasm_bindgen(getter = __charterId, skip_typescript)]
            pub fn charter_id(&self) -> f64 {
                f64::from(self.h.id)
            }
            $($(#[$gm])* #[wasm_bindgen($($attr)*)] pub fn $js(&self) -> $t {
                let $r = &*self.h.rc;
                $body
            })*
            $($(#[$fm])* pub fn $fjs(&self $(, $fa: $fat)*) -> $crate::error::JsResult<$ft> {
                let $fr = &*self.h.rc;
                Ok($fbody?)
            })*
            $($(#[$sm])* pub fn $sjs($($arg: $at),*) -> $crate::error::JsResult<$name> {
                Ok($name::wrap($sbody?))
            })*
        }
    };
}
pub(crate) use class;
