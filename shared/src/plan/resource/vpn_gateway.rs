//! A virtual private gateway, attached to its VPC.
//!
//! Each resource kind: what creating one needs, its row of the resource catalogue, and the
//! attributes the planner compares.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::Resource;
use super::write::*;
use crate::model::Design;
use crate::plan::catalog::{NO_ATTRIBUTES, ResourceFacts};
use crate::plan::*;
use serde_json::json;
use std::fmt::Write;

/// A virtual private gateway, attached to its VPC.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct VpnGatewaySpec {
    pub vpc: String,
    pub amazon_side_asn: u32,
}

impl Resource for VpnGatewaySpec {
    const FACTS: ResourceFacts = ResourceFacts {
        name: "vpn_gateway",
        rank: 8,
        tagged: true,
        long_pole: true,
        in_place: NO_ATTRIBUTES,
        cloudformation_type: "AWS::EC2::VPNGateway",
        terraform_type: "aws_vpn_gateway",
        ec2_resource_type: "vpn-gateway",
        create_actions: &[
            "ec2:CreateVpnGateway",
            "ec2:AttachVpnGateway",
            "ec2:CreateTags",
        ],
        delete_actions: &["ec2:DetachVpnGateway", "ec2:DeleteVpnGateway"],
        read_actions: &["ec2:DescribeVpnGateways"],
        not_found_code: Some("InvalidVpnGatewayID.NotFound"),
        aws_id_prefix: Some("vgw-"),
    };

    fn attributes(&self) -> BTreeMap<String, String> {
        let VpnGatewaySpec {
            vpc,
            amazon_side_asn,
        } = self;
        attributes([
            ("vpc", vpc.clone()),
            ("amazon_side_asn", amazon_side_asn.to_string()),
        ])
    }

    fn cloudformation(&self, cx: &mut CloudFormation<'_>) -> Option<TemplateResource> {
        let VpnGatewaySpec {
            vpc,
            amazon_side_asn,
        } = self;
        let own = cx.own.clone();
        cx.resources.insert(
            cx.names.derived(&own, "Attachment"),
            json!({
                "Type": "AWS::EC2::VPCGatewayAttachment",
                "Properties": {
                    "VpcId": reference(&cx.names.of(ResourceKind::Vpc, vpc)),
                    "VpnGatewayId": reference(&own),
                }
            }),
        );
        Some((
            "AWS::EC2::VPNGateway",
            json!({"Type": "ipsec.1", "AmazonSideAsn": amazon_side_asn, "Tags": cx.tags.clone()}),
            Vec::new(),
        ))
    }

    fn terraform(&self, cx: &mut Terraform<'_>) -> Block {
        let VpnGatewaySpec {
            vpc,
            amazon_side_asn,
        } = self;
        let id = cx.id;
        Block::new(cx.header("aws_vpn_gateway"))
            .raw("vpc_id", cx.names.reference(ResourceKind::Vpc, vpc, "id"))
            .text("amazon_side_asn", &amazon_side_asn.to_string())
            .map("tags", terraform_tags(&cx.resource.tags, id))
    }

    const TEARDOWN: Option<&'static str> = Some(
        r#"echo "VPN gateways"
for id in $(aws ec2 describe-vpn-gateways --filters "$design_filter" Name=state,Values=available,pending \
  --query 'VpnGateways[].VpnGatewayId' --output text); do
  for vpc in $(aws ec2 describe-vpn-gateways --vpn-gateway-ids "$id" \
    --query "VpnGateways[0].VpcAttachments[?State=='attached'].VpcId" --output text); do
    aws ec2 detach-vpn-gateway --vpn-gateway-id "$id" --vpc-id "$vpc"
  done
  aws ec2 delete-vpn-gateway --vpn-gateway-id "$id"
done
"#,
    );

    fn shell(&self, cx: &mut Shell<'_>) {
        let VpnGatewaySpec {
            vpc,
            amazon_side_asn,
        } = self;
        let own = cx.own.clone();
        let vpc_var = cx.variables.var(ResourceKind::Vpc, vpc);
        let _ = writeln!(
            cx.out,
            "{own}=$(aws ec2 describe-vpn-gateways --filters {} \\\n  --query 'VpnGateways[0].VpnGatewayId' --output text)\nif ! found \"${own}\"; then\n  {own}=$(aws ec2 create-vpn-gateway --type ipsec.1 --amazon-side-asn {amazon_side_asn} \\\n    --tag-specifications {} \\\n    --query 'VpnGateway.VpnGatewayId' --output text)\nfi\nif ! found \"$(aws ec2 describe-vpn-gateways --vpn-gateway-ids \"${own}\" \\\n  --query \"VpnGateways[0].VpcAttachments[?State=='attached'].VpcId | [0]\" --output text)\"; then\n  aws ec2 attach-vpn-gateway --vpn-gateway-id \"${own}\" --vpc-id {vpc_var} > /dev/null\nfi",
            owner_filters(cx.id, &[("state", &["available", "pending"])]),
            cx.tags("vpn-gateway")
        );
    }
}

/// Each VPN gateway.
pub(crate) fn vpn_gateways(design: &Design, resources: &mut Vec<DesiredResource>) {
    use ResourceKind::*;
    let vpc_key = |id: &str| ResourceKey::new(Vpc, id);
    for gateway in &design.vpn_gateways {
        push(
            resources,
            VpnGateway,
            gateway.id.clone(),
            vec![vpc_key(&gateway.vpc)],
            ResourceSpec::VpnGateway(VpnGatewaySpec {
                vpc: gateway.vpc.clone(),
                amazon_side_asn: gateway.amazon_side_asn,
            }),
        );
    }
}
