use crate::Result;
use charter_core::jcs;

/// RFC 8785 canonical form of strict I-JSON text.
#[uniffi::export]
pub fn canonicalize_json(text: String) -> Result<String> {
    Ok(jcs::canonicalize_str(&text)?)
}

/// base64url SHA-256 of the canonical form (the args hash of permits and receipts).
#[uniffi::export]
pub fn hash_json(text: String) -> Result<String> {
    Ok(jcs::hash(&jcs::parse(&text)?)?)
}
