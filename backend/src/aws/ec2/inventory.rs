//! The inventory: what a region holds for one design, read kind by kind in the planner's
//! terms (references as logical ids). Each kind's module reads its own resources; this one
//! holds what they share (the AWS id → logical id map that turns references into logical ids)
//! and the order they are read in: a kind is read after every kind it names.

use std::collections::{BTreeMap, HashMap};

use aws_sdk_ec2::Client;
use aws_sdk_ec2::types::{NetworkAcl, RouteTable};
use shared::plan::{ObservedResource, ResourceKey, ResourceKind};

use super::{
    customer_gateway, dhcp_options, endpoint, flow_log, instance, internet_gateway, nat_gateway,
    network_acl, placement_group, route_table, security_group, subnet, vpc, vpn_connection,
    vpn_gateway,
};
use crate::aws::AwsError;

/// What a region holds for one design: the tagged resources and what lives inside them.
#[derive(Default)]
pub(super) struct Inventory {
    pub(super) observed: Vec<ObservedResource>,
    /// AWS id → logical id, to write references the planner's way.
    pub(super) logical: HashMap<String, (ResourceKind, String)>,
    /// The design's route tables as read, for their routes and associations (read last).
    pub(super) route_tables: Vec<(String, String, RouteTable)>,
    /// The design's network ACLs as read, for their entries and associations (read last).
    pub(super) network_acls: Vec<(String, String, NetworkAcl)>,
}

impl Inventory {
    /// Reads the resources of `kinds` (and, for the full inventory, what lives inside them).
    pub(super) async fn read(
        client: &Client,
        design_id: &str,
        kinds: &[ResourceKind],
    ) -> Result<Inventory, AwsError> {
        let mut inventory = Inventory::default();
        let found = &mut inventory;
        vpc::read(found, client, design_id, kinds).await?;
        dhcp_options::read(found, client, design_id, kinds).await?;
        customer_gateway::read(found, client, design_id, kinds).await?;
        placement_group::read(found, client, design_id, kinds).await?;
        subnet::read(found, client, design_id, kinds).await?;
        internet_gateway::read(found, client, design_id, kinds).await?;
        vpn_gateway::read(found, client, design_id, kinds).await?;
        security_group::read(found, client, design_id, kinds).await?;
        nat_gateway::read(found, client, design_id, kinds).await?;
        nat_gateway::read_addresses(found, client, design_id, kinds).await?;
        vpn_connection::read(found, client, design_id, kinds).await?;
        route_table::read(found, client, design_id, kinds).await?;
        network_acl::read(found, client, design_id, kinds).await?;
        // Instances and endpoints name subnets, groups and tables: read after them.
        endpoint::read(found, client, design_id, kinds).await?;
        instance::read(found, client, design_id, kinds).await?;
        flow_log::read(found, client, design_id, kinds).await?;
        // Routes name every target above; associations name subnets.
        route_table::read_contents(found, client).await?;
        network_acl::read_contents(found, client).await?;
        Ok(inventory)
    }

    /// Records a tagged resource, so later kinds can name it by its logical id.
    pub(super) fn add(
        &mut self,
        kind: ResourceKind,
        logical_id: &str,
        aws_id: &str,
        attributes: BTreeMap<String, String>,
    ) {
        self.logical
            .insert(aws_id.to_string(), (kind, logical_id.to_string()));
        self.observed.push(ObservedResource {
            key: ResourceKey::new(kind, logical_id),
            aws_id: aws_id.to_string(),
            attributes,
        });
    }

    /// The logical id of the design's resource with this AWS id, or the AWS id itself for a
    /// resource the design does not own (a reference the planner will see as foreign).
    pub(super) fn logical_of(&self, aws_id: &str) -> String {
        self.logical
            .get(aws_id)
            .map(|(_, logical_id)| logical_id.clone())
            .unwrap_or_else(|| aws_id.to_string())
    }
}
