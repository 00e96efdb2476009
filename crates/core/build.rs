//! With feature `napi`, rebuild when `napi build` asks for it: napi-derive
//! writes the TypeScript of the core's records only while compiling the
//! core, so a core cached from another build would leave them out of
//! bindings/node/index.d.ts (the napi CLI sets `NAPI_FORCE_BUILD_<CRATE>`
//! for every napi-derive crate whose type definitions it lacks, as
//! napi-build does for the binding crate).
fn main() {
    println!("cargo::rerun-if-changed=build.rs");
    if std::env::var_os("CARGO_FEATURE_NAPI").is_some() {
        println!("cargo::rerun-if-env-changed=NAPI_FORCE_BUILD_CHARTER_CORE");
    }
}
