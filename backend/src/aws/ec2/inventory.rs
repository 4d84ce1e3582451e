//! The inventory: what a region holds for one design, in the planner's terms (references as
//! logical ids). Each kind's module reads its own resources into it; this one holds what they
//! share, the AWS id → logical id map that turns references into logical ids. The order they
//! are read in is the adapter's (`read_inventory` in `mod.rs`): a kind after every kind it
//! names. It depends on no kind's module.

use std::collections::{BTreeMap, HashMap};

use aws_sdk_ec2::types::{NetworkAcl, RouteTable};
use shared::plan::{ObservedResource, ResourceKey, ResourceKind};

/// What a region holds for one design: the tagged resources and what lives inside them.
#[derive(Default)]
pub(super) struct Inventory {
    pub(super) observed: Vec<ObservedResource>,
    /// AWS id → logical id, to write references the planner's way.
    pub(super) logical: HashMap<String, (ResourceKind, String)>,
    /// The design's route tables as read, for their routes and associations (read last).
    pub(super) route_tables: Vec<(String, String, RouteTable)>,
    /// (logical id, AWS id, DHCP options set id) of the design's VPCs, as the VPCs' read saw
    /// them: where the DHCP options associations are read from.
    pub(super) vpc_dhcp_options: Vec<(String, String, String)>,
    /// The design's network ACLs as read, for their entries and associations (read last).
    pub(super) network_acls: Vec<(String, String, NetworkAcl)>,
}

impl Inventory {
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
