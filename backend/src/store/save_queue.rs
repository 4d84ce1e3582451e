//! Design saves on SQLite, written by one thread of their own in batches.
//!
//! SQLite has one writer at a time, so the store's writes share one connection. A save handed
//! to that connection from the server's async workers holds it while those workers, busy
//! reading and checking other requests' documents, get round to each next step of the save:
//! measured, the connection then sat idle most of the time it was held, and saves stopped
//! near 1,000/s with both cores a third idle. Here every save goes into a queue that one
//! thread drains: it takes the connection once for all the saves waiting (at most
//! [`MOST_SAVES_PER_BATCH`]), writes each with its one-statement save (the `design_saves`
//! trigger of migration 0007) inside one transaction, commits once, and answers each (a save
//! alone is its statement, committed by itself). Each save is still all or nothing and still
//! checked against its base revision: a stale one fails its own statement (SQLite undoes that
//! statement only) and the batch goes on.
//!
//! The write-ahead log is copied back into the database file (checkpointed) mostly by a task
//! of the same thread on a reading connection, after every 8 MiB of saves and once a second,
//! passively, off the writer's turn: SQLite's own checkpoint runs inside the commit that fills
//! the log past its threshold, and measured, it took 8% of the server's time inside the
//! writer's turn, delaying every save of that batch. The writer still checkpoints, once the
//! log holds 64 MiB (the store opens it so): only a checkpoint between the writer's commits
//! can copy a log the writer keeps growing to its end, and SQLite starts the log over only
//! after that. Measured with no checkpoint on the writer, saves at 1,000/s grew the log by
//! 75 MB a second without end; with both, it stays near 64 MiB, and the writer's checkpoint
//! finds most of the log copied already. Measured, SQLite's default alone (1,000 pages on
//! the writer) gave saves offered at 2,000/s a p99 of 121-194 ms; the two together 38-68 ms.
//!
//! Invariant: an answer is sent only after the commit that holds the save; a failed commit
//! fails every save of its batch.

use sqlx::AnyPool;
use tokio::sync::{mpsc, oneshot};

use super::StoreError;

/// The most saves one transaction writes.
pub const MOST_SAVES_PER_BATCH: usize = 64;

/// What the `design_save` trigger (migration 0007) says when a save's base revision is stale.
pub(super) const STALE_REVISION: &str =
    "moat: the design is not at the revision the save is based on";

/// One save's row for the `design_saves` view.
#[derive(Debug)]
pub(super) struct QueuedSave {
    pub id: String,
    pub name: String,
    pub document: String,
    pub hash: String,
    pub based_on: i64,
    pub saver_id: i64,
    pub saver_name: String,
    pub at: i64,
    pub restored_from: Option<i64>,
    pub action: String,
    pub detail: String,
}

/// Why a queued save was not written.
#[derive(Debug)]
pub(super) enum SaveRefused {
    /// The design is not at the save's base revision (or does not exist).
    Stale,
    Store(StoreError),
}

type Job = (QueuedSave, oneshot::Sender<Result<(), SaveRefused>>);

/// The queue's sending end; the writing thread (detached) ends when the last clone is dropped.
#[derive(Clone)]
pub(super) struct SaveQueue {
    jobs: mpsc::UnboundedSender<Job>,
}

impl SaveQueue {
    /// Starts the writing thread over `writer` (the store's one writing connection, whose
    /// own checkpoints wait for 64 MiB of log), checkpointing on a connection of `readers`.
    pub fn start(writer: AnyPool, readers: AnyPool) -> Result<SaveQueue, StoreError> {
        let (jobs, mut queue) = mpsc::unbounded_channel::<Job>();
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .map_err(|error| {
                StoreError::Refused(format!("cannot start the save writer: {error}"))
            })?;
        std::thread::Builder::new()
            .name("moat-design-saves".to_string())
            .spawn(move || {
                runtime.block_on(async move {
                    let log_grown = std::sync::Arc::new(tokio::sync::Notify::new());
                    tokio::spawn(checkpoint_the_log(readers, log_grown.clone()));
                    let mut written_since_checkpoint = 0;
                    while let Some(first) = queue.recv().await {
                        let mut batch = vec![first];
                        while batch.len() < MOST_SAVES_PER_BATCH {
                            match queue.try_recv() {
                                Ok(job) => batch.push(job),
                                Err(_) => break,
                            }
                        }
                        written_since_checkpoint += batch
                            .iter()
                            .map(|(save, _)| save.document.len())
                            .sum::<usize>();
                        write_batch(&writer, batch).await;
                        if written_since_checkpoint >= CHECKPOINT_AFTER_BYTES {
                            written_since_checkpoint = 0;
                            log_grown.notify_one();
                        }
                    }
                });
            })
            .map_err(|error| {
                StoreError::Refused(format!("cannot start the save writer: {error}"))
            })?;
        Ok(SaveQueue { jobs })
    }

    /// Queues `save` and waits for its commit.
    pub async fn save(&self, save: QueuedSave) -> Result<(), SaveRefused> {
        let (answer, answered) = oneshot::channel();
        self.jobs
            .send((save, answer))
            .map_err(|_| SaveRefused::Store(StoreError::Refused("the store is closed".into())))?;
        answered.await.unwrap_or_else(|_| {
            Err(SaveRefused::Store(StoreError::Refused(
                "the save writer stopped".into(),
            )))
        })
    }
}

/// How often the log is checkpointed when saves do not ask sooner (the store's other writes).
const CHECKPOINT_INTERVAL: std::time::Duration = std::time::Duration::from_secs(1);

/// How many bytes of documents saved ask for a checkpoint before [`CHECKPOINT_INTERVAL`]:
/// each checkpoint syncs the log and the file to disk, so one after every small batch (saves
/// arriving one at a time) measured costlier than the copying itself.
const CHECKPOINT_AFTER_BYTES: usize = 8 * 1024 * 1024;

/// Checkpoints the write-ahead log when saves have grown it (`log_grown`; notices that come
/// while one runs make one more) and every [`CHECKPOINT_INTERVAL`], passively: it copies
/// what no reader still needs and never waits for the writer or a reader. Ends when the pool
/// is closed.
async fn checkpoint_the_log(readers: AnyPool, log_grown: std::sync::Arc<tokio::sync::Notify>) {
    loop {
        let _ = tokio::time::timeout(CHECKPOINT_INTERVAL, log_grown.notified()).await;
        if readers.is_closed() {
            return;
        }
        if let Err(error) = sqlx::query("PRAGMA wal_checkpoint(PASSIVE)")
            .execute(&readers)
            .await
        {
            tracing::warn!(%error, "the database log could not be checkpointed; will try again");
        }
    }
}

/// A database failure told to each save of a batch (the error itself is not `Clone`).
fn failed(message: &str) -> SaveRefused {
    SaveRefused::Store(StoreError::Database(sqlx::Error::Protocol(format!(
        "the batch of saves failed: {message}"
    ))))
}

/// The one-statement save: the `design_save` trigger (migration 0007) checks the base
/// revision and writes the design row, the revision and the audit row.
fn save_statement(
    save: QueuedSave,
) -> sqlx::query::Query<'static, sqlx::Any, sqlx::any::AnyArguments<'static>> {
    sqlx::query(
        "INSERT INTO design_saves (design_id, based_on, name, document, document_hash, saved_by, saver_name, saved_at, restored_from, action, detail)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)",
    )
    .bind(save.id)
    .bind(save.based_on)
    .bind(save.name)
    .bind(save.document)
    .bind(save.hash)
    .bind(save.saver_id)
    .bind(save.saver_name)
    .bind(save.at)
    .bind(save.restored_from)
    .bind(save.action)
    .bind(save.detail)
}

/// What a save's statement came to: written, stale, or a failure of the database.
fn outcome_of(written: Result<(), sqlx::Error>) -> Result<(), Result<SaveRefused, sqlx::Error>> {
    match written {
        Ok(()) => Ok(()),
        Err(sqlx::Error::Database(error)) if error.message().contains(STALE_REVISION) => {
            Err(Ok(SaveRefused::Stale))
        }
        Err(error) => Err(Err(error)),
    }
}

/// Writes `batch` and answers each save. A save alone is its one statement, which SQLite
/// commits by itself (a transaction around it would be two more trips to the connection's
/// thread, each a wake-up of both threads, for saves that arrive one at a time). More are
/// written in one transaction: a stale save fails alone; any other failure rolls the whole
/// batch back and fails every save of it.
async fn write_batch(writer: &AnyPool, mut batch: Vec<Job>) {
    if batch.len() == 1
        && let Some((save, answer)) = batch.pop()
    {
        let written = save_statement(save).execute(writer).await.map(|_| ());
        let _ = answer.send(match outcome_of(written) {
            Ok(()) => Ok(()),
            Err(Ok(refused)) => Err(refused),
            Err(Err(error)) => Err(failed(&error.to_string())),
        });
        return;
    }
    let mut transaction = match writer.begin().await {
        Ok(transaction) => transaction,
        Err(error) => {
            let message = error.to_string();
            for (_, answer) in batch {
                let _ = answer.send(Err(failed(&message)));
            }
            return;
        }
    };
    let mut outcomes = Vec::with_capacity(batch.len());
    let mut jobs = batch.into_iter();
    let mut failure = None;
    for (save, answer) in jobs.by_ref() {
        let written = save_statement(save)
            .execute(&mut *transaction)
            .await
            .map(|_| ());
        match outcome_of(written) {
            Ok(()) => outcomes.push((Ok(()), answer)),
            Err(Ok(refused)) => outcomes.push((Err(refused), answer)),
            Err(Err(error)) => {
                outcomes.push((Ok(()), answer));
                failure = Some(error.to_string());
                break;
            }
        }
    }
    let failure = match failure {
        Some(message) => {
            let _ = transaction.rollback().await;
            Some(message)
        }
        None => transaction
            .commit()
            .await
            .err()
            .map(|error| error.to_string()),
    };
    match failure {
        None => {
            for (outcome, answer) in outcomes {
                let _ = answer.send(outcome);
            }
        }
        Some(message) => {
            let unanswered = jobs.map(|(_, answer)| answer);
            for answer in outcomes
                .into_iter()
                .map(|(_, answer)| answer)
                .chain(unanswered)
            {
                let _ = answer.send(Err(failed(&message)));
            }
        }
    }
}
