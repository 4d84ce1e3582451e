//! A NAT gateway and the Elastic IP of a public one.
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

/// An Elastic IP address for a public NAT gateway (identified by its logical id alone).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct ElasticIpSpec {}

impl Resource for ElasticIpSpec {
    const FACTS: ResourceFacts = ResourceFacts {
        name: "elastic_ip",
        rank: 12,
        tagged: true,
        long_pole: true,
        in_place: NO_ATTRIBUTES,
        cloudformation_type: "AWS::EC2::EIP",
        terraform_type: "aws_eip",
        ec2_resource_type: "elastic-ip",
        create_actions: &["ec2:AllocateAddress", "ec2:CreateTags"],
        delete_actions: &["ec2:ReleaseAddress"],
        read_actions: &["ec2:DescribeAddresses"],
        not_found_code: Some("InvalidAllocationID.NotFound"),
        aws_id_prefix: Some("eipalloc-"),
    };

    fn attributes(&self) -> BTreeMap<String, String> {
        // Identified by their logical id alone.
        BTreeMap::new()
    }

    fn cloudformation(&self, cx: &mut CloudFormation<'_>) -> Option<TemplateResource> {
        let ElasticIpSpec {} = self;
        Some((
            "AWS::EC2::EIP",
            json!({"Domain": "vpc", "Tags": cx.tags.clone()}),
            Vec::new(),
        ))
    }

    fn terraform(&self, cx: &mut Terraform<'_>) -> Block {
        let ElasticIpSpec {} = self;
        let id = cx.id;
        Block::new(cx.header("aws_eip"))
            .text("domain", "vpc")
            .map("tags", terraform_tags(&cx.resource.tags, id))
    }

    const TEARDOWN: Option<&'static str> = Some(
        r#"echo "Elastic IPs"
for id in $(aws ec2 describe-addresses --filters "$design_filter" --query 'Addresses[].AllocationId' --output text); do
  aws ec2 release-address --allocation-id "$id"
done
"#,
    );

    fn shell(&self, cx: &mut Shell<'_>) {
        let ElasticIpSpec {} = self;
        let own = cx.own.clone();
        let _ = writeln!(
            cx.out,
            "{own}=$(aws ec2 describe-addresses --filters {} \\\n  --query 'Addresses[0].AllocationId' --output text)\nif ! found \"${own}\"; then\n  {own}=$(aws ec2 allocate-address --domain vpc \\\n    --tag-specifications {} \\\n    --query 'AllocationId' --output text)\nfi",
            owner_filters(cx.id, &[]),
            cx.tags("elastic-ip")
        );
    }
}

/// A NAT gateway in its subnet: public with an Elastic IP, or private without one.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct NatGatewaySpec {
    pub subnet: String,
    /// The Elastic IP's logical id; none for a private NAT gateway.
    pub elastic_ip: Option<String>,
}

impl Resource for NatGatewaySpec {
    const FACTS: ResourceFacts = ResourceFacts {
        name: "nat_gateway",
        rank: 13,
        tagged: true,
        long_pole: true,
        in_place: NO_ATTRIBUTES,
        cloudformation_type: "AWS::EC2::NatGateway",
        terraform_type: "aws_nat_gateway",
        ec2_resource_type: "natgateway",
        create_actions: &["ec2:CreateNatGateway", "ec2:CreateTags"],
        delete_actions: &["ec2:DeleteNatGateway"],
        read_actions: &["ec2:DescribeNatGateways"],
        not_found_code: Some("NatGatewayNotFound"),
        aws_id_prefix: Some("nat-"),
    };

    fn attributes(&self) -> BTreeMap<String, String> {
        // A private one says so (a change of connectivity replaces the gateway).
        let NatGatewaySpec { subnet, elastic_ip } = self;
        let mut found = attributes([("subnet", subnet.clone())]);
        if elastic_ip.is_none() {
            found.insert("connectivity".to_string(), "private".to_string());
        }
        found
    }

    fn cloudformation(&self, cx: &mut CloudFormation<'_>) -> Option<TemplateResource> {
        let NatGatewaySpec { subnet, elastic_ip } = self;
        let mut properties = json!({
            "SubnetId": reference(&cx.names.of(ResourceKind::Subnet, subnet)),
            "Tags": cx.tags.clone(),
        });
        match elastic_ip {
            Some(address) => {
                properties["AllocationId"] = json!({"Fn::GetAtt": [cx.names.of(ResourceKind::ElasticIp, address), "AllocationId"]});
            }
            None => properties["ConnectivityType"] = json!("private"),
        }
        Some(("AWS::EC2::NatGateway", properties, Vec::new()))
    }

    fn terraform(&self, cx: &mut Terraform<'_>) -> Block {
        let NatGatewaySpec { subnet, elastic_ip } = self;
        let id = cx.id;
        let vpc = cx
            .design
            .subnets
            .iter()
            .find(|s| s.id == *subnet)
            .map(|s| s.vpc.clone())
            .unwrap_or_default();
        let mut block = match elastic_ip {
            Some(address) => Block::new(cx.header("aws_nat_gateway")).raw(
                "allocation_id",
                cx.names.reference(ResourceKind::ElasticIp, address, "id"),
            ),
            None => Block::new(cx.header("aws_nat_gateway")).text("connectivity_type", "private"),
        }
        .raw(
            "subnet_id",
            cx.names.reference(ResourceKind::Subnet, subnet, "id"),
        );
        // AWS: a public NAT gateway needs the VPC's internet gateway first.
        let gateways: Vec<String> = cx
            .design
            .internet_gateways
            .iter()
            .filter(|g| g.vpc == vpc)
            .map(|g| {
                format!(
                    "aws_internet_gateway.{}",
                    cx.names.of(ResourceKind::InternetGateway, &g.id)
                )
            })
            .collect();
        if !gateways.is_empty() && elastic_ip.is_some() {
            block = block.list("depends_on", gateways);
        }
        block.map("tags", terraform_tags(&cx.resource.tags, id))
    }

    const TEARDOWN: Option<&'static str> = Some(
        r#"echo "NAT gateways"
nats=$(aws ec2 describe-nat-gateways --filter "$design_filter" Name=state,Values=pending,available \
  --query 'NatGateways[].NatGatewayId' --output text)
for id in $nats; do
  aws ec2 delete-nat-gateway --nat-gateway-id "$id" > /dev/null
done
if [ -n "$nats" ]; then
  aws ec2 wait nat-gateway-deleted --nat-gateway-ids $nats
fi
"#,
    );

    fn shell(&self, cx: &mut Shell<'_>) {
        let NatGatewaySpec { subnet, elastic_ip } = self;
        let own = cx.own.clone();
        let _ = writeln!(
            cx.out,
            "{own}=$(aws ec2 describe-nat-gateways --filter {} \\\n  --query 'NatGateways[0].NatGatewayId' --output text)\nif ! found \"${own}\"; then\n  {own}=$(aws ec2 create-nat-gateway --subnet-id {} {} \\\n    --tag-specifications {} \\\n    --query 'NatGateway.NatGatewayId' --output text)\nfi\naws ec2 wait nat-gateway-available --nat-gateway-ids \"${own}\"",
            owner_filters(cx.id, &[("state", &["pending", "available"])]),
            cx.variables.var(ResourceKind::Subnet, subnet),
            match elastic_ip {
                Some(address) => format!(
                    "--allocation-id {}",
                    cx.variables.var(ResourceKind::ElasticIp, address)
                ),
                None => "--connectivity-type private".to_string(),
            },
            cx.tags("natgateway")
        );
    }
}

/// Each NAT gateway, with the Elastic IP of a public one.
pub(crate) fn nat_gateways(design: &Design, resources: &mut Vec<DesiredResource>) {
    use ResourceKind::*;
    for nat in &design.nat_gateways {
        let mut depends_on = vec![ResourceKey::new(Subnet, nat.subnet.clone())];
        let elastic_ip = (nat.connectivity == crate::model::NatConnectivity::Public).then(|| {
            let address = format!("{}/eip", nat.id);
            push(
                resources,
                ElasticIp,
                address.clone(),
                Vec::new(),
                ResourceSpec::ElasticIp(ElasticIpSpec {}),
            );
            depends_on.push(ResourceKey::new(ElasticIp, address.clone()));
            address
        });
        push(
            resources,
            NatGateway,
            nat.id.clone(),
            depends_on,
            ResourceSpec::NatGateway(NatGatewaySpec {
                subnet: nat.subnet.clone(),
                elastic_ip,
            }),
        );
    }
}
