//! `uniffi-bindgen`, at exactly the uniffi version `charter-uniffi` is built with.
fn main() {
    uniffi::uniffi_bindgen_main()
}
