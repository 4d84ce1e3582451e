//! The applier: runs a [`Plan`] against the EC2 port as a DAG with bounded parallelism, the
//! longest chains (NAT gateways, interface endpoints, VPN) started first, every call retried
//! with jittered exponential backoff on throttling, server errors, lost answers, `NotFound`
//! right after a create and `DependencyViolation` on a delete.
//!
//! Invariants:
//! - every step is journaled before its call and after it (with the AWS id), so a run cut off
//!   at any point is resumed by planning again from the account: what was created is tagged
//!   at creation and found by the inventory, so nothing is created twice and nothing is lost;
//! - a create is retried as "find by ownership tags, else create" (the port's `retry` flag):
//!   a create whose answer was lost, or whose follow-up call failed, is finished, not
//!   repeated; creates of things inside a resource treat "already exists" as done;
//! - a failed step stops its dependents; independent steps still finish, so a re-apply has
//!   less to do and never more.

use std::collections::BinaryHeap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use serde::Serialize;
use shared::plan::{Action, ObservedResource, Plan, ResourceKey, Step};

use crate::aws::{AwsError, BoxFuture, NetworkApi, OwnershipTags, ResolvedIds};

/// How the applier runs.
#[derive(Debug, Clone)]
pub struct ApplyOptions {
    /// Steps in flight at once.
    pub parallelism: usize,
    /// Attempts per step before it fails.
    pub max_attempts: u32,
    /// The first retry waits up to this long; each further one up to twice as long.
    pub base_delay: Duration,
    pub max_delay: Duration,
}

impl Default for ApplyOptions {
    fn default() -> Self {
        ApplyOptions {
            parallelism: 8,
            max_attempts: 10,
            base_delay: Duration::from_millis(250),
            max_delay: Duration::from_secs(20),
        }
    }
}

/// Who owns what the run creates.
#[derive(Debug, Clone)]
pub struct Owner {
    pub design_id: String,
    pub deployment_id: String,
}

pub use shared::api::{StepEvent as ProgressEvent, StepPhase as Phase};

/// Where events go: the database journal (before and after each call) and the live progress.
pub trait Journal: Send + Sync {
    fn record<'a>(&'a self, event: &'a ProgressEvent) -> BoxFuture<'a, Result<(), JournalError>>;
}

/// A journal could not keep an event: the applier stops before the next call.
#[derive(Debug, thiserror::Error)]
#[error("the journal could not record the step: {0}")]
pub struct JournalError(pub String);

/// A journal that keeps events in memory (the CLI and tests).
#[derive(Default)]
pub struct MemoryJournal {
    pub events: Mutex<Vec<ProgressEvent>>,
}

impl Journal for MemoryJournal {
    fn record<'a>(&'a self, event: &'a ProgressEvent) -> BoxFuture<'a, Result<(), JournalError>> {
        Box::pin(async move {
            if let Ok(mut events) = self.events.lock() {
                events.push(event.clone());
            }
            Ok(())
        })
    }
}

/// How a run ended.
#[derive(Debug, Clone, Default, Serialize)]
pub struct ApplyReport {
    /// Every resource created or updated, with its AWS id.
    pub created: Vec<(ResourceKey, String)>,
    pub updated: usize,
    pub deleted: usize,
    pub failed: Vec<(ResourceKey, String)>,
    pub skipped: usize,
    pub retries: usize,
    /// Whether some answer left the outcome in doubt (a retried call, a delete told
    /// `NotFound`): the account must be read again to know.
    pub uncertain: bool,
}

impl ApplyReport {
    pub fn succeeded(&self) -> bool {
        self.failed.is_empty() && self.skipped == 0
    }

    pub fn summary(&self) -> String {
        let mut summary = format!(
            "{} created, {} updated, {} deleted",
            self.created.len(),
            self.updated,
            self.deleted
        );
        if self.retries > 0 {
            summary.push_str(&format!(" ({} call(s) retried)", self.retries));
        }
        if let Some((key, error)) = self.failed.first() {
            summary.push_str(&format!(
                "; {} step(s) failed, {} not run; first: {key}: {error}",
                self.failed.len(),
                self.skipped
            ));
        }
        summary
    }
}

/// Full jitter: a random wait up to `base · 2^attempt`, capped.
pub fn backoff(options: &ApplyOptions, attempt: u32) -> Duration {
    let ceiling = options
        .base_delay
        .saturating_mul(2u32.saturating_pow(attempt.min(16)))
        .min(options.max_delay);
    ceiling.mul_f64(crate::aws::jitter())
}

/// The weight of a step when choosing what to start first: how long the chain it heads is,
/// counting a long pole as a hundred ordinary calls.
fn priorities(plan: &Plan) -> Vec<u64> {
    let mut dependents: Vec<Vec<usize>> = vec![Vec::new(); plan.steps.len()];
    for (index, step) in plan.steps.iter().enumerate() {
        for dependency in &step.depends_on {
            dependents[*dependency].push(index);
        }
    }
    let mut weight = vec![0u64; plan.steps.len()];
    for index in (0..plan.steps.len()).rev() {
        let own = if plan.steps[index].key.kind.is_long_pole()
            && plan.steps[index].action != Action::Delete
        {
            100
        } else {
            1
        };
        let downstream = dependents[index]
            .iter()
            .map(|d| weight[*d])
            .max()
            .unwrap_or(0);
        weight[index] = own + downstream;
    }
    weight
}

struct Shared {
    network: Arc<dyn NetworkApi>,
    journal: Arc<dyn Journal>,
    region: String,
    owner: Owner,
    options: ApplyOptions,
    ids: Mutex<ResolvedIds>,
    uncertain: std::sync::atomic::AtomicBool,
}

fn event(index: usize, step: &Step, phase: Phase) -> ProgressEvent {
    ProgressEvent {
        step: index,
        kind: step.key.kind,
        logical_id: step.key.logical_id.clone(),
        action: step.action.name().to_string(),
        phase,
    }
}

/// Runs every step of `plan`. `observed` is the inventory the plan was made from (the AWS ids
/// of what is already there).
pub async fn apply(
    network: Arc<dyn NetworkApi>,
    journal: Arc<dyn Journal>,
    region: &str,
    owner: Owner,
    plan: &Plan,
    observed: &[ObservedResource],
    options: ApplyOptions,
) -> ApplyReport {
    let mut ids = ResolvedIds::default();
    for resource in observed {
        ids.insert(resource.key.clone(), resource.aws_id.clone());
    }
    let shared = Arc::new(Shared {
        network,
        journal,
        region: region.to_string(),
        owner,
        options: options.clone(),
        ids: Mutex::new(ids),
        uncertain: std::sync::atomic::AtomicBool::new(false),
    });
    let steps = plan.steps.len();
    let weight = priorities(plan);
    let mut waiting_for: Vec<usize> = plan.steps.iter().map(|s| s.depends_on.len()).collect();
    let mut dependents: Vec<Vec<usize>> = vec![Vec::new(); steps];
    for (index, step) in plan.steps.iter().enumerate() {
        for dependency in &step.depends_on {
            dependents[*dependency].push(index);
        }
    }
    let mut ready: BinaryHeap<(u64, std::cmp::Reverse<usize>)> = (0..steps)
        .filter(|i| waiting_for[*i] == 0)
        .map(|i| (weight[i], std::cmp::Reverse(i)))
        .collect();
    let mut report = ApplyReport::default();
    let mut finished = vec![false; steps];
    let mut running = tokio::task::JoinSet::new();
    let retries = Arc::new(std::sync::atomic::AtomicUsize::new(0));
    loop {
        while running.len() < options.parallelism.max(1) {
            let Some((_, std::cmp::Reverse(index))) = ready.pop() else {
                break;
            };
            let shared = shared.clone();
            let step = plan.steps[index].clone();
            let retries = retries.clone();
            running.spawn(async move {
                let outcome = run_step(&shared, index, &step, &retries).await;
                (index, outcome)
            });
        }
        let Some(joined) = running.join_next().await else {
            break;
        };
        let (index, outcome) = match joined {
            Ok(done) => done,
            Err(error) => {
                // A panicking step is a failed step; nothing else is affected.
                tracing::error!(%error, "a provisioning step panicked");
                continue;
            }
        };
        finished[index] = true;
        let step = &plan.steps[index];
        match outcome {
            Ok(aws_id) => {
                match &step.action {
                    Action::Create | Action::Replace { .. } => {
                        report
                            .created
                            .push((step.key.clone(), aws_id.clone().unwrap_or_default()));
                    }
                    Action::Update { .. } => report.updated += 1,
                    Action::Delete => report.deleted += 1,
                }
                for dependent in &dependents[index] {
                    waiting_for[*dependent] -= 1;
                    if waiting_for[*dependent] == 0 {
                        ready.push((weight[*dependent], std::cmp::Reverse(*dependent)));
                    }
                }
            }
            Err(error) => report.failed.push((step.key.clone(), error)),
        }
    }
    for (index, step) in plan.steps.iter().enumerate() {
        if !finished[index] {
            report.skipped += 1;
            let _ = shared
                .journal
                .record(&event(index, step, Phase::Skipped))
                .await;
        }
    }
    report.retries = retries.load(std::sync::atomic::Ordering::Relaxed);
    report.uncertain =
        report.retries > 0 || shared.uncertain.load(std::sync::atomic::Ordering::Relaxed);
    report
}

/// One step with its retries, journaled before and after.
async fn run_step(
    shared: &Shared,
    index: usize,
    step: &Step,
    retries: &std::sync::atomic::AtomicUsize,
) -> Result<Option<String>, String> {
    shared
        .journal
        .record(&event(index, step, Phase::Started))
        .await
        .map_err(|error| format!("could not journal the step: {error}"))?;
    let tags = OwnershipTags {
        design_id: shared.owner.design_id.clone(),
        logical_id: step.key.logical_id.clone(),
        deployment_id: shared.owner.deployment_id.clone(),
        name: step.key.logical_id.clone(),
        user: step.tags.clone(),
    };
    let mut attempt = 0;
    let outcome = loop {
        attempt += 1;
        let ids = shared.ids.lock().map(|ids| ids.clone()).unwrap_or_default();
        let result = call(shared, step, &ids, &tags, attempt > 1).await;
        match result {
            Ok(aws_id) => break Ok(aws_id),
            Err(error) => {
                let retryable = error.is_transient()
                    || (step.action != Action::Delete && error.is_not_found())
                    || (step.action == Action::Delete && error.is_dependency_violation());
                if !retryable || attempt >= shared.options.max_attempts {
                    break Err(error);
                }
                retries.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                let _ = shared
                    .journal
                    .record(&event(
                        index,
                        step,
                        Phase::Retrying {
                            attempt,
                            error: error.to_string(),
                        },
                    ))
                    .await;
                tokio::time::sleep(backoff(&shared.options, attempt)).await;
            }
        }
    };
    match outcome {
        Ok(aws_id) => {
            if let Some(aws_id) = &aws_id
                && let Ok(mut ids) = shared.ids.lock()
            {
                ids.insert(step.key.clone(), aws_id.clone());
            }
            shared
                .journal
                .record(&event(
                    index,
                    step,
                    Phase::Done {
                        aws_id: aws_id.clone(),
                    },
                ))
                .await
                .map_err(|error| format!("could not journal the step: {error}"))?;
            Ok(aws_id)
        }
        Err(error) => {
            let message = error.to_string();
            let _ = shared
                .journal
                .record(&event(
                    index,
                    step,
                    Phase::Failed {
                        error: message.clone(),
                    },
                ))
                .await;
            Err(message)
        }
    }
}

async fn call(
    shared: &Shared,
    step: &Step,
    ids: &ResolvedIds,
    tags: &OwnershipTags,
    retry: bool,
) -> Result<Option<String>, AwsError> {
    let network = &shared.network;
    let region = shared.region.as_str();
    match (&step.action, &step.spec) {
        (Action::Delete, _) => {
            let aws_id = step.aws_id.clone().unwrap_or_default();
            if network
                .delete(region, step.key.kind, &aws_id, &step.observed)
                .await?
                == crate::aws::Deleted::AlreadyGone
            {
                shared
                    .uncertain
                    .store(true, std::sync::atomic::Ordering::Relaxed);
            }
            Ok(None)
        }
        (Action::Update { changed }, Some(spec)) => {
            let aws_id = step.aws_id.clone().unwrap_or_default();
            let change = crate::aws::InPlaceChange {
                changed,
                tags: &step.tags,
                observed_tags: step
                    .observed
                    .get(shared::plan::TAGS_ATTRIBUTE)
                    .map(String::as_str),
            };
            Ok(Some(
                network.update(region, spec, ids, &aws_id, change).await?,
            ))
        }
        (_, Some(spec)) => Ok(Some(network.create(region, spec, ids, tags, retry).await?)),
        (_, None) => Err(AwsError::Unresolved {
            reference: format!("{} (the plan has no specification for it)", step.key),
        }),
    }
}

/// Plans `desired` against what the account holds for the design (the inventory is retried
/// like any call).
pub async fn plan_against_account(
    network: &dyn NetworkApi,
    region: &str,
    design_id: &str,
    desired: &[shared::plan::DesiredResource],
    options: &ApplyOptions,
) -> Result<(Plan, Vec<ObservedResource>), AwsError> {
    let mut attempt = 0;
    let observed = loop {
        attempt += 1;
        match network.inventory(region, design_id).await {
            Ok(observed) => break observed,
            Err(error) if error.is_transient() && attempt < options.max_attempts => {
                tokio::time::sleep(backoff(options, attempt)).await;
            }
            Err(error) => return Err(error),
        }
    };
    Ok((shared::plan::plan(desired, &observed), observed))
}

/// How many times an apply is checked against the account and completed.
pub const VERIFY_ROUNDS: usize = 3;

/// Applies `plan`; when some answer left the outcome in doubt, reads the account again and
/// applies what is still not as designed, up to [`VERIFY_ROUNDS`] times. An answer cannot always be trusted: a delete can be told
/// `NotFound` for a resource that is only not visible yet, and a create whose answer was lost
/// can land after its retry. The account, read again, is what decides.
#[allow(clippy::too_many_arguments)]
pub async fn apply_and_verify(
    network: Arc<dyn NetworkApi>,
    journal: Arc<dyn Journal>,
    region: &str,
    owner: Owner,
    desired: &[shared::plan::DesiredResource],
    plan: &Plan,
    observed: &[ObservedResource],
    options: ApplyOptions,
) -> ApplyReport {
    let mut report = apply(
        network.clone(),
        journal.clone(),
        region,
        owner.clone(),
        plan,
        observed,
        options.clone(),
    )
    .await;
    for _ in 0..VERIFY_ROUNDS {
        // Every answer clear: the account is as the plan made it.
        if !report.succeeded() || !report.uncertain {
            break;
        }
        let Ok((again, seen)) = plan_against_account(
            network.as_ref(),
            region,
            &owner.design_id,
            desired,
            &options,
        )
        .await
        else {
            break;
        };
        if again.is_empty() {
            break;
        }
        tracing::info!(
            steps = again.steps.len(),
            "the account is not as designed yet: applying the rest"
        );
        let round = apply(
            network.clone(),
            journal.clone(),
            region,
            owner.clone(),
            &again,
            &seen,
            options.clone(),
        )
        .await;
        report.created.extend(round.created);
        report.updated += round.updated;
        report.deleted += round.deleted;
        report.retries += round.retries;
        report.failed = round.failed;
        report.skipped = round.skipped;
        report.uncertain = round.uncertain;
    }
    report
}

/// One action the credentials lack, found by a dry run before anything is created.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct MissingPermission {
    pub actions: Vec<&'static str>,
    pub kind: &'static str,
    pub deleting: bool,
    pub message: String,
}

/// The preflight: a `DryRun` call for every kind of create and delete the plan makes.
/// Answers what the credentials may not do (empty: go ahead).
pub async fn preflight(
    network: &dyn NetworkApi,
    region: &str,
    plan: &Plan,
) -> Result<Vec<MissingPermission>, AwsError> {
    let mut asked = std::collections::BTreeSet::new();
    let mut missing = Vec::new();
    for step in &plan.steps {
        let deleting = step.action == Action::Delete;
        if !asked.insert((step.key.kind, deleting)) {
            continue;
        }
        if let crate::aws::DryRunOutcome::Denied { message } =
            network.dry_run(region, step.key.kind, deleting).await?
        {
            missing.push(MissingPermission {
                actions: shared::plan::iam::actions_of(step.key.kind, deleting).to_vec(),
                kind: step.key.kind.name(),
                deleting,
                message,
            });
        }
    }
    Ok(missing)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_grows_and_stays_under_its_cap() {
        let options = ApplyOptions {
            base_delay: Duration::from_millis(100),
            max_delay: Duration::from_secs(2),
            ..ApplyOptions::default()
        };
        for attempt in 0..20 {
            let wait = backoff(&options, attempt);
            let ceiling = Duration::from_millis(100)
                .saturating_mul(2u32.saturating_pow(attempt.min(16)))
                .min(Duration::from_secs(2));
            assert!(wait <= ceiling, "attempt {attempt}: {wait:?} > {ceiling:?}");
        }
        // Jitter: a hundred draws are not all the same.
        let draws: std::collections::HashSet<u128> =
            (0..100).map(|_| backoff(&options, 5).as_micros()).collect();
        assert!(draws.len() > 50, "{}", draws.len());
    }

    #[test]
    fn long_poles_head_the_queue() {
        let design = shared::templates::template("multimodal-endpoints")
            .unwrap()
            .design()
            .unwrap();
        let plan = shared::plan::plan(&shared::plan::desired_resources(&design), &[]);
        let weight = priorities(&plan);
        let heaviest = (0..plan.steps.len()).max_by_key(|i| weight[*i]).unwrap();
        // The Elastic IP heads the longest chain (address → NAT gateway → route), so it starts
        // first; among what waits for the VPC, the NAT gateway's subnet outranks any group.
        assert_eq!(
            plan.steps[heaviest].key.kind,
            shared::plan::ResourceKind::ElasticIp
        );
        let public_subnet = plan
            .steps
            .iter()
            .position(|s| s.key.logical_id == "subnet-public-a")
            .unwrap();
        let security_group = plan
            .steps
            .iter()
            .position(|s| s.key.kind == shared::plan::ResourceKind::SecurityGroup)
            .unwrap();
        assert!(weight[public_subnet] > weight[security_group]);
    }
}
