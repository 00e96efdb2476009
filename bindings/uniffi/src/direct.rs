//! A structure-free entry for the hottest call, `check`, for Kotlin's JNA
//! direct mapping (`Native.register`; `dev.charter.Direct` in
//! kotlin/src/main/kotlin/dev/charter/Direct.kt).
//!
//! Why: every uniffi crossing from Kotlin allocates JNA `Memory` blocks (a
//! `UniffiRustCallStatus` per call, a `RustBuffer` per buffer), each recorded
//! by JNA 5.13 in one static map, and a text check crosses six times; that,
//! not the core, made a Kotlin check 17–19× Rust. These functions take only
//! primitives: object handles (uniffi's own, borrowed for the call: the
//! Kotlin side holds the object's call counter and keeps it reachable until
//! the call returns), byte arrays with their lengths, and the time. An
//! allowed check (the common case) returns 0 and allocates nothing on the
//! Kotlin side; anything else returns one block that Kotlin reads and hands
//! back to [`charter_direct_free`].
//!
//! A block is `[len: u32, native order][kind: u8][body: len - 1 bytes]`:
//! [`DECISION`] (a `Decision` in uniffi's serialization, read by the
//! generated `FfiConverterTypeDecision.read`), [`ERROR`] (a `CharterError`,
//! read by `FfiConverterTypeCharterError.read`) or [`PANIC`] (UTF-8 text: a
//! panic caught here, thrown as uniffi's `InternalException`). The public
//! Kotlin and Swift APIs are unchanged; Swift calls uniffi's C ABI directly
//! and never needed this.
#![allow(unsafe_code)] // the one place the binding reads raw pointers; each block says why it is sound

use crate::{core, CharterError, Guard, Request, Verifier};
use charter_core::{CapabilityRef, Error};

/// Block kind: the body is a `Decision` (uniffi serialization).
pub const DECISION: u8 = 0;
/// Block kind: the body is a `CharterError` (uniffi serialization), to throw.
pub const ERROR: u8 = 1;
/// Block kind: the body is a panic's message (UTF-8), to throw as `InternalException`.
pub const PANIC: u8 = 2;

/// A (pointer, length) pair as a slice; `None` when the pointer is null or
/// the length negative.
///
/// # Safety
/// A non-null `ptr` with a length `>= 0` must be valid for reads of `len`
/// bytes for `'a`.
unsafe fn bytes<'a>(ptr: *const u8, len: i32) -> Option<&'a [u8]> {
    let len = usize::try_from(len).ok()?;
    if ptr.is_null() {
        return None;
    }
    // SAFETY: non-null and valid for `len` bytes, by the caller's promise.
    Some(unsafe { std::slice::from_raw_parts(ptr, len) })
}

/// Text from the Kotlin side: its encoder already refused malformed UTF-16,
/// so this only fails on a caller bypassing it (an `invalid_argument`).
fn text<'a>(b: &'a [u8], what: &str) -> Result<&'a str, Error> {
    let not_utf8 =
        |_| core::host::invalid(format!("{what} is not valid UTF-8: pass it as a String"));
    std::str::from_utf8(b).map_err(not_utf8)
}

/// 0 for an allowed decision without reasons, else a block (see the module
/// docs). A panic inside is caught and returned as a [`PANIC`] block.
fn outcome(f: impl FnOnce() -> Result<core::Decision, Error>) -> u64 {
    let result = match Error::catching(|| Ok(f())) {
        Ok(result) => result,
        Err(panic) => return block(PANIC, panic.message().as_bytes().to_vec()),
    };
    match result {
        Ok(d) if d.allowed && d.reasons.is_empty() => 0,
        Ok(d) => lowered::<_, charter_core::UniFfiTag>(DECISION, d),
        Err(e) => lowered::<_, crate::UniFfiTag>(ERROR, CharterError::from(e)),
    }
}

/// A block of `kind` whose body is `value` in uniffi's serialization (the
/// core's records have the core's tag, this crate's error this crate's).
fn lowered<T: uniffi::Lower<Tag>, Tag>(kind: u8, value: T) -> u64 {
    let mut body = Vec::new();
    T::write(value, &mut body);
    block(kind, body)
}

/// A block the caller reads and frees with [`charter_direct_free`], as an
/// address.
fn block(kind: u8, body: Vec<u8>) -> u64 {
    // A body past 4 GiB cannot occur (a decision's reasons are bounded by
    // the caveat limits); cut rather than wrap, so a reader never overruns.
    let len = u32::try_from(body.len() + 1).unwrap_or(u32::MAX);
    let mut b = Vec::with_capacity(body.len() + 5);
    b.extend_from_slice(&len.to_ne_bytes());
    b.push(kind);
    b.extend_from_slice(&body[..(len as usize - 1)]);
    Box::into_raw(b.into_boxed_slice()) as *mut u8 as u64
}

/// The structure-free check of one uniffi class: an `extern "C"` function
/// taking the object's handle, then the call's parts (the capability a
/// uniffi `Capability` or text bytes, the request a uniffi `Request` or JSON
/// bytes, the proof, the time); 0 when allowed, else a block (module docs).
macro_rules! direct_check {
    ($(#[$doc:meta])* $name:ident, $class:ty) => {
        $(#[$doc])*
        ///
        /// # Safety
        /// Every non-zero handle is a live uniffi handle of its type, kept
        /// alive by the caller until this returns; every non-null pointer is
        /// valid for reads of its non-negative length.
        #[no_mangle]
        #[allow(clippy::too_many_arguments)] // the C ABI has no records; these are the call's parts
        pub unsafe extern "C" fn $name(
            handle: u64,
            capability: u64,
            token: *const u8,
            token_len: i32,
            request: u64,
            request_json: *const u8,
            request_json_len: i32,
            proof: *const u8,
            proof_len: i32,
            has_now: i32,
            now: i64,
        ) -> u64 {
            if handle == 0 {
                return block(PANIC, b"check called without an object (a null handle)".to_vec());
            }
            outcome(|| {
                // SAFETY (each block): as this function's contract says. A
                // uniffi handle is `Arc::into_raw` of its object
                // (`Handle::from_arc`), which the caller keeps alive.
                let object = unsafe { &*(handle as *const $class) };
                let parsed;
                let request = match request {
                    0 => {
                        let json = unsafe { bytes(request_json, request_json_len) };
                        let json = text(json.unwrap_or_default(), "the request")?;
                        parsed = core::Request::from_json(json)?;
                        &parsed
                    }
                    r => &unsafe { &*(r as *const Request) }.0,
                };
                let proof = unsafe { bytes(proof, proof_len) }.map(|p| text(p, "the proof"));
                let proof = proof.transpose()?.map(str::to_string);
                let options = core::CallOptions::check(proof, (has_now != 0).then_some(now));
                let capability = match capability {
                    0 => {
                        let token = unsafe { bytes(token, token_len) }.unwrap_or_default();
                        CapabilityRef::Text(text(token, "the capability text")?)
                    }
                    c => CapabilityRef::Parsed(&unsafe { &*(c as *const crate::Capability) }.0),
                };
                Ok(object.0.check(capability, request, &options))
            })
        }
    };
}

direct_check!(
    /// `Verifier.check` in one structure-free crossing. `handle` is a live
    /// uniffi `Verifier` handle; the capability is a `Capability` handle
    /// (`capability != 0`) or UTF-8 text (`token`, `token_len`); the request
    /// a `Request` handle (`request != 0`) or its JSON text; `proof_len < 0`
    /// means no proof; `has_now == 0` means the system clock.
    charter_direct_verifier_check,
    Verifier
);
direct_check!(
    /// `Guard.check` (decides and records a receipt) in one structure-free
    /// crossing; arguments and result as [`charter_direct_verifier_check`],
    /// with a live uniffi `Guard` handle first.
    charter_direct_guard_check,
    Guard
);

/// Frees a block returned by a `charter_direct_*` check; 0 is ignored.
///
/// # Safety
/// `block` is 0 or a block returned by this module, freed once.
#[no_mangle]
pub unsafe extern "C" fn charter_direct_free(block: u64) {
    if block == 0 {
        return;
    }
    let p = block as *mut u8;
    // SAFETY: a block starts with its length (u32, native order) past the
    // 4-byte header, written by `block` above.
    let len = unsafe { u32::from_ne_bytes(std::ptr::read_unaligned(p as *const [u8; 4])) } as usize;
    // SAFETY: `block` made a boxed slice of exactly `len + 4` bytes at `p`.
    drop(unsafe { Box::from_raw(std::ptr::slice_from_raw_parts_mut(p, len + 4)) });
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read_block(b: u64) -> (u8, Vec<u8>) {
        // SAFETY: `b` came from `block` and is freed after reading.
        unsafe {
            let p = b as *const u8;
            let len = u32::from_ne_bytes(std::ptr::read_unaligned(p as *const [u8; 4])) as usize;
            let all = std::slice::from_raw_parts(p.add(4), len).to_vec();
            charter_direct_free(b);
            (all[0], all[1..].to_vec())
        }
    }

    #[test]
    fn a_panic_becomes_a_panic_block_not_an_unwind() {
        let (kind, body) = read_block(outcome(|| panic!("boom")));
        assert_eq!(kind, PANIC);
        assert!(String::from_utf8(body).unwrap().contains("boom"));
    }

    #[test]
    fn allowed_is_zero_and_a_denial_or_error_is_a_block() {
        assert_eq!(outcome(|| Ok(core::Decision::allow())), 0);
        let deny = core::Decision::deny(vec![core::Reason::new(
            core::ErrorCode::Expired,
            Some(3),
            "late",
        )]);
        let (kind, body) = read_block(outcome(|| Ok(deny)));
        assert_eq!(kind, DECISION);
        // bool false, then a sequence of one reason
        assert_eq!(&body[..5], &[0, 0, 0, 0, 1]);
        let (kind, body) = read_block(outcome(|| {
            Err(Error::new(core::ErrorCode::Malformed, "bad"))
        }));
        assert_eq!(kind, ERROR);
        assert!(!body.is_empty());
    }

    #[test]
    fn a_null_handle_is_refused_not_dereferenced() {
        for f in [charter_direct_verifier_check, charter_direct_guard_check] {
            // SAFETY: a zero handle is refused before anything is read.
            let b = unsafe {
                f(
                    0,
                    0,
                    std::ptr::null(),
                    -1,
                    0,
                    std::ptr::null(),
                    -1,
                    std::ptr::null(),
                    -1,
                    0,
                    0,
                )
            };
            assert_eq!(read_block(b).0, PANIC);
        }
    }

    #[test]
    fn text_that_is_not_utf8_is_refused() {
        assert_eq!(
            text(&[0xff], "x").unwrap_err().code(),
            core::ErrorCode::InvalidArgument
        );
        // SAFETY: a null pointer and a negative length are both "absent".
        unsafe {
            assert!(bytes(std::ptr::null(), 3).is_none());
            assert!(bytes([1u8].as_ptr(), -1).is_none());
        }
    }
}
