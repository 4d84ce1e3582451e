//! A site-to-site VPN connection and its static routes.

use aws_sdk_ec2::Client;
use aws_sdk_ec2::types::VpnConnectionOptionsSpecification;
use shared::plan::{ResourceKind, ResourceKind as K};

use super::Creating;
use super::calls::*;
use super::inventory::Inventory;
use crate::aws::AwsError;
use crate::aws::sdk::service_error;

pub(super) async fn create(
    creating: Creating<'_>,
    vpn_gateway: &str,
    customer_gateway: &str,
    static_routes_only: bool,
    static_routes: &[String],
) -> Result<String, AwsError> {
    let Creating {
        client,
        ids,
        tags,
        existing,
        ..
    } = creating;
    let connection_id = match existing {
        Some(existing) => existing,
        None => client
            .create_vpn_connection()
            .r#type("ipsec.1")
            .vpn_gateway_id(ids.get(K::VpnGateway, vpn_gateway)?)
            .customer_gateway_id(ids.get(K::CustomerGateway, customer_gateway)?)
            .options(
                VpnConnectionOptionsSpecification::builder()
                    .static_routes_only(static_routes_only)
                    .build(),
            )
            .tag_specifications(tag_specification(K::VpnConnection, tags))
            .send()
            .await
            .map_err(|e| service_error("CreateVpnConnection", e))?
            .vpn_connection()
            .and_then(|c| c.vpn_connection_id())
            .ok_or(missing("CreateVpnConnection", "a connection id"))?
            .to_string(),
    };
    if static_routes_only {
        for destination in static_routes {
            let added = client
                .create_vpn_connection_route()
                .vpn_connection_id(&connection_id)
                .destination_cidr_block(destination)
                .send()
                .await
                .map_err(|e| service_error("CreateVpnConnectionRoute", e));
            match added {
                Err(error) if already_exists(&error) => {}
                other => {
                    other?;
                }
            }
        }
    }
    Ok(connection_id)
}

pub(super) async fn delete(client: &Client, aws_id: &str) -> Result<(), AwsError> {
    client
        .delete_vpn_connection()
        .vpn_connection_id(aws_id)
        .send()
        .await
        .map(|_| ())
        .map_err(|e| service_error("DeleteVpnConnection", e))
}

pub(super) async fn dry_run(client: &Client, deleting: bool) -> Result<(), AwsError> {
    if deleting {
        send_dry_run!(
            client
                .delete_vpn_connection()
                .vpn_connection_id("vpn-00000000"),
            "DeleteVpnConnection"
        )
    } else {
        send_dry_run!(
            client
                .create_vpn_connection()
                .r#type("ipsec.1")
                .customer_gateway_id("cgw-00000000")
                .vpn_gateway_id("vgw-00000000"),
            "CreateVpnConnection"
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
    if wants(K::VpnConnection) {
        let connections = with_retries(|| async {
            client
                .describe_vpn_connections()
                .filters(design_filter(design_id))
                .send()
                .await
                .map_err(|e| service_error("DescribeVpnConnections", e))
        })
        .await?;
        for connection in connections.vpn_connections() {
            let (Some(logical_id), Some(id)) = (
                owned_by(connection.tags(), design_id),
                connection.vpn_connection_id(),
            ) else {
                continue;
            };
            if matches!(
                connection.state().map(|s| s.as_str()),
                Some("deleted" | "deleting")
            ) {
                continue;
            }
            let gateway = inventory.logical_of(connection.vpn_gateway_id().unwrap_or_default());
            let customer =
                inventory.logical_of(connection.customer_gateway_id().unwrap_or_default());
            inventory.add(
                K::VpnConnection,
                logical_id,
                id,
                pairs([("vpn_gateway", gateway), ("customer_gateway", customer)]),
            );
        }
    }
    Ok(())
}
