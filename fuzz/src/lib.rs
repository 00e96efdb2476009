//! Fixtures shared by the fuzz targets: the keys, request, clock and tokens of
//! the conformance vectors (`contract/vectors`, compiled in), so that inputs
//! seeded from the vectors reach past signature and chain checks.
//!
//! Every target asserts properties with `assert!`: a failed assertion aborts
//! the run and libFuzzer saves the input as a crash, exactly as for a panic
//! inside the core.

use std::sync::OnceLock;

use charter_core::{CallOptions, Capability, KeySet, Request, RootKey, SigningKey, Verifier};
use serde_json::Value;

const CAPABILITIES: &str = include_str!("../../contract/vectors/capabilities.json");
const CAVEATS: &str = include_str!("../../contract/vectors/caveats.json");
const PERMITS: &str = include_str!("../../contract/vectors/permits.json");
const PROOFS: &str = include_str!("../../contract/vectors/proofs.json");
const RECEIPTS: &str = include_str!("../../contract/vectors/receipts.json");
const BUNDLES: &str = include_str!("../../contract/vectors/bundles.json");

/// What every target shares, built once per process.
pub struct Fixtures {
    /// The vectors' root key.
    pub root: RootKey,
    /// The audience caveat vectors are checked for.
    pub audience: String,
    /// The clock of the caveat vectors (Unix seconds).
    pub now: i64,
    /// The request of the caveat vectors.
    pub request: Request,
    /// A capability minted by `root` with no caveats: it allows every request.
    pub bare: Capability,
    /// Every permit signing key of the permit vectors, and their public keys.
    pub permit_keys: Vec<SigningKey>,
    pub permit_jwks: KeySet,
    /// The first proof vector: the capability, request, audience and clock
    /// its proof was made for, and the proof.
    pub proof_cap: Capability,
    pub proof_request: Request,
    pub proof_audience: String,
    pub proof_now: i64,
    pub proof: String,
    pub proof_holder: SigningKey,
    /// Keys that verify the receipt and bundle vectors.
    pub audit_keys: KeySet,
}

fn doc(text: &str) -> Value {
    serde_json::from_str(text).expect("vector files are JSON")
}

fn vectors(text: &str) -> Vec<Value> {
    doc(text)["vectors"]
        .as_array()
        .expect("vector files have a vectors array")
        .clone()
}

/// Decodes lowercase or uppercase hex.
pub fn hex(s: &str) -> Vec<u8> {
    assert!(s.len().is_multiple_of(2), "hex of odd length");
    (0..s.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&s[i..i + 2], 16).expect("hex digits"))
        .collect()
}

fn str_of<'a>(v: &'a Value, key: &str) -> &'a str {
    v[key]
        .as_str()
        .unwrap_or_else(|| panic!("vector member {key:?} is a string"))
}

pub fn fixtures() -> &'static Fixtures {
    static F: OnceLock<Fixtures> = OnceLock::new();
    F.get_or_init(|| {
        let f = load();
        f.self_check();
        f
    })
}

fn load() -> Fixtures {
    {
        let caveat = vectors(CAVEATS)
            .into_iter()
            .find(|v| v["proof"].is_null() && v["roots"].as_array().is_some_and(|r| r.len() == 1))
            .expect("a caveat vector without a proof");
        let root_hex = caveat["roots"][0].as_str().expect("root hex");
        let root = RootKey::from_bytes(&hex(root_hex)).expect("vector root key");
        let request = Request::from_json(str_of(&caveat, "request")).expect("vector request");
        let bare = vectors(CAPABILITIES)
            .into_iter()
            .find(|v| {
                v["type"] == "mint"
                    && v["root"] == root_hex
                    && v["expect"]["caveats"].as_array().is_some_and(Vec::is_empty)
            })
            .map(|v| Capability::parse(str_of(&v["expect"], "token")).expect("vector token"))
            .expect("a capability vector minted with no caveats");
        let mut permit_keys: Vec<SigningKey> = Vec::new();
        for v in vectors(PERMITS) {
            if let Some(seed) = v["signing_key"].as_str() {
                let key = SigningKey::from_bytes(&hex(seed)).expect("permit key");
                if !permit_keys.iter().any(|k| k.kid() == key.kid()) {
                    permit_keys.push(key);
                }
            }
        }
        let permit_jwks =
            KeySet::from_keys(permit_keys.iter().map(SigningKey::public_key)).expect("few keys");
        let proof = vectors(PROOFS)
            .into_iter()
            .find(|v| v["expect"]["proof"].is_string())
            .expect("a proof vector");
        let mut audit_keys = KeySet::new();
        for v in vectors(RECEIPTS) {
            if let Ok(set) = KeySet::from_jwks(str_of(&v, "jwks")) {
                for kid in set.kids() {
                    audit_keys
                        .insert(set.get(kid).expect("listed kid").clone())
                        .expect("few keys");
                }
            }
        }
        for v in vectors(BUNDLES) {
            if let Ok(set) = KeySet::from_jwks(str_of(&v, "trusted")) {
                for kid in set.kids() {
                    audit_keys
                        .insert(set.get(kid).expect("listed kid").clone())
                        .expect("few keys");
                }
            }
        }
        Fixtures {
            root,
            audience: str_of(&caveat, "audience").to_string(),
            now: caveat["now"].as_i64().expect("now"),
            request,
            bare,
            permit_keys,
            permit_jwks,
            proof_cap: Capability::parse(str_of(&proof, "token")).expect("proof vector token"),
            proof_request: Request::from_json(str_of(&proof, "request")).expect("proof request"),
            proof_audience: str_of(&proof, "audience").to_string(),
            proof_now: proof["now"].as_i64().expect("now"),
            proof: str_of(&proof["expect"], "proof").to_string(),
            proof_holder: SigningKey::from_bytes(&hex(str_of(&proof, "holder"))).expect("holder"),
            audit_keys,
        }
    }
}

impl Fixtures {
    /// The valid inputs the seeds start from pass, so the targets reach past
    /// the signature and chain checks. Fails loudly when the vectors change
    /// under the fixtures, rather than letting a target fuzz only refusals.
    fn self_check(&self) {
        let verifier = self.verifier();
        assert!(
            verifier
                .check(&self.bare, &self.request, &CallOptions::at(self.now))
                .allowed,
            "fixtures: the bare capability does not allow the vectors' request"
        );
        let proofs =
            Verifier::new([self.root.clone()], self.proof_audience.clone()).expect("one root");
        let with = proofs.check(
            &self.proof_cap,
            &self.proof_request,
            &CallOptions::at(self.proof_now).with_proof(&self.proof),
        );
        assert!(
            with.allowed,
            "fixtures: the proof vector does not pass: {with:?}"
        );
        let mut permits = 0;
        for v in vectors(PERMITS) {
            if let (Some(token), Some(args)) = (v["token"].as_str(), v["args"].as_str()) {
                let Ok(p) = charter_core::Permit::parse(token) else {
                    continue;
                };
                let c = p.claims();
                let args = charter_core::jcs::parse(args).expect("vector args");
                if charter_core::PermitVerifier::new(self.permit_jwks.clone(), c.aud.clone())
                    .verify(token, &c.act, &args, c.iat)
                    .is_ok()
                {
                    permits += 1;
                }
            }
        }
        assert!(permits > 0, "fixtures: no permit vector verifies");
        let receipts = vectors(RECEIPTS)
            .iter()
            .filter_map(|v| v["receipt"].as_str())
            .filter_map(|r| charter_core::Receipt::parse(r).ok())
            .filter(|r| r.verify(&self.audit_keys).is_ok())
            .count();
        assert!(receipts > 0, "fixtures: no receipt vector verifies");
        let bundles = vectors(BUNDLES)
            .iter()
            .filter_map(|v| v["bundle"].as_str())
            .filter(|b| charter_core::verify_bundle(b, &self.audit_keys).is_ok())
            .count();
        assert!(bundles > 0, "fixtures: no bundle vector verifies");
    }

    /// A verifier for the vectors' root and audience, with its own empty
    /// replay store (so a proof is fresh in every run of a target).
    pub fn verifier(&self) -> Verifier {
        Verifier::new([self.root.clone()], self.audience.clone()).expect("one root")
    }
}

/// The input as text, or `None` when it is not UTF-8 (text parsers only take &str).
pub fn text(data: &[u8]) -> Option<&str> {
    std::str::from_utf8(data).ok()
}

/// Splits the input at the first 0xFF byte (which never occurs in UTF-8):
/// two independent fuzzed parts for targets that take two inputs.
pub fn split2(data: &[u8]) -> (&[u8], &[u8]) {
    match data.iter().position(|&b| b == 0xff) {
        Some(i) => (&data[..i], &data[i + 1..]),
        None => (data, &[]),
    }
}
