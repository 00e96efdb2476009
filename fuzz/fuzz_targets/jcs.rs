//! JSON input: the strict I-JSON parser and the RFC 8785 (JCS) serializer.
//!
//! Properties:
//! - `canonicalize_str` fails exactly when `parse` does, with the same error;
//! - whatever parses, canonicalizes (parse and validate agree);
//! - canonical output reads back (`parse(jcs(x))` succeeds: Charter never
//!   writes what it refuses), to the same canonical bytes (`jcs(jcs(x)) ==
//!   jcs(x)`) and the same hash;
//! - canonical output is JSON to any other parser (serde_json).
#![no_main]

use charter_core::jcs;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Some(text) = charter_fuzz::text(data) else {
        return;
    };
    let parsed = jcs::parse(text);
    let direct = jcs::canonicalize_str(text);
    let value = match parsed {
        Ok(v) => v,
        Err(e) => {
            assert_eq!(direct, Err(e), "parse and canonicalize_str disagree");
            return;
        }
    };
    let canonical = jcs::canonicalize(&value).expect("a parsed value canonicalizes");
    assert_eq!(direct.as_deref(), Ok(canonical.as_str()));
    let again = match jcs::parse(&canonical) {
        Ok(v) => v,
        Err(e) => {
            panic!("Charter refuses its own canonical output {canonical:?} (of {text:?}): {e}")
        }
    };
    assert_eq!(
        jcs::canonicalize(&again).as_deref(),
        Ok(canonical.as_str()),
        "canonical form is not idempotent"
    );
    assert_eq!(jcs::hash(&again), jcs::hash(&value));
    assert!(serde_json::from_str::<serde_json::Value>(&canonical).is_ok());
});
