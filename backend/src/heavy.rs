//! CPU-heavy work (exports, diagrams, PNGs, validation of large bodies, password hashing) off
//! the async workers: each piece runs on tokio's blocking pool, at most [`concurrency`] at
//! once, each within [`WORK_TIME_LIMIT`]. A request that finds every slot taken waits at most
//! [`QUEUE_TIME_LIMIT`] and is then told the server is busy, so health checks, sign-ins and
//! saves keep answering while heavy requests pile up.

use std::sync::OnceLock;
use std::time::Duration;

use tokio::sync::Semaphore;

/// The longest one piece of heavy work may take before its request is answered "timed out".
pub const WORK_TIME_LIMIT: Duration = Duration::from_secs(10);
/// The longest a request waits for a free slot.
pub const QUEUE_TIME_LIMIT: Duration = Duration::from_secs(5);

/// Why heavy work did not give its answer.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum HeavyWorkError {
    #[error("the server is busy with other heavy requests: try again in a moment")]
    Busy,
    #[error("the work took longer than {} s and was given up", WORK_TIME_LIMIT.as_secs())]
    TimedOut,
    #[error("the work failed unexpectedly")]
    Failed,
}

/// How many pieces of heavy work run at once: the cores less one for the async workers, at
/// least one.
pub fn concurrency() -> usize {
    std::thread::available_parallelism()
        .map(|n| n.get().saturating_sub(1))
        .unwrap_or(1)
        .max(1)
}

fn slots() -> &'static Semaphore {
    static SLOTS: OnceLock<Semaphore> = OnceLock::new();
    SLOTS.get_or_init(|| Semaphore::new(concurrency()))
}

/// Runs `work` on the blocking pool within the limits above.
pub async fn run<T: Send + 'static>(
    work: impl FnOnce() -> T + Send + 'static,
) -> Result<T, HeavyWorkError> {
    let permit = tokio::time::timeout(QUEUE_TIME_LIMIT, slots().acquire())
        .await
        .map_err(|_| HeavyWorkError::Busy)?
        .map_err(|_| HeavyWorkError::Failed)?;
    let task = tokio::task::spawn_blocking(move || {
        let answer = work();
        drop(permit);
        answer
    });
    match tokio::time::timeout(WORK_TIME_LIMIT, task).await {
        Ok(Ok(answer)) => Ok(answer),
        Ok(Err(_)) => Err(HeavyWorkError::Failed),
        Err(_) => Err(HeavyWorkError::TimedOut),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn heavy_work_runs_off_the_async_workers_and_answers() {
        let on_worker = std::thread::current().id();
        let (answer, thread) = run(|| (6 * 7, std::thread::current().id())).await.unwrap();
        assert_eq!(answer, 42);
        assert_ne!(thread, on_worker);
    }
}
