//! Revocation by capability id. Revoking an id revokes every capability
//! narrowed from it, because the verifier checks the id of every prefix.
//!
//! A capability id ([`crate::Capability::id`]) and a token id
//! ([`crate::Capability::token_id`]) have the same shape (16 bytes, 22
//! base64url characters) and cannot be told apart, so the verifier looks up
//! both: revoking a token id revokes every capability minted with that
//! identifier, which is what revoking the id of the capability as first
//! minted (before any caveat) does. Anything else is refused by
//! [`MemoryRevocationList::revoke`] (see [`check_id`]), so a typo cannot
//! silently revoke nothing.

use std::collections::HashSet;
use std::sync::RwLock;

use crate::{b64, Error, ErrorCode};

/// Bytes in a capability id (and a token id).
pub const ID_BYTES: usize = 16;

/// Where revoked capability ids are looked up. Implement it over a shared
/// store when several verifiers must agree.
///
/// Every method is fallible: a store that cannot answer makes the check a
/// denial (`store_unavailable`), never an allow.
pub trait RevocationList: Send + Sync {
    /// Whether this capability id or token id is revoked. `Err` (typically
    /// `store_unavailable`) when the list cannot be consulted; the verifier
    /// then denies.
    fn is_revoked(&self, capability_id: &str) -> Result<bool, Error>;

    /// The first of `ids`, in the order given, that is revoked; `None` when
    /// none is. A check asks about every id of a chain at once, so a database
    /// list answers in one query instead of one per id. The default asks
    /// [`RevocationList::is_revoked`] for each id in turn; `Err` as there.
    fn first_revoked(&self, ids: &[&str]) -> Result<Option<String>, Error> {
        for id in ids {
            if self.is_revoked(id)? {
                return Ok(Some((*id).to_string()));
            }
        }
        Ok(None)
    }

    /// Adds a capability id or token id; refuses anything else ([`check_id`]).
    fn revoke(&self, capability_id: &str) -> Result<(), Error>;

    /// Every revoked id, sorted, so operators can see and export the list.
    fn revoked(&self) -> Result<Vec<String>, Error>;

    /// Lets a verifier skip hashing prefixes when nothing is revoked.
    fn is_empty(&self) -> bool {
        false
    }
}

/// Checks that `id` has the shape of a capability id: the canonical base64url
/// (no padding) of 16 bytes, 22 characters, as `Capability.id` gives it.
/// `invalid_argument` otherwise, saying what was wrong.
pub fn check_id(id: &str) -> Result<(), Error> {
    const SHAPE: &str = "a capability id is 22 base64url characters without padding (16 bytes), as Capability.id gives it";
    let problem = if id.is_empty() {
        "got an empty string".to_string()
    } else if id.trim() != id {
        format!("got {id:?}, which has surrounding whitespace")
    } else if id.ends_with('=') {
        format!("got {id:?}, which is padded: drop the '='")
    } else {
        match b64::decode(id) {
            None => format!("got {id:?}, which is not canonical base64url"),
            Some(bytes) if bytes.len() != ID_BYTES => {
                format!("got {id:?}, which is {} bytes", bytes.len())
            }
            Some(_) => return Ok(()),
        }
    };
    Err(Error::new(
        ErrorCode::InvalidArgument,
        format!("cannot revoke: {SHAPE}; {problem}"),
    ))
}

/// An in-process revocation list.
#[derive(Debug, Default)]
pub struct MemoryRevocationList {
    ids: RwLock<HashSet<String>>,
}

impl MemoryRevocationList {
    /// An empty list.
    pub fn new() -> Self {
        MemoryRevocationList::default()
    }

    /// Revokes a capability id (that capability and every narrowing of it) or
    /// a token id (every capability minted with it). Anything that is not
    /// shaped like one is refused with `invalid_argument` ([`check_id`]).
    pub fn revoke(&self, capability_id: impl Into<String>) -> Result<(), Error> {
        let id = capability_id.into();
        check_id(&id)?;
        // A poisoned lock still holds a valid set; recover it rather than lose a revocation.
        self.ids
            .write()
            .unwrap_or_else(|p| p.into_inner())
            .insert(id);
        Ok(())
    }
}

impl RevocationList for MemoryRevocationList {
    fn revoke(&self, capability_id: &str) -> Result<(), Error> {
        MemoryRevocationList::revoke(self, capability_id)
    }

    fn is_revoked(&self, capability_id: &str) -> Result<bool, Error> {
        Ok(self
            .ids
            .read()
            .unwrap_or_else(|p| p.into_inner())
            .contains(capability_id))
    }

    fn first_revoked(&self, ids: &[&str]) -> Result<Option<String>, Error> {
        let set = self.ids.read().unwrap_or_else(|p| p.into_inner());
        Ok(ids
            .iter()
            .find(|id| set.contains(**id))
            .map(|id| (*id).to_string()))
    }

    fn revoked(&self) -> Result<Vec<String>, Error> {
        let mut ids: Vec<String> = self
            .ids
            .read()
            .unwrap_or_else(|p| p.into_inner())
            .iter()
            .cloned()
            .collect();
        ids.sort_unstable();
        Ok(ids)
    }

    fn is_empty(&self) -> bool {
        self.ids
            .read()
            .unwrap_or_else(|p| p.into_inner())
            .is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn malformed_ids_are_refused() {
        let list = MemoryRevocationList::new();
        let good = b64::encode([9u8; 16]);
        assert_eq!(good.len(), 22);
        list.revoke(good.clone()).unwrap();
        assert!(list.is_revoked(&good).unwrap());
        assert_eq!(RevocationList::revoked(&list).unwrap(), vec![good.clone()]);
        for (bad, says) in [
            (String::new(), "empty string"),
            (format!("{good}=="), "padded"),
            (format!(" {good}"), "whitespace"),
            (format!("{good}\n"), "whitespace"),
            (b64::encode([9u8; 15]), "15 bytes"),
            (b64::encode([9u8; 32]), "32 bytes"),
            (
                good.replace('-', "+").replace('_', "/") + "+/",
                "not canonical base64url",
            ),
            ("not a capability id".into(), "not canonical base64url"),
        ] {
            let e = list.revoke(bad.clone()).unwrap_err();
            assert_eq!(e.code(), ErrorCode::InvalidArgument, "{bad:?}");
            assert!(e.message().contains(says), "{bad:?}: {}", e.message());
            assert!(
                e.message().contains("22 base64url characters"),
                "{}",
                e.message()
            );
            assert!(!list.is_revoked(&bad).unwrap());
        }
        // The first revoked id in the order asked, whatever the set's order.
        let other = b64::encode([7u8; 16]);
        list.revoke(other.clone()).unwrap();
        let none = b64::encode([1u8; 16]);
        assert_eq!(list.first_revoked(&[&none]).unwrap(), None);
        assert_eq!(list.first_revoked(&[]).unwrap(), None);
        assert_eq!(
            list.first_revoked(&[&none, &other, &good]).unwrap(),
            Some(other.clone())
        );
        assert_eq!(
            list.first_revoked(&[&good, &other]).unwrap(),
            Some(good.clone())
        );
        // The last character of 16 bytes carries 4 spare bits that must be zero.
        let mut noncanonical = good.clone();
        noncanonical.pop();
        noncanonical.push('B');
        assert_eq!(
            list.revoke(noncanonical).unwrap_err().code(),
            ErrorCode::InvalidArgument
        );
    }
}
