//! The capability of a call, `Capability | string`, mapped straight to the
//! core's `CapabilityRef`. Kotlin and Swift callers never spell it: the
//! hand-written overloads of check/protect/prove take either and wrap it.

use crate::{core::CapabilityRef, Arc, Capability};

/// A capability, parsed or as the text it travels in. Text that does not
/// parse is a denial of the call (recorded by a `Guard`), not an error.
#[allow(missing_docs)] // each variant's one field is the variant
#[derive(uniffi::Enum)]
pub enum CapabilityInput {
    /// An already parsed capability.
    Parsed { capability: Arc<Capability> },
    /// Capability text (`Capability.serialize()`), parsed at the check.
    Text { token: String },
}

impl CapabilityInput {
    /// The core's view of it, borrowed.
    pub(crate) fn as_ref(&self) -> CapabilityRef<'_> {
        match self {
            CapabilityInput::Parsed { capability } => CapabilityRef::Parsed(&capability.0),
            CapabilityInput::Text { token } => CapabilityRef::Text(token),
        }
    }
}
