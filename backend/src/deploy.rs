//! Running a deployment: the design must validate without errors; then the planner compares it
//! with what the account holds for it and the applier ([`crate::provision`]) runs the plan,
//! journaling every step in the database before and after its call. A destroy is the same run
//! with nothing desired. A server stopped mid-run resumes at start-up ([`resume_interrupted`]).
//!
//! The two-person rule: a deployment to a protected target (a region listed in the server's
//! settings) is recorded as `awaiting_approval` with the hash of exactly what was requested; a
//! different deployer's approval starts it, and only if the design is still that revision.

use std::sync::Arc;

use axum::http::StatusCode;
use serde_json::json;

use crate::AppState;
use crate::api::ApiError;
use crate::auth;
use crate::aws::BoxFuture;
use crate::provision::{self, Journal, Owner, Phase, ProgressEvent};
use crate::store::User;
use shared::Design;

/// What a deployment does.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Operation {
    /// Make the account match the design.
    Apply,
    /// Remove everything tagged with the design.
    Destroy,
}

impl Operation {
    pub fn name(self) -> &'static str {
        match self {
            Operation::Apply => "apply",
            Operation::Destroy => "destroy",
        }
    }
}

/// What a deployment request became.
pub struct Started {
    pub deployment_id: String,
    /// `running`, or `awaiting_approval` for a protected target.
    pub status: &'static str,
    pub plan_hash: String,
}

/// Refuses a design with errors (422, with every error diagnostic).
fn check_design(design: &Design) -> Result<(), ApiError> {
    let errors: Vec<_> = shared::validate(design)
        .into_iter()
        .filter(|d| d.is_error())
        .collect();
    if !errors.is_empty() {
        return Err(ApiError::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "design_has_errors",
            format!(
                "the design has {} error(s); fix them before deploying (first: {})",
                errors.len(),
                errors[0].message
            ),
        )
        .with_details(json!({"diagnostics": errors})));
    }
    Ok(())
}

/// Validates the stored design and starts deploying it in the background, or, for a protected
/// target, records the request to wait for a second deployer.
pub async fn start(
    state: &AppState,
    design_id: &str,
    user: &User,
    operation: Operation,
) -> Result<Started, ApiError> {
    let record = state
        .store
        .design(design_id)
        .await
        .map_err(|_| ApiError::not_found("design"))?;
    let design = shared::spec::load_design(&record.document).map_err(ApiError::internal)?;
    if operation == Operation::Apply {
        check_design(&design)?;
    }
    let deployment_id = format!("dep-{}", &auth::new_token()[..16]);
    let plan_hash = crate::store::document_hash(&record.document);
    let protected = state.settings.protected_targets.contains(&design.region);
    let status = if protected {
        "awaiting_approval"
    } else {
        "running"
    };
    state
        .store
        .create_deployment(
            &deployment_id,
            design_id,
            record.revision,
            user.id,
            status,
            &plan_hash,
        )
        .await?;
    state
        .store
        .set_deployment_operation(&deployment_id, operation.name())
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
    spawn_run(state, design_id, &deployment_id, design, operation);
    Ok(Started {
        deployment_id,
        status: "running",
        plan_hash,
    })
}

/// A second deployer approves a waiting deployment: it starts if the design is still exactly
/// what was requested; a changed design invalidates the request.
pub async fn approve(
    state: &AppState,
    deployment_id: &str,
    approver: &User,
) -> Result<Started, ApiError> {
    let deployment = state
        .store
        .deployment(deployment_id)
        .await
        .map_err(|_| ApiError::not_found("deployment"))?;
    if deployment.status != "awaiting_approval" {
        return Err(ApiError::new(
            StatusCode::CONFLICT,
            "not_awaiting_approval",
            format!(
                "deployment {deployment_id} is {}, not awaiting approval",
                deployment.status
            ),
        ));
    }
    if deployment.requested_by == approver.id {
        return Err(ApiError::forbidden(
            "the two-person rule: a different deployer must approve this deployment",
        ));
    }
    let record = state
        .store
        .design(&deployment.design_id)
        .await
        .map_err(|_| ApiError::not_found("design"))?;
    if crate::store::document_hash(&record.document) != deployment.plan_hash {
        state
            .store
            .finish_deployment(
                deployment_id,
                "invalidated",
                &format!(
                    "the design changed after the request (revision {} → {}): request the deployment again",
                    deployment.design_revision, record.revision
                ),
            )
            .await?;
        return Err(ApiError::new(
            StatusCode::CONFLICT,
            "plan_changed",
            format!(
                "the design changed after the request (revision {} → {}); the approval would not match what runs: request the deployment again",
                deployment.design_revision, record.revision
            ),
        ));
    }
    let design = shared::spec::load_design(&record.document).map_err(ApiError::internal)?;
    let operation = if deployment.operation == "destroy" {
        Operation::Destroy
    } else {
        check_design(&design)?;
        Operation::Apply
    };
    state
        .store
        .approve_deployment(deployment_id, approver.id)
        .await?;
    tracing::info!(%deployment_id, approver = %approver.name, "deployment approved and started");
    spawn_run(
        state,
        &deployment.design_id,
        deployment_id,
        design,
        operation,
    );
    Ok(Started {
        deployment_id: deployment_id.to_string(),
        status: "running",
        plan_hash: deployment.plan_hash,
    })
}

/// Runs the deployment in the background and records how it ended.
fn spawn_run(
    state: &AppState,
    design_id: &str,
    deployment_id: &str,
    design: Design,
    operation: Operation,
) {
    let state = state.clone();
    let design_id = design_id.to_string();
    let spawned_id = deployment_id.to_string();
    tokio::spawn(async move {
        let outcome = run(&state, &design_id, &spawned_id, &design, operation).await;
        let (status, message) = match outcome {
            Ok(message) => ("succeeded", message),
            Err(message) => ("failed", message),
        };
        tracing::info!(deployment_id = %spawned_id, status, %message, "deployment finished");
        if let Err(error) = state
            .store
            .finish_deployment(&spawned_id, status, &message)
            .await
        {
            tracing::error!(deployment_id = %spawned_id, %error, "could not record the deployment's end");
        }
    });
}

/// The database journal of one deployment: every event is written before the applier goes
/// on, and every AWS id it created is listed with the deployment.
struct StoreJournal {
    store: crate::store::Store,
    deployment_id: String,
}

impl Journal for StoreJournal {
    fn record<'a>(&'a self, event: &'a ProgressEvent) -> BoxFuture<'a, Result<(), String>> {
        Box::pin(async move {
            let text = serde_json::to_string(event).map_err(|error| error.to_string())?;
            self.store
                .record_event(&self.deployment_id, &text)
                .await
                .map_err(|error| error.to_string())?;
            if let Phase::Done {
                aws_id: Some(aws_id),
            } = &event.phase
                && event.action != "delete"
            {
                self.store
                    .record_resource(&self.deployment_id, &event.logical_id, event.kind, aws_id)
                    .await
                    .map_err(|error| error.to_string())?;
            }
            Ok(())
        })
    }
}

/// Plans against the account (what is tagged with the design) and applies the plan. Running
/// it again after any interruption converges: the plan is made afresh from the account.
async fn run(
    state: &AppState,
    design_id: &str,
    deployment_id: &str,
    design: &Design,
    operation: Operation,
) -> Result<String, String> {
    let desired = match operation {
        Operation::Apply => shared::plan::desired_resources(design),
        Operation::Destroy => Vec::new(),
    };
    let (plan, observed) = provision::plan_against_account(
        state.network.as_ref(),
        &design.region,
        design_id,
        &desired,
        &state.settings.apply,
    )
    .await
    .map_err(|error| format!("could not read what the account holds: {error}"))?;
    let missing = provision::preflight(state.network.as_ref(), &design.region, &plan)
        .await
        .map_err(|error| format!("the preflight could not ask EC2: {error}"))?;
    if !missing.is_empty() {
        let actions: Vec<&str> = missing
            .iter()
            .flat_map(|m| m.actions.iter().copied())
            .collect();
        return Err(format!(
            "the server's AWS credentials lack permissions (nothing was changed): {}",
            actions.join(", ")
        ));
    }
    let journal = Arc::new(StoreJournal {
        store: state.store.clone(),
        deployment_id: deployment_id.to_string(),
    });
    let report = provision::apply_and_verify(
        state.network.clone(),
        journal,
        &design.region,
        Owner {
            design_id: design_id.to_string(),
            deployment_id: deployment_id.to_string(),
        },
        &desired,
        &plan,
        &observed,
        state.settings.apply.clone(),
    )
    .await;
    if report.succeeded() {
        Ok(report.summary())
    } else {
        Err(report.summary())
    }
}

/// Resumes what a stopped server left running: each deployment plans again from the account
/// and applies the rest.
pub async fn resume_interrupted(state: &AppState) -> Result<usize, crate::store::StoreError> {
    let interrupted = state.store.interrupted_deployments().await?;
    let mut resumed = 0;
    for (deployment_id, operation) in interrupted {
        let deployment = state.store.deployment(&deployment_id).await?;
        let document = state
            .store
            .revision_document(&deployment.design_id, deployment.design_revision)
            .await?;
        let Ok(design) = shared::spec::load_design(&document) else {
            state
                .store
                .finish_deployment(&deployment_id, "failed", "the design no longer loads")
                .await?;
            continue;
        };
        let operation = if operation == "destroy" {
            Operation::Destroy
        } else {
            Operation::Apply
        };
        tracing::info!(%deployment_id, "resuming an interrupted deployment");
        spawn_run(
            state,
            &deployment.design_id,
            &deployment_id,
            design,
            operation,
        );
        resumed += 1;
    }
    Ok(resumed)
}

/// A stored design, what it asks for, and what the account holds for it.
async fn design_against_account(
    state: &AppState,
    design_id: &str,
    operation: Operation,
) -> Result<
    (
        Design,
        Vec<shared::plan::DesiredResource>,
        shared::plan::Plan,
        Vec<shared::plan::ObservedResource>,
    ),
    ApiError,
> {
    let record = state
        .store
        .design(design_id)
        .await
        .map_err(|_| ApiError::not_found("design"))?;
    let design = shared::spec::load_design(&record.document).map_err(ApiError::internal)?;
    shared::limits::check(&design).map_err(ApiError::over_limits)?;
    let desired = match operation {
        Operation::Apply => shared::plan::desired_resources(&design),
        Operation::Destroy => Vec::new(),
    };
    let (plan, observed) = provision::plan_against_account(
        state.network.as_ref(),
        &design.region,
        design_id,
        &desired,
        &state.settings.apply,
    )
    .await
    .map_err(|error| {
        tracing::warn!(%error, "reading the account failed");
        ApiError::new(
            StatusCode::BAD_GATEWAY,
            "aws_unavailable",
            format!("could not read what the account holds: {error}"),
        )
    })?;
    Ok((design, desired, plan, observed))
}

/// What changed in the account outside Moat for a stored design.
pub async fn drift_for(
    state: &AppState,
    design_id: &str,
) -> Result<Vec<shared::plan::Drift>, ApiError> {
    let (_, desired, _, observed) =
        design_against_account(state, design_id, Operation::Apply).await?;
    Ok(shared::plan::drift(&desired, &observed))
}

/// The plan for a stored design against the account, without changing anything.
pub async fn plan_for(
    state: &AppState,
    design_id: &str,
    operation: Operation,
) -> Result<(Design, shared::plan::Plan), ApiError> {
    let (design, _, plan, _) = design_against_account(state, design_id, operation).await?;
    Ok((design, plan))
}
