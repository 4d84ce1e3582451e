//! A NAT gateway and the Elastic IP it holds; the gateway is waited on until available or deleted.

use std::collections::BTreeMap;

use aws_sdk_ec2::Client;
use aws_sdk_ec2::types::ConnectivityType;
use aws_sdk_ec2::types::DomainType;
use shared::plan::{ResourceKind, ResourceKind as K};

use super::calls::*;
use super::inventory::Inventory;
use super::{Creating, Ec2Network};
use crate::aws::AwsError;
use crate::aws::sdk::service_error;

pub(super) async fn create_address(creating: Creating<'_>) -> Result<String, AwsError> {
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
    Ok(client
        .allocate_address()
        .domain(DomainType::Vpc)
        .tag_specifications(tag_specification(K::ElasticIp, tags))
        .send()
        .await
        .map_err(|e| service_error("AllocateAddress", e))?
        .allocation_id()
        .ok_or(missing("AllocateAddress", "an allocation id"))?
        .to_string())
}

pub(super) async fn create(
    creating: Creating<'_>,
    subnet: &str,
    elastic_ip: Option<&str>,
) -> Result<String, AwsError> {
    let Creating {
        network,
        client,
        ids,
        tags,
        existing,
    } = creating;
    // A public gateway takes its Elastic IP; a private one has no public address at all.
    let (allocation, connectivity) = match elastic_ip {
        Some(address) => (
            Some(ids.get(K::ElasticIp, address)?.to_string()),
            ConnectivityType::Public,
        ),
        None => (None, ConnectivityType::Private),
    };
    let nat_id = match existing {
        Some(id) => id,
        None => client
            .create_nat_gateway()
            .subnet_id(ids.get(K::Subnet, subnet)?)
            .set_allocation_id(allocation)
            .connectivity_type(connectivity)
            .client_token(client_token(tags))
            .tag_specifications(tag_specification(K::NatGateway, tags))
            .send()
            .await
            .map_err(|e| service_error("CreateNatGateway", e))?
            .nat_gateway()
            .and_then(|n| n.nat_gateway_id())
            .ok_or(missing("CreateNatGateway", "a NAT gateway id"))?
            .to_string(),
    };
    network.wait_nat(client, &nat_id, "available").await?;
    Ok(nat_id)
}

pub(super) async fn delete_address(client: &Client, aws_id: &str) -> Result<(), AwsError> {
    client
        .release_address()
        .allocation_id(aws_id)
        .send()
        .await
        .map(|_| ())
        .map_err(|e| service_error("ReleaseAddress", e))
}

pub(super) async fn delete(
    network: &Ec2Network,
    client: &Client,
    aws_id: &str,
) -> Result<(), AwsError> {
    client
        .delete_nat_gateway()
        .nat_gateway_id(aws_id)
        .send()
        .await
        .map_err(|e| service_error("DeleteNatGateway", e))?;
    network.wait_nat(client, aws_id, "deleted").await
}

pub(super) async fn dry_run_address(client: &Client, deleting: bool) -> Result<(), AwsError> {
    if deleting {
        send_dry_run!(
            client.release_address().allocation_id("eipalloc-00000000"),
            "ReleaseAddress"
        )
    } else {
        send_dry_run!(
            client.allocate_address().domain(DomainType::Vpc),
            "AllocateAddress"
        )
    }
}

pub(super) async fn dry_run(client: &Client, deleting: bool) -> Result<(), AwsError> {
    if deleting {
        send_dry_run!(
            client.delete_nat_gateway().nat_gateway_id("nat-00000000"),
            "DeleteNatGateway"
        )
    } else {
        send_dry_run!(
            client
                .create_nat_gateway()
                .subnet_id("subnet-00000000")
                .allocation_id("eipalloc-00000000"),
            "CreateNatGateway"
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
    let mut nat_rows = Vec::new();
    if wants(K::NatGateway) || wants(K::Route) {
        let nats = with_retries(|| async {
            client
                .describe_nat_gateways()
                .filter(design_filter(design_id))
                .send()
                .await
                .map_err(|e| service_error("DescribeNatGateways", e))
        })
        .await?;
        for nat in nats.nat_gateways() {
            let (Some(logical_id), Some(id)) =
                (owned_by(nat.tags(), design_id), nat.nat_gateway_id())
            else {
                continue;
            };
            if matches!(
                nat.state().map(|s| s.as_str()),
                Some("deleted" | "deleting" | "failed")
            ) {
                continue;
            }
            nat_rows.push((
                logical_id.to_string(),
                id.to_string(),
                nat.subnet_id().unwrap_or_default().to_string(),
                nat.connectivity_type() == Some(&ConnectivityType::Private),
            ));
        }
    }
    for (logical_id, id, subnet_id, private) in &nat_rows {
        let subnet = inventory.logical_of(subnet_id);
        let mut attributes = pairs([("subnet", subnet)]);
        if *private {
            attributes.insert("connectivity".to_string(), "private".to_string());
        }
        inventory.add(K::NatGateway, logical_id, id, attributes);
    }
    Ok(())
}

pub(super) async fn read_addresses(
    inventory: &mut Inventory,
    client: &Client,
    design_id: &str,
    kinds: &[ResourceKind],
) -> Result<(), AwsError> {
    let wants = |kind: ResourceKind| kinds.contains(&kind);
    if wants(K::ElasticIp) {
        let addresses = with_retries(|| async {
            client
                .describe_addresses()
                .filters(design_filter(design_id))
                .send()
                .await
                .map_err(|e| service_error("DescribeAddresses", e))
        })
        .await?;
        for address in addresses.addresses() {
            let (Some(logical_id), Some(id)) =
                (owned_by(address.tags(), design_id), address.allocation_id())
            else {
                continue;
            };
            inventory.add(K::ElasticIp, logical_id, id, BTreeMap::new());
        }
    }
    Ok(())
}

impl Ec2Network {
    async fn wait_nat(&self, client: &Client, nat_id: &str, wanted: &str) -> Result<(), AwsError> {
        self.wait_for("DescribeNatGateways", || async {
            let answer = client
                .describe_nat_gateways()
                .nat_gateway_ids(nat_id)
                .send()
                .await
                .map_err(|e| service_error("DescribeNatGateways", e));
            let answer = match answer {
                Err(error) if error.is_not_found() && wanted == "deleted" => return Ok(Some(())),
                other => other?,
            };
            let state = answer
                .nat_gateways()
                .first()
                .and_then(|n| n.state())
                .map(|s| s.as_str().to_string());
            match state.as_deref() {
                None if wanted == "deleted" => Ok(Some(())),
                Some(state) if state == wanted => Ok(Some(())),
                Some("failed") if wanted == "available" => Err(AwsError::Service {
                    endpoint: None,
                    request_id: Default::default(),
                    status: Default::default(),
                    operation: "CreateNatGateway",
                    code: "NatGatewayFailed".into(),
                    message: format!("NAT gateway {nat_id} failed"),
                }),
                _ => Ok(None),
            }
        })
        .await
    }
}
