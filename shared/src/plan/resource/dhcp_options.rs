//! A DHCP options set and its VPC associations.
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
use serde_json::{Value, json};
use std::fmt::Write;

/// A DHCP options set. AWS cannot change one: any change replaces it (and re-associates
/// its VPCs).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct DhcpOptionsSpec {
    pub domain_name: Option<String>,
    pub domain_name_servers: Vec<String>,
    pub ntp_servers: Vec<String>,
}

impl Resource for DhcpOptionsSpec {
    const FACTS: ResourceFacts = ResourceFacts {
        name: "dhcp_options",
        rank: 2,
        tagged: true,
        long_pole: false,
        in_place: NO_ATTRIBUTES,
        cloudformation_type: "AWS::EC2::DHCPOptions",
        terraform_type: "aws_vpc_dhcp_options",
        ec2_resource_type: "dhcp-options",
        create_actions: &["ec2:CreateDhcpOptions", "ec2:CreateTags"],
        delete_actions: &["ec2:DeleteDhcpOptions"],
        read_actions: &["ec2:DescribeDhcpOptions"],
        not_found_code: Some("InvalidDhcpOptionID.NotFound"),
        aws_id_prefix: Some("dopt-"),
    };

    fn attributes(&self) -> BTreeMap<String, String> {
        let DhcpOptionsSpec {
            domain_name,
            domain_name_servers,
            ntp_servers,
        } = self;
        attributes([
            ("domain_name", domain_name.clone().unwrap_or_default()),
            ("domain_name_servers", domain_name_servers.join(",")),
            ("ntp_servers", ntp_servers.join(",")),
        ])
    }

    fn cloudformation(&self, cx: &mut CloudFormation<'_>) -> Option<TemplateResource> {
        let DhcpOptionsSpec {
            domain_name,
            domain_name_servers,
            ntp_servers,
        } = self;
        let mut properties = json!({"Tags": cx.tags.clone()});
        if let Some(domain_name) = domain_name {
            properties["DomainName"] = json!(domain_name);
        }
        if !domain_name_servers.is_empty() {
            properties["DomainNameServers"] = json!(domain_name_servers);
        }
        if !ntp_servers.is_empty() {
            properties["NtpServers"] = json!(ntp_servers);
        }
        Some(("AWS::EC2::DHCPOptions", properties, Vec::new()))
    }

    fn terraform(&self, cx: &mut Terraform<'_>) -> Block {
        let DhcpOptionsSpec {
            domain_name,
            domain_name_servers,
            ntp_servers,
        } = self;
        let id = cx.id;
        let mut block = Block::new(cx.header("aws_vpc_dhcp_options"));
        if let Some(domain_name) = domain_name {
            block = block.text("domain_name", domain_name);
        }
        // Quoted one by one: every server is design text.
        let quoted = |servers: &[String]| servers.iter().map(|s| quote(s)).collect();
        if !domain_name_servers.is_empty() {
            block = block.list("domain_name_servers", quoted(domain_name_servers));
        }
        if !ntp_servers.is_empty() {
            block = block.list("ntp_servers", quoted(ntp_servers));
        }
        block.map("tags", terraform_tags(&cx.resource.tags, id))
    }

    const TEARDOWN: Option<&'static str> = Some(
        r#"echo "DHCP option sets"
for id in $(aws ec2 describe-dhcp-options --filters "$design_filter" --query 'DhcpOptions[].DhcpOptionsId' --output text); do
  aws ec2 delete-dhcp-options --dhcp-options-id "$id"
done
"#,
    );

    fn shell(&self, cx: &mut Shell<'_>) {
        let DhcpOptionsSpec {
            domain_name,
            domain_name_servers,
            ntp_servers,
        } = self;
        let own = cx.own.clone();
        let mut configurations = Vec::new();
        let values = |items: &[String]| items.iter().map(|i| data(i)).collect::<Vec<_>>();
        if let Some(domain_name) = domain_name {
            configurations.push(json!({"Key": "domain-name", "Values": [data(domain_name)]}));
        }
        if !domain_name_servers.is_empty() {
            configurations
                .push(json!({"Key": "domain-name-servers", "Values": values(domain_name_servers)}));
        }
        if !ntp_servers.is_empty() {
            configurations.push(json!({"Key": "ntp-servers", "Values": values(ntp_servers)}));
        }
        let _ = writeln!(
            cx.out,
            "{own}=$(aws ec2 describe-dhcp-options --filters {} \\\n  --query 'DhcpOptions[0].DhcpOptionsId' --output text)\nif ! found \"${own}\"; then\n  {own}=$(aws ec2 create-dhcp-options --dhcp-configurations {} \\\n    --tag-specifications {} \\\n    --query 'DhcpOptions.DhcpOptionsId' --output text)\nfi",
            owner_filters(cx.id, &[]),
            json_word(&Value::Array(configurations)),
            cx.tags("dhcp-options")
        );
    }
}

/// A VPC's association with a DHCP options set; removing it returns the VPC to AWS's
/// default set.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct DhcpOptionsAssociationSpec {
    pub vpc: String,
    pub dhcp_options: String,
}

impl Resource for DhcpOptionsAssociationSpec {
    /// Found through its VPC (`DescribeVpcs` names the set); deleting it associates AWS's
    /// default set.
    const FACTS: ResourceFacts = ResourceFacts {
        name: "dhcp_options_association",
        rank: 3,
        tagged: false,
        long_pole: false,
        in_place: &["dhcp_options"],
        cloudformation_type: "AWS::EC2::VPCDHCPOptionsAssociation",
        terraform_type: "aws_vpc_dhcp_options_association",
        ec2_resource_type: "vpc",
        create_actions: &["ec2:AssociateDhcpOptions"],
        delete_actions: &["ec2:AssociateDhcpOptions"],
        read_actions: &["ec2:DescribeVpcs"],
        not_found_code: Some("InvalidVpcID.NotFound"),
        aws_id_prefix: None,
    };

    fn attributes(&self) -> BTreeMap<String, String> {
        let DhcpOptionsAssociationSpec { vpc, dhcp_options } = self;
        attributes([("vpc", vpc.clone()), ("dhcp_options", dhcp_options.clone())])
    }

    fn cloudformation(&self, cx: &mut CloudFormation<'_>) -> Option<TemplateResource> {
        let DhcpOptionsAssociationSpec { vpc, dhcp_options } = self;
        Some((
            "AWS::EC2::VPCDHCPOptionsAssociation",
            json!({
                "VpcId": reference(&cx.names.of(ResourceKind::Vpc, vpc)),
                "DhcpOptionsId": reference(&cx.names.of(ResourceKind::DhcpOptions, dhcp_options)),
            }),
            Vec::new(),
        ))
    }

    fn terraform(&self, cx: &mut Terraform<'_>) -> Block {
        let DhcpOptionsAssociationSpec { vpc, dhcp_options } = self;
        Block::new(cx.header("aws_vpc_dhcp_options_association"))
            .raw("vpc_id", cx.names.reference(ResourceKind::Vpc, vpc, "id"))
            .raw(
                "dhcp_options_id",
                cx.names
                    .reference(ResourceKind::DhcpOptions, dhcp_options, "id"),
            )
    }

    const TEARDOWN: Option<&'static str> = Some(
        r#"echo "DHCP option set associations (each VPC goes back to AWS's default set)"
for vpc in $(aws ec2 describe-vpcs --filters "$design_filter" --query 'Vpcs[].VpcId' --output text); do
  aws ec2 associate-dhcp-options --dhcp-options-id default --vpc-id "$vpc"
done
"#,
    );

    fn shell(&self, cx: &mut Shell<'_>) {
        let DhcpOptionsAssociationSpec { vpc, dhcp_options } = self;
        let _ = writeln!(
            cx.out,
            "aws ec2 associate-dhcp-options --dhcp-options-id {} --vpc-id {}",
            cx.variables.var(ResourceKind::DhcpOptions, dhcp_options),
            cx.variables.var(ResourceKind::Vpc, vpc)
        );
    }
}

/// Each DHCP options set and its VPC associations.
pub(crate) fn dhcp_options_sets(design: &Design, resources: &mut Vec<DesiredResource>) {
    use ResourceKind::*;
    let vpc_key = |id: &str| ResourceKey::new(Vpc, id);
    // DHCP options before anything launches in their VPCs: an instance takes the options
    // its VPC had when it booted until its lease renews.
    for options in &design.dhcp_options {
        push(
            resources,
            DhcpOptions,
            options.id.clone(),
            Vec::new(),
            ResourceSpec::DhcpOptions(DhcpOptionsSpec {
                domain_name: options.domain_name.clone().filter(|name| !name.is_empty()),
                domain_name_servers: options.domain_name_servers.clone(),
                ntp_servers: options.ntp_servers.clone(),
            }),
        );
        for vpc in &options.vpcs {
            push(
                resources,
                DhcpOptionsAssociation,
                format!("{vpc}/dhcp-options"),
                vec![
                    vpc_key(vpc),
                    ResourceKey::new(DhcpOptions, options.id.clone()),
                ],
                ResourceSpec::DhcpOptionsAssociation(DhcpOptionsAssociationSpec {
                    vpc: vpc.clone(),
                    dhcp_options: options.id.clone(),
                }),
            );
        }
    }
}
