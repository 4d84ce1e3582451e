//! An internet gateway, attached to its VPC (detached before it is deleted).

use std::collections::BTreeMap;

use aws_sdk_ec2::Client;
use shared::plan::{ResourceKind, ResourceKind as K};

use super::Creating;
use super::calls::*;
use super::inventory::Inventory;
use crate::aws::AwsError;
use crate::aws::sdk::service_error;

pub(super) async fn create(creating: Creating<'_>, vpc: &str) -> Result<String, AwsError> {
    let Creating {
        client,
        ids,
        tags,
        existing,
        ..
    } = creating;
    let gateway_id = match existing {
        Some(existing) => existing,
        None => client
            .create_internet_gateway()
            .tag_specifications(tag_specification(K::InternetGateway, tags))
            .send()
            .await
            .map_err(|e| service_error("CreateInternetGateway", e))?
            .internet_gateway()
            .and_then(|g| g.internet_gateway_id())
            .ok_or(missing("CreateInternetGateway", "a gateway id"))?
            .to_string(),
    };
    let attached = client
        .attach_internet_gateway()
        .internet_gateway_id(&gateway_id)
        .vpc_id(ids.get(K::Vpc, vpc)?)
        .send()
        .await
        .map_err(|e| service_error("AttachInternetGateway", e));
    match attached {
        Err(error) if error.code() == Some("Resource.AlreadyAssociated") => {}
        other => {
            other?;
        }
    }
    Ok(gateway_id)
}

pub(super) async fn delete(
    client: &Client,
    aws_id: &str,
    observed: &BTreeMap<String, String>,
) -> Result<(), AwsError> {
    let hidden = |name: &str| observed.get(name).cloned().unwrap_or_default();

    let vpc_id = hidden("_vpc_id");
    if !vpc_id.is_empty() {
        let detached = client
            .detach_internet_gateway()
            .internet_gateway_id(aws_id)
            .vpc_id(&vpc_id)
            .send()
            .await
            .map_err(|e| service_error("DetachInternetGateway", e));
        match detached {
            Err(error) if already_gone(&error) || error.code() == Some("Gateway.NotAttached") => {}
            other => {
                other?;
            }
        }
    }
    client
        .delete_internet_gateway()
        .internet_gateway_id(aws_id)
        .send()
        .await
        .map(|_| ())
        .map_err(|e| service_error("DeleteInternetGateway", e))
}

pub(super) async fn dry_run(client: &Client, deleting: bool) -> Result<(), AwsError> {
    if deleting {
        send_dry_run!(
            client
                .delete_internet_gateway()
                .internet_gateway_id("igw-00000000"),
            "DeleteInternetGateway"
        )
    } else {
        send_dry_run!(client.create_internet_gateway(), "CreateInternetGateway")
    }
}

pub(super) async fn read(
    inventory: &mut Inventory,
    client: &Client,
    design_id: &str,
    kinds: &[ResourceKind],
) -> Result<(), AwsError> {
    let wants = |kind: ResourceKind| kinds.contains(&kind);
    if wants(K::InternetGateway) {
        let gateways = with_retries(|| async {
            client
                .describe_internet_gateways()
                .filters(design_filter(design_id))
                .send()
                .await
                .map_err(|e| service_error("DescribeInternetGateways", e))
        })
        .await?;
        for gateway in gateways.internet_gateways() {
            let (Some(logical_id), Some(id)) = (
                owned_by(gateway.tags(), design_id),
                gateway.internet_gateway_id(),
            ) else {
                continue;
            };
            let vpc_id = gateway
                .attachments()
                .first()
                .and_then(|a| a.vpc_id())
                .unwrap_or_default()
                .to_string();
            let vpc = inventory.logical_of(&vpc_id);
            inventory.add(
                K::InternetGateway,
                logical_id,
                id,
                pairs([("vpc", vpc), ("_vpc_id", vpc_id)]),
            );
        }
    }
    Ok(())
}
