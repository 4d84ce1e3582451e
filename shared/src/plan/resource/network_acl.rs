//! A network ACL, its entries and its subnet associations.
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

    const TEARDOWN: Option<&'static str> = Some(
        r#"echo "network ACLs"
for id in $(aws ec2 describe-network-acls --filters "$design_filter" --query 'NetworkAcls[].NetworkAclId' --output text); do
  aws ec2 delete-network-acl --network-acl-id "$id"
done
"#,
    );

    fn shell(&self, cx: &mut Shell<'_>) {
        let NetworkAclSpec { vpc } = self;
        let own = cx.own.clone();
        let _ = writeln!(
            cx.out,
            "{own}=$(aws ec2 describe-network-acls --filters {} \\\n  --query 'NetworkAcls[0].NetworkAclId' --output text)\nif ! found \"${own}\"; then\n  {own}=$(aws ec2 create-network-acl --vpc-id {} \\\n    --tag-specifications {} \\\n    --query 'NetworkAcl.NetworkAclId' --output text)\nfi",
            owner_filters(cx.id, &[]),
            cx.variables.var(ResourceKind::Vpc, vpc),
            cx.tags("network-acl")
        );
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

    /// Entries go with their ACL (the default ACL's are AWS's).
    const TEARDOWN: Option<&'static str> = None;

    fn shell(&self, cx: &mut Shell<'_>) {
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
        let direction = if *egress { "--egress" } else { "--ingress" };
        let action = if *allow { "allow" } else { "deny" };
        let ports = match protocol.as_str() {
            "6" | "17" => format!(" --port-range From={from_port},To={to_port}"),
            "1" => " --icmp-type-code Code=-1,Type=-1".to_string(),
            _ => String::new(),
        };
        let acl = cx.variables.var(ResourceKind::NetworkAcl, network_acl);
        let arguments = format!(
            "--network-acl-id {acl} --rule-number {rule_number} {direction} \\\n  --protocol {} --rule-action {action} --cidr-block {}{ports}",
            q(protocol),
            q(cidr)
        );
        let _ = writeln!(
            cx.out,
            "if ! tolerate NetworkAclEntryAlreadyExists aws ec2 create-network-acl-entry {arguments} > /dev/null; then exit 1; fi\naws ec2 replace-network-acl-entry {arguments}"
        );
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

    const TEARDOWN: Option<&'static str> = Some(
        r#"echo "network ACL associations (each subnet goes back to its VPC's default ACL)"
for acl in $(aws ec2 describe-network-acls --filters "$design_filter" --query 'NetworkAcls[].NetworkAclId' --output text); do
  vpc=$(aws ec2 describe-network-acls --network-acl-ids "$acl" --query 'NetworkAcls[0].VpcId' --output text)
  default_acl=$(aws ec2 describe-network-acls --filters Name=vpc-id,Values="$vpc" Name=default,Values=true \
    --query 'NetworkAcls[0].NetworkAclId' --output text)
  for association in $(aws ec2 describe-network-acls --network-acl-ids "$acl" \
    --query 'NetworkAcls[0].Associations[].NetworkAclAssociationId' --output text); do
    aws ec2 replace-network-acl-association --association-id "$association" --network-acl-id "$default_acl" > /dev/null
  done
done
"#,
    );

    fn shell(&self, cx: &mut Shell<'_>) {
        let NetworkAclAssociationSpec {
            network_acl,
            subnet,
        } = self;
        let subnet_var = cx.variables.var(ResourceKind::Subnet, subnet);
        let _ = writeln!(
            cx.out,
            "ASSOCIATION=$(aws ec2 describe-network-acls --filters Name=association.subnet-id,Values={subnet_var} \\\n  --query \"NetworkAcls[0].Associations[?SubnetId=='${}'].NetworkAclAssociationId | [0]\" --output text)\naws ec2 replace-network-acl-association --association-id \"$ASSOCIATION\" \\\n  --network-acl-id {} > /dev/null",
            cx.variables.of(ResourceKind::Subnet, subnet),
            cx.variables.var(ResourceKind::NetworkAcl, network_acl)
        );
    }
}

/// Each network ACL, its entries and its subnet associations.
pub(crate) fn network_acls(design: &Design, resources: &mut Vec<DesiredResource>) {
    use ResourceKind::*;
    let vpc_key = |id: &str| ResourceKey::new(Vpc, id);
    for acl in &design.network_acls {
        push(
            resources,
            NetworkAcl,
            acl.id.clone(),
            vec![vpc_key(&acl.vpc)],
            ResourceSpec::NetworkAcl(NetworkAclSpec {
                vpc: acl.vpc.clone(),
            }),
        );
        for entry in &acl.entries {
            let direction = if entry.egress { "egress" } else { "ingress" };
            let protocol = entry.protocol.ec2_number();
            let (from_port, to_port) = rule_ports(entry.protocol, entry.from_port, entry.to_port);
            let allow = entry.action == crate::model::RuleAction::Allow;
            push(
                resources,
                NetworkAclEntry,
                format!("{}/{direction}/{}", acl.id, entry.rule_number),
                vec![ResourceKey::new(NetworkAcl, acl.id.clone())],
                ResourceSpec::NetworkAclEntry(NetworkAclEntrySpec {
                    network_acl: acl.id.clone(),
                    rule_number: entry.rule_number,
                    egress: entry.egress,
                    protocol,
                    from_port,
                    to_port,
                    cidr: entry.cidr.clone(),
                    allow,
                }),
            );
        }
        for subnet in &acl.subnets {
            push(
                resources,
                NetworkAclAssociation,
                format!("{subnet}/network-acl"),
                vec![
                    ResourceKey::new(Subnet, subnet.clone()),
                    ResourceKey::new(NetworkAcl, acl.id.clone()),
                ],
                ResourceSpec::NetworkAclAssociation(NetworkAclAssociationSpec {
                    network_acl: acl.id.clone(),
                    subnet: subnet.clone(),
                }),
            );
        }
    }
}
