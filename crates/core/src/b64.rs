//! Canonical base64url without padding (RFC 4648 §5): the only text encoding of
//! bytes in Charter. Padding, stray characters and non-zero trailing bits are
//! rejected so each byte string has exactly one text form.

use base64::engine::general_purpose::{GeneralPurpose, GeneralPurposeConfig};
use base64::engine::DecodePaddingMode;
use base64::Engine;

const ENGINE: GeneralPurpose = GeneralPurpose::new(
    &base64::alphabet::URL_SAFE,
    GeneralPurposeConfig::new()
        .with_encode_padding(false)
        .with_decode_padding_mode(DecodePaddingMode::RequireNone)
        .with_decode_allow_trailing_bits(false),
);

/// The canonical text of `bytes` (the only one [`decode`] accepts).
pub fn encode(bytes: impl AsRef<[u8]>) -> String {
    ENGINE.encode(bytes)
}

/// Decodes canonical base64url; `None` on any deviation.
pub fn decode(text: &str) -> Option<Vec<u8>> {
    ENGINE.decode(text).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rejects_padding_and_noncanonical_tails() {
        assert_eq!(decode("AQ").unwrap(), vec![1]);
        assert!(decode("AQ==").is_none());
        assert!(decode("AR").is_none(), "trailing bits must be zero");
        assert!(decode("A+").is_none());
        assert!(decode("A").is_none());
        assert_eq!(encode([0xfb, 0xff]), "-_8");
    }
}
