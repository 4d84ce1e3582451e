//! A VPC and its secondary IPv4 blocks.
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

/// A VPC with its first IPv4 block and DNS attributes.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct VpcSpec {
    pub name: String,
    pub cidr_block: String,
    pub dns_support: bool,
    pub dns_hostnames: bool,
    /// `dedicated`, or none for shared hardware (AWS's default).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tenancy: Option<String>,
}

impl Resource for VpcSpec {
    const FACTS: ResourceFacts = ResourceFacts {
        name: "vpc",
        rank: 0,
        tagged: true,
        long_pole: false,
        in_place: &["dns_support", "dns_hostnames"],
        cloudformation_type: "AWS::EC2::VPC",
        terraform_type: "aws_vpc",
        ec2_resource_type: "vpc",
        create_actions: &["ec2:CreateVpc", "ec2:ModifyVpcAttribute", "ec2:CreateTags"],
        delete_actions: &["ec2:DeleteVpc"],
        read_actions: &["ec2:DescribeVpcs", "ec2:DescribeVpcAttribute"],
        not_found_code: Some("InvalidVpcID.NotFound"),
        aws_id_prefix: Some("vpc-"),
    };

    fn attributes(&self) -> BTreeMap<String, String> {
        let VpcSpec {
            cidr_block,
            dns_support,
            dns_hostnames,
            tenancy,
            ..
        } = self;
        let mut found = attributes([
            ("cidr_block", cidr_block.clone()),
            ("dns_support", dns_support.to_string()),
            ("dns_hostnames", dns_hostnames.to_string()),
        ]);
        // Dedicated says so; a change of tenancy replaces the VPC.
        if let Some(tenancy) = tenancy {
            found.insert("tenancy".to_string(), tenancy.clone());
        }
        found
    }

    fn cloudformation(&self, cx: &mut CloudFormation<'_>) -> Option<TemplateResource> {
        let VpcSpec {
            cidr_block,
            dns_support,
            dns_hostnames,
            tenancy,
            ..
        } = self;
        let own = cx.own.clone();
        let id = cx.id;
        cx.outputs.insert(
            cx.names.derived(&own, "Id"),
            json!({"Description": format!("The id of VPC {id}"), "Value": reference(&own)}),
        );
        let mut properties = json!({
            "CidrBlock": cidr_block,
            "EnableDnsSupport": dns_support,
            "EnableDnsHostnames": dns_hostnames,
            "Tags": cx.tags.clone(),
        });
        if let Some(tenancy) = tenancy {
            properties["InstanceTenancy"] = json!(tenancy);
        }
        Some(("AWS::EC2::VPC", properties, Vec::new()))
    }

    fn terraform(&self, cx: &mut Terraform<'_>) -> Block {
        let VpcSpec {
            cidr_block,
            dns_support,
            dns_hostnames,
            tenancy,
            ..
        } = self;
        let own = cx.own.clone();
        let id = cx.id;
        cx.outputs.push((
            format!("{own}_id"),
            cx.names.reference(ResourceKind::Vpc, id, "id"),
        ));
        // The VPC's default group, which nothing in a Moat design uses, allows
        // nothing (no rule blocks: Terraform removes AWS's defaults).
        cx.blocks.push(
            Block::new(format!(
                "resource \"aws_default_security_group\" \"{own}_default\""
            ))
            .raw("vpc_id", cx.names.reference(ResourceKind::Vpc, id, "id"))
            .map(
                "tags",
                terraform_tags(&cx.resource.tags, &format!("{id}/default-security-group")),
            ),
        );
        Block::new(cx.header("aws_vpc"))
            .text("cidr_block", cidr_block)
            .raw("enable_dns_support", dns_support.to_string())
            .raw("enable_dns_hostnames", dns_hostnames.to_string())
            .optional_text("instance_tenancy", tenancy.as_deref())
            .map("tags", terraform_tags(&cx.resource.tags, id))
    }

    const TEARDOWN: Option<&'static str> = Some(
        r#"echo "VPCs"
for id in $(aws ec2 describe-vpcs --filters "$design_filter" --query 'Vpcs[].VpcId' --output text); do
  aws ec2 delete-vpc --vpc-id "$id"
done
"#,
    );

    fn shell(&self, cx: &mut Shell<'_>) {
        let VpcSpec {
            cidr_block,
            dns_support,
            dns_hostnames,
            tenancy,
            ..
        } = self;
        let own = cx.own.clone();
        let _ = writeln!(
            cx.out,
            "{own}=$(aws ec2 describe-vpcs --filters {} \\\n  --query 'Vpcs[0].VpcId' --output text)",
            owner_filters(cx.id, &[])
        );
        let _ = writeln!(
            cx.out,
            "if ! found \"${own}\"; then\n  {own}=$(aws ec2 create-vpc --cidr-block {}{} \\\n    --tag-specifications {} \\\n    --query 'Vpc.VpcId' --output text)\nfi",
            q(cidr_block),
            tenancy
                .as_deref()
                .map(|t| format!(" --instance-tenancy {}", q(t)))
                .unwrap_or_default(),
            cx.tags("vpc")
        );
        let _ = writeln!(
            cx.out,
            "aws ec2 modify-vpc-attribute --vpc-id \"${own}\" --enable-dns-support '{{\"Value\":{dns_support}}}'\naws ec2 modify-vpc-attribute --vpc-id \"${own}\" --enable-dns-hostnames '{{\"Value\":{dns_hostnames}}}'"
        );
    }
}

/// A secondary IPv4 block of a VPC (the first of its blocks is the VPC's own). AWS cannot
/// change one: another block is another association.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct VpcCidrBlockSpec {
    pub vpc: String,
    pub cidr_block: String,
}

impl Resource for VpcCidrBlockSpec {
    /// A secondary IPv4 block, associated before any subnet in it is created. Found through its
    /// VPC (`DescribeVpcs` lists the associations); its id is the association's.
    const FACTS: ResourceFacts = ResourceFacts {
        name: "vpc_cidr_block",
        rank: 1,
        tagged: false,
        long_pole: false,
        in_place: NO_ATTRIBUTES,
        cloudformation_type: "AWS::EC2::VPCCidrBlock",
        terraform_type: "aws_vpc_ipv4_cidr_block_association",
        ec2_resource_type: "vpc",
        create_actions: &["ec2:AssociateVpcCidrBlock"],
        delete_actions: &["ec2:DisassociateVpcCidrBlock"],
        read_actions: &["ec2:DescribeVpcs"],
        not_found_code: Some("InvalidVpcCidrBlockAssociationID.NotFound"),
        aws_id_prefix: Some("vpc-cidr-assoc-"),
    };

    fn attributes(&self) -> BTreeMap<String, String> {
        let VpcCidrBlockSpec { vpc, cidr_block } = self;
        attributes([("vpc", vpc.clone()), ("cidr_block", cidr_block.clone())])
    }

    fn cloudformation(&self, cx: &mut CloudFormation<'_>) -> Option<TemplateResource> {
        let VpcCidrBlockSpec { vpc, cidr_block } = self;
        Some((
            "AWS::EC2::VPCCidrBlock",
            json!({
                "VpcId": reference(&cx.names.of(ResourceKind::Vpc, vpc)),
                "CidrBlock": cidr_block,
            }),
            Vec::new(),
        ))
    }

    fn terraform(&self, cx: &mut Terraform<'_>) -> Block {
        let VpcCidrBlockSpec { vpc, cidr_block } = self;
        Block::new(cx.header("aws_vpc_ipv4_cidr_block_association"))
            .raw("vpc_id", cx.names.reference(ResourceKind::Vpc, vpc, "id"))
            .text("cidr_block", cidr_block)
    }

    /// Deleting a VPC releases its secondary blocks.
    const TEARDOWN: Option<&'static str> = None;

    fn shell(&self, cx: &mut Shell<'_>) {
        let VpcCidrBlockSpec { vpc, cidr_block } = self;
        let _ = writeln!(
            cx.out,
            "associate_cidr_block {} {}",
            cx.variables.var(ResourceKind::Vpc, vpc),
            q(cidr_block)
        );
    }
}

/// Each VPC, and its secondary blocks after it.
pub(crate) fn vpcs(design: &Design, resources: &mut Vec<DesiredResource>) {
    use ResourceKind::*;
    let vpc_key = |id: &str| ResourceKey::new(Vpc, id);
    for vpc in &design.vpcs {
        let cidr_block = vpc.cidr_blocks.first().cloned().unwrap_or_default();
        push(
            resources,
            Vpc,
            vpc.id.clone(),
            Vec::new(),
            ResourceSpec::Vpc(VpcSpec {
                name: if vpc.name.is_empty() {
                    vpc.id.clone()
                } else {
                    vpc.name.clone()
                },
                cidr_block,
                dns_support: vpc.enable_dns_support,
                dns_hostnames: vpc.enable_dns_hostnames,
                tenancy: (vpc.tenancy == crate::model::VpcTenancy::Dedicated)
                    .then(|| vpc.tenancy.as_str().to_string()),
            }),
        );
        for block in vpc.cidr_blocks.iter().skip(1) {
            push(
                resources,
                VpcCidrBlock,
                cidr_block_logical_id(&vpc.id, block),
                vec![vpc_key(&vpc.id)],
                ResourceSpec::VpcCidrBlock(VpcCidrBlockSpec {
                    vpc: vpc.id.clone(),
                    cidr_block: block.clone(),
                }),
            );
        }
    }
}
