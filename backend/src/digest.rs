//! SHA-256 digests as lowercase hex: of design documents (what the audit log, the two-person
//! rule and the EC2 idempotency tokens record) and of session tokens (only their digest is
//! stored). A leaf: it imports nothing of the crate.

use sha2::{Digest, Sha256};

/// The SHA-256 of a text, as lowercase hex.
pub fn sha256_hex(text: &str) -> String {
    hex(&Sha256::digest(text.as_bytes()))
}

/// The SHA-256 of a design document as stored.
pub fn document_hash(document: &str) -> String {
    sha256_hex(document)
}

/// Lowercase hex of bytes.
pub fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|byte| format!("{byte:02x}")).collect()
}
