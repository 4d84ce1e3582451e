//! Signed-in sessions held in memory for [`SESSION_CACHE_LIFETIME`], so a client's burst of
//! requests reads its session from the database once a second instead of on every request.
//!
//! Measured on the save path (`cargo xtask bench`, SQLite): the session read was a database
//! round trip on a pool thread for every save, 5% of the server's time plus two thread
//! switches, and its reads kept the write-ahead log from starting over.
//!
//! Invariants:
//! - A change this server makes to a session or an account is seen by its next request: the
//!   store forgets the session ([`SessionCache::forget`]) or every session of the account
//!   ([`SessionCache::forget_user`]) before the change's call returns.
//! - A read that began before such a change never puts its older record back: every
//!   forgetting moves [`SessionCache`]'s generation on, and a record read under an older
//!   generation is not kept.
//! - A change made by another server (PostgreSQL, several servers) is seen here at most
//!   [`SESSION_CACHE_LIFETIME`] later: a sign-out, a disabled account or a lowered role elsewhere
//!   may let this server answer that session for up to one second more.
//! - The cache holds at most [`MOST_CACHED_SESSIONS`] sessions; past that it drops the expired
//!   ones, and if none is expired, all of them.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use super::SessionRecord;

/// How long a session read from the database answers for it.
pub const SESSION_CACHE_LIFETIME: Duration = Duration::from_secs(1);

/// The most sessions held at once.
pub const MOST_CACHED_SESSIONS: usize = 10_000;

/// Sessions by the hash of their token, each with when it was read.
#[derive(Debug, Default)]
pub(super) struct SessionCache {
    held: Mutex<Held>,
}

#[derive(Debug, Default)]
struct Held {
    sessions: HashMap<String, (SessionRecord, Instant)>,
    /// Moved on by every forgetting; see [`SessionCache::keep`].
    generation: u64,
}

impl SessionCache {
    fn held(&self) -> std::sync::MutexGuard<'_, Held> {
        // A panic while the lock is held leaves only plain data behind; the worst it can
        // leave is a record that [`SESSION_CACHE_LIFETIME`] ends anyway.
        self.held
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// The session behind `token_hash` if it was read less than [`SESSION_CACHE_LIFETIME`] ago.
    pub fn session(&self, token_hash: &str) -> Option<SessionRecord> {
        let held = self.held();
        let (record, read_at) = held.sessions.get(token_hash)?;
        (read_at.elapsed() < SESSION_CACHE_LIFETIME).then(|| record.clone())
    }

    /// The generation to pass to [`SessionCache::keep`] with a record read after this call.
    pub fn generation(&self) -> u64 {
        self.held().generation
    }

    /// Keeps `record`, read from the database after [`SessionCache::generation`] said
    /// `read_under`, unless something was forgotten since (the record may predate it).
    pub fn keep(&self, token_hash: &str, record: &SessionRecord, read_under: u64) {
        let mut held = self.held();
        if held.generation != read_under {
            return;
        }
        if held.sessions.len() >= MOST_CACHED_SESSIONS && !held.sessions.contains_key(token_hash) {
            held.sessions
                .retain(|_, (_, read_at)| read_at.elapsed() < SESSION_CACHE_LIFETIME);
            if held.sessions.len() >= MOST_CACHED_SESSIONS {
                held.sessions.clear();
            }
        }
        held.sessions
            .insert(token_hash.to_string(), (record.clone(), Instant::now()));
    }

    /// Forgets one session (signed out, expired, or written back).
    pub fn forget(&self, token_hash: &str) {
        let mut held = self.held();
        held.generation += 1;
        held.sessions.remove(token_hash);
    }

    /// Forgets every session of the account `user_id` (its role or status changed).
    pub fn forget_user(&self, user_id: i64) {
        let mut held = self.held();
        held.generation += 1;
        held.sessions
            .retain(|_, (record, _)| record.user.id != user_id);
    }

    /// Forgets every session (a raw statement may have changed any of them).
    pub fn forget_all(&self) {
        let mut held = self.held();
        held.generation += 1;
        held.sessions.clear();
    }

    #[cfg(test)]
    fn len(&self) -> usize {
        self.held().sessions.len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::auth::{Role, UserStatus};
    use crate::store::User;

    fn record(user_id: i64) -> SessionRecord {
        SessionRecord {
            user: User {
                id: user_id,
                name: format!("user-{user_id}"),
                role: Role::Designer,
                status: UserStatus::Active,
            },
            csrf_token: "csrf".to_string(),
            last_seen_at: 1,
        }
    }

    #[test]
    fn a_kept_session_answers_until_it_is_forgotten() {
        let cache = SessionCache::default();
        assert!(cache.session("a").is_none());
        cache.keep("a", &record(1), cache.generation());
        assert_eq!(cache.session("a").map(|record| record.user.id), Some(1));
        cache.forget("a");
        assert!(cache.session("a").is_none());
    }

    #[test]
    fn forgetting_an_account_forgets_each_of_its_sessions_and_no_other() {
        let cache = SessionCache::default();
        cache.keep("a", &record(1), cache.generation());
        cache.keep("b", &record(1), cache.generation());
        cache.keep("c", &record(2), cache.generation());
        cache.forget_user(1);
        assert!(cache.session("a").is_none() && cache.session("b").is_none());
        assert_eq!(cache.session("c").map(|record| record.user.id), Some(2));
        cache.forget_all();
        assert!(cache.session("c").is_none());
    }

    #[test]
    fn a_read_that_began_before_a_forgetting_is_not_kept() {
        let cache = SessionCache::default();
        let read_under = cache.generation();
        // The account is disabled while the read is on its way back from the database.
        cache.forget_user(1);
        cache.keep("a", &record(1), read_under);
        assert!(cache.session("a").is_none());
    }

    #[test]
    fn a_session_is_read_again_after_its_lifetime() {
        let cache = SessionCache::default();
        cache.keep("a", &record(1), cache.generation());
        std::thread::sleep(SESSION_CACHE_LIFETIME + Duration::from_millis(20));
        assert!(cache.session("a").is_none());
    }

    #[test]
    fn the_cache_never_holds_more_than_its_bound() {
        let cache = SessionCache::default();
        for index in 0..MOST_CACHED_SESSIONS + 10 {
            cache.keep(&format!("token-{index}"), &record(1), cache.generation());
            assert!(cache.len() <= MOST_CACHED_SESSIONS);
        }
        let newest = format!("token-{}", MOST_CACHED_SESSIONS + 9);
        assert!(cache.session(&newest).is_some());
    }
}
