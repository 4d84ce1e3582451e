//! A subnet.
//!
//! Each resource kind: what creating one needs, its row of the resource catalogue, and the
//! attributes the planner compares.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::Resource;
use super::write::*;
use crate::escape::shell_word as q;
use crate::model::Design;
use crate::plan::catalog::ResourceFacts;
use crate::plan::*;
use serde_json::json;
use std::fmt::Write;

/// A subnet of a VPC, in one availability zone.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct SubnetSpec {
    pub vpc: String,
    pub cidr_block: String,
    pub availability_zone: String,
    pub map_public_ip: bool,
}

impl Resource for SubnetSpec {
    const FACTS: ResourceFacts = ResourceFacts {
        name: "subnet",
        rank: 6,
        tagged: true,
        long_pole: false,
        in_place: &["map_public_ip"],
        cloudformation_type: "AWS::EC2::Subnet",
        terraform_type: "aws_subnet",
        ec2_resource_type: "subnet",
        create_actions: &[
            "ec2:CreateSubnet",
            "ec2:ModifySubnetAttribute",
            "ec2:CreateTags",
        ],
        delete_actions: &["ec2:DeleteSubnet"],
        read_actions: &["ec2:DescribeSubnets"],
        not_found_code: Some("InvalidSubnetID.NotFound"),
        aws_id_prefix: Some("subnet-"),
    };

    fn attributes(&self) -> BTreeMap<String, String> {
        let SubnetSpec {
            vpc,
            cidr_block,
            availability_zone,
            map_public_ip,
        } = self;
        attributes([
            ("vpc", vpc.clone()),
            ("cidr_block", cidr_block.clone()),
            ("availability_zone", availability_zone.clone()),
            ("map_public_ip", map_public_ip.to_string()),
        ])
    }

    fn cloudformation(&self, cx: &mut CloudFormation<'_>) -> Option<TemplateResource> {
        let SubnetSpec {
            vpc,
            cidr_block,
            availability_zone,
            map_public_ip,
        } = self;
        Some((
            "AWS::EC2::Subnet",
            json!({
                "VpcId": reference(&cx.names.of(ResourceKind::Vpc, vpc)),
                "CidrBlock": cidr_block,
                "AvailabilityZone": availability_zone,
                "MapPublicIpOnLaunch": map_public_ip,
                "Tags": cx.tags.clone(),
            }),
            // A subnet in a secondary block waits for the block's association.
            cx.resource
                .depends_on
                .iter()
                .filter(|key| key.kind == ResourceKind::VpcCidrBlock)
                .map(|key| cx.names.of(key.kind, &key.logical_id))
                .collect(),
        ))
    }

    fn terraform(&self, cx: &mut Terraform<'_>) -> Block {
        let SubnetSpec {
            vpc,
            cidr_block,
            availability_zone,
            map_public_ip,
        } = self;
        let id = cx.id;
        let mut block = Block::new(cx.header("aws_subnet"))
            .raw("vpc_id", cx.names.reference(ResourceKind::Vpc, vpc, "id"))
            .text("cidr_block", cidr_block)
            .text("availability_zone", availability_zone)
            .raw("map_public_ip_on_launch", map_public_ip.to_string());
        // A subnet in a secondary block waits for the block's association.
        let blocks: Vec<String> = cx
            .resource
            .depends_on
            .iter()
            .filter(|key| key.kind == ResourceKind::VpcCidrBlock)
            .map(|key| {
                format!(
                    "{}.{}",
                    ResourceKind::VpcCidrBlock.facts().terraform_type,
                    cx.names.of(key.kind, &key.logical_id)
                )
            })
            .collect();
        if !blocks.is_empty() {
            block = block.list("depends_on", blocks);
        }
        block.map("tags", terraform_tags(&cx.resource.tags, id))
    }

    const TEARDOWN: Option<&'static str> = Some(
        r#"echo "subnets"
for id in $(aws ec2 describe-subnets --filters "$design_filter" --query 'Subnets[].SubnetId' --output text); do
  aws ec2 delete-subnet --subnet-id "$id"
done
"#,
    );

    fn shell(&self, cx: &mut Shell<'_>) {
        let SubnetSpec {
            vpc,
            cidr_block,
            availability_zone,
            map_public_ip,
        } = self;
        let own = cx.own.clone();
        let _ = writeln!(
            cx.out,
            "{own}=$(aws ec2 describe-subnets --filters {} \\\n  --query 'Subnets[0].SubnetId' --output text)\nif ! found \"${own}\"; then\n  {own}=$(aws ec2 create-subnet --vpc-id {} --cidr-block {} \\\n    --availability-zone {} \\\n    --tag-specifications {} \\\n    --query 'Subnet.SubnetId' --output text)\nfi",
            owner_filters(cx.id, &[]),
            cx.variables.var(ResourceKind::Vpc, vpc),
            q(cidr_block),
            q(availability_zone),
            cx.tags("subnet")
        );
        let flag = if *map_public_ip {
            "--map-public-ip-on-launch"
        } else {
            "--no-map-public-ip-on-launch"
        };
        let _ = writeln!(
            cx.out,
            "aws ec2 modify-subnet-attribute --subnet-id \"${own}\" {flag}"
        );
    }
}

/// Each subnet.
pub(crate) fn subnets(design: &Design, resources: &mut Vec<DesiredResource>) {
    use ResourceKind::*;
    let vpc_key = |id: &str| ResourceKey::new(Vpc, id);
    for subnet in &design.subnets {
        // A subnet in a secondary block waits for the block's association.
        let mut depends_on = vec![vpc_key(&subnet.vpc)];
        depends_on.extend(
            secondary_block_of(design, &subnet.vpc, &subnet.cidr).map(|block| {
                ResourceKey::new(VpcCidrBlock, cidr_block_logical_id(&subnet.vpc, block))
            }),
        );
        push(
            resources,
            Subnet,
            subnet.id.clone(),
            depends_on,
            ResourceSpec::Subnet(SubnetSpec {
                vpc: subnet.vpc.clone(),
                cidr_block: subnet.cidr.clone(),
                availability_zone: subnet.availability_zone.clone(),
                map_public_ip: subnet.map_public_ip_on_launch,
            }),
        );
    }
}
