//! Revocation by capability id. Revoking an id revokes every capability
//! narrowed from it, because the verifier checks the id of every prefix.

use std::collections::HashSet;
use std::sync::RwLock;

/// Where revoked capability ids are looked up. Implement it over a shared
/// store when several verifiers must agree.
pub trait RevocationList: Send + Sync {
    fn is_revoked(&self, capability_id: &str) -> bool;

    /// Lets a verifier skip hashing prefixes when nothing is revoked.
    fn is_empty(&self) -> bool {
        false
    }
}

/// An in-process revocation list.
#[derive(Debug, Default)]
pub struct MemoryRevocationList {
    ids: RwLock<HashSet<String>>,
}

impl MemoryRevocationList {
    pub fn new() -> Self {
        MemoryRevocationList::default()
    }

    pub fn revoke(&self, capability_id: impl Into<String>) {
        // A poisoned lock still holds a valid set; recover it rather than lose a revocation.
        self.ids
            .write()
            .unwrap_or_else(|p| p.into_inner())
            .insert(capability_id.into());
    }
}

impl RevocationList for MemoryRevocationList {
    fn is_revoked(&self, capability_id: &str) -> bool {
        self.ids
            .read()
            .unwrap_or_else(|p| p.into_inner())
            .contains(capability_id)
    }

    fn is_empty(&self) -> bool {
        self.ids
            .read()
            .unwrap_or_else(|p| p.into_inner())
            .is_empty()
    }
}
