//! A security group and its rules, one resource per rule.
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
use serde_json::{Value, json};
use std::fmt::Write;

/// The "no egress" placeholder: AWS's own way to drop a new group's default egress rule.
pub const NO_EGRESS_PLACEHOLDER_CIDR: &str = "255.255.255.255/32";

/// A security group of a VPC (its rules are resources of their own).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct SecurityGroupSpec {
    pub vpc: String,
    pub name: String,
    pub description: String,
}

impl Resource for SecurityGroupSpec {
    const FACTS: ResourceFacts = ResourceFacts {
        name: "security_group",
        rank: 9,
        tagged: true,
        long_pole: false,
        in_place: NO_ATTRIBUTES,
        cloudformation_type: "AWS::EC2::SecurityGroup",
        terraform_type: "aws_security_group",
        ec2_resource_type: "security-group",
        create_actions: &[
            "ec2:CreateSecurityGroup",
            "ec2:RevokeSecurityGroupEgress",
            "ec2:CreateTags",
        ],
        delete_actions: &["ec2:DeleteSecurityGroup"],
        read_actions: &["ec2:DescribeSecurityGroups"],
        not_found_code: Some("InvalidGroup.NotFound"),
        aws_id_prefix: Some("sg-"),
    };

    fn attributes(&self) -> BTreeMap<String, String> {
        let SecurityGroupSpec { vpc, name, .. } = self;
        attributes([("vpc", vpc.clone()), ("name", name.clone())])
    }

    fn cloudformation(&self, cx: &mut CloudFormation<'_>) -> Option<TemplateResource> {
        let SecurityGroupSpec {
            vpc,
            name: group_name,
            description,
        } = self;
        let id = cx.id;
        let egress = cx.inline_egress.get(id).cloned().unwrap_or_else(|| {
            vec![json!({
                "IpProtocol": "icmp",
                "FromPort": 252,
                "ToPort": 86,
                "CidrIp": NO_EGRESS_PLACEHOLDER_CIDR,
                "Description": "No egress: replaces AWS's default allow-all rule",
            })]
        });
        Some((
            "AWS::EC2::SecurityGroup",
            json!({
                "GroupName": group_name,
                "GroupDescription": description,
                "VpcId": reference(&cx.names.of(ResourceKind::Vpc, vpc)),
                "SecurityGroupEgress": egress,
                "Tags": cx.tags.clone(),
            }),
            Vec::new(),
        ))
    }

    fn terraform(&self, cx: &mut Terraform<'_>) -> Block {
        let SecurityGroupSpec {
            vpc,
            name,
            description,
        } = self;
        let own = cx.own.clone();
        let id = cx.id;
        // Workloads Moat does not start are started with these ids.
        cx.outputs.push((
            format!("{own}_id"),
            cx.names.reference(ResourceKind::SecurityGroup, id, "id"),
        ));
        Block::new(cx.header("aws_security_group"))
            .text("name", name)
            .text("description", description)
            .raw("vpc_id", cx.names.reference(ResourceKind::Vpc, vpc, "id"))
            .map("tags", terraform_tags(&cx.resource.tags, id))
    }

    const TEARDOWN: Option<&'static str> = Some(
        r#"echo "security groups"
for id in $(aws ec2 describe-security-groups --filters "$design_filter" --query 'SecurityGroups[].GroupId' --output text); do
  aws ec2 delete-security-group --group-id "$id"
done
"#,
    );

    fn shell(&self, cx: &mut Shell<'_>) {
        let SecurityGroupSpec {
            vpc,
            name,
            description,
        } = self;
        let own = cx.own.clone();
        let _ = writeln!(
            cx.out,
            "{own}=$(aws ec2 describe-security-groups --filters {} \\\n  --query 'SecurityGroups[0].GroupId' --output text)\nif ! found \"${own}\"; then\n  {own}=$(aws ec2 create-security-group --group-name {} --description {} \\\n    --vpc-id {} --tag-specifications {} \\\n    --query 'GroupId' --output text)\n  # The design's egress rules are its own; AWS's default allow-all goes.\n  aws ec2 revoke-security-group-egress --group-id \"${own}\" \\\n    --ip-permissions '[{{\"IpProtocol\":\"-1\",\"IpRanges\":[{{\"CidrIp\":\"0.0.0.0/0\"}}]}}]' > /dev/null\nfi",
            owner_filters(cx.id, &[]),
            q(name),
            q(description),
            cx.variables.var(ResourceKind::Vpc, vpc),
            cx.tags("security-group")
        );
    }
}

/// One ingress or egress rule of a security group.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct SecurityGroupRuleSpec {
    pub security_group: String,
    pub egress: bool,
    /// IANA number as a string, `-1` for all.
    pub protocol: String,
    pub from_port: i32,
    pub to_port: i32,
    pub peer: RulePeer,
    /// Changed in place (AWS keeps it on the rule, not in its identity).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
}

impl Resource for SecurityGroupRuleSpec {
    const FACTS: ResourceFacts = ResourceFacts {
        name: "security_group_rule",
        rank: 17,
        tagged: false,
        long_pole: false,
        in_place: &["description"],
        cloudformation_type: "AWS::EC2::SecurityGroupIngress",
        terraform_type: "aws_vpc_security_group_rule",
        ec2_resource_type: "security-group-rule",
        create_actions: &[
            "ec2:AuthorizeSecurityGroupIngress",
            "ec2:AuthorizeSecurityGroupEgress",
            "ec2:UpdateSecurityGroupRuleDescriptionsIngress",
            "ec2:UpdateSecurityGroupRuleDescriptionsEgress",
        ],
        delete_actions: &[
            "ec2:RevokeSecurityGroupIngress",
            "ec2:RevokeSecurityGroupEgress",
        ],
        read_actions: &["ec2:DescribeSecurityGroups"],
        not_found_code: Some("InvalidPermission.NotFound"),
        aws_id_prefix: Some("sgr-"),
    };

    fn attributes(&self) -> BTreeMap<String, String> {
        let SecurityGroupRuleSpec { description, .. } = self;
        description
            .iter()
            .filter(|text| !text.is_empty())
            .map(|text| ("description".to_string(), text.clone()))
            .collect()
    }

    fn cloudformation(&self, cx: &mut CloudFormation<'_>) -> Option<TemplateResource> {
        let SecurityGroupRuleSpec {
            security_group,
            egress,
            protocol,
            from_port,
            to_port,
            peer,
            description,
        } = self;
        if *egress && matches!(peer, RulePeer::Cidr(_)) {
            // Inline on its group (see above).
            return None;
        }
        let mut properties = json!({
            "GroupId": {"Fn::GetAtt": [cx.names.of(ResourceKind::SecurityGroup, security_group), "GroupId"]},
            "IpProtocol": protocol_value(protocol),
        });
        if crate::model::ec2_protocol_has_ports(protocol) {
            properties["FromPort"] = json!(from_port);
            properties["ToPort"] = json!(to_port);
        }
        let (cidr_key, group_key, list_key) = if *egress {
            (
                "CidrIp",
                "DestinationSecurityGroupId",
                "DestinationPrefixListId",
            )
        } else {
            ("CidrIp", "SourceSecurityGroupId", "SourcePrefixListId")
        };
        match peer {
            RulePeer::Cidr(cidr) => properties[cidr_key] = json!(cidr),
            RulePeer::SecurityGroup(group) => {
                properties[group_key] = json!({"Fn::GetAtt": [cx.names.of(ResourceKind::SecurityGroup, group), "GroupId"]});
            }
            RulePeer::PrefixList(list) => properties[list_key] = json!(list),
        }
        if let Some(description) = description {
            properties["Description"] = json!(description);
        }
        Some((
            if *egress {
                "AWS::EC2::SecurityGroupEgress"
            } else {
                "AWS::EC2::SecurityGroupIngress"
            },
            properties,
            Vec::new(),
        ))
    }

    fn terraform(&self, cx: &mut Terraform<'_>) -> Block {
        let SecurityGroupRuleSpec {
            security_group,
            egress,
            protocol,
            from_port,
            to_port,
            peer,
            description,
        } = self;
        let id = cx.id;
        let kind = if *egress {
            "aws_vpc_security_group_egress_rule"
        } else {
            "aws_vpc_security_group_ingress_rule"
        };
        let mut block = Block::new(cx.header(kind))
            .raw(
                "security_group_id",
                cx.names
                    .reference(ResourceKind::SecurityGroup, security_group, "id"),
            )
            .text(
                "description",
                &description
                    .clone()
                    .unwrap_or_else(|| format!("{id} (Moat)")),
            )
            .text("ip_protocol", protocol);
        if crate::model::ec2_protocol_has_ports(protocol) {
            block = block
                .raw("from_port", from_port.to_string())
                .raw("to_port", to_port.to_string());
        }
        block = match peer {
            RulePeer::Cidr(cidr) => block.text("cidr_ipv4", cidr),
            RulePeer::SecurityGroup(group) => block.raw(
                "referenced_security_group_id",
                cx.names.reference(ResourceKind::SecurityGroup, group, "id"),
            ),
            RulePeer::PrefixList(list) => block.text("prefix_list_id", list),
        };
        block
    }

    const TEARDOWN: Option<&'static str> = Some(
        r#"echo "security group rules (groups can only go once no rule names them)"
for group in $(aws ec2 describe-security-groups --filters "$design_filter" --query 'SecurityGroups[].GroupId' --output text); do
  ingress=$(aws ec2 describe-security-groups --group-ids "$group" --query 'SecurityGroups[0].IpPermissions' --output json)
  egress=$(aws ec2 describe-security-groups --group-ids "$group" --query 'SecurityGroups[0].IpPermissionsEgress' --output json)
  if [ "$ingress" != "[]" ]; then
    aws ec2 revoke-security-group-ingress --group-id "$group" --ip-permissions "$ingress" > /dev/null
  fi
  if [ "$egress" != "[]" ]; then
    aws ec2 revoke-security-group-egress --group-id "$group" --ip-permissions "$egress" > /dev/null
  fi
done
"#,
    );

    fn shell(&self, cx: &mut Shell<'_>) {
        let SecurityGroupRuleSpec {
            security_group,
            egress,
            protocol,
            from_port,
            to_port,
            peer,
            description,
        } = self;
        let mut permission = json!({"IpProtocol": data(protocol)});
        let described = |mut peer: Value| {
            if let Some(description) = description {
                peer["Description"] = json!(data(description));
            }
            peer
        };
        if crate::model::ec2_protocol_has_ports(protocol) {
            permission["FromPort"] = json!(from_port);
            permission["ToPort"] = json!(to_port);
        }
        match peer {
            RulePeer::Cidr(cidr) => {
                permission["IpRanges"] = json!([described(json!({"CidrIp": data(cidr)}))]);
            }
            RulePeer::SecurityGroup(group) => {
                permission["UserIdGroupPairs"] = json!([described(json!({
                    "GroupId": splice(&cx.variables.of(ResourceKind::SecurityGroup, group))
                }))]);
            }
            RulePeer::PrefixList(list) => {
                permission["PrefixListIds"] =
                    json!([described(json!({"PrefixListId": data(list)}))]);
            }
        }
        let direction = if *egress { "egress" } else { "ingress" };
        let _ = writeln!(
            cx.out,
            "tolerate InvalidPermission.Duplicate aws ec2 authorize-security-group-{direction} \\\n  --group-id {} \\\n  --ip-permissions {} > /dev/null",
            cx.variables
                .var(ResourceKind::SecurityGroup, security_group),
            json_word(&json!([permission]))
        );
    }
}

/// Each security group (its rules come later, once every group exists).
pub(crate) fn security_groups(design: &Design, resources: &mut Vec<DesiredResource>) {
    use ResourceKind::*;
    let vpc_key = |id: &str| ResourceKey::new(Vpc, id);
    for group in &design.security_groups {
        push(
            resources,
            SecurityGroup,
            group.id.clone(),
            vec![vpc_key(&group.vpc)],
            ResourceSpec::SecurityGroup(SecurityGroupSpec {
                vpc: group.vpc.clone(),
                name: group.name.clone(),
                description: if group.description.is_empty() {
                    format!("{} (Moat)", group.name)
                } else {
                    group.description.clone()
                },
            }),
        );
    }
}

/// Each security group rule, once per rule EC2 holds.
pub(crate) fn security_group_rules(design: &Design, resources: &mut Vec<DesiredResource>) {
    use ResourceKind::*;
    // Rule ids already planned: two rules of the design that are one rule in EC2 are one
    // resource (a set, so 38k rules cost 38k look-ups, not 38k² comparisons).
    let mut planned_rules: HashSet<String> = HashSet::new();
    for group in &design.security_groups {
        for (egress, rules) in [(false, &group.ingress), (true, &group.egress)] {
            for rule in rules.iter() {
                let peer = if let Some(cidr) = &rule.cidr {
                    RulePeer::Cidr(cidr.clone())
                } else if let Some(peer_group) = &rule.security_group {
                    RulePeer::SecurityGroup(peer_group.clone())
                } else if let Some(list) = &rule.prefix_list {
                    RulePeer::PrefixList(list.clone())
                } else {
                    continue;
                };
                let protocol = rule.protocol.ec2_number();
                let (from_port, to_port) = rule_ports(rule.protocol, rule.from_port, rule.to_port);
                let mut depends_on = vec![ResourceKey::new(SecurityGroup, group.id.clone())];
                if let RulePeer::SecurityGroup(peer_group) = &peer
                    && *peer_group != group.id
                {
                    depends_on.push(ResourceKey::new(SecurityGroup, peer_group.clone()));
                }
                let logical_id =
                    security_group_rule_id(&group.id, egress, &protocol, from_port, to_port, &peer);
                if !planned_rules.insert(logical_id.clone()) {
                    continue;
                }
                push(
                    resources,
                    SecurityGroupRule,
                    logical_id,
                    depends_on,
                    ResourceSpec::SecurityGroupRule(SecurityGroupRuleSpec {
                        security_group: group.id.clone(),
                        egress,
                        protocol,
                        from_port,
                        to_port,
                        peer,
                        description: rule.description.clone().filter(|text| !text.is_empty()),
                    }),
                );
            }
        }
    }
}
