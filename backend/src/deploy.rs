//! Running a deployment: the design must validate without errors; then VPCs and their subnets
//! are created in dependency order, each AWS id journaled right after its call.
//!
//! This is the thin slice: VPCs and subnets only. Objects of other kinds are listed in the
//! deployment's message as not deployed, never silently skipped.
//!
//! The two-person rule: a deployment to a protected target (a region listed in the server's
//! settings) is recorded as `awaiting_approval` with the hash of exactly what was requested; a
//! different deployer's approval starts it, and only if the design is still that revision.

use std::collections::HashMap;

use axum::http::StatusCode;
use serde_json::json;

use crate::AppState;
use crate::api::ApiError;
use crate::auth;
use crate::aws::{OwnershipTags, SubnetRequest, VpcRequest};
use crate::store::User;
use shared::Design;

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
pub async fn start(state: &AppState, design_id: &str, user: &User) -> Result<Started, ApiError> {
    let record = state
        .store
        .design(design_id)
        .await
        .map_err(|_| ApiError::not_found("design"))?;
    let design = shared::spec::load_design(&record.document).map_err(ApiError::internal)?;
    check_design(&design)?;
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
    if protected {
        tracing::info!(%deployment_id, %design_id, user = %user.name, "deployment awaits a second deployer");
        return Ok(Started {
            deployment_id,
            status,
            plan_hash,
        });
    }
    tracing::info!(%deployment_id, %design_id, user = %user.name, "deployment started");
    spawn_run(state, design_id, &deployment_id, design);
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
    check_design(&design)?;
    state
        .store
        .approve_deployment(deployment_id, approver.id)
        .await?;
    tracing::info!(%deployment_id, approver = %approver.name, "deployment approved and started");
    spawn_run(state, &deployment.design_id, deployment_id, design);
    Ok(Started {
        deployment_id: deployment_id.to_string(),
        status: "running",
        plan_hash: deployment.plan_hash,
    })
}

/// Runs the deployment in the background and records how it ended.
fn spawn_run(state: &AppState, design_id: &str, deployment_id: &str, design: Design) {
    let state = state.clone();
    let design_id = design_id.to_string();
    let spawned_id = deployment_id.to_string();
    tokio::spawn(async move {
        let outcome = run(&state, &design_id, &spawned_id, &design).await;
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

async fn run(
    state: &AppState,
    design_id: &str,
    deployment_id: &str,
    design: &Design,
) -> Result<String, String> {
    let tags = |logical_id: &str, name: &str| OwnershipTags {
        design_id: design_id.to_string(),
        logical_id: logical_id.to_string(),
        deployment_id: deployment_id.to_string(),
        name: if name.is_empty() {
            logical_id.to_string()
        } else {
            name.to_string()
        },
    };
    let journal_error =
        |error: crate::store::StoreError| format!("could not journal a created resource: {error}");
    let mut vpc_aws_ids: HashMap<&str, String> = HashMap::new();
    for vpc in &design.vpcs {
        let request = VpcRequest {
            cidr_block: vpc.cidr_blocks.first().cloned().unwrap_or_default(),
            enable_dns_support: vpc.enable_dns_support,
            enable_dns_hostnames: vpc.enable_dns_hostnames,
        };
        let aws_id = state
            .network
            .create_vpc(&design.region, &request, &tags(&vpc.id, &vpc.name))
            .await
            .map_err(|error| format!("VPC {}: {error}", vpc.id))?;
        state
            .store
            .record_resource(deployment_id, &vpc.id, "vpc", &aws_id)
            .await
            .map_err(journal_error)?;
        vpc_aws_ids.insert(vpc.id.as_str(), aws_id);
    }
    for subnet in &design.subnets {
        let vpc_aws_id = vpc_aws_ids.get(subnet.vpc.as_str()).ok_or_else(|| {
            format!(
                "subnet {}: its VPC {} was not created",
                subnet.id, subnet.vpc
            )
        })?;
        let request = SubnetRequest {
            vpc_aws_id: vpc_aws_id.clone(),
            cidr_block: subnet.cidr.clone(),
            availability_zone: subnet.availability_zone.clone(),
            map_public_ip_on_launch: subnet.map_public_ip_on_launch,
        };
        let aws_id = state
            .network
            .create_subnet(&design.region, &request, &tags(&subnet.id, &subnet.id))
            .await
            .map_err(|error| format!("subnet {}: {error}", subnet.id))?;
        state
            .store
            .record_resource(deployment_id, &subnet.id, "subnet", &aws_id)
            .await
            .map_err(journal_error)?;
    }
    let created = design.vpcs.len() + design.subnets.len();
    let not_deployed = design.object_ids().len() - created;
    Ok(if not_deployed == 0 {
        format!("created {created} resource(s)")
    } else {
        format!(
            "created {created} resource(s); {not_deployed} object(s) of other kinds are not deployed yet"
        )
    })
}
