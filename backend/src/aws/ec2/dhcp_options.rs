//! A DHCP options set and its VPC associations. A set cannot change (the plan replaces it); an
//! association is the VPC's `DhcpOptionsId`, and removing one associates AWS's `default` set.

use aws_sdk_ec2::Client;
use aws_sdk_ec2::types::{DhcpConfiguration, NewDhcpConfiguration};
use shared::model::AMAZON_PROVIDED_DNS;
use shared::plan::{ObservedResource, ResourceKey, ResourceKind, ResourceKind as K};

use super::Creating;
use super::calls::*;
use super::inventory::Inventory;
use crate::aws::sdk::service_error;
use crate::aws::{AwsError, ResolvedIds};

/// The values of one option of a set, in AWS's order.
fn values_of(configurations: &[DhcpConfiguration], key: &str) -> Vec<String> {
    configurations
        .iter()
        .filter(|c| c.key() == Some(key))
        .flat_map(|c| c.values())
        .filter_map(|v| v.value().map(str::to_string))
        .collect()
}

/// The options of a set as the design states them: (domain name, DNS servers, NTP servers).
pub(in crate::aws) fn options_of(
    configurations: &[DhcpConfiguration],
) -> (Option<String>, Vec<String>, Vec<String>) {
    let domain_name = values_of(configurations, "domain-name");
    (
        (!domain_name.is_empty()).then(|| domain_name.join(" ")),
        values_of(configurations, "domain-name-servers"),
        values_of(configurations, "ntp-servers"),
    )
}

/// Whether a set is the one AWS gives every new VPC (the Amazon resolver and the region's
/// own domain), which a design leaves implicit.
pub(in crate::aws) fn is_aws_default(
    region: &str,
    domain_name: Option<&str>,
    servers: &[String],
    ntp: &[String],
) -> bool {
    let default_domain = if region == "us-east-1" {
        "ec2.internal".to_string()
    } else {
        format!("{region}.compute.internal")
    };
    ntp.is_empty()
        && servers.iter().all(|s| s == AMAZON_PROVIDED_DNS)
        && domain_name.is_none_or(|name| name == default_domain)
}

pub(super) async fn create(
    creating: Creating<'_>,
    domain_name: Option<&str>,
    domain_name_servers: &[String],
    ntp_servers: &[String],
) -> Result<String, AwsError> {
    let Creating {
        client,
        tags,
        existing,
        ..
    } = creating;
    // Found by its tags on a retry: nothing else to do for it.
    if let Some(id) = existing {
        return Ok(id);
    }
    let option = |key: &str, values: Vec<String>| {
        NewDhcpConfiguration::builder()
            .key(key)
            .set_values(Some(values))
            .build()
    };
    let mut request = client
        .create_dhcp_options()
        .tag_specifications(tag_specification(K::DhcpOptions, tags));
    if let Some(name) = domain_name {
        request = request.dhcp_configurations(option("domain-name", vec![name.to_string()]));
    }
    if !domain_name_servers.is_empty() {
        request = request
            .dhcp_configurations(option("domain-name-servers", domain_name_servers.to_vec()));
    }
    if !ntp_servers.is_empty() {
        request = request.dhcp_configurations(option("ntp-servers", ntp_servers.to_vec()));
    }
    Ok(request
        .send()
        .await
        .map_err(|e| service_error("CreateDhcpOptions", e))?
        .dhcp_options()
        .and_then(|o| o.dhcp_options_id())
        .ok_or(missing("CreateDhcpOptions", "a DHCP options id"))?
        .to_string())
}

/// Associates the set with the VPC; the association's AWS id is the VPC's.
pub(super) async fn create_association(
    creating: Creating<'_>,
    vpc: &str,
    dhcp_options: &str,
) -> Result<String, AwsError> {
    let Creating { client, ids, .. } = creating;
    let vpc_id = ids.get(K::Vpc, vpc)?;
    associate(client, ids.get(K::DhcpOptions, dhcp_options)?, vpc_id).await?;
    Ok(vpc_id.to_string())
}

pub(super) async fn update_association(
    client: &Client,
    dhcp_options: &str,
    ids: &ResolvedIds,
    aws_id: &str,
) -> Result<String, AwsError> {
    associate(client, ids.get(K::DhcpOptions, dhcp_options)?, aws_id).await?;
    Ok(aws_id.to_string())
}

async fn associate(client: &Client, dhcp_options_id: &str, vpc_id: &str) -> Result<(), AwsError> {
    client
        .associate_dhcp_options()
        .dhcp_options_id(dhcp_options_id)
        .vpc_id(vpc_id)
        .send()
        .await
        .map(|_| ())
        .map_err(|e| service_error("AssociateDhcpOptions", e))
}

pub(super) async fn delete(client: &Client, aws_id: &str) -> Result<(), AwsError> {
    client
        .delete_dhcp_options()
        .dhcp_options_id(aws_id)
        .send()
        .await
        .map(|_| ())
        .map_err(|e| service_error("DeleteDhcpOptions", e))
}

/// The VPC goes back to AWS's default set.
pub(super) async fn delete_association(client: &Client, aws_id: &str) -> Result<(), AwsError> {
    associate(client, "default", aws_id).await
}

pub(super) async fn dry_run(client: &Client, deleting: bool) -> Result<(), AwsError> {
    if deleting {
        send_dry_run!(
            client
                .delete_dhcp_options()
                .dhcp_options_id("dopt-00000000"),
            "DeleteDhcpOptions"
        )
    } else {
        send_dry_run!(
            client.create_dhcp_options().dhcp_configurations(
                NewDhcpConfiguration::builder()
                    .key("domain-name-servers")
                    .values(AMAZON_PROVIDED_DNS)
                    .build()
            ),
            "CreateDhcpOptions"
        )
    }
}

pub(super) async fn dry_run_association(client: &Client) -> Result<(), AwsError> {
    send_dry_run!(
        client
            .associate_dhcp_options()
            .dhcp_options_id("default")
            .vpc_id("vpc-00000000"),
        "AssociateDhcpOptions"
    )
}

/// The design's sets, then which of the design's VPCs each serves (from what the VPCs' read
/// noted: no second DescribeVpcs).
pub(super) async fn read(
    inventory: &mut Inventory,
    client: &Client,
    design_id: &str,
    kinds: &[ResourceKind],
) -> Result<(), AwsError> {
    let wants = |kind: ResourceKind| kinds.contains(&kind);
    if wants(K::DhcpOptions) || wants(K::DhcpOptionsAssociation) {
        let sets = with_retries(|| async {
            client
                .describe_dhcp_options()
                .filters(design_filter(design_id))
                .send()
                .await
                .map_err(|e| service_error("DescribeDhcpOptions", e))
        })
        .await?;
        for set in sets.dhcp_options() {
            let (Some(logical_id), Some(id)) =
                (owned_by(set.tags(), design_id), set.dhcp_options_id())
            else {
                continue;
            };
            let (domain_name, servers, ntp) = options_of(set.dhcp_configurations());
            inventory.add(
                K::DhcpOptions,
                logical_id,
                id,
                pairs([
                    ("domain_name", domain_name.unwrap_or_default()),
                    ("domain_name_servers", servers.join(",")),
                    ("ntp_servers", ntp.join(",")),
                ]),
            );
        }
    }
    // The VPCs' read noted the set each uses; only a set of the design is the design's
    // association (AWS's default is not).
    let associations = std::mem::take(&mut inventory.vpc_dhcp_options);
    if wants(K::DhcpOptionsAssociation) {
        for (vpc_logical, vpc_id, set_id) in associations {
            let Some((K::DhcpOptions, set_logical)) = inventory.logical.get(&set_id).cloned()
            else {
                continue;
            };
            inventory.observed.push(ObservedResource {
                key: ResourceKey::new(
                    K::DhcpOptionsAssociation,
                    format!("{vpc_logical}/dhcp-options"),
                ),
                aws_id: vpc_id,
                attributes: pairs([("vpc", vpc_logical), ("dhcp_options", set_logical)]),
            });
        }
    }
    Ok(())
}
