//! A placement group.
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

/// A placement group, by strategy (`cluster`, `spread`, `partition`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct PlacementGroupSpec {
    pub strategy: String,
}

impl Resource for PlacementGroupSpec {
    const FACTS: ResourceFacts = ResourceFacts {
        name: "placement_group",
        rank: 5,
        tagged: true,
        long_pole: false,
        in_place: NO_ATTRIBUTES,
        cloudformation_type: "AWS::EC2::PlacementGroup",
        terraform_type: "aws_placement_group",
        ec2_resource_type: "placement-group",
        create_actions: &["ec2:CreatePlacementGroup", "ec2:CreateTags"],
        delete_actions: &["ec2:DeletePlacementGroup"],
        read_actions: &["ec2:DescribePlacementGroups"],
        not_found_code: Some("InvalidPlacementGroup.Unknown"),
        aws_id_prefix: None,
    };

    fn attributes(&self) -> BTreeMap<String, String> {
        let PlacementGroupSpec { strategy } = self;
        attributes([("strategy", strategy.clone())])
    }

    fn cloudformation(&self, cx: &mut CloudFormation<'_>) -> Option<TemplateResource> {
        let PlacementGroupSpec { strategy } = self;
        Some((
            "AWS::EC2::PlacementGroup",
            json!({"Strategy": strategy, "Tags": cx.tags.clone()}),
            Vec::new(),
        ))
    }

    fn terraform(&self, cx: &mut Terraform<'_>) -> Block {
        let PlacementGroupSpec { strategy } = self;
        let id = cx.id;
        Block::new(cx.header("aws_placement_group"))
            .raw(
                "name",
                format!(
                    "\"moat-${{var.design_id}}-{}\"",
                    crate::escape::hcl_string_body(id)
                ),
            )
            .text("strategy", strategy)
            .map("tags", terraform_tags(&cx.resource.tags, id))
    }

    const TEARDOWN: Option<&'static str> = Some(
        r#"echo "placement groups"
for name in $(aws ec2 describe-placement-groups --filters "$design_filter" --query 'PlacementGroups[].GroupName' --output text); do
  aws ec2 delete-placement-group --group-name "$name"
done
"#,
    );

    fn shell(&self, cx: &mut Shell<'_>) {
        let PlacementGroupSpec { strategy } = self;
        let own = cx.own.clone();
        let id = cx.id;
        let _ = writeln!(
            cx.out,
            "{own}=\"moat-${{DESIGN_ID}}-\"{}\nif ! found \"$(aws ec2 describe-placement-groups --filters {} \\\n  --query 'PlacementGroups[0].GroupName' --output text)\"; then\n  aws ec2 create-placement-group --group-name \"${own}\" --strategy {} \\\n    --tag-specifications {} > /dev/null\nfi",
            q(id),
            owner_filters(cx.id, &[]),
            q(strategy),
            cx.tags("placement-group")
        );
    }
}

/// Each placement group.
pub(crate) fn placement_groups(design: &Design, resources: &mut Vec<DesiredResource>) {
    use ResourceKind::*;
    for group in &design.placement_groups {
        let strategy = format!("{:?}", group.strategy).to_lowercase();
        push(
            resources,
            PlacementGroup,
            group.id.clone(),
            Vec::new(),
            ResourceSpec::PlacementGroup(PlacementGroupSpec { strategy }),
        );
    }
}
