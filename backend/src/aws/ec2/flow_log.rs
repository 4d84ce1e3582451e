//! A VPC's flow log into a destination Moat does not create.

use aws_sdk_ec2::Client;
use aws_sdk_ec2::types::{FlowLogsResourceType, LogDestinationType, TrafficType, UnsuccessfulItem};
use shared::plan::{ResourceKind, ResourceKind as K};

use super::Creating;
use super::calls::*;
use super::inventory::Inventory;
use crate::aws::AwsError;
use crate::aws::sdk::service_error;

pub(super) async fn create(
    creating: Creating<'_>,
    vpc: &str,
    destination: &str,
    destination_type: &str,
    traffic_type: &str,
    delivery_role_arn: Option<&str>,
    max_aggregation_interval: u32,
) -> Result<String, AwsError> {
    let Creating {
        client,
        ids,
        tags,
        existing,
        ..
    } = creating;
    // Found by its tags on a retry: nothing else to do for it.
    if let Some(id) = existing {
        return Ok(id);
    }
    let answer = client
        .create_flow_logs()
        .resource_type(FlowLogsResourceType::Vpc)
        .resource_ids(ids.get(K::Vpc, vpc)?)
        .traffic_type(TrafficType::from(traffic_type))
        .log_destination_type(LogDestinationType::from(destination_type))
        .log_destination(destination)
        .set_deliver_logs_permission_arn(delivery_role_arn.map(str::to_string))
        .max_aggregation_interval(i32::try_from(max_aggregation_interval).unwrap_or(600))
        .client_token(client_token(tags))
        .tag_specifications(tag_specification(K::FlowLog, tags))
        .send()
        .await
        .map_err(|e| service_error("CreateFlowLogs", e))?;
    if let Some(error) = unsuccessful("CreateFlowLogs", answer.unsuccessful()) {
        return Err(error);
    }
    Ok(answer
        .flow_log_ids()
        .first()
        .ok_or(missing("CreateFlowLogs", "a flow log id"))?
        .clone())
}

pub(super) async fn delete(client: &Client, aws_id: &str) -> Result<(), AwsError> {
    let answer = client
        .delete_flow_logs()
        .flow_log_ids(aws_id)
        .send()
        .await
        .map_err(|e| service_error("DeleteFlowLogs", e))?;
    match unsuccessful("DeleteFlowLogs", answer.unsuccessful()) {
        Some(error) => Err(error),
        None => Ok(()),
    }
}

pub(super) async fn dry_run(client: &Client, deleting: bool) -> Result<(), AwsError> {
    if deleting {
        send_dry_run!(
            client.delete_flow_logs().flow_log_ids("fl-00000000"),
            "DeleteFlowLogs"
        )
    } else {
        send_dry_run!(
            client
                .create_flow_logs()
                .resource_type(FlowLogsResourceType::Vpc)
                .resource_ids("vpc-00000000")
                .traffic_type(TrafficType::All)
                .log_destination_type(LogDestinationType::S3)
                .log_destination("arn:aws:s3:::moat-dry-run"),
            "CreateFlowLogs"
        )
    }
}

pub(super) async fn read(
    inventory: &mut Inventory,
    client: &Client,
    design_id: &str,
    kinds: &[ResourceKind],
) -> Result<(), AwsError> {
    let wants = |kind: ResourceKind| kinds.contains(&kind);
    if wants(K::FlowLog) {
        let flow_logs = with_retries(|| async {
            client
                .describe_flow_logs()
                .filter(design_filter(design_id))
                .send()
                .await
                .map_err(|e| service_error("DescribeFlowLogs", e))
        })
        .await?;
        for flow_log in flow_logs.flow_logs() {
            let (Some(logical_id), Some(id)) =
                (owned_by(flow_log.tags(), design_id), flow_log.flow_log_id())
            else {
                continue;
            };
            let vpc = inventory.logical_of(flow_log.resource_id().unwrap_or_default());
            inventory.add(
                K::FlowLog,
                logical_id,
                id,
                pairs([
                    ("vpc", vpc),
                    (
                        "destination",
                        flow_log.log_destination().unwrap_or_default().to_string(),
                    ),
                    (
                        "traffic_type",
                        flow_log
                            .traffic_type()
                            .map(|t| t.as_str().to_string())
                            .unwrap_or_default(),
                    ),
                    (
                        "delivery_role",
                        flow_log
                            .deliver_logs_permission_arn()
                            .unwrap_or_default()
                            .to_string(),
                    ),
                    (
                        "max_aggregation_interval",
                        flow_log
                            .max_aggregation_interval()
                            .unwrap_or(600)
                            .to_string(),
                    ),
                ]),
            );
        }
    }
    Ok(())
}

/// CreateFlowLogs and DeleteFlowLogs answer a resource they could not handle with an
/// "unsuccessful" item rather than an error: it becomes the error it stands for.
fn unsuccessful(operation: &'static str, items: &[UnsuccessfulItem]) -> Option<AwsError> {
    let item = items.first()?;
    let error = item.error();
    Some(AwsError::Service {
        endpoint: None,
        request_id: Default::default(),
        status: Default::default(),
        operation,
        code: error
            .and_then(|e| e.code())
            .unwrap_or("Unsuccessful")
            .to_string(),
        message: format!(
            "{}: {}",
            item.resource_id().unwrap_or_default(),
            error.and_then(|e| e.message()).unwrap_or_default()
        ),
    })
}
