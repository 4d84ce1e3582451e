//! The one deploy workflow, for the server's deployments and `moat apply/destroy` alike:
//! validate → plan against the account → preflight → apply and verify. The caller watches
//! it through a [`Supervisor`] (the CLI prints the plan and asks; the server goes on) and
//! through the applier's [`Journal`].
//!
//! Invariant: nothing in the account changes before the design validated (for an apply), the
//! plan was made from what the account holds, and the preflight found every permission.

use std::sync::Arc;

use shared::Design;
use shared::plan::{DesiredResource, ObservedResource, Plan};

use crate::aws::{AwsError, NetworkApi};
use crate::provision::{self, ApplyOptions, ApplyReport, Journal, MissingPermission, Owner};

/// What a deployment does (the wire's and the store's type).
pub use shared::api::DeploymentOperation as Operation;

/// What the operation wants in the account: the design's resources, or nothing.
pub fn desired(operation: Operation, design: &Design) -> Vec<DesiredResource> {
    match operation {
        Operation::Apply => shared::plan::desired_resources(design),
        Operation::Destroy => Vec::new(),
    }
}

/// Why the workflow stopped before or instead of applying.
#[derive(Debug, thiserror::Error)]
pub enum WorkflowError {
    #[error(
        "the design has {} error(s); fix them before deploying (first: {})",
        .0.len(),
        .0.first().map(|d| d.message.as_str()).unwrap_or_default()
    )]
    DesignHasErrors(Vec<shared::Diagnostic>),
    #[error("{0}")]
    OverLimits(#[from] shared::limits::OverLimits),
    #[error("could not read what the account holds: {0}")]
    AccountUnreadable(AwsError),
    #[error("the preflight could not ask EC2: {0}")]
    PreflightFailed(AwsError),
    #[error(
        "the AWS credentials lack permissions (nothing was changed): {}",
        .0.iter().flat_map(|m| m.actions.iter().copied()).collect::<Vec<_>>().join(", ")
    )]
    MissingPermissions(Vec<MissingPermission>),
}

/// Whether the workflow goes on at a checkpoint.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Go {
    On,
    Stop,
}

/// Who watches the workflow at its checkpoints. The defaults go on.
pub trait Supervisor: Sync {
    /// The plan is made (before the preflight).
    fn planned(&self, _plan: &Plan) -> Go {
        Go::On
    }

    /// The preflight found every permission: the last moment before the account changes.
    fn cleared(&self, _plan: &Plan) -> Go {
        Go::On
    }
}

/// A supervisor that never stops the workflow (the server's deployments).
pub struct Unattended;

impl Supervisor for Unattended {}

/// How the workflow ended, when it did not fail.
pub enum Outcome {
    /// The plan was applied and the account read back.
    Applied(ApplyReport),
    /// The supervisor stopped it at a checkpoint; nothing was changed.
    Stopped(Plan),
}

/// An apply is refused while the design has errors; a destroy never is (it only deletes).
pub fn check_design(design: &Design, operation: Operation) -> Result<(), WorkflowError> {
    shared::limits::check(design)?;
    if operation == Operation::Destroy {
        return Ok(());
    }
    let errors: Vec<_> = shared::validate(design)
        .into_iter()
        .filter(|d| d.is_error())
        .collect();
    if errors.is_empty() {
        Ok(())
    } else {
        Err(WorkflowError::DesignHasErrors(errors))
    }
}

/// What the design asks for and what the account holds for it, planned.
pub struct Planned {
    pub desired: Vec<DesiredResource>,
    pub plan: Plan,
    pub observed: Vec<ObservedResource>,
}

/// Plans a design against the account, changing nothing.
pub async fn plan(
    network: &dyn NetworkApi,
    design: &Design,
    design_id: &str,
    operation: Operation,
    options: &ApplyOptions,
) -> Result<Planned, WorkflowError> {
    shared::limits::check(design)?;
    plan_within_limits(network, design, design_id, operation, options).await
}

/// [`plan`] for a design already checked against the limits.
async fn plan_within_limits(
    network: &dyn NetworkApi,
    design: &Design,
    design_id: &str,
    operation: Operation,
    options: &ApplyOptions,
) -> Result<Planned, WorkflowError> {
    let desired = desired(operation, design);
    let (plan, observed) =
        provision::plan_against_account(network, &design.region, design_id, &desired, options)
            .await
            .map_err(WorkflowError::AccountUnreadable)?;
    Ok(Planned {
        desired,
        plan,
        observed,
    })
}

/// The whole workflow: validate, plan, preflight, apply and verify.
pub async fn deploy_once(
    network: Arc<dyn NetworkApi>,
    journal: Arc<dyn Journal>,
    design: &Design,
    owner: Owner,
    operation: Operation,
    options: ApplyOptions,
    supervisor: &dyn Supervisor,
) -> Result<Outcome, WorkflowError> {
    check_design(design, operation)?;
    let planned = plan_within_limits(
        network.as_ref(),
        design,
        &owner.design_id,
        operation,
        &options,
    )
    .await?;
    if supervisor.planned(&planned.plan) == Go::Stop {
        return Ok(Outcome::Stopped(planned.plan));
    }
    let missing = provision::preflight(network.as_ref(), &design.region, &planned.plan)
        .await
        .map_err(WorkflowError::PreflightFailed)?;
    if !missing.is_empty() {
        return Err(WorkflowError::MissingPermissions(missing));
    }
    if supervisor.cleared(&planned.plan) == Go::Stop {
        return Ok(Outcome::Stopped(planned.plan));
    }
    let report = provision::apply_and_verify(
        network,
        journal,
        &design.region,
        owner,
        &planned.desired,
        &planned.plan,
        &planned.observed,
        options,
    )
    .await;
    Ok(Outcome::Applied(report))
}
