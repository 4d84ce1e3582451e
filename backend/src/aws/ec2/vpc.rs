//! A VPC: created with its DNS attributes, which change in place.

use aws_sdk_ec2::Client;
use shared::plan::{ResourceKind, ResourceKind as K};

use super::calls::*;
use super::inventory::Inventory;
use super::{Creating, Ec2Network};
use crate::aws::AwsError;
use crate::aws::sdk::service_error;

pub(super) async fn create(
    creating: Creating<'_>,
    cidr_block: &str,
    dns_support: bool,
    dns_hostnames: bool,
    tenancy: Option<&str>,
) -> Result<String, AwsError> {
    let Creating {
        network,
        client,
        tags,
        existing,
        ..
    } = creating;
    let vpc_id = match existing {
        Some(id) => id,
        None => client
            .create_vpc()
            .cidr_block(cidr_block)
            .set_instance_tenancy(tenancy.map(aws_sdk_ec2::types::Tenancy::from))
            .tag_specifications(tag_specification(K::Vpc, tags))
            .send()
            .await
            .map_err(|e| service_error("CreateVpc", e))?
            .vpc()
            .and_then(|v| v.vpc_id())
            .ok_or(missing("CreateVpc", "a VPC id"))?
            .to_string(),
    };
    network
        .set_vpc_dns(client, &vpc_id, dns_support, dns_hostnames)
        .await?;
    Ok(vpc_id)
}

pub(super) async fn update(
    network: &Ec2Network,
    client: &Client,
    dns_support: bool,
    dns_hostnames: bool,
    aws_id: &str,
) -> Result<String, AwsError> {
    network
        .set_vpc_dns(client, aws_id, dns_support, dns_hostnames)
        .await?;
    Ok(aws_id.to_string())
}

pub(super) async fn delete(client: &Client, aws_id: &str) -> Result<(), AwsError> {
    client
        .delete_vpc()
        .vpc_id(aws_id)
        .send()
        .await
        .map(|_| ())
        .map_err(|e| service_error("DeleteVpc", e))
}

pub(super) async fn dry_run(client: &Client, deleting: bool) -> Result<(), AwsError> {
    if deleting {
        send_dry_run!(client.delete_vpc().vpc_id("vpc-00000000"), "DeleteVpc")
    } else {
        send_dry_run!(client.create_vpc().cidr_block("10.0.0.0/16"), "CreateVpc")
    }
}

pub(super) async fn read(
    inventory: &mut Inventory,
    client: &Client,
    design_id: &str,
    kinds: &[ResourceKind],
) -> Result<(), AwsError> {
    let wants = |kind: ResourceKind| kinds.contains(&kind);
    let mut vpc_rows = Vec::new();
    // A DHCP options association and the secondary blocks are the VPC's own attributes:
    // read with it.
    if wants(K::Vpc) || wants(K::DhcpOptionsAssociation) || wants(K::VpcCidrBlock) {
        let vpcs = with_retries(|| async {
            client
                .describe_vpcs()
                .filters(design_filter(design_id))
                .send()
                .await
                .map_err(|e| service_error("DescribeVpcs", e))
        })
        .await?;
        if wants(K::VpcCidrBlock) {
            super::vpc_cidr_block::read(inventory, vpcs.vpcs(), design_id);
        }
        for vpc in vpcs.vpcs() {
            let (Some(logical_id), Some(vpc_id)) = (owned_by(vpc.tags(), design_id), vpc.vpc_id())
            else {
                continue;
            };
            // The set it uses, for the DHCP options associations (read with the sets).
            if let Some(set_id) = vpc.dhcp_options_id() {
                inventory.vpc_dhcp_options.push((
                    logical_id.to_string(),
                    vpc_id.to_string(),
                    set_id.to_string(),
                ));
            }
            vpc_rows.push((
                logical_id.to_string(),
                vpc_id.to_string(),
                vpc.cidr_block().unwrap_or_default().to_string(),
                vpc.instance_tenancy()
                    .map(|t| t.as_str().to_string())
                    .filter(|t| t != "default"),
            ));
        }
    }
    for (logical_id, vpc_id, cidr, tenancy) in &vpc_rows {
        let support = with_retries(|| async {
            client
                .describe_vpc_attribute()
                .vpc_id(vpc_id)
                .attribute(aws_sdk_ec2::types::VpcAttributeName::EnableDnsSupport)
                .send()
                .await
                .map_err(|e| service_error("DescribeVpcAttribute", e))
        })
        .await?
        .enable_dns_support()
        .and_then(|v| v.value())
        .unwrap_or(true);
        let hostnames = with_retries(|| async {
            client
                .describe_vpc_attribute()
                .vpc_id(vpc_id)
                .attribute(aws_sdk_ec2::types::VpcAttributeName::EnableDnsHostnames)
                .send()
                .await
                .map_err(|e| service_error("DescribeVpcAttribute", e))
        })
        .await?
        .enable_dns_hostnames()
        .and_then(|v| v.value())
        .unwrap_or(false);
        inventory.add(
            K::Vpc,
            logical_id,
            vpc_id,
            pairs([
                ("cidr_block", cidr.clone()),
                ("dns_support", support.to_string()),
                ("dns_hostnames", hostnames.to_string()),
            ])
            .into_iter()
            .chain(tenancy.clone().map(|t| ("tenancy".to_string(), t)))
            .collect(),
        );
    }
    Ok(())
}

impl Ec2Network {
    async fn set_vpc_dns(
        &self,
        client: &Client,
        vpc_id: &str,
        dns_support: bool,
        dns_hostnames: bool,
    ) -> Result<(), AwsError> {
        // EC2 takes one attribute per ModifyVpcAttribute call.
        client
            .modify_vpc_attribute()
            .vpc_id(vpc_id)
            .enable_dns_support(flag(dns_support))
            .send()
            .await
            .map_err(|e| service_error("ModifyVpcAttribute", e))?;
        client
            .modify_vpc_attribute()
            .vpc_id(vpc_id)
            .enable_dns_hostnames(flag(dns_hostnames))
            .send()
            .await
            .map_err(|e| service_error("ModifyVpcAttribute", e))?;
        Ok(())
    }
}
