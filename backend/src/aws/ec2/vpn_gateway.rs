//! A virtual private gateway, attached to its VPC (detached before it is deleted).

use std::collections::BTreeMap;

use aws_sdk_ec2::Client;
use aws_sdk_ec2::types::GatewayType;
use shared::plan::{ResourceKind, ResourceKind as K};

use super::Creating;
use super::calls::*;
use super::inventory::Inventory;
use crate::aws::AwsError;
use crate::aws::sdk::service_error;

pub(super) async fn create(
    creating: Creating<'_>,
    vpc: &str,
    amazon_side_asn: u32,
) -> Result<String, AwsError> {
    let Creating {
        client,
        ids,
        tags,
        existing,
        ..
    } = creating;
    let gateway_id = match existing {
        Some(existing) => existing,
        None => client
            .create_vpn_gateway()
            .r#type(GatewayType::Ipsec1)
            .amazon_side_asn(i64::from(amazon_side_asn))
            .tag_specifications(tag_specification(K::VpnGateway, tags))
            .send()
            .await
            .map_err(|e| service_error("CreateVpnGateway", e))?
            .vpn_gateway()
            .and_then(|g| g.vpn_gateway_id())
            .ok_or(missing("CreateVpnGateway", "a gateway id"))?
            .to_string(),
    };
    let attached = client
        .attach_vpn_gateway()
        .vpn_gateway_id(&gateway_id)
        .vpc_id(ids.get(K::Vpc, vpc)?)
        .send()
        .await
        .map_err(|e| service_error("AttachVpnGateway", e));
    match attached {
        Err(error)
            if matches!(
                error.code(),
                Some("Resource.AlreadyAssociated" | "VpnGatewayAttachmentLimitExceeded")
            ) => {}
        other => {
            other?;
        }
    }
    Ok(gateway_id)
}

pub(super) async fn delete(
    client: &Client,
    aws_id: &str,
    observed: &BTreeMap<String, String>,
) -> Result<(), AwsError> {
    let hidden = |name: &str| observed.get(name).cloned().unwrap_or_default();

    let vpc_id = hidden("_vpc_id");
    if !vpc_id.is_empty() {
        let detached = client
            .detach_vpn_gateway()
            .vpn_gateway_id(aws_id)
            .vpc_id(&vpc_id)
            .send()
            .await
            .map_err(|e| service_error("DetachVpnGateway", e));
        match detached {
            Err(error)
                if already_gone(&error)
                    || error.code() == Some("InvalidVpnGatewayAttachment.NotFound") => {}
            other => {
                other?;
            }
        }
    }
    client
        .delete_vpn_gateway()
        .vpn_gateway_id(aws_id)
        .send()
        .await
        .map(|_| ())
        .map_err(|e| service_error("DeleteVpnGateway", e))
}

pub(super) async fn dry_run(client: &Client, deleting: bool) -> Result<(), AwsError> {
    if deleting {
        send_dry_run!(
            client.delete_vpn_gateway().vpn_gateway_id("vgw-00000000"),
            "DeleteVpnGateway"
        )
    } else {
        send_dry_run!(
            client.create_vpn_gateway().r#type(GatewayType::Ipsec1),
            "CreateVpnGateway"
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
    if wants(K::VpnGateway) {
        let gateways = with_retries(|| async {
            client
                .describe_vpn_gateways()
                .filters(design_filter(design_id))
                .send()
                .await
                .map_err(|e| service_error("DescribeVpnGateways", e))
        })
        .await?;
        for gateway in gateways.vpn_gateways() {
            let (Some(logical_id), Some(id)) = (
                owned_by(gateway.tags(), design_id),
                gateway.vpn_gateway_id(),
            ) else {
                continue;
            };
            if matches!(
                gateway.state().map(|s| s.as_str()),
                Some("deleted" | "deleting")
            ) {
                continue;
            }
            let vpc_id = gateway
                .vpc_attachments()
                .iter()
                .find(|a| {
                    matches!(
                        a.state().map(|s| s.as_str()),
                        Some("attached" | "attaching")
                    )
                })
                .and_then(|a| a.vpc_id())
                .unwrap_or_default()
                .to_string();
            let vpc = inventory.logical_of(&vpc_id);
            inventory.add(
                K::VpnGateway,
                logical_id,
                id,
                pairs([
                    ("vpc", vpc),
                    (
                        "amazon_side_asn",
                        gateway.amazon_side_asn().unwrap_or_default().to_string(),
                    ),
                    ("_vpc_id", vpc_id),
                ]),
            );
        }
    }
    Ok(())
}
