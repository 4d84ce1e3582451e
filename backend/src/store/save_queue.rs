//! Design saves on SQLite, written by one thread of their own in batches.
//!
//! SQLite has one writer at a time, so the store's writes share one connection. A save handed
//! to that connection from the server's async workers holds it while those workers, busy
//! reading and checking other requests' documents, get round to each next step of the save:
//! measured, the connection then sat idle most of the time it was held, and saves stopped
//! near 1,000/s with both cores a third idle. Here every save goes into a queue that one
//! thread drains: it takes the connection once for all the saves waiting (at most
//! [`MOST_SAVES_PER_BATCH`]), writes them all with one statement (a row each of the
//! `design_saves` view, whose trigger of migration 0007 writes each save), which SQLite
//! commits by itself, and answers each. Each save is still all or nothing and still checked
//! against its base revision: if one is stale the statement writes nothing, and the batch is
//! written again a statement per save in one transaction, where the stale one fails its own
//! statement (SQLite undoes that statement only) and the batch goes on.
//!
//! The write-ahead log is copied back into the database file (checkpointed) in two steps, so
//! the writer's turn never holds more than a few milliseconds of copying:
//! - a task of the same thread checkpoints passively on a reading connection, off the
//!   writer's turn, after saves at most every 25 ms (and once a second without saves): it
//!   copies what no reader still needs and never waits;
//! - once the log holds 4 MiB after such a checkpoint, the writer checkpoints between two
//!   batches: only the saves written since the task's checkpoint are left to copy, and with
//!   the whole log copied, its next commit starts the log over, so the log stays near 4 MiB.
//!
//! Only a checkpoint between the writer's commits can copy a log the writer keeps growing to
//! its end, and SQLite starts the log over only after that: with no checkpoint on the writer,
//! saves at 1,000/s grew the log by 75 MB a second without end. The writer's own checkpoint,
//! inside the commit that fills the log past 64 MiB (the store opens it so), stays as the
//! bound. Measured, saves offered at 2,000/s (p99): SQLite's default alone (1,000 pages on
//! the writer) 121-194 ms; the task every 8 MiB of saves with the writer's own at 64 MiB
//! 38-68 ms (a stall of 20-120 ms each time the log reached 64 MiB); the two steps 11-25 ms.
//!
//! Invariant: an answer is sent only after the commit that holds the save; a failed commit
//! fails every save of its batch.

use std::sync::atomic::{AtomicBool, Ordering};

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
                    let saved = std::sync::Arc::new(tokio::sync::Notify::new());
                    let writer_to_finish = std::sync::Arc::new(AtomicBool::new(false));
                    tokio::spawn(checkpoint_the_log(
                        readers,
                        saved.clone(),
                        writer_to_finish.clone(),
                    ));
                    while let Some(first) = queue.recv().await {
                        let mut batch = vec![first];
                        while batch.len() < MOST_SAVES_PER_BATCH {
                            match queue.try_recv() {
                                Ok(job) => batch.push(job),
                                Err(_) => break,
                            }
                        }
                        write_batch(&writer, batch).await;
                        saved.notify_one();
                        if writer_to_finish.swap(false, Ordering::Relaxed) {
                            finish_the_checkpoint(&writer).await;
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

/// The least time between two of the task's checkpoints while saves come: each one copies
/// the saves written since the last, and syncs the log and the file to disk.
///
/// Measured (saves offered at 2,000/s, p99, the writer finishing at 256 frames): 10 ms gave
/// 12.5-15.2 ms, 25 ms 11.4-15.2 ms, 50 ms (at 1,024 frames) 22-24 ms. Each checkpoint
/// that copies syncs twice, so of the two that measured alike, the longer is kept.
const CHECKPOINT_INTERVAL: std::time::Duration = std::time::Duration::from_millis(25);

/// How often the log is checkpointed when no save comes (the store's other writes).
const IDLE_CHECKPOINT_INTERVAL: std::time::Duration = std::time::Duration::from_secs(1);

/// Checkpoints the write-ahead log after saves (`saved`), at most once every
/// [`CHECKPOINT_INTERVAL`], and every [`IDLE_CHECKPOINT_INTERVAL`] without saves, passively:
/// it copies what no reader still needs and never waits for the writer or a reader. When the
/// log holds [`WRITER_FINISHES_AFTER_FRAMES`] frames or more after one, it asks the writer to
/// finish it ([`finish_the_checkpoint`]). Ends when the pool is closed.
async fn checkpoint_the_log(
    readers: AnyPool,
    saved: std::sync::Arc<tokio::sync::Notify>,
    writer_to_finish: std::sync::Arc<AtomicBool>,
) {
    loop {
        let _ = tokio::time::timeout(IDLE_CHECKPOINT_INTERVAL, saved.notified()).await;
        if readers.is_closed() {
            return;
        }
        match sqlx::query_as::<_, (i64, i64, i64)>("PRAGMA wal_checkpoint(PASSIVE)")
            .fetch_one(&readers)
            .await
        {
            Ok((_busy, log_frames, _copied_frames)) => {
                if log_frames >= WRITER_FINISHES_AFTER_FRAMES {
                    writer_to_finish.store(true, Ordering::Relaxed);
                }
            }
            Err(error) => {
                tracing::warn!(%error, "the database log could not be checkpointed; will try again")
            }
        }
        tokio::time::sleep(CHECKPOINT_INTERVAL).await;
    }
}

/// How many frames (pages of 16 KiB) the log holds before the writer finishes a checkpoint
/// the task has just made: 4 MiB, some 50 saves of a 100-subnet design (the writer's own
/// threshold, 64 MiB, stays the bound). Measured at 2,000 saves/s (p99, interval 25 ms):
/// 128 frames 19.6 ms, 256 frames 11.4-15.2 ms, 1,024 frames 16.9-20.2 ms.
const WRITER_FINISHES_AFTER_FRAMES: i64 = 256;

/// Checkpoints on the writer, between two of its batches, right after the task's checkpoint
/// copied all but the saves written since: it copies only those, and with the whole log
/// copied the writer's next commit starts the log over. Without it, the writer's own
/// checkpoint came every time the log reached 64 MiB, with up to a second of saves still to
/// copy and sync inside a commit: measured, a stall of 20 to 120 ms every 250 to 500 ms
/// (saves offered at 2,000/s and 1,000/s).
async fn finish_the_checkpoint(writer: &AnyPool) {
    if let Err(error) = sqlx::query("PRAGMA wal_checkpoint(PASSIVE)")
        .execute(writer)
        .await
    {
        tracing::warn!(%error, "the database log could not be checkpointed; will try again");
    }
}

/// A database failure told to each save of a batch (the error itself is not `Clone`).
fn failed(message: &str) -> SaveRefused {
    SaveRefused::Store(StoreError::Database(sqlx::Error::Protocol(format!(
        "the batch of saves failed: {message}"
    ))))
}

/// The columns of a save's row in the `design_saves` view, in the order [`bind_save`] binds.
const SAVE_COLUMNS: &str = "design_id, based_on, name, document, document_hash, saved_by, saver_name, saved_at, restored_from, action, detail";

/// How many values one save binds.
const VALUES_PER_SAVE: usize = 11;

/// The statement that writes `saves` rows of the `design_saves` view: the `design_save`
/// trigger (migration 0007) checks each row's base revision and writes its design row, its
/// revision and its audit row, row after row, all in the one statement.
fn saves_statement_text(saves: usize) -> String {
    let rows: Vec<String> = (0..saves)
        .map(|row| {
            let placeholders: Vec<String> = (1..=VALUES_PER_SAVE)
                .map(|column| format!("${}", row * VALUES_PER_SAVE + column))
                .collect();
            format!("({})", placeholders.join(", "))
        })
        .collect();
    format!(
        "INSERT INTO design_saves ({SAVE_COLUMNS}) VALUES {}",
        rows.join(", ")
    )
}

type SaveQuery<'q> = sqlx::query::Query<'q, sqlx::Any, sqlx::any::AnyArguments<'q>>;

/// Binds one save's values (borrowed: a document is written without another copy).
fn bind_save<'q>(query: SaveQuery<'q>, save: &'q QueuedSave) -> SaveQuery<'q> {
    query
        .bind(save.id.as_str())
        .bind(save.based_on)
        .bind(save.name.as_str())
        .bind(save.document.as_str())
        .bind(save.hash.as_str())
        .bind(save.saver_id)
        .bind(save.saver_name.as_str())
        .bind(save.at)
        .bind(save.restored_from)
        .bind(save.action.as_str())
        .bind(save.detail.as_str())
}

/// One statement that writes every save of `saves`, or none if any is stale.
fn saves_statement<'q>(text: &'q str, saves: &'q [QueuedSave]) -> SaveQuery<'q> {
    saves
        .iter()
        .fold(sqlx::query(text), |query, save| bind_save(query, save))
}

/// Whether a database error is the trigger's refusal of a stale save.
fn is_stale(error: &sqlx::Error) -> bool {
    matches!(error, sqlx::Error::Database(error) if error.message().contains(STALE_REVISION))
}

/// Writes `batch` and answers each save.
async fn write_batch(writer: &AnyPool, batch: Vec<Job>) {
    let (saves, answers): (Vec<QueuedSave>, Vec<_>) = batch.into_iter().unzip();
    let outcomes = write_saves(writer, &saves).await;
    for (answer, outcome) in answers.into_iter().zip(outcomes) {
        let _ = answer.send(outcome);
    }
}

/// Writes `saves`, one outcome per save, in order.
///
/// All of them are one statement, which SQLite commits by itself: one trip to the writer
/// connection's thread for the whole batch (each trip is a wake-up of both threads; measured,
/// thread switches were some 12% of the server's time at 2,000 saves/s with a trip per save).
/// If a save in it is stale, the statement writes nothing, and the saves are written again one
/// statement each in one transaction: the stale one fails alone. Any other failure fails every
/// save of the batch.
async fn write_saves(writer: &AnyPool, saves: &[QueuedSave]) -> Vec<Result<(), SaveRefused>> {
    let text = saves_statement_text(saves.len());
    let written = saves_statement(&text, saves).execute(writer).await;
    match written {
        Ok(_) => saves.iter().map(|_| Ok(())).collect(),
        Err(error) if is_stale(&error) && saves.len() == 1 => vec![Err(SaveRefused::Stale)],
        Err(error) if is_stale(&error) => one_by_one(writer, saves).await,
        Err(error) => {
            let message = error.to_string();
            saves.iter().map(|_| Err(failed(&message))).collect()
        }
    }
}

/// Writes `saves` one statement each in one transaction: a stale save fails alone; any other
/// failure rolls the whole batch back and fails every save of it.
async fn one_by_one(writer: &AnyPool, saves: &[QueuedSave]) -> Vec<Result<(), SaveRefused>> {
    let everything_failed = |message: &str| saves.iter().map(|_| Err(failed(message))).collect();
    let mut transaction = match writer.begin().await {
        Ok(transaction) => transaction,
        Err(error) => return everything_failed(&error.to_string()),
    };
    let one = saves_statement_text(1);
    let mut outcomes = Vec::with_capacity(saves.len());
    for save in saves {
        let written = saves_statement(&one, std::slice::from_ref(save))
            .execute(&mut *transaction)
            .await
            .map(|_| ());
        match written {
            Ok(()) => outcomes.push(Ok(())),
            Err(error) if is_stale(&error) => outcomes.push(Err(SaveRefused::Stale)),
            Err(error) => {
                let _ = transaction.rollback().await;
                return everything_failed(&error.to_string());
            }
        }
    }
    match transaction.commit().await {
        Ok(()) => outcomes,
        Err(error) => everything_failed(&error.to_string()),
    }
}
