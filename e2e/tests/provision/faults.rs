//! Safety under faults and crashes: the applier converges with no duplicate and no orphan
//! when the layer between the SDK and moto throttles, fails, drops connections (before and
//! after moto carried the call out), answers too late, reports fresh ids as not found and
//! refuses deletes; and when it is killed after any step and run again.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use backend::aws::BoxFuture;
use backend::provision::{self, Journal, JournalError, MemoryJournal, Owner, Phase, ProgressEvent};
use shared::plan::desired_resources;

use crate::account;
use crate::{Harness, template};

/// Applies, checks and destroys `name` with faults at `rate`; answers the faults injected.
async fn converge_under_faults(harness: &Harness, name: &str, run: u64, rate: f64) -> usize {
    let design = template(name);
    let design_id = format!("d-faults-{name}-{run}");
    let before = harness.layer.counts().total_injected();
    harness.layer.configure(|settings| settings.rate = rate);
    // Faults can outlast one run's retries; a re-apply converges from where it stopped.
    let mut report = harness.apply(&design_id, Some(&design), "dep-a").await;
    let mut runs = 1;
    while !report.succeeded() && runs < 3 {
        report = harness.apply(&design_id, Some(&design), "dep-a").await;
        runs += 1;
    }
    assert!(report.succeeded(), "{name}: {}", report.summary());
    let injected = harness.layer.counts().total_injected() - before;
    let account = account::read(&harness.checker(), &harness.layer, &design_id).await;
    assert!(
        account.duplicates().is_empty(),
        "{name}: duplicates {:?}",
        account.duplicates()
    );
    assert!(
        account.orphans(Some(&design)).is_empty(),
        "{name}: orphans {:?}",
        account.orphans(Some(&design))
    );
    let expected = account::expected(&design);
    assert_eq!(
        account.lines,
        expected,
        "{}",
        account::difference(&expected, &account.lines)
    );
    assert!(
        harness.plan(&design_id, Some(&design)).await.is_empty(),
        "{name}: not converged"
    );

    // Destroy under faults too.
    harness.layer.configure(|settings| settings.rate = rate);
    let mut report = harness.apply(&design_id, None, "dep-b").await;
    let mut runs = 1;
    while !report.succeeded() && runs < 3 {
        report = harness.apply(&design_id, None, "dep-b").await;
        runs += 1;
    }
    assert!(report.succeeded(), "{name} destroy: {}", report.summary());
    let injected_total = harness.layer.counts().total_injected() - before;
    let account = account::read(&harness.checker(), &harness.layer, &design_id).await;
    assert!(
        account.tagged.is_empty(),
        "{name}: left behind {:?}",
        account.tagged
    );
    assert!(injected > 0);
    injected_total
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_template_converges_under_injected_faults_with_no_duplicate_and_no_orphan() {
    let harness = Harness::start(20261125)
        .await
        .expect("moto and the fault layer");
    let mut injected = 0;
    let mut cycles = 0;
    for run in 0..2 {
        for name in [
            "mvp",
            "tabular-vpn",
            "multimodal-endpoints",
            "llm-training-efa",
        ] {
            injected += converge_under_faults(&harness, name, run, 0.3).await;
            cycles += 1;
        }
    }
    let counts = harness.layer.counts();
    eprintln!(
        "fault runs: {cycles} apply+destroy cycles, {} calls, {injected} faults injected: {:?}; duplicates 0, orphans 0, converged {cycles}/{cycles}",
        counts.calls, counts.injected
    );
    assert!(injected >= 200, "only {injected} faults injected");
    // Every kind of fault was exercised.
    for fault in [
        "Throttle",
        "ServerError",
        "Unavailable",
        "DropBeforeCall",
        "DropAfterCall",
        "SlowAnswer",
        "NotFoundAfterCreate",
        "DependencyViolation",
    ] {
        assert!(
            counts.injected.get(fault).copied().unwrap_or(0) > 0,
            "{fault} never injected"
        );
    }
}

/// A journal that signals once `k` steps are done: the test then kills the applier.
struct KillAfter {
    done: AtomicUsize,
    k: usize,
    signal: tokio::sync::Notify,
}

impl Journal for KillAfter {
    fn record<'a>(&'a self, event: &'a ProgressEvent) -> BoxFuture<'a, Result<(), JournalError>> {
        Box::pin(async move {
            if matches!(event.phase, Phase::Done { .. })
                && self.done.fetch_add(1, Ordering::SeqCst) + 1 == self.k
            {
                self.signal.notify_one();
            }
            Ok(())
        })
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn killing_the_applier_after_any_step_then_applying_again_converges() {
    let harness = Harness::start(99).await.expect("moto and the fault layer");
    let name = "multimodal-endpoints";
    let design = template(name);
    let steps = desired_resources(&design).len();
    for k in 1..steps {
        let design_id = format!("d-crash-{k}");
        let desired = desired_resources(&design);
        let (plan, observed) = provision::plan_against_account(
            harness.network.as_ref(),
            "us-east-1",
            &design_id,
            &desired,
            &Harness::options(),
        )
        .await
        .unwrap();
        let journal = Arc::new(KillAfter {
            done: AtomicUsize::new(0),
            k,
            signal: tokio::sync::Notify::new(),
        });
        let run = provision::apply(
            harness.network.clone(),
            journal.clone(),
            "us-east-1",
            Owner {
                design_id: design_id.clone(),
                deployment_id: "dep-killed".into(),
            },
            &plan,
            &observed,
            Harness::options(),
        );
        // The kill: the applier and every call in flight are dropped mid-run. The last steps
        // run side by side, so step k's end and the run's may land in one poll: then the kill
        // point was reached as the run ended (nothing is left to cut), which is no failure.
        let ended_with_the_kill = tokio::select! {
            biased;
            _ = journal.signal.notified() => false,
            report = run => {
                assert!(
                    journal.done.load(Ordering::SeqCst) >= k,
                    "k={k}: the run ended before its kill: {}",
                    report.summary()
                );
                true
            }
        };
        let partial = account::read(&harness.checker(), &harness.layer, &design_id).await;
        assert!(
            ended_with_the_kill || partial.tagged.len() < steps,
            "k={k}: nothing was left to do"
        );
        // Restart: plan again from the account and apply.
        let report = harness
            .apply(&design_id, Some(&design), "dep-resumed")
            .await;
        assert!(report.succeeded(), "k={k}: {}", report.summary());
        let account = account::read(&harness.checker(), &harness.layer, &design_id).await;
        assert!(
            account.duplicates().is_empty(),
            "k={k}: {:?}",
            account.duplicates()
        );
        assert!(account.orphans(Some(&design)).is_empty(), "k={k}");
        let expected = account::expected(&design);
        assert_eq!(
            account.lines,
            expected,
            "k={k}: {}",
            account::difference(&expected, &account.lines)
        );
        assert!(
            harness.plan(&design_id, Some(&design)).await.is_empty(),
            "k={k}"
        );
        let destroyed = harness.apply(&design_id, None, "dep-destroy").await;
        assert!(destroyed.succeeded(), "k={k}: {}", destroyed.summary());
    }
    let _ = MemoryJournal::default();
    eprintln!(
        "crash test: killed after each of steps 1..{} of {name}; duplicates 0, orphans 0, converged 100 %",
        steps - 1
    );
}
