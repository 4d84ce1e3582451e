//! A customer gateway: the on-premises end of a VPN.
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

/// A customer gateway: the public address of the on-premises VPN device and its BGP ASN.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct CustomerGatewaySpec {
    pub ip_address: String,
    pub bgp_asn: u32,
}

impl Resource for CustomerGatewaySpec {
    const FACTS: ResourceFacts = ResourceFacts {
        name: "customer_gateway",
        rank: 4,
        tagged: true,
        long_pole: false,
        in_place: NO_ATTRIBUTES,
        cloudformation_type: "AWS::EC2::CustomerGateway",
        terraform_type: "aws_customer_gateway",
        ec2_resource_type: "customer-gateway",
        create_actions: &["ec2:CreateCustomerGateway", "ec2:CreateTags"],
        delete_actions: &["ec2:DeleteCustomerGateway"],
        read_actions: &["ec2:DescribeCustomerGateways"],
        not_found_code: Some("InvalidCustomerGatewayID.NotFound"),
        aws_id_prefix: Some("cgw-"),
    };

    fn attributes(&self) -> BTreeMap<String, String> {
        let CustomerGatewaySpec {
            ip_address,
            bgp_asn,
        } = self;
        attributes([
            ("ip_address", ip_address.clone()),
            ("bgp_asn", bgp_asn.to_string()),
        ])
    }

    fn cloudformation(&self, cx: &mut CloudFormation<'_>) -> Option<TemplateResource> {
        let CustomerGatewaySpec {
            ip_address,
            bgp_asn,
        } = self;
        Some((
            "AWS::EC2::CustomerGateway",
            json!({"Type": "ipsec.1", "IpAddress": ip_address, "BgpAsn": bgp_asn, "Tags": cx.tags.clone()}),
            Vec::new(),
        ))
    }

    fn terraform(&self, cx: &mut Terraform<'_>) -> Block {
        let CustomerGatewaySpec {
            ip_address,
            bgp_asn,
        } = self;
        let id = cx.id;
        Block::new(cx.header("aws_customer_gateway"))
            .text("bgp_asn", &bgp_asn.to_string())
            .text("ip_address", ip_address)
            .text("type", "ipsec.1")
            .map("tags", terraform_tags(&cx.resource.tags, id))
    }

    const TEARDOWN: Option<&'static str> = Some(
        r#"echo "customer gateways"
for id in $(aws ec2 describe-customer-gateways --filters "$design_filter" Name=state,Values=available,pending \
  --query 'CustomerGateways[].CustomerGatewayId' --output text); do
  aws ec2 delete-customer-gateway --customer-gateway-id "$id"
done
"#,
    );

    fn shell(&self, cx: &mut Shell<'_>) {
        let CustomerGatewaySpec {
            ip_address,
            bgp_asn,
        } = self;
        let own = cx.own.clone();
        let _ = writeln!(
            cx.out,
            "{own}=$(aws ec2 describe-customer-gateways --filters {} \\\n  --query 'CustomerGateways[0].CustomerGatewayId' --output text)\nif ! found \"${own}\"; then\n  {own}=$(aws ec2 create-customer-gateway --type ipsec.1 --ip-address {} --bgp-asn {bgp_asn} \\\n    --tag-specifications {} \\\n    --query 'CustomerGateway.CustomerGatewayId' --output text)\nfi",
            owner_filters(cx.id, &[("state", &["available", "pending"])]),
            q(ip_address),
            cx.tags("customer-gateway")
        );
    }
}

/// Each customer gateway.
pub(crate) fn customer_gateways(design: &Design, resources: &mut Vec<DesiredResource>) {
    use ResourceKind::*;
    for gateway in &design.customer_gateways {
        push(
            resources,
            CustomerGateway,
            gateway.id.clone(),
            Vec::new(),
            ResourceSpec::CustomerGateway(CustomerGatewaySpec {
                ip_address: gateway.ip_address.clone(),
                bgp_asn: gateway.bgp_asn,
            }),
        );
    }
}
