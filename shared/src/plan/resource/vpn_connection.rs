//! A site-to-site VPN connection and its static routes.
//!
//! Each resource kind: what creating one needs, its row of the resource catalogue, and the
//! attributes the planner compares.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::Resource;
use super::write::*;
use crate::plan::catalog::{NO_ATTRIBUTES, ResourceFacts};
use crate::plan::*;
use serde_json::json;

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
}
