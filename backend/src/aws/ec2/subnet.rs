//! A subnet: created in its VPC and zone; whether it maps public IPs changes in place.

use aws_sdk_ec2::Client;
use shared::plan::{ResourceKind, ResourceKind as K};

use super::calls::*;
use super::inventory::Inventory;
use super::{Creating, Ec2Network};
use crate::aws::AwsError;
use crate::aws::sdk::service_error;

pub(super) async fn create(
    creating: Creating<'_>,
    vpc: &str,
    cidr_block: &str,
    availability_zone: &str,
    map_public_ip: bool,
) -> Result<String, AwsError> {
    let Creating {
        network,
        client,
        ids,
        tags,
        existing,
    } = creating;
    let subnet_id = match existing {
        Some(id) => id,
        None => client
            .create_subnet()
            .vpc_id(ids.get(K::Vpc, vpc)?)
            .cidr_block(cidr_block)
            .availability_zone(availability_zone)
            .tag_specifications(tag_specification(K::Subnet, tags))
            .send()
            .await
            .map_err(|e| service_error("CreateSubnet", e))?
            .subnet()
            .and_then(|s| s.subnet_id())
            .ok_or(missing("CreateSubnet", "a subnet id"))?
            .to_string(),
    };
    if map_public_ip {
        network.set_map_public_ip(client, &subnet_id, true).await?;
    }
    Ok(subnet_id)
}

pub(super) async fn update(
    network: &Ec2Network,
    client: &Client,
    map_public_ip: bool,
    aws_id: &str,
) -> Result<String, AwsError> {
    network
        .set_map_public_ip(client, aws_id, map_public_ip)
        .await?;
    Ok(aws_id.to_string())
}

pub(super) async fn delete(client: &Client, aws_id: &str) -> Result<(), AwsError> {
    client
        .delete_subnet()
        .subnet_id(aws_id)
        .send()
        .await
        .map(|_| ())
        .map_err(|e| service_error("DeleteSubnet", e))
}

pub(super) async fn dry_run(client: &Client, deleting: bool) -> Result<(), AwsError> {
    if deleting {
        send_dry_run!(
            client.delete_subnet().subnet_id("subnet-00000000"),
            "DeleteSubnet"
        )
    } else {
        send_dry_run!(
            client
                .create_subnet()
                .vpc_id("vpc-00000000")
                .cidr_block("10.0.0.0/24"),
            "CreateSubnet"
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
    if wants(K::Subnet) {
        let subnets = with_retries(|| async {
            client
                .describe_subnets()
                .filters(design_filter(design_id))
                .send()
                .await
                .map_err(|e| service_error("DescribeSubnets", e))
        })
        .await?;
        for subnet in subnets.subnets() {
            let (Some(logical_id), Some(id)) =
                (owned_by(subnet.tags(), design_id), subnet.subnet_id())
            else {
                continue;
            };
            let vpc = inventory.logical_of(subnet.vpc_id().unwrap_or_default());
            inventory.add(
                K::Subnet,
                logical_id,
                id,
                pairs([
                    ("vpc", vpc),
                    (
                        "cidr_block",
                        subnet.cidr_block().unwrap_or_default().to_string(),
                    ),
                    (
                        "availability_zone",
                        subnet.availability_zone().unwrap_or_default().to_string(),
                    ),
                    (
                        "map_public_ip",
                        subnet
                            .map_public_ip_on_launch()
                            .unwrap_or(false)
                            .to_string(),
                    ),
                ]),
            );
        }
    }
    Ok(())
}

impl Ec2Network {
    async fn set_map_public_ip(
        &self,
        client: &Client,
        subnet_id: &str,
        value: bool,
    ) -> Result<(), AwsError> {
        client
            .modify_subnet_attribute()
            .subnet_id(subnet_id)
            .map_public_ip_on_launch(flag(value))
            .send()
            .await
            .map_err(|e| service_error("ModifySubnetAttribute", e))?;
        Ok(())
    }
}
