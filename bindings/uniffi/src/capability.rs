use crate::{core, export, wrap, Arc, Result, RootKey};

export!(
/// Mints capabilities with one root key.
Issuer(core::Issuer) {
    /// An issuer minting with `root`.
    fn new(root: Arc<RootKey>) -> Self = Issuer(core::Issuer::new(root.0.clone()));
    /// Mints a capability. Caveats are added in parameter order: agent,
    /// actions, audience, not_before, expires_at, then `caveats`. Exactly one
    /// of `expires_at` (Unix seconds, after `issued_at`) and
    /// `never_expires = true` is required. `token_id` (16 bytes) and
    /// `issued_at` are for tests and vectors: random and the clock otherwise.
    #[uniffi::method(default(agent = None, actions = None, audience = None, not_before = None, expires_at = None,
        never_expires = false, caveats = None, token_id = None, issued_at = None))]
    #[allow(clippy::too_many_arguments)] // the surface's keyword arguments
    fn issue(&self, agent: Option<String>, actions: Option<Vec<String>>, audience: Option<String>,
        not_before: Option<i64>, expires_at: Option<i64>, never_expires: bool, caveats: Option<Vec<String>>,
        token_id: Option<Vec<u8>>, issued_at: Option<i64>) -> Result<Capability> = {
        let caveats = caveats.unwrap_or_default();
        let o = core::IssueOptions { agent, actions, audience, not_before, expires_at, never_expires, caveats, token_id, issued_at };
        wrap(self.0.issue_with(&o))
    };
});

export!(
/// What an agent may do: a macaroon with CEL caveats.
Capability(core::Capability) {
    /// Parses a token (base64url macaroon V2). Verifies nothing.
    fn parse(token: String) -> Result<Self> = wrap(core::Capability::parse(&token));
    /// The token text.
    fn serialize(&self) -> String = self.0.serialize();
    /// A narrower capability with one more caveat.
    fn attenuate(&self, caveat: String) -> Result<Capability> = wrap(self.0.attenuate(&caveat));
    /// A capability usable only with a fresh proof by the key with this kid.
    fn bind_holder(&self, kid: String) -> Result<Capability> = wrap(self.0.bind_holder(&kid));
    /// The stable public id (for receipts and revocation).
    fn get_id(&self) -> String = self.0.id();
    /// The id minted into the root (revokes every capability minted with it).
    fn get_token_id(&self) -> String = self.0.token_id().to_string();
    /// The kid of the root key it was minted with.
    fn get_root_kid(&self) -> String = self.0.root_kid().to_string();
    /// Unix seconds.
    fn get_issued_at(&self) -> i64 = self.0.issued_at();
    /// The caveats, in order.
    fn get_caveats(&self) -> Vec<String> = self.0.caveats().to_vec();
});
