//! Gateway and interface VPC endpoints: their tables, subnets, groups and policy change in place; an interface endpoint is waited on.
//!
//! An endpoint's policy is read back as Moat compares it: compact JSON with sorted keys, and
//! none when it is AWS's default (full access), which is what an endpoint created without
//! one has.

use aws_sdk_ec2::Client;
use aws_sdk_ec2::types::VpcEndpointType;
use shared::model::endpoint_policy;
use shared::plan::{ResourceKind, ResourceKind as K};

use super::calls::*;
use super::inventory::Inventory;
use super::{Creating, Ec2Network};
use crate::aws::sdk::service_error;
use crate::aws::{AwsError, ResolvedIds};

pub(super) async fn create_gateway(
    creating: Creating<'_>,
    vpc: &str,
    service_name: &str,
    route_tables: &[String],
    policy: Option<&str>,
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
    let table_ids = route_tables
        .iter()
        .map(|t| ids.get(K::RouteTable, t).map(str::to_string))
        .collect::<Result<Vec<_>, _>>()?;
    Ok(client
        .create_vpc_endpoint()
        .vpc_endpoint_type(VpcEndpointType::Gateway)
        .vpc_id(ids.get(K::Vpc, vpc)?)
        .service_name(service_name)
        .set_route_table_ids(Some(table_ids))
        .set_policy_document(policy.map(str::to_string))
        .client_token(client_token(tags))
        .tag_specifications(tag_specification(K::GatewayEndpoint, tags))
        .send()
        .await
        .map_err(|e| service_error("CreateVpcEndpoint", e))?
        .vpc_endpoint()
        .and_then(|e| e.vpc_endpoint_id())
        .ok_or(missing("CreateVpcEndpoint", "an endpoint id"))?
        .to_string())
}

/// What an interface endpoint is made of, as the plan gives it.
pub(super) struct Interface<'spec> {
    pub vpc: &'spec str,
    pub service_name: &'spec str,
    pub subnets: &'spec [String],
    pub security_groups: &'spec [String],
    pub private_dns: bool,
    pub policy: Option<&'spec str>,
}

pub(super) async fn create_interface(
    creating: Creating<'_>,
    interface: Interface<'_>,
) -> Result<String, AwsError> {
    let Interface {
        vpc,
        service_name,
        subnets,
        security_groups,
        private_dns,
        policy,
    } = interface;
    let Creating {
        network,
        client,
        ids,
        tags,
        existing,
    } = creating;
    let subnet_ids = subnets
        .iter()
        .map(|s| ids.get(K::Subnet, s).map(str::to_string))
        .collect::<Result<Vec<_>, _>>()?;
    let group_ids = security_groups
        .iter()
        .map(|g| ids.get(K::SecurityGroup, g).map(str::to_string))
        .collect::<Result<Vec<_>, _>>()?;
    let endpoint_id = match existing {
        Some(id) => id,
        None => client
            .create_vpc_endpoint()
            .vpc_endpoint_type(VpcEndpointType::Interface)
            .vpc_id(ids.get(K::Vpc, vpc)?)
            .service_name(service_name)
            .set_subnet_ids(Some(subnet_ids))
            .set_security_group_ids(Some(group_ids))
            .private_dns_enabled(private_dns)
            .set_policy_document(policy.map(str::to_string))
            .client_token(client_token(tags))
            .tag_specifications(tag_specification(K::InterfaceEndpoint, tags))
            .send()
            .await
            .map_err(|e| service_error("CreateVpcEndpoint", e))?
            .vpc_endpoint()
            .and_then(|e| e.vpc_endpoint_id())
            .ok_or(missing("CreateVpcEndpoint", "an endpoint id"))?
            .to_string(),
    };
    network.wait_endpoint(client, &endpoint_id, false).await?;
    Ok(endpoint_id)
}

pub(super) async fn update_gateway(
    network: &Ec2Network,
    client: &Client,
    route_tables: &[String],
    policy: Option<&str>,
    ids: &ResolvedIds,
    aws_id: &str,
) -> Result<String, AwsError> {
    let current = network.endpoint(client, aws_id).await?;
    let wanted = route_tables
        .iter()
        .map(|t| ids.get(K::RouteTable, t).map(str::to_string))
        .collect::<Result<Vec<_>, _>>()?;
    let (add, remove) = difference(&wanted, &current.route_table_ids);
    let request = client
        .modify_vpc_endpoint()
        .vpc_endpoint_id(aws_id)
        .set_add_route_table_ids(Some(add))
        .set_remove_route_table_ids(Some(remove));
    with_policy_change(request, policy, current.policy.as_deref())
        .send()
        .await
        .map_err(|e| service_error("ModifyVpcEndpoint", e))?;
    Ok(aws_id.to_string())
}

pub(super) async fn update_interface(
    network: &Ec2Network,
    client: &Client,
    interface: Interface<'_>,
    ids: &ResolvedIds,
    aws_id: &str,
) -> Result<String, AwsError> {
    let Interface {
        subnets,
        security_groups,
        private_dns,
        policy,
        ..
    } = interface;
    let current = network.endpoint(client, aws_id).await?;
    let wanted_subnets = subnets
        .iter()
        .map(|s| ids.get(K::Subnet, s).map(str::to_string))
        .collect::<Result<Vec<_>, _>>()?;
    let wanted_groups = security_groups
        .iter()
        .map(|g| ids.get(K::SecurityGroup, g).map(str::to_string))
        .collect::<Result<Vec<_>, _>>()?;
    let (add_subnets, remove_subnets) = difference(&wanted_subnets, &current.subnet_ids);
    let (add_groups, remove_groups) = difference(&wanted_groups, &current.security_group_ids);
    let request = client
        .modify_vpc_endpoint()
        .vpc_endpoint_id(aws_id)
        .set_add_subnet_ids(Some(add_subnets))
        .set_remove_subnet_ids(Some(remove_subnets))
        .set_add_security_group_ids(Some(add_groups))
        .set_remove_security_group_ids(Some(remove_groups))
        .private_dns_enabled(private_dns);
    with_policy_change(request, policy, current.policy.as_deref())
        .send()
        .await
        .map_err(|e| service_error("ModifyVpcEndpoint", e))?;
    Ok(aws_id.to_string())
}

pub(super) async fn delete(
    network: &Ec2Network,
    client: &Client,
    aws_id: &str,
) -> Result<(), AwsError> {
    client
        .delete_vpc_endpoints()
        .vpc_endpoint_ids(aws_id)
        .send()
        .await
        .map_err(|e| service_error("DeleteVpcEndpoints", e))?;
    network.wait_endpoint(client, aws_id, true).await
}

pub(super) async fn dry_run(client: &Client, deleting: bool) -> Result<(), AwsError> {
    if deleting {
        send_dry_run!(
            client
                .delete_vpc_endpoints()
                .vpc_endpoint_ids("vpce-00000000"),
            "DeleteVpcEndpoints"
        )
    } else {
        send_dry_run!(
            client
                .create_vpc_endpoint()
                .vpc_id("vpc-00000000")
                .service_name("com.amazonaws.us-east-1.s3"),
            "CreateVpcEndpoint"
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
    let mut endpoint_rows = Vec::new();
    if wants(K::GatewayEndpoint) || wants(K::InterfaceEndpoint) {
        let endpoints = with_retries(|| async {
            client
                .describe_vpc_endpoints()
                .filters(design_filter(design_id))
                .send()
                .await
                .map_err(|e| service_error("DescribeVpcEndpoints", e))
        })
        .await?;
        for endpoint in endpoints.vpc_endpoints() {
            let (Some(logical_id), Some(_)) = (
                owned_by(endpoint.tags(), design_id),
                endpoint.vpc_endpoint_id(),
            ) else {
                continue;
            };
            if matches!(
                endpoint
                    .state()
                    .map(|s| s.as_str().to_lowercase())
                    .as_deref(),
                Some("deleted" | "deleting" | "failed")
            ) {
                continue;
            }
            endpoint_rows.push((logical_id.to_string(), endpoint.clone()));
        }
    }
    // Instances and endpoints name subnets, groups and tables: read after them.
    for (logical_id, endpoint) in &endpoint_rows {
        let id = endpoint.vpc_endpoint_id().unwrap_or_default();
        let vpc = inventory.logical_of(endpoint.vpc_id().unwrap_or_default());
        let names = |items: Vec<String>| {
            let mut names: Vec<String> = items.iter().map(|i| inventory.logical_of(i)).collect();
            names.sort();
            names.join(",")
        };
        let service = endpoint.service_name().unwrap_or_default().to_string();
        let gateway = endpoint
            .vpc_endpoint_type()
            .map(|t| t.as_str().to_lowercase())
            == Some("gateway".into());
        let attributes = if gateway {
            pairs([
                ("vpc", vpc),
                ("service", service),
                ("route_tables", names(endpoint.route_table_ids().to_vec())),
            ])
        } else {
            pairs([
                ("vpc", vpc),
                ("service", service),
                ("subnets", names(endpoint.subnet_ids().to_vec())),
                (
                    "security_groups",
                    names(
                        endpoint
                            .groups()
                            .iter()
                            .filter_map(|g| g.group_id().map(str::to_string))
                            .collect(),
                    ),
                ),
                (
                    "private_dns",
                    endpoint.private_dns_enabled().unwrap_or(false).to_string(),
                ),
            ])
        };
        let mut attributes = attributes;
        if let Some(policy) = observed_policy(endpoint.policy_document()) {
            attributes.insert("policy".to_string(), policy);
        }
        let kind = if gateway {
            K::GatewayEndpoint
        } else {
            K::InterfaceEndpoint
        };
        inventory.add(kind, logical_id, id, attributes);
    }
    Ok(())
}

impl Ec2Network {
    async fn wait_endpoint(
        &self,
        client: &Client,
        endpoint_id: &str,
        deleting: bool,
    ) -> Result<(), AwsError> {
        self.wait_for("DescribeVpcEndpoints", || async {
            let answer = client
                .describe_vpc_endpoints()
                .vpc_endpoint_ids(endpoint_id)
                .send()
                .await
                .map_err(|e| service_error("DescribeVpcEndpoints", e));
            let answer = match answer {
                Err(error) if error.is_not_found() && deleting => return Ok(Some(())),
                other => other?,
            };
            let state = answer
                .vpc_endpoints()
                .first()
                .and_then(|e| e.state())
                .map(|s| s.as_str().to_lowercase());
            Ok(match (state.as_deref(), deleting) {
                (None | Some("deleted"), true) => Some(()),
                (Some("available"), false) => Some(()),
                (Some("failed"), false) => {
                    return Err(AwsError::Service {
                        endpoint: None,
                        request_id: Default::default(),
                        status: Default::default(),
                        operation: "CreateVpcEndpoint",
                        code: "VpcEndpointFailed".into(),
                        message: format!("endpoint {endpoint_id} failed"),
                    });
                }
                _ => None,
            })
        })
        .await
    }
    async fn endpoint(&self, client: &Client, endpoint_id: &str) -> Result<EndpointIds, AwsError> {
        let answer = with_retries(|| async {
            client
                .describe_vpc_endpoints()
                .vpc_endpoint_ids(endpoint_id)
                .send()
                .await
                .map_err(|e| service_error("DescribeVpcEndpoints", e))
        })
        .await?;
        let endpoint = answer
            .vpc_endpoints()
            .first()
            .ok_or(missing("DescribeVpcEndpoints", "the endpoint"))?;
        Ok(EndpointIds {
            policy: observed_policy(endpoint.policy_document()),
            route_table_ids: endpoint.route_table_ids().to_vec(),
            subnet_ids: endpoint.subnet_ids().to_vec(),
            security_group_ids: endpoint
                .groups()
                .iter()
                .filter_map(|g| g.group_id().map(str::to_string))
                .collect(),
        })
    }
}

struct EndpointIds {
    policy: Option<String>,
    route_table_ids: Vec<String>,
    subnet_ids: Vec<String>,
    security_group_ids: Vec<String>,
}

/// The policy part of a modification: the wanted policy when it differs from the current
/// one, `ResetPolicy` (AWS's default, full access) when the design has none and the endpoint
/// has one, and nothing when they agree.
fn with_policy_change(
    request: aws_sdk_ec2::operation::modify_vpc_endpoint::builders::ModifyVpcEndpointFluentBuilder,
    wanted: Option<&str>,
    current: Option<&str>,
) -> aws_sdk_ec2::operation::modify_vpc_endpoint::builders::ModifyVpcEndpointFluentBuilder {
    match (wanted, current) {
        (Some(wanted), current) if Some(wanted) != current => request.policy_document(wanted),
        (None, Some(_)) => request.reset_policy(true),
        _ => request,
    }
}

/// An endpoint's policy as Moat compares it: compact JSON with sorted keys, or none for
/// AWS's default full access (and for a text that is not JSON, which AWS never returns).
pub(super) fn observed_policy(document: Option<&str>) -> Option<String> {
    let document: serde_json::Value = serde_json::from_str(document?).ok()?;
    (!endpoint_policy::is_full_access(&document)).then(|| endpoint_policy::canonical(&document))
}

/// What to add and what to remove to go from `current` to `wanted`.
fn difference(wanted: &[String], current: &[String]) -> (Vec<String>, Vec<String>) {
    let add = wanted
        .iter()
        .filter(|w| !current.contains(w))
        .cloned()
        .collect();
    let remove = current
        .iter()
        .filter(|c| !wanted.contains(c))
        .cloned()
        .collect();
    (add, remove)
}
