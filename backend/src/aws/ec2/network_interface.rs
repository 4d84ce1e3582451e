//! A standalone network interface: created in its subnet behind its groups (with its fixed
//! address, if any); its groups and description change in place. An interface attached as an
//! instance's primary one (device 0) is the instance's, never read as one of these.

use aws_sdk_ec2::Client;
use aws_sdk_ec2::types::{AttributeValue, NetworkInterface};
use shared::plan::{ResourceKind, ResourceKind as K};

use super::Creating;
use super::calls::*;
use super::inventory::Inventory;
use crate::aws::sdk::service_error;
use crate::aws::{AwsError, ResolvedIds};

pub(super) async fn create(
    creating: Creating<'_>,
    subnet: &str,
    security_groups: &[String],
    private_ip: Option<&str>,
    description: &str,
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
    let groups = group_ids(ids, security_groups)?;
    let created = client
        .create_network_interface()
        .subnet_id(ids.get(K::Subnet, subnet)?)
        .set_groups((!groups.is_empty()).then_some(groups))
        .set_private_ip_address(private_ip.map(str::to_string))
        .set_description((!description.is_empty()).then(|| description.to_string()))
        .tag_specifications(tag_specification(K::NetworkInterface, tags))
        .client_token(client_token(tags))
        .send()
        .await
        .map_err(|e| service_error("CreateNetworkInterface", e))?;
    Ok(created
        .network_interface()
        .and_then(|i| i.network_interface_id())
        .ok_or(missing("CreateNetworkInterface", "an interface id"))?
        .to_string())
}

/// Sets its groups and description as designed (one call each: EC2 takes one attribute per
/// call).
pub(super) async fn update(
    client: &Client,
    ids: &ResolvedIds,
    security_groups: &[String],
    description: &str,
    aws_id: &str,
) -> Result<String, AwsError> {
    let groups = group_ids(ids, security_groups)?;
    if !groups.is_empty() {
        client
            .modify_network_interface_attribute()
            .network_interface_id(aws_id)
            .set_groups(Some(groups))
            .send()
            .await
            .map_err(|e| service_error("ModifyNetworkInterfaceAttribute", e))?;
    }
    client
        .modify_network_interface_attribute()
        .network_interface_id(aws_id)
        .description(AttributeValue::builder().value(description).build())
        .send()
        .await
        .map_err(|e| service_error("ModifyNetworkInterfaceAttribute", e))?;
    Ok(aws_id.to_string())
}

fn group_ids(ids: &ResolvedIds, security_groups: &[String]) -> Result<Vec<String>, AwsError> {
    security_groups
        .iter()
        .map(|group| ids.get(K::SecurityGroup, group).map(str::to_string))
        .collect()
}

pub(super) async fn delete(client: &Client, aws_id: &str) -> Result<(), AwsError> {
    client
        .delete_network_interface()
        .network_interface_id(aws_id)
        .send()
        .await
        .map(|_| ())
        .map_err(|e| service_error("DeleteNetworkInterface", e))
}

pub(super) async fn dry_run(client: &Client, deleting: bool) -> Result<(), AwsError> {
    if deleting {
        send_dry_run!(
            client
                .delete_network_interface()
                .network_interface_id("eni-00000000"),
            "DeleteNetworkInterface"
        )
    } else {
        send_dry_run!(
            client
                .create_network_interface()
                .subnet_id("subnet-00000000"),
            "CreateNetworkInterface"
        )
    }
}

/// Whether an interface is an instance's own primary one (launched with it, gone with it).
pub(in crate::aws) fn is_primary_of_an_instance(interface: &NetworkInterface) -> bool {
    interface
        .attachment()
        .is_some_and(|attachment| attachment.device_index() == Some(0))
}

/// Reads the design's interfaces (after its subnets and groups, which they name).
pub(super) async fn read(
    inventory: &mut Inventory,
    client: &Client,
    design_id: &str,
    kinds: &[ResourceKind],
) -> Result<(), AwsError> {
    if !kinds.contains(&K::NetworkInterface) {
        return Ok(());
    }
    let mut next_token: Option<String> = None;
    loop {
        let page = with_retries(|| async {
            client
                .describe_network_interfaces()
                .filters(design_filter(design_id))
                .set_next_token(next_token.clone())
                .send()
                .await
                .map_err(|e| service_error("DescribeNetworkInterfaces", e))
        })
        .await?;
        for interface in page.network_interfaces() {
            let (Some(logical_id), Some(id)) = (
                owned_by(interface.tag_set(), design_id),
                interface.network_interface_id(),
            ) else {
                continue;
            };
            if is_primary_of_an_instance(interface) {
                continue;
            }
            let mut groups: Vec<String> = interface
                .groups()
                .iter()
                .filter_map(|group| group.group_id())
                .map(|group| inventory.logical_of(group))
                .collect();
            groups.sort();
            let mut attributes = pairs([
                (
                    "subnet",
                    inventory.logical_of(interface.subnet_id().unwrap_or_default()),
                ),
                ("security_groups", groups.join(",")),
                (
                    "description",
                    interface.description().unwrap_or_default().to_string(),
                ),
            ]);
            if let Some(address) = interface.private_ip_address() {
                attributes.insert("private_ip".to_string(), address.to_string());
            }
            inventory.add(K::NetworkInterface, logical_id, id, attributes);
        }
        next_token = page.next_token().map(str::to_string);
        if next_token.is_none() {
            break;
        }
    }
    Ok(())
}
