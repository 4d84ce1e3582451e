//! Running a deployment: the design must validate without errors; then the planner compares it
//! with what the account holds for it and the applier ([`crate::provision`]) runs the plan,
//! journaling every step in the database before and after its call — the one workflow of
//! [`crate::workflow`], which `moat apply` runs too. A destroy is the same run with nothing
//! desired. A server stopped mid-run resumes at start-up ([`Deployer::resume_interrupted`]).
//!
//! The two-person rule: a deployment to a protected target (a region listed in the server's
//! settings) is recorded as `awaiting_approval` with the hash of exactly what was requested; a
//! different deployer's approval starts it, and only if the design is still that revision.
//!
//! A domain module: it returns [`DeployError`] and knows nothing of HTTP (the API maps the
//! errors at its edge).

use std::sync::Arc;

use crate::auth;
use crate::aws::{BoxFuture, NetworkApi};
use crate::config::Settings;
use crate::provision::{Journal, JournalError, Owner, Phase, ProgressEvent};
use crate::store::{Store, StoreError, User};
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

/// What deployments need: the database, the network and the server's settings.
#[derive(Clone)]
pub struct Deployer {
    pub store: Store,
    pub network: Arc<dyn NetworkApi>,
    pub settings: Arc<Settings>,
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
            .approve_deployment(deployment_id, approver.id)
            .await?;
        tracing::info!(%deployment_id, approver = %approver.name, "deployment approved and started");
        self.spawn_run(&deployment.design_id, deployment_id, design, operation);
        Ok(Started {
            deployment_id: deployment_id.to_string(),
            status: DeploymentStatus::Running,
            plan_hash: deployment.plan_hash,
        })
    }

    /// Runs the deployment in the background and records how it ended.
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
        tokio::spawn(async move {
            let outcome = deployer
                .run(&design_id, &spawned_id, &design, operation)
                .await;
            let (status, message) = match outcome {
                Ok(message) => (DeploymentStatus::Succeeded, message),
                Err(message) => (DeploymentStatus::Failed, message),
            };
            tracing::info!(deployment_id = %spawned_id, status = status.as_str(), %message, "deployment finished");
            if let Err(error) = deployer
                .store
                .finish_deployment(&spawned_id, status, &message)
                .await
            {
                tracing::error!(deployment_id = %spawned_id, %error, "could not record the deployment's end");
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
    ) -> Result<String, String> {
        let journal = Arc::new(StoreJournal {
            store: self.store.clone(),
            deployment_id: deployment_id.to_string(),
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

    /// Resumes what a stopped server left running: each deployment plans again from the
    /// account and applies the rest.
    pub async fn resume_interrupted(&self) -> Result<usize, StoreError> {
        let interrupted = self.store.interrupted_deployments().await?;
        let mut resumed = 0;
        for (deployment_id, operation) in interrupted {
            let deployment = self.store.deployment(&deployment_id).await?;
            let document = self
                .store
                .revision_document(&deployment.design_id, deployment.design_revision)
                .await?;
            let Ok(design) = shared::spec::load_design(&document) else {
                self.store
                    .finish_deployment(
                        &deployment_id,
                        DeploymentStatus::Failed,
                        "the design no longer loads",
                    )
                    .await?;
                continue;
            };
            tracing::info!(%deployment_id, "resuming an interrupted deployment");
            self.spawn_run(&deployment.design_id, &deployment_id, design, operation);
            resumed += 1;
        }
        Ok(resumed)
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
            let text =
                serde_json::to_string(event).map_err(|error| JournalError(error.to_string()))?;
            self.store.record_event(&self.deployment_id, &text).await?;
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
