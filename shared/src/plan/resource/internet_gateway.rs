//! An internet gateway, attached to its VPC.
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

/// An internet gateway, attached to its VPC.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct InternetGatewaySpec {
    pub vpc: String,
}

impl Resource for InternetGatewaySpec {
    const FACTS: ResourceFacts = ResourceFacts {
        name: "internet_gateway",
        rank: 7,
        tagged: true,
        long_pole: false,
        in_place: NO_ATTRIBUTES,
        cloudformation_type: "AWS::EC2::InternetGateway",
        terraform_type: "aws_internet_gateway",
        ec2_resource_type: "internet-gateway",
        create_actions: &[
            "ec2:CreateInternetGateway",
            "ec2:AttachInternetGateway",
            "ec2:CreateTags",
        ],
        delete_actions: &["ec2:DetachInternetGateway", "ec2:DeleteInternetGateway"],
        read_actions: &["ec2:DescribeInternetGateways"],
        not_found_code: Some("InvalidInternetGatewayID.NotFound"),
        aws_id_prefix: Some("igw-"),
    };

    fn attributes(&self) -> BTreeMap<String, String> {
        let InternetGatewaySpec { vpc } = self;
        attributes([("vpc", vpc.clone())])
    }

    fn cloudformation(&self, cx: &mut CloudFormation<'_>) -> Option<TemplateResource> {
        let InternetGatewaySpec { vpc } = self;
        let own = cx.own.clone();
        cx.resources.insert(
            cx.names.derived(&own, "Attachment"),
            json!({
                "Type": "AWS::EC2::VPCGatewayAttachment",
                "Properties": {
                    "VpcId": reference(&cx.names.of(ResourceKind::Vpc, vpc)),
                    "InternetGatewayId": reference(&own),
                }
            }),
        );
        Some((
            "AWS::EC2::InternetGateway",
            json!({"Tags": cx.tags.clone()}),
            Vec::new(),
        ))
    }

    fn terraform(&self, cx: &mut Terraform<'_>) -> Block {
        let InternetGatewaySpec { vpc } = self;
        let id = cx.id;
        Block::new(cx.header("aws_internet_gateway"))
            .raw("vpc_id", cx.names.reference(ResourceKind::Vpc, vpc, "id"))
            .map("tags", terraform_tags(&cx.resource.tags, id))
    }

    const TEARDOWN: Option<&'static str> = Some(
        r#"echo "internet gateways"
for id in $(aws ec2 describe-internet-gateways --filters "$design_filter" --query 'InternetGateways[].InternetGatewayId' --output text); do
  for vpc in $(aws ec2 describe-internet-gateways --internet-gateway-ids "$id" \
    --query 'InternetGateways[0].Attachments[].VpcId' --output text); do
    aws ec2 detach-internet-gateway --internet-gateway-id "$id" --vpc-id "$vpc"
  done
  aws ec2 delete-internet-gateway --internet-gateway-id "$id"
done
"#,
    );

    fn shell(&self, cx: &mut Shell<'_>) {
        let InternetGatewaySpec { vpc } = self;
        let own = cx.own.clone();
        let vpc_var = cx.variables.var(ResourceKind::Vpc, vpc);
        let _ = writeln!(
            cx.out,
            "{own}=$(aws ec2 describe-internet-gateways --filters {} \\\n  --query 'InternetGateways[0].InternetGatewayId' --output text)\nif ! found \"${own}\"; then\n  {own}=$(aws ec2 create-internet-gateway \\\n    --tag-specifications {} \\\n    --query 'InternetGateway.InternetGatewayId' --output text)\nfi\nif [ \"$(aws ec2 describe-internet-gateways --internet-gateway-ids \"${own}\" \\\n  --query 'InternetGateways[0].Attachments[0].VpcId' --output text)\" != {vpc_var} ]; then\n  aws ec2 attach-internet-gateway --internet-gateway-id \"${own}\" --vpc-id {vpc_var}\nfi",
            owner_filters(cx.id, &[]),
            cx.tags("internet-gateway")
        );
    }
}

/// Each internet gateway.
pub(crate) fn internet_gateways(design: &Design, resources: &mut Vec<DesiredResource>) {
    use ResourceKind::*;
    let vpc_key = |id: &str| ResourceKey::new(Vpc, id);
    for gateway in &design.internet_gateways {
        push(
            resources,
            InternetGateway,
            gateway.id.clone(),
            vec![vpc_key(&gateway.vpc)],
            ResourceSpec::InternetGateway(InternetGatewaySpec {
                vpc: gateway.vpc.clone(),
            }),
        );
    }
}
