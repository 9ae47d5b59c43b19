// SPDX-License-Identifier: GPL-2.0

//! The audit container ID that `contid oci-hook` gives a container whose
//! creator did not ask for one.
//!
//! The ID is the first 8 bytes of the SHA-256 digest of the OCI container
//! id (the UTF-8 bytes of the state's `id` field), read as a big-endian
//! u64.  If that is the unset value 18446744073709551615, which cannot be
//! assigned, the ID is 18446744073709551614 instead.
//!
//! The same container id always gives the same ID, on any machine, so an
//! auditor can compute it (`contid derive NAME`) without asking the
//! orchestrator.  Two of n distinct container ids share an ID with a
//! probability of about n² / 2⁶⁵: below 10⁻⁹ for 190,000 containers.

use contid_logic::value::UNSET;
use sha2::{Digest, Sha256};

/// The audit container ID for the OCI container id `container_id`.
pub fn derive_id(container_id: &str) -> u64 {
    let digest = Sha256::digest(container_id.as_bytes());
    let mut prefix = [0u8; 8];
    prefix.copy_from_slice(&digest[..8]);
    from_prefix(prefix)
}

/// The ID for the first 8 bytes of a digest: big-endian, kept away from the
/// unset value.
pub fn from_prefix(prefix: [u8; 8]) -> u64 {
    match u64::from_be_bytes(prefix) {
        UNSET => UNSET - 1,
        id => id,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_vectors() {
        // sha256("abc") = ba7816bf8f01cfea...
        assert_eq!(derive_id("abc"), 0xba78_16bf_8f01_cfea);
        assert_eq!(derive_id("abc"), 13436514500253700074);
        // sha256("") = e3b0c44298fc1c14...
        assert_eq!(derive_id(""), 16406829232824261652);
        // sha256("r1") = 82f3e9c695dc6b8d..., sha256("c1") = d0f631ca1ddba8db...
        assert_eq!(derive_id("r1"), 9436142683398368141);
        assert_eq!(derive_id("c1"), 15057277148313921755);
        assert_eq!(derive_id("web"), 5430874918674711225);
    }

    #[test]
    fn deterministic_and_distinct() {
        assert_eq!(derive_id("web"), derive_id("web"));
        assert_ne!(derive_id("web"), derive_id("web "));
        assert_ne!(derive_id("web"), derive_id("Web"));
    }

    #[test]
    fn never_the_unset_value() {
        assert_eq!(from_prefix([0xff; 8]), UNSET - 1);
        assert_eq!(
            from_prefix([0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xfe]),
            UNSET - 1
        );
        assert_eq!(from_prefix([0; 8]), 0);
        assert_eq!(from_prefix([0, 0, 0, 0, 0, 0, 1, 0]), 256);
        for i in 0..10_000 {
            assert_ne!(derive_id(&format!("container-{i}")), UNSET);
        }
    }
}
