//! A customer gateway: the on-premises end of a site-to-site VPN.

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
    ip_address: &str,
    bgp_asn: u32,
) -> Result<String, AwsError> {
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
    let created = client
        .create_customer_gateway()
        .r#type(GatewayType::Ipsec1)
        .ip_address(ip_address)
        .bgp_asn(i32::try_from(bgp_asn).unwrap_or(i32::MAX))
        .tag_specifications(tag_specification(K::CustomerGateway, tags))
        .send()
        .await
        .map_err(|e| service_error("CreateCustomerGateway", e))?;
    Ok(created
        .customer_gateway()
        .and_then(|g| g.customer_gateway_id())
        .ok_or(missing("CreateCustomerGateway", "a gateway id"))?
        .to_string())
}

pub(super) async fn delete(client: &Client, aws_id: &str) -> Result<(), AwsError> {
    client
        .delete_customer_gateway()
        .customer_gateway_id(aws_id)
        .send()
        .await
        .map(|_| ())
        .map_err(|e| service_error("DeleteCustomerGateway", e))
}

pub(super) async fn dry_run(client: &Client, deleting: bool) -> Result<(), AwsError> {
    if deleting {
        send_dry_run!(
            client
                .delete_customer_gateway()
                .customer_gateway_id("cgw-00000000"),
            "DeleteCustomerGateway"
        )
    } else {
        send_dry_run!(
            client
                .create_customer_gateway()
                .r#type(GatewayType::Ipsec1)
                .ip_address("203.0.113.1")
                .bgp_asn(65000),
            "CreateCustomerGateway"
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
    if wants(K::CustomerGateway) {
        let gateways = with_retries(|| async {
            client
                .describe_customer_gateways()
                .filters(design_filter(design_id))
                .send()
                .await
                .map_err(|e| service_error("DescribeCustomerGateways", e))
        })
        .await?;
        for gateway in gateways.customer_gateways() {
            let (Some(logical_id), Some(id)) = (
                owned_by(gateway.tags(), design_id),
                gateway.customer_gateway_id(),
            ) else {
                continue;
            };
            if matches!(gateway.state(), Some("deleted" | "deleting")) {
                continue;
            }
            inventory.add(
                K::CustomerGateway,
                logical_id,
                id,
                pairs([
                    (
                        "ip_address",
                        gateway.ip_address().unwrap_or_default().to_string(),
                    ),
                    ("bgp_asn", gateway.bgp_asn().unwrap_or_default().to_string()),
                ]),
            );
        }
    }
    Ok(())
}
