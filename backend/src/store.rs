//! The database: users, sessions, designs with every revision, deployments with their journal,
//! the append-only audit log and failed sign-ins for rate limiting. SQLite in WAL mode in the
//! data dir; migrations embedded from `backend/migrations`.
//!
//! Invariant: a design save is one conditional UPDATE on the revision it was based on plus the
//! revision's row, in one transaction, so two concurrent saves can never both win (the loser
//! gets [`StoreError::Conflict`]) and every revision stays restorable.
//! Invariant: the audit log is append-only; triggers refuse UPDATE and DELETE.

use shared::api::{DeploymentOperation, DeploymentStatus};
use std::path::Path;
use std::time::Duration;

use serde::Serialize;
use sqlx::any::{AnyPoolOptions, AnyRow};
use sqlx::{AnyPool, Executor, Row};

use crate::auth::{Role, UserStatus};

mod save_queue;
mod session_cache;
pub use save_queue::MOST_SAVES_PER_BATCH;
pub use session_cache::{MOST_CACHED_SESSIONS, SESSION_CACHE_LIFETIME};

/// Storage failures. `Database` details are logged, never shown to users.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("not found")]
    NotFound,
    #[error("the name is already taken")]
    NameTaken,
    #[error("the design changed since revision {based_on}: the current revision is {current}")]
    Conflict { based_on: i64, current: i64 },
    #[error("a deployment of this design is already running")]
    DeploymentRunning,
    #[error("{0}")]
    Refused(String),
    #[error("this is the last active admin: make another admin first")]
    LastAdmin,
    #[error("database error: {0}")]
    Database(#[from] sqlx::Error),
    #[error("migration error: {0}")]
    Migration(#[from] sqlx::migrate::MigrateError),
    /// A stored value this build does not know (written by a newer build, or edited by hand).
    #[error("the database holds a value this build does not know: {0}")]
    Corrupt(String),
}

/// A handle to the database; cheap to clone. One code path for both databases: sqlx's `Any`
/// driver, `$n` placeholders (which SQLite also reads), and one migration folder per database
/// (`migrations/sqlite`, `migrations/postgres`) with the same versions.
#[derive(Clone)]
pub struct Store {
    /// Reads (and, on PostgreSQL, everything).
    pool: AnyPool,
    /// Writes. On SQLite one connection: SQLite has one writer at a time, and writers on
    /// several connections wait for each other in SQLite's busy handler, which sleeps in steps
    /// of up to 100 ms; queued here they wait in order, without sleeping. On PostgreSQL the
    /// same pool as the reads.
    writer: AnyPool,
    /// On SQLite, where design saves go to be written in batches by a thread of their own.
    saves: Option<save_queue::SaveQueue>,
    /// Sessions read in the last second (see `session_cache` for what that lets stand).
    sessions: std::sync::Arc<session_cache::SessionCache>,
    backend: Backend,
}

/// Which database a store runs on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

#[derive(Debug, Clone)]
pub struct SessionRecord {
    pub user: User,
    pub csrf_token: String,
    pub last_seen_at: i64,
}

#[derive(Debug, Clone, Serialize)]
pub struct DesignRecord {
    pub id: String,
    pub name: String,
    pub revision: i64,
    pub updated_at: i64,
    pub document: String,
}

pub use crate::digest::document_hash;
pub use shared::api::{
    AuditEntry, DeployedResource, DeploymentRecord, DeploymentState, DeploymentSummary,
    DesignListing, DesignSummary, RevisionSummary, User, UserListing,
};

/// Whether a sign-in attempt may go ahead.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SignInGate {
    /// Go ahead; the attempt's token, for [`Store::sign_in_succeeded`].
    Open { attempt: String },
    /// Too many failures from this client: wait this many seconds.
    Wait { seconds: i64 },
}

/// An audit row written in the same transaction as the change it records.
pub struct AuditRow<'a> {
    pub actor: &'a User,
    pub action: &'a str,
    pub target: &'a str,
    pub detail: &'a str,
}

/// A server's hold on the deployments it runs: who (the server's id) and for how long each
/// renewal lasts.
#[derive(Debug, Clone)]
pub struct Lease {
    pub owner: String,
    pub duration: Duration,
}

impl Lease {
    /// When a lease taken or renewed now expires, in unix milliseconds.
    pub fn expires_from_now(&self) -> i64 {
        now_milliseconds() + self.duration.as_millis() as i64
    }
}

/// A deployment a server claimed to run.
#[derive(Debug, Clone, PartialEq)]
pub struct ClaimedDeployment {
    pub id: String,
    pub operation: DeploymentOperation,
    /// Another server held it until its lease expired.
    pub takeover: bool,
}

/// Now in unix milliseconds (leases are shorter than a second's rounding would allow).
pub fn now_milliseconds() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|elapsed| elapsed.as_millis() as i64)
        .unwrap_or(0)
}

pub fn now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|elapsed| elapsed.as_secs() as i64)
        .unwrap_or(0)
}

impl Store {
    /// Opens (creating if needed) the SQLite database at `path` and runs the migrations.
    pub async fn open_sqlite(path: &Path) -> Result<Store, StoreError> {
        let url = format!("sqlite://{}?mode=rwc", path.display());
        Self::open(&url).await
    }

    /// Opens `sqlite://…` or `postgres://…` and runs that database's migrations.
    pub async fn open(url: &str) -> Result<Store, StoreError> {
        sqlx::any::install_default_drivers();
        let backend = if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            Backend::Postgres
        } else {
            Backend::Sqlite
        };
        // `writes`: the writing connection, whose commits checkpoint the log only once it
        // holds 4,096 pages (64 MiB), where SQLite's default is 1,000 (the save queue's task
        // copies most of it before, off the writer's turn; see `save_queue`), and whose page
        // cache holds a whole batch
        // of saves (64 saves of a 100-subnet design are some 3.5 MB; with SQLite's 2 MB
        // default, pages spilled to the log before the commit, measured 9% of the time).
        // A new database gets 16 KiB pages: a revision's text is mostly overflow pages, and
        // each page is one write of the log and one of its checkpoint (an existing database
        // keeps its page size; a WAL database cannot change it).
        let options = |connections: u32, writes: bool| {
            let options = AnyPoolOptions::new()
                .max_connections(connections)
                .acquire_timeout(Duration::from_secs(10));
            if backend == Backend::Postgres {
                return options;
            }
            // WAL: readers never wait for the writer; NORMAL sync is durable with WAL (a
            // power cut may lose the last commits, never corrupt the file).
            options.after_connect(move |connection, _| {
                Box::pin(async move {
                    connection
                        .execute(
                            "PRAGMA page_size = 16384; PRAGMA journal_mode = WAL; \
                             PRAGMA synchronous = NORMAL; \
                             PRAGMA foreign_keys = ON; PRAGMA busy_timeout = 5000;",
                        )
                        .await?;
                    if writes {
                        connection
                            .execute(
                                "PRAGMA wal_autocheckpoint = 4096; PRAGMA cache_size = -32768;",
                            )
                            .await?;
                    }
                    Ok(())
                })
            })
        };
        let (pool, writer) = match backend {
            Backend::Sqlite => {
                let writer = options(1, true).connect(url).await?;
                sqlx::migrate!("./migrations/sqlite").run(&writer).await?;
                (options(8, false).connect(url).await?, writer)
            }
            Backend::Postgres => {
                let pool = options(16, true).connect(url).await?;
                sqlx::migrate!("./migrations/postgres").run(&pool).await?;
                (pool.clone(), pool)
            }
        };
        let saves = match backend {
            Backend::Sqlite => Some(save_queue::SaveQueue::start(writer.clone(), pool.clone())?),
            Backend::Postgres => None,
        };
        Ok(Store {
            pool,
            writer,
            saves,
            sessions: Default::default(),
            backend,
        })
    }

    pub fn backend(&self) -> Backend {
        self.backend
    }

    /// A consistent copy of the SQLite database at `path`, taken while the server runs:
    /// `VACUUM INTO` reads in one transaction, so every save acknowledged before it began is
    /// in the copy. The path is bound as a parameter, never spliced into the statement.
    /// PostgreSQL is backed up with its own tools (`pg_dump`).
    pub async fn backup_to(&self, path: &Path) -> Result<(), StoreError> {
        if self.backend == Backend::Postgres {
            return Err(StoreError::Refused(
                "a PostgreSQL database is backed up with pg_dump (and restored with pg_restore or psql)".to_string(),
            ));
        }
        if path.exists() {
            return Err(StoreError::Refused(format!(
                "{} already exists: name a new file",
                path.display()
            )));
        }
        let text = path.to_str().ok_or_else(|| {
            StoreError::Refused(format!("{} is not a UTF-8 path", path.display()))
        })?;
        sqlx::query("VACUUM INTO ?")
            .bind(text.to_string())
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    /// Whether the SQLite file at `path` is a Moat database that passes SQLite's integrity
    /// check (read only: the file is not changed).
    pub async fn check_backup(path: &Path) -> Result<(), StoreError> {
        sqlx::any::install_default_drivers();
        let url = format!("sqlite://{}?mode=ro", path.display());
        let pool = AnyPoolOptions::new()
            .max_connections(1)
            .connect(&url)
            .await
            .map_err(|_| {
                StoreError::Refused(format!("{} is not a SQLite database", path.display()))
            })?;
        let outcome = async {
            let integrity: String = sqlx::query("PRAGMA integrity_check")
                .fetch_one(&pool)
                .await
                .map_err(|_| {
                    StoreError::Refused(format!("{} is not a SQLite database", path.display()))
                })?
                .try_get(0)?;
            if integrity != "ok" {
                return Err(StoreError::Refused(format!(
                    "{} fails SQLite's integrity check: {integrity}",
                    path.display()
                )));
            }
            let tables: i64 = sqlx::query(
                "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name IN ('designs', 'users', '_sqlx_migrations')",
            )
            .fetch_one(&pool)
            .await?
            .try_get(0)?;
            if tables != 3 {
                return Err(StoreError::Refused(format!(
                    "{} is a SQLite database but not Moat's (no designs, users and migrations)",
                    path.display()
                )));
            }
            Ok(())
        }
        .await;
        pool.close().await;
        outcome
    }

    /// How many deployments are in each state (for the metrics).
    pub async fn deployments_by_status(&self) -> Result<Vec<(String, i64)>, StoreError> {
        let rows = sqlx::query(
            "SELECT status, CAST(count(*) AS BIGINT) AS n FROM deployments GROUP BY status ORDER BY status",
        )
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|row| {
                Ok((
                    row.try_get::<String, _>("status")?,
                    row.try_get::<i64, _>("n")?,
                ))
            })
            .collect()
    }

    /// Whether the database answers (readiness).
    pub async fn ping(&self) -> Result<(), StoreError> {
        sqlx::query("SELECT 1").execute(&self.pool).await?;
        Ok(())
    }

    /// Closes every connection (before the file is moved).
    pub async fn close(self) {
        self.pool.close().await;
        self.writer.close().await;
    }

    /// Runs one raw statement (tests use it to prove the audit log refuses changes). It may
    /// change any session, so the sessions held in memory are read again.
    pub async fn execute_raw(&self, statement: &str) -> Result<u64, StoreError> {
        let affected = sqlx::query(statement)
            .execute(&self.writer)
            .await?
            .rows_affected();
        self.sessions.forget_all();
        Ok(affected)
    }

    pub async fn create_user(
        &self,
        name: &str,
        password_hash: &str,
        role: Role,
        status: UserStatus,
    ) -> Result<User, StoreError> {
        let result = sqlx::query("INSERT INTO users (name, password_hash, role, status, created_at) VALUES ($1, $2, $3, $4, $5) RETURNING id")
            .bind(name)
            .bind(password_hash)
            .bind(role.as_str())
            .bind(status.as_str())
            .bind(now())
            .fetch_one(&self.writer)
            .await;
        match result {
            Ok(row) => Ok(User {
                id: row.get("id"),
                name: name.to_string(),
                role,
                status,
            }),
            Err(sqlx::Error::Database(error)) if error.is_unique_violation() => {
                Err(StoreError::NameTaken)
            }
            Err(error) => Err(error.into()),
        }
    }

    /// The user and password hash for a login attempt.
    pub async fn user_for_login(&self, name: &str) -> Result<Option<(User, String)>, StoreError> {
        let row = sqlx::query(
            "SELECT id, name, role, status, password_hash FROM users WHERE lower(name) = lower($1)",
        )
        .bind(name)
        .fetch_optional(&self.pool)
        .await?;
        Ok(row.map(|row| (user_from_row(&row), row.get::<String, _>("password_hash"))))
    }

    pub async fn create_session(
        &self,
        token_hash: &str,
        user_id: i64,
        csrf_token: &str,
    ) -> Result<(), StoreError> {
        let at = now();
        sqlx::query("INSERT INTO sessions (token_hash, user_id, csrf_token, created_at, last_seen_at) VALUES ($1, $2, $3, $4, $5)")
            .bind(token_hash)
            .bind(user_id)
            .bind(csrf_token)
            .bind(at)
            .bind(at)
            .execute(&self.writer)
            .await?;
        Ok(())
    }

    /// The session behind `token_hash` with its account, read from the database at most once
    /// per [`SESSION_CACHE_LIFETIME`] (this server's own changes to it are seen at once).
    pub async fn session(&self, token_hash: &str) -> Result<Option<SessionRecord>, StoreError> {
        if let Some(record) = self.sessions.session(token_hash) {
            return Ok(Some(record));
        }
        let read_under = self.sessions.generation();
        let row = sqlx::query(
            "SELECT users.id, users.name, users.role, users.status, sessions.csrf_token, sessions.last_seen_at
             FROM sessions JOIN users ON users.id = sessions.user_id WHERE sessions.token_hash = $1",
        )
        .bind(token_hash)
        .fetch_optional(&self.pool)
        .await?;
        let record = row.map(|row| SessionRecord {
            user: user_from_row(&row),
            csrf_token: row.get("csrf_token"),
            last_seen_at: row.get("last_seen_at"),
        });
        if let Some(record) = &record {
            self.sessions.keep(token_hash, record, read_under);
        }
        Ok(record)
    }

    pub async fn touch_session(&self, token_hash: &str) -> Result<(), StoreError> {
        let touched = sqlx::query("UPDATE sessions SET last_seen_at = $1 WHERE token_hash = $2")
            .bind(now())
            .bind(token_hash)
            .execute(&self.writer)
            .await;
        self.sessions.forget(token_hash);
        touched?;
        Ok(())
    }

    pub async fn delete_session(&self, token_hash: &str) -> Result<(), StoreError> {
        let deleted = sqlx::query("DELETE FROM sessions WHERE token_hash = $1")
            .bind(token_hash)
            .execute(&self.writer)
            .await;
        self.sessions.forget(token_hash);
        deleted?;
        Ok(())
    }

    /// Creates a design at revision 1, with its audit row (`design-create`) in the same
    /// transaction.
    pub async fn create_design(
        &self,
        id: &str,
        name: &str,
        document: &str,
        creator: &User,
    ) -> Result<DesignSummary, StoreError> {
        let at = now();
        let hash = document_hash(document);
        let mut transaction = self.writer.begin().await?;
        sqlx::query("INSERT INTO designs (id, name, revision, created_by, updated_at) VALUES ($1, $2, 1, $3, $4)")
            .bind(id)
            .bind(name)
            .bind(creator.id)
            .bind(at)
            .execute(&mut *transaction)
            .await?;
        let revision = NewRevision {
            design_id: id,
            revision: 1,
            document,
            hash: &hash,
            saved_by: creator,
            at,
            restored_from: None,
        };
        insert_revision(&mut transaction, &revision).await?;
        insert_audit(
            &mut transaction,
            at,
            creator,
            "design-create",
            id,
            &format!("{name} revision 1"),
            &hash,
        )
        .await?;
        transaction.commit().await?;
        Ok(DesignSummary {
            id: id.to_string(),
            name: name.to_string(),
            revision: 1,
            updated_at: at,
        })
    }

    /// Saves a new revision if the stored one is still `based_on`; otherwise a conflict.
    ///
    /// All or nothing (one statement on each database): the design row moves to the new
    /// revision (it holds no document of its own: the revision row is the only copy), the
    /// revision row is written, and so is the audit row, `action` with `detail(new revision)`.
    #[allow(clippy::too_many_arguments)]
    pub async fn update_design(
        &self,
        id: &str,
        name: &str,
        document: &str,
        based_on: i64,
        saver: &User,
        restored_from: Option<i64>,
        action: &str,
        detail: impl FnOnce(i64) -> String,
    ) -> Result<DesignSummary, StoreError> {
        let at = now();
        let hash = document_hash(document);
        if let Some(queue) = &self.saves {
            let save = save_queue::QueuedSave {
                id: id.to_string(),
                name: name.to_string(),
                document: document.to_string(),
                hash,
                based_on,
                saver_id: saver.id,
                saver_name: saver.name.clone(),
                at,
                restored_from,
                action: action.to_string(),
                detail: detail(based_on + 1),
            };
            return self.update_design_through_the_queue(queue, save).await;
        }
        // PostgreSQL: the design row's move, the revision row and the audit row in one
        // statement, so one trip to the server (a transaction of three statements and its
        // commit was five). The two inserts take the moved row, so a stale save writes none.
        let detail = detail(based_on + 1);
        let moved = sqlx::query(
            "WITH moved AS (
                 UPDATE designs SET name = $1, revision = revision + 1, updated_at = $2
                 WHERE id = $3 AND revision = $4 RETURNING id, revision
             ), revision_row AS (
                 INSERT INTO design_revisions (design_id, revision, document, document_hash, saved_by, saved_at, restored_from)
                 SELECT id, revision, $5, $6, $7, $2, $8 FROM moved
             ), audit_row AS (
                 INSERT INTO audit_log (at, actor_id, actor_name, action, target, detail, design_hash)
                 SELECT $2, $7, $9, $10, id, $11, $6 FROM moved
             )
             SELECT revision FROM moved",
        )
        .bind(name)
        .bind(at)
        .bind(id)
        .bind(based_on)
        .bind(document)
        .bind(hash.as_str())
        .bind(saver.id)
        .bind(restored_from)
        .bind(saver.name.as_str())
        .bind(action)
        .bind(detail.as_str())
        .fetch_optional(&self.writer)
        .await?;
        if moved.is_some() {
            return Ok(DesignSummary {
                id: id.to_string(),
                name: name.to_string(),
                revision: based_on + 1,
                updated_at: at,
            });
        }
        let current = self.design_listing(id).await?;
        Err(StoreError::Conflict {
            based_on,
            current: current.revision,
        })
    }

    /// [`Store::update_design`] on SQLite: through the save queue, whose thread writes it
    /// with the `design_saves` trigger (migration 0007), all or nothing.
    async fn update_design_through_the_queue(
        &self,
        queue: &save_queue::SaveQueue,
        save: save_queue::QueuedSave,
    ) -> Result<DesignSummary, StoreError> {
        let summary = DesignSummary {
            id: save.id.clone(),
            name: save.name.clone(),
            revision: save.based_on + 1,
            updated_at: save.at,
        };
        let based_on = save.based_on;
        match queue.save(save).await {
            Ok(()) => Ok(summary),
            Err(save_queue::SaveRefused::Stale) => {
                let current = self.design_listing(&summary.id).await?;
                Err(StoreError::Conflict {
                    based_on,
                    current: current.revision,
                })
            }
            Err(save_queue::SaveRefused::Store(error)) => Err(error),
        }
    }

    pub async fn design(&self, id: &str) -> Result<DesignRecord, StoreError> {
        let row = sqlx::query(
            "SELECT d.id, d.name, d.revision, d.updated_at, r.document FROM designs d
             JOIN design_revisions r ON r.design_id = d.id AND r.revision = d.revision
             WHERE d.id = $1",
        )
        .bind(id)
        .fetch_optional(&self.pool)
        .await?
        .ok_or(StoreError::NotFound)?;
        Ok(DesignRecord {
            id: row.get("id"),
            name: row.get("name"),
            revision: row.get("revision"),
            updated_at: row.get("updated_at"),
            document: row.get("document"),
        })
    }

    /// The Open dialog's rows: the designs whose name or id holds `search` (in any case; all
    /// when empty), most recently edited first, at most `limit`, and whether more matched.
    pub async fn list_designs(
        &self,
        search: &str,
        limit: i64,
    ) -> Result<(Vec<DesignListing>, bool), StoreError> {
        let pattern = format!("%{}%", like_escaped(&search.to_lowercase()));
        let query = format!(
            "{DESIGN_LISTING} WHERE LOWER(d.name) LIKE $1 ESCAPE '\\' OR LOWER(d.id) LIKE $1 ESCAPE '\\'
             ORDER BY d.updated_at DESC, d.id LIMIT $2"
        );
        let rows = sqlx::query(&query)
            .bind(pattern)
            .bind(limit + 1)
            .fetch_all(&self.pool)
            .await?;
        let truncated = rows.len() as i64 > limit;
        let listings = rows
            .iter()
            .take(limit.max(0) as usize)
            .map(design_listing)
            .collect::<Result<Vec<_>, _>>()?;
        Ok((listings, truncated))
    }

    /// A design's row of the Open dialog and its current document, read in one statement (so
    /// the saver named is the saver of that document).
    pub async fn design_with_listing(
        &self,
        id: &str,
    ) -> Result<(DesignListing, String), StoreError> {
        static QUERY: std::sync::LazyLock<String> = std::sync::LazyLock::new(|| {
            format!(
                "{} WHERE d.id = $1",
                DESIGN_LISTING.replacen("SELECT ", "SELECT r.document, ", 1)
            )
        });
        let row = sqlx::query(QUERY.as_str())
            .bind(id)
            .fetch_optional(&self.pool)
            .await?
            .ok_or(StoreError::NotFound)?;
        Ok((design_listing(&row)?, row.get("document")))
    }

    /// One design's row of the Open dialog: who saved it last and its latest deployment.
    pub async fn design_listing(&self, id: &str) -> Result<DesignListing, StoreError> {
        let row = sqlx::query(&format!("{DESIGN_LISTING} WHERE d.id = $1"))
            .bind(id)
            .fetch_optional(&self.pool)
            .await?
            .ok_or(StoreError::NotFound)?;
        design_listing(&row)
    }

    /// Every revision of a design, newest first.
    pub async fn revisions(&self, design_id: &str) -> Result<Vec<RevisionSummary>, StoreError> {
        let rows = sqlx::query(
            "SELECT design_revisions.revision, users.name AS saved_by, design_revisions.saved_at,
                    design_revisions.document_hash, design_revisions.restored_from
             FROM design_revisions JOIN users ON users.id = design_revisions.saved_by
             WHERE design_id = $1 ORDER BY revision DESC",
        )
        .bind(design_id)
        .fetch_all(&self.pool)
        .await?;
        Ok(rows
            .iter()
            .map(|row| RevisionSummary {
                revision: row.get("revision"),
                saved_by: row.get("saved_by"),
                saved_at: row.get("saved_at"),
                document_hash: row.get("document_hash"),
                restored_from: row.get("restored_from"),
            })
            .collect())
    }

    /// One revision's document.
    pub async fn revision_document(
        &self,
        design_id: &str,
        revision: i64,
    ) -> Result<String, StoreError> {
        let row = sqlx::query(
            "SELECT document FROM design_revisions WHERE design_id = $1 AND revision = $2",
        )
        .bind(design_id)
        .bind(revision)
        .fetch_optional(&self.pool)
        .await?
        .ok_or(StoreError::NotFound)?;
        Ok(row.get("document"))
    }

    pub async fn list_users(&self) -> Result<Vec<UserListing>, StoreError> {
        let rows = sqlx::query(
            "SELECT id, name, role, status, created_at FROM users ORDER BY status = 'pending' DESC, name",
        )
        .fetch_all(&self.pool)
        .await?;
        Ok(rows
            .iter()
            .map(|row| {
                let user = user_from_row(row);
                UserListing {
                    id: user.id,
                    name: user.name,
                    role: user.role,
                    status: user.status,
                    created_at: row.get("created_at"),
                }
            })
            .collect())
    }

    pub async fn user(&self, id: i64) -> Result<User, StoreError> {
        let row = sqlx::query("SELECT id, name, role, status FROM users WHERE id = $1")
            .bind(id)
            .fetch_optional(&self.pool)
            .await?
            .ok_or(StoreError::NotFound)?;
        Ok(user_from_row(&row))
    }

    /// Sets a user's role and status; a disabled user's sessions end at once.
    /// Sets a user's role and status and writes `audit` in the same transaction.
    ///
    /// Invariant: the last active admin is never demoted or disabled, whatever runs at the same
    /// time: the UPDATE itself carries the condition (on PostgreSQL after locking the active
    /// admins' rows, so two admins demoting each other at once are serialised; SQLite has one
    /// writer), and a refused change is [`StoreError::LastAdmin`].
    pub async fn set_user_access(
        &self,
        id: i64,
        role: Role,
        status: UserStatus,
        audit: AuditRow<'_>,
    ) -> Result<User, StoreError> {
        let mut transaction = self.writer.begin().await?;
        if self.backend == Backend::Postgres {
            sqlx::query(
                "SELECT id FROM users WHERE role = 'admin' AND status = 'active' ORDER BY id FOR UPDATE",
            )
            .fetch_all(&mut *transaction)
            .await?;
        }
        let updated = sqlx::query(
            "UPDATE users SET role = $1, status = $2 WHERE id = $3 AND (
               ($1 = 'admin' AND $2 = 'active')
               OR NOT (role = 'admin' AND status = 'active')
               OR EXISTS (SELECT 1 FROM users AS other
                          WHERE other.role = 'admin' AND other.status = 'active' AND other.id <> $3))",
        )
        .bind(role.as_str())
        .bind(status.as_str())
        .bind(id)
        .execute(&mut *transaction)
        .await?;
        if updated.rows_affected() == 0 {
            let exists = sqlx::query("SELECT id FROM users WHERE id = $1")
                .bind(id)
                .fetch_optional(&mut *transaction)
                .await?
                .is_some();
            return Err(if exists {
                StoreError::LastAdmin
            } else {
                StoreError::NotFound
            });
        }
        insert_audit(
            &mut transaction,
            now(),
            audit.actor,
            audit.action,
            audit.target,
            audit.detail,
            "",
        )
        .await?;
        if status != UserStatus::Active {
            sqlx::query("DELETE FROM sessions WHERE user_id = $1")
                .bind(id)
                .execute(&mut *transaction)
                .await?;
        }
        let committed = transaction.commit().await;
        self.sessions.forget_user(id);
        committed?;
        self.user(id).await
    }

    /// Removes a pending account (a rejected sign-up); active accounts are disabled instead.
    pub async fn delete_pending_user(&self, id: i64) -> Result<(), StoreError> {
        let mut transaction = self.writer.begin().await?;
        sqlx::query("DELETE FROM sessions WHERE user_id = $1")
            .bind(id)
            .execute(&mut *transaction)
            .await?;
        let deleted = sqlx::query("DELETE FROM users WHERE id = $1 AND status = 'pending'")
            .bind(id)
            .execute(&mut *transaction)
            .await?;
        if deleted.rows_affected() == 0 {
            return Err(StoreError::Refused(
                "only a pending sign-up can be rejected; disable an active account instead"
                    .to_string(),
            ));
        }
        let committed = transaction.commit().await;
        self.sessions.forget_user(id);
        committed?;
        Ok(())
    }

    /// How many active admins there are (the last one may not be demoted or disabled).
    pub async fn active_admins(&self) -> Result<i64, StoreError> {
        let row = sqlx::query(
            "SELECT COUNT(*) AS admins FROM users WHERE role = 'admin' AND status = 'active'",
        )
        .fetch_one(&self.pool)
        .await?;
        Ok(row.get("admins"))
    }

    /// Appends to the audit log.
    pub async fn audit(
        &self,
        actor: Option<&User>,
        actor_name: &str,
        action: &str,
        target: &str,
        detail: &str,
        design_hash: &str,
    ) -> Result<(), StoreError> {
        sqlx::query(INSERT_AUDIT)
            .bind(now())
            .bind(actor.map(|user| user.id))
            .bind(actor.map_or(actor_name, |user| user.name.as_str()))
            .bind(action)
            .bind(target)
            .bind(detail)
            .bind(design_hash)
            .execute(&self.writer)
            .await?;
        Ok(())
    }

    /// Appends to the audit log what a signed-in user did.
    pub async fn audit_user(
        &self,
        user: &User,
        action: &str,
        target: &str,
        detail: &str,
        design_hash: &str,
    ) -> Result<(), StoreError> {
        self.audit(Some(user), &user.name, action, target, detail, design_hash)
            .await
    }

    /// The newest audit entries first.
    pub async fn audit_entries(&self, limit: i64) -> Result<Vec<AuditEntry>, StoreError> {
        let rows = sqlx::query(
            "SELECT id, at, actor_name, action, target, detail, design_hash FROM audit_log ORDER BY id DESC LIMIT $1",
        )
        .bind(limit)
        .fetch_all(&self.pool)
        .await?;
        Ok(rows
            .iter()
            .map(|row| AuditEntry {
                id: row.get("id"),
                at: row.get("at"),
                actor: row.get("actor_name"),
                action: row.get("action"),
                target: row.get("target"),
                detail: row.get("detail"),
                design_hash: row.get("design_hash"),
            })
            .collect())
    }

    /// Reserves one sign-in attempt for `account` from `address`, or says how long to wait.
    ///
    /// The attempt is written as a failure *before* the password is checked, in the same
    /// transaction that counts the earlier ones (PostgreSQL: under advisory locks on the pair
    /// and the address; SQLite: the INSERT takes the one write lock first), so concurrent
    /// guesses cannot pass the limit. A successful sign-in then calls [`Self::sign_in_succeeded`].
    pub async fn reserve_sign_in(
        &self,
        account: &str,
        address: &str,
        policy: &crate::auth::ThrottlePolicy,
    ) -> Result<SignInGate, StoreError> {
        let at = now();
        let pair = format!("{account}\u{1f}{address}");
        let attempt = crate::auth::new_token();
        let mut transaction = self.writer.begin().await?;
        if self.backend == Backend::Postgres {
            for key in [&pair, &format!("address\u{1f}{address}")] {
                sqlx::query("SELECT pg_advisory_xact_lock(hashtext($1))")
                    .bind(key.as_str())
                    .execute(&mut *transaction)
                    .await?;
            }
        }
        for (scope, subject) in [("pair", pair.as_str()), ("address", address)] {
            sqlx::query(
                "INSERT INTO login_failures (scope, subject, at, attempt, account) VALUES ($1, $2, $3, $4, $5)",
            )
            .bind(scope)
            .bind(subject)
            .bind(at)
            .bind(attempt.as_str())
            .bind(account)
            .execute(&mut *transaction)
            .await?;
        }
        let since = at - 3600;
        let pair_row = sqlx::query(
            "SELECT COUNT(*) AS earlier, COALESCE(MAX(at), 0) AS last FROM login_failures WHERE scope = 'pair' AND subject = $1 AND at >= $2 AND attempt <> $3",
        )
        .bind(pair.as_str())
        .bind(since)
        .bind(attempt.as_str())
        .fetch_one(&mut *transaction)
        .await?;
        let address_row = sqlx::query(
            "SELECT COUNT(*) AS earlier FROM login_failures WHERE scope = 'address' AND subject = $1 AND at >= $2 AND attempt <> $3",
        )
        .bind(address)
        .bind(since)
        .bind(attempt.as_str())
        .fetch_one(&mut *transaction)
        .await?;
        let wait = policy.wait(
            pair_row.get("earlier"),
            pair_row.get("last"),
            address_row.get("earlier"),
            at,
        );
        if let Some(seconds) = wait {
            transaction.rollback().await?;
            return Ok(SignInGate::Wait { seconds });
        }
        // Old entries are never needed again.
        sqlx::query("DELETE FROM login_failures WHERE at < $1")
            .bind(at - 2 * 3600)
            .execute(&mut *transaction)
            .await?;
        transaction.commit().await?;
        Ok(SignInGate::Open { attempt })
    }

    /// A reserved attempt signed in: its rows go, and so do the pair's earlier failures (the
    /// client knows the password).
    pub async fn sign_in_succeeded(
        &self,
        account: &str,
        address: &str,
        attempt: &str,
    ) -> Result<(), StoreError> {
        let pair = format!("{account}\u{1f}{address}");
        sqlx::query(
            "DELETE FROM login_failures WHERE attempt = $1 OR (scope = 'pair' AND subject = $2)",
        )
        .bind(attempt)
        .bind(pair.as_str())
        .execute(&self.writer)
        .await?;
        Ok(())
    }

    /// An admin's unlock: every recorded failure of one account, from every client, goes.
    pub async fn clear_sign_in_failures(&self, account: &str) -> Result<u64, StoreError> {
        let deleted =
            sqlx::query("DELETE FROM login_failures WHERE scope = 'pair' AND account = $1")
                .bind(account)
                .execute(&self.writer)
                .await?;
        Ok(deleted.rows_affected())
    }

    /// Records one rate-limited event against a scope and subject (sign-ups per client).
    pub async fn record_rate_event(&self, scope: &str, subject: &str) -> Result<(), StoreError> {
        sqlx::query("INSERT INTO login_failures (scope, subject, at) VALUES ($1, $2, $3)")
            .bind(scope)
            .bind(subject)
            .bind(now())
            .execute(&self.writer)
            .await?;
        Ok(())
    }

    /// Rate-limited events of a scope and subject since `since`.
    pub async fn rate_events_since(
        &self,
        scope: &str,
        subject: &str,
        since: i64,
    ) -> Result<i64, StoreError> {
        let row = sqlx::query(
            "SELECT COUNT(*) AS events FROM login_failures WHERE scope = $1 AND subject = $2 AND at >= $3",
        )
        .bind(scope)
        .bind(subject)
        .bind(since)
        .fetch_one(&self.pool)
        .await?;
        Ok(row.get("events"))
    }

    /// How many accounts wait for an admin's approval.
    pub async fn pending_users(&self) -> Result<i64, StoreError> {
        let row = sqlx::query("SELECT COUNT(*) AS pending FROM users WHERE status = 'pending'")
            .fetch_one(&self.pool)
            .await?;
        Ok(row.get("pending"))
    }

    /// Starts a deployment row; refused while another deployment of the design runs.
    #[allow(clippy::too_many_arguments)]
    pub async fn create_deployment(
        &self,
        id: &str,
        design_id: &str,
        design_revision: i64,
        user_id: i64,
        status: DeploymentStatus,
        plan_hash: &str,
        lease: Option<&Lease>,
    ) -> Result<(), StoreError> {
        let at = now();
        let inserted = sqlx::query(
            "INSERT INTO deployments (id, design_id, design_revision, status, requested_by, created_at, updated_at, plan_hash, lease_owner, lease_expires_ms)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
        )
        .bind(id)
        .bind(design_id)
        .bind(design_revision)
        .bind(status.as_str())
        .bind(user_id)
        .bind(at)
        .bind(at)
        .bind(plan_hash)
        .bind(lease.map(|lease| lease.owner.clone()))
        .bind(lease.map(Lease::expires_from_now))
        .execute(&self.writer)
        .await;
        match inserted {
            Ok(_) => Ok(()),
            Err(sqlx::Error::Database(error)) if error.is_unique_violation() => {
                Err(StoreError::DeploymentRunning)
            }
            Err(error) => Err(error.into()),
        }
    }

    /// A waiting deployment starts running, approved by `approver`. Refused if it no longer
    /// waits, or (by the unique index) while another deployment of the design runs.
    pub async fn approve_deployment(
        &self,
        id: &str,
        approver: i64,
        lease: &Lease,
    ) -> Result<(), StoreError> {
        let updated = sqlx::query(
            "UPDATE deployments SET status = 'running', approved_by = $1, updated_at = $2, lease_owner = $4, lease_expires_ms = $5
             WHERE id = $3 AND status = 'awaiting_approval'",
        )
        .bind(approver)
        .bind(now())
        .bind(id)
        .bind(lease.owner.clone())
        .bind(lease.expires_from_now())
        .execute(&self.writer)
        .await;
        match updated {
            Ok(done) if done.rows_affected() == 1 => Ok(()),
            Ok(_) => Err(StoreError::Refused(
                "this deployment no longer waits for approval".to_string(),
            )),
            Err(sqlx::Error::Database(error)) if error.is_unique_violation() => {
                Err(StoreError::DeploymentRunning)
            }
            Err(error) => Err(error.into()),
        }
    }

    pub async fn finish_deployment(
        &self,
        id: &str,
        status: DeploymentStatus,
        message: &str,
    ) -> Result<(), StoreError> {
        sqlx::query(
            "UPDATE deployments SET status = $1, message = $2, updated_at = $3 WHERE id = $4",
        )
        .bind(status.as_str())
        .bind(message)
        .bind(now())
        .bind(id)
        .execute(&self.writer)
        .await?;
        Ok(())
    }

    pub async fn record_resource(
        &self,
        deployment_id: &str,
        logical_id: &str,
        kind: &str,
        aws_id: &str,
    ) -> Result<(), StoreError> {
        sqlx::query(
            "INSERT INTO deployment_resources (deployment_id, logical_id, kind, aws_id, created_at) VALUES ($1, $2, $3, $4, $5)
             ON CONFLICT (deployment_id, logical_id) DO UPDATE SET kind = excluded.kind, aws_id = excluded.aws_id",
        )
        .bind(deployment_id)
        .bind(logical_id)
        .bind(kind)
        .bind(aws_id)
        .bind(now())
        .execute(&self.writer)
        .await?;
        Ok(())
    }

    pub async fn deployment(&self, id: &str) -> Result<DeploymentRecord, StoreError> {
        let row = sqlx::query(
            "SELECT id, design_id, design_revision, status, requested_by, approved_by, plan_hash, message, operation, created_at, updated_at FROM deployments WHERE id = $1",
        )
        .bind(id)
        .fetch_optional(&self.pool)
        .await?
        .ok_or(StoreError::NotFound)?;
        let resources = sqlx::query(
            "SELECT logical_id, kind, aws_id FROM deployment_resources WHERE deployment_id = $1 ORDER BY created_at, logical_id",
        )
        .bind(id)
        .fetch_all(&self.pool)
        .await?
        .iter()
        .map(|row| DeployedResource { logical_id: row.get("logical_id"), kind: row.get("kind"), aws_id: row.get("aws_id") })
        .collect();
        Ok(DeploymentRecord {
            id: row.get("id"),
            design_id: row.get("design_id"),
            design_revision: row.get("design_revision"),
            status: DeploymentStatus::parse(&row.get::<String, _>("status")).ok_or_else(|| {
                StoreError::Corrupt(format!("deployment {id} has an unknown status"))
            })?,
            requested_by: row.get("requested_by"),
            approved_by: row.get("approved_by"),
            plan_hash: row.get("plan_hash"),
            message: row.get("message"),
            operation: DeploymentOperation::parse(&row.get::<String, _>("operation")).ok_or_else(
                || StoreError::Corrupt(format!("deployment {id} has an unknown operation")),
            )?,
            created_at: row.get("created_at"),
            updated_at: row.get("updated_at"),
            resources,
        })
    }

    /// Deployments in one status, newest first, with who asked (the approval queue).
    pub async fn deployments_with_status(
        &self,
        status: DeploymentStatus,
    ) -> Result<Vec<DeploymentSummary>, StoreError> {
        let rows = sqlx::query(
            "SELECT deployments.id, deployments.design_id, deployments.design_revision, users.name AS requested_by, deployments.created_at
             FROM deployments JOIN users ON users.id = deployments.requested_by
             WHERE deployments.status = $1 ORDER BY deployments.created_at DESC, deployments.id",
        )
        .bind(status.as_str())
        .fetch_all(&self.pool)
        .await?;
        Ok(rows
            .iter()
            .map(|row| DeploymentSummary {
                id: row.get("id"),
                design_id: row.get("design_id"),
                design_revision: row.get("design_revision"),
                requested_by: row.get("requested_by"),
                created_at: row.get("created_at"),
            })
            .collect())
    }

    /// Appends a journal entry (a progress event as JSON) to a deployment.
    /// Appends a journal entry, naming the server that wrote it.
    pub async fn record_event(
        &self,
        deployment_id: &str,
        event: &str,
        server_id: &str,
    ) -> Result<(), StoreError> {
        sqlx::query(
            "INSERT INTO deployment_events (deployment_id, event, created_at, server_id) VALUES ($1, $2, $3, $4)",
        )
        .bind(deployment_id)
        .bind(event)
        .bind(now())
        .bind(server_id)
        .execute(&self.writer)
        .await?;
        Ok(())
    }

    /// A deployment's journal entries after `after` (their ids and JSON), oldest first.
    pub async fn events_since(
        &self,
        deployment_id: &str,
        after: i64,
    ) -> Result<Vec<(i64, String)>, StoreError> {
        let rows = sqlx::query(
            "SELECT id, event FROM deployment_events WHERE deployment_id = $1 AND id > $2 ORDER BY id",
        )
        .bind(deployment_id)
        .bind(after)
        .fetch_all(&self.pool)
        .await?;
        Ok(rows
            .iter()
            .map(|row| (row.get("id"), row.get("event")))
            .collect())
    }

    /// Sets what a deployment does: `apply` (the default) or `destroy`.
    pub async fn set_deployment_operation(
        &self,
        id: &str,
        operation: DeploymentOperation,
    ) -> Result<(), StoreError> {
        sqlx::query("UPDATE deployments SET operation = $1 WHERE id = $2")
            .bind(operation.as_str())
            .bind(id)
            .execute(&self.writer)
            .await?;
        Ok(())
    }

    /// Claims the running deployments no live server holds: those whose lease expired (a
    /// server that died or lost touch; `takeover` true) and those released by a server that
    /// stopped, or left by a server older than leases (`takeover` false). One conditional
    /// UPDATE each, so of several servers claiming at once exactly one gets each deployment
    /// (PostgreSQL re-checks the condition on the row it waited for; SQLite has one writer).
    pub async fn claim_unleased_deployments(
        &self,
        lease: &Lease,
    ) -> Result<Vec<ClaimedDeployment>, StoreError> {
        let mut claimed = Vec::new();
        for (condition, takeover) in [
            ("lease_owner IS NOT NULL AND lease_expires_ms < $3", true),
            ("lease_owner IS NULL", false),
        ] {
            let rows = sqlx::query(&format!(
                "UPDATE deployments SET lease_owner = $1, lease_expires_ms = $2, takeovers = takeovers + {}
                 WHERE status = 'running' AND {condition} RETURNING id, operation",
                if takeover { 1 } else { 0 }
            ))
            .bind(lease.owner.clone())
            .bind(lease.expires_from_now())
            .bind(now_milliseconds())
            .fetch_all(&self.writer)
            .await?;
            for row in rows {
                let id: String = row.get("id");
                let operation = DeploymentOperation::parse(&row.get::<String, _>("operation"))
                    .ok_or_else(|| {
                        StoreError::Corrupt(format!("deployment {id} has an unknown operation"))
                    })?;
                claimed.push(ClaimedDeployment {
                    id,
                    operation,
                    takeover,
                });
            }
        }
        Ok(claimed)
    }

    /// Renews the lease `lease.owner` holds on a running deployment; false when it holds it
    /// no more (it expired, another server took it, or the deployment ended): the caller must
    /// stop before its next AWS call.
    pub async fn renew_lease(
        &self,
        deployment_id: &str,
        lease: &Lease,
    ) -> Result<bool, StoreError> {
        let renewed = sqlx::query(
            "UPDATE deployments SET lease_expires_ms = $1
             WHERE id = $2 AND lease_owner = $3 AND status = 'running' AND lease_expires_ms >= $4",
        )
        .bind(lease.expires_from_now())
        .bind(deployment_id)
        .bind(lease.owner.clone())
        .bind(now_milliseconds())
        .execute(&self.writer)
        .await?;
        Ok(renewed.rows_affected() == 1)
    }

    /// Gives up the leases a stopping server holds (or one of them), so another server takes
    /// the deployments over at once instead of waiting for them to expire. How many.
    pub async fn release_leases(
        &self,
        owner: &str,
        deployment_id: Option<&str>,
    ) -> Result<u64, StoreError> {
        let released = match deployment_id {
            Some(id) => {
                sqlx::query(
                    "UPDATE deployments SET lease_owner = NULL, lease_expires_ms = NULL
                     WHERE lease_owner = $1 AND status = 'running' AND id = $2",
                )
                .bind(owner.to_string())
                .bind(id.to_string())
                .execute(&self.writer)
                .await?
            }
            None => {
                sqlx::query(
                    "UPDATE deployments SET lease_owner = NULL, lease_expires_ms = NULL
                     WHERE lease_owner = $1 AND status = 'running'",
                )
                .bind(owner.to_string())
                .execute(&self.writer)
                .await?
            }
        };
        Ok(released.rows_affected())
    }

    /// Records how a deployment ended, only if `owner` still holds its lease (a server that
    /// lost it never writes over the one that took it over). Whether it was recorded.
    pub async fn finish_leased_deployment(
        &self,
        id: &str,
        owner: &str,
        status: DeploymentStatus,
        message: &str,
    ) -> Result<bool, StoreError> {
        let finished = sqlx::query(
            "UPDATE deployments SET status = $1, message = $2, updated_at = $3, lease_owner = NULL, lease_expires_ms = NULL
             WHERE id = $4 AND lease_owner = $5 AND status = 'running'",
        )
        .bind(status.as_str())
        .bind(message)
        .bind(now())
        .bind(id)
        .bind(owner.to_string())
        .execute(&self.writer)
        .await?;
        Ok(finished.rows_affected() == 1)
    }

    /// The server that wrote each journal entry of a deployment, oldest first.
    pub async fn journal_servers(&self, deployment_id: &str) -> Result<Vec<String>, StoreError> {
        let rows = sqlx::query(
            "SELECT server_id FROM deployment_events WHERE deployment_id = $1 ORDER BY id",
        )
        .bind(deployment_id)
        .fetch_all(&self.pool)
        .await?;
        Ok(rows
            .iter()
            .map(|row| {
                row.get::<Option<String>, _>("server_id")
                    .unwrap_or_default()
            })
            .collect())
    }

    /// Who holds a deployment's lease now, and how many times it was taken over.
    pub async fn lease_of(&self, deployment_id: &str) -> Result<(Option<String>, i64), StoreError> {
        let row = sqlx::query("SELECT lease_owner, takeovers FROM deployments WHERE id = $1")
            .bind(deployment_id)
            .fetch_optional(&self.pool)
            .await?
            .ok_or(StoreError::NotFound)?;
        Ok((row.get("lease_owner"), row.get("takeovers")))
    }

    /// Whether a deployment of the design is running now.
    pub async fn running_deployment(&self, design_id: &str) -> Result<Option<String>, StoreError> {
        let row = sqlx::query(
            "SELECT id FROM deployments WHERE design_id = $1 AND status = 'running' LIMIT 1",
        )
        .bind(design_id)
        .fetch_optional(&self.pool)
        .await?;
        Ok(row.map(|row| row.get("id")))
    }
}

/// A revision row to write.
struct NewRevision<'a> {
    design_id: &'a str,
    revision: i64,
    document: &'a str,
    hash: &'a str,
    saved_by: &'a User,
    at: i64,
    restored_from: Option<i64>,
}

async fn insert_revision(
    transaction: &mut sqlx::Transaction<'_, sqlx::Any>,
    revision: &NewRevision<'_>,
) -> Result<(), StoreError> {
    sqlx::query(
        "INSERT INTO design_revisions (design_id, revision, document, document_hash, saved_by, saved_at, restored_from)
         VALUES ($1, $2, $3, $4, $5, $6, $7)",
    )
    .bind(revision.design_id)
    .bind(revision.revision)
    .bind(revision.document)
    .bind(revision.hash)
    .bind(revision.saved_by.id)
    .bind(revision.at)
    .bind(revision.restored_from)
    .execute(&mut **transaction)
    .await?;
    Ok(())
}

/// One audit row: at, actor id, actor name, action, target, detail, design hash.
const INSERT_AUDIT: &str = "INSERT INTO audit_log (at, actor_id, actor_name, action, target, detail, design_hash) VALUES ($1, $2, $3, $4, $5, $6, $7)";

/// An audit row inside a change's own transaction.
async fn insert_audit(
    transaction: &mut sqlx::Transaction<'_, sqlx::Any>,
    at: i64,
    actor: &User,
    action: &str,
    target: &str,
    detail: &str,
    design_hash: &str,
) -> Result<(), StoreError> {
    sqlx::query(INSERT_AUDIT)
        .bind(at)
        .bind(actor.id)
        .bind(actor.name.as_str())
        .bind(action)
        .bind(target)
        .bind(detail)
        .bind(design_hash)
        .execute(&mut **transaction)
        .await?;
    Ok(())
}

fn user_from_row(row: &AnyRow) -> User {
    User {
        id: row.get("id"),
        name: row.get("name"),
        role: Role::parse(&row.get::<String, _>("role")).unwrap_or(Role::Viewer),
        status: UserStatus::parse(&row.get::<String, _>("status")).unwrap_or(UserStatus::Disabled),
    }
}

/// A design with its creator, the saver of its latest revision and its latest deployment (the
/// newest by creation), for one `WHERE` to follow.
const DESIGN_LISTING: &str = "SELECT d.id, d.name, d.revision, d.updated_at,
        creator.name AS created_by, saver.name AS saved_by,
        dep.id AS deployment_id, dep.status AS deployment_status,
        dep.operation AS deployment_operation, dep.design_revision AS deployment_revision,
        dep.updated_at AS deployment_updated_at
     FROM designs d
     JOIN users creator ON creator.id = d.created_by
     JOIN design_revisions r ON r.design_id = d.id AND r.revision = d.revision
     JOIN users saver ON saver.id = r.saved_by
     LEFT JOIN deployments dep ON dep.id = (
         SELECT latest.id FROM deployments latest WHERE latest.design_id = d.id
         ORDER BY latest.created_at DESC, latest.updated_at DESC, latest.id DESC LIMIT 1)";

fn design_listing(row: &AnyRow) -> Result<DesignListing, StoreError> {
    let id: String = row.get("id");
    let deployment = match row.get::<Option<String>, _>("deployment_id") {
        None => None,
        Some(deployment_id) => Some(DeploymentState {
            status: DeploymentStatus::parse(&row.get::<String, _>("deployment_status"))
                .ok_or_else(|| {
                    StoreError::Corrupt(format!("deployment {deployment_id} has an unknown status"))
                })?,
            operation: DeploymentOperation::parse(&row.get::<String, _>("deployment_operation"))
                .ok_or_else(|| {
                    StoreError::Corrupt(format!(
                        "deployment {deployment_id} has an unknown operation"
                    ))
                })?,
            design_revision: row.get("deployment_revision"),
            updated_at: row.get("deployment_updated_at"),
            id: deployment_id,
        }),
    };
    Ok(DesignListing {
        name: row.get("name"),
        revision: row.get("revision"),
        updated_at: row.get("updated_at"),
        created_by: row.get("created_by"),
        saved_by: row.get("saved_by"),
        deployment,
        id,
    })
}

/// Text for a `LIKE … ESCAPE '\'` pattern that matches it literally (`%`, `_` and `\` are
/// escaped), so a search is never a pattern of the searcher's.
fn like_escaped(text: &str) -> String {
    let mut escaped = String::with_capacity(text.len());
    for character in text.chars() {
        if matches!(character, '%' | '_' | '\\') {
            escaped.push('\\');
        }
        escaped.push(character);
    }
    escaped
}
