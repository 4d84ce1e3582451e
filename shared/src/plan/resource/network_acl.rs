//! A network ACL, its entries and its subnet associations.
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

/// A network ACL of a VPC (its entries are resources of their own).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct NetworkAclSpec {
    pub vpc: String,
}

impl Resource for NetworkAclSpec {
    const FACTS: ResourceFacts = ResourceFacts {
        name: "network_acl",
        rank: 11,
        tagged: true,
        long_pole: false,
        in_place: NO_ATTRIBUTES,
        cloudformation_type: "AWS::EC2::NetworkAcl",
        terraform_type: "aws_network_acl",
        ec2_resource_type: "network-acl",
        create_actions: &["ec2:CreateNetworkAcl", "ec2:CreateTags"],
        delete_actions: &["ec2:DeleteNetworkAcl"],
        read_actions: &["ec2:DescribeNetworkAcls"],
        not_found_code: Some("InvalidNetworkAclID.NotFound"),
        aws_id_prefix: Some("acl-"),
    };

    fn attributes(&self) -> BTreeMap<String, String> {
        let NetworkAclSpec { vpc } = self;
        attributes([("vpc", vpc.clone())])
    }

    fn cloudformation(&self, cx: &mut CloudFormation<'_>) -> Option<TemplateResource> {
        let NetworkAclSpec { vpc } = self;
        Some((
            "AWS::EC2::NetworkAcl",
            json!({"VpcId": reference(&cx.names.of(ResourceKind::Vpc, vpc)), "Tags": cx.tags.clone()}),
            Vec::new(),
        ))
    }

    fn terraform(&self, cx: &mut Terraform<'_>) -> Block {
        let NetworkAclSpec { vpc } = self;
        let id = cx.id;
        Block::new(cx.header("aws_network_acl"))
            .raw("vpc_id", cx.names.reference(ResourceKind::Vpc, vpc, "id"))
            .map("tags", terraform_tags(&cx.resource.tags, id))
    }
}

/// One numbered entry of a network ACL, inbound or outbound.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct NetworkAclEntrySpec {
    pub network_acl: String,
    pub rule_number: u32,
    pub egress: bool,
    /// IANA number as a string, `-1` for all.
    pub protocol: String,
    pub from_port: i32,
    pub to_port: i32,
    pub cidr: String,
    pub allow: bool,
}

impl Resource for NetworkAclEntrySpec {
    const FACTS: ResourceFacts = ResourceFacts {
        name: "network_acl_entry",
        rank: 18,
        tagged: false,
        long_pole: false,
        in_place: NO_ATTRIBUTES,
        cloudformation_type: "AWS::EC2::NetworkAclEntry",
        terraform_type: "aws_network_acl_rule",
        ec2_resource_type: "network-acl",
        create_actions: &["ec2:CreateNetworkAclEntry", "ec2:ReplaceNetworkAclEntry"],
        delete_actions: &["ec2:DeleteNetworkAclEntry"],
        read_actions: &["ec2:DescribeNetworkAcls"],
        not_found_code: Some("InvalidNetworkAclEntry.NotFound"),
        aws_id_prefix: None,
    };

    fn attributes(&self) -> BTreeMap<String, String> {
        let NetworkAclEntrySpec {
            protocol,
            from_port,
            to_port,
            cidr,
            allow,
            ..
        } = self;
        attributes([
            ("protocol", protocol.clone()),
            ("ports", format!("{from_port}-{to_port}")),
            ("cidr", cidr.clone()),
            ("allow", allow.to_string()),
        ])
    }

    fn cloudformation(&self, cx: &mut CloudFormation<'_>) -> Option<TemplateResource> {
        let NetworkAclEntrySpec {
            network_acl,
            rule_number,
            egress,
            protocol,
            from_port,
            to_port,
            cidr,
            allow,
        } = self;
        let mut properties = json!({
            "NetworkAclId": reference(&cx.names.of(ResourceKind::NetworkAcl, network_acl)),
            "RuleNumber": rule_number,
            "Protocol": protocol.parse::<i64>().unwrap_or(-1),
            "RuleAction": if *allow { "allow" } else { "deny" },
            "Egress": egress,
            "CidrBlock": cidr,
        });
        match protocol.as_str() {
            "6" | "17" => {
                properties["PortRange"] = json!({"From": from_port, "To": to_port});
            }
            "1" => properties["Icmp"] = json!({"Code": -1, "Type": -1}),
            _ => {}
        }
        Some(("AWS::EC2::NetworkAclEntry", properties, Vec::new()))
    }

    fn terraform(&self, cx: &mut Terraform<'_>) -> Block {
        let NetworkAclEntrySpec {
            network_acl,
            rule_number,
            egress,
            protocol,
            from_port,
            to_port,
            cidr,
            allow,
        } = self;
        let mut block = Block::new(cx.header("aws_network_acl_rule"))
            .raw(
                "network_acl_id",
                cx.names
                    .reference(ResourceKind::NetworkAcl, network_acl, "id"),
            )
            .raw("rule_number", rule_number.to_string())
            .raw("egress", egress.to_string())
            .text("protocol", protocol)
            .text("rule_action", if *allow { "allow" } else { "deny" })
            .text("cidr_block", cidr);
        match protocol.as_str() {
            "6" | "17" => {
                block = block
                    .raw("from_port", from_port.to_string())
                    .raw("to_port", to_port.to_string());
            }
            "1" => block = block.raw("icmp_type", "-1").raw("icmp_code", "-1"),
            _ => {}
        }
        block
    }
}

/// The network ACL a subnet uses (replacing its current association).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct NetworkAclAssociationSpec {
    pub network_acl: String,
    pub subnet: String,
}

impl Resource for NetworkAclAssociationSpec {
    const FACTS: ResourceFacts = ResourceFacts {
        name: "network_acl_association",
        rank: 19,
        tagged: false,
        long_pole: false,
        in_place: &["network_acl"],
        cloudformation_type: "AWS::EC2::SubnetNetworkAclAssociation",
        terraform_type: "aws_network_acl_association",
        ec2_resource_type: "network-acl",
        create_actions: &["ec2:ReplaceNetworkAclAssociation"],
        delete_actions: &["ec2:ReplaceNetworkAclAssociation"],
        read_actions: &["ec2:DescribeNetworkAcls"],
        not_found_code: Some("InvalidAssociationID.NotFound"),
        aws_id_prefix: Some("aclassoc-"),
    };

    fn attributes(&self) -> BTreeMap<String, String> {
        let NetworkAclAssociationSpec { network_acl, .. } = self;
        attributes([("network_acl", network_acl.clone())])
    }

    fn cloudformation(&self, cx: &mut CloudFormation<'_>) -> Option<TemplateResource> {
        let NetworkAclAssociationSpec {
            network_acl,
            subnet,
        } = self;
        Some((
            "AWS::EC2::SubnetNetworkAclAssociation",
            json!({
                "SubnetId": reference(&cx.names.of(ResourceKind::Subnet, subnet)),
                "NetworkAclId": reference(&cx.names.of(ResourceKind::NetworkAcl, network_acl)),
            }),
            Vec::new(),
        ))
    }

    fn terraform(&self, cx: &mut Terraform<'_>) -> Block {
        let NetworkAclAssociationSpec {
            network_acl,
            subnet,
        } = self;
        Block::new(cx.header("aws_network_acl_association"))
            .raw(
                "network_acl_id",
                cx.names
                    .reference(ResourceKind::NetworkAcl, network_acl, "id"),
            )
            .raw(
                "subnet_id",
                cx.names.reference(ResourceKind::Subnet, subnet, "id"),
            )
    }
}
