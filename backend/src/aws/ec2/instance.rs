//! An instance (IMDSv2 only, EFA on request, in its placement group), waited on until terminated.

use aws_sdk_ec2::Client;
use aws_sdk_ec2::types::{
    HttpTokensState, InstanceMetadataEndpointState, InstanceMetadataOptionsRequest,
    InstanceNetworkInterfaceSpecification, InstanceType, Placement,
};
use shared::plan::{ResourceKind, ResourceKind as K};

use super::calls::*;
use super::inventory::Inventory;
use super::{Creating, Ec2Network};
use crate::aws::AwsError;
use crate::aws::sdk::service_error;

pub(super) async fn create(
    creating: Creating<'_>,
    subnet: &str,
    security_groups: &[String],
    placement_group: Option<&str>,
    instance_type: &str,
    image_id: &str,
    efa: bool,
) -> Result<String, AwsError> {
    let Creating {
        client,
        ids,
        tags,
        existing,
        ..
    } = creating;
    // Found by its tags on a retry: nothing else to do for it.
    if let Some(id) = existing {
        return Ok(id);
    }
    let group_ids = security_groups
        .iter()
        .map(|g| ids.get(K::SecurityGroup, g).map(str::to_string))
        .collect::<Result<Vec<_>, _>>()?;
    let mut interface = InstanceNetworkInterfaceSpecification::builder()
        .device_index(0)
        .subnet_id(ids.get(K::Subnet, subnet)?)
        .set_groups(Some(group_ids));
    if efa {
        interface = interface.interface_type("efa");
    }
    let mut request = client
        .run_instances()
        .image_id(image_id)
        .instance_type(InstanceType::from(instance_type))
        .min_count(1)
        .max_count(1)
        .client_token(client_token(tags))
        .network_interfaces(interface.build())
        .metadata_options(imdsv2_required())
        .tag_specifications(tag_specification(K::Instance, tags));
    if let Some(group) = placement_group {
        request = request.placement(
            Placement::builder()
                .group_name(ids.get(K::PlacementGroup, group)?)
                .build(),
        );
    }
    let answer = request
        .send()
        .await
        .map_err(|e| service_error("RunInstances", e))?;
    Ok(answer
        .instances()
        .first()
        .and_then(|i| i.instance_id())
        .ok_or(missing("RunInstances", "an instance id"))?
        .to_string())
}

pub(super) async fn delete(
    network: &Ec2Network,
    client: &Client,
    aws_id: &str,
) -> Result<(), AwsError> {
    client
        .terminate_instances()
        .instance_ids(aws_id)
        .send()
        .await
        .map_err(|e| service_error("TerminateInstances", e))?;
    network
        .wait_for("DescribeInstances", || async {
            let answer = with_retries(|| async {
                client
                    .describe_instances()
                    .instance_ids(aws_id)
                    .send()
                    .await
                    .map_err(|e| service_error("DescribeInstances", e))
            })
            .await?;
            let state = answer
                .reservations()
                .iter()
                .flat_map(|r| r.instances())
                .find_map(|i| i.state().and_then(|s| s.name()))
                .map(|s| s.as_str().to_string());
            Ok(matches!(state.as_deref(), None | Some("terminated")).then_some(()))
        })
        .await
}

pub(super) async fn dry_run(client: &Client, deleting: bool) -> Result<(), AwsError> {
    if deleting {
        send_dry_run!(
            client.terminate_instances().instance_ids("i-00000000"),
            "TerminateInstances"
        )
    } else {
        send_dry_run!(
            client
                .run_instances()
                .image_id("ami-00000000")
                .min_count(1)
                .max_count(1),
            "RunInstances"
        )
    }
}

pub(super) async fn read(
    inventory: &mut Inventory,
    client: &Client,
    design_id: &str,
    kinds: &[ResourceKind],
) -> Result<(), AwsError> {
    let wants = |kind: ResourceKind| kinds.contains(&kind);
    if wants(K::Instance) {
        let reservations = with_retries(|| async {
            client
                .describe_instances()
                .filters(design_filter(design_id))
                .send()
                .await
                .map_err(|e| service_error("DescribeInstances", e))
        })
        .await?;
        for instance in reservations
            .reservations()
            .iter()
            .flat_map(|r| r.instances())
        {
            let (Some(logical_id), Some(id)) =
                (owned_by(instance.tags(), design_id), instance.instance_id())
            else {
                continue;
            };
            if matches!(
                instance.state().and_then(|s| s.name()).map(|s| s.as_str()),
                Some("terminated" | "shutting-down")
            ) {
                continue;
            }
            let subnet = inventory.logical_of(instance.subnet_id().unwrap_or_default());
            inventory.add(
                K::Instance,
                logical_id,
                id,
                pairs([
                    ("subnet", subnet),
                    (
                        "instance_type",
                        instance
                            .instance_type()
                            .map(|t| t.as_str().to_string())
                            .unwrap_or_default(),
                    ),
                    (
                        "image_id",
                        instance.image_id().unwrap_or_default().to_string(),
                    ),
                ]),
            );
        }
    }
    Ok(())
}

/// Instances Moat launches accept only IMDSv2 (session tokens) on their metadata endpoint; two
/// hops, so a training job in a container on the instance still reaches it.
fn imdsv2_required() -> InstanceMetadataOptionsRequest {
    InstanceMetadataOptionsRequest::builder()
        .http_endpoint(InstanceMetadataEndpointState::Enabled)
        .http_tokens(HttpTokensState::Required)
        .http_put_response_hop_limit(shared::plan::INSTANCE_METADATA_HOP_LIMIT)
        .build()
}
