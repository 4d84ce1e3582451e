//! Running a deployment: the design must validate without errors; then the planner compares it
//! with what the account holds for it and the applier ([`crate::provision`]) runs the plan,
//! journaling every step in the database before and after its call — the one workflow of
//! [`crate::workflow`], which `moat apply` runs too. A destroy is the same run with nothing
//! desired.
//!
//! Deployments are leased jobs: the server that starts (or approves, or claims) a deployment
//! holds a lease on it in the database ([`Leases`]), renewed at every journal entry and by a
//! heartbeat while a long call waits. Every server claims, at start-up and every half lease,
//! the running deployments no live server holds ([`Deployer::claim_and_resume`]): those whose
//! lease expired (a server killed or cut off) and those a stopping server released. A server
//! that finds its lease gone stops before its next AWS call (the journal refuses the entry
//! that precedes it) and never records the end of a deployment it no longer holds; a server
//! told to stop ([`Leases::stop`]) stops claiming, ends its runs at their next step and
//! releases their leases, so another server resumes them at once.
//!
//! The two-person rule: a deployment to a protected target (a region listed in the server's
//! settings) is recorded as `awaiting_approval` with the hash of exactly what was requested; a
//! different deployer's approval starts it, and only if the design is still that revision.
//!
//! A domain module: it returns [`DeployError`] and knows nothing of HTTP (the API maps the
//! errors at its edge).

use std::collections::HashSet;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use crate::auth;
use crate::aws::{BoxFuture, NetworkApi};
use crate::config::Settings;
use crate::provision::{Journal, JournalError, Owner, Phase, ProgressEvent};
use crate::store::{Lease, Store, StoreError, User};
use crate::workflow::{self, Outcome, Unattended, WorkflowError};
use shared::Design;
use shared::api::DeploymentStatus;

pub use crate::workflow::Operation;

/// Why a deployment request, a plan or a drift report was refused.
#[derive(Debug, thiserror::Error)]
pub enum DeployError {
    #[error("no such design")]
    DesignNotFound,
    #[error("no such deployment")]
    DeploymentNotFound,
    #[error("the stored design does not load: {0}")]
    DesignDoesNotLoad(String),
    #[error(transparent)]
    Workflow(#[from] WorkflowError),
    #[error("deployment {deployment_id} is {}, not awaiting approval", .status.as_str())]
    NotAwaitingApproval {
        deployment_id: String,
        status: DeploymentStatus,
    },
    #[error("the two-person rule: a different deployer must approve this deployment")]
    SameDeployer,
    #[error(
        "the design changed after the request (revision {requested} → {current}); the approval would not match what runs: request the deployment again"
    )]
    PlanChanged { requested: i64, current: i64 },
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// What deployments need: the database, the network, the server's settings and its leases.
#[derive(Clone)]
pub struct Deployer {
    pub store: Store,
    pub network: Arc<dyn NetworkApi>,
    pub settings: Arc<Settings>,
    pub leases: Arc<Leases>,
}

/// This server's hold on the deployments it runs: its id (also the application name its AWS
/// calls carry), how long a lease lasts, whether it is stopping, and what it runs now.
pub struct Leases {
    lease: Lease,
    stopping: AtomicBool,
    running: Mutex<HashSet<String>>,
}

/// How long a lease lasts unless `MOAT_LEASE_SECONDS` says otherwise.
pub const DEFAULT_LEASE: Duration = Duration::from_secs(30);

impl Leases {
    /// A new server identity (`moat-<pid>-<random>`), leasing for `duration`.
    pub fn new(duration: Duration) -> Leases {
        let random: String = auth::new_token()
            .chars()
            .filter(char::is_ascii_alphanumeric)
            .take(8)
            .collect();
        Leases {
            lease: Lease {
                owner: format!("moat-{}-{random}", std::process::id()),
                duration: duration.max(Duration::from_millis(500)),
            },
            stopping: AtomicBool::new(false),
            running: Mutex::new(HashSet::new()),
        }
    }

    /// The server's id, as leases and journal entries name it.
    pub fn server_id(&self) -> &str {
        &self.lease.owner
    }

    /// How long a lease lasts.
    pub fn duration(&self) -> Duration {
        self.lease.duration
    }

    /// Stops claiming deployments; the runs end at their next step and release their leases.
    pub fn stop(&self) {
        self.stopping.store(true, Ordering::SeqCst);
    }

    pub fn is_stopping(&self) -> bool {
        self.stopping.load(Ordering::SeqCst)
    }

    /// How many deployments this server runs now.
    pub fn running_count(&self) -> usize {
        self.running
            .lock()
            .map(|running| running.len())
            .unwrap_or(0)
    }

    fn set_running(&self, deployment_id: &str, running: bool) {
        if let Ok(mut set) = self.running.lock() {
            if running {
                set.insert(deployment_id.to_string());
            } else {
                set.remove(deployment_id);
            }
        }
    }
}

/// What a deployment request became.
pub struct Started {
    pub deployment_id: String,
    /// Running, or awaiting approval for a protected target.
    pub status: DeploymentStatus,
    pub plan_hash: String,
}

impl Deployer {
    /// The stored design and its revision, loaded.
    async fn stored_design(&self, design_id: &str) -> Result<(Design, String, i64), DeployError> {
        let record = self
            .store
            .design(design_id)
            .await
            .map_err(|_| DeployError::DesignNotFound)?;
        let design = shared::spec::load_design(&record.document)
            .map_err(|error| DeployError::DesignDoesNotLoad(error.to_string()))?;
        Ok((design, record.document, record.revision))
    }

    /// Validates the stored design and starts deploying it in the background, or, for a
    /// protected target, records the request to wait for a second deployer.
    pub async fn start(
        &self,
        design_id: &str,
        user: &User,
        operation: Operation,
    ) -> Result<Started, DeployError> {
        let (design, document, revision) = self.stored_design(design_id).await?;
        workflow::check_design(&design, operation)?;
        let deployment_id = format!("dep-{}", &auth::new_token()[..16]);
        let plan_hash = crate::digest::document_hash(&document);
        let protected = self.settings.protected_targets.contains(&design.region);
        let status = if protected {
            DeploymentStatus::AwaitingApproval
        } else {
            DeploymentStatus::Running
        };
        self.store
            .create_deployment(
                &deployment_id,
                design_id,
                revision,
                user.id,
                status,
                &plan_hash,
                (!protected).then_some(&self.leases.lease),
            )
            .await?;
        self.store
            .set_deployment_operation(&deployment_id, operation)
            .await?;
        if protected {
            tracing::info!(%deployment_id, %design_id, user = %user.name, "deployment awaits a second deployer");
            return Ok(Started {
                deployment_id,
                status,
                plan_hash,
            });
        }
        tracing::info!(%deployment_id, %design_id, user = %user.name, "deployment started");
        self.spawn_run(design_id, &deployment_id, design, operation);
        Ok(Started {
            deployment_id,
            status: DeploymentStatus::Running,
            plan_hash,
        })
    }

    /// A second deployer approves a waiting deployment: it starts if the design is still
    /// exactly what was requested; a changed design invalidates the request.
    pub async fn approve(
        &self,
        deployment_id: &str,
        approver: &User,
    ) -> Result<Started, DeployError> {
        let deployment = self
            .store
            .deployment(deployment_id)
            .await
            .map_err(|_| DeployError::DeploymentNotFound)?;
        if deployment.status != DeploymentStatus::AwaitingApproval {
            return Err(DeployError::NotAwaitingApproval {
                deployment_id: deployment_id.to_string(),
                status: deployment.status,
            });
        }
        if deployment.requested_by == approver.id {
            return Err(DeployError::SameDeployer);
        }
        let (design, document, revision) = self.stored_design(&deployment.design_id).await?;
        if crate::digest::document_hash(&document) != deployment.plan_hash {
            self.store
                .finish_deployment(
                    deployment_id,
                    DeploymentStatus::Invalidated,
                    &format!(
                        "the design changed after the request (revision {} → {revision}): request the deployment again",
                        deployment.design_revision
                    ),
                )
                .await?;
            return Err(DeployError::PlanChanged {
                requested: deployment.design_revision,
                current: revision,
            });
        }
        let operation = deployment.operation;
        workflow::check_design(&design, operation)?;
        self.store
            .approve_deployment(deployment_id, approver.id, &self.leases.lease)
            .await?;
        tracing::info!(%deployment_id, approver = %approver.name, "deployment approved and started");
        self.spawn_run(&deployment.design_id, deployment_id, design, operation);
        Ok(Started {
            deployment_id: deployment_id.to_string(),
            status: DeploymentStatus::Running,
            plan_hash: deployment.plan_hash,
        })
    }

    /// Runs the deployment in the background, under this server's lease, and records how it
    /// ended; a lease lost on the way ends the run before its next AWS call and records
    /// nothing, a stop releases the lease for another server to resume it.
    fn spawn_run(
        &self,
        design_id: &str,
        deployment_id: &str,
        design: Design,
        operation: Operation,
    ) {
        let deployer = self.clone();
        let design_id = design_id.to_string();
        let spawned_id = deployment_id.to_string();
        let lost = Arc::new(AtomicBool::new(false));
        self.leases.set_running(deployment_id, true);
        // The heartbeat keeps the lease while a long call (a NAT gateway becoming available)
        // writes no journal entry.
        let heartbeat = {
            let (store, leases, lost, id) = (
                self.store.clone(),
                self.leases.clone(),
                lost.clone(),
                spawned_id.clone(),
            );
            tokio::spawn(async move {
                loop {
                    tokio::time::sleep(leases.duration() / 3).await;
                    match store.renew_lease(&id, &leases.lease).await {
                        Ok(true) => {}
                        Ok(false) => {
                            lost.store(true, Ordering::SeqCst);
                            break;
                        }
                        Err(error) => {
                            tracing::warn!(deployment_id = %id, %error, "could not renew the lease; the next step checks it again");
                        }
                    }
                }
            })
        };
        tokio::spawn(async move {
            let outcome = deployer
                .run(&design_id, &spawned_id, &design, operation, lost.clone())
                .await;
            heartbeat.abort();
            deployer.leases.set_running(&spawned_id, false);
            let owner = deployer.leases.server_id().to_string();
            if lost.load(Ordering::SeqCst) {
                crate::metrics::global().leases_lost.inc();
                tracing::warn!(deployment_id = %spawned_id, server = %owner, "lease lost: stopped before the next AWS call; another server resumes the deployment");
                return;
            }
            if deployer.leases.is_stopping() && outcome.is_err() {
                match deployer
                    .store
                    .release_leases(&owner, Some(&spawned_id))
                    .await
                {
                    Ok(_) => {
                        tracing::info!(deployment_id = %spawned_id, "stopping: the deployment is released for another server to resume")
                    }
                    Err(error) => {
                        tracing::error!(deployment_id = %spawned_id, %error, "could not release the lease; it expires instead")
                    }
                }
                return;
            }
            let (status, message) = match outcome {
                Ok(message) => (DeploymentStatus::Succeeded, message),
                Err(message) => (DeploymentStatus::Failed, message),
            };
            tracing::info!(deployment_id = %spawned_id, status = status.as_str(), %message, "deployment finished");
            match deployer
                .store
                .finish_leased_deployment(&spawned_id, &owner, status, &message)
                .await
            {
                Ok(true) => {}
                Ok(false) => {
                    tracing::warn!(deployment_id = %spawned_id, "the deployment's lease is no longer this server's: its end is not recorded here");
                }
                Err(error) => {
                    tracing::error!(deployment_id = %spawned_id, %error, "could not record the deployment's end");
                }
            }
        });
    }

    /// The one workflow against the account (what is tagged with the design). Running it
    /// again after any interruption converges: the plan is made afresh from the account.
    /// The message the deployment ends with.
    async fn run(
        &self,
        design_id: &str,
        deployment_id: &str,
        design: &Design,
        operation: Operation,
        lost: Arc<AtomicBool>,
    ) -> Result<String, String> {
        let journal = Arc::new(StoreJournal {
            store: self.store.clone(),
            deployment_id: deployment_id.to_string(),
            leases: self.leases.clone(),
            lost,
        });
        let outcome = workflow::deploy_once(
            self.network.clone(),
            journal,
            design,
            Owner {
                design_id: design_id.to_string(),
                deployment_id: deployment_id.to_string(),
            },
            operation,
            self.settings.apply.clone(),
            &Unattended,
        )
        .await
        .map_err(|error| match error {
            WorkflowError::MissingPermissions(_) => format!("the server's {error}"),
            other => other.to_string(),
        })?;
        match outcome {
            Outcome::Applied(report) if report.succeeded() => Ok(report.summary()),
            Outcome::Applied(report) => Err(report.summary()),
            Outcome::Stopped(_) => Err("stopped before any change".to_string()),
        }
    }

    /// Claims and resumes the running deployments no live server holds (see the module
    /// docs): each plans again from the account and applies the rest. How many it resumed.
    pub async fn claim_and_resume(&self) -> Result<usize, StoreError> {
        if self.leases.is_stopping() {
            return Ok(0);
        }
        let claimed = self
            .store
            .claim_unleased_deployments(&self.leases.lease)
            .await?;
        let mut resumed = 0;
        for claim in claimed {
            let deployment_id = claim.id;
            if claim.takeover {
                crate::metrics::global().lease_takeovers.inc();
            } else {
                crate::metrics::global().lease_claims.inc();
            }
            let deployment = self.store.deployment(&deployment_id).await?;
            let document = self
                .store
                .revision_document(&deployment.design_id, deployment.design_revision)
                .await?;
            let Ok(design) = shared::spec::load_design(&document) else {
                self.store
                    .finish_leased_deployment(
                        &deployment_id,
                        self.leases.server_id(),
                        DeploymentStatus::Failed,
                        "the design no longer loads",
                    )
                    .await?;
                continue;
            };
            tracing::info!(%deployment_id, takeover = claim.takeover, server = %self.leases.server_id(), "resuming a deployment no live server held");
            self.spawn_run(
                &deployment.design_id,
                &deployment_id,
                design,
                claim.operation,
            );
            resumed += 1;
        }
        Ok(resumed)
    }

    /// Claims unheld deployments every half lease until the server stops.
    pub fn spawn_claims(&self) {
        let deployer = self.clone();
        tokio::spawn(async move {
            while !deployer.leases.is_stopping() {
                tokio::time::sleep(deployer.leases.duration() / 2).await;
                if let Err(error) = deployer.claim_and_resume().await {
                    tracing::warn!(%error, "could not claim deployments; trying again");
                }
            }
        });
    }

    /// Stops this server's deployments: no more claims, each run ends at its next step and
    /// releases its lease; waits up to `bound` for them, then releases whatever is left.
    pub async fn stop(&self, bound: Duration) -> Result<(), StoreError> {
        self.leases.stop();
        let deadline = tokio::time::Instant::now() + bound;
        while self.leases.running_count() > 0 && tokio::time::Instant::now() < deadline {
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        let released = self
            .store
            .release_leases(self.leases.server_id(), None)
            .await?;
        if released > 0 {
            tracing::info!(released, "released the leases of deployments still running");
        }
        Ok(())
    }

    /// What changed in the account outside Moat for a stored design: `None` when the account
    /// holds nothing of it (never deployed, or destroyed), so there is nothing to drift from.
    pub async fn drift_for(
        &self,
        design_id: &str,
    ) -> Result<Option<Vec<shared::plan::Drift>>, DeployError> {
        let (design, _, _) = self.stored_design(design_id).await?;
        let planned = workflow::plan(
            self.network.as_ref(),
            &design,
            design_id,
            Operation::Apply,
            &self.settings.apply,
        )
        .await?;
        Ok(shared::plan::drift_if_deployed(
            &planned.desired,
            &planned.observed,
        ))
    }

    /// The plan for a stored design against the account, without changing anything, and who
    /// must approve its apply (a protected target's second deployer), in words.
    pub async fn plan_for(
        &self,
        design_id: &str,
        operation: Operation,
    ) -> Result<(Design, shared::plan::Plan, Option<String>), DeployError> {
        let (design, _, _) = self.stored_design(design_id).await?;
        let planned = workflow::plan(
            self.network.as_ref(),
            &design,
            design_id,
            operation,
            &self.settings.apply,
        )
        .await?;
        let approval = self
            .settings
            .protected_targets
            .contains(&design.region)
            .then(|| {
                format!(
                    "{} is a protected target: the deployment waits until a different deployer approves it",
                    design.region
                )
            });
        Ok((design, planned.plan, approval))
    }
}

/// The database journal of one deployment: every event is written before the applier goes
/// on, and every AWS id it created is listed with the deployment.
struct StoreJournal {
    store: Store,
    deployment_id: String,
    leases: Arc<Leases>,
    /// Set when the lease is found lost (here or by the heartbeat).
    lost: Arc<AtomicBool>,
}

/// A database failure while journaling stops the applier before its next call.
impl From<StoreError> for JournalError {
    fn from(error: StoreError) -> Self {
        JournalError(error.to_string())
    }
}

impl Journal for StoreJournal {
    fn record<'a>(&'a self, event: &'a ProgressEvent) -> BoxFuture<'a, Result<(), JournalError>> {
        Box::pin(async move {
            // Every step is journaled before its call: refusing the entry stops the applier
            // before the call, when the server is stopping or its lease is no longer its own.
            if self.leases.is_stopping() {
                return Err(JournalError(
                    "the server is stopping: the deployment is released for another server to resume"
                        .to_string(),
                ));
            }
            if self.lost.load(Ordering::SeqCst)
                || !self
                    .store
                    .renew_lease(&self.deployment_id, &self.leases.lease)
                    .await?
            {
                self.lost.store(true, Ordering::SeqCst);
                return Err(JournalError(
                    "this server's lease on the deployment expired: another server resumes it"
                        .to_string(),
                ));
            }
            let text =
                serde_json::to_string(event).map_err(|error| JournalError(error.to_string()))?;
            self.store
                .record_event(&self.deployment_id, &text, self.leases.server_id())
                .await?;
            if let Phase::Done {
                aws_id: Some(aws_id),
            } = &event.phase
                && event.action != "delete"
            {
                self.store
                    .record_resource(
                        &self.deployment_id,
                        &event.logical_id,
                        event.kind.name(),
                        aws_id,
                    )
                    .await?;
            }
            Ok(())
        })
    }
}
