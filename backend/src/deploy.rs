//! Running a deployment: the design must validate without errors; then VPCs and their subnets
//! are created in dependency order, each AWS id journaled right after its call.
//!
//! This is the thin slice: VPCs and subnets only. Objects of other kinds are listed in the
//! deployment's message as not deployed, never silently skipped.

use std::collections::HashMap;

use axum::http::StatusCode;
use serde_json::json;

use crate::AppState;
use crate::api::ApiError;
use crate::auth;
use crate::aws::{OwnershipTags, SubnetRequest, VpcRequest};
use crate::store::User;
use shared::Design;

/// Validates the stored design and starts deploying it in the background; returns its id.
pub async fn start(state: &AppState, design_id: &str, user: &User) -> Result<String, ApiError> {
    let record = state
        .store
        .design(design_id)
        .await
        .map_err(|_| ApiError::not_found("design"))?;
    let design = shared::spec::load_design(&record.document).map_err(ApiError::internal)?;
    let errors: Vec<_> = shared::validate(&design)
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
    let deployment_id = format!("dep-{}", &auth::new_token()[..16]);
    state
        .store
        .create_deployment(&deployment_id, design_id, record.revision, user.id)
        .await?;
    tracing::info!(%deployment_id, %design_id, user = %user.name, "deployment started");
    let state = state.clone();
    let design_id = design_id.to_string();
    let spawned_id = deployment_id.clone();
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
    Ok(deployment_id)
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
