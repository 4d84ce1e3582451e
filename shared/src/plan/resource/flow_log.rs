//! A VPC flow log.
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

/// A VPC's flow log into a destination Moat does not create (S3 bucket or log group).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct FlowLogSpec {
    pub vpc: String,
    /// The destination's ARN.
    pub destination: String,
    /// `s3` or `cloud-watch-logs` (EC2's `LogDestinationType`).
    pub destination_type: String,
    /// `ALL`, `ACCEPT` or `REJECT`.
    pub traffic_type: String,
    pub delivery_role_arn: Option<String>,
    pub max_aggregation_interval: u32,
}

impl Resource for FlowLogSpec {
    /// Delivery to S3 or CloudWatch Logs is set up by the Logs service on the caller's behalf.
    const FACTS: ResourceFacts = ResourceFacts {
        name: "flow_log",
        rank: 23,
        tagged: true,
        long_pole: false,
        in_place: NO_ATTRIBUTES,
        cloudformation_type: "AWS::EC2::FlowLog",
        terraform_type: "aws_flow_log",
        ec2_resource_type: "vpc-flow-log",
        create_actions: &[
            "ec2:CreateFlowLogs",
            "ec2:CreateTags",
            "logs:CreateLogDelivery",
        ],
        delete_actions: &["ec2:DeleteFlowLogs", "logs:DeleteLogDelivery"],
        read_actions: &["ec2:DescribeFlowLogs"],
        not_found_code: Some("InvalidFlowLogId.NotFound"),
        aws_id_prefix: Some("fl-"),
    };

    fn attributes(&self) -> BTreeMap<String, String> {
        let FlowLogSpec {
            vpc,
            destination,
            traffic_type,
            delivery_role_arn,
            max_aggregation_interval,
            ..
        } = self;
        attributes([
            ("vpc", vpc.clone()),
            ("destination", destination.clone()),
            ("traffic_type", traffic_type.clone()),
            (
                "delivery_role",
                delivery_role_arn.clone().unwrap_or_default(),
            ),
            (
                "max_aggregation_interval",
                max_aggregation_interval.to_string(),
            ),
        ])
    }

    fn cloudformation(&self, cx: &mut CloudFormation<'_>) -> Option<TemplateResource> {
        let FlowLogSpec {
            vpc,
            destination,
            destination_type,
            traffic_type,
            delivery_role_arn,
            max_aggregation_interval,
        } = self;
        let mut properties = json!({
            "ResourceId": reference(&cx.names.of(ResourceKind::Vpc, vpc)),
            "ResourceType": "VPC",
            "TrafficType": traffic_type,
            "LogDestinationType": destination_type,
            "LogDestination": destination,
            "MaxAggregationInterval": max_aggregation_interval,
            "Tags": cx.tags.clone(),
        });
        if let Some(role) = delivery_role_arn {
            properties["DeliverLogsPermissionArn"] = json!(role);
        }
        Some(("AWS::EC2::FlowLog", properties, Vec::new()))
    }

    fn terraform(&self, cx: &mut Terraform<'_>) -> Block {
        let FlowLogSpec {
            vpc,
            destination,
            destination_type,
            traffic_type,
            delivery_role_arn,
            max_aggregation_interval,
        } = self;
        let id = cx.id;
        let mut block = Block::new(cx.header("aws_flow_log"))
            .raw("vpc_id", cx.names.reference(ResourceKind::Vpc, vpc, "id"))
            .text("traffic_type", traffic_type)
            .text("log_destination_type", destination_type)
            .text("log_destination", destination)
            .raw(
                "max_aggregation_interval",
                max_aggregation_interval.to_string(),
            );
        if let Some(role) = delivery_role_arn {
            block = block.text("iam_role_arn", role);
        }
        block.map("tags", terraform_tags(&cx.resource.tags, id))
    }

    const TEARDOWN: Option<&'static str> = Some(
        r#"echo "flow logs"
flow_logs=$(aws ec2 describe-flow-logs --filter "$design_filter" --query 'FlowLogs[].FlowLogId' --output text)
if [ -n "$flow_logs" ]; then
  aws ec2 delete-flow-logs --flow-log-ids $flow_logs > /dev/null
fi
"#,
    );

    fn shell(&self, cx: &mut Shell<'_>) {
        let FlowLogSpec {
            vpc,
            destination,
            destination_type,
            traffic_type,
            delivery_role_arn,
            max_aggregation_interval,
        } = self;
        let own = cx.own.clone();
        let role = delivery_role_arn
            .as_ref()
            .map(|role| format!(" \\\n    --deliver-logs-permission-arn {}", q(role)))
            .unwrap_or_default();
        // EC2 answers a destination it cannot use with an "unsuccessful" item, not an
        // error: the script stops with its message.
        let _ = writeln!(
            cx.out,
            "{own}=$(aws ec2 describe-flow-logs --filter {} \\\n  --query 'FlowLogs[0].FlowLogId' --output text)\nif ! found \"${own}\"; then\n  created=$(aws ec2 create-flow-logs --resource-type VPC --resource-ids {} \\\n    --traffic-type {} --log-destination-type {} \\\n    --log-destination {} --max-aggregation-interval {max_aggregation_interval}{role} \\\n    --tag-specifications {} \\\n    --query '[FlowLogIds[0], Unsuccessful[0].Error.Message]' --output text)\n  {own}=\"${{created%%$'\\t'*}}\"\n  if ! found \"${own}\"; then\n    printf 'flow logs of %s: %s\\n' {} \"${{created#*$'\\t'}}\" >&2\n    exit 1\n  fi\nfi",
            owner_filters(cx.id, &[]),
            cx.variables.var(ResourceKind::Vpc, vpc),
            q(traffic_type),
            q(destination_type),
            q(destination),
            cx.tags("vpc-flow-log"),
            q(vpc)
        );
    }
}

/// Each VPC's flow log.
pub(crate) fn flow_logs(design: &Design, resources: &mut Vec<DesiredResource>) {
    use ResourceKind::*;
    let vpc_key = |id: &str| ResourceKey::new(Vpc, id);
    for vpc in &design.vpcs {
        let Some(flow_logs) = &vpc.flow_logs else {
            continue;
        };
        let destination_type = flow_logs
            .destination_kind()
            .map(|kind| kind.api_name())
            .unwrap_or("s3")
            .to_string();
        let role = flow_logs
            .delivery_role_arn
            .clone()
            .filter(|role| !role.is_empty());
        push(
            resources,
            FlowLog,
            format!("{}/flow-logs", vpc.id),
            vec![vpc_key(&vpc.id)],
            ResourceSpec::FlowLog(FlowLogSpec {
                vpc: vpc.id.clone(),
                destination: flow_logs.destination.clone(),
                destination_type,
                traffic_type: flow_logs.traffic_type.api_name().to_string(),
                delivery_role_arn: role,
                max_aggregation_interval: flow_logs.max_aggregation_interval,
            }),
        );
    }
}
