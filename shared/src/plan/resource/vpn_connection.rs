//! A site-to-site VPN connection and its static routes.
//!
//! Each resource kind: what creating one needs, its row of the resource catalogue, and the
//! attributes the planner compares.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::Resource;
use super::write::*;
use crate::escape::shell_word as q;
use crate::model::Design;
use crate::plan::catalog::{NO_ATTRIBUTES, ResourceFacts};
use crate::plan::*;
use serde_json::json;
use std::fmt::Write;

/// A site-to-site VPN connection between a VPN gateway and a customer gateway.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct VpnConnectionSpec {
    pub vpn_gateway: String,
    pub customer_gateway: String,
    pub static_routes_only: bool,
    /// The customer gateway's on-premises networks, as static routes of the connection.
    pub static_routes: Vec<String>,
}

impl Resource for VpnConnectionSpec {
    const FACTS: ResourceFacts = ResourceFacts {
        name: "vpn_connection",
        rank: 14,
        tagged: true,
        long_pole: true,
        in_place: NO_ATTRIBUTES,
        cloudformation_type: "AWS::EC2::VPNConnection",
        terraform_type: "aws_vpn_connection",
        ec2_resource_type: "vpn-connection",
        create_actions: &[
            "ec2:CreateVpnConnection",
            "ec2:CreateVpnConnectionRoute",
            "ec2:CreateTags",
        ],
        delete_actions: &["ec2:DeleteVpnConnection"],
        read_actions: &["ec2:DescribeVpnConnections"],
        not_found_code: Some("InvalidVpnConnectionID.NotFound"),
        aws_id_prefix: Some("vpn-"),
    };

    fn attributes(&self) -> BTreeMap<String, String> {
        let VpnConnectionSpec {
            vpn_gateway,
            customer_gateway,
            ..
        } = self;
        attributes([
            ("vpn_gateway", vpn_gateway.clone()),
            ("customer_gateway", customer_gateway.clone()),
        ])
    }

    fn cloudformation(&self, cx: &mut CloudFormation<'_>) -> Option<TemplateResource> {
        let VpnConnectionSpec {
            vpn_gateway,
            customer_gateway,
            static_routes_only,
            static_routes,
        } = self;
        let own = cx.own.clone();
        if *static_routes_only {
            for (index, destination) in static_routes.iter().enumerate() {
                cx.resources.insert(
                    cx.names.derived(&own, &format!("Route{}", index + 1)),
                    json!({
                        "Type": "AWS::EC2::VPNConnectionRoute",
                        "Properties": {
                            "VpnConnectionId": reference(&own),
                            "DestinationCidrBlock": destination,
                        }
                    }),
                );
            }
        }
        let gateway = cx.names.of(ResourceKind::VpnGateway, vpn_gateway);
        Some((
            "AWS::EC2::VPNConnection",
            json!({
                "Type": "ipsec.1",
                "VpnGatewayId": reference(&gateway),
                "CustomerGatewayId": reference(&cx.names.of(ResourceKind::CustomerGateway, customer_gateway)),
                "StaticRoutesOnly": static_routes_only,
                "Tags": cx.tags.clone(),
            }),
            vec![cx.names.derived(&gateway, "Attachment")],
        ))
    }

    fn terraform(&self, cx: &mut Terraform<'_>) -> Block {
        let VpnConnectionSpec {
            vpn_gateway,
            customer_gateway,
            static_routes_only,
            static_routes,
        } = self;
        let own = cx.own.clone();
        let id = cx.id;
        for (index, destination) in static_routes.iter().enumerate() {
            if !static_routes_only {
                break;
            }
            cx.blocks.push(
                Block::new(format!(
                    "resource \"aws_vpn_connection_route\" \"{own}_{}\"",
                    index + 1
                ))
                .text("destination_cidr_block", destination)
                .raw("vpn_connection_id", format!("aws_vpn_connection.{own}.id")),
            );
        }
        Block::new(cx.header("aws_vpn_connection"))
            .raw(
                "vpn_gateway_id",
                cx.names
                    .reference(ResourceKind::VpnGateway, vpn_gateway, "id"),
            )
            .raw(
                "customer_gateway_id",
                cx.names
                    .reference(ResourceKind::CustomerGateway, customer_gateway, "id"),
            )
            .text("type", "ipsec.1")
            .raw("static_routes_only", static_routes_only.to_string())
            .map("tags", terraform_tags(&cx.resource.tags, id))
    }

    const TEARDOWN: Option<&'static str> = Some(
        r#"echo "VPN connections"
for id in $(aws ec2 describe-vpn-connections --filters "$design_filter" Name=state,Values=available,pending \
  --query 'VpnConnections[].VpnConnectionId' --output text); do
  aws ec2 delete-vpn-connection --vpn-connection-id "$id"
done
"#,
    );

    fn shell(&self, cx: &mut Shell<'_>) {
        let VpnConnectionSpec {
            vpn_gateway,
            customer_gateway,
            static_routes_only,
            static_routes,
        } = self;
        let own = cx.own.clone();
        let _ = writeln!(
            cx.out,
            "{own}=$(aws ec2 describe-vpn-connections --filters {} \\\n  --query 'VpnConnections[0].VpnConnectionId' --output text)\nif ! found \"${own}\"; then\n  {own}=$(aws ec2 create-vpn-connection --type ipsec.1 \\\n    --customer-gateway-id {} --vpn-gateway-id {} \\\n    --options '{{\"StaticRoutesOnly\":{static_routes_only}}}' \\\n    --tag-specifications {} \\\n    --query 'VpnConnection.VpnConnectionId' --output text)\nfi",
            owner_filters(cx.id, &[("state", &["available", "pending"])]),
            cx.variables
                .var(ResourceKind::CustomerGateway, customer_gateway),
            cx.variables.var(ResourceKind::VpnGateway, vpn_gateway),
            cx.tags("vpn-connection")
        );
        if *static_routes_only {
            for destination in static_routes {
                let query = format!(
                    "VpnConnections[0].Routes[?DestinationCidrBlock=={}].DestinationCidrBlock | [0]",
                    jmespath_literal(destination)
                );
                let _ = writeln!(
                    cx.out,
                    "if ! found \"$(aws ec2 describe-vpn-connections --vpn-connection-ids \"${own}\" \\\n  --query {} --output text)\"; then\n  aws ec2 create-vpn-connection-route --vpn-connection-id \"${own}\" --destination-cidr-block {}\nfi",
                    q(&query),
                    q(destination)
                );
            }
        }
    }
}

/// Each VPN connection.
pub(crate) fn vpn_connections(design: &Design, resources: &mut Vec<DesiredResource>) {
    use ResourceKind::*;
    for connection in &design.vpn_connections {
        let static_routes = design
            .customer_gateways
            .iter()
            .find(|g| g.id == connection.customer_gateway)
            .map(|g| g.on_premises_cidrs.clone())
            .unwrap_or_default();
        push(
            resources,
            VpnConnection,
            connection.id.clone(),
            vec![
                ResourceKey::new(VpnGateway, connection.vpn_gateway.clone()),
                ResourceKey::new(CustomerGateway, connection.customer_gateway.clone()),
            ],
            ResourceSpec::VpnConnection(VpnConnectionSpec {
                vpn_gateway: connection.vpn_gateway.clone(),
                customer_gateway: connection.customer_gateway.clone(),
                static_routes_only: connection.static_routes_only,
                static_routes,
            }),
        );
    }
}
