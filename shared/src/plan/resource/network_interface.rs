//! A standalone network interface in its subnet.
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

/// A network interface of its own: its subnet, its groups, its fixed address if any.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct NetworkInterfaceSpec {
    pub subnet: String,
    /// Changed in place.
    pub security_groups: Vec<String>,
    /// The primary private IPv4 address; none lets AWS choose (a change replaces it).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub private_ip: Option<String>,
    /// Changed in place.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub description: String,
}

impl Resource for NetworkInterfaceSpec {
    /// Found by its tags; an interface attached as an instance's primary one (device 0) is the
    /// instance's, never one of these.
    const FACTS: ResourceFacts = ResourceFacts {
        name: "network_interface",
        rank: 24,
        tagged: true,
        long_pole: false,
        in_place: &["security_groups", "description"],
        cloudformation_type: "AWS::EC2::NetworkInterface",
        terraform_type: "aws_network_interface",
        ec2_resource_type: "network-interface",
        create_actions: &[
            "ec2:CreateNetworkInterface",
            "ec2:ModifyNetworkInterfaceAttribute",
            "ec2:CreateTags",
        ],
        delete_actions: &["ec2:DeleteNetworkInterface"],
        read_actions: &["ec2:DescribeNetworkInterfaces"],
        not_found_code: Some("InvalidNetworkInterfaceID.NotFound"),
        aws_id_prefix: Some("eni-"),
    };

    fn attributes(&self) -> BTreeMap<String, String> {
        let NetworkInterfaceSpec {
            subnet,
            security_groups,
            private_ip,
            description,
        } = self;
        let mut found = attributes([
            ("subnet", subnet.clone()),
            ("security_groups", sorted_list(security_groups)),
            ("description", description.clone()),
        ]);
        // A fixed address says so; one AWS chose is not the design's to compare.
        if let Some(address) = private_ip {
            found.insert("private_ip".to_string(), address.clone());
        }
        found
    }

    fn cloudformation(&self, cx: &mut CloudFormation<'_>) -> Option<TemplateResource> {
        let NetworkInterfaceSpec {
            subnet,
            security_groups,
            private_ip,
            description,
        } = self;
        let mut properties = json!({
            "SubnetId": reference(&cx.names.of(ResourceKind::Subnet, subnet)),
            "GroupSet": security_groups
                .iter()
                .map(|g| json!({"Fn::GetAtt": [cx.names.of(ResourceKind::SecurityGroup, g), "GroupId"]}))
                .collect::<Vec<_>>(),
            "Tags": cx.tags.clone(),
        });
        if let Some(address) = private_ip {
            properties["PrivateIpAddress"] = json!(address);
        }
        if !description.is_empty() {
            properties["Description"] = json!(description);
        }
        Some(("AWS::EC2::NetworkInterface", properties, Vec::new()))
    }

    fn terraform(&self, cx: &mut Terraform<'_>) -> Block {
        let NetworkInterfaceSpec {
            subnet,
            security_groups,
            private_ip,
            description,
        } = self;
        let mut block = Block::new(cx.header("aws_network_interface"))
            .raw(
                "subnet_id",
                cx.names.reference(ResourceKind::Subnet, subnet, "id"),
            )
            .list(
                "security_groups",
                security_groups
                    .iter()
                    .map(|g| cx.names.reference(ResourceKind::SecurityGroup, g, "id"))
                    .collect(),
            );
        if let Some(address) = private_ip {
            block = block.list("private_ips", vec![quote(address)]);
        }
        if !description.is_empty() {
            block = block.text("description", description);
        }
        block.map("tags", terraform_tags(&cx.resource.tags, cx.id))
    }

    /// Not the ones in use: an instance's interfaces go with it.
    const TEARDOWN: Option<&'static str> = Some(
        r#"echo "network interfaces"
for id in $(aws ec2 describe-network-interfaces --filters "$design_filter" Name=status,Values=available \
  --query 'NetworkInterfaces[].NetworkInterfaceId' --output text); do
  aws ec2 delete-network-interface --network-interface-id "$id"
done
"#,
    );

    fn shell(&self, cx: &mut Shell<'_>) {
        let NetworkInterfaceSpec {
            subnet,
            security_groups,
            private_ip,
            description,
        } = self;
        let own = cx.own.clone();
        let mut options = String::new();
        if !security_groups.is_empty() {
            let groups: Vec<String> = security_groups
                .iter()
                .map(|g| cx.variables.var(ResourceKind::SecurityGroup, g))
                .collect();
            options.push_str(&format!(" --groups {}", groups.join(" ")));
        }
        if let Some(address) = private_ip {
            options.push_str(&format!(" --private-ip-address {}", q(address)));
        }
        if !description.is_empty() {
            options.push_str(&format!(" \\\n    --description {}", q(description)));
        }
        let _ = writeln!(
            cx.out,
            "{own}=$(aws ec2 describe-network-interfaces --filters {} \\\n  --query 'NetworkInterfaces[0].NetworkInterfaceId' --output text)\nif ! found \"${own}\"; then\n  {own}=$(aws ec2 create-network-interface --subnet-id {}{options} \\\n    --tag-specifications {} \\\n    --query 'NetworkInterface.NetworkInterfaceId' --output text)\nfi",
            owner_filters(cx.id, &[]),
            cx.variables.var(ResourceKind::Subnet, subnet),
            cx.tags("network-interface")
        );
    }
}

/// Each standalone network interface, after its subnet and groups.
pub(crate) fn network_interfaces(design: &Design, resources: &mut Vec<DesiredResource>) {
    for interface in &design.network_interfaces {
        let mut depends_on = vec![ResourceKey::new(
            ResourceKind::Subnet,
            interface.subnet.clone(),
        )];
        depends_on.extend(
            interface
                .security_groups
                .iter()
                .map(|group| ResourceKey::new(ResourceKind::SecurityGroup, group.clone())),
        );
        push(
            resources,
            ResourceKind::NetworkInterface,
            interface.id.clone(),
            depends_on,
            ResourceSpec::NetworkInterface(NetworkInterfaceSpec {
                subnet: interface.subnet.clone(),
                security_groups: interface.security_groups.clone(),
                private_ip: interface
                    .private_ip
                    .clone()
                    .filter(|address| !address.is_empty()),
                description: interface.description.clone(),
            }),
        );
    }
}
