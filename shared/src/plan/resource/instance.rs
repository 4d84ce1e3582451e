//! An EC2 instance of a workload.
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

/// One EC2 instance of a workload, in its subnet, groups and placement group.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct InstanceSpec {
    pub subnet: String,
    pub security_groups: Vec<String>,
    pub placement_group: Option<String>,
    pub instance_type: String,
    pub image_id: String,
    pub efa: bool,
}

impl Resource for InstanceSpec {
    const FACTS: ResourceFacts = ResourceFacts {
        name: "instance",
        rank: 22,
        tagged: true,
        long_pole: false,
        in_place: NO_ATTRIBUTES,
        cloudformation_type: "AWS::EC2::Instance",
        terraform_type: "aws_instance",
        ec2_resource_type: "instance",
        create_actions: &["ec2:RunInstances", "ec2:CreateTags"],
        delete_actions: &["ec2:TerminateInstances"],
        read_actions: &["ec2:DescribeInstances"],
        not_found_code: Some("InvalidInstanceID.NotFound"),
        aws_id_prefix: Some("i-"),
    };

    fn attributes(&self) -> BTreeMap<String, String> {
        let InstanceSpec {
            subnet,
            instance_type,
            image_id,
            ..
        } = self;
        attributes([
            ("subnet", subnet.clone()),
            ("instance_type", instance_type.clone()),
            ("image_id", image_id.clone()),
        ])
    }

    fn cloudformation(&self, cx: &mut CloudFormation<'_>) -> Option<TemplateResource> {
        let InstanceSpec {
            subnet,
            security_groups,
            placement_group,
            instance_type,
            image_id,
            efa,
        } = self;
        let own = cx.own.clone();
        // The primary interface is a resource of its own: an instance's inline
        // interface cannot say it is an EFA (as in the Terraform export).
        let interface = cx.names.derived(&own, "PrimaryInterface");
        let mut interface_properties = json!({
            "SubnetId": reference(&cx.names.of(ResourceKind::Subnet, subnet)),
            "GroupSet": security_groups.iter().map(|g| json!({"Fn::GetAtt": [cx.names.of(ResourceKind::SecurityGroup, g), "GroupId"]})).collect::<Vec<_>>(),
            "Tags": cx.tags.clone(),
        });
        if *efa {
            interface_properties["InterfaceType"] = json!("efa");
        }
        cx.resources.insert(
            interface.clone(),
            json!({"Type": "AWS::EC2::NetworkInterface", "Properties": interface_properties}),
        );
        let mut properties = json!({
            "ImageId": image_id,
            "InstanceType": instance_type,
            "NetworkInterfaces": [{"DeviceIndex": "0", "NetworkInterfaceId": reference(&interface)}],
            "MetadataOptions": {
                "HttpEndpoint": "enabled",
                "HttpTokens": "required",
                "HttpPutResponseHopLimit": crate::plan::INSTANCE_METADATA_HOP_LIMIT,
            },
            "Tags": cx.tags.clone(),
        });
        if let Some(group) = placement_group {
            properties["PlacementGroupName"] =
                reference(&cx.names.of(ResourceKind::PlacementGroup, group));
        }
        Some(("AWS::EC2::Instance", properties, Vec::new()))
    }

    fn terraform(&self, cx: &mut Terraform<'_>) -> Block {
        let InstanceSpec {
            subnet,
            security_groups,
            placement_group,
            instance_type,
            image_id,
            efa,
        } = self;
        let own = cx.own.clone();
        let id = cx.id;
        let groups: Vec<String> = security_groups
            .iter()
            .map(|g| cx.names.reference(ResourceKind::SecurityGroup, g, "id"))
            .collect();
        let interface = format!("{own}_primary");
        let mut interface_block = Block::new(format!(
            "resource \"aws_network_interface\" \"{interface}\""
        ))
        .raw(
            "subnet_id",
            cx.names.reference(ResourceKind::Subnet, subnet, "id"),
        )
        .list("security_groups", groups);
        if *efa {
            interface_block = interface_block.text("interface_type", "efa");
        }
        cx.blocks
            .push(interface_block.map("tags", terraform_tags(&cx.resource.tags, id)));
        let mut block = Block::new(cx.header("aws_instance"))
            .text("ami", image_id)
            .text("instance_type", instance_type);
        if let Some(group) = placement_group {
            block = block.raw(
                "placement_group",
                cx.names
                    .reference(ResourceKind::PlacementGroup, group, "name"),
            );
        }
        block
            .map("tags", terraform_tags(&cx.resource.tags, id))
            .block(
                Block::new("network_interface")
                    .raw(
                        "network_interface_id",
                        format!("aws_network_interface.{interface}.id"),
                    )
                    .raw("device_index", "0"),
            )
            .block(
                Block::new("metadata_options")
                    .text("http_endpoint", "enabled")
                    .text("http_tokens", "required")
                    .raw(
                        "http_put_response_hop_limit",
                        crate::plan::INSTANCE_METADATA_HOP_LIMIT.to_string(),
                    ),
            )
    }

    const TEARDOWN: Option<&'static str> = Some(
        r#"echo "instances"
for id in $(aws ec2 describe-instances --filters "$design_filter" Name=instance-state-name,Values=pending,running,stopped \
  --query 'Reservations[].Instances[].InstanceId' --output text); do
  aws ec2 terminate-instances --instance-ids "$id" > /dev/null
  aws ec2 wait instance-terminated --instance-ids "$id"
done
"#,
    );

    fn shell(&self, cx: &mut Shell<'_>) {
        let InstanceSpec {
            subnet,
            security_groups,
            placement_group,
            instance_type,
            image_id,
            efa,
        } = self;
        let own = cx.own.clone();
        let groups: Vec<Value> = security_groups
            .iter()
            .map(|g| splice(&cx.variables.of(ResourceKind::SecurityGroup, g)))
            .collect();
        let mut interface = json!({
            "DeviceIndex": 0,
            "SubnetId": splice(&cx.variables.of(ResourceKind::Subnet, subnet)),
            "Groups": groups,
        });
        if *efa {
            interface["InterfaceType"] = json!("efa");
        }
        let placement = placement_group
            .as_ref()
            .map(|g| {
                format!(
                    " \\\n    --placement {}",
                    json_word(&json!({
                        "GroupName": splice(&cx.variables.of(ResourceKind::PlacementGroup, g))
                    }))
                )
            })
            .unwrap_or_default();
        let _ = writeln!(
            cx.out,
            "{own}=$(aws ec2 describe-instances --filters {} \\\n  --query 'Reservations[0].Instances[0].InstanceId' --output text)\nif ! found \"${own}\"; then\n  {own}=$(aws ec2 run-instances --image-id {} --instance-type {} --count 1 \\\n    --network-interfaces {}{placement} \\\n    --metadata-options HttpEndpoint=enabled,HttpTokens=required,HttpPutResponseHopLimit={hops} \\\n    --tag-specifications {} \\\n    --query 'Instances[0].InstanceId' --output text)\nfi",
            owner_filters(cx.id, &[("instance-state-name", &["pending", "running"])]),
            q(image_id),
            q(instance_type),
            json_word(&json!([interface])),
            cx.tags("instance"),
            hops = crate::plan::INSTANCE_METADATA_HOP_LIMIT
        );
    }
}

/// Each workload's instances.
pub(crate) fn instances(design: &Design, resources: &mut Vec<DesiredResource>) {
    use ResourceKind::*;
    for workload in &design.workloads {
        let Some(image_id) = workload.launch_image().map(str::to_string) else {
            continue;
        };
        let mut depends_on = vec![ResourceKey::new(Subnet, workload.subnet.clone())];
        depends_on.extend(
            workload
                .security_groups
                .iter()
                .map(|g| ResourceKey::new(SecurityGroup, g.clone())),
        );
        depends_on.extend(
            workload
                .placement_group
                .iter()
                .map(|g| ResourceKey::new(PlacementGroup, g.clone())),
        );
        // Rules first: an instance starts with the network it was designed for.
        for group in &workload.security_groups {
            depends_on.extend(
                resources
                    .iter()
                    .filter(|r| {
                        r.key.kind == SecurityGroupRule
                            && r.key.logical_id.starts_with(&format!("{group}/"))
                    })
                    .map(|r| r.key.clone())
                    .collect::<Vec<_>>(),
            );
        }
        // Defence in depth: a count over the limit is a `limit.instance-count` error that blocks
        // every deploy and export; the planner never expands more than the limit either.
        for index in 0..workload.count.min(crate::limits::MAX_INSTANCE_COUNT) {
            push(
                resources,
                Instance,
                format!("{}/{index}", workload.id),
                depends_on.clone(),
                ResourceSpec::Instance(InstanceSpec {
                    subnet: workload.subnet.clone(),
                    security_groups: workload.security_groups.clone(),
                    placement_group: workload.placement_group.clone(),
                    instance_type: workload.instance_type.clone(),
                    image_id: image_id.clone(),
                    efa: workload.efa,
                }),
            );
        }
    }
}
