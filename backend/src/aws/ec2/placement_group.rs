//! A placement group, named by its design and logical id (names are account-wide).

use aws_sdk_ec2::Client;
use aws_sdk_ec2::types::PlacementStrategy;
use shared::plan::{ResourceKind, ResourceKind as K};

use super::Creating;
use super::calls::*;
use super::inventory::Inventory;
use crate::aws::sdk::service_error;
use crate::aws::{AwsError, OwnershipTags};

pub(super) async fn create(creating: Creating<'_>, strategy: &str) -> Result<String, AwsError> {
    let Creating {
        client,
        tags,
        existing,
        ..
    } = creating;
    // Found by its tags on a retry: nothing else to do for it.
    if let Some(id) = existing {
        return Ok(id);
    }
    let name = placement_group_name(tags);
    let created = client
        .create_placement_group()
        .group_name(&name)
        .strategy(PlacementStrategy::from(strategy))
        .tag_specifications(tag_specification(K::PlacementGroup, tags))
        .send()
        .await
        .map_err(|e| service_error("CreatePlacementGroup", e));
    match created {
        Err(error) if error.code() == Some("InvalidPlacementGroup.Duplicate") => {}
        other => {
            other?;
        }
    }
    Ok(name)
}

pub(super) async fn delete(client: &Client, aws_id: &str) -> Result<(), AwsError> {
    client
        .delete_placement_group()
        .group_name(aws_id)
        .send()
        .await
        .map(|_| ())
        .map_err(|e| service_error("DeletePlacementGroup", e))
}

pub(super) async fn dry_run(client: &Client, deleting: bool) -> Result<(), AwsError> {
    let placeholder = "moat-dry-run";
    if deleting {
        send_dry_run!(
            client.delete_placement_group().group_name(placeholder),
            "DeletePlacementGroup"
        )
    } else {
        send_dry_run!(
            client
                .create_placement_group()
                .group_name(placeholder)
                .strategy(PlacementStrategy::Cluster),
            "CreatePlacementGroup"
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
    if wants(K::PlacementGroup) {
        let groups = with_retries(|| async {
            client
                .describe_placement_groups()
                .filters(design_filter(design_id))
                .send()
                .await
                .map_err(|e| service_error("DescribePlacementGroups", e))
        })
        .await?;
        for group in groups.placement_groups() {
            let (Some(logical_id), Some(name)) =
                (owned_by(group.tags(), design_id), group.group_name())
            else {
                continue;
            };
            if matches!(
                group.state().map(|s| s.as_str()),
                Some("deleted" | "deleting")
            ) {
                continue;
            }
            inventory.add(
                K::PlacementGroup,
                logical_id,
                name,
                pairs([(
                    "strategy",
                    group
                        .strategy()
                        .map(|s| s.as_str().to_string())
                        .unwrap_or_default(),
                )]),
            );
        }
    }
    Ok(())
}

/// Placement group names are account-wide: the design id keeps two designs apart.
fn placement_group_name(tags: &OwnershipTags) -> String {
    format!("moat-{}-{}", tags.design_id, tags.logical_id)
}
