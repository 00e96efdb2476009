//! Shared state: one value that gives every store the verifiers and issuers
//! keep state in (`charter-store`'s `Store` is one), so that attaching a
//! database to a verifier, a permit issuer or a permit verifier is one call
//! with one meaning in every binding and the CLI, not four wirings that can
//! drift (a verifier given the store's revocations but its own nonces would
//! let a proof be replayed on the next replica).

use std::sync::Arc;

use crate::{BudgetStore, IdempotencyStore, ReplayStore, RevocationList};

/// Every kind of state that must hold across replicas, from one source.
pub trait SharedState {
    /// Single-use values: permit `jti`s and holder-proof nonces.
    fn replay(&self) -> Arc<dyn ReplayStore>;
    /// Revoked capability and token ids.
    fn revocations(&self) -> Arc<dyn RevocationList>;
    /// Idempotency keys and the outcomes they stand for.
    fn idempotency(&self) -> Arc<dyn IdempotencyStore>;
    /// Budget counters.
    fn budgets(&self) -> Arc<dyn BudgetStore>;
}
