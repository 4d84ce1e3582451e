//! A site-to-site VPN connection and its static routes.
//!
//! Each resource kind: what creating one needs, its row of the resource catalogue, and the
//! attributes the planner compares.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::Resource;
use crate::plan::catalog::{NO_ATTRIBUTES, ResourceFacts};
use crate::plan::*;

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
}
