//! A route table (a main one adopts the VPC's own), its routes and its subnet associations.

use std::collections::BTreeMap;

use aws_sdk_ec2::Client;
use aws_sdk_ec2::types::{Filter, Tag};
use shared::model::RouteTarget;
use shared::plan::{ObservedResource, ResourceKey, ResourceKind, ResourceKind as K};

use super::calls::*;
use super::inventory::Inventory;
use super::{Creating, Ec2Network};
use crate::aws::sdk::{route_target_id, service_error};
use crate::aws::{AwsError, ResolvedIds, TAG_DEPLOYMENT_ID, TAG_DESIGN_ID, TAG_LOGICAL_ID};

pub(super) async fn create(
    creating: Creating<'_>,
    vpc: &str,
    main: bool,
) -> Result<String, AwsError> {
    let Creating {
        network,
        client,
        ids,
        tags,
        existing,
    } = creating;
    let vpc_id = ids.get(K::Vpc, vpc)?;
    if main {
        // The VPC's own main table, adopted: tagged as the design's.
        let table_id = network.main_route_table(client, vpc_id).await?;
        client
            .create_tags()
            .resources(&table_id)
            .set_tags(Some(tag_pairs(tags)))
            .send()
            .await
            .map_err(|e| service_error("CreateTags", e))?;
        return Ok(table_id);
    }
    if let Some(id) = existing {
        return Ok(id);
    }
    Ok(client
        .create_route_table()
        .vpc_id(vpc_id)
        .tag_specifications(tag_specification(K::RouteTable, tags))
        .send()
        .await
        .map_err(|e| service_error("CreateRouteTable", e))?
        .route_table()
        .and_then(|t| t.route_table_id())
        .ok_or(missing("CreateRouteTable", "a table id"))?
        .to_string())
}

pub(super) async fn create_route(
    creating: Creating<'_>,
    route_table: &str,
    destination: &str,
    target: &ResourceKey,
) -> Result<String, AwsError> {
    let Creating {
        network,
        client,
        ids,
        ..
    } = creating;
    let table_id = ids.get(K::RouteTable, route_table)?;
    let target_id = ids.get(target.kind, &target.logical_id)?;
    let created = network
        .put_route(client, table_id, destination, target, target_id, false)
        .await;
    match created {
        Err(error) if already_exists(&error) => {
            network
                .put_route(client, table_id, destination, target, target_id, true)
                .await?;
        }
        other => other?,
    }
    Ok(format!("{table_id}:{destination}"))
}

pub(super) async fn create_association(
    creating: Creating<'_>,
    route_table: &str,
    subnet: &str,
) -> Result<String, AwsError> {
    let Creating {
        network,
        client,
        ids,
        ..
    } = creating;
    let table_id = ids.get(K::RouteTable, route_table)?;
    let subnet_id = ids.get(K::Subnet, subnet)?;
    let associated = client
        .associate_route_table()
        .route_table_id(table_id)
        .subnet_id(subnet_id)
        .send()
        .await
        .map_err(|e| service_error("AssociateRouteTable", e));
    match associated {
        Ok(answer) => Ok(answer
            .association_id()
            .ok_or(missing("AssociateRouteTable", "an association id"))?
            .to_string()),
        Err(error) if already_exists(&error) => {
            // Already associated (a retried call, or to another table): point
            // the subnet's association at this table.
            let existing = network
                .route_table_association_of(client, subnet_id)
                .await?;
            match existing {
                Some((association_id, current)) if current == table_id => Ok(association_id),
                Some((association_id, _)) => {
                    network
                        .replace_route_association(client, &association_id, table_id)
                        .await
                }
                None => Err(error),
            }
        }
        Err(error) => Err(error),
    }
}

pub(super) async fn update_route(
    network: &Ec2Network,
    client: &Client,
    route_table: &str,
    destination: &str,
    target: &ResourceKey,
    ids: &ResolvedIds,
) -> Result<String, AwsError> {
    let table_id = ids.get(K::RouteTable, route_table)?;
    let target_id = ids.get(target.kind, &target.logical_id)?;
    network
        .put_route(client, table_id, destination, target, target_id, true)
        .await?;
    Ok(format!("{table_id}:{destination}"))
}

pub(super) async fn update_association(
    network: &Ec2Network,
    client: &Client,
    route_table: &str,
    ids: &ResolvedIds,
    aws_id: &str,
) -> Result<String, AwsError> {
    network
        .replace_route_association(client, aws_id, ids.get(K::RouteTable, route_table)?)
        .await
}

pub(super) async fn delete(
    client: &Client,
    aws_id: &str,
    observed: &BTreeMap<String, String>,
) -> Result<(), AwsError> {
    let hidden = |name: &str| observed.get(name).cloned().unwrap_or_default();

    if hidden("main") == "true" {
        // The VPC's own main table goes with the VPC; it is only disowned.
        client
            .delete_tags()
            .resources(aws_id)
            .tags(Tag::builder().key(TAG_DESIGN_ID).build())
            .tags(Tag::builder().key(TAG_LOGICAL_ID).build())
            .tags(Tag::builder().key(TAG_DEPLOYMENT_ID).build())
            .send()
            .await
            .map(|_| ())
            .map_err(|e| service_error("DeleteTags", e))
    } else {
        client
            .delete_route_table()
            .route_table_id(aws_id)
            .send()
            .await
            .map(|_| ())
            .map_err(|e| service_error("DeleteRouteTable", e))
    }
}

pub(super) async fn delete_route(
    client: &Client,
    observed: &BTreeMap<String, String>,
) -> Result<(), AwsError> {
    let hidden = |name: &str| observed.get(name).cloned().unwrap_or_default();
    client
        .delete_route()
        .route_table_id(hidden("_route_table_id"))
        .destination_cidr_block(hidden("_destination"))
        .send()
        .await
        .map(|_| ())
        .map_err(|e| service_error("DeleteRoute", e))
}

pub(super) async fn delete_association(client: &Client, aws_id: &str) -> Result<(), AwsError> {
    client
        .disassociate_route_table()
        .association_id(aws_id)
        .send()
        .await
        .map(|_| ())
        .map_err(|e| service_error("DisassociateRouteTable", e))
}

pub(super) async fn dry_run(client: &Client, deleting: bool) -> Result<(), AwsError> {
    if deleting {
        send_dry_run!(
            client.delete_route_table().route_table_id("rtb-00000000"),
            "DeleteRouteTable"
        )
    } else {
        send_dry_run!(
            client.create_route_table().vpc_id("vpc-00000000"),
            "CreateRouteTable"
        )
    }
}

pub(super) async fn dry_run_route(client: &Client, deleting: bool) -> Result<(), AwsError> {
    if deleting {
        send_dry_run!(
            client
                .delete_route()
                .route_table_id("rtb-00000000")
                .destination_cidr_block("0.0.0.0/0"),
            "DeleteRoute"
        )
    } else {
        send_dry_run!(
            client
                .create_route()
                .route_table_id("rtb-00000000")
                .destination_cidr_block("0.0.0.0/0"),
            "CreateRoute"
        )
    }
}

pub(super) async fn dry_run_association(client: &Client, deleting: bool) -> Result<(), AwsError> {
    if deleting {
        send_dry_run!(
            client
                .disassociate_route_table()
                .association_id("rtbassoc-00000000"),
            "DisassociateRouteTable"
        )
    } else {
        send_dry_run!(
            client
                .associate_route_table()
                .route_table_id("rtb-00000000")
                .subnet_id("subnet-00000000"),
            "AssociateRouteTable"
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
    if wants(K::RouteTable) {
        let tables = with_retries(|| async {
            client
                .describe_route_tables()
                .filters(design_filter(design_id))
                .send()
                .await
                .map_err(|e| service_error("DescribeRouteTables", e))
        })
        .await?;
        for table in tables.route_tables() {
            let (Some(logical_id), Some(id)) =
                (owned_by(table.tags(), design_id), table.route_table_id())
            else {
                continue;
            };
            let main = table.associations().iter().any(|a| a.main() == Some(true));
            let vpc = inventory.logical_of(table.vpc_id().unwrap_or_default());
            inventory.add(
                K::RouteTable,
                logical_id,
                id,
                pairs([("vpc", vpc), ("main", main.to_string())]),
            );
            inventory
                .route_tables
                .push((logical_id.to_string(), id.to_string(), table.clone()));
        }
    }
    Ok(())
}

pub(super) async fn read_contents(
    inventory: &mut Inventory,
    _client: &Client,
) -> Result<(), AwsError> {
    let table_rows = std::mem::take(&mut inventory.route_tables);
    // Routes and associations of the design's tables.
    for (table_logical, table_id, table) in &table_rows {
        for route in table.routes() {
            let Some(destination) = route.destination_cidr_block() else {
                continue;
            };
            let target_id = route_target_id(route)
                .or(route.gateway_id())
                .or(route.transit_gateway_id())
                .or(route.vpc_peering_connection_id())
                .unwrap_or_default();
            if target_id == "local" || route.gateway_id().is_some_and(|g| g.starts_with("vpce-")) {
                continue;
            }
            // Routes a VPN gateway propagates are not the design's.
            if route.origin().map(|o| o.as_str()) == Some("EnableVgwRoutePropagation") {
                continue;
            }
            let target = inventory.logical_of(target_id);
            inventory.observed.push(ObservedResource {
                key: ResourceKey::new(K::Route, format!("{table_logical}/{destination}")),
                aws_id: format!("{table_id}:{destination}"),
                attributes: pairs([
                    ("target", target),
                    ("_route_table_id", table_id.clone()),
                    ("_destination", destination.to_string()),
                ]),
            });
        }
        for association in table.associations() {
            let (Some(subnet_id), Some(association_id)) = (
                association.subnet_id(),
                association.route_table_association_id(),
            ) else {
                continue;
            };
            let Some((_, subnet_logical)) = inventory.logical.get(subnet_id) else {
                continue;
            };
            inventory.observed.push(ObservedResource {
                key: ResourceKey::new(
                    K::RouteTableAssociation,
                    format!("{subnet_logical}/route-table"),
                ),
                aws_id: association_id.to_string(),
                attributes: pairs([("route_table", table_logical.clone())]),
            });
        }
    }
    Ok(())
}

impl Ec2Network {
    async fn put_route(
        &self,
        client: &Client,
        table_id: &str,
        destination: &str,
        target: &ResourceKey,
        target_id: &str,
        replace: bool,
    ) -> Result<(), AwsError> {
        // The planner builds routes to route targets only.
        let via = shared::plan::route_target_of(target.kind).ok_or_else(|| {
            AwsError::NotARouteTarget {
                reference: target.to_string(),
            }
        })?;
        if replace {
            let call = client
                .replace_route()
                .route_table_id(table_id)
                .destination_cidr_block(destination);
            let call = match via {
                RouteTarget::InternetGateway | RouteTarget::VpnGateway => {
                    call.gateway_id(target_id)
                }
                RouteTarget::NatGateway => call.nat_gateway_id(target_id),
                RouteTarget::NetworkInterface => call.network_interface_id(target_id),
            };
            call.send()
                .await
                .map_err(|e| service_error("ReplaceRoute", e))?;
        } else {
            let call = client
                .create_route()
                .route_table_id(table_id)
                .destination_cidr_block(destination);
            let call = match via {
                RouteTarget::InternetGateway | RouteTarget::VpnGateway => {
                    call.gateway_id(target_id)
                }
                RouteTarget::NatGateway => call.nat_gateway_id(target_id),
                RouteTarget::NetworkInterface => call.network_interface_id(target_id),
            };
            call.send()
                .await
                .map_err(|e| service_error("CreateRoute", e))?;
        }
        Ok(())
    }
    async fn main_route_table(&self, client: &Client, vpc_id: &str) -> Result<String, AwsError> {
        let tables = with_retries(|| async {
            client
                .describe_route_tables()
                .filters(Filter::builder().name("vpc-id").values(vpc_id).build())
                .send()
                .await
                .map_err(|e| service_error("DescribeRouteTables", e))
        })
        .await?;
        tables
            .route_tables()
            .iter()
            .find(|t| t.associations().iter().any(|a| a.main() == Some(true)))
            .and_then(|t| t.route_table_id())
            .map(str::to_string)
            .ok_or(missing("DescribeRouteTables", "the VPC's main route table"))
    }
    /// The subnet's route table association and its table, if it has one of its own.
    async fn route_table_association_of(
        &self,
        client: &Client,
        subnet_id: &str,
    ) -> Result<Option<(String, String)>, AwsError> {
        let tables = with_retries(|| async {
            client
                .describe_route_tables()
                .filters(
                    Filter::builder()
                        .name("association.subnet-id")
                        .values(subnet_id)
                        .build(),
                )
                .send()
                .await
                .map_err(|e| service_error("DescribeRouteTables", e))
        })
        .await?;
        Ok(tables.route_tables().iter().find_map(|table| {
            table
                .associations()
                .iter()
                .find(|a| a.subnet_id() == Some(subnet_id))
                .and_then(|a| a.route_table_association_id())
                .map(|a| {
                    (
                        a.to_string(),
                        table.route_table_id().unwrap_or_default().to_string(),
                    )
                })
        }))
    }
    async fn replace_route_association(
        &self,
        client: &Client,
        association_id: &str,
        table_id: &str,
    ) -> Result<String, AwsError> {
        Ok(client
            .replace_route_table_association()
            .association_id(association_id)
            .route_table_id(table_id)
            .send()
            .await
            .map_err(|e| service_error("ReplaceRouteTableAssociation", e))?
            .new_association_id()
            .ok_or(missing("ReplaceRouteTableAssociation", "an association id"))?
            .to_string())
    }
}
