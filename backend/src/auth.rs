//! The account rules, pure: roles and statuses, argon2id password hashes, opaque session
//! tokens (only their SHA-256 is stored), and how sign-ins are throttled. The HTTP side (the
//! session cookie, the CSRF header check, the `CurrentUser` extractor) is `api::session`.

use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::{Algorithm, Argon2, Params, Version};

/// The session cookie's name.
pub const SESSION_COOKIE: &str = "moat_session";
/// The header that must carry the session's CSRF token on state-changing requests.
pub const CSRF_HEADER: &str = "x-csrf-token";
/// A session unused for this long is dead.
pub const SESSION_IDLE_SECONDS: i64 = 8 * 60 * 60;
/// How stale a session's last-seen time may be before a request writes it again: the idle
/// limit is hours, so a minute's precision costs nothing, and most requests then write
/// nothing at all.
pub const SESSION_TOUCH_SECONDS: i64 = 60;
/// Minimum password length.
pub const MINIMUM_PASSWORD_LENGTH: usize = 12;

pub use shared::api::{Role, UserStatus};

#[derive(Debug, thiserror::Error)]
pub enum PasswordError {
    #[error("a password needs at least {MINIMUM_PASSWORD_LENGTH} characters")]
    TooShort,
    #[error("password hashing failed: {0}")]
    Hashing(String),
}

fn hasher() -> Argon2<'static> {
    // OWASP's argon2id minimum: m = 19 MiB, t = 2, p = 1.
    let params = Params::new(19_456, 2, 1, None).unwrap_or_default();
    Argon2::new(Algorithm::Argon2id, Version::V0x13, params)
}

/// Hashes a password with argon2id after checking the length policy.
pub fn hash_password(password: &str) -> Result<String, PasswordError> {
    if password.chars().count() < MINIMUM_PASSWORD_LENGTH {
        return Err(PasswordError::TooShort);
    }
    let mut salt_bytes = [0u8; 16];
    getrandom::fill(&mut salt_bytes).map_err(|error| PasswordError::Hashing(error.to_string()))?;
    let salt = SaltString::encode_b64(&salt_bytes)
        .map_err(|error| PasswordError::Hashing(error.to_string()))?;
    hasher()
        .hash_password(password.as_bytes(), &salt)
        .map(|hash| hash.to_string())
        .map_err(|error| PasswordError::Hashing(error.to_string()))
}

/// Checks a password against a stored hash; any malformed hash is a mismatch.
pub fn verify_password(password: &str, stored_hash: &str) -> bool {
    PasswordHash::new(stored_hash)
        .map(|parsed| {
            hasher()
                .verify_password(password.as_bytes(), &parsed)
                .is_ok()
        })
        .unwrap_or(false)
}

/// A hash to verify against when the account does not exist, so timing does not tell.
pub fn decoy_hash() -> &'static str {
    static DECOY: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    DECOY.get_or_init(|| hash_password("decoy password never used").unwrap_or_default())
}

/// A fresh random token (256 bits, hex).
pub fn new_token() -> String {
    let mut bytes = [0u8; 32];
    if getrandom::fill(&mut bytes).is_err() {
        // Without randomness no session can be made safely; an empty token is never accepted.
        return String::new();
    }
    hex(&bytes)
}

/// The stored form of a session token.
pub fn token_hash(token: &str) -> String {
    crate::digest::sha256_hex(token)
}

use crate::digest::hex;

/// Compares in time independent of where the first difference is.
pub fn constant_time_equal(a: &str, b: &str) -> bool {
    a.len() == b.len()
        && a.bytes()
            .zip(b.bytes())
            .fold(0u8, |acc, (x, y)| acc | (x ^ y))
            == 0
}

/// How sign-ins are throttled (OWASP's guidance: slow the guesser, never lock the owner out).
///
/// Failures count per (account, client) and per client, over the last hour. A pair's first
/// `pair_free_failures` failures cost nothing; after them each attempt waits twice as long as the
/// one before (2 s, 4 s, 8 s, … up to `max_wait_seconds`) since the pair's last failure, and a
/// pair stops at `pair_failures_per_hour`. One client stops at `client_failures_per_hour` across
/// all accounts. Failures from other clients never slow the owner down.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ThrottlePolicy {
    pub pair_free_failures: i64,
    pub pair_failures_per_hour: i64,
    pub client_failures_per_hour: i64,
    pub max_wait_seconds: i64,
}

impl ThrottlePolicy {
    pub const DEFAULT: ThrottlePolicy = ThrottlePolicy {
        pair_free_failures: 5,
        pair_failures_per_hour: 100,
        client_failures_per_hour: 100,
        max_wait_seconds: 900,
    };

    /// How long the next attempt must wait, if at all, given the pair's failures in the last
    /// hour and the last one's time, and the client's failures in the last hour.
    pub fn wait(
        &self,
        pair_failures: i64,
        last_pair_failure: i64,
        client_failures: i64,
        now: i64,
    ) -> Option<i64> {
        if pair_failures >= self.pair_failures_per_hour
            || client_failures >= self.client_failures_per_hour
        {
            return Some(3600);
        }
        if pair_failures < self.pair_free_failures {
            return None;
        }
        let doublings = (pair_failures - self.pair_free_failures).min(30) as u32;
        // From 2 s: with whole-second clocks a wait of 1 could pass on a tick at once.
        let backoff = (2i64 << doublings).min(self.max_wait_seconds);
        let waited = now - last_pair_failure;
        (waited < backoff).then_some(backoff - waited)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_throttle_backs_off_per_pair_and_caps_each_client() {
        let policy = super::ThrottlePolicy::DEFAULT;
        assert_eq!(policy.wait(4, 1000, 4, 1000), None);
        assert_eq!(policy.wait(5, 1000, 5, 1000), Some(2));
        assert_eq!(policy.wait(5, 1000, 5, 1001), Some(1));
        assert_eq!(policy.wait(5, 1000, 5, 1002), None);
        assert_eq!(policy.wait(8, 1000, 8, 1002), Some(14));
        assert_eq!(policy.wait(40, 1000, 40, 1000), Some(900));
        assert_eq!(policy.wait(100, 0, 100, 5000), Some(3600));
        assert_eq!(policy.wait(0, 0, 100, 5000), Some(3600));
    }

    #[test]
    fn passwords_hash_with_argon2id_and_verify() {
        let hash = hash_password("correct horse battery").unwrap();
        assert!(
            hash.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"),
            "{hash}"
        );
        assert!(verify_password("correct horse battery", &hash));
        assert!(!verify_password("wrong horse battery", &hash));
        assert!(!verify_password("correct horse battery", "not a hash"));
    }

    #[test]
    fn short_passwords_are_refused() {
        assert!(matches!(
            hash_password("elevenchars"),
            Err(PasswordError::TooShort)
        ));
    }

    #[test]
    fn tokens_are_random_and_hashed() {
        let (first, second) = (new_token(), new_token());
        assert_eq!(first.len(), 64);
        assert_ne!(first, second);
        assert_ne!(token_hash(&first), first);
    }
}
